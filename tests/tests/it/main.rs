//! The cross-crate tests, in one binary (one link of the five clients, the sandbox,
//! axum and reqwest instead of one per file). A module per concern:
//!
//! - `codegen`: bad input, freshness and determinism, the fixture specs' crates;
//! - `runtime`: auth, retries, errors, tracing and bad responses, against local servers;
//! - `clients`: each generated client (and the facade) against its vendor's documented
//!   behaviour;
//! - `sandbox`: each vendor's sandbox driven through the generated client, and webhooks;
//! - `slow`: the tiers that start outside programs (headless Chromium, schemathesis) or
//!   build other workspaces with cargo. `cargo test -p idverify-tests -- --skip slow::`
//!   leaves them out for a quick run; CI runs everything.

mod clients;
mod codegen;
mod runtime;
mod sandbox;
mod slow;
