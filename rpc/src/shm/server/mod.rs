//! Serving handlers over shared memory: a session per client, each with its segment, its
//! bells and a task of its own; a handler reads its request in the client's slot and writes
//! its response into a response slot.

mod call;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;

use super::ShmError;
use super::bell::{Bell, wait_for_entries};
use super::handshake::{Address, Allow, Session, welcome};
use super::layout::{FLAG_STREAMED, Geometry, REQUESTS, RESPONSES, kind};
use super::ring::{Consumer, Entry, Producer};
use crate::{BoxFuture, CancelToken, Handler, Payload};
use call::serve_call;
pub(crate) use state::Routes;
use state::{InFlight, RequestLease, Shared, State};

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

    /// Listens at `address` now, and returns the future that serves until `shutdown`
    /// completes (see [`Server::run_on`]): clients can connect once this returns, before the
    /// future is first polled (spawned, say), and a failure to listen is this call's error.
    pub fn run<S: Future<Output = ()>>(
        self,
        address: &Address,
        shutdown: S,
    ) -> Result<impl Future<Output = Result<(), ShmError>> + use<S>, ShmError> {
        let listener = Listener::bind(address)?;
        Ok(self.run_on(listener, shutdown))
    }

    /// Serves the clients `listener` accepts until `shutdown` completes; then stops
    /// accepting, removes the socket file and ends every session (their clients see
    /// `UNAVAILABLE`).
    pub async fn run_on(
        self,
        listener: Listener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ShmError> {
        let Listener { listener, file } = listener;
        self.geometry.check()?;
        let listener =
            tokio::net::UnixListener::from_std(listener).map_err(|e| ShmError::Io("listen", e))?;
        let routes = Arc::new(Routes::new(&self.handlers));
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
        // The file goes first: a successor may bind a file of its own at the same path as
        // soon as this one is closed.
        drop(file);
        drop(listener);
        sessions.shutdown().await;
        Ok(())
    }
}

/// A socket a [`Server`] accepts clients on, bound before it runs (so clients may connect as
/// soon as this exists).
pub struct Listener {
    listener: std::os::unix::net::UnixListener,
    file: SocketFile,
}

impl Listener {
    /// Listens at `address` (a socket file is made readable and writable by its owner only);
    /// clients may connect from now on. Needs no runtime.
    pub fn bind(address: &Address) -> Result<Listener, ShmError> {
        Ok(Listener {
            listener: address.listen()?,
            file: SocketFile(match address {
                Address::Path(path) => Some(path.clone()),
                Address::Abstract(_) => None,
            }),
        })
    }
}

/// The socket file a listener made, removed when the listener goes: a server that stops, or
/// one dropped before it ran, leaves no file behind.
struct SocketFile(Option<std::path::PathBuf>);

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Serves one client until it hangs up or breaks the protocol.
pub(crate) async fn serve_session(session: Session, routes: Arc<Routes>) {
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
            calls: Default::default(),
        }),
        freed: Notify::new(),
        untaken: Mutex::new(Vec::new()),
        segment: segment.clone(),
    });
    let mut requests = Consumer::new(segment, REQUESTS);
    let mut calls = JoinSet::new();
    let mut hangup = std::pin::pin!(super::handshake::hung_up(&stream));
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
            woken = wait_for_entries(&requests, &server_bell, calls.is_empty()) => if woken.is_err() {
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

/// Takes one entry from the client: a call to serve, if it is one; an error is a protocol
/// violation, which ends the session.
fn take(
    entry: Entry,
    shared: &Arc<Shared>,
    routes: &Arc<Routes>,
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
