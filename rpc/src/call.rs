//! What every transport does around a call: the deadline and the caller's cancellation end it
//! with their statuses, and a handler's panic ends only that call.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::Poll;

use weftbuf_rt::MethodDescriptor;

use crate::{BoxFuture, Context, Status};

/// Runs `work` until it ends, the caller cancels (`CANCELLED`) or the deadline passes
/// (`DEADLINE_EXCEEDED`), whichever comes first; `work` is dropped when it loses.
///
/// A future of its own rather than an `async fn`: an `async fn` would hold `work` twice
/// (as its argument and as the future it awaits), and a call's future is allocated per call.
pub(crate) fn supervise<'a, T, F: Future<Output = Result<T, Status>>>(
    work: F,
    ctx: &'a Context,
    method: &'a MethodDescriptor,
) -> Supervised<'a, F> {
    Supervised {
        work,
        cancelled: ctx.cancel_token().cancelled(),
        deadline: None,
        ctx,
        method,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`supervise`].
    pub(crate) struct Supervised<'a, F> {
        #[pin]
        work: F,
        cancelled: weftbuf::service::Cancelled<'a>,
        // Boxed, and made only when the work waits: a timer is large, and most calls need none.
        deadline: Option<Pin<Box<tokio::time::Sleep>>>,
        ctx: &'a Context,
        method: &'a MethodDescriptor,
    }
}

impl<T, F: Future<Output = Result<T, Status>>> Future for Supervised<'_, F> {
    type Output = Result<T, Status>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The work first: a call that is done at its first poll registers with neither the
        // cancellation nor a timer.
        if let Poll::Ready(served) = this.work.poll(cx) {
            return Poll::Ready(served);
        }
        if Pin::new(&mut *this.cancelled).poll(cx).is_ready() {
            return Poll::Ready(Err(Status::cancelled("the caller cancelled the call")));
        }
        if let Some(at) = this.ctx.deadline() {
            let deadline = this.deadline.get_or_insert_with(|| {
                Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(at)))
            });
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(Status::deadline_exceeded(format!(
                    "{} did not answer before the deadline",
                    this.method.path
                ))));
            }
        }
        Poll::Pending
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
