//! The generator: bad input, freshness and determinism, the fixture specs' crates.

mod auth;
mod errors;
mod fixtures;
mod freshness;
