//! When and how long to wait before sending a request again.
//!
//! Retried: connection failures before the request was sent (any method); 429 (any
//! method: the vendor did not process it), honouring `Retry-After`; 502, 503, 504,
//! timeouts and connections broken after sending only for idempotent methods (GET,
//! HEAD, OPTIONS, PUT, DELETE) unless the call is marked safe to retry. Token requests
//! are safe to repeat: 429, every 5xx, timeouts and connection failures. Waits grow
//! exponentially with full jitter, and a retry budget shared by all calls of a client
//! (and their token requests) stops a failing vendor from being hammered.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

// tokio's clock, not std's: tests run the waits on paused time.
use tokio::time::Instant;

/// Retry settings of a client or a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry). Default 3.
    pub max_attempts: u32,
    /// First backoff ceiling; doubles each retry. Default 200 ms.
    pub base_delay: Duration,
    /// Largest wait between attempts, also for `Retry-After`. Default 20 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Full jitter: a uniformly random wait in `[0, min(max, base * 2^retry)]`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .checked_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What the retries of one operation saw: carried on its response (as an extension) and
/// on its error, where [`crate::Error::attempts`] and [`crate::Error::retry_after`]
/// read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attempts {
    /// Requests sent, the first included.
    pub count: u32,
    /// The last `Retry-After` the vendor sent, as it sent it (not capped).
    pub retry_after: Option<Duration>,
}

/// Why a retry is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// Not sent at all: safe for every method.
    NotSent,
    /// 429: the vendor refused before processing.
    Throttled,
    /// 502/503/504 or a timeout: the vendor may have processed it.
    MaybeProcessed,
}

pub(crate) fn classify_status(status: u16) -> Option<Retryable> {
    match status {
        429 => Some(Retryable::Throttled),
        502..=504 => Some(Retryable::MaybeProcessed),
        _ => None,
    }
}

pub(crate) fn classify_error(error: &reqwest::Error) -> Option<Retryable> {
    if error.is_connect() {
        Some(Retryable::NotSent)
    } else if error.is_timeout() || error.is_request() || error.is_body() {
        // Sent, then the connection broke or timed out: the vendor may have acted on it.
        Some(Retryable::MaybeProcessed)
    } else {
        None
    }
}

/// The timeout of the next attempt: the attempt timeout, cut to what is left before the
/// operation's deadline.
pub(crate) fn attempt_timeout(
    attempt: Option<Duration>,
    deadline: Option<Instant>,
) -> Option<Duration> {
    let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    match (attempt, remaining) {
        (Some(a), Some(r)) => Some(a.min(r)),
        (a, r) => a.or(r),
    }
}

/// After attempt number `attempts` failed in a way a retry may help with: how long to
/// wait before the next one (`Retry-After` when the vendor said, else jittered backoff),
/// or `None` to give up because the attempts are used up, the wait would pass the
/// deadline, or the budget cannot pay for it. A retry that goes ahead is paid for here.
pub(crate) fn next_wait(
    policy: &RetryPolicy,
    budget: &RetryBudget,
    attempts: u32,
    retry_after: Option<Duration>,
    timed_out: bool,
    deadline: Option<Instant>,
) -> Option<Duration> {
    if attempts >= policy.max_attempts {
        return None;
    }
    let wait = retry_after
        .map(|after| after.min(policy.max_delay))
        .unwrap_or_else(|| policy.backoff(attempts - 1));
    if deadline.is_some_and(|d| Instant::now() + wait >= d) {
        return None;
    }
    let cost = if timed_out { TIMEOUT_COST } else { RETRY_COST };
    if !budget.try_spend(cost) {
        tracing::debug!("retry budget exhausted; not retrying");
        return None;
    }
    Some(wait)
}

pub(crate) fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        method.as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
    )
}

/// `Retry-After` as seconds or an HTTP-date, from now.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A token bucket shared by all calls of a client: a retry costs `RETRY_COST`, a timeout
/// retry `TIMEOUT_COST`, a success gives back one. When empty, failures are returned
/// instead of retried until successes refill it.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    /// Lock-free: every successful call refunds, and a full budget (the usual state) is
    /// then a single load.
    tokens: AtomicU32,
}

pub(crate) const RETRY_COST: u32 = 5;
pub(crate) const TIMEOUT_COST: u32 = 10;

impl RetryBudget {
    /// A budget of `capacity` tokens (default 500: 100 retries in a row).
    pub fn new(capacity: u32) -> Self {
        Self {
            capacity,
            tokens: AtomicU32::new(capacity),
        }
    }

    pub(crate) fn try_spend(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    pub(crate) fn refund(&self) {
        // No write when full.
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < self.capacity).then_some(t + 1)
            });
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(500)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_an_exponential_ceiling() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        for _ in 0..200 {
            assert!(policy.backoff(0) <= Duration::from_millis(100));
            assert!(policy.backoff(1) <= Duration::from_millis(200));
            assert!(policy.backoff(2) <= Duration::from_millis(350));
            assert!(policy.backoff(40) <= Duration::from_millis(350));
        }
        let distinct: std::collections::BTreeSet<Duration> =
            (0..50).map(|_| policy.backoff(3)).collect();
        assert!(distinct.len() > 10, "waits are random");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        headers.insert(
            reqwest::header::RETRY_AFTER,
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(115) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn the_budget_runs_dry_and_refills_on_success() {
        let budget = RetryBudget::new(10);
        assert!(budget.try_spend(RETRY_COST));
        assert!(budget.try_spend(RETRY_COST));
        assert!(!budget.try_spend(RETRY_COST));
        for _ in 0..5 {
            budget.refund();
        }
        assert!(budget.try_spend(RETRY_COST));
        for _ in 0..100 {
            budget.refund();
        }
        assert_eq!(budget.available(), 10);
    }
}
