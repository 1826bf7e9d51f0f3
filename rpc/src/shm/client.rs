//! Calling over shared memory: requests written into the session's request slots, responses
//! read in place in its response slots, lent to the caller until dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Notify, mpsc};
use weftbuf::rt::{Builder, MethodDescriptor, file_identifier};

use super::ShmError;
use super::bell::{Bell, SPIN};
use super::handshake::{Address, Session, hello};
use super::layout::{FLAG_LAST, FLAG_STREAMED, NO_SLOT, REQUESTS, RESPONSES, kind};
use super::ring::{Consumer, Entry, Producer, Pushed};
use super::segment::Segment;
use super::slot::{message_offset, read_status, write_call};
use crate::duplex::{Event, EventSink, spawn_duplex};
use crate::stream::Flow;
use crate::{BoxFuture, Build, Channel, Code, Context, Lent, Payload, RawStream, Sender, Status};

/// A channel to services behind a shared-memory server (`shm://path` in `weftbuf.toml`).
///
/// It connects on the first call and again after the session is lost (the server restarted,
/// say). A request is written into a slot of the session's segment; the response is read
/// where the server wrote it, lent to the caller (`Message::is_lent`) until dropped.
pub struct ShmChannel {
    address: Address,
    session: tokio::sync::Mutex<Option<Arc<ClientSession>>>,
}

impl ShmChannel {
    /// A channel to the server at `address`, connecting on the first call.
    pub fn new(address: Address) -> ShmChannel {
        ShmChannel {
            address,
            session: tokio::sync::Mutex::new(None),
        }
    }

    /// The live session, connecting when there is none.
    async fn session(&self) -> Result<Arc<ClientSession>, Status> {
        let mut current = self.session.lock().await;
        if let Some(session) = current.as_ref().filter(|s| !s.dead.load(Ordering::Acquire)) {
            return Ok(session.clone());
        }
        let session = hello(&self.address)
            .await
            .map_err(|e| Status::unavailable(format!("shm {:?}: {e}", self.address)))?;
        let session = ClientSession::start(session)
            .map_err(|e| Status::unavailable(format!("shm {:?}: {e}", self.address)))?;
        *current = Some(session.clone());
        Ok(session)
    }

    /// Starts a call of `method` with its request `body` in a request slot.
    async fn start(
        &self,
        method: &'static MethodDescriptor,
        ctx: &Context,
        body: Body<'_>,
    ) -> Result<(CallGuard, mpsc::UnboundedReceiver<Event>), Status> {
        let session = self.session().await?;
        let slot = session.request_slot().await?;
        let guard = CallGuard {
            session: session.clone(),
            call: session.next_call.fetch_add(1, Ordering::Relaxed),
            ended: false,
        };
        // SAFETY: `slot` came off the free list: the server does not read it until the CALL
        // below, and nothing else here writes it.
        let bytes = unsafe { session.segment.slot_mut(slot) }.unwrap_or_default();
        let capacity = bytes.len();
        let offset = message_offset(method.path, ctx.metadata());
        let streamed = matches!(body, Body::Streamed);
        let written = match write_call(bytes, method.path, ctx.metadata()) {
            None => Err(Status::resource_exhausted(format!(
                "a call's method and metadata do not fit a slot of {capacity} bytes"
            ))),
            Some(_) => write_body(&mut bytes[offset..], body).map(|len| offset + len),
        };
        let len = match written {
            Ok(len) => len,
            Err(status) => {
                session.free_request_slot(slot);
                return Err(status);
            }
        };
        let (events, received) = mpsc::unbounded_channel();
        session.calls().insert(
            guard.call,
            Pending {
                events: Some(events),
                request_slot: slot,
            },
        );
        let timeout = ctx.remaining().map_or(0, |left| {
            left.as_nanos().clamp(1, u128::from(u64::MAX)) as u64
        });
        session
            .push(Entry {
                kind: kind::CALL,
                flags: if streamed { FLAG_STREAMED } else { 0 },
                slot,
                len: len as u32,
                call: guard.call,
                arg: timeout,
            })
            .await?;
        Ok((guard, received))
    }
}

