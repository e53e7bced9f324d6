//! The HTTP handlers of the API and its `Vendor` implementation.

use super::*;

pub(super) fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

/// The request id of a query, if there is a non-empty one.
pub(super) fn request_id_param(uri: &Uri) -> Option<String> {
    query_param(uri, "requestId").filter(|id| !id.trim().is_empty())
}

pub(super) fn missing_request_id() -> Response {
    bad_request("requestId: The requestId parameter is required.")
}

/// The provider a completed session reports for `person`.
pub(super) fn provider_for(person: &Person) -> types::IdentityProvider {
    match person.provider {
        "nbid" => types::IdentityProvider::NoBankidWeb,
        "sbid" => types::IdentityProvider::SweBankid,
        _ => types::IdentityProvider::UnknownValue,
    }
}

pub(super) async fn create_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(problems_message(&problems)),
    };
    match api.create(request) {
        Created::Session(id) => json_response(&types::CreateIdentificationResponse {
            url: Some(api.page_url(&id)),
            request_id: Some(id),
        }),
        Created::Full => too_many_sessions(),
    }
}

pub(super) async fn retrieve_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let Some(id) = request_id_param(&uri) else {
        return missing_request_id();
    };
    let meta_data = match query_param(&uri, "metaData").as_deref() {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => return bad_request("metaData: Must be true or false."),
    };
    match api.retrieve(&id, meta_data) {
        Some(result) => json_response(&result),
        None => not_found(),
    }
}

pub(super) async fn session_status(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let Some(id) = request_id_param(&uri) else {
        return missing_request_id();
    };
    let done = api.state.lock().sessions.get(&id).map(|r| !is_open(r.status()));
    match done {
        Some(done) => json_response(&types::IdentificationCompleteResponse { done: Some(done) }),
        None => not_found(),
    }
}

pub(super) async fn invalidate_session(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    // The spec marks no member of this body `nullable`.
    let request: types::InvalidateIdentificationRequest = match parse_request(&body, spec_facts::INVALIDATE_SESSION.request_nullable) {
        Ok(request) => request,
        Err(e) => return bad_request(format!("{}: {}", e.name, e.reason)),
    };
    let result = {
        let mut state = api.state.lock();
        let result = match state.sessions.get_mut(&request.request_id) {
            None => None,
            // v1 lets a completed session be invalidated (unlike v2); not a failed one.
            Some(record) if !matches!(record.status(), Some(types::Status::Error)) => {
                record.result.status = Some(types::Status::Invalidated);
                api.notify(&request.request_id, record);
                Some(Ok(()))
            }
            Some(record) => Some(Err(status_name(record.status()))),
        };
        if matches!(result, Some(Ok(()))) {
            state.sync_log(&request.request_id);
        }
        result
    };
    match result {
        None => not_found(),
        Some(Ok(())) => StatusCode::OK.into_response(),
        Some(Err(status)) => error(
            StatusCode::BAD_REQUEST,
            "session_not_invalidatable",
            &format!(
                "The session is {status}; only sessions that are not completed can be invalidated."
            ),
        ),
    }
}

pub(super) async fn log_entry(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let item = api.state.lock().logs.get(&id).map(|e| e.item.clone());
    match item {
        Some(item) => json_response(&item),
        None => error(
            StatusCode::NOT_FOUND,
            "log_entry_not_found",
            "No log entry with this request id exists.",
        ),
    }
}

pub(super) async fn log_filter(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    Path(year): Path<String>,
    uri: Uri,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match LogFilter::parse(&year, uri.query()) {
        Ok(filter) => json_response(&api.log_page(&filter)),
        Err(problems) => bad_request(problems_message(&problems)),
    }
}

pub(super) async fn bankid_mobile(
    State(api): State<Arc<IdfyIdentificationV1>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let (request, mobile) = match validate_mobile(&body) {
        Ok(valid) => valid,
        Err(problems) => return bad_request(problems_message(&problems)),
    };
    match api.create_mobile(request, &mobile) {
        Some(answer) => json_response(&answer),
        None => too_many_sessions(),
    }
}

pub(super) async fn add_headers(response: Response) -> Response {
    with_vendor_headers(response)
}

