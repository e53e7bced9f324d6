//! The inner type of every generated client: it authorises, sends and retries requests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

// tokio's clock, not std's: tests run the waits on paused time.
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::api::ApiDescriptor;
use crate::auth::{AuthState, TokenFailure, TokenRetry};
use crate::error::Error;
use crate::http::NoRedirectClient;
use crate::request_id::request_id;
use crate::retry::{self, Attempts, RetryBudget, RetryPolicy, Retryable};

/// Per-client settings that a call can override with the generated
/// `Client::with_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOptions {
    /// When and how often failed attempts are retried.
    pub retry: RetryPolicy,
    /// Retry 502/503/504 and timeouts for POST/PATCH too: only for calls that are safe to
    /// repeat (the vendor deduplicates them, or they do not change anything).
    pub retry_non_idempotent: bool,
    /// Timeout of one HTTP attempt. Default 30 s.
    pub attempt_timeout: Option<Duration>,
    /// Timeout of the whole operation, all attempts and waits included (those of a
    /// token request too). Default none.
    pub operation_timeout: Option<Duration>,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            retry_non_idempotent: false,
            attempt_timeout: Some(Duration::from_secs(30)),
            operation_timeout: None,
        }
    }
}

impl CallOptions {
    /// Sets the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether POST/PATCH are retried after 502/503/504 and timeouts (see the field).
    pub fn retry_non_idempotent(mut self, safe: bool) -> Self {
        self.retry_non_idempotent = safe;
        self
    }

    /// Sets the timeout of one HTTP attempt (`None`: no limit).
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets the timeout of the whole operation (`None`: no limit).
    pub fn operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = timeout;
        self
    }
}

/// Shared by all clones of a client (and so by all its concurrent calls): credentials,
/// token cache, retry budget. Options are per clone.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
    options: CallOptions,
}

