//! Plain Rust structs in a `Vec`: the data model itself, the floor of every operation.
//!
//! "Serialize" is `Vec::clone_from` into a `Vec` the peer keeps (the structs' derived `Clone`:
//! every string is allocated afresh), there is nothing to validate (access is n/a), a read walks
//! the `Vec` touching every field ([`Dataset::checksum`]) and an update writes the field
//! ([`Dataset::update`]).

use std::marker::PhantomData;

use super::{Op, Peer};
use crate::Error;
use crate::data::Dataset;

/// The plain Rust structs peer, for any dataset.
#[derive(Debug)]
pub struct Plain<D: Dataset> {
    copy: Option<D::Data>,
    dataset: PhantomData<D>,
}

impl<D: Dataset> Plain<D> {
    /// A peer without data yet (the first [`Peer::serialize`] clones it).
    pub fn new() -> Plain<D> {
        Plain {
            copy: None,
            dataset: PhantomData,
        }
    }

    fn copy(&self) -> Result<&D::Data, Error> {
        self.copy
            .as_ref()
            .ok_or_else(|| "plain: nothing cloned yet".into())
    }
}

impl<D: Dataset> Default for Plain<D> {
    fn default() -> Self {
        Plain::new()
    }
}

impl<D: Dataset> Peer<D> for Plain<D> {
    fn name(&self) -> &'static str {
        "plain"
    }

    fn ops(&self) -> &'static [Op] {
        &[Op::Serialize, Op::Read, Op::Update]
    }

    fn serialize(&mut self, data: &D::Data) -> Result<usize, Error> {
        match &mut self.copy {
            Some(copy) => copy.clone_from(data),
            None => self.copy = Some(data.clone()),
        }
        Ok(0)
    }

    fn read(&self) -> Result<D::Sum, Error> {
        Ok(D::checksum(self.copy()?))
    }

    fn update(&mut self) -> Result<(), Error> {
        let copy = self
            .copy
            .as_mut()
            .ok_or_else(|| Error::from("plain: nothing cloned yet"))?;
        D::update(copy);
        Ok(())
    }
}
