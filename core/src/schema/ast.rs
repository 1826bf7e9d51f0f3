//! The parsed, unresolved form of one schema file: names are still text.

use super::model::ScalarType;
use super::source::Span;

/// A possibly dotted name as written (`MyGame.Example.Monster`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    pub(crate) parts: Vec<String>,
    pub(crate) span: Span,
}

impl Path {
    pub(crate) fn dotted(&self) -> String {
        self.parts.join(".")
    }
}

/// The element type of a field, before names are resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AstBase {
    Scalar(ScalarType),
    String,
    Named(Path),
}

/// A field's type as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AstTypeKind {
    Base(AstBase),
    Vector(AstBase),
    Array(AstBase, AstValue),
}

/// A field's type with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstType {
    pub(crate) kind: AstTypeKind,
    pub(crate) span: Span,
}

/// A literal value as written: defaults, attribute values, enum values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AstValueKind {
    /// A number token's text (with sign, hex, exponent, or a signed nan/inf).
    Number(String),
    /// An identifier or dotted name: `true`, `nan`, an enum value name.
    Ident(String),
    /// A string literal, decoded.
    Str(String),
    /// `[]`, the only vector default.
    EmptyList,
}

/// A literal with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstValue {
    pub(crate) kind: AstValueKind,
    pub(crate) span: Span,
}

/// `name` or `name: value` inside `( ... )` metadata.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstAttr {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) value: Option<AstValue>,
}

/// A field of a table or struct.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstField {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) ty: AstType,
    pub(crate) default: Option<AstValue>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
}

/// `table` or `struct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Table,
    Struct,
}

/// A table or struct declaration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstObject {
    pub(crate) kind: ObjectKind,
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) namespace: Vec<String>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
    pub(crate) fields: Vec<AstField>,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstEnumVal {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) value: Option<AstValue>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
}

/// An enum declaration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstEnum {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) namespace: Vec<String>,
    pub(crate) underlying: Option<AstType>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
    pub(crate) values: Vec<AstEnumVal>,
}

/// One member of a union: `Type` or `Alias: Type`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstUnionMember {
    pub(crate) alias: Option<(String, Span)>,
    pub(crate) ty: AstBase,
    pub(crate) span: Span,
    pub(crate) value: Option<AstValue>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
}

/// A union declaration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstUnion {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) namespace: Vec<String>,
    /// `union U : T`: the discriminant's type (`ubyte` when not given).
    pub(crate) underlying: Option<AstType>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
    pub(crate) members: Vec<AstUnionMember>,
}

/// `Name(Request):Response (attrs);` in an `rpc_service`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstMethod {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) request: Path,
    pub(crate) response: Path,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
}

/// An `rpc_service` declaration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AstService {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) namespace: Vec<String>,
    pub(crate) attrs: Vec<AstAttr>,
    pub(crate) doc: Vec<String>,
    pub(crate) methods: Vec<AstMethod>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decl {
    Object(AstObject),
    Enum(AstEnum),
    Union(AstUnion),
    Service(AstService),
    RootType { path: Path, namespace: Vec<String> },
    FileIdentifier(String, Span),
    FileExtension(String, Span),
    Attribute(String, Span),
}

/// An `include` or `native_include` line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Include {
    pub(crate) path: String,
    pub(crate) span: Span,
}

/// Everything one file declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ParsedFile {
    pub(crate) includes: Vec<Include>,
    pub(crate) native_includes: Vec<Include>,
    pub(crate) decls: Vec<Decl>,
}
