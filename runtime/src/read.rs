//! Zero-copy reads of verified messages at the constant offsets generated code passes in.
//!
//! No load leaves the bytes (a wrong offset gives a default), so a view is memory-safe even
//! over bytes that change under it. A view checks its object's extent against the bytes once,
//! when it is made ([`Table::new`] cuts a body size that runs past them, [`Vector::new`] a
//! count), and keeps that extent: a field or an element inside it is then read with no second
//! check, whatever the bytes hold by then. What differs with
//! where the bytes live is a string's UTF-8: over [`Bytes::new`] (memory nothing else writes,
//! as a `&[u8]` promises) the verifier's check stands and a string is read as it is; over
//! [`Bytes::shared`] (a shared-memory slot a hostile peer may rewrite) it is checked again at
//! every read, and a string that is no longer UTF-8 reads as empty. The `unsafe fn`s say what
//! generated code guarantees (verified bytes, the `Layout`'s offsets) for the values read to
//! be the right ones.

use core::marker::PhantomData;

use super::scalar::{Scalar, read_or, unsigned_at};
use crate::format::{COUNT_SIZE, OBJECT_HEADER_SIZE, REF_SIZE};

/// A verified message's bytes and whether anything else may write them while they are read.
/// `Copy`, two words; it derefs to the slice.
#[derive(Clone, Copy, Debug)]
pub struct Bytes<'a> {
    slice: &'a [u8],
    shared: bool,
}

impl<'a> Bytes<'a> {
    /// Bytes nothing changes while they are borrowed, which is what a `&[u8]` promises: what
    /// the verifier checked stays true, and strings are read without checking their UTF-8
    /// again.
    #[inline(always)]
    pub const fn new(slice: &'a [u8]) -> Self {
        Bytes {
            slice,
            shared: false,
        }
    }

    /// Bytes another process may rewrite while they are read (a shared-memory slot): every
    /// string is checked as UTF-8 each time it is read.
    #[inline(always)]
    pub const fn shared(slice: &'a [u8]) -> Self {
        Bytes {
            slice,
            shared: true,
        }
    }

    /// The bytes.
    #[inline(always)]
    pub const fn slice(&self) -> &'a [u8] {
        self.slice
    }

    /// Whether another process may write them (see [`Bytes::shared`]).
    #[inline(always)]
    pub const fn is_shared(&self) -> bool {
        self.shared
    }

    /// The same trust over other bytes of the same memory (a nested message).
    #[inline(always)]
    pub const fn with(&self, slice: &'a [u8]) -> Self {
        Bytes {
            slice,
            shared: self.shared,
        }
    }
}

impl core::ops::Deref for Bytes<'_> {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        self.slice
    }
}

impl<'a> From<&'a [u8]> for Bytes<'a> {
    fn from(slice: &'a [u8]) -> Self {
        Bytes::new(slice)
    }
}

/// The object a reference at `at` points to, or `None` for null or a target outside the
/// bytes (which a verified message never has).
#[inline(always)]
fn follow(bytes: &[u8], at: usize) -> Option<usize> {
    target(bytes, at, <i32 as Scalar>::read(bytes, at)?)
}

/// Where the reference of value `value` at `at` points, as [`follow`] says.
#[inline(always)]
fn target(bytes: &[u8], at: usize, value: i32) -> Option<usize> {
    if value == 0 {
        return None;
    }
    // A target before the start wraps to a huge offset, which the bound rejects.
    let target = at.wrapping_add_signed(value as isize);
    (target < bytes.len().saturating_sub(COUNT_SIZE as usize - 1)).then_some(target)
}

/// The body offset and size-or-count field of the object at `object`, whose header is
/// `header` bytes: a tagged object's count follows its tag, a counted one's comes first.
#[inline(always)]
fn object(bytes: &[u8], object: usize, header: usize) -> (usize, u32) {
    (
        object + header,
        read_or(bytes, object + header - COUNT_SIZE as usize, 0u32),
    )
}

