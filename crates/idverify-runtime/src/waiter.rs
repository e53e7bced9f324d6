//! Polling a session until it reaches a final status: what every integration otherwise
//! writes by hand, usually as an unbounded loop with a fixed sleep.
//!
//! A generated client's `wait_until_final(..)` returns a [`Waiter`] built from the API's
//! `[waiter]` table in `codegen.toml` (the get operation, the status field, the final and
//! successful values). Each poll is one ordinary call through the runtime (credentials,
//! retries, the retry budget, its own span); between polls the waiter sleeps a jittered,
//! exponentially growing delay between `min_delay` and `max_delay`, never less than a
//! `Retry-After` the vendor sent, and gives up after `max_wait`. Sleeps run on tokio's
//! clock, so tests can drive them with paused time. Dropping the future stops the
//! polling: nothing runs in the background.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use progenitor_client::ResponseValue;
use tokio::time::Instant;
use tracing::Instrument;

use crate::Error;

/// The default shortest wait between two polls.
pub const DEFAULT_MIN_DELAY: Duration = Duration::from_secs(2);
/// The default longest wait between two polls.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(20);
/// The default time after which the waiter gives up.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// What the generated code tells a [`Waiter`] about its API (from `[waiter]`).
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct WaiterSpec<T> {
    /// The operation polled, for spans and errors.
    pub operation: &'static str,
    /// Reads the status from a polled value (`None` when the value carries none).
    pub status: fn(&T) -> Option<&str>,
    /// Statuses after which the session never changes again.
    pub final_statuses: &'static [&'static str],
    /// The final statuses that mean the person was identified.
    pub successful: &'static [&'static str],
}

type Poll<'a, T, E> = Box<
    dyn FnMut() -> Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error<E>>> + Send + 'a>>
        + Send
        + 'a,
>;

/// Polls until the session is final. Configure it, then `.await` it.
///
/// ```no_run
/// # async fn example(waiter: idverify_runtime::waiter::Waiter<'_, (), ()>) {
/// use std::time::Duration;
/// let session = waiter
///     .min_delay(Duration::from_secs(1))
///     .max_delay(Duration::from_secs(10))
///     .max_wait(Duration::from_secs(300))
///     .success_only()
///     .await;
/// # }
/// ```
#[must_use = "a waiter does nothing until it is awaited"]
pub struct Waiter<'a, T, E> {
    poll: Poll<'a, T, E>,
    spec: WaiterSpec<T>,
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
    success_only: bool,
}

impl<T, E> fmt::Debug for Waiter<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("operation", &self.spec.operation)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("max_wait", &self.max_wait)
            .field("success_only", &self.success_only)
            .finish_non_exhaustive()
    }
}

impl<'a, T, E> Waiter<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
{
    /// For generated code: a waiter that calls `poll` for each poll.
    #[doc(hidden)]
    pub fn new<F, Fut>(spec: WaiterSpec<T>, mut poll: F) -> Self
    where
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<ResponseValue<T>, Error<E>>> + Send + 'a,
    {
        Self {
            poll: Box::new(move || Box::pin(poll())),
            spec,
            min_delay: DEFAULT_MIN_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_wait: DEFAULT_MAX_WAIT,
            success_only: false,
        }
    }

    /// The first wait between polls, and the shortest (default 2 s).
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest wait between polls (default 20 s); the wait doubles from `min_delay`
    /// up to it, with jitter so that many waiters do not poll in step.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How long to wait in all before giving up with [`WaitError::TimedOut`] (default
    /// 15 min). A last poll is made at the deadline.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// End with [`WaitError::Unsuccessful`] when the session ends in a final status that
    /// is not a success (aborted, failed, expired). Without it, any final session is
    /// returned as `Ok`.
    pub fn success_only(mut self) -> Self {
        self.success_only = true;
        self
    }

    /// Polls until the session is final; the same as `.await`ing the waiter.
    pub async fn wait(mut self) -> Result<T, WaitError<T, E>> {
        let started = Instant::now();
        let deadline = started + self.max_wait;
        let min_delay = self.min_delay.min(self.max_delay);
        let mut delay = min_delay;
        let mut polls = 0u32;
        let mut last: Option<(T, Option<String>)> = None;
        loop {
            polls += 1;
            let span = tracing::info_span!(
                "idverify.wait",
                operation = self.spec.operation,
                poll = polls,
                status = tracing::field::Empty,
            );
            let outcome = (self.poll)().instrument(span.clone()).await;
            let at_least = match outcome {
                Ok(response) => {
                    let at_least = retry_after(response.headers()).unwrap_or_default();
                    let value = response.into_inner();
                    let status = (self.spec.status)(&value).map(str::to_owned);
                    if let Some(status) = &status {
                        span.record("status", status.as_str());
                    }
                    if let Some(found) = status.as_deref()
                        && self.spec.final_statuses.contains(&found)
                    {
                        let found = found.to_owned();
                        if self.success_only && !self.spec.successful.contains(&found.as_str()) {
                            return Err(WaitError::Unsuccessful {
                                status: found,
                                session: value,
                            });
                        }
                        return Ok(value);
                    }
                    last = Some((value, status));
                    at_least
                }
                Err(error) if error.status().is_some_and(|s| s.as_u16() == 404) => {
                    return Err(WaitError::Gone {
                        error,
                        seen: last.is_some(),
                    });
                }
                // The vendor asks to slow down and said for how long (the call's own
                // retries are spent): wait that long, then poll again.
                Err(error)
                    if error.retry_after().is_some()
                        && error
                            .status()
                            .is_some_and(|s| matches!(s.as_u16(), 429 | 503)) =>
                {
                    error.retry_after().unwrap_or_default()
                }
                Err(error) => return Err(WaitError::Vendor(error)),
            };
            let now = Instant::now();
            if now >= deadline {
                let (session, status) = match last {
                    Some((session, status)) => (Some(session), status),
                    None => (None, None),
                };
                return Err(WaitError::TimedOut {
                    waited: now - started,
                    polls,
                    last_status: status,
                    last: session,
                });
            }
            let sleep = jitter(delay, min_delay).max(at_least).min(deadline - now);
            tokio::time::sleep(sleep).await;
            delay = (delay * 2).min(self.max_delay);
        }
    }
}

