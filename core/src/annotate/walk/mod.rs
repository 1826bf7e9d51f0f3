//! The walk behind an annotation: from the message header through every object it reaches.
//!
//! Objects are visited from a work list, not by recursion, so no message can overflow the
//! stack. Each object is annotated once, and only when its reference is valid, its tag is the
//! one expected, its body lies inside the message and it overlaps no object already
//! annotated; otherwise the reference's line says why it was not followed. Nested messages
//! (`nested_flatbuffer`) are walked as messages of their own, inside their vector's body.
//! Whatever no line covers at the end is padding before an over-aligned body, or `unknown`
//! (`unreachable` when the message failed verification).

mod table;
mod values;

use std::collections::{BTreeMap, HashSet};

use super::text::{four_chars, offset_digits, offset_text};
use super::{BYTES_PER_LINE, Line};
use crate::layout::format::{
    COUNT_SIZE, FORMAT_VERSION, HEADER_FILE_IDENTIFIER, HEADER_FLAGS, HEADER_LENGTH, HEADER_MAGIC,
    HEADER_ROOT_REF, HEADER_ROOT_TAG, HEADER_VERSION, MAGIC, MESSAGE_ALIGN, MESSAGE_HEADER_SIZE,
    OBJECT_ALIGN, OBJECT_HEADER_SIZE, OBJECT_SIZE_OR_COUNT, OBJECT_TAG, REF_SIZE, align_up,
};
use crate::layout::{Layout, VectorId};
use crate::rt::Scalar as _;
use crate::schema::{EnumId, Schema, StructId, TableId, UnionId, UnionMemberType};

/// `bytes [a] to [b]`, or `byte [a]` when they are one.
fn span(a: usize, b: usize) -> String {
    if a == b {
        format!("byte [{a}]")
    } else {
        format!("bytes [{a}] to [{b}]")
    }
}

/// Nested messages deeper than this are shown as plain bytes.
const MAX_NESTED_LEVEL: usize = 64;

/// Annotates `bytes`; `invalid` says whether verification failed (uncovered bytes are then
/// `unreachable` rather than `unknown`).
pub(super) fn lines(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    invalid: bool,
) -> Vec<Line> {
    let mut w = Walker {
        schema,
        layout,
        bytes,
        lines: Vec::new(),
        windows: vec![Window {
            start: 0,
            end: bytes.len(),
            level: 0,
            parent: None,
            claims: BTreeMap::new(),
        }],
        visited: HashSet::new(),
        work: Vec::new(),
        current: 0,
        digits: offset_digits(bytes.len()),
    };
    let root = layout.tables.get(root.0 as usize).map(|_| root);
    w.message(0, root);
    while let Some(item) = w.work.pop() {
        w.current = item.window;
        w.object(item);
    }
    w.fill_gaps(invalid || root.is_none());
    w.lines.sort_by_key(|l| l.offset);
    w.lines
}

/// A message's byte range: the whole input, or a nested message inside a vector's body.
struct Window {
    start: usize,
    end: usize,
    /// 0 for the outermost message, 1 for a message nested in it, ...
    level: usize,
    /// The window this one is nested in.
    parent: Option<usize>,
    /// Objects annotated in this window, by start offset.
    claims: BTreeMap<usize, Claim>,
}

/// The bytes an annotated object occupies, header and padding included.
struct Claim {
    end: usize,
    body_align: u32,
    name: String,
}

/// An object to annotate, found through a reference.
struct Work {
    window: usize,
    at: usize,
    expect: Expect,
    /// The line of the reference, to say there why the object was not annotated.
    via: Option<usize>,
}

/// What a reference says its object is.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Table(TableId),
    String,
    Vector(VectorId, Context),
    /// A union member's object, by discriminant.
    Union(UnionId, u64),
}

/// What a vector's elements mean beyond their storage.
#[derive(Debug, Clone, Copy)]
enum Context {
    Plain,
    /// Elements of an enum type.
    Enum(EnumId),
    /// The discriminants of a vector of unions.
    UnionTypes(UnionId),
    /// The references of a vector of unions, with the body and count of its discriminants.
    UnionValues(UnionId, Option<(usize, usize)>),
    /// The bytes of a nested message.
    Nested(TableId),
}

