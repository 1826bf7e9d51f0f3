//! The storefront, written once: the `Catalog` and `Pricing` services of
//! `schemas/storefront.fbs` implemented ([`catalog`], [`pricing`]), placed by `weftbuf.toml`
//! ([`deploy`]) and called by the frontend ([`frontend`]). The same code runs with every
//! service in one process, or each behind a gRPC or shared-memory server of its own: only
//! the configuration changes. An example in another language is this one, written again.

/// The code `weftbuf-build` generates from the schema (`build.rs`): message types, and for
/// each service a trait to implement, a server, clients and a method table.
#[allow(missing_docs, unreachable_pub, reason = "generated")]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/storefront.rs"));
}

pub mod catalog;
pub mod deploy;
pub mod frontend;
pub mod pricing;

/// The products on sale: SKUs 1 to 100.
pub const PRODUCTS: std::ops::RangeInclusive<u64> = 1..=100;