struct Shared {
    api: &'static ApiDescriptor,
    /// The API's default headers, parsed once (names or values that are not valid HTTP
    /// are left out).
    default_headers: HeaderMap,
    auth: AuthState,
    budget: RetryBudget,
    no_redirect: NoRedirectClient,
    /// Decrypts encrypted (JWE) success responses.
    #[cfg(feature = "jwe")]
    decryption_key: Option<crate::jwe::DecryptionKey>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("api", &self.shared.api.crate_name)
            .field("auth", &self.shared.auth.describe())
            .field("decrypts", &self.decrypts())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    pub(crate) fn new(
        api: &'static ApiDescriptor,
        auth: AuthState,
        options: CallOptions,
        budget: RetryBudget,
        no_redirect: NoRedirectClient,
        #[cfg(feature = "jwe")] decryption_key: Option<crate::jwe::DecryptionKey>,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                api,
                default_headers: api
                    .default_headers
                    .iter()
                    .filter_map(|(name, value)| {
                        Some((
                            HeaderName::from_bytes(name.as_bytes()).ok()?,
                            HeaderValue::from_str(value).ok()?,
                        ))
                    })
                    .collect(),
                auth,
                budget,
                no_redirect,
                #[cfg(feature = "jwe")]
                decryption_key,
            }),
            options,
        }
    }

    /// The description of the API this runtime serves.
    pub fn api(&self) -> &'static ApiDescriptor {
        self.shared.api
    }

    /// Whether this client decrypts encrypted (JWE) responses (it was given a
    /// decryption key).
    pub fn decrypts(&self) -> bool {
        #[cfg(feature = "jwe")]
        return self.shared.decryption_key.is_some();
        #[cfg(not(feature = "jwe"))]
        false
    }

    /// The call options this runtime's calls use.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The same runtime (credentials, token cache, retry budget) with other options.
    pub fn with_options(&self, options: CallOptions) -> Self {
        Self {
            shared: self.shared.clone(),
            options,
        }
    }

    /// Tokens left in the retry budget.
    pub fn retry_budget_available(&self) -> u32 {
        self.shared.budget.available()
    }

    /// Adds the API's default headers and the credentials to `request`, fetching a token
    /// if none is cached (token requests retried under this call's policy until
    /// `deadline`, paid from the client's retry budget).
    async fn authorize(
        &self,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
        deadline: Option<Instant>,
    ) -> Result<(), TokenFailure> {
        for (name, value) in &self.shared.default_headers {
            if !request.headers().contains_key(name) {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        let retry = TokenRetry {
            policy: self.options.retry,
            budget: &self.shared.budget,
            attempt_timeout: self.options.attempt_timeout,
            deadline,
        };
        self.shared.auth.apply(http, request, retry).await
    }

    /// Authorises `request`, sends it with retries (as [`Runtime::execute`]) and turns
    /// a failure to get credentials or to reach the vendor into the operation's
    /// [`Error`], with the attempts made. The response is returned whatever its status:
    /// the operation decodes it (the decoded error reads the attempts from it). For
    /// generated and hand-written operations alike.
    pub async fn send<E>(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> Result<reqwest::Response, Error<E>> {
        let deadline = self.options.operation_timeout.map(|t| Instant::now() + t);
        self.authorize(http, &mut request, deadline)
            .await
            .map_err(|f| {
                Error::auth(operation, f.error).with_attempts(Attempts {
                    count: f.attempts,
                    retry_after: None,
                })
            })?;
        let (result, attempts) = self.traced(http, request, operation, deadline).await;
        let response =
            result.map_err(|e| Error::transport(operation, e).with_attempts(attempts))?;
        #[cfg(feature = "jwe")]
        if let Some(key) = &self.shared.decryption_key {
            return crate::jwe::decrypt_response(key, response, operation).await;
        }
        Ok(response)
    }

    /// An HTTP client with this client's settings (connect timeout, user agent,
    /// [`crate::ClientBuilder::configure_http`]) that does not follow redirects, for
    /// operations whose answer is the redirect itself. Built on first use.
    pub fn no_redirect_client(&self) -> reqwest::Result<reqwest::Client> {
        self.shared.no_redirect.get()
    }

    /// Sends an authorised `request`, retrying as [`CallOptions`] allow (see
    /// [`RetryPolicy`]), and, once, after a 401 on a cached token: the token is dropped,
    /// a new one fetched and the request replayed.
    ///
    /// Traced as OpenTelemetry's HTTP client conventions name things: one span
    /// `idverify.operation` per operation (`idverify.api`, `idverify.operation`,
    /// `http.request.method`, `url.template`, `http.response.status_code`, `error.type`,
    /// `idverify.attempts`, `idverify.request_id`: the vendor's request id) and, inside
    /// it, one span `idverify.attempt` per HTTP request sent (`otel.name` =
    /// `{method} {url.template}`, `otel.kind` = `client`, `http.request.method`,
    /// `server.address`, `server.port`, `url.template`, `http.request.resend_count` from
    /// the first resend on, `http.response.status_code`, `error.type`). Never bodies,
    /// headers or the query string. With no subscriber listening at `INFO`, the spans
    /// cost a level check.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let deadline = self.options.operation_timeout.map(|t| Instant::now() + t);
        self.traced(http, request, operation_id, deadline).await.0
    }

    /// The path template of `operation_id` (`/sessions/{id}`), for spans.
    fn url_template(&self, operation_id: &str) -> Option<&'static str> {
        self.shared
            .api
            .operations
            .iter()
            .find(|o| o.id == operation_id)
            .map(|o| o.path)
    }

    /// [`Self::execute`] until `deadline`, also returning what the retries saw (which a
    /// response carries as an extension too, when it is more than one attempt).
    async fn traced(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
        deadline: Option<Instant>,
    ) -> (reqwest::Result<reqwest::Response>, Attempts) {
        let span = tracing::info_span!(
            "idverify.operation",
            otel.name = operation_id,
            idverify.api = self.shared.api.crate_name,
            idverify.operation = operation_id,
            http.request.method = request.method().as_str(),
            url.template = self.url_template(operation_id),
            http.response.status_code = Empty,
            error.type = Empty,
            idverify.attempts = Empty,
            idverify.request_id = Empty,
        );
        // Boxed: the retry loop's state (the request, its copy, the attempt in flight)
        // is kilobytes; inline, every caller's future would carry it and be copied
        // whole at each level it is moved through.
        let (mut result, attempts) = Box::pin(
            self.send_with_retries(http, request, operation_id, deadline)
                .instrument(span.clone()),
        )
        .await;
        if !span.is_disabled() {
            span.record("idverify.attempts", attempts.count);
            match &result {
                Ok(response) => {
                    let status = response.status();
                    span.record("http.response.status_code", status.as_u16());
                    if status.is_client_error() || status.is_server_error() {
                        span.record("error.type", status.as_str());
                    }
                    if let Some(id) = request_id(response.headers()) {
                        span.record("idverify.request_id", id.as_str());
                    }
                }
                Err(error) => {
                    span.record("error.type", error_type(error));
                }
            }
        }
        // One attempt without `Retry-After` is what a response without the extension
        // means: no allocation for the common case.
        if let Ok(response) = &mut result
            && (attempts.count > 1 || attempts.retry_after.is_some())
        {
            response.extensions_mut().insert(attempts);
        }
        (result, attempts)
    }

    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
        deadline: Option<Instant>,
    ) -> (reqwest::Result<reqwest::Response>, Attempts) {
        let options = self.options;
        let idempotent = retry::is_idempotent(request.method()) || options.retry_non_idempotent;
        // A copy to send again, only if a retry or a replay after a 401 can happen.
        let can_resend = options.retry.max_attempts > 1 || self.shared.auth.can_refresh();
        // Read for spans only: no lookup when nothing listens at `INFO`.
        let template = if tracing::level_enabled!(tracing::Level::INFO) {
            self.url_template(operation_id)
        } else {
            None
        };
        let mut next = request;
        let mut attempts = Attempts::default();
        let mut reauthorized = false;
        loop {
            attempts.count += 1;
            let mut request = next;
            let copy = if can_resend {
                request.try_clone()
            } else {
                None
            };
            if let Some(timeout) = retry::attempt_timeout(options.attempt_timeout, deadline) {
                *request.timeout_mut() = Some(timeout);
            }
            let span = attempt_span(&request, template);
            if attempts.count > 1 {
                span.record("http.request.resend_count", attempts.count - 1);
            }
            let result = http.execute(request).instrument(span.clone()).await;
            if !span.is_disabled() {
                match &result {
                    Ok(response) => {
                        let status = response.status();
                        span.record("http.response.status_code", status.as_u16());
                        if status.is_client_error() || status.is_server_error() {
                            span.record("error.type", status.as_str());
                        }
                    }
                    Err(error) => {
                        span.record("error.type", error_type(error));
                    }
                }
            }
            drop(span);
            if let Ok(response) = &result
                && let Some(after) = retry::retry_after(response.headers())
            {
                attempts.retry_after = Some(after);
            }

            if let Ok(response) = &result
                && response.status() == reqwest::StatusCode::UNAUTHORIZED
                && !reauthorized
                && let Some(mut copy) = copy.as_ref().and_then(reqwest::Request::try_clone)
                // Boxed, as the waits below: rare, and large enough to make every
                // call's future larger.
                && Box::pin(self.refresh_after_401(http, &mut copy, deadline)).await
            {
                reauthorized = true;
                tracing::debug!(
                    operation = operation_id,
                    "token rejected; fetched a new one and replaying"
                );
                next = copy;
                continue;
            }

            let class = match &result {
                Ok(response) => retry::classify_status(response.status().as_u16())
                    .map(|c| (c, retry::retry_after(response.headers()))),
                Err(error) => retry::classify_error(error).map(|c| (c, None)),
            };
            let Some((class, retry_after)) = class else {
                if result.as_ref().is_ok_and(|r| !r.status().is_server_error()) {
                    self.shared.budget.refund();
                }
                return (result, attempts);
            };
            let allowed = match class {
                Retryable::NotSent | Retryable::Throttled => true,
                Retryable::MaybeProcessed => idempotent,
            };
            let Some(copy) = copy else {
                return (result, attempts);
            };
            if !allowed {
                return (result, attempts);
            }
            let timed_out = result
                .as_ref()
                .err()
                .is_some_and(reqwest::Error::is_timeout);
            let Some(wait) = retry::next_wait(
                &options.retry,
                &self.shared.budget,
                attempts.count,
                retry_after,
                timed_out,
                deadline,
            ) else {
                return (result, attempts);
            };
            tracing::debug!(
                operation = operation_id,
                attempt = attempts.count,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            drop(result);
            Box::pin(tokio::time::sleep(wait)).await;
            next = copy;
        }
    }

    /// After a 401: drops the token `request` carried (if it is still the cached one) and
    /// authorises `request` anew. False when there is nothing to refresh or it failed.
    async fn refresh_after_401(
        &self,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
        deadline: Option<Instant>,
    ) -> bool {
        if !self.shared.auth.reject_token_of(request) {
            return false;
        }
        // Keep the vendor's 401 when the refresh fails: it says more than our error.
        self.authorize(http, request, deadline).await.is_ok()
    }
}

/// The span of one HTTP attempt (see [`Runtime::execute`]).
fn attempt_span(request: &reqwest::Request, template: Option<&'static str>) -> tracing::Span {
    let url = request.url();
    tracing::info_span!(
        "idverify.attempt",
        otel.name = %format_args!("{} {}", request.method(), template.unwrap_or("")),
        otel.kind = "client",
        http.request.method = request.method().as_str(),
        server.address = url.host_str(),
        server.port = url.port_or_known_default(),
        url.template = template,
        http.request.resend_count = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
    )
}

/// `error.type` of a request that got no response: what went wrong, never its text.
fn error_type(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else if error.is_request() {
        "request"
    } else {
        "_OTHER"
    }
}
