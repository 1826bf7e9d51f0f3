//! The resolved schema: every name bound, every value checked.

use serde::Serialize;

use super::source::{SourceMap, Span};

/// A scalar type of the schema language. Aliases (`int32`, `float64`, ...) map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScalarType {
    /// `bool`: one byte, 0 or 1.
    Bool,
    /// `byte`, `int8`.
    Byte,
    /// `ubyte`, `uint8`.
    UByte,
    /// `short`, `int16`.
    Short,
    /// `ushort`, `uint16`.
    UShort,
    /// `int`, `int32`.
    Int,
    /// `uint`, `uint32`.
    UInt,
    /// `long`, `int64`.
    Long,
    /// `ulong`, `uint64`.
    ULong,
    /// `float`, `float32`.
    Float,
    /// `double`, `float64`.
    Double,
}

impl ScalarType {
    /// The type a name denotes, accepting flatc's aliases.
    pub fn from_name(name: &str) -> Option<ScalarType> {
        use ScalarType::*;
        Some(match name {
            "bool" => Bool,
            "byte" | "int8" => Byte,
            "ubyte" | "uint8" => UByte,
            "short" | "int16" => Short,
            "ushort" | "uint16" => UShort,
            "int" | "int32" => Int,
            "uint" | "uint32" => UInt,
            "long" | "int64" => Long,
            "ulong" | "uint64" => ULong,
            "float" | "float32" => Float,
            "double" | "float64" => Double,
            _ => return None,
        })
    }

    /// The canonical name (the one flatc prints).
    pub fn name(self) -> &'static str {
        use ScalarType::*;
        match self {
            Bool => "bool",
            Byte => "byte",
            UByte => "ubyte",
            Short => "short",
            UShort => "ushort",
            Int => "int",
            UInt => "uint",
            Long => "long",
            ULong => "ulong",
            Float => "float",
            Double => "double",
        }
    }

    /// How `docs/layout.md` and annotations write it (`i32`, `f32`): by signedness and width,
    /// whatever the language. Code generators spell types with their own rules.
    pub fn layout_name(self) -> &'static str {
        use ScalarType::*;
        match self {
            Bool => "bool",
            Byte => "i8",
            UByte => "u8",
            Short => "i16",
            UShort => "u16",
            Int => "i32",
            UInt => "u32",
            Long => "i64",
            ULong => "u64",
            Float => "f32",
            Double => "f64",
        }
    }

    /// Size in bytes, which is also the alignment.
    pub fn size(self) -> u32 {
        use ScalarType::*;
        match self {
            Bool | Byte | UByte => 1,
            Short | UShort => 2,
            Int | UInt | Float => 4,
            Long | ULong | Double => 8,
        }
    }

    /// True for the eight integer types (not `bool`, not floats).
    pub fn is_integer(self) -> bool {
        !matches!(
            self,
            ScalarType::Bool | ScalarType::Float | ScalarType::Double
        )
    }

    /// True for `float` and `double`.
    pub fn is_float(self) -> bool {
        matches!(self, ScalarType::Float | ScalarType::Double)
    }

    /// True for unsigned integers.
    pub fn is_unsigned(self) -> bool {
        use ScalarType::*;
        matches!(self, UByte | UShort | UInt | ULong)
    }

    /// The integer whose bits, in this type, are `bits` (zero-extended): `0xff` in a `byte` is
    /// -1.
    pub fn value_of_bits(self, bits: u64) -> i128 {
        if self.is_unsigned() || !self.is_integer() {
            return i128::from(bits);
        }
        let shift = 64 - self.size() * 8;
        i128::from(((bits << shift) as i64) >> shift)
    }

    /// The bits of integer `value` in this type, read back unsigned: `-1` in a `byte` is 255.
    pub fn unsigned_bits(self, value: i128) -> u64 {
        let bits = self.size() * 8;
        (value as u64) & (u64::MAX >> (64 - bits))
    }

    /// The inclusive value range of an integer type (`bool` is 0..=1).
    pub fn int_range(self) -> (i128, i128) {
        use ScalarType::*;
        match self {
            Bool => (0, 1),
            Byte => (i8::MIN.into(), i8::MAX.into()),
            UByte => (0, u8::MAX.into()),
            Short => (i16::MIN.into(), i16::MAX.into()),
            UShort => (0, u16::MAX.into()),
            Int => (i32::MIN.into(), i32::MAX.into()),
            UInt => (0, u32::MAX.into()),
            Long => (i64::MIN.into(), i64::MAX.into()),
            ULong | Float | Double => (0, u64::MAX.into()),
        }
    }
}

