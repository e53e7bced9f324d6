//! The iframe flow's last page: it posts the outcome to the parent window.

use super::*;

/// Embeds `value` as JSON in a `<script>`: no `<`, `>`, `&` or line separators that
/// could end the script or confuse the parser.
pub(super) fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The last page of an `iframe` session: posts the `IframeMessage` to the parent.
pub(super) async fn iframe_done(
    State(api): State<Arc<SignicatIdentificationV2>>,
    Path(id): Path<String>,
) -> Response {
    let found = api.state.lock().sessions.get(&id).map(|r| {
        (
            r.session.status.clone(),
            r.session
                .iframe_settings
                .as_ref()
                .and_then(|s| s.post_message_target_origin.clone()),
        )
    });
    let Some((status, Some(origin))) = found else {
        return not_found();
    };
    let status = match status {
        types::SessionStatus::Success => types::IframeMessageStatus::Success,
        types::SessionStatus::UserAborted => types::IframeMessageStatus::Aborted,
        types::SessionStatus::Failed => types::IframeMessageStatus::Error,
        _ => return not_found(),
    };
    let message = types::IframeMessage {
        session_id: id.clone(),
        status,
    };
    let message = serde_json::to_value(&message).unwrap_or_default();
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Done</title></head>\
         <body>\n<p>The session is <strong id=\"status\">{status}</strong>.</p>\n\
         <script>window.parent.postMessage(JSON.stringify({message}), {origin});</script>\n\
         </body></html>\n",
        status = escape_html(message["status"].as_str().unwrap_or("")),
        message = script_json(&message),
        origin = script_json(&serde_json::Value::String(origin)),
    );
    let mut response = Html(page).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    crate::page::with_frame_ancestors(response, api.frame_ancestors(&id))
}

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL, if it is one that can
/// stand in a CSP source list.
pub(super) fn csp_origin(url: &str) -> Option<String> {
    let origin = url
        .trim()
        .splitn(4, '/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    (is_origin(&origin) && !origin.contains([';', ',', '\'', '"'])).then_some(origin)
}
