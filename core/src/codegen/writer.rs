//! Text with indentation, for every printer: lines at the current depth, and blocks that
//! indent what they hold. Empty lines stay empty (no trailing spaces).

use std::fmt::Write as _;

/// Four spaces per level.
const INDENT: &str = "    ";

/// A text being printed, one level of indentation per open block.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// An empty text at depth 0.
    pub(crate) fn new() -> Writer {
        Writer::default()
    }

    /// `text` as one line at the current depth; several when it holds newlines, each
    /// indented.
    pub(crate) fn line(&mut self, text: impl AsRef<str>) {
        for line in text.as_ref().split('\n') {
            if !line.is_empty() {
                for _ in 0..self.depth {
                    self.out.push_str(INDENT);
                }
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    /// An empty line.
    pub(crate) fn blank(&mut self) {
        self.out.push('\n');
    }

    /// `head {`, what `body` writes one level deeper, then `}`.
    pub(crate) fn block(&mut self, head: impl AsRef<str>, body: impl FnOnce(&mut Writer)) {
        self.block_then(head, "", body);
    }

    /// [`Writer::block`] with `tail` right after the closing brace (`;`, `)`, ...).
    pub(crate) fn block_then(
        &mut self,
        head: impl AsRef<str>,
        tail: &str,
        body: impl FnOnce(&mut Writer),
    ) {
        let head = head.as_ref();
        if head.is_empty() {
            self.line("{");
        } else {
            self.line(format!("{head} {{"));
        }
        self.indented(body);
        self.line(format!("}}{tail}"));
    }

    /// What `body` writes, one level deeper.
    pub(crate) fn indented(&mut self, body: impl FnOnce(&mut Writer)) {
        self.depth += 1;
        body(self);
        self.depth -= 1;
    }

    /// Appends text another writer made, indented to this one's depth.
    pub(crate) fn append(&mut self, text: &str) {
        let text = text.strip_suffix('\n').unwrap_or(text);
        if !text.is_empty() {
            self.line(text);
        }
    }

    /// `///` lines for `doc` (the schema's `///` text, each line after the slashes), or one
    /// line of `fallback` when there are none: every generated public item has a doc.
    pub(crate) fn doc_or(&mut self, doc: &[String], fallback: &str) {
        if doc.is_empty() {
            self.line(format!("/// {fallback}"));
        } else {
            self.doc(doc);
        }
    }

    /// `///` lines for `doc`, nothing when there are none.
    pub(crate) fn doc(&mut self, doc: &[String]) {
        for line in doc {
            let mut text = String::from("///");
            let _ = write!(text, "{}", line.trim_end());
            self.line(text);
        }
    }

    /// Appends `text` to the last line written (before its newline).
    pub(crate) fn extend_last(&mut self, text: &str) {
        let newline = self.out.ends_with('\n');
        if newline {
            self.out.pop();
        }
        self.out.push_str(text);
        if newline {
            self.out.push('\n');
        }
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// `base`, or `base + offset` (an offset of 0 adds nothing).
pub(crate) fn plus(base: &str, offset: u32) -> String {
    if offset == 0 {
        base.to_string()
    } else {
        format!("{base} + {offset}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_indent_what_they_hold_and_blank_lines_stay_empty() {
        let mut w = Writer::new();
        w.block("impl T", |w| {
            w.line("const A: u8 = 1;");
            w.blank();
            w.block_then("fn f()", ";", |w| w.line("x\ny"));
        });
        assert_eq!(
            w.finish(),
            "impl T {\n    const A: u8 = 1;\n\n    fn f() {\n        x\n        y\n    };\n}\n"
        );
        assert_eq!(
            (plus("body", 0), plus("body", 8)),
            ("body".into(), "body + 8".into())
        );
    }
}
