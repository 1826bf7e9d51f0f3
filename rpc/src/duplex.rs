//! Client and bidi streaming: the caller sends requests one at a time while the handler sends
//! responses one at a time; each side may run ahead of the other by a few messages.
//!
//! Unlike a unary or server-streaming call, whose handler runs as the caller takes its
//! responses, a duplex call's two directions advance independently (a caller may send all its
//! requests before reading anything), so the work that serves or carries the call runs as a
//! task of its own and hands over messages through bounded queues.

use std::future::Future;

use tokio::sync::{mpsc, watch};
use weftbuf_rt::{Builder, Family, MethodDescriptor, file_identifier};

use crate::stream::{Flow, QUEUE_DEPTH};
use crate::{BoxFuture, Context, Message, Payload, RawStream, Responses, Sink, Status};

/// Where a duplex handler takes its requests from: the bytes of each, not verified yet, in the
/// order the caller sent them.
pub trait Source: Send {
    /// The next request; `None` once the caller has sent its last one; an error status when
    /// the call broke on the way.
    fn next(&mut self) -> BoxFuture<'_, Option<Result<Payload, Status>>>;
}

/// A duplex handler's requests, each verified as an `F` message when taken.
pub struct Requests<'a, F> {
    source: &'a mut dyn Source,
    family: std::marker::PhantomData<fn() -> F>,
}

impl<'a, F: Family> Requests<'a, F> {
    /// The requests `source` gives, as `F` messages.
    pub fn new(source: &'a mut dyn Source) -> Self {
        Requests {
            source,
            family: std::marker::PhantomData,
        }
    }

    /// The next request; `None` once the caller is done. A request that fails verification is
    /// `INVALID_ARGUMENT` with the verifier's error.
    pub async fn next(&mut self) -> Option<Result<Message<F>, Status>> {
        let bytes = self.source.next().await?;
        Some(bytes.and_then(Message::from_payload))
    }
}

/// The requests of a call as they arrive from the caller's [`Sender`], in this process.
pub(crate) struct QueueSource(pub(crate) mpsc::Receiver<Vec<u8>>);

impl Source for QueueSource {
    fn next(&mut self) -> BoxFuture<'_, Option<Result<Payload, Status>>> {
        Box::pin(async move { self.0.recv().await.map(|bytes| Ok(bytes.into())) })
    }
}

/// The caller's end of a duplex call: each request is written with a builder
/// ([`Sender::builder`]), then sent ([`Sender::send`]), which waits while the handler has not
/// taken the earlier ones. Dropping the sender (or [`Sender::close`]) tells the handler that no
/// more requests come.
pub struct Sender {
    queue: mpsc::Sender<Vec<u8>>,
    builder: Builder<'static>,
    /// How the call ended, once it has: a request sent after that gets the call's status.
    ended: watch::Receiver<Option<Result<(), Status>>>,
}

impl Sender {
    /// The builder of the next request (cleared).
    pub fn builder(&mut self) -> &mut Builder<'static> {
        self.builder.clear();
        &mut self.builder
    }

    /// Sends the request finished in [`Sender::builder`]: `INTERNAL` when it was not finished.
    /// When the call has ended already, the error is the status it ended with (the same one
    /// its responses end with); `FAILED_PRECONDITION` when it ended `OK` without taking this
    /// request.
    pub async fn send(&mut self) -> Result<(), Status> {
        if file_identifier(self.builder.as_bytes()).is_none() {
            return Err(Status::internal(
                "a request was sent before it was finished",
            ));
        }
        let bytes = std::mem::replace(&mut self.builder, Builder::new()).into_vec();
        self.send_bytes(bytes).await
    }

    /// Sends a request made elsewhere, as its bytes.
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) -> Result<(), Status> {
        if self.ended.borrow().is_none() {
            let Sender { queue, ended, .. } = self;
            tokio::select! {
                biased;
                sent = queue.send(bytes) => if sent.is_ok() {
                    return Ok(());
                },
                // A call that ended while its queue was full takes no more requests.
                _ = ended.wait_for(Option::is_some) => {}
            }
        }
        // Over, or about to be: the work lets go of the requests as it ends, and its outcome
        // follows at once.
        let ended = self.ended.wait_for(Option::is_some).await;
        Err(match ended.as_deref() {
            Ok(Some(Err(status))) => status.clone(),
            Ok(_) => Status::failed_precondition("the call ended (OK) before it took this request"),
            Err(_) => Status::cancelled("the call was abandoned before it took this request"),
        })
    }

    /// Sends no more requests (the same as dropping the sender).
    pub fn close(self) {}
}

