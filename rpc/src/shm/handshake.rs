//! The bootstrap (`docs/shm.md`, section 1): HELLO from the client, the peer's credentials
//! checked, WELCOME from the server with the segment's memfd and the two bells attached.

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::UnixStream;
use weftbuf_rt::read_or;

use super::ShmError;
use super::layout::{Geometry, VERSION};
use super::segment::Segment;

const HELLO_MAGIC: [u8; 8] = *b"WEFTSHMH";
const WELCOME_MAGIC: [u8; 8] = *b"WEFTSHMW";
const HELLO_SIZE: usize = 16;
const WELCOME_SIZE: usize = 64;

/// Why a server refused a connection (WELCOME's status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Refusal {
    /// The client speaks another protocol version.
    Version = 1,
    /// The client's user is not allowed.
    NotAllowed = 2,
    /// The server could not set a session up.
    NoResources = 3,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Version => "the server speaks another protocol version",
            Refusal::NotAllowed => "this user is not allowed to connect",
            Refusal::NoResources => "the server could not set a session up",
        })
    }
}

/// Where a server listens: a socket file, or an abstract name (`@name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A socket file.
    Path(PathBuf),
    /// An abstract socket name (no file; Linux).
    Abstract(Vec<u8>),
}

impl std::fmt::Display for Address {
    /// As `weftbuf.toml` writes it after `shm://`: the path, or `@name`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Path(path) => write!(f, "{}", path.display()),
            Address::Abstract(name) => write!(f, "@{}", String::from_utf8_lossy(name)),
        }
    }
}

impl Address {
    /// The address a `shm://` location's path names: `@name` is abstract.
    pub fn new(path: &Path) -> Address {
        match path.to_str().and_then(|p| p.strip_prefix('@')) {
            Some(name) => Address::Abstract(name.as_bytes().to_vec()),
            None => Address::Path(path.to_path_buf()),
        }
    }

    fn std(&self) -> std::io::Result<std::os::unix::net::SocketAddr> {
        use std::os::linux::net::SocketAddrExt;
        match self {
            Address::Path(path) => std::os::unix::net::SocketAddr::from_pathname(path),
            Address::Abstract(name) => std::os::unix::net::SocketAddr::from_abstract_name(name),
        }
    }

    /// Listens here, at once (clients may connect from now on; no runtime needed): a socket
    /// file is made readable and writable by its owner only. A socket file left by a server
    /// that is gone (killed, say) is replaced; one a live server listens on is an error.
    pub(crate) fn listen(&self) -> Result<std::os::unix::net::UnixListener, ShmError> {
        let addr = self.std().map_err(|e| ShmError::Io("socket address", e))?;
        let listener = match std::os::unix::net::UnixListener::bind_addr(&addr) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => match self {
                Address::Path(path)
                    if std::os::unix::net::UnixStream::connect_addr(&addr)
                        .is_err_and(|c| c.kind() == std::io::ErrorKind::ConnectionRefused) =>
                {
                    // Nobody listens: the file outlived its server.
                    std::fs::remove_file(path)
                        .map_err(|e| ShmError::Io("removing a stale socket", e))?;
                    std::os::unix::net::UnixListener::bind_addr(&addr)
                }
                _ => Err(e),
            },
            other => other,
        }
        .map_err(|source| ShmError::Listen {
            at: self.to_string(),
            source,
        })?;
        if let Address::Path(path) = self {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| ShmError::Io("chmod", e))?;
        }
        listener
            .set_nonblocking(true)
            .map_err(|e| ShmError::Io("listen", e))?;
        Ok(listener)
    }

    /// Connects here.
    pub(crate) fn connect(&self) -> Result<UnixStream, ShmError> {
        let stream = std::os::unix::net::UnixStream::connect_addr(
            &self.std().map_err(|e| ShmError::Io("socket address", e))?,
        )
        .map_err(|e| ShmError::Io("connect", e))?;
        stream
            .set_nonblocking(true)
            .map_err(|e| ShmError::Io("connect", e))?;
        UnixStream::from_std(stream).map_err(|e| ShmError::Io("connect", e))
    }
}

/// Which users may connect: their uids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow(pub Vec<u32>);

impl Default for Allow {
    /// The server's own user only.
    fn default() -> Self {
        Allow(vec![rustix::process::getuid().as_raw()])
    }
}

/// What each side holds once the handshake is done.
pub(crate) struct Session {
    /// The socket: it carries nothing more, and its closing says the peer is gone.
    pub(crate) stream: UnixStream,
    pub(crate) segment: Arc<Segment>,
    /// The server's bell (the client rings it).
    pub(crate) server_bell: OwnedFd,
    /// The client's bell (the server rings it).
    pub(crate) client_bell: OwnedFd,
}

