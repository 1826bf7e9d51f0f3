//! weftbuf messages on gRPC's wire: the frames carry a message's bytes as they are (no
//! protobuf), statuses map one to one, and a frame longer than the receiver allows is refused
//! from its 5-byte prefix, before its body is buffered.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use bytes::{Buf, BufMut, Bytes};
use http_body::{Body, Frame, SizeHint};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

use super::pool::{BufferPool, Pooled};
use crate::{Code, Status};

/// An error of any body or service on the way.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The codec of weftbuf messages on gRPC's wire: a message is its bytes. weftbuf's own
/// client and server use it; a plain tonic client can too, to call a weftbuf server with
/// messages made by a `Builder` (`tonic::client::Grpc::unary(request, path, RawCodec)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let mut message = Vec::with_capacity(src.remaining());
        message.put(src);
        Ok(Some(message))
    }
}

/// `status` as tonic carries it (details become `grpc-status-details-bin`).
pub(crate) fn to_tonic(status: Status) -> tonic::Status {
    let code = tonic::Code::from_i32(status.code.as_i32());
    if status.details.is_empty() {
        tonic::Status::new(code, status.message)
    } else {
        tonic::Status::with_details(code, status.message, Bytes::from(status.details))
    }
}

/// A status tonic received or made, as weftbuf's.
pub(crate) fn from_tonic(status: &tonic::Status) -> Status {
    Status::new(Code::from_i32(status.code() as i32), status.message())
        .with_details(status.details().to_vec())
}

/// A gRPC message stream's body that fails with `RESOURCE_EXHAUSTED` (as a boxed
/// `tonic::Status`, which tonic's decoder passes on as it is) at the first frame announcing
/// more than `limit` bytes. tonic's own check answers `OUT_OF_RANGE`, which gRPC reserves
/// for other failures.
pub(crate) struct FrameLimit<B> {
    inner: B,
    limit: usize,
    /// The frame prefix read so far (flag byte and big-endian length).
    prefix: [u8; 5],
    prefix_len: usize,
    /// Bytes of the current frame's message not seen yet.
    remaining: usize,
    failed: bool,
}

impl<B> FrameLimit<B> {
    pub(crate) fn new(inner: B, limit: usize) -> Self {
        FrameLimit {
            inner,
            limit,
            prefix: [0; 5],
            prefix_len: 0,
            remaining: 0,
            failed: false,
        }
    }

    /// Follows the frames through `data`; the length of the first frame over the limit.
    fn scan(&mut self, mut data: &[u8]) -> Result<(), usize> {
        while !data.is_empty() {
            if self.remaining > 0 {
                let n = self.remaining.min(data.len());
                self.remaining -= n;
                data = &data[n..];
                continue;
            }
            let n = (self.prefix.len() - self.prefix_len).min(data.len());
            self.prefix[self.prefix_len..self.prefix_len + n].copy_from_slice(&data[..n]);
            self.prefix_len += n;
            data = &data[n..];
            if self.prefix_len == self.prefix.len() {
                self.prefix_len = 0;
                let [_, a, b, c, d] = self.prefix;
                let len = u32::from_be_bytes([a, b, c, d]) as usize;
                if len > self.limit {
                    return Err(len);
                }
                self.remaining = len;
            }
        }
        Ok(())
    }
}

