//! Enums and unions.

use std::collections::{HashMap, HashSet};

use super::super::ast::{AstBase, AstEnum, AstType, AstTypeKind, AstUnion, AstValue, AstValueKind};
use super::super::model::*;
use super::{Number, Resolver, Symbol, parse_number};

impl Resolver<'_> {
    pub(super) fn enum_def(&mut self, ast: &AstEnum) -> EnumDef {
        let info = self.info(&ast.namespace, &ast.name, &ast.doc, &ast.attrs, ast.span);
        let underlying = match &ast.underlying {
            None => {
                self.error(
                    ast.span,
                    format!(
                        "enum `{}` needs an underlying integer type, e.g. `enum {} : byte {{ ... }}`",
                        ast.name, ast.name
                    ),
                );
                ScalarType::Int
            }
            Some(ty) => self.integer_type(ty, "an enum").unwrap_or(ScalarType::Int),
        };
        let bit_flags = find_attr(&info.attrs, "bit_flags").is_some();
        // An enum with no values is valid, as flatc has it: its fields hold 0 (and values a
        // newer schema adds).
        let bits = i128::from(underlying.size() * 8);
        let (min, max) = underlying.int_range();
        let mut values: Vec<EnumValue> = Vec::with_capacity(ast.values.len());
        let mut names = HashSet::new();
        // Values may be declared in any order (flatc sorts them), but each only once.
        let mut by_value: HashMap<i128, &str> = HashMap::new();
        let mut next: i128 = 0;
        for v in &ast.values {
            if !names.insert(v.name.as_str()) {
                self.error(v.span, format!("enum value `{}` is declared twice", v.name));
            }
            let written = match &v.value {
                None => next,
                Some(value) => self.integer(value, "an enum value").unwrap_or(next),
            };
            next = written.saturating_add(1);
            let value = if bit_flags {
                if !(0..bits).contains(&written) {
                    self.error(
                        v.span,
                        format!(
                            "bit flag `{}` is bit {written}, outside the {bits} bits of `{}`",
                            v.name,
                            underlying.name()
                        ),
                    );
                    None
                } else if written == bits - 1 && !underlying.is_unsigned() {
                    // flatc's rule: a signed bit_flags enum is allowed (with a warning) as
                    // long as no flag is the sign bit.
                    self.error(
                        v.span,
                        format!(
                            "bit flag `{}` is bit {written}, the sign bit of `{}`; a `bit_flags` \
                             enum that uses its top bit needs an unsigned underlying type",
                            v.name,
                            underlying.name()
                        ),
                    );
                    None
                } else {
                    Some(1i128 << written)
                }
            } else if !(min..=max).contains(&written) {
                self.error(
                    v.span,
                    format!(
                        "enum value `{}` = {written} does not fit in `{}` ({min} to {max})",
                        v.name,
                        underlying.name()
                    ),
                );
                None
            } else {
                Some(written)
            };
            if let Some(value) = value
                && let Some(other) = by_value.insert(value, v.name.as_str())
            {
                self.error(
                    v.span,
                    format!(
                        "enum values must be unique: `{}` and `{other}` are both {value}",
                        v.name
                    ),
                );
            }
            let value = value.unwrap_or(written);
            let attrs = self.attrs(&v.attrs);
            values.push(EnumValue {
                name: v.name.clone(),
                value,
                doc: v.doc.clone(),
                attrs,
                span: v.span,
            });
        }
        values.sort_by_key(|v| v.value);
        EnumDef {
            info,
            underlying,
            bit_flags,
            values,
        }
    }

    /// The integer type `ty` names as the underlying type of `what` (`an enum`, `a union`);
    /// an error and `None` for any other type.
    fn integer_type(&mut self, ty: &AstType, what: &str) -> Option<ScalarType> {
        match &ty.kind {
            AstTypeKind::Base(AstBase::Scalar(s)) if s.is_integer() => Some(*s),
            _ => {
                self.error(
                    ty.span,
                    format!(
                        "the underlying type of {what} must be an integer type (byte, ubyte, \
                         short, ushort, int, uint, long, ulong)"
                    ),
                );
                None
            }
        }
    }

    /// An integer literal, with an error naming `what` when the value is anything else.
    pub(super) fn integer(&mut self, value: &AstValue, what: &str) -> Option<i128> {
        match &value.kind {
            AstValueKind::Number(text) => match parse_number(text) {
                Some(Number::Int(v)) => Some(v),
                _ => {
                    self.error(
                        value.span,
                        format!("{what} must be an integer, not `{text}`"),
                    );
                    None
                }
            },
            _ => {
                self.error(value.span, format!("{what} must be an integer"));
                None
            }
        }
    }

    pub(super) fn union_def(&mut self, ast: &AstUnion) -> UnionDef {
        let info = self.info(&ast.namespace, &ast.name, &ast.doc, &ast.attrs, ast.span);
        let underlying = match &ast.underlying {
            None => ScalarType::UByte,
            Some(ty) => self
                .integer_type(ty, "a union")
                .unwrap_or(ScalarType::UByte),
        };
        let (min, max) = underlying.int_range();
        let mut members = Vec::with_capacity(ast.members.len());
        let mut names = HashSet::new();
        let mut next: i128 = 1;
        // Like enum values, discriminants may come in any order but each only once.
        let mut by_value: HashMap<i128, String> = HashMap::new();
        for m in &ast.members {
            let ty = match &m.ty {
                AstBase::String => Some(UnionMemberType::String),
                AstBase::Scalar(s) => {
                    self.error(
                        m.span,
                        format!(
                            "a union member must be a table, struct or string, not `{}`",
                            s.name()
                        ),
                    );
                    None
                }
                AstBase::Named(path) => match self.lookup(path, &ast.namespace) {
                    Some(Symbol::Table(id)) => Some(UnionMemberType::Table(id)),
                    Some(Symbol::Struct(id)) => Some(UnionMemberType::Struct(id)),
                    Some(other) => {
                        self.error(
                            path.span,
                            format!(
                                "a union member must be a table, struct or string; `{}` is {}",
                                path.dotted(),
                                other.kind_name()
                            ),
                        );
                        None
                    }
                    None => {
                        self.unknown_type(path);
                        None
                    }
                },
            };
            let name = match (&m.alias, &m.ty) {
                (Some((alias, _)), _) => alias.clone(),
                (None, AstBase::Named(path)) => path.parts.join("_"),
                (None, AstBase::String) => "string".into(),
                (None, AstBase::Scalar(s)) => s.name().into(),
            };
            if name == "NONE" {
                self.error(
                    m.span,
                    format!(
                        "union member name `NONE` is reserved for \"no value\" in `{}`; give the \
                         member another alias (`Alias: Type`)",
                        ast.name
                    ),
                );
            } else if !names.insert(name.clone()) {
                self.error(
                    m.span,
                    format!(
                        "union member name `{name}` is used twice in `{}`; give one an alias \
                         (`Alias: Type`)",
                        ast.name
                    ),
                );
            }
            let value = match &m.value {
                None => next,
                Some(v) => self.integer(v, "a union member's value").unwrap_or(next),
            };
            if value == 0 || !(min..=max).contains(&value) {
                self.error(
                    m.span,
                    format!(
                        "union member `{name}` = {value}: values must fit `{}` ({min} to {max}) \
                         and not be 0 (NONE)",
                        underlying.name()
                    ),
                );
            } else if let Some(other) = by_value.insert(value, name.clone()) {
                self.error(
                    m.span,
                    format!(
                        "union member values must be unique: `{name}` and `{other}` are both {value}"
                    ),
                );
            }
            next = value.saturating_add(1);
            let attrs = self.attrs(&m.attrs);
            if let Some(ty) = ty {
                members.push(UnionMember {
                    name,
                    value: underlying.unsigned_bits(value),
                    ty,
                    doc: m.doc.clone(),
                    attrs,
                    span: m.span,
                });
            }
        }
        members.sort_by_key(|m| m.value);
        UnionDef {
            info,
            underlying,
            members,
        }
    }
}
