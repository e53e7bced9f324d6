//! Errors in Signicat's shape: RFC 7807 problem documents.

use super::*;

/// An RFC 7807 problem document in Signicat's shape.
pub(super) fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    code: &str,
    invalid_params: Vec<types::InvalidParam>,
) -> Response {
    let body = types::Problem {
        type_: Some(format!("https://developer.signicat.com/errors/{code}")),
        title: Some(title.to_string()),
        detail: Some(detail.to_string()),
        code: Some(code.to_string()),
        status: Some(i32::from(status.as_u16())),
        trace_id: Some(format!("00-{}-{}-01", random_hex(16), random_hex(8))),
        invalid_params,
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}

pub(super) fn invalid(name: &str, reason: impl Into<String>) -> types::InvalidParam {
    types::InvalidParam {
        name: Some(name.to_string()),
        reason: Some(reason.into()),
    }
}

pub(super) fn bad_request(invalid_params: Vec<types::InvalidParam>) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "Invalid request",
        "The request body is invalid.",
        "invalid_request",
        invalid_params,
    )
}

pub(super) fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Session not found",
        "No session with this id exists (or it expired and was removed).",
        "session_not_found",
        Vec::new(),
    )
}
