//! Running real flatc: JSON to a FlatBuffers binary, and a binary back to JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(flatc: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(flatc).args(args).output().expect("flatc runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "flatc {args:?} failed:\n{text}");
    text
}

/// The include folder FlatBuffers' own tests pass to flatc.
fn include() -> PathBuf {
    super::corpus_dir().join("flatbuffers/tests/include_test")
}

/// The one file flatc wrote into `dir`.
fn only_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("flatc's output folder")
        .next()
        .expect("flatc wrote a file")
        .expect("a directory entry")
        .path()
}

/// The FlatBuffers binary flatc builds from `json` (`extra` options go first, e.g.
/// `--size-prefixed`).
pub(crate) fn flatc_binary(flatc: &Path, schema: &Path, json: &Path, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let include = include();
    let mut args: Vec<&std::ffi::OsStr> = extra.iter().map(|a| a.as_ref()).collect();
    args.extend([
        "-b".as_ref(),
        "-o".as_ref(),
        dir.path().as_os_str(),
        "-I".as_ref(),
        include.as_os_str(),
        schema.as_os_str(),
        json.as_os_str(),
    ]);
    run(flatc, &args);
    std::fs::read(only_file(dir.path())).expect("flatc's binary")
}

/// flatc's JSON (strict, with defaults) for a FlatBuffers `binary` (`extra` options first).
pub(crate) fn flatc_read(flatc: &Path, schema: &Path, binary: &[u8], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("input.bin");
    std::fs::write(&input, binary).expect("write the binary");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("an output folder");
    let include = include();
    let mut args: Vec<&std::ffi::OsStr> = extra.iter().map(|a| a.as_ref()).collect();
    args.extend([
        "--json".as_ref(),
        "--strict-json".as_ref(),
        "--defaults-json".as_ref(),
        "--raw-binary".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        "-I".as_ref(),
        include.as_os_str(),
        schema.as_os_str(),
        "--".as_ref(),
        input.as_os_str(),
    ]);
    run(flatc, &args);
    std::fs::read_to_string(only_file(&out)).expect("flatc's JSON")
}

/// flatc's JSON (with defaults) for `json`, by way of a flatc-built binary.
pub(crate) fn flatc_json(flatc: &Path, schema: &Path, json: &Path) -> String {
    let binary = flatc_binary(flatc, schema, json, &[]);
    flatc_read(flatc, schema, &binary, &[])
}
