//! Calling over gRPC: tonic's HTTP/2 client, weftbuf messages as the frames' bytes.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_TYPE, TE};
use http::uri::PathAndQuery;
use tonic::body::Body;
use tonic::metadata::{AsciiMetadataValue, BinaryMetadataValue, MetadataKey};
use tonic::transport::{Channel as TonicChannel, Endpoint};
use tower_service::Service as _;
use weftbuf::service::encode_timeout;
use weftbuf_rt::{Builder, MethodDescriptor};

use super::codec::{BoxError, FrameLimit, OneMessage, RawCodec, from_tonic};
use super::pool::BufferPool;
use super::{CONTENT_TYPE_WEFTBUF, DEFAULT_MAX_MESSAGE_SIZE, GrpcError};
use crate::call::supervise;
use crate::config::Location;
use crate::duplex::{EventSink, spawn_duplex};
use crate::ready::{WaitForReady, nothing_listens};
use crate::stream::{Flow, Queue, push};
use crate::{BoxFuture, Build, Channel, Code, Context, Payload, RawStream, Sender, Status};

/// A channel to services behind a gRPC server (`grpc://host:port` in `weftbuf.toml`).
///
/// It connects on the first call (or at once with [`GrpcChannelBuilder::connect`]), pings
/// the server while calls are open (see [`GrpcChannelBuilder::keepalive`]), and reconnects
/// after the connection is lost; clones share the connection. A call carries its
/// context's remaining time as `grpc-timeout` and its metadata as headers, and is abandoned
/// (the server sees the stream reset) when its context is cancelled (`CANCELLED`) or its
/// deadline passes (`DEADLINE_EXCEEDED`). A server that cannot be reached or goes away
/// mid-call is `UNAVAILABLE`.
#[derive(Clone)]
pub struct GrpcChannel {
    /// Carries duplex calls; calls of one request go by `transport` directly.
    grpc: tonic::client::Grpc<Transport>,
    transport: Transport,
    max_encoding: usize,
    /// tonic's limit on a response frame, one over ours: `FrameLimit` answers first.
    max_decoding_frame: usize,
    /// Buffers of sent requests, built into again by later calls.
    pool: Arc<BufferPool>,
    /// The server's URI, for statuses that say where a call went.
    target: Arc<str>,
}

/// How a [`GrpcChannel`] connects: made by [`GrpcChannel::builder`].
pub struct GrpcChannelBuilder {
    endpoint: Endpoint,
    max_decoding: usize,
    max_encoding: usize,
}

impl GrpcChannel {
    /// A channel to `target` (`http://host:port`, or `https://` with TLS), connecting on the
    /// first call. Call it within a tokio runtime, which runs the connection.
    pub fn lazy(target: &str) -> Result<GrpcChannel, GrpcError> {
        GrpcChannel::builder(target)?.lazy()
    }

    /// The settings of a channel to `target` (`http://host:port`, or `https://` with TLS):
    /// a 5 s connect timeout and 4 MiB message limits until changed.
    pub fn builder(target: &str) -> Result<GrpcChannelBuilder, GrpcError> {
        let endpoint =
            Endpoint::from_shared(target.to_string()).map_err(|e| GrpcError::Target {
                target: target.to_string(),
                reason: e.to_string(),
            })?;
        Ok(GrpcChannelBuilder {
            endpoint: endpoint
                .connect_timeout(Duration::from_secs(5))
                .tcp_nodelay(true)
                .http2_keep_alive_interval(Duration::from_secs(30))
                .keep_alive_timeout(Duration::from_secs(10)),
            max_decoding: DEFAULT_MAX_MESSAGE_SIZE,
            max_encoding: DEFAULT_MAX_MESSAGE_SIZE,
        })
    }

    /// The settings of a channel to where `location` (a `grpc://host:port` of
    /// `weftbuf.toml`) says; an error for other locations.
    pub fn for_location(location: &Location) -> Result<GrpcChannelBuilder, GrpcError> {
        match location {
            Location::Grpc { host, port } if host.contains(':') => {
                GrpcChannel::builder(&format!("http://[{host}]:{port}"))
            }
            Location::Grpc { host, port } => GrpcChannel::builder(&format!("http://{host}:{port}")),
            other => Err(GrpcError::NotGrpc(format!("{other:?}"))),
        }
    }

