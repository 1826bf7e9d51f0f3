//! What slots hold (`docs/shm.md`, section 3): a call's method and metadata before its
//! request message, a status after a call's end. Reading a peer's slot never trusts a length
//! it finds there: each is bounded by the bytes that are left.

use weftbuf::service::Code;
use weftbuf_rt::read_or;

use crate::{Metadata, Status};

/// The bytes before a call's path: path length, metadata entries, metadata bytes.
const CALL_HEADER: usize = 8;
/// The bytes before a status's message: code, message length, details length, reserved.
const STATUS_HEADER: usize = 16;

/// Where a request message starts in a CALL slot: after the header, path and metadata,
/// 8-byte aligned.
pub(crate) fn message_offset(path: &str, metadata: &Metadata) -> usize {
    (CALL_HEADER + path.len() + metadata_len(metadata)).next_multiple_of(8)
}

fn metadata_len(metadata: &Metadata) -> usize {
    metadata.iter().map(|(k, v)| 6 + k.len() + v.len()).sum()
}

/// Writes a call's header, path and metadata at the start of `slot`; the message goes at
/// `message_offset`. `None` when they do not fit (or a length is over its field).
pub(crate) fn write_call(slot: &mut [u8], path: &str, metadata: &Metadata) -> Option<usize> {
    let offset = message_offset(path, metadata);
    let head = slot.get_mut(..offset)?;
    let path_len = u16::try_from(path.len()).ok()?;
    let entries = u16::try_from(metadata.len()).ok()?;
    let meta_len = u32::try_from(metadata_len(metadata)).ok()?;
    head[0..2].copy_from_slice(&path_len.to_le_bytes());
    head[2..4].copy_from_slice(&entries.to_le_bytes());
    head[4..8].copy_from_slice(&meta_len.to_le_bytes());
    let mut at = CALL_HEADER;
    head[at..at + path.len()].copy_from_slice(path.as_bytes());
    at += path.len();
    for (key, value) in metadata.iter() {
        head[at..at + 2].copy_from_slice(&u16::try_from(key.len()).ok()?.to_le_bytes());
        head[at + 2..at + 6].copy_from_slice(&u32::try_from(value.len()).ok()?.to_le_bytes());
        at += 6;
        head[at..at + key.len()].copy_from_slice(key.as_bytes());
        at += key.len();
        head[at..at + value.len()].copy_from_slice(value);
        at += value.len();
    }
    head[at..].fill(0);
    Some(offset)
}

/// A call read from a peer's slot.
#[derive(Debug)]
pub(crate) struct Call {
    /// The method path's range in the slot (UTF-8 when read).
    pub(crate) path: std::ops::Range<usize>,
    pub(crate) metadata: Metadata,
    /// The request message's range in the slot.
    pub(crate) message: std::ops::Range<usize>,
}

/// Takes `n` bytes at `at` of `bytes`, or says what is missing.
fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize, what: &str) -> Result<&'a [u8], Status> {
    let end = at.checked_add(n).filter(|&end| end <= bytes.len());
    let Some(end) = end else {
        return Err(Status::invalid_argument(format!(
            "the call's {what} runs past its {} bytes (at byte {at})",
            bytes.len()
        )));
    };
    let taken = &bytes[*at..end];
    *at = end;
    Ok(taken)
}

/// Reads the call in the first `len` bytes of `slot` (a peer's, so anything may be there):
/// `INVALID_ARGUMENT` naming what is wrong.
pub(crate) fn read_call(slot: &[u8], len: usize) -> Result<Call, Status> {
    let bytes = slot.get(..len).ok_or_else(|| {
        Status::invalid_argument(format!("a call of {len} bytes in a slot of {}", slot.len()))
    })?;
    let mut at = 0;
    let head = take(bytes, &mut at, CALL_HEADER, "header")?;
    let (path_len, entries, meta_len) = (
        usize::from(read_or(head, 0, 0u16)),
        read_or(head, 2, 0u16),
        read_or(head, 4, 0u32) as usize,
    );
    let path_at = at;
    let path = take(bytes, &mut at, path_len, "method path")?;
    std::str::from_utf8(path)
        .map_err(|_| Status::invalid_argument("the call's method path is not UTF-8"))?;
    let path = path_at..at;
    let meta = take(bytes, &mut at, meta_len, "metadata")?;
    let mut metadata = Metadata::new();
    let mut m = 0;
    for _ in 0..entries {
        let sizes = take(meta, &mut m, 6, "metadata entry")?;
        let (key_len, value_len) = (
            usize::from(read_or(sizes, 0, 0u16)),
            read_or(sizes, 2, 0u32) as usize,
        );
        let key = take(meta, &mut m, key_len, "metadata key")?;
        let value = take(meta, &mut m, value_len, "metadata value")?;
        let key = std::str::from_utf8(key)
            .map_err(|_| Status::invalid_argument("a metadata key is not UTF-8"))?;
        metadata.insert(key, value)?;
    }
    let start = at.next_multiple_of(8);
    if start > bytes.len() {
        return Err(Status::invalid_argument("the call has no request message"));
    }
    Ok(Call {
        path,
        metadata,
        message: start..bytes.len(),
    })
}