/// The string object at `object`: its text, or empty when its bytes are out of bounds (or,
/// over shared bytes, no longer UTF-8), which a verified message nobody changed never has.
///
/// # Safety
/// `object` is a string object of a message the verifier accepted, and unless `bytes` are
/// [`Bytes::shared`], nothing has changed them since (the verifier checked its UTF-8).
#[inline(always)]
pub unsafe fn string_at(bytes: Bytes<'_>, object: usize) -> &str {
    let (body, count) = self::object(&bytes, object, COUNT_SIZE as usize);
    let raw = body
        .checked_add(count as usize)
        .and_then(|end| bytes.slice().get(body..end))
        .unwrap_or_default();
    if bytes.is_shared() {
        // Checked every time: another process may have rewritten the bytes since they were
        // verified, and a `&str` that is not UTF-8 would let safe code read out of bounds.
        core::str::from_utf8(raw).unwrap_or_default()
    } else {
        // SAFETY: the verifier checked this string's UTF-8 (the caller's contract), and the
        // bytes are not shared, so nothing has changed them since.
        unsafe { core::str::from_utf8_unchecked(raw) }
    }
}

/// A table object: the view every generated table type wraps. `Copy`, four words.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    bytes: Bytes<'a>,
    /// A `u32` keeps the view at four words; bodies past 4 GiB (beyond any message's
    /// limits) read as the empty table.
    body: u32,
    /// Invariant: `body + size <= bytes.len()` ([`Table::new`] makes it so), which is what
    /// lets a field inside the body be read without another check.
    size: u32,
}

impl<'a> Table<'a> {
    /// The table object at `object`.
    ///
    /// # Safety
    /// `bytes` are a message the verifier accepted (and unchanged since), and `object` is an
    /// object it checked as the table type the caller reads it as.
    #[inline(always)]
    pub unsafe fn new(bytes: Bytes<'a>, object: usize) -> Self {
        let (body, size) = self::object(&bytes, object, OBJECT_HEADER_SIZE as usize);
        // The extent every read relies on: a size that runs past the bytes (never in a
        // verified message nobody changed) is cut to what they hold.
        let size = (size as usize).min(bytes.len().saturating_sub(body));
        match (u32::try_from(body), u32::try_from(size)) {
            (Ok(body), Ok(size)) => Table { bytes, body, size },
            _ => Table::empty(),
        }
    }

    /// A table with no fields: every field reads as its default.
    pub fn empty() -> Self {
        Table {
            bytes: Bytes::new(&[]),
            body: 0,
            size: 0,
        }
    }

