//! Tables: the view, its verifier, the builder, the owned type and the in-place view. Each
//! field adds its [`Pieces`] to each of them (`fields.rs`, `unions.rs`); the checks come
//! from the model's (`check.rs`); this module puts the table's code together.

mod check;
mod fields;
mod unions;

use super::literals::scalar_type;
use super::names::{member, type_name};
use super::{Printer, Writer};
use crate::codegen::model::{Field, FieldKind, Table, Value};
use crate::layout::format::{OBJECT_HEADER_SIZE, REF_SIZE};
use crate::schema::TableId;

/// What one field adds to each part of its table's code.
#[derive(Default)]
struct Pieces {
    /// Accessors of the view, after the field's doc.
    view: String,
    /// Its line of `unpack`.
    unpack: String,
    /// Methods of the builder.
    builder: String,
    /// Its field of the owned type, and that field's default.
    owned: (String, String),
    /// How the owned type writes it.
    write: String,
    /// Methods of the in-place view.
    change: String,
}

/// A field being printed, and the names its code uses.
struct FieldCtx<'a> {
    /// The table's namespace, where the code is.
    ns: &'a [String],
    /// The table's own name, for errors' paths.
    table: &'a str,
    field: &'a Field,
    /// The accessor's name (`type_`).
    m: String,
    /// The same without a keyword's `_` (`type`), for names built from it.
    bare: String,
}

impl FieldCtx<'_> {
    /// `Table.field`, as errors name it.
    fn path(&self) -> String {
        format!("{}.{}", self.table, self.field.name)
    }

    /// The `else` of a required field's write: the error for its absence (nothing when the
    /// field is optional).
    fn missing_if(&self, required: bool) -> String {
        if !required {
            return String::new();
        }
        format!(
            " else {{\n            return Err(rt::BuildError::Value {{ path: {:?}.into(), message: \"required field is missing\".into() }});\n        }}",
            self.path()
        )
    }
}

