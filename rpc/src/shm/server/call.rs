//! One call, served: its request read in the client's slot, its handler run, its responses
//! built in response slots and lent to the client, its end pushed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use weftbuf_rt::{Builder, Bytes, Streaming, file_identifier};

use super::super::layout::{FLAG_LAST, kind};
use super::super::ring::Entry;
use super::super::slot::read_call;
use super::SLOT_WAIT;
use super::state::{Routes, Shared, SlotRegion, StreamedRequests};
use crate::call::{CatchPanic, supervise};
use crate::{BoxFuture, CancelToken, Context, Handler, Payload, Sink, Status};

/// Serves one call, from its request in the client's slot to its end.
pub(super) async fn serve_call(
    entry: Entry,
    token: CancelToken,
    incoming: Option<mpsc::UnboundedReceiver<Payload>>,
    shared: &Arc<Shared>,
    routes: &Routes,
) {
    let (call, request_slot) = (entry.call, entry.slot);
    let mut ctx = Context::cancelled_by(token);
    if entry.arg != 0
        && let Some(deadline) = Instant::now().checked_add(Duration::from_nanos(entry.arg))
    {
        ctx = ctx.with_deadline(deadline);
    }
    let segment = shared.segment.clone();
    let slot_bytes = segment.slot(request_slot).unwrap_or_default();
    let parsed = read_call(slot_bytes, entry.len as usize).and_then(|parsed| {
        let path = slot_bytes.get(parsed.path.clone()).unwrap_or_default();
        let (handler, index) = routes.get(path).ok_or_else(|| {
            Status::unimplemented(format!(
                "no method {} is served here",
                String::from_utf8_lossy(path)
            ))
        })?;
        Ok((parsed, handler.clone(), *index))
    });
    let (parsed, handler, index) = match parsed {
        Ok(found) => found,
        Err(status) => {
            return Box::pin(async {
                let slot = shared.response_slot(Instant::now() + SLOT_WAIT).await;
                shared.end(call, request_slot, &status, slot).await;
            })
            .await;
        }
    };
    let ctx = ctx.with_metadata(parsed.metadata);
    let request = slot_bytes.get(parsed.message).unwrap_or_default();
    let Some(method) = handler.methods().get(index) else {
        return;
    };
    let by = || ctx.deadline().unwrap_or_else(|| Instant::now() + SLOT_WAIT);
    match method.streaming {
        Streaming::None => {
            let free = shared.state().free.pop();
            let slot = match free {
                Some(slot) => Some(slot),
                // Cold paths, boxed: they would make every call's future larger.
                None => Box::pin(shared.response_slot(by())).await,
            };
            let Some(slot) = slot else {
                let status = Status::resource_exhausted(
                    "no response slot came free: the client holds every one",
                );
                return Box::pin(shared.end(call, request_slot, &status, None)).await;
            };
            let served = unary(&*handler, index, &ctx, request, shared, slot).await;
            match served {
                Ok(len) => {
                    shared.lend_and_finish(slot, call, request_slot);
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
                Err(status) => {
                    Box::pin(shared.end(call, request_slot, &status, Some(slot))).await;
                }
            }
        }
        // Boxed: a unary call's future (allocated per call) does not carry a stream's state.
        Streaming::Server | Streaming::Client | Streaming::Bidi => {
            Box::pin(streamed(
                Served {
                    handler: &*handler,
                    index,
                    ctx: &ctx,
                    request,
                    shared,
                    call,
                    request_slot,
                },
                incoming,
                by(),
            ))
            .await;
        }
    }
}

/// A call being served, as its handler's runner needs it.
struct Served<'a> {
    handler: &'a dyn Handler,
    index: usize,
    ctx: &'a Context,
    request: &'a [u8],
    shared: &'a Arc<Shared>,
    call: u64,
    request_slot: u32,
}

/// Serves a streaming call: its responses each built in a response slot, `by` bounding the
/// wait for one.
async fn streamed(
    served: Served<'_>,
    incoming: Option<mpsc::UnboundedReceiver<Payload>>,
    by: Instant,
) {
    let Served {
        handler,
        index,
        ctx,
        request,
        shared,
        call,
        request_slot,
    } = served;
    let Some(method) = handler.methods().get(index) else {
        return;
    };
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
                CatchPanic(handler.stream(index, ctx, Bytes::shared(request), &mut sink)),
                ctx,
                method,
            )
            .await
        }
        (Streaming::Client | Streaming::Bidi, Some(incoming)) => {
            let mut requests = StreamedRequests(incoming);
            supervise(
                CatchPanic(handler.duplex(index, ctx, &mut requests, &mut sink)),
                ctx,
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
        CatchPanic(handler.call(index, ctx, Bytes::shared(request), &mut response)),
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
            super::super::copied(bytes.len());
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
