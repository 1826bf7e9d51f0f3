//! The conformance vectors under `vectors/` (see `vectors/README.md`): for every case, the
//! JSON encodes to exactly `value.bin`, `value.bin` reads back as the same data as
//! `value.json`, and its annotated dump is exactly `value.annotated`.
//!
//! With `WEFTBUF_BLESS=1` the test writes `value.bin` and `value.annotated` from the code
//! instead of comparing them; without it a missing file fails the test.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use weftbuf::annotate::annotate;
use weftbuf::json::{Json, JsonKind, JsonOptions, json_to_message, message_to_json, parse};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, verify};
use weftbuf::schema::{Compiler, Number, Schema, TableId, parse_number};

/// Fewer cases than this means some went missing.
const MIN_CASES: usize = 12;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

fn blessing() -> bool {
    std::env::var_os("WEFTBUF_BLESS").is_some_and(|v| v == "1")
}

/// One case: its folder, compiled schema and root table.
struct Case {
    name: String,
    dir: PathBuf,
    schema: Schema,
    layout: Layout,
    root: TableId,
}

impl Case {
    fn json(&self) -> String {
        std::fs::read_to_string(self.dir.join("value.json")).unwrap()
    }

    /// The message `value.json` encodes to.
    fn encoded(&self) -> Vec<u8> {
        json_to_message(&self.schema, &self.layout, self.root, &self.json())
            .unwrap_or_else(|e| panic!("{}: value.json does not encode: {e}", self.name))
    }
}

/// Every case folder, sorted by name.
fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let schema = Compiler::new()
                .include_dir(&dir)
                .compile(&[dir.join("schema.fbs")])
                .unwrap_or_else(|e| panic!("{name}: schema.fbs does not compile:\n{e}"));
            let layout = Layout::new(&schema).unwrap();
            let root = schema
                .root_table
                .unwrap_or_else(|| panic!("{name}: schema.fbs declares no root_type"));
            Case {
                name,
                dir,
                schema,
                layout,
                root,
            }
        })
        .collect()
}

/// Compares `actual` with the file at `path`, or writes it there when blessing.
fn check_file(path: &Path, actual: &[u8], describe: impl Fn(&[u8]) -> String) -> Option<String> {
    if blessing() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    match std::fs::read(path) {
        Err(e) => Some(format!(
            "{}: {e} (WEFTBUF_BLESS=1 writes it from the code)",
            path.display()
        )),
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!("{}: {}", path.display(), describe(&expected))),
    }
}

/// Where two byte strings first differ.
fn bytes_difference(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    format!(
        "differs from the encoded JSON at byte {at:#06x} ({} bytes recorded, {} encoded)",
        expected.len(),
        actual.len()
    )
}

/// The first line where two texts differ.
fn text_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    format!(
        "differs at line {}:\n  recorded: {}\n  produced: {}",
        at + 1,
        e.get(at).unwrap_or(&"(end)"),
        a.get(at).unwrap_or(&"(end)")
    )
}

/// A number, when the JSON value is one (`nan` and `inf` included).
fn number(kind: &JsonKind) -> Option<Number> {
    match kind {
        JsonKind::Number(t) | JsonKind::Word(t) => parse_number(t),
        _ => None,
    }
}

/// Integers exactly; floats exactly or as the same `float` (a `float` field prints with
/// `float` precision); NaN equals NaN.
fn same_number(a: Number, b: Number) -> bool {
    let float = |n| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    };
    match (a, b) {
        (Number::Int(i), Number::Int(j)) => i == j,
        _ => {
            let (x, y) = (float(a), float(b));
            (x.is_nan() && y.is_nan()) || x == y || (x as f32) == (y as f32)
        }
    }
}

fn scalar_text(kind: &JsonKind) -> Option<String> {
    match kind {
        JsonKind::String(s) | JsonKind::Word(s) => Some(s.clone()),
        JsonKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn field<'j>(members: &'j [(String, Json)], key: &str) -> Option<&'j Json> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The ways `expected` (a case's `value.json`) differs as data from a message decoded as
/// `plain` (fields at their defaults left out) and `full` (every field written). Objects
/// compare as maps, numbers by value; `null` is the same as a field left out (flatc reads it
/// so); a field `expected` leaves out must be left out of `plain`, and a field it gives that
/// `plain` leaves out must equal `full`'s (a field written at its default).
fn differences(expected: &Json, plain: &Json, full: &Json, path: &str, out: &mut Vec<String>) {
    compare(expected, plain, full, path, &same_number, out);
}

