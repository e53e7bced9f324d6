//! The runtime every client shares, against local servers.

mod bad_input;
mod error_privacy;
mod error_reports;
mod errors;
mod resilience;
mod token_endpoint;
mod tracing;
