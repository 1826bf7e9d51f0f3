//! Every way bytes can fail verification, as one typed error.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;

use crate::format::{FORMAT_VERSION, MESSAGE_HEADER_SIZE};

/// One way bytes can fail verification. Every variant names the byte offset, and those
/// inside the message the path to the value (`Monster.inventory[3]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Fewer bytes than a header.
    #[error("{len} bytes is too short for a message (the header alone is {MESSAGE_HEADER_SIZE})")]
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// The first four bytes are not `WEFT`.
    #[error("byte 0: magic {found:02x?} is not `WEFT`: not a weftbuf message")]
    BadMagic {
        /// The bytes found.
        found: [u8; 4],
    },
    /// A format version this reader does not know.
    #[error(
        "byte 4: format version {found} is not supported (this reader reads version {FORMAT_VERSION})"
    )]
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Reserved flag bits are set.
    #[error("byte 6: unknown header flags 0x{flags:04x}")]
    UnknownFlags {
        /// The flags found.
        flags: u16,
    },
    /// The header's length is not the byte count, or not a multiple of 8.
    #[error("byte 8: the header says {declared} bytes, but the message is {actual} bytes")]
    LengthMismatch {
        /// The length in the header.
        declared: u32,
        /// The bytes given.
        actual: usize,
    },
    /// Larger than [`Limits::max_size`].
    #[error("the message is {len} bytes; the limit is {max}")]
    TooLarge {
        /// Bytes given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The root is not of the expected type.
    #[error(
        "byte 12: the root's type tag is 0x{found:08x}, not `{expected}` (0x{expected_tag:08x})"
    )]
    RootTypeMismatch {
        /// The tag found.
        found: u32,
        /// The expected type.
        expected: String,
        /// The expected tag.
        expected_tag: u32,
    },
    /// The header's file identifier is not the one the schema declares.
    #[error("byte {at}: file identifier {found:?} is not the schema's {expected:?}")]
    FileIdentifierMismatch {
        /// Where the identifier is (byte 20 of a weftbuf header, byte 4 of a FlatBuffers
        /// buffer after any size prefix).
        at: usize,
        /// The identifier found (lossy text).
        found: String,
        /// The identifier the schema declares.
        expected: String,
    },
    /// A reference points outside the message, into the header, or at a misaligned offset.
    #[error(
        "{path}: reference at byte {at} points to byte {target}, which is not an object in this {len}-byte message"
    )]
    BadReference {
        /// Where.
        path: String,
        /// The reference's offset.
        at: usize,
        /// Where it points.
        target: i64,
        /// The message length.
        len: usize,
    },
    /// An object's tag is not the type expected at that place.
    #[error(
        "{path}: object at byte {at} has type tag 0x{found:08x}, expected `{expected}` (0x{expected_tag:08x})"
    )]
    TagMismatch {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The tag found.
        found: u32,
        /// The expected type.
        expected: String,
        /// The expected tag.
        expected_tag: u32,
    },
    /// An object's body runs past the end of the message, or is misaligned.
    #[error(
        "{path}: object at byte {at} needs {needed} bytes of body, past the end of the message ({len} bytes)"
    )]
    ObjectOutOfBounds {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// Body bytes it claims.
        needed: u64,
        /// The message length.
        len: usize,
    },
    /// An object's body is not aligned as its type needs.
    #[error(
        "{path}: object at byte {at} has its body at a multiple of {found}, but it needs {align}"
    )]
    MisalignedBody {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The alignment needed.
        align: u32,
        /// The largest power of two the body's offset is a multiple of.
        found: u32,
    },
    /// A string is not valid UTF-8.
    #[error("{path}: string at byte {at} is not valid UTF-8 (bad byte at {bad})")]
    InvalidUtf8 {
        /// Where.
        path: String,
        /// The string object's offset.
        at: usize,
        /// The offset of the first bad byte.
        bad: usize,
    },
    /// A string's terminating NUL is missing.
    #[error("{path}: string at byte {at} is not followed by its terminating 0 byte")]
    MissingNul {
        /// Where.
        path: String,
        /// The string object's offset.
        at: usize,
    },
    /// A required field is null or absent.
    #[error("{path}: required field is missing (object at byte {at})")]
    RequiredMissing {
        /// Where.
        path: String,
        /// The table's offset.
        at: usize,
    },
    /// A vector of references holds a null.
    #[error("{path}: null reference at byte {at}; vectors cannot hold null")]
    NullElement {
        /// Where.
        path: String,
        /// The element's offset.
        at: usize,
    },
    /// A union discriminant and its reference disagree.
    #[error("{path}: union discriminant {discriminant} at byte {at} {problem}")]
    BadUnion {
        /// Where.
        path: String,
        /// The discriminant's offset.
        at: usize,
        /// The discriminant.
        discriminant: u64,
        /// What is wrong.
        problem: &'static str,
    },
    /// A presence byte that is neither 0 nor 1.
    #[error("{path}: presence byte at byte {at} is {value}; it must be 0 or 1")]
    BadPresence {
        /// Where.
        path: String,
        /// Its offset.
        at: usize,
        /// Its value.
        value: u8,
    },
    /// The two vectors of a vector of unions differ in length.
    #[error(
        "{path}: {types} union discriminants but {values} values (vectors at bytes {at} and {values_at})"
    )]
    UnionVectorMismatch {
        /// Where.
        path: String,
        /// The discriminant vector's offset.
        at: usize,
        /// The value vector's offset.
        values_at: usize,
        /// Discriminants.
        types: u32,
        /// Values.
        values: u32,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("{path}: object at byte {at} is nested deeper than {max} levels")]
    TooDeep {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The limit.
        max: usize,
    },
    /// One object reached as a string by one reference and as a table or vector of
    /// references by another.
    #[error(
        "{path}: object at byte {at} is read as a string here and as a table or vector elsewhere"
    )]
    TypeConflict {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
    },
    /// A reference cycle.
    #[error("{path}: object at byte {at} refers back to itself (a reference cycle)")]
    Cycle {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
    },
    /// More objects than [`Limits::max_objects`].
    #[error("{path}: more than {max} objects (at byte {at})")]
    TooManyObjects {
        /// Where.
        path: String,
        /// The object that went over.
        at: usize,
        /// The limit.
        max: usize,
    },
    /// A FlatBuffers offset, table, vtable, scalar or vector that is not aligned as the format
    /// requires.
    #[error("{path}: {what} at byte {at} is not aligned to {align}")]
    Misaligned {
        /// Where.
        path: String,
        /// What was misaligned.
        what: &'static str,
        /// Its offset.
        at: usize,
        /// The alignment needed.
        align: usize,
    },
    /// A FlatBuffers vtable that is out of bounds or malformed.
    #[error("{path}: the vtable of the table at byte {at} is invalid ({problem})")]
    BadVtable {
        /// Where.
        path: String,
        /// The table's offset.
        at: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// The strings, vectors and nested buffers a FlatBuffers buffer reaches, counted each
    /// time they are reached, add up to more than the limit (FlatBuffers' "apparent size").
    #[error(
        "{path}: at byte {at}, the objects this buffer reaches add up to more than {max} bytes (shared objects count each time)"
    )]
    ApparentSizeExceeded {
        /// Where.
        path: String,
        /// The object that went over.
        at: usize,
        /// The limit.
        max: u64,
    },
    /// A size-prefixed buffer whose prefix is not its size.
    #[error("byte 0: the size prefix says {declared} bytes, but {actual} follow it")]
    SizePrefixMismatch {
        /// The prefix's value.
        declared: u32,
        /// The bytes after the prefix.
        actual: usize,
    },
    /// A vector of union values referenced together with two different discriminant
    /// vectors: its values were checked against one of them only.
    #[error(
        "{path}: the union values at byte {values_at} are paired here with the discriminants at byte {at}, elsewhere with those at byte {paired}"
    )]
    UnionVectorShared {
        /// Where.
        path: String,
        /// The discriminant vector's offset here.
        at: usize,
        /// The value vector's offset.
        values_at: usize,
        /// The discriminant vector it was checked with first.
        paired: usize,
    },
    /// A nested message is invalid.
    #[error("{path}: nested message at byte {at}: {inner}")]
    Nested {
        /// Where.
        path: String,
        /// The nested message's offset.
        at: usize,
        /// What is wrong inside it.
        inner: Box<VerifyError>,
    },
}

