//! idverify's code generator: vendor OpenAPI specs in, one typed client crate per API out.
//!
//! Passes, in order (data flows one way):
//! [`load`] → [`overlay`] → [`normalize`] → [`generate`] (progenitor) → [`rewrite`]
//! (syn passes) → prettyplease → [`emit`] (crate files) → [`files`] (write or check).

pub mod bare_arrays;
pub mod bench;
pub mod cli;
pub mod config;
pub mod emit;
pub mod error;
pub mod facts;
pub mod files;
pub mod generate;
pub mod inspect;
pub mod load;
pub mod normalize;
pub mod openapi31;
pub mod overlay;
pub mod pagination;
pub mod pipeline;
pub mod removal;
pub mod rewrite;
pub mod security;
pub mod servers;
pub mod try_spec;
pub mod views;
pub mod waiters;
pub mod webhook_events;

pub use error::{Error, Result};
