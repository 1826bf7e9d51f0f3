//! Properties over random schemas and values, drawn with `arbitrary` from a seeded generator:
//! a random value of a random schema encodes, verifies, reads back equal to the value, and
//! encodes again to the same bytes; and random single-byte changes and truncations of the
//! message fail verification or read without a panic.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::fmt::Write as _;

use arbitrary::{Arbitrary, Result as ArbResult, Unstructured};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader, Scalar, Value, encode, read_value, verify};
use weftbuf::schema::{
    BaseType, Compiler, DefaultValue, Presence, ScalarType, Schema, StructId, TableId, Type,
    UnionMemberType,
};

const CASES: u64 = 2_000;

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Kind {
    Bool,
    Byte,
    UByte,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    Float,
    Double,
}

impl Kind {
    fn name(self) -> &'static str {
        let scalar = match self {
            Kind::Bool => ScalarType::Bool,
            Kind::Byte => ScalarType::Byte,
            Kind::UByte => ScalarType::UByte,
            Kind::Short => ScalarType::Short,
            Kind::UShort => ScalarType::UShort,
            Kind::Int => ScalarType::Int,
            Kind::UInt => ScalarType::UInt,
            Kind::Long => ScalarType::Long,
            Kind::ULong => ScalarType::ULong,
            Kind::Float => ScalarType::Float,
            Kind::Double => ScalarType::Double,
        };
        scalar.name()
    }
}

#[derive(Debug, Arbitrary)]
enum FieldSpec {
    Scalar(Kind, i8),
    Optional(Kind),
    Text,
    Scalars(Kind),
    Texts,
    Struct(u8),
    Structs(u8),
    Table(u8),
    Tables(u8),
    Union,
    Unions,
}

#[derive(Debug)]
struct SchemaSpec {
    structs: Vec<Vec<Kind>>,
    tables: Vec<Vec<FieldSpec>>,
}

impl<'a> Arbitrary<'a> for SchemaSpec {
    // Counts are drawn explicitly: derived collections draw their lengths from the end of the
    // input and come out nearly always empty.
    fn arbitrary(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        let mut structs = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            let mut fields = Vec::new();
            for _ in 0..u.int_in_range(1..=5)? {
                fields.push(u.arbitrary()?);
            }
            structs.push(fields);
        }
        let mut tables = Vec::new();
        for _ in 0..u.int_in_range(1..=4)? {
            let mut fields = Vec::new();
            for _ in 0..u.int_in_range(0..=10)? {
                fields.push(u.arbitrary()?);
            }
            tables.push(fields);
        }
        Ok(SchemaSpec { structs, tables })
    }
}

/// Renders a spec as schema text (bounded sizes; at least one table).
fn render(spec: &SchemaSpec) -> String {
    let structs: Vec<&Vec<Kind>> = spec
        .structs
        .iter()
        .filter(|s| !s.is_empty())
        .take(3)
        .collect();
    let tables: Vec<&Vec<FieldSpec>> = spec.tables.iter().take(4).collect();
    let table_count = tables.len().max(1);
    let mut out = String::new();
    for (i, fields) in structs.iter().enumerate() {
        let _ = write!(out, "struct S{i} {{");
        for (j, k) in fields.iter().take(6).enumerate() {
            let _ = write!(out, " s{j}: {};", k.name());
        }
        // Nest the previous struct, so structs in structs are covered.
        if i > 0 {
            let _ = write!(out, " inner: S{};", i - 1);
        }
        out.push_str(" }\n");
    }
    let mut any_union = false;
    for i in 0..table_count {
        let _ = write!(out, "table T{i} {{");
        let fields = tables.get(i).map(|f| f.as_slice()).unwrap_or(&[]);
        for (j, f) in fields.iter().take(10).enumerate() {
            let struct_name =
                |n: u8| (!structs.is_empty()).then(|| format!("S{}", n as usize % structs.len()));
            let table_name = |n: u8| format!("T{}", n as usize % table_count);
            let ty = match f {
                FieldSpec::Scalar(k, d) => {
                    let default = match k {
                        Kind::Bool => (d % 2 != 0).to_string(),
                        Kind::UByte | Kind::UShort | Kind::UInt | Kind::ULong => {
                            d.unsigned_abs().to_string()
                        }
                        _ => d.to_string(),
                    };
                    format!("{} = {default}", k.name())
                }
                FieldSpec::Optional(k) => format!("{} = null", k.name()),
                FieldSpec::Text => "string".into(),
                FieldSpec::Scalars(k) => format!("[{}]", k.name()),
                FieldSpec::Texts => "[string]".into(),
                FieldSpec::Struct(n) => match struct_name(*n) {
                    Some(s) => s,
                    None => continue,
                },
                FieldSpec::Structs(n) => match struct_name(*n) {
                    Some(s) => format!("[{s}]"),
                    None => continue,
                },
                FieldSpec::Table(n) => table_name(*n),
                FieldSpec::Tables(n) => format!("[{}]", table_name(*n)),
                FieldSpec::Union => {
                    any_union = true;
                    "U".into()
                }
                FieldSpec::Unions => {
                    any_union = true;
                    "[U]".into()
                }
            };
            let _ = write!(out, " f{j}: {ty};");
        }
        out.push_str(" }\n");
    }
    if any_union {
        let mut members: Vec<String> = (0..table_count).map(|i| format!("T{i}")).collect();
        members.extend((0..structs.len()).map(|i| format!("S{i}")));
        members.push("Text: string".into());
        let _ = writeln!(out, "union U {{ {} }}", members.join(", "));
    }
    out.push_str("root_type T0;\n");
    out
}

