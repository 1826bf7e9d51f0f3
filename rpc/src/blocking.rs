//! Calls from code that does not run async: generated `<Service>BlockingClient`s block the
//! calling thread until each call (or each response) is in, on a runtime of their own.
//!
//! ```no_run
//! # #[cfg(feature = "grpc")]
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use weftbuf_rpc::blocking::Runtime;
//!
//! let runtime = Runtime::new()?;
//! // A gRPC channel runs its connection on a runtime: it is made within this one.
//! let _guard = runtime.enter();
//! let channel = weftbuf_rpc::grpc::GrpcChannel::lazy("http://127.0.0.1:50051")?;
//! // let pricing = PricingBlockingClient::new(channel, runtime.clone());
//! // let quote = pricing.quote(Context::new(), &request)?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use weftbuf_rt::{Builder, Family};

use crate::{ClientStream, Message, Responses, Sender, Status};

/// The runtime blocking calls run on: one worker thread of its own, which also carries
/// connections and streams between calls. Clones share it.
#[derive(Clone)]
pub struct Runtime {
    tokio: Arc<tokio::runtime::Runtime>,
}

impl Runtime {
    /// A runtime with one worker thread.
    pub fn new() -> std::io::Result<Runtime> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("weftbuf-rpc")
            .enable_all()
            .build()?;
        Ok(Runtime {
            tokio: Arc::new(tokio),
        })
    }

    /// Makes this the current runtime until the guard is dropped: channels that run their
    /// connection on the current runtime (gRPC's) are made within it.
    pub fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.tokio.enter()
    }

    /// Runs `work` to its end, blocking this thread. Called from async code (where blocking
    /// would stall the runtime that calls it) it is `FAILED_PRECONDITION` instead.
    pub fn block_on<T>(&self, work: impl Future<Output = Result<T, Status>>) -> Result<T, Status> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Status::failed_precondition(
                "a blocking call was made from async code: call the async client there",
            ));
        }
        self.tokio.block_on(work)
    }
}

/// The responses of a streaming call, taken one at a time, each blocking until it is in.
pub struct BlockingResponses<'a, F> {
    runtime: &'a Runtime,
    responses: Responses<'a, F>,
}

impl<'a, F: Family> BlockingResponses<'a, F> {
    /// `responses`, taken on `runtime`.
    pub fn new(runtime: &'a Runtime, responses: Responses<'a, F>) -> Self {
        BlockingResponses { runtime, responses }
    }
}

impl<F: Family> Iterator for BlockingResponses<'_, F> {
    type Item = Result<Message<F>, Status>;

    fn next(&mut self) -> Option<Self::Item> {
        let responses = &mut self.responses;
        self.runtime
            .block_on(async { Ok(responses.next().await) })
            .unwrap_or_else(|e| Some(Err(e)))
    }
}

/// The caller's end of a duplex call, blocking while the handler has not taken earlier
/// requests.
pub struct BlockingSender<'a> {
    runtime: &'a Runtime,
    sender: Sender,
}

impl<'a> BlockingSender<'a> {
    /// `sender`, sending on `runtime`.
    pub fn new(runtime: &'a Runtime, sender: Sender) -> Self {
        BlockingSender { runtime, sender }
    }

    /// The builder of the next request (cleared).
    pub fn builder(&mut self) -> &mut Builder<'static> {
        self.sender.builder()
    }

    /// Sends the request finished in [`BlockingSender::builder`] (see [`Sender::send`]).
    pub fn send(&mut self) -> Result<(), Status> {
        self.runtime.block_on(self.sender.send())
    }

    /// Sends a request made elsewhere, as its bytes.
    pub fn send_bytes(&mut self, bytes: Vec<u8>) -> Result<(), Status> {
        self.runtime.block_on(self.sender.send_bytes(bytes))
    }

    /// Sends no more requests (the same as dropping the sender).
    pub fn close(self) {}
}

/// A client-streaming call, each step blocking.
pub struct BlockingClientStream<'a, F> {
    runtime: &'a Runtime,
    call: ClientStream<'a, F>,
}

impl<'a, F: Family> BlockingClientStream<'a, F> {
    /// `call`, made on `runtime`.
    pub fn new(runtime: &'a Runtime, call: ClientStream<'a, F>) -> Self {
        BlockingClientStream { runtime, call }
    }

    /// The builder of the next request (cleared).
    pub fn builder(&mut self) -> &mut Builder<'static> {
        self.call.builder()
    }

    /// Sends the request finished in [`BlockingClientStream::builder`].
    pub fn send(&mut self) -> Result<(), Status> {
        self.runtime.block_on(self.call.send())
    }

    /// Sends a request made elsewhere, as its bytes.
    pub fn send_bytes(&mut self, bytes: Vec<u8>) -> Result<(), Status> {
        self.runtime.block_on(self.call.send_bytes(bytes))
    }

    /// Sends no more requests and waits for the response.
    pub fn finish(self) -> Result<Message<F>, Status> {
        self.runtime.block_on(self.call.finish())
    }
}
