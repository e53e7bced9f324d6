//! The error every generated operation returns: what went wrong, the HTTP status, the
//! vendor's error decoded from its own shape, the vendor's request id, and whether a
//! retry could help. `Display` and `Debug` never show a body or personal data; the raw
//! body is reachable with [`Error::raw_body`].

use std::fmt;

use serde_json::Value;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (a parameter failed validation).
    InvalidRequest,
    /// No credentials could be obtained (token endpoint or login failed).
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

/// One invalid parameter named by the vendor.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidParam {
    pub name: String,
    pub reason: Option<String>,
}

impl fmt::Debug for InvalidParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidParam")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A vendor error body, decoded from whichever documented shape it has. The free-text
/// parts (`message`, parameter reasons) may echo input and are left out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct VendorError {
    pub shape: VendorErrorShape,
    /// Machine-readable code (`invalid_client`, `ErrorCode`, problem `code` or `type`).
    pub code: Option<String>,
    /// Short summary (problem `title`).
    pub title: Option<String>,
    /// Human-readable explanation (`detail`, `error_description`, `ErrorMessage`, messages).
    pub message: Option<String>,
    /// The vendor's trace id from the body (problem `traceId`).
    pub trace_id: Option<String>,
    pub invalid_params: Vec<InvalidParam>,
}

impl fmt::Debug for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorError")
            .field("shape", &self.shape)
            .field("code", &self.code)
            .field("title", &self.title)
            .field("message", &self.message.as_ref().map(|_| crate::REDACTED))
            .field("trace_id", &self.trace_id)
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
    pub line: usize,
    pub column: usize,
    pub category: &'static str,
}

impl SchemaMismatch {
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
            source: None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operation id (`create_session`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

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
    /// outage, a timeout or a connection failure). The runtime already retried as its
    /// policy allows.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            ErrorKind::Vendor | ErrorKind::UnexpectedStatus => self
                .status
                .is_some_and(|s| matches!(s.as_u16(), 408 | 429 | 502..=504)),
            _ => false,
        }
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

    /// Credentials could not be obtained; the [`crate::AuthError`] is the `source()`.
    pub fn auth(operation: &'static str, error: crate::AuthError) -> Self {
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
        match response.bytes().await {
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
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        match self.kind {
            ErrorKind::InvalidRequest => write!(f, "invalid request")?,
            ErrorKind::Auth => write!(f, "authentication failed")?,
            ErrorKind::Transport => write!(f, "the vendor could not be reached")?,
            ErrorKind::Timeout => write!(f, "timed out")?,
            ErrorKind::Vendor => write!(f, "the vendor answered with an error")?,
            ErrorKind::UnexpectedStatus => {
                write!(f, "the vendor answered with an undocumented status")?
            }
            ErrorKind::InvalidResponse => write!(
                f,
                "the vendor's response does not match its API description"
            )?,
            ErrorKind::Other => write!(f, "request failed")?,
        }
        if let Some(status) = self.status {
            write!(f, ", HTTP {}", status.as_u16())?;
        }
        if let Some(vendor) = &self.vendor {
            match (&vendor.code, &vendor.title) {
                (Some(code), Some(title)) => write!(f, " ({code}: {title})")?,
                (Some(code), None) => write!(f, " ({code})")?,
                (None, Some(title)) => write!(f, " ({title})")?,
                (None, None) => {}
            }
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
        if let Some(id) = self.request_id() {
            write!(f, " [request id {id}]")?;
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
            .field("request_id", &self.request_id())
            .field("detail", &self.detail)
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
