//! Schema evolution: every change between two versions of a schema that breaks messages
//! written with one version and read with the other.
//!
//! [`compare`] takes the old and the new [`Schema`] and returns a [`Change`] for each difference
//! that matters, breaking or not. The rules follow `docs/layout.md`, section 8 (tables grow by
//! appending fields; fields are matched by id) and section 9 (types are matched by identity).
//!
//! # Matching
//!
//! A type of the old schema is matched with the type of the new one that has the same
//! **identity**: for a table or struct its `weftbuf_id` when it pins one, else its fully
//! qualified name (the identity its type tag hashes); for an enum or union its fully qualified
//! name. Renaming a table or moving it to another namespace is therefore breaking unless the
//! new version pins the old identity. Table fields are matched by **id**, so renaming a field
//! and keeping its id is compatible, and reordering fields in the file while keeping their
//! explicit ids changes nothing. Enum values and union members are matched by name, then by
//! value.
//!
//! # Breaking changes
//!
//! Each [`ChangeKind`] documents its rule. In short: a type that disappears or changes kind;
//! a table field removed (deprecate it instead: a deprecated field keeps its id and its slot),
//! moved to another id, retyped, turned into or out of a vector of unions, made required or
//! no longer required, added as required, or switched between a default and `= null` (which
//! adds or removes its presence byte); any change to a struct's layout; an enum value
//! renumbered or removed, an enum's underlying type changed; a union member removed, renumbered
//! or pointed at another type; another root type.
//!
//! Types are compared structurally: scalars by how they are stored (an enum and its underlying
//! integer are the same bytes and the same vector tag, so retyping between them is
//! compatible), vectors by element, tables, structs, enums and unions by identity.
//!
//! A changed default is not breaking and is reported as a note ([`ChangeKind::DefaultChanged`]),
//! unless it changes between zero and not zero, which moves the field
//! ([`ChangeKind::DefaultMovesField`]).
//!
//! # Differences from `flatc --conform`
//!
//! flatc 25.12's `--conform` checks a subset of these rules and reports only the first
//! problem it finds. The verdicts differ in these cases, each on purpose:
//!
//! - **Types are matched by identity, not name.** flatc skips a type it cannot find by name in
//!   the old schema, so it accepts a renamed or moved type; weftbuf's tags hash the identity,
//!   so old messages would no longer verify. For the same reason flatc compares the types of
//!   fields by short name, weftbuf by identity.
//! - **Structs.** flatc accepts a field appended to a struct and any `force_align` change;
//!   both change the struct's size or alignment, and so every table, struct and vector that
//!   holds it.
//! - **Required.** flatc accepts a new required field, a field made required and a field no
//!   longer required. Readers reject a message in which a field they consider required is
//!   missing, and a struct field loses or gains its presence byte.
//! - **Removed enum values and union members.** flatc accepts them. Old messages may still
//!   hold the value, which the new schema can no longer name (JSON, generated code), and a
//!   later version could give the number to something else.
//! - **Union members pointed at another type** (`B: A` where `B` was a table of its own):
//!   flatc accepts it; the objects of old messages carry the old type's tag.
//! - **An enum and its underlying integer.** flatc says their types differ; they are the same
//!   bytes and the same vector tag here.
//! - **Defaults.** flatc rejects a changed default ("defaults differ"). In weftbuf every field
//!   has its slot and writers write its value, so a message reads the new default only where
//!   a writer dropped the field as a trailing default (section 8): a note, not an error.
//! - **The root type.** flatc does not compare `root_type`; a message header carries its root
//!   table's tag, so a new root type rejects old messages.

mod tables;
mod types;

use std::collections::{HashMap, HashSet};

use crate::layout::{Layout, identity_of};
use crate::schema::{
    BaseType, DefInfo, NamedType, Schema, Span, StructId, TableId, Type, UnionMemberType,
};

