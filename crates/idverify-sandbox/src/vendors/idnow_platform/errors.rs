//! Errors in IDnow's shape (`statusCode`, `error`, `message`).

use super::*;

/// An error body in the spec's `ErrorResponse` shape.
pub(super) fn error_body(
    status: StatusCode,
    message: Value,
    code: &str,
    fields: Option<Vec<String>>,
) -> Response {
    let mut extra = serde_json::Map::new();
    if let Some(fields) = fields {
        extra.insert("fields".into(), json!(fields));
    }
    let body = types::ErrorResponse {
        status_code: Some(i32::from(status.as_u16())),
        error: Some(status.canonical_reason().unwrap_or("Error").to_string()),
        message: Some(message),
        code: Some(code.to_string()),
        trace_id: Some(random_hex(16)),
        extra,
    };
    let mut response = json_response(&body);
    *response.status_mut() = status;
    response
}

/// A 400 naming each refused field.
pub(super) fn bad_request(problems: Vec<(String, String)>) -> Response {
    let messages: Vec<String> = problems.iter().map(|(f, r)| format!("{f}: {r}")).collect();
    let fields = problems.into_iter().map(|(f, _)| f).collect();
    error_body(
        StatusCode::BAD_REQUEST,
        json!(messages),
        "VALIDATION_ERROR",
        Some(fields),
    )
}

pub(super) fn not_found(what: &str) -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        json!(format!("{what} not found")),
        "NOT_FOUND",
        None,
    )
}
