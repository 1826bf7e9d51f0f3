//! The serving side of a service, as transports see it: methods by index, requests as bytes,
//! responses written into a builder the transport owns.

use std::future::Future;
use std::pin::Pin;

use weftbuf_rt::{Builder, MethodDescriptor};

use crate::{Context, Sink, Source, Status};

/// A boxed future that may move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A service implementation behind one interface. Generated code implements it for
/// `<Service>Server<S>`, which verifies each request as its method's request type and calls
/// the typed method of `S`.
pub trait Handler: Send + Sync + 'static {
    /// The service's qualified name.
    fn name(&self) -> &'static str;

    /// Its methods, in declared order (a call names one by index).
    fn methods(&self) -> &'static [MethodDescriptor];

    /// Serves method `method`: `request` is the request message's bytes (not verified yet),
    /// marked shared when they sit in memory a peer can write; the response is written into
    /// `response` and finished there.
    fn call<'a>(
        &'a self,
        method: usize,
        ctx: &'a Context,
        request: weftbuf_rt::Bytes<'a>,
        response: &'a mut Builder<'static>,
    ) -> BoxFuture<'a, Result<(), Status>>;

    /// Serves server-streaming method `method`: responses go to `sink`, one at a time.
    /// Services without streaming methods keep this default.
    fn stream<'a>(
        &'a self,
        method: usize,
        ctx: &'a Context,
        request: weftbuf_rt::Bytes<'a>,
        sink: &'a mut dyn Sink,
    ) -> BoxFuture<'a, Result<(), Status>> {
        let _ = (ctx, request, sink);
        let name = self.name();
        Box::pin(async move {
            Err(Status::unimplemented(format!(
                "{name}: method {method} does not stream"
            )))
        })
    }

    /// Serves client- or bidi-streaming method `method`: requests come from `requests` (bytes,
    /// not verified yet) as the caller sends them, responses go to `sink` (a client-streaming
    /// method sends exactly one). Services without such methods keep this default.
    fn duplex<'a>(
        &'a self,
        method: usize,
        ctx: &'a Context,
        requests: &'a mut dyn Source,
        sink: &'a mut dyn Sink,
    ) -> BoxFuture<'a, Result<(), Status>> {
        let _ = (ctx, requests, sink);
        let name = self.name();
        Box::pin(async move {
            Err(Status::unimplemented(format!(
                "{name}: method {method} does not stream requests"
            )))
        })
    }
}
