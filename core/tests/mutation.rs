//! Every single-byte change and every truncation of valid messages (one per corpus JSON file)
//! either fails verification with an error, or verifies and then reads in full without a
//! panic. Each mutant is also read in full *without* verification, through the bounds-checked
//! views: that may fail, but must never panic or read outside the bytes.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use weftbuf::json::{JsonOptions, json_to_message, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader, verify};
use weftbuf::schema::{Schema, TableId};

struct Outcome {
    rejected: usize,
    accepted: usize,
}

/// Verifies and fully reads `bytes`; also reads them in full unverified.
fn exercise(schema: &Schema, layout: &Layout, root: TableId, bytes: &[u8], outcome: &mut Outcome) {
    match verify(schema, layout, root, bytes, &Limits::default()) {
        Ok(verified) => {
            outcome.accepted += 1;
            let table = Reader::new(schema, layout, verified)
                .root(root)
                .expect("a verified root reads");
            // Verified bytes may still hold values a reader cannot print (a float NaN is fine,
            // an unknown enum value prints as a number): writing JSON must succeed.
            to_json(&table, JsonOptions { defaults: true })
                .expect("a verified message reads in full");
        }
        Err(_) => outcome.rejected += 1,
    }
    if let Ok(table) = Reader::unverified(schema, layout, bytes).root(root) {
        let _ = to_json(&table, JsonOptions { defaults: true });
    }
}

fn message(schema_path: &str, json_path: &str) -> (Schema, Layout, TableId, Vec<u8>) {
    let tests = common::corpus_dir().join("flatbuffers/tests");
    let schema = common::corpus_compiler()
        .compile(&[tests.join(schema_path)])
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();
    let text = std::fs::read_to_string(tests.join(json_path)).unwrap();
    let bytes = json_to_message(&schema, &layout, root, &text).unwrap();
    (schema, layout, root, bytes)
}

#[test]
fn every_truncation_fails_cleanly() {
    let Some(_) = common::corpus() else { return };
    for (schema_path, json_path) in common::CORPUS_JSON {
        let (schema, layout, root, bytes) = message(schema_path, json_path);
        let mut outcome = Outcome {
            rejected: 0,
            accepted: 0,
        };
        for len in 0..bytes.len() {
            exercise(&schema, &layout, root, &bytes[..len], &mut outcome);
        }
        // The header's length field makes every truncation invalid.
        assert_eq!(
            outcome.accepted, 0,
            "{json_path}: a truncated message verified"
        );
    }
}

#[test]
fn every_single_byte_change_fails_or_reads() {
    let Some(_) = common::corpus() else { return };
    let mut total = 0;
    for (schema_path, json_path) in common::CORPUS_JSON {
        let (schema, layout, root, bytes) = message(schema_path, json_path);
        let mut outcome = Outcome {
            rejected: 0,
            accepted: 0,
        };
        let mut mutant = bytes.clone();
        for at in 0..bytes.len() {
            for value in 0..=255u8 {
                if value == bytes[at] {
                    continue;
                }
                mutant[at] = value;
                exercise(&schema, &layout, root, &mutant, &mut outcome);
            }
            mutant[at] = bytes[at];
        }
        total += outcome.accepted + outcome.rejected;
        // Some changes hit scalars (any value is valid), some hit structure.
        assert!(outcome.accepted > 0 && outcome.rejected > 0, "{json_path}");
    }
    assert!(total > 500_000, "only {total} mutants");
}
