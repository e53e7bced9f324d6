//! One token cache per client: a token is kept until shortly before it expires, and
//! concurrent callers on a cold cache wait for one fetch (single flight) instead of each
//! fetching their own. Time is tokio's, so tests can run it on paused time.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::AuthError;

/// A cached token and when to stop using it.
struct Cached {
    token: SecretString,
    refresh_at: Option<Instant>,
}

/// One token cache with single-flight refresh.
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
}

impl TokenCache {
    pub(crate) fn new() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }

    /// The cached token, or the one `fetch` returns. The lock is held across the fetch:
    /// callers arriving meanwhile wait and then reuse the fresh token.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<SecretString, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), AuthError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref()
            && cached.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(cached.token.clone());
        }
        let (token, lifetime) = fetch().await?;
        *slot = Some(Cached {
            token: token.clone(),
            refresh_at: lifetime.map(|l| Instant::now() + l),
        });
        Ok(token)
    }

    /// Drops the cached token if it is `rejected` (the one a 401 answered); a newer one is
    /// kept, so concurrent 401s cause one refresh, not one each.
    pub(crate) async fn invalidate(&self, rejected: &str) {
        let mut slot = self.slot.lock().await;
        if slot
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected)
        {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// On paused time: a token is reused until its refresh time, then fetched again, and
    /// dropping an older token than the cached one keeps the cached one.
    #[tokio::test(start_paused = true)]
    async fn a_token_is_reused_until_its_refresh_time() {
        let cache = TokenCache::new();
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            Ok((
                SecretString::from(format!("token-{n}")),
                Some(Duration::from_secs(60)),
            ))
        };
        let token = |t: SecretString| t.expose_secret().to_string();
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-0");
        tokio::time::advance(Duration::from_secs(59)).await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-0");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-1");

        cache.invalidate("token-0").await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-1");
        cache.invalidate("token-1").await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
    }
}
