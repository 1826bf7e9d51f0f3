//! Serving handlers over gRPC: HTTP/2 from hyper, one route per method path, tonic's framing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tonic::body::Body;
use tonic::metadata::{KeyAndValueRef, MetadataMap};
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::{HealthReporter, HealthService};
use weftbuf::service::parse_timeout;
use weftbuf_rt::{Builder, Bytes, Streaming, file_identifier};

use super::codec::{FrameLimit, RawCodec, from_tonic, to_tonic};
use super::{CONTENT_TYPE_WEFTBUF, DEFAULT_MAX_MESSAGE_SIZE, GrpcError};
use crate::call::{CatchPanic, supervise};
use crate::stream::{Flow, Pump, Queue, QueueSink};
use crate::{
    BoxFuture, CancelToken, Context, Handler, Metadata, Payload, RawStream, Source, Status,
};

/// The path prefix of the standard health service, served beside the handlers.
const HEALTH_PREFIX: &str = "/grpc.health.v1.Health/";

/// A gRPC server hosting [`Handler`]s: each method is served at its path
/// (`/storefront.Pricing/Quote`), unary and server-streaming methods; the standard health
/// service (`grpc.health.v1.Health`) reports every hosted service as serving.
///
/// ```no_run
/// # async fn run(
/// #     handler: impl weftbuf_rpc::Handler,
/// #     stop: tokio::sync::oneshot::Receiver<()>,
/// # ) -> Result<(), weftbuf_rpc::grpc::GrpcError> {
/// let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 50051));
/// weftbuf_rpc::grpc::Server::new()
///     .serve(handler)
///     .run(addr, async {
///         let _ = stop.await;
///     })?
///     .await
/// # }
/// ```
pub struct Server {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
    max_decoding: usize,
    max_encoding: usize,
    grace: Duration,
    keepalive: Keepalive,
    #[cfg(feature = "grpc-tls")]
    tls: Option<super::tls::Acceptor>,
}

