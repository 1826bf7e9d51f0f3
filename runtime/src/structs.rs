//! Generated structs: plain data whose padding writers zero.

/// A generated struct: plain data, with the byte ranges of its padding (nested structs'
/// included), which writers zero: a struct read from a message keeps whatever its padding
/// held, and padding is written as zero (`docs/layout.md`, section 2).
pub trait Struct: bytemuck::Pod {
    /// `(offset, length)` of each run of padding bytes.
    const PADDING: &'static [(u32, u32)];
}

/// Zeroes the padding of the `S` whose bytes start at `at`.
#[inline(always)]
pub(crate) fn clear_padding<S: Struct>(bytes: &mut [u8], at: usize) {
    for &(offset, len) in S::PADDING {
        let start = at + offset as usize;
        if let Some(pad) = bytes.get_mut(start..start + len as usize) {
            pad.fill(0);
        }
    }
}