/// What kind of change a [`Change`] is; the rule it breaks, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A table, struct, enum or union of the old schema has no type of the same identity in
    /// the new one: it was removed, renamed, or moved to another namespace (the message names
    /// a type of the same short name in another namespace when there is one). Reported in the
    /// old schema.
    TypeRemoved,
    /// The identity names another kind of type now (a table became a struct, an enum a
    /// union, ...).
    TypeKindChanged,
    /// A field id of the old table is missing from the new one, and no field of its name
    /// moved elsewhere. Deprecating a field keeps its id and is compatible. Reported in the old
    /// schema.
    FieldRemoved,
    /// A field kept its name but has another id (fields are matched by id, so its bytes moved).
    FieldIdChanged,
    /// The field with the same id has another type (by storage for scalars and enums, by
    /// element for vectors, by identity for tables, structs, enums and unions).
    FieldTypeChanged,
    /// A union field became a vector of unions, or the other way round.
    UnionVectorChanged,
    /// A new field is required, or an existing field became required: messages written with
    /// the old schema may lack it.
    RequiredAdded,
    /// A field is no longer required: readers of the old schema reject messages that omit it
    /// (and a struct field gains a presence byte).
    RequiredRemoved,
    /// A scalar switched between a default and `= null`, which adds or removes its presence
    /// byte and moves every later field.
    PresenceChanged,
    /// A struct's layout changed: a field added, removed, reordered or retyped, its size or
    /// its alignment (`force_align`). A struct's bytes have no header and no room to grow.
    StructChanged,
    /// An enum value (or `bit_flags` flag) kept its name and got another number.
    EnumValueChanged,
    /// An enum value of the old schema is gone: neither its name nor its number remains.
    /// Reported in the old schema.
    EnumValueRemoved,
    /// An enum's underlying integer type changed.
    EnumUnderlyingChanged,
    /// A union member of the old schema is gone: neither its name nor its discriminant
    /// remains. Reported in the old schema.
    UnionMemberRemoved,
    /// A union member kept its name and got another discriminant, or a discriminant refers to
    /// a type of another identity.
    UnionMemberChanged,
    /// A union's discriminant type changed (`union U : T`): its bytes have another width.
    UnionUnderlyingChanged,
    /// The root table has another identity, while the old root table still exists: old
    /// messages carry the old root's tag in their header.
    RootTypeChanged,
    /// A scalar's default changed between zero and not zero: a field whose zero bytes read
    /// as its default may fill a gap in a table's body, any other goes at the end, so the
    /// field (and those placed after it) moved.
    DefaultMovesField,
    /// A table's members moved although no rule above fired: a safety net that compares the
    /// two [`Layout`]s, reported only when nothing else is breaking.
    TableLayoutChanged,
    /// Not breaking: a field's default changed. Messages that hold the field read the same;
    /// one whose writer dropped it as a trailing default reads the new default.
    DefaultChanged,
}

impl ChangeKind {
    /// Whether a change of this kind breaks compatibility (every kind but
    /// [`ChangeKind::DefaultChanged`]).
    pub fn is_breaking(self) -> bool {
        !matches!(self, ChangeKind::DefaultChanged)
    }
}

/// Which of the two schemas a [`Change`]'s position is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The old schema: for things that were removed.
    Old,
    /// The new schema: for everything that still exists.
    New,
}

/// One difference between two versions of a schema. Plain data, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The dotted path of what changed: `Ns.Table`, `Ns.Table.field`, `Ns.Enum.Value`.
    pub subject: String,
    /// One sentence, without a trailing period.
    pub message: String,
    /// The schema [`Change::span`] points into.
    pub side: Side,
    /// Where: in the new schema, or in the old one for things that were removed.
    pub span: Span,
}

impl Change {
    /// Whether this change breaks compatibility.
    pub fn is_breaking(&self) -> bool {
        self.kind.is_breaking()
    }

    /// `path:line:col: breaking: message`, or `note:` for a change that is not breaking.
    pub fn render(&self, old: &Schema, new: &Schema) -> String {
        let schema = match self.side {
            Side::Old => old,
            Side::New => new,
        };
        let at = schema.sources.line_col(self.span);
        let label = if self.is_breaking() {
            "breaking"
        } else {
            "note"
        };
        format!(
            "{}:{}:{}: {label}: {}",
            schema.sources.path(self.span.file).display(),
            at.line,
            at.col,
            self.message
        )
    }
}

/// Every change from `old` to `new`, breaking ones and notes, in the order of their positions
/// (the new schema's first). `new` is a compatible evolution of `old` when none
/// [`is_breaking`](Change::is_breaking).
///
/// Struct and table layouts come from [`Layout::new`]; for a schema whose layout fails (a tag
/// collision, a type too large) the struct rules fall back to comparing declarations.
pub fn compare(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut cx = Compare::new(old, new);
    cx.run();
    let mut changes = cx.changes;
    changes.sort_by_key(|c| (std::cmp::Reverse(c.side), c.span.file, c.span.start));
    changes
}

/// The state of one comparison.
struct Compare<'a> {
    old: &'a Schema,
    new: &'a Schema,
    old_layout: Option<Layout>,
    new_layout: Option<Layout>,
    /// Identity -> type, for the new schema.
    new_types: HashMap<String, NamedType>,
    /// Identities of the old schema.
    old_identities: HashSet<String>,
    changes: Vec<Change>,
}

impl<'a> Compare<'a> {
    fn new(old: &'a Schema, new: &'a Schema) -> Self {
        let mut new_types = HashMap::new();
        for ty in all_types(new) {
            new_types.entry(identity(new, ty)).or_insert(ty);
        }
        Compare {
            old,
            new,
            old_layout: Layout::new(old).ok(),
            new_layout: Layout::new(new).ok(),
            new_types,
            old_identities: all_types(old).map(|ty| identity(old, ty)).collect(),
            changes: Vec::new(),
        }
    }

