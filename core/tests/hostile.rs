//! Hostile input: bad encodings, include cycles, huge files, garbage and deep nesting give
//! clear errors (or compile, where the input is valid) without a panic or a stack overflow.
//!
//! Each input runs on a thread with a small stack, so anything that recurses per level of
//! nesting fails here rather than on a bigger input in the field.

mod common;

use std::path::Path;

use common::write_file;
use weftbuf::layout::Layout;
use weftbuf::schema::{Compiler, Diagnostics, MAX_DIAGNOSTICS, Schema};

/// Far less than a main thread's stack: iterative code needs little, recursion per level of
/// a 10,000-deep input would overflow it.
const SMALL_STACK: usize = 256 * 1024;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    common::on_small_stack(SMALL_STACK, f)
}

fn compile_text(text: String) -> Result<Schema, Diagnostics> {
    on_small_stack(move || Compiler::new().compile_source("hostile.fbs", &text))
}

fn compile_file(path: &Path) -> Result<Schema, Diagnostics> {
    let path = path.to_path_buf();
    on_small_stack(move || Compiler::new().compile(&[path]))
}

/// The messages alone: a rendering would repeat a 10,000-character source line per error.
fn messages(diagnostics: &Diagnostics) -> String {
    let lines: Vec<String> = diagnostics
        .items
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
        .collect();
    lines.join("\n")
}

/// A deterministic stream of pseudo-random numbers (xorshift64*).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn non_utf8_file_names_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(dir.path(), "bad.fbs", b"table T {\n  a: int; \xff\xfe\n}\n");
    let diagnostics = compile_file(&path).expect_err("not UTF-8");
    assert_eq!(diagnostics.items.len(), 1, "{diagnostics}");
    let message = &diagnostics.items[0].message;
    assert!(
        message.contains("not valid UTF-8") && message.contains("line 2, column 11"),
        "{message}"
    );
    assert_eq!(diagnostics.items[0].path, path);
}

#[test]
fn non_utf8_included_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_file(dir.path(), "bad.fbs", b"table B { \xc3 }");
    let main = write_file(dir.path(), "main.fbs", "include \"bad.fbs\";\ntable T {}\n");
    let diagnostics = compile_file(&main).expect_err("not UTF-8");
    assert_eq!(diagnostics.items.len(), 1, "{diagnostics}");
    let d = &diagnostics.items[0];
    assert_eq!((d.line, d.col), (1, 9));
    assert!(
        d.message.contains("`bad.fbs`") && d.message.contains("line 1, column 11"),
        "{}",
        d.message
    );
}

#[test]
fn missing_include_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let main = write_file(
        dir.path(),
        "main.fbs",
        "include \"gone.fbs\";\ntable T {}\n",
    );
    let diagnostics = compile_file(&main).expect_err("missing include");
    assert_eq!(diagnostics.items.len(), 1, "{diagnostics}");
    let d = &diagnostics.items[0];
    assert_eq!((d.line, d.col), (1, 9));
    assert!(
        d.message.contains("cannot find included file `gone.fbs`"),
        "{}",
        d.message
    );
}

#[test]
fn missing_root_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let diagnostics = compile_file(&dir.path().join("absent.fbs")).expect_err("no such file");
    assert_eq!(diagnostics.items.len(), 1, "{diagnostics}");
    assert!(diagnostics.items[0].message.contains("cannot read"));
}

/// Like flatc, each file is read once: a cycle is valid and declares each type once.
#[test]
fn include_cycle_compiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_file(
        dir.path(),
        "a.fbs",
        "include \"b.fbs\";\ntable A { b: B; }\n",
    );
    write_file(
        dir.path(),
        "b.fbs",
        "include \"a.fbs\";\ntable B { a: A; }\n",
    );
    let schema = compile_file(&a).unwrap_or_else(|d| panic!("{d}"));
    let mut names: Vec<String> = schema.tables.iter().map(|t| t.info.name.dotted()).collect();
    names.sort();
    assert_eq!(names, ["A", "B"]);
}

#[test]
fn self_include_compiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_file(
        dir.path(),
        "a.fbs",
        "include \"a.fbs\";\ntable A { x: int; }\n",
    );
    let schema = compile_file(&a).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(schema.tables.len(), 1);
}

#[test]
fn ten_megabyte_valid_schema_compiles() {
    const TABLES: usize = 100_000;
    let mut text = String::with_capacity(11 << 20);
    text.push_str("namespace Big.Generated;\n");
    for i in 0..TABLES {
        let next = (i + 1) % TABLES;
        text.push_str(&format!(
            "table Table{i:06} {{ id: uint (key); name: string; score: float = 1.5; tags: [string]; \
             next: Table{next:06}; }}\n"
        ));
    }
    assert!(text.len() >= 9 << 20, "only {} bytes", text.len());
    let schema = compile_text(text).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(schema.tables.len(), TABLES);
}

