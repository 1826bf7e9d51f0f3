//! Messages: write them front to back, verify untrusted bytes, read them in place.

mod encode;
mod mutate;
mod read_value;
mod scalar;
mod value;
mod verify;
mod view;

pub use crate::rt::{BuildError, Builder, Limits, ObjectRef, Region, VerifyError};
pub use encode::{MAX_ENCODE_DEPTH, encode, encode_into};
pub(crate) use encode::{nested_root, unknown_member};
pub use mutate::{MutateError, StructMut, TableMut, VectorMut};
pub(crate) use read_value::expansion_budget;
pub use read_value::{MAX_READ_DEPTH, read_value};
pub(crate) use scalar::narrow_f64;
pub use scalar::{Scalar, ScalarError, encode_scalar, read_scalar};
pub use value::Value;
pub(crate) use verify::{Step, render_path};
pub use verify::{Verified, verify};
pub use view::{
    ArrayView, Field, Format, ReadError, Reader, StructView, TableView, UnionView, VectorView,
};
