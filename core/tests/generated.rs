//! The generated code of every corpus schema (the goldens under `goldens/rust/`) compiles,
//! reads what the schema-driven reader reads, and writes what the schema-driven writer writes.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

macro_rules! golden {
    ($name:ident) => {
        #[allow(unused_imports, dead_code, missing_docs)]
        pub mod $name {
            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../goldens/rust/",
                stringify!($name),
                ".rs"
            ));
        }
    };
}

golden!(arrays_test);
golden!(evolution_v1);
golden!(evolution_v2);
golden!(include_test1);
golden!(include_test2);
golden!(log);
golden!(mesh);
golden!(minecraft_savedata);
golden!(mk48);
golden!(monster_extra);
golden!(monster_test);
golden!(more_defaults);
golden!(nested_union_test);
golden!(optional_scalars);
golden!(reflection);
golden!(union_vector);
golden!(storefront);
golden!(everything);