fn not_nan(v: f64) -> f64 {
    if v.is_nan() { 0.0 } else { v }
}

fn scalar(u: &mut Unstructured<'_>, ty: ScalarType) -> ArbResult<Scalar> {
    Ok(match ty {
        ScalarType::Bool => Scalar::Bool(u.arbitrary()?),
        ScalarType::Byte => Scalar::Int(u.arbitrary::<i8>()?.into()),
        ScalarType::Short => Scalar::Int(u.arbitrary::<i16>()?.into()),
        ScalarType::Int => Scalar::Int(u.arbitrary::<i32>()?.into()),
        ScalarType::Long => Scalar::Int(u.arbitrary()?),
        ScalarType::UByte => Scalar::UInt(u.arbitrary::<u8>()?.into()),
        ScalarType::UShort => Scalar::UInt(u.arbitrary::<u16>()?.into()),
        ScalarType::UInt => Scalar::UInt(u.arbitrary::<u32>()?.into()),
        ScalarType::ULong => Scalar::UInt(u.arbitrary()?),
        // NaN never equals itself; the mutation and fuzz tests cover NaN payloads.
        ScalarType::Float => Scalar::Float(not_nan(f64::from(u.arbitrary::<f32>()?))),
        ScalarType::Double => Scalar::Float(not_nan(u.arbitrary::<f64>()?)),
    })
}

struct Gen<'s> {
    schema: &'s Schema,
}

impl Gen<'_> {
    fn structure(&self, u: &mut Unstructured<'_>, id: StructId) -> ArbResult<Value> {
        let def = self.schema.struct_def(id);
        let mut values = Vec::new();
        for f in &def.fields {
            values.push(match f.ty.base() {
                BaseType::Scalar(s) => Value::Scalar(scalar(u, s)?),
                BaseType::Struct(inner) => self.structure(u, inner)?,
                other => panic!("unexpected struct field {other:?}"),
            });
        }
        Ok(Value::Struct(values))
    }

    fn base(&self, u: &mut Unstructured<'_>, base: BaseType, depth: usize) -> ArbResult<Value> {
        Ok(match base {
            BaseType::Scalar(s) => Value::Scalar(scalar(u, s)?),
            BaseType::String => Value::String(u.arbitrary::<String>()?.chars().take(12).collect()),
            BaseType::Struct(id) => self.structure(u, id)?,
            BaseType::Table(id) => self.table(u, id, depth + 1)?,
            BaseType::Union(id) => {
                let union = self.schema.union_def(id);
                let member = &union.members[u.choose_index(union.members.len())?];
                let value = match member.ty {
                    UnionMemberType::Table(t) => self.table(u, t, depth + 1)?,
                    UnionMemberType::Struct(s) => self.structure(u, s)?,
                    UnionMemberType::String => {
                        Value::String(u.arbitrary::<String>()?.chars().take(8).collect())
                    }
                };
                Value::Union {
                    discriminant: member.value,
                    value: Box::new(value),
                }
            }
            BaseType::Enum(_) => Value::Scalar(Scalar::Int(0)),
        })
    }

    fn table(&self, u: &mut Unstructured<'_>, id: TableId, depth: usize) -> ArbResult<Value> {
        let def = self.schema.table_def(id);
        let mut fields = Vec::new();
        for f in &def.fields {
            let is_reference =
                !matches!(f.ty, Type::Base(BaseType::Scalar(_) | BaseType::Struct(_)));
            // Deep values stop at references; otherwise a field is given three times in four.
            if (depth >= 3 && is_reference) || u.ratio(1, 4)? {
                fields.push(None);
                continue;
            }
            let value = match f.ty {
                Type::Base(BaseType::Scalar(_))
                    if f.presence == Presence::Optional && u.arbitrary()? =>
                {
                    Value::Null
                }
                Type::Base(b) => self.base(u, b, depth)?,
                Type::Vector(b) => {
                    let n = u.int_in_range(0..=3)?;
                    (0..n)
                        .map(|_| self.base(u, b, depth + 1))
                        .collect::<ArbResult<_>>()
                        .map(Value::Vector)?
                }
                Type::Array(..) => unreachable!("tables hold no arrays"),
            };
            fields.push(Some(value));
        }
        Ok(Value::Table(fields))
    }
}

