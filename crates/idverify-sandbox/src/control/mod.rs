//! The control API under `/_sandbox/` (clock, faults, persons, completing sessions, the
//! journal) and, in [`Control`], the same as typed calls on a running sandbox.

mod client;

pub use client::Control;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use crate::clock::{rfc3339, unix_seconds};
use crate::faults::{Fault, FaultKind};
use crate::kit::http::{json_response, query_param};
use crate::kit::strict_json::parse_json;
use crate::persons::{self, PERSONS};
use crate::vendor::{Completion, ControlError, Outcome, Vendor};
use crate::{Api, App, UnknownApi};

pub(crate) fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/_sandbox", get(index))
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance_clock))
        .route(
            "/_sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/persons", get(list_persons))
        .route(
            "/_sandbox/sessions/{api}/{id}/complete",
            post(complete_session),
        )
        .route("/_sandbox/journal", get(journal))
        .with_state(app)
}

fn bad_body(error: crate::kit::strict_json::FieldError) -> ControlError {
    ControlError::bad_request(format!("`{}`: {}", error.name, error.reason))
}

async fn index(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let apis: Vec<_> = app
        .served()
        .map(|v| {
            let endpoints: serde_json::Map<String, serde_json::Value> = v
                .endpoints()
                .into_iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            json!({
                "name": v.name(),
                "title": v.title(),
                "endpoints": endpoints,
                "webhooks": v.webhook_format(),
            })
        })
        .collect();
    Json(json!({ "apis": apis, "persons": format!("{}/_sandbox/persons", app.shared.base_url) }))
}

fn clock_json(app: &App) -> Json<serde_json::Value> {
    let now = app.shared.clock.now();
    Json(json!({
        "now": rfc3339(now),
        "unix": unix_seconds(now),
        "offset_seconds": app.shared.clock.offset().as_secs(),
    }))
}

async fn clock(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    clock_json(&app)
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match parse_json::<Advance>(&body) {
        Ok(advance) => {
            app.shared
                .clock
                .advance(Duration::from_secs(advance.seconds));
            clock_json(&app).into_response()
        }
        Err(error) => bad_body(error).into_response(),
    }
}

async fn list_faults(State(app): State<Arc<App>>) -> Json<Vec<Fault>> {
    Json(app.shared.faults.list())
}

/// A fault as posted: the API as text, so that a misspelled one is refused naming `api`.
#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default)]
    api: Option<String>,
    #[serde(flatten)]
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `name` as an API built in, or a 400 naming the member `field` (a 404 naming the
/// feature of an API not built in).
fn api_named(field: &str, name: &str) -> Result<Api, ControlError> {
    let api: Api = name
        .parse()
        .map_err(|error: UnknownApi| ControlError::bad_request(format!("`{field}`: {error}")))?;
    if api.is_built_in() {
        Ok(api)
    } else {
        Err(ControlError::not_built(api))
    }
}

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request = match parse_json::<FaultRequest>(&body) {
        Ok(request) => request,
        Err(error) => return bad_body(error).into_response(),
    };
    let api = match request.api.as_deref().map(|name| api_named("api", name)) {
        None => None,
        Some(Ok(api)) => Some(api),
        Some(Err(error)) => return error.into_response(),
    };
    let fault = Fault {
        api,
        kind: request.kind,
        count: request.count,
    };
    match app.shared.faults.add(fault.clone()) {
        Ok(()) => (StatusCode::CREATED, Json(fault)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn clear_faults(State(app): State<Arc<App>>) -> StatusCode {
    app.shared.faults.clear();
    StatusCode::NO_CONTENT
}

async fn list_persons() -> Json<&'static [persons::Person]> {
    Json(PERSONS)
}

#[derive(Deserialize)]
struct Complete {
    person: String,
    outcome: Outcome,
}

async fn complete_session(
    State(app): State<Arc<App>>,
    Path((api, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let request = match parse_json::<Complete>(&body) {
        Ok(request) => request,
        Err(error) => return bad_body(error).into_response(),
    };
    let result = app
        .vendor_named(&api)
        .and_then(|vendor| complete(vendor.as_ref(), &id, &request.person, request.outcome));
    match result {
        Ok(completion) => Json(completion).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Completes a session as the test person with id `person` (the control API, its typed
/// client and the end user's page all finish sessions through this).
pub(crate) fn complete(
    vendor: &dyn Vendor,
    id: &str,
    person: &str,
    outcome: Outcome,
) -> Result<Completion, ControlError> {
    let person = persons::find(person).ok_or_else(|| {
        ControlError::bad_request(format!(
            "`person`: no test person `{person}`; see GET /_sandbox/persons"
        ))
    })?;
    vendor.complete(id, person, outcome)
}

/// `?api=` names the API whose requests are listed.
async fn journal(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let Some(name) = query_param(&uri, "api") else {
        return ControlError::bad_request(format!("`api`: required; one of: {}", Api::names()))
            .into_response();
    };
    match api_named("api", &name) {
        Ok(api) => json_response(&app.shared.journal.entries(api)),
        Err(error) => error.into_response(),
    }
}
