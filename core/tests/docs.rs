//! The documentation cites only paths that exist.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

#[path = "common/markdown.rs"]
mod markdown;

use std::path::{Path, PathBuf};

use markdown::blocks;

/// Top-level folders of the repository: a backticked span starting with one of them is a path.
const ROOTS: &[&str] = &[
    "core/",
    "cli/",
    "docs/",
    "schemas/",
    "fuzz/",
    "scripts/",
    ".ci/",
    "vectors/",
    "benches/",
    "examples/",
    "goldens/",
    "ffi-c/",
    "bindings-python/",
    "bindings-node/",
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cited_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| ROOTS.iter().any(|root| span.starts_with(root)))
        .filter(|span| {
            span.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn docs_cite_only_existing_paths() {
    let root = repo_root();
    let mut documents: Vec<PathBuf> = vec![root.join("README.md"), root.join("fuzz/README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            documents.push(path);
        }
    }
    let mut missing = Vec::new();
    let mut cited = 0;
    for doc in &documents {
        let text = std::fs::read_to_string(doc).unwrap();
        for path in cited_paths(&text) {
            cited += 1;
            if !Path::new(&root).join(&path).exists() {
                missing.push(format!("{}: `{path}`", doc.display()));
            }
        }
    }
    assert!(cited > 10, "expected the docs to cite paths; found {cited}");
    assert!(
        missing.is_empty(),
        "docs cite paths that do not exist:\n{}",
        missing.join("\n")
    );
}

/// The lines of `file` a document includes: with `#anchor`, every region between
/// `ANCHOR: anchor` and `ANCHOR_END: anchor` comment lines, in order, without any anchor
/// lines and without their common indentation; without, the whole file after its leading
/// `//!` lines.
fn included(root: &Path, source: &str) -> Result<String, String> {
    let (path, anchor) = match source.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (source, None),
    };
    let text = std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))?;
    let is_anchor = |l: &str| {
        let l = l
            .trim_start()
            .trim_start_matches("//")
            .trim_start_matches('#');
        l.trim_start().starts_with("ANCHOR")
    };
    let mut lines = Vec::new();
    let mut inside = anchor.is_none();
    let mut found = anchor.is_none();
    // A whole file goes in without its module documentation: the document says that.
    let skip = if anchor.is_none() {
        text.lines()
            .take_while(|l| l.starts_with("//!") || l.trim().is_empty())
            .count()
    } else {
        0
    };
    for line in text.lines().skip(skip) {
        if let Some(anchor) = anchor {
            let bare = line
                .trim()
                .trim_start_matches("//")
                .trim_start_matches('#')
                .trim();
            if bare == format!("ANCHOR: {anchor}") {
                inside = true;
                found = true;
                continue;
            }
            if bare == format!("ANCHOR_END: {anchor}") {
                inside = false;
                continue;
            }
        }
        if inside && !is_anchor(line) {
            lines.push(line);
        }
    }
    if !found {
        return Err(format!("{path} has no `ANCHOR: {}`", anchor.unwrap_or("")));
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Ok(lines
        .iter()
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("").trim_end()))
        .collect())
}

/// What an include marker's sources give, each after a blank line.
fn include_text(root: &Path, sources: &str) -> Result<String, String> {
    let parts: Result<Vec<String>, String> = sources
        .split(',')
        .map(|s| included(root, s.trim()))
        .collect();
    Ok(parts?.join("\n"))
}

/// Every document with code in it.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut documents = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            documents.push(path);
        }
    }
    documents.sort();
    documents
}

/// Every block of Rust in the documents compiles in the test command: in `README.md`, plain
/// `rust` blocks are doc tests (`weftbuf::ReadmeDoctests`); every other block of Rust (and
/// any block with an include marker) is a region of a file of a crate the workspace builds,
/// marked `<!-- include: path#anchor, ... -->` above it, and must be that region exactly.
/// `WEFTBUF_BLESS=1` rewrites the blocks from their sources.
#[test]
fn code_in_the_docs_is_code_that_compiles() {
    let root = repo_root();
    let bless = std::env::var_os("WEFTBUF_BLESS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    let mut includes = 0;
    for doc in documents(&root) {
        let text = std::fs::read_to_string(&doc).unwrap();
        let name = doc
            .strip_prefix(&root)
            .unwrap_or(&doc)
            .display()
            .to_string();
        let mut rewritten = text.clone();
        // From the last block back, so earlier ranges stay right while rewriting.
        for block in blocks(&text).iter().rev() {
            let here = format!("{name}:{}", block.line);
            let include = block
                .marker
                .as_deref()
                .and_then(|m| m.strip_prefix("include:"));
            match include {
                Some(sources) => {
                    includes += 1;
                    match include_text(&root, sources.trim()) {
                        Ok(expected) if expected == block.body => {}
                        Ok(expected) if bless => {
                            rewritten.replace_range(block.range.clone(), &expected)
                        }
                        Ok(_) => problems.push(format!(
                            "{here}: the block differs from {} (WEFTBUF_BLESS=1 rewrites it)",
                            sources.trim()
                        )),
                        Err(e) => problems.push(format!("{here}: {e}")),
                    }
                }
                None if block.info.starts_with("rust") => {
                    let doctest = name == "README.md" && block.info == "rust";
                    if !doctest {
                        problems.push(format!(
                            "{here}: a block of Rust that nothing compiles: make it a region of \
                             an example and include it (`<!-- include: path#anchor -->`)"
                        ));
                    }
                }
                None => {}
            }
        }
        if bless && rewritten != text {
            std::fs::write(&doc, rewritten).unwrap();
        }
    }
    assert!(includes >= 10, "only {includes} included blocks");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
