//! The calling side: one interface for every boundary.

use weftbuf_rt::{BuildError, Builder, MethodDescriptor};

use crate::{BoxFuture, Context, Payload, RawStream, Sender, Status};

/// Writes a request into the builder a transport gives it.
pub type Build<'a> = Box<dyn FnOnce(&mut Builder<'_>) -> Result<(), BuildError> + Send + 'a>;

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

    /// A unary call of `method` whose request `build` writes where the transport wants it
    /// (a shared-memory slot: no copy of the request at all). The default builds it on the
    /// heap and calls [`Channel::unary`].
    fn unary_built<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        build: Build<'a>,
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(async move {
            let mut request = Builder::new();
            build(&mut request)?;
            self.unary(method, ctx, request.as_bytes()).await
        })
    }

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

    fn unary_built<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        build: Build<'a>,
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        (**self).unary_built(method, ctx, build)
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
