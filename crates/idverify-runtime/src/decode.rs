//! Decoding of responses, used by the generated operations (and hand-written ones) in
//! place of progenitor's: the body is read once and kept as received, and the
//! operation's [`Error`] is built here directly, with status, headers and the body's
//! bytes, so a body that does not match its schema still reports status and request id.

use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, SchemaMismatch, VendorError, VendorErrorShape};
use crate::retry::Attempts;

/// Decodes a documented JSON success body.
pub async fn success<T: DeserializeOwned, E>(
    response: reqwest::Response,
    operation: &'static str,
) -> Result<ResponseValue<T>, Error<E>> {
    let (status, headers, body, attempts) = read(response, operation).await?;
    match serde_json::from_slice(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        // Encrypted, and no key decrypted it on the way in (see `jwe`).
        Err(_) if crate::jwe::encrypted_media(&headers).is_some() => Err(Error::decrypt(
            operation,
            crate::jwe::DecryptError::NoKey,
            status,
            headers,
            body.into(),
        )
        .with_attempts(attempts)),
        Err(e) => Err(Error::from_response(
            ErrorKind::InvalidResponse,
            operation,
            status,
            headers,
            body.into(),
        )
        .with_mismatch(SchemaMismatch::from_serde(&e))
        .with_guessed_vendor()
        .with_attempts(attempts)),
    }
}

/// Decodes a documented JSON error body of type `E`, and the vendor error from it in the
/// API's declared `shape` (guessed when the API declares none). A body that is not an
/// `E` makes an [`ErrorKind::UnexpectedStatus`] error.
pub async fn error<E: DeserializeOwned>(
    response: reqwest::Response,
    operation: &'static str,
    shape: Option<VendorErrorShape>,
) -> Error<E> {
    let (status, headers, body, attempts) = match read(response, operation).await {
        Ok(parts) => parts,
        Err(error) => return error,
    };
    let error = match serde_json::from_slice::<E>(&body) {
        Ok(typed) => {
            let vendor = match shape {
                Some(shape) => VendorError::decode_as(shape, &body),
                None => VendorError::decode(&body),
            };
            Error::from_response(ErrorKind::Vendor, operation, status, headers, body.into())
                .with_typed(typed, vendor)
        }
        Err(_) => Error::from_response(
            ErrorKind::UnexpectedStatus,
            operation,
            status,
            headers,
            body.into(),
        )
        .with_undocumented_body()
        .with_guessed_vendor(),
    };
    error.with_attempts(attempts)
}

/// Status, headers, body, and the attempts that got the response.
type Parts = (
    reqwest::StatusCode,
    reqwest::header::HeaderMap,
    bytes::Bytes,
    Attempts,
);

/// The parts of `response`, its headers moved out (not copied) and its body as received
/// (copied only into an error).
async fn read<E>(
    mut response: reqwest::Response,
    operation: &'static str,
) -> Result<Parts, Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let attempts = Error::<E>::attempts_of(&response);
    let body = response
        .bytes()
        .await
        .map_err(|e| Error::transport(operation, e).with_attempts(attempts))?;
    Ok((status, headers, body, attempts))
}
