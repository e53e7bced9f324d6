//! The HTTP handlers of the API and its `Vendor` implementation.

use super::*;

/// `url` with `state=<state>` added to its query.
pub(super) fn with_state(url: &str, state: Option<&str>) -> String {
    let Some(state) = state else {
        return url.to_string();
    };
    let encoded: String = form_urlencoded::byte_serialize(state.as_bytes()).collect();
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}state={encoded}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The environment of a test client, if `id` and `secret` are one.
pub(super) fn client_environment(id: &str, secret: &str) -> Option<types::Environment> {
    match (id, secret) {
        (LIVE_CLIENT_ID, LIVE_CLIENT_SECRET) => Some(types::Environment::Live),
        (STAGING_CLIENT_ID, STAGING_CLIENT_SECRET) => Some(types::Environment::Staging),
        _ => None,
    }
}

/// The public key of webhook JWTs (as IDnow's `/oidc/.well-known/jwks.json`).
pub(super) async fn jwks() -> Response {
    json_response(&signing::jwks())
}

pub(super) async fn list_flows(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path(environment): Path<String>,
    uri: Uri,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let mut problems = Vec::new();
    let mut number = |name: &str, default: u32, max: u32| match query_param(&uri, name) {
        None => default,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                problems.push((
                    name.to_string(),
                    format!("Must be a whole number from 1 to {max}."),
                ));
                default
            }
        },
    };
    // The spec's `page` is an int32.
    let page = number("page", 1, i32::MAX as u32);
    let size = number("size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    if !problems.is_empty() {
        return bad_request(problems);
    }
    let skip = (page as usize - 1).saturating_mul(size as usize);
    let content = FLOWS
        .iter()
        .skip(skip)
        .take(size as usize)
        .map(|(id, name, description, version, _)| types::Flow {
            id: id.to_string(),
            name: Some(name.to_string()),
            description: Some(description.to_string()),
            version: Some(*version),
            environment: Some(environment.clone()),
        })
        .collect();
    let total = FLOWS.len();
    json_response(&types::FlowList {
        content,
        page: Some(types::PageInfo {
            size: Some(size as i32),
            number: Some(page as i32),
            total_elements: Some(total as i64),
            total_pages: Some(total.div_ceil(size as usize) as i32),
        }),
    })
}

pub(super) async fn create_session(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((flow_id, environment)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let Some(flow) = FLOWS.iter().find(|f| f.0 == flow_id) else {
        return not_found("Flow");
    };
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(problems),
    };
    match api.create(flow, environment, request) {
        Some(created) => json_response(&created),
        None => error_body(
            StatusCode::TOO_MANY_REQUESTS,
            json!("The sandbox keeps at most 10000 sessions; wait for some to be removed."),
            "TOO_MANY_SESSIONS",
            None,
        ),
    }
}

pub(super) async fn get_session(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, id)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let session = api
        .state()
        .sessions
        .get(&id)
        .filter(|r| r.session.environment.as_ref() == Some(&environment))
        .map(|r| r.session.clone());
    match session {
        Some(session) => json_response(&session),
        None => not_found("Session"),
    }
}

pub(super) async fn get_datablocks(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, id)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let blocks = api
        .state()
        .sessions
        .get(&id)
        .filter(|r| r.session.environment.as_ref() == Some(&environment))
        .map(|r| r.input.iter().chain(&r.output).cloned().collect::<Vec<_>>());
    match blocks {
        Some(data_blocks) => json_response(&types::DatablockList { data_blocks }),
        None => not_found("Session"),
    }
}

pub(super) async fn get_file(
    State(api): State<Arc<IdnowPlatform>>,
    headers: HeaderMap,
    Path((environment, vault)): Path<(String, String)>,
) -> Response {
    let environment = match api.authorize(&headers, &environment) {
        Ok(environment) => environment,
        Err(response) => return response,
    };
    let now = api.state.now();
    let expiry = now.checked_add(PRESIGNED_LIFETIME).unwrap_or(now);
    let signature = random_hex(32);
    {
        let mut state = api.state();
        if state.files.get(&vault).map(|(_, env)| env) != Some(&environment) {
            return not_found("File");
        }
        state
            .presigned
            .insert_evicting(signature.clone(), (vault.clone(), expiry), expiry);
    }
    let location = format!(
        "{}{FILES_PATH}/{vault}?expires={}&signature={signature}",
        api.shared.base_url,
        unix_seconds(expiry)
    );
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => not_found("File"),
    }
}

