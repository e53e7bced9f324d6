//! Static description of a vendor API, generated from its `codegen.toml`.

use crate::auth::AuthScheme;
use crate::error::VendorErrorShape;
use crate::facts::OperationFacts;

/// A named vendor environment (production, test, sandbox...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    pub name: &'static str,
    pub base_url: &'static str,
    /// Token endpoint of this environment, for OAuth2 APIs.
    pub token_url: Option<&'static str>,
}

/// Everything the runtime knows about one generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDescriptor {
    pub crate_name: &'static str,
    pub default_environment: Environment,
    pub environments: &'static [Environment],
    pub auth: AuthScheme,
    /// Headers sent on every request that does not set them itself.
    pub default_headers: &'static [(&'static str, &'static str)],
    /// The shape of the error bodies the API documents (`[errors] shape`); `None`: not
    /// declared, the shape of each body is guessed.
    pub error_shape: Option<VendorErrorShape>,
    /// Every operation of the API (its `spec_facts::OPERATIONS`): spans read the path
    /// template of an operation here.
    pub operations: &'static [OperationFacts],
}
