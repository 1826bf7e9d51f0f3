//! A server session driven by arbitrary bytes as its client's writes, for cargo-fuzz
//! (`fuzz/fuzz_targets/shm.rs`): ring entries, slot contents, control words and wakeups in
//! any order. Whatever they are, the server must not panic, and the session must end once
//! the client hangs up.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use weftbuf_rt::{Builder, MethodDescriptor, Streaming};

use super::bell::Bell;
use super::handshake::Session;
use super::layout::{FLAG_STREAMED, Geometry, REQUESTS, RESPONSES, kind};
use super::ring::{Consumer, Entry, Producer};
use super::segment::Segment;
use super::server::{Routes, serve_session};
use super::slot::write_call;
use crate::{BoxFuture, Context, Handler, Metadata, Sink, Source, Status};

const METHODS: &[MethodDescriptor] = &[
    method("Call", "/fuzz.Echo/Call", Streaming::None),
    method("List", "/fuzz.Echo/List", Streaming::Server),
    method("Chat", "/fuzz.Echo/Chat", Streaming::Bidi),
];

const fn method(name: &'static str, path: &'static str, streaming: Streaming) -> MethodDescriptor {
    MethodDescriptor {
        name,
        path,
        request: "fuzz.Any",
        request_tag: 0,
        response: "fuzz.Any",
        response_tag: 0,
        streaming,
        idempotent: false,
    }
}

/// Answers every call with empty messages: one per request, two per server stream.
struct Echo;

fn empty(builder: &mut Builder<'static>) -> Result<(), Status> {
    let header = weftbuf_rt::Header::Tagged {
        tag: 0,
        size_or_count: 0,
    };
    let root = builder.alloc_object(header, 0, 4)?;
    builder.finish(root, 0, *b"FUZZ")?;
    Ok(())
}

impl Handler for Echo {
    fn name(&self) -> &'static str {
        "fuzz.Echo"
    }

    fn methods(&self) -> &'static [MethodDescriptor] {
        METHODS
    }

    fn call<'a>(
        &'a self,
        _method: usize,
        _ctx: &'a Context,
        _request: weftbuf_rt::Bytes<'a>,
        response: &'a mut Builder<'static>,
    ) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move { empty(response) })
    }

    fn stream<'a>(
        &'a self,
        _method: usize,
        _ctx: &'a Context,
        _request: weftbuf_rt::Bytes<'a>,
        sink: &'a mut dyn Sink,
    ) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move {
            for _ in 0..2 {
                empty(sink.builder())?;
                sink.send().await?;
            }
            Ok(())
        })
    }

    fn duplex<'a>(
        &'a self,
        _method: usize,
        _ctx: &'a Context,
        requests: &'a mut dyn Source,
        sink: &'a mut dyn Sink,
    ) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move {
            while let Some(request) = requests.next().await {
                drop(request?);
                empty(sink.builder())?;
                sink.send().await?;
            }
            Ok(())
        })
    }
}

/// Reads the input a few bytes at a time; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken
    }
}

/// Plays `input` as a client's writes against a real server session (in this process): how
/// many entries the server answered with.
pub fn run_session(input: &[u8]) -> usize {
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()
    });
    runtime
        .as_ref()
        .map_or(0, |runtime| runtime.block_on(play(Input(input))))
}

