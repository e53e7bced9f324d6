//! The slow tiers: they start outside programs or build other workspaces.
//!
//! - `browser`: the end-user pages in headless Chromium (installed by `tests/tools/install`);
//! - `conformance`: schemathesis runs every spec against the sandbox;
//! - `vendoring`, `removal`: generated crates built by cargo in workspaces of their own;
//! - `spec_validators`: openapi-spec-validator and Redocly over every spec;
//! - `examples`: the facade's examples run as a newcomer runs them;
//! - `soak`: 1,000 sessions through injected faults, each created once or failed visibly.

mod browser;
mod conformance;
mod examples;
mod removal;
mod soak;
mod spec_validators;
mod vendoring;
