//! The `weftbuf` binary, run as a user runs it.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn weftbuf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[path = "../../core/tests/common/outside.rs"]
mod outside;

/// FlatBuffers' `tests/` folder in the conformance corpus; `None` (the test skipped) without it.
fn corpus_tests() -> Option<PathBuf> {
    outside::corpus().map(|c| c.join("flatbuffers/tests"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_the_corpus_with_include_dirs() {
    let Some(dir) = corpus_tests() else { return };
    let monster = dir.join("monster_test.fbs");
    let include = dir.join("include_test");
    let out = weftbuf(&[
        "check",
        monster.to_str().unwrap(),
        dir.join("arrays_test.fbs").to_str().unwrap(),
        "-I",
        include.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn check_reports_every_error_with_position_and_caret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.fbs");
    std::fs::write(&path, "table T {\n  a: Missing;\n  b: int = 3.5;\n}\n").unwrap();
    let out = weftbuf(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let shown = path.display().to_string();
    assert!(
        stderr.contains(&format!("{shown}:2:6: error: unknown type `Missing`")),
        "{stderr}"
    );
    assert!(stderr.contains("  a: Missing;\n       ^^^^^^^"), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}:3:12: error: default `3.5` of `b`")),
        "{stderr}"
    );
    assert!(stderr.contains("2 errors found"), "{stderr}");
}

#[test]
fn check_names_a_missing_file() {
    let out = weftbuf(&["check", "no/such/schema.fbs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no/such/schema.fbs: error: cannot read"));
}

#[test]
fn layout_without_arguments_shows_the_bundled_schema() {
    let out = weftbuf(&["layout"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("table storefront.Product"), "{stdout}");
    assert!(stdout.contains("offset  size  pad  member"), "{stdout}");
    assert!(stdout.contains("root type: storefront.Product"), "{stdout}");
}

#[test]
fn layout_json_is_the_layout() {
    let Some(dir) = corpus_tests() else { return };
    let monster = dir.join("monster_test.fbs");
    let include = dir.join("include_test");
    let out = weftbuf(&[
        "layout",
        monster.to_str().unwrap(),
        "-I",
        include.to_str().unwrap(),
        "--type",
        "MyGame.Example.Monster",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["name"], "MyGame.Example.Monster");
    assert_eq!(value["body_size"], 304);
    assert_eq!(value["members"][2]["name"], "mana");
    assert_eq!(value["members"][2]["offset"], 40);
    let nan_default = value["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "nan_default")
        .unwrap();
    assert_eq!(nan_default["default"], "nan");
}

#[test]
fn layout_model_is_the_code_generation_model_as_json() {
    let out = weftbuf(&["layout", "--format", "model"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(model["source"], "schemas/storefront.fbs");
    let services: Vec<&str> = model["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["Catalog", "Pricing"]);
    let quote = weftbuf(&["layout", "--format", "model", "--type", "storefront.Quote"]);
    let quote: serde_json::Value = serde_json::from_slice(&quote.stdout).unwrap();
    assert_eq!(quote["fields"][2]["kind"]["kind"], "union");
}

#[test]
fn layout_wat_validates_with_gc_enabled() {
    let out = weftbuf(&["layout", "--format", "wat"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = wat::parse_str(text(&out.stdout)).unwrap();
    let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::GC;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .unwrap();
}

#[test]
fn layout_of_one_struct_and_an_ambiguous_name() {
    let Some(dir) = corpus_tests() else { return };
    let monster = dir.join("monster_test.fbs");
    let include = dir.join("include_test");
    let args = |name: &'static str| {
        vec![
            "layout".to_string(),
            monster.display().to_string(),
            "-I".into(),
            include.display().to_string(),
            "--type".into(),
            name.to_string(),
        ]
    };
    let run = |a: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_weftbuf"))
            .args(a)
            .output()
            .unwrap()
    };
    let out = run(args("Vec3"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("struct MyGame.Example.Vec3  size 32, align 8"));
    let out = run(args("Monster"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("`Monster` is ambiguous: MyGame.Example2.Monster, MyGame.Example.Monster")
    );
}

#[test]
fn compat_lists_breaking_changes_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.fbs");
    let new = dir.path().join("new.fbs");
    std::fs::write(&old, "table T {\n  a: int;\n  b: string;\n}\n").unwrap();
    std::fs::write(&new, "table T {\n  a: uint;\n}\n").unwrap();
    let out = weftbuf(&["compat", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let expected = [
        format!(
            "{}:2:3: breaking: field `T.a` is `uint` now, it was `int`",
            new.display()
        ),
        format!(
            "{}:3:3: breaking: field `T.b` (id 1) was removed: deprecate it instead, so its id \
             stays taken",
            old.display()
        ),
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stdout}");
    assert!(text(&out.stderr).contains("2 breaking changes found"));
}

#[test]
fn compat_accepts_a_compatible_evolution_and_notes_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.fbs");
    let new = dir.path().join("new.fbs");
    std::fs::write(&old, "table T { a: int = 1; b: string; }\n").unwrap();
    std::fs::write(
        &new,
        "table T { alpha: int = 2; b: string (deprecated); c: [ubyte]; }\n",
    )
    .unwrap();
    let out = weftbuf(&["compat", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:1:11: note: the default of `T.alpha` (it was `a`) is 2 now, it was 1",
            new.display()
        )),
        "{stderr}"
    );
}

#[test]
fn compat_exits_1_on_a_missing_file_and_on_an_invalid_schema() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.fbs");
    let bad = dir.path().join("bad.fbs");
    std::fs::write(&good, "table T { a: int; }\n").unwrap();
    std::fs::write(&bad, "table T { a: Missing; }\n").unwrap();
    let missing = dir.path().join("missing.fbs");
    let out = weftbuf(&["compat", good.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read"));
    let out = weftbuf(&["compat", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: unknown type `Missing`"));
}

#[test]
fn compat_on_the_evolution_corpus_reports_the_namespace_move() {
    let Some(dir) = corpus_tests().map(|d| d.join("evolution_test")) else {
        return;
    };
    let out = weftbuf(&[
        "compat",
        dir.join("evolution_v1.fbs").to_str().unwrap(),
        dir.join("evolution_v2.fbs").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
    assert!(
        stdout.contains(
            "evolution_v1.fbs:3:7: breaking: table `Evolution.V1.TableA` is not in the new \
             schema: it moved to another namespace as `Evolution.V2.TableA`"
        ),
        "{stdout}"
    );
}

/// The conformance vector of `docs/layout.md` section 12.
fn worked_example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/worked_example")
}

#[test]
fn annotate_prints_a_vector_as_recorded() {
    let case = worked_example();
    let schema = case.join("schema.fbs");
    let out = weftbuf(&[
        "annotate",
        "--schema",
        schema.to_str().unwrap(),
        case.join("value.bin").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let expected = std::fs::read_to_string(case.join("value.annotated")).unwrap();
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn annotate_shows_invalid_bytes_as_far_as_it_safely_can() {
    let case = worked_example();
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(case.join("value.bin")).unwrap();
    // The string "hi" at 0x3C becomes invalid UTF-8, and the message loses its last 4 bytes.
    bytes[0x3C] = 0xFF;
    bytes.truncate(bytes.len() - 4);
    let input = dir.path().join("broken.bin");
    std::fs::write(&input, &bytes).unwrap();
    let schema = case.join("schema.fbs");
    let out = weftbuf(&[
        "annotate",
        "--schema",
        schema.to_str().unwrap(),
        "--type",
        "Point",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid: byte 8: the header says 72 bytes, but the message is 68"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    for expected in [
        "+0x0008 | 48 00 00 00             | u32         | 72         | message length \
         (invalid: the message is 68 bytes)",
        "+0x003C | FF 69 00                | utf8        | \"\\xffi\"    | bytes, then a NUL \
         not counted (invalid: not UTF-8)",
        "`tags` -> 0x0040 (invalid: the object's body runs past the end of the message)",
        "+0x0040 | 03 00 00 00             | unreachable |            | not annotated: the \
         message is invalid",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
}

#[test]
fn convert_reads_a_real_flatbuffers_file_and_round_trips_it() {
    let Some(dir) = corpus_tests() else { return };
    let schema = dir.join("monster_test.fbs");
    let include = dir.join("include_test");
    let out = tempfile::tempdir().unwrap();
    let convert = |from: &str, to: &str, input: &std::path::Path, output: &std::path::Path| {
        weftbuf(&[
            "convert",
            "--schema",
            schema.to_str().unwrap(),
            "-I",
            include.to_str().unwrap(),
            "--from",
            from,
            "--to",
            to,
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ])
    };
    let mon = dir.join("monsterdata_test.mon");
    let (json, weft, back, back_json) = (
        out.path().join("m.json"),
        out.path().join("m.weft"),
        out.path().join("m.mon"),
        out.path().join("back.json"),
    );
    for (from, to, input, output) in [
        ("flatbuffers", "json", &mon, &json),
        ("flatbuffers", "weftbuf", &mon, &weft),
        ("weftbuf", "flatbuffers", &weft, &back),
        ("flatbuffers", "json", &back, &back_json),
    ] {
        let result = convert(from, to, input, output);
        assert!(
            result.status.success(),
            "{from} -> {to}: {}",
            text(&result.stderr)
        );
    }
    let first = std::fs::read_to_string(&json).unwrap();
    assert!(first.contains("\"name\": \"MyMonster\""), "{first}");
    assert_eq!(first, std::fs::read_to_string(&back_json).unwrap());
    // A weftbuf message is not a FlatBuffers binary: a clear error, exit 1.
    let wrong = convert("flatbuffers", "json", &weft, &out.path().join("x.json"));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong.stderr).contains("not a valid FlatBuffers binary: byte 4: file identifier"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn gen_writes_the_golden_rust_of_each_schema_and_reports_errors() {
    let out = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema = root.join("schemas/storefront.fbs");
    let result = weftbuf(&[
        "gen",
        "--lang",
        "rust",
        schema.to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let written = std::fs::read_to_string(out.path().join("storefront.rs")).unwrap();
    let golden = std::fs::read_to_string(root.join("goldens/rust/storefront.rs")).unwrap();
    assert_eq!(written, golden);

    let broken = out.path().join("broken.fbs");
    std::fs::write(&broken, "table T { a: Nope; }\n").unwrap();
    let result = weftbuf(&[
        "gen",
        broken.to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        text(&result.stderr).contains("broken.fbs:1:14: error: unknown type `Nope`"),
        "{}",
        text(&result.stderr)
    );
    assert!(!out.path().join("broken.rs").exists());
}

/// A free loopback port (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the child processes of a test when it ends, however it ends.
struct Children(Vec<std::process::Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn demo_runs_in_one_process_and_says_what_it_checked() {
    let result = weftbuf(&["demo", "--rounds", "20"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    assert!(
        out.contains("inproc") && out.contains("grpc (loopback)") && out.contains("shm"),
        "{out}"
    );
    assert!(
        out.contains("Every answer was checked: 480 quotes"),
        "{out}"
    );
    for line in out.lines() {
        assert!(
            line.chars().count() <= 100,
            "a line of {} characters: {line}",
            line.chars().count()
        );
    }
}

/// `text` as `dir/weftbuf.toml`; its path.
fn config_file(dir: &std::path::Path, text: &str) -> String {
    let config = dir.join("weftbuf.toml");
    std::fs::write(&config, text).unwrap();
    config.to_str().unwrap().to_string()
}

/// `weftbuf demo` with a configuration file, for `rounds` rounds.
fn demo_with(config: &str, rounds: &str) -> Output {
    weftbuf(&["demo", "--config", config, "--rounds", rounds])
}

/// The rows of the demo's table: each with the same number of columns, the numbers starting
/// where the header's do.
fn table_rows(out: &str) -> Vec<&str> {
    out.lines()
        .skip_while(|l| !l.trim_start().starts_with("boundary"))
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn a_long_boundary_label_keeps_the_table_in_columns() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        dir.path(),
        "[services.\"storefront.Catalog\"]\nat = \"inproc\"\n",
    );
    let result = demo_with(&config, "2");
    assert!(result.status.success(), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    let rows = table_rows(&out);
    assert_eq!(rows.len(), 2, "{out}");
    // Every row is as long as the header: the columns line up.
    let same_width = |rows: &[&str]| {
        rows.iter()
            .all(|r| r.chars().count() == rows[0].chars().count())
    };
    assert!(same_width(&rows), "{out}");

    // A label as long as a real deployment's.
    let long = format!(
        "[services.\"storefront.Pricing\"]\nat = \"shm://{}\"\n",
        dir.path()
            .join("a-rather-long-folder-name-for-a-socket/pricing.sock")
            .display()
    );
    std::fs::write(&config, long).unwrap();
    std::fs::create_dir_all(dir.path().join("a-rather-long-folder-name-for-a-socket")).unwrap();
    let result = run_topology(&config, "inproc");
    assert!(result.status.success(), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    let rows = table_rows(&out);
    assert!(rows[1].contains("pricing shm://"), "{out}");
    assert!(same_width(&rows), "{out}");
}

/// A deployment file of the storefront with each service where the two locations say.
fn topology(dir: &std::path::Path, name: &str, catalog_at: &str, pricing_at: &str) -> String {
    let config = dir.join(name);
    std::fs::write(
        &config,
        format!(
            "[services.\"storefront.Catalog\"]\nat = \"{catalog_at}\"\n\
             [services.\"storefront.Pricing\"]\nat = \"{pricing_at}\"\n"
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_string()
}

/// Starts the components of `config` that do not run in process, and the frontend at the
/// same moment: the frontend's calls wait for servers that are still starting.
fn run_topology(config: &str, catalog_at: &str) -> Output {
    let mut children = Children(Vec::new());
    for component in ["catalog", "pricing"] {
        if component == "catalog" && catalog_at == "inproc" {
            continue;
        }
        children.0.push(
            Command::new(env!("CARGO_BIN_EXE_weftbuf"))
                .args(["demo", "--config", config, "--component", component])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    weftbuf(&["demo", "--config", config, "--rounds", "5"])
}

#[test]
fn a_topology_of_three_processes_started_together_works_20_times_in_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let socket = |name: &str| format!("shm://{}", dir.path().join(name).display());
    for round in 0..20 {
        let (catalog, pricing) = (free_port(), free_port());
        for (name, catalog_at, pricing_at) in [
            (
                "grpc.toml",
                format!("grpc://127.0.0.1:{catalog}"),
                format!("grpc://127.0.0.1:{pricing}"),
            ),
            ("shm.toml", socket("catalog.sock"), socket("pricing.sock")),
        ] {
            let config = topology(dir.path(), name, &catalog_at, &pricing_at);
            let result = run_topology(&config, &catalog_at);
            assert!(
                result.status.success(),
                "{name}, round {round}: {}",
                text(&result.stderr)
            );
            assert!(text(&result.stdout).contains(&format!("pricing {pricing_at}")));
        }
    }
    // Catalog in the frontend's process, pricing in one of its own.
    let config = topology(
        dir.path(),
        "mix.toml",
        "inproc",
        &format!("grpc://127.0.0.1:{}", free_port()),
    );
    let result = run_topology(&config, "inproc");
    assert!(result.status.success(), "mix: {}", text(&result.stderr));
}

#[test]
fn a_component_told_to_stop_removes_its_socket_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("pricing.sock");
    let config = topology(
        dir.path(),
        "w.toml",
        "inproc",
        &format!("shm://{}", sock.display()),
    );
    for signal in ["TERM", "INT"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
            .args(["demo", "--config", &config, "--component", "pricing"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !sock.exists() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "no socket"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "SIG{signal}");
        assert!(!sock.exists(), "SIG{signal} left {}", sock.display());
    }
}

#[test]
fn a_service_that_cannot_be_reached_ends_the_demo_with_unavailable() {
    let result = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(["demo", "--rounds", "1"])
        .env("WEFTBUF_AT_STOREFRONT_PRICING", "grpc://127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(stderr.starts_with("error: UNAVAILABLE: "), "{stderr}");
    assert!(stderr.contains("Connection refused"), "{stderr}");
}

#[test]
fn misnamed_services_are_errors_with_the_nearest_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        dir.path(),
        "[services.\"storefront.Pricng\"]\nat = \"grpc://127.0.0.1:1\"\n",
    );
    let out = demo_with(&config, "1");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("weftbuf.toml:1:11: no service `storefront.Pricng` in this application (did you mean `storefront.Pricing`?)"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(["demo", "--rounds", "1"])
        .env("WEFTBUF_AT_STOREFRONT_PRICNG", "inproc")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did you mean `WEFTBUF_AT_STOREFRONT_PRICING`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn exit_statuses_are_1_for_bad_input_and_2_for_a_bad_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.fbs");
    // Bad input: a file that is not there, a schema with errors.
    assert_eq!(
        weftbuf(&["check", missing.to_str().unwrap()]).status.code(),
        Some(1)
    );
    let out = weftbuf(&["layout", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // A bad command line: unknown options, missing arguments, values out of range.
    for args in [
        &["check"][..],
        &["check", "--nope", "x.fbs"],
        &["demo", "--rounds", "0"],
        &["demo", "--rounds", "many"],
        &["frobnicate"],
    ] {
        assert_eq!(weftbuf(args).status.code(), Some(2), "{args:?}");
    }
    let out = weftbuf(&["demo", "--rounds", "0"]);
    assert!(
        text(&out.stderr).contains("it must be at least 1"),
        "{}",
        text(&out.stderr)
    );
    // Output that cannot be written is a failure too, not a panic.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(["layout", "--format", "json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot write to standard output"));
    let out = weftbuf(&["layout", "--type", "Quot"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("(did you mean `storefront.Quote`?)"),
        "{}",
        text(&out.stderr)
    );
    // The rule is in the help.
    assert!(text(&weftbuf(&["--help"]).stdout).contains("Exit status: 0 when"));
}
