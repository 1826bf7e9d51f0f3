//! The arena every message is written into, front to back.
//!
//! Objects are appended at increasing offsets into a growable buffer or a caller-given slice
//! (a shared-memory slot). Everything appended is zero-filled first, so padding is always zero.
//! The message header is written last, by [`Builder::finish`]: until then the first bytes are
//! zero and no verifier accepts the buffer, so a build that fails half way (a slice too small,
//! a bad value) never leaves a message that verifies.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::format::{
    COUNT_SIZE, FORMAT_VERSION, HEADER_FILE_IDENTIFIER, HEADER_LENGTH, HEADER_ROOT_REF,
    HEADER_ROOT_TAG, HEADER_VERSION, MAGIC, MAX_MESSAGE_SIZE, MESSAGE_ALIGN, MESSAGE_HEADER_SIZE,
    OBJECT_ALIGN, OBJECT_HEADER_SIZE, align_up,
};
use crate::spare;

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The caller-given buffer is too small.
    #[error("the buffer holds {capacity} bytes; the message needs at least {needed}")]
    OutOfSpace {
        /// Bytes needed so far.
        needed: u64,
        /// Bytes available.
        capacity: usize,
    },
    /// The message would be larger than the format allows.
    #[error("the message would be larger than {MAX_MESSAGE_SIZE} bytes")]
    TooLarge,
    /// A union holds a member this schema does not know (data from a newer writer, read as
    /// its discriminant): without its type, it cannot be written.
    #[error(
        "{path}: union member {discriminant} is not in this schema (a newer writer's?), so it cannot be written"
    )]
    UnknownUnionMember {
        /// Where in the value.
        path: String,
        /// The unknown discriminant.
        discriminant: u64,
    },
    /// A value does not fit the schema.
    #[error("{path}: {message}")]
    Value {
        /// Where in the value (`Monster.inventory[3]`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// An object written into a builder: where it starts (what references point to) and where
/// its body starts, past its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    start: u32,
    body: u32,
}

impl ObjectRef {
    /// The object's offset from the message start.
    pub fn offset(self) -> u32 {
        self.start
    }

    /// The offset of the object's body (just past its header).
    pub fn body(self) -> usize {
        self.body as usize
    }
}

/// What an object starts with (`docs/layout.md`, section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// A type tag, then the body size (tables, boxed structs) or the element count (vectors
    /// of references).
    Tagged {
        /// The type tag.
        tag: u32,
        /// The body size or element count.
        size_or_count: u32,
    },
    /// A count alone: a string's bytes, or a vector of scalars' or structs' elements.
    Counted(u32),
}

impl Header {
    /// The header's bytes: 8 or 4 of the array.
    #[inline(always)]
    fn bytes(self) -> ([u8; 8], usize) {
        let mut head = [0u8; 8];
        match self {
            Header::Tagged { tag, size_or_count } => {
                head[..4].copy_from_slice(&tag.to_le_bytes());
                head[4..].copy_from_slice(&size_or_count.to_le_bytes());
                (head, OBJECT_HEADER_SIZE as usize)
            }
            Header::Counted(count) => {
                head[..4].copy_from_slice(&count.to_le_bytes());
                (head, COUNT_SIZE as usize)
            }
        }
    }
}

/// Bytes `from..end` of a caller-given buffer, or the error saying it is too small.
#[inline(always)]
fn slice_room(buf: &mut [u8], from: usize, end: usize) -> Result<&mut [u8], BuildError> {
    let capacity = buf.len();
    buf.get_mut(from..end).ok_or(BuildError::OutOfSpace {
        needed: end as u64,
        capacity,
    })
}

enum Arena<'buf> {
    Owned(Vec<u8>),
    Slice(&'buf mut [u8]),
    Region(Box<dyn Region>),
}

