//! Table rules: fields matched by id, their types, presence and defaults, and the layout
//! safety net.

use super::{ChangeKind, Compare, Side};
use crate::layout::{TableLayout, takes_gaps};
use crate::schema::{BaseType, DefaultValue, Presence, TableField, TableId, Type};

impl Compare<'_> {
    /// Compares two tables of the same identity, field by field.
    pub(super) fn tables(&mut self, old_id: TableId, new_id: TableId) {
        let (old, new) = (self.old.table_def(old_id), self.new.table_def(new_id));
        let table = new.info.name.dotted();
        let new_named = |name: &str| new.fields.iter().find(|f| f.name == name);
        let old_named = |name: &str| old.fields.iter().find(|f| f.name == name);

        // A field that kept its name but not its id.
        for o in &old.fields {
            if let Some(n) = new_named(&o.name).filter(|n| n.id != o.id) {
                self.push(
                    ChangeKind::FieldIdChanged,
                    format!("{table}.{}", n.name),
                    format!(
                        "field `{table}.{}` has id {} now, it had id {}: fields are matched by \
                         id, so its bytes moved",
                        n.name, n.id, o.id
                    ),
                    Side::New,
                    n.span,
                );
            }
        }

        for (oi, o) in old.fields.iter().enumerate() {
            let moved_away = new_named(&o.name).is_some();
            match new.fields.iter().enumerate().find(|(_, n)| n.id == o.id) {
                // The same field, or a rename: the new name is not an old field's.
                Some((ni, n)) if n.name == o.name || old_named(&n.name).is_none() => {
                    let moved = self.value_moved((old_id, oi), (new_id, ni));
                    self.field(&table, o, n, moved);
                }
                // Another field moved into this id, or the id is gone.
                _ if moved_away => {}
                _ => self.push(
                    ChangeKind::FieldRemoved,
                    format!("{}.{}", old.info.name, o.name),
                    format!(
                        "field `{}.{}` (id {}) was removed: deprecate it instead, so its id \
                         stays taken",
                        old.info.name, o.name, o.id
                    ),
                    Side::Old,
                    o.span,
                ),
            }
        }

        // New fields: appending is compatible unless the field is required.
        let last_old_id = old.fields.iter().map(|f| f.id).max();
        for n in &new.fields {
            let appended = last_old_id.is_none_or(|last| n.id > last);
            if appended && n.presence == Presence::Required && old_named(&n.name).is_none() {
                self.push(
                    ChangeKind::RequiredAdded,
                    format!("{table}.{}", n.name),
                    format!(
                        "new field `{table}.{}` is required: messages written with the old \
                         schema do not have it",
                        n.name
                    ),
                    Side::New,
                    n.span,
                );
            }
        }
    }

    /// Whether the value member of field `oi` of old table `old_id` sits elsewhere than that
    /// of field `ni` of new table `new_id`.
    fn value_moved(&self, (old_id, oi): (TableId, usize), (new_id, ni): (TableId, usize)) -> bool {
        let (Some(old_layout), Some(new_layout)) = (&self.old_layout, &self.new_layout) else {
            return false;
        };
        let offset = |t: &TableLayout, i: usize| {
            let f = t.fields.get(i)?;
            t.members.get(f.value_member as usize).map(|m| m.offset)
        };
        offset(old_layout.table(old_id), oi) != offset(new_layout.table(new_id), ni)
    }

    /// Compares the old and new field that share an id; `moved` when its value is at another
    /// offset in the new layout.
    fn field(&mut self, table: &str, o: &TableField, n: &TableField, moved: bool) {
        let subject = format!("{table}.{}", n.name);
        let was = if o.name == n.name {
            String::new()
        } else {
            format!(" (it was `{}`)", o.name)
        };
        let (old_ty, new_ty) = (self.old.type_name(o.ty), self.new.type_name(n.ty));
        if is_union_vector_switch(o.ty, n.ty) {
            self.push(
                ChangeKind::UnionVectorChanged,
                subject.clone(),
                format!(
                    "field `{subject}`{was} is `{new_ty}` now, it was `{old_ty}`: a union and a \
                     vector of unions have different members"
                ),
                Side::New,
                n.span,
            );
            return;
        }
        if !self.same_type(o.ty, n.ty) {
            self.push(
                ChangeKind::FieldTypeChanged,
                subject.clone(),
                format!("field `{subject}`{was} is {}", self.type_change(o.ty, n.ty)),
                Side::New,
                n.span,
            );
            return;
        }
        let is_struct = matches!(n.ty, Type::Base(BaseType::Struct(_)));
        let presence_byte = |gains: bool| match (is_struct, gains) {
            (false, _) => "",
            (true, true) => ", and it gains a presence byte",
            (true, false) => ", and it loses its presence byte",
        };
        match (o.presence, n.presence) {
            (a, b) if a == b => {}
            (_, Presence::Required) => self.push(
                ChangeKind::RequiredAdded,
                subject.clone(),
                format!(
                    "field `{subject}`{was} is required now: messages written with the old \
                     schema may lack it{}",
                    presence_byte(false)
                ),
                Side::New,
                n.span,
            ),
            (Presence::Required, _) => self.push(
                ChangeKind::RequiredRemoved,
                subject.clone(),
                format!(
                    "field `{subject}`{was} is no longer required: readers of the old schema \
                     reject messages that lack it{}",
                    presence_byte(true)
                ),
                Side::New,
                n.span,
            ),
            (_, now) => self.push(
                ChangeKind::PresenceChanged,
                subject.clone(),
                if now == Presence::Optional {
                    format!(
                        "field `{subject}`{was} is optional (`= null`) now: it gains a presence \
                         byte, which moves the fields after it"
                    )
                } else {
                    format!(
                        "field `{subject}`{was} is no longer optional (`= null`): it loses its \
                         presence byte, which moves the fields after it"
                    )
                },
                Side::New,
                n.span,
            ),
        }
        if o.presence == n.presence
            && !same_default(&o.default, &n.default)
            && takes_gaps(o) != takes_gaps(n)
            && moved
        {
            self.push(
                ChangeKind::DefaultMovesField,
                subject.clone(),
                format!(
                    "the default of `{subject}`{was} is {} now, it was {}: a field whose \
                     default is zero may fill a gap in the body and any other goes at the end \
                     (docs/layout.md, section 8), so its bytes move",
                    show_default(&n.default),
                    show_default(&o.default)
                ),
                Side::New,
                n.span,
            );
        } else if o.presence == n.presence && !same_default(&o.default, &n.default) {
            self.push(
                ChangeKind::DefaultChanged,
                subject.clone(),
                format!(
                    "the default of `{subject}`{was} is {} now, it was {}: a message whose \
                     writer dropped the field as a trailing default reads the new one",
                    show_default(&n.default),
                    show_default(&o.default)
                ),
                Side::New,
                n.span,
            );
        }
    }

    /// The safety net: the old table's members must be a prefix of the new one's.
    pub(super) fn table_layouts(&mut self, old_id: TableId, new_id: TableId) {
        let (Some(old_layout), Some(new_layout)) = (&self.old_layout, &self.new_layout) else {
            return;
        };
        let (old, new) = (old_layout.table(old_id), new_layout.table(new_id));
        if let Some(problem) = layout_difference(old, new) {
            let def = &self.new.table_def(new_id).info;
            self.push(
                ChangeKind::TableLayoutChanged,
                def.name.dotted(),
                format!("the members of table `{}` moved: {problem}", def.name),
                Side::New,
                def.span,
            );
        }
    }
}

