//! Server streaming: a handler sends many responses, the caller takes them one at a time.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};

use weftbuf::rt::{Builder, Family, file_identifier};

use crate::{BoxFuture, Message, Status};

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
    items: VecDeque<Vec<u8>>,
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
            // Wait for room: the stream polls this future only after taking items.
            std::future::poll_fn(|_| {
                let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                if queue.items.len() < QUEUE_DEPTH {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            let bytes = std::mem::replace(&mut self.builder, Builder::new()).into_vec();
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .items
                .push_back(bytes);
            Ok(())
        })
    }
}

/// A server-streaming call as a transport gives it: the work that produces the responses
/// (driven as the caller takes them) and where they wait.
pub struct RawStream<'a> {
    pub(crate) work: BoxFuture<'a, Result<(), Status>>,
    pub(crate) queue: Arc<Mutex<Queue>>,
}

/// The responses of a server-streaming call, each verified as an `F` when taken.
pub struct Responses<'a, F> {
    work: Option<BoxFuture<'a, Result<(), Status>>>,
    queue: Arc<Mutex<Queue>>,
    family: std::marker::PhantomData<fn() -> F>,
}

impl<'a, F: Family> Responses<'a, F> {
    /// The responses of `raw`, as `F` messages.
    pub fn new(raw: RawStream<'a>) -> Self {
        Responses {
            work: Some(raw.work),
            queue: raw.queue,
            family: std::marker::PhantomData,
        }
    }

    /// The next response; `None` once the handler is done; an error status ends the stream.
    pub async fn next(&mut self) -> Option<Result<Message<F>, Status>> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    fn take(&mut self) -> Option<Vec<u8>> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .items
            .pop_front()
    }

    fn poll_next(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Result<Message<F>, Status>>> {
        if let Some(bytes) = self.take() {
            return Poll::Ready(Some(Message::from_bytes(bytes)));
        }
        let Some(work) = self.work.as_mut() else {
            return Poll::Ready(None);
        };
        let done = Pin::new(work).poll(cx);
        if let Some(bytes) = self.take() {
            if done.is_ready() {
                // Sent before it ended: delivered first; the outcome waits in `work`.
                self.work = match done {
                    Poll::Ready(Err(e)) => Some(Box::pin(async move { Err(e) })),
                    _ => None,
                };
            }
            return Poll::Ready(Some(Message::from_bytes(bytes)));
        }
        match done {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => {
                self.work = None;
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => {
                self.work = None;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}