    /// Sends `request`, made for `ctx`, as `method`'s one request; the response stream as
    /// tonic reads it. The request goes out as its own bytes ([`OneMessage`]) rather than
    /// through `tonic::client::Grpc`, which copies it into a frame buffer; the headers are
    /// the ones tonic would send, and the response is read by tonic's own `Streaming`.
    async fn open(
        &self,
        method: &'static MethodDescriptor,
        ctx: &Context,
        request: Vec<u8>,
    ) -> Result<tonic::Streaming<Vec<u8>>, Status> {
        let len = request.len();
        let over = || {
            Status::resource_exhausted(format!(
                "a request of {len} bytes is over the limit of {} bytes",
                self.max_encoding
            ))
        };
        if len > self.max_encoding {
            return Err(over());
        }
        let path = path(method)?;
        let body = OneMessage::new(request, &self.pool).ok_or_else(over)?;
        let mut wait = WaitForReady::new();
        let response = loop {
            let (metadata, _, ()) = outgoing(ctx, ())?.into_parts();
            // A copy of the frame's chunks (counted references): a connection refused before
            // anything was sent sends the same bytes again.
            let mut http = http::Request::new(Body::new(body.clone()));
            *http.method_mut() = http::Method::POST;
            *http.version_mut() = http::Version::HTTP_2;
            *http.uri_mut() = http::Uri::from(path.clone());
            *http.headers_mut() = metadata.into_headers();
            http.headers_mut()
                .insert(TE, HeaderValue::from_static("trailers"));
            let mut transport = self.transport.clone();
            std::future::poll_fn(|cx| transport.poll_ready(cx))
                .await
                .map_err(|e| Status::unavailable(format!("{}: {e}", method.path)))?;
            match transport.call(http).await {
                Ok(response) => break response,
                Err(e) if nothing_listens(e.as_ref()) => {
                    let status = received(&tonic::Status::from_error(e));
                    let why = format!("{}{}: {}", self.target, method.path, status.message);
                    wait.pause(ctx, &why).await?;
                }
                Err(e) => return Err(received(&tonic::Status::from_error(e))),
            }
        };
        // A status in the headers is the whole answer (gRPC's trailers-only response).
        let status_code = response.status();
        if let Some(status) = tonic::Status::from_header_map(response.headers()) {
            if status.code() != tonic::Code::Ok {
                return Err(from_tonic(&status));
            }
            return Ok(tonic::Streaming::new_empty(RawCodec, response.into_body()));
        }
        Ok(tonic::Streaming::new_response(
            RawCodec,
            response.into_body(),
            status_code,
            None,
            Some(self.max_decoding_frame),
        ))
    }
}

impl GrpcChannelBuilder {
    /// How long connecting may take before the call is `UNAVAILABLE`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint = self.endpoint.connect_timeout(timeout);
        self
    }

    /// Pings the server every `interval` (30 s unless set) while calls are open, and gives
    /// the connection up (its calls `UNAVAILABLE`) when a ping is not answered within
    /// `timeout` (10 s): a server whose machine went away without a word.
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.endpoint = self
            .endpoint
            .http2_keep_alive_interval(interval)
            .keep_alive_timeout(timeout);
        self
    }

    /// The largest response accepted, in bytes; a larger one ends its call with
    /// `RESOURCE_EXHAUSTED` before it is read.
    pub fn max_decoding_message_size(mut self, bytes: usize) -> Self {
        self.max_decoding = bytes;
        self
    }

    /// The largest request sent, in bytes; a larger one is `RESOURCE_EXHAUSTED` without
    /// being sent.
    pub fn max_encoding_message_size(mut self, bytes: usize) -> Self {
        self.max_encoding = bytes;
        self
    }

    /// Connects over TLS, trusting `tls`'s certificate authority.
    #[cfg(feature = "grpc-tls")]
    pub fn tls(mut self, tls: &super::ClientTls) -> Result<Self, GrpcError> {
        self.endpoint = self
            .endpoint
            .tls_config(tls.config())
            .map_err(|e| GrpcError::Tls(e.to_string()))?;
        Ok(self)
    }

    /// The channel, connecting on its first call. Call it within a tokio runtime, which runs
    /// the connection.
    pub fn lazy(self) -> Result<GrpcChannel, GrpcError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(GrpcError::NoRuntime);
        }
        let channel = self.endpoint.connect_lazy();
        Ok(self.channel(channel))
    }

    /// The channel, connected: `UNAVAILABLE` when the server cannot be reached.
    pub async fn connect(self) -> Result<GrpcChannel, Status> {
        let channel =
            self.endpoint.connect().await.map_err(|e| {
                Status::unavailable(format!("{}: {}", self.endpoint.uri(), chain(&e)))
            })?;
        Ok(self.channel(channel))
    }

    fn channel(&self, channel: TonicChannel) -> GrpcChannel {
        let transport = Transport {
            inner: channel,
            max_decoding: self.max_decoding,
        };
        // tonic's own limit answers OUT_OF_RANGE; `FrameLimit` answers first, as gRPC says.
        let max_decoding_frame = self.max_decoding.saturating_add(1);
        GrpcChannel {
            grpc: tonic::client::Grpc::new(transport.clone())
                .max_decoding_message_size(max_decoding_frame)
                .max_encoding_message_size(self.max_encoding),
            transport,
            max_encoding: self.max_encoding,
            max_decoding_frame,
            pool: Arc::default(),
            target: self.endpoint.uri().to_string().trim_end_matches('/').into(),
        }
    }
}

