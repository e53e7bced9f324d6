//! One typical session of each API, driven through the generated clients as an
//! application would drive them: what the load benchmark, the soak test and examples
//! share. `create` starts a redirect session (an ident for Identify) whose request
//! carries `reference` where the API has a place for it, so each can be found in the
//! sandbox's journal; `read` reads it back.

use idverify_identify_videoident as identify;
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::{ErrorKind, RetryPolicy};
use idverify_signicat_authentication as authentication;
use idverify_signicat_identification_v2 as idv2;

use crate::{Api, Endpoint, SandboxApi};

/// Where the end-user is sent back to.
pub const SUCCESS_URL: &str = "https://shop.example/done";
pub const ABORT_URL: &str = "https://shop.example/aborted";
pub const ERROR_URL: &str = "https://shop.example/failed";

/// Why a call failed: the runtime error's kind and status when it was one. The message
/// is the error's `Display`, which never holds personal data.
#[derive(Debug, Clone)]
pub struct Failure {
    pub api: Api,
    pub kind: Option<ErrorKind>,
    pub status: Option<u16>,
    pub message: String,
}

impl Failure {
    fn call<E>(api: Api, what: &str, error: &idverify_runtime::Error<E>) -> Self {
        Self {
            api,
            kind: Some(error.kind()),
            status: error.status().map(|s| s.as_u16()),
            message: format!("{} {what}: {error}", api.name()),
        }
    }

    /// A failure that is not a call's error (a missing id, a wrong status).
    pub fn other(api: Api, message: String) -> Self {
        Self {
            api,
            kind: None,
            status: None,
            message: format!("{}: {message}", api.name()),
        }
    }
}

/// One generated client per API, for a sandbox at one base URL.
#[derive(Debug, Clone)]
pub struct Clients {
    pub authentication: authentication::Client,
    pub idv2: idv2::Client,
    pub idfy: idfy::Client,
    pub idnow: idnow::Client,
    pub identify: identify::Client,
}

fn client<C: SandboxApi>(base_url: &str, retry: RetryPolicy) -> C {
    Endpoint::of::<C>(base_url)
        .client_builder::<C>()
        .retry(retry)
        .build()
        // The sandbox's own URLs and test credentials: a failure is a bug here.
        .unwrap_or_else(|e| panic!("client of {}: {e}", C::SANDBOX_API))
}

impl Clients {
    /// The five clients of the sandbox at `base_url`, each with `retry`.
    pub fn new(base_url: &str, retry: RetryPolicy) -> Self {
        Self {
            authentication: client(base_url, retry),
            idv2: client(base_url, retry),
            idfy: client(base_url, retry),
            idnow: client(base_url, retry),
            identify: client(base_url, retry),
        }
    }

    /// Creates a session; its id. `reference` should be unique: Idfy returns the open
    /// session with the same external reference instead of a new one.
    pub async fn create(&self, api: Api, reference: &str) -> Result<String, Failure> {
        match api {
            Api::SignicatAuthentication => {
                use authentication::types;
                let request = types::CreateSessionRequest::builder()
                    .flow(types::Flow::Redirect)
                    .requested_attributes(vec![
                        types::RequestedAttribute::Name,
                        types::RequestedAttribute::Nin,
                        types::RequestedAttribute::DateOfBirth,
                    ])
                    .external_reference(reference)
                    .callback_urls(Some(types::CallbackUrls {
                        success: Some(SUCCESS_URL.into()),
                        abort: Some(ABORT_URL.into()),
                        error: Some(ERROR_URL.into()),
                    }));
                let session = self
                    .authentication
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?
                    .into_inner();
                session
                    .id
                    .ok_or_else(|| Failure::other(api, "created session without id".into()))
            }
            Api::SignicatIdentificationV2 => {
                use idv2::types;
                let request = types::CreateSessionRequest::builder()
                    .flow(types::Flow::Redirect)
                    .include(vec![
                        types::Include::Name,
                        types::Include::Nin,
                        types::Include::DateOfBirth,
                    ])
                    .external_reference(Some(reference.to_string()))
                    .redirect_settings(Some(types::RedirectSettings {
                        success_url: Some(SUCCESS_URL.into()),
                        abort_url: Some(ABORT_URL.into()),
                        error_url: Some(ERROR_URL.into()),
                    }));
                let session = self
                    .idv2
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(session.into_inner().id)
            }
            Api::IdfyIdentificationV1 => {
                use idfy::types;
                let request = types::CreateIdentificationRequest::builder()
                    .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                    .language(Some(types::Language::No))
                    .get_social_security_number(Some(true))
                    .external_reference(Some(reference.to_string()))
                    .return_urls(Some(types::ReturnUrls {
                        error: ERROR_URL.into(),
                        abort: ABORT_URL.into(),
                        success: SUCCESS_URL.into(),
                    }));
                let created = self
                    .idfy
                    .create_session()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?
                    .into_inner();
                created
                    .request_id
                    .ok_or_else(|| Failure::other(api, "created session without id".into()))
            }
            Api::IdnowPlatform => {
                // IDnow's create body has no reference of the caller's: it rides in the
                // redirect URL's query.
                let created = self
                    .idnow
                    .create_session()
                    .flow_id(crate::vendors::idnow_platform::BASIC_FLOW_ID)
                    .environment(idnow::types::Environment::Live)
                    .body(
                        idnow::types::CreateSessionRequest::builder()
                            .redirect_url(Some(format!("{SUCCESS_URL}?ref={reference}"))),
                    )
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(created.into_inner().session_context.session_id)
            }
            Api::IdentifyVideoident => {
                let request = identify::types::CreateIdentRequest::builder()
                    .project_id("6")
                    .birthday("1981-09-05")
                    .email("johndoe@example.com")
                    .person_first_name("JOHN")
                    .person_last_name("DOE")
                    .mobile_phone("01511111111")
                    .nationality("DE")
                    .street("MARKGRAFENSTR.")
                    .house_no("23")
                    .zip_code("94670")
                    .city("NÜRNBERG")
                    .country("DE")
                    .custom_id(Some(reference.to_string()));
                let created = self
                    .identify
                    .create_ident()
                    .body(request)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "create", &e))?;
                Ok(created.into_inner().ident_id)
            }
        }
    }

    /// Reads a session back; its status in the vendor's words.
    pub async fn read(&self, api: Api, id: &str) -> Result<String, Failure> {
        let status = match api {
            Api::SignicatAuthentication => self
                .authentication
                .get_session()
                .id(id)
                .send()
                .await
                .map_err(|e| Failure::call(api, "get", &e))?
                .into_inner()
                .status
                .map(|s| s.to_string()),
            Api::SignicatIdentificationV2 => Some(
                self.idv2
                    .get_session()
                    .id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .status
                    .to_string(),
            ),
            Api::IdfyIdentificationV1 => self
                .idfy
                .retrieve_session()
                .request_id(id)
                .send()
                .await
                .map_err(|e| Failure::call(api, "get", &e))?
                .into_inner()
                .status
                .map(|s| s.to_string()),
            Api::IdnowPlatform => Some(
                self.idnow
                    .get_session()
                    .environment(idnow::types::Environment::Live)
                    .session_id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .session_status
                    .to_string(),
            ),
            Api::IdentifyVideoident => {
                self.identify
                    .get_ident()
                    .ident_id(id)
                    .send()
                    .await
                    .map_err(|e| Failure::call(api, "get", &e))?
                    .into_inner()
                    .data
                    .status
            }
        };
        status.ok_or_else(|| Failure::other(api, format!("session {id} without status")))
    }
}