/// A client-streaming call as the caller makes it: requests sent one at a time, then
/// [`ClientStream::finish`] for the one response, verified as an `F` message.
pub struct ClientStream<'a, F> {
    sender: Sender,
    responses: Responses<'a, F>,
}

impl<'a, F: Family> ClientStream<'a, F> {
    /// The call made of `sender` and `responses`.
    pub fn new(sender: Sender, responses: Responses<'a, F>) -> Self {
        ClientStream { sender, responses }
    }

    /// The builder of the next request (cleared).
    pub fn builder(&mut self) -> &mut Builder<'static> {
        self.sender.builder()
    }

    /// Sends the request finished in [`ClientStream::builder`]. When the call has ended
    /// already, its status is the error.
    pub async fn send(&mut self) -> Result<(), Status> {
        self.sender.send().await
    }

    /// Sends a request made elsewhere, as its bytes.
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) -> Result<(), Status> {
        self.sender.send_bytes(bytes).await
    }

    /// Sends no more requests and waits for the response.
    pub async fn finish(self) -> Result<Message<F>, Status> {
        let ClientStream {
            sender,
            mut responses,
        } = self;
        drop(sender);
        let response = match responses.next().await {
            Some(response) => response?,
            None => return Err(Status::internal("the call ended without a response")),
        };
        match responses.next().await {
            None => Ok(response),
            Some(Err(e)) => Err(e),
            Some(Ok(_)) => Err(Status::internal("the call sent more than one response")),
        }
    }
}

/// What a duplex call's task hands the caller: responses, then how it ended.
pub(crate) enum Event {
    Message(Payload),
    End(Result<(), Status>),
}

/// A sink whose responses go, moved, to a task's caller through a bounded queue.
pub(crate) struct EventSink {
    pub(crate) queue: mpsc::Sender<Event>,
    pub(crate) builder: Builder<'static>,
}

impl Sink for EventSink {
    fn builder(&mut self) -> &mut Builder<'static> {
        self.builder.clear();
        &mut self.builder
    }

    fn send(&mut self) -> BoxFuture<'_, Result<(), Status>> {
        Box::pin(async move {
            if file_identifier(self.builder.as_bytes()).is_none() {
                return Err(Status::internal(
                    "a response was sent before it was finished",
                ));
            }
            let bytes = std::mem::replace(&mut self.builder, Builder::new()).into_vec();
            self.forward(bytes.into()).await
        })
    }
}

impl EventSink {
    /// Hands over a response received from elsewhere.
    pub(crate) async fn forward(&mut self, bytes: Payload) -> Result<(), Status> {
        self.queue
            .send(Event::Message(bytes))
            .await
            .map_err(|_| Status::cancelled("the caller stopped taking responses"))
    }
}

/// Opens a duplex call carried by a task: `carry` gets the requests the caller sends and a
/// sink for the responses, and its outcome ends the responses. The task is aborted when the
/// caller drops the responses, and its work ends at `ctx`'s deadline or cancellation.
pub(crate) fn spawn_duplex<W>(
    method: &'static MethodDescriptor,
    ctx: Context,
    carry: impl FnOnce(Context, mpsc::Receiver<Vec<u8>>, EventSink) -> W,
) -> Result<(Sender, RawStream<'static>), Status>
where
    W: Future<Output = Result<(), Status>> + Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        Status::internal(format!(
            "{}: a streaming call needs a tokio runtime to run on",
            method.path
        ))
    })?;
    let (requests, incoming) = mpsc::channel(QUEUE_DEPTH);
    let (events, responses) = mpsc::channel(QUEUE_DEPTH);
    let sink = EventSink {
        queue: events.clone(),
        builder: Builder::new(),
    };
    let (outcome, ended) = watch::channel(None);
    let work = carry(ctx.clone(), incoming, sink);
    let task = runtime.spawn(async move {
        let status = crate::call::supervise(work, &ctx, method).await;
        outcome.send_replace(Some(status.clone()));
        let _ = events.send(Event::End(status)).await;
    });
    let sender = Sender {
        queue: requests,
        builder: Builder::new(),
        ended,
    };
    Ok((sender, RawStream::new(Flow::Task { responses, task })))
}
