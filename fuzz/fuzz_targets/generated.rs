//! Any bytes as a message of `schemas/everything.fbs`, through the generated Rust code
//! (`goldens/rust/everything.rs`) and the schema-driven runtime side by side: both verifiers
//! give the same result, the same error at the same path; when they accept, reading everything
//! through the generated views and writing it back with the typed builders gives the bytes the
//! schema-driven reader and writer give (or, for a nested message the dynamic writer cannot
//! write from its value, keeps its bytes). Nothing panics either way.
#![no_main]

mod everything;

#[allow(unused_imports, dead_code)]
mod generated {
    include!("../../goldens/rust/everything.rs");
}

use generated::everything::Everything;
use libfuzzer_sys::fuzz_target;
use weftbuf::message::{Limits, Reader, encode, read_value, verify};
use weftbuf_rt as rt;

fuzz_target!(|data: &[u8]| {
    let (schema, layout, root) = everything::everything();
    let root = *root;
    let dynamic = verify(schema, layout, root, data, &Limits::default());
    let typed = rt::check_root::<Everything<'_>>(data, &Limits::default());
    assert_eq!(
        dynamic.as_ref().map(|_| ()).map_err(Clone::clone),
        typed.as_ref().map(|_| ()).map_err(Clone::clone),
        "the two verifiers disagree"
    );
    let Ok(verified) = dynamic else {
        return;
    };
    let view = Everything::root(data).expect("verified");
    let _ = format!("{view:?}");
    let repacked = view.unpack().pack().ok();
    let table = Reader::new(schema, layout, verified)
        .root(root)
        .expect("verified root");
    let reencoded = read_value(&table)
        .ok()
        .and_then(|value| encode(schema, layout, root, &value).ok());
    match (repacked, reencoded) {
        (Some(typed), Some(dynamic)) => assert_eq!(typed, dynamic, "the rewrites differ"),
        (None, Some(_)) => panic!("the typed writer failed where the dynamic one wrote"),
        // The owned types keep a nested message as its bytes when it cannot be written from
        // its value (a union member this schema lacks), where the dynamic writer fails.
        (Some(_), None) | (None, None) => {}
    }
});