    /// The message bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes.slice()
    }

    /// The message bytes and whether they are shared.
    pub fn message(&self) -> Bytes<'a> {
        self.bytes
    }

    /// The body's offset in the message.
    pub fn body_offset(&self) -> usize {
        self.body as usize
    }

    /// The body size this object records (fields ending past it read as defaults).
    pub fn body_size(&self) -> u32 {
        self.size
    }

    /// Whether a field whose last member ends at `end` is in this object.
    #[inline(always)]
    pub fn has(&self, end: u32) -> bool {
        self.size >= end
    }

    /// Whether the `len` bytes at body offset `offset` are inside this object's extent.
    /// With constant arguments (generated code's) all but `len <= size` folds away.
    #[inline(always)]
    fn holds(&self, offset: u32, len: usize) -> bool {
        (offset as usize).saturating_add(len) <= self.size as usize
    }

    /// The scalar at body offset `offset`, read only when `holds` said it is inside.
    ///
    /// # Safety
    /// `self.holds(offset, T::SIZE)`.
    #[inline(always)]
    unsafe fn at<T: Scalar>(&self, offset: u32) -> T {
        // SAFETY: `offset + SIZE <= size` (the caller's contract) and `body + size <=
        // bytes.len()` (the invariant `new` established), so the read is inside the bytes.
        unsafe { T::read_unchecked(&self.bytes, self.body as usize + offset as usize) }
    }

    /// The scalar at body offset `offset` of a field ending at `end`, else `default`.
    #[inline(always)]
    pub fn scalar<T: Scalar>(&self, offset: u32, end: u32, default: T) -> T {
        if self.size >= end && self.holds(offset, T::SIZE) {
            // SAFETY: `holds` just said so.
            unsafe { self.at(offset) }
        } else {
            default
        }
    }

    /// An optional scalar: its presence byte at `presence`, its value at `offset`.
    #[inline(always)]
    pub fn optional<T: Scalar>(&self, presence: u32, offset: u32, end: u32) -> Option<T> {
        if self.size >= end && self.holds(presence, 1) && self.holds(offset, T::SIZE) {
            // SAFETY: `holds` just said so, for both.
            let (present, value) = unsafe { (self.at::<u8>(presence), self.at::<T>(offset)) };
            (present != 0).then_some(value)
        } else {
            None
        }
    }

    /// A struct stored inline at `offset`, copied out (structs are plain data). With a
    /// presence byte at `presence`, `None` when it is not set.
    #[inline(always)]
    pub fn structure<S: bytemuck::Pod>(
        &self,
        presence: Option<u32>,
        offset: u32,
        end: u32,
    ) -> Option<S> {
        if self.size < end || !self.holds(offset, size_of::<S>()) {
            return None;
        }
        if let Some(p) = presence
            && (!self.holds(p, 1)
                || read_or(&self.bytes, self.body as usize + p as usize, 0u8) == 0)
        {
            return None;
        }
        let at = self.body as usize + offset as usize;
        // SAFETY: `holds` said the struct's bytes are inside the extent, which is inside the
        // bytes (the invariant `new` established); `S` is plain data, read unaligned.
        Some(unsafe { self.bytes.as_ptr().add(at).cast::<S>().read_unaligned() })
    }

    /// The object the reference at `offset` points to, `None` when absent or null.
    #[inline(always)]
    pub fn reference(&self, offset: u32, end: u32) -> Option<usize> {
        if self.size >= end && self.holds(offset, REF_SIZE as usize) {
            // SAFETY: `holds` just said so.
            let value: i32 = unsafe { self.at(offset) };
            target(&self.bytes, self.body as usize + offset as usize, value)
        } else {
            None
        }
    }

    /// The string the reference at `offset` points to.
    ///
    /// # Safety
    /// This table is a verified table (see [`Table::new`]) and `offset` is the offset of one
    /// of its type's string members.
    #[inline(always)]
    pub unsafe fn string(&self, offset: u32, end: u32) -> Option<&'a str> {
        let object = self.reference(offset, end)?;
        // SAFETY: the caller guarantees a string member of a verified table.
        Some(unsafe { string_at(self.bytes, object) })
    }

    /// The table the reference at `offset` points to.
    ///
    /// # Safety
    /// As for [`Table::string`], for a member that refers to a table.
    #[inline(always)]
    pub unsafe fn table(&self, offset: u32, end: u32) -> Option<Table<'a>> {
        let object = self.reference(offset, end)?;
        // SAFETY: the caller guarantees a table member of a verified table.
        Some(unsafe { Table::new(self.bytes, object) })
    }

    /// The vector the reference at `offset` points to.
    ///
    /// # Safety
    /// As for [`Table::string`], for a member that refers to a vector of `T`.
    #[inline(always)]
    pub unsafe fn vector<T: Element<'a>>(&self, offset: u32, end: u32) -> Option<Vector<'a, T>> {
        let object = self.reference(offset, end)?;
        // SAFETY: the caller guarantees a vector member of a verified table.
        Some(unsafe { Vector::new(self.bytes, object) })
    }
}

/// A type a vector holds, read by value from its slot.
///
/// # Safety
/// Implementations read only inside `bytes` and, for references, only objects of their own
/// type: generated code implements it for its tables, structs and enums.
pub unsafe trait Element<'a>: Sized {
    /// Bytes from one element to the next.
    const STRIDE: usize;
    /// Bytes of a vector's header in front of its elements: a count for plain data (the
    /// default), a tag and a count for references.
    const HEADER: usize = COUNT_SIZE as usize;
    /// The element whose slot starts at `at`.
    ///
    /// # Safety
    /// `at` is an element slot of a verified vector of this element type, and `at + STRIDE
    /// <= bytes.len()` ([`Vector`] makes sure of the second).
    unsafe fn read(bytes: Bytes<'a>, at: usize) -> Self;
}

macro_rules! scalar_elements {
    ($($t:ty),*) => {$(
        // SAFETY: reads its `SIZE` bytes and follows nothing.
        unsafe impl<'a> Element<'a> for $t {
            const STRIDE: usize = <$t as Scalar>::SIZE;
            #[inline(always)]
            unsafe fn read(bytes: Bytes<'a>, at: usize) -> Self {
                // SAFETY: forwarded contract: the slot is inside the bytes.
                unsafe { <$t as Scalar>::read_unchecked(&bytes, at) }
            }
        }
    )*};
}

scalar_elements!(bool, u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

// SAFETY: follows the element's reference to a string, which the verifier checked as one
// because the caller's vector is a verified `[string]`.
unsafe impl<'a> Element<'a> for &'a str {
    const STRIDE: usize = REF_SIZE as usize;
    const HEADER: usize = OBJECT_HEADER_SIZE as usize;
    #[inline(always)]
    unsafe fn read(bytes: Bytes<'a>, at: usize) -> Self {
        match follow(&bytes, at) {
            // SAFETY: an element of a verified `[string]` (the caller's contract).
            Some(object) => unsafe { string_at(bytes, object) },
            None => "",
        }
    }
}

