//! The vendor's request or trace id of a response, for errors and traces.

/// Headers vendors put their request or trace id in, in order of preference.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "requestid",
    "request-id",
    "x-correlation-id",
    "x-trace-id",
    "traceparent",
];

/// The vendor's request or trace id of a response, if it sent one.
pub fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
