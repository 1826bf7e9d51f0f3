//! The client's side of one session: its rings, its slots' bookkeeping (never read from the
//! segment), its calls in flight, the reader that wakes them, and the leases of response
//! slots.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

use super::super::ShmError;
use super::super::bell::Bell;
use super::super::calls::CallMap;
use super::super::handshake::Session;
use super::super::layout::{FLAG_LAST, NO_SLOT, REQUESTS, RESPONSES, kind};
use super::super::ring::{Consumer, Entry, Producer, Pushed};
use super::super::segment::Segment;
use super::super::slot::read_status;
use crate::duplex::Event;
use crate::{Code, Lent, Payload, Status};

/// A call in flight, as the session's reader sees it.
pub(super) struct Pending {
    /// Where its responses go; `None` once the caller gave the call up.
    pub(super) events: Option<super::mailbox::Sender>,
    /// Its request slot, the client's again when the call ends.
    pub(super) request_slot: u32,
}

/// The client's side of one session.
pub(super) struct ClientSession {
    pub(super) segment: Arc<Segment>,
    pub(super) requests: Mutex<Producer>,
    /// The response ring, read by the session's reader, and by callers while they wait.
    pub(super) responses: Mutex<Consumer>,
    /// Callers polling the ring now: while there are any, the server need not ring the bell.
    pub(super) polling: AtomicU32,
    /// Whether the reader sleeps on the bell.
    pub(super) reader_asleep: AtomicBool,
    pub(super) server_bell: Bell,
    pub(super) free: Mutex<Vec<u32>>,
    pub(super) freed: Notify,
    pub(super) calls: Mutex<CallMap<Pending>>,
    /// Response slots the client holds, by index from the first response slot.
    pub(super) held: Mutex<Vec<bool>>,
    /// Request slots lent to the server as streamed requests, by index.
    pub(super) streamed: Mutex<Vec<bool>>,
    /// Releases the ring had no room for, pushed with the next entry.
    pub(super) unreleased: Mutex<Vec<u32>>,
    pub(super) next_call: AtomicU64,
    pub(super) dead: AtomicBool,
    pub(super) reader: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for ClientSession {
    fn drop(&mut self) {
        if let Some(reader) = self
            .reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            reader.abort();
        }
    }
}

impl ClientSession {
    pub(super) fn start(session: Session) -> Result<Arc<ClientSession>, ShmError> {
        let Session {
            stream,
            segment,
            server_bell,
            client_bell,
        } = session;
        let geometry = segment.geometry();
        let this = Arc::new(ClientSession {
            requests: Mutex::new(Producer::new(segment.clone(), REQUESTS)),
            responses: Mutex::new(Consumer::new(segment.clone(), RESPONSES)),
            polling: AtomicU32::new(0),
            reader_asleep: AtomicBool::new(false),
            server_bell: Bell::new(server_bell)?,
            free: Mutex::new((0..geometry.slots).rev().collect()),
            freed: Notify::new(),
            calls: Mutex::new(CallMap::default()),
            held: Mutex::new(vec![false; geometry.slots as usize]),
            streamed: Mutex::new(vec![false; geometry.slots as usize]),
            unreleased: Mutex::new(Vec::new()),
            next_call: AtomicU64::new(1),
            dead: AtomicBool::new(false),
            reader: Mutex::new(None),
            segment,
        });
        let client_bell = Bell::new(client_bell)?;
        // The reader holds the session weakly: dropping the channel ends it.
        let weak = Arc::downgrade(&this);
        let reader = tokio::spawn(async move { read(weak, stream, client_bell).await });
        *this.reader.lock().unwrap_or_else(PoisonError::into_inner) = Some(reader);
        Ok(this)
    }

