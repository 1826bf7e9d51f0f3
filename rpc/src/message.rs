//! An owned message, verified once, read in place as often as needed.

use std::marker::PhantomData;

use weftbuf::rt::{self, Family, TableElement};

use crate::Status;

/// The bytes of a message whose root is an `F` (a generated owned type such as `MonsterT`
/// names the table), verified when it was made: [`Message::get`] views it without checking
/// again.
pub struct Message<F> {
    bytes: Vec<u8>,
    root: usize,
    family: PhantomData<fn() -> F>,
}

impl<F: Family> Message<F> {
    /// Verifies `bytes` as a message with an `F` root; `INVALID_ARGUMENT` with the
    /// verifier's error when they are not one.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Message<F>, Status> {
        let root = rt::check_root::<F::View<'_>>(&bytes, &rt::Limits::default())?;
        Ok(Message {
            bytes,
            root,
            family: PhantomData,
        })
    }

    /// The root view.
    pub fn get(&self) -> F::View<'_> {
        // SAFETY: `from_bytes` verified the bytes as a message with an `F` root at `root`, and
        // they are owned here, unchanged since (no `&mut` access is given out).
        unsafe { <F::View<'_> as TableElement<'_>>::from_object(&self.bytes, self.root) }
    }

    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, to send on or keep.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

impl<F> std::fmt::Debug for Message<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Message({} bytes)", self.bytes.len())
    }
}