/// Reads an element of a vector of tables: generated table views implement it.
pub trait TableElement<'a>: Sized {
    /// The view of the table at `object`.
    ///
    /// # Safety
    /// As for [`Table::new`].
    unsafe fn from_object(bytes: Bytes<'a>, object: usize) -> Self;
    /// The view of a table already made.
    fn from_table(t: Table<'a>) -> Self;
    /// The view of nothing: what a slot outside the bytes reads as (never in a verified
    /// message); every field reads as its default.
    fn empty() -> Self {
        Self::from_table(Table::empty())
    }
}

/// A vector object: `len` elements of `T` at a fixed stride. Four words, as a table.
pub struct Vector<'a, T> {
    bytes: Bytes<'a>,
    body: u32,
    len: u32,
    element: PhantomData<T>,
}

impl<T> Clone for Vector<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Vector<'_, T> {}

impl<T> Default for Vector<'_, T> {
    /// An empty vector.
    fn default() -> Self {
        Vector {
            bytes: Bytes::new(&[]),
            body: 0,
            len: 0,
            element: PhantomData,
        }
    }
}

impl<'a, T: Element<'a>> Vector<'a, T> {
    /// The vector object at `object`.
    ///
    /// # Safety
    /// `bytes` are a verified message, unchanged since, and `object` a vector of `T` in it.
    #[inline(always)]
    pub unsafe fn new(bytes: Bytes<'a>, object: usize) -> Self {
        let (body, count) = self::object(&bytes, object, T::HEADER);
        let Ok(body_at) = u32::try_from(body) else {
            return Vector::default();
        };
        // A count the bytes cannot hold (never in a verified message) reads as what fits.
        let fits = bytes.len().saturating_sub(body) / T::STRIDE.max(1);
        Vector {
            bytes,
            body: body_at,
            len: (count as usize).min(fits) as u32,
            element: PhantomData,
        }
    }

    /// The number of elements.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when it holds no element.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`, or `None` past the end.
    #[inline(always)]
    pub fn get(&self, index: usize) -> Option<T> {
        if index < self.len as usize {
            // SAFETY: a slot of this verified vector (its `new` contract), inside the bytes:
            // `new` cut `len` to the slots the bytes hold.
            Some(unsafe { T::read(self.bytes, self.body as usize + index * T::STRIDE) })
        } else {
            None
        }
    }

    /// The elements in order.
    #[inline(always)]
    pub fn iter(&self) -> VectorIter<'a, T> {
        VectorIter {
            vector: *self,
            next: 0,
        }
    }

    /// The body's bytes.
    pub fn body_bytes(&self) -> &'a [u8] {
        let body = self.body as usize;
        self.bytes
            .slice()
            .get(body..body + self.len as usize * T::STRIDE)
            .unwrap_or_default()
    }

    /// The body's bytes, with the message's trust (a nested message is read through them).
    pub fn body(&self) -> Bytes<'a> {
        self.bytes.with(self.body_bytes())
    }

    /// The body's offset in the message.
    pub fn body_offset(&self) -> usize {
        self.body as usize
    }
}

impl<'a, T: Element<'a> + bytemuck::Pod> Vector<'a, T> {
    /// The elements as a slice, when the body is aligned for `T` in memory (a message that
    /// starts at an address aligned to 8 has every body aligned; see `docs/layout.md`,
    /// section 10). Otherwise read them with [`Vector::get`] or [`Vector::iter`].
    #[inline(always)]
    pub fn as_slice(&self) -> Option<&'a [T]> {
        bytemuck::try_cast_slice(self.body_bytes()).ok()
    }
}

impl<'a, T: Element<'a> + core::fmt::Debug> core::fmt::Debug for Vector<'a, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Element<'a>> IntoIterator for Vector<'a, T> {
    type Item = T;
    type IntoIter = VectorIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The elements of a [`Vector`], in order.
pub struct VectorIter<'a, T> {
    vector: Vector<'a, T>,
    next: usize,
}

impl<'a, T: Element<'a>> Iterator for VectorIter<'a, T> {
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Option<T> {
        let item = self.vector.get(self.next)?;
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.vector.len();
        let left = len - self.next.min(len);
        (left, Some(left))
    }
}

impl<'a, T: Element<'a>> ExactSizeIterator for VectorIter<'a, T> {}

