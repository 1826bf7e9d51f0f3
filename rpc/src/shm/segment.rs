//! The segment: a sealed memfd, mapped shared, and the only code that turns its addresses into
//! references. Control words and ring entries are read and written as atomics (the peer may
//! write them at any moment); slots are handed out as byte slices only to the side that owns
//! them by the protocol, and every offset is checked against the mapping first.

use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use memmap2::MmapRaw;
use rustix::fs::{MemfdFlags, SealFlags};

use super::ShmError;
use super::layout::{Geometry, MAGIC, MAX_SEGMENT, VERSION, field};

/// A mapped segment.
pub(crate) struct Segment {
    map: MmapRaw,
    geometry: Geometry,
}

// SAFETY: the mapping is plain shared memory; every access goes through atomics or through
// slices whose use the protocol gives to one side at a time (and a peer that breaks the
// protocol can only make those bytes wrong, never their bounds).
unsafe impl Send for Segment {}
// SAFETY: as above.
unsafe impl Sync for Segment {}

impl Segment {
    /// A new segment of `geometry` (the server's side): the memfd, sized, its header written,
    /// sealed against resizing, and mapped.
    pub(crate) fn create(geometry: Geometry) -> Result<(Segment, OwnedFd), ShmError> {
        geometry.check()?;
        let fd = rustix::fs::memfd_create(
            "weftbuf-shm",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )
        .map_err(|e| ShmError::sys("memfd_create", e))?;
        rustix::fs::ftruncate(&fd, geometry.segment_size())
            .map_err(|e| ShmError::sys("ftruncate", e))?;
        rustix::fs::fcntl_add_seals(&fd, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)
            .map_err(|e| ShmError::sys("F_ADD_SEALS", e))?;
        let segment = Segment::map(&fd, geometry)?;
        segment.write_header();
        Ok((segment, fd))
    }

    /// The segment of `fd` (the client's side), which must be sealed against shrinking, as
    /// large as `geometry` says, with a header that says the same.
    pub(crate) fn open(fd: &OwnedFd, geometry: Geometry) -> Result<Segment, ShmError> {
        geometry.check()?;
        let seals = rustix::fs::fcntl_get_seals(fd).map_err(|e| ShmError::sys("F_GET_SEALS", e))?;
        if !seals.contains(SealFlags::SHRINK) {
            return Err(ShmError::Protocol(
                "the segment is not sealed against shrinking: the peer could fault this \
                 process's mapping"
                    .into(),
            ));
        }
        let size = rustix::fs::fstat(fd)
            .map_err(|e| ShmError::sys("fstat", e))?
            .st_size;
        if u64::try_from(size).map_or(true, |s| s < geometry.segment_size()) {
            return Err(ShmError::Protocol(format!(
                "the segment holds {size} bytes, not the {} its geometry needs",
                geometry.segment_size()
            )));
        }
        let segment = Segment::map(fd, geometry)?;
        segment.check_header()?;
        Ok(segment)
    }

    fn map(fd: &OwnedFd, geometry: Geometry) -> Result<Segment, ShmError> {
        let len = geometry.segment_size();
        if len > MAX_SEGMENT {
            return Err(ShmError::Geometry(format!("{len} bytes is over 1 GiB")));
        }
        let map = memmap2::MmapOptions::new()
            .len(len as usize)
            .map_raw(fd)
            .map_err(|e| ShmError::Io("mmap", e))?;
        Ok(Segment { map, geometry })
    }

    /// The geometry the segment was mapped with.
    pub(crate) fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn write_header(&self) {
        let g = self.geometry;
        self.u64(field::MAGIC)
            .store(u64::from_le_bytes(MAGIC), Ordering::Relaxed);
        self.u32(field::VERSION).store(VERSION, Ordering::Relaxed);
        self.u32(field::SLOT_SIZE)
            .store(g.slot_size, Ordering::Relaxed);
        self.u32(field::SLOTS).store(g.slots, Ordering::Relaxed);
        self.u32(field::RING_ENTRIES)
            .store(g.ring_entries(), Ordering::Relaxed);
        self.u64(field::SEGMENT_SIZE)
            .store(g.segment_size(), Ordering::Relaxed);
        self.u32(field::RINGS_OFFSET)
            .store(g.rings_offset() as u32, Ordering::Relaxed);
        self.u32(field::SLOTS_OFFSET)
            .store(g.slots_offset() as u32, Ordering::Relaxed);
    }

