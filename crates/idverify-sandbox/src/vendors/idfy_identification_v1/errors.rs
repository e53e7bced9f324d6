//! Errors in Idfy's shape (`ErrorCode`, `ErrorMessage`) and the headers every answer
//! carries.

use super::*;

/// The vendor's error body.
pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = json_response(&error_details(code, message));
    *response.status_mut() = status;
    response
}

pub(super) fn bad_request(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", message.as_ref())
}

pub(super) fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "session_not_found",
        "No session with this request id exists (or it expired and was removed).",
    )
}

pub(super) fn too_many_sessions() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_sessions",
        "The sandbox keeps at most 10000 sessions; wait for some to expire.",
    )
}

/// Adds the headers every vendor answer carries.
pub(super) fn with_vendor_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&random_hex(16)) {
        headers.insert("RequestId", id);
    }
    headers.insert("X-Idfy-Environment", HeaderValue::from_static("test"));
    headers.insert("X-Idfy-AccountId", HeaderValue::from_static(ACCOUNT_ID));
    response
}
