//! The in-process boundary: the handler runs on the caller's task and reads the request where
//! the caller built it; only the response is moved (not copied) back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use weftbuf_rt::{Builder, Bytes, MethodDescriptor, file_identifier};

use crate::call::{CatchPanic, supervise};
use crate::duplex::{QueueSource, spawn_duplex};
use crate::stream::{Flow, Queue, QueueSink};
use crate::{BoxFuture, Channel, Context, Handler, Payload, RawStream, Sender, Status};

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

    /// Whether this process hosts service `name` (its qualified name) here.
    pub fn serves(&self, name: &str) -> bool {
        self.handlers.contains_key(name)
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
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(async move {
            let (handler, index) = self.route(method)?;
            ctx.check()?;
            let mut response = Builder::new();
            let work = CatchPanic(handler.call(index, &ctx, Bytes::new(request), &mut response));
            supervise(work, &ctx, method).await?;
            // The builder writes the header last: a handler that returned Ok without
            // finishing its response left none.
            if file_identifier(response.as_bytes()).is_none() {
                return Err(Status::internal(format!(
                    "{} returned without finishing its response",
                    method.path
                )));
            }
            Ok(response.into_vec().into())
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
                let served =
                    CatchPanic(handler.stream(index, &ctx, Bytes::new(request), &mut sink));
                supervise(served, &ctx, method).await
            });
            Ok(RawStream::new(Flow::Driven { work, queue }))
        })
    }

    fn duplex<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
    ) -> BoxFuture<'a, Result<(Sender, RawStream<'a>), Status>> {
        Box::pin(async move {
            let (handler, index) = self.route(method)?;
            ctx.check()?;
            let handler = handler.clone();
            // The two directions advance independently, so the handler runs as a task of its
            // own; requests and responses move (not copy) between the two through queues.
            spawn_duplex(method, ctx, move |ctx, requests, mut sink| async move {
                let mut requests = QueueSource(requests);
                CatchPanic(handler.duplex(index, &ctx, &mut requests, &mut sink)).await
            })
        })
    }
}