    fn run(&mut self) {
        let mut tables = Vec::new();
        for ty in all_types(self.old) {
            let id = identity(self.old, ty);
            match (ty, self.new_types.get(&id).copied()) {
                (_, None) => self.type_removed(ty, &id),
                (NamedType::Table(o), Some(NamedType::Table(n))) => {
                    self.tables(o, n);
                    tables.push((o, n));
                }
                (NamedType::Struct(o), Some(NamedType::Struct(n))) => self.structs(o, n),
                (NamedType::Enum(o), Some(NamedType::Enum(n))) => self.enums(o, n),
                (NamedType::Union(o), Some(NamedType::Union(n))) => self.unions(o, n),
                (_, Some(other)) => self.push(
                    ChangeKind::TypeKindChanged,
                    info(self.old, ty).name.dotted(),
                    format!(
                        "`{}` is {} {} now, it was {} {}",
                        info(self.new, other).name,
                        article(other),
                        kind_name(other),
                        article(ty),
                        kind_name(ty)
                    ),
                    Side::New,
                    info(self.new, other).span,
                ),
            }
        }
        self.root_type();
        if !self.changes.iter().any(Change::is_breaking) {
            for (o, n) in tables {
                self.table_layouts(o, n);
            }
        }
    }

    fn push(&mut self, kind: ChangeKind, subject: String, message: String, side: Side, span: Span) {
        self.changes.push(Change {
            kind,
            subject,
            message,
            side,
            span,
        });
    }

    /// A type whose identity the new schema lacks.
    fn type_removed(&mut self, ty: NamedType, id: &str) {
        let def = info(self.old, ty);
        let name = def.name.dotted();
        let kind = kind_name(ty);
        let shown = if *id == name {
            format!("`{name}`")
        } else {
            format!("`{name}` (identity `{id}`)")
        };
        let pinnable = matches!(ty, NamedType::Table(_) | NamedType::Struct(_));
        let moved: Vec<String> = all_types(self.new)
            .filter(|&t| std::mem::discriminant(&t) == std::mem::discriminant(&ty))
            .map(|t| info(self.new, t))
            .filter(|i| i.name.name == def.name.name && i.name.namespace != def.name.namespace)
            .filter(|i| !self.old_identities.contains(&identity_of_info(i, pinnable)))
            .map(|i| i.name.dotted())
            .collect();
        let mut message = if moved.is_empty() {
            format!("{kind} {shown} is not in the new schema (removed or renamed)")
        } else {
            let places: Vec<String> = moved.iter().map(|m| format!("`{m}`")).collect();
            format!(
                "{kind} {shown} is not in the new schema: it moved to another namespace as {}",
                places.join(" or ")
            )
        };
        if pinnable {
            message.push_str(&format!(
                "; a renamed or moved {kind} keeps its tag only by pinning \
                 `(weftbuf_id: \"{id}\")`"
            ));
        } else {
            message.push_str(&format!("; {kind}s are matched by qualified name"));
        }
        self.push(ChangeKind::TypeRemoved, name, message, Side::Old, def.span);
    }

    /// The root table must keep its identity while the old root still exists.
    fn root_type(&mut self) {
        let (Some(old_root), Some(new_root)) = (self.old.root_table, self.new.root_table) else {
            return;
        };
        let old_id = identity(self.old, NamedType::Table(old_root));
        let new_id = identity(self.new, NamedType::Table(new_root));
        if old_id == new_id || !self.new_types.contains_key(&old_id) {
            return;
        }
        let def = &self.new.table_def(new_root).info;
        self.push(
            ChangeKind::RootTypeChanged,
            def.name.dotted(),
            format!(
                "the root type is `{}` now, it was `{}`: old messages carry `{old_id}`'s tag in \
                 their header",
                def.name,
                self.old.table_def(old_root).info.name
            ),
            Side::New,
            def.span,
        );
    }

    /// "`new` now, it was `old`", telling apart two types that print the same by kind and
    /// identity.
    fn type_change(&self, old: Type, new: Type) -> String {
        let (was, now) = (self.old.type_name(old), self.new.type_name(new));
        let (Some(o), Some(n)) = (named_base(old), named_base(new)) else {
            return format!("`{now}` now, it was `{was}`");
        };
        if was != now {
            return format!("`{now}` now, it was `{was}`");
        }
        format!(
            "`{now}` now, {} {} of identity `{}`; it was {} {} of identity `{}`",
            article(n),
            kind_name(n),
            identity(self.new, n),
            article(o),
            kind_name(o),
            identity(self.old, o)
        )
    }