impl VerifyError {
    /// The path of the value the error is about, for the variants that have one.
    pub fn path_mut(&mut self) -> Option<&mut String> {
        use VerifyError::*;
        match self {
            BadReference { path, .. }
            | TagMismatch { path, .. }
            | ObjectOutOfBounds { path, .. }
            | MisalignedBody { path, .. }
            | InvalidUtf8 { path, .. }
            | MissingNul { path, .. }
            | RequiredMissing { path, .. }
            | NullElement { path, .. }
            | BadUnion { path, .. }
            | BadPresence { path, .. }
            | UnionVectorMismatch { path, .. }
            | UnionVectorShared { path, .. }
            | TooDeep { path, .. }
            | Cycle { path, .. }
            | TypeConflict { path, .. }
            | TooManyObjects { path, .. }
            | Misaligned { path, .. }
            | BadVtable { path, .. }
            | ApparentSizeExceeded { path, .. }
            | Nested { path, .. } => Some(path),
            TooShort { .. }
            | BadMagic { .. }
            | UnsupportedVersion { .. }
            | UnknownFlags { .. }
            | LengthMismatch { .. }
            | TooLarge { .. }
            | RootTypeMismatch { .. }
            | FileIdentifierMismatch { .. }
            | SizePrefixMismatch { .. } => None,
        }
    }

    /// Sets the path when the error has none yet (checks report errors without one; the
    /// caller that knows where it is fills it in).
    pub fn at_path(mut self, path: impl FnOnce() -> String) -> Self {
        if let Some(p) = self.path_mut().filter(|p| p.is_empty()) {
            *p = path();
        }
        self
    }

    /// Prepends `step` (`.field`, `[3]`, or the root's name) to the path: generated
    /// verifiers build paths this way while an error unwinds.
    #[cold]
    pub fn within(mut self, step: &str) -> Self {
        if let Some(p) = self.path_mut() {
            p.insert_str(0, step);
        }
        self
    }

    /// Prepends the element step `[index]` to the path.
    #[cold]
    pub fn within_element(self, index: usize) -> Self {
        self.within(&format!("[{index}]"))
    }
}
