//! The rings (`docs/shm.md`, "Ring protocol"): one producer and one consumer each, entries of
//! 32 bytes, free-running counters. Each side keeps its own counter in private memory and
//! reads only the peer's from the segment, bounding it before use.

use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};

use super::ShmError;
use super::layout::{ENTRY_SIZE, RingControl};
use super::segment::Segment;

/// Where in an entry its stamped word is: the length, and above it the stamp (the counter
/// of the entry plus one), which tells a consumer the entry is there.
const STAMPED_WORD: usize = 8;

/// One ring entry, as decoded (`docs/shm.md`, "Ring entries").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Entry {
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) slot: u32,
    pub(crate) len: u32,
    pub(crate) call: u64,
    pub(crate) arg: u64,
}

impl Entry {
    /// The entry's words, stamped as the entry of counter `stamp - 1`.
    fn words(&self, stamp: u32) -> [u64; 4] {
        [
            u64::from(self.kind) | u64::from(self.flags) << 8 | u64::from(self.slot) << 32,
            u64::from(self.len) | u64::from(stamp) << 32,
            self.call,
            self.arg,
        ]
    }

    fn from_words(words: [u64; 4]) -> Entry {
        Entry {
            kind: words[0] as u8,
            flags: (words[0] >> 8) as u8,
            slot: (words[0] >> 32) as u32,
            len: words[1] as u32,
            call: words[2],
            arg: words[3],
        }
    }
}

/// Where a ring lives in its segment.
struct Ring {
    segment: Arc<Segment>,
    control: RingControl,
    entries: usize,
    capacity: u32,
}

impl Ring {
    fn new(segment: Arc<Segment>, control: RingControl) -> Ring {
        let geometry = segment.geometry();
        Ring {
            entries: geometry.entries_offset(control),
            capacity: geometry.ring_entries(),
            segment,
            control,
        }
    }

    /// The offset of the entry of counter `n`.
    fn entry(&self, n: u32) -> usize {
        self.entries + (n & (self.capacity - 1)) as usize * ENTRY_SIZE
    }

    /// How many entries wait, from the producer's counter `tail` and the consumer's `head`;
    /// more than the ring holds is the peer's corruption.
    fn waiting(&self, head: u32, tail: u32) -> Result<u32, ShmError> {
        let waiting = tail.wrapping_sub(head);
        if waiting > self.capacity {
            return Err(ShmError::Protocol(format!(
                "a ring says {waiting} entries wait in {} (head {head}, tail {tail})",
                self.capacity
            )));
        }
        Ok(waiting)
    }
}

/// The producing end of a ring.
pub(crate) struct Producer {
    ring: Ring,
    tail: u32,
    /// The consumer's counter as last read: it only grows, so room it showed is still there,
    /// and the producer reads it again (a cache miss, the consumer wrote it) only when the
    /// ring looks full.
    head: u32,
}

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The entry is in; the consumer is awake (or will look before sleeping).
    Done,
    /// The entry is in, and the consumer sleeps: ring its bell.
    Wake,
    /// The ring is full: nothing was written.
    Full,
}

impl Producer {
    /// The producing end of the ring of `control` in `segment`, starting from the counter
    /// the segment holds (zero in a new one).
    pub(crate) fn new(segment: Arc<Segment>, control: RingControl) -> Producer {
        let tail = segment.u32(control.tail).load(Ordering::Relaxed);
        let head = segment.u32(control.head).load(Ordering::Relaxed);
        Producer {
            ring: Ring::new(segment, control),
            tail,
            head,
        }
    }

    /// Pushes `entry` unless the ring is full.
    pub(crate) fn push(&mut self, entry: Entry) -> Result<Pushed, ShmError> {
        let ring = &self.ring;
        if ring.waiting(self.head, self.tail)? == ring.capacity {
            self.head = ring.segment.u32(ring.control.head).load(Ordering::Acquire);
            if ring.waiting(self.head, self.tail)? == ring.capacity {
                return Ok(Pushed::Full);
            }
        }
        let at = ring.entry(self.tail);
        let words = entry.words(self.tail.wrapping_add(1));
        // The stamped word last, with release: a consumer that sees the stamp sees the rest.
        for i in [0, 2, 3] {
            ring.segment
                .u64(at + 8 * i)
                .store(words[i], Ordering::Relaxed);
        }
        ring.segment
            .u64(at + STAMPED_WORD)
            .store(words[1], Ordering::Release);
        self.tail = self.tail.wrapping_add(1);
        ring.segment
            .u32(ring.control.tail)
            .store(self.tail, Ordering::Release);
        // Paired with the consumer's fence between raising its flag and looking again: one of
        // the two sees the other's write, so no wakeup is lost.
        fence(Ordering::SeqCst);
        Ok(
            if ring
                .segment
                .u32(ring.control.sleeping)
                .load(Ordering::Relaxed)
                != 0
            {
                Pushed::Wake
            } else {
                Pushed::Done
            },
        )
    }
}

/// The consuming end of a ring.
pub(crate) struct Consumer {
    ring: Ring,
    head: u32,
}

impl Consumer {
    /// The consuming end of the ring of `control` in `segment`.
    pub(crate) fn new(segment: Arc<Segment>, control: RingControl) -> Consumer {
        let head = segment.u32(control.head).load(Ordering::Relaxed);
        Consumer {
            ring: Ring::new(segment, control),
            head,
        }
    }