/// What a reader sees for `value` of `schema`'s table `id`: absent fields as their defaults
/// or null, floats at their stored precision.
fn normalize(schema: &Schema, id: TableId, value: &Value) -> Value {
    let Value::Table(fields) = value else {
        return value.clone();
    };
    let def = schema.table_def(id);
    Value::Table(
        def.fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let given = fields.get(i).cloned().flatten();
                Some(match (given, f.ty) {
                    (Some(v), ty) => normalize_value(schema, ty.base(), &v),
                    (None, Type::Base(BaseType::Scalar(s))) if f.presence != Presence::Optional => {
                        match f.default {
                            DefaultValue::Integer(d) => Value::Scalar(Scalar::from_i128(s, d)),
                            DefaultValue::Float(d) => Value::Scalar(Scalar::Float(stored(s, d))),
                            _ => Value::Null,
                        }
                    }
                    (None, _) => Value::Null,
                })
            })
            .collect(),
    )
}

fn stored(ty: ScalarType, v: f64) -> f64 {
    if ty == ScalarType::Float {
        f64::from(v as f32)
    } else {
        v
    }
}

fn normalize_value(schema: &Schema, base: BaseType, value: &Value) -> Value {
    match (value, base) {
        (Value::Scalar(Scalar::Float(v)), BaseType::Scalar(s)) => {
            Value::Scalar(Scalar::Float(stored(s, *v)))
        }
        (Value::Table(_), BaseType::Table(t)) => normalize(schema, t, value),
        (Value::Vector(items), _) => Value::Vector(
            items
                .iter()
                .map(|v| normalize_value(schema, base, v))
                .collect(),
        ),
        (
            Value::Union {
                discriminant,
                value,
            },
            BaseType::Union(u),
        ) => {
            let member = schema
                .union_def(u)
                .members
                .iter()
                .find(|m| m.value == *discriminant)
                .unwrap();
            let inner = match member.ty {
                UnionMemberType::Table(t) => normalize(schema, t, value),
                _ => (**value).clone(),
            };
            Value::Union {
                discriminant: *discriminant,
                value: Box::new(inner),
            }
        }
        _ => value.clone(),
    }
}

/// A small seeded generator for the bytes `arbitrary` draws from.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn random_values_of_random_schemas_round_trip() {
    let mut checked = 0;
    let mut mutants = 0;
    let mut fields: u64 = 0;
    let mut bytes_total: u64 = 0;
    for seed in 0..CASES {
        let data = noise(seed, 8192);
        let mut u = Unstructured::new(&data);
        let Ok(spec) = SchemaSpec::arbitrary(&mut u) else {
            continue;
        };
        let text = render(&spec);
        let schema = Compiler::new()
            .compile_source("random.fbs", &text)
            .unwrap_or_else(|d| {
                panic!("seed {seed}: rendered schema does not compile:\n{text}\n{d}")
            });
        let layout = Layout::new(&schema).unwrap_or_else(|d| panic!("seed {seed}: {d}"));
        let root = schema.root_table.unwrap();
        let Ok(value) = Gen { schema: &schema }.table(&mut u, root, 0) else {
            continue;
        };

        let bytes = encode(&schema, &layout, root, &value)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        let verified = verify(&schema, &layout, root, &bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("seed {seed}: encoder output does not verify: {e}\n{text}"));
        let read =
            read_value(&Reader::new(&schema, &layout, verified).root(root).unwrap()).unwrap();
        assert_eq!(
            read,
            normalize(&schema, root, &value),
            "seed {seed}: read back differs\n{text}"
        );
        let again = encode(&schema, &layout, root, &read).unwrap();
        assert_eq!(
            again, bytes,
            "seed {seed}: re-encoding what was read changed the bytes\n{text}"
        );
        checked += 1;
        fields += schema
            .tables
            .iter()
            .map(|t| t.fields.len() as u64)
            .sum::<u64>();
        bytes_total += bytes.len() as u64;

        for k in 0..32u64 {
            let noise = noise(seed * 1000 + k, 3);
            let mut mutant = bytes.clone();
            if k % 4 == 0 {
                mutant.truncate(usize::from(noise[0]) * mutant.len() / 256);
            } else {
                let at = (usize::from(noise[0]) << 8 | usize::from(noise[1])) % mutant.len();
                mutant[at] ^= noise[2].max(1);
            }
            if let Ok(v) = verify(&schema, &layout, root, &mutant, &Limits::default()) {
                read_value(&Reader::new(&schema, &layout, v).root(root).unwrap())
                    .expect("verified bytes read in full");
            }
            if let Ok(t) = Reader::unverified(&schema, &layout, &mutant).root(root) {
                let _ = read_value(&t);
            }
            mutants += 1;
        }
    }
    assert!(
        checked >= CASES * 3 / 4,
        "only {checked} of {CASES} cases ran"
    );
    assert!(mutants > 5_000);
    // Guard against a generator that draws empty schemas and values: the cases must be rich.
    assert!(
        fields > checked * 5,
        "only {fields} fields in {checked} schemas"
    );
    assert!(
        bytes_total > checked * 300,
        "only {bytes_total} bytes in {checked} messages"
    );
}
