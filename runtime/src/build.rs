//! Writing pieces of a message for generated builders, front to back into a
//! [`Builder`] (a growable buffer or a caller-given slice).

use alloc::format;
use alloc::string::String;

use super::scalar::Scalar;
use crate::builder::Header;
use crate::format::{OBJECT_ALIGN, REF_SIZE};
pub use crate::structs::Struct;
use crate::structs::clear_padding;
use crate::{BuildError, Builder, ObjectRef};

/// Appends a table object of `body_size` zero bytes.
#[inline]
pub fn table(
    b: &mut Builder<'_>,
    tag: u32,
    body_size: u32,
    body_align: u32,
) -> Result<ObjectRef, BuildError> {
    let header = Header::Tagged {
        tag,
        size_or_count: body_size,
    };
    b.alloc_object(header, u64::from(body_size), body_align)
}

/// Writes a scalar at absolute offset `at` (inside what was allocated).
#[inline(always)]
pub fn put<T: Scalar>(b: &mut Builder<'_>, at: usize, value: T) {
    value.write(b.bytes_mut(), at);
}

/// Writes a struct's bytes at absolute offset `at`, padding zeroed.
#[inline(always)]
pub fn put_struct<S: Struct>(b: &mut Builder<'_>, at: usize, value: &S) {
    let raw = bytemuck::bytes_of(value);
    if let Some(dst) = b.bytes_mut().get_mut(at..at + raw.len()) {
        dst.copy_from_slice(raw);
        clear_padding::<S>(dst, 0);
    }
}

/// Appends a string object holding `text`.
#[inline]
pub fn string(b: &mut Builder<'_>, text: &str) -> Result<ObjectRef, BuildError> {
    let len = u32::try_from(text.len()).map_err(|_| BuildError::TooLarge)?;
    // The NUL after the text is one of the zeros the body is written over.
    b.append_zero_terminated(Header::Counted(len), text.as_bytes())
}

/// Appends a vector of scalars or structs: `count` zeroed elements `stride` bytes apart.
#[inline]
pub fn vector(
    b: &mut Builder<'_>,
    count: usize,
    stride: u32,
    body_align: u32,
) -> Result<ObjectRef, BuildError> {
    let count = u32::try_from(count).map_err(|_| BuildError::TooLarge)?;
    b.alloc_object(
        Header::Counted(count),
        u64::from(count) * u64::from(stride),
        body_align,
    )
}

/// Appends a vector of `count` null references (tag `tag`), to point at objects after it.
#[inline]
pub fn ref_vector(b: &mut Builder<'_>, tag: u32, count: usize) -> Result<ObjectRef, BuildError> {
    let count = u32::try_from(count).map_err(|_| BuildError::TooLarge)?;
    let header = Header::Tagged {
        tag,
        size_or_count: count,
    };
    b.alloc_object(header, u64::from(count) * u64::from(REF_SIZE), OBJECT_ALIGN)
}

/// Appends a vector of scalars, its body aligned to `body_align`.
pub fn scalars<T: Scalar>(
    b: &mut Builder<'_>,
    body_align: u32,
    items: &[T],
) -> Result<ObjectRef, BuildError> {
    let object = vector(b, items.len(), T::SIZE as u32, body_align)?;
    let body = object.body();
    let Some(bytes) = b.bytes_mut().get_mut(body..body + items.len() * T::SIZE) else {
        return Ok(object);
    };
    for (item, slot) in items.iter().zip(bytes.chunks_exact_mut(T::SIZE)) {
        item.write(slot, 0);
    }
    Ok(object)
}

/// Appends a vector of structs (or of any plain little-endian data), copied as bytes.
pub fn structs<S: Struct>(
    b: &mut Builder<'_>,
    body_align: u32,
    items: &[S],
) -> Result<ObjectRef, BuildError> {
    let count = u32::try_from(items.len()).map_err(|_| BuildError::TooLarge)?;
    let raw: &[u8] = bytemuck::cast_slice(items);
    let object = b.append_object(Header::Counted(count), body_align, &[raw])?;
    let body = object.body();
    let dst = &mut b.bytes_mut()[body..body + raw.len()];
    if !S::PADDING.is_empty() {
        for i in 0..items.len() {
            clear_padding::<S>(dst, i * size_of::<S>());
        }
    }
    Ok(object)
}

