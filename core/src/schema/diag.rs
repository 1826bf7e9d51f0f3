//! Diagnostics in the `path:line:col: error: message` form, with the source line and a caret.

use std::fmt;
use std::path::PathBuf;

use super::source::{FileId, SourceMap, Span};

/// How many diagnostics one run reports before it stops adding more; hostile input
/// (a 10 MB file of garbage) would otherwise print megabytes of errors.
pub const MAX_DIAGNOSTICS: usize = 200;

/// One problem found in a schema, with its position already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it (empty when the problem has no file, e.g. a bad argument).
    pub path: PathBuf,
    /// 1-based line (0 when there is no position).
    pub line: u32,
    /// 1-based column in characters (0 when there is no position).
    pub col: u32,
    /// What is wrong, in one sentence without a trailing period.
    pub message: String,
    /// The source line the problem is on, shown under the message; a long line is clipped to
    /// a window around the problem, marked with `...`.
    pub source_line: String,
    /// 1-based column of the problem in `source_line` (differs from `col` in a clipped line).
    pub source_col: u32,
    /// How many characters the caret underlines (at least one).
    pub width: u32,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: error: {}", self.path.display(), self.message);
        }
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        // Keep tabs so the caret lines up under the same characters.
        let pad: String = self
            .source_line
            .chars()
            .take(self.source_col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "  {pad}{}", "^".repeat(self.width.max(1) as usize))
    }
}

/// The most characters of a source line a diagnostic shows: a longer line is shown as a
/// window around the problem, so a 10 MB one-line file is not copied into every diagnostic.
const MAX_SHOWN_CHARS: usize = 160;
/// How many characters before the problem a window of a long line starts.
const SHOWN_BEFORE: usize = 40;

/// The part of a source line a diagnostic shows.
struct ShownLine {
    text: String,
    /// 1-based column of the problem in `text`.
    col: u32,
    /// How many characters of the line's own text `text` has from `col` on.
    chars_from_col: u32,
}

/// What to show of `line` for a problem at byte `offset` of it, column `col`.
fn shown_line(line: &str, offset: usize, col: u32) -> ShownLine {
    if line.len() <= MAX_SHOWN_CHARS {
        let chars = line.chars().count() as u32;
        return ShownLine {
            text: line.to_string(),
            col,
            chars_from_col: chars.saturating_sub(col - 1),
        };
    }
    let offset = offset.min(line.len());
    let before = line.get(..offset).unwrap_or("");
    let start = before
        .char_indices()
        .rev()
        .take(SHOWN_BEFORE)
        .last()
        .map_or(offset, |(i, _)| i);
    let window: String = line
        .get(start..)
        .unwrap_or("")
        .chars()
        .take(MAX_SHOWN_CHARS)
        .collect();
    let chars_before = before.get(start..).map_or(0, |s| s.chars().count()) as u32;
    let window_chars = window.chars().count() as u32;
    let marker = if start > 0 { "..." } else { "" };
    let mut text = format!("{marker}{window}");
    if start + window.len() < line.len() {
        text.push_str("...");
    }
    ShownLine {
        text,
        col: chars_before + 1 + marker.len() as u32,
        chars_from_col: window_chars.saturating_sub(chars_before),
    }
}

/// All the problems one run found, in source order (file by file, in the order read).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.items, *.truncated))]
pub struct Diagnostics {
    /// The diagnostics.
    pub items: Vec<Diagnostic>,
    /// True when more problems were found than [`MAX_DIAGNOSTICS`].
    pub truncated: bool,
}

fn render(items: &[Diagnostic], truncated: bool) -> String {
    let mut out = String::new();
    for (i, d) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if truncated {
        out.push_str(&format!(
            "\nerror: too many errors; stopped after {MAX_DIAGNOSTICS}"
        ));
    }
    let n = items.len();
    out.push_str(&format!(
        "\n{n} error{} found",
        if n == 1 && !truncated { "" } else { "s" }
    ));
    out
}

