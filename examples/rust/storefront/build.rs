//! Generates `OUT_DIR/storefront.rs`, with the services' code, from the storefront schema.

// ANCHOR: build
fn main() {
    if let Err(e) = weftbuf_build::Config::new()
        .rpc(true)
        .compile(&["../../../schemas/storefront.fbs"])
    {
        // The diagnostics went to cargo already; this stops the build with them.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
// ANCHOR_END: build
