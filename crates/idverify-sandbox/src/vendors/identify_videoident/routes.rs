//! The HTTP handlers of the API and its `Vendor` implementation.

use super::*;

pub(super) async fn login(State(api): State<Arc<IdentifyVideoident>>, body: Bytes) -> Response {
    match api.login(&body) {
        Ok(token) => {
            let mut response = json_response(
                StatusCode::OK,
                &types::PartnerLoginResponse {
                    messages: vec!["Successful..".into()],
                    response_status: Some(OK),
                    result: true,
                    token: Some(token),
                },
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(refusal) => refused(refusal),
    }
}

pub(super) async fn create_ident(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_create(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(&problems),
    };
    match api.create(request) {
        Some(id) => json_response(
            StatusCode::OK,
            &types::CreateIdentResponse {
                conference_url: Some(api.page_url(&id)),
                ident_id: id,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => envelope_error(
            StatusCode::TOO_MANY_REQUESTS,
            vec!["The sandbox keeps at most 10000 idents; wait for some to be removed.".into()],
        ),
    }
}

pub(super) async fn set_appointment(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request = match validate_appointment(&body) {
        Ok(request) => request,
        Err(problems) => return bad_request(&problems),
    };
    match api.set_appointment(&request) {
        Ok(insert_id) => json_response(
            StatusCode::OK,
            &types::SetAppointmentResponse {
                insert_id,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        Err(refusal) => refused(refusal),
    }
}

pub(super) async fn get_ident(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.ident(&id) {
        Some(ident) => json_response(
            StatusCode::OK,
            &types::GetIdentResponse {
                data: ident,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => refused(not_found_refusal()),
    }
}

pub(super) async fn get_ident_data(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.ident_data(&id) {
        Ok(data) => json_response(
            StatusCode::OK,
            &types::GetIdentDataResponse {
                data,
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        Err(refusal) => refused(refusal),
    }
}

pub(super) fn project(id: &str, title: &str, status: &str) -> types::Project {
    types::Project {
        id: id.to_string(),
        status: Some(status.to_string()),
        title: Some(title.to_string()),
    }
}

pub(super) async fn all_projects(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    json_response(
        StatusCode::OK,
        &types::GetAllProjectsResponse {
            data: PROJECTS
                .iter()
                .map(|(id, title, status)| project(id, title, status))
                .collect(),
            messages: Vec::new(),
            response_status: Some(OK),
            result: true,
        },
    )
}

pub(super) async fn get_project(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let request: types::GetProjectRequest = match parse_request(&body, spec_facts::GET_PROJECT.request_nullable) {
        Ok(request) => request,
        Err(e) => return bad_request(&[(e.name, e.reason)]),
    };
    let wanted = request.project_id.to_string();
    match PROJECTS.iter().find(|(id, _, _)| *id == wanted) {
        Some((id, title, status)) => json_response(
            StatusCode::OK,
            &types::GetProjectResponse {
                data: project(id, title, status),
                messages: Vec::new(),
                response_status: Some(OK),
                result: true,
            },
        ),
        None => envelope_error(StatusCode::NOT_FOUND, vec!["Project not found.".into()]),
    }
}

pub(super) async fn all_webhooks(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    let webhook = |id: &str, status: &str, url: &str| types::Webhook {
        created_at: Some("2020-06-21 11:03:49".into()),
        id: id.to_string(),
        status: Some(status.to_string()),
        updated_at: Some("2024-03-06 17:54:32".into()),
        url: Some(url.to_string()),
    };
    json_response(
        StatusCode::OK,
        &types::GetAllWebhooksResponse {
            data: vec![
                webhook("1", "3", "https://partner.example/identify/webhook"),
                webhook("2", "4", "https://partner.example/identify/old-webhook"),
            ],
            messages: Vec::new(),
            response_status: Some(OK),
            result: true,
        },
    )
}

pub(super) async fn download(
    State(api): State<Arc<IdentifyVideoident>>,
    headers: HeaderMap,
    Path((customer_id, name)): Path<(String, String)>,
) -> Response {
    if let Some(response) = api.unauthorized(&headers) {
        return response;
    }
    match api.download(&customer_id, &name) {
        Some((kind, content)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            content,
        )
            .into_response(),
        None => envelope_error(StatusCode::NOT_FOUND, vec!["File not found.".into()]),
    }
}

impl Vendor for IdentifyVideoident {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "Identify VideoIdent API 1.0.3"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(LOGIN_PATH, post(login))
            .route(&format!("{API_PATH}/ident/create"), post(create_ident))
            .route(
                &format!("{API_PATH}/ident/setOnboardifyAppointment"),
                post(set_appointment),
            )
            .route(&format!("{API_PATH}/ident/get/{{id}}"), get(get_ident))
            .route(
                &format!("{API_PATH}/ident/getIdentData/{{id}}"),
                get(get_ident_data),
            )
            .route(&format!("{API_PATH}/project/getAll"), get(all_projects))
            .route(&format!("{API_PATH}/project/get"), get(get_project))
            .route(&format!("{API_PATH}/webhook/getAll"), get(all_webhooks))
            .route(
                &format!("{API_PATH}/download/{{customer}}/{{file}}"),
                get(download),
            )
            .with_state(self)
    }

    fn error_response(&self, status: StatusCode, detail: &str) -> Response {
        envelope_error(status, vec![detail.to_string()])
    }

    fn open(&self, session_id: &str) -> Result<PageView, ControlError> {
        let mut state = self.state.lock();
        let record = state.idents.for_control(session_id)?;
        if record.state == IdentState::Created {
            record.state = IdentState::InProgress;
            self.notify(session_id, record);
        }
        let request = &record.request;
        let mut details = vec![
            ("Project".to_string(), request.project_id.clone()),
            (
                "Customer (as sent)".to_string(),
                format!("{} {}", request.person_first_name, request.person_last_name),
            ),
            (
                "Language".to_string(),
                request
                    .language
                    .as_ref()
                    .map_or_else(|| "de".to_string(), |l| l.to_string()),
            ),
        ];
        if let Some(appointment) = &record.appointment {
            details.push(("Appointment".into(), appointment.clone()));
        }
        Ok(PageView {
            open: record.state.is_open(),
            status: record.state.code_and_text().1.to_string(),
            details,
        })
    }

    fn complete(
        &self,
        session_id: &str,
        person: &'static Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        let now = self.state.now();
        let mut state = self.state.lock();
        let record = state.idents.for_control(session_id)?;
        if !record.state.is_open() {
            return Err(ControlError::not_open(record.state.code_and_text().1));
        }
        record.state = match outcome {
            Outcome::Success => {
                record.person = Some(person);
                IdentState::Successful
            }
            Outcome::Abort => IdentState::Aborted,
            Outcome::Error => IdentState::Failed,
        };
        record.completed_at = Some(now);
        self.notify(session_id, record);
        Ok(Completion {
            status: record.state.code_and_text().1.to_string(),
            // No callback URL in the create request: the page shows "done".
            redirect_url: None,
        })
    }

    fn webhook_format(&self) -> Option<&'static str> {
        Some("JSON WebhookPayload, unsigned")
    }

    fn endpoints(&self) -> Vec<(&'static str, String)> {
        vec![
            ("base_url", format!("{}{API_PATH}", self.shared.base_url)),
            ("login_url", format!("{}{LOGIN_PATH}", self.shared.base_url)),
            ("partner", PARTNER.to_string()),
            ("api_key", API_KEY.to_string()),
            (
                "token_idle_timeout_seconds",
                TOKEN_IDLE.as_secs().to_string(),
            ),
            ("projects", "6 (active), 7 (inactive)".to_string()),
        ]
    }
}
