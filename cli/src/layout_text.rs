//! The human-readable `weftbuf layout` report.

use std::fmt::Write as _;

use weftbuf::layout::{Layout, MemberRole, Storage, StructLayout, TableLayout};
use weftbuf::schema::{DefaultValue, NamedType, Schema, TableId};

/// Renders every table, struct and vector type, or only `selected`.
pub(crate) fn render(schema: &Schema, layout: &Layout, selected: Option<NamedType>) -> String {
    let mut out = String::new();
    match selected {
        Some(NamedType::Table(id)) => table(&mut out, schema, layout, layout.table(id), id),
        Some(NamedType::Struct(id)) => structure(&mut out, layout.struct_layout(id)),
        _ => {
            let _ = writeln!(
                out,
                "message header: {} bytes; tables and vectors of references: a {}-byte header \
                 (tag, size); strings and other vectors: a {}-byte count; references: i32, \
                 relative\n",
                weftbuf::layout::format::MESSAGE_HEADER_SIZE,
                weftbuf::layout::format::OBJECT_HEADER_SIZE,
                weftbuf::layout::format::COUNT_SIZE,
            );
            for s in &layout.structs {
                structure(&mut out, s);
            }
            for (i, t) in layout.tables.iter().enumerate() {
                table(&mut out, schema, layout, t, TableId(i as u32));
            }
            if !layout.vectors.is_empty() {
                out.push_str("vectors\n    tag         stride  align  type\n");
                for v in &layout.vectors {
                    let tag = if v.tagged {
                        format!("0x{:08x}", v.tag)
                    } else {
                        "(count)".to_string()
                    };
                    let _ = writeln!(
                        out,
                        "    {tag:<10}  {:>6}  {:>5}  {}",
                        v.stride, v.body_align, v.identity
                    );
                }
            }
            if let Some(root) = layout.root_table {
                let _ = writeln!(out, "\nroot type: {}", layout.table(root).name);
            }
        }
    }
    out
}

fn structure(out: &mut String, s: &StructLayout) {
    let _ = writeln!(
        out,
        "struct {}  size {}, align {}, tag 0x{:08x}",
        s.name, s.size, s.align, s.tag
    );
    out.push_str("    offset  size  pad  field\n");
    for f in &s.fields {
        let _ = writeln!(
            out,
            "    {:>6}  {:>4}  {:>3}  {}: {}",
            f.offset, f.size, f.padding_before, f.name, f.type_name
        );
    }
    if s.padding_after > 0 {
        let _ = writeln!(
            out,
            "    {:>6}  {:>4}  {:>3}  (padding)",
            s.size - s.padding_after,
            0,
            s.padding_after
        );
    }
    out.push('\n');
}

fn table(out: &mut String, schema: &Schema, layout: &Layout, t: &TableLayout, id: TableId) {
    let def = schema.table_def(id);
    let _ = writeln!(
        out,
        "table {}  body {} bytes, align {}, tag 0x{:08x}",
        t.name, t.body_size, t.body_align, t.tag
    );
    out.push_str("    offset  size  pad  member\n");
    for (padding, m) in t.by_offset() {
        let Some(field) = def.fields.get(m.field as usize) else {
            continue;
        };
        let Some(fl) = t.fields.get(m.field as usize) else {
            continue;
        };
        let description = match m.role {
            MemberRole::Presence => format!("{}: ubyte (presence of `{}`)", m.name, field.name),
            MemberRole::UnionType => match m.storage {
                Storage::Scalar { scalar } => {
                    format!("{}: {} (type of `{}`)", m.name, scalar.name(), field.name)
                }
                _ => {
                    let types = layout
                        .member_vector(id, fl.union_type_member.unwrap_or_default())
                        .map_or("[ubyte]", |v| v.identity.as_str());
                    format!("{}: {types} (types of `{}`)", m.name, field.name)
                }
            },
            MemberRole::Value => {
                let mut notes = vec![format!("id {}", field.id)];
                if field.deprecated {
                    notes.push("deprecated".into());
                }
                if field.key {
                    notes.push("key".into());
                }
                match field.presence {
                    weftbuf::schema::Presence::Required => notes.push("required".into()),
                    weftbuf::schema::Presence::Optional => notes.push("optional".into()),
                    weftbuf::schema::Presence::Default => {}
                }
                format!(
                    "{}: {}{} ({})",
                    m.name,
                    fl.type_name,
                    default_text(&fl.default),
                    notes.join(", ")
                )
            }
        };
        let _ = writeln!(
            out,
            "    {:>6}  {:>4}  {:>3}  {description}",
            m.offset, m.size, padding
        );
    }
    out.push('\n');
}

fn default_text(value: &DefaultValue) -> String {
    match value {
        DefaultValue::None => String::new(),
        DefaultValue::Integer(v) => format!(" = {v}"),
        DefaultValue::Float(v) if v.is_nan() => " = nan".into(),
        DefaultValue::Float(v) => format!(" = {v}"),
        DefaultValue::String(s) => format!(" = {s:?}"),
        DefaultValue::EmptyVector => " = []".into(),
    }
}
