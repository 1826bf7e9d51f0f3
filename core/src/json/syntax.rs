//! The JSON dialect flatc reads: standard JSON plus unquoted keys and words, `//` and `/* */`
//! comments, trailing commas, and `nan`/`inf` with optional signs. Positions are kept so
//! errors can say where.

/// How deeply arrays and objects may nest (flatc's limit as well).
pub const MAX_JSON_DEPTH: usize = 64;

/// A parsed JSON value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value.
    pub kind: JsonKind,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written (kept as text so 64-bit integers and floats both stay exact).
    Number(String),
    /// An unquoted word other than true/false/null, e.g. an enum value name or `nan`.
    Word(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in written order.
    Object(Vec<(String, Json)>),
}

/// A syntax error with its position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct JsonError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses one JSON value (surrounding whitespace and comments allowed).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        col: 1,
    };
    let value = p.value(0)?;
    p.skip_space()?;
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    /// The column of `pos`, kept as the parser moves: counting it from the line start on
    /// every call would make one long line quadratic.
    col: u32,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'+' || b == b'-'
}

impl Parser<'_> {
    fn col(&self) -> u32 {
        self.col
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            line: self.line,
            col: self.col(),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn advance(&mut self) {
        match self.peek() {
            Some(b'\n') => {
                self.line += 1;
                self.col = 1;
            }
            // A character's first byte moves the column; UTF-8 continuation bytes do not.
            Some(b) if b & 0xC0 != 0x80 => self.col += 1,
            _ => {}
        }
        self.pos += 1;
    }

    fn skip_space(&mut self) -> Result<(), JsonError> {
        loop {
            match (self.peek(), self.bytes.get(self.pos + 1)) {
                (Some(b' ' | b'\t' | b'\r' | b'\n'), _) => self.advance(),
                (Some(b'/'), Some(b'/')) => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.advance();
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    let start = self.error("unterminated comment");
                    self.advance();
                    self.advance();
                    loop {
                        match (self.peek(), self.bytes.get(self.pos + 1)) {
                            (None, _) => return Err(start),
                            (Some(b'*'), Some(b'/')) => {
                                self.advance();
                                self.advance();
                                break;
                            }
                            _ => self.advance(),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_space()?;
        let (line, col) = (self.line, self.col());
        let at = |kind| Json { kind, line, col };
        match self.peek() {
            None => Err(self.error("expected a value, found the end of the input")),
            Some(b'{') | Some(b'[') if depth >= MAX_JSON_DEPTH => {
                Err(self.error(format!("nested deeper than {MAX_JSON_DEPTH} levels")))
            }
            Some(b'{') => {
                self.advance();
                let mut members = Vec::new();
                loop {
                    self.skip_space()?;
                    if self.peek() == Some(b'}') {
                        self.advance();
                        return Ok(at(JsonKind::Object(members)));
                    }
                    let key = match self.peek() {
                        Some(b'"') => self.string()?,
                        Some(b) if is_word(b) => self.word(),
                        _ => return Err(self.error("expected a field name or `}`")),
                    };
                    self.skip_space()?;
                    if self.peek() != Some(b':') {
                        return Err(self.error(format!("expected `:` after `{key}`")));
                    }
                    self.advance();
                    let value = self.value(depth + 1)?;
                    members.push((key, value));
                    self.skip_space()?;
                    match self.peek() {
                        Some(b',') => self.advance(),
                        Some(b'}') => {}
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(b'[') => {
                self.advance();
                let mut items = Vec::new();
                loop {
                    self.skip_space()?;
                    if self.peek() == Some(b']') {
                        self.advance();
                        return Ok(at(JsonKind::Array(items)));
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_space()?;
                    match self.peek() {
                        Some(b',') => self.advance(),
                        Some(b']') => {}
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => Ok(at(JsonKind::String(self.string()?))),
            Some(b) if is_word(b) => {
                let word = self.word();
                let starts_numeric = word
                    .trim_start_matches(['+', '-'])
                    .starts_with(|c: char| c.is_ascii_digit() || c == '.');
                Ok(at(match word.as_str() {
                    "null" => JsonKind::Null,
                    "true" => JsonKind::Bool(true),
                    "false" => JsonKind::Bool(false),
                    _ if starts_numeric => JsonKind::Number(word),
                    _ => JsonKind::Word(word),
                }))
            }
            Some(_) => {
                let ch = self
                    .text
                    .get(self.pos..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                Err(self.error(format!("unexpected character {ch:?}")))
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_word) {
            self.advance();
        }
        self.text.get(start..self.pos).unwrap_or("").to_string()
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.error("unterminated string");
        self.advance();
        let mut out = String::new();
        loop {
            let Some(ch) = self.text.get(self.pos..).and_then(|s| s.chars().next()) else {
                return Err(start);
            };
            match ch {
                '"' => {
                    self.advance();
                    return Ok(out);
                }
                '\\' => {
                    self.advance();
                    let escape = self.peek().ok_or_else(|| start.clone())?;
                    self.advance();
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        b'x' => {
                            let code = self.hex(2)?;
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.error("invalid \\x escape"))?,
                            );
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    }
                }
                c => {
                    for _ in 0..c.len_utf8() {
                        self.advance();
                    }
                    out.push(c);
                }
            }
        }
    }

    fn hex(&mut self, digits: usize) -> Result<u32, JsonError> {
        let text = self
            .text
            .get(self.pos..self.pos + digits)
            .ok_or_else(|| self.error("truncated escape"))?;
        // `from_str_radix` would also take a leading `+`.
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("invalid hex digits in escape"));
        }
        let value = u32::from_str_radix(text, 16)
            .map_err(|_| self.error("invalid hex digits in escape"))?;
        for _ in 0..digits {
            self.advance();
        }
        Ok(value)
    }

    /// `\uXXXX`, combining a surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex(4)?;
        if (0xD800..0xDC00).contains(&first)
            && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
        {
            self.advance();
            self.advance();
            let second = self.hex(4)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("a high surrogate must be followed by a low one"));
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            return char::from_u32(combined).ok_or_else(|| self.error("invalid surrogate pair"));
        }
        char::from_u32(first).ok_or_else(|| self.error("invalid \\u escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flatc_style_json() {
        let json = parse("{\n  // comment\n  a: 1, \"b\": [nan, -inf, 2.5e3,], c: Green, d: \"x\\u00e9\" /* c */,\n}")
            .unwrap();
        let JsonKind::Object(members) = json.kind else {
            panic!("not an object")
        };
        assert_eq!(members.len(), 4);
        assert_eq!(members[0].1.kind, JsonKind::Number("1".into()));
        assert_eq!(members[2].1.kind, JsonKind::Word("Green".into()));
        assert_eq!(members[3].1.kind, JsonKind::String("x\u{e9}".into()));
        let JsonKind::Array(items) = &members[1].1.kind else {
            panic!("not an array")
        };
        assert_eq!(items[1].kind, JsonKind::Word("-inf".into()));
        assert_eq!((members[1].1.line, members[1].1.col), (3, 14));
    }

    #[test]
    fn errors_have_positions_and_depth_is_bounded() {
        let err = parse("{ a: 1,\n  b: }").unwrap_err();
        assert_eq!((err.line, err.col), (2, 6));
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        assert!(parse("\"abc").is_err());
        assert!(parse("1 2").is_err());
    }
}