/// What an object turned out to be, once its header was read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Table(TableId),
    String,
    Vector(VectorId, Context),
    Boxed(StructId),
    /// A union member this schema does not know: bounds only.
    Unknown,
}

/// What an object must look like.
struct Shape {
    /// The tag its header carries, or `None` for a count alone (strings, vectors of plain
    /// data).
    tag: Option<u32>,
    name: String,
    size_label: &'static str,
    body_len: u64,
    body_align: u32,
    kind: Kind,
}

/// Where a reference leads.
enum Followed {
    Null,
    At(usize),
    /// Not to an object: where it points and why that is not one.
    Bad(i64, &'static str),
}

/// One level of the walk through a struct's fields.
enum Frame {
    Struct {
        id: StructId,
        at: usize,
        prefix: String,
        next: usize,
        cursor: usize,
    },
    Array {
        id: StructId,
        at: usize,
        name: String,
        len: u32,
        stride: u32,
        next: u32,
    },
}

/// How a run of scalars is labelled: vector elements or a struct's fixed-size array.
#[derive(Clone, Copy)]
enum Elements<'n> {
    Vector,
    Array(&'n str),
}

/// The walk's state: the lines so far, the windows, the objects annotated and to annotate.
struct Walker<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a [u8],
    lines: Vec<Line>,
    windows: Vec<Window>,
    /// Objects annotated, by absolute offset.
    visited: HashSet<usize>,
    work: Vec<Work>,
    /// The window being annotated.
    current: usize,
    /// Hex digits of offsets.
    digits: usize,
}

