//! The documentation cites only paths that exist.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::path::{Path, PathBuf};

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
