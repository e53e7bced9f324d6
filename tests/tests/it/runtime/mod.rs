//! The runtime every client shares, against local servers.

mod bad_input;
mod errors;
mod resilience;
mod tracing;
