//! Request buffers a channel keeps for its next calls: a large request written into memory
//! an earlier call used, rather than into pages the allocator hands out fresh (and the
//! kernel faults in) for every call once freed memory has gone back to the system.

use std::sync::{Arc, Mutex, PoisonError};

/// At most this many bytes of buffers are kept, and no single buffer larger than this.
const KEPT_BYTES: usize = 8 << 20;
const LARGEST_KEPT: usize = 1 << 20;

/// The buffers kept, shared by a channel's clones.
#[derive(Default)]
pub(crate) struct BufferPool {
    free: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

impl BufferPool {
    /// A kept buffer (empty, its capacity as it was), or a new one of 1 KiB.
    pub(crate) fn take(&self) -> Vec<u8> {
        let mut kept = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.buffers.pop() {
            Some(buffer) => {
                kept.bytes -= buffer.capacity();
                buffer
            }
            None => Vec::with_capacity(1024),
        }
    }

    /// Keeps `buffer` for a later call, unless it is too large or enough is kept.
    pub(crate) fn give(&self, mut buffer: Vec<u8>) {
        let capacity = buffer.capacity();
        if capacity == 0 || capacity > LARGEST_KEPT {
            return;
        }
        buffer.clear();
        let mut kept = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.bytes + capacity <= KEPT_BYTES {
            kept.bytes += capacity;
            kept.buffers.push(buffer);
        }
    }
}

/// A buffer lent to the connection (as `Bytes::from_owner`), given back to its pool when
/// the connection has written it.
pub(crate) struct Pooled {
    pub(crate) buffer: Vec<u8>,
    pub(crate) pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buffer
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.buffer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_taken_again_within_the_budget() {
        let pool = Arc::new(BufferPool::default());
        let buffer = Vec::with_capacity(4096);
        let at = buffer.as_ptr();
        drop(bytes::Bytes::from_owner(Pooled {
            buffer,
            pool: pool.clone(),
        }));
        let again = pool.take();
        assert_eq!((again.as_ptr(), again.len()), (at, 0));
        // Too large to keep; then the budget fills and the rest are freed.
        pool.give(Vec::with_capacity(LARGEST_KEPT + 1));
        for _ in 0..(KEPT_BYTES / LARGEST_KEPT + 2) {
            pool.give(Vec::with_capacity(LARGEST_KEPT));
        }
        let kept = pool.free.lock().unwrap();
        assert_eq!(kept.buffers.len(), KEPT_BYTES / LARGEST_KEPT);
        assert!(kept.bytes <= KEPT_BYTES);
    }
}
