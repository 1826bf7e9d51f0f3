//! Annotated hex dumps of messages, byte by byte with field names, in the style of
//! `docs/layout.md` section 12 (and of flatc's `--annotate`):
//!
//! ```text
//! +0x0010 | 08 00 00 00             | i32    | +8         | root reference -> 0x0018
//! ```
//!
//! Every byte of the message is covered by exactly one line, in offset order: the message
//! header, each object's header, table members, struct fields, vector elements, string bytes,
//! padding (`pad`), and bytes no object accounts for (`unknown`). The bytes are verified first;
//! when they are invalid the walk still annotates what it can reach safely (every read is
//! bounds-checked, every reference checked before it is followed, every object annotated once)
//! and marks the rest `unreachable`. Offsets, sizes and tags all come from the [`Layout`].

mod text;
mod walk;

use std::fmt;

use crate::layout::Layout;
use crate::message::{Limits, VerifyError, verify};
use crate::schema::{Schema, TableId};

/// The widest a line's bytes column gets: longer runs wrap onto more lines.
pub const BYTES_PER_LINE: usize = 8;

/// One line of an annotated dump: a run of at most [`BYTES_PER_LINE`] bytes and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Offset of the first byte from the start of the (outermost) message.
    pub offset: usize,
    /// How many bytes the line covers (1 to [`BYTES_PER_LINE`]).
    pub len: usize,
    /// How the bytes are read: `u32`, `f32`, `ref`, `utf8`, `[u8]`, `pad`, `unknown`, ...
    pub kind: String,
    /// The value the bytes hold, when that means something (`+8`, `1.5`, `"hi"`).
    pub value: String,
    /// What the bytes are: `` `hp` ``, `object header: tag of example.Point`, ...
    pub comment: String,
}

/// A message annotated byte by byte: [`Line`]s covering every byte once, in offset order.
#[derive(Debug, Clone)]
pub struct Annotation<'a> {
    bytes: &'a [u8],
    lines: Vec<Line>,
    error: Option<VerifyError>,
}

impl<'a> Annotation<'a> {
    /// The lines, in offset order; together they cover every byte exactly once.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Why the bytes failed verification, or `None` when they are a valid message.
    pub fn error(&self) -> Option<&VerifyError> {
        self.error.as_ref()
    }

    /// The annotated bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The dump as text, one line per [`Line`], each ending in a newline. The kind and value
    /// columns are as wide as their widest entry (at least 6 and 10 characters), except that
    /// entries wider than 12 and 24 characters stick out instead of widening every line.
    pub fn render(&self) -> String {
        let kind_width = column_width(self.lines.iter().map(|l| &l.kind), 6, 12);
        let value_width = column_width(self.lines.iter().map(|l| &l.value), 10, 24);
        let offset_width = text::offset_digits(self.bytes.len());
        let bytes_width = BYTES_PER_LINE * 3 - 1;
        let mut out = String::new();
        for line in &self.lines {
            let end = line.offset.saturating_add(line.len);
            let hex = self
                .bytes
                .get(line.offset..end)
                .map(text::hex_bytes)
                .unwrap_or_default();
            let row = format!(
                "+0x{:0offset_width$X} | {hex:<bytes_width$} | {:<kind_width$} | {:<value_width$} | {}",
                line.offset, line.kind, line.value, line.comment
            );
            out.push_str(row.trim_end());
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Annotation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// The width of a column: its widest entry no wider than `cap`, and at least `min`.
fn column_width<'s>(entries: impl Iterator<Item = &'s String>, min: usize, cap: usize) -> usize {
    entries
        .map(|e| e.chars().count())
        .filter(|&w| w <= cap)
        .fold(min, usize::max)
}

/// Annotates `bytes` as a message whose root is a `root` table. Never fails: invalid bytes
/// are annotated as far as they can be reached safely, and [`Annotation::error`] says why
/// they are invalid.
pub fn annotate<'a>(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &'a [u8],
) -> Annotation<'a> {
    let error = match layout.tables.get(root.0 as usize) {
        Some(_) => verify(schema, layout, root, bytes, &Limits::default()).err(),
        None => None,
    };
    let lines = walk::lines(schema, layout, root, bytes, error.is_some());
    Annotation {
        bytes,
        lines,
        error,
    }
}

#[cfg(test)]
mod tests;
