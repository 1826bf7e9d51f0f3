//! Type tags: stable 32-bit hashes of a type's canonical identity.
//!
//! The identity of a table or struct is its fully qualified name, or the `weftbuf_id` it
//! pins. Strings are `string`; vectors are `[` + the element's identity + `]`, where an enum
//! element counts as its underlying scalar (`[ubyte]`), so retyping a field between an enum
//! and its underlying integer keeps its tag. The hash is 32-bit FNV-1a over the identity's
//! UTF-8 bytes: a few lines in any language, so every binding computes the same tags.

/// The tag reserved to mean "no type": never assigned.
pub const NO_TAG: u32 = 0;

/// 32-bit FNV-1a of `identity`'s UTF-8 bytes.
pub fn type_tag(identity: &str) -> u32 {
    crate::hash::fnv1a_32(identity.as_bytes())
}

/// The identity of a vector whose elements have identity `element`.
pub fn vector_identity(element: &str) -> String {
    format!("[{element}]")
}

/// The identity of strings.
pub const STRING_IDENTITY: &str = "string";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_values() {
        // Reference values of 32-bit FNV-1a (the same as flatc's `hash: "fnv1a_32"`).
        assert_eq!(type_tag(""), 0x811c_9dc5);
        assert_eq!(type_tag("a"), 0xe40c_292c);
        assert_eq!(type_tag("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn tags_of_known_identities_are_pinned() {
        // Changing any of these breaks every message ever written.
        assert_eq!(type_tag(STRING_IDENTITY), 0x17c1_6538);
        assert_eq!(type_tag("MyGame.Example.Monster"), 0x330e_f481);
        assert_eq!(type_tag(&vector_identity("ubyte")), 0x32e7_dd2e);
    }
}
