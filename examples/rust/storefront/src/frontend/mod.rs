//! The frontend: the calls it makes, through clients that do not know where the services
//! run.

mod blocking;
mod streams;
mod unary;

pub use blocking::{blocking_client, quote_blocking};
pub use streams::{basket, quote_each, shelf};
pub use unary::{quote, quote_in_place};
