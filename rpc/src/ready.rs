//! Waiting for a server that is not listening yet, as gRPC's wait-for-ready does: a call with
//! a deadline tries to connect again, a little later each time, while its deadline allows; a
//! call without one fails at once. Only "nothing listens there" is waited out (a connection
//! refused, a socket file not made yet): a server that is starting. Other failures (a name
//! that does not resolve, a refused handshake) end the call at once.

use std::time::{Duration, Instant};

use crate::{Context, Status};

/// The first pause before connecting again; each next one is twice as long, up to
/// [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(2);

/// The longest pause between two attempts: a server that comes up is reached within this.
const LONGEST_PAUSE: Duration = Duration::from_millis(100);

/// One call's attempts to reach a server.
pub(crate) struct WaitForReady {
    pause: Duration,
    started: Instant,
}

impl WaitForReady {
    /// The attempts of a call starting now.
    pub(crate) fn new() -> WaitForReady {
        WaitForReady {
            pause: FIRST_PAUSE,
            started: Instant::now(),
        }
    }

    /// After an attempt that found nothing listening (`why`): waits before the next one and
    /// returns `Ok`, or returns the call's `UNAVAILABLE` when it has no deadline, or when the
    /// pause would reach its deadline (the call then ends before its deadline, with the cause),
    /// or when the caller cancels meanwhile (`CANCELLED`).
    pub(crate) async fn pause(&mut self, ctx: &Context, why: &str) -> Result<(), Status> {
        let gave_up = || {
            let waited = self.started.elapsed();
            if waited < FIRST_PAUSE {
                Status::unavailable(why.to_string())
            } else {
                Status::unavailable(format!(
                    "{why} (waited {} ms for a server within the call's deadline)",
                    waited.as_millis()
                ))
            }
        };
        let Some(deadline) = ctx.deadline() else {
            return Err(gave_up());
        };
        if Instant::now() + self.pause >= deadline {
            return Err(gave_up());
        }
        tokio::select! {
            () = tokio::time::sleep(self.pause) => {}
            () = ctx.cancel_token().cancelled() => {
                return Err(Status::cancelled("the caller cancelled the call"));
            }
        }
        self.pause = (self.pause * 2).min(LONGEST_PAUSE);
        Ok(())
    }
}

/// Whether `error`, or one of its causes, says nothing listens where it connected: the
/// connection was refused, or the socket file is not there.
pub(crate) fn nothing_listens(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            ) {
                return true;
            }
            // An I/O error that wraps another gives that one as its `get_ref`, not its
            // `source`.
            if let Some(inner) = io.get_ref()
                && nothing_listens(inner)
            {
                return true;
            }
        }
        cause = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_missing_sockets_are_waited_for_other_errors_are_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(nothing_listens(&refused));
        assert!(nothing_listens(&missing));
        assert!(!nothing_listens(&denied));
        // A cause further down the chain counts.
        let wrapped = std::io::Error::other(refused);
        assert!(nothing_listens(&wrapped));
    }

    #[tokio::test]
    async fn a_call_waits_within_its_deadline_and_not_without_one() {
        let mut wait = WaitForReady::new();
        let err = wait.pause(&Context::new(), "refused").await.unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (crate::Code::Unavailable, "refused")
        );

        let ctx = Context::new().with_timeout(Duration::from_millis(60));
        let mut wait = WaitForReady::new();
        let mut pauses = 0;
        let err = loop {
            match wait.pause(&ctx, "refused").await {
                Ok(()) => pauses += 1,
                Err(e) => break e,
            }
        };
        assert!(pauses >= 3, "{pauses}");
        assert_eq!(err.code, crate::Code::Unavailable);
        assert!(err.message.contains("waited"), "{err}");
        assert!(ctx.remaining().is_some_and(|left| left > Duration::ZERO));
    }
}
