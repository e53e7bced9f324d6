//! Errors in Identify's envelope (`status`, `messages`).

use super::*;

pub(super) fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The vendor's error envelope.
pub(super) fn envelope_error(status: StatusCode, messages: Vec<String>) -> Response {
    json_response(
        status,
        &types::Envelope {
            messages,
            response_status: Some(i32::from(status.as_u16())),
            result: false,
        },
    )
}

pub(super) fn refused((status, messages): Refusal) -> Response {
    envelope_error(status, messages)
}

pub(super) fn not_found_refusal() -> Refusal {
    (
        StatusCode::NOT_FOUND,
        vec!["Ident not found (or it was removed after 90 days).".into()],
    )
}

pub(super) fn bad_request(problems: &[(String, String)]) -> Response {
    envelope_error(StatusCode::BAD_REQUEST, messages(problems))
}

pub(super) const OK: i32 = 200;
