//! What every transport does around a call: the deadline and the caller's cancellation end it
//! with their statuses, and a handler's panic ends only that call.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::Poll;

use weftbuf::rt::MethodDescriptor;

use crate::{BoxFuture, Context, Status};

/// Runs `work` until it ends, the caller cancels (`CANCELLED`) or the deadline passes
/// (`DEADLINE_EXCEEDED`), whichever comes first; `work` is dropped when it loses.
pub(crate) async fn supervise<T>(
    work: impl Future<Output = Result<T, Status>>,
    ctx: &Context,
    method: &MethodDescriptor,
) -> Result<T, Status> {
    let deadline = async {
        match ctx.deadline() {
            Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
            None => std::future::pending().await,
        }
    };
    // The work first: a call that is done at its first poll registers with neither the
    // cancellation nor a timer.
    tokio::select! {
        biased;
        served = work => served,
        () = ctx.cancel_token().cancelled() => {
            Err(Status::cancelled("the caller cancelled the call"))
        }
        () = deadline => Err(Status::deadline_exceeded(format!(
            "{} did not answer before the deadline", method.path
        ))),
    }
}

/// A handler's future with a panic turned into `INTERNAL`: the panic ends that call, not the
/// caller (or, across a transport, the server).
pub(crate) struct CatchPanic<'a>(pub(crate) BoxFuture<'a, Result<(), Status>>);

impl Future for CatchPanic<'_> {
    type Output = Result<(), Status>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                Poll::Ready(Err(Status::internal(format!(
                    "the handler panicked: {what}"
                ))))
            }
        }
    }
}
