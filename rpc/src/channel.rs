//! The calling side: one interface for every boundary.

use weftbuf::rt::MethodDescriptor;

use crate::{BoxFuture, Context, Payload, RawStream, Sender, Status};

/// Where calls go. Generated clients are generic over it, so the same code calls a service in
/// this process or (with other transports) in another one.
pub trait Channel: Send + Sync {
    /// A unary call of `method` with the request message `request`; the response message's
    /// bytes (owned, or lent where the transport keeps them), or the call's status.
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Payload, Status>>;

    /// A server-streaming call of `method`: the responses, taken one at a time.
    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>>;

    /// A client- or bidi-streaming call of `method`: requests go through the [`Sender`] as
    /// the caller makes them, responses come on the stream (one, for client streaming). The
    /// default answers `UNIMPLEMENTED`.
    fn duplex<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
    ) -> BoxFuture<'a, Result<(Sender, RawStream<'a>), Status>> {
        let _ = ctx;
        Box::pin(async move {
            Err(Status::unimplemented(format!(
                "{}: this channel does not stream requests",
                method.path
            )))
        })
    }
}

/// A shared channel is a channel: a deployment picks each service's transport at run time and
/// hands the generated clients `Arc<dyn Channel>`.
impl<C: Channel + ?Sized> Channel for std::sync::Arc<C> {
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        (**self).unary(method, ctx, request)
    }

    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>> {
        (**self).server_streaming(method, ctx, request)
    }

    fn duplex<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
    ) -> BoxFuture<'a, Result<(Sender, RawStream<'a>), Status>> {
        (**self).duplex(method, ctx)
    }
}