impl<'a, T, E> IntoFuture for Waiter<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
{
    type Output = Result<T, WaitError<T, E>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

/// "Equal jitter": half the delay fixed, half random, never below `floor`.
fn jitter(delay: Duration, floor: Duration) -> Duration {
    let half = delay / 2;
    let random = half.mul_f64(fastrand::f64());
    (half + random).max(floor)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Why waiting for a final session did not return one.
///
/// `Display` and `Debug` name the status and counts, never the session's personal data
/// (the session's own `Debug` redacts its marked fields).
#[non_exhaustive]
pub enum WaitError<T, E> {
    /// `max_wait` passed before the session was final.
    TimedOut {
        /// How long the waiter waited.
        waited: Duration,
        /// How many polls it made.
        polls: u32,
        /// The status of the last session seen, if it had one.
        last_status: Option<String>,
        /// The last session seen (`None` if no poll succeeded).
        last: Option<T>,
    },
    /// The session ended in a final status that is not a success, and the waiter was
    /// asked for success only.
    Unsuccessful {
        /// The final status.
        status: String,
        /// The final session.
        session: T,
    },
    /// The vendor no longer knows the session (404): purged after its retention time,
    /// or never created under this account.
    Gone {
        /// The vendor's answer.
        error: Error<E>,
        /// Whether an earlier poll of this waiter had seen the session.
        seen: bool,
    },
    /// A poll failed (after the runtime's own retries).
    Vendor(Error<E>),
}

impl<T, E> WaitError<T, E> {
    /// The session the error carries: the last one seen or the unsuccessful one.
    pub fn session(&self) -> Option<&T> {
        match self {
            Self::TimedOut { last, .. } => last.as_ref(),
            Self::Unsuccessful { session, .. } => Some(session),
            _ => None,
        }
    }

    /// The call's error, for `Gone` and `Vendor`.
    pub fn error(&self) -> Option<&Error<E>> {
        match self {
            Self::Gone { error, .. } | Self::Vendor(error) => Some(error),
            _ => None,
        }
    }
}

impl<T, E> fmt::Display for WaitError<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut {
                waited,
                polls,
                last_status,
                ..
            } => {
                write!(
                    f,
                    "the session was not final after {:.1} s ({polls} polls)",
                    waited.as_secs_f64()
                )?;
                match last_status {
                    Some(status) => write!(f, "; its last status was `{status}`"),
                    None => Ok(()),
                }
            }
            Self::Unsuccessful { status, .. } => {
                write!(f, "the session ended without success (status `{status}`)")
            }
            Self::Gone { seen: true, .. } => f.write_str(
                "the session is gone (404): the vendor purged it while it was being waited for",
            ),
            Self::Gone { seen: false, .. } => f.write_str(
                "the vendor does not know the session (404): purged after its retention time, \
                 or not created under this account",
            ),
            Self::Vendor(error) => write!(f, "polling the session failed: {error}"),
        }
    }
}

impl<T, E> fmt::Debug for WaitError<T, E>
where
    T: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut {
                waited,
                polls,
                last_status,
                last,
            } => f
                .debug_struct("TimedOut")
                .field("waited", waited)
                .field("polls", polls)
                .field("last_status", last_status)
                .field("last", last)
                .finish(),
            Self::Unsuccessful { status, session } => f
                .debug_struct("Unsuccessful")
                .field("status", status)
                .field("session", session)
                .finish(),
            Self::Gone { error, seen } => f
                .debug_struct("Gone")
                .field("error", error)
                .field("seen", seen)
                .finish(),
            Self::Vendor(error) => f.debug_tuple("Vendor").field(error).finish(),
        }
    }
}

impl<T, E> std::error::Error for WaitError<T, E>
where
    T: fmt::Debug,
    E: 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Gone { error, .. } | Self::Vendor(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_between_half_the_delay_and_the_delay() {
        let floor = Duration::from_millis(100);
        for _ in 0..1000 {
            let d = jitter(Duration::from_secs(8), floor);
            assert!(
                d >= Duration::from_secs(4) && d <= Duration::from_secs(8),
                "{d:?}"
            );
        }
        assert_eq!(jitter(Duration::from_millis(100), floor), floor);
    }
}
