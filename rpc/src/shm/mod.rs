//! The shared-memory boundary (feature `shm`, Linux): `docs/shm.md` specifies it byte by byte.
//!
//! A session is one client's segment: a sealed memfd holding a header, two rings of slot
//! indices and the slots, mapped by the client and the server after a handshake over a Unix
//! domain socket, which also tells each side when the other is gone.

mod bell;
mod calls;
mod client;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
mod layout;
mod ring;
mod segment;
mod server;
mod slot;

pub use client::ShmChannel;
pub use handshake::{Address, Allow, Refusal};
pub use layout::Geometry;
pub use server::{Listener, Server};

/// Payload bytes copied by this process's shared-memory transport.
static COPIED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many payload bytes this process's shared-memory transport has copied: requests given
/// as bytes (rather than built in their slot with `Channel::unary_built`), streamed requests,
/// responses a handler built somewhere else than its slot. A call whose request is built in
/// place adds nothing: its request and its response are each written once, where they are
/// read.
pub fn payload_bytes_copied() -> u64 {
    COPIED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts `bytes` copied.
fn copied(bytes: usize) {
    COPIED.fetch_add(bytes as u64, std::sync::atomic::Ordering::Relaxed);
}

/// What can go wrong with a shared-memory session.
#[derive(Debug, thiserror::Error)]
pub enum ShmError {
    /// A system call failed.
    #[error("{0}: {1}")]
    Sys(&'static str, rustix::io::Errno),
    /// An I/O operation failed.
    #[error("{0}: {1}")]
    Io(&'static str, std::io::Error),
    /// The server cannot listen at its address.
    #[error("cannot listen at {at}")]
    Listen {
        /// The address, as `weftbuf.toml` writes it after `shm://`.
        at: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A geometry that cannot be used.
    #[error("segment geometry {0}")]
    Geometry(String),
    /// The server refused the connection.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The peer broke the protocol (or wrote over the segment): the session ends.
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl ShmError {
    fn sys(call: &'static str, errno: rustix::io::Errno) -> ShmError {
        ShmError::Sys(call, errno)
    }
}
