//! The HTTP handlers of the API and its `Vendor` implementation.

use super::*;

pub(super) async fn create_session(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(params) => return bad_request(params),
    };
    match api.create(request) {
        Some(session) => {
            let mut response = json_response(&session);
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        None => problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sessions",
            "The sandbox keeps at most 10000 sessions; wait for some to be removed.",
            "too_many_sessions",
            Vec::new(),
        ),
    }
}

pub(super) async fn list_sessions(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let mut problems = Vec::new();
    let limit = match query_param(&uri, "limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                problems.push(invalid(
                    "limit",
                    format!("Must be a whole number from 1 to {MAX_LIMIT}."),
                ));
                DEFAULT_LIMIT
            }
        },
    };
    let after = match query_param(&uri, "cursor") {
        None => None,
        Some(text) => match decode_cursor(&text) {
            Some(seq) => Some(seq),
            None => {
                problems.push(invalid("cursor", "Not a cursor returned by this API."));
                None
            }
        },
    };
    if !problems.is_empty() {
        return bad_request(problems);
    }
    json_response(&api.list(limit, after))
}

pub(super) async fn get_session(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let session = api.state.lock().sessions.get(&id).map(|r| r.session.clone());
    match session {
        Some(session) => json_response(&session),
        None => not_found(),
    }
}

pub(super) async fn invalidate_session(
    State(api): State<Arc<SignicatIdentificationV2>>,
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
            Some(record) if is_active(&record.session.status) => {
                record.session.status = types::SessionStatus::Invalidated;
                Some(Ok(()))
            }
            Some(record) => Some(Err(record.session.status.to_string())),
        }
    };
    match result {
        None => not_found(),
        Some(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Some(Err(status)) => problem(
            StatusCode::BAD_REQUEST,
            "Session cannot be invalidated",
            &format!(
                "The session is {status}; only sessions that are not completed can be invalidated."
            ),
            "session_not_active",
            Vec::new(),
        ),
    }
}

pub(super) const LANGUAGES: &[(types::Language, &str)] = &[
    (types::Language::En, "English"),
    (types::Language::No, "Norsk"),
    (types::Language::Sv, "Svenska"),
    (types::Language::Da, "Dansk"),
    (types::Language::Fi, "Suomi"),
    (types::Language::De, "Deutsch"),
    (types::Language::Nl, "Nederlands"),
];

pub(super) async fn languages(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let list: Vec<types::LanguageDetails> = LANGUAGES
        .iter()
        .map(|(id, name)| types::LanguageDetails {
            id: Some(id.clone()),
            name: Some(name.to_string()),
            extra: serde_json::Map::new(),
        })
        .collect();
    json_response(&list)
}

/// Every provider: (type, name, description, whether the sandbox account has it).
pub(super) fn providers() -> Vec<(types::IdProviderType, &'static str, &'static str, bool)> {
    use types::IdProviderType as P;
    vec![
        (P::NoBankidNetcentric, "BankID", "Norwegian BankID", true),
        (
            P::NoBankidMobile,
            "BankID på mobil",
            "Norwegian BankID on mobile",
            true,
        ),
        (P::SeBankid, "BankID", "Swedish BankID", true),
        (P::NoBuypass, "Buypass", "Norwegian Buypass ID", false),
        (P::Mitid, "MitID", "Danish MitID", false),
        (P::Ftn, "FTN", "Finnish Trust Network", false),
        (P::SmsOtp, "SMS OTP", "One-time code by SMS", false),
        (P::Freja, "Freja eID", "Freja eID", false),
        (P::Itsme, "itsme", "itsme", false),
        (P::Idin, "iDIN", "Dutch iDIN", true),
        (P::Digid, "DigiD", "Dutch DigiD", false),
    ]
}

pub(super) async fn id_providers(
    State(api): State<Arc<SignicatIdentificationV2>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let account_only = uri.path().ends_with("/account");
    let list: Vec<types::IdProvider> = providers()
        .into_iter()
        .filter(|(_, _, _, on_account)| !account_only || *on_account)
        .map(|(type_, name, description, _)| types::IdProvider {
            logo_url: Some(format!("https://static.example/logos/{type_}.svg")),
            type_: Some(type_),
            name: Some(name.to_string()),
            description: Some(description.to_string()),
            logo_url_negative: None,
            logo_width: None,
            extra: serde_json::Map::new(),
        })
        .collect();
    json_response(&list)
}