/// Index of an enum in [`Schema::enums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EnumId(pub u32);
/// Index of a union in [`Schema::unions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct UnionId(pub u32);
/// Index of a struct in [`Schema::structs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StructId(pub u32);
/// Index of a table in [`Schema::tables`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TableId(pub u32);

/// A type a field or element can have, before vector or array wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// A scalar.
    Scalar(ScalarType),
    /// An enum, stored as its underlying integer.
    Enum(EnumId),
    /// A UTF-8 string.
    String,
    /// An inline struct.
    Struct(StructId),
    /// A reference to a table.
    Table(TableId),
    /// A union: a discriminant and a reference.
    Union(UnionId),
}

/// The type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// A single value.
    Base(BaseType),
    /// A vector `[T]`.
    Vector(BaseType),
    /// A fixed-length array `[T:N]` (structs only).
    Array(BaseType, u32),
}

impl Type {
    /// The base type, unwrapping vectors and arrays.
    pub fn base(self) -> BaseType {
        match self {
            Type::Base(b) | Type::Vector(b) | Type::Array(b, _) => b,
        }
    }
}

/// An attribute attached to a declaration, field or value.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its value as written, when it has one (strings decoded, numbers as text).
    pub value: Option<String>,
    /// Where it was written: its name, through its value when it has one.
    pub span: Span,
}

/// Looks up an attribute by name.
pub fn find_attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name == name)
}

/// A fully qualified name, split into namespace and local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct QualifiedName {
    /// Namespace components, outermost first.
    pub namespace: Vec<String>,
    /// The type's own name.
    pub name: String,
}

impl QualifiedName {
    /// `Namespace.Parts.Name`.
    pub fn dotted(&self) -> String {
        let mut out = self.namespace.join(".");
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&self.name);
        out
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dotted())
    }
}

/// What every named definition carries.
#[derive(Debug, Clone, PartialEq)]
pub struct DefInfo {
    /// Qualified name.
    pub name: QualifiedName,
    /// `///` comment lines, without the slashes.
    pub doc: Vec<String>,
    /// Attributes in written order.
    pub attrs: Vec<Attribute>,
    /// Where the name was declared.
    pub span: Span,
}

/// One enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// Its name.
    pub name: String,
    /// Its value (for `bit_flags` enums, the flag's bit mask, not its position).
    pub value: i128,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Attributes (`deprecated`, ...).
    pub attrs: Vec<Attribute>,
    /// Where it was declared.
    pub span: Span,
}

/// An enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Name, docs, attributes, position.
    pub info: DefInfo,
    /// The integer type values are stored as.
    pub underlying: ScalarType,
    /// Values are flags that combine with bitwise or.
    pub bit_flags: bool,
    /// Values in ascending order of value (they may be declared in any order; flatc sorts too).
    pub values: Vec<EnumValue>,
}