/// Appends a vector of strings: the vector, then each string, in order.
pub fn strings<S: AsRef<str>>(
    b: &mut Builder<'_>,
    vector_tag: u32,
    items: &[S],
) -> Result<ObjectRef, BuildError> {
    let object = ref_vector(b, vector_tag, items.len())?;
    for (i, item) in items.iter().enumerate() {
        let child = string(b, item.as_ref())?;
        b.set_ref(object.body() + i * REF_SIZE as usize, child);
    }
    Ok(object)
}

/// A table type's builder, as generated: allocate the object first (so its parent can
/// refer to it), then write its fields through the builder.
pub trait TableBuild<'c, 'buf: 'c>: Sized {
    /// Appends the table's object, defaults written.
    fn alloc(b: &mut Builder<'buf>) -> Result<ObjectRef, BuildError>;
    /// The builder of the object `alloc` appended.
    fn resume(b: &'c mut Builder<'buf>, object: ObjectRef) -> Self;
}

/// Appends a table `T` and points the reference at `at` to it; returns its builder.
#[inline]
pub fn child<'c, 'buf: 'c, T: TableBuild<'c, 'buf>>(
    b: &'c mut Builder<'buf>,
    at: usize,
) -> Result<T, BuildError> {
    let object = T::alloc(b)?;
    b.set_ref(at, object);
    Ok(T::resume(b, object))
}

/// A vector of tables being written: its elements are appended one at a time, each
/// finished before the next starts (front to back).
pub struct TableVector<'b, 'buf> {
    b: &'b mut Builder<'buf>,
    body: usize,
    len: usize,
    next: usize,
}

impl<'b, 'buf> TableVector<'b, 'buf> {
    /// Appends a vector of `count` table references (tag `tag`), referenced from `at`.
    pub fn new(
        b: &'b mut Builder<'buf>,
        tag: u32,
        count: usize,
        at: usize,
    ) -> Result<Self, BuildError> {
        let object = ref_vector(b, tag, count)?;
        b.set_ref(at, object);
        Ok(TableVector {
            b,
            body: object.body(),
            len: count,
            next: 0,
        })
    }

    /// Appends the next element's table and returns its builder.
    pub fn push<'c, T: TableBuild<'c, 'buf>>(&'c mut self) -> Result<T, BuildError> {
        if self.next >= self.len {
            return Err(BuildError::Value {
                path: String::new(),
                message: format!("the vector was allocated for {} tables", self.len),
            });
        }
        let at = self.body + self.next * REF_SIZE as usize;
        self.next += 1;
        child(self.b, at)
    }

    /// Elements still to push (a vector with some left fails verification).
    pub fn remaining(&self) -> usize {
        self.len - self.next
    }
}

/// A vector of unions being written: its discriminants are written first, then each
/// member, in order.
pub struct UnionVector<'b, 'buf> {
    b: &'b mut Builder<'buf>,
    values_body: usize,
    len: usize,
    next: usize,
}

impl<'b, 'buf> UnionVector<'b, 'buf> {
    /// Appends the discriminant vector (its body aligned to `types_align`, referenced from
    /// `types_at`) and the value vector (tag `values_tag`, from `values_at`).
    pub fn new<D: bytemuck::Pod>(
        b: &'b mut Builder<'buf>,
        (types_align, values_tag): (u32, u32),
        discriminants: &[D],
        (types_at, values_at): (usize, usize),
    ) -> Result<Self, BuildError> {
        // Generated discriminants are newtypes of the union's integer, little-endian in memory.
        let width = size_of::<D>();
        let types = vector(b, discriminants.len(), width as u32, types_align)?;
        let body = types.body();
        let raw: &[u8] = bytemuck::cast_slice(discriminants);
        if let Some(slot) = b.bytes_mut().get_mut(body..body + raw.len()) {
            slot.copy_from_slice(raw);
        }
        b.set_ref(types_at, types);
        let values = ref_vector(b, values_tag, discriminants.len())?;
        b.set_ref(values_at, values);
        Ok(UnionVector {
            b,
            values_body: values.body(),
            len: discriminants.len(),
            next: 0,
        })
    }

