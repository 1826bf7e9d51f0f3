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
            let bytes = std::mem::replace(&mut self.builder, Builder::new()).into_vec();
            push(&self.queue, bytes).await;
            Ok(())
        })
    }
}

/// Queues `bytes` for the caller once there is room. The stream polls its work (and so this)
/// only after taking every waiting item, so waiting needs no waker.
pub(crate) async fn push(queue: &Mutex<Queue>, bytes: Vec<u8>) {
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

/// A server-streaming call as a transport gives it: the work that produces the responses
/// (driven as the caller takes them) and where they wait.
pub struct RawStream<'a> {
    pub(crate) work: BoxFuture<'a, Result<(), Status>>,
    pub(crate) queue: Arc<Mutex<Queue>>,
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
                .map(|next| next.map(|bytes| bytes.and_then(Message::from_bytes)))
        })
        .await
    }
}

/// Drives a [`RawStream`]: the bytes of each response in order, then the work's outcome.
pub(crate) struct Pump<'a> {
    work: Option<BoxFuture<'a, Result<(), Status>>>,
    queue: Arc<Mutex<Queue>>,
}

impl<'a> Pump<'a> {
    pub(crate) fn new(raw: RawStream<'a>) -> Self {
        Pump {
            work: Some(raw.work),
            queue: raw.queue,
        }
    }

    fn take(&mut self) -> Option<Vec<u8>> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .items
            .pop_front()
    }

    /// The next response's bytes; `None` once the work is done; an error status ends it.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Vec<u8>, Status>>> {
        if let Some(bytes) = self.take() {
            return Poll::Ready(Some(Ok(bytes)));
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
            return Poll::Ready(Some(Ok(bytes)));
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
