//! The generator: bad input, freshness and determinism, the fixture specs' crates, the
//! specs' examples against their schemas.

mod auth;
mod errors;
mod fixtures;
mod freshness;
mod spec_examples;
mod uploads;
mod vendor_shapes;
