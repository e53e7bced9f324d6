//! The generator: bad input, freshness and determinism, the fixture specs' crates, the
//! specs' examples against their schemas and the generated types' JSON Schemas.

mod auth;
mod errors;
mod fixtures;
mod freshness;
mod json_schemas;
mod spec_examples;
mod uploads;
mod vendor_shapes;
