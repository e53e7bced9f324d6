//! What a vendor module provides, so the core (control API, end-user page, faults)
//! can drive it without knowing its wire format.
//!
//! To add a vendor: a folder `vendors/<name>/` with a type implementing [`Vendor`], and
//! one line in the list of [`crate::vendors`]. Its routes carry full paths under
//! `/<name>/`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::persons::Person;

/// How the end user (or the control API) finishes a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The person identified themselves.
    Success,
    /// The person gave up.
    Abort,
    /// The identification failed.
    Error,
}

impl std::str::FromStr for Outcome {
    type Err = ControlError;

    fn from_str(text: &str) -> Result<Self, ControlError> {
        match text {
            "success" => Ok(Self::Success),
            "abort" => Ok(Self::Abort),
            "error" => Ok(Self::Error),
            _ => Err(ControlError::bad_request(format!(
                "`outcome`: `{text}` is not one of success, abort, error"
            ))),
        }
    }
}

/// What the end-user page shows about a session.
#[derive(Debug, Clone)]
pub struct PageView {
    /// Whether it can still be completed.
    pub open: bool,
    /// Its status in the vendor's words.
    pub status: String,
    /// Further lines to show (label, value), e.g. the requested attributes.
    pub details: Vec<(String, String)>,
}

/// The result of completing a session.
#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    /// The session's new status in the vendor's words.
    pub status: String,
    /// Where the end user's browser goes next (the session's callback URL), if anywhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

/// An error of the control API or the end-user page (not a vendor error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ControlError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// `api` is not built into this sandbox: its feature is off.
    pub fn not_built(api: crate::Api) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "api_not_built",
            format!(
                "this sandbox is built without the API `{api}`; turn on the feature `{api}` \
                 of idverify-sandbox"
            ),
        )
    }

    /// The session exists but is completed, cancelled or expired.
    pub fn not_open(status: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "session_not_open",
            format!("the session is {status}; only open sessions can be completed"),
        )
    }
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ControlError {}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

/// One vendor API of the sandbox.
pub trait Vendor: Send + Sync + 'static {
    /// Its name, which is also its path prefix (`/<name>/...`) and the `{api}` of the
    /// control API, e.g. `signicat-authentication`.
    fn name(&self) -> &'static str;

    /// Its human title.
    fn title(&self) -> &'static str;

    /// Its routes, with full paths under `/<name>/` (a path under the prefix that none
    /// has is answered 404 by [`Vendor::error_response`]).
    fn routes(self: Arc<Self>) -> Router;

    /// An error in the vendor's own shape (faults and unknown paths use it).
    fn error_response(&self, status: StatusCode, detail: &str) -> Response;

    /// The end user opened the session's page: marks it as waiting for the user.
    fn open(&self, session_id: &str) -> Result<PageView, ControlError>;

    /// Completes an open session as `person` with `outcome`.
    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError>;

    /// How its webhooks look on the wire (e.g. "RS256 JWT, application/jwt"), or `None`
    /// when the vendor documents no webhooks (the control API then refuses to register
    /// one).
    fn webhook_format(&self) -> Option<&'static str> {
        None
    }

    /// Who may embed the session's page in a frame, as the sources of a CSP
    /// `frame-ancestors` directive (`'none'`, `https://shop.example`), or `None` for no
    /// restriction.
    fn frame_ancestors(&self, _session_id: &str) -> Option<String> {
        None
    }

    /// What the binary prints and `GET /_sandbox` lists: (label, value), e.g. the base
    /// URL, the token URL and the test credentials.
    fn endpoints(&self) -> Vec<(&'static str, String)>;
}
