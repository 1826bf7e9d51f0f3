//! The segment's geometry and where everything sits in it (`docs/shm.md`, section 2): the one
//! place offsets of the shared-memory protocol are computed.

use super::ShmError;

/// The header's size: one page, so the rings start page-aligned.
pub(crate) const HEADER_SIZE: usize = 4096;
/// The segment's magic, at offset 0.
pub(crate) const MAGIC: [u8; 8] = *b"WEFTSHM1";
/// The protocol version this implementation speaks.
pub(crate) const VERSION: u32 = 1;
/// The size of one ring entry.
pub(crate) const ENTRY_SIZE: usize = 32;
/// Header fields.
pub(crate) mod field {
    pub(crate) const MAGIC: usize = 0;
    pub(crate) const VERSION: usize = 8;
    pub(crate) const SLOT_SIZE: usize = 12;
    pub(crate) const SLOTS: usize = 16;
    pub(crate) const RING_ENTRIES: usize = 20;
    pub(crate) const SEGMENT_SIZE: usize = 24;
    pub(crate) const RINGS_OFFSET: usize = 32;
    pub(crate) const SLOTS_OFFSET: usize = 36;
}

/// Entry kinds (`docs/shm.md`, "Ring entries").
pub(crate) mod kind {
    /// A call, its request in a request slot.
    pub(crate) const CALL: u8 = 1;
    /// A response slot given back by the client.
    pub(crate) const RELEASE: u8 = 2;
    /// The client gave a call up.
    pub(crate) const CANCEL: u8 = 3;
    /// The next streamed request of a call, in a request slot.
    pub(crate) const MORE: u8 = 4;
    /// A call's streamed requests are all sent.
    pub(crate) const DONE: u8 = 5;
    /// A streamed request's slot, given back by the server.
    pub(crate) const TAKEN: u8 = 16;
    /// A response of a call, in a response slot.
    pub(crate) const REPLY: u8 = 17;
    /// A call's end with its status, in a response slot (or none: see `NO_SLOT`).
    pub(crate) const END: u8 = 18;
}

/// REPLY's flag: the call ended with this response, `OK`.
pub(crate) const FLAG_LAST: u8 = 1;
/// CALL's flag: the call's requests follow as MOREs (its slot holds no message).
pub(crate) const FLAG_STREAMED: u8 = 2;

/// END's slot when no response slot was free for the status: its code is the argument.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// The control words of one ring, each on a cache line of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RingControl {
    /// The consumer's counter.
    pub(crate) head: usize,
    /// The producer's counter.
    pub(crate) tail: usize,
    /// The consumer's sleeping flag.
    pub(crate) sleeping: usize,
}

/// The request ring's control words (client to server).
pub(crate) const REQUESTS: RingControl = RingControl {
    head: 64,
    tail: 128,
    sleeping: 192,
};
/// The response ring's control words (server to client).
pub(crate) const RESPONSES: RingControl = RingControl {
    head: 256,
    tail: 320,
    sleeping: 384,
};

/// How a segment is cut up: the server chooses it, the client checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Bytes per slot: a multiple of 64.
    pub slot_size: u32,
    /// Slots per direction (requests, responses).
    pub slots: u32,
}

/// The largest segment this implementation maps (1 GiB): a peer cannot make it map more.
pub(crate) const MAX_SEGMENT: u64 = 1 << 30;

impl Default for Geometry {
    /// 64 slots of 64 KiB each way: 8 MiB and a little.
    fn default() -> Self {
        Geometry {
            slot_size: 64 * 1024,
            slots: 64,
        }
    }
}

impl Geometry {
    /// Entries per ring: at least four per slot (calls, releases, cancellations, streamed
    /// requests of every slot may wait at once), a power of two.
    pub fn ring_entries(&self) -> u32 {
        (self.slots.saturating_mul(4)).max(16).next_power_of_two()
    }

    /// Where the request ring's entries start; the response ring's follow them.
    pub(crate) fn rings_offset(&self) -> usize {
        HEADER_SIZE
    }

    /// The offset of the entries of the ring whose control words are `ring`.
    pub(crate) fn entries_offset(&self, ring: RingControl) -> usize {
        let one = self.ring_entries() as usize * ENTRY_SIZE;
        if ring == REQUESTS {
            self.rings_offset()
        } else {
            self.rings_offset() + one
        }
    }

    /// Where the slots start: after both rings, page-aligned.
    pub(crate) fn slots_offset(&self) -> usize {
        let rings_end = self.rings_offset() + 2 * self.ring_entries() as usize * ENTRY_SIZE;
        rings_end.next_multiple_of(4096)
    }

    /// The segment's size in bytes.
    pub fn segment_size(&self) -> u64 {
        self.slots_offset() as u64 + 2 * u64::from(self.slots) * u64::from(self.slot_size)
    }

    /// Slot `index`'s range in the segment (request slots first, then response slots), or
    /// `None` for an index out of range.
    pub(crate) fn slot(&self, index: u32) -> Option<std::ops::Range<usize>> {
        if index >= self.slots.saturating_mul(2) {
            return None;
        }
        let start = self.slots_offset() + index as usize * self.slot_size as usize;
        Some(start..start + self.slot_size as usize)
    }

    /// Checks that this geometry can be mapped and used.
    pub fn check(&self) -> Result<(), ShmError> {
        let bad = |why: &str| Err(ShmError::Geometry(format!("{self:?}: {why}")));
        if self.slot_size < 256 || !self.slot_size.is_multiple_of(64) {
            return bad("a slot is a multiple of 64 bytes, at least 256");
        }
        if self.slots == 0 || self.slots > 1 << 16 {
            return bad("between 1 and 65536 slots per direction");
        }
        if self.segment_size() > MAX_SEGMENT {
            return bad("the segment would be over 1 GiB");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_geometry_lays_out_as_documented() {
        let g = Geometry::default();
        g.check().unwrap();
        assert_eq!(g.ring_entries(), 256);
        assert_eq!(g.entries_offset(REQUESTS), 4096);
        assert_eq!(g.entries_offset(RESPONSES), 4096 + 256 * 32);
        assert_eq!(g.slots_offset(), 4096 + 2 * 256 * 32);
        assert_eq!(g.slot(0), Some(20480..20480 + 65536));
        assert_eq!(g.slot(127).map(|r| r.end as u64), Some(g.segment_size()));
        assert_eq!(g.slot(128), None);
    }

    #[test]
    fn geometries_that_cannot_work_are_refused() {
        for g in [
            Geometry {
                slot_size: 100,
                slots: 4,
            },
            Geometry {
                slot_size: 64,
                slots: 4,
            },
            Geometry {
                slot_size: 4096,
                slots: 0,
            },
            Geometry {
                slot_size: 1 << 20,
                slots: 4096,
            },
        ] {
            assert!(g.check().is_err(), "{g:?}");
        }
    }
}
