//! What a call carries besides its request: a deadline, a cancellation signal and metadata.
//! The same on every boundary; a transport carries them across (on gRPC: `grpc-timeout`,
//! `RST_STREAM`, headers).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use super::status::Status;

/// A call's context, as its handler sees it.
#[derive(Debug, Clone, Default)]
pub struct Context {
    deadline: Option<Instant>,
    metadata: Metadata,
    cancel: CancelToken,
}

impl Context {
    /// A context with no deadline, no metadata, not cancelled.
    pub fn new() -> Context {
        Context::default()
    }

    /// A context with no deadline and no metadata, cancelled through `token` (which a
    /// transport keeps, to cancel the call when its caller gives up).
    pub fn cancelled_by(token: CancelToken) -> Context {
        Context {
            deadline: None,
            metadata: Metadata::default(),
            cancel: token,
        }
    }

    /// The same context with a deadline `timeout` from now.
    pub fn with_timeout(self, timeout: Duration) -> Context {
        self.with_deadline(Instant::now() + timeout)
    }

    /// The same context with deadline `deadline`.
    pub fn with_deadline(mut self, deadline: Instant) -> Context {
        self.deadline = Some(deadline);
        self
    }

    /// The same context with `metadata`.
    pub fn with_metadata(mut self, metadata: Metadata) -> Context {
        self.metadata = metadata;
        self
    }

    /// The same context, cancelled through `token` (shared with whoever may cancel).
    pub fn with_cancel(mut self, token: CancelToken) -> Context {
        self.cancel = token;
        self
    }

    /// When the call must be done, if it has a deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The time left before the deadline (zero once it passed), if there is one.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// The call's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The call's cancellation signal.
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    /// `CANCELLED` once the caller cancelled, `DEADLINE_EXCEEDED` once the deadline passed;
    /// what a handler checks between steps of long work.
    pub fn check(&self) -> Result<(), Status> {
        if self.cancel.is_cancelled() {
            return Err(Status::cancelled("the caller cancelled the call"));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Status::deadline_exceeded("the call's deadline passed"));
        }
        Ok(())
    }
}

/// A cancellation signal shared by the caller and the handler: cheap to clone, set once.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    waiting: Mutex<Waiting>,
}

/// The tasks to wake on a cancel. Most calls have one (the call's own task), kept without
/// an allocation.
#[derive(Debug, Default)]
struct Waiting {
    first: Option<Waker>,
    more: Vec<Waker>,
}

impl Waiting {
    /// Adds `waker` unless it wakes a task already waiting.
    fn register(&mut self, waker: &Waker) {
        match &self.first {
            None => self.first = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                if !self.more.iter().any(|w| w.will_wake(waker)) {
                    self.more.push(waker.clone());
                }
            }
        }
    }

    /// Every waker, leaving none.
    fn take(&mut self) -> impl Iterator<Item = Waker> + use<> {
        self.first
            .take()
            .into_iter()
            .chain(std::mem::take(&mut self.more))
    }
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels: `is_cancelled` is true from now on, and every task awaiting
    /// [`CancelToken::cancelled`] wakes.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::Release);
        let wakers = self
            .0
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        for waker in wakers {
            waker.wake();
        }
    }

    /// Whether the call was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::Acquire)
    }

    /// Completes when the call is cancelled (at once if it was already).
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled { token: self }
    }
}

/// The future of [`CancelToken::cancelled`].
#[derive(Debug)]
pub struct Cancelled<'a> {
    token: &'a CancelToken,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        self.token
            .0
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .register(cx.waker());
        // Checked again under the registration: a cancel in between is not missed.
        if self.token.is_cancelled() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Key-value pairs sent with a call, as gRPC defines them: keys are lowercase ASCII
/// (`a-z`, `0-9`, `-`, `_`, `.`); values are printable ASCII, or any bytes when the key ends
/// in `-bin`. Order is kept and a key may repeat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: Vec<(String, Vec<u8>)>,
}