/// Writes `status` into `slot` as END carries it: the bytes written, cut short (message
/// first, then details) to fit.
pub(crate) fn write_status(slot: &mut [u8], status: &Status) -> usize {
    let room = slot.len().saturating_sub(STATUS_HEADER);
    let message = &status.message.as_bytes()[..status.message.len().min(room)];
    let details = &status.details[..status.details.len().min(room - message.len())];
    let code = status.code.as_i32() as u32;
    slot[0..4].copy_from_slice(&code.to_le_bytes());
    slot[4..8].copy_from_slice(&(message.len() as u32).to_le_bytes());
    slot[8..12].copy_from_slice(&(details.len() as u32).to_le_bytes());
    slot[12..16].fill(0);
    let mut at = STATUS_HEADER;
    slot[at..at + message.len()].copy_from_slice(message);
    at += message.len();
    slot[at..at + details.len()].copy_from_slice(details);
    at + details.len()
}

/// Reads a status from the first `len` bytes of `slot` (a peer's): what does not fit or is
/// not UTF-8 is cut or replaced, never trusted.
pub(crate) fn read_status(slot: &[u8], len: usize) -> Status {
    let bytes = slot.get(..len.min(slot.len())).unwrap_or_default();
    if bytes.len() < STATUS_HEADER {
        return Status::internal("the server ended the call with a malformed status");
    }
    let code = Code::from_i32(read_or(bytes, 0, 0i32));
    let mut at = STATUS_HEADER;
    let message =
        take(bytes, &mut at, read_or(bytes, 4, 0u32) as usize, "status").unwrap_or_default();
    let details =
        take(bytes, &mut at, read_or(bytes, 8, 0u32) as usize, "status").unwrap_or_default();
    Status::new(code, String::from_utf8_lossy(message)).with_details(details.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_reads_back_as_written() {
        let mut metadata = Metadata::new();
        metadata.insert("currency", "EUR").unwrap();
        metadata.insert("trace-bin", vec![0, 1, 2]).unwrap();
        let mut slot = vec![0xEEu8; 256];
        let path = "/storefront.Pricing/Quote";
        let at = write_call(&mut slot, path, &metadata).unwrap();
        assert_eq!(at % 8, 0);
        slot[at..at + 16].fill(7);
        let call = read_call(&slot, at + 16).unwrap();
        assert_eq!(&slot[call.path], path.as_bytes());
        assert_eq!(call.metadata, metadata);
        assert_eq!(call.message, at..at + 16);
        // Too small a slot: no call written.
        assert!(write_call(&mut [0u8; 16], path, &metadata).is_none());
    }

    #[test]
    fn a_peers_garbage_is_an_error_never_a_panic() {
        let mut slot = vec![0u8; 128];
        for seed in 0..20_000u32 {
            let mut x = seed.wrapping_mul(2_654_435_761);
            for byte in slot.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *byte = x as u8;
            }
            let len = (x as usize) % 200;
            let _ = read_call(&slot, len);
            let _ = read_status(&slot, len);
        }
        assert!(read_call(&slot, 4).is_err());
    }

    #[test]
    fn a_status_is_cut_to_fit_its_slot() {
        let status = Status::not_found("x".repeat(100)).with_details(vec![9; 100]);
        let mut slot = vec![0u8; 64];
        let len = write_status(&mut slot, &status);
        assert_eq!(len, 64);
        let read = read_status(&slot, len);
        assert_eq!(read.code, Code::NotFound);
        assert_eq!(read.message, "x".repeat(48));
        assert!(read.details.is_empty());
    }
}