    /// The next entry, if one waits. (Never an error now: the entry's stamp, not the
    /// producer's counter, says whether it is there, so no counter can be out of bounds;
    /// what the entry says is bounded by whoever takes it.)
    pub(crate) fn pop(&mut self) -> Result<Option<Entry>, ShmError> {
        let Some(stamped) = self.stamped_head() else {
            return Ok(None);
        };
        let ring = &self.ring;
        let at = ring.entry(self.head);
        let mut words = [0u64, stamped, 0, 0];
        for i in [0, 2, 3] {
            words[i] = ring.segment.u64(at + 8 * i).load(Ordering::Relaxed);
        }
        self.head = self.head.wrapping_add(1);
        ring.segment
            .u32(ring.control.head)
            .store(self.head, Ordering::Release);
        Ok(Some(Entry::from_words(words)))
    }

    /// Whether no entry waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.stamped_head().is_none()
    }

    /// The stamped word of the entry at the head (acquire), if it is the next entry's:
    /// stamped with the head's counter plus one (an entry of the ring's last lap has another).
    fn stamped_head(&self) -> Option<u64> {
        let ring = &self.ring;
        let word = ring
            .segment
            .u64(ring.entry(self.head) + STAMPED_WORD)
            .load(Ordering::Acquire);
        ((word >> 32) as u32 == self.head.wrapping_add(1)).then_some(word)
    }

    /// Raises this consumer's sleeping flag and says whether it may sleep: not if an entry
    /// came meanwhile (the flag is lowered again then).
    pub(crate) fn prepare_to_sleep(&self) -> bool {
        let ring = &self.ring;
        ring.segment
            .u32(ring.control.sleeping)
            .store(1, Ordering::Relaxed);
        // Paired with the producer's fence after its push.
        fence(Ordering::SeqCst);
        if self.is_empty() {
            return true;
        }
        self.woke();
        false
    }

    /// Raises the sleeping flag again for a consumer that sleeps while others polled (they
    /// lowered it): says whether entries came meanwhile, which no bell announced.
    pub(crate) fn sleep_again(&self) -> bool {
        let ring = &self.ring;
        ring.segment
            .u32(ring.control.sleeping)
            .store(1, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        !self.is_empty()
    }

    /// Lowers the sleeping flag (if raised: a store to a flag already low would still take
    /// its cache line from the producer, who reads it after every push).
    pub(crate) fn woke(&self) {
        let ring = &self.ring;
        let flag = ring.segment.u32(ring.control.sleeping);
        if flag.load(Ordering::Relaxed) != 0 {
            flag.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::{Geometry, REQUESTS, RESPONSES};
    use super::*;

    fn pair(control: RingControl) -> (Producer, Consumer, Arc<Segment>) {
        let geometry = Geometry {
            slot_size: 256,
            slots: 4,
        };
        let (server, fd) = Segment::create(geometry).unwrap();
        let client = Arc::new(Segment::open(&fd, geometry).unwrap());
        let server = Arc::new(server);
        (
            Producer::new(client.clone(), control),
            Consumer::new(server.clone(), control),
            server,
        )
    }

    fn entry(call: u64) -> Entry {
        Entry {
            kind: 1,
            flags: 2,
            slot: 3,
            len: 200,
            call,
            arg: u64::MAX - call,
        }
    }

    #[test]
    fn entries_arrive_in_order_through_a_second_mapping_and_wrap() {
        let (mut producer, mut consumer, _) = pair(REQUESTS);
        let capacity = 16;
        for round in 0..5u64 {
            for i in 0..capacity {
                assert_eq!(producer.push(entry(round * 100 + i)).unwrap(), Pushed::Done);
            }
            assert_eq!(producer.push(entry(0)).unwrap(), Pushed::Full);
            for i in 0..capacity {
                assert_eq!(consumer.pop().unwrap(), Some(entry(round * 100 + i)));
            }
            assert_eq!(consumer.pop().unwrap(), None);
        }
    }

    #[test]
    fn a_sleeping_consumer_is_woken_and_a_busy_one_is_not() {
        let (mut producer, mut consumer, _) = pair(RESPONSES);
        assert!(consumer.prepare_to_sleep());
        assert_eq!(producer.push(entry(1)).unwrap(), Pushed::Wake);
        consumer.woke();
        assert_eq!(producer.push(entry(2)).unwrap(), Pushed::Done);
        // Entries waiting: no sleep.
        assert!(!consumer.prepare_to_sleep());
        assert_eq!(producer.push(entry(3)).unwrap(), Pushed::Done);
        assert_eq!(consumer.pop().unwrap().map(|e| e.call), Some(1));
    }

    #[test]
    fn counters_a_peer_corrupted_are_not_followed() {
        let (mut producer, mut consumer, server) = pair(REQUESTS);
        producer.push(entry(1)).unwrap();
        // The peer claims far more entries than the ring holds: the consumer goes by the
        // entries' stamps, and takes the one entry there.
        server.u32(REQUESTS.tail).store(1000, Ordering::Release);
        assert_eq!(consumer.pop().unwrap().map(|e| e.call), Some(1));
        assert_eq!(consumer.pop().unwrap(), None);
        // The consumer's counter, rewritten behind the producer's back: seen (and refused)
        // when the producer next reads it, once the ring looks full.
        server.u32(REQUESTS.head).store(500, Ordering::Release);
        let pushes: Vec<_> = (2..20).map(|call| producer.push(entry(call))).collect();
        assert!(
            pushes
                .iter()
                .any(|p| matches!(p, Err(ShmError::Protocol(_))))
        );
    }
}
