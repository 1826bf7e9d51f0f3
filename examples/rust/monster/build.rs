//! Generates `OUT_DIR/monster.rs` from `schemas/monster.fbs`.

fn main() {
    if let Err(e) = weftbuf_build::Config::new()
        .include_dir("schemas")
        .compile(&["schemas/monster.fbs"])
    {
        // The diagnostics went to cargo already; this stops the build with them.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
