//! The implementations under benchmark ("peers"), one module each, behind one trait.
//!
//! A [`Peer`] does, for one [`Dataset`], the operations of the benchmarks ([`Op`]) that it
//! supports; the others are reported as n/a. The bench (`benches/datasets.rs`) takes the list
//! of a dataset's peers from [`Peers::peers`], checks that every peer's full read gives the
//! dataset's checksum (and, after an update, the updated data's), then measures each operation
//! of each peer as the criterion benchmark `<dataset>/<operation>/<peer name>`.
//!
//! # Adding a peer
//!
//! 1. Write `src/peers/<name>.rs`: a type that keeps its state (builders, reused buffers, the
//!    message it reads) and implements [`Peer<D>`] for each dataset `D` it covers: `name` (the
//!    benchmark id, e.g. `"weftbuf"`), `ops` (what it supports), then those operations. The
//!    modules here show two shapes: one generic `impl<D: ...> Peer<D>` over a small
//!    per-dataset trait (`fb`, `rkyv`, `capnp`), or one `impl` per dataset (`weftbuf_dyn`).
//! 2. Add `pub mod <name>;` below and one line per dataset to the lists of [`Peers`] at the
//!    end of this file.
//!
//! The report (`scripts/bench_report.py`) finds every benchmark by its group and id; the
//! `weftbuf` id is the numerator of its ratio tables.

use std::fmt;

use crate::Error;
use crate::data::{Dataset, Log, Mesh, minecraft_savedata::MinecraftSavedata, mk48::Mk48};

pub mod capnp;
pub mod fb;
pub mod plain;
pub mod rkyv;
pub mod weftbuf;
pub mod weftbuf_dyn;

/// An operation of the benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Serialize the records into the peer's (reused, where it can) buffer.
    Serialize,
    /// Validate the message and get its root: what it takes to hand untrusted bytes to code.
    Access,
    /// Validate the message, then touch every field of every record, summing them up.
    Read,
    /// Change one scalar of every record in the message, in place.
    Update,
}

impl Op {
    /// Every operation, in the order they are measured.
    pub const ALL: [Op; 4] = [Op::Serialize, Op::Access, Op::Read, Op::Update];

    /// The name in criterion's group (`<dataset>/<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Op::Serialize => "serialize",
            Op::Access => "access",
            Op::Read => "read",
            Op::Update => "update",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of an operation a peer does not implement (the bench never calls one).
pub fn unsupported(name: &str, op: Op) -> Error {
    format!("{name} does not implement {op}").into()
}

/// One implementation's operations on one dataset.
///
/// The peer owns the message that [`Peer::access`], [`Peer::read`] and [`Peer::update`] work
/// on: the last one [`Peer::serialize`] made, or, for a peer that does not serialize, one it
/// made when it was created. A peer that updates also serializes (the bench serializes again
/// to undo the update it checks).
pub trait Peer<D: Dataset> {
    /// The benchmark id: the implementation's column in the report.
    fn name(&self) -> &'static str;

    /// The operations it implements; the others are n/a.
    fn ops(&self) -> &'static [Op];

    /// Serializes `data` into the peer's buffer, which becomes its message; returns the
    /// message's size in bytes (0 when there is no serialized form).
    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        let _ = data;
        Err(unsupported(self.name(), Op::Serialize))
    }

    /// The message the other operations work on, if the peer has a serialized form.
    fn message(&self) -> Option<&[u8]> {
        None
    }

    /// Validates the message and gets its root (dropped at once).
    fn access(&self) -> Result<(), Error> {
        Err(unsupported(self.name(), Op::Access))
    }

    /// Validates the message and touches every field of every record; returns their sum
    /// ([`Dataset::checksum`]).
    fn read(&self) -> Result<D::Sum, Error> {
        Err(unsupported(self.name(), Op::Read))
    }

    /// Makes [`Dataset::update`]'s change in the message, in place.
    fn update(&mut self) -> Result<(), Error> {
        Err(unsupported(self.name(), Op::Update))
    }
}

/// The peers of a dataset, in the order of the report's columns.
pub type PeerList<D> = Vec<Box<dyn Peer<D>>>;

/// A dataset's list of peers.
pub trait Peers: Dataset + Sized {
    /// Every peer of this dataset, created for `data` (those that do not serialize make their
    /// message from it now).
    fn peers(data: &Self::Data) -> Result<PeerList<Self>, Error>;
}

impl Peers for Log {
    fn peers(data: &Self::Data) -> Result<PeerList<Self>, Error> {
        Ok(vec![
            Box::new(plain::Plain::<Self>::new()),
            Box::new(fb::Flatbuffers::new()),
            Box::new(rkyv::Rkyv::new()),
            Box::new(capnp::Capnp::new()),
            Box::new(weftbuf::Weftbuf::new()),
            Box::new(weftbuf_dyn::LogDyn::new(
                data,
                weftbuf_dyn::Variant::Reused,
            )?),
            Box::new(weftbuf_dyn::LogDyn::new(data, weftbuf_dyn::Variant::Alloc)?),
            Box::new(weftbuf_dyn::LogDyn::new(
                data,
                weftbuf_dyn::Variant::FlatBuffers,
            )?),
            Box::new(weftbuf_dyn::LogDyn::new(
                data,
                weftbuf_dyn::Variant::Memcpy,
            )?),
        ])
    }
}

impl Peers for Mesh {
    fn peers(data: &Self::Data) -> Result<PeerList<Self>, Error> {
        Ok(vec![
            Box::new(plain::Plain::<Self>::new()),
            Box::new(fb::Flatbuffers::new()),
            Box::new(rkyv::Rkyv::new()),
            Box::new(capnp::Capnp::new()),
            Box::new(weftbuf::Weftbuf::new()),
            Box::new(weftbuf_dyn::MeshDyn::new(
                data,
                weftbuf_dyn::Variant::Reused,
            )?),
            Box::new(weftbuf_dyn::MeshDyn::new(
                data,
                weftbuf_dyn::Variant::Alloc,
            )?),
            Box::new(weftbuf_dyn::MeshDyn::new(
                data,
                weftbuf_dyn::Variant::Slice,
            )?),
            Box::new(weftbuf_dyn::MeshDyn::new(
                data,
                weftbuf_dyn::Variant::FlatBuffers,
            )?),
            Box::new(weftbuf_dyn::MeshDyn::new(
                data,
                weftbuf_dyn::Variant::Memcpy,
            )?),
        ])
    }
}

impl Peers for MinecraftSavedata {
    fn peers(_data: &Self::Data) -> Result<PeerList<Self>, Error> {
        Ok(vec![
            Box::new(plain::Plain::<Self>::new()),
            Box::new(fb::Flatbuffers::new()),
            Box::new(rkyv::Rkyv::new()),
            Box::new(capnp::Capnp::new()),
            Box::new(weftbuf::Weftbuf::new()),
        ])
    }
}

impl Peers for Mk48 {
    fn peers(_data: &Self::Data) -> Result<PeerList<Self>, Error> {
        Ok(vec![
            Box::new(plain::Plain::<Self>::new()),
            Box::new(fb::Flatbuffers::new()),
            Box::new(rkyv::Rkyv::new()),
            Box::new(capnp::Capnp::new()),
            Box::new(weftbuf::Weftbuf::new()),
        ])
    }
}
