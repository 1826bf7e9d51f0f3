//! Maps keyed by call id. Ids are small numbers a client counts up; a session has at most a
//! slot's count of calls in flight, so a peer choosing colliding ids slows only its own
//! session, a little. Hashing them with SipHash would cost more than the map saves.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Calls in flight, by id.
pub(crate) type CallMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Hashes a call id with one multiplication (Fibonacci hashing: the product's high bits,
/// which the map uses first, depend on every bit of the id).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = (self.0 ^ id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_find_their_calls() {
        let mut calls = CallMap::default();
        for id in (1..500u64).chain([u64::MAX, 1 << 63]) {
            calls.insert(id, id.wrapping_mul(2));
        }
        assert_eq!(calls.get(&499), Some(&998));
        assert_eq!(calls.get(&u64::MAX), Some(&u64::MAX.wrapping_mul(2)));
        assert_eq!(calls.remove(&7), Some(14));
        assert_eq!(calls.get(&7), None);
    }
}
