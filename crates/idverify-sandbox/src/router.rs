//! The router: every vendor's routes and the control API, behind the middlewares that
//! journal requests, inject faults and put the router's own answers into the vendor's
//! error shape.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::faults::{self, FaultKind};
use crate::vendor::{ControlError, Vendor};
use crate::{App, control, journal, page, webhooks};

pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for vendor in app.served() {
        router = router.merge(vendor.clone().routes());
    }
    let routes = router
        .merge(control::routes(app.clone()))
        .merge(page::routes(app.clone()))
        .merge(webhooks::routes(app.clone()))
        .fallback_service(axum::routing::any({
            let app = app.clone();
            move |uri: Uri| async move { unknown_path(&app, &uri) }
        }));
    // The middlewares wrap the routes as a whole: a layer of `routes` itself would see a
    // 405 before axum adds its `Allow` header.
    Router::new()
        .fallback_service(routes)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            vendor_shaped_rejections,
        ))
        .layer(middleware::from_fn_with_state(app.clone(), apply_faults))
        // Outermost: a faulted request was received all the same.
        .layer(middleware::from_fn_with_state(app, journal::record))
}

/// A path no route has: a 404 in the vendor's shape under a vendor's prefix, else the
/// control API's (which names the feature of an API not built in).
fn unknown_path(app: &App, uri: &Uri) -> Response {
    match crate::api_of_path(uri.path()).map(|api| app.vendor(api)) {
        Some(Ok(vendor)) => {
            vendor.error_response(StatusCode::NOT_FOUND, "No such path in this API.")
        }
        Some(Err(not_built)) => not_built.into_response(),
        None => ControlError::not_found("no such path in the sandbox").into_response(),
    }
}

/// The vendor API a path belongs to (by its first segment), if any is built in.
fn vendor_of<'a>(app: &'a App, path: &str) -> Option<&'a Arc<dyn Vendor>> {
    crate::api_of_path(path).and_then(|api| app.vendor(api).ok())
}

/// The middleware that puts what axum answers by itself on a vendor path (the empty 405
/// for a known path called with another method, the plain-text rejections of its
/// extractors, e.g. a path segment that is not UTF-8 or a body over the size limit)
/// into the vendor's error shape: clients of a vendor API parse every error as the
/// vendor's.
async fn vendor_shaped_rejections(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(vendor) = vendor_of(&app, request.uri().path()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if status == StatusCode::METHOD_NOT_ALLOWED && content_type.is_empty() {
        let allowed = response.headers().get(header::ALLOW).cloned();
        let detail = format!(
            "The method {method} is not allowed on this path; it accepts {}.",
            allowed
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        );
        let mut answer = vendor.error_response(status, &detail);
        if let Some(allowed) = allowed {
            answer.headers_mut().insert(header::ALLOW, allowed);
        }
        return answer;
    }
    if status.is_client_error() && content_type.starts_with("text/plain") {
        // axum's own message names what it could not read (`Invalid UTF-8 in `id``);
        // the rejections the sandbox's extractors (path segments as text, the body as
        // bytes) can make quote no request data.
        let text = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap_or_default();
        return vendor.error_response(status, String::from_utf8_lossy(&text).trim());
    }
    response
}

/// The middleware that applies injected faults to vendor calls.
async fn apply_faults(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(api) = crate::api_of_path(request.uri().path()) else {
        return next.run(request).await;
    };
    let Ok(vendor) = app.vendor(api) else {
        return next.run(request).await;
    };
    match app.shared.faults.take(api) {
        None => next.run(request).await,
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis).min(faults::MAX_LATENCY)).await;
            next.run(request).await
        }
        Some(FaultKind::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = vendor.error_response(status, "Injected by the sandbox.");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Some(FaultKind::Drop) => Response::new(Body::new(FailingBody)),
    }
}

/// A body that fails before yielding anything: hyper then closes the connection
/// without writing the response.
struct FailingBody;

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by an injected fault",
        ))))
    }
}
