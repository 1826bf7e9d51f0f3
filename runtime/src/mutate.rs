//! In-place changes to a message: scalars, presence of optional scalars, structs, and the
//! elements of scalar and struct vectors, on a view over `&mut [u8]` (a heap buffer or a
//! shared-memory slot).
//!
//! Writes are bounds-checked and never follow a reference they wrote, so they cannot make
//! the program unsafe whatever the bytes hold. They can make the bytes say something else: a
//! message read after changes is verified again ([`super::root`] takes `&[u8]`, which ends
//! every mutable view first).

use core::marker::PhantomData;

use super::scalar::{Scalar, read_or};
use crate::format::{COUNT_SIZE, OBJECT_HEADER_SIZE, REF_SIZE};
use crate::structs::{Struct, clear_padding};

fn follow(bytes: &[u8], at: usize) -> Option<usize> {
    let value = i32::read(bytes, at)?;
    if value == 0 {
        return None;
    }
    usize::try_from((at as i64).checked_add(i64::from(value))?)
        .ok()
        .filter(|t| t.saturating_add(COUNT_SIZE as usize) <= bytes.len())
}

/// A table object, to change in place.
pub struct TableMut<'a> {
    bytes: &'a mut [u8],
    body: usize,
    size: u32,
}

impl<'a> TableMut<'a> {
    /// The table object at `object`.
    pub fn new(bytes: &'a mut [u8], object: usize) -> Self {
        let size = read_or(bytes, object + 4, 0u32);
        TableMut {
            bytes,
            body: object + OBJECT_HEADER_SIZE as usize,
            size,
        }
    }

    /// Whether a field whose last member ends at `end` is in this object.
    pub fn has(&self, end: u32) -> bool {
        self.size >= end
    }

    /// Reads the scalar at `offset` of a field ending at `end`, else `default`.
    pub fn scalar<T: Scalar>(&self, offset: u32, end: u32, default: T) -> T {
        if self.size >= end {
            read_or(self.bytes, self.body + offset as usize, default)
        } else {
            default
        }
    }

    /// Sets the scalar at `offset`; `false` when the field is not in this object (an older
    /// writer's): a field can only change in place where it is stored.
    pub fn set<T: Scalar>(&mut self, offset: u32, end: u32, value: T) -> bool {
        self.size >= end && value.write(self.bytes, self.body + offset as usize)
    }

    /// Sets or clears an optional scalar (presence byte at `presence`).
    pub fn set_optional<T: Scalar + Default>(
        &mut self,
        presence: u32,
        offset: u32,
        end: u32,
        value: Option<T>,
    ) -> bool {
        if self.size < end {
            return false;
        }
        let at = self.body + offset as usize;
        let written = value.unwrap_or_default().write(self.bytes, at);
        written && u8::from(value.is_some()).write(self.bytes, self.body + presence as usize)
    }

    /// Overwrites a struct stored at `offset`; `false` when the field is not in this object,
    /// or (with a presence byte at `presence`) when it is null: a struct's presence does not
    /// change in place.
    pub fn set_struct<S: Struct>(
        &mut self,
        presence: Option<u32>,
        offset: u32,
        end: u32,
        value: &S,
    ) -> bool {
        if self.size < end {
            return false;
        }
        if let Some(p) = presence
            && read_or(self.bytes, self.body + p as usize, 0u8) == 0
        {
            return false;
        }
        let at = self.body + offset as usize;
        let raw = bytemuck::bytes_of(value);
        match self.bytes.get_mut(at..at + raw.len()) {
            Some(dst) => {
                dst.copy_from_slice(raw);
                clear_padding::<S>(dst, 0);
                true
            }
            None => false,
        }
    }

    fn target(&self, offset: u32, end: u32) -> Option<usize> {
        if self.size >= end {
            follow(self.bytes, self.body + offset as usize)
        } else {
            None
        }
    }

    /// The table the reference at `offset` points to.
    pub fn table(&mut self, offset: u32, end: u32) -> Option<TableMut<'_>> {
        let object = self.target(offset, end)?;
        Some(TableMut::new(self.bytes, object))
    }

    /// The vector of scalars or structs the reference at `offset` points to.
    pub fn vector<T: bytemuck::Pod>(&mut self, offset: u32, end: u32) -> Option<VectorMut<'_, T>> {
        let object = self.target(offset, end)?;
        Some(VectorMut::new(self.bytes, object))
    }

    /// The vector of tables the reference at `offset` points to.
    pub fn tables(&mut self, offset: u32, end: u32) -> Option<TablesMut<'_>> {
        let object = self.target(offset, end)?;
        let count = read_or(self.bytes, object + 4, 0u32) as usize;
        Some(TablesMut {
            bytes: self.bytes,
            body: object + OBJECT_HEADER_SIZE as usize,
            len: count,
        })
    }
}

/// A vector of plain elements (scalars, enums, structs), to change in place.
pub struct VectorMut<'a, T> {
    bytes: &'a mut [u8],
    body: usize,
    len: usize,
    element: PhantomData<T>,
}

impl<'a, T: bytemuck::Pod> VectorMut<'a, T> {
    fn new(bytes: &'a mut [u8], object: usize) -> Self {
        // Plain data: the count alone in front of the elements.
        let count = read_or(bytes, object, 0u32) as usize;
        let body = object + COUNT_SIZE as usize;
        let fits = bytes.len().saturating_sub(body) / size_of::<T>().max(1);
        VectorMut {
            bytes,
            body,
            len: count.min(fits),
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

    /// Element `index`.
    pub fn get(&self, index: usize) -> Option<T> {
        if index >= self.len {
            return None;
        }
        let at = self.body + index * size_of::<T>();
        Some(bytemuck::pod_read_unaligned(
            self.bytes.get(at..at + size_of::<T>())?,
        ))
    }

    /// Sets element `index`; `false` past the end.
    pub fn set(&mut self, index: usize, value: T) -> bool {
        if index >= self.len {
            return false;
        }
        let at = self.body + index * size_of::<T>();
        match self.bytes.get_mut(at..at + size_of::<T>()) {
            Some(dst) => {
                dst.copy_from_slice(bytemuck::bytes_of(&value));
                true
            }
            None => false,
        }
    }

    /// The elements as a mutable slice, when the body is aligned for `T` in memory.
    pub fn as_mut_slice(&mut self) -> Option<&mut [T]> {
        let end = self.body + self.len * size_of::<T>();
        bytemuck::try_cast_slice_mut(self.bytes.get_mut(self.body..end)?).ok()
    }
}

/// A vector of tables, whose elements change in place.
pub struct TablesMut<'a> {
    bytes: &'a mut [u8],
    body: usize,
    len: usize,
}

impl TablesMut<'_> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`.
    pub fn get(&mut self, index: usize) -> Option<TableMut<'_>> {
        if index >= self.len {
            return None;
        }
        let object = follow(self.bytes, self.body + index * REF_SIZE as usize)?;
        Some(TableMut::new(self.bytes, object))
    }
}

impl<'a> TablesMut<'a> {
    /// Element `index`, keeping the whole borrow.
    pub fn into_get(self, index: usize) -> Option<TableMut<'a>> {
        if index >= self.len {
            return None;
        }
        let object = follow(self.bytes, self.body + index * REF_SIZE as usize)?;
        Some(TableMut::new(self.bytes, object))
    }
}
