//! An owned message, verified once, read in place as often as needed.

use std::marker::PhantomData;

use weftbuf_rt::{self as rt, Family, TableElement};

use crate::{Payload, Status};

/// The bytes of a message whose root is an `F` (a generated owned type such as `MonsterT`
/// names the table), verified when it was made: [`Message::get`] views it without checking
/// again.
pub struct Message<F> {
    bytes: Payload,
    root: usize,
    family: PhantomData<fn() -> F>,
}

impl<F: Family> Message<F> {
    /// Verifies `bytes` as a message with an `F` root; `INVALID_ARGUMENT` with the
    /// verifier's error when they are not one.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Message<F>, Status> {
        Message::from_payload(bytes.into())
    }

    /// Verifies a transport's `bytes` (owned or lent) as a message with an `F` root, as
    /// [`Message::from_bytes`] does.
    pub fn from_payload(bytes: Payload) -> Result<Message<F>, Status> {
        let root = rt::check_root::<F::View<'_>>(bytes.bytes(), &rt::Limits::default())?;
        Ok(Message {
            bytes,
            root,
            family: PhantomData,
        })
    }

    /// The root view.
    pub fn get(&self) -> F::View<'_> {
        // Owned bytes are unchanged since verification (no `&mut` access is given out); lent
        // bytes in shared memory may be rewritten by a hostile peer, which views survive
        // (every read bounds-checked, and `view_bytes` marks them shared so strings are
        // checked as UTF-8 when read): wrong values, never undefined behaviour.
        // SAFETY: `from_payload` verified the bytes as a message with an `F` root at `root`.
        unsafe {
            <F::View<'_> as TableElement<'_>>::from_object(self.bytes.view_bytes(), self.root)
        }
    }

    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.bytes()
    }

    /// Whether the bytes are lent by the transport (a shared-memory slot, given back when the
    /// message is dropped) rather than owned.
    pub fn is_lent(&self) -> bool {
        self.bytes.is_lent()
    }

    /// The bytes, to send on or keep (lent bytes are copied out).
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes.into_vec()
    }
}

impl<F> std::fmt::Debug for Message<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({} bytes)", self.bytes.bytes().len())
    }
}