impl Printer<'_> {
    /// The Rust type of a scalar value: its scalar's, or the enum's path.
    fn value_type(&self, ns: &[String], value: Value) -> String {
        match value {
            Value::Enum { id, .. } => self.enum_path(ns, id),
            other => scalar_type(other.scalar()).into(),
        }
    }

    pub(super) fn table(&self, id: TableId) -> String {
        let t = self.model.table(id);
        let name = type_name(&t.name.name);
        let mut pieces = Vec::new();
        for field in t.fields.iter().filter(|f| !f.deprecated) {
            let ctx = FieldCtx {
                ns: &t.name.namespace,
                table: &t.name.name,
                field,
                m: member(&field.name),
                bare: member(&field.name).trim_end_matches('_').to_string(),
            };
            pieces.push((self.pieces(&ctx), ctx));
        }
        let mut w = Writer::new();
        w.doc(&t.doc);
        self.view_impl(&mut w, t, &name, &pieces);
        self.table_traits(&mut w, t, &name, &pieces);
        self.builder_impl(&mut w, t, &name, &pieces);
        owned_impl(&mut w, t, &name, &pieces);
        change_impl(&mut w, &name, &pieces);
        w.finish()
    }

    /// A field's pieces, by its kind.
    fn pieces(&self, f: &FieldCtx<'_>) -> Pieces {
        match &f.field.kind {
            FieldKind::Scalar { .. } => self.scalar(f),
            FieldKind::Optional { .. } => self.optional(f),
            FieldKind::Struct { .. } => self.struct_field(f),
            FieldKind::String { .. } => self.string(f),
            FieldKind::Table { .. } => self.table_field(f),
            FieldKind::Vector { .. } => self.vector(f),
            FieldKind::Union { .. } => self.union_field(f),
            FieldKind::UnionVector { .. } => self.union_vector(f),
        }
    }

    /// The view and its accessors.
    fn view_impl(&self, w: &mut Writer, t: &Table, name: &str, pieces: &[(Pieces, FieldCtx<'_>)]) {
        w.line(format!(
            "/// A `{}` read in place from a verified message. `Copy`: pass it by value.\n#[derive(Clone, Copy)]\npub struct {name}<'a> {{\n    t: rt::Table<'a>,\n}}\n",
            t.name.dotted()
        ));
        w.line(format!("impl<'a> {name}<'a> {{"));
        w.line(format!(
            "    /// The type tag of its objects.\n    pub const TAG: u32 = 0x{:08x};",
            t.tag
        ));
        w.line(format!(
            "    /// Verifies `bytes` as a message whose root is a `{name}`, then views it.\n    pub fn root(bytes: &'a [u8]) -> Result<Self, rt::VerifyError> {{\n        rt::root(bytes)\n    }}"
        ));
        w.line("    /// The table underneath.\n    pub fn as_table(&self) -> rt::Table<'a> {\n        self.t\n    }");
        for (p, f) in pieces {
            w.indented(|w| {
                w.doc_or(
                    &f.field.doc,
                    &format!("`{}`: `{}`.", f.field.name, f.field.type_name),
                );
            });
            w.append(&p.view);
        }
        let unpack: String = pieces.iter().map(|(p, _)| p.unpack.as_str()).collect();
        w.line(format!(
            "    /// A copy of everything as plain Rust data.\n    pub fn unpack(&self) -> {name}T {{\n        {name}T {{\n{unpack}        }}\n    }}\n}}\n"
        ));
    }

    /// `Debug`, the element traits and the verifier.
    fn table_traits(
        &self,
        w: &mut Writer,
        t: &Table,
        name: &str,
        pieces: &[(Pieces, FieldCtx<'_>)],
    ) {
        let debug: String = pieces
            .iter()
            .map(|(_, f)| format!("            .field({:?}, &self.{}())\n", f.field.name, f.m))
            .collect();
        w.line(format!(
            "impl ::core::fmt::Debug for {name}<'_> {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.debug_struct({:?})\n{debug}            .finish()\n    }}\n}}\n",
            t.name.name
        ));
        w.line(format!(
            "impl<'a> rt::TableElement<'a> for {name}<'a> {{\n    #[inline(always)]\n    unsafe fn from_object(bytes: rt::Bytes<'a>, object: usize) -> Self {{\n        // SAFETY: forwarded contract: a verified `{name}` object.\n        {name} {{ t: unsafe {{ rt::Table::new(bytes, object) }} }}\n    }}\n    #[inline(always)]\n    fn from_table(t: rt::Table<'a>) -> Self {{\n        {name} {{ t }}\n    }}\n}}\n"
        ));
        w.line(format!(
            "// SAFETY: follows the slot's reference to a table, which the verifier checked as a `{name}`\n// because the caller's vector is a verified vector of them.\nunsafe impl<'a> rt::Element<'a> for {name}<'a> {{\n    const STRIDE: usize = {REF_SIZE};\n    const HEADER: usize = {OBJECT_HEADER_SIZE};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        // SAFETY: forwarded contract.\n        unsafe {{ rt::table_element(bytes, at) }}\n    }}\n}}\n"
        ));
        let mut checks = Writer::new();
        checks.indented(|w| {
            w.indented(|w| {
                for c in &t.checks {
                    self.check(w, &t.name.namespace, c);
                }
            });
        });
        let checks = checks.finish();
        let fid = self.model.file_identifier;
        let dotted = t.name.dotted();
        // A leaf is checked at every reference and remembered nowhere: nothing to leave.
        let (enter, leave) = if t.leaf {
            (
                format!(
                    "let size = c.leaf_table(at, (0x{:08x}, {dotted:?}), {})?;",
                    t.tag, t.body_align
                ),
                String::new(),
            )
        } else {
            (
                format!(
                    "let Some(size) = c.table(at, (0x{:08x}, {dotted:?}), {})? else {{\n            return Ok(());\n        }};",
                    t.tag, t.body_align
                ),
                "        c.leave(at);\n".to_string(),
            )
        };
        w.line(format!(
            "impl rt::Check for {name}<'_> {{\n    const TAG: u32 = 0x{tag:08x};\n    const NAME: &'static str = {dotted:?};\n    const SHORT_NAME: &'static str = {:?};\n    const FILE_IDENTIFIER: [u8; 4] = {fid:?};\n    fn check(c: &mut rt::Checker<'_>, at: usize) -> Result<(), rt::VerifyError> {{\n        {enter}\n        let body = at + {OBJECT_HEADER_SIZE};\n        let _ = (body, size);\n{checks}{leave}        Ok(())\n    }}\n}}\n",
            t.name.name,
            tag = t.tag
        ));
    }

    /// The builder: allocation with the defaults written first, then one method per field.
    fn builder_impl(
        &self,
        w: &mut Writer,
        t: &Table,
        name: &str,
        pieces: &[(Pieces, FieldCtx<'_>)],
    ) {
        let fid = self.model.file_identifier;
        w.line(format!(
            "/// Writes a `{name}` front to back: the table first, then what its fields refer to.\npub struct {name}Builder<'b, 'buf> {{\n    b: &'b mut rt::Builder<'buf>,\n    object: rt::ObjectRef,\n}}\n"
        ));
        let prefill: String = t
            .prefill
            .iter()
            .map(|p| {
                format!(
                    "        rt::build::put::<{}>(b, {}, {});\n",
                    self.value_type(&t.name.namespace, p.value),
                    crate::codegen::writer::plus("body", p.offset),
                    self.value_default(&t.name.namespace, p.value, p.default)
                )
            })
            .collect();
        w.line(format!(
            "impl<'c, 'buf: 'c> rt::build::TableBuild<'c, 'buf> for {name}Builder<'c, 'buf> {{\n    fn alloc(b: &mut rt::Builder<'buf>) -> Result<rt::ObjectRef, rt::BuildError> {{\n        let object = rt::build::table(b, 0x{:08x}, {}, {})?;\n        let body = object.body();\n        let _ = body;\n{prefill}        Ok(object)\n    }}\n    fn resume(b: &'c mut rt::Builder<'buf>, object: rt::ObjectRef) -> Self {{\n        {name}Builder {{ b, object }}\n    }}\n}}\n",
            t.tag, t.body_size, t.body_align
        ));
        w.line(format!(
            "impl<'b, 'buf> {name}Builder<'b, 'buf> {{\n    /// Starts a `{name}` as the next object of `b` (the root, when `b` is empty).\n    pub fn new(b: &'b mut rt::Builder<'buf>) -> Result<Self, rt::BuildError> {{\n        let object = <Self as rt::build::TableBuild<'b, 'buf>>::alloc(b)?;\n        Ok({name}Builder {{ b, object }})\n    }}\n    /// The object being written.\n    pub fn object(&self) -> rt::ObjectRef {{\n        self.object\n    }}\n    /// Finishes the message with this table as its root.\n    pub fn finish(self) -> Result<&'b [u8], rt::BuildError> {{\n        self.b.finish(self.object, 0x{:08x}, {fid:?})\n    }}",
            t.tag
        ));
        for (p, _) in pieces {
            w.append(&p.builder);
        }
        w.line("}\n");
    }

    /// The expression of `default` for a value of type `value`, seen from namespace `ns`.
    fn value_default(
        &self,
        ns: &[String],
        value: Value,
        default: crate::codegen::model::ScalarDefault,
    ) -> String {
        let enum_name = match value {
            Value::Enum { id, .. } => self.enum_path(ns, id),
            _ => String::new(),
        };
        super::literals::value_default(value, &enum_name, default)
    }
}

/// The owned type: its fields and defaults, `pack` and `write`.
fn owned_impl(w: &mut Writer, t: &Table, name: &str, pieces: &[(Pieces, FieldCtx<'_>)]) {
    let fields: String = pieces
        .iter()
        .map(|(p, f)| format!("    /// `{0}`.\n    pub {0}: {1},\n", f.m, p.owned.0))
        .collect();
    let defaults: String = pieces
        .iter()
        .map(|(p, f)| format!("            {}: {},\n", f.m, p.owned.1))
        .collect();
    let write: String = pieces.iter().map(|(p, _)| p.write.as_str()).collect();
    w.line(format!(
        "/// A `{}` as plain Rust data.\n#[derive(Clone, Debug, PartialEq)]\npub struct {name}T {{\n{fields}}}\n",
        t.name.dotted()
    ));
    w.line(format!(
        "#[allow(clippy::derivable_impls)]\nimpl Default for {name}T {{\n    fn default() -> Self {{\n        {name}T {{\n{defaults}        }}\n    }}\n}}\n\nimpl rt::Family for {name}T {{\n    type View<'a> = {name}<'a>;\n}}\n"
    ));
    w.line(format!(
        "impl {name}T {{\n    /// Writes this value as a complete message with a `{name}` root.\n    pub fn pack(&self) -> Result<Vec<u8>, rt::BuildError> {{\n        let mut b = rt::Builder::new();\n        self.pack_into(&mut b)?;\n        Ok(b.into_vec())\n    }}\n    /// Writes this value as a complete message into `b` (a growable buffer or a caller's slice).\n    pub fn pack_into(&self, b: &mut rt::Builder<'_>) -> Result<(), rt::BuildError> {{\n        let mut root = {name}Builder::new(b)?;\n        self.write(&mut root)?;\n        root.finish().map(|_| ())\n    }}\n    /// Writes the fields through a builder, in canonical order.\n    pub fn write(&self, b: &mut {name}Builder<'_, '_>) -> Result<(), rt::BuildError> {{\n        let _ = &b;\n{write}        Ok(())\n    }}\n}}\n"
    ));
}

/// The in-place view.
fn change_impl(w: &mut Writer, name: &str, pieces: &[(Pieces, FieldCtx<'_>)]) {
    let change: String = pieces.iter().map(|(p, _)| p.change.as_str()).collect();
    w.line(format!(
        "/// A `{name}` to change in place (scalars, optional scalars, structs, elements).\npub struct {name}Mut<'a> {{\n    t: rt::TableMut<'a>,\n}}\n"
    ));
    w.line(format!(
        "impl<'a> {name}Mut<'a> {{\n    /// Verifies `bytes` as a message whose root is a `{name}`, then gives it to change.\n    pub fn root(bytes: &'a mut [u8]) -> Result<Self, rt::VerifyError> {{\n        rt::root_mut::<{name}<'static>>(bytes).map(|t| {name}Mut {{ t }})\n    }}\n    #[doc(hidden)]\n    pub fn from_table(t: rt::TableMut<'a>) -> Self {{\n        {name}Mut {{ t }}\n    }}\n{change}}}\n"
    ));
}
