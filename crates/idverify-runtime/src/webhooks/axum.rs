//! An axum extractor for webhooks (feature `axum`).
//!
//! ```text
//! use std::sync::Arc;
//! use axum::{Router, routing::post, http::StatusCode};
//! use idverify_idnow_platform::webhooks::{self, Event};
//! use idverify_runtime::webhooks::axum::Webhook;
//!
//! async fn on_webhook(Webhook(event): Webhook<Event>) -> StatusCode {
//!     match event {
//!         Event::SessionCompleted(e) => { /* e.payload.session_id ... */ }
//!         _ => {}
//!     }
//!     StatusCode::NO_CONTENT
//! }
//!
//! let app = Router::new()
//!     .route("/webhooks/idnow", post(on_webhook))
//!     .with_state(Arc::new(webhooks::receiver("my-audience")));
//! ```
//!
//! The state must give an `Arc<Receiver<E>>` ([`FromRef`]). A body over the receiver's
//! limit is refused while it is read (413); one that fails verification is answered
//! with [`WebhookError::status`] (400 unreadable, 401 forged, 503 while the vendor's
//! keys cannot be fetched) and the error's text, which names no secret or content.

use std::sync::Arc;

use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::{Receiver, VendorEvent, WebhookError};

/// A verified webhook's event; see the [module](self) for use.
#[derive(Debug)]
pub struct Webhook<E>(pub E);

/// Why a request was refused: the [`WebhookError`], answered with its status.
#[derive(Debug)]
pub struct Rejection(pub WebhookError);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.0.status(), self.0.to_string()).into_response()
    }
}

impl<S, E> FromRequest<S> for Webhook<E>
where
    S: Send + Sync,
    E: VendorEvent + Send + 'static,
    E::Verified: Send,
    Arc<Receiver<E>>: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Arc::<Receiver<E>>::from_ref(state);
        let limit = receiver.max_body();
        let (parts, body) = request.into_parts();
        let body = read(body, limit).await.map_err(Rejection)?;
        receiver
            .receive(&parts.headers, &body)
            .await
            .map(Webhook)
            .map_err(Rejection)
    }
}

/// The body, refused as soon as it passes `limit` bytes.
async fn read(body: Body, limit: usize) -> Result<bytes::Bytes, WebhookError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(WebhookError::TooLarge { limit }),
        Err(_) => Err(WebhookError::Malformed("the body could not be read")),
    }
}
