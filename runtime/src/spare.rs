//! Appending to a builder's own buffer, each byte written once.
//!
//! A growable builder keeps its `Vec`'s length equal to the message's. An object is appended
//! by making room once, writing its bytes (padding, header, body) into the spare capacity and
//! setting the length past them: no per-piece capacity checks, and small pieces written with
//! constant-size stores instead of calls.

use alloc::vec::Vec;

/// Objects whose padding, header and body fit in this many bytes are zeroed with one
/// constant-size write; the buffer always has this much room past the object being written.
pub(crate) const SLACK: usize = 64;

/// Makes `v`'s capacity at least `len` bytes. Growing past twice the capacity (a long
/// string or vector) leaves a quarter more room than asked: the objects after a long one are
/// usually small (the table that refers to it), and with exactly the room asked for, the
/// first of them would grow the buffer again and copy the long object a second time.
#[inline]
pub(crate) fn make_room(v: &mut Vec<u8>, len: usize) {
    let capacity = v.capacity();
    if len > capacity {
        grow(v, len, capacity);
    }
}

#[cold]
#[inline(never)]
fn grow(v: &mut Vec<u8>, len: usize, capacity: usize) {
    let room = len.saturating_add(len / 4).max(capacity.saturating_mul(2));
    v.reserve_exact(room - v.len());
}

/// Appends `gap` zero bytes, the 8-byte `head` (of which the object's header is the first
/// `head_len`; the rest are zeros or the body's first bytes, written next), then a body of
/// `body` bytes: zeros, then `parts` over them. The object ends `gap + head_len + body` bytes
/// past the old end.
#[inline(always)]
pub(crate) fn append(
    v: &mut Vec<u8>,
    gap: usize,
    (head, head_len): ([u8; 8], usize),
    body: usize,
    parts: &[&[u8]],
) {
    let len = v.len();
    let end = len + gap + head_len + body;
    make_room(v, end.saturating_add(SLACK));
    let spare = v.spare_capacity_mut().as_mut_ptr().cast::<u8>();
    let written: usize = gap + head_len + parts.iter().map(|p| p.len()).sum::<usize>();
    // SAFETY: the capacity is at least `end + SLACK` (made just above), so every write below
    // is in the spare capacity: the zeros reach `max(end, len + SLACK)`, the header's 8 bytes
    // end at most 4 bytes past `end`, the parts at `end`; every byte up to `end` is written
    // (zeros from the start to `SLACK` and to the header's end, the parts, zeros from the
    // parts' end) before the length is set to `end`, so no
    // uninitialized byte becomes part of the vector. `parts` are other memory than `v`'s (a
    // `&[u8]` cannot borrow the buffer a `&mut Vec` is writing), so the copies do not overlap.
    unsafe {
        // A small object: one constant-size write of zeros under all of it. A large one: the
        // same under its start, and zeros after what the parts cover (a long string or
        // vector of plain data is written once, not zeroed first).
        spare.write_bytes(0, SLACK);
        let head_end = gap + head_len;
        if head_end > SLACK {
            // A body aligned far beyond any schema's (a caller's own objects): a long gap.
            spare.add(SLACK).write_bytes(0, head_end - SLACK);
        }
        if written < end - len {
            let from = written.max(SLACK);
            if from < end - len {
                spare.add(from).write_bytes(0, end - len - from);
            }
        }
        spare.add(gap).copy_from_nonoverlapping(head.as_ptr(), 8);
        let mut at = gap + head_len;
        for part in parts {
            copy(spare.add(at), part);
            at += part.len();
        }
        v.set_len(end);
    }
}

/// Appends `gap` zero bytes, the 8-byte `head` (its first `head_len` bytes the header), and a
/// body of `count` elements of `S` that `items` gives (zeros for the ones it does not).
/// Returns how many it gave.
#[inline(always)]
pub(crate) fn append_items<S: bytemuck::Pod>(
    v: &mut Vec<u8>,
    gap: usize,
    (head, head_len): ([u8; 8], usize),
    count: usize,
    items: impl IntoIterator<Item = S>,
) -> usize {
    let size = size_of::<S>();
    let len = v.len();
    let end = len + gap + head_len + count * size;
    make_room(v, end.saturating_add(SLACK));
    let spare = v.spare_capacity_mut().as_mut_ptr().cast::<u8>();
    let mut written = 0;
    // SAFETY: as in `append`: the capacity is at least `end + SLACK`; every byte up to `end`
    // is written (zeros to `SLACK` and the header's end, the items, each `size` bytes and at
    // most `count` of them, zeros after them) before the length is set to `end`.
    unsafe {
        let head_end = gap + head_len;
        spare.write_bytes(0, SLACK.max(head_end));
        spare.add(gap).copy_from_nonoverlapping(head.as_ptr(), 8);
        let body = spare.add(head_end);
        for item in items.into_iter().take(count) {
            body.add(written * size)
                .copy_from_nonoverlapping(bytemuck::bytes_of(&item).as_ptr(), size);
            written += 1;
        }
        // Zeros for the elements the items did not give (written once, not zeroed first).
        let from = (head_end + written * size).max(SLACK);
        if from < end - len {
            spare.add(from).write_bytes(0, end - len - from);
        }
        v.set_len(end);
    }
    written
}

/// Copies `src` to `dst`: up to 64 bytes with two overlapping fixed-size copies (no call, as
/// strings mostly are that short), more with `memcpy`.
///
/// # Safety
/// `dst` is valid for `src.len()` bytes of writes and does not overlap `src`.
#[inline(always)]
unsafe fn copy(dst: *mut u8, src: &[u8]) {
    let n = src.len();
    let s = src.as_ptr();
    // SAFETY: each copy reads inside `src` (offsets below `n`) and writes the same offsets of
    // `dst`, which the caller says are valid; the two halves may overlap each other, not
    // `src`.
    unsafe {
        if n > 64 {
            dst.copy_from_nonoverlapping(s, n);
        } else if n > 32 {
            dst.copy_from_nonoverlapping(s, 32);
            dst.add(n - 32).copy_from_nonoverlapping(s.add(n - 32), 32);
        } else if n > 16 {
            dst.copy_from_nonoverlapping(s, 16);
            dst.add(n - 16).copy_from_nonoverlapping(s.add(n - 16), 16);
        } else if n >= 8 {
            dst.copy_from_nonoverlapping(s, 8);
            dst.add(n - 8).copy_from_nonoverlapping(s.add(n - 8), 8);
        } else if n >= 4 {
            dst.copy_from_nonoverlapping(s, 4);
            dst.add(n - 4).copy_from_nonoverlapping(s.add(n - 4), 4);
        } else {
            for i in 0..n {
                *dst.add(i) = *s.add(i);
            }
        }
    }
}
