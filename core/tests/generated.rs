//! The generated code of every corpus schema (the goldens under `goldens/rust/`) compiles,
//! reads what the schema-driven reader reads, and writes what the schema-driven writer writes.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::PathBuf;

use weftbuf::json::json_to_message;
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader, encode, read_value, verify};
use weftbuf::rt;
use weftbuf::schema::{Schema, TableId};

macro_rules! golden {
    ($name:ident) => {
        golden!($name, "");
    };
    ($name:ident, $dir:literal) => {
        #[allow(unused_imports, dead_code)]
        #[doc = concat!("The generated code of `", stringify!($name), "`.")]
        pub mod $name {
            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../goldens/rust/",
                $dir,
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
golden!(keywords);
golden!(wide_unions);

/// The generated code of the conformance vectors.
pub mod vectors {
    golden!(defaults, "vectors/");
    golden!(deprecated, "vectors/");
    golden!(empty_table, "vectors/");
    golden!(enums, "vectors/");
    golden!(floats_special, "vectors/");
    golden!(nested_flatbuffer, "vectors/");
    golden!(nested_tables, "vectors/");
    golden!(optional_scalars, "vectors/");
    golden!(pinned_identity, "vectors/");
    golden!(scalars_max, "vectors/");
    golden!(scalars_min, "vectors/");
    golden!(strings, "vectors/");
    golden!(structs, "vectors/");
    golden!(union_vector, "vectors/");
    golden!(unions, "vectors/");
    golden!(vector_objects, "vectors/");
    golden!(vector_scalars, "vectors/");
    golden!(worked_example, "vectors/");
}

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A compiled schema and the message its JSON encodes to (what `weftbuf encode` writes).
fn message(schema_path: &PathBuf, json_path: &PathBuf) -> (Schema, Layout, TableId, Vec<u8>) {
    let schema = common::corpus_compiler().compile(&[schema_path]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();
    let text = std::fs::read_to_string(json_path).unwrap();
    let bytes = json_to_message(&schema, &layout, root, &text).unwrap();
    (schema, layout, root, bytes)
}

/// The schema-driven writer's canonical bytes for what the schema-driven reader reads.
fn dynamic_reencode(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
) -> Option<Vec<u8>> {
    let verified = verify(schema, layout, root, bytes, &Limits::default()).ok()?;
    let table = Reader::new(schema, layout, verified).root(root).ok()?;
    let value = read_value(&table).ok()?;
    encode(schema, layout, root, &value).ok()
}

/// Runs one case through the generated code of `$root`:
/// - the generated verifier accepts the message; reading everything (`unpack`) and writing
///   it back (`pack`, the typed builders) gives the very same bytes: one layout, two writers;
/// - for every single-byte change, the generated verifier gives exactly the schema-driven
///   verifier's result (the same error, at the same path), and when both accept, reading
///   everything and writing it back gives what the schema-driven reader and writer give.
macro_rules! roundtrip {
    ($test:ident, $root:ty, $schema:expr, $json:expr) => {
        #[test]
        fn $test() {
            // The corpus's cases need the corpus; the project's own are always there.
            if !common::present(&$schema) || !common::present(&$json) {
                return;
            }
            let (schema, layout, root, bytes) = message(&$schema, &$json);
            let view = <$root>::root(&bytes).expect("the generated verifier accepts");
            let owned = view.unpack();
            assert_eq!(owned.pack().unwrap(), bytes, "typed writer differs from the dynamic one");
            let _ = format!("{view:?}");
            // Under Miri (CI runs a sample there), every seventh byte and length.
            let step = if cfg!(miri) { 7 } else { 1 };
            for len in (0..bytes.len()).step_by(step) {
                let dynamic = verify(&schema, &layout, root, &bytes[..len], &Limits::default()).map(|_| ());
                let generated = rt::check_root::<$root>(&bytes[..len], &Limits::default()).map(|_| ());
                assert!(generated.is_err(), "a message cut to {len} bytes verified");
                assert_eq!(dynamic, generated, "cut to {len} bytes");
            }
            let mut mutant = bytes.clone();
            let (mut accepted, mut rejected) = (0, 0);
            for i in (0..bytes.len()).step_by(step) {
                for value in [0x00, 0xff, bytes[i] ^ 0x01, bytes[i] ^ 0x80, bytes[i].wrapping_add(8)] {
                    if value == bytes[i] {
                        continue;
                    }
                    mutant[i] = value;
                    let dynamic = verify(&schema, &layout, root, &mutant, &Limits::default())
                        .map(|_| ());
                    let generated =
                        rt::check_root::<$root>(&mutant, &Limits::default()).map(|_| ());
                    assert_eq!(dynamic, generated, "byte {i} set to {value:#04x}");
                    if generated.is_ok() {
                        accepted += 1;
                        let view = <$root>::root(&mutant).unwrap();
                        let _ = format!("{view:?}");
                        let typed = view.unpack().pack().ok();
                        let dynamic = dynamic_reencode(&schema, &layout, root, &mutant);
                        if typed != dynamic {
                            let (t, d) = (typed.clone().unwrap_or_default(), dynamic.clone().unwrap_or_default());
                            let first = t.iter().zip(&d).position(|(a, b)| a != b);
                            panic!(
                                "byte {i} set to {value:#04x}: rewritten bytes differ (typed {}, dynamic {}) at {first:?}: typed {:?} dynamic {:?}",
                                typed.is_some(), dynamic.is_some(),
                                first.map(|f| &t[f.saturating_sub(4)..(f + 8).min(t.len())]),
                                first.map(|f| &d[f.saturating_sub(4)..(f + 8).min(d.len())]),
                            );
                        }
                    } else {
                        rejected += 1;
                    }
                }
                mutant[i] = bytes[i];
            }
            assert!(accepted > 0 && rejected > 0);
        }
    };
}

fn corpus(path: &str) -> PathBuf {
    common::corpus_dir().join("flatbuffers/tests").join(path)
}

fn vector(case: &str, file: &str) -> PathBuf {
    project().join("vectors").join(case).join(file)
}

roundtrip!(
    monster_test_json,
    monster_test::my_game::example::Monster<'_>,
    corpus("monster_test.fbs"),
    corpus("monsterdata_test.json")
);
roundtrip!(
    monster_extra_json,
    monster_extra::my_game::MonsterExtra<'_>,
    corpus("monster_extra.fbs"),
    corpus("monsterdata_extra.json")
);
roundtrip!(
    optional_scalars_json,
    optional_scalars::optional_scalars::ScalarStuff<'_>,
    corpus("optional_scalars.fbs"),
    corpus("optional_scalars.json")
);
roundtrip!(
    evolution_v2_json,
    evolution_v2::evolution::v2::Root<'_>,
    corpus("evolution_test/evolution_v2.fbs"),
    corpus("evolution_test/evolution_v2.json")
);
roundtrip!(
    union_vector_json,
    union_vector::Movie<'_>,
    corpus("union_vector/union_vector.fbs"),
    corpus("union_vector/union_vector.json")
);
roundtrip!(
    wide_unions_json,
    wide_unions::wide::Drawing<'_>,
    project().join("core/tests/codegen/wide_unions.fbs"),
    project().join("core/tests/codegen/wide_unions.json")
);
roundtrip!(
    everything_json,
    everything::everything::Everything<'_>,
    project().join("schemas/everything.fbs"),
    project().join("schemas/everything.json")
);

macro_rules! vector_case {
    ($test:ident, $case:ident, $root:ty) => {
        roundtrip!(
            $test,
            $root,
            vector(stringify!($case), "schema.fbs"),
            vector(stringify!($case), "value.json")
        );
    };
}

vector_case!(
    vector_defaults,
    defaults,
    vectors::defaults::vectors::defaults::Defaults<'_>
);
vector_case!(
    vector_deprecated,
    deprecated,
    vectors::deprecated::vectors::deprecated::Old<'_>
);
vector_case!(
    vector_empty_table,
    empty_table,
    vectors::empty_table::vectors::empty::Sparse<'_>
);
vector_case!(
    vector_enums,
    enums,
    vectors::enums::vectors::enums::Enums<'_>
);
vector_case!(
    vector_floats_special,
    floats_special,
    vectors::floats_special::vectors::floats::Floats<'_>
);
vector_case!(
    vector_nested_flatbuffer,
    nested_flatbuffer,
    vectors::nested_flatbuffer::vectors::nested_flatbuffer::Envelope<'_>
);
vector_case!(
    vector_nested_tables,
    nested_tables,
    vectors::nested_tables::vectors::nested::Tree<'_>
);
vector_case!(
    vector_optional_scalars,
    optional_scalars,
    vectors::optional_scalars::vectors::optional::Optionals<'_>
);
vector_case!(
    vector_pinned_identity,
    pinned_identity,
    vectors::pinned_identity::vectors::pinned::Map<'_>
);
vector_case!(
    vector_scalars_max,
    scalars_max,
    vectors::scalars_max::vectors::scalars::Scalars<'_>
);
vector_case!(
    vector_scalars_min,
    scalars_min,
    vectors::scalars_min::vectors::scalars::Scalars<'_>
);
vector_case!(
    vector_strings,
    strings,
    vectors::strings::vectors::strings::Strings<'_>
);
vector_case!(
    vector_structs,
    structs,
    vectors::structs::vectors::structs::Structs<'_>
);
vector_case!(
    vector_union_vector,
    union_vector,
    vectors::union_vector::vectors::union_vector::Home<'_>
);
vector_case!(
    vector_unions,
    unions,
    vectors::unions::vectors::unions::Hero<'_>
);
vector_case!(
    vector_vector_objects,
    vector_objects,
    vectors::vector_objects::vectors::vector_objects::VectorObjects<'_>
);
vector_case!(
    vector_vector_scalars,
    vector_scalars,
    vectors::vector_scalars::vectors::vector_scalars::VectorScalars<'_>
);
vector_case!(
    vector_worked_example,
    worked_example,
    vectors::worked_example::example::Point<'_>
);

/// The committed `value.bin` of every vector reads through the generated views and writes
/// back byte for byte.
#[test]
fn vector_bytes_round_trip() {
    let bytes = std::fs::read(vector("worked_example", "value.bin")).unwrap();
    let point = vectors::worked_example::example::Point::root(&bytes).unwrap();
    assert_eq!(point.hp(), 100);
    assert_eq!(point.label(), Some("hi"));
    let pos = point.pos().unwrap();
    assert_eq!((pos.x(), pos.y()), (1.5, -2.0));
    assert_eq!(
        point
            .tags()
            .unwrap()
            .as_slice()
            .map(<[u8]>::to_vec)
            .unwrap_or_else(|| point.tags().unwrap().iter().collect()),
        vec![1, 2, 3]
    );
    assert_eq!(point.unpack().pack().unwrap(), bytes);
}

/// The generated method tables of a service name what the schema-driven service model names.
#[test]
fn generated_service_descriptors_match_the_schema() {
    use weftbuf::rt::Service;
    let schema = common::corpus_compiler()
        .compile(&[project().join("schemas/storefront.fbs")])
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    let services = weftbuf::service::services(&schema, &layout);
    let generated = [
        (
            storefront::storefront::CatalogDescriptor::NAME,
            storefront::storefront::CatalogDescriptor::METHODS,
        ),
        (
            storefront::storefront::PricingDescriptor::NAME,
            storefront::storefront::PricingDescriptor::METHODS,
        ),
    ];
    assert_eq!(services.len(), generated.len());
    for (service, (name, methods)) in services.iter().zip(generated) {
        assert_eq!(service.name, name);
        assert_eq!(service.methods.len(), methods.len());
        for (m, g) in service.methods.iter().zip(methods) {
            assert_eq!((m.path.as_str(), m.name.as_str()), (g.path, g.name));
            assert_eq!(
                (m.request_tag, m.response_tag),
                (g.request_tag, g.response_tag)
            );
            assert_eq!((m.streaming, m.idempotent), (g.streaming, g.idempotent));
        }
    }
}

/// Keywords and the generated code's own method names as schema names: the code compiles
/// (above) and reads and writes through the renamed accessors.
#[test]
fn keyword_names_are_usable() {
    use keywords::match_::type_::{Self_, dyn_Ref, dyn_T, impl_, mod_, mod_T, struct_T};
    let value = mod_T {
        where_: dyn_T::struct_(Box::new(struct_T {
            type_: 7,
            match_: Some("m".into()),
            self_: Self_::FN,
            root_: Some(impl_::new(1, 2.0)),
            new_: Some(vec![4]),
            ..struct_T::default()
        })),
        ..mod_T::default()
    };
    let bytes = value.pack().unwrap();
    let read = mod_::root(&bytes).unwrap();
    let dyn_Ref::struct_(s) = read.where_() else {
        panic!("a struct member");
    };
    assert_eq!(
        (s.type_(), s.match_(), s.self_(), s.finish_()),
        (7, Some("m"), Self_::FN, 3)
    );
    assert_eq!(s.root_().map(|r| (r.move_(), r.ref_())), Some((1, 2.0)));
    assert_eq!(read.unpack(), value);
}

#[test]
fn a_byte_vector_written_in_place_reads_as_one_copied() {
    use everything::everything::{Everything, EverythingBuilder};
    let payload: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let mut copied = rt::Builder::new();
    let mut e = EverythingBuilder::new(&mut copied).unwrap();
    e.bytes(&payload).unwrap();
    let copied = e.finish().unwrap().to_vec();
    // Into memory an earlier message left its bytes in, as a reused slot is.
    let mut slot = vec![0xA5u8; 4096];
    let mut b = rt::Builder::in_slice(&mut slot).unwrap();
    let mut e = EverythingBuilder::new(&mut b).unwrap();
    e.bytes_in_place(payload.len())
        .unwrap()
        .copy_from_slice(&payload);
    let in_place = e.finish().unwrap();
    assert_eq!(in_place, copied.as_slice());
    let read = Everything::root(in_place).unwrap();
    assert_eq!(read.bytes().unwrap().as_slice(), Some(payload.as_slice()));
}
