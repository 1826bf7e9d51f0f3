//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::expect_used, clippy::panic, reason = "test helpers fail the test loudly")]

use std::path::PathBuf;

/// The outside conformance corpus, beside the project (CI always has it there).
pub(crate) fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(
        dir.is_dir(),
        "the conformance corpus is missing: expected it at {}",
        dir.display()
    );
    dir
}

/// Every `.fbs` file under the corpus, sorted.
pub(crate) fn corpus_schemas() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable corpus folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "fbs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A compiler set up the way FlatBuffers' own tests run flatc on the corpus
/// (`-I tests/include_test`).
pub(crate) fn corpus_compiler() -> weftbuf::schema::Compiler {
    weftbuf::schema::Compiler::new()
        .include_dir(corpus_dir().join("flatbuffers/tests/include_test"))
}
