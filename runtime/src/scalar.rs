//! Little-endian scalars at byte offsets, every access bounds-checked.

/// A value stored as a little-endian scalar: the schema's scalar types, and the enums the
/// code generator writes (newtypes over their underlying integer).
pub trait Scalar: Copy {
    /// Its size in bytes.
    const SIZE: usize;
    /// Reads it at `at`, or `None` when the bytes are not all inside `bytes`.
    fn read(bytes: &[u8], at: usize) -> Option<Self>;
    /// Writes it at `at`; `false` (and nothing written) when the bytes are not all inside.
    fn write(self, bytes: &mut [u8], at: usize) -> bool;
    /// Reads it at `at` without checking the bounds.
    ///
    /// # Safety
    /// `at + SIZE <= bytes.len()`.
    unsafe fn read_unchecked(bytes: &[u8], at: usize) -> Self;
}

macro_rules! little_endian {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const SIZE: usize = size_of::<$t>();
            #[inline(always)]
            fn read(bytes: &[u8], at: usize) -> Option<Self> {
                let raw = bytes.get(at..at.checked_add(Self::SIZE)?)?;
                Some(<$t>::from_le_bytes(raw.try_into().ok()?))
            }
            #[inline(always)]
            fn write(self, bytes: &mut [u8], at: usize) -> bool {
                let Some(end) = at.checked_add(Self::SIZE) else { return false };
                match bytes.get_mut(at..end) {
                    Some(dst) => {
                        dst.copy_from_slice(&self.to_le_bytes());
                        true
                    }
                    None => false,
                }
            }
            #[inline(always)]
            unsafe fn read_unchecked(bytes: &[u8], at: usize) -> Self {
                // SAFETY: the caller guarantees `at + SIZE <= bytes.len()`, so the read stays
                // inside the slice; `[u8; SIZE]` has no alignment, so any address will do.
                let raw = unsafe { bytes.as_ptr().add(at).cast::<[u8; size_of::<$t>()]>().read() };
                <$t>::from_le_bytes(raw)
            }
        }
    )*};
}

little_endian!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

impl Scalar for bool {
    const SIZE: usize = 1;
    /// Any non-zero byte reads as true (`docs/layout.md`, section 3).
    #[inline(always)]
    fn read(bytes: &[u8], at: usize) -> Option<Self> {
        bytes.get(at).map(|b| *b != 0)
    }
    #[inline(always)]
    fn write(self, bytes: &mut [u8], at: usize) -> bool {
        u8::from(self).write(bytes, at)
    }
    #[inline(always)]
    unsafe fn read_unchecked(bytes: &[u8], at: usize) -> Self {
        // SAFETY: forwarded contract: the byte at `at` is inside.
        unsafe { u8::read_unchecked(bytes, at) != 0 }
    }
}

/// The `N` bytes at `at` (a file identifier, a magic number), or `None` when they are not all
/// inside `bytes`.
#[inline(always)]
pub fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Reads a scalar, or `default` outside the bytes.
#[inline(always)]
pub fn read_or<T: Scalar>(bytes: &[u8], at: usize, default: T) -> T {
    T::read(bytes, at).unwrap_or(default)
}

/// The unsigned little-endian integer of `width` bytes (1, 2, 4 or 8) at `at`, zero-extended:
/// how a union discriminant of any underlying type is compared; `None` outside the bytes.
#[inline(always)]
pub fn unsigned_at(bytes: &[u8], at: usize, width: usize) -> Option<u64> {
    match width {
        1 => u8::read(bytes, at).map(u64::from),
        2 => u16::read(bytes, at).map(u64::from),
        4 => u32::read(bytes, at).map(u64::from),
        8 => u64::read(bytes, at),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_little_endian_within_bounds() {
        let mut bytes = [0u8; 8];
        assert!(0x0102_0304u32.write(&mut bytes, 4));
        assert_eq!(bytes[4..], [4, 3, 2, 1]);
        assert_eq!(u32::read(&bytes, 4), Some(0x0102_0304));
        assert_eq!(u32::read(&bytes, 5), None);
        assert_eq!(u64::read(&bytes, usize::MAX), None);
        assert!(!1u16.write(&mut bytes, 7));
        assert_eq!(bool::read(&[2], 0), Some(true));
        assert_eq!(read_or(&bytes, 100, 7i8), 7);
    }

    #[test]
    fn unsigned_reads_zero_extend_every_width() {
        let bytes = [0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06];
        assert_eq!(unsigned_at(&bytes, 0, 1), Some(0xff));
        assert_eq!(unsigned_at(&bytes, 0, 2), Some(0xfeff));
        assert_eq!(unsigned_at(&bytes, 4, 4), Some(0x0605_0403));
        assert_eq!(unsigned_at(&bytes, 0, 8), Some(0x0605_0403_0201_feff));
        assert_eq!(unsigned_at(&bytes, 6, 4), None);
        assert_eq!(unsigned_at(&bytes, 0, 3), None);
    }
}
