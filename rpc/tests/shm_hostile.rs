//! A hostile peer: another process completes the handshake as the protocol says, then writes
//! garbage over the segment (ring counters, entries, slots) and rings the server's bell, as
//! fast as it can. The server must neither crash nor hang, and its other clients must keep
//! getting right answers. The peer is written against `docs/shm.md` alone (rustix and
//! memmap2, none of this crate's code), which also checks that the document is enough.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::io::{IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use common::generated::storefront::{GetQuoteBuilder, PricingClient, PricingServer};
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags};
use weftbuf_rpc::Context;
use weftbuf_rpc::shm::{Address, Geometry, Listener, Server, ShmChannel};
use weftbuf_rt::Builder;

/// Which role this process plays: the test, or (re-run by it) the hostile peer.
const ROLE: &str = "WEFTBUF_SHM_HOSTILE_PEER";

use common::Pricing;

/// A session as the hostile peer holds it.
struct Peer {
    stream: UnixStream,
    map: memmap2::MmapRaw,
    server_bell: OwnedFd,
    size: usize,
    slots_offset: usize,
    /// Entries per ring, and this side's request-ring counter.
    entries: usize,
    tail: u32,
}

/// Connects, says HELLO, takes WELCOME's descriptors and maps the segment.
fn connect(socket: &str) -> Peer {
    let mut stream = UnixStream::connect(socket).unwrap();
    let mut hello = [0u8; 16];
    hello[..8].copy_from_slice(b"WEFTSHMH");
    hello[8..12].copy_from_slice(&1u32.to_le_bytes());
    stream.write_all(&hello).unwrap();

    let mut welcome = [0u8; 64];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = rustix::net::recvmsg(
        &stream,
        &mut [IoSliceMut::new(&mut welcome)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .unwrap();
    let mut fds: Vec<OwnedFd> = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(passed) = message {
            fds.extend(passed);
        }
    }
    if got.bytes < 64 {
        stream.read_exact(&mut welcome[got.bytes..]).unwrap();
    }
    assert_eq!(&welcome[..8], b"WEFTSHMW");
    assert_eq!(u32::from_le_bytes(welcome[12..16].try_into().unwrap()), 0);
    let size = u64::from_le_bytes(welcome[16..24].try_into().unwrap()) as usize;
    let [memfd, server_bell, _client_bell]: [OwnedFd; 3] = fds.try_into().unwrap();
    let map = memmap2::MmapOptions::new()
        .len(size)
        .map_raw(&memfd)
        .unwrap();
    let slots_offset = u32::from_le_bytes(welcome_word(&map, 36)) as usize;
    let entries = u32::from_le_bytes(welcome_word(&map, 20)) as usize;
    stream.set_nonblocking(true).unwrap();
    Peer {
        stream,
        map,
        server_bell,
        size,
        slots_offset,
        entries,
        tail: 0,
    }
}

impl Peer {
    /// Writes the 8 bytes at `at` (8-aligned, below the mapping's end).
    fn write(&mut self, at: usize, value: u64) {
        let at = at.min(self.size - 8) & !7;
        // SAFETY: `at` is 8-aligned and 8 bytes below the mapping's end; the memory is
        // shared with the server, which must survive whatever is written here.
        unsafe {
            self.map
                .as_mut_ptr()
                .add(at)
                .cast::<u64>()
                .write_volatile(value)
        };
    }

    /// Pushes an entry onto the request ring as the protocol says (stamped, then the tail
    /// raised), whatever the entry says.
    fn push(&mut self, words: [u64; 4]) {
        // Entries stamped in place may have been taken too: go on from the server's head.
        let head = u32::from_le_bytes(welcome_word(&self.map, 64));
        if head.wrapping_sub(self.tail) <= 4 {
            self.tail = head;
        }
        // A full ring is left alone: an entry written over before the server took it would
        // only stall this session, and the server is to see the garbage.
        if self.tail.wrapping_sub(head) as usize >= self.entries {
            return;
        }
        let at = 4096 + (self.tail as usize % self.entries) * 32;
        let stamp = u64::from(self.tail.wrapping_add(1)) << 32;
        for (i, word) in [(0, words[0]), (16, words[2]), (24, words[3])] {
            self.write(at + i, word);
        }
        self.write(at + 8, (words[1] & 0xffff_ffff) | stamp);
        self.tail = self.tail.wrapping_add(1);
        self.write(128, u64::from(self.tail));
    }

    /// Whether the server closed the session (it found the garbage).
    fn dropped(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            // The server sends nothing after WELCOME: a read that returns is the end.
            Ok(0 | 1) => true,
            Ok(_) => unreachable!("a one-byte buffer"),
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        }
    }
}

