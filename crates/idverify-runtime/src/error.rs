//! The error every generated operation returns: what went wrong, the HTTP status, the
//! vendor's error decoded from its own shape, the vendor's request id, the attempts
//! made, and whether a retry could help. `Display` and `Debug` never show a body or
//! anything else a vendor wrote: only fixed text, statuses, counts, and codes and request
//! ids that are machine tokens ([`crate::redact`]); the raw body is reachable with
//! [`Error::raw_body`], the decoded members on [`VendorError`].

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::auth::{AuthError, AuthFailure};
use crate::redact;
use crate::retry::{self, Attempts, Retryable};

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (a parameter failed validation).
    InvalidRequest,
    /// No credentials could be obtained (token endpoint or login failed);
    /// [`Error::auth_failure`] says whether they were refused or the endpoint was
    /// unavailable.
    Auth,
    /// The vendor could not be reached, or the connection broke.
    Transport,
    /// An attempt or the whole operation timed out.
    Timeout,
    /// The vendor answered with an error status its API documents.
    Vendor,
    /// The vendor answered with a status its API does not document.
    UnexpectedStatus,
    /// A success response whose body does not match the API description.
    InvalidResponse,
    /// An encrypted (JWE) success response could not be decrypted;
    /// [`Error::decrypt_error`] says why (no key, another key, tampered, ...).
    Decrypt,
    /// Anything else (e.g. a protocol upgrade failed).
    Other,
}

/// The shape a vendor error body was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VendorErrorShape {
    /// RFC 7807 problem document (Signicat): `{type, title, detail, code, status, traceId, invalidParams}`.
    Problem,
    /// OAuth2 (RFC 6749 §5.2): `{error, error_description}`.
    OAuth,
    /// Legacy Idfy: `{NativeErrorCode, ErrorCode, ErrorMessage}`.
    Idfy,
    /// Identify envelope: `{result: false, messages: [...]}`.
    Identify,
    /// Some other JSON object with a `code` and/or `message`.
    Generic,
}

/// One invalid parameter named by the vendor. `Debug` shows neither member: a name can
/// hold a value too (a path with an id or a national id number in it).
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidParam {
    /// The parameter's name or path, as the vendor gave it.
    pub name: String,
    /// Why it is invalid, when the vendor says.
    pub reason: Option<String>,
}

impl fmt::Debug for InvalidParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidParam")
            .field("name", &redact::Redacted)
            .field("reason", &redact::free_text(&self.reason))
            .finish()
    }
}

/// A vendor error body, decoded from whichever documented shape it has. Any member may
/// echo input: `Debug` shows `code` and `trace_id` only when they are machine tokens,
/// and of the free text (`title`, `message`, parameters) only whether it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct VendorError {
    /// The documented shape the body was read as.
    pub shape: VendorErrorShape,
    /// Machine-readable code (`invalid_client`, `ErrorCode`, problem `code` or `type`).
    pub code: Option<String>,
    /// Short summary (problem `title`).
    pub title: Option<String>,
    /// Human-readable explanation (`detail`, `error_description`, `ErrorMessage`, messages).
    pub message: Option<String>,
    /// The vendor's trace id from the body (problem `traceId`).
    pub trace_id: Option<String>,
    /// Parameters the vendor named as invalid (problem `invalidParams`, field errors).
    pub invalid_params: Vec<InvalidParam>,
}

