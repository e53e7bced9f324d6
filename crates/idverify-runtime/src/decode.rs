//! Body decoding used by the generated code in place of progenitor's, so that a body
//! that does not match its schema keeps the response's status and headers (progenitor's
//! error for it has neither): the response is rebuilt with its bytes and returned as an
//! unexpected response, marked, and [`crate::Error`] reports it with status and request
//! id.

use bytes::Bytes;
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

use crate::error::SchemaMismatch;

/// Marks a rebuilt response whose body did not match the documented schema.
#[derive(Debug, Clone)]
pub(crate) struct Mismatch(pub(crate) SchemaMismatch);

/// Decodes a documented JSON success body.
#[doc(hidden)]
pub async fn success<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(e) => Err(Error::UnexpectedResponse(rebuild(
            status,
            headers,
            body,
            Some(SchemaMismatch::from_serde(&e)),
        ))),
    }
}

/// Decodes a documented JSON error body; one in another shape stays an unexpected
/// response with its status, headers and body.
#[doc(hidden)]
pub async fn error<E: DeserializeOwned>(response: reqwest::Response) -> Error<E> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(e) => return Error::ResponseBodyError(e),
    };
    match serde_json::from_slice(&body) {
        Ok(value) => Error::ErrorResponse(ResponseValue::new(value, status, headers)),
        Err(_) => Error::UnexpectedResponse(rebuild(status, headers, body, None)),
    }
}

fn rebuild(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Bytes,
    mismatch: Option<SchemaMismatch>,
) -> reqwest::Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if let Some(mismatch) = mismatch {
        response.extensions_mut().insert(Mismatch(mismatch));
    }
    reqwest::Response::from(response)
}
