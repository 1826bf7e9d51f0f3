//! The checks of untrusted bytes, one rule each, shared by the schema-driven verifier
//! ([`crate::message::verify`]) and the verifiers the code generator writes: both accept and
//! reject exactly the same messages because both are made of these calls.
//!
//! Errors come back with an empty path; the caller that knows where it is fills it in (the
//! schema-driven verifier from its path stack, generated code while the error unwinds, so
//! the path costs nothing until something fails).

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::root::Check;
use super::scalar::{Scalar, bytes_at, read_or, unsigned_at};
use crate::VerifyError;
use crate::format::*;

/// Bounds a verification run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deep tables and vectors may nest (the root table is depth 1).
    pub max_depth: usize,
    /// How many objects a message may hold.
    pub max_objects: usize,
    /// The largest message accepted, in bytes.
    pub max_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_objects: 1_000_000,
            max_size: MAX_MESSAGE_SIZE as usize,
        }
    }
}

/// Verification state over one message: its bytes, limits, object count, depth and which
/// objects were already checked.
pub struct Checker<'a> {
    bytes: &'a [u8],
    limits: Limits,
    objects: usize,
    depth: usize,
    marks: Marks,
    /// For each vector of union values seen, the discriminant vector it was checked with.
    union_pairs: BTreeMap<usize, usize>,
    /// Nested messages already verified, by offset and root type tag.
    nested_done: BTreeSet<(usize, u32)>,
}

impl<'a> Checker<'a> {
    /// Checks the message header of `bytes` for a root of type tag `root_tag` (`root_name`
    /// in errors) and the schema's `file_identifier`; returns the checker and the offset of
    /// the root object, whose own header is not checked yet.
    pub fn message(
        bytes: &'a [u8],
        limits: &Limits,
        (root_tag, root_name): (u32, &str),
        file_identifier: [u8; 4],
    ) -> Result<(Checker<'a>, usize), VerifyError> {
        Self::nested_message(
            bytes,
            limits,
            (root_tag, root_name),
            file_identifier,
            (0, 0),
        )
    }

    /// [`Checker::message`] for a message nested in another at `depth`, after `objects`
    /// objects of the outer message's budget were spent.
    fn nested_message(
        bytes: &'a [u8],
        limits: &Limits,
        (root_tag, root_name): (u32, &str),
        file_identifier: [u8; 4],
        (depth, objects): (usize, usize),
    ) -> Result<(Checker<'a>, usize), VerifyError> {
        let len = bytes.len();
        if len < MESSAGE_HEADER_SIZE as usize {
            return Err(VerifyError::TooShort { len });
        }
        if len > limits.max_size {
            return Err(VerifyError::TooLarge {
                len,
                max: limits.max_size,
            });
        }
        let magic = bytes_at::<4>(bytes, 0).unwrap_or_default();
        if magic != MAGIC {
            return Err(VerifyError::BadMagic { found: magic });
        }
        let version = read_or(bytes, HEADER_VERSION as usize, 0u16);
        if version != FORMAT_VERSION {
            return Err(VerifyError::UnsupportedVersion { found: version });
        }
        let flags = read_or(bytes, HEADER_FLAGS as usize, 0u16);
        if flags != 0 {
            return Err(VerifyError::UnknownFlags { flags });
        }
        let declared = read_or(bytes, HEADER_LENGTH as usize, 0u32);
        if declared as usize != len || !len.is_multiple_of(MESSAGE_ALIGN as usize) {
            return Err(VerifyError::LengthMismatch {
                declared,
                actual: len,
            });
        }
        let found = read_or(bytes, HEADER_ROOT_TAG as usize, 0u32);
        if found != root_tag {
            return Err(VerifyError::RootTypeMismatch {
                found,
                expected: root_name.to_string(),
                expected_tag: root_tag,
            });
        }
        let identifier = bytes_at::<4>(bytes, HEADER_FILE_IDENTIFIER as usize).unwrap_or_default();
        if file_identifier != [0; 4] && identifier != file_identifier {
            return Err(VerifyError::FileIdentifierMismatch {
                at: HEADER_FILE_IDENTIFIER as usize,
                found: String::from_utf8_lossy(&identifier).into_owned(),
                expected: String::from_utf8_lossy(&file_identifier).into_owned(),
            });
        }
        let checker = Checker {
            bytes,
            limits: *limits,
            objects,
            marks: Marks::Few(Vec::new()),
            depth,
            union_pairs: BTreeMap::new(),
            nested_done: BTreeSet::new(),
        };
        match checker.reference(HEADER_ROOT_REF as usize)? {
            Some(at) => Ok((checker, at)),
            None => Err(VerifyError::BadReference {
                path: root_name.to_string(),
                at: HEADER_ROOT_REF as usize,
                target: i64::from(HEADER_ROOT_REF),
                len,
            }),
        }
    }