impl fmt::Debug for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorError")
            .field("shape", &self.shape)
            .field("code", &redact::token(&self.code))
            .field("title", &redact::free_text(&self.title))
            .field("message", &redact::free_text(&self.message))
            .field("trace_id", &redact::token(&self.trace_id))
            .field("invalid_params", &self.invalid_params)
            .finish()
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl VendorError {
    /// Decodes a vendor error body of unknown shape, guessing the shape from its members;
    /// `None` if it is not a JSON object of a known shape. For bodies an API does not
    /// document (its declared shape is used for the ones it does, see [`Self::decode_as`]).
    pub fn decode(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        Self::from_value(&value)
    }

    /// Decodes a body the API documents in `shape`; `None` if it is not a JSON object.
    pub fn decode_as(shape: VendorErrorShape, body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        value.is_object().then(|| Self::read(shape, &value))
    }

    /// Guesses the shape of a JSON error body from its members and decodes it.
    pub fn from_value(value: &Value) -> Option<Self> {
        let shape = Self::guess_shape(value)?;
        let decoded = Self::read(shape, value);
        let empty = shape == VendorErrorShape::Generic
            && decoded.code.is_none()
            && decoded.message.is_none();
        (!empty).then_some(decoded)
    }

    fn guess_shape(value: &Value) -> Option<VendorErrorShape> {
        let object = value.as_object()?;
        let has = |k: &str| object.contains_key(k);
        // OAuth2: `error` with at most its own companions (a `{error, message}` body of
        // another framework is not OAuth and falls through to the generic shape).
        let oauth_keys = ["error", "error_description", "error_uri"];
        Some(
            if value["error"].is_string() && object.keys().all(|k| oauth_keys.contains(&k.as_str()))
            {
                VendorErrorShape::OAuth
            } else if has("ErrorCode") || has("ErrorMessage") || has("NativeErrorCode") {
                VendorErrorShape::Idfy
            } else if value.get("result") == Some(&Value::Bool(false))
                || (has("messages") && has("result"))
            {
                VendorErrorShape::Identify
            } else if has("title")
                || has("traceId")
                || has("invalidParams")
                || (has("type") && has("status"))
            {
                VendorErrorShape::Problem
            } else {
                VendorErrorShape::Generic
            },
        )
    }

    /// Reads the members `shape` defines from a JSON object.
    fn read(shape: VendorErrorShape, value: &Value) -> Self {
        let empty = VendorError {
            shape,
            code: None,
            title: None,
            message: None,
            trace_id: None,
            invalid_params: Vec::new(),
        };
        match shape {
            VendorErrorShape::OAuth => VendorError {
                code: text(value, "error"),
                message: text(value, "error_description"),
                ..empty
            },
            VendorErrorShape::Idfy => VendorError {
                code: text(value, "ErrorCode").or_else(|| text(value, "NativeErrorCode")),
                message: text(value, "ErrorMessage"),
                ..empty
            },
            VendorErrorShape::Identify => {
                let messages: Vec<String> = value
                    .get("messages")
                    .and_then(Value::as_array)
                    .map(|m| {
                        m.iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                VendorError {
                    message: (!messages.is_empty()).then(|| messages.join("; ")),
                    ..empty
                }
            }
            // Problem members first; the `message`/`errors` extension members some
            // problem APIs send (Signicat's .NET SDK reads them) otherwise.
            VendorErrorShape::Problem => {
                let mut invalid_params = params(value, "invalidParams", &["name"], &["reason"]);
                if invalid_params.is_empty() {
                    invalid_params = validation_errors(value);
                }
                VendorError {
                    code: text(value, "code").or_else(|| text(value, "type")),
                    title: text(value, "title"),
                    message: text(value, "detail").or_else(|| text(value, "message")),
                    trace_id: text(value, "traceId"),
                    invalid_params,
                    ..empty
                }
            }
            VendorErrorShape::Generic => VendorError {
                code: text(value, "code")
                    .or_else(|| text(value, "errorCode"))
                    .or_else(|| text(value, "error"))
                    .or_else(|| text(value, "error_code")),
                message: text(value, "message").or_else(|| text(value, "errorMessage")),
                trace_id: text(value, "traceId"),
                invalid_params: validation_errors(value),
                ..empty
            },
        }
    }
}

/// Validation lists as `errors: [{field, message}]`.
fn validation_errors(value: &Value) -> Vec<InvalidParam> {
    params(value, "errors", &["field", "name"], &["message", "reason"])
}

/// The `{name, reason}` pairs of the array `key`, each member read from the first of
/// `names`/`reasons` present.
fn params(value: &Value, key: &str, names: &[&str], reasons: &[&str]) -> Vec<InvalidParam> {
    let first = |p: &Value, keys: &[&str]| keys.iter().find_map(|k| text(p, k));
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|p| {
                    Some(InvalidParam {
                        name: first(p, names)?,
                        reason: first(p, reasons),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where a body failed to match its schema. Carries no value from the body: serde's
/// own message may quote the offending (possibly personal) value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the body does not match the API description at line {line}, column {column} ({category})")]
pub struct SchemaMismatch {
    /// Line of the body where decoding stopped (1-based).
    pub line: usize,
    /// Column of the body where decoding stopped (1-based).
    pub column: usize,
    /// What kind of mismatch: `invalid JSON`, `wrong type or missing field`, `truncated` or `I/O`.
    pub category: &'static str,
}

impl SchemaMismatch {
    /// The position and kind of a serde error, without its message (which may quote the value).
    pub fn from_serde(error: &serde_json::Error) -> Self {
        let category = match error.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "wrong type or missing field",
            serde_json::error::Category::Eof => "truncated",
        };
        Self {
            line: error.line(),
            column: error.column(),
            category,
        }
    }
}

/// The error of a generated operation. `E` is the error body type the API documents for
/// the operation (`()` when it documents none).
pub struct Error<E = ()> {
    kind: ErrorKind,
    operation: &'static str,
    status: Option<reqwest::StatusCode>,
    headers: reqwest::header::HeaderMap,
    body: Option<Vec<u8>>,
    typed: Option<E>,
    vendor: Option<VendorError>,
    detail: Option<String>,
    attempts: Attempts,
    /// Whether the vendor may have acted on the request although it failed.
    maybe_processed: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl<E> Error<E> {
    fn new(kind: ErrorKind, operation: &'static str) -> Self {
        Self {
            kind,
            operation,
            status: None,
            headers: reqwest::header::HeaderMap::new(),
            body: None,
            typed: None,
            vendor: None,
            detail: None,
            attempts: Attempts::default(),
            maybe_processed: false,
            source: None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operation id (`create_session`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The response status, when there was a response.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.status
    }

    /// Response headers, when there was a response.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The documented error body, when the response had one and it parsed.
    pub fn typed(&self) -> Option<&E> {
        self.typed.as_ref()
    }

    /// The documented error body, taken out.
    pub fn into_typed(self) -> Option<E> {
        self.typed
    }

    /// The vendor's error, decoded from its own shape.
    pub fn vendor(&self) -> Option<&VendorError> {
        self.vendor.as_ref()
    }

    /// The vendor's request or trace id: a response header, else the body's trace id.
    pub fn request_id(&self) -> Option<String> {
        crate::request_id::request_id(&self.headers)
            .or_else(|| self.vendor.as_ref()?.trace_id.clone())
    }

    /// The response body, byte for byte as received (documented error bodies too). May
    /// contain personal data: never log it as is.
    pub fn raw_body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Whether sending the same request again could succeed (throttling, a vendor
    /// outage, a timeout, a connection failure, an unavailable token endpoint). The
    /// runtime already retried as its policy allows.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            ErrorKind::Vendor | ErrorKind::UnexpectedStatus => self
                .status
                .is_some_and(|s| matches!(s.as_u16(), 408 | 429 | 502..=504)),
            ErrorKind::Auth => self.auth_failure() == Some(AuthFailure::Unavailable),
            _ => false,
        }
    }

    /// For an [`ErrorKind::Auth`] error: whether the credentials were refused
    /// ([`AuthFailure::CredentialsRefused`]: fix them) or the token endpoint was
    /// unavailable ([`AuthFailure::Unavailable`]: retryable), or another failure. The
    /// [`AuthError`] itself is [`Self::auth_error`] (and `source()`).
    pub fn auth_failure(&self) -> Option<AuthFailure> {
        self.auth_error().map(AuthError::failure)
    }

    /// The failed token request of an [`ErrorKind::Auth`] error.
    pub fn auth_error(&self) -> Option<&AuthError> {
        self.source.as_deref()?.downcast_ref()
    }

    /// Requests sent for this operation, retries included (token requests for an
    /// [`ErrorKind::Auth`] error); 0 when nothing was sent.
    pub fn attempts(&self) -> u32 {
        self.attempts.count
    }

    /// The last `Retry-After` the vendor (or the token endpoint) sent, as it sent it.
    pub fn retry_after(&self) -> Option<Duration> {
        self.attempts
            .retry_after
            .or_else(|| self.auth_error()?.retry_after())
    }

    /// Whether the vendor may have acted on the request although the operation failed,
    /// so that repeating a create could make a second one: the connection broke or
    /// timed out after the request was sent, the vendor answered 5xx, or its success
    /// answer could not be read. False when the request never left (a connection that
    /// failed before sending, invalid input, no credentials) or was refused (4xx).
    pub fn maybe_processed(&self) -> bool {
        match self.kind {
            ErrorKind::Transport | ErrorKind::Timeout => self.maybe_processed,
            ErrorKind::Vendor | ErrorKind::UnexpectedStatus => {
                self.status.is_some_and(|s| s.is_server_error())
            }
            ErrorKind::InvalidResponse => true,
            _ => false,
        }
    }

    /// What the retries saw.
    pub(crate) fn with_attempts(mut self, attempts: Attempts) -> Self {
        self.attempts = attempts;
        self
    }

    /// An error about a response: its status, headers and the body exactly as received.
    pub(crate) fn from_response(
        kind: ErrorKind,
        operation: &'static str,
        status: reqwest::StatusCode,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
    ) -> Self {
        let mut out = Self::new(kind, operation);
        out.status = Some(status);
        out.headers = headers;
        out.body = Some(body);
        out
    }

    /// What the retries that got `response` saw ([`crate::Runtime::send`] puts it on).
    pub(crate) fn attempts_of(response: &reqwest::Response) -> Attempts {
        response
            .extensions()
            .get::<Attempts>()
            .copied()
            // The runtime attaches the attempts only when there was more than one.
            .unwrap_or(Attempts {
                count: 1,
                retry_after: None,
            })
    }

    /// A documented error status whose body is not the documented error body.
    pub(crate) fn with_undocumented_body(mut self) -> Self {
        self.detail = Some("the body is not the documented error body".to_string());
        self
    }

    /// The documented error body and the vendor error read from it.
    pub(crate) fn with_typed(mut self, typed: E, vendor: Option<VendorError>) -> Self {
        self.typed = Some(typed);
        self.vendor = vendor;
        self
    }

    /// The vendor error guessed from the body, which no schema describes.
    pub(crate) fn with_guessed_vendor(mut self) -> Self {
        self.vendor = self.body.as_deref().and_then(VendorError::decode);
        self
    }

    /// Where the body failed to match its schema.
    pub(crate) fn with_mismatch(mut self, mismatch: SchemaMismatch) -> Self {
        self.detail = Some(mismatch.to_string());
        self.source = Some(Box::new(mismatch));
        self
    }

    fn from_transport(
        kind_hint: ErrorKind,
        error: reqwest::Error,
        operation: &'static str,
    ) -> Self {
        let kind = if error.is_timeout() {
            ErrorKind::Timeout
        } else {
            kind_hint
        };
        let mut out = Self::new(kind, operation);
        out.status = error.status();
        out.maybe_processed = retry::classify_error(&error) != Some(Retryable::NotSent);
        // The URL may carry personal data in its path or query.
        out.source = Some(Box::new(error.without_url()));
        out
    }

    /// A request that could not be built (a parameter failed validation).
    pub fn invalid_request(operation: &'static str, message: impl Into<String>) -> Self {
        let mut out = Self::new(ErrorKind::InvalidRequest, operation);
        out.detail = Some(message.into());
        out
    }

    /// A success response the client cannot go on from (such as a next-page cursor the
    /// vendor had sent before); the message says what, and names no value from the body.
    pub fn invalid_response(operation: &'static str, message: impl Into<String>) -> Self {
        let mut out = Self::new(ErrorKind::InvalidResponse, operation);
        out.detail = Some(message.into());
        out
    }

    /// An encrypted success response that could not be decrypted; the
    /// [`crate::jwe::DecryptError`] is the `source()`. The body is kept as received.
    pub fn decrypt(
        operation: &'static str,
        error: crate::jwe::DecryptError,
        status: reqwest::StatusCode,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
    ) -> Self {
        let mut out = Self::from_response(ErrorKind::Decrypt, operation, status, headers, body);
        out.detail = Some(error.to_string());
        out.source = Some(Box::new(error));
        out
    }

    /// For an [`ErrorKind::Decrypt`] error: why the response could not be decrypted.
    pub fn decrypt_error(&self) -> Option<&crate::jwe::DecryptError> {
        self.source.as_deref()?.downcast_ref()
    }

    /// Credentials could not be obtained; the [`AuthError`] is the `source()`.
    pub fn auth(operation: &'static str, error: AuthError) -> Self {
        let mut out = Self::new(ErrorKind::Auth, operation);
        out.source = Some(Box::new(error));
        out
    }

    /// Sending or reading failed (the URL is dropped).
    pub fn transport(operation: &'static str, error: reqwest::Error) -> Self {
        Self::from_transport(ErrorKind::Transport, error, operation)
    }

    /// A response the operation does not document (or whose error body is not the
    /// documented one); its body is read and kept, and decoded if it looks like a vendor
    /// error.
    pub async fn unexpected(operation: &'static str, response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let attempts = Self::attempts_of(&response);
        let out = match response.bytes().await {
            Ok(body) => Self::from_response(
                ErrorKind::UnexpectedStatus,
                operation,
                status,
                headers,
                body.to_vec(),
            )
            .with_guessed_vendor(),
            Err(_) => {
                let mut out = Self::new(ErrorKind::UnexpectedStatus, operation);
                out.status = Some(status);
                out.headers = headers;
                out
            }
        };
        out.with_attempts(attempts)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        let status = self.status.map(|s| redact::Status(s.as_u16()));
        match (self.kind, status) {
            (ErrorKind::InvalidRequest, _) => write!(f, "invalid request")?,
            (ErrorKind::Auth, _) => write!(f, "authentication failed")?,
            (ErrorKind::Transport, _) if self.maybe_processed => write!(
                f,
                "the connection broke after the request was sent; the vendor may have \
                 processed it"
            )?,
            (ErrorKind::Transport, _) => write!(
                f,
                "the vendor could not be reached; the request was not sent"
            )?,
            (ErrorKind::Timeout, _) if self.maybe_processed => write!(
                f,
                "timed out after the request was sent; the vendor may have processed it"
            )?,
            (ErrorKind::Timeout, _) => write!(f, "timed out before the request was sent")?,
            (ErrorKind::Vendor, Some(status)) => write!(f, "the vendor answered {status}")?,
            (ErrorKind::UnexpectedStatus, Some(status)) if self.detail.is_some() => {
                write!(f, "the vendor answered {status}")?
            }
            (ErrorKind::UnexpectedStatus, Some(status)) => {
                write!(f, "{status}, not documented for this operation")?
            }
            (ErrorKind::InvalidResponse, _) => write!(
                f,
                "the vendor's response does not match its API description"
            )?,
            (ErrorKind::Decrypt, _) => write!(f, "the encrypted response could not be read")?,
            (ErrorKind::Vendor | ErrorKind::UnexpectedStatus, None) | (ErrorKind::Other, _) => {
                write!(f, "request failed")?
            }
        }
        if let (ErrorKind::InvalidResponse, Some(status)) = (self.kind, status) {
            write!(f, " ({status})")?;
        }
        if let Some(code) = self.vendor.as_ref().and_then(|v| v.code.as_deref()) {
            write!(f, " ({})", redact::Token(code))?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        } else if let Some(source) = &self.source
            && matches!(
                self.kind,
                ErrorKind::Auth | ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Other
            )
        {
            write!(f, ": {source}")?;
        }
        if self.attempts.count > 1 {
            write!(f, "; {} attempts", self.attempts.count)?;
        }
        if let Some(after) = self.attempts.retry_after {
            write!(f, "; the vendor asked to retry after {} s", after.as_secs())?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {}]", redact::Token(&id))?;
        }
        Ok(())
    }
}

impl<E> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("vendor", &self.vendor)
            .field(
                "request_id",
                &self.request_id().as_deref().map(redact::Token),
            )
            .field("detail", &self.detail)
            .field("attempts", &self.attempts.count)
            .field("retry_after", &self.attempts.retry_after)
            .field("maybe_processed", &self.maybe_processed())
            .field("auth", &self.auth_error())
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

impl<E> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_vendor_shape() {
        let problem = VendorError::decode(
            br#"{"type":"about:blank","title":"Bad","detail":"nin 0101 invalid","code":"invalid_request","status":400,"traceId":"t-1","invalidParams":[{"name":"nin","reason":"0101 is not valid"}]}"#,
        )
        .unwrap();
        assert_eq!(problem.shape, VendorErrorShape::Problem);
        assert_eq!(problem.code.as_deref(), Some("invalid_request"));
        assert_eq!(problem.trace_id.as_deref(), Some("t-1"));
        assert_eq!(problem.invalid_params[0].name, "nin");
        let debug = format!("{problem:?}");
        assert!(!debug.contains("0101"), "{debug}");

        let oauth = VendorError::decode(
            br#"{"error":"invalid_client","error_description":"Unknown client"}"#,
        )
        .unwrap();
        assert_eq!(
            (oauth.shape, oauth.code.as_deref()),
            (VendorErrorShape::OAuth, Some("invalid_client"))
        );

        let idfy = VendorError::decode(
            br#"{"NativeErrorCode":12,"ErrorCode":"E_SESSION","ErrorMessage":"Session not found"}"#,
        )
        .unwrap();
        assert_eq!(
            (idfy.shape, idfy.code.as_deref()),
            (VendorErrorShape::Idfy, Some("E_SESSION"))
        );

        let identify = VendorError::decode(
            br#"{"result":false,"messages":["Invalid token"],"response_status":401}"#,
        )
        .unwrap();
        assert_eq!(identify.shape, VendorErrorShape::Identify);
        assert_eq!(identify.message.as_deref(), Some("Invalid token"));

        let generic = VendorError::decode(
            br#"{"statusCode":404,"error":"Not Found","message":"Session not found"}"#,
        )
        .unwrap();
        assert_eq!(generic.shape, VendorErrorShape::Generic);
        assert_eq!(generic.message.as_deref(), Some("Session not found"));
        let validation = VendorError::decode(
            br#"{"message":"Validation failed","code":"validation_error","errors":[{"field":"flow","message":"required"}]}"#,
        )
        .unwrap();
        assert_eq!(validation.invalid_params[0].name, "flow");

        assert!(VendorError::decode(b"<html>bad gateway</html>").is_none());
    }
}