impl Walker<'_> {
    /// The current window's range.
    fn bounds(&self) -> (usize, usize) {
        self.windows
            .get(self.current)
            .map_or((0, self.bytes.len()), |w| (w.start, w.end))
    }

    /// How deeply the current window is nested.
    fn level(&self) -> usize {
        self.windows.get(self.current).map_or(0, |w| w.level)
    }

    /// An offset as the dump writes it.
    fn offset(&self, at: i64) -> String {
        offset_text(at, self.digits)
    }

    /// Adds a line; nested messages' comments start with one `> ` per level.
    fn push(
        &mut self,
        at: usize,
        len: usize,
        kind: impl Into<String>,
        value: impl Into<String>,
        comment: impl Into<String>,
    ) -> usize {
        let comment = comment.into();
        let level = self.level();
        let comment = if level > 0 {
            format!("{}{comment}", "> ".repeat(level))
        } else {
            comment
        };
        self.lines.push(Line {
            offset: at,
            len,
            kind: kind.into(),
            value: value.into(),
            comment,
        });
        self.lines.len() - 1
    }

    /// Says on line `line` why the bytes are invalid there.
    fn note(&mut self, line: Option<usize>, problem: &str) {
        self.remark(line, &format!("invalid: {problem}"));
    }

    /// Adds `(text)` to the comment of line `line`.
    fn remark(&mut self, line: Option<usize>, text: &str) {
        if let Some(l) = line.and_then(|i| self.lines.get_mut(i)) {
            l.comment.push_str(" (");
            l.comment.push_str(text);
            l.comment.push(')');
        }
    }

    /// Lines for `start..end`, wrapped at multiples of 8 from the window's start.
    fn run(&mut self, start: usize, end: usize, kind: &str, comment: &str) {
        let (base, _) = self.bounds();
        let mut a = start;
        while a < end {
            let next = base + ((a.saturating_sub(base)) / BYTES_PER_LINE + 1) * BYTES_PER_LINE;
            let b = next.min(end);
            self.push(a, b - a, kind, "", comment);
            a = b;
        }
    }

    /// Padding lines; padding that is not zero says so.
    fn pad(&mut self, start: usize, end: usize, comment: &str) {
        self.zeros(start, end, "pad", comment);
    }

    /// Lines for bytes that must be zero; bytes that are not say so.
    fn zeros(&mut self, start: usize, end: usize, kind: &str, comment: &str) {
        let zero = self
            .bytes
            .get(start..end)
            .is_some_and(|b| b.iter().all(|&x| x == 0));
        if zero {
            self.run(start, end, kind, comment);
        } else {
            self.run(start, end, kind, &format!("{comment} (not zero)"));
        }
    }

    /// Where the reference at `at` leads, checked against the current window.
    fn follow(&self, at: usize) -> Followed {
        let (start, end) = self.bounds();
        let Some(value) = i32::read(self.bytes, at).filter(|_| at + 4 <= end) else {
            return Followed::Bad(at as i64, "the reference itself is cut off");
        };
        if value == 0 {
            return Followed::Null;
        }
        let target = at as i64 + i64::from(value);
        let relative = target - start as i64;
        if relative < 0 || target + i64::from(COUNT_SIZE) > end as i64 {
            Followed::Bad(target, "that is outside the message")
        } else if relative < i64::from(MESSAGE_HEADER_SIZE) {
            Followed::Bad(target, "that is inside the message header")
        } else if relative % i64::from(OBJECT_ALIGN) != 0 {
            Followed::Bad(target, "objects start at multiples of 4")
        } else {
            Followed::At(target as usize)
        }
    }

    /// A reference's line, labelled `what`; returns the line and where the reference leads.
    fn reference(&mut self, at: usize, kind: &str, what: &str) -> (usize, Followed) {
        let followed = self.follow(at);
        let raw = i32::read(self.bytes, at).unwrap_or(0);
        let (value, comment) = match &followed {
            Followed::Null => ("null".to_string(), format!("{what}: null")),
            Followed::At(t) => (
                format!("{raw:+}"),
                format!("{what} -> {}", self.offset(*t as i64)),
            ),
            Followed::Bad(t, problem) => (
                format!("{raw:+}"),
                format!("{what} -> {} (invalid: {problem})", self.offset(*t)),
            ),
        };
        let line = self.push(at, REF_SIZE as usize, kind, value, comment);
        (line, followed)
    }

    /// The message header of window `window`, and its root object queued.
    fn message(&mut self, window: usize, root: Option<TableId>) {
        let outer = self.current;
        self.current = window;
        let (start, end) = self.bounds();
        let len = end - start;
        let bytes = self.bytes;
        let field = |offset: u32, size: usize| {
            let at = start + offset as usize;
            bytes.get(at..at + size).filter(|_| at + size <= end)
        };
        let u16_field = |offset| field(offset, 2).and_then(|b| u16::read(b, 0));
        let u32_field = |offset| field(offset, 4).and_then(|b| u32::read(b, 0));
        let mut follow_root = true;
        match field(HEADER_MAGIC, 4) {
            Some(magic) => {
                let mut comment = "message header: magic".to_string();
                if magic != MAGIC {
                    comment.push_str(" (invalid: not `WEFT`, so not a weftbuf message)");
                    follow_root = false;
                }
                self.push(start, 4, "magic", four_chars(magic), comment);
            }
            None => follow_root = false,
        }
        match u16_field(HEADER_VERSION) {
            Some(version) => {
                let mut comment = "format version".to_string();
                if version != FORMAT_VERSION {
                    comment.push_str(&format!(
                        " (invalid: this reader reads version {FORMAT_VERSION})"
                    ));
                    follow_root = false;
                }
                let at = start + HEADER_VERSION as usize;
                self.push(at, 2, "u16", version.to_string(), comment);
            }
            None => follow_root = false,
        }
        if let Some(flags) = u16_field(HEADER_FLAGS) {
            let mut comment = "flags (reserved)".to_string();
            if flags != 0 {
                comment.push_str(" (invalid: unknown flags)");
            }
            let at = start + HEADER_FLAGS as usize;
            self.push(at, 2, "u16", flags.to_string(), comment);
        }
        if let Some(length) = u32_field(HEADER_LENGTH) {
            let mut comment = "message length".to_string();
            if length as usize != len {
                comment.push_str(&format!(" (invalid: the message is {len} bytes)"));
            } else if !len.is_multiple_of(MESSAGE_ALIGN as usize) {
                comment.push_str(" (invalid: not a multiple of 8)");
            }
            let at = start + HEADER_LENGTH as usize;
            self.push(at, 4, "u32", length.to_string(), comment);
        }
        let table = root.map(|r| self.layout.table(r));
        let at = start + HEADER_ROOT_TAG as usize;
        if let Some(tag) = u32_field(HEADER_ROOT_TAG) {
            let comment = match table {
                Some(t) if t.tag == tag => format!("root type tag: fnv1a32(\"{}\")", t.identity),
                Some(t) => format!(
                    "root type tag (invalid: not that of {}, 0x{:08x})",
                    t.name, t.tag
                ),
                None => "root type tag".to_string(),
            };
            self.push(at, 4, "u32", format!("0x{tag:08x}"), comment);
        }
        let at = start + HEADER_ROOT_REF as usize;
        if field(HEADER_ROOT_REF, 4).is_some() {
            let (line, followed) = self.reference(at, "i32", "root reference");
            match (followed, root) {
                (Followed::At(target), Some(root)) if follow_root => self.work.push(Work {
                    window,
                    at: target,
                    expect: Expect::Table(root),
                    via: Some(line),
                }),
                (Followed::Null, _) => self.note(Some(line), "a message has a root"),
                _ => {}
            }
        }
        let at = start + HEADER_FILE_IDENTIFIER as usize;
        if let Some(ident) = field(HEADER_FILE_IDENTIFIER, 4) {
            let comment = if ident == [0; 4] {
                "file identifier: none"
            } else {
                "file identifier"
            };
            self.push(at, 4, "[u8;4]", four_chars(ident), comment);
        }
        self.current = outer;
    }

    /// What an object of `expect` with size field `size` must look like.
    fn shape(&self, expect: Expect, size: u32) -> Shape {
        let layout = self.layout;
        let table = |t: TableId| {
            let tl = layout.table(t);
            Shape {
                tag: Some(tl.tag),
                name: tl.name.clone(),
                size_label: "body size",
                body_len: u64::from(size),
                body_align: tl.body_align,
                kind: Kind::Table(t),
            }
        };
        let string = || Shape {
            tag: None,
            name: "string".into(),
            size_label: "byte count",
            body_len: u64::from(size) + 1,
            body_align: OBJECT_ALIGN,
            kind: Kind::String,
        };
        match expect {
            Expect::Table(t) => table(t),
            Expect::String => string(),
            Expect::Vector(v, context) => {
                let vl = layout.vector(v);
                Shape {
                    tag: vl.tagged.then_some(vl.tag),
                    name: vl.identity.clone(),
                    size_label: "element count",
                    body_len: u64::from(size) * u64::from(vl.stride),
                    body_align: vl.body_align,
                    kind: Kind::Vector(v, context),
                }
            }
            Expect::Union(u, d) => {
                let member = self
                    .schema
                    .union_def(u)
                    .members
                    .iter()
                    .find(|m| m.value == d);
                match member.map(|m| m.ty) {
                    Some(UnionMemberType::Table(t)) => table(t),
                    Some(UnionMemberType::String) => string(),
                    Some(UnionMemberType::Struct(s)) => {
                        let sl = layout.struct_layout(s);
                        Shape {
                            tag: Some(sl.tag),
                            name: sl.name.clone(),
                            size_label: "body size",
                            body_len: u64::from(size),
                            body_align: sl.align.max(OBJECT_ALIGN),
                            kind: Kind::Boxed(s),
                        }
                    }
                    None => Shape {
                        tag: None,
                        name: format!(
                            "a member of {} this schema does not know ({d})",
                            layout.union_layout(u).name
                        ),
                        size_label: "body size",
                        body_len: u64::from(size),
                        body_align: OBJECT_ALIGN,
                        kind: Kind::Unknown,
                    },
                }
            }
        }
    }

    /// Annotates the object a reference leads to, if it is safe to.
    fn object(&mut self, item: Work) {
        let Work {
            at, expect, via, ..
        } = item;
        if let Expect::Union(u, d) = expect
            && self.union_member_name(Some(u), d) != "NONE"
            && !self
                .layout
                .union_layout(u)
                .members
                .iter()
                .any(|m| m.discriminant == d)
        {
            // Its type, and so its header, are unknown: nothing to read.
            self.remark(
                via,
                "not annotated: a union member this schema does not know",
            );
            return;
        }
        let tagged = self.shape(expect, 0).tag.is_some();
        let (tag, size_at, header_len) = if tagged {
            let (tag_at, size_at) = (at + OBJECT_TAG as usize, at + OBJECT_SIZE_OR_COUNT as usize);
            (u32::read(self.bytes, tag_at), size_at, OBJECT_HEADER_SIZE)
        } else {
            (None, at, COUNT_SIZE)
        };
        let Some(size) = u32::read(self.bytes, size_at) else {
            return;
        };
        let shape = self.shape(expect, size);
        if let (Some(expected), Some(found)) = (shape.tag, tag)
            && expected != found
        {
            let problem = format!("the object there has tag 0x{found:08x}, not {}", shape.name);
            self.note(via, &problem);
            return;
        }
        if self.visited.contains(&at) {
            return;
        }
        let (start, end) = self.bounds();
        let body = at + header_len as usize;
        let body_end = body as u64 + shape.body_len;
        if body_end > end as u64 {
            self.note(via, "the object's body runs past the end of the message");
            return;
        }
        let align = shape.body_align.max(OBJECT_ALIGN) as usize;
        if !(body - start).is_multiple_of(align) {
            self.note(via, &format!("the object's body is not {align}-aligned"));
            return;
        }
        if let Kind::Boxed(s) = shape.kind {
            let expected = self.layout.struct_layout(s).size;
            if size != expected {
                let problem = format!("a boxed {} has body size {expected}", shape.name);
                self.note(via, &problem);
                return;
            }
        }
        let body_end = body_end as usize;
        let extent = align_up((body_end - start) as u64, OBJECT_ALIGN)
            .map_or(end, |e| (start as u64 + e).min(end as u64) as usize);
        let overlap = self.windows.get(self.current).and_then(|w| {
            w.claims
                .range(..extent)
                .next_back()
                .filter(|(_, claim)| claim.end > at)
                .map(|(&other, _)| other)
        });
        if let Some(other) = overlap {
            let text = format!(
                "not annotated: the object overlaps the one at {}",
                self.offset(other as i64)
            );
            self.remark(via, &text);
            return;
        }
        if let Some(w) = self.windows.get_mut(self.current) {
            w.claims.insert(
                at,
                Claim {
                    end: extent,
                    body_align: shape.body_align,
                    name: shape.name.clone(),
                },
            );
        }
        self.visited.insert(at);
        let identity = match shape.kind {
            Kind::Table(t) => Some(&self.layout.table(t).identity),
            Kind::Boxed(s) => Some(&self.layout.struct_layout(s).identity),
            _ => None,
        };
        if let Some(tag) = tag {
            let header = match identity {
                Some(identity) if *identity != shape.name => format!(
                    "object header: tag of {} (its identity: {identity})",
                    shape.name
                ),
                _ => format!("object header: tag of {}", shape.name),
            };
            self.push(at, 4, "u32", format!("0x{tag:08x}"), header);
            self.push(size_at, 4, "u32", size.to_string(), shape.size_label);
        } else {
            let label = format!("{}: {}", shape.name, shape.size_label);
            self.push(size_at, 4, "u32", size.to_string(), &label);
        }
        match shape.kind {
            Kind::Table(t) => self.table(t, body, size),
            Kind::String => self.string(body, size as usize),
            Kind::Vector(v, context) => self.vector(v, context, body, size as usize),
            Kind::Boxed(s) => {
                let note = format!("(struct {}, boxed)", shape.name);
                self.structure(body, s, String::new(), Some(note));
            }
            Kind::Unknown => self.run(body, body_end, "[u8]", "the member's body, not read"),
        }
        self.pad(body_end, extent, "padding to 4");
    }

    /// The byte at `at` (0 when it is not there).
    fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    /// Bytes of union `u`'s discriminant (1 when the union is not known).
    fn discriminant_width(&self, union: Option<UnionId>) -> usize {
        union.map_or(1, |u| self.schema.union_def(u).underlying.size() as usize)
    }

    /// The discriminant of `union` at `at`, read unsigned (0 when it is not there).
    fn discriminant(&self, union: Option<UnionId>, at: usize) -> u64 {
        crate::rt::unsigned_at(self.bytes, at, self.discriminant_width(union)).unwrap_or(0)
    }

    /// The name of union member `d`, `NONE`, or what to say of an unknown member.
    fn union_member_name(&self, union: Option<UnionId>, d: u64) -> String {
        if d == 0 {
            return "NONE".into();
        }
        let found = union.and_then(|u| {
            self.layout
                .union_layout(u)
                .members
                .iter()
                .find(|m| m.discriminant == d)
        });
        match found {
            Some(m) => m.name.clone(),
            None => "a member this schema does not know".into(),
        }
    }

    /// Covers every byte no line covers yet: padding before an over-aligned body, else
    /// `unknown` (`unreachable` when the message is invalid), each in its innermost window.
    fn fill_gaps(&mut self, invalid: bool) {
        let mut covered: Vec<(usize, usize)> = self
            .lines
            .iter()
            .map(|l| (l.offset, l.offset + l.len))
            .collect();
        covered.sort_unstable();
        let mut gaps = Vec::new();
        let mut cursor = 0;
        for (start, end) in covered {
            if start > cursor {
                gaps.push((cursor, start));
            }
            cursor = cursor.max(end);
        }
        if cursor < self.bytes.len() {
            gaps.push((cursor, self.bytes.len()));
        }
        let starts: BTreeMap<usize, usize> = self
            .windows
            .iter()
            .enumerate()
            .map(|(i, w)| (w.start, i))
            .collect();
        let mut edges: Vec<usize> = self.windows.iter().flat_map(|w| [w.start, w.end]).collect();
        edges.sort_unstable();
        let (kind, comment) = if invalid {
            ("unreachable", "not annotated: the message is invalid")
        } else {
            ("unknown", "bytes no object accounts for")
        };
        for (gap_start, gap_end) in gaps {
            let mut a = gap_start;
            while a < gap_end {
                let next_edge = edges
                    .get(edges.partition_point(|&e| e <= a))
                    .map_or(gap_end, |&e| e.min(gap_end));
                self.current = self.innermost(&starts, a);
                let aligned = self
                    .windows
                    .get(self.current)
                    .and_then(|w| w.claims.get(&next_edge))
                    .map(|c| (c.body_align, c.name.clone()));
                let zero = self
                    .bytes
                    .get(a..next_edge)
                    .is_some_and(|b| b.iter().all(|&x| x == 0));
                let window_end = self.windows.get(self.current).map(|w| w.end);
                match aligned {
                    Some((align, name))
                        if zero && align > OBJECT_ALIGN && next_edge - a < align as usize =>
                    {
                        let text = format!("padding to align the body of {name} ({align})");
                        self.run(a, next_edge, "pad", &text);
                    }
                    None if zero
                        && window_end == Some(next_edge)
                        && next_edge - a < MESSAGE_ALIGN as usize =>
                    {
                        self.run(a, next_edge, "pad", "padding to the end of the message");
                    }
                    _ => self.run(a, next_edge, kind, comment),
                }
                a = next_edge;
            }
        }
    }

    /// The innermost window holding offset `at`.
    fn innermost(&self, starts: &BTreeMap<usize, usize>, at: usize) -> usize {
        let mut window = starts.range(..=at).next_back().map_or(0, |(_, &i)| i);
        while let Some(w) = self.windows.get(window) {
            if at < w.end {
                return window;
            }
            match w.parent {
                Some(parent) => window = parent,
                None => return window,
            }
        }
        0
    }
}