    /// The bytes being checked.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Objects counted so far (nested messages included).
    pub fn objects(&self) -> usize {
        self.objects
    }

    /// Follows the reference at `at`: `None` for null, or the target's offset once its
    /// header is known to be inside the message.
    #[inline]
    pub fn reference(&self, at: usize) -> Result<Option<usize>, VerifyError> {
        let Some(value) = i32::read(self.bytes, at) else {
            return Err(self.out_of_bounds(at, 4));
        };
        if value == 0 {
            return Ok(None);
        }
        let target = at as i64 + i64::from(value);
        let fits = target >= i64::from(MESSAGE_HEADER_SIZE)
            && target % i64::from(OBJECT_ALIGN) == 0
            && target + i64::from(COUNT_SIZE) <= self.bytes.len() as i64;
        if !fits {
            return Err(VerifyError::BadReference {
                path: String::new(),
                at,
                target,
                len: self.bytes.len(),
            });
        }
        Ok(Some(target as usize))
    }

    /// Follows a reference that must not be null (a vector element).
    #[inline]
    pub fn element(&self, at: usize) -> Result<usize, VerifyError> {
        match self.reference(at)? {
            Some(target) => Ok(target),
            None => Err(VerifyError::NullElement {
                path: String::new(),
                at,
            }),
        }
    }

    fn out_of_bounds(&self, at: usize, needed: u64) -> VerifyError {
        VerifyError::ObjectOutOfBounds {
            path: String::new(),
            at,
            needed,
            len: self.bytes.len(),
        }
    }

    /// Checks the tagged header of the object at `at` (a table, boxed struct or vector of
    /// references; its start known to be in bounds): tag `tag` (`name` in errors),
    /// `body_bytes(size field)` bytes of body inside the message, the body aligned to
    /// `body_align`. Returns the size field.
    #[inline(always)]
    pub fn header(
        &self,
        at: usize,
        (tag, name): (u32, &str),
        body_bytes: impl FnOnce(u32) -> u64,
        body_align: u32,
    ) -> Result<u32, VerifyError> {
        let found = read_or(self.bytes, at, 0u32);
        if found != tag {
            return Err(VerifyError::TagMismatch {
                path: String::new(),
                at,
                found,
                expected: name.to_string(),
                expected_tag: tag,
            });
        }
        let size = read_or(self.bytes, at + OBJECT_SIZE_OR_COUNT as usize, 0u32);
        self.body(
            at,
            at + OBJECT_HEADER_SIZE as usize,
            body_bytes(size),
            body_align,
        )?;
        Ok(size)
    }

    /// Checks the counted header of the object at `at` (a string or a vector of scalars or
    /// structs; its start known to be in bounds): `body_bytes(count)` bytes of body inside
    /// the message, aligned to `body_align`. Returns the count.
    #[inline(always)]
    pub fn counted(
        &self,
        at: usize,
        body_bytes: impl FnOnce(u32) -> u64,
        body_align: u32,
    ) -> Result<u32, VerifyError> {
        let count = read_or(self.bytes, at, 0u32);
        self.body(at, at + COUNT_SIZE as usize, body_bytes(count), body_align)?;
        Ok(count)
    }

    /// The body of the object at `at`: `needed` bytes at `body`, inside the message and
    /// aligned to `body_align`.
    #[inline(always)]
    fn body(
        &self,
        at: usize,
        body: usize,
        needed: u64,
        body_align: u32,
    ) -> Result<(), VerifyError> {
        if body as u64 + needed > self.bytes.len() as u64 {
            return Err(self.out_of_bounds(at, needed));
        }
        if body_align > OBJECT_ALIGN && !body.is_multiple_of(body_align as usize) {
            return Err(VerifyError::MisalignedBody {
                path: String::new(),
                at,
                align: body_align,
                found: 1 << body.trailing_zeros().min(31),
            });
        }
        Ok(())
    }