/// Memory a builder writes into and keeps alive while it writes, such as a slot of a
/// shared-memory segment that the region's value holds on to ([`Builder::in_region`]).
pub trait Region: Send + 'static {
    /// The memory, to read.
    fn bytes(&self) -> &[u8];
    /// The memory, to write: the same bytes every time.
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// An arena's memory, as each write sees it: growable, or fixed (a slice or a region).
enum Room<'a> {
    Growable(&'a mut Vec<u8>),
    Fixed(&'a mut [u8]),
}

impl Arena<'_> {
    #[inline]
    fn room(&mut self) -> Room<'_> {
        match self {
            Arena::Owned(v) => Room::Growable(v),
            Arena::Slice(s) => Room::Fixed(s),
            Arena::Region(r) => Room::Fixed(r.bytes_mut()),
        }
    }

    #[inline]
    fn all(&self) -> &[u8] {
        match self {
            Arena::Owned(v) => v,
            Arena::Slice(s) => s,
            Arena::Region(r) => r.bytes(),
        }
    }
}

/// Writes one message front to back.
pub struct Builder<'buf> {
    arena: Arena<'buf>,
    len: usize,
}

impl Default for Builder<'static> {
    fn default() -> Self {
        Builder::with_capacity(1024)
    }
}

impl Builder<'static> {
    /// A builder into `region`, which must hold the whole message (like
    /// [`Builder::in_slice`]), and which the builder keeps until it is dropped or
    /// [`Builder::into_region`] gives it back.
    pub fn in_region(mut region: Box<dyn Region>) -> Result<Self, BuildError> {
        let header = MESSAGE_HEADER_SIZE as usize;
        let buffer = region.bytes_mut();
        let capacity = buffer.len();
        let Some(head) = buffer.get_mut(..header) else {
            return Err(BuildError::OutOfSpace {
                needed: header as u64,
                capacity,
            });
        };
        head.fill(0);
        Ok(Builder {
            arena: Arena::Region(region),
            len: header,
        })
    }

    /// The region this builder wrote into and how many bytes it wrote, or `None` (and the
    /// builder back) when it writes elsewhere.
    pub fn into_region(self) -> Result<(Box<dyn Region>, usize), Self> {
        match self.arena {
            Arena::Region(region) => Ok((region, self.len)),
            arena => Err(Builder {
                arena,
                len: self.len,
            }),
        }
    }

    /// A builder into a growable buffer.
    pub fn new() -> Self {
        Builder::default()
    }

    /// A builder into a growable buffer that starts with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Builder::reusing(Vec::with_capacity(capacity))
    }

    /// A builder into `buffer`'s memory, growable (its contents are dropped): a buffer kept
    /// from an earlier message is written again without the allocator handing out, and the
    /// kernel faulting in, fresh pages.
    pub fn reusing(mut buffer: Vec<u8>) -> Self {
        buffer.clear();
        buffer.resize(MESSAGE_HEADER_SIZE as usize, 0);
        Builder {
            arena: Arena::Owned(buffer),
            len: MESSAGE_HEADER_SIZE as usize,
        }
    }
}

impl<'buf> Builder<'buf> {
    /// A builder into `buffer`, which must hold the whole message; its old contents are
    /// overwritten as the message grows.
    pub fn in_slice(buffer: &'buf mut [u8]) -> Result<Self, BuildError> {
        let header = MESSAGE_HEADER_SIZE as usize;
        let Some(head) = buffer.get_mut(..header) else {
            return Err(BuildError::OutOfSpace {
                needed: header as u64,
                capacity: buffer.len(),
            });
        };
        head.fill(0);
        Ok(Builder {
            arena: Arena::Slice(buffer),
            len: header,
        })
    }

    /// Whether this builder writes into a region ([`Builder::in_region`]).
    pub fn is_in_region(&self) -> bool {
        matches!(self.arena, Arena::Region(_))
    }

    /// Bytes written so far, header included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing but the (unwritten) header is there.
    pub fn is_empty(&self) -> bool {
        self.len == MESSAGE_HEADER_SIZE as usize
    }