impl Vendor for IdfyIdentificationV1 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Idfy Identification API v1 (legacy)"
    }

    fn routes(self: Arc<Self>) -> Router {
        let tokens = self.tokens.clone().route(TOKEN_PATH);
        Router::new()
            .route(SESSION_PATH, post(create_session).get(retrieve_session))
            .route(&format!("{SESSION_PATH}/status"), get(session_status))
            .route(
                &format!("{SESSION_PATH}/invalidate"),
                put(invalidate_session),
            )
            .route(
                &format!("{API_PATH}/identification/log/requestId/{{id}}"),
                get(log_entry),
            )
            .route(
                &format!("{API_PATH}/identification/log/filter/{{year}}"),
                get(log_filter),
            )
            .route(
                &format!("{API_PATH}/identification/no/bankid/mobile"),
                post(bankid_mobile),
            )
            .with_state(self)
            .merge(tokens)
            .layer(axum::middleware::map_response(add_headers))
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let code = match status.as_u16() {
            404 => "not_found",
            429 => "too_many_requests",
            503 => "service_unavailable",
            _ => "error",
        };
        with_vendor_headers(error(status, code, detail))
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some("JSON; X-Idfy-Signature: hex HMAC-SHA256 of the body under the webhook's secret")
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state.lock();
        let record = state.sessions.for_control(session_id)?;
        let changed = record.status() == Some(&types::Status::Created);
        if changed {
            record.result.status = Some(types::Status::Userinitiated);
            self.notify(session_id, record);
        }
        let mut details = vec![(
            "Identity provider".to_string(),
            record.identity_provider.as_ref().map_or_else(
                || "any (the end user chooses)".to_string(),
                |p| p.to_string(),
            ),
        )];
        if let Some(language) = &record.language {
            details.push(("Language".into(), language.to_string()));
        }
        if let Some(reference) = &record.external_reference {
            details.push(("External reference".into(), reference.clone()));
        }
        if let Some(person) = record.mobile_person {
            details.push(("BankID on mobile of".into(), person.to_string()));
        }
        let view = PageView {
            open: is_open(record.status()),
            status: status_name(record.status()),
            details,
        };
        if changed {
            state.sync_log(session_id);
        }
        Ok(view)
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let mut state = self.state.lock();
        let record = state.sessions.for_control(session_id)?;
        if !is_open(record.status()) {
            return Err(ControlError::not_open(&status_name(record.status())));
        }
        if outcome == Outcome::Success
            && let Some(owner) = record.mobile_person
            && owner != person.id
        {
            return Err(ControlError::bad_request(format!(
                "this BankID on mobile session is for the test person `{owner}`"
            )));
        }
        let result = &mut record.result;
        result.environment_info = Some(types::EnvironmentInfo {
            user_agent: Some("idverify-sandbox".into()),
            ip_address: Some("127.0.0.1".into()),
        });
        let urls = record.return_urls.as_ref();
        let url = match outcome {
            Outcome::Success => {
                result.status = Some(types::Status::Success);
                let middle = person
                    .middle_name
                    .map(|m| format!(" {m}"))
                    .unwrap_or_default();
                result.name = Some(format!(
                    "{}, {}{middle}",
                    person.last_name, person.first_name
                ));
                result.first_name = Some(person.first_name.to_string());
                result.middle_name = person.middle_name.map(str::to_string);
                result.last_name = Some(person.last_name.to_string());
                result.date_of_birth = Some(ddmmyy(person.date_of_birth));
                result.social_security_number =
                    record.get_ssn.then(|| person.national_id.to_string());
                result.identity_provider_unique_id =
                    Some(format!("sandbox-{}-{}", person.provider, person.id));
                result.identity_provider = Some(
                    record
                        .identity_provider
                        .clone()
                        .unwrap_or_else(|| provider_for(person)),
                );
                urls.map(|u| u.success.clone())
            }
            Outcome::Abort => {
                result.status = Some(types::Status::Useraborted);
                result.identity_provider = record.identity_provider.clone();
                urls.map(|u| u.abort.clone())
            }
            Outcome::Error => {
                result.status = Some(types::Status::Error);
                result.identity_provider = record.identity_provider.clone();
                result.error = Some(types::ErrorDetails {
                    native_error_code: Some("C325".into()),
                    error_code: Some("authentication_failed".into()),
                    error_message: Some(
                        "The test person's identification failed (sandbox).".into(),
                    ),
                });
                urls.map(|u| u.error.clone())
            }
        };
        let status = status_name(result.status.as_ref());
        let redirect_url = url.map(|url| {
            substitute(
                &url,
                &status,
                session_id,
                record.external_reference.as_deref().unwrap_or(""),
            )
        });
        self.notify(session_id, record);
        state.sync_log(session_id);
        Ok(Completion {
            status,
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
            (
                "session_lifetime_seconds",
                SESSION_LIFETIME.as_secs().to_string(),
            ),
        ]
    }
}
