//! Static description of a vendor API, generated from its `codegen.toml`.

use crate::auth::AuthScheme;
use crate::error::VendorErrorShape;
use crate::facts::OperationFacts;

/// A named vendor environment (production, test, sandbox...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    /// The environment's name (`production`, `test`, ...), as in `codegen.toml`.
    pub name: &'static str,
    /// Where the API is served in this environment (no trailing `/`).
    pub base_url: &'static str,
    /// Token endpoint of this environment, for OAuth2 APIs.
    pub token_url: Option<&'static str>,
}

/// Everything the runtime knows about one generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDescriptor {
    /// The generated crate's package name, for traces and error messages.
    pub crate_name: &'static str,
    /// The environment a client uses unless told otherwise (production).
    pub default_environment: Environment,
    /// Every environment the API documents, the default first.
    pub environments: &'static [Environment],
    /// How clients authenticate.
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
