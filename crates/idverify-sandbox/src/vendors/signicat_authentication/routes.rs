//! The HTTP handlers of the API and its `Vendor` implementation.

use super::*;

pub(super) async fn create_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(params) => return bad_request(params),
    };
    match api.create(request, query_param(&uri, "signicat-accountId")) {
        Some(session) => json_response(&session),
        None => problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sessions",
            "The sandbox keeps at most 10000 sessions; wait for some to expire.",
            "too_many_sessions",
            Vec::new(),
        ),
    }
}

pub(super) async fn get_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let session = api
        .state
        .lock()
        .sessions
        .get(&id)
        .map(|r| (r.session.clone(), r.encryption_key.clone()));
    match session {
        Some((session, None)) => json_response(&session),
        Some((session, Some(key))) => encrypted_response(&session, &key),
        None => not_found(),
    }
}

/// The session as a compact JWE encrypted to `key` (validated at create; without the
/// `jwe` feature no session has a key).
fn encrypted_response(
    session: &types::Session,
    key: &serde_json::Map<String, serde_json::Value>,
) -> Response {
    let json = serde_json::to_vec(session).expect("a session serialises");
    #[cfg(feature = "jwe")]
    let encrypted = idverify_runtime::jwe::encrypt(&json, key, "A256GCM");
    #[cfg(not(feature = "jwe"))]
    let encrypted: Result<String, &str> = {
        let _ = (json, key);
        Err("built without the `jwe` feature")
    };
    match encrypted {
        Ok(token) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/jose"))],
            token,
        )
            .into_response(),
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Encryption failed",
            &format!("The result could not be encrypted to the session's key: {e}."),
            "encryption_failed",
            Vec::new(),
        ),
    }
}

pub(super) async fn cancel_session(
    State(api): State<Arc<SignicatAuthentication>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let result = {
        let mut state = api.state.lock();
        match state.sessions.get_mut(&id) {
            None => None,
            Some(record) if is_open(record.session.status.as_ref()) => {
                record.session.status = Some(types::SessionStatus::Cancelled);
                record.session.status_detail = Some("Cancelled by the API client.".into());
                Some(Ok(record.session.clone()))
            }
            Some(record) => Some(Err(status_name(record.session.status.as_ref()))),
        }
    };
    match result {
        None => not_found(),
        Some(Ok(session)) => json_response(&session),
        Some(Err(status)) => problem(
            StatusCode::BAD_REQUEST,
            "Session cannot be cancelled",
            &format!(
                "The session is {status}; only sessions that are not completed can be cancelled."
            ),
            "session_not_cancellable",
            Vec::new(),
        ),
    }
}

impl Vendor for SignicatAuthentication {
    fn name(&self) -> &'static str {
        NAME
    }

    fn frame_ancestors(&self, session_id: &str) -> Option<String> {
        self.state.lock()
            .sessions
            .get(session_id)?
            .frame_ancestors
            .clone()
    }

    fn title(&self) -> &'static str {
        "Signicat Authentication REST API v1"
    }

    fn routes(self: Arc<Self>) -> Router {
        let tokens = self.tokens.clone().route(TOKEN_PATH);
        Router::new()
            .route(&format!("{API_PATH}/sessions"), post(create_session))
            .route(&format!("{API_PATH}/sessions/{{id}}"), get(get_session))
            .route(
                &format!("{API_PATH}/sessions/{{id}}/cancel"),
                post(cancel_session),
            )
            .with_state(self)
            .merge(tokens)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let title = status.canonical_reason().unwrap_or("Error");
        let code = match status.as_u16() {
            404 => "not_found",
            429 => "too_many_requests",
            503 => "service_unavailable",
            _ => "error",
        };
        problem(status, title, detail, code, Vec::new())
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state.lock();
        let record = state.sessions.for_control(session_id)?;
        let session = &mut record.session;
        if session.status == Some(types::SessionStatus::Created) {
            session.status = Some(types::SessionStatus::WaitingForUser);
        }
        let mut details = vec![(
            "Requested attributes".to_string(),
            session
                .requested_attributes
                .iter()
                .flatten()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        )];
        if let Some(reference) = &session.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        Ok(PageView {
            open: is_open(session.status.as_ref()),
            status: status_name(session.status.as_ref()),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let mut state = self.state.lock();
        let record = state.sessions.for_control(session_id)?;
        let session = &mut record.session;
        if !is_open(session.status.as_ref()) {
            return Err(ControlError::not_open(&status_name(
                session.status.as_ref(),
            )));
        }
        session.provider = Some(person.provider.to_string());
        session.environment = Some(types::Environment {
            ip_address: Some("127.0.0.1".into()),
            user_agent: Some("idverify-sandbox".into()),
        });
        let urls = session.callback_urls.clone().unwrap_or_default();
        let callback = match outcome {
            Outcome::Success => {
                session.status = Some(types::SessionStatus::Success);
                session.loa = Some("substantial".into());
                session.subject = Some(subject(
                    person,
                    session.requested_attributes.as_deref().unwrap_or_default(),
                ));
                urls.success
            }
            Outcome::Abort => {
                session.status = Some(types::SessionStatus::Abort);
                session.status_detail = Some("The end-user aborted.".into());
                urls.abort
            }
            Outcome::Error => {
                session.status = Some(types::SessionStatus::Error);
                session.status_detail = Some("The authentication failed.".into());
                session.error = Some(types::SessionError {
                    code: Some("authentication_failed".into()),
                    title: Some("Authentication failed".into()),
                    detail: Some("The test person's authentication failed (sandbox).".into()),
                });
                urls.error
            }
        };
        let redirect_url = callback.or_else(|| record.return_url.clone()).map(|url| {
            callback_with_params(&url, session_id, session.external_reference.as_deref())
        });
        Ok(Completion {
            status: status_name(session.status.as_ref()),
            redirect_url,
        })
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("token_url", format!("{}{TOKEN_PATH}", self.shared.base_url)),
            ("client_id", CLIENT_ID.to_string()),
            ("client_secret", CLIENT_SECRET.to_string()),
            ("scope", SCOPE.to_string()),
        ]
    }
}