    /// Checks a table's header and enters it: `Some(body size)` when its fields are to be
    /// checked (then [`Checker::leave`] after them), `None` when it was checked already.
    #[inline]
    pub fn table(
        &mut self,
        at: usize,
        tag_name: (u32, &str),
        body_align: u32,
    ) -> Result<Option<u32>, VerifyError> {
        let size = self.header(at, tag_name, u64::from, body_align)?;
        Ok(self.enter(at)?.then_some(size))
    }

    /// Checks a leaf table's header (a table whose objects reach no table, see
    /// `TableLayout::leaf` in the schema compiler): like a short string, it is checked, and
    /// counted, at every reference to it, and nothing is remembered of it. Returns its body
    /// size; its fields are checked next, with no [`Checker::leave`] after them.
    #[inline]
    pub fn leaf_table(
        &mut self,
        at: usize,
        tag_name: (u32, &str),
        body_align: u32,
    ) -> Result<u32, VerifyError> {
        let size = self.header(at, tag_name, u64::from, body_align)?;
        self.one_level_deeper(at)?;
        Ok(size)
    }

    /// Counts the object at `at`, one level below the one being checked: within the depth
    /// and object limits.
    #[inline(always)]
    fn one_level_deeper(&mut self, at: usize) -> Result<(), VerifyError> {
        if self.depth + 1 > self.limits.max_depth {
            return Err(VerifyError::TooDeep {
                path: String::new(),
                at,
                max: self.limits.max_depth,
            });
        }
        self.count_object(at)
    }

    /// Checks a vector of references' header and enters it: `Some(count)` when its elements
    /// are to be checked (then [`Checker::leave`]), `None` when it was checked already.
    #[inline]
    pub fn ref_vector(
        &mut self,
        at: usize,
        tag_name: (u32, &str),
    ) -> Result<Option<u32>, VerifyError> {
        let count = self.header(
            at,
            tag_name,
            |count| u64::from(count) * u64::from(REF_SIZE),
            OBJECT_ALIGN,
        )?;
        Ok(self.enter(at)?.then_some(count))
    }

    /// Checks a vector of scalars or structs (`stride` bytes each, the body aligned to
    /// `body_align`); returns its count. Plain data has no invalid values: it is checked at
    /// each reference, in constant time, as the type that reference expects.
    #[inline]
    pub fn inline_vector(
        &self,
        at: usize,
        stride: u32,
        body_align: u32,
    ) -> Result<u32, VerifyError> {
        self.counted(at, |count| u64::from(count) * u64::from(stride), body_align)
    }

    /// Marks `at` entered: `true` the first time, `false` when it was done already; reports
    /// cycles, depth and object count.
    #[inline(always)]
    pub fn enter(&mut self, at: usize) -> Result<bool, VerifyError> {
        let slot = at / OBJECT_ALIGN as usize;
        match self.marks.get(slot) {
            FRESH => {}
            ENTERED => {
                return Err(VerifyError::Cycle {
                    path: String::new(),
                    at,
                });
            }
            STRING => {
                return Err(VerifyError::TypeConflict {
                    path: String::new(),
                    at,
                });
            }
            _ => return Ok(false),
        }
        self.one_level_deeper(at)?;
        self.marks.enter(slot, self.bytes.len());
        self.depth += 1;
        Ok(true)
    }

    /// Marks the object at `at`, entered by [`Checker::enter`], done.
    #[inline(always)]
    pub fn leave(&mut self, at: usize) {
        self.marks
            .finish(at / OBJECT_ALIGN as usize, self.bytes.len());
        self.depth -= 1;
    }

    #[inline(always)]
    fn count_object(&mut self, at: usize) -> Result<(), VerifyError> {
        self.objects += 1;
        if self.objects > self.limits.max_objects {
            return Err(VerifyError::TooManyObjects {
                path: String::new(),
                at,
                max: self.limits.max_objects,
            });
        }
        Ok(())
    }