    /// Starts over, keeping the buffer.
    pub fn clear(&mut self) {
        self.len = MESSAGE_HEADER_SIZE as usize;
        if let Arena::Owned(v) = &mut self.arena {
            // Drop the old bytes, so growing again zero-fills (keeping the allocation).
            v.truncate(MESSAGE_HEADER_SIZE as usize);
        }
        if let Some(head) = self.buffer_mut().get_mut(..MESSAGE_HEADER_SIZE as usize) {
            head.fill(0);
        }
    }

    #[inline(always)]
    fn buffer_mut(&mut self) -> &mut [u8] {
        match self.arena.room() {
            Room::Growable(v) => v.as_mut_slice(),
            Room::Fixed(s) => s,
        }
    }

    /// The bytes written so far.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        let all = self.arena.all();
        all.get(..self.len).unwrap_or(all)
    }

    /// The bytes written so far, to patch in place.
    #[inline(always)]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.len;
        let buffer = self.buffer_mut();
        let whole = buffer.len();
        &mut buffer[..len.min(whole)]
    }

    /// Extends the message to `end` bytes, zero-filled.
    #[inline]
    fn grow_to(&mut self, end: u64) -> Result<(), BuildError> {
        if end > u64::from(MAX_MESSAGE_SIZE) {
            return Err(BuildError::TooLarge);
        }
        let end = end as usize;
        let start = self.len;
        match self.arena.room() {
            Room::Growable(v) => spare::append(v, end - start, ([0; 8], 0), 0, &[]),
            Room::Fixed(s) => {
                let capacity = s.len();
                let fresh = s.get_mut(start..end).ok_or(BuildError::OutOfSpace {
                    needed: end as u64,
                    capacity,
                })?;
                fresh.fill(0);
            }
        }
        self.len = end;
        Ok(())
    }

    /// Appends an object: `header` and `body_len` zero bytes, the body aligned to
    /// `body_align`. Returns where the object starts.
    #[inline(always)]
    pub fn alloc_object(
        &mut self,
        header: Header,
        body_len: u64,
        body_align: u32,
    ) -> Result<ObjectRef, BuildError> {
        self.append_parts(header, body_align, body_len, &[])
    }

    /// Where the next object goes, with a header of `head_len` bytes: the first offset at or
    /// after the end of the last object where it starts at a multiple of [`OBJECT_ALIGN`] and
    /// its body at a multiple of `body_align`; and where its body ends.
    #[inline(always)]
    fn span(
        &self,
        head_len: usize,
        body_align: u32,
        body_len: u64,
    ) -> Result<(ObjectRef, usize), BuildError> {
        let body = align_up(
            self.len as u64 + head_len as u64,
            body_align.max(OBJECT_ALIGN),
        )
        .ok_or(BuildError::TooLarge)?;
        let end = body
            .checked_add(body_len)
            .filter(|e| *e <= u64::from(MAX_MESSAGE_SIZE) - u64::from(MESSAGE_ALIGN))
            .ok_or(BuildError::TooLarge)?;
        let object = ObjectRef {
            start: (body - head_len as u64) as u32,
            body: body as u32,
        };
        Ok((object, end as usize))
    }

    /// Appends an object whose body is `parts`, concatenated: `header`, then the body aligned
    /// to `body_align`. Each byte is written once (no zero fill first), which is what makes
    /// strings and vectors of plain data cheap to write.
    #[inline(always)]
    pub fn append_object(
        &mut self,
        header: Header,
        body_align: u32,
        parts: &[&[u8]],
    ) -> Result<ObjectRef, BuildError> {
        let body_len: u64 = parts.iter().map(|p| p.len() as u64).sum();
        self.append_parts(header, body_align, body_len, parts)
    }

    /// Appends an object whose body is `text` and one 0 byte (a string): `header`, then the
    /// body, unaligned.
    #[inline(always)]
    pub fn append_zero_terminated(
        &mut self,
        header: Header,
        text: &[u8],
    ) -> Result<ObjectRef, BuildError> {
        // The body is zeros with the text over them: its last byte stays 0.
        self.append_parts(header, 1, text.len() as u64 + 1, &[text])
    }

    /// Appends `header` and a body of `body_len` bytes, aligned to `body_align`: zeros with
    /// `parts` written over them from its start.
    #[inline(always)]
    fn append_parts(
        &mut self,
        header: Header,
        body_align: u32,
        body_len: u64,
        parts: &[&[u8]],
    ) -> Result<ObjectRef, BuildError> {
        let (head, head_len) = header.bytes();
        let (object, end) = self.span(head_len, body_align, body_len)?;
        let gap = object.start as usize - self.len;
        match self.arena.room() {
            Room::Growable(v) => {
                spare::append(v, gap, (head, head_len), body_len as usize, parts);
            }
            Room::Fixed(buf) => {
                let out = slice_room(buf, self.len, end)?;
                out.fill(0);
                out[gap..gap + head_len].copy_from_slice(&head[..head_len]);
                let mut at = gap + head_len;
                for part in parts {
                    out[at..at + part.len()].copy_from_slice(part);
                    at += part.len();
                }
            }
        }
        self.len = end;
        Ok(object)
    }

    /// Appends an object of `body_len` bytes of body (`header`, the body aligned to
    /// `body_align`) and gives the body to be written in place. The body's bytes are left as
    /// the memory had them: zeros in a growable buffer, but in a slice or a region whatever was
    /// there before (an earlier message), so the caller writes all of it. Nothing is written
    /// twice, which is what lets a large payload be produced where it is sent from (a
    /// shared-memory slot) at the cost of producing it.
    pub fn append_in_place(
        &mut self,
        header: Header,
        body_len: u64,
        body_align: u32,
    ) -> Result<(ObjectRef, &mut [u8]), BuildError> {
        let (head, head_len) = header.bytes();
        let (object, end) = self.span(head_len, body_align, body_len)?;
        let (start, body) = (object.start as usize, object.body as usize);
        let from = self.len;
        match self.arena.room() {
            Room::Growable(v) => {
                // A vector's fresh bytes must be written anyway: zeros, as everywhere else.
                spare::append(v, start - from, (head, head_len), body_len as usize, &[]);
            }
            Room::Fixed(buf) => {
                let out = slice_room(buf, from, end)?;
                out[..start - from].fill(0);
                out[start - from..body - from].copy_from_slice(&head[..head_len]);
            }
        }
        self.len = end;
        Ok((object, &mut self.bytes_mut()[body..end]))
    }

    /// Appends a vector object of `count` plain elements (a counted header, the body aligned
    /// to `body_align`) that `items` makes, writing each element's bytes once. Returns the
    /// object and how many elements `items` gave (at most `count`; missing ones are zeros).
    pub fn append_plain<S: bytemuck::Pod>(
        &mut self,
        count: u32,
        body_align: u32,
        items: impl IntoIterator<Item = S>,
    ) -> Result<(ObjectRef, usize), BuildError> {
        let size = size_of::<S>();
        let (head, head_len) = Header::Counted(count).bytes();
        let (object, end) = self.span(head_len, body_align, u64::from(count) * size as u64)?;
        let start = object.start as usize;
        let mut written = 0;
        match self.arena.room() {
            Room::Growable(v) => {
                let gap = start - self.len;
                written = spare::append_items(v, gap, (head, head_len), count as usize, items);
            }
            Room::Fixed(buf) => {
                let out = slice_room(buf, self.len, end)?;
                out.fill(0);
                let at = start - self.len;
                out[at..at + head_len].copy_from_slice(&head[..head_len]);
                let elements = out[at + head_len..].chunks_exact_mut(size);
                for (item, slot) in items.into_iter().take(count as usize).zip(elements) {
                    slot.copy_from_slice(bytemuck::bytes_of(&item));
                    written += 1;
                }
            }
        }
        self.len = end;
        Ok((object, written))
    }

    /// Writes a reference at absolute offset `at` pointing to `target`.
    #[inline(always)]
    pub fn set_ref(&mut self, at: usize, target: ObjectRef) {
        // Both offsets are below 2^31, so the difference fits an i32.
        let delta = (i64::from(target.start) - at as i64) as i32;
        let len = self.len;
        let buffer = self.buffer_mut();
        if let Some(dst) = buffer.get_mut(at..at + 4).filter(|_| at + 4 <= len) {
            dst.copy_from_slice(&delta.to_le_bytes());
        }
    }

    /// Writes the message header, making the bytes a message with root `root` (an object of
    /// type tag `root_tag`). Returns the finished message.
    pub fn finish(
        &mut self,
        root: ObjectRef,
        root_tag: u32,
        file_identifier: [u8; 4],
    ) -> Result<&[u8], BuildError> {
        // The message ends on a multiple of 8, zero-padded.
        let end = align_up(self.len as u64, MESSAGE_ALIGN).ok_or(BuildError::TooLarge)?;
        self.grow_to(end)?;
        let len = u32::try_from(self.len).map_err(|_| BuildError::TooLarge)?;
        let header = &mut self.bytes_mut()[..MESSAGE_HEADER_SIZE as usize];
        header[..4].copy_from_slice(&MAGIC);
        let at = |offset: u32| offset as usize;
        header[at(HEADER_VERSION)..at(HEADER_VERSION) + 2]
            .copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        header[at(HEADER_LENGTH)..at(HEADER_LENGTH) + 4].copy_from_slice(&len.to_le_bytes());
        header[at(HEADER_ROOT_TAG)..at(HEADER_ROOT_TAG) + 4]
            .copy_from_slice(&root_tag.to_le_bytes());
        header[at(HEADER_FILE_IDENTIFIER)..at(HEADER_FILE_IDENTIFIER) + 4]
            .copy_from_slice(&file_identifier);
        self.set_ref(HEADER_ROOT_REF as usize, root);
        Ok(self.as_bytes())
    }

    /// The finished bytes as an owned vector (copied when the builder writes into a slice).
    pub fn into_vec(self) -> Vec<u8> {
        match self.arena {
            Arena::Owned(mut v) => {
                v.truncate(self.len);
                v
            }
            Arena::Slice(s) => s[..self.len].to_vec(),
            Arena::Region(r) => r.bytes().get(..self.len).unwrap_or_default().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::vec;

    use super::*;

    fn tagged(tag: u32, size_or_count: u32) -> Header {
        Header::Tagged { tag, size_or_count }
    }

    #[test]
    fn objects_are_aligned_and_zero_padded() {
        let mut b = Builder::new();
        let a = b.alloc_object(tagged(7, 3), 3, 4).unwrap();
        assert_eq!((a.offset(), a.body()), (24, 32));
        // Ends at 35; the next object starts at a multiple of 4 with its body 16-aligned.
        let c = b.alloc_object(tagged(9, 1), 16, 16).unwrap();
        assert_eq!((c.offset(), c.body()), (40, 48));
        assert_eq!(b.len(), 64);
        assert!(b.as_bytes()[35..40].iter().all(|&x| x == 0));
        // A counted header is 4 bytes: an 8-aligned body right after a 4-aligned start.
        let v = b.alloc_object(Header::Counted(2), 16, 8).unwrap();
        assert_eq!((v.offset(), v.body()), (68, 72));
        let s = b
            .append_object(Header::Counted(2), 1, &[b"hi", &[0]])
            .unwrap();
        assert_eq!((s.offset(), s.body(), b.len()), (88, 92, 95));
    }

    #[test]
    fn a_long_object_leaves_room_for_the_small_ones_after_it() {
        let mut b = Builder::new();
        let text = vec![b'x'; 64 * 1024];
        b.append_object(Header::Counted(text.len() as u32), 1, &[&text, &[0]])
            .unwrap();
        let capacity = |b: &Builder<'_>| match &b.arena {
            Arena::Owned(v) => v.capacity(),
            _ => unreachable!("a growable builder"),
        };
        let grown = capacity(&b);
        // The table that refers to it, and a few more small objects: no second growth,
        // which would copy the long one.
        for _ in 0..8 {
            b.alloc_object(tagged(2, 24), 24, 8).unwrap();
            b.append_object(Header::Counted(5), 1, &[b"small", &[0]])
                .unwrap();
        }
        assert_eq!(capacity(&b), grown);
    }

    #[test]
    fn long_and_far_aligned_objects_are_zero_where_nothing_is_written() {
        let mut b = Builder::new();
        let payload = vec![7u8; 300];
        let v = b
            .append_object(Header::Counted(300), 256, &[&payload[..100]])
            .unwrap();
        assert_eq!(v.body() % 256, 0);
        let bytes = b.as_bytes();
        assert!(
            bytes[24..v.offset() as usize].iter().all(|&x| x == 0),
            "the gap"
        );
        assert_eq!(&bytes[v.body()..v.body() + 100], &payload[..100]);
        let rest = &bytes[v.body() + 100..];
        assert_eq!(rest.len(), 0, "the body is what the parts give");
        let t = b.alloc_object(tagged(1, 200), 200, 4).unwrap();
        assert!(b.as_bytes()[t.body()..].iter().all(|&x| x == 0));
        assert_eq!(b.len(), t.body() + 200);
    }

    #[test]
    fn plain_elements_an_iterator_does_not_give_are_zeros() {
        let mut b = Builder::new();
        let (v, written) = b.append_plain(40, 8, [u64::MAX; 3]).unwrap();
        assert_eq!(written, 3);
        let body = &b.as_bytes()[v.body()..];
        assert_eq!(body.len(), 320);
        assert!(body[..24].iter().all(|&x| x == 0xFF));
        assert!(body[24..].iter().all(|&x| x == 0));
    }

    #[test]
    fn strings_of_every_short_length_are_written_whole() {
        let text: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=text.len() {
            let mut b = Builder::new();
            let s = b
                .append_zero_terminated(Header::Counted(n as u32), &text[..n])
                .unwrap();
            let bytes = b.as_bytes();
            assert_eq!(
                &bytes[s.offset() as usize..s.body()],
                &(n as u32).to_le_bytes()
            );
            assert_eq!(&bytes[s.body()..s.body() + n], &text[..n], "{n}");
            assert_eq!(bytes[s.body() + n], 0, "{n}: the NUL");
            assert_eq!(b.len(), s.body() + n + 1);
        }
    }

    #[test]
    fn a_slice_too_small_fails_and_nothing_verifies() {
        let mut buffer = [0xAAu8; 40];
        let mut b = Builder::in_slice(&mut buffer).unwrap();
        let err = b.alloc_object(tagged(1, 64), 64, 8).unwrap_err();
        assert_eq!(
            err,
            BuildError::OutOfSpace {
                needed: 96,
                capacity: 40
            }
        );
        drop(b);
        assert_eq!(
            &buffer[..4],
            &[0, 0, 0, 0],
            "no magic: the header is written last"
        );
    }

    #[test]
    fn a_cleared_builder_writes_on_zeros() {
        let mut b = Builder::new();
        let first = b.alloc_object(tagged(1, 8), 8, 8).unwrap();
        b.bytes_mut()[first.body()..first.body() + 8].fill(0xAB);
        b.clear();
        let second = b.alloc_object(tagged(1, 8), 8, 8).unwrap();
        assert_eq!(second, first);
        assert!(
            b.as_bytes()[second.body()..second.body() + 8]
                .iter()
                .all(|&x| x == 0)
        );
    }

    #[test]
    fn finish_writes_the_header_and_pads_to_8() {
        let mut b = Builder::new();
        let root = b.alloc_object(tagged(0x1234, 4), 4, 4).unwrap();
        let bytes = b.finish(root, 0x1234, *b"TEST").unwrap();
        assert_eq!(&bytes[..4], b"WEFT");
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 2);
        // 24 + 8 + 4 = 36, padded to 40.
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 40);
        assert_eq!(bytes.len(), 40);
        assert_eq!(i32::from_le_bytes(bytes[16..20].try_into().unwrap()), 8);
        assert_eq!(&bytes[20..24], b"TEST");
    }

    #[test]
    fn a_body_written_in_place_makes_the_bytes_a_copy_makes() {
        let payload: Vec<u8> = (0..13u8).collect();
        let mut copied = Builder::new();
        copied.alloc_object(tagged(1, 8), 8, 8).unwrap();
        copied
            .append_object(Header::Counted(13), 8, &[&payload])
            .unwrap();
        // A slice full of an earlier message's bytes: the gap is zeroed, the body is the
        // caller's to write.
        let mut buffer = [0xAAu8; 128];
        let mut b = Builder::in_slice(&mut buffer).unwrap();
        b.alloc_object(tagged(1, 8), 8, 8).unwrap();
        let (object, body) = b.append_in_place(Header::Counted(13), 13, 8).unwrap();
        assert_eq!(body.len(), 13);
        body.copy_from_slice(&payload);
        assert_eq!((object.offset(), object.body()), (44, 48));
        assert_eq!(b.as_bytes(), copied.as_bytes());
        let mut grown = Builder::new();
        grown.alloc_object(tagged(1, 8), 8, 8).unwrap();
        let (_, body) = grown.append_in_place(Header::Counted(13), 13, 8).unwrap();
        assert!(body.iter().all(|&x| x == 0));
        body.copy_from_slice(&payload);
        assert_eq!(grown.as_bytes(), copied.as_bytes());
        let mut small = [0u8; 40];
        let mut b = Builder::in_slice(&mut small).unwrap();
        assert!(matches!(
            b.append_in_place(Header::Counted(64), 64, 8),
            Err(BuildError::OutOfSpace { .. })
        ));
    }

    /// A region over memory it owns (in the transport, a shared-memory slot).
    struct Boxed(Vec<u8>);

    impl Region for Boxed {
        fn bytes(&self) -> &[u8] {
            &self.0
        }
        fn bytes_mut(&mut self) -> &mut [u8] {
            &mut self.0
        }
    }

    #[test]
    fn a_region_builds_the_same_bytes_as_a_growable_buffer() {
        let build = |b: &mut Builder<'static>| {
            let a = b.append_object(Header::Counted(3), 1, &[b"abc"]).unwrap();
            let c = b.append_plain(2, 8, [1u64, 2u64]).unwrap().0;
            let root = b.alloc_object(tagged(1, 8), 8, 8).unwrap();
            b.set_ref(root.body(), a);
            b.set_ref(root.body() + 4, c);
            b.finish(root, 1, *b"TEST").unwrap().to_vec()
        };
        let heap = build(&mut Builder::new());
        let mut in_region = Builder::in_region(Box::new(Boxed(vec![0xAA; 256]))).unwrap();
        assert!(in_region.is_in_region());
        assert_eq!(build(&mut in_region), heap);
        let Ok((region, len)) = in_region.into_region() else {
            panic!("the builder lost its region");
        };
        assert_eq!(&region.bytes()[..len], &heap[..]);

        // Too small: out of space, like a slice.
        let mut small = Builder::in_region(Box::new(Boxed(vec![0; 40]))).unwrap();
        assert!(matches!(
            small.alloc_object(tagged(1, 64), 64, 8),
            Err(BuildError::OutOfSpace { .. })
        ));
        assert!(Builder::new().into_region().is_err());
    }
}