/// [`differences`], with numbers compared by `same`.
fn compare(
    expected: &Json,
    plain: &Json,
    full: &Json,
    path: &str,
    same: &dyn Fn(Number, Number) -> bool,
    out: &mut Vec<String>,
) {
    match (&expected.kind, &plain.kind, &full.kind) {
        (JsonKind::Object(e), JsonKind::Object(p), JsonKind::Object(f)) => {
            for (k, pv) in p {
                let here = format!("{path}.{k}");
                match field(e, k).filter(|v| v.kind != JsonKind::Null) {
                    Some(ev) => compare(ev, pv, field(f, k).unwrap_or(pv), &here, same, out),
                    None if pv.kind == JsonKind::Null => {}
                    None => out.push(format!("{here}: decoded, but not in value.json")),
                }
            }
            for (k, ev) in e {
                let here = format!("{path}.{k}");
                if ev.kind == JsonKind::Null || field(p, k).is_some() {
                    continue;
                }
                match field(f, k) {
                    Some(fv) => compare(ev, fv, fv, &here, same, out),
                    None => out.push(format!("{here}: in value.json, but not decoded")),
                }
            }
        }
        (JsonKind::Array(e), JsonKind::Array(p), JsonKind::Array(f)) => {
            if e.len() != p.len() || p.len() != f.len() {
                out.push(format!("{path}: {} elements, decoded {}", e.len(), p.len()));
                return;
            }
            for (i, ((ev, pv), fv)) in e.iter().zip(p).zip(f).enumerate() {
                compare(ev, pv, fv, &format!("{path}[{i}]"), same, out);
            }
        }
        (ek, pk, _) => {
            let same = match (number(ek), number(pk)) {
                (Some(a), Some(b)) => same(a, b),
                _ => scalar_text(ek).is_some() && scalar_text(ek) == scalar_text(pk),
            };
            if !same {
                out.push(format!("{path}: value.json has {ek:?}, decoded {pk:?}"));
            }
        }
    }
}

#[test]
fn there_are_enough_cases_and_each_is_complete() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "expected at least {MIN_CASES} cases, found {}",
        cases.len()
    );
    for case in &cases {
        for file in ["schema.fbs", "value.json", "value.bin", "value.annotated"] {
            assert!(
                blessing() || case.dir.join(file).is_file(),
                "{}: {file} is missing",
                case.name
            );
        }
    }
}

