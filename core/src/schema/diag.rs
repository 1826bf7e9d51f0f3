//! Diagnostics in the `path:line:col: error: message` form, with the source line and a caret.

use std::fmt;
use std::path::PathBuf;

use super::source::{SourceMap, Span};

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
    /// The source line the problem is on, shown under the message.
    pub source_line: String,
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
            .take(self.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "  {pad}{}", "^".repeat(self.width.max(1) as usize))
    }
}

/// All the problems one run found, in the order found.
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
}

impl Reporter {
    /// Reports `message` at `span`.
    pub(crate) fn error(&mut self, sources: &SourceMap, span: Span, message: impl Into<String>) {
        let Some(file) = sources.get(span.file) else {
            self.push_plain(PathBuf::new(), message.into());
            return;
        };
        let pos = file.line_col(span.start);
        let source_line = file.line_text(pos.line).to_string();
        let line_chars = source_line.chars().count() as u32;
        let span_chars = file
            .text
            .get(span.start as usize..span.end as usize)
            .map_or(1, |s| s.chars().take_while(|&c| c != '\n').count() as u32);
        let width = span_chars
            .min(line_chars.saturating_sub(pos.col - 1))
            .max(1);
        self.push(Diagnostic {
            path: file.path.clone(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
            source_line,
            width,
        });
    }

    /// Reports a problem that has no position in a schema (a file that cannot be read).
    pub(crate) fn push_plain(&mut self, path: PathBuf, message: String) {
        self.push(Diagnostic {
            path,
            line: 0,
            col: 0,
            message,
            source_line: String::new(),
            width: 0,
        });
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        if self.diagnostics.items.len() >= MAX_DIAGNOSTICS {
            self.diagnostics.truncated = true;
        } else {
            self.diagnostics.items.push(diagnostic);
        }
    }

    /// True when anything was reported.
    pub(crate) fn has_errors(&self) -> bool {
        !self.diagnostics.items.is_empty()
    }

    /// Ends collection.
    pub(crate) fn finish(self) -> Diagnostics {
        self.diagnostics
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
}
