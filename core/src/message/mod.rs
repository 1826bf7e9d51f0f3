//! Messages: write them front to back, verify untrusted bytes, read them in place.

mod builder;
mod encode;
mod mutate;
mod read_value;
mod scalar;
mod value;
mod verify;
mod verify_error;
mod view;

pub use builder::{BuildError, Builder, ObjectRef, Region};
pub use encode::{MAX_ENCODE_DEPTH, encode, encode_into};
pub(crate) use encode::{nested_root, unknown_member};
pub use mutate::{MutateError, StructMut, TableMut, VectorMut};
pub(crate) use read_value::expansion_budget;
pub use read_value::{MAX_READ_DEPTH, read_value};
pub(crate) use scalar::narrow_f64;
pub use scalar::{Scalar, ScalarError, encode_scalar, read_scalar};
pub use value::Value;
pub use verify::{Limits, Verified, verify};
pub(crate) use verify::{Step, render_path};
pub use verify_error::VerifyError;
pub use view::{
    ArrayView, Field, Format, ReadError, Reader, StructView, TableView, UnionView, VectorView,
};