/// HTTP/2 pings on an open connection: one every `interval`, and the connection is closed
/// when one is not answered within `timeout` (a peer whose machine went away without a word).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keepalive {
    pub(crate) interval: Duration,
    pub(crate) timeout: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        Keepalive {
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Default for Server {
    fn default() -> Self {
        Server {
            handlers: HashMap::new(),
            max_decoding: DEFAULT_MAX_MESSAGE_SIZE,
            max_encoding: DEFAULT_MAX_MESSAGE_SIZE,
            grace: Duration::from_secs(5),
            keepalive: Keepalive::default(),
            #[cfg(feature = "grpc-tls")]
            tls: None,
        }
    }
}

impl Server {
    /// A server hosting nothing yet, with 4 MiB message limits and a 5 s shutdown grace.
    pub fn new() -> Server {
        Server::default()
    }

    /// Hosts `handler` (replacing one of the same service name).
    pub fn serve(self, handler: impl Handler) -> Server {
        self.serve_shared(Arc::new(handler))
    }

    /// Hosts a shared `handler` (replacing one of the same service name).
    pub fn serve_shared(mut self, handler: Arc<dyn Handler>) -> Server {
        self.handlers.insert(handler.name(), handler);
        self
    }

    /// The largest request accepted, in bytes; a larger one ends its call with
    /// `RESOURCE_EXHAUSTED` before it is read.
    pub fn max_decoding_message_size(mut self, bytes: usize) -> Server {
        self.max_decoding = bytes;
        self
    }

    /// The largest response sent, in bytes; a handler's larger response ends its call with
    /// `RESOURCE_EXHAUSTED`.
    pub fn max_encoding_message_size(mut self, bytes: usize) -> Server {
        self.max_encoding = bytes;
        self
    }

    /// How long calls in flight may go on after the shutdown signal; then their connections
    /// are closed (their callers get `UNAVAILABLE`, their handlers are dropped and their
    /// contexts cancelled).
    pub fn shutdown_grace(mut self, grace: Duration) -> Server {
        self.grace = grace;
        self
    }

    /// Pings each connection every `interval` (30 s unless set), closing it when a ping is
    /// not answered within `timeout` (10 s): the handlers of a caller that vanished are
    /// cancelled then.
    pub fn keepalive(mut self, interval: Duration, timeout: Duration) -> Server {
        self.keepalive = Keepalive { interval, timeout };
        self
    }

    /// Serves over TLS (HTTP/2 negotiated with ALPN) with `tls`'s certificate and key.
    #[cfg(feature = "grpc-tls")]
    pub fn tls(mut self, tls: &super::ServerTls) -> Result<Server, GrpcError> {
        self.tls = Some(super::tls::Acceptor::new(tls)?);
        Ok(self)
    }

    /// Listens on `addr` now, and returns the future that serves until `shutdown` completes
    /// (see [`Server::run_on`]): clients can connect once this returns, before the future is
    /// first polled (spawned, say), and a failure to listen is this call's error.
    pub fn run<S: Future<Output = ()>>(
        self,
        addr: SocketAddr,
        shutdown: S,
    ) -> Result<impl Future<Output = Result<(), GrpcError>> + use<S>, GrpcError> {
        // Bound with std, which needs no runtime; tokio takes the socket over when it runs.
        let bound = std::net::TcpListener::bind(addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|source| GrpcError::Bind { addr, source })?;
        Ok(async move {
            let listener =
                TcpListener::from_std(bound).map_err(|source| GrpcError::Bind { addr, source })?;
            self.run_on(listener, shutdown).await
        })
    }

    /// Serves the connections `listener` accepts until `shutdown` completes; then stops
    /// accepting, reports every service as not serving, lets calls in flight finish within
    /// the shutdown grace, and closes what is left.
    pub async fn run_on(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), GrpcError> {
        let reporter = HealthReporter::new();
        for name in self.handlers.keys() {
            reporter
                .set_service_status(name, ServingStatus::Serving)
                .await;
        }
        let names: Vec<&'static str> = self.handlers.keys().copied().collect();
        let routes = Arc::new(Routes {
            handlers: self.handlers,
            health: HealthServer::new(HealthService::from_health_reporter(reporter.clone())),
            max_decoding: self.max_decoding,
            max_encoding: self.max_encoding,
        });
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        let mut shutdown = pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        // Small responses go out at once rather than waiting for more.
                        let _ = stream.set_nodelay(true);
                        let dispatch = Dispatch(routes.clone());
                        let stopped = stopped.clone();
                        let keepalive = self.keepalive;
                        #[cfg(feature = "grpc-tls")]
                        if let Some(tls) = &self.tls {
                            let tls = tls.clone();
                            connections.spawn(async move {
                                if let Some(stream) = tls.accept(stream).await {
                                    serve_connection(stream, dispatch, stopped, keepalive).await;
                                }
                            });
                            continue;
                        }
                        connections.spawn(serve_connection(stream, dispatch, stopped, keepalive));
                    }
                    // Out of file descriptors, a connection reset while queued: the listener
                    // itself is fine, and a pause keeps an exhausted process from spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        for name in names.into_iter().chain([""]) {
            reporter
                .set_service_status(name, ServingStatus::NotServing)
                .await;
        }
        let _ = stop.send(true);
        let drained = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(self.grace, drained).await.is_err() {
            connections.shutdown().await;
        }
        Ok(())
    }
}

/// Serves one connection until it closes, going away gracefully (GOAWAY, then the calls in
/// flight finish) once `stopped` turns true.
async fn serve_connection<IO>(
    io: IO,
    dispatch: Dispatch,
    mut stopped: watch::Receiver<bool>,
    keepalive: Keepalive,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .keep_alive_interval(keepalive.interval)
        .keep_alive_timeout(keepalive.timeout);
    let connection = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(dispatch));
    let mut connection = pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// What every connection serves.
