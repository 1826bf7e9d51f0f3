//! Server streaming: a handler sends many responses, the caller takes them one at a time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};

use weftbuf_rt::{Builder, Family, file_identifier};

use crate::duplex::Event;
use crate::{BoxFuture, Message, Payload, Status};

/// Where a streaming handler sends its responses: each one is written with a builder into
/// memory the transport provides ([`Sink::builder`]), then sent ([`Sink::send`]), which
/// waits while the caller has not taken the earlier ones (so a fast handler cannot run ahead
/// of a slow caller without bound).
pub trait Sink: Send {
    /// The builder of the next response (cleared).
    fn builder(&mut self) -> &mut Builder<'static>;

    /// Sends the response finished in [`Sink::builder`]; `INTERNAL` when it was not finished.
    fn send(&mut self) -> BoxFuture<'_, Result<(), Status>>;
}

/// Responses waiting for the caller, shared by a transport's sink and its stream.
#[derive(Default)]
pub(crate) struct Queue {
    items: VecDeque<Payload>,
}

/// How many responses may wait for the caller before `send` waits.
pub(crate) const QUEUE_DEPTH: usize = 4;

/// The in-process sink: finished responses move (not copy) into the shared queue.
pub(crate) struct QueueSink {
    pub(crate) queue: Arc<Mutex<Queue>>,
    pub(crate) builder: Builder<'static>,
}

impl Sink for QueueSink {
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
            push(&self.queue, bytes.into()).await;
            Ok(())
        })
    }
}

/// Queues `bytes` for the caller once there is room. The stream polls its work (and so this)
/// only after taking every waiting item, so waiting needs no waker.
pub(crate) async fn push(queue: &Mutex<Queue>, bytes: Payload) {
    std::future::poll_fn(|_| {
        let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
        if queue.items.len() < QUEUE_DEPTH {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    queue
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .items
        .push_back(bytes);
}

/// A streaming call as a transport gives it: its responses as they come, then its outcome.
pub struct RawStream<'a> {
    flow: Flow<'a>,
}

impl<'a> RawStream<'a> {
    pub(crate) fn new(flow: Flow<'a>) -> Self {
        RawStream { flow }
    }
}

/// Where a stream's responses come from.
pub(crate) enum Flow<'a> {
    /// The work that produces them, driven as the caller takes them, and where they wait.
    Driven {
        work: BoxFuture<'a, Result<(), Status>>,
        queue: Arc<Mutex<Queue>>,
    },
    /// A task of its own (a duplex call's), which hands them over through a queue and ends
    /// with the call's outcome; aborted when the stream is dropped.
    Task {
        responses: tokio::sync::mpsc::Receiver<Event>,
        task: tokio::task::JoinHandle<()>,
    },
}

/// The responses of a server-streaming call, each verified as an `F` when taken.
pub struct Responses<'a, F> {
    pump: Pump<'a>,
    family: std::marker::PhantomData<fn() -> F>,
}

impl<'a, F: Family> Responses<'a, F> {
    /// The responses of `raw`, as `F` messages.
    pub fn new(raw: RawStream<'a>) -> Self {
        Responses {
            pump: Pump::new(raw),
            family: std::marker::PhantomData,
        }
    }

    /// The next response; `None` once the handler is done; an error status ends the stream.
    pub async fn next(&mut self) -> Option<Result<Message<F>, Status>> {
        std::future::poll_fn(|cx| {
            self.pump
                .poll_next(cx)
                .map(|next| next.map(|bytes| bytes.and_then(Message::from_payload)))
        })
        .await
    }
}

/// Drives a [`RawStream`]: the bytes of each response in order, then the work's outcome.
pub(crate) struct Pump<'a> {
    flow: Option<Flow<'a>>,
}

impl Drop for Pump<'_> {
    fn drop(&mut self) {
        if let Some(Flow::Task { task, .. }) = &self.flow {
            task.abort();
        }
    }
}

impl<'a> Pump<'a> {
    pub(crate) fn new(raw: RawStream<'a>) -> Self {
        Pump {
            flow: Some(raw.flow),
        }
    }

    /// The next response's bytes; `None` once the work is done; an error status ends it.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Payload, Status>>> {
        let step = match self.flow.as_mut() {
            None => return Poll::Ready(None),
            Some(Flow::Driven { work, queue }) => poll_driven(work, queue, cx),
            Some(Flow::Task { responses, .. }) => match responses.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Event::Message(bytes))) => Step::Next(bytes),
                Poll::Ready(Some(Event::End(ended))) => Step::End(ended),
                // The task went without saying how the call ended: its runtime shut down.
                Poll::Ready(None) => Step::End(Err(Status::unavailable(
                    "the call ended without a status (its runtime shut down)",
                ))),
            },
        };
        match step {
            Step::Pending => Poll::Pending,
            Step::Next(bytes) => Poll::Ready(Some(Ok(bytes))),
            Step::End(ended) => {
                self.flow = None;
                Poll::Ready(ended.err().map(Err))
            }
        }
    }
}

/// Where a stream is.
enum Step {
    Pending,
    Next(Payload),
    End(Result<(), Status>),
}

/// One step of a driven flow. A response sent just before the work ended is delivered first;
/// the work's outcome then waits in `work`.
fn poll_driven(
    work: &mut BoxFuture<'_, Result<(), Status>>,
    queue: &Mutex<Queue>,
    cx: &mut TaskContext<'_>,
) -> Step {
    let take = || {
        queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .items
            .pop_front()
    };
    if let Some(bytes) = take() {
        return Step::Next(bytes);
    }
    let done = work.as_mut().poll(cx);
    if let Some(bytes) = take() {
        if let Poll::Ready(outcome) = done {
            *work = Box::pin(std::future::ready(outcome));
        }
        return Step::Next(bytes);
    }
    match done {
        Poll::Pending => Step::Pending,
        Poll::Ready(ended) => Step::End(ended),
    }
}
