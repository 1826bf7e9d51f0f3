//! Schema source files and positions inside them.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A range of `file` from `start` to `end` (byte offsets).
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: saturate(start),
            end: saturate(end),
        }
    }

    /// The smallest range covering both spans (which must share a file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn saturate(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// A 1-based line and column (columns count characters, a tab counts as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// One loaded schema file: its path as the user named it and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown in diagnostics.
    pub path: PathBuf,
    /// The file's UTF-8 text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Wraps `text`, indexing its line starts once so positions resolve in O(log n).
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| saturate(i + 1)),
        );
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// The line and column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let line_index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(line_start..end)
            .map_or(0, |prefix| prefix.chars().count());
        LineCol {
            line: saturate(line_index + 1),
            col: saturate(col + 1),
        }
    }

    /// The byte offset where 1-based `line` starts (the end of the text past the last line).
    pub(crate) fn line_start(&self, line: u32) -> usize {
        let index = (line as usize).saturating_sub(1);
        self.line_starts
            .get(index)
            .map_or(self.text.len(), |&start| start as usize)
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let index = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(index) else {
            return "";
        };
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next as usize);
        self.text
            .get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Every file read while compiling a schema, in the order first read.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(saturate(self.files.len()));
        self.files.push(SourceFile::new(path, text));
        id
    }

    /// The file behind `id`.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The path of `id`'s file, or an empty path for an unknown id.
    pub fn path(&self, id: FileId) -> &Path {
        self.get(id).map_or(Path::new(""), |f| f.path.as_path())
    }

    /// All files, in the order they were read.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(saturate(i)), f))
    }

    /// The line and column where `span` starts.
    pub fn line_col(&self, span: Span) -> LineCol {
        self.get(span.file)
            .map_or(LineCol { line: 0, col: 0 }, |f| f.line_col(span.start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let file = SourceFile::new("a.fbs".into(), "ab\n\u{e9}x\n".into());
        assert_eq!(file.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, col: 1 });
        // 'x' follows a two-byte character: byte 5, column 2.
        assert_eq!(file.line_col(5), LineCol { line: 2, col: 2 });
        assert_eq!(file.line_text(2), "\u{e9}x");
        assert_eq!(file.line_text(9), "");
    }
}
