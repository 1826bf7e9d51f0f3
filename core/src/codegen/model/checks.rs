//! The verifier's steps for a table's fields, as data: what the schema-driven verifier
//! (`crate::message::verify`) checks, in the same order, for a generated verifier to print.

use serde::Serialize;

use super::{Element, Field, FieldKind};
use crate::layout::{Layout, VectorId};
use crate::schema::{TableId, UnionId};

/// What a verifier checks of one field of a table object whose body is at least `end` bytes
/// long (a shorter body predates the field: nothing to check, unless it is required).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The field's name, for the error's path.
    pub field: String,
    /// The body size from which the object holds the field.
    pub end: u32,
    /// A message without the field is invalid.
    pub required: bool,
    /// The offset of a presence byte to check (0 or 1), first.
    pub presence: Option<u32>,
    /// The reference to follow and what it must lead to, then.
    pub reference: Option<RefCheck>,
}

/// A reference a field holds, at body offset `offset`, and the checks of what it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefCheck {
    /// A string.
    String {
        /// The reference's offset.
        offset: u32,
    },
    /// A table, checked in full.
    Table {
        /// The reference's offset.
        offset: u32,
        /// The table.
        id: TableId,
    },
    /// A vector of inline elements (scalars, enums, structs): its bounds, stride and
    /// alignment; for `nested_flatbuffer`, its bytes as a message of `nested`.
    InlineVector {
        /// The reference's offset.
        offset: u32,
        /// The vector type.
        vector: VectorId,
        /// The nested message's root table.
        nested: Option<TableId>,
    },
    /// A vector of strings, each checked.
    Strings {
        /// The reference's offset.
        offset: u32,
        /// The vector type.
        vector: VectorId,
    },
    /// A vector of tables, each checked.
    Tables {
        /// The reference's offset.
        offset: u32,
        /// The vector type.
        vector: VectorId,
        /// The table.
        id: TableId,
    },
    /// A union's object, checked as its discriminant says; a null reference needs the
    /// discriminant NONE.
    Union {
        /// The reference's offset.
        offset: u32,
        /// The discriminant's offset.
        discriminant: u32,
        /// Bytes of the discriminant.
        width: u32,
        /// The union.
        id: UnionId,
    },
    /// A vector of unions: the values and the discriminants beside them, of equal length,
    /// each value checked as its discriminant says.
    UnionVector {
        /// The values' reference's offset.
        offset: u32,
        /// The discriminants' reference's offset.
        discriminants: u32,
        /// Bytes of each discriminant.
        width: u32,
        /// The union.
        id: UnionId,
        /// The discriminants' vector type.
        types: VectorId,
        /// The values' vector type.
        values: VectorId,
    },
}

/// What a verifier checks of `field`: its presence byte, then what its reference leads to.
pub(super) fn check(layout: &Layout, field: &Field) -> Check {
    let (presence, reference) = match &field.kind {
        FieldKind::Scalar { .. } => (None, None),
        FieldKind::Optional { presence, .. } => (Some(*presence), None),
        FieldKind::Struct { presence, .. } => (*presence, None),
        FieldKind::String { offset, .. } => (None, Some(RefCheck::String { offset: *offset })),
        FieldKind::Table { offset, id, .. } => (
            None,
            Some(RefCheck::Table {
                offset: *offset,
                id: *id,
            }),
        ),
        FieldKind::Vector {
            offset,
            vector,
            element,
            nested,
            ..
        } => {
            let (offset, vector) = (*offset, *vector);
            let check = match element {
                Element::Inline { .. } => RefCheck::InlineVector {
                    offset,
                    vector,
                    nested: *nested,
                },
                Element::String => RefCheck::Strings { offset, vector },
                Element::Table { id } => RefCheck::Tables {
                    offset,
                    vector,
                    id: *id,
                },
            };
            (None, Some(check))
        }
        FieldKind::Union {
            offset,
            discriminant,
            id,
            ..
        } => (None, Some(union_check(layout, *offset, *discriminant, *id))),
        FieldKind::UnionVector {
            offset,
            discriminants,
            id,
            types,
            values,
            ..
        } => (
            None,
            Some(RefCheck::UnionVector {
                offset: *offset,
                discriminants: *discriminants,
                width: layout.union_layout(*id).discriminant.size(),
                id: *id,
                types: *types,
                values: *values,
            }),
        ),
    };
    Check {
        field: field.name.clone(),
        end: field.end,
        required: field.required(),
        presence,
        reference,
    }
}

fn union_check(layout: &Layout, offset: u32, discriminant: u32, id: UnionId) -> RefCheck {
    RefCheck::Union {
        offset,
        discriminant,
        width: layout.union_layout(id).discriminant.size(),
        id,
    }
}