    /// Checks the string object at `at`: header, terminating 0, UTF-8. A string is a leaf:
    /// it counts as an object but adds no depth. A string of at most [`SHORT_STRING`] bytes
    /// is checked (and counted) at every reference to it, which costs less than marking it;
    /// a longer one once, however many references share it, so work stays linear.
    #[inline(always)]
    pub fn string(&mut self, at: usize) -> Result<(), VerifyError> {
        let count = self.counted(at, |count| u64::from(count) + 1, 1)? as usize;
        let body = at + COUNT_SIZE as usize;
        if count <= SHORT_STRING {
            self.string_body(at, body, count)?;
            return self.count_object(at);
        }
        let slot = at / OBJECT_ALIGN as usize;
        match self.marks.get(slot) {
            FRESH => {}
            STRING => return Ok(()),
            // Checked (or being checked) as a table or vector: a string there too would be
            // one object of two types.
            _ => {
                return Err(VerifyError::TypeConflict {
                    path: String::new(),
                    at,
                });
            }
        }
        self.string_body(at, body, count)?;
        self.count_object(at)?;
        self.marks.set_string(slot, self.bytes.len());
        Ok(())
    }

    /// The NUL after a string's `count` bytes at `body`, and their UTF-8.
    #[inline(always)]
    fn string_body(&self, at: usize, body: usize, count: usize) -> Result<(), VerifyError> {
        let end = body + count;
        if self.bytes.get(end) != Some(&0) {
            return Err(VerifyError::MissingNul {
                path: String::new(),
                at,
            });
        }
        let text = self.bytes.get(body..end).unwrap_or_default();
        // Most text is ASCII, which a word at a time proves valid; text shorter than a word
        // is one masked word when the eight bytes from its start are in the message.
        let ascii = match bytes_at::<8>(self.bytes, body) {
            Some(word) if count < 8 => {
                let mask = (1u64 << (8 * count)) - 1;
                u64::from_le_bytes(word) & mask & ASCII_HIGH == 0
            }
            _ => is_ascii(text),
        };
        if !ascii && let Err(e) = core::str::from_utf8(text) {
            return Err(VerifyError::InvalidUtf8 {
                path: String::new(),
                at,
                bad: body + e.valid_up_to(),
            });
        }
        Ok(())
    }

    /// Checks the presence byte at `at`: 0 or 1.
    #[inline]
    pub fn presence(&self, at: usize) -> Result<(), VerifyError> {
        let value = self.bytes.get(at).copied().unwrap_or(0);
        if value > 1 {
            return Err(VerifyError::BadPresence {
                path: String::new(),
                at,
                value,
            });
        }
        Ok(())
    }

    /// The byte at `at` (0 outside the message: callers checked the bounds already).
    #[inline]
    pub fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    /// A required reference at `at` in the table object at `table_at` was null.
    pub fn required_missing(table_at: usize) -> VerifyError {
        VerifyError::RequiredMissing {
            path: String::new(),
            at: table_at,
        }
    }

    /// The union discriminant of `width` bytes at `at`, read unsigned (0 outside the message:
    /// callers checked the bounds already).
    #[inline(always)]
    pub fn discriminant(&self, at: usize, width: usize) -> u64 {
        unsigned_at(self.bytes, at, width).unwrap_or(0)
    }

    /// A union discriminant at `type_at` that does not fit its reference.
    pub fn bad_union(type_at: usize, discriminant: u64, problem: &'static str) -> VerifyError {
        VerifyError::BadUnion {
            path: String::new(),
            at: type_at,
            discriminant,
            problem,
        }
    }

    /// The union discriminant of `width` bytes at `type_at` for a null reference: it must be
    /// NONE.
    #[inline]
    pub fn union_none(&self, type_at: usize, width: usize) -> Result<(), VerifyError> {
        match self.discriminant(type_at, width) {
            0 => Ok(()),
            d => Err(Self::bad_union(type_at, d, "has a null reference")),
        }
    }

    /// A union member this schema does not know (a newer writer's), at `at`: its type is
    /// unknown, so only that an object of a union member's smallest size (a tagged header, or
    /// an empty string with its padding) fits.
    pub fn unknown_member(&self, at: usize) -> Result<(), VerifyError> {
        let needed = u64::from(OBJECT_HEADER_SIZE);
        if at as u64 + needed > self.bytes.len() as u64 {
            return Err(self.out_of_bounds(at, needed));
        }
        Ok(())
    }