impl EnumDef {
    /// The value named `name`.
    pub fn value_named(&self, name: &str) -> Option<&EnumValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// How `raw` is written by name: the name of the value that equals it, or for a
    /// `bit_flags` enum the space-separated names of the flags it is made of (`"Red Blue"`);
    /// `None` when no names make it up (an unknown value, or 0 without a value named 0).
    pub fn names_of(&self, raw: i128) -> Option<String> {
        if let Some(v) = self.values.iter().find(|v| v.value == raw) {
            return Some(v.name.clone());
        }
        if !self.bit_flags || raw <= 0 {
            return None;
        }
        let flags: Vec<&EnumValue> = self
            .values
            .iter()
            .filter(|v| v.value != 0 && raw & v.value == v.value)
            .collect();
        let covered = flags.iter().fold(0, |all, v| all | v.value);
        (covered == raw).then(|| {
            flags
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// What a union member refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnionMemberType {
    /// A table.
    Table(TableId),
    /// A struct, stored boxed in its own object.
    Struct(StructId),
    /// A string.
    String,
}

/// One member of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionMember {
    /// The member's name: its alias, or the type's name with `.` replaced by `_`.
    pub name: String,
    /// The discriminant value: never 0 (NONE), and within the union's underlying type, whose
    /// bytes it is read unsigned (a `byte` union's `-1` is 255).
    pub value: u64,
    /// What the member refers to.
    pub ty: UnionMemberType,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Attributes.
    pub attrs: Vec<Attribute>,
    /// Where it was declared.
    pub span: Span,
}

/// A union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    /// Name, docs, attributes, position.
    pub info: DefInfo,
    /// The discriminant's type: `ubyte`, or the integer type of `union U : T`.
    pub underlying: ScalarType,
    /// Members in ascending order of discriminant (as flatc sorts them), NONE not included.
    pub members: Vec<UnionMember>,
}

/// A field of a struct: fixed size, no header.
#[derive(Debug, Clone, PartialEq)]
pub struct StructField {
    /// Its name.
    pub name: String,
    /// A scalar, enum, struct, or fixed array of those.
    pub ty: Type,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Attributes.
    pub attrs: Vec<Attribute>,
    /// Where it was declared.
    pub span: Span,
}

/// A struct: fixed layout, stored inline.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Name, docs, attributes, position.
    pub info: DefInfo,
    /// Fields in declared order (which is also layout order).
    pub fields: Vec<StructField>,
    /// The `force_align` attribute, when given.
    pub force_align: Option<u32>,
}

/// A scalar or string default.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "DefaultJson")]
pub enum DefaultValue {
    /// No default: references default to absent (null).
    None,
    /// An integer (also enums and bools as 0/1).
    Integer(i128),
    /// A floating-point number (also nan and infinities).
    Float(f64),
    /// A string default.
    String(String),
    /// `[]`: an empty vector.
    EmptyVector,
}

/// A default as JSON: integers and finite floats as numbers, `nan`/`inf`/`-inf` as strings
/// (JSON has no such numbers), an empty vector as `[]`, no default as `null`.
#[derive(Serialize)]
#[serde(untagged)]
enum DefaultJson {
    Null(Option<()>),
    Integer(i128),
    Float(f64),
    Text(String),
    List([(); 0]),
}

impl From<DefaultValue> for DefaultJson {
    fn from(value: DefaultValue) -> Self {
        match value {
            DefaultValue::None => DefaultJson::Null(None),
            DefaultValue::Integer(v) => DefaultJson::Integer(v),
            DefaultValue::Float(v) if v.is_nan() => DefaultJson::Text("nan".into()),
            DefaultValue::Float(v) if v.is_infinite() => {
                DefaultJson::Text(if v > 0.0 { "inf" } else { "-inf" }.into())
            }
            DefaultValue::Float(v) => DefaultJson::Float(v),
            DefaultValue::String(s) => DefaultJson::Text(s),
            DefaultValue::EmptyVector => DefaultJson::List([]),
        }
    }
}

/// How a table field's absence is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// A scalar with a default, or a reference that may be null.
    Default,
    /// `= null`: a scalar that may be absent.
    Optional,
    /// `(required)`: a reference that must be set.
    Required,
}

/// A field of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableField {
    /// Its name.
    pub name: String,
    /// Its id: explicit, or assigned in declared order. A union (or vector of unions) has
    /// the id of its value; its discriminant has `id - 1`.
    pub id: u32,
    /// Its type.
    pub ty: Type,
    /// Its default value.
    pub default: DefaultValue,
    /// How absence is treated.
    pub presence: Presence,
    /// `(deprecated)`: keeps its slot, but readers and builders ignore it.
    pub deprecated: bool,
    /// `(key)`: the field vectors of this table sort by.
    pub key: bool,
    /// The root table of a `nested_flatbuffer` field's nested messages.
    pub nested_flatbuffer: Option<TableId>,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Attributes.
    pub attrs: Vec<Attribute>,
    /// Where it was declared.
    pub span: Span,
}

/// A table: an object with a header, evolvable by appending fields.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    /// Name, docs, attributes, position.
    pub info: DefInfo,
    /// Fields in id order.
    pub fields: Vec<TableField>,
}