impl Vendor for SignicatIdentificationV2 {
    fn name(&self) -> &'static str {
        NAME
    }

    /// An iframe session's page may be framed only by its `iframeSettings.parentDomains`
    /// (when given); a redirect session's page by nobody.
    fn frame_ancestors(&self, session_id: &str) -> Option<String> {
        let state = self.state.lock();
        let session = &state.sessions.get(session_id)?.session;
        match session.flow {
            types::Flow::Redirect => Some("'none'".into()),
            types::Flow::Iframe => {
                let mut origins: Vec<String> = session
                    .iframe_settings
                    .as_ref()?
                    .parent_domains
                    .iter()
                    .filter_map(|domain| csp_origin(domain))
                    .collect();
                origins.dedup();
                (!origins.is_empty()).then(|| origins.join(" "))
            }
            _ => None,
        }
    }

    fn title(&self) -> &'static str {
        "Signicat (Idfy) Identification API v2"
    }

    fn routes(self: Arc<Self>) -> Router {
        let tokens = self.tokens.clone().route(TOKEN_PATH);
        Router::new()
            .route(
                &format!("{API_PATH}/sessions"),
                post(create_session).get(list_sessions),
            )
            .route(&format!("{API_PATH}/sessions/{{id}}"), get(get_session))
            .route(
                &format!("{API_PATH}/sessions/{{id}}/invalidate"),
                post(invalidate_session),
            )
            .route(&format!("{API_PATH}/languages"), get(languages))
            .route(&format!("{API_PATH}/id-providers"), get(id_providers))
            .route(
                &format!("{API_PATH}/id-providers/account"),
                get(id_providers),
            )
            .route(&format!("{IFRAME_DONE_PATH}/{{id}}"), get(iframe_done))
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
        if session.flow == types::Flow::Headless {
            return Err(ControlError::bad_request(
                "headless sessions have no page; complete them with POST /_sandbox/sessions/…/complete",
            ));
        }
        if session.status == types::SessionStatus::Created {
            session.status = types::SessionStatus::UserInitiated;
        }
        let include: Vec<String> = session
            .include
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut details = vec![
            ("Flow".to_string(), session.flow.to_string()),
            (
                "Include".to_string(),
                if include.is_empty() {
                    "(providerId only)".to_string()
                } else {
                    include.join(", ")
                },
            ),
        ];
        if let Some(allowed) = &session.allowed_providers {
            let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            details.push(("Allowed providers".into(), allowed.join(", ")));
        }
        if let Some(reference) = &session.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        Ok(PageView {
            open: is_active(&session.status),
            status: session.status.to_string(),
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
        if !is_active(&session.status) {
            return Err(ControlError::not_open(&session.status.to_string()));
        }
        let allowed = session.allowed_providers.clone().unwrap_or_default();
        let provider = provider_for(person, &session.flow, &allowed).ok_or_else(|| {
            ControlError::bad_request(format!(
                "test person `{}` has no eID the session allows (allowedProviders, flow {})",
                person.id, session.flow
            ))
        })?;
        session.provider = Some(provider.clone());
        session.environment = Some(types::Environment {
            user_agent: Some("idverify-sandbox".into()),
            ip_address: Some("127.0.0.1".into()),
        });
        let urls = session.redirect_settings.clone().unwrap_or_default();
        let url = match outcome {
            Outcome::Success => {
                session.status = types::SessionStatus::Success;
                session.identity = Some(identity(
                    person,
                    &provider,
                    session.include.as_deref().unwrap_or_default(),
                ));
                urls.success_url
            }
            Outcome::Abort => {
                session.status = types::SessionStatus::UserAborted;
                urls.abort_url
            }
            Outcome::Error => {
                session.status = types::SessionStatus::Failed;
                session.error = Some(types::SessionError {
                    message: Some("The test person's identification failed (sandbox).".into()),
                    code: Some("identification_failed".into()),
                    provider_code: Some("SANDBOX".into()),
                });
                urls.error_url
            }
        };
        let redirect_url = match session.flow {
            types::Flow::Redirect => url.map(|u| u.trim().to_string()),
            types::Flow::Iframe => Some(format!(
                "{}{IFRAME_DONE_PATH}/{session_id}",
                self.shared.base_url
            )),
            _ => None,
        };
        Ok(Completion {
            status: session.status.to_string(),
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