/// A request as a call gives it.
enum Body<'a> {
    /// Its bytes, copied into the slot.
    Bytes(&'a [u8]),
    /// Built in the slot.
    Built(Build<'a>),
    /// None: the requests follow as MOREs.
    Streamed,
}

/// Writes `body` into `room` (the slot after the call's header): its length.
fn write_body(room: &mut [u8], body: Body<'_>) -> Result<usize, Status> {
    let capacity = room.len();
    match body {
        Body::Bytes(request) => {
            let target = room.get_mut(..request.len()).ok_or_else(|| {
                Status::resource_exhausted(format!(
                    "a request of {} bytes does not fit the {capacity} bytes its slot has left",
                    request.len()
                ))
            })?;
            target.copy_from_slice(request);
            super::copied(request.len());
            Ok(request.len())
        }
        Body::Built(build) => {
            let mut builder = Builder::in_slice(room)?;
            build(&mut builder)?;
            if file_identifier(builder.as_bytes()).is_none() {
                return Err(Status::internal(
                    "a request was sent before it was finished",
                ));
            }
            Ok(builder.len())
        }
        Body::Streamed => Ok(0),
    }
}

/// Carries a duplex call: `requests` go out as MOREs (then DONE), responses to `sink`.
async fn carry(
    mut guard: CallGuard,
    mut events: mpsc::UnboundedReceiver<Event>,
    mut requests: mpsc::Receiver<Vec<u8>>,
    mut sink: EventSink,
) -> Result<(), Status> {
    let session = guard.session.clone();
    let mut open = true;
    loop {
        tokio::select! {
            request = requests.recv(), if open => match request {
                Some(bytes) => session.more(guard.call, &bytes).await?,
                None => {
                    open = false;
                    session
                        .push(Entry {
                            kind: kind::DONE,
                            call: guard.call,
                            ..Entry::default()
                        })
                        .await?;
                }
            },
            event = events.recv() => match event {
                Some(Event::Message(payload)) => sink.forward(payload).await?,
                Some(Event::End(ended)) => {
                    guard.ended = true;
                    return ended;
                }
                None => return Err(Status::unavailable("the shared-memory session ended")),
            },
        }
    }
}

impl ShmChannel {
    /// A unary call with its request `body`.
    async fn call(
        &self,
        method: &'static MethodDescriptor,
        ctx: Context,
        body: Body<'_>,
    ) -> Result<Payload, Status> {
        {
            ctx.check()?;
            let call = async {
                let (mut guard, mut events) = self.start(method, &ctx, body).await?;
                let session = guard.session.clone();
                let mut response = None;
                let spin_until = Instant::now() + SPIN;
                let mut polling = Some(Polling::start(&session));
                loop {
                    // Polling the ring for a while first: a quick answer is taken here, with
                    // no wakeup of the reader or of this task.
                    let event = match events.try_recv() {
                        Ok(event) => event,
                        Err(TryRecvError::Empty) if Instant::now() < spin_until => {
                            session.poll();
                            tokio::task::yield_now().await;
                            continue;
                        }
                        Err(TryRecvError::Empty) => {
                            // Done polling: the reader takes over, woken by the bell.
                            drop(polling.take());
                            match events.recv().await {
                                Some(event) => event,
                                None => break,
                            }
                        }
                        Err(TryRecvError::Disconnected) => break,
                    };
                    match event {
                        Event::Message(payload) if response.is_none() => response = Some(payload),
                        Event::Message(_) => {
                            return Err(Status::internal(format!(
                                "{} sent more than one response",
                                method.path
                            )));
                        }
                        Event::End(ended) => {
                            guard.ended = true;
                            ended?;
                            return response.ok_or_else(|| {
                                Status::internal(format!("{} sent no response", method.path))
                            });
                        }
                    }
                }
                Err(Status::unavailable("the shared-memory session ended"))
            };
            crate::call::supervise(call, &ctx, method).await
        }
    }
}

impl Channel for ShmChannel {
    fn unary<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(self.call(method, ctx, Body::Bytes(request)))
    }

    fn unary_built<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        build: Build<'a>,
    ) -> BoxFuture<'a, Result<Payload, Status>> {
        Box::pin(self.call(method, ctx, Body::Built(build)))
    }

    fn server_streaming<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
        request: &'a [u8],
    ) -> BoxFuture<'a, Result<RawStream<'a>, Status>> {
        Box::pin(async move {
            ctx.check()?;
            let (guard, mut events) = crate::call::supervise(
                self.start(method, &ctx, Body::Bytes(request)),
                &ctx,
                method,
            )
            .await?;
            let (forward, responses) = mpsc::channel(crate::stream::QUEUE_DEPTH);
            // The deadline and cancellation keep applying while the responses are taken.
            let carry = async move {
                let _guard = guard;
                let relay = async {
                    while let Some(event) = events.recv().await {
                        let end = matches!(event, Event::End(_));
                        if forward.send(event).await.is_err() || end {
                            return Ok(());
                        }
                    }
                    Err(Status::unavailable("the shared-memory session ended"))
                };
                if let Err(status) = crate::call::supervise(relay, &ctx, method).await {
                    let _ = forward.send(Event::End(Err(status))).await;
                }
            };
            let task = tokio::spawn(carry);
            Ok(RawStream::new(Flow::Task { responses, task }))
        })
    }

    fn duplex<'a>(
        &'a self,
        method: &'static MethodDescriptor,
        ctx: Context,
    ) -> BoxFuture<'a, Result<(Sender, RawStream<'a>), Status>> {
        Box::pin(async move {
            ctx.check()?;
            let (guard, events) =
                crate::call::supervise(self.start(method, &ctx, Body::Streamed), &ctx, method)
                    .await?;
            // Requests are copied into slots as the caller sends them, by a task of the
            // call's own, whether or not the caller reads responses meanwhile.
            spawn_duplex(method, ctx, move |_, requests, sink| {
                carry(guard, events, requests, sink)
            })
        })
    }
}