/// The first member of `old` that `new` does not have at the same place, described; `None`
/// when `old`'s members are a prefix of `new`'s.
pub(super) fn layout_difference(old: &TableLayout, new: &TableLayout) -> Option<String> {
    for (i, o) in old.members.iter().enumerate() {
        let Some(n) = new.members.get(i) else {
            return Some(format!("member `{}` is gone", o.name));
        };
        if (o.offset, o.size, o.align, o.role) != (n.offset, n.size, n.align, n.role) {
            return Some(format!(
                "member {i} (`{}`) is {} bytes at offset {} now, it was `{}`, {} bytes at \
                 offset {}",
                n.name, n.size, n.offset, o.name, o.size, o.offset
            ));
        }
    }
    None
}

/// A union field became a vector of unions or the other way round.
fn is_union_vector_switch(a: Type, b: Type) -> bool {
    matches!(
        (a, b),
        (
            Type::Base(BaseType::Union(_)),
            Type::Vector(BaseType::Union(_))
        ) | (
            Type::Vector(BaseType::Union(_)),
            Type::Base(BaseType::Union(_))
        )
    )
}

/// Defaults compare by value; a NaN default equals a NaN default.
pub(super) fn same_default(a: &DefaultValue, b: &DefaultValue) -> bool {
    match (a, b) {
        (DefaultValue::Float(x), DefaultValue::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

/// A default as a schema would write it.
fn show_default(value: &DefaultValue) -> String {
    match value {
        DefaultValue::None => "none".into(),
        DefaultValue::Integer(v) => v.to_string(),
        DefaultValue::Float(v) => v.to_string(),
        DefaultValue::String(s) => format!("{s:?}"),
        DefaultValue::EmptyVector => "[]".into(),
    }
}