struct Routes {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
    health: HealthServer<HealthService>,
    max_decoding: usize,
    max_encoding: usize,
}

impl Routes {
    /// The handler of method `path` (`/service/method`) and the method's index in it.
    fn route(&self, path: &str) -> Option<(&Arc<dyn Handler>, usize)> {
        let (service, _) = path.strip_prefix('/')?.split_once('/')?;
        let handler = self.handlers.get(service)?;
        let index = handler.methods().iter().position(|m| m.path == path)?;
        Some((handler, index))
    }

    async fn answer(self: Arc<Self>, request: http::Request<Incoming>) -> http::Response<Body> {
        let path = request.uri().path();
        if path.starts_with(HEALTH_PREFIX) {
            let mut health = self.health.clone();
            return match tower_service::Service::call(&mut health, request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
        }
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        let weftbuf = match media_type.strip_prefix("application/grpc") {
            Some("") => false,
            Some("+weftbuf") => true,
            Some(other) if other.starts_with('+') => {
                return status_response(Status::invalid_argument(format!(
                    "messages here are weftbuf ({CONTENT_TYPE_WEFTBUF}), not `{content_type}`"
                )));
            }
            _ => {
                // Not gRPC at all: gRPC's HTTP/2 mapping says 415.
                let mut response = http::Response::new(Body::empty());
                *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                return response;
            }
        };
        let mut response = self.call(request).await;
        if weftbuf {
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_WEFTBUF));
        }
        response
    }

    async fn call(&self, request: http::Request<Incoming>) -> http::Response<Body> {
        let path = request.uri().path();
        let Some((handler, index)) = self.route(path) else {
            return status_response(Status::unimplemented(format!(
                "no method {path} is served here"
            )));
        };
        let ctx = match context(request.headers()) {
            Ok(ctx) => ctx,
            Err(status) => return status_response(status),
        };
        let Some(method) = handler.methods().get(index) else {
            return status_response(Status::internal("a method index out of range"));
        };
        let request = request.map(|body| FrameLimit::new(body, self.max_decoding));
        let mut grpc =
            tonic::server::Grpc::new(RawCodec).max_decoding_message_size(self.max_decoding);
        let call = Call {
            handler: handler.clone(),
            index,
            ctx,
            max_encoding: self.max_encoding,
        };
        match method.streaming {
            Streaming::None => grpc.unary(call, request).await,
            Streaming::Server => grpc.server_streaming(StreamCall(call), request).await,
            Streaming::Client | Streaming::Bidi => grpc.streaming(DuplexCall(call), request).await,
        }
    }
}

/// A status as a trailers-only response.
fn status_response(status: Status) -> http::Response<Body> {
    to_tonic(status).into_http()
}

/// The handler's context of a call with request headers `headers`: its deadline from
/// `grpc-timeout`, its metadata from the other headers but gRPC's and HTTP's own.
fn context(headers: &HeaderMap) -> Result<Context, Status> {
    let mut ctx = Context::new();
    if let Some(value) = headers.get("grpc-timeout") {
        let timeout =
            value.to_str().ok().and_then(parse_timeout).ok_or_else(|| {
                Status::invalid_argument(format!("malformed grpc-timeout {value:?}"))
            })?;
        // A timeout past what `Instant` holds is no deadline at all.
        if let Some(deadline) = Instant::now().checked_add(timeout) {
            ctx = ctx.with_deadline(deadline);
        }
    }
    // Most calls carry no metadata: their headers are not copied to look for it.
    if headers.keys().all(|key| reserved(key.as_str())) {
        return Ok(ctx);
    }
    let mut metadata = Metadata::new();
    for entry in MetadataMap::from_headers(headers.clone()).iter() {
        // An entry gRPC metadata cannot carry (a header name or value outside its rules,
        // set by a proxy say) is not the caller's: skipped.
        let _ = match entry {
            KeyAndValueRef::Ascii(key, value) => {
                let key = key.as_str();
                if reserved(key) {
                    continue;
                }
                metadata.insert(key, value.as_encoded_bytes())
            }
            KeyAndValueRef::Binary(key, value) => match value.to_bytes() {
                Ok(bytes) if !reserved(key.as_str()) => metadata.insert(key.as_str(), bytes),
                _ => continue,
            },
        };
    }
    Ok(ctx.with_metadata(metadata))
}

