//! A message's bytes as a transport delivers them: owned on the heap, or lent where the
//! transport keeps them (a shared-memory slot) and given back when dropped.

/// Bytes a transport lends: readable for as long as the value lives; dropping it gives them
/// back to the transport.
pub trait Lent: Send + Sync {
    /// The bytes.
    fn bytes(&self) -> &[u8];
}

/// A message's bytes, owned or lent.
pub struct Payload {
    repr: Repr,
}

enum Repr {
    Heap(Vec<u8>),
    Lent(Box<dyn Lent>),
}

impl Payload {
    /// Bytes `lent` by a transport.
    pub fn lent(lent: impl Lent + 'static) -> Payload {
        Payload {
            repr: Repr::Lent(Box::new(lent)),
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Heap(bytes) => bytes,
            Repr::Lent(lent) => lent.bytes(),
        }
    }

    /// The bytes as views read them: lent bytes are marked shared, so strings are checked as
    /// UTF-8 at every read (a peer may rewrite them after verification); owned bytes are
    /// trusted as verified.
    pub fn view_bytes(&self) -> weftbuf_rt::Bytes<'_> {
        match &self.repr {
            Repr::Heap(bytes) => weftbuf_rt::Bytes::new(bytes),
            Repr::Lent(lent) => weftbuf_rt::Bytes::shared(lent.bytes()),
        }
    }

    /// Whether the bytes are lent by the transport rather than owned.
    pub fn is_lent(&self) -> bool {
        matches!(self.repr, Repr::Lent(_))
    }

    /// The bytes, owned: lent bytes are copied (and given back).
    pub fn into_vec(self) -> Vec<u8> {
        match self.repr {
            Repr::Heap(bytes) => bytes,
            Repr::Lent(lent) => lent.bytes().to_vec(),
        }
    }
}

impl From<Vec<u8>> for Payload {
    fn from(bytes: Vec<u8>) -> Payload {
        Payload {
            repr: Repr::Heap(bytes),
        }
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.is_lent() { "lent" } else { "owned" };
        write!(f, "Payload({} bytes, {how})", self.bytes().len())
    }
}