    pub(super) fn calls(&self) -> std::sync::MutexGuard<'_, CallMap<Pending>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A free request slot, waiting for one (the caller's deadline bounds the wait).
    pub(super) async fn request_slot(&self) -> Result<u32, Status> {
        match self.free_slot() {
            Some(slot) => Ok(slot),
            // Boxed, the wait: every call's future would carry it otherwise.
            None => Box::pin(self.wait_for_slot()).await,
        }
    }

    fn free_slot(&self) -> Option<u32> {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    async fn wait_for_slot(&self) -> Result<u32, Status> {
        loop {
            let freed = self.freed.notified();
            if let Some(slot) = self.free_slot() {
                return Ok(slot);
            }
            if self.dead.load(Ordering::Acquire) {
                return Err(Status::unavailable("the shared-memory session ended"));
            }
            freed.await;
        }
    }

    pub(super) fn free_request_slot(&self, slot: u32) {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(slot);
        self.freed.notify_one();
    }

    /// Pushes `entry` (and any release that waited for room) to the server.
    pub(super) async fn push(&self, entry: Entry) -> Result<(), Status> {
        match self.try_push(entry)? {
            Pushed::Full => Box::pin(self.push_when_room(entry)).await,
            _ => Ok(()),
        }
    }

    /// Pushes `entry` while the ring is full, letting the server catch up.
    async fn push_when_room(&self, entry: Entry) -> Result<(), Status> {
        loop {
            tokio::time::sleep(Duration::from_micros(50)).await;
            if self.try_push(entry)? != Pushed::Full {
                return Ok(());
            }
        }
    }

    /// Pushes `entry` (after the releases that wait) if the ring has room, ringing the
    /// server's bell if it sleeps or the ring is full.
    fn try_push(&self, entry: Entry) -> Result<Pushed, Status> {
        let broken = |e: ShmError| {
            self.dead.store(true, Ordering::Release);
            Status::unavailable(format!("the shared-memory session broke: {e}"))
        };
        if self.dead.load(Ordering::Acquire) {
            return Err(Status::unavailable("the shared-memory session ended"));
        }
        let pushed = {
            let mut ring = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
            let wake = self.push_unreleased(&mut ring).map_err(broken)?;
            match ring.push(entry).map_err(broken)? {
                Pushed::Done if wake => Pushed::Wake,
                other => other,
            }
        };
        if pushed != Pushed::Done {
            self.server_bell.ring().map_err(broken)?;
        }
        Ok(pushed)
    }

    /// Sends `request` as the next streamed request of call `call`, copied into a slot.
    pub(super) async fn more(&self, call: u64, request: &[u8]) -> Result<(), Status> {
        let slot = self.request_slot().await?;
        // SAFETY: the slot came off the free list: nothing reads or writes it until the MORE.
        let bytes = unsafe { self.segment.slot_mut(slot) }.unwrap_or_default();
        let capacity = bytes.len();
        let Some(target) = bytes.get_mut(..request.len()) else {
            self.free_request_slot(slot);
            return Err(Status::resource_exhausted(format!(
                "a request of {} bytes does not fit a slot of {capacity}",
                request.len()
            )));
        };
        target.copy_from_slice(request);
        super::super::copied(request.len());
        if let Some(lent) = self
            .streamed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(slot as usize)
        {
            *lent = true;
        }
        self.push(Entry {
            kind: kind::MORE,
            slot,
            len: request.len() as u32,
            call,
            ..Entry::default()
        })
        .await
    }

    /// Pushes the releases that wait (as many as `ring` has room for): whether the server
    /// needs waking.
    fn push_unreleased(&self, ring: &mut Producer) -> Result<bool, ShmError> {
        let mut unreleased = self
            .unreleased
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut wake = false;
        while let Some(&slot) = unreleased.last() {
            match ring.push(release(slot))? {
                Pushed::Full => break,
                pushed => wake |= pushed == Pushed::Wake,
            }
            unreleased.pop();
        }
        Ok(wake)
    }

    /// Gives response slot `slot` back to the server: with the next entry, if the server
    /// owes nothing meanwhile (it needs no slot until the next call, whose entry carries the
    /// release: one push, one fence, for both), or now.
    pub(super) fn release(&self, slot: u32) {
        let slots = self.segment.geometry().slots;
        if let Some(held) = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut((slot - slots) as usize)
        {
            *held = false;
        }
        self.unreleased
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(slot);
        // Looked at after the release waits: a call that starts meanwhile either is seen
        // here, or takes the release with its own entry.
        if !self.owed() {
            return;
        }
        let pushed = {
            let mut ring = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
            self.push_unreleased(&mut ring)
        };
        match pushed {
            Ok(false) => {}
            Ok(true) => {
                let _ = self.server_bell.ring();
            }
            Err(_) => self.dead.store(true, Ordering::Release),
        }
    }

    /// Takes every entry the server has pushed.
    pub(super) fn drain(self: &Arc<Self>) -> Result<(), ShmError> {
        let mut responses = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while let Some(entry) = responses.pop()? {
            self.take(entry)?;
        }
        Ok(())
    }

    /// A caller starts polling: the server may stop ringing the bell meanwhile.
    pub(super) fn start_polling(&self) {
        self.polling.fetch_add(1, Ordering::SeqCst);
        self.responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .woke();
    }

    /// A caller stops polling: the last one raises the flag again for a sleeping reader, and
    /// takes what came while it was down (which no bell announced); but only while the server
    /// owes entries. With nothing in flight the flag stays down, and the next call, polling
    /// again, writes nothing the server reads after every push.
    pub(super) fn stop_polling(self: &Arc<Self>) {
        if self.polling.fetch_sub(1, Ordering::SeqCst) != 1 {
            return;
        }
        if self.owed() {
            self.arm();
        }
    }

    /// Whether the server owes this client entries: calls in flight, or streamed requests
    /// it has not given back.
    /// A lock held elsewhere counts as owing: this runs as a lease is dropped, which may be
    /// where this thread holds the calls (and the answer "owed" is never wrong, only slower).
    fn owed(&self) -> bool {
        self.calls
            .try_lock()
            .map_or(true, |calls| !calls.is_empty())
            || self
                .streamed
                .try_lock()
                .map_or(true, |streamed| streamed.contains(&true))
    }

    /// Makes sure a sleeping reader is woken by what the server pushes next, when no caller
    /// polls: raises the flag (and takes what came while it was down). A call that does not
    /// poll arms the session after it is in the calls, before its first entry goes out.
    pub(super) fn arm(self: &Arc<Self>) {
        if self.polling.load(Ordering::SeqCst) != 0 || !self.reader_asleep.load(Ordering::SeqCst) {
            return;
        }
        let missed = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sleep_again();
        if missed {
            self.poll();
        }
    }

    /// Takes what the server has pushed, unless another caller or the reader is at it:
    /// whether it took anything.
    pub(super) fn poll(self: &Arc<Self>) -> bool {
        let Ok(mut responses) = self.responses.try_lock() else {
            return false;
        };
        let mut took = false;
        let taken = (|| {
            while let Some(entry) = responses.pop()? {
                took = true;
                self.take(entry)?;
            }
            Ok::<_, ShmError>(())
        })();
        drop(responses);
        if let Err(e) = taken {
            self.fail_all(&Status::unavailable(format!(
                "the shared-memory session ended: the server broke the protocol: {e}"
            )));
            return true;
        }
        took
    }

    /// Ends every call in flight with `status`: the session is over.
    pub(super) fn fail_all(&self, status: &Status) {
        self.dead.store(true, Ordering::Release);
        for (_, pending) in self.calls().drain() {
            if let Some(events) = pending.events {
                events.send(Event::End(Err(status.clone())));
            }
        }
        self.freed.notify_waiters();
    }

    /// Takes one entry from the server; an error is a protocol violation.
    pub(super) fn take(self: &Arc<Self>, entry: Entry) -> Result<(), ShmError> {
        let geometry = self.segment.geometry();
        let response_slot = |slot: u32| -> Result<(), ShmError> {
            let index = slot.checked_sub(geometry.slots).map(|i| i as usize);
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            match index.and_then(|i| held.get_mut(i)) {
                Some(held) if !*held => {
                    *held = true;
                    Ok(())
                }
                _ => Err(ShmError::Protocol(format!(
                    "the server sent slot {slot}, which is not its to send"
                ))),
            }
        };
        match entry.kind {
            kind::REPLY => {
                response_slot(entry.slot)?;
                if entry.len > geometry.slot_size {
                    return Err(ShmError::Protocol(format!(
                        "a reply of {} bytes",
                        entry.len
                    )));
                }
                let last = entry.flags & FLAG_LAST != 0;
                let lease = Lease {
                    session: self.clone(),
                    slot: entry.slot,
                    len: entry.len as usize,
                };
                let mut calls = self.calls();
                let Some(pending) = calls.get_mut(&entry.call) else {
                    // A call given up: its lease goes (and gives the slot back) right away.
                    return Ok(());
                };
                if let Some(events) = &pending.events {
                    events.send(Event::Message(Payload::lent(lease)));
                }
                if last {
                    let pending = calls.remove(&entry.call);
                    drop(calls);
                    if let Some(pending) = pending {
                        self.free_request_slot(pending.request_slot);
                        if let Some(events) = pending.events {
                            events.send(Event::End(Ok(())));
                        }
                    }
                }
                Ok(())
            }
            kind::END => {
                let status = if entry.slot == NO_SLOT {
                    Status::new(
                        Code::from_i32(entry.arg as i32),
                        "the server had no room for the status's message",
                    )
                } else {
                    response_slot(entry.slot)?;
                    let bytes = self.segment.slot(entry.slot).unwrap_or_default();
                    let status = read_status(bytes, entry.len as usize);
                    self.release(entry.slot);
                    status
                };
                let ended = if status.code == Code::Ok {
                    Ok(())
                } else {
                    Err(status)
                };
                let pending = self.calls().remove(&entry.call);
                if let Some(pending) = pending {
                    self.free_request_slot(pending.request_slot);
                    if let Some(events) = pending.events {
                        events.send(Event::End(ended));
                    }
                }
                Ok(())
            }
            kind::TAKEN => {
                let mut streamed = self.streamed.lock().unwrap_or_else(PoisonError::into_inner);
                match streamed.get_mut(entry.slot as usize) {
                    Some(lent) if *lent => {
                        *lent = false;
                        drop(streamed);
                        self.free_request_slot(entry.slot);
                        Ok(())
                    }
                    _ => Err(ShmError::Protocol(format!(
                        "the server gave back slot {}, which it did not have",
                        entry.slot
                    ))),
                }
            }
            other => Err(ShmError::Protocol(format!("an entry of kind {other}"))),
        }
    }
}