/// The server's side of a handshake on `stream`: a session of `geometry` for an allowed peer.
pub(crate) async fn welcome(
    mut stream: UnixStream,
    geometry: Geometry,
    allow: &Allow,
) -> Result<Session, ShmError> {
    let mut hello = [0u8; HELLO_SIZE];
    stream
        .read_exact(&mut hello)
        .await
        .map_err(|e| ShmError::Io("reading HELLO", e))?;
    if hello[..8] != HELLO_MAGIC {
        return Err(ShmError::Protocol("the peer did not say HELLO".into()));
    }
    let version = read_or(&hello, 8, 0u32);
    if version != VERSION {
        refuse(&mut stream, Refusal::Version).await;
        return Err(ShmError::Refused(Refusal::Version));
    }
    let peer = rustix::net::sockopt::socket_peercred(&stream)
        .map_err(|e| ShmError::sys("SO_PEERCRED", e))?;
    if !allow.0.contains(&peer.uid.as_raw()) {
        refuse(&mut stream, Refusal::NotAllowed).await;
        return Err(ShmError::Refused(Refusal::NotAllowed));
    }
    let made = (|| {
        let (segment, memfd) = Segment::create(geometry)?;
        Ok::<_, ShmError>((
            segment,
            memfd,
            super::bell::Bell::create()?,
            super::bell::Bell::create()?,
        ))
    })();
    let (segment, memfd, server_bell, client_bell) = match made {
        Ok(made) => made,
        Err(e) => {
            refuse(&mut stream, Refusal::NoResources).await;
            return Err(e);
        }
    };
    let message = welcome_message(0, geometry);
    let fds = [memfd.as_fd(), server_bell.as_fd(), client_bell.as_fd()];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !control.push(SendAncillaryMessage::ScmRights(&fds)) {
        return Err(ShmError::Protocol("no room for the descriptors".into()));
    }
    let sent = stream
        .async_io(Interest::WRITABLE, || {
            rustix::net::sendmsg(
                &stream,
                &[IoSlice::new(&message)],
                &mut control,
                SendFlags::NOSIGNAL,
            )
            .map_err(std::io::Error::from)
        })
        .await
        .map_err(|e| ShmError::Io("sending WELCOME", e))?;
    if sent != WELCOME_SIZE {
        // The rest of the message, without the descriptors (they went with the first byte).
        stream
            .write_all(&message[sent..])
            .await
            .map_err(|e| ShmError::Io("sending WELCOME", e))?;
    }
    Ok(Session {
        stream,
        segment: Arc::new(segment),
        server_bell,
        client_bell,
    })
}

fn welcome_message(status: u32, geometry: Geometry) -> [u8; WELCOME_SIZE] {
    let mut message = [0u8; WELCOME_SIZE];
    message[..8].copy_from_slice(&WELCOME_MAGIC);
    message[8..12].copy_from_slice(&VERSION.to_le_bytes());
    message[12..16].copy_from_slice(&status.to_le_bytes());
    if status == 0 {
        message[16..24].copy_from_slice(&geometry.segment_size().to_le_bytes());
        message[24..28].copy_from_slice(&geometry.slot_size.to_le_bytes());
        message[28..32].copy_from_slice(&geometry.slots.to_le_bytes());
        message[32..36].copy_from_slice(&geometry.ring_entries().to_le_bytes());
    }
    message
}

/// Tells the client why it is refused; it may be gone already, which changes nothing.
async fn refuse(stream: &mut UnixStream, why: Refusal) {
    let message = welcome_message(why as u32, Geometry::default());
    let _ = stream.write_all(&message).await;
}

