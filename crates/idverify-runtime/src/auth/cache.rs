//! One token cache per client: a token is kept until shortly before it expires, and
//! concurrent callers on a cold cache wait for one fetch (single flight) instead of each
//! fetching their own; when that fetch fails, all of them get its failure, so an outage
//! of the token endpoint costs one fetch (with its retries) per wave of callers, not one
//! each. Time is tokio's, so tests can run it on paused time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::TokenFailure;

/// A cached token and when to stop using it.
struct Cached {
    token: SecretString,
    refresh_at: Option<Instant>,
}

/// The cached token and how the last fetch ended.
struct Slot {
    token: Option<Cached>,
    last_failure: Option<TokenFailure>,
}

/// One token cache with single-flight refresh.
pub(crate) struct TokenCache {
    slot: Mutex<Slot>,
    /// Fetches finished so far: a caller that sees it change while it waited for the
    /// lock waited for a fetch, and takes that fetch's outcome.
    fetches: AtomicU64,
}

impl TokenCache {
    pub(crate) fn new() -> Self {
        Self {
            slot: Mutex::new(Slot {
                token: None,
                last_failure: None,
            }),
            fetches: AtomicU64::new(0),
        }
    }

    /// The cached token, or the one `fetch` returns. The lock is held across the fetch:
    /// callers arriving meanwhile wait and then reuse the fresh token, or get the same
    /// failure.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<SecretString, TokenFailure>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), TokenFailure>>,
    {
        let seen = self.fetches.load(Ordering::Acquire);
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.token.as_ref()
            && cached.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(cached.token.clone());
        }
        if self.fetches.load(Ordering::Acquire) != seen
            && let Some(failure) = &slot.last_failure
        {
            return Err(failure.clone());
        }
        let result = fetch().await;
        self.fetches.fetch_add(1, Ordering::Release);
        match result {
            Ok((token, lifetime)) => {
                slot.token = Some(Cached {
                    token: token.clone(),
                    refresh_at: lifetime.map(|l| Instant::now() + l),
                });
                slot.last_failure = None;
                Ok(token)
            }
            Err(failure) => {
                slot.last_failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    /// Drops the cached token if it is `rejected` (the one a 401 answered); a newer one is
    /// kept, so concurrent 401s cause one refresh, not one each.
    pub(crate) async fn invalidate(&self, rejected: &str) {
        let mut slot = self.slot.lock().await;
        if slot
            .token
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected)
        {
            slot.token = None;
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

    /// Callers that waited for a failed fetch get its failure; a caller arriving after
    /// it fetches again.
    #[tokio::test(start_paused = true)]
    async fn waiters_share_a_failed_fetch() {
        let cache = TokenCache::new();
        let fetches = AtomicUsize::new(0);
        let failing = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(1)).await;
            Err(TokenFailure {
                error: super::super::AuthError::InvalidResponse {
                    url: "u".into(),
                    reason: "r".into(),
                },
                attempts: 2,
            })
        };
        let results = four_at_once(&cache, failing).await;
        assert!(
            results
                .iter()
                .all(|r| r.as_ref().is_err_and(|f| f.attempts == 2))
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(cache.get(failing).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// Four concurrent `get`s.
    async fn four_at_once<F, Fut>(
        cache: &TokenCache,
        fetch: F,
    ) -> Vec<Result<SecretString, TokenFailure>>
    where
        F: Fn() -> Fut + Copy,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), TokenFailure>>,
    {
        let (a, b, c, d) = tokio::join!(
            cache.get(fetch),
            cache.get(fetch),
            cache.get(fetch),
            cache.get(fetch)
        );
        vec![a, b, c, d]
    }
}
