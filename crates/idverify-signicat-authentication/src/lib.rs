//! Typed client for the Signicat Authentication REST API v1 (eID Hub): create, get and cancel authentication sessions.
//!
//! Generated types and client are in [`generated`] (re-exported here); this file is
//! yours: add hand-written helpers beside them.
#![forbid(unsafe_code)]

pub mod generated;

pub use generated::*;