impl Metadata {
    /// No entries.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Adds an entry; `INVALID_ARGUMENT` for a key or value gRPC would not carry.
    pub fn insert(&mut self, key: &str, value: impl Into<Vec<u8>>) -> Result<(), Status> {
        let value = value.into();
        let key_ok = !key.is_empty()
            && key.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
            });
        if !key_ok || key.starts_with("grpc-") {
            return Err(Status::invalid_argument(format!(
                "metadata key {key:?} is not a lowercase gRPC header name of its own"
            )));
        }
        if !key.ends_with("-bin") && !value.iter().all(|b| (0x20..0x7f).contains(b)) {
            return Err(Status::invalid_argument(format!(
                "metadata value of {key:?} is not printable ASCII (name the key `{key}-bin` for bytes)"
            )));
        }
        self.entries.push((key.to_string(), value));
        Ok(())
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of `key` as text, when it is text.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A timeout as gRPC's `grpc-timeout` header writes it: at most 8 digits and a unit, in the
/// finest unit that fits (rounded up, so the callee never gets more time than the caller).
pub fn encode_timeout(timeout: Duration) -> String {
    const MAX: u128 = 99_999_999;
    let nanos = timeout.as_nanos();
    for (unit, per) in [
        ("n", 1u128),
        ("u", 1_000),
        ("m", 1_000_000),
        ("S", 1_000_000_000),
        ("M", 60_000_000_000),
        ("H", 3_600_000_000_000),
    ] {
        let value = nanos.div_ceil(per);
        if value <= MAX {
            return format!("{value}{unit}");
        }
    }
    format!("{MAX}H")
}

/// Reads a `grpc-timeout` header value; `None` when it is malformed.
pub fn parse_timeout(text: &str) -> Option<Duration> {
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    Some(match unit {
        "n" => Duration::from_nanos(value),
        "u" => Duration::from_micros(value),
        "m" => Duration::from_millis(value),
        "S" => Duration::from_secs(value),
        "M" => Duration::from_secs(value * 60),
        "H" => Duration::from_secs(value * 3600),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Code;

    #[test]
    fn timeouts_round_trip_in_grpc_form() {
        for d in [
            Duration::from_nanos(1),
            Duration::from_millis(250),
            Duration::from_secs(3),
            Duration::from_secs(86_400 * 400),
        ] {
            let text = encode_timeout(d);
            let back = parse_timeout(&text).unwrap();
            assert!(back >= d, "{text}");
        }
        assert_eq!(encode_timeout(Duration::from_millis(250)), "250000u");
        assert_eq!(encode_timeout(Duration::from_secs(1000)), "1000000m");
        assert_eq!(parse_timeout("100m"), Some(Duration::from_millis(100)));
        for bad in ["", "m", "123456789m", "10x", "-1S", "1.5S"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn contexts_report_deadlines_and_cancellation() {
        let ctx = Context::new().with_timeout(Duration::ZERO);
        assert_eq!(ctx.check().unwrap_err().code, Code::DeadlineExceeded);
        let token = CancelToken::new();
        let ctx = Context::new().with_cancel(token.clone());
        assert!(ctx.check().is_ok());
        token.cancel();
        assert_eq!(ctx.check().unwrap_err().code, Code::Cancelled);
    }

    #[test]
    fn cancellation_wakes_a_waiting_task() {
        use std::task::Wake;
        struct Flag(AtomicBool);
        impl Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let mut cx = std::task::Context::from_waker(&waker);
        let token = CancelToken::new();
        let mut future = Box::pin(token.cancelled());
        assert!(future.as_mut().poll(&mut cx).is_pending());
        let other = token.clone();
        std::thread::spawn(move || other.cancel()).join().unwrap();
        assert!(flag.0.load(Ordering::SeqCst));
        assert!(future.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn cancellation_wakes_every_waiting_task_once() {
        use std::sync::atomic::AtomicUsize;
        use std::task::Wake;
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let counts: Vec<Arc<Count>> = (0..3)
            .map(|_| Arc::new(Count(AtomicUsize::new(0))))
            .collect();
        let token = CancelToken::new();
        for count in &counts {
            let waker = Waker::from(count.clone());
            let mut cx = std::task::Context::from_waker(&waker);
            // Polled twice, registered once.
            for _ in 0..2 {
                assert!(
                    Box::pin(token.cancelled())
                        .as_mut()
                        .poll(&mut cx)
                        .is_pending()
                );
            }
        }
        token.cancel();
        token.cancel();
        for count in &counts {
            assert_eq!(count.0.load(Ordering::SeqCst), 1);
        }
    }

    #[test]
    fn metadata_follows_grpc_rules() {
        let mut m = Metadata::new();
        m.insert("x-user", "ada").unwrap();
        m.insert("trace-bin", vec![0, 255]).unwrap();
        assert_eq!(m.get_str("x-user"), Some("ada"));
        assert_eq!(m.get("trace-bin"), Some(&[0u8, 255][..]));
        assert!(m.insert("X-Upper", "v").is_err());
        assert!(m.insert("grpc-timeout", "1S").is_err());
        assert!(m.insert("text", vec![0]).is_err());
        assert_eq!(m.len(), 2);
    }
}
