//! One token cache per client: a token is kept until shortly before it expires, and
//! concurrent callers on a cold cache wait for one fetch (single flight) instead of each
//! fetching their own; when that fetch fails, all of them get its failure, so an outage
//! of the token endpoint costs one fetch (with its retries) per wave of callers, not one
//! each. Reading a fresh token takes no lock (an atomic load of the cached header); only
//! a refresh takes the single-flight lock. Time is tokio's, so tests can run it on paused
//! time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::TokenFailure;

/// A cached token as the header value it is sent in, and when to stop using it.
struct Cached {
    header: HeaderValue,
    refresh_at: Option<Instant>,
}

impl Cached {
    fn is_fresh(&self) -> bool {
        self.refresh_at.is_none_or(|at| Instant::now() < at)
    }
}

/// One token cache with single-flight refresh.
pub(crate) struct TokenCache {
    /// The token in use, read without a lock.
    current: ArcSwapOption<Cached>,
    /// Held across a fetch; how the last fetch failed, if it did.
    refresh: Mutex<Option<TokenFailure>>,
    /// Fetches finished so far: a caller that sees it change while it waited for the
    /// lock waited for a fetch, and takes that fetch's outcome.
    fetches: AtomicU64,
    /// The header value a token is sent as (made once per token, not per call).
    header: fn(&str) -> HeaderValue,
}

impl TokenCache {
    /// A cache whose tokens are sent as `header(token)`.
    pub(crate) fn new(header: fn(&str) -> HeaderValue) -> Self {
        Self {
            current: ArcSwapOption::empty(),
            refresh: Mutex::new(None),
            fetches: AtomicU64::new(0),
            header,
        }
    }

    /// The header value of the cached token, or of the one `fetch` returns. The refresh
    /// lock is held across the fetch: callers arriving meanwhile wait and then reuse the
    /// fresh token, or get the same failure.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<HeaderValue, TokenFailure>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), TokenFailure>>,
    {
        if let Some(cached) = self.current.load().as_deref()
            && cached.is_fresh()
        {
            return Ok(cached.header.clone());
        }
        // Boxed: the fetch (with its retries and waits) is large, and rare; inline, it
        // would make every call's future as large.
        Box::pin(self.refresh(fetch)).await
    }

    /// The slow path of [`Self::get`]: wait for the refresh lock, then reuse what a fetch
    /// that finished meanwhile got, or fetch.
    async fn refresh<F, Fut>(&self, fetch: F) -> Result<HeaderValue, TokenFailure>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(SecretString, Option<Duration>), TokenFailure>>,
    {
        let seen = self.fetches.load(Ordering::Acquire);
        let mut last_failure = self.refresh.lock().await;
        if let Some(cached) = self.current.load().as_deref()
            && cached.is_fresh()
        {
            return Ok(cached.header.clone());
        }
        if self.fetches.load(Ordering::Acquire) != seen
            && let Some(failure) = last_failure.as_ref()
        {
            return Err(failure.clone());
        }
        let result = fetch().await;
        self.fetches.fetch_add(1, Ordering::Release);
        match result {
            Ok((token, lifetime)) => {
                let header = (self.header)(token.expose_secret());
                self.current.store(Some(Arc::new(Cached {
                    header: header.clone(),
                    refresh_at: lifetime.map(|l| Instant::now() + l),
                })));
                *last_failure = None;
                Ok(header)
            }
            Err(failure) => {
                *last_failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    /// Drops the cached token if it is the one `rejected` (the header value a 401
    /// answered) carried; a newer one is kept, so concurrent 401s cause one refresh, not
    /// one each.
    pub(crate) fn invalidate(&self, rejected: &HeaderValue) {
        let current = self.current.load();
        if current.as_deref().is_some_and(|c| c.header == rejected) {
            // Only if it is still that token: a refresh may have replaced it meanwhile.
            self.current.compare_and_swap(&*current, None);
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
        let cache = TokenCache::new(|t| HeaderValue::from_str(t).unwrap());
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            Ok((
                SecretString::from(format!("token-{n}")),
                Some(Duration::from_secs(60)),
            ))
        };
        let token = |t: HeaderValue| t.to_str().unwrap().to_string();
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-0");
        tokio::time::advance(Duration::from_secs(59)).await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-0");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-1");

        cache.invalidate(&HeaderValue::from_static("token-0"));
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-1");
        cache.invalidate(&HeaderValue::from_static("token-1"));
        assert_eq!(token(cache.get(fetch).await.unwrap()), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
    }

    /// Callers that waited for a failed fetch get its failure; a caller arriving after
    /// it fetches again.
    #[tokio::test(start_paused = true)]
    async fn waiters_share_a_failed_fetch() {
        let cache = TokenCache::new(|t| HeaderValue::from_str(t).unwrap());
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
    ) -> Vec<Result<HeaderValue, TokenFailure>>
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
