//! A failed token request: [`AuthError`], and which kind of failure it is,
//! [`AuthFailure`], told without reading text.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::redact;

/// Getting a token failed. Never carries a secret or a token; `Debug` and `Display`
/// show the configured endpoint, statuses and the vendor's error code when it is a
/// machine token, never the vendor's free text (`description` may echo input).
///
/// [`AuthError::failure`] says which kind of failure it is without reading text.
#[derive(Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the credentials: 401, or 400 with OAuth2's
    /// `invalid_client`, `unauthorized_client` or `invalid_grant`; Identify's login
    /// answering 401 or 403. `error` and `description` are the vendor's OAuth2 error
    /// fields (Identify: its messages as `description`). Retrying cannot help.
    #[error("token endpoint {url} refused the credentials: {}", Answer(*.status, .error))]
    Rejected {
        /// The token endpoint's URL.
        url: String,
        /// The HTTP status it answered.
        status: u16,
        /// The OAuth2 `error` code, when the body had one.
        error: Option<String>,
        /// The OAuth2 `error_description` (Identify: its messages), when given.
        description: Option<String>,
    },
    /// The token endpoint refused the request for another reason than the credentials
    /// (a scope or grant type it does not allow, 403, 404): a configuration problem.
    #[error("token endpoint {url} refused the token request: {}", Answer(*.status, .error))]
    RequestRefused {
        /// The token endpoint's URL.
        url: String,
        /// The HTTP status it answered.
        status: u16,
        /// The OAuth2 `error` code, when the body had one.
        error: Option<String>,
        /// The OAuth2 `error_description`, when given.
        description: Option<String>,
    },
    /// The token endpoint is throttling (429) or failing (5xx), after the retries the
    /// policy allows; `retry_after` is the `Retry-After` of its last answer. Retryable.
    #[error("token endpoint {url} is unavailable: {}{}", Answer(*.status, &None), RetryAfter(*.retry_after))]
    Unavailable {
        /// The token endpoint's URL.
        url: String,
        /// The HTTP status of its last answer.
        status: u16,
        /// The `Retry-After` of its last answer, if any.
        retry_after: Option<Duration>,
    },
    /// The token endpoint answered 2xx with something that is not a usable token.
    #[error("token endpoint {url} gave an invalid token response: {reason}")]
    InvalidResponse {
        /// The token endpoint's URL.
        url: String,
        /// What is wrong with the answer (never the token itself).
        reason: String,
    },
    /// The token endpoint could not be reached, or did not answer in time, after the
    /// retries the policy allows. Retryable.
    #[error("token endpoint {url} could not be reached: {source}")]
    Transport {
        /// The token endpoint's URL.
        url: String,
        #[source]
        /// The connection or timeout error.
        source: Arc<reqwest::Error>,
    },
}

/// Which kind of failure an [`AuthError`] is (see [`crate::Error::auth_failure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The credentials were refused ([`AuthError::Rejected`]): fix them; not retryable.
    CredentialsRefused,
    /// The token request was refused for another reason ([`AuthError::RequestRefused`]):
    /// fix the configuration (token URL, scope); not retryable.
    RequestRefused,
    /// The token endpoint is unavailable: 429, 5xx, unreachable or too slow
    /// ([`AuthError::Unavailable`], [`AuthError::Transport`]). Retryable: the runtime
    /// retried already, as its policy and budget allow.
    Unavailable,
    /// The token endpoint's success answer held no usable token
    /// ([`AuthError::InvalidResponse`]); not retryable.
    InvalidResponse,
}

impl AuthError {
    /// Which kind of failure this is: what to fix, whether to retry.
    pub fn failure(&self) -> AuthFailure {
        match self {
            Self::Rejected { .. } => AuthFailure::CredentialsRefused,
            Self::RequestRefused { .. } => AuthFailure::RequestRefused,
            Self::Unavailable { .. } | Self::Transport { .. } => AuthFailure::Unavailable,
            Self::InvalidResponse { .. } => AuthFailure::InvalidResponse,
        }
    }

    /// Whether a later attempt could succeed: the token endpoint was unavailable.
    pub fn is_retryable(&self) -> bool {
        self.failure() == AuthFailure::Unavailable
    }

    /// The token endpoint's HTTP status, when it answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. }
            | Self::RequestRefused { status, .. }
            | Self::Unavailable { status, .. } => Some(*status),
            Self::InvalidResponse { .. } | Self::Transport { .. } => None,
        }
    }

    /// The token endpoint's last `Retry-After`, when it was unavailable.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A refusal of the credentials or of the request; which one `credentials` says.
    pub(super) fn refused(
        url: &str,
        status: reqwest::StatusCode,
        credentials: bool,
        error: Option<String>,
        description: Option<String>,
    ) -> Self {
        let (url, status) = (url.to_string(), status.as_u16());
        if credentials {
            Self::Rejected {
                url,
                status,
                error,
                description,
            }
        } else {
            Self::RequestRefused {
                url,
                status,
                error,
                description,
            }
        }
    }

    /// Whether this failure came from an attempt that timed out (retries cost more).
    pub(super) fn timed_out(&self) -> bool {
        matches!(self, Self::Transport { source, .. } if source.is_timeout())
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected {
                url,
                status,
                error,
                description,
            }
            | Self::RequestRefused {
                url,
                status,
                error,
                description,
            } => f
                .debug_struct(if matches!(self, Self::Rejected { .. }) {
                    "Rejected"
                } else {
                    "RequestRefused"
                })
                .field("url", url)
                .field("status", status)
                .field("error", &redact::token(error))
                .field("description", &redact::free_text(description))
                .finish(),
            Self::Unavailable {
                url,
                status,
                retry_after,
            } => f
                .debug_struct("Unavailable")
                .field("url", url)
                .field("status", status)
                .field("retry_after", retry_after)
                .finish(),
            Self::InvalidResponse { url, reason } => f
                .debug_struct("InvalidResponse")
                .field("url", url)
                .field("reason", reason)
                .finish(),
            Self::Transport { url, source } => f
                .debug_struct("Transport")
                .field("url", url)
                .field("source", source)
                .finish(),
        }
    }
}

/// `HTTP 401 Unauthorized (invalid_client)`: the status and the vendor's code if it is a
/// machine token.
struct Answer<'a>(u16, &'a Option<String>);

impl fmt::Display for Answer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", redact::Status(self.0))?;
        if let Some(code) = self.1 {
            write!(f, " ({})", redact::Token(code))?;
        }
        Ok(())
    }
}

/// `, retry after 15 s` when the endpoint said.
struct RetryAfter(Option<Duration>);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(after) => write!(f, ", retry after {} s", after.as_secs()),
            None => Ok(()),
        }
    }
}
