//! Struct, enum and union rules.

use super::{ChangeKind, Compare, Side, member_identity};
use crate::schema::{EnumId, StructId, UnionId};

impl Compare<'_> {
    /// A struct may not change its layout at all: no field added, removed, reordered or
    /// retyped, the same size and alignment, every field at the same offset.
    pub(super) fn structs(&mut self, old_id: StructId, new_id: StructId) {
        let (old, new) = (self.old.struct_def(old_id), self.new.struct_def(new_id));
        let mut details = Vec::new();
        let old_names: Vec<&str> = old.fields.iter().map(|f| f.name.as_str()).collect();
        let new_names: Vec<&str> = new.fields.iter().map(|f| f.name.as_str()).collect();
        let mut sorted_old = old_names.clone();
        let mut sorted_new = new_names.clone();
        sorted_old.sort_unstable();
        sorted_new.sort_unstable();
        if old_names != new_names && sorted_old == sorted_new {
            details.push(format!(
                "its fields are in the order `{}` now, they were `{}`",
                new_names.join(", "),
                old_names.join(", ")
            ));
        } else {
            for i in 0..old.fields.len().max(new.fields.len()) {
                match (old.fields.get(i), new.fields.get(i)) {
                    (Some(o), Some(n)) if !self.same_type(o.ty, n.ty) => details.push(format!(
                        "field {i} is `{}: {}` now, it was `{}: {}`",
                        n.name,
                        self.new.type_name(n.ty),
                        o.name,
                        self.old.type_name(o.ty)
                    )),
                    (Some(o), None) => details.push(format!("field `{}` was removed", o.name)),
                    (None, Some(n)) => details.push(format!("field `{}` was added", n.name)),
                    _ => {}
                }
            }
        }
        match (&self.old_layout, &self.new_layout) {
            (Some(old_layout), Some(new_layout)) => {
                let (o, n) = (
                    old_layout.struct_layout(old_id),
                    new_layout.struct_layout(new_id),
                );
                if o.size != n.size {
                    details.push(format!(
                        "its size is {} bytes now, it was {}",
                        n.size, o.size
                    ));
                }
                if o.align != n.align {
                    details.push(format!(
                        "its alignment is {} now, it was {}",
                        n.align, o.align
                    ));
                }
                if details.is_empty() {
                    // Same fields and size: a nested struct may still have moved things.
                    for (of, nf) in o.fields.iter().zip(&n.fields) {
                        if of.offset != nf.offset {
                            details.push(format!(
                                "field `{}` is at offset {} now, it was at {}",
                                nf.name, nf.offset, of.offset
                            ));
                        }
                    }
                }
            }
            // A schema without a layout: compare the declarations only.
            _ => {
                if old.force_align != new.force_align {
                    details.push("its `force_align` changed".to_string());
                }
            }
        }
        if !details.is_empty() {
            self.push(
                ChangeKind::StructChanged,
                new.info.name.dotted(),
                format!(
                    "struct `{}` changed its layout: {}",
                    new.info.name,
                    details.join("; ")
                ),
                Side::New,
                new.info.span,
            );
        }
    }

    /// Values keep their numbers (matched by name), no value disappears, the underlying type
    /// stays.
    pub(super) fn enums(&mut self, old_id: EnumId, new_id: EnumId) {
        let (old, new) = (self.old.enum_def(old_id), self.new.enum_def(new_id));
        let name = new.info.name.dotted();
        if old.underlying != new.underlying {
            self.push(
                ChangeKind::EnumUnderlyingChanged,
                name.clone(),
                format!(
                    "enum `{name}` is stored as `{}` now, it was `{}`",
                    new.underlying.name(),
                    old.underlying.name()
                ),
                Side::New,
                new.info.span,
            );
        }
        let what = if new.bit_flags { "flag" } else { "value" };
        for o in &old.values {
            if let Some(n) = new.value_named(&o.name) {
                if n.value != o.value {
                    self.push(
                        ChangeKind::EnumValueChanged,
                        format!("{name}.{}", n.name),
                        format!(
                            "{what} `{name}.{}` is {} now, it was {}",
                            n.name,
                            show_value(n.value, new.bit_flags),
                            show_value(o.value, old.bit_flags)
                        ),
                        Side::New,
                        n.span,
                    );
                }
                continue;
            }
            // Renamed (the number stays, under a name that is not an old value's) or gone.
            let renamed = new
                .values
                .iter()
                .any(|n| n.value == o.value && old.value_named(&n.name).is_none());
            if !renamed {
                self.push(
                    ChangeKind::EnumValueRemoved,
                    format!("{}.{}", old.info.name, o.name),
                    format!(
                        "{what} `{}.{}` ({}) was removed: old messages may still hold it",
                        old.info.name,
                        o.name,
                        show_value(o.value, old.bit_flags)
                    ),
                    Side::Old,
                    o.span,
                );
            }
        }
    }

    /// Members keep their discriminants (matched by name), a discriminant keeps referring to
    /// the same type, no member disappears.
    pub(super) fn unions(&mut self, old_id: UnionId, new_id: UnionId) {
        let (old, new) = (self.old.union_def(old_id), self.new.union_def(new_id));
        let name = new.info.name.dotted();
        if old.underlying != new.underlying {
            self.push(
                ChangeKind::UnionUnderlyingChanged,
                name.clone(),
                format!(
                    "union `{name}`'s discriminant is `{}` now, it was `{}`",
                    new.underlying.name(),
                    old.underlying.name()
                ),
                Side::New,
                new.info.span,
            );
        }
        let old_named = |member: &str| old.members.iter().find(|m| m.name == member);
        for o in &old.members {
            let same_name = new.members.iter().find(|m| m.name == o.name);
            if let Some(n) = same_name.filter(|n| n.value != o.value) {
                self.push(
                    ChangeKind::UnionMemberChanged,
                    format!("{name}.{}", n.name),
                    format!(
                        "member `{name}.{}` has discriminant {} now, it had {}",
                        n.name, n.value, o.value
                    ),
                    Side::New,
                    n.span,
                );
            }
            match new.members.iter().find(|m| m.value == o.value) {
                // The same member, or a rename: compare what it refers to.
                Some(n) if n.name == o.name || old_named(&n.name).is_none() => {
                    let (was, now) = (
                        member_identity(self.old, o.ty),
                        member_identity(self.new, n.ty),
                    );
                    if was != now {
                        self.push(
                            ChangeKind::UnionMemberChanged,
                            format!("{name}.{}", n.name),
                            format!(
                                "member `{name}.{}` (discriminant {}) refers to `{now}` now, it \
                                 referred to `{was}`: old messages hold `{was}` objects there",
                                n.name, n.value
                            ),
                            Side::New,
                            n.span,
                        );
                    }
                }
                _ if same_name.is_some() => {}
                _ => self.push(
                    ChangeKind::UnionMemberRemoved,
                    format!("{}.{}", old.info.name, o.name),
                    format!(
                        "member `{}.{}` (discriminant {}) was removed: old messages may still \
                         hold it",
                        old.info.name, o.name, o.value
                    ),
                    Side::Old,
                    o.span,
                ),
            }
        }
    }
}

/// An enum value as written: a number, or for `bit_flags` the mask in hex.
fn show_value(value: i128, bit_flags: bool) -> String {
    if bit_flags {
        format!("the mask {value:#x}")
    } else {
        value.to_string()
    }
}
