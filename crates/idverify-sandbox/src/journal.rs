//! The request journal: what each vendor API received (method, path, query, a few
//! headers, the body as the server read it) and what it answered, so a test can check
//! what a client sent.
//!
//! Secrets stay out: `Authorization` keeps only its scheme, `X-API-TOKEN` is replaced,
//! and in a form or JSON body the values of `client_secret`, `APIKEY` and `password` are
//! replaced by `[redacted]`. Bounded: each API keeps its last [`MAX_ENTRIES`] requests
//! and at most [`MAX_BODY`] bytes of each body.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;

use crate::{Api, App};

/// Requests kept per API.
pub const MAX_ENTRIES: usize = 500;
/// Body bytes kept per request.
pub const MAX_BODY: usize = 16 * 1024;
/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The request headers the journal keeps (others are left out).
const KEPT_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "user-agent",
    "x-api-partner",
    "x-api-token",
    "x-request-id",
];

/// Body members whose values are secrets.
const SECRET_MEMBERS: &[&str] = &["client_secret", "APIKEY", "password"];

/// One request an API received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Kept headers (names in lowercase), secrets redacted, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as the server read it (up to [`MAX_BODY`] bytes), secrets redacted.
    #[serde(serialize_with = "as_text")]
    pub body: Vec<u8>,
    /// Whether the body was longer than what is kept.
    pub body_truncated: bool,
    /// The status the sandbox answered with.
    pub status: u16,
}

impl JournalEntry {
    /// The first kept header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

fn as_text<S: serde::Serializer>(body: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(body))
}

/// Every API's journal.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    apis: Mutex<Vec<VecDeque<JournalEntry>>>,
}

impl Journal {
    pub(crate) fn new() -> Self {
        Self {
            apis: Mutex::new(vec![VecDeque::new(); Api::ALL.len()]),
        }
    }

    fn record(&self, api: Api, entry: JournalEntry) {
        let mut apis = self.apis.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entries) = apis.get_mut(api.index()) {
            if entries.len() >= MAX_ENTRIES {
                entries.pop_front();
            }
            entries.push_back(entry);
        }
    }

    pub(crate) fn entries(&self, api: Api) -> Vec<JournalEntry> {
        let apis = self.apis.lock().unwrap_or_else(|e| e.into_inner());
        apis.get(api.index())
            .map(|entries| entries.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The middleware that records every request on a vendor path, faulted ones included.
pub(crate) async fn record(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(api) = crate::api_of_path(request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let read = Arc::new(Mutex::new(ReadBody::default()));
    let body = Body::new(RecordingBody {
        inner: body,
        read: read.clone(),
    });
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let headers = kept_headers(&parts.headers);
    let response = next.run(Request::from_parts(parts, body)).await;
    let read = std::mem::take(&mut *read.lock().unwrap_or_else(|e| e.into_inner()));
    app.shared.journal.record(
        api,
        JournalEntry {
            method,
            path,
            query,
            headers,
            body: redact_body(read.bytes),
            body_truncated: read.truncated,
            status: response.status().as_u16(),
        },
    );
    response
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            let value = if *name == header::AUTHORIZATION {
                // The scheme says how the client logged in; the rest is the secret.
                match value.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                    None => REDACTED.to_string(),
                }
            } else if name.as_str() == "x-api-token" {
                REDACTED.to_string()
            } else {
                value.into_owned()
            };
            (name.as_str().to_string(), value)
        })
        .collect()
}

/// The body with the values of [`SECRET_MEMBERS`] replaced, in a JSON object or a form.
fn redact_body(body: Vec<u8>) -> Vec<u8> {
    // Most bodies name no secret: they are kept as they are, without being parsed.
    let names_a_secret = SECRET_MEMBERS.iter().any(|name| {
        body.windows(name.len())
            .any(|window| window == name.as_bytes())
    });
    if !names_a_secret {
        return body;
    }
    if let Ok(serde_json::Value::Object(mut members)) = serde_json::from_slice(&body) {
        let mut changed = false;
        for name in SECRET_MEMBERS {
            if let Some(value) = members.get_mut(*name) {
                *value = serde_json::Value::String(REDACTED.into());
                changed = true;
            }
        }
        return if changed {
            serde_json::to_vec(&members).unwrap_or_default()
        } else {
            body
        };
    }
    let is_form = !body.is_empty()
        && body
            .iter()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'{' | b'[' | b'"'));
    if is_form
        && form_urlencoded::parse(&body).any(|(name, _)| SECRET_MEMBERS.contains(&name.as_ref()))
    {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(&body) {
            if SECRET_MEMBERS.contains(&name.as_ref()) {
                out.append_pair(&name, REDACTED);
            } else {
                out.append_pair(&name, &value);
            }
        }
        return out.finish().into_bytes();
    }
    body
}

/// What a request's handler read of its body.
#[derive(Debug, Default)]
struct ReadBody {
    bytes: Vec<u8>,
    truncated: bool,
}

/// A request body that keeps a copy of what the handler reads, so the journal sees the
/// body without reading it first (the handler's own size limit still applies).
struct RecordingBody {
    inner: Body,
    read: Arc<Mutex<ReadBody>>,
}

impl http_body::Body for RecordingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
            let room = MAX_BODY.saturating_sub(read.bytes.len());
            read.bytes.extend_from_slice(&data[..data.len().min(room)]);
            read.truncated |= data.len() > room;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_bodies_are_redacted() {
        let form =
            redact_body(b"grant_type=client_credentials&client_id=a&client_secret=s3cret".to_vec());
        assert_eq!(
            String::from_utf8(form).unwrap(),
            "grant_type=client_credentials&client_id=a&client_secret=%5Bredacted%5D"
        );
        let json = redact_body(br#"{"PARTNER":"p","APIKEY":"k3y"}"#.to_vec());
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&json).unwrap(),
            serde_json::json!({"PARTNER": "p", "APIKEY": REDACTED})
        );
        let plain = br#"{"flow":"redirect"}"#.to_vec();
        assert_eq!(redact_body(plain.clone()), plain);
    }

    #[test]
    fn authorization_keeps_only_its_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        headers.insert("x-api-token", "jwt".parse().unwrap());
        headers.insert("cookie", "c=1".parse().unwrap());
        let kept = kept_headers(&headers);
        assert_eq!(
            kept,
            vec![
                ("authorization".to_string(), format!("Bearer {REDACTED}")),
                ("x-api-token".to_string(), REDACTED.to_string()),
            ]
        );
    }
}