    fn slot(&mut self) -> Result<usize, BuildError> {
        if self.next >= self.len {
            return Err(BuildError::Value {
                path: String::new(),
                message: format!("the vector was allocated for {} unions", self.len),
            });
        }
        self.next += 1;
        Ok(self.values_body + (self.next - 1) * REF_SIZE as usize)
    }

    /// Skips an element whose discriminant is NONE.
    pub fn push_none(&mut self) -> Result<(), BuildError> {
        self.slot().map(|_| ())
    }

    /// Appends the next element as a table.
    pub fn push_table<'c, T: TableBuild<'c, 'buf>>(&'c mut self) -> Result<T, BuildError> {
        let at = self.slot()?;
        child(self.b, at)
    }

    /// Appends the next element as a string.
    pub fn push_string(&mut self, text: &str) -> Result<(), BuildError> {
        let at = self.slot()?;
        let object = string(self.b, text)?;
        self.b.set_ref(at, object);
        Ok(())
    }

    /// Appends the next element as a boxed struct.
    pub fn push_struct<S: Struct>(
        &mut self,
        (tag, align): (u32, u32),
        value: &S,
    ) -> Result<(), BuildError> {
        let at = self.slot()?;
        let object = boxed_struct(self.b, (tag, align), value)?;
        self.b.set_ref(at, object);
        Ok(())
    }
}

/// Appends a struct boxed in its own object (a union member).
pub fn boxed_struct<S: Struct>(
    b: &mut Builder<'_>,
    (tag, align): (u32, u32),
    value: &S,
) -> Result<ObjectRef, BuildError> {
    let size = size_of::<S>() as u32;
    let header = Header::Tagged {
        tag,
        size_or_count: size,
    };
    let object = b.alloc_object(header, u64::from(size), align)?;
    put_struct(b, object.body(), value);
    Ok(object)
}

/// Appends a `[ubyte]` vector holding `bytes`, its body aligned to `body_align` (a nested
/// message's is [`crate::format::NESTED_ALIGN`]).
pub fn bytes(b: &mut Builder<'_>, body_align: u32, bytes: &[u8]) -> Result<ObjectRef, BuildError> {
    let count = u32::try_from(bytes.len()).map_err(|_| BuildError::TooLarge)?;
    b.append_object(Header::Counted(count), body_align, &[bytes])
}

/// Appends a `[ubyte]` vector of `len` bytes, refers to it from the reference at `at`, and
/// gives its bytes to be written in place: what they hold before is unspecified (zeros, or
/// an earlier message's bytes in a slice or a region), so the caller writes all of them
/// ([`Builder::append_in_place`]).
pub fn bytes_in_place<'b>(
    b: &'b mut Builder<'_>,
    body_align: u32,
    len: usize,
    at: usize,
) -> Result<&'b mut [u8], BuildError> {
    let count = u32::try_from(len).map_err(|_| BuildError::TooLarge)?;
    let (object, _) = b.append_in_place(Header::Counted(count), u64::from(count), body_align)?;
    b.set_ref(at, object);
    let body = object.body();
    Ok(&mut b.bytes_mut()[body..body + len])
}

/// Appends a vector of structs from an iterator of exactly `count` of them, writing each
/// once (no buffer of them first); fails if the iterator gives another number.
pub fn structs_from_iter<S: Struct>(
    b: &mut Builder<'_>,
    body_align: u32,
    count: usize,
    items: impl IntoIterator<Item = S>,
) -> Result<ObjectRef, BuildError> {
    let count32 = u32::try_from(count).map_err(|_| BuildError::TooLarge)?;
    let (object, written) = b.append_plain(count32, body_align, items)?;
    if written != count {
        return Err(BuildError::Value {
            path: String::new(),
            message: format!("{written} structs given for a vector of {count}"),
        });
    }
    if !S::PADDING.is_empty() {
        let body = object.body();
        if let Some(dst) = b.bytes_mut().get_mut(body..body + count * size_of::<S>()) {
            for i in 0..count {
                clear_padding::<S>(dst, i * size_of::<S>());
            }
        }
    }
    Ok(object)
}