    /// Whether `a` (a type of the old schema) and `b` (of the new) are the same type.
    fn same_type(&self, a: Type, b: Type) -> bool {
        match (a, b) {
            (Type::Base(x), Type::Base(y)) | (Type::Vector(x), Type::Vector(y)) => {
                self.same_base(x, y)
            }
            (Type::Array(x, n), Type::Array(y, m)) => n == m && self.same_base(x, y),
            _ => false,
        }
    }

    /// Scalars and enums by storage (an enum of another identity differs), the rest by
    /// identity.
    fn same_base(&self, a: BaseType, b: BaseType) -> bool {
        let (old, new) = (self.old, self.new);
        match (a, b) {
            (BaseType::Scalar(x), BaseType::Scalar(y)) => x == y,
            (BaseType::Enum(x), BaseType::Scalar(y)) => old.enum_def(x).underlying == y,
            (BaseType::Scalar(x), BaseType::Enum(y)) => x == new.enum_def(y).underlying,
            (BaseType::String, BaseType::String) => true,
            (BaseType::Enum(x), BaseType::Enum(y)) => {
                identity(old, NamedType::Enum(x)) == identity(new, NamedType::Enum(y))
            }
            (BaseType::Struct(x), BaseType::Struct(y)) => {
                identity(old, NamedType::Struct(x)) == identity(new, NamedType::Struct(y))
            }
            (BaseType::Table(x), BaseType::Table(y)) => {
                identity(old, NamedType::Table(x)) == identity(new, NamedType::Table(y))
            }
            (BaseType::Union(x), BaseType::Union(y)) => {
                identity(old, NamedType::Union(x)) == identity(new, NamedType::Union(y))
            }
            _ => false,
        }
    }
}

/// Every named type of `schema`: tables, structs, enums, unions, each in declaration order.
fn all_types(schema: &Schema) -> impl Iterator<Item = NamedType> + '_ {
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let tables = (0..schema.tables.len()).map(move |i| NamedType::Table(TableId(index(i))));
    let structs = (0..schema.structs.len()).map(move |i| NamedType::Struct(StructId(index(i))));
    let enums =
        (0..schema.enums.len()).map(move |i| NamedType::Enum(crate::schema::EnumId(index(i))));
    let unions =
        (0..schema.unions.len()).map(move |i| NamedType::Union(crate::schema::UnionId(index(i))));
    tables.chain(structs).chain(enums).chain(unions)
}

/// The name, attributes and position of a type.
fn info(schema: &Schema, ty: NamedType) -> &DefInfo {
    match ty {
        NamedType::Table(id) => &schema.table_def(id).info,
        NamedType::Struct(id) => &schema.struct_def(id).info,
        NamedType::Enum(id) => &schema.enum_def(id).info,
        NamedType::Union(id) => &schema.union_def(id).info,
    }
}

/// The identity types are matched by: a table's or struct's tag identity (its `weftbuf_id`
/// or its name), an enum's or union's qualified name (the layout gives them no pinned tag).
fn identity(schema: &Schema, ty: NamedType) -> String {
    identity_of_info(
        info(schema, ty),
        matches!(ty, NamedType::Table(_) | NamedType::Struct(_)),
    )
}

fn identity_of_info(info: &DefInfo, pinnable: bool) -> String {
    if pinnable {
        identity_of(info)
    } else {
        info.name.dotted()
    }
}

/// The identity of what a union member refers to.
fn member_identity(schema: &Schema, ty: UnionMemberType) -> String {
    match ty {
        UnionMemberType::Table(id) => identity(schema, NamedType::Table(id)),
        UnionMemberType::Struct(id) => identity(schema, NamedType::Struct(id)),
        UnionMemberType::String => crate::layout::tag::STRING_IDENTITY.to_string(),
    }
}

/// `a` or `an`, for [`kind_name`].
fn article(ty: NamedType) -> &'static str {
    match ty {
        NamedType::Enum(_) => "an",
        _ => "a",
    }
}

/// The named type a field type refers to, unwrapping vectors and arrays.
fn named_base(ty: Type) -> Option<NamedType> {
    match ty.base() {
        BaseType::Table(id) => Some(NamedType::Table(id)),
        BaseType::Struct(id) => Some(NamedType::Struct(id)),
        BaseType::Enum(id) => Some(NamedType::Enum(id)),
        BaseType::Union(id) => Some(NamedType::Union(id)),
        BaseType::Scalar(_) | BaseType::String => None,
    }
}

/// `table`, `struct`, `enum` or `union`.
fn kind_name(ty: NamedType) -> &'static str {
    match ty {
        NamedType::Table(_) => "table",
        NamedType::Struct(_) => "struct",
        NamedType::Enum(_) => "enum",
        NamedType::Union(_) => "union",
    }
}

#[cfg(test)]
mod tests;
