//! Wakeups: an eventfd each way. A side rings the other's bell only when that side said it
//! sleeps (`ring::Pushed::Wake`), so a busy pair makes no system call per message.

use std::os::fd::OwnedFd;

use rustix::event::EventfdFlags;
use tokio::io::unix::AsyncFd;

use super::ShmError;

/// One eventfd: rung by one side, waited on by the other.
pub(crate) struct Bell {
    fd: AsyncFd<OwnedFd>,
}

impl Bell {
    /// A new eventfd (non-blocking, closed on exec), and its descriptor to pass on.
    pub(crate) fn create() -> Result<OwnedFd, ShmError> {
        rustix::event::eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)
            .map_err(|e| ShmError::sys("eventfd", e))
    }

    /// The bell of `fd`, an eventfd (the peer's or this side's own), registered with the
    /// current tokio runtime.
    pub(crate) fn new(fd: OwnedFd) -> Result<Bell, ShmError> {
        // A descriptor the peer passed may be blocking: reads here must not block a thread.
        rustix::fs::fcntl_setfl(&fd, rustix::fs::OFlags::NONBLOCK)
            .map_err(|e| ShmError::sys("F_SETFL", e))?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ShmError::Protocol(
                "a shared-memory session runs within a tokio runtime".into(),
            ));
        }
        // SAFETY: an `OwnedFd` is a valid open descriptor, owned here, so it stays open and
        // the same until the `AsyncFd` (which owns it from now on) is dropped.
        let fd = unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
            .map_err(|e| ShmError::Io("epoll registration", e.into_parts().1))?;
        Ok(Bell { fd })
    }

    /// Rings: the waiter wakes (at once, or when it next waits).
    pub(crate) fn ring(&self) -> Result<(), ShmError> {
        match rustix::io::write(self.fd.get_ref(), &1u64.to_ne_bytes()) {
            // The counter is full: the waiter has plenty of wakeups pending already.
            Ok(_) | Err(rustix::io::Errno::AGAIN) => Ok(()),
            Err(e) => Err(ShmError::sys("eventfd write", e)),
        }
    }

    /// Waits until rung (since the last wait), then clears it.
    pub(crate) async fn wait(&self) -> Result<(), ShmError> {
        loop {
            let mut ready = self
                .fd
                .readable()
                .await
                .map_err(|e| ShmError::Io("eventfd wait", e))?;
            let mut counter = [0u8; 8];
            match ready.try_io(|fd| {
                rustix::io::read(fd.get_ref(), &mut counter).map_err(std::io::Error::from)
            }) {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(e)) => return Err(ShmError::Io("eventfd read", e)),
                Err(_would_block) => continue,
            }
        }
    }
}

/// How long a waiting side polls its ring before it sleeps: a peer that answers within it
/// costs no system call.
pub(crate) const SPIN: std::time::Duration = std::time::Duration::from_micros(100);

/// How long of [`SPIN`] a waiting side polls without yielding its thread, when nothing else
/// of its own waits to run: about a fast round trip. A yield to tokio costs a look at the
/// reactor (an `epoll_wait`), longer than the answer it waits for.
pub(crate) const HOT_SPIN: std::time::Duration = std::time::Duration::from_micros(20);

/// How many turns of a hot spin go between two readings of the clock.
pub(crate) const CLOCK_EVERY: u32 = 16;

/// Waits until `consumer`'s ring has an entry (or says it is corrupt): polls briefly (for
/// [`HOT_SPIN`] without yielding if `hot`), then sleeps on `bell` with the sleeping flag
/// raised (`docs/shm.md`, "Ring protocol").
pub(crate) async fn wait_for_entries(
    consumer: &super::ring::Consumer,
    bell: &Bell,
    hot: bool,
) -> Result<(), ShmError> {
    let started = std::time::Instant::now();
    if hot {
        // The clock read every few turns only: a turn is quicker than the clock is read.
        let mut turns = 0u32;
        while !turns.is_multiple_of(CLOCK_EVERY) || started.elapsed() < HOT_SPIN {
            if !consumer.is_empty() {
                return Ok(());
            }
            std::hint::spin_loop();
            turns = turns.wrapping_add(1);
        }
    }
    while started.elapsed() < SPIN {
        if !consumer.is_empty() {
            return Ok(());
        }
        // Polling, but letting this thread's other tasks run (the handler of the call just
        // taken, say) rather than spinning over them.
        tokio::task::yield_now().await;
    }
    if !consumer.prepare_to_sleep() {
        return Ok(());
    }
    // Lowered however the wait ends, dropped by a `select!` included.
    let _awake = Awake(consumer);
    bell.wait().await
}

/// Lowers a consumer's sleeping flag when dropped.
struct Awake<'a>(&'a super::ring::Consumer);

impl Drop for Awake<'_> {
    fn drop(&mut self) {
        self.0.woke();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_rung_bell_wakes_its_waiter_once() {
        let fd = Bell::create().unwrap();
        let ringer = Bell::new(fd.try_clone().unwrap()).unwrap();
        let waiter = Bell::new(fd).unwrap();
        ringer.ring().unwrap();
        ringer.ring().unwrap();
        tokio::time::timeout(Duration::from_secs(1), waiter.wait())
            .await
            .unwrap()
            .unwrap();
        // Both rings were cleared by the one wait.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), waiter.wait())
                .await
                .is_err()
        );
    }
}
