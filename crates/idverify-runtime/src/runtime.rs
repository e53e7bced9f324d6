//! The inner type of every generated client: it authorises and executes requests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::api::ApiDescriptor;
use crate::auth::{self, AuthError, TokenCache};

/// Shared by all clones of a client (and so by all its concurrent calls).
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    api: &'static ApiDescriptor,
    auth: Auth,
}

pub(crate) enum Auth {
    None,
    Bearer(SecretString),
    OAuth2 {
        token_url: String,
        scope: Option<String>,
        client_id: String,
        client_secret: SecretString,
        skew: Duration,
        cache: TokenCache,
    },
    Partner {
        login_url: String,
        partner: String,
        api_key: SecretString,
        cache: TokenCache,
    },
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer token",
            Auth::OAuth2 { .. } => "oauth2 client credentials",
            Auth::Partner { .. } => "identify partner login",
        };
        f.debug_struct("Runtime")
            .field("api", &self.inner.api.crate_name)
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    pub(crate) fn new(api: &'static ApiDescriptor, auth: Auth) -> Self {
        Self {
            inner: Arc::new(Inner { api, auth }),
        }
    }

    pub fn api(&self) -> &'static ApiDescriptor {
        self.inner.api
    }

    /// Adds the credentials headers to `request`, fetching a token if none is cached.
    pub async fn authorize(
        &self,
        http: &reqwest::Client,
        request: &mut reqwest::Request,
        _operation_id: &str,
    ) -> Result<(), AuthError> {
        match &self.inner.auth {
            Auth::None => Ok(()),
            Auth::Bearer(token) => {
                request
                    .headers_mut()
                    .insert(reqwest::header::AUTHORIZATION, bearer(token));
                Ok(())
            }
            Auth::OAuth2 {
                token_url,
                scope,
                client_id,
                client_secret,
                skew,
                cache,
            } => {
                let token = cache
                    .get(|| {
                        auth::fetch_client_credentials(
                            http,
                            token_url,
                            scope.as_deref(),
                            client_id,
                            client_secret,
                            *skew,
                        )
                    })
                    .await?;
                request
                    .headers_mut()
                    .insert(reqwest::header::AUTHORIZATION, bearer(&token));
                Ok(())
            }
            Auth::Partner {
                login_url,
                partner,
                api_key,
                cache,
            } => {
                let token = cache
                    .get(|| auth::fetch_partner_token(http, login_url, partner, api_key))
                    .await?;
                let headers = request.headers_mut();
                if let Ok(value) = reqwest::header::HeaderValue::from_str(partner) {
                    headers.insert("X-API-PARTNER", value);
                }
                headers.insert("X-API-TOKEN", sensitive_header(token.expose_secret()));
                Ok(())
            }
        }
    }

    /// Sends `request`. A 401 on a request sent with a cached token drops that token,
    /// fetches a new one and replays the request once.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let replay = request.try_clone();
        let response = http.execute(request).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(mut replay) = replay else {
            return Ok(response);
        };
        let (cache, used) = match &self.inner.auth {
            Auth::OAuth2 { cache, .. } => {
                let used = replay
                    .headers()
                    .get(reqwest::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::to_string);
                (cache, used)
            }
            Auth::Partner { cache, .. } => {
                let used = replay
                    .headers()
                    .get("X-API-TOKEN")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                (cache, used)
            }
            _ => return Ok(response),
        };
        let Some(used) = used else {
            return Ok(response);
        };
        cache.invalidate(&used).await;
        match self.authorize(http, &mut replay, operation_id).await {
            Ok(()) => http.execute(replay).await,
            // Keep the vendor's 401: it says more than our failed refresh.
            Err(_) => Ok(response),
        }
    }
}

fn bearer(token: &SecretString) -> reqwest::header::HeaderValue {
    sensitive_header(&format!("Bearer {}", token.expose_secret()))
}

/// A header value marked sensitive, so reqwest/hyper never log it.
fn sensitive_header(value: &str) -> reqwest::header::HeaderValue {
    let mut value = reqwest::header::HeaderValue::from_str(value)
        .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}
