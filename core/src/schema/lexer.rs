//! Splits schema text into tokens. Comments vanish; `///` doc comments become tokens.

use super::diag::MAX_DIAGNOSTICS;
use super::source::{FileId, Span};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `[A-Za-z_][A-Za-z0-9_]*`, keywords included.
    Ident,
    /// A number with an optional sign, or a signed `nan`/`inf`/`infinity`; parsed later.
    Number,
    /// A string in double or single quotes; its decoded value is in [`Token::text`].
    Str,
    /// A `///` comment; its text (after the slashes) is in [`Token::text`].
    Doc,
    /// One of `{ } ( ) [ ] : ; , = .`
    Punct(u8),
    /// End of input.
    Eof,
}

/// One token with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) span: Span,
    /// Identifier or number text as written, a string's decoded value, or a doc line.
    pub(crate) text: String,
}

/// A lexical error, reported by the parser with its span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    pub(crate) span: Span,
    pub(crate) message: String,
}

/// Tokenizes `text`. Errors do not stop the scan: the bad character is skipped, so a run
/// reports every problem (the first [`MAX_DIAGNOSTICS`] + 1 of them are kept); the token list
/// always ends with [`TokenKind::Eof`].
pub(crate) fn tokenize(file: FileId, text: &str) -> (Vec<Token>, Vec<LexError>) {
    let mut lexer = Lexer {
        file,
        bytes: text.as_bytes(),
        text,
        pos: 0,
        tokens: Vec::new(),
        errors: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

struct Lexer<'a> {
    file: FileId,
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<LexError>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn slice(&self, start: usize) -> String {
        self.text.get(start..self.pos).unwrap_or("").to_string()
    }

    fn push(&mut self, kind: TokenKind, start: usize, text: String) {
        let span = self.span(start);
        self.tokens.push(Token { kind, span, text });
    }

    fn error(&mut self, start: usize, message: String) {
        // One more than is ever shown is enough to say the list was cut; keeping millions
        // (a 10 MB file of stray characters) would only cost memory.
        if self.errors.len() > MAX_DIAGNOSTICS {
            return;
        }
        let span = self.span(start);
        self.errors.push(LexError { span, message });
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.peek(0);
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => self.pos += 1,
                b'/' if self.peek(1) == b'/' => self.line_comment(),
                b'/' if self.peek(1) == b'*' => self.block_comment(),
                b'"' | b'\'' => self.string(b),
                b'{' | b'}' | b'(' | b')' | b'[' | b']' | b':' | b';' | b',' | b'=' => {
                    self.pos += 1;
                    self.push(TokenKind::Punct(b), start, String::new());
                }
                b'.' if !self.peek(1).is_ascii_digit() => {
                    self.pos += 1;
                    self.push(TokenKind::Punct(b'.'), start, String::new());
                }
                b'0'..=b'9' | b'.' => self.number(start),
                b'+' | b'-' => {
                    let next = self.peek(1);
                    if next.is_ascii_digit() || next == b'.' || is_ident_start(next) {
                        self.pos += 1;
                        if is_ident_start(next) {
                            self.signed_word(start);
                        } else {
                            self.number(start);
                        }
                    } else {
                        self.pos += 1;
                        self.error(start, format!("unexpected character `{}`", b as char));
                    }
                }
                _ if is_ident_start(b) => {
                    while is_ident_char(self.peek(0)) {
                        self.pos += 1;
                    }
                    let text = self.slice(start);
                    self.push(TokenKind::Ident, start, text);
                }
                _ => {
                    // Skip one whole character so the error names it and the scan stays on
                    // a char boundary.
                    let ch = self.text.get(start..).and_then(|s| s.chars().next());
                    self.pos += ch.map_or(1, char::len_utf8);
                    let shown = ch.map_or_else(|| format!("byte 0x{b:02x}"), |c| format!("{c:?}"));
                    self.error(start, format!("unexpected character {shown}"));
                }
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: Span::new(self.file, end, end),
            text: String::new(),
        });
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
        let is_doc = self.peek_at(start + 2) == b'/' && self.peek_at(start + 3) != b'/';
        if is_doc {
            let text = self
                .text
                .get(start + 3..self.pos)
                .unwrap_or("")
                .trim_end_matches('\r')
                .to_string();
            self.push(TokenKind::Doc, start, text);
        }
    }

    fn peek_at(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        loop {
            if self.pos >= self.bytes.len() {
                self.pos = start + 2;
                self.error(start, "unterminated block comment".into());
                self.pos = self.bytes.len();
                return;
            }
            if self.peek(0) == b'*' && self.peek(1) == b'/' {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }

    /// A string quoted with `quote` (`"` or `'`: flatc takes either, and a string ends at the
    /// quote it began with).
    fn string(&mut self, quote: u8) {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(ch) = self.text.get(self.pos..).and_then(|s| s.chars().next()) else {
                self.pos = start + 1;
                self.error(start, "unterminated string".into());
                self.pos = self.bytes.len();
                return;
            };
            match ch {
                c if c == char::from(quote) => {
                    self.pos += 1;
                    break;
                }
                '\n' => {
                    self.error(start, "unterminated string".into());
                    break;
                }
                '\\' => {
                    let escape_start = self.pos;
                    self.pos += 1;
                    match self.escape() {
                        Some(c) => value.push(c),
                        None => self.error(escape_start, "invalid escape in string".into()),
                    }
                }
                c => {
                    self.pos += c.len_utf8();
                    value.push(c);
                }
            }
        }
        self.push(TokenKind::Str, start, value);
    }

    /// Decodes the escape after a backslash (JSON's set plus `\xNN`), advancing past it.
    fn escape(&mut self) -> Option<char> {
        let b = self.peek(0);
        self.pos += 1;
        Some(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'\'' => '\'',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'x' => return self.hex_digits(2).and_then(char::from_u32),
            b'u' => return self.hex_digits(4).and_then(char::from_u32),
            _ => {
                // Step back over a multi-byte character so the scan stays on a boundary.
                if !b.is_ascii() {
                    self.pos -= 1;
                    let ch = self.text.get(self.pos..).and_then(|s| s.chars().next());
                    self.pos += ch.map_or(1, char::len_utf8);
                }
                return None;
            }
        })
    }

    fn hex_digits(&mut self, count: usize) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + count)?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        self.pos += count;
        Some(value)
    }

    fn number(&mut self, start: usize) {
        let body = self.pos;
        let hex = self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X');
        let exponent = if hex { [b'p', b'P'] } else { [b'e', b'E'] };
        loop {
            let b = self.peek(0);
            if is_ident_char(b) || b == b'.' {
                self.pos += 1;
            } else if (b == b'+' || b == b'-') && self.pos > body {
                let prev = self.peek_at(self.pos - 1);
                if exponent.contains(&prev) {
                    self.pos += 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        let text = self.slice(start);
        self.push(TokenKind::Number, start, text);
    }

    /// A sign followed by a word: only `nan`, `inf` and `infinity` make a number.
    fn signed_word(&mut self, start: usize) {
        while is_ident_char(self.peek(0)) {
            self.pos += 1;
        }
        let text = self.slice(start);
        let word = text.get(1..).unwrap_or("");
        if matches!(word, "nan" | "inf" | "infinity") {
            self.push(TokenKind::Number, start, text);
        } else {
            self.error(start, format!("unexpected `{text}`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        let (tokens, errors) = tokenize(FileId(0), text);
        assert!(errors.is_empty(), "{errors:?}");
        tokens.into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn numbers_keep_signs_exponents_and_hex() {
        let tokens = kinds("-1 +inf 0x1F 1e-5 .5 -0x1p+3");
        let numbers: Vec<_> = tokens
            .iter()
            .filter(|(k, _)| *k == TokenKind::Number)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(numbers, ["-1", "+inf", "0x1F", "1e-5", ".5", "-0x1p+3"]);
    }

    #[test]
    fn doc_comments_are_tokens_and_other_comments_vanish() {
        let tokens = kinds("/// doc\n// plain\n//// not doc\n/* block */ table");
        assert_eq!(tokens[0], (TokenKind::Doc, " doc".into()));
        assert_eq!(tokens[1], (TokenKind::Ident, "table".into()));
    }

    #[test]
    fn strings_decode_escapes() {
        let tokens = kinds(r#""a\"b\u0041""#);
        assert_eq!(tokens[0], (TokenKind::Str, "a\"bA".into()));
    }

    #[test]
    fn single_quotes_make_strings_too_and_hold_double_quotes() {
        let tokens = kinds(r#"'one.fbs' 'say "hi"' "it's""#);
        assert_eq!(tokens[0], (TokenKind::Str, "one.fbs".into()));
        assert_eq!(tokens[1], (TokenKind::Str, "say \"hi\"".into()));
        assert_eq!(tokens[2], (TokenKind::Str, "it's".into()));
    }

    #[test]
    fn bad_characters_are_reported_and_skipped() {
        let (tokens, errors) = tokenize(FileId(0), "table @ T \u{e9}");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "unexpected character '@'");
        assert_eq!(tokens.len(), 3);
    }
}