    /// A struct boxed in its own object (a union member): header, and exactly its size.
    pub fn boxed_struct(
        &self,
        at: usize,
        tag_name: (u32, &str),
        size: u32,
        align: u32,
    ) -> Result<(), VerifyError> {
        let found = self.header(at, tag_name, u64::from, align)?;
        if found != size {
            return Err(self.out_of_bounds(at, u64::from(size)));
        }
        Ok(())
    }

    /// Checks the two vectors of a vector of unions: the values at `values_at` (tag
    /// `values_tag`), the discriminants referenced from `types.at` (a vector of the union's
    /// discriminant type), of equal length. Returns `Some((count, types_body))` when the
    /// elements are to be checked (then [`Checker::leave`] on `values_at`), `None` when these
    /// vectors were checked together already.
    pub fn union_vector(
        &mut self,
        values_at: usize,
        values_tag_name: (u32, &str),
        types: UnionTypes,
    ) -> Result<Option<(u32, usize)>, VerifyError> {
        let UnionTypes {
            at: types_ref,
            width,
        } = types;
        let types = self.reference(types_ref)?;
        let count = self.header(
            values_at,
            values_tag_name,
            |count| u64::from(count) * u64::from(REF_SIZE),
            OBJECT_ALIGN,
        )?;
        let (types_at, type_count) = match types {
            Some(t) => (
                t,
                self.counted(t, |count| u64::from(count) * width as u64, OBJECT_ALIGN)?,
            ),
            None => (values_at, 0),
        };
        if type_count != count {
            return Err(VerifyError::UnionVectorMismatch {
                path: String::new(),
                at: types_at,
                values_at,
                types: type_count,
                values: count,
            });
        }
        // Values checked against one discriminant vector are only valid with that one.
        match self.union_pairs.get(&values_at) {
            Some(&paired) if paired != types_at => {
                return Err(VerifyError::UnionVectorShared {
                    path: String::new(),
                    at: types_at,
                    values_at,
                    paired,
                });
            }
            Some(_) => {}
            None => {
                self.union_pairs.insert(values_at, types_at);
            }
        }
        if !self.enter(values_at)? {
            return Ok(None);
        }
        Ok(Some((count, types_at + COUNT_SIZE as usize)))
    }

    /// Verifies the body of the `[ubyte]` vector at `at` as a nested message with `check`,
    /// which gets a checker over the nested bytes that shares this one's object budget and
    /// depth, and the nested root object's offset.
    pub fn nested(
        &mut self,
        at: usize,
        (root_tag, root_name): (u32, &str),
        file_identifier: [u8; 4],
        check: impl FnOnce(&mut Checker<'a>, usize) -> Result<(), VerifyError>,
    ) -> Result<(), VerifyError> {
        if !self.nested_done.insert((at, root_tag)) {
            return Ok(());
        }
        let count = read_or(self.bytes, at, 0u32) as usize;
        let body = at + COUNT_SIZE as usize;
        let Some(inner) = self.bytes.get(body..body + count) else {
            return Err(self.out_of_bounds(at, count as u64));
        };
        // Nested messages share the outer one's object budget: however their bytes overlap,
        // the whole message costs at most `max_objects` objects of work.
        let result = Checker::nested_message(
            inner,
            &self.limits,
            (root_tag, root_name),
            file_identifier,
            (self.depth + 1, self.objects),
        )
        .and_then(|(mut nested, root)| {
            check(&mut nested, root)?;
            Ok(nested.objects)
        });
        match result {
            Ok(objects) => {
                self.objects = objects;
                Ok(())
            }
            Err(inner) => Err(VerifyError::Nested {
                path: String::new(),
                at,
                inner: Box::new(inner),
            }),
        }
    }
}

impl Checker<'_> {
    /// Checks a `[string]` at `at` and its strings.
    pub fn strings(&mut self, at: usize, tag_name: (u32, &str)) -> Result<(), VerifyError> {
        self.elements(at, tag_name, Checker::string)
    }

    /// Checks a vector of tables `T` at `at` and its tables.
    pub fn tables<T: Check>(
        &mut self,
        at: usize,
        tag_name: (u32, &str),
    ) -> Result<(), VerifyError> {
        self.elements(at, tag_name, T::check)
    }