async fn play(mut input: Input<'_>) -> usize {
    let geometry = Geometry {
        slot_size: 256,
        slots: 4,
    };
    let (Ok((segment, _memfd)), Ok(server_bell), Ok(client_bell)) =
        (Segment::create(geometry), Bell::create(), Bell::create())
    else {
        return 0;
    };
    let Ok((server_end, client_end)) = tokio::net::UnixStream::pair() else {
        return 0;
    };
    let Ok(ringer) = server_bell.try_clone() else {
        return 0;
    };
    let mut answered = 0;
    let segment = Arc::new(segment);
    let session = Session {
        stream: server_end,
        segment: segment.clone(),
        server_bell,
        client_bell,
    };
    let routes: HashMap<&'static str, Arc<dyn Handler>> =
        HashMap::from([("fuzz.Echo", Arc::new(Echo) as Arc<dyn Handler>)]);
    let server = tokio::spawn(serve_session(session, Arc::new(Routes::new(&routes))));

    let mut requests = Producer::new(segment.clone(), REQUESTS);
    let mut responses = Consumer::new(segment.clone(), RESPONSES);
    while !input.0.is_empty() {
        match input.byte() % 7 {
            // An entry, shaped by the input.
            0 => {
                let kinds = [
                    kind::CALL,
                    kind::RELEASE,
                    kind::CANCEL,
                    kind::MORE,
                    kind::DONE,
                ];
                let pick = input.byte();
                let entry = Entry {
                    kind: kinds.get(usize::from(pick % 6)).copied().unwrap_or(pick),
                    flags: input.byte() & 3,
                    slot: u32::from(input.byte() % 10),
                    len: u32::from(input.byte()) * 2,
                    call: u64::from(input.byte() % 8),
                    arg: u64::from(input.u32()),
                };
                let _ = requests.push(entry);
            }
            // Bytes anywhere in a slot.
            1 => {
                let slot = u32::from(input.byte() % 8);
                let at = usize::from(input.byte());
                let n = usize::from(input.byte() % 32);
                let bytes = input.bytes(n).to_vec();
                // SAFETY: the fuzzer is the client: it writes the slots as a client may,
                // through a mapping the server shares (and must survive).
                if let Some(room) = unsafe { segment.slot_mut(slot) }
                    && let Some(target) = room.get_mut(at..at + bytes.len())
                {
                    target.copy_from_slice(&bytes);
                }
            }
            // A well-formed call header, so that calls get as far as the handlers.
            2 => {
                let slot = u32::from(input.byte() % 4);
                let path = METHODS[usize::from(input.byte()) % METHODS.len()].path;
                let mut metadata = Metadata::new();
                if input.byte().is_multiple_of(2) {
                    let _ = metadata.insert("k", "v");
                }
                // SAFETY: as above.
                if let Some(room) = unsafe { segment.slot_mut(slot) } {
                    let _ = write_call(room, path, &metadata);
                }
            }
            // A well-formed CALL of a slot, streamed or not.
            3 => {
                let entry = Entry {
                    kind: kind::CALL,
                    flags: if input.byte().is_multiple_of(2) {
                        FLAG_STREAMED
                    } else {
                        0
                    },
                    slot: u32::from(input.byte() % 4),
                    len: 64,
                    call: u64::from(input.byte() % 8),
                    arg: 0,
                };
                let _ = requests.push(entry);
            }
            // A control word, rewritten.
            4 => {
                let words = [64, 128, 192, 256, 320, 384];
                let at = words[usize::from(input.byte()) % words.len()];
                segment.u32(at).store(input.u32(), Ordering::Relaxed);
            }
            // Responses taken, their slots released as a client does.
            5 => {
                while let Ok(Some(entry)) = responses.pop() {
                    answered += 1;
                    if entry.slot >= geometry.slots && entry.slot != u32::MAX {
                        let _ = requests.push(Entry {
                            kind: kind::RELEASE,
                            slot: entry.slot,
                            ..Entry::default()
                        });
                    }
                }
            }
            // The server woken, and given time to work.
            _ => {
                let _ = rustix::io::write(&ringer, &1u64.to_ne_bytes());
                for _ in 0..input.byte() % 16 {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
    // The client hangs up: the session ends, whatever state it was left in.
    drop(client_end);
    let ended = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(
        matches!(ended, Ok(Ok(()))),
        "the session did not end cleanly after the client hung up"
    );
    answered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arbitrary_client_writes_never_break_the_server() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut answered = 0;
        for _ in 0..300 {
            let input: Vec<u8> = (0..600)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            answered += run_session(&input);
        }
        // Calls got through to the handlers, not only to the checks before them.
        assert!(answered > 100, "{answered} answers");
    }
}