/// Headers the transport sets for itself, not metadata the caller sent.
fn reserved(key: &str) -> bool {
    key.starts_with("grpc-")
        || matches!(
            key,
            "te" | "content-type" | "content-length" | "user-agent" | "host" | "connection"
        )
}

/// One call of a method: the handler, the method's index, the call's context.
struct Call {
    handler: Arc<dyn Handler>,
    index: usize,
    ctx: Context,
    max_encoding: usize,
}

impl tower_service::Service<tonic::Request<Vec<u8>>> for Call {
    type Response = tonic::Response<Vec<u8>>;
    type Error = tonic::Status;
    type Future = BoxFuture<'static, Result<tonic::Response<Vec<u8>>, tonic::Status>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), tonic::Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: tonic::Request<Vec<u8>>) -> Self::Future {
        let handler = self.handler.clone();
        let index = self.index;
        let ctx = self.ctx.clone();
        let max_encoding = self.max_encoding;
        Box::pin(async move {
            let request = request.into_inner();
            // hyper drops this future when the caller resets the stream or goes away.
            let mut guard = CancelOnDrop(Some(ctx.cancel_token().clone()));
            let answered = unary(&*handler, index, &ctx, &request, max_encoding).await;
            guard.0 = None;
            answered.map(tonic::Response::new).map_err(to_tonic)
        })
    }
}

/// Runs unary method `index` of `handler`: the response's bytes.
async fn unary(
    handler: &dyn Handler,
    index: usize,
    ctx: &Context,
    request: &[u8],
    max_encoding: usize,
) -> Result<Vec<u8>, Status> {
    let method = handler
        .methods()
        .get(index)
        .ok_or_else(|| Status::internal("a method index out of range"))?;
    ctx.check()?;
    let mut response = Builder::new();
    let work = CatchPanic(handler.call(index, ctx, Bytes::new(request), &mut response));
    supervise(work, ctx, method).await?;
    // The builder writes the header last: a handler that returned Ok without finishing its
    // response left none.
    if file_identifier(response.as_bytes()).is_none() {
        return Err(Status::internal(format!(
            "{} returned without finishing its response",
            method.path
        )));
    }
    let response = response.into_vec();
    within_limit(&response, max_encoding)?;
    Ok(response)
}

fn within_limit(message: &[u8], limit: usize) -> Result<(), Status> {
    if message.len() > limit {
        return Err(Status::resource_exhausted(format!(
            "a response of {} bytes is over the limit of {limit} bytes",
            message.len()
        )));
    }
    Ok(())
}

/// One call of a server-streaming method.
struct StreamCall(Call);

impl tower_service::Service<tonic::Request<Vec<u8>>> for StreamCall {
    type Response = tonic::Response<ResponseStream>;
    type Error = tonic::Status;
    type Future = std::future::Ready<Result<tonic::Response<ResponseStream>, tonic::Status>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), tonic::Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: tonic::Request<Vec<u8>>) -> Self::Future {
        let request = request.into_inner();
        std::future::ready(Ok(self.0.respond(move |handler, index, ctx, mut sink| {
            Box::pin(async move {
                CatchPanic(handler.stream(index, &ctx, Bytes::new(&request), &mut sink)).await
            })
        })))
    }
}

/// One call of a client- or bidi-streaming method.
struct DuplexCall(Call);