impl GrpcChannel {
    /// `request` copied into a buffer the channel kept from an earlier call.
    fn kept_copy(&self, request: &[u8]) -> Vec<u8> {
        let mut buffer = self.pool.take();
        buffer.extend_from_slice(request);
        buffer
    }

    /// A unary call whose request is `request`'s bytes, moved to tonic.
    async fn call(
        &self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: Vec<u8>,
    ) -> Result<Payload, Status> {
        ctx.check()?;
        let call = async {
            let mut responses = self.open(method, &ctx, request).await?;
            let response = responses
                .message()
                .await
                .map_err(|e| received(&e))?
                .ok_or_else(|| Status::internal(format!("{} sent no response", method.path)))?;
            // The status comes in the trailers, after the message.
            if responses
                .message()
                .await
                .map_err(|e| received(&e))?
                .is_some()
            {
                return Err(Status::internal(format!(
                    "{} sent more than one response",
                    method.path
                )));
            }
            Ok(response.into())
        };
        supervise(call, &ctx, method).await
    }
}

impl Channel for GrpcChannel {
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(self.call(method, ctx, self.kept_copy(request)))
    }

    fn unary_built<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        build: Build<'a>,
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(async move {
            // Built into a buffer an earlier call sent, and sent from there.
            let mut request = Builder::reusing(self.pool.take());
            build(&mut request)?;
            self.call(method, ctx, request.into_vec()).await
        })
    }

    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>> {
        Box::pin(async move {
            ctx.check()?;
            let mut responses = supervise(
                self.open(method, &ctx, self.kept_copy(request)),
                &ctx,
                method,
            )
            .await?;
            let queue = Arc::new(Mutex::new(Queue::default()));
            let filled = queue.clone();
            // Read as the caller takes responses; dropping the stream resets the call.
            let work: BoxFuture<'a, Result<(), Status>> = Box::pin(async move {
                let read = async {
                    while let Some(bytes) = responses.message().await.map_err(|e| received(&e))? {
                        push(&filled, bytes.into()).await;
                    }
                    Ok(())
                };
                supervise(read, &ctx, method).await
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
            ctx.check()?;
            let path = path(method)?;
            let grpc = self.grpc.clone();
            let target = self.target.clone();
            // The call runs as a task: requests go out as the caller sends them, whether or
            // not it reads responses meanwhile; dropping the responses resets the call.
            spawn_duplex(method, ctx, move |ctx, requests, sink| {
                carry((grpc, target), path, ctx, requests, sink)
            })
        })
    }
}

/// Carries a duplex call: `requests` go out as they come, responses go to `sink`.
async fn carry(
    (mut grpc, target): (tonic::client::Grpc<Transport>, Arc<str>),
    path: PathAndQuery,
    ctx: Context,
    requests: tokio::sync::mpsc::Receiver<Vec<u8>>,
    mut sink: EventSink,
) -> Result<(), Status> {
    // Shared, so that a connection refused before any request went out (a server starting)
    // leaves them queued for the next attempt.
    let requests = Arc::new(Mutex::new(requests));
    let mut wait = WaitForReady::new();
    let mut responses = loop {
        let request = outgoing(&ctx, RequestStream(requests.clone()))?;
        grpc.ready()
            .await
            .map_err(|e| Status::unavailable(format!("{}: {e}", path.path())))?;
        match grpc.streaming(request, path.clone(), RawCodec).await {
            Ok(responses) => break responses.into_inner(),
            Err(status) if nothing_listens(&status) => {
                let why = format!("{target}{}: {}", path.path(), received(&status).message);
                wait.pause(&ctx, &why).await?;
            }
            Err(status) => return Err(received(&status)),
        }
    };
    while let Some(bytes) = responses.message().await.map_err(|e| received(&e))? {
        sink.forward(bytes.into()).await?;
    }
    Ok(())
}