    /// Checks a vector of references at `at`, and each object with `check`.
    #[inline(always)]
    fn elements(
        &mut self,
        at: usize,
        tag_name: (u32, &str),
        mut check: impl FnMut(&mut Self, usize) -> Result<(), VerifyError>,
    ) -> Result<(), VerifyError> {
        let Some(count) = self.ref_vector(at, tag_name)? else {
            return Ok(());
        };
        let body = at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count as usize {
            let element = body + i * REF_SIZE as usize;
            self.element(element)
                .and_then(|o| check(self, o))
                .map_err(|e| e.within_element(i))?;
        }
        self.leave(at);
        Ok(())
    }

    /// Checks a vector of unions: values at `values_at`, discriminants referenced from
    /// `types.at`; `member` checks one element's object against its discriminant.
    pub fn unions(
        &mut self,
        values_at: usize,
        values_tag_name: (u32, &str),
        types: UnionTypes,
        member: fn(&mut Checker<'_>, u64, usize, usize) -> Result<(), VerifyError>,
    ) -> Result<(), VerifyError> {
        let width = types.width;
        let Some((count, types_body)) = self.union_vector(values_at, values_tag_name, types)?
        else {
            return Ok(());
        };
        let body = values_at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count as usize {
            let type_at = types_body + i * width;
            let discriminant = self.discriminant(type_at, width);
            match self.reference(body + i * REF_SIZE as usize) {
                Ok(Some(object)) => member(self, discriminant, object, type_at),
                Ok(None) => self.union_none(type_at, width),
                Err(e) => Err(e),
            }
            .map_err(|e| e.within_element(i))?;
        }
        self.leave(values_at);
        Ok(())
    }
}

/// The discriminant vector of a vector of unions, as a verifier is told of it.
#[derive(Debug, Clone, Copy)]
pub struct UnionTypes {
    /// Where the reference to the discriminant vector is.
    pub at: usize,
    /// Bytes per discriminant (the union's integer type's size).
    pub width: usize,
}

/// The high bit of each byte of a word: the bits a non-ASCII byte sets.
const ASCII_HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether `text` is all ASCII: eight bytes at a time (the last word overlapping), inline,
/// without the call and the branches a general routine spends on short strings.
#[inline(always)]
fn is_ascii(text: &[u8]) -> bool {
    const HIGH: u64 = ASCII_HIGH;
    let Some(last) = text.last_chunk::<8>() else {
        return text.iter().fold(0, |acc, b| acc | b) < 0x80;
    };
    let mut acc = u64::from_le_bytes(*last);
    let mut words = text.chunks_exact(8);
    for word in &mut words {
        if let Some(word) = word.first_chunk::<8>() {
            acc |= u64::from_le_bytes(*word);
        }
    }
    acc & HIGH == 0
}

/// Strings up to this many bytes are checked at every reference instead of once.
pub const SHORT_STRING: usize = 64;

/// What a verifier knows of each 4-byte position an object may start at: a few positions in a
/// list (most messages are small), past [`FEW_MARKS`] a bitset of two bits per position over
/// the whole message.
enum Marks {
    Few(Vec<(usize, u64)>),
    Many(Vec<u64>),
}

const FEW_MARKS: usize = 32;
/// Nothing checked there yet.
const FRESH: u64 = 0;
/// A table or vector of references being checked (reaching it again is a cycle).
const ENTERED: u64 = 1;
/// A string checked there.
const STRING: u64 = 2;
/// A table or vector of references checked there.
const DONE: u64 = 3;

#[inline(always)]
fn bits(set: &[u64], slot: usize) -> u64 {
    set.get(slot / 32)
        .map_or(FRESH, |w| (w >> ((slot % 32) * 2)) & 3)
}

#[inline(always)]
fn set_bits(set: &mut [u64], slot: usize, value: u64) {
    if let Some(w) = set.get_mut(slot / 32) {
        let shift = (slot % 32) * 2;
        *w = (*w & !(3 << shift)) | (value << shift);
    }
}

impl Marks {
    /// The state of `slot`: [`FRESH`], [`ENTERED`], [`STRING`] or [`DONE`].
    #[inline(always)]
    fn get(&self, slot: usize) -> u64 {
        match self {
            Marks::Few(list) => list
                .iter()
                .find(|(s, _)| *s == slot)
                .map_or(FRESH, |&(_, state)| state),
            Marks::Many(set) => bits(set, slot),
        }
    }