fn release(slot: u32) -> Entry {
    Entry {
        kind: kind::RELEASE,
        slot,
        ..Entry::default()
    }
}

/// Reads the server's entries while no caller does, sleeping on the client's bell between
/// them, until the session ends; then fails the calls left. (It does not poll: a caller
/// waiting for its answer polls the ring itself, so one thread per side spins, never more.)
async fn read(session: std::sync::Weak<ClientSession>, stream: tokio::net::UnixStream, bell: Bell) {
    let mut hangup = std::pin::pin!(super::super::handshake::hung_up(&stream));
    let why = loop {
        let Some(this) = session.upgrade() else {
            return;
        };
        if let Err(e) = this.drain() {
            break format!("the server broke the protocol: {e}");
        }
        this.reader_asleep.store(true, Ordering::SeqCst);
        let sleep = this
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .prepare_to_sleep();
        if !sleep {
            this.reader_asleep.store(false, Ordering::SeqCst);
            continue;
        }
        // Not holding the session while asleep: dropping the channel ends the reader.
        drop(this);
        let woken = tokio::select! {
            woken = bell.wait() => woken,
            () = &mut hangup => break "the server went away".to_string(),
        };
        let Some(this) = session.upgrade() else {
            return;
        };
        this.reader_asleep.store(false, Ordering::SeqCst);
        this.responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .woke();
        if let Err(e) = woken {
            break e.to_string();
        }
    };
    if let Some(this) = session.upgrade() {
        this.fail_all(&Status::unavailable(format!(
            "the shared-memory session ended: {why}"
        )));
    }
}