    fn check_header(&self) -> Result<(), ShmError> {
        let g = self.geometry;
        let found = [
            (
                "magic",
                self.u64(field::MAGIC).load(Ordering::Relaxed),
                u64::from_le_bytes(MAGIC),
            ),
            (
                "version",
                self.u32(field::VERSION).load(Ordering::Relaxed).into(),
                VERSION.into(),
            ),
            (
                "slot size",
                self.u32(field::SLOT_SIZE).load(Ordering::Relaxed).into(),
                g.slot_size.into(),
            ),
            (
                "slots",
                self.u32(field::SLOTS).load(Ordering::Relaxed).into(),
                g.slots.into(),
            ),
            (
                "ring entries",
                self.u32(field::RING_ENTRIES).load(Ordering::Relaxed).into(),
                g.ring_entries().into(),
            ),
            (
                "segment size",
                self.u64(field::SEGMENT_SIZE).load(Ordering::Relaxed),
                g.segment_size(),
            ),
        ];
        for (what, got, want) in found {
            if got != want {
                return Err(ShmError::Protocol(format!(
                    "the segment's header says {what} {got}, the handshake said {want}"
                )));
            }
        }
        Ok(())
    }

    /// The 32-bit word at `offset` of the header or rings.
    ///
    /// Offsets come from the layout (constants, or a counter masked to the ring's size), so
    /// one out of range is a bug here, not the peer's doing: it panics.
    pub(crate) fn u32(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= self.geometry.slots_offset());
        // SAFETY: in bounds of the mapping (asserted: below the slots, which are inside it)
        // and 4-aligned (the mapping is page-aligned); an atomic may be written by the peer
        // at any time; the mapping lives as long as `self`.
        unsafe { &*self.map.as_ptr().add(offset).cast::<AtomicU32>() }
    }

    /// The 64-bit word at `offset` of the header or rings.
    pub(crate) fn u64(&self, offset: usize) -> &AtomicU64 {
        assert!(offset.is_multiple_of(8) && offset + 8 <= self.geometry.slots_offset());
        // SAFETY: as for `u32`, 8-aligned.
        unsafe { &*self.map.as_ptr().add(offset).cast::<AtomicU64>() }
    }

    /// Slot `index`'s bytes, to read, or `None` for an index out of range.
    pub(crate) fn slot(&self, index: u32) -> Option<&[u8]> {
        let range = self.geometry.slot(index)?;
        // The peer may write these bytes while they are read: every read of them is
        // bounds-checked and their strings are checked when read (`docs/shm.md`, threat
        // model), so a rewrite gives wrong values, never a read outside the slot.
        // SAFETY: the range lies inside the mapping, whose length is the segment's size.
        Some(unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(range.start), range.len()) })
    }

    /// Slot `index`'s bytes, to write, or `None` for an index out of range.
    ///
    /// # Safety
    /// The protocol gives the slot to this side and no other reference to it is alive.
    #[allow(
        clippy::mut_from_ref,
        reason = "shared memory: which side may write a slot is the protocol's to say"
    )]
    pub(crate) unsafe fn slot_mut(&self, index: u32) -> Option<&mut [u8]> {
        let range = self.geometry.slot(index)?;
        // SAFETY: inside the mapping (as in `slot`); the caller guarantees this is the only
        // reference to the slot in this process.
        Some(unsafe {
            std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(range.start), range.len())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Geometry {
        Geometry {
            slot_size: 256,
            slots: 4,
        }
    }

    #[test]
    fn both_sides_see_the_same_memory() {
        let (server, fd) = Segment::create(small()).unwrap();
        let client = Segment::open(&fd, small()).unwrap();
        server.u32(64).store(7, Ordering::Release);
        assert_eq!(client.u32(64).load(Ordering::Acquire), 7);
        // SAFETY: the test holds no other reference to slot 1.
        unsafe { client.slot_mut(1) }.unwrap()[..3].copy_from_slice(b"abc");
        assert_eq!(&server.slot(1).unwrap()[..3], b"abc");
        assert!(server.slot(8).is_none());
    }

    #[test]
    fn the_client_refuses_a_segment_that_could_shrink_or_lies() {
        let fd =
            rustix::fs::memfd_create("t", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING).unwrap();
        rustix::fs::ftruncate(&fd, small().segment_size()).unwrap();
        let err = Segment::open(&fd, small()).err().unwrap();
        assert!(err.to_string().contains("sealed"), "{err}");

        // Sealed, but smaller than the geometry says.
        let (_, fd) = Segment::create(small()).unwrap();
        let bigger = Geometry {
            slot_size: 512,
            slots: 4,
        };
        let err = Segment::open(&fd, bigger).err().unwrap();
        assert!(err.to_string().contains("bytes"), "{err}");

        // Large enough, but its header says another geometry.
        let smaller = Geometry {
            slot_size: 256,
            slots: 2,
        };
        let err = Segment::open(&fd, smaller).err().unwrap();
        assert!(err.to_string().contains("header"), "{err}");
    }

    #[test]
    fn a_sealed_segment_cannot_shrink() {
        let (_, fd) = Segment::create(small()).unwrap();
        assert!(rustix::fs::ftruncate(&fd, 4096).is_err());
    }
}