    #[inline(always)]
    fn enter(&mut self, slot: usize, message_len: usize) {
        self.set(slot, ENTERED, message_len);
    }

    #[inline(always)]
    fn finish(&mut self, slot: usize, message_len: usize) {
        self.set(slot, DONE, message_len);
    }

    #[inline(always)]
    fn set_string(&mut self, slot: usize, message_len: usize) {
        self.set(slot, STRING, message_len);
    }

    #[inline(always)]
    fn set(&mut self, slot: usize, state: u64, message_len: usize) {
        match self {
            Marks::Many(set) => set_bits(set, slot, state),
            Marks::Few(_) => self.set_few(slot, state, message_len),
        }
    }

    #[inline(never)]
    fn set_few(&mut self, slot: usize, state: u64, message_len: usize) {
        if let Marks::Few(list) = self {
            if let Some(entry) = list.iter_mut().find(|(s, _)| *s == slot) {
                entry.1 = state;
                return;
            }
            if list.len() < FEW_MARKS {
                list.push((slot, state));
                return;
            }
            let words = message_len.div_ceil(32 * OBJECT_ALIGN as usize);
            let mut set = vec![0; words];
            for &(s, known) in list.iter() {
                set_bits(&mut set, s, known);
            }
            set_bits(&mut set, slot, state);
            *self = Marks::Many(set);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    /// A message whose root reference points to byte 24, where a string of 100 ASCII bytes
    /// starts: its count, 100, also reads as the type tag of a table whose body size is its
    /// first four bytes, `04 00 00 00`, so the bytes there are valid as either.
    fn ambiguous() -> Vec<u8> {
        let mut text = [b'a'; 100];
        text[..4].copy_from_slice(&[4, 0, 0, 0]);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(&[0; 4]); // the length, below
        bytes.extend_from_slice(&100u32.to_le_bytes());
        bytes.extend_from_slice(&8i32.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
        bytes.extend_from_slice(&100u32.to_le_bytes());
        bytes.extend_from_slice(&text);
        bytes.push(0);
        bytes.resize(bytes.len().next_multiple_of(8), 0);
        let len = bytes.len() as u32;
        bytes[8..12].copy_from_slice(&len.to_le_bytes());
        bytes
    }

    fn checker(bytes: &[u8]) -> Checker<'_> {
        let (c, at) = Checker::message(bytes, &Limits::default(), (100, "T"), [0; 4]).unwrap();
        assert_eq!(at, 24);
        c
    }

    #[test]
    fn a_long_string_checked_once_is_never_also_a_table() {
        let bytes = ambiguous();
        let mut c = checker(&bytes);
        c.string(24).unwrap();
        c.string(24).unwrap();
        assert_eq!(c.objects(), 1, "a long string is checked and counted once");
        assert!(matches!(
            c.table(24, (100, "T"), 4),
            Err(VerifyError::TypeConflict { at: 24, .. })
        ));
    }

    #[test]
    fn a_table_checked_once_is_never_also_a_long_string() {
        let bytes = ambiguous();
        let mut c = checker(&bytes);
        assert_eq!(c.table(24, (100, "T"), 4).unwrap(), Some(4));
        // Reached again while it is being checked: a cycle.
        assert!(matches!(
            c.table(24, (100, "T"), 4),
            Err(VerifyError::Cycle { .. })
        ));
        c.leave(24);
        assert_eq!(c.table(24, (100, "T"), 4).unwrap(), None);
        assert!(matches!(
            c.string(24),
            Err(VerifyError::TypeConflict { at: 24, .. })
        ));
    }

    #[test]
    fn many_marks_keep_the_same_states_as_few() {
        let len = 4096;
        let mut marks = Marks::Few(Vec::new());
        for slot in 0..100 {
            let state = [ENTERED, STRING, DONE][slot % 3];
            marks.set(slot, state, len);
        }
        assert!(matches!(marks, Marks::Many(_)));
        for slot in 0..100 {
            assert_eq!(marks.get(slot), [ENTERED, STRING, DONE][slot % 3], "{slot}");
        }
        marks.finish(0, len);
        assert_eq!(marks.get(0), DONE);
        assert_eq!(marks.get(100), FRESH);
    }
}
