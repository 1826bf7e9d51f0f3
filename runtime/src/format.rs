//! The fixed constants of the byte format, version 2 (see `docs/layout.md`).

/// The first four bytes of every message: `WEFT`.
pub const MAGIC: [u8; 4] = *b"WEFT";
/// The format version this library writes and reads.
pub const FORMAT_VERSION: u16 = 2;

/// Size of the message header in bytes.
pub const MESSAGE_HEADER_SIZE: u32 = 24;
/// Offset of the magic in the message header.
pub const HEADER_MAGIC: u32 = 0;
/// Offset of the u16 format version.
pub const HEADER_VERSION: u32 = 4;
/// Offset of the u16 flags (all reserved: zero).
pub const HEADER_FLAGS: u32 = 6;
/// Offset of the u32 total message length in bytes, header included.
pub const HEADER_LENGTH: u32 = 8;
/// Offset of the u32 type tag of the root object.
pub const HEADER_ROOT_TAG: u32 = 12;
/// Offset of the i32 reference to the root object (relative to this field's own offset).
pub const HEADER_ROOT_REF: u32 = 16;
/// Offset of the 4-byte file identifier (zeros when the schema declares none).
pub const HEADER_FILE_IDENTIFIER: u32 = 20;

/// Size of the tagged header in front of a table, a boxed struct and a vector of references:
/// a type tag, then the body size (tables, boxed structs) or element count (vectors).
pub const OBJECT_HEADER_SIZE: u32 = 8;
/// Offset of a tagged object's u32 type tag.
pub const OBJECT_TAG: u32 = 0;
/// Offset of a tagged object's u32 body size (tables, boxed structs) or element count
/// (vectors of references).
pub const OBJECT_SIZE_OR_COUNT: u32 = 4;
/// Size of the count in front of a string (its byte count) and a vector of scalars or
/// structs (its element count): they carry no tag.
pub const COUNT_SIZE: u32 = 4;
/// Every object starts at a multiple of this (relative to the message start), and every
/// body is aligned to at least this.
pub const OBJECT_ALIGN: u32 = 4;
/// The body alignment of a `[ubyte]` that holds a nested message: as aligned as a message.
pub const NESTED_ALIGN: u32 = MESSAGE_ALIGN;
/// A message's length is a multiple of this, and its start address should be too.
pub const MESSAGE_ALIGN: u32 = 8;

/// Size of a reference: a little-endian i32 relative to the reference's own offset; 0 is null.
pub const REF_SIZE: u32 = 4;

/// The largest message: offsets are signed 32-bit.
pub const MAX_MESSAGE_SIZE: u32 = i32::MAX as u32;

/// Rounds `value` up to a multiple of `align` (a power of two), or `None` on overflow.
#[inline(always)]
pub fn align_up(value: u64, align: u32) -> Option<u64> {
    let mask = u64::from(align.max(1)) - 1;
    value.checked_add(mask).map(|v| v & !mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_tile_the_header() {
        assert_eq!(HEADER_VERSION, HEADER_MAGIC + 4);
        assert_eq!(HEADER_FLAGS, HEADER_VERSION + 2);
        assert_eq!(HEADER_LENGTH, HEADER_FLAGS + 2);
        assert_eq!(HEADER_ROOT_TAG, HEADER_LENGTH + 4);
        assert_eq!(HEADER_ROOT_REF, HEADER_ROOT_TAG + 4);
        assert_eq!(HEADER_FILE_IDENTIFIER, HEADER_ROOT_REF + 4);
        assert_eq!(MESSAGE_HEADER_SIZE, HEADER_FILE_IDENTIFIER + 4);
        assert_eq!(MESSAGE_HEADER_SIZE % OBJECT_ALIGN, 0);
    }

    #[test]
    fn align_up_rounds_to_powers_of_two() {
        assert_eq!(align_up(0, 8), Some(0));
        assert_eq!(align_up(9, 8), Some(16));
        assert_eq!(align_up(5, 1), Some(5));
        assert_eq!(align_up(u64::MAX, 8), None);
    }
}
