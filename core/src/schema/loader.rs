//! Reads schema files and follows their includes.
//!
//! Every file is read once (found again through an include, it is skipped, as flatc does), so
//! include cycles end. Included files come before the file that includes them, which is the
//! order flatc declares them in. The walk keeps an explicit stack: a long include chain cannot
//! overflow the call stack.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ast::ParsedFile;
use super::diag::Reporter;
use super::parser::parse;
use super::source::{SourceMap, Span};

/// The largest schema file read, in bytes. Real schemas are far smaller; the cap keeps a
/// mistaken argument (a multi-gigabyte data file) from exhausting memory.
pub const MAX_SCHEMA_FILE_BYTES: u64 = 64 << 20;

/// A parsed file and whether the user named it directly (as opposed to an include).
pub(crate) struct LoadedFile {
    pub(crate) parsed: ParsedFile,
    pub(crate) is_root: bool,
}

/// Where a file's text comes from.
pub(crate) enum Origin<'a> {
    Disk(&'a Path),
    Memory { name: &'a str, text: &'a str },
}

struct Frame {
    dir: PathBuf,
    parsed: ParsedFile,
    next_include: usize,
    is_root: bool,
}

/// Loads `roots` and everything they include, reporting unreadable and malformed files.
pub(crate) fn load(
    roots: &[Origin<'_>],
    include_dirs: &[PathBuf],
    sources: &mut SourceMap,
    reporter: &mut Reporter,
) -> Vec<LoadedFile> {
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut order = Vec::new();
    for root in roots {
        let frame = match root {
            Origin::Disk(path) => {
                let key = canonical(path);
                if !seen.insert(key) {
                    continue;
                }
                match read(path) {
                    Ok(text) => open(sources, reporter, path.to_path_buf(), text, true),
                    Err(message) => {
                        reporter.push_plain(path.to_path_buf(), message);
                        continue;
                    }
                }
            }
            Origin::Memory { name, text } => {
                seen.insert(PathBuf::from(name));
                open(
                    sources,
                    reporter,
                    PathBuf::from(name),
                    (*text).to_string(),
                    true,
                )
            }
        };
        walk(
            frame,
            include_dirs,
            &mut seen,
            sources,
            reporter,
            &mut order,
        );
    }
    order
}

fn walk(
    root: Frame,
    include_dirs: &[PathBuf],
    seen: &mut HashSet<PathBuf>,
    sources: &mut SourceMap,
    reporter: &mut Reporter,
    order: &mut Vec<LoadedFile>,
) {
    let mut stack = vec![root];
    while let Some(top) = stack.last_mut() {
        let Some(include) = top.parsed.includes.get(top.next_include).cloned() else {
            if let Some(done) = stack.pop() {
                order.push(LoadedFile {
                    parsed: done.parsed,
                    is_root: done.is_root,
                });
            }
            continue;
        };
        top.next_include += 1;
        let Some(found) = find_include(&include.path, &top.dir, include_dirs) else {
            report_missing(
                sources,
                reporter,
                include.span,
                &include.path,
                &top.dir,
                include_dirs,
            );
            continue;
        };
        if !seen.insert(canonical(&found)) {
            continue;
        }
        match read(&found) {
            Ok(text) => {
                let frame = open(sources, reporter, found, text, false);
                stack.push(frame);
            }
            Err(message) => reporter.error(
                sources,
                include.span,
                format!("cannot include `{}`: {message}", include.path),
            ),
        }
    }
}

fn open(
    sources: &mut SourceMap,
    reporter: &mut Reporter,
    path: PathBuf,
    text: String,
    is_root: bool,
) -> Frame {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let file = sources.add(path, text);
    let text = sources.get(file).map_or("", |f| f.text.as_str());
    let (parsed, errors) = parse(file, text);
    for e in errors {
        reporter.error(sources, e.span, e.message);
    }
    Frame {
        dir,
        parsed,
        next_include: 0,
        is_root,
    }
}

/// The include's path relative to the including file's folder, else to each `-I` folder.
fn find_include(name: &str, from_dir: &Path, include_dirs: &[PathBuf]) -> Option<PathBuf> {
    std::iter::once(from_dir)
        .chain(include_dirs.iter().map(PathBuf::as_path))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn report_missing(
    sources: &SourceMap,
    reporter: &mut Reporter,
    span: Span,
    name: &str,
    from_dir: &Path,
    include_dirs: &[PathBuf],
) {
    let mut searched: Vec<String> = std::iter::once(from_dir)
        .chain(include_dirs.iter().map(PathBuf::as_path))
        .map(|d| {
            if d.as_os_str().is_empty() {
                ".".to_string()
            } else {
                d.display().to_string()
            }
        })
        .collect();
    searched.dedup();
    reporter.error(
        sources,
        span,
        format!(
            "cannot find included file `{name}` (searched {}; add a folder with -I)",
            searched.join(", ")
        ),
    );
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads a schema file as UTF-8, with a message fit for a diagnostic on failure.
fn read(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory, not a schema file".into());
    }
    if meta.len() > MAX_SCHEMA_FILE_BYTES {
        return Err(format!(
            "schema file is {} bytes; the limit is {MAX_SCHEMA_FILE_BYTES}",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line = prefix.matches('\n').count() + 1;
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let bad = bytes.get(valid).copied().unwrap_or(0);
        format!("not valid UTF-8: byte 0x{bad:02x} at line {line}, column {col}")
    })
}