/// The three checks of every case, one case after the other (blessing writes the files the
/// later checks read).
#[test]
fn every_case_encodes_decodes_and_annotates_as_recorded() {
    let mut failures = Vec::new();
    for case in cases() {
        let encoded = case.encoded();
        let bin = case.dir.join("value.bin");
        if let Some(problem) = check_file(&bin, &encoded, |e| bytes_difference(e, &encoded)) {
            failures.push(problem);
        }
        let bytes = std::fs::read(&bin).unwrap_or(encoded);

        let decode = |defaults| {
            let json = message_to_json(
                &case.schema,
                &case.layout,
                case.root,
                &bytes,
                JsonOptions { defaults },
            )
            .unwrap_or_else(|e| panic!("{}: value.bin does not decode: {e}", case.name));
            parse(&json).unwrap()
        };
        let expected = parse(&case.json()).unwrap();
        let mut found = Vec::new();
        differences(&expected, &decode(false), &decode(true), "$", &mut found);
        if !found.is_empty() {
            failures.push(format!(
                "{}: value.bin reads back as other data than value.json:\n  {}",
                case.name,
                found.join("\n  ")
            ));
        }

        let annotated = annotate(&case.schema, &case.layout, case.root, &bytes).render();
        let path = case.dir.join("value.annotated");
        let describe = |e: &[u8]| text_difference(&String::from_utf8_lossy(e), &annotated);
        if let Some(problem) = check_file(&path, annotated.as_bytes(), describe) {
            failures.push(problem);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The dump of `docs/layout.md` section 12 is the worked example case's, byte for byte, and
/// its hex column is that case's `value.bin`.
#[test]
fn the_layout_doc_shows_the_worked_example_as_annotate_prints_it() {
    if blessing() {
        return; // the files are being rewritten; the next run compares them
    }
    let doc = std::fs::read_to_string(vectors_dir().join("../docs/layout.md")).unwrap();
    let dump: String = doc
        .lines()
        .filter(|l| l.starts_with("+0x"))
        .map(|l| format!("{l}\n"))
        .collect();
    let case = vectors_dir().join("worked_example");
    let annotated = std::fs::read_to_string(case.join("value.annotated")).unwrap();
    assert_eq!(
        dump, annotated,
        "docs/layout.md section 12 and the vector differ"
    );
    let hex: Vec<u8> = dump
        .lines()
        .flat_map(|l| l.split(" | ").nth(1).unwrap().split_whitespace())
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    assert_eq!(hex, std::fs::read(case.join("value.bin")).unwrap());
}

/// Every dump covers every byte exactly once, in order, at most 8 bytes a line, and the
/// valid vectors have no `unknown` or `unreachable` bytes.
#[test]
fn annotations_cover_every_byte_once() {
    for case in cases() {
        let bytes = case.encoded();
        let annotation = annotate(&case.schema, &case.layout, case.root, &bytes);
        assert!(annotation.error().is_none(), "{}", case.name);
        let mut next = 0;
        for line in annotation.lines() {
            assert_eq!(line.offset, next, "{}: {line:?}", case.name);
            assert!((1..=8).contains(&line.len), "{}: {line:?}", case.name);
            assert!(
                line.kind != "unknown" && line.kind != "unreachable",
                "{}: {line:?}",
                case.name
            );
            next += line.len;
        }
        assert_eq!(next, bytes.len(), "{}", case.name);
    }
}

/// Every single-byte change and every truncation of every vector annotates without a panic,
/// still covering every byte exactly once; an invalid mutant says why, and what the walk
/// could not reach is `unreachable`, never `unknown`.
#[test]
fn mutated_vectors_annotate_in_full_without_a_panic() {
    for case in cases() {
        let bytes = case.encoded();
        let mut mutants: Vec<Vec<u8>> = (0..bytes.len()).map(|n| bytes[..n].to_vec()).collect();
        for at in 0..bytes.len() {
            for change in [0x00, 0xFF, bytes[at] ^ 0x01, bytes[at] ^ 0x80] {
                let mut mutant = bytes.clone();
                mutant[at] = change;
                mutants.push(mutant);
            }
        }
        for mutant in mutants {
            let annotation = annotate(&case.schema, &case.layout, case.root, &mutant);
            let valid = verify(
                &case.schema,
                &case.layout,
                case.root,
                &mutant,
                &Limits::default(),
            )
            .is_ok();
            assert_eq!(annotation.error().is_none(), valid, "{}", case.name);
            let mut next = 0;
            for line in annotation.lines() {
                assert_eq!(line.offset, next, "{}: {line:?}", case.name);
                assert!((1..=8).contains(&line.len), "{}: {line:?}", case.name);
                assert!(valid || line.kind != "unknown", "{}: {line:?}", case.name);
                next += line.len;
            }
            assert_eq!(next, mutant.len(), "{}", case.name);
            let text = annotation.render();
            assert_eq!(text.lines().count(), annotation.lines().len());
        }
    }
}

/// flatc reads every `value.json` with its `schema.fbs` (so both are flatc's dialect) to the
/// same data weftbuf decodes from `value.bin`.
/// Whether flatc prints `b` as `a`: the same number, or 0 for one too small for the fixed
/// notation flatc prints floats in (its binary holds it exactly).
fn flatc_prints_as(a: Number, b: Number) -> bool {
    let tiny = |n| matches!(n, Number::Float(f) if f != 0.0 && f.abs() < 1e-15);
    same_number(a, b) || (matches!(a, Number::Float(f) if f == 0.0) && tiny(b))
}

#[test]
fn flatc_reads_every_value_json_as_weftbuf_does() {
    let Some(flatc) = common::flatc() else { return };
    let mut failures = Vec::new();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&std::ffi::OsStr]| {
            let out = std::process::Command::new(&flatc)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: flatc {args:?}:\n{}{}",
                case.name,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let schema = case.dir.join("schema.fbs");
        let json = case.dir.join("value.json");
        let bin_dir = dir.path().join("bin");
        run(&[
            "-b".as_ref(),
            "-o".as_ref(),
            bin_dir.as_os_str(),
            schema.as_os_str(),
            json.as_os_str(),
        ]);
        let binary = bin_dir.join("value.bin");
        let json_dir = dir.path().join("json");
        run(&[
            "--json".as_ref(),
            "--strict-json".as_ref(),
            "--defaults-json".as_ref(),
            "--raw-binary".as_ref(),
            "-o".as_ref(),
            json_dir.as_os_str(),
            schema.as_os_str(),
            "--".as_ref(),
            binary.as_os_str(),
        ]);
        let theirs = std::fs::read_to_string(json_dir.join("value.json")).unwrap();
        let bytes = case.encoded();
        let ours = message_to_json(
            &case.schema,
            &case.layout,
            case.root,
            &bytes,
            JsonOptions { defaults: true },
        )
        .unwrap();
        let mut found = Vec::new();
        let (theirs, ours) = (parse(&theirs).unwrap(), parse(&ours).unwrap());
        compare(&theirs, &ours, &ours, "$", &flatc_prints_as, &mut found);
        if !found.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, found.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
