//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use std::path::{Path, PathBuf};

pub(crate) mod outside;
#[allow(unused_imports, reason = "each test binary uses a different subset")]
pub(crate) use outside::{corpus, flatc, present, suite};

/// Where the conformance corpus is, whether or not it is there: for paths into it that a test
/// checks with [`present`] (or after [`corpus`]) before reading.
pub(crate) fn corpus_dir() -> PathBuf {
    std::env::var_os("WEFTBUF_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    )
}

/// Every `.fbs` file under the corpus, sorted; `None` (and the test says it is skipped) when
/// the corpus is not there.
pub(crate) fn corpus_schemas() -> Option<Vec<PathBuf>> {
    corpus().map(schemas_under)
}

/// Every `.fbs` file under `root`, sorted.
pub(crate) fn schemas_under(root: PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root];
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

/// The broken-schema cases: `core/tests/broken/NN_name.fbs`, or a folder
/// `core/tests/broken/NN_name/` whose entry is `main.fbs`.
pub(crate) fn broken_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

/// One diagnostic a case expects: `// expect: [FILE:]LINE:COL: MESSAGE SUBSTRING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    /// The file, relative to the case folder; `None` for the entry file.
    pub(crate) file: Option<String>,
    pub(crate) line: u32,
    pub(crate) col: u32,
    /// A substring of the message.
    pub(crate) message: String,
}

/// What real flatc does with a case: `// flatc: rejects` or `// flatc: accepts (reason)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FlatcVerdict {
    Rejects,
    /// flatc accepts it; the reason weftbuf rejects it anyway.
    Accepts(String),
}

/// A broken schema with the diagnostics weftbuf must report for it.
#[derive(Debug, Clone)]
pub(crate) struct BrokenCase {
    /// `NN_name`, without `.fbs`.
    pub(crate) name: String,
    /// The folder includes are searched in: the case folder, or `broken/` for a one-file case.
    pub(crate) dir: PathBuf,
    /// The file to compile.
    pub(crate) entry: PathBuf,
    pub(crate) expected: Vec<Expected>,
    pub(crate) flatc: FlatcVerdict,
}

