//! The README's shell blocks, run as a user runs them: in order, in one folder that has the
//! repository's `schemas/` and `examples/`, with the `weftbuf` this build made on the `PATH`.
//!
//! A block marked `<!-- not run: reason -->` is not run (the reason says why the test cannot);
//! one marked `<!-- needs: flatc -->` runs with `.venv/bin/flatc` when `WEFTBUF_FLATC` names
//! flatc, and is skipped without. A text block marked `<!-- output of: COMMAND -->` is what
//! the command prints (standard output and standard error, as a terminal shows them), exactly;
//! `WEFTBUF_BLESS=1` writes what it prints into the README instead.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

#[path = "../../core/tests/common/markdown.rs"]
mod markdown;
#[path = "../../core/tests/common/outside.rs"]
mod outside;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A folder to run the README in: the repository's inputs, `weftbuf`, and flatc when there
/// is one.
fn workspace(flatc: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for shared in ["schemas", "examples"] {
        std::os::unix::fs::symlink(repo().join(shared), dir.path().join(shared)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_weftbuf"),
        dir.path().join("bin/weftbuf"),
    )
    .unwrap();
    if let Some(flatc) = flatc {
        std::fs::create_dir_all(dir.path().join(".venv/bin")).unwrap();
        std::os::unix::fs::symlink(flatc, dir.path().join(".venv/bin/flatc")).unwrap();
    }
    dir
}

/// Runs `script` with bash in `dir`, `weftbuf` first on the `PATH`.
fn bash(dir: &Path, script: &str) -> Output {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap()
}

#[test]
fn every_shell_block_of_the_readme_runs_and_prints_what_it_shows() {
    let text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = markdown::blocks(&text);
    // flatc only when a block needs it: the others run without.
    let needs_flatc = blocks
        .iter()
        .any(|b| b.marker.as_deref() == Some("needs: flatc"));
    let flatc = if needs_flatc { outside::flatc() } else { None };
    let dir = workspace(flatc.as_deref());
    let (mut ran, mut outputs) = (0, 0);
    let mut failures = Vec::new();
    let bless = std::env::var_os("WEFTBUF_BLESS").is_some_and(|v| v == "1");
    let mut blessed = Vec::new();
    for block in &blocks {
        let here = format!("README.md:{}", block.line);
        let marker = block.marker.as_deref().unwrap_or("");
        match block.info.as_str() {
            "sh" => {
                if let Some(reason) = marker.strip_prefix("not run:") {
                    assert!(!reason.trim().is_empty(), "{here}: say why it is not run");
                    continue;
                }
                if marker == "needs: flatc" && flatc.is_none() {
                    continue;
                }
                assert!(
                    marker.is_empty() || marker == "needs: flatc",
                    "{here}: unknown marker `{marker}`"
                );
                let out = bash(dir.path(), &block.body);
                ran += 1;
                if !out.status.success() {
                    failures.push(format!(
                        "{here}: exit {:?}\n{}{}",
                        out.status.code(),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
            "text" => {
                let Some(command) = marker.strip_prefix("output of:") else {
                    continue;
                };
                let out = bash(dir.path(), &format!("{} 2>&1 || true", command.trim()));
                outputs += 1;
                let printed = String::from_utf8_lossy(&out.stdout).into_owned();
                if printed != block.body && bless {
                    blessed.push((block.range.clone(), printed));
                } else if printed != block.body {
                    failures.push(format!(
                        "{here}: `{}` prints\n{printed}\nwhere the README shows\n{}",
                        command.trim(),
                        block.body
                    ));
                }
            }
            _ => {}
        }
    }
    if !blessed.is_empty() {
        let mut text = text.clone();
        for (range, printed) in blessed.iter().rev() {
            text.replace_range(range.clone(), printed);
        }
        std::fs::write(repo().join("README.md"), text).unwrap();
    }
    assert!(
        ran >= 4 && outputs >= 3,
        "ran {ran} blocks, {outputs} outputs"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