impl tower_service::Service<tonic::Request<tonic::Streaming<Vec<u8>>>> for DuplexCall {
    type Response = tonic::Response<ResponseStream>;
    type Error = tonic::Status;
    type Future = std::future::Ready<Result<tonic::Response<ResponseStream>, tonic::Status>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), tonic::Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: tonic::Request<tonic::Streaming<Vec<u8>>>) -> Self::Future {
        let mut requests = IncomingRequests(request.into_inner());
        std::future::ready(Ok(self.0.respond(move |handler, index, ctx, mut sink| {
            Box::pin(async move {
                CatchPanic(handler.duplex(index, &ctx, &mut requests, &mut sink)).await
            })
        })))
    }
}

/// A duplex call's requests as they arrive.
struct IncomingRequests(tonic::Streaming<Vec<u8>>);

impl Source for IncomingRequests {
    fn next(&mut self) -> BoxFuture<'_, Option<Result<Payload, Status>>> {
        Box::pin(async move {
            self.0
                .message()
                .await
                .map_err(|e| from_tonic(&e))
                .map(|bytes| bytes.map(Payload::from))
                .transpose()
        })
    }
}

impl Call {
    /// The response of a streaming call that `serve` serves: the handler runs as the body is
    /// polled, that is as HTTP/2 flow control lets the responses go, so a slow caller slows
    /// the handler down through the sink.
    fn respond(
        &self,
        serve: impl FnOnce(
            Arc<dyn Handler>,
            usize,
            Context,
            QueueSink,
        ) -> BoxFuture<'static, Result<(), Status>>
        + Send
        + 'static,
    ) -> tonic::Response<ResponseStream> {
        let (handler, index, ctx) = (self.handler.clone(), self.index, self.ctx.clone());
        let guard = CancelOnDrop(Some(ctx.cancel_token().clone()));
        let queue = Arc::new(Mutex::new(Queue::default()));
        let sink = QueueSink {
            queue: queue.clone(),
            builder: Builder::new(),
        };
        let work: BoxFuture<'static, Result<(), Status>> = Box::pin(async move {
            let method = handler
                .methods()
                .get(index)
                .ok_or_else(|| Status::internal("a method index out of range"))?;
            ctx.check()?;
            let served = serve(handler.clone(), index, ctx.clone(), sink);
            supervise(served, &ctx, method).await
        });
        tonic::Response::new(ResponseStream {
            pump: Pump::new(RawStream::new(Flow::Driven { work, queue })),
            guard,
            max_encoding: self.max_encoding,
            ended: false,
        })
    }
}

/// A streaming handler's responses as tonic sends them; dropped (with the handler's work)
/// when the caller goes away.
struct ResponseStream {
    pump: Pump<'static>,
    guard: CancelOnDrop,
    max_encoding: usize,
    ended: bool,
}

impl futures_core::Stream for ResponseStream {
    type Item = Result<Vec<u8>, tonic::Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let next = match self.pump.poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(next) => next,
        };
        Poll::Ready(match next {
            Some(Ok(bytes)) => match within_limit(bytes.bytes(), self.max_encoding) {
                Ok(()) => Some(Ok(bytes.into_vec())),
                Err(status) => {
                    // The call ends here; the handler's work goes (cancelled) with the stream.
                    self.ended = true;
                    Some(Err(to_tonic(status)))
                }
            },
            Some(Err(status)) => {
                self.ended = true;
                self.guard.0 = None;
                Some(Err(to_tonic(status)))
            }
            None => {
                self.ended = true;
                self.guard.0 = None;
                None
            }
        })
    }
}

/// Cancels a call's token when dropped armed: the call was abandoned before it ended.
struct CancelOnDrop(Option<CancelToken>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.cancel();
        }
    }
}

/// The service hyper calls for each request.
#[derive(Clone)]
struct Dispatch(Arc<Routes>);

impl tower_service::Service<http::Request<Incoming>> for Dispatch {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Incoming>) -> Self::Future {
        let routes = self.0.clone();
        Box::pin(async move { Ok(routes.answer(request).await) })
    }
}