/// How an RPC method streams (the runtime's, so a generated descriptor carries it as is).
pub use weftbuf_rt::Streaming;

/// One method of an `rpc_service`.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// Its name.
    pub name: String,
    /// The request table.
    pub request: TableId,
    /// The response table.
    pub response: TableId,
    /// From the `streaming` attribute.
    pub streaming: Streaming,
    /// From the `idempotent` attribute: safe to retry.
    pub idempotent: bool,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Attributes.
    pub attrs: Vec<Attribute>,
    /// Where it was declared.
    pub span: Span,
}

/// An `rpc_service`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDef {
    /// Name, docs, attributes, position.
    pub info: DefInfo,
    /// Methods in declared order.
    pub methods: Vec<Method>,
}

/// A compiled schema: the files it came from and every definition, resolved.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Every file read, the root first.
    pub sources: SourceMap,
    /// Enums in declaration order (included files first).
    pub enums: Vec<EnumDef>,
    /// Unions.
    pub unions: Vec<UnionDef>,
    /// Structs.
    pub structs: Vec<StructDef>,
    /// Tables.
    pub tables: Vec<TableDef>,
    /// Services.
    pub services: Vec<ServiceDef>,
    /// The `root_type` (the last one declared, as in flatc).
    pub root_table: Option<TableId>,
    /// The `file_identifier`: exactly four bytes.
    pub file_identifier: Option<[u8; 4]>,
    /// The `file_extension`.
    pub file_extension: Option<String>,
    /// Attributes declared with `attribute "name";`.
    pub declared_attributes: Vec<String>,
    /// `native_include` paths, kept for code generators.
    pub native_includes: Vec<String>,
}

impl Schema {
    /// The enum behind `id`.
    pub fn enum_def(&self, id: EnumId) -> &EnumDef {
        &self.enums[id.0 as usize]
    }
    /// The union behind `id`.
    pub fn union_def(&self, id: UnionId) -> &UnionDef {
        &self.unions[id.0 as usize]
    }
    /// The struct behind `id`.
    pub fn struct_def(&self, id: StructId) -> &StructDef {
        &self.structs[id.0 as usize]
    }
    /// The table behind `id`.
    pub fn table_def(&self, id: TableId) -> &TableDef {
        &self.tables[id.0 as usize]
    }

    /// Finds a table, struct, enum or union by its fully qualified name.
    pub fn find_type(&self, dotted: &str) -> Option<NamedType> {
        let matches = |info: &DefInfo| info.name.dotted() == dotted;
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(i) = self.tables.iter().position(|t| matches(&t.info)) {
            return Some(NamedType::Table(TableId(index(i))));
        }
        if let Some(i) = self.structs.iter().position(|t| matches(&t.info)) {
            return Some(NamedType::Struct(StructId(index(i))));
        }
        if let Some(i) = self.enums.iter().position(|t| matches(&t.info)) {
            return Some(NamedType::Enum(EnumId(index(i))));
        }
        if let Some(i) = self.unions.iter().position(|t| matches(&t.info)) {
            return Some(NamedType::Union(UnionId(index(i))));
        }
        None
    }

    /// The readable name of a type, as a schema would write it (`[MyGame.Example.Vec3]`).
    pub fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Base(b) => self.base_type_name(b),
            Type::Vector(b) => format!("[{}]", self.base_type_name(b)),
            Type::Array(b, n) => format!("[{}:{n}]", self.base_type_name(b)),
        }
    }

    /// The readable name of a base type.
    pub fn base_type_name(&self, base: BaseType) -> String {
        match base {
            BaseType::Scalar(s) => s.name().to_string(),
            BaseType::String => "string".into(),
            BaseType::Enum(id) => self.enum_def(id).info.name.dotted(),
            BaseType::Struct(id) => self.struct_def(id).info.name.dotted(),
            BaseType::Table(id) => self.table_def(id).info.name.dotted(),
            BaseType::Union(id) => self.union_def(id).info.name.dotted(),
        }
    }
}

/// A named type found by [`Schema::find_type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedType {
    /// A table.
    Table(TableId),
    /// A struct.
    Struct(StructId),
    /// An enum.
    Enum(EnumId),
    /// A union.
    Union(UnionId),
}