/// A call in flight, as the session's reader sees it.
struct Pending {
    /// Where its responses go; `None` once the caller gave the call up.
    events: Option<mpsc::UnboundedSender<Event>>,
    /// Its request slot, the client's again when the call ends.
    request_slot: u32,
}

/// The client's side of one session.
struct ClientSession {
    segment: Arc<Segment>,
    requests: Mutex<Producer>,
    /// The response ring, read by the session's reader, and by callers while they wait.
    responses: Mutex<Consumer>,
    /// Callers polling the ring now: while there are any, the server need not ring the bell.
    polling: AtomicU32,
    /// Whether the reader sleeps on the bell.
    reader_asleep: AtomicBool,
    server_bell: Bell,
    free: Mutex<Vec<u32>>,
    freed: Notify,
    calls: Mutex<HashMap<u64, Pending>>,
    /// Response slots the client holds, by index from the first response slot.
    held: Mutex<Vec<bool>>,
    /// Request slots lent to the server as streamed requests, by index.
    streamed: Mutex<Vec<bool>>,
    /// Releases the ring had no room for, pushed with the next entry.
    unreleased: Mutex<Vec<u32>>,
    next_call: AtomicU64,
    dead: AtomicBool,
    reader: Mutex<Option<tokio::task::JoinHandle<()>>>,
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
    fn start(session: Session) -> Result<Arc<ClientSession>, ShmError> {
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
            calls: Mutex::new(HashMap::new()),
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

    fn calls(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Pending>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A free request slot, waiting for one (the caller's deadline bounds the wait).
    async fn request_slot(&self) -> Result<u32, Status> {
        loop {
            let freed = self.freed.notified();
            if let Some(slot) = self
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
            {
                return Ok(slot);
            }
            if self.dead.load(Ordering::Acquire) {
                return Err(Status::unavailable("the shared-memory session ended"));
            }
            freed.await;
        }
    }

    fn free_request_slot(&self, slot: u32) {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(slot);
        self.freed.notify_one();
    }

    /// Pushes `entry` (and any release that waited for room) to the server.
    async fn push(&self, entry: Entry) -> Result<(), Status> {
        let broken = |e: ShmError| {
            self.dead.store(true, Ordering::Release);
            Status::unavailable(format!("the shared-memory session broke: {e}"))
        };
        loop {
            if self.dead.load(Ordering::Acquire) {
                return Err(Status::unavailable("the shared-memory session ended"));
            }
            let pushed = {
                let mut ring = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
                let waiting: Vec<u32> = std::mem::take(
                    &mut *self
                        .unreleased
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner),
                );
                let mut wake = false;
                for (i, slot) in waiting.iter().enumerate() {
                    match ring.push(release(*slot)).map_err(broken)? {
                        Pushed::Full => {
                            self.unreleased
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .extend_from_slice(&waiting[i..]);
                            break;
                        }
                        pushed => wake |= pushed == Pushed::Wake,
                    }
                }
                match ring.push(entry).map_err(broken)? {
                    Pushed::Wake => Pushed::Wake,
                    Pushed::Done if wake => Pushed::Wake,
                    other => other,
                }
            };
            match pushed {
                Pushed::Done => return Ok(()),
                Pushed::Wake => return self.server_bell.ring().map_err(broken),
                Pushed::Full => {
                    self.server_bell.ring().map_err(broken)?;
                    tokio::time::sleep(Duration::from_micros(50)).await;
                }
            }
        }
    }

    /// Sends `request` as the next streamed request of call `call`, copied into a slot.
    async fn more(&self, call: u64, request: &[u8]) -> Result<(), Status> {
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
        super::copied(request.len());
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

    /// Gives response slot `slot` back to the server, now or with the next entry.
    fn release(&self, slot: u32) {
        let slots = self.segment.geometry().slots;
        if let Some(held) = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut((slot - slots) as usize)
        {
            *held = false;
        }
        let pushed = self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(release(slot));
        match pushed {
            Ok(Pushed::Done) => {}
            Ok(Pushed::Wake) => {
                let _ = self.server_bell.ring();
            }
            Ok(Pushed::Full) => self
                .unreleased
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(slot),
            Err(_) => self.dead.store(true, Ordering::Release),
        }
    }

    /// Takes every entry the server has pushed.
    fn drain(self: &Arc<Self>) -> Result<(), ShmError> {
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
    fn start_polling(&self) {
        self.polling.fetch_add(1, Ordering::SeqCst);
        self.responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .woke();
    }

    /// A caller stops polling: the last one raises the flag again for a sleeping reader, and
    /// takes what came while it was down (which no bell announced).
    fn stop_polling(self: &Arc<Self>) {
        if self.polling.fetch_sub(1, Ordering::SeqCst) != 1
            || !self.reader_asleep.load(Ordering::SeqCst)
        {
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

    /// Takes what the server has pushed, unless another caller or the reader is at it.
    fn poll(self: &Arc<Self>) {
        let Ok(mut responses) = self.responses.try_lock() else {
            return;
        };
        let taken = (|| {
            while let Some(entry) = responses.pop()? {
                self.take(entry)?;
            }
            Ok::<_, ShmError>(())
        })();
        drop(responses);
        if let Err(e) = taken {
            self.fail_all(&Status::unavailable(format!(
                "the shared-memory session ended: the server broke the protocol: {e}"
            )));
        }
    }

    /// Ends every call in flight with `status`: the session is over.
    fn fail_all(&self, status: &Status) {
        self.dead.store(true, Ordering::Release);
        for (_, pending) in self.calls().drain() {
            if let Some(events) = pending.events {
                let _ = events.send(Event::End(Err(status.clone())));
            }
        }
        self.freed.notify_waiters();
    }

    /// Takes one entry from the server; an error is a protocol violation.
    fn take(self: &Arc<Self>, entry: Entry) -> Result<(), ShmError> {
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
                    let _ = events.send(Event::Message(Payload::lent(lease)));
                }
                if last {
                    let pending = calls.remove(&entry.call);
                    drop(calls);
                    if let Some(pending) = pending {
                        self.free_request_slot(pending.request_slot);
                        if let Some(events) = pending.events {
                            let _ = events.send(Event::End(Ok(())));
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
                        let _ = events.send(Event::End(ended));
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
    let mut hangup = std::pin::pin!(super::server::hung_up(&stream));
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
struct Polling(Arc<ClientSession>);

impl Polling {
    fn start(session: &Arc<ClientSession>) -> Polling {
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
struct Lease {
    session: Arc<ClientSession>,
    slot: u32,
    len: usize,
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
struct CallGuard {
    session: Arc<ClientSession>,
    call: u64,
    ended: bool,
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
