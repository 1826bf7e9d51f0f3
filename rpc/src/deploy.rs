//! From `weftbuf.toml` to channels: each service reached where its configuration says, with
//! its deadline for calls that set none and its retries of idempotent methods.

use std::sync::Arc;
use std::time::Instant;

use weftbuf_rt::MethodDescriptor;

use crate::config::{Deployment, Location, ServiceConfig, UnknownService};
use crate::{BoxFuture, Build, Channel, Code, Context, InProc, Payload, RawStream, Sender, Status};

/// A service that cannot be reached where the configuration says.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A service the application neither hosts nor calls (a misspelt name, say).
    #[error(transparent)]
    Unknown(#[from] UnknownService),
    /// A service that runs in process by the configuration, which this process does not host.
    #[error(
        "{service} runs in process (at = \"inproc\"), but this process does not host it: \
         serve it in the `InProc` given, or say where it runs"
    )]
    NotHosted {
        /// The service.
        service: String,
    },
    /// A location this build has no transport for.
    #[error("{service} runs at {at}: {why}")]
    Unsupported {
        /// The service.
        service: String,
        /// Where the configuration says it runs.
        at: Location,
        /// Why it cannot be reached from here.
        why: &'static str,
    },
    /// The gRPC channel cannot be set up.
    #[cfg(feature = "grpc")]
    #[error("{service}: {source}")]
    Grpc {
        /// The service.
        service: String,
        /// Why.
        source: crate::grpc::GrpcError,
    },
}

impl Deployment {
    /// The channel to service `name` (its qualified name) where this deployment says it runs:
    /// `local` for `inproc`, a gRPC channel for `grpc://`, a shared-memory channel for
    /// `shm://` (each connecting on its first call). A name the application does not know
    /// is an error (with the nearest known name).
    /// Calls through it get the service's deadline when they set none, and its idempotent
    /// methods are retried as its `retry` says. A gRPC channel is made within a tokio runtime.
    pub fn channel(&self, name: &str, local: &InProc) -> Result<Arc<dyn Channel>, ConnectError> {
        let settings = self.service(name)?.clone();
        #[allow(unused_variables, reason = "used by the transports this build lacks")]
        let unsupported = |why| ConnectError::Unsupported {
            service: name.to_string(),
            at: settings.at.clone(),
            why,
        };
        let inner: Arc<dyn Channel> = match &settings.at {
            Location::InProc if !local.serves(name) => {
                return Err(ConnectError::NotHosted {
                    service: name.to_string(),
                });
            }
            Location::InProc => Arc::new(local.clone()),
            #[cfg(feature = "grpc")]
            Location::Grpc { .. } => Arc::new(
                crate::grpc::GrpcChannel::for_location(&settings.at)
                    .and_then(|b| b.lazy())
                    .map_err(|source| ConnectError::Grpc {
                        service: name.to_string(),
                        source,
                    })?,
            ),
            #[cfg(not(feature = "grpc"))]
            Location::Grpc { .. } => {
                return Err(unsupported(
                    "this build has no gRPC transport (feature `grpc`)",
                ));
            }
            #[cfg(all(feature = "shm", target_os = "linux"))]
            Location::Shm { path } => {
                Arc::new(crate::shm::ShmChannel::new(crate::shm::Address::new(path)))
            }
            #[cfg(not(all(feature = "shm", target_os = "linux")))]
            Location::Shm { .. } => {
                return Err(unsupported(
                    "this build has no shared-memory transport (feature `shm`, Linux)",
                ));
            }
        };
        Ok(Arc::new(Configured { inner, settings }))
    }
}

/// A channel with one service's settings applied to every call.
pub struct Configured<C> {
    inner: C,
    settings: ServiceConfig,
}

impl<C: Channel> Configured<C> {
    /// `inner` with `settings`' deadline and retries (its location is not looked at).
    pub fn new(inner: C, settings: ServiceConfig) -> Self {
        Configured { inner, settings }
    }

    /// `ctx`, with the service's deadline when it has none.
    fn context(&self, ctx: Context) -> Context {
        match self.settings.deadline {
            Some(deadline) if ctx.deadline().is_none() => ctx.with_timeout(deadline),
            _ => ctx,
        }
    }

    /// Whether a call of `method` that failed with `status` in its attempt number `attempt`
    /// (counted from one) is made again, after waiting as the retry policy says; a wait that
    /// would outlast the deadline is not taken.
    async fn again(
        &self,
        method: &MethodDescriptor,
        ctx: &Context,
        status: &Status,
        attempt: u32,
    ) -> bool {
        let retry = self.settings.retry;
        // UNAVAILABLE says the call did not reach a handler, or reached one that went away;
        // an idempotent method may run twice without harm either way.
        if !method.idempotent || status.code != Code::Unavailable || attempt >= retry.attempts {
            return false;
        }
        let wait = retry.backoff.saturating_mul(1 << (attempt - 1).min(16));
        if ctx
            .deadline()
            .is_some_and(|d| Instant::now().checked_add(wait).is_none_or(|t| t >= d))
        {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => true,
            () = ctx.cancel_token().cancelled() => false,
        }
    }
}

impl<C: Channel> Channel for Configured<C> {
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(async move {
            let ctx = self.context(ctx);
            let mut attempt = 1;
            loop {
                match self.inner.unary(method, ctx.clone(), request).await {
                    Err(status) if self.again(method, &ctx, &status, attempt).await => {
                        attempt += 1;
                    }
                    answered => return answered,
                }
            }
        })
    }

    fn unary_built<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        build: Build<'a>,
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        // A retry needs the request again, and `build` runs once: only a method that is not
        // retried goes straight to the transport; the others build on the heap.
        if method.idempotent && self.settings.retry.attempts > 1 {
            return Box::pin(async move {
                let mut request = weftbuf_rt::Builder::new();
                build(&mut request)?;
                self.unary(method, ctx, request.as_bytes()).await
            });
        }
        self.inner.unary_built(method, self.context(ctx), build)
    }

    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>> {
        // Only the opening is retried: once responses were taken, a second call would
        // deliver them again.
        Box::pin(async move {
            let ctx = self.context(ctx);
            let mut attempt = 1;
            loop {
                match self
                    .inner
                    .server_streaming(method, ctx.clone(), request)
                    .await
                {
                    Err(status) if self.again(method, &ctx, &status, attempt).await => {
                        attempt += 1;
                    }
                    opened => return opened,
                }
            }
        })
    }

    fn duplex<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
    ) -> BoxFuture<'a, Result<(Sender, RawStream<'a>), Status>> {
        // Requests are sent as the caller makes them, so there is nothing to send again.
        self.inner.duplex(method, self.context(ctx))
    }
}
