//! The generated Rust of every corpus schema, bundled schema and conformance vector is checked
//! in under `goldens/rust/`; this fails when the generator's output drifts from it.
//! `WEFTBUF_BLESS=1 cargo test --test goldens` rewrites the goldens (review the diff).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use weftbuf::codegen::rust::{Options, generate_with};
use weftbuf::layout::Layout;

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every schema with a golden, the golden's path, and whether it has the service code of
/// `weftbuf-rpc` (whose tests compile it).
fn cases() -> Vec<(PathBuf, PathBuf, Options)> {
    let goldens = project().join("goldens/rust");
    let plain = Options::default();
    let mut cases: Vec<(PathBuf, PathBuf, Options)> = common::corpus_schemas()
        .into_iter()
        .flatten()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (p, goldens.join(format!("{stem}.rs")), plain)
        })
        .collect();
    for name in ["storefront", "everything"] {
        cases.push((
            project().join(format!("schemas/{name}.fbs")),
            goldens.join(format!("{name}.rs")),
            plain,
        ));
    }
    for name in ["keywords", "wide_unions"] {
        cases.push((
            project().join(format!("core/tests/codegen/{name}.fbs")),
            goldens.join(format!("{name}.rs")),
            plain,
        ));
    }
    cases.push((
        project().join("schemas/storefront.fbs"),
        goldens.join("rpc/storefront.rs"),
        Options { rpc: true },
    ));
    let mut vectors: Vec<PathBuf> = std::fs::read_dir(project().join("vectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    vectors.sort();
    for dir in vectors {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        cases.push((
            dir.join("schema.fbs"),
            goldens.join(format!("vectors/{name}.rs")),
            plain,
        ));
    }
    cases
}

fn generated(schema_path: &Path, options: &Options) -> String {
    let schema = common::corpus_compiler().compile(&[schema_path]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let name = schema_path.file_name().unwrap().to_string_lossy();
    generate_with(&schema, &layout, &name, options).unwrap()
}

#[test]
fn goldens_match_the_generator() {
    let bless = std::env::var_os("WEFTBUF_BLESS").is_some();
    let mut drifted = Vec::new();
    for (schema, golden, options) in cases() {
        let code = generated(&schema, &options);
        if bless {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &code).unwrap();
            continue;
        }
        let old = std::fs::read_to_string(&golden).unwrap_or_default();
        if old != code {
            drifted.push(golden.display().to_string());
        }
    }
    assert!(
        drifted.is_empty(),
        "generated code drifted from the goldens (WEFTBUF_BLESS=1 to rewrite): {drifted:?}"
    );
}

#[test]
fn generation_is_deterministic() {
    let schema = project().join("schemas/everything.fbs");
    let options = Options::default();
    assert_eq!(generated(&schema, &options), generated(&schema, &options));
}
