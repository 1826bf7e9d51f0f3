//! Every broken schema under `core/tests/broken/` gets exactly the diagnostics its
//! `// expect:` lines name: same count, same order, same line and column, and a message
//! containing the expected text.

mod common;

use common::{FlatcVerdict, broken_cases, check_case, describe_diagnostic, matches};

#[test]
fn every_broken_case_reports_exactly_what_it_expects() {
    let mut failures = Vec::new();
    for case in broken_cases() {
        let found = check_case(&case);
        let same = found.len() == case.expected.len()
            && case
                .expected
                .iter()
                .zip(&found)
                .all(|(e, d)| matches(&case, e, d));
        if !same {
            let expected: Vec<String> = case
                .expected
                .iter()
                .map(|e| match &e.file {
                    Some(file) => format!("  {file}:{}:{}: {}", e.line, e.col, e.message),
                    None => format!("  {}:{}: {}", e.line, e.col, e.message),
                })
                .collect();
            let found: Vec<String> = found
                .iter()
                .map(|d| format!("  {}", describe_diagnostic(&case, d)))
                .collect();
            failures.push(format!(
                "{}:\nexpected\n{}\nfound\n{}",
                case.name,
                expected.join("\n"),
                if found.is_empty() {
                    "  nothing (the schema is valid)".to_string()
                } else {
                    found.join("\n")
                }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn there_are_at_least_35_cases() {
    let cases = broken_cases();
    assert!(cases.len() >= 35, "only {} cases", cases.len());
}

#[test]
fn case_names_are_numbered_and_unique() {
    let cases = broken_cases();
    let mut numbers: Vec<&str> = cases
        .iter()
        .map(|c| c.name.split_once('_').map_or("", |(n, _)| n))
        .collect();
    for (case, number) in cases.iter().zip(&numbers) {
        assert!(
            number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit()),
            "{}: name must be `NN_short_name`",
            case.name
        );
    }
    numbers.dedup();
    assert_eq!(numbers.len(), cases.len(), "two cases share a number");
}

#[test]
fn cases_flatc_accepts_say_why() {
    for case in broken_cases() {
        if let FlatcVerdict::Accepts(reason) = &case.flatc {
            assert!(reason.len() >= 20, "{}: reason too short", case.name);
        }
    }
}

#[test]
fn diagnostics_render_with_path_line_caret() {
    let case = broken_cases()
        .into_iter()
        .find(|c| c.name == "01_unknown_type")
        .expect("case 01");
    let diagnostics = weftbuf::schema::Compiler::new()
        .compile(&[&case.entry])
        .expect_err("broken");
    let text = diagnostics.to_string();
    let path = case.entry.display().to_string();
    assert!(
        text.starts_with(&format!(
            "{path}:4:6: error: unknown type `Foo`\n    a: Foo;\n       ^^^"
        )),
        "{text}"
    );
    assert!(text.ends_with("1 error found"), "{text}");
}

/// flatc (like weftbuf) lets enum values and union discriminants come in any order, and
/// sorts them; only repeats are errors.
#[test]
fn enum_values_may_be_declared_in_any_order() {
    let schema = weftbuf::schema::Compiler::new()
        .compile_source(
            "order.fbs",
            "enum E : byte { A = 2, B = 1, C = 5 }\ntable X {} table Y {}\nunion U { X = 3, Y = 1 }",
        )
        .expect("valid");
    let values: Vec<(&str, i128)> = schema.enums[0]
        .values
        .iter()
        .map(|v| (v.name.as_str(), v.value))
        .collect();
    assert_eq!(values, [("B", 1), ("A", 2), ("C", 5)]);
    let members: Vec<(&str, u64)> = schema.unions[0]
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(members, [("Y", 1), ("X", 3)]);
}

/// flatc only warns about a signed `bit_flags` enum; it is an error once a flag is the sign
/// bit (case 24).
#[test]
fn signed_bit_flags_below_the_sign_bit_compile() {
    let schema = weftbuf::schema::Compiler::new()
        .compile_source("flags.fbs", "enum F : byte (bit_flags) { A, B, C = 6 }")
        .expect("valid");
    let values: Vec<i128> = schema.enums[0].values.iter().map(|v| v.value).collect();
    assert_eq!(values, [1, 2, 64]);
}

/// Problems are listed in source order, whichever check found them first.
#[test]
fn diagnostics_come_in_source_order() {
    let diagnostics = weftbuf::schema::Compiler::new()
        .compile_source(
            "order.fbs",
            "table T { a: Nope; a: int; }\nenum E : byte { X = 1, Y = 1 }\nstruct S { s: string; }",
        )
        .expect_err("broken");
    let positions: Vec<(u32, u32)> = diagnostics.items.iter().map(|d| (d.line, d.col)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    assert_eq!(positions.len(), 4, "{diagnostics}");
}
