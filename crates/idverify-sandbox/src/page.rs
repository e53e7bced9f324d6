//! The end user's page of a session, `/_sandbox/ui/{api}/{id}`: pick a test person,
//! then Approve, Abort or Fail, as the vendor's own page would let the person do.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;

use crate::App;
use crate::kit::html::escape_html;
use crate::persons::PERSONS;
use crate::vendor::{ControlError, Outcome};

pub(crate) fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/_sandbox/ui/{api}/{id}", get(page).post(submit_page))
        .with_state(app)
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
    let vendor = match app.vendor_named(&api) {
        Ok(vendor) => vendor,
        Err(error) => return error_page(&error),
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
    let Some(outcome) = outcome.as_deref().and_then(|o| o.parse::<Outcome>().ok()) else {
        return error_page(&ControlError::bad_request(
            "outcome must be success, abort or error",
        ));
    };
    // The form acts as the end user: whatever refuses the page (a headless session, one
    // that is gone) refuses its form too, and posting it counts as having opened it.
    let vendor = match app.vendor_named(&api) {
        Ok(vendor) => vendor,
        Err(error) => return error_page(&error),
    };
    if let Err(error) = vendor.open(&id) {
        return error_page(&error);
    }
    let completion = match crate::control::complete(vendor.as_ref(), &id, &person, outcome) {
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