/// A caller polling the ring, until dropped (however its call ends).
pub(super) struct Polling(Arc<ClientSession>);

impl Polling {
    pub(super) fn start(session: &Arc<ClientSession>) -> Polling {
        session.start_polling();
        Polling(session.clone())
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        self.0.stop_polling();
    }
}

/// A response slot lent to the caller: read in place, given back when dropped.
pub(super) struct Lease {
    pub(super) session: Arc<ClientSession>,
    pub(super) slot: u32,
    pub(super) len: usize,
}

impl Lent for Lease {
    fn bytes(&self) -> &[u8] {
        let slot = self.session.segment.slot(self.slot).unwrap_or_default();
        slot.get(..self.len).unwrap_or_default()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.session.release(self.slot);
    }
}

/// A call in flight: dropped before it ended (the caller gave up), it tells the server.
pub(super) struct CallGuard {
    pub(super) session: Arc<ClientSession>,
    pub(super) call: u64,
    pub(super) ended: bool,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        // Responses still coming are given back as they arrive; the request slot comes
        // back with the call's end.
        let mut calls = self.session.calls();
        let Some(pending) = calls.get_mut(&self.call) else {
            return;
        };
        pending.events = None;
        drop(calls);
        let cancel = Entry {
            kind: kind::CANCEL,
            call: self.call,
            ..Entry::default()
        };
        let pushed = self
            .session
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(cancel);
        if let Ok(Pushed::Wake) = pushed {
            let _ = self.session.server_bell.ring();
        }
    }
}