impl<B> Body for FrameLimit<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        let frame = match ready!(Pin::new(&mut self.inner).poll_frame(cx)) {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
            None => return Poll::Ready(None),
        };
        if let Some(data) = frame.data_ref()
            && let Err(len) = self.scan(data)
        {
            self.failed = true;
            let limit = self.limit;
            let status = tonic::Status::resource_exhausted(format!(
                "a message of {len} bytes is over the limit of {limit} bytes"
            ));
            return Poll::Ready(Some(Err(Box::new(status))));
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Below this many bytes a message is copied behind its prefix into one chunk: a second
/// HTTP/2 DATA frame would cost more than the copy.
const COALESCE_BELOW: usize = 1024;

/// A request body of one gRPC message, sent as the bytes it was built in: its 5-byte prefix
/// goes as one chunk and the message as another, so a large message reaches the connection
/// without a copy (h2 writes a chunk over 256 bytes from where it is). tonic's own body
/// copies each message into a frame buffer first.
#[derive(Clone)]
pub(crate) struct OneMessage {
    /// The chunks not sent yet, first at the front.
    chunks: [Option<Bytes>; 2],
}

impl OneMessage {
    /// `message` framed (uncompressed), its buffer given back to `pool` once sent; `None`
    /// when it is too long for a frame's length.
    pub(crate) fn new(message: Vec<u8>, pool: &Arc<BufferPool>) -> Option<OneMessage> {
        let len = u32::try_from(message.len()).ok()?;
        let mut prefix = [0; 5];
        prefix[1..].copy_from_slice(&len.to_be_bytes());
        let chunks = if message.len() < COALESCE_BELOW {
            let mut frame = Vec::with_capacity(prefix.len() + message.len());
            frame.extend_from_slice(&prefix);
            frame.extend_from_slice(&message);
            pool.give(message);
            [Some(Bytes::from(frame)), None]
        } else {
            let message = Pooled {
                buffer: message,
                pool: pool.clone(),
            };
            [
                Some(Bytes::copy_from_slice(&prefix)),
                Some(Bytes::from_owner(message)),
            ]
        };
        Some(OneMessage { chunks })
    }

    fn left(&self) -> u64 {
        self.chunks.iter().flatten().map(|c| c.len() as u64).sum()
    }
}

impl Body for OneMessage {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let next = self.chunks.iter_mut().find_map(Option::take);
        Poll::Ready(next.map(|chunk| Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.iter().all(Option::is_none)
    }

    fn size_hint(&self) -> SizeHint {
        // A lower bound only: an exact hint would have hyper add a `content-length` that
        // tonic's own requests do not carry.
        let mut hint = SizeHint::new();
        hint.set_lower(self.left());
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(len: u32) -> Vec<u8> {
        let mut f = vec![0];
        f.extend_from_slice(&len.to_be_bytes());
        f.resize(5 + len as usize, 7);
        f
    }

    #[test]
    fn frame_lengths_are_followed_across_chunks() {
        let mut wire = frame(3);
        wire.extend(frame(10));
        wire.extend(frame(0));
        wire.extend(frame(11));
        for chunk in 1..wire.len() {
            let mut limit = FrameLimit::new((), 10);
            let found = wire.chunks(chunk).try_for_each(|c| limit.scan(c));
            assert_eq!(found, Err(11), "chunks of {chunk}");
        }
        let mut limit = FrameLimit::new((), 11);
        assert_eq!(limit.scan(&wire), Ok(()));
        assert_eq!((limit.prefix_len, limit.remaining), (0, 0));
    }

    /// Every chunk of `body`, in order.
    fn chunks(mut body: OneMessage) -> Vec<Bytes> {
        let waker = std::task::Waker::noop();
        let mut cx = TaskContext::from_waker(waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
            out.extend(frame.into_data().ok());
        }
        assert!(body.is_end_stream());
        out
    }

    #[test]
    fn one_message_is_its_frame_small_in_one_chunk_large_in_two() {
        for len in [0, 1, COALESCE_BELOW - 1, COALESCE_BELOW, 70_000] {
            let pool = Arc::new(BufferPool::default());
            let body = OneMessage::new(vec![7; len], &pool).expect("fits a frame");
            assert_eq!(body.size_hint().lower(), 5 + len as u64);
            let sent = chunks(body);
            assert_eq!(sent.len(), if len < COALESCE_BELOW { 1 } else { 2 });
            let wire: Vec<u8> = sent.concat();
            assert_eq!(wire, frame(len as u32), "{len} bytes");
            // The whole frame is one message to the limit that reads it.
            assert_eq!(FrameLimit::new((), len).scan(&wire), Ok(()));
        }
    }

    #[test]
    fn statuses_keep_code_message_and_details() {
        let status = Status::new(Code::NotFound, "gone").with_details(vec![1, 2, 3]);
        let back = from_tonic(&to_tonic(status.clone()));
        assert_eq!(back, status);
    }
}
