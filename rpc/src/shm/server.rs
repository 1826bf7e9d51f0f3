//! Serving handlers over shared memory: a session per client, each with its segment, its
//! bells and a task of its own; a handler reads its request in the client's slot and writes
//! its response into a response slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use weftbuf::rt::{Builder, Region, Streaming, file_identifier};

use super::ShmError;
use super::bell::{Bell, wait_for_entries};
use super::handshake::{Address, Allow, Session, welcome};
use super::layout::{FLAG_LAST, FLAG_STREAMED, Geometry, NO_SLOT, REQUESTS, RESPONSES, kind};
use super::ring::{Consumer, Entry, Producer, Pushed};
use super::segment::Segment;
use super::slot::{read_call, write_status};
use crate::call::{CatchPanic, supervise};
use crate::{BoxFuture, CancelToken, Context, Handler, Lent, Payload, Sink, Source, Status};

/// How long a handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a call waits for a free response slot when the call has no deadline: a client
/// that holds every response slot and calls again gets `RESOURCE_EXHAUSTED`, not a hang.
const SLOT_WAIT: Duration = Duration::from_secs(1);

/// A shared-memory server hosting [`Handler`]s at a Unix socket (`shm://path` in
/// `weftbuf.toml`): unary and server-streaming methods, each client in a segment of its own.
#[derive(Default)]
pub struct Server {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
    geometry: Geometry,
    allow: Allow,
}

impl Server {
    /// A server hosting nothing yet: 64 slots of 64 KiB each way per client, the server's
    /// own user allowed.
    pub fn new() -> Server {
        Server::default()
    }

    /// Hosts `handler` (replacing one of the same service name).
    pub fn serve(self, handler: impl Handler) -> Server {
        self.serve_shared(Arc::new(handler))
    }

    /// Hosts a shared `handler` (replacing one of the same service name).
    pub fn serve_shared(mut self, handler: Arc<dyn Handler>) -> Server {
        self.handlers.insert(handler.name(), handler);
        self
    }

    /// The slots of each client's segment: their size bounds a message (a larger one is
    /// `RESOURCE_EXHAUSTED`), their count the calls in flight.
    pub fn geometry(mut self, geometry: Geometry) -> Server {
        self.geometry = geometry;
        self
    }

    /// The users (uids) who may connect, checked with `SO_PEERCRED`.
    pub fn allow(mut self, allow: Allow) -> Server {
        self.allow = allow;
        self
    }

    /// Listens at `address` and serves until `shutdown` completes (see [`Server::run_on`]).
    pub async fn run(
        self,
        address: &Address,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ShmError> {
        self.run_on(Listener::bind(address)?, shutdown).await
    }

    /// Serves the clients `listener` accepts until `shutdown` completes; then stops
    /// accepting, removes the socket file and ends every session (their clients see
    /// `UNAVAILABLE`).
    pub async fn run_on(
        self,
        listener: Listener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ShmError> {
        self.geometry.check()?;
        let Listener { listener, address } = listener;
        let routes = Arc::new(self.handlers);
        let mut sessions = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let (routes, geometry, allow) =
                            (routes.clone(), self.geometry, self.allow.clone());
                        sessions.spawn(async move {
                            let session = tokio::time::timeout(
                                HANDSHAKE_TIMEOUT,
                                welcome(stream, geometry, &allow),
                            )
                            .await;
                            if let Ok(Ok(session)) = session {
                                serve_session(session, routes).await;
                            }
                        });
                    }
                    // Out of descriptors, say: the listener is fine, and a pause keeps an
                    // exhausted process from spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            }
        }
        drop(listener);
        if let Address::Path(path) = &address {
            let _ = std::fs::remove_file(path);
        }
        sessions.shutdown().await;
        Ok(())
    }
}

/// A socket a [`Server`] accepts clients on, bound before it runs (so clients may connect as
/// soon as this exists).
pub struct Listener {
    listener: tokio::net::UnixListener,
    address: Address,
}