/// A call's requests as tonic sends them: the bytes the caller's [`Sender`] queued.
struct RequestStream(Arc<Mutex<tokio::sync::mpsc::Receiver<Vec<u8>>>>);

impl futures_core::Stream for RequestStream {
    type Item = Vec<u8>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Vec<u8>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .poll_recv(cx)
    }
}

/// `method`'s path as a URI's.
fn path(method: &'static MethodDescriptor) -> Result<PathAndQuery, Status> {
    PathAndQuery::from_maybe_shared(Bytes::from_static(method.path.as_bytes()))
        .map_err(|e| Status::internal(format!("`{}` is not a path: {e}", method.path)))
}

/// `request` as tonic sends it, with `ctx`'s metadata and remaining time.
fn outgoing<T>(ctx: &Context, request: T) -> Result<tonic::Request<T>, Status> {
    let mut outgoing = tonic::Request::new(request);
    let headers = outgoing.metadata_mut();
    for (key, value) in ctx.metadata().iter() {
        let invalid = |e: &dyn std::fmt::Display| {
            Status::invalid_argument(format!("metadata {key:?} cannot be sent: {e}"))
        };
        if key.ends_with("-bin") {
            let name = MetadataKey::from_bytes(key.as_bytes()).map_err(|e| invalid(&e))?;
            headers.append_bin(name, BinaryMetadataValue::from_bytes(value));
        } else {
            let name = MetadataKey::from_bytes(key.as_bytes()).map_err(|e| invalid(&e))?;
            let value = AsciiMetadataValue::try_from(value).map_err(|e| invalid(&e))?;
            headers.append(name, value);
        }
    }
    if let Some(remaining) = ctx.remaining() {
        let value = AsciiMetadataValue::try_from(encode_timeout(remaining))
            .map_err(|e| Status::internal(format!("grpc-timeout: {e}")))?;
        headers.insert("grpc-timeout", value);
    }
    Ok(outgoing)
}

/// A status tonic gives the caller. A status the server sent is kept as it is. One tonic made
/// from a failure on the way has the failure's causes in its message, and is
/// `DEADLINE_EXCEEDED` when tonic's own timer for `grpc-timeout` ended the call (racing ours),
/// `UNAVAILABLE` when the connection failed (refused, reset, closed mid-call, not HTTP/2),
/// as gRPC says of a server that cannot be reached or went away.
fn received(status: &tonic::Status) -> Status {
    let mut out = from_tonic(status);
    let Some(source) = std::error::Error::source(status) else {
        return out;
    };
    let causes = chain(source);
    out.message = if causes.contains(status.message()) {
        causes
    } else {
        format!("{}: {causes}", status.message())
    };
    let mut cause = Some(source);
    while let Some(error) = cause {
        if error.is::<tonic::TimeoutExpired>() {
            out.code = Code::DeadlineExceeded;
            return out;
        }
        if error
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            out.code = Code::Unavailable;
            return out;
        }
        cause = error.source();
    }
    // A status tonic made from a failure of the connection (an I/O error, or an HTTP/2
    // protocol error such as a peer that does not speak HTTP/2, or speaks TLS) says the
    // server could not be reached: tonic gives those no code, or INTERNAL.
    if matches!(out.code, Code::Unknown | Code::Internal) {
        out.code = Code::Unavailable;
    }
    out
}

/// An error with its causes, `: `-separated (a cause its error already quotes is left out).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// tonic's channel with weftbuf's content type on requests and the size limit on responses.
#[derive(Clone)]
struct Transport {
    inner: TonicChannel,
    max_decoding: usize,
}

impl tower_service::Service<http::Request<Body>> for Transport {
    type Response = http::Response<FrameLimit<Body>>;
    type Error = BoxError;
    type Future = Limited;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_WEFTBUF));
        Limited {
            inner: self.inner.call(request),
            limit: self.max_decoding,
        }
    }
}

pin_project_lite::pin_project! {
    /// A response on its way, its body to be read within the size limit (a future of its
    /// own rather than a boxed one: one allocation less per call).
    struct Limited {
        #[pin]
        inner: tonic::transport::channel::ResponseFuture,
        limit: usize,
    }
}

impl Future for Limited {
    type Output = Result<http::Response<FrameLimit<Body>>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let limit = *this.limit;
        Poll::Ready(Ok(response.map(|body| FrameLimit::new(body, limit))))
    }
}
