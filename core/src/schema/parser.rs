//! Recursive-descent parser for the FlatBuffers schema language.
//!
//! The grammar has no unbounded nesting, so the parser never recurses: hostile input cannot
//! overflow the stack. After an error it skips to the end of the field or declaration and goes
//! on, so one run reports every error.

use super::ast::*;
use super::diag::MAX_DIAGNOSTICS;
use super::lexer::{Token, TokenKind, tokenize};
use super::model::ScalarType;
use super::source::{FileId, Span};

/// A syntax error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) span: Span,
    pub(crate) message: String,
}

type PResult<T> = Result<T, ParseError>;

/// Parses one file. Always returns what it could parse, with every error found.
pub(crate) fn parse(file: FileId, text: &str) -> (ParsedFile, Vec<ParseError>) {
    let (tokens, lex_errors) = tokenize(file, text);
    let mut parser = Parser {
        tokens,
        pos: 0,
        namespace: Vec::new(),
        lex_error_starts: lex_errors.iter().map(|e| e.span.start).collect(),
        syntax_errors: 0,
        errors: lex_errors
            .into_iter()
            .map(|e| ParseError {
                span: e.span,
                message: e.message,
            })
            .collect(),
    };
    let parsed = parser.file();
    // Lexical and syntax errors were found in two passes: merge them into source order, so
    // the diagnostics kept when there are too many are the first ones.
    let mut errors = parser.errors;
    errors.sort_by_key(|e| e.span.start);
    (parsed, errors)
}

/// Top-level keywords: where recovery may resume.
const DECL_KEYWORDS: &[&str] = &[
    "include",
    "native_include",
    "namespace",
    "attribute",
    "table",
    "struct",
    "enum",
    "union",
    "root_type",
    "file_identifier",
    "file_extension",
    "rpc_service",
];

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    namespace: Vec<String>,
    /// Where the lexer reported errors, in ascending order.
    lex_error_starts: Vec<u32>,
    /// Lexical errors first, then syntax errors as found.
    errors: Vec<ParseError>,
    /// How many syntax errors `errors` holds.
    syntax_errors: usize,
}

fn describe(token: &Token) -> String {
    match token.kind {
        TokenKind::Ident => format!("`{}`", token.text),
        TokenKind::Number => format!("number `{}`", token.text),
        TokenKind::Str => "a string".into(),
        TokenKind::Doc => "a doc comment".into(),
        TokenKind::Punct(p) => format!("`{}`", p as char),
        TokenKind::Eof => "end of file".into(),
    }
}