/// The client's side of a handshake with the server at `address`.
pub(crate) async fn hello(address: &Address) -> Result<Session, ShmError> {
    let mut stream = address.connect()?;
    let mut hello = [0u8; HELLO_SIZE];
    hello[..8].copy_from_slice(&HELLO_MAGIC);
    hello[8..12].copy_from_slice(&VERSION.to_le_bytes());
    stream
        .write_all(&hello)
        .await
        .map_err(|e| ShmError::Io("sending HELLO", e))?;

    let mut message = [0u8; WELCOME_SIZE];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let received = stream
        .async_io(Interest::READABLE, || {
            rustix::net::recvmsg(
                &stream,
                &mut [IoSliceMut::new(&mut message)],
                &mut control,
                RecvFlags::CMSG_CLOEXEC,
            )
            .map_err(std::io::Error::from)
        })
        .await
        .map_err(|e| ShmError::Io("reading WELCOME", e))?;
    let mut fds: Vec<OwnedFd> = Vec::new();
    for item in control.drain() {
        if let RecvAncillaryMessage::ScmRights(passed) = item {
            fds.extend(passed);
        }
    }
    if received.bytes == 0 {
        return Err(ShmError::Protocol(
            "the server closed the connection".into(),
        ));
    }
    if received.bytes < WELCOME_SIZE {
        stream
            .read_exact(&mut message[received.bytes..])
            .await
            .map_err(|e| ShmError::Io("reading WELCOME", e))?;
    }
    if message[..8] != WELCOME_MAGIC {
        return Err(ShmError::Protocol("the server did not say WELCOME".into()));
    }
    let word = |at: usize| read_or(&message, at, 0u32);
    match word(12) {
        0 => {}
        1 => return Err(ShmError::Refused(Refusal::Version)),
        2 => return Err(ShmError::Refused(Refusal::NotAllowed)),
        3 => return Err(ShmError::Refused(Refusal::NoResources)),
        other => {
            return Err(ShmError::Protocol(format!("WELCOME with status {other}")));
        }
    }
    let geometry = Geometry {
        slot_size: word(24),
        slots: word(28),
    };
    let size = u64::from(word(16)) | u64::from(word(20)) << 32;
    if size != geometry.segment_size() || word(32) != geometry.ring_entries() {
        return Err(ShmError::Protocol(format!(
            "WELCOME's sizes disagree: {size} bytes, {} ring entries for {geometry:?}",
            word(32)
        )));
    }
    let [memfd, server_bell, client_bell]: [OwnedFd; 3] =
        fds.try_into().map_err(|fds: Vec<OwnedFd>| {
            ShmError::Protocol(format!(
                "WELCOME came with {} descriptors, not 3",
                fds.len()
            ))
        })?;
    let segment = Segment::open(&memfd, geometry)?;
    Ok(Session {
        stream,
        segment: Arc::new(segment),
        server_bell,
        client_bell,
    })
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use tokio::net::UnixListener;

    use super::*;

    fn geometry() -> Geometry {
        Geometry {
            slot_size: 1024,
            slots: 8,
        }
    }

    async fn serve_one(listener: UnixListener, allow: Allow) -> Result<Session, ShmError> {
        let (stream, _) = listener.accept().await.unwrap();
        welcome(stream, geometry(), &allow).await
    }

    #[tokio::test]
    async fn a_handshake_shares_one_segment_and_two_bells() {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::new(&dir.path().join("pricing.sock"));
        let listener = UnixListener::from_std(address.listen().unwrap()).unwrap();
        let mode = std::fs::metadata(dir.path().join("pricing.sock")).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o600
        );
        let server = tokio::spawn(serve_one(listener, Allow::default()));
        let client = hello(&address).await.unwrap();
        let server = server.await.unwrap().unwrap();
        server.segment.u32(64).store(42, Ordering::Release);
        assert_eq!(client.segment.u32(64).load(Ordering::Acquire), 42);
        assert_eq!(client.segment.geometry(), geometry());
        // The bells are the same eventfds on both sides.
        rustix::io::write(&client.server_bell, &1u64.to_ne_bytes()).unwrap();
        let mut counter = [0u8; 8];
        rustix::io::read(&server.server_bell, &mut counter).unwrap();
        assert_eq!(u64::from_ne_bytes(counter), 1);
    }

    #[tokio::test]
    async fn a_user_not_allowed_is_refused_and_told_why() {
        let address = Address::new(Path::new("@weftbuf-test-refused"));
        let address = match address {
            Address::Abstract(mut name) => {
                name.extend_from_slice(format!("-{}", std::process::id()).as_bytes());
                Address::Abstract(name)
            }
            other => other,
        };
        let listener = UnixListener::from_std(address.listen().unwrap()).unwrap();
        let nobody = Allow(vec![u32::MAX - 1]);
        let server = tokio::spawn(serve_one(listener, nobody));
        let err = hello(&address).await.err().unwrap();
        assert!(
            matches!(err, ShmError::Refused(Refusal::NotAllowed)),
            "{err}"
        );
        assert!(matches!(
            server.await.unwrap().err().unwrap(),
            ShmError::Refused(Refusal::NotAllowed)
        ));
    }

    #[tokio::test]
    async fn a_peer_that_does_not_say_hello_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::new(&dir.path().join("s.sock"));
        let listener = UnixListener::from_std(address.listen().unwrap()).unwrap();
        let server = tokio::spawn(serve_one(listener, Allow::default()));
        let mut stream = address.connect().unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let err = server.await.unwrap().err().unwrap();
        assert!(err.to_string().contains("HELLO"), "{err}");
    }
}
