//! Runtime shared by every idverify generated client.
//!
//! A generated crate's `Client` carries a [`Runtime`] as progenitor's inner type; every
//! operation sends its request with [`Runtime::send`] (credentials, retries, tracing) and
//! decodes the answer with [`decode`], which builds the operation's [`Error`] directly.
//! The runtime knows each API from the [`ApiDescriptor`] generated out of the API's
//! `codegen.toml`.
//!
//! Secrets (client secrets, API keys, tokens) are held as [`secrecy::SecretString`] and
//! never appear in `Debug`, `Display` or errors.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod auth;
mod builder;
pub mod decode;
mod error;
mod facts;
mod http;
pub mod jwe;
mod lenient_date;
#[cfg(feature = "multipart")]
pub mod multipart;
pub mod pagination;
mod redact;
mod request_id;
mod retry;
mod runtime;
mod text;
mod unknown;
pub mod waiter;
#[cfg(feature = "webhooks")]
pub mod webhooks;

pub use api::{ApiDescriptor, Environment};
pub use auth::{AuthError, AuthFailure, AuthScheme, Credentials};
pub use builder::{BuildError, ClientBuilder, GeneratedClient};
pub use error::{Error, ErrorKind, InvalidParam, SchemaMismatch, VendorError, VendorErrorShape};
pub use facts::OperationFacts;
pub use lenient_date::{LenientDateTime, ParsedDateTime};
pub use request_id::request_id;
pub use retry::{RetryBudget, RetryPolicy};
pub use runtime::{CallOptions, Runtime};
pub use secrecy::{ExposeSecret, SecretString};
pub use text::{ConstrainedText, OptionalText};
pub use unknown::UnknownValue;

/// What redacted values print as in `Debug` output.
pub const REDACTED: &str = "[redacted]";