/// The hostile peer's life: sessions, one after another as the server drops them, each
/// scribbled over until `duration` is up. Returns how many sessions the server dropped.
fn hostile_peer(socket: &str, duration: Duration, seed: u64) -> u64 {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let started = Instant::now();
    let mut peer = connect(socket);
    let mut dropped = 0;
    let mut rounds = 0u64;
    let mut since = 0u64;
    while started.elapsed() < duration {
        let (size, slots_offset) = (peer.size, peer.slots_offset);
        let (at, value) = match next() % 7 {
            // The request ring's tail (this side's to write), and the response ring's head.
            0 => (128, next() % 1024),
            1 => (256, next()),
            // The server's own counters and flags, which a peer can write too.
            2 => (64 + 64 * (next() as usize % 6), next()),
            // Ring entries written in place, stamped or not: CALLs, RELEASEs, CANCELs,
            // MOREs, DONEs and garbage, slots in range or not.
            3 => {
                let at = 4096 + (next() as usize % (peer.entries * 4)) * 8;
                (at, garbage_word(&mut next, at))
            }
            // The same garbage pushed as the protocol says, so the server takes it.
            4 => {
                let words = [0, 8, 16, 24].map(|at| garbage_word(&mut next, at));
                peer.push(words);
                (128, u64::from(peer.tail))
            }
            // Slot contents: call headers, paths, messages.
            _ => (
                slots_offset + (next() as usize % (size - slots_offset - 8)),
                next(),
            ),
        };
        peer.write(at, value);
        rounds += 1;
        since += 1;
        if rounds.is_multiple_of(64) {
            let _ = rustix::io::write(&peer.server_bell, &1u64.to_ne_bytes());
            if peer.dropped() {
                dropped += 1;
                peer = connect(socket);
                since = 0;
            } else if since > 100_000 {
                // The garbage stalled this session (its counters are past recovery): a new
                // one, and this one hung up.
                peer = connect(socket);
                since = 0;
            }
        }
    }
    dropped
}

/// A word for an entry, at `at` within it: plausible kinds, slots and lengths, or noise.
fn garbage_word(next: &mut impl FnMut() -> u64, at: usize) -> u64 {
    match at % 32 {
        0 => {
            let kind = [1u64, 2, 3, 4, 5, next() & 0xff][next() as usize % 6];
            kind | ((next() % 40) << 32)
        }
        8 => (next() % 8192) | ((next() % 4) << 32),
        _ => next() % 64,
    }
}

fn welcome_word(map: &memmap2::MmapRaw, at: usize) -> [u8; 4] {
    // SAFETY: the header is at the start of the mapping, which is larger than 4 KiB.
    unsafe { std::ptr::read_volatile(map.as_ptr().add(at).cast::<[u8; 4]>()) }
}

/// Run by the test as a process of its own: the hostile peer, when asked to be.
#[test]
fn hostile_peer_process() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let (socket, seed) = role.split_once(',').unwrap();
    let dropped = hostile_peer(socket, Duration::from_secs(3), seed.parse().unwrap());
    // The server noticed the garbage, session after session.
    println!("sessions dropped: {dropped}");
    assert!(dropped > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_scribbling_over_its_segment_harms_nobody_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pricing.sock");
    let address = Address::Path(path.clone());
    let listener = Listener::bind(&address).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let geometry = Geometry {
        slot_size: 1024,
        slots: 8,
    };
    let serving = tokio::spawn(
        Server::new()
            .geometry(geometry)
            .serve(PricingServer(Pricing))
            .run_on(listener, async {
                let _ = stopped.await;
            }),
    );

    // Two hostile peers, one after the other, each for three seconds.
    let mut peers = Vec::new();
    for seed in [0x9E37_79B9_7F4A_7C15u64, 0xD1B5_4A32_D192_ED03] {
        peers.push(
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "hostile_peer_process", "--nocapture"])
                .env(ROLE, format!("{},{seed}", path.display()))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }

    // Meanwhile, an honest client: every answer right, every call bounded.
    let pricing = PricingClient::new(ShmChannel::new(address.clone()));
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < Duration::from_secs(4) {
        let sku = calls % 1000;
        let quote = tokio::time::timeout(
            Duration::from_secs(5),
            pricing.quote_with(Context::new().with_timeout(Duration::from_secs(2)), |b| {
                let mut q = GetQuoteBuilder::new(b)?;
                q.sku(sku);
                q.finish()?;
                Ok(())
            }),
        )
        .await
        .expect("the server hung")
        .expect("an honest call failed");
        assert_eq!(quote.get().sku(), sku);
        assert_eq!(quote.get().price().unwrap().units(), 100 * sku as i64);
        calls += 1;
    }
    for peer in peers {
        let out = peer.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "the hostile peer failed: {said}");
        assert!(said.contains("sessions dropped"), "{said}");
        eprintln!(
            "{}",
            said.lines().find(|l| l.contains("dropped")).unwrap_or("")
        );
    }
    assert!(calls > 100, "only {calls} honest calls in four seconds");

    // Still serving, and a new client is welcome.
    let fresh = PricingClient::new(ShmChannel::new(address));
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(42);
    q.finish().unwrap();
    assert_eq!(
        fresh
            .quote(Context::new(), b.as_bytes())
            .await
            .unwrap()
            .get()
            .sku(),
        42
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server did not stop")
        .unwrap()
        .unwrap();
}
