//! The control API under `/_sandbox/` and the end user's page.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

use crate::App;
use crate::clock::{rfc3339, unix_seconds};
use crate::faults::Fault;
use crate::persons::{self, PERSONS};
use crate::util::{escape_html, parse_json};
use crate::vendor::{ControlError, Outcome};

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
        .route("/_sandbox/ui/{api}/{id}", get(page).post(submit_page))
        .with_state(app)
}

fn bad_body(error: crate::util::FieldError) -> ControlError {
    ControlError::bad_request(format!("`{}`: {}", error.name, error.reason))
}

async fn index(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let apis: Vec<_> = app
        .vendors
        .iter()
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

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let fault = match parse_json::<Fault>(&body) {
        Ok(fault) => fault,
        Err(error) => return bad_body(error).into_response(),
    };
    if let Err(message) = fault.validate(&app.vendor_names()) {
        return ControlError::bad_request(message).into_response();
    }
    if !app.shared.faults.add(fault.clone()) {
        return ControlError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_faults",
            "too many pending faults; DELETE /_sandbox/faults first",
        )
        .into_response();
    }
    (StatusCode::CREATED, Json(fault)).into_response()
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
    match complete(&app, &api, &id, &request.person, request.outcome) {
        Ok(completion) => Json(completion).into_response(),
        Err(error) => error.into_response(),
    }
}

fn complete(
    app: &App,
    api: &str,
    id: &str,
    person: &str,
    outcome: Outcome,
) -> Result<crate::vendor::Completion, ControlError> {
    let vendor = app
        .vendor(api)
        .ok_or_else(|| ControlError::not_found(format!("no API named `{api}`")))?;
    let person = persons::find(person).ok_or_else(|| {
        ControlError::bad_request(format!(
            "no test person `{person}`; see GET /_sandbox/persons"
        ))
    })?;
    vendor.complete(id, person, outcome)
}

fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}\
         label{{display:block;margin:.4rem 0}}button{{margin-right:.5rem;padding:.4rem 1rem}}</style>\
         </head><body>\n<p><small>idverify sandbox: fictional data, not a real identification service</small></p>\n\
         <h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape_html(title),
    );
    let mut response = (status, Html(page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_page(error: &ControlError) -> Response {
    html_page(
        error.status,
        "Sandbox error",
        &format!("<p id=\"error\">{}</p>", escape_html(&error.message)),
    )
}

async fn page(State(app): State<Arc<App>>, Path((api, id)): Path<(String, String)>) -> Response {
    let Some(vendor) = app.vendor(&api) else {
        return error_page(&ControlError::not_found(format!("no API named `{api}`")));
    };
    let view = match vendor.open(&id) {
        Ok(view) => view,
        Err(error) => return error_page(&error),
    };
    let mut body = format!(
        "<p>Session <code id=\"session-id\">{}</code> is <strong id=\"status\">{}</strong>.</p>\n",
        escape_html(&id),
        escape_html(&view.status)
    );
    if !view.details.is_empty() {
        body.push_str("<dl>\n");
        for (label, value) in &view.details {
            body.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                escape_html(label),
                escape_html(value)
            ));
        }
        body.push_str("</dl>\n");
    }
    if view.open {
        body.push_str("<form method=\"post\">\n<fieldset><legend>Identify as</legend>\n");
        for (i, person) in PERSONS.iter().enumerate() {
            body.push_str(&format!(
                "<label><input type=\"radio\" name=\"person\" value=\"{id}\"{checked}> \
                 {name} ({country}, born {dob})</label>\n",
                id = escape_html(person.id),
                checked = if i == 0 { " checked" } else { "" },
                name = escape_html(&person.full_name()),
                country = escape_html(person.country),
                dob = escape_html(person.date_of_birth),
            ));
        }
        body.push_str(
            "</fieldset>\n<p>\
             <button type=\"submit\" id=\"approve\" name=\"outcome\" value=\"success\">Approve</button>\
             <button type=\"submit\" id=\"abort\" name=\"outcome\" value=\"abort\">Abort</button>\
             <button type=\"submit\" id=\"fail\" name=\"outcome\" value=\"error\">Fail</button>\
             </p>\n</form>",
        );
    } else {
        body.push_str("<p id=\"closed\">This session can no longer be completed.</p>");
    }
    with_frame_ancestors(
        html_page(StatusCode::OK, vendor.title(), &body),
        vendor.frame_ancestors(&id),
    )
}

/// Sets `Content-Security-Policy: frame-ancestors ...` when the vendor restricts who may
/// embed the page, as the real vendors do for their session pages.
pub(crate) fn with_frame_ancestors(mut response: Response, sources: Option<String>) -> Response {
    if let Some(policy) = sources
        .and_then(|sources| HeaderValue::from_str(&format!("frame-ancestors {sources}")).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

async fn submit_page(
    State(app): State<Arc<App>>,
    Path((api, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut person = None;
    let mut outcome = None;
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "person" => person = Some(value.into_owned()),
            "outcome" => outcome = Some(value.into_owned()),
            _ => {}
        }
    }
    let Some(person) = person else {
        return error_page(&ControlError::bad_request("choose a test person"));
    };
    let Some(outcome) = outcome.as_deref().and_then(Outcome::parse) else {
        return error_page(&ControlError::bad_request(
            "outcome must be success, abort or error",
        ));
    };
    // The form acts as the end user: whatever refuses the page (a headless session, one
    // that is gone) refuses its form too, and posting it counts as having opened it.
    if let Some(vendor) = app.vendor(&api)
        && let Err(error) = vendor.open(&id)
    {
        return error_page(&error);
    }
    let completion = match complete(&app, &api, &id, &person, outcome) {
        Ok(completion) => completion,
        Err(error) => return error_page(&error),
    };
    if let Some(url) = &completion.redirect_url
        && let Ok(location) = HeaderValue::from_str(url)
    {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    }
    html_page(
        StatusCode::OK,
        "Done",
        &format!(
            "<p>The session is now <strong id=\"status\">{}</strong>. You can close this page.</p>",
            escape_html(&completion.status)
        ),
    )
}