/// Every case under [`broken_dir`], sorted by name; panics on a malformed header.
pub(crate) fn broken_cases() -> Vec<BrokenCase> {
    let dir = broken_dir();
    let mut cases: Vec<BrokenCase> = std::fs::read_dir(&dir)
        .expect("readable broken/ folder")
        .map(|entry| entry.expect("directory entry").path())
        .filter_map(|path| {
            let file_name = path.file_name()?.to_str()?.to_string();
            if path.is_dir() {
                Some(parse_case(file_name, path.clone(), path.join("main.fbs")))
            } else {
                let name = file_name.strip_suffix(".fbs")?.to_string();
                Some(parse_case(name, dir.clone(), path))
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn parse_case(name: String, dir: PathBuf, entry: PathBuf) -> BrokenCase {
    let text =
        std::fs::read_to_string(&entry).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
    let mut expected = Vec::new();
    let mut flatc = None;
    for line in text.lines().take_while(|l| l.starts_with("//")) {
        if let Some(spec) = line.strip_prefix("// expect: ") {
            expected.push(
                parse_expected(spec)
                    .unwrap_or_else(|| panic!("{name}: malformed expect line `{line}`")),
            );
        } else if let Some(verdict) = line.strip_prefix("// flatc: ") {
            flatc = Some(if verdict == "rejects" {
                FlatcVerdict::Rejects
            } else {
                let reason = verdict
                    .strip_prefix("accepts (")
                    .and_then(|r| r.strip_suffix(')'))
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| {
                        panic!("{name}: expected `rejects` or `accepts (reason)`, got `{line}`")
                    });
                FlatcVerdict::Accepts(reason.to_string())
            });
        }
    }
    assert!(
        !expected.is_empty(),
        "{name}: no `// expect:` line at the top"
    );
    let flatc = flatc.unwrap_or_else(|| panic!("{name}: no `// flatc:` line at the top"));
    BrokenCase {
        name,
        dir,
        entry,
        expected,
        flatc,
    }
}

/// `LINE:COL: MESSAGE` or `FILE:LINE:COL: MESSAGE`.
fn parse_expected(spec: &str) -> Option<Expected> {
    let (file, rest) = match spec.split_once(':') {
        Some((first, _)) if first.bytes().all(|b| b.is_ascii_digit()) => (None, spec),
        Some((first, rest)) => (Some(first.to_string()), rest),
        None => return None,
    };
    let (line, rest) = rest.split_once(':')?;
    let (col, message) = rest.split_once(": ")?;
    Some(Expected {
        file,
        line: line.parse().ok()?,
        col: col.parse().ok()?,
        message: message.to_string(),
    })
}

/// Compiles a case as the CLI's `check` does: the schema, then its layout if it compiled.
/// Returns every diagnostic (empty when the case is valid after all).
pub(crate) fn check_case(case: &BrokenCase) -> Vec<weftbuf::schema::Diagnostic> {
    let compiled = weftbuf::schema::Compiler::new()
        .include_dir(&case.dir)
        .compile(&[&case.entry]);
    let result = compiled.and_then(|schema| weftbuf::layout::Layout::new(&schema).map(|_| ()));
    match result {
        Ok(()) => Vec::new(),
        Err(diagnostics) => diagnostics.items,
    }
}

/// A diagnostic in the `// expect:` form, with its file relative to `case.dir`.
pub(crate) fn describe_diagnostic(
    case: &BrokenCase,
    diagnostic: &weftbuf::schema::Diagnostic,
) -> String {
    let position = format!("{}:{}", diagnostic.line, diagnostic.col);
    if diagnostic.path == case.entry {
        format!("{position}: {}", diagnostic.message)
    } else {
        let relative = diagnostic
            .path
            .strip_prefix(&case.dir)
            .unwrap_or(&diagnostic.path);
        format!("{}:{position}: {}", relative.display(), diagnostic.message)
    }
}

/// Whether `diagnostic` is what `expected` describes.
pub(crate) fn matches(
    case: &BrokenCase,
    expected: &Expected,
    diagnostic: &weftbuf::schema::Diagnostic,
) -> bool {
    let file = match &expected.file {
        None => case.entry.clone(),
        Some(relative) => case.dir.join(relative),
    };
    diagnostic.path == file
        && diagnostic.line == expected.line
        && diagnostic.col == expected.col
        && diagnostic.message.contains(&expected.message)
}

/// Runs `flatc --cpp` on `entry` with `include` as its `-I` folder: its exit status and output.
pub(crate) fn run_flatc(flatc: &Path, entry: &Path, include: &Path) -> (bool, String) {
    run_flatc_with(flatc, entry, &[include])
}

/// [`run_flatc`] with several include folders, searched in order.
pub(crate) fn run_flatc_with(flatc: &Path, entry: &Path, includes: &[&Path]) -> (bool, String) {
    let out = tempfile::tempdir().expect("temporary folder");
    // flatc takes its options before the files: an option after a file is a usage error,
    // which would pass for a rejection.
    let mut command = std::process::Command::new(flatc);
    command.arg("--cpp").arg("-o").arg(out.path());
    for include in includes {
        command.arg("-I").arg(include);
    }
    let output = command
        .arg(entry)
        .output()
        .unwrap_or_else(|e| panic!("cannot run flatc at {}: {e}", flatc.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("Usage:"),
        "flatc did not understand its arguments:\n{text}"
    );
    (output.status.success(), text)
}

/// Runs `f` on a thread with only `stack` bytes of stack, returning its result: code that
/// recurses once per level of a deeply nested input overflows there.
pub(crate) fn on_small_stack<T: Send + 'static>(
    stack: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic")
}

/// Writes `bytes` to `dir/name` and returns the path.
pub(crate) fn write_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

pub(crate) mod flatc_run;
pub(crate) mod json_compare;

/// The corpus's (schema, JSON data) pairs, relative to `flatbuffers/tests`, that weftbuf and
/// flatc both read as they are (`evolution_v1.json` needs a fix first: see `json_flatc.rs`).
pub(crate) const CORPUS_JSON: &[(&str, &str)] = &[
    ("monster_test.fbs", "monsterdata_test.json"),
    ("monster_extra.fbs", "monsterdata_extra.json"),
    ("optional_scalars.fbs", "optional_scalars.json"),
    (
        "evolution_test/evolution_v2.fbs",
        "evolution_test/evolution_v2.json",
    ),
    (
        "union_vector/union_vector.fbs",
        "union_vector/union_vector.json",
    ),
];