#[test]
fn ten_megabytes_of_garbage_cap_the_diagnostics() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(11 << 20);
    while text.len() < 10 << 20 {
        let r = noise.next();
        let c = match r % 16 {
            0 => '\n',
            1 => char::from_u32(0xa0 + (r >> 8) as u32 % 0xd000).unwrap_or('\u{fffd}'),
            _ => char::from(b' ' + ((r >> 8) % 95) as u8),
        };
        text.push(c);
    }
    let diagnostics = compile_text(text).expect_err("garbage");
    assert_eq!(diagnostics.items.len(), MAX_DIAGNOSTICS);
    assert!(diagnostics.truncated);
    assert!(
        diagnostics.to_string().contains("too many errors"),
        "the rendering says it stopped"
    );
}

#[test]
fn ten_megabytes_of_garbage_on_one_line_cap_the_diagnostics() {
    let text = "@ ".repeat(5 << 20);
    let diagnostics = compile_text(text).expect_err("garbage");
    assert_eq!(diagnostics.items.len(), MAX_DIAGNOSTICS);
    assert!(diagnostics.truncated);
}

#[test]
fn deeply_nested_vector_type_is_an_error() {
    let text = format!(
        "table T {{ a: {}int{}; }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let diagnostics = compile_text(text).expect_err("nested vectors");
    let text = messages(&diagnostics);
    assert!(
        diagnostics.items[0].message.contains("nested vector"),
        "{text}"
    );
    assert!(diagnostics.items.len() < 10, "{text}");
}

#[test]
fn ten_thousand_open_braces_are_an_error() {
    let diagnostics = compile_text("{".repeat(10_000)).expect_err("braces");
    assert!(!diagnostics.is_empty());
    assert!(diagnostics.items.len() < 10, "{}", messages(&diagnostics));
    let inside = compile_text(format!("table T {}", "{".repeat(10_000))).expect_err("braces");
    assert!(!inside.is_empty());
}

/// Each struct holds the next: valid, ten thousand levels deep.
#[test]
fn chain_of_ten_thousand_nested_structs_compiles_and_lays_out() {
    const DEPTH: usize = 10_000;
    let mut text = String::new();
    for i in 0..DEPTH - 1 {
        text.push_str(&format!("struct Link{i} {{ next: Link{}; }}\n", i + 1));
    }
    text.push_str(&format!("struct Link{} {{ value: int; }}\n", DEPTH - 1));
    text.push_str("table Root { head: Link0; }\nroot_type Root;\n");
    let layout = on_small_stack(move || {
        let schema = Compiler::new()
            .compile_source("chain.fbs", &text)
            .unwrap_or_else(|d| panic!("{d}"));
        let layout = Layout::new(&schema).unwrap_or_else(|d| panic!("{d}"));
        (schema.structs.len(), layout.structs[0].size)
    });
    assert_eq!(layout, (DEPTH, 4));
}

#[test]
fn ten_thousand_block_comment_openers_are_one_error() {
    let diagnostics = compile_text("/* ".repeat(10_000)).expect_err("unterminated");
    assert_eq!(diagnostics.items.len(), 1, "{}", messages(&diagnostics));
    assert!(
        diagnostics.items[0]
            .message
            .contains("unterminated block comment")
    );
    // Comments do not nest: the first `*/` ends the comment and the rest are stray.
    let text = format!(
        "{}{}table T {{}}",
        "/* ".repeat(10_000),
        "*/ ".repeat(10_000)
    );
    let diagnostics = compile_text(text).expect_err("stray closers");
    assert!(diagnostics.truncated, "{}", messages(&diagnostics));
}

/// `[S:65535]` of ever larger structs: the size passes 2 GiB (and would pass 2^64 a level
/// later) without wrapping around.
#[test]
fn struct_arrays_past_two_gibibytes_are_an_error() {
    let mut text = String::from("struct S0 { a: [ulong:65535]; }\n");
    for i in 1..6 {
        text.push_str(&format!("struct S{i} {{ a: [S{}:65535]; }}\n", i - 1));
    }
    text.push_str("table T { s: S5; }\n");
    let result = on_small_stack(move || {
        let schema = Compiler::new()
            .compile_source("huge.fbs", &text)
            .unwrap_or_else(|d| panic!("{d}"));
        Layout::new(&schema).map(|_| ())
    });
    let diagnostics = result.expect_err("too large");
    assert!(
        diagnostics.items[0]
            .message
            .contains("`S1` is larger than a message can hold"),
        "{diagnostics}"
    );
}
