//! Real flatc as an independent oracle: it rejects every broken case marked
//! `// flatc: rejects`, accepts every case marked `// flatc: accepts (reason)` (those are
//! weftbuf's own, stricter rules), and accepts every corpus schema.
//!
//! flatc comes from `WEFTBUF_FLATC`. Without it the tests pass with a notice, so a plain
//! `cargo test` needs no flatc; on CI (`CI` set) they fail instead.

mod common;

use common::{FlatcVerdict, broken_cases, corpus_dir, corpus_schemas, flatc, run_flatc};

#[test]
fn flatc_rejects_every_case_marked_rejects() {
    let Some(flatc) = flatc() else { return };
    let mut wrong = Vec::new();
    let mut checked = 0;
    for case in broken_cases() {
        if case.flatc != FlatcVerdict::Rejects {
            continue;
        }
        checked += 1;
        let (accepted, _) = run_flatc(&flatc, &case.entry, &case.dir);
        if accepted {
            wrong.push(case.name);
        }
    }
    assert!(checked >= 35, "only {checked} cases are marked `rejects`");
    assert!(
        wrong.is_empty(),
        "flatc accepts these cases marked `// flatc: rejects`: {wrong:?}"
    );
}

#[test]
fn flatc_accepts_every_case_marked_accepts() {
    let Some(flatc) = flatc() else { return };
    let mut wrong = Vec::new();
    for case in broken_cases() {
        if let FlatcVerdict::Accepts(_) = case.flatc {
            let (accepted, text) = run_flatc(&flatc, &case.entry, &case.dir);
            if !accepted {
                wrong.push(format!("{}:\n{text}", case.name));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "flatc rejects these cases marked `// flatc: accepts`; mark them `rejects`:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn flatc_accepts_every_corpus_schema() {
    let Some(flatc) = flatc() else { return };
    let Some(schemas) = corpus_schemas() else {
        return;
    };
    let include = corpus_dir().join("flatbuffers/tests/include_test");
    let mut failures = Vec::new();
    for schema in schemas {
        let (accepted, text) = run_flatc(&flatc, &schema, &include);
        if !accepted {
            failures.push(format!("{}:\n{text}", schema.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
