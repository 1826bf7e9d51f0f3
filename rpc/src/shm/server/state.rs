//! What a server knows of one session, from its own bookkeeping (never from the segment):
//! which slots are free, lent or read, which calls are in flight; and the leases of slots.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};
use weftbuf_rt::Region;

use super::super::ShmError;
use super::super::bell::Bell;
use super::super::calls::CallMap;
use super::super::layout::{NO_SLOT, kind};
use super::super::ring::{Entry, Producer, Pushed};
use super::super::segment::Segment;
use super::super::slot::write_status;
use crate::{BoxFuture, CancelToken, Handler, Lent, Payload, Source, Status};

/// The methods a server hosts, by their path (`/package.Service/Method`): a call's path is
/// looked up as the bytes it has in the client's slot, copied nowhere.
pub(crate) struct Routes(HashMap<&'static [u8], (Arc<dyn Handler>, usize)>);

impl Routes {
    /// The methods of `handlers`.
    pub(crate) fn new(handlers: &HashMap<&'static str, Arc<dyn Handler>>) -> Routes {
        let mut routes = HashMap::new();
        for handler in handlers.values() {
            for (index, method) in handler.methods().iter().enumerate() {
                routes.insert(method.path.as_bytes(), (handler.clone(), index));
            }
        }
        Routes(routes)
    }

    /// The handler of method `path`, and the method's index in it.
    pub(crate) fn get(&self, path: &[u8]) -> Option<&(Arc<dyn Handler>, usize)> {
        self.0.get(path)
    }
}

/// A response slot, lent to a builder: it keeps the segment mapped while written.
pub(super) struct SlotRegion {
    pub(super) segment: Arc<Segment>,
    pub(super) slot: u32,
}

impl Region for SlotRegion {
    fn bytes(&self) -> &[u8] {
        self.segment.slot(self.slot).unwrap_or_default()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: the server's bookkeeping gave this response slot to this one builder (it is
        // neither free nor lent to the client until the builder is done with it).
        unsafe { self.segment.slot_mut(self.slot) }.unwrap_or_default()
    }
}

/// One client's session, as its calls share it.
pub(super) struct Shared {
    pub(super) segment: Arc<Segment>,
    pub(super) responses: Mutex<Producer>,
    pub(super) client_bell: Bell,
    pub(super) state: Mutex<State>,
    /// Signalled when a response slot is released.
    pub(super) freed: Notify,
    /// Request slots to give back that the ring had no room for, pushed with the next entry.
    pub(super) untaken: Mutex<Vec<u32>>,
}

/// What the server knows of a session, from its own bookkeeping only.
pub(super) struct State {
    /// Response slots free to write.
    pub(super) free: Vec<u32>,
    /// Response slots lent to the client, by index from the first response slot.
    pub(super) lent: Vec<bool>,
    /// Request slots the server reads (a call in flight), by index.
    pub(super) reading: Vec<bool>,
    /// Calls in flight.
    pub(super) calls: CallMap<InFlight>,
}

/// A call in flight.
pub(super) struct InFlight {
    pub(super) cancel: CancelToken,
    /// Where its streamed requests go, until DONE.
    pub(super) requests: Option<mpsc::UnboundedSender<Payload>>,
}

impl Shared {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pushes `entry` to the client, waiting while its ring is full; an error ends the session.
    pub(super) async fn push(&self, entry: Entry) -> Result<(), ShmError> {
        loop {
            let pushed = {
                let mut ring = self
                    .responses
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let waiting: Vec<u32> = std::mem::take(
                    &mut *self.untaken.lock().unwrap_or_else(PoisonError::into_inner),
                );
                let mut wake = false;
                for (i, slot) in waiting.iter().enumerate() {
                    match ring.push(taken(*slot))? {
                        Pushed::Full => {
                            self.untaken
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .extend_from_slice(&waiting[i..]);
                            break;
                        }
                        pushed => wake |= pushed == Pushed::Wake,
                    }
                }
                match ring.push(entry)? {
                    Pushed::Done if wake => Pushed::Wake,
                    other => other,
                }
            };
            match pushed {
                Pushed::Done => return Ok(()),
                Pushed::Wake => return self.client_bell.ring(),
                // The client is behind: let it catch up.
                Pushed::Full => {
                    self.client_bell.ring()?;
                    tokio::time::sleep(Duration::from_micros(50)).await;
                }
            }
        }
    }

    /// A free response slot, waiting for the client to release one until `by`.
    pub(super) async fn response_slot(&self, by: Instant) -> Option<u32> {
        loop {
            let freed = self.freed.notified();
            if let Some(slot) = self.state().free.pop() {
                return Some(slot);
            }
            if tokio::time::timeout_at(by.into(), freed).await.is_err() {
                return None;
            }
        }
    }

    /// Ends call `call` (whose request is in `request_slot`) with `status`, in `slot` if
    /// there is one.
    pub(super) async fn end(
        &self,
        call: u64,
        request_slot: u32,
        status: &Status,
        slot: Option<u32>,
    ) {
        let entry = match slot {
            Some(slot) => {
                // SAFETY: the slot came from the free list and is this call's alone until the
                // entry below lends it to the client.
                let len = unsafe { self.segment.slot_mut(slot) }
                    .map_or(0, |bytes| write_status(bytes, status));
                self.lend(slot);
                Entry {
                    kind: kind::END,
                    slot,
                    len: len as u32,
                    call,
                    ..Entry::default()
                }
            }
            None => Entry {
                kind: kind::END,
                slot: NO_SLOT,
                call,
                arg: status.code.as_i32() as u64,
                ..Entry::default()
            },
        };
        self.finish(call, request_slot);
        let _ = self.push(entry).await;
    }

    /// Marks `slot` lent to the client.
    pub(super) fn lend(&self, slot: u32) {
        let slots = self.segment.geometry().slots;
        if let Some(lent) = self.state().lent.get_mut((slot - slots) as usize) {
            *lent = true;
        }
    }

    /// [`Shared::lend`] and [`Shared::finish`] at once: a unary call's response is ready.
    pub(super) fn lend_and_finish(&self, slot: u32, call: u64, request_slot: u32) {
        let slots = self.segment.geometry().slots;
        let mut state = self.state();
        if let Some(lent) = state.lent.get_mut((slot - slots) as usize) {
            *lent = true;
        }
        state.calls.remove(&call);
        if let Some(reading) = state.reading.get_mut(request_slot as usize) {
            *reading = false;
        }
    }

    /// The call is over: its request slot goes back to the client with the entry that ends
    /// it, so it is no longer read from here on.
    pub(super) fn finish(&self, call: u64, request_slot: u32) {
        let mut state = self.state();
        state.calls.remove(&call);
        if let Some(reading) = state.reading.get_mut(request_slot as usize) {
            *reading = false;
        }
    }

    /// Gives streamed request slot `slot` back to the client, now or with the next entry.
    pub(super) fn give_back(&self, slot: u32) {
        if let Some(reading) = self.state().reading.get_mut(slot as usize) {
            *reading = false;
        }
        let pushed = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(taken(slot));
        match pushed {
            Ok(Pushed::Done) | Err(_) => {}
            Ok(Pushed::Wake) => {
                let _ = self.client_bell.ring();
            }
            Ok(Pushed::Full) => self
                .untaken
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(slot),
        }
    }

    /// Takes back response slot `slot` from the client.
    pub(super) fn release(&self, slot: u32) -> Result<(), ShmError> {
        let slots = self.segment.geometry().slots;
        let mut state = self.state();
        let index = slot.checked_sub(slots).map(|i| i as usize);
        match index.and_then(|i| state.lent.get_mut(i)) {
            Some(lent) if *lent => {
                *lent = false;
                state.free.push(slot);
                drop(state);
                self.freed.notify_waiters();
                Ok(())
            }
            _ => Err(ShmError::Protocol(format!(
                "the client released slot {slot}, which it does not hold"
            ))),
        }
    }
}

pub(super) fn taken(slot: u32) -> Entry {
    Entry {
        kind: kind::TAKEN,
        slot,
        ..Entry::default()
    }
}

/// A streamed request, read in its slot until dropped, which gives the slot back.
pub(super) struct RequestLease {
    pub(super) shared: Arc<Shared>,
    pub(super) slot: u32,
    pub(super) len: usize,
}

impl Lent for RequestLease {
    fn bytes(&self) -> &[u8] {
        let slot = self.shared.segment.slot(self.slot).unwrap_or_default();
        slot.get(..self.len).unwrap_or_default()
    }
}

impl Drop for RequestLease {
    fn drop(&mut self) {
        self.shared.give_back(self.slot);
    }
}

/// A duplex handler's requests: the MOREs of its call, as they come.
pub(super) struct StreamedRequests(pub(super) mpsc::UnboundedReceiver<Payload>);

impl Source for StreamedRequests {
    fn next(&mut self) -> BoxFuture<'_, Option<Result<Payload, Status>>> {
        Box::pin(async move { self.0.recv().await.map(Ok) })
    }
}
