//! Where a call's events wait for it: put there by whoever takes them off the response ring
//! (the session's reader, or a polling caller), taken by the call. One small allocation per
//! call, and none more for a unary call's one response and its end: a round trip over shared
//! memory costs a few microseconds, and a general-purpose channel's set-up is a tenth of that.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use crate::Payload;
use crate::duplex::Event;

/// A new mailbox: the end that puts events in, and the call's end.
pub(super) fn mailbox() -> (Sender, Receiver) {
    let shared = Arc::new(Mailbox {
        inner: Mutex::new(Inner::default()),
    });
    (Sender(shared.clone()), Receiver(shared))
}

struct Mailbox {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The next response, kept inline: most calls have one.
    next: Option<Payload>,
    /// The responses after it.
    more: VecDeque<Payload>,
    /// How the call ended, taken after every response.
    end: Option<Result<(), crate::Status>>,
    /// The sender is gone: nothing more comes.
    closed: bool,
    /// The call's task, waiting in [`Receiver::recv`].
    waiter: Option<Waker>,
}

impl Mailbox {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn take(&mut self) -> Option<Event> {
        if let Some(payload) = self.next.take() {
            self.next = self.more.pop_front();
            return Some(Event::Message(payload));
        }
        self.end.take().map(Event::End)
    }
}

/// Puts a call's events in its mailbox; dropped, it tells the call that nothing more comes.
pub(super) struct Sender(Arc<Mailbox>);

impl Sender {
    /// Adds `event` (an end after the first is ignored) and wakes the call.
    pub(super) fn send(&self, event: Event) {
        let waiter = {
            let mut inner = self.0.inner();
            match event {
                Event::Message(payload) if inner.next.is_none() => inner.next = Some(payload),
                Event::Message(payload) => inner.more.push_back(payload),
                Event::End(ended) => {
                    if inner.end.is_none() {
                        inner.end = Some(ended);
                    }
                }
            }
            inner.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let waiter = {
            let mut inner = self.0.inner();
            inner.closed = true;
            inner.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

/// Why [`Receiver::try_recv`] has no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TryRecvError {
    /// None yet.
    Empty,
    /// None will come.
    Disconnected,
}

/// The call's end of its mailbox.
pub(super) struct Receiver(Arc<Mailbox>);

impl Receiver {
    /// The next event, if one is there.
    pub(super) fn try_recv(&mut self) -> Result<Event, TryRecvError> {
        let mut inner = self.0.inner();
        match inner.take() {
            Some(event) => Ok(event),
            None if inner.closed => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// The next event, waiting for it; `None` once none will come.
    pub(super) async fn recv(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| {
            let mut inner = self.0.inner();
            match inner.take() {
                Some(event) => Poll::Ready(Some(event)),
                None if inner.closed => Poll::Ready(None),
                None => {
                    inner.waiter = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn responses_come_in_order_then_the_end_then_nothing() {
        let (sender, mut receiver) = mailbox();
        assert_eq!(receiver.try_recv().err(), Some(TryRecvError::Empty));
        for i in 0..3u8 {
            sender.send(Event::Message(Payload::from(vec![i])));
        }
        sender.send(Event::End(Ok(())));
        // An end sent before the last response is still taken after it.
        let waiting = tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(event) = receiver.recv().await {
                got.push(match event {
                    Event::Message(payload) => i32::from(payload.bytes()[0]),
                    Event::End(ended) => i32::from(ended.is_ok()) - 10,
                });
            }
            got
        });
        drop(sender);
        assert_eq!(waiting.await.unwrap(), vec![0, 1, 2, -9]);
    }

    #[tokio::test]
    async fn a_waiting_call_wakes_when_its_event_comes() {
        let (sender, mut receiver) = mailbox();
        let waiting = tokio::spawn(async move { receiver.recv().await.is_some() });
        tokio::task::yield_now().await;
        sender.send(Event::End(Ok(())));
        assert!(waiting.await.unwrap());
    }
}