/// A union's value, read from its discriminant and its reference: generated union types
/// implement it.
pub trait UnionRead<'a>: Sized {
    /// Bytes of its discriminant: 1 for `ubyte`, the default, up to 8 for `union U : ulong`.
    const DISCRIMINANT_SIZE: usize;

    /// The value of discriminant `discriminant` (its bytes read unsigned) whose object is at
    /// `object` (`None` for a null reference).
    ///
    /// # Safety
    /// `bytes` are a verified message and the two come from one of its union members (or
    /// one element of a vector of unions).
    unsafe fn read(bytes: Bytes<'a>, discriminant: u64, object: Option<usize>) -> Self;
}

impl<'a> Table<'a> {
    /// The union whose discriminant is at `type_offset` and reference at `offset`.
    ///
    /// # Safety
    /// As for [`Table::string`], for a union field of this table's type.
    #[inline(always)]
    pub unsafe fn union<U: UnionRead<'a>>(&self, type_offset: u32, offset: u32, end: u32) -> U {
        let discriminant = if self.has(end) {
            unsigned_at(
                &self.bytes,
                self.body as usize + type_offset as usize,
                U::DISCRIMINANT_SIZE,
            )
            .unwrap_or(0)
        } else {
            0
        };
        let object = self.reference(offset, end);
        // SAFETY: the caller guarantees a union field of a verified table.
        unsafe { U::read(self.bytes, discriminant, object) }
    }

    /// The vector of unions whose discriminants are referenced from `type_offset` and
    /// values from `offset`.
    ///
    /// # Safety
    /// As for [`Table::string`], for a vector-of-unions field of this table's type.
    #[inline(always)]
    pub unsafe fn union_vector<U: UnionRead<'a> + 'a>(
        &self,
        type_offset: u32,
        offset: u32,
        end: u32,
    ) -> Option<UnionVector<'a, U>> {
        let values = self.reference(offset, end)?;
        let types = self.reference(type_offset, end)?;
        // SAFETY: both vectors belong to a verified vector-of-unions field.
        Some(unsafe { UnionVector::new(self.bytes, types, values) })
    }
}

/// A vector of unions: its discriminants and its references side by side.
pub struct UnionVector<'a, U> {
    bytes: Bytes<'a>,
    types: usize,
    values: usize,
    len: usize,
    element: PhantomData<U>,
}

impl<U> Clone for UnionVector<'_, U> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<U> Copy for UnionVector<'_, U> {}