impl Listener {
    /// Listens at `address` (a socket file is made readable and writable by its owner only).
    /// Within a tokio runtime.
    pub fn bind(address: &Address) -> Result<Listener, ShmError> {
        Ok(Listener {
            listener: address.listen()?,
            address: address.clone(),
        })
    }
}

/// A response slot, lent to a builder: it keeps the segment mapped while written.
struct SlotRegion {
    segment: Arc<Segment>,
    slot: u32,
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
struct Shared {
    segment: Arc<Segment>,
    responses: Mutex<Producer>,
    client_bell: Bell,
    state: Mutex<State>,
    /// Signalled when a response slot is released.
    freed: Notify,
    /// Request slots to give back that the ring had no room for, pushed with the next entry.
    untaken: Mutex<Vec<u32>>,
}

/// What the server knows of a session, from its own bookkeeping only.
struct State {
    /// Response slots free to write.
    free: Vec<u32>,
    /// Response slots lent to the client, by index from the first response slot.
    lent: Vec<bool>,
    /// Request slots the server reads (a call in flight), by index.
    reading: Vec<bool>,
    /// Calls in flight.
    calls: HashMap<u64, InFlight>,
}

/// A call in flight.
struct InFlight {
    cancel: CancelToken,
    /// Where its streamed requests go, until DONE.
    requests: Option<mpsc::UnboundedSender<Payload>>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pushes `entry` to the client, waiting while its ring is full; an error ends the session.
    async fn push(&self, entry: Entry) -> Result<(), ShmError> {
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
    async fn response_slot(&self, by: Instant) -> Option<u32> {
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
    async fn end(&self, call: u64, request_slot: u32, status: &Status, slot: Option<u32>) {
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
    fn lend(&self, slot: u32) {
        let slots = self.segment.geometry().slots;
        if let Some(lent) = self.state().lent.get_mut((slot - slots) as usize) {
            *lent = true;
        }
    }

    /// The call is over: its request slot goes back to the client with the entry that ends
    /// it, so it is no longer read from here on.
    fn finish(&self, call: u64, request_slot: u32) {
        let mut state = self.state();
        state.calls.remove(&call);
        if let Some(reading) = state.reading.get_mut(request_slot as usize) {
            *reading = false;
        }
    }

    /// Gives streamed request slot `slot` back to the client, now or with the next entry.
    fn give_back(&self, slot: u32) {
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
    fn release(&self, slot: u32) -> Result<(), ShmError> {
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

fn taken(slot: u32) -> Entry {
    Entry {
        kind: kind::TAKEN,
        slot,
        ..Entry::default()
    }
}

/// A streamed request, read in its slot until dropped, which gives the slot back.
struct RequestLease {
    shared: Arc<Shared>,
    slot: u32,
    len: usize,
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
struct StreamedRequests(mpsc::UnboundedReceiver<Payload>);

impl Source for StreamedRequests {
    fn next(&mut self) -> BoxFuture<'_, Option<Result<Payload, Status>>> {
        Box::pin(async move { self.0.recv().await.map(Ok) })
    }
}

/// Serves one client until it hangs up or breaks the protocol.
pub(crate) async fn serve_session(
    session: Session,
    routes: Arc<HashMap<&'static str, Arc<dyn Handler>>>,
) {
    let Session {
        stream,
        segment,
        server_bell,
        client_bell,
    } = session;
    let (Ok(server_bell), Ok(client_bell)) = (Bell::new(server_bell), Bell::new(client_bell))
    else {
        return;
    };
    let geometry = segment.geometry();
    let shared = Arc::new(Shared {
        responses: Mutex::new(Producer::new(segment.clone(), RESPONSES)),
        client_bell,
        state: Mutex::new(State {
            free: (geometry.slots..2 * geometry.slots).rev().collect(),
            lent: vec![false; geometry.slots as usize],
            reading: vec![false; geometry.slots as usize],
            calls: HashMap::new(),
        }),
        freed: Notify::new(),
        untaken: Mutex::new(Vec::new()),
        segment: segment.clone(),
    });
    let mut requests = Consumer::new(segment, REQUESTS);
    let mut calls = JoinSet::new();
    let mut hangup = std::pin::pin!(hung_up(&stream));
    'session: loop {
        loop {
            match requests.pop() {
                Ok(Some(entry)) => match take(entry, &shared, &routes) {
                    Ok(Some(mut call)) => {
                        // Polled here first: a handler that answers without waiting is done
                        // without a task of its own (and the hop to it).
                        let done = std::future::poll_fn(|cx| {
                            std::task::Poll::Ready(call.as_mut().poll(cx).is_ready())
                        })
                        .await;
                        if !done {
                            calls.spawn(call);
                        }
                    }
                    Ok(None) => {}
                    Err(_) => break 'session,
                },
                Ok(None) => break,
                Err(_) => break 'session,
            }
        }
        tokio::select! {
            woken = wait_for_entries(&requests, &server_bell) => if woken.is_err() {
                break;
            },
            () = &mut hangup => break,
            Some(_) = calls.join_next(), if !calls.is_empty() => {}
        }
    }
    // The client is gone or broke the protocol: its calls are cancelled, then dropped.
    for call in shared.state().calls.values() {
        call.cancel.cancel();
    }
    calls.shutdown().await;
}

/// Completes when the peer closes its end of `stream` (exits, is killed).
pub(crate) async fn hung_up(stream: &tokio::net::UnixStream) {
    let mut byte = [0u8; 1];
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut byte) {
            // After WELCOME the client sends nothing: any byte, or the end, ends it.
            Ok(_) => return,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        }
    }
}

/// Takes one entry from the client; an error is a protocol violation, which ends the session.
/// Takes one entry from the client: a call to serve, if it is one; an error is a protocol
/// violation, which ends the session.
fn take(
    entry: Entry,
    shared: &Arc<Shared>,
    routes: &Arc<HashMap<&'static str, Arc<dyn Handler>>>,
) -> Result<Option<BoxFuture<'static, ()>>, ShmError> {
    let geometry = shared.segment.geometry();
    match entry.kind {
        kind::CALL => {
            let slot = entry.slot;
            if slot >= geometry.slots || entry.len > geometry.slot_size {
                return Err(ShmError::Protocol(format!(
                    "a call in slot {slot} of {} bytes",
                    entry.len
                )));
            }
            let token = CancelToken::new();
            let (requests, incoming) = if entry.flags & FLAG_STREAMED != 0 {
                let (requests, incoming) = mpsc::unbounded_channel();
                (Some(requests), Some(incoming))
            } else {
                (None, None)
            };
            {
                let mut state = shared.state();
                if state.calls.contains_key(&entry.call)
                    || state.reading.get(slot as usize).copied().unwrap_or(true)
                {
                    return Err(ShmError::Protocol(format!(
                        "call {} in slot {slot}: the id or the slot is in use",
                        entry.call
                    )));
                }
                state.calls.insert(
                    entry.call,
                    InFlight {
                        cancel: token.clone(),
                        requests,
                    },
                );
                if let Some(reading) = state.reading.get_mut(slot as usize) {
                    *reading = true;
                }
            }
            let (shared, routes) = (shared.clone(), routes.clone());
            Ok(Some(Box::pin(async move {
                serve_call(entry, token, incoming, &shared, &routes).await;
            })))
        }
        kind::MORE => {
            let slot = entry.slot;
            let mut state = shared.state();
            match state.reading.get_mut(slot as usize) {
                Some(reading) if !*reading && entry.len <= geometry.slot_size => *reading = true,
                _ => {
                    return Err(ShmError::Protocol(format!(
                        "a streamed request in slot {slot} of {} bytes",
                        entry.len
                    )));
                }
            }
            let requests = state
                .calls
                .get(&entry.call)
                .and_then(|call| call.requests.clone());
            drop(state);
            let lease = RequestLease {
                shared: shared.clone(),
                slot,
                len: entry.len as usize,
            };
            // A call that ended (or takes no more) gives the slot straight back, as the lease
            // is dropped.
            if let Some(requests) = requests {
                let _ = requests.send(Payload::lent(lease));
            }
            Ok(None)
        }
        kind::DONE => {
            if let Some(call) = shared.state().calls.get_mut(&entry.call) {
                call.requests = None;
            }
            Ok(None)
        }
        kind::RELEASE => shared.release(entry.slot).map(|()| None),
        kind::CANCEL => {
            if let Some(call) = shared.state().calls.get(&entry.call) {
                call.cancel.cancel();
            }
            Ok(None)
        }
        other => Err(ShmError::Protocol(format!("an entry of kind {other}"))),
    }
}

/// Serves one call, from its request in the client's slot to its end.
async fn serve_call(
    entry: Entry,
    token: CancelToken,
    incoming: Option<mpsc::UnboundedReceiver<Payload>>,
    shared: &Arc<Shared>,
    routes: &HashMap<&'static str, Arc<dyn Handler>>,
) {
    let (call, request_slot) = (entry.call, entry.slot);
    let mut ctx = Context::new().with_cancel(token);
    if entry.arg != 0
        && let Some(deadline) = Instant::now().checked_add(Duration::from_nanos(entry.arg))
    {
        ctx = ctx.with_deadline(deadline);
    }
    let segment = shared.segment.clone();
    let slot_bytes = segment.slot(request_slot).unwrap_or_default();
    let parsed = read_call(slot_bytes, entry.len as usize).and_then(|parsed| {
        let (service, _) = parsed
            .path
            .strip_prefix('/')
            .and_then(|p| p.split_once('/'))
            .unwrap_or(("", ""));
        let handler = routes.get(service).ok_or_else(|| {
            Status::unimplemented(format!("no service `{service}` is served here"))
        })?;
        let index = handler
            .methods()
            .iter()
            .position(|m| m.path == parsed.path)
            .ok_or_else(|| Status::unimplemented(format!("no method {}", parsed.path)))?;
        Ok((parsed, handler.clone(), index))
    });
    let (parsed, handler, index) = match parsed {
        Ok(found) => found,
        Err(status) => {
            let slot = shared.response_slot(Instant::now() + SLOT_WAIT).await;
            return shared.end(call, request_slot, &status, slot).await;
        }
    };
    let ctx = ctx.with_metadata(parsed.metadata);
    let request = slot_bytes.get(parsed.message).unwrap_or_default();
    let Some(method) = handler.methods().get(index) else {
        return;
    };
    let by = ctx.deadline().unwrap_or_else(|| Instant::now() + SLOT_WAIT);
    match method.streaming {
        Streaming::None => {
            let Some(slot) = shared.response_slot(by).await else {
                let status = Status::resource_exhausted(
                    "no response slot came free: the client holds every one",
                );
                return shared.end(call, request_slot, &status, None).await;
            };
            let served = unary(&*handler, index, &ctx, request, shared, slot).await;
            match served {
                Ok(len) => {
                    shared.lend(slot);
                    shared.finish(call, request_slot);
                    let _ = shared
                        .push(Entry {
                            kind: kind::REPLY,
                            flags: FLAG_LAST,
                            slot,
                            len: len as u32,
                            call,
                            ..Entry::default()
                        })
                        .await;
                }
                Err(status) => shared.end(call, request_slot, &status, Some(slot)).await,
            }
        }
        Streaming::Server | Streaming::Client | Streaming::Bidi => {
            let mut sink = SlotSink {
                shared: shared.clone(),
                call,
                by,
                builder: Builder::new(),
                slot: None,
            };
            let served = match (method.streaming, incoming) {
                (Streaming::Server, None) => {
                    supervise(
                        CatchPanic(handler.stream(index, &ctx, request, &mut sink)),
                        &ctx,
                        method,
                    )
                    .await
                }
                (Streaming::Client | Streaming::Bidi, Some(incoming)) => {
                    let mut requests = StreamedRequests(incoming);
                    supervise(
                        CatchPanic(handler.duplex(index, &ctx, &mut requests, &mut sink)),
                        &ctx,
                        method,
                    )
                    .await
                }
                _ => Err(Status::invalid_argument(format!(
                    "{}: the call's requests are not sent as the method streams them",
                    method.path
                ))),
            };
            let leftover = sink.slot.take();
            let status = served
                .err()
                .unwrap_or_else(|| Status::new(crate::Code::Ok, ""));
            let slot = match leftover {
                Some(slot) => Some(slot),
                None => shared.response_slot(Instant::now() + SLOT_WAIT).await,
            };
            shared.end(call, request_slot, &status, slot).await;
        }
    }
}

/// Runs a unary handler with its response built in `slot`: the response's length.
async fn unary(
    handler: &dyn Handler,
    index: usize,
    ctx: &Context,
    request: &[u8],
    shared: &Arc<Shared>,
    slot: u32,
) -> Result<usize, Status> {
    let method = handler
        .methods()
        .get(index)
        .ok_or_else(|| Status::internal("a method index out of range"))?;
    let region = SlotRegion {
        segment: shared.segment.clone(),
        slot,
    };
    let mut response = Builder::in_region(Box::new(region))?;
    supervise(
        CatchPanic(handler.call(index, ctx, request, &mut response)),
        ctx,
        method,
    )
    .await?;
    into_slot(response, shared, slot)
}

/// The length of the finished response in `builder`, in `slot`: where it was built, or (a
/// handler swapped the builder for one of its own) copied there if it fits.
fn into_slot(builder: Builder<'static>, shared: &Shared, slot: u32) -> Result<usize, Status> {
    if file_identifier(builder.as_bytes()).is_none() {
        return Err(Status::internal(
            "the handler returned without finishing its response",
        ));
    }
    match builder.into_region() {
        Ok((_, len)) => Ok(len),
        Err(elsewhere) => {
            let bytes = elsewhere.as_bytes();
            // SAFETY: `slot` is this call's (taken from the free list, not lent yet).
            let room = unsafe { shared.segment.slot_mut(slot) }.unwrap_or_default();
            let capacity = room.len();
            let target = room.get_mut(..bytes.len()).ok_or_else(|| {
                Status::resource_exhausted(format!(
                    "a response of {} bytes does not fit a slot of {capacity}",
                    bytes.len(),
                ))
            })?;
            target.copy_from_slice(bytes);
            super::copied(bytes.len());
            Ok(bytes.len())
        }
    }
}

/// A streaming handler's responses, each built in a response slot and lent to the client.
struct SlotSink {
    shared: Arc<Shared>,
    call: u64,
    by: Instant,
    /// The builder of the next response: in `slot` when one was free.
    builder: Builder<'static>,
    slot: Option<u32>,
}

impl Sink for SlotSink {
    fn builder(&mut self) -> &mut Builder<'static> {
        if self.slot.is_none() {
            self.slot = self.shared.state().free.pop();
        }
        let region = self.slot.and_then(|slot| {
            Builder::in_region(Box::new(SlotRegion {
                segment: self.shared.segment.clone(),
                slot,
            }))
            .ok()
        });
        // No slot free: a builder of its own, copied into a slot when one comes free.
        self.builder = region.unwrap_or_default();
        &mut self.builder
    }

    fn send(&mut self) -> BoxFuture<'_, Result<(), Status>> {
        Box::pin(async move {
            let slot = match self.slot.take() {
                Some(slot) => slot,
                None => self.shared.response_slot(self.by).await.ok_or_else(|| {
                    Status::resource_exhausted(
                        "no response slot came free: the client holds every one",
                    )
                })?,
            };
            let builder = std::mem::take(&mut self.builder);
            let len = match into_slot(builder, &self.shared, slot) {
                Ok(len) => len,
                Err(status) => {
                    self.slot = Some(slot);
                    return Err(status);
                }
            };
            self.shared.lend(slot);
            self.shared
                .push(Entry {
                    kind: kind::REPLY,
                    slot,
                    len: len as u32,
                    call: self.call,
                    ..Entry::default()
                })
                .await
                .map_err(|e| Status::unavailable(e.to_string()))
        })
    }
}
