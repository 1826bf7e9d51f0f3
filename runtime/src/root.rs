//! Entry points from bytes to a generated view: verify, then view.

use alloc::string::ToString;

use super::check::{Checker, Limits};
use super::mutate::TableMut;
use super::read::{Bytes, TableElement};
use super::scalar::{Scalar, bytes_at};
use crate::VerifyError;
use crate::format::{HEADER_FILE_IDENTIFIER, MAGIC};

/// A table type's verifier and identity, as generated.
pub trait Check {
    /// The type tag of its objects.
    const TAG: u32;
    /// Its fully qualified name.
    const NAME: &'static str;
    /// Its name without the namespace (how error paths start).
    const SHORT_NAME: &'static str;
    /// The schema's file identifier (zeros when it declares none).
    const FILE_IDENTIFIER: [u8; 4];
    /// Checks the object at `at` as this table, and everything it reaches. Errors carry the
    /// path below this table (`.field[3].other`).
    fn check(c: &mut Checker<'_>, at: usize) -> Result<(), VerifyError>;
}

/// A table type that can be a message's root: any generated table view.
pub trait Root<'a>: Check + TableElement<'a> {}

impl<'a, T: Check + TableElement<'a>> Root<'a> for T {}

/// A table type named without a lifetime: generated code implements it for each table's
/// owned type (`MonsterT`), whose `View<'a>` is the table's view (`Monster<'a>`). Holders of
/// messages (`weftbuf-rpc`'s `Message<MonsterT>`) name the type they hold this way.
pub trait Family: 'static {
    /// The view over a message's bytes.
    type View<'a>: Root<'a>;
}

/// Verifies `bytes` as a message of root `T` with `limits`; returns the root's offset.
pub fn check_root<T: Check>(bytes: &[u8], limits: &Limits) -> Result<usize, VerifyError> {
    let (mut c, at) = Checker::message(bytes, limits, (T::TAG, T::NAME), T::FILE_IDENTIFIER)
        .map_err(|e| e.at_path(|| T::SHORT_NAME.to_string()))?;
    T::check(&mut c, at).map_err(|e| e.within(T::SHORT_NAME))?;
    Ok(at)
}

/// Verifies `bytes` as a message whose root is a `T`, then views it: the way to read bytes
/// that came from anywhere.
pub fn root<'a, T: Root<'a>>(bytes: &'a [u8]) -> Result<T, VerifyError> {
    root_with_limits(bytes, &Limits::default())
}

/// [`root`] with limits other than the defaults.
pub fn root_with_limits<'a, T: Root<'a>>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<T, VerifyError> {
    root_in(Bytes::new(bytes), limits)
}

/// Verifies `bytes` as a message whose root is a `T`, then views them as what they are:
/// over [`Bytes::shared`] memory every string read checks its UTF-8 again.
pub fn root_in<'a, T: Root<'a>>(bytes: Bytes<'a>, limits: &Limits) -> Result<T, VerifyError> {
    let at = check_root::<T>(&bytes, limits)?;
    // SAFETY: the verifier accepted `bytes` as a message with a `T` at `at`; unless they are
    // shared (and read as such), the borrow keeps them unchanged for `'a`.
    Ok(unsafe { T::from_object(bytes, at) })
}

/// Verifies `bytes` as a message of root `T` and gives its root to change in place.
pub fn root_mut<T: Check>(bytes: &mut [u8]) -> Result<TableMut<'_>, VerifyError> {
    let at = check_root::<T>(bytes, &Limits::default())?;
    Ok(TableMut::new(bytes, at))
}

/// Verifies a size-prefixed message (a little-endian u32 byte count, then the message, as
/// streams carry them) and views it.
pub fn size_prefixed<'a, T: Root<'a>>(bytes: &'a [u8]) -> Result<T, VerifyError> {
    let declared = u32::read(bytes, 0).ok_or(VerifyError::TooShort { len: bytes.len() })?;
    let rest = &bytes[4..];
    if declared as usize != rest.len() {
        return Err(VerifyError::SizePrefixMismatch {
            declared,
            actual: rest.len(),
        });
    }
    root(rest)
}

/// The file identifier in a message's header, without verifying anything else; `None` when
/// the bytes do not start like a message.
pub fn file_identifier(bytes: &[u8]) -> Option<[u8; 4]> {
    if bytes.get(..4)? != MAGIC {
        return None;
    }
    bytes_at(bytes, HEADER_FILE_IDENTIFIER as usize)
}