impl Parser {
    /// The current token, skipping doc comments that attach to nothing.
    fn peek(&mut self) -> &Token {
        while self.tokens.get(self.pos).map(|t| t.kind) == Some(TokenKind::Doc) {
            self.pos += 1;
        }
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.pos.min(last)]
    }

    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    fn at_punct(&mut self, p: u8) -> bool {
        self.peek().kind == TokenKind::Punct(p)
    }

    fn eat_punct(&mut self, p: u8) -> bool {
        let found = self.at_punct(p);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Records a syntax error, unless it merely follows from a lexical error just before it
    /// (the `}` after an unterminated string is no news).
    fn report(&mut self, error: ParseError) {
        let at = error.span.start;
        let before = self.tokens.partition_point(|t| t.span.start < at);
        let from = before
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(0, |t| t.span.start);
        let first_lex = self.lex_error_starts.partition_point(|&s| s < from);
        let follows_lex_error = self
            .lex_error_starts
            .get(first_lex)
            .is_some_and(|&s| s <= at);
        // As in the lexer, one more than is ever shown is enough to say the list was cut.
        if !follows_lex_error && self.syntax_errors <= MAX_DIAGNOSTICS {
            self.syntax_errors += 1;
            self.errors.push(error);
        }
    }

    /// The last token consumed that is not a doc comment.
    fn prev_token(&self) -> Option<&Token> {
        self.tokens
            .get(..self.pos.min(self.tokens.len()))?
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Doc)
    }

    fn error_here<T>(&mut self, expected: &str) -> PResult<T> {
        let token = self.peek().clone();
        Err(ParseError {
            span: token.span,
            message: format!("expected {expected}, found {}", describe(&token)),
        })
    }

    fn expect_punct(&mut self, p: u8) -> PResult<Span> {
        if self.at_punct(p) {
            return Ok(self.bump().span);
        }
        if p == b';' {
            // A missing `;` is missing right after the previous token, which is often on an
            // earlier line than the token found.
            let found = describe(&self.peek().clone());
            if let Some(prev) = self.prev_token() {
                let end = prev.span.end as usize;
                return Err(ParseError {
                    span: Span::new(prev.span.file, end, end),
                    message: format!("expected `;` after {}, found {found}", describe(prev)),
                });
            }
        }
        self.error_here(&format!("`{}`", p as char))
    }

    /// True at a declaration keyword that cannot start a field or method (the token after it
    /// is not `follow`): the body being parsed lacks its closing `}`.
    fn at_next_decl(&mut self, follow: u8) -> bool {
        let token = self.peek();
        if token.kind != TokenKind::Ident || !DECL_KEYWORDS.contains(&token.text.as_str()) {
            return false;
        }
        let next = self
            .tokens
            .get(self.pos + 1..)
            .unwrap_or_default()
            .iter()
            .find(|t| t.kind != TokenKind::Doc);
        next.is_some_and(|t| t.kind != TokenKind::Punct(follow))
    }

    /// The error for a body of `name` that ends (at a new declaration or the end of the file)
    /// without its `}`.
    fn unclosed(&mut self, name: &str) -> ParseError {
        let token = self.peek().clone();
        ParseError {
            span: token.span,
            message: format!(
                "expected `}}` to close `{name}`, found {}",
                describe(&token)
            ),
        }
    }

    fn expect_ident(&mut self, what: &str) -> PResult<(String, Span)> {
        if self.peek().kind == TokenKind::Ident {
            let t = self.bump();
            Ok((t.text, t.span))
        } else {
            self.error_here(what)
        }
    }

    fn expect_string(&mut self, what: &str) -> PResult<(String, Span)> {
        if self.peek().kind == TokenKind::Str {
            let t = self.bump();
            Ok((t.text, t.span))
        } else {
            self.error_here(what)
        }
    }

    /// Doc comment lines directly before the next item.
    fn docs(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(t) = self.tokens.get(self.pos) {
            if t.kind != TokenKind::Doc {
                break;
            }
            lines.push(t.text.clone());
            self.pos += 1;
        }
        lines
    }

    fn file(&mut self) -> ParsedFile {
        let mut parsed = ParsedFile::default();
        let mut seen_decl = false;
        loop {
            let doc = self.docs();
            let token = self.peek().clone();
            if token.kind == TokenKind::Eof {
                break;
            }
            let result = match (token.kind, token.text.as_str()) {
                (TokenKind::Ident, "include") => {
                    let include = self.include();
                    match include {
                        Ok(inc) if seen_decl => Err(ParseError {
                            span: token.span.to(inc.span),
                            message: "`include` must come before all declarations".into(),
                        }),
                        Ok(inc) => {
                            parsed.includes.push(inc);
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                (TokenKind::Ident, "native_include") => self.include().map(|inc| {
                    parsed.native_includes.push(inc);
                }),
                _ => {
                    seen_decl = true;
                    self.decl(&token, doc).map(|decl| {
                        if let Some(decl) = decl {
                            parsed.decls.push(decl);
                        }
                    })
                }
            };
            if let Err(e) = result {
                self.report(e);
                self.recover_top();
            }
        }
        parsed
    }

    fn include(&mut self) -> PResult<Include> {
        self.bump();
        let (path, span) = self.expect_string("a quoted file name")?;
        self.expect_punct(b';')?;
        Ok(Include { path, span })
    }

    fn decl(&mut self, token: &Token, doc: Vec<String>) -> PResult<Option<Decl>> {
        if token.kind != TokenKind::Ident {
            let message = if token.kind == TokenKind::Punct(b'{') {
                "expected a declaration, found `{` (JSON data does not belong in a schema)".into()
            } else {
                format!("expected a declaration, found {}", describe(token))
            };
            return Err(ParseError {
                span: token.span,
                message,
            });
        }
        Ok(Some(match token.text.as_str() {
            "namespace" => {
                self.bump();
                self.namespace = if self.at_punct(b';') {
                    Vec::new()
                } else {
                    self.path()?.parts
                };
                self.expect_punct(b';')?;
                return Ok(None);
            }
            "attribute" => {
                self.bump();
                let (name, span) = if self.peek().kind == TokenKind::Str {
                    self.bump_pair()
                } else {
                    self.expect_ident("an attribute name")?
                };
                self.expect_punct(b';')?;
                Decl::Attribute(name, span)
            }
            "table" => Decl::Object(self.object(ObjectKind::Table, doc)?),
            "struct" => Decl::Object(self.object(ObjectKind::Struct, doc)?),
            "enum" => Decl::Enum(self.enum_decl(doc)?),
            "union" => Decl::Union(self.union_decl(doc)?),
            "root_type" => {
                self.bump();
                let path = self.path()?;
                self.expect_punct(b';')?;
                Decl::RootType {
                    path,
                    namespace: self.namespace.clone(),
                }
            }
            "file_identifier" | "file_extension" => {
                self.bump();
                let (value, span) = self.expect_string("a quoted string")?;
                self.expect_punct(b';')?;
                if token.text == "file_identifier" {
                    Decl::FileIdentifier(value, span)
                } else {
                    Decl::FileExtension(value, span)
                }
            }
            "rpc_service" => Decl::Service(self.service(doc)?),
            other => {
                return Err(ParseError {
                    span: token.span,
                    message: format!(
                        "expected a declaration (table, struct, enum, union, namespace, \
                         rpc_service, ...), found `{other}`"
                    ),
                });
            }
        }))
    }

    fn bump_pair(&mut self) -> (String, Span) {
        let t = self.bump();
        (t.text, t.span)
    }

    fn path(&mut self) -> PResult<Path> {
        let (first, mut span) = self.expect_ident("a name")?;
        let mut parts = vec![first];
        while self.at_punct(b'.') {
            self.bump();
            let (part, part_span) = self.expect_ident("a name after `.`")?;
            parts.push(part);
            span = span.to(part_span);
        }
        Ok(Path { parts, span })
    }

    fn metadata(&mut self) -> PResult<Vec<AstAttr>> {
        let mut attrs = Vec::new();
        if !self.eat_punct(b'(') {
            return Ok(attrs);
        }
        if self.eat_punct(b')') {
            return Ok(attrs);
        }
        loop {
            let (name, span) = if self.peek().kind == TokenKind::Str {
                self.bump_pair()
            } else {
                self.expect_ident("an attribute name")?
            };
            let value = if self.eat_punct(b':') {
                Some(self.single_value()?)
            } else {
                None
            };
            attrs.push(AstAttr { name, span, value });
            if self.eat_punct(b')') {
                return Ok(attrs);
            }
            self.expect_punct(b',')?;
        }
    }

    /// A scalar, string, or (enum) name; `[]` only where `allow_list` says so.
    fn value(&mut self, allow_list: bool) -> PResult<AstValue> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Number => {
                self.bump();
                Ok(AstValue {
                    kind: AstValueKind::Number(token.text),
                    span: token.span,
                })
            }
            TokenKind::Str => {
                self.bump();
                Ok(AstValue {
                    kind: AstValueKind::Str(token.text),
                    span: token.span,
                })
            }
            TokenKind::Ident => {
                let path = self.path()?;
                Ok(AstValue {
                    kind: AstValueKind::Ident(path.dotted()),
                    span: path.span,
                })
            }
            TokenKind::Punct(b'[') if allow_list => {
                self.bump();
                let end = self.expect_punct(b']').map_err(|mut e| {
                    e.message = "only an empty vector `[]` can be a default".into();
                    e
                })?;
                Ok(AstValue {
                    kind: AstValueKind::EmptyList,
                    span: token.span.to(end),
                })
            }
            _ => self.error_here("a value"),
        }
    }

    fn single_value(&mut self) -> PResult<AstValue> {
        self.value(false)
    }

    fn ty(&mut self) -> PResult<AstType> {
        let start = self.peek().span;
        if !self.eat_punct(b'[') {
            let base = self.base()?;
            return Ok(AstType {
                span: start.to(self.prev_span()),
                kind: AstTypeKind::Base(base),
            });
        }
        if self.at_punct(b'[') {
            let span = self.peek().span;
            return Err(ParseError {
                span,
                message: "nested vector types are not supported (wrap the inner vector in a table)"
                    .into(),
            });
        }
        let base = self.base()?;
        let kind = if self.eat_punct(b':') {
            let len = self.single_value()?;
            AstTypeKind::Array(base, len)
        } else {
            AstTypeKind::Vector(base)
        };
        self.expect_punct(b']')?;
        Ok(AstType {
            kind,
            span: start.to(self.prev_span()),
        })
    }

    fn prev_span(&self) -> Span {
        self.tokens
            .get(self.pos.saturating_sub(1))
            .map_or(Span::new(FileId(0), 0, 0), |t| t.span)
    }

    fn base(&mut self) -> PResult<AstBase> {
        let path = self.path().map_err(|mut e| {
            e.message = e.message.replace("expected a name", "expected a type");
            e
        })?;
        if let [single] = path.parts.as_slice() {
            if single == "string" {
                return Ok(AstBase::String);
            }
            if let Some(scalar) = ScalarType::from_name(single) {
                return Ok(AstBase::Scalar(scalar));
            }
        }
        Ok(AstBase::Named(path))
    }

    fn object(&mut self, kind: ObjectKind, doc: Vec<String>) -> PResult<AstObject> {
        self.bump();
        let (name, span) = self.expect_ident("a type name")?;
        let attrs = self.metadata()?;
        self.expect_punct(b'{')?;
        let mut fields = Vec::new();
        loop {
            let doc = self.docs();
            if self.eat_punct(b'}') {
                break;
            }
            if self.peek().kind == TokenKind::Eof {
                return Err(self.unclosed(&name));
            }
            if self.at_next_decl(b':') {
                let e = self.unclosed(&name);
                self.report(e);
                break;
            }
            match self.field(doc) {
                Ok(field) => fields.push(field),
                Err(e) => {
                    self.report(e);
                    if !self.recover_field() {
                        break;
                    }
                }
            }
        }
        Ok(AstObject {
            kind,
            name,
            span,
            namespace: self.namespace.clone(),
            attrs,
            doc,
            fields,
        })
    }

    fn field(&mut self, doc: Vec<String>) -> PResult<AstField> {
        let (name, span) = self.expect_ident("a field name or `}`")?;
        self.expect_punct(b':')?;
        let ty = self.ty()?;
        let default = if self.eat_punct(b'=') {
            Some(self.value(true)?)
        } else {
            None
        };
        let attrs = self.metadata()?;
        self.expect_punct(b';')?;
        Ok(AstField {
            name,
            span,
            ty,
            default,
            attrs,
            doc,
        })
    }

    fn enum_decl(&mut self, doc: Vec<String>) -> PResult<AstEnum> {
        self.bump();
        let (name, span) = self.expect_ident("an enum name")?;
        let underlying = if self.eat_punct(b':') {
            Some(self.ty()?)
        } else {
            None
        };
        let attrs = self.metadata()?;
        self.expect_punct(b'{')?;
        let mut values = Vec::new();
        self.comma_list(|p, doc| {
            let (name, span) = p.expect_ident("an enum value name")?;
            let value = if p.eat_punct(b'=') {
                Some(p.single_value()?)
            } else {
                None
            };
            let attrs = p.metadata()?;
            values.push(AstEnumVal {
                name,
                span,
                value,
                attrs,
                doc,
            });
            Ok(())
        })?;
        Ok(AstEnum {
            name,
            span,
            namespace: self.namespace.clone(),
            underlying,
            attrs,
            doc,
            values,
        })
    }

    fn union_decl(&mut self, doc: Vec<String>) -> PResult<AstUnion> {
        self.bump();
        let (name, span) = self.expect_ident("a union name")?;
        // `union U : int { ... }`: the discriminant's type, as flatc allows.
        let underlying = if self.eat_punct(b':') {
            Some(self.ty()?)
        } else {
            None
        };
        let attrs = self.metadata()?;
        self.expect_punct(b'{')?;
        let mut members = Vec::new();
        self.comma_list(|p, doc| {
            let start = p.peek().span;
            let first = p.base()?;
            let (alias, ty) = match (&first, p.at_punct(b':')) {
                (AstBase::Named(path), true) if path.parts.len() == 1 => {
                    p.bump();
                    (Some((path.dotted(), path.span)), p.base()?)
                }
                _ => (None, first),
            };
            let value = if p.eat_punct(b'=') {
                Some(p.single_value()?)
            } else {
                None
            };
            let attrs = p.metadata()?;
            members.push(AstUnionMember {
                alias,
                ty,
                span: start.to(p.prev_span()),
                value,
                attrs,
                doc,
            });
            Ok(())
        })?;
        Ok(AstUnion {
            name,
            span,
            namespace: self.namespace.clone(),
            underlying,
            attrs,
            doc,
            members,
        })
    }

    /// `item, item, ... }` with an optional trailing comma; consumes the `}`.
    fn comma_list(
        &mut self,
        mut item: impl FnMut(&mut Self, Vec<String>) -> PResult<()>,
    ) -> PResult<()> {
        loop {
            let doc = self.docs();
            if self.eat_punct(b'}') {
                return Ok(());
            }
            item(self, doc)?;
            if self.eat_punct(b'}') {
                return Ok(());
            }
            if !self.eat_punct(b',') {
                return self.error_here("`,` or `}`");
            }
        }
    }

    fn service(&mut self, doc: Vec<String>) -> PResult<AstService> {
        self.bump();
        let (name, span) = self.expect_ident("a service name")?;
        let attrs = self.metadata()?;
        self.expect_punct(b'{')?;
        let mut methods = Vec::new();
        loop {
            let doc = self.docs();
            if self.eat_punct(b'}') {
                break;
            }
            if self.peek().kind == TokenKind::Eof {
                return Err(self.unclosed(&name));
            }
            if self.at_next_decl(b'(') {
                let e = self.unclosed(&name);
                self.report(e);
                break;
            }
            match self.method(doc) {
                Ok(method) => methods.push(method),
                Err(e) => {
                    self.report(e);
                    if !self.recover_field() {
                        break;
                    }
                }
            }
        }
        Ok(AstService {
            name,
            span,
            namespace: self.namespace.clone(),
            attrs,
            doc,
            methods,
        })
    }

    fn method(&mut self, doc: Vec<String>) -> PResult<AstMethod> {
        let (name, span) = self.expect_ident("a method name or `}`")?;
        self.expect_punct(b'(')?;
        let request = self.path()?;
        self.expect_punct(b')')?;
        self.expect_punct(b':')?;
        let response = self.path()?;
        let attrs = self.metadata()?;
        self.expect_punct(b';')?;
        Ok(AstMethod {
            name,
            span,
            request,
            response,
            attrs,
            doc,
        })
    }

    /// Skips to the end of a broken field (past its `;`). Returns false when it stopped at
    /// the body's `}` or the end of the file instead, which ends the body.
    fn recover_field(&mut self) -> bool {
        loop {
            let token = self.peek().clone();
            match token.kind {
                TokenKind::Eof => return false,
                TokenKind::Punct(b';') => {
                    self.bump();
                    return true;
                }
                TokenKind::Punct(b'}') => {
                    self.bump();
                    return false;
                }
                TokenKind::Ident if DECL_KEYWORDS.contains(&token.text.as_str()) => {
                    // A declaration keyword at the start of a line most likely begins the
                    // next declaration: the body's `}` is missing.
                    return false;
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// Skips past a broken declaration: to a `;` or a closing `}` at brace depth zero, or to
    /// the next declaration keyword at depth zero.
    fn recover_top(&mut self) {
        let mut depth: usize = 0;
        let start = self.pos;
        loop {
            let token = self.peek().clone();
            match token.kind {
                TokenKind::Eof => return,
                TokenKind::Punct(b'{') => depth += 1,
                TokenKind::Punct(b'}') => {
                    if depth <= 1 {
                        self.bump();
                        return;
                    }
                    depth -= 1;
                }
                TokenKind::Punct(b';') if depth == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::Ident
                    if depth == 0
                        && self.pos > start
                        && DECL_KEYWORDS.contains(&token.text.as_str()) =>
                {
                    return;
                }
                _ => {}
            }
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> ParsedFile {
        let (parsed, errors) = parse(FileId(0), text);
        assert!(errors.is_empty(), "{errors:?}");
        parsed
    }

    #[test]
    fn parses_tables_with_namespaces_and_docs() {
        let parsed = parse_ok(
            "namespace A.B;\n/// doc\ntable T (x) { /// f\n a: [int] = []; b: S = 3 (id: 1); }",
        );
        let Decl::Object(table) = &parsed.decls[0] else {
            panic!("not a table")
        };
        assert_eq!(table.namespace, ["A", "B"]);
        assert_eq!(table.doc, [" doc"]);
        assert_eq!(table.fields[0].doc, [" f"]);
        assert_eq!(table.fields[1].attrs[0].name, "id");
    }

    #[test]
    fn parses_unions_with_aliases_and_services() {
        let parsed = parse_ok(
            "union U { A, B: C.D, S: string }\nrpc_service S { M(A):B (streaming: \"server\"); }",
        );
        let Decl::Union(u) = &parsed.decls[0] else {
            panic!("not a union")
        };
        assert_eq!(u.members.len(), 3);
        assert_eq!(u.members[1].alias.as_ref().map(|a| a.0.as_str()), Some("B"));
        assert_eq!(u.members[2].ty, AstBase::String);
        assert!(matches!(&parsed.decls[1], Decl::Service(s) if s.methods.len() == 1));
        assert!(u.underlying.is_none());
    }

    #[test]
    fn parses_a_union_with_an_underlying_type() {
        let parsed = parse_ok("union ABC: int (a) { A = 555, B = 666 }");
        let Decl::Union(u) = &parsed.decls[0] else {
            panic!("not a union")
        };
        let underlying = u.underlying.as_ref().map(|t| &t.kind);
        assert_eq!(
            underlying,
            Some(&AstTypeKind::Base(AstBase::Scalar(ScalarType::Int)))
        );
        assert_eq!((u.attrs.len(), u.members.len()), (1, 2));
    }

    #[test]
    fn reports_every_error_and_recovers() {
        let (parsed, errors) = parse(
            FileId(0),
            "table A { x: ; y: int; }\ntable B { z int; }\nstruct C { w: int; }",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(parsed.decls.len(), 3);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!(
            "table T {{ a: {}int{}; }}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let (_, errors) = parse(FileId(0), &text);
        assert!(errors[0].message.contains("nested vector"));
        let text = "{".repeat(10_000);
        let (_, errors) = parse(FileId(0), &text);
        assert!(!errors.is_empty());
    }
}