/// The presigned download URL: serves the file while the signature is valid.
pub(super) async fn download(
    State(api): State<Arc<IdnowPlatform>>,
    Path(vault): Path<String>,
    uri: Uri,
) -> Response {
    let signature = query_param(&uri, "signature").unwrap_or_default();
    let now = api.state.now();
    // An expired presigned URL, or one of a file that is gone, answers 403 all the same.
    let found = {
        let state = api.state();
        state
            .presigned
            .get(&signature)
            .filter(|(signed, _)| state.files.contains_key(signed))
            .cloned()
    };
    match found {
        Some((signed, expiry)) if signed == vault && expiry > now => {
            let bytes = file_bytes(&vault);
            let disposition =
                HeaderValue::from_str(&format!("attachment; filename=\"report-{vault}.pdf\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        _ => error_body(
            StatusCode::FORBIDDEN,
            json!("The presigned URL is invalid or expired; request the file again."),
            "ACCESS_DENIED",
            None,
        ),
    }
}

impl Vendor for IdnowPlatform {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "IDnow platform API v1"
    }

    fn routes(self: Arc<Self>) -> Router {
        let tokens = self.tokens.clone().route(TOKEN_PATH);
        Router::new()
            .route(JWKS_PATH, get(jwks))
            .route(
                &format!("{API_PATH}/flows/{{environment}}"),
                get(list_flows),
            )
            .route(
                &format!("{API_PATH}/flows/{{flow_id}}/{{environment}}/sessions"),
                post(create_session),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/sessions/{{id}}"),
                get(get_session),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/sessions/{{id}}/datablocks"),
                get(get_datablocks),
            )
            .route(
                &format!("{API_PATH}/{{environment}}/files/{{vault}}"),
                get(get_file),
            )
            .route(&format!("{FILES_PATH}/{{vault}}"), get(download))
            .with_state(self)
            .merge(tokens)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        let code = match status.as_u16() {
            404 => "NOT_FOUND",
            429 => "TOO_MANY_REQUESTS",
            503 => "SERVICE_UNAVAILABLE",
            _ => "ERROR",
        };
        error_body(status, json!(detail), code, None)
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let now = rfc3339(self.state.now());
        let mut state = self.state();
        let record = state.sessions.for_control(session_id)?;
        let session = &mut record.session;
        if session.session_status == types::SessionStatus::Created {
            session.session_status = types::SessionStatus::Running;
            session.started_at = Some(now.clone());
            session.updated_at = Some(now);
            self.notify(record);
        }
        let session = &record.session;
        let mut details = vec![
            (
                "Flow".to_string(),
                session.flow_id.clone().unwrap_or_default(),
            ),
            (
                "Environment".to_string(),
                session
                    .environment
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
        ];
        if let Some(url) = &session.redirect_url {
            details.push(("Redirect URL".into(), url.clone()));
        }
        Ok(PageView {
            open: is_open(&session.session_status),
            status: session.session_status.to_string(),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let now_time = self.state.now();
        let now = rfc3339(now_time);
        let mut guard = self.state();
        let state = &mut *guard;
        let record = state.sessions.for_control(session_id)?;
        if !is_open(&record.session.session_status) {
            return Err(ControlError::not_open(
                &record.session.session_status.to_string(),
            ));
        }
        let session = &mut record.session;
        if session.started_at.is_none() {
            session.started_at = Some(now.clone());
        }
        session.updated_at = Some(now.clone());
        session.completed_at = Some(now.clone());
        let (status, verdict, step) = match outcome {
            Outcome::Success => (
                types::SessionStatus::Completed,
                types::SessionOutcome::Accepted,
                "END-ACCEPT",
            ),
            Outcome::Abort => (
                types::SessionStatus::Aborted,
                types::SessionOutcome::NoOutcome,
                "sandbox-identity",
            ),
            Outcome::Error => (
                types::SessionStatus::Error,
                types::SessionOutcome::Rejected,
                "END-REJECT",
            ),
        };
        session.session_status = status;
        session.outcome = Some(verdict.clone());
        session.last_step = Some(types::LastStep {
            step_id: Some(step.into()),
            step_description: Some(
                match outcome {
                    Outcome::Success => "Final decision step",
                    Outcome::Abort => "The user aborted",
                    Outcome::Error => "The identification failed",
                }
                .into(),
            ),
            step_name: None,
            step_type: None,
            verdict: Some(verdict.to_string()),
        });
        match outcome {
            Outcome::Success => {
                let (blocks, file) = output_blocks(person, record.documents, now_time);
                record.output = blocks;
                if let Some(file) = file {
                    let environment = session
                        .environment
                        .clone()
                        .unwrap_or(types::Environment::Live);
                    // The file goes with its session.
                    let gone = after(record.created_at, RETENTION);
                    state
                        .files
                        .insert(file, (session_id.to_string(), environment), gone);
                }
            }
            Outcome::Error => {
                record.output = vec![types::Datablock {
                    datablock_id: random_uuid(),
                    type_: types::DatablockType::OutcomeStatus,
                    created_by: Some(types::DatablockCreator {
                        step_id: Some(step.into()),
                        clock: Some(2),
                    }),
                    created_at: Some(now),
                    status: Some(types::DatablockStatus::Stored),
                    content: Some(json!({
                        "outcome": "rejected",
                        "reason": "The test person's identification failed (sandbox)."
                    })),
                }];
            }
            Outcome::Abort => {}
        }
        self.notify(record);
        let session = &record.session;
        Ok(Completion {
            status: session.session_status.to_string(),
            redirect_url: session
                .redirect_url
                .as_deref()
                .map(|url| with_state(url, session.state.as_deref())),
        })
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some(
            "RS256 JWT (application/jwt); key in the JWKS at /idnow-platform/oidc/.well-known/jwks.json",
        )
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("token_url", format!("{}{TOKEN_PATH}", self.shared.base_url)),
            ("jwks_url", format!("{}{JWKS_PATH}", self.shared.base_url)),
            ("live_client_id", LIVE_CLIENT_ID.to_string()),
            ("live_client_secret", LIVE_CLIENT_SECRET.to_string()),
            ("staging_client_id", STAGING_CLIENT_ID.to_string()),
            ("staging_client_secret", STAGING_CLIENT_SECRET.to_string()),
            (
                "flows",
                format!("{BASIC_FLOW_ID}, {DOCUMENT_FLOW_ID} (live and staging)"),
            ),
        ]
    }
}