impl Diagnostics {
    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Collects diagnostics, resolving each span against the source map as it is added.
#[derive(Debug, Default)]
pub(crate) struct Reporter {
    diagnostics: Diagnostics,
    /// Where each diagnostic of `diagnostics.items` is, to list them in source order at the
    /// end: `None` (no position) first, then by file (in the order read) and offset.
    positions: Vec<Option<(FileId, u32)>>,
}

impl Reporter {
    /// Reports `message` at `span`.
    pub(crate) fn error(&mut self, sources: &SourceMap, span: Span, message: impl Into<String>) {
        if self.is_full() {
            // Skip resolving the position: on a huge one-line file that alone copies the line.
            self.diagnostics.truncated = true;
            return;
        }
        let Some(file) = sources.get(span.file) else {
            self.push_plain(PathBuf::new(), message.into());
            return;
        };
        let pos = file.line_col(span.start);
        let line = file.line_text(pos.line);
        let in_line = (span.start as usize).saturating_sub(file.line_start(pos.line));
        let shown = shown_line(line, in_line, pos.col);
        let span_chars = file
            .text
            .get(span.start as usize..span.end as usize)
            .map_or(1, |s| {
                s.chars()
                    .take_while(|&c| c != '\n')
                    .take(MAX_SHOWN_CHARS)
                    .count() as u32
            });
        let width = span_chars.min(shown.chars_from_col).max(1);
        self.push(
            Some((span.file, span.start)),
            Diagnostic {
                path: file.path.clone(),
                line: pos.line,
                col: pos.col,
                message: message.into(),
                source_line: shown.text,
                source_col: shown.col,
                width,
            },
        );
    }

    /// Reports a problem that has no position in a schema (a file that cannot be read).
    pub(crate) fn push_plain(&mut self, path: PathBuf, message: String) {
        self.push(
            None,
            Diagnostic {
                path,
                line: 0,
                col: 0,
                message,
                source_line: String::new(),
                source_col: 0,
                width: 0,
            },
        );
    }

    fn is_full(&self) -> bool {
        self.diagnostics.items.len() >= MAX_DIAGNOSTICS
    }

    fn push(&mut self, position: Option<(FileId, u32)>, diagnostic: Diagnostic) {
        if self.is_full() {
            self.diagnostics.truncated = true;
        } else {
            self.diagnostics.items.push(diagnostic);
            self.positions.push(position);
        }
    }

    /// True when anything was reported.
    pub(crate) fn has_errors(&self) -> bool {
        !self.diagnostics.items.is_empty()
    }

    /// Ends collection, listing the diagnostics in source order (checks run by phase, so
    /// the order found jumps around the file). The sort is stable: problems at one position
    /// keep the order found.
    pub(crate) fn finish(self) -> Diagnostics {
        let Diagnostics { items, truncated } = self.diagnostics;
        let mut keyed: Vec<_> = self.positions.into_iter().zip(items).collect();
        keyed.sort_by_key(|(position, _)| *position);
        Diagnostics {
            items: keyed.into_iter().map(|(_, d)| d).collect(),
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::source::SourceMap;

    #[test]
    fn renders_position_line_and_caret() {
        let mut sources = SourceMap::default();
        let file = sources.add("s.fbs".into(), "table T {\n  a: Foo;\n}\n".into());
        let mut reporter = Reporter::default();
        reporter.error(&sources, Span::new(file, 15, 18), "unknown type `Foo`");
        let text = reporter.finish().to_string();
        assert_eq!(
            text,
            "s.fbs:2:6: error: unknown type `Foo`\n    a: Foo;\n       ^^^\n1 error found"
        );
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_problem() {
        let mut sources = SourceMap::default();
        let line = format!("{}Foo{}", "x ".repeat(5_000), " y".repeat(5_000));
        let file = sources.add("s.fbs".into(), line);
        let mut reporter = Reporter::default();
        reporter.error(
            &sources,
            Span::new(file, 10_000, 10_003),
            "unknown type `Foo`",
        );
        let diagnostics = reporter.finish();
        let d = &diagnostics.items[0];
        assert_eq!((d.line, d.col), (1, 10_001));
        assert!(d.source_line.len() < 200, "{}", d.source_line);
        assert!(d.source_line.starts_with("...x x") && d.source_line.ends_with("..."));
        let text = d.to_string();
        let lines: Vec<&str> = text.lines().collect();
        let caret = lines[2].find('^').expect("caret");
        assert_eq!(lines[1].get(caret..caret + 3), Some("Foo"), "{text}");
        assert!(lines[2].ends_with("^^^"), "{text}");
    }

    #[test]
    fn diagnostics_are_sorted_by_position() {
        let mut sources = SourceMap::default();
        let file = sources.add("s.fbs".into(), "ab\ncd\n".into());
        let mut reporter = Reporter::default();
        reporter.error(&sources, Span::new(file, 3, 4), "second");
        reporter.error(&sources, Span::new(file, 0, 1), "first");
        reporter.push_plain("other.fbs".into(), "no position".into());
        let messages: Vec<String> = reporter
            .finish()
            .items
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(messages, ["no position", "first", "second"]);
    }
}