impl<'a, U: UnionRead<'a> + core::fmt::Debug + 'a> core::fmt::Debug for UnionVector<'a, U> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, U: UnionRead<'a> + 'a> UnionVector<'a, U> {
    /// # Safety
    /// The discriminant and value vectors of one verified vector-of-unions field.
    unsafe fn new(bytes: Bytes<'a>, types: usize, values: usize) -> Self {
        let (types, type_count) = object(&bytes, types, COUNT_SIZE as usize);
        let (values, count) = object(&bytes, values, OBJECT_HEADER_SIZE as usize);
        UnionVector {
            bytes,
            types,
            values,
            len: count.min(type_count) as usize,
            element: PhantomData,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<U> {
        if index >= self.len {
            return None;
        }
        let width = U::DISCRIMINANT_SIZE;
        let discriminant = unsigned_at(&self.bytes, self.types + index * width, width).unwrap_or(0);
        let object = follow(&self.bytes, self.values + index * REF_SIZE as usize);
        // SAFETY: element `index` of a verified vector of unions (`new`'s contract).
        Some(unsafe { U::read(self.bytes, discriminant, object) })
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = U> + 'a {
        let this = *self;
        (0..self.len).filter_map(move |i| this.get(i))
    }
}

/// The view of the table a union member or element refers to, for generated union readers.
///
/// # Safety
/// As for [`Table::new`].
#[inline(always)]
pub unsafe fn table_at<'a, T: TableElement<'a>>(bytes: Bytes<'a>, object: usize) -> T {
    // SAFETY: forwarded contract.
    unsafe { T::from_object(bytes, object) }
}

/// A struct boxed in its own object (a union member), copied out; zeros outside the bytes.
#[inline(always)]
pub fn boxed_struct_at<S: bytemuck::Pod>(bytes: &[u8], object: usize) -> S {
    let body = object + OBJECT_HEADER_SIZE as usize;
    body.checked_add(size_of::<S>())
        .and_then(|end| bytes.get(body..end))
        .map_or_else(S::zeroed, bytemuck::pod_read_unaligned)
}

/// Reads a table element: follows the slot's reference (what [`Element::read`] of a
/// generated table view does).
///
/// # Safety
/// `at` is an element slot of a verified vector of `T`'s table type.
#[inline(always)]
pub unsafe fn table_element<'a, T: TableElement<'a>>(bytes: Bytes<'a>, at: usize) -> T {
    match follow(&bytes, at) {
        // SAFETY: forwarded contract: an element of a verified vector of this table type.
        Some(object) => unsafe { T::from_object(bytes, object) },
        None => T::empty(),
    }
}

/// Reads a struct element by value.
///
/// # Safety
/// `at + size_of::<S>() <= bytes.len()`.
#[inline(always)]
pub unsafe fn struct_element<S: bytemuck::Pod>(bytes: &[u8], at: usize) -> S {
    // SAFETY: the caller guarantees the struct's bytes are inside; `S` is plain data, read
    // unaligned.
    unsafe { bytes.as_ptr().add(at).cast::<S>().read_unaligned() }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    /// A string object at offset 0: byte count, text, NUL.
    fn string_object(text: &[u8]) -> Vec<u8> {
        let mut object = Vec::new();
        object.extend_from_slice(&(text.len() as u32).to_le_bytes());
        object.extend_from_slice(text);
        object.push(0);
        object
    }

    #[test]
    fn private_and_shared_bytes_read_the_same_text() {
        let object = string_object("héllo".as_bytes());
        // SAFETY: a well-formed string object whose UTF-8 is valid, as the verifier checks.
        let private = unsafe { string_at(Bytes::new(&object), 0) };
        // SAFETY: shared bytes are checked at the read.
        let shared = unsafe { string_at(Bytes::shared(&object), 0) };
        assert_eq!((private, shared), ("héllo", "héllo"));
    }

    #[test]
    fn shared_bytes_rewritten_to_invalid_utf8_read_as_empty() {
        let mut object = string_object(b"ok");
        // A peer rewrites the text after verification.
        object[4..6].copy_from_slice(&[0xff, 0xfe]);
        // SAFETY: shared bytes need no UTF-8 guarantee: `string_at` checks it.
        assert_eq!(unsafe { string_at(Bytes::shared(&object), 0) }, "");
    }

    #[test]
    fn a_count_past_the_end_reads_as_empty_either_way() {
        let mut object = string_object(b"ok");
        object[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        // SAFETY: out-of-bounds text is never sliced, so no UTF-8 is assumed of it.
        let read = unsafe {
            (
                string_at(Bytes::new(&object), 0),
                string_at(Bytes::shared(&object), 0),
            )
        };
        assert_eq!(read, ("", ""));
    }

    /// A table whose header claims a body past the end of the bytes (a shared slot rewritten
    /// after verification): fields inside what the bytes hold read, the others read as their
    /// defaults, and nothing reads outside.
    #[test]
    fn a_table_view_keeps_to_the_bytes_it_was_made_over() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&7u32.to_le_bytes()); // tag
        bytes.extend_from_slice(&u32::MAX.to_le_bytes()); // body size: far too large
        bytes.extend_from_slice(&0x1122_3344u32.to_le_bytes());
        bytes.extend_from_slice(&[0xAB, 0xCD]);
        // SAFETY: the view must stay inside the bytes whatever they claim, which is what this
        // checks; the values are not relied on.
        let t = unsafe { Table::new(Bytes::shared(&bytes), 0) };
        assert_eq!(t.body_size(), 6, "cut to the bytes there are");
        assert_eq!(t.scalar::<u32>(0, 4, 0), 0x1122_3344);
        assert_eq!(t.scalar::<u16>(4, 6, 9), 0xCDAB);
        assert_eq!(t.scalar::<u32>(4, 8, 9), 9, "past the bytes: the default");
        assert_eq!(t.optional::<u8>(5, 6, 7), None);
        assert_eq!(t.structure::<[u8; 4]>(None, 4, 8), None);
        assert_eq!(t.reference(4, 8), None);
        // A vector whose count runs past the bytes reads as the elements they hold.
        let mut v = 1000u32.to_le_bytes().to_vec();
        v.extend_from_slice(&[1, 0, 2, 0, 3]);
        // SAFETY: as above.
        let v = unsafe { Vector::<u16>::new(Bytes::new(&v), 0) };
        assert_eq!(v.iter().collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn nested_bytes_keep_their_trust() {
        let object = string_object(b"ok");
        assert!(Bytes::shared(&object).with(&object[4..]).is_shared());
        assert!(!Bytes::new(&object).with(&object[4..]).is_shared());
    }
}
