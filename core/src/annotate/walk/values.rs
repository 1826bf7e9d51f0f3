//! Strings, vectors, runs of scalars and structs (walked with a stack, not recursion).

use std::collections::BTreeMap;

use super::MAX_NESTED_LEVEL;
use super::{Context, Elements, Expect, Followed, Frame, Walker, Window, Work, span};
use crate::annotate::BYTES_PER_LINE;
use crate::annotate::text::{Piece, enum_meaning, pieces, quoted, scalar_kind, scalar_value};
use crate::layout::format::{FORMAT_VERSION, HEADER_VERSION, MAGIC, MESSAGE_HEADER_SIZE};
use crate::layout::{Inline, RefTarget, Storage, VectorId};
use crate::rt::Scalar as _;
use crate::schema::{BaseType, EnumId, ScalarType, StructId};

impl Walker<'_> {
    /// A string's bytes and NUL: one line when they fit, else 8 bytes a line.
    pub(super) fn string(&mut self, body: usize, count: usize) {
        let text = self.bytes.get(body..body + count).unwrap_or_default();
        let nul = self.byte(body + count);
        let all = pieces(text);
        let total = count + 1;
        let nul_text = if nul == 0 {
            "a NUL not counted".to_string()
        } else {
            format!("0x{nul:02X} where the NUL must be (invalid)")
        };
        // Each line shows the characters that start in its bytes.
        let mut rest = all.as_slice();
        let mut a = 0;
        while a < total {
            let b = (a + BYTES_PER_LINE).min(total);
            let split = rest.partition_point(|(at, _)| *at < b);
            let (chunk, after) = rest.split_at(split);
            rest = after;
            let mut comment = if total <= BYTES_PER_LINE {
                format!("bytes, then {nul_text}")
            } else if b <= count {
                span(a, b - 1)
            } else if a < count {
                format!("{}, then {nul_text}", span(a, count - 1))
            } else {
                nul_text.clone()
            };
            if chunk.iter().any(|(_, p)| matches!(p, Piece::Invalid(_))) {
                comment.push_str(" (invalid: not UTF-8)");
            }
            self.push(body + a, b - a, "utf8", quoted(chunk), comment);
            a = b;
        }
    }

    /// A vector's elements.
    pub(super) fn vector(&mut self, v: VectorId, context: Context, body: usize, count: usize) {
        let vl = self.layout.vector(v);
        let stride = vl.stride as usize;
        match (context, vl.element) {
            (Context::UnionTypes(u), Storage::Scalar { scalar }) => {
                for i in 0..count {
                    let at = body + i * stride;
                    let d = self.discriminant(Some(u), at);
                    let comment = format!("[{i}]: {}", self.union_member_name(Some(u), d));
                    let shown =
                        scalar_value(self.bytes, at, scalar).map_or(d.to_string(), |(_, t)| t);
                    self.push(at, stride, scalar_kind(scalar), shown, comment);
                }
            }
            (Context::Nested(root), _) if self.nested_message(body, count) => {
                let window = self.windows.len();
                self.windows.push(Window {
                    start: body,
                    end: body + count,
                    level: self.level() + 1,
                    parent: Some(self.current),
                    claims: BTreeMap::new(),
                });
                self.message(window, Some(root));
            }
            (Context::Nested(_), Storage::Scalar { scalar }) => {
                // The header check above failed: say why on the element count's line.
                let count_line = self.lines.len().checked_sub(1);
                if self.level() >= MAX_NESTED_LEVEL {
                    self.remark(count_line, "a nested message too deep to annotate");
                } else {
                    self.note(count_line, "the bytes are not a weftbuf message");
                }
                self.scalars(body, count, scalar, stride, None, Elements::Vector);
            }
            (Context::UnionValues(u, types), Storage::Ref { .. }) => {
                let mut children = Vec::new();
                for i in 0..count {
                    let at = body + i * stride;
                    let d = types.filter(|&(_, n)| i < n).map(|(types_body, _)| {
                        let width = self.discriminant_width(Some(u));
                        self.discriminant(Some(u), types_body + i * width)
                    });
                    let what = match d {
                        Some(d) => format!("[{i}] ({})", self.union_member_name(Some(u), d)),
                        None => format!("[{i}]"),
                    };
                    let (line, followed) = self.reference(at, "ref", &what);
                    match (followed, d) {
                        (Followed::At(t), Some(d)) if d != 0 => children.push(Work {
                            window: self.current,
                            at: t,
                            expect: Expect::Union(u, d),
                            via: Some(line),
                        }),
                        (Followed::At(_), Some(_)) => {
                            self.note(Some(line), "the discriminant is NONE");
                        }
                        (Followed::At(_), None) | (Followed::Null, None) => {
                            self.note(Some(line), "no discriminant for this element");
                        }
                        (Followed::Null, Some(d)) if d != 0 => {
                            self.note(Some(line), "a union member needs its object");
                        }
                        _ => {}
                    }
                }
                self.work.extend(children.into_iter().rev());
            }
            (_, Storage::Scalar { scalar }) => {
                let e = match context {
                    Context::Enum(e) => Some(e),
                    _ => None,
                };
                self.scalars(body, count, scalar, stride, e, Elements::Vector);
            }
            (_, Storage::Struct { id }) => {
                for i in 0..count {
                    self.structure(body + i * stride, id, format!("[{i}]"), None);
                }
            }
            (_, Storage::Ref { target }) => {
                let mut children = Vec::new();
                for i in 0..count {
                    let (line, followed) =
                        self.reference(body + i * stride, "ref", &format!("[{i}]"));
                    let expect = match target {
                        RefTarget::String => Ok(Expect::String),
                        RefTarget::Table(t) => Ok(Expect::Table(t)),
                        RefTarget::Vector(v) => Ok(Expect::Vector(v, Context::Plain)),
                        RefTarget::Union(_) => Err("union elements need their discriminants"),
                    };
                    match (followed, expect) {
                        (Followed::At(t), Ok(expect)) => children.push(Work {
                            window: self.current,
                            at: t,
                            expect,
                            via: Some(line),
                        }),
                        (Followed::At(_), Err(problem)) => self.note(Some(line), problem),
                        (Followed::Null, _) => {
                            self.note(Some(line), "vectors cannot hold null");
                        }
                        _ => {}
                    }
                }
                self.work.extend(children.into_iter().rev());
            }
            (_, Storage::Array { .. }) => {
                self.run(body, body + count * stride, "[u8]", "elements");
            }
        }
    }

    /// Whether `count` bytes at `body` start like a message this reader reads.
    fn nested_message(&self, body: usize, count: usize) -> bool {
        count >= MESSAGE_HEADER_SIZE as usize
            && self.level() < MAX_NESTED_LEVEL
            && self.bytes.get(body..body + 4) == Some(&MAGIC[..])
            && u16::read(self.bytes, body + HEADER_VERSION as usize) == Some(FORMAT_VERSION)
    }

    /// `count` scalars of type `ty`, `stride` bytes apart from `at`: on one line when they
    /// fit in 8 bytes, 8 a line when they are bytes, else one a line.
    fn scalars(
        &mut self,
        at: usize,
        count: usize,
        ty: ScalarType,
        stride: usize,
        e: Option<EnumId>,
        labels: Elements<'_>,
    ) {
        let schema = self.schema;
        let bytes = self.bytes;
        let value = |i: usize| scalar_value(bytes, at + i * stride, ty);
        let meaning = |v| e.map(|e| enum_meaning(schema.enum_def(e), v));
        let group = |from: usize, to: usize| {
            let values: Vec<_> = (from..to).filter_map(value).collect();
            let text: Vec<&str> = values.iter().map(|(_, t)| t.as_str()).collect();
            let meanings: Vec<String> = values.iter().filter_map(|(v, _)| meaning(*v)).collect();
            (text.join(" "), meanings.join(", "))
        };
        let kind = |n: usize| match labels {
            Elements::Vector => format!("[{}]", scalar_kind(ty)),
            Elements::Array(_) => format!("[{};{n}]", scalar_kind(ty)),
        };
        if count == 0 {
            return;
        }
        if count * stride <= BYTES_PER_LINE || stride == 1 {
            let per_line = BYTES_PER_LINE / stride.max(1);
            let mut from = 0;
            while from < count {
                let to = (from + per_line).min(count);
                let (text, meanings) = group(from, to);
                let mut comment = match (labels, from == 0 && to == count) {
                    (Elements::Vector, true) => "elements".to_string(),
                    (Elements::Vector, false) => format!("elements [{from}] to [{}]", to - 1),
                    (Elements::Array(name), true) => format!("`{name}`"),
                    (Elements::Array(name), false) => format!("`{name}` [{from}] to [{}]", to - 1),
                };
                if !meanings.is_empty() {
                    comment.push_str(": ");
                    comment.push_str(&meanings);
                }
                self.push(
                    at + from * stride,
                    (to - from) * stride,
                    kind(to - from),
                    text,
                    comment,
                );
                from = to;
            }
            return;
        }
        for i in 0..count {
            let Some((v, text)) = value(i) else {
                return;
            };
            let mut comment = match labels {
                Elements::Vector => format!("[{i}]"),
                Elements::Array(name) => format!("`{name}[{i}]`"),
            };
            if let Some(m) = meaning(v) {
                comment.push_str(": ");
                comment.push_str(&m);
            }
            self.push(
                at + i * stride,
                ty.size() as usize,
                scalar_kind(ty),
                text,
                comment,
            );
        }
    }

    /// A struct at `at`, its fields named `prefix.field`; `note` ends the first line's
    /// comment. Nested structs and arrays of structs are walked with a stack, not recursion.
    pub(super) fn structure(
        &mut self,
        at: usize,
        id: StructId,
        prefix: String,
        note: Option<String>,
    ) {
        let layout = self.layout;
        let schema = self.schema;
        let join = |prefix: &str, name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else if name.starts_with('[') {
                format!("{prefix}{name}")
            } else {
                format!("{prefix}.{name}")
            }
        };
        let first_line = self.lines.len();
        let mut stack = vec![Frame::Struct {
            id,
            at,
            prefix,
            next: 0,
            cursor: at,
        }];
        while let Some(frame) = stack.last_mut() {
            match frame {
                Frame::Array {
                    id,
                    at,
                    name,
                    len,
                    stride,
                    next,
                } => {
                    if *next == *len {
                        let end = *at + (*len as usize) * (*stride as usize);
                        stack.pop();
                        if let Some(Frame::Struct { cursor, .. }) = stack.last_mut() {
                            *cursor = end;
                        }
                        continue;
                    }
                    let element = Frame::Struct {
                        id: *id,
                        at: *at + (*next as usize) * (*stride as usize),
                        prefix: format!("{name}[{next}]"),
                        next: 0,
                        cursor: *at + (*next as usize) * (*stride as usize),
                    };
                    *next += 1;
                    stack.push(element);
                }
                Frame::Struct {
                    id,
                    at,
                    prefix,
                    next,
                    cursor,
                } => {
                    let sl = layout.struct_layout(*id);
                    let Some(f) = sl.fields.get(*next) else {
                        let end = *at + sl.size as usize;
                        let (from, name) = (*cursor, prefix.clone());
                        stack.pop();
                        if from < end {
                            let comment = if name.is_empty() {
                                format!("padding to the end of {}", sl.name)
                            } else {
                                format!("padding to the end of `{name}`")
                            };
                            self.pad(from, end, &comment);
                        }
                        if let Some(Frame::Struct { cursor, .. }) = stack.last_mut() {
                            *cursor = end;
                        }
                        continue;
                    };
                    let enum_id = schema
                        .struct_def(*id)
                        .fields
                        .get(*next)
                        .filter(|d| d.name == f.name)
                        .and_then(|d| match d.ty.base() {
                            BaseType::Enum(e) => Some(e),
                            _ => None,
                        });
                    *next += 1;
                    let start = *at + f.offset as usize;
                    let name = join(prefix, &f.name);
                    let from = *cursor;
                    *cursor = start + f.size as usize;
                    if start > from {
                        let comment = format!("padding to align `{name}` ({})", f.align);
                        self.pad(from, start, &comment);
                    }
                    match f.storage {
                        Storage::Scalar { scalar } => {
                            let Some((value, text)) = scalar_value(self.bytes, start, scalar)
                            else {
                                continue;
                            };
                            let mut comment = format!("`{name}`");
                            if let Some(e) = enum_id {
                                comment.push_str(": ");
                                comment.push_str(&enum_meaning(schema.enum_def(e), value));
                            }
                            let size = scalar.size() as usize;
                            self.push(start, size, scalar_kind(scalar), text, comment);
                        }
                        Storage::Struct { id } => stack.push(Frame::Struct {
                            id,
                            at: start,
                            prefix: name,
                            next: 0,
                            cursor: start,
                        }),
                        Storage::Array {
                            element: Inline::Scalar { scalar },
                            len,
                            stride,
                        } => {
                            let labels = Elements::Array(&name);
                            self.scalars(
                                start,
                                len as usize,
                                scalar,
                                stride as usize,
                                enum_id,
                                labels,
                            );
                        }
                        Storage::Array {
                            element: Inline::Struct { id },
                            len,
                            stride,
                        } => stack.push(Frame::Array {
                            id,
                            at: start,
                            name,
                            len,
                            stride,
                            next: 0,
                        }),
                        Storage::Ref { .. } => {}
                    }
                }
            }
        }
        if let (Some(note), Some(line)) = (note, self.lines.get_mut(first_line)) {
            line.comment.push(' ');
            line.comment.push_str(&note);
        }
    }
}
