//! Calling over shared memory: requests written into the session's request slots, responses
//! read in place in its response slots, lent to the caller until dropped.

mod mailbox;
mod session;

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use tokio::sync::mpsc;
use weftbuf_rt::{Builder, MethodDescriptor, file_identifier};

use super::ShmError;
use super::bell::{CLOCK_EVERY, HOT_SPIN, SPIN};
use super::handshake::{Address, hello};
use super::layout::{FLAG_STREAMED, kind};
use super::ring::Entry;
use super::slot::{message_offset, write_call};
use crate::duplex::{Event, EventSink, spawn_duplex};
use crate::ready::{WaitForReady, nothing_listens};
use crate::stream::Flow;
use crate::{BoxFuture, Build, Channel, Context, Payload, RawStream, Sender, Status};
use mailbox::{Receiver, TryRecvError, mailbox};
use session::{CallGuard, ClientSession, Pending, Polling};

/// A channel to services behind a shared-memory server (`shm://path` in `weftbuf.toml`).
///
/// It connects on the first call and again after the session is lost (the server restarted,
/// say). A call with a deadline waits for a server that is not listening yet (one starting)
/// while its deadline allows; a call without one is `UNAVAILABLE` at once. A request is written into a slot of the session's segment; the response is read
/// where the server wrote it, lent to the caller (`Message::is_lent`) until dropped.
pub struct ShmChannel {
    address: Address,
    /// The session, held while connecting: one call connects, the others wait for it.
    session: tokio::sync::Mutex<Option<Arc<ClientSession>>>,
    /// The session as calls take it, without waiting.
    live: std::sync::Mutex<Option<Arc<ClientSession>>>,
}

impl ShmChannel {
    /// A channel to the server at `address`, connecting on the first call.
    pub fn new(address: Address) -> ShmChannel {
        ShmChannel {
            address,
            session: tokio::sync::Mutex::new(None),
            live: std::sync::Mutex::new(None),
        }
    }

    /// The live session, connecting when there is none.
    async fn session(&self, ctx: &Context) -> Result<Arc<ClientSession>, Status> {
        if let Some(session) = self.live() {
            return Ok(session);
        }
        // Boxed: the future of every call does not carry a connection's.
        Box::pin(self.connect(ctx)).await
    }

    /// The session, if there is one and it is alive.
    fn live(&self) -> Option<Arc<ClientSession>> {
        let current = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|s| !s.dead.load(Ordering::Acquire))
            .cloned()
    }

    /// Connects, unless a call that connected meanwhile made a live session; waits for a
    /// server that is not listening yet as [`WaitForReady`] says. One call connects at a
    /// time, but none holds the others up while it pauses: each waits within its own
    /// deadline (a call without one fails at once).
    async fn connect(&self, ctx: &Context) -> Result<Arc<ClientSession>, Status> {
        let mut wait = WaitForReady::new();
        loop {
            let why = {
                let mut current = self.session.lock().await;
                if let Some(session) = current.as_ref().filter(|s| !s.dead.load(Ordering::Acquire))
                {
                    return Ok(session.clone());
                }
                match hello(&self.address).await {
                    Ok(session) => {
                        let session = ClientSession::start(session).map_err(|e| {
                            Status::unavailable(format!("shm://{}: {e}", self.address))
                        })?;
                        *current = Some(session.clone());
                        *self.live.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(session.clone());
                        return Ok(session);
                    }
                    Err(ShmError::Io("connect", io)) if nothing_listens(&io) => {
                        format!("shm://{}: connect: {io}", self.address)
                    }
                    Err(e) => {
                        return Err(Status::unavailable(format!("shm://{}: {e}", self.address)));
                    }
                }
            };
            wait.pause(ctx, &why).await?;
        }
    }

    /// Starts a call of `method` with its request `body` in a request slot. A caller that
    /// `polls` for its answer gets its [`Polling`], started before the request goes out;
    /// otherwise the session's reader is armed to take the answer.
    async fn start(
        &self,
        method: &'static MethodDescriptor,
        ctx: &Context,
        body: Body<'_>,
        polls: bool,
    ) -> Result<(CallGuard, Receiver, Option<Polling>), Status> {
        let session = self.session(ctx).await?;
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
        let (events, received) = mailbox();
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
        let polling = if polls {
            Some(Polling::start(&session))
        } else {
            session.arm();
            None
        };
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
        Ok((guard, received, polling))
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
    mut events: Receiver,
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
                let (mut guard, mut events, mut polling) =
                    self.start(method, &ctx, body, true).await?;
                let session = guard.session.clone();
                let mut response = None;
                let started = Instant::now();
                let spin_until = started + SPIN;
                let (mut hot, mut turns) = (true, 0u32);
                loop {
                    // Polling the ring for a while first: a quick answer is taken here, with
                    // no wakeup of the reader or of this task.
                    let event = match events.try_recv() {
                        Ok(event) => event,
                        Err(TryRecvError::Empty) if session.poll() => continue,
                        // A quick answer comes within microseconds: waited for on this thread
                        // at first (the clock read every few turns only, a turn is quicker),
                        // then yielding to its other tasks.
                        Err(TryRecvError::Empty) if hot => {
                            std::hint::spin_loop();
                            turns = turns.wrapping_add(1);
                            hot =
                                !turns.is_multiple_of(CLOCK_EVERY) || started.elapsed() < HOT_SPIN;
                            continue;
                        }
                        Err(TryRecvError::Empty) if Instant::now() < spin_until => {
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
            let (guard, mut events, _) = crate::call::supervise(
                self.start(method, &ctx, Body::Bytes(request), false),
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
            let (guard, events, _) = crate::call::supervise(
                self.start(method, &ctx, Body::Streamed, false),
                &ctx,
                method,
            )
            .await?;
            // Requests are copied into slots as the caller sends them, by a task of the
            // call's own, whether or not the caller reads responses meanwhile.
            spawn_duplex(method, ctx, move |_, requests, sink| {
                carry(guard, events, requests, sink)
            })
        })
    }
}
