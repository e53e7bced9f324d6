//! Sending token requests: one attempt ([`send_token_request`]) and the retries around
//! it ([`TokenRetry`]), under the calling operation's policy and the client's budget.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::AuthError;
use crate::retry::{self, RetryBudget, RetryPolicy};

/// A failed token fetch with what the retries saw, shared by every caller that waited
/// for the same fetch.
#[derive(Debug, Clone)]
pub(crate) struct TokenFailure {
    pub error: AuthError,
    /// Token requests sent.
    pub attempts: u32,
}

/// How token requests are retried: the calling operation's policy and timeouts, and the
/// client's retry budget, as for its calls. A token request is safe to repeat.
#[derive(Clone, Copy)]
pub(crate) struct TokenRetry<'a> {
    pub policy: RetryPolicy,
    pub budget: &'a RetryBudget,
    pub attempt_timeout: Option<Duration>,
    pub deadline: Option<Instant>,
}

impl TokenRetry<'_> {
    /// Runs `fetch` (one token request with the given timeout) until it succeeds, fails
    /// for a reason a retry cannot help, or the policy, deadline or budget says stop.
    pub(super) async fn run<T, F, Fut>(&self, fetch: F) -> Result<T, TokenFailure>
    where
        F: Fn(Option<Duration>) -> Fut,
        Fut: std::future::Future<Output = Result<T, AuthError>>,
    {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error =
                match fetch(retry::attempt_timeout(self.attempt_timeout, self.deadline)).await {
                    Ok(token) => {
                        self.budget.refund();
                        return Ok(token);
                    }
                    Err(error) => error,
                };
            let wait = error.is_retryable().then(|| {
                retry::next_wait(
                    &self.policy,
                    self.budget,
                    attempts,
                    error.retry_after(),
                    error.timed_out(),
                    self.deadline,
                )
            });
            let Some(Some(wait)) = wait else {
                return Err(TokenFailure { error, attempts });
            };
            tracing::debug!(
                attempt = attempts,
                wait_ms = wait.as_millis() as u64,
                "token endpoint unavailable; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// Sends one token (or login) request with `timeout` and reads its answer. Failing to,
/// or a 429 or 5xx answer, is an error a retry may help with ([`AuthError::Transport`],
/// [`AuthError::Unavailable`]); any other answer is the caller's to read.
pub(super) async fn send_token_request(
    mut request: reqwest::RequestBuilder,
    url: &str,
    timeout: Option<Duration>,
) -> Result<(reqwest::StatusCode, bytes::Bytes), AuthError> {
    let transport = |source: reqwest::Error| AuthError::Transport {
        url: url.to_string(),
        // The URL is named by the variant already.
        source: Arc::new(source.without_url()),
    };
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(AuthError::Unavailable {
            url: url.to_string(),
            status: status.as_u16(),
            retry_after: retry::retry_after(response.headers()),
        });
    }
    let body = response.bytes().await.map_err(transport)?;
    Ok((status, body))
}
