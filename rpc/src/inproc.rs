//! The in-process boundary: the handler runs on the caller's task and reads the request where
//! the caller built it; only the response is moved (not copied) back.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use weftbuf::rt::{Builder, MethodDescriptor, file_identifier};

use crate::stream::{Queue, QueueSink};
use crate::{BoxFuture, Channel, Context, Handler, RawStream, Status};

/// Calls services hosted in this process.
#[derive(Clone, Default)]
pub struct InProc {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
}

impl InProc {
    /// A channel with no services yet.
    pub fn new() -> InProc {
        InProc::default()
    }

    /// Hosts `handler` (replacing one of the same service name).
    pub fn serve(mut self, handler: impl Handler) -> InProc {
        self.handlers.insert(handler.name(), Arc::new(handler));
        self
    }

    /// The handler of `method`'s service, and the method's index in it.
    fn route(&self, method: &MethodDescriptor) -> Result<(&Arc<dyn Handler>, usize), Status> {
        let service = method
            .path
            .strip_prefix('/')
            .and_then(|p| p.split_once('/'))
            .map_or("", |(service, _)| service);
        let handler = self.handlers.get(service).ok_or_else(|| {
            Status::unimplemented(format!("service `{service}` is not served in this process"))
        })?;
        let index = handler
            .methods()
            .iter()
            .position(|m| m.path == method.path)
            .ok_or_else(|| Status::unimplemented(format!("no method {}", method.path)))?;
        Ok((handler, index))
    }
}

impl Channel for InProc {
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Vec<u8>, Status>> {
        Box::pin(async move {
            let (handler, index) = self.route(method)?;
            ctx.check()?;
            let mut response = Builder::new();
            let work = CatchPanic(handler.call(index, &ctx, request, &mut response));
            supervise(work, &ctx, method).await?;
            // The builder writes the header last: a handler that returned Ok without
            // finishing its response left none.
            if file_identifier(response.as_bytes()).is_none() {
                return Err(Status::internal(format!(
                    "{} returned without finishing its response",
                    method.path
                )));
            }
            Ok(response.into_vec())
        })
    }

    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>> {
        Box::pin(async move {
            let (handler, index) = self.route(method)?;
            ctx.check()?;
            let queue = Arc::new(Mutex::new(Queue::default()));
            let mut sink = QueueSink {
                queue: queue.clone(),
                builder: Builder::new(),
            };
            // The handler runs as the caller takes responses, on the caller's task, reading
            // the request where the caller built it.
            let work: BoxFuture<'a, Result<(), Status>> = Box::pin(async move {
                let served = CatchPanic(handler.stream(index, &ctx, request, &mut sink));
                supervise(served, &ctx, method).await
            });
            Ok(RawStream { work, queue })
        })
    }
}

/// Runs `work` until it ends, the caller cancels (`CANCELLED`) or the deadline passes
/// (`DEADLINE_EXCEEDED`), whichever comes first.
async fn supervise(
    work: impl Future<Output = Result<(), Status>>,
    ctx: &Context,
    method: &MethodDescriptor,
) -> Result<(), Status> {
    let deadline = async {
        match ctx.deadline() {
            Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
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
struct CatchPanic<'a>(BoxFuture<'a, Result<(), Status>>);

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
