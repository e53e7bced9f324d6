//! Webhook delivery: subscriptions registered through the control API, events emitted
//! by the vendor modules on state changes, deliveries retried with backoff.
//!
//! Delivery is at least once: an attempt counts as delivered only on a 2xx answer
//! within [`ATTEMPT_TIMEOUT`]; anything else (another status, a refused connection, a
//! timeout) is retried after a jittered, doubling delay until the subscription's
//! attempts are used up. Every attempt of one event carries the same event id, so a
//! receiver deduplicates on it. Backoff runs on real time, not on the sandbox clock:
//! the receiver is a real server.
//!
//! How an event looks on the wire (body, content type, signature headers) is the vendor
//! module's business: it passes an [`Encoder`] with the event.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::App;
use crate::clock::{Clock, rfc3339};
use crate::kit::{
    http::{json_response, query_param},
    ids::{random_fraction, random_uuid},
    strict_json::parse_json,
};
use crate::vendor::ControlError;

/// How long the receiver has to answer one attempt (IDnow asks for 2xx within 10 s).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts per event unless the subscription says otherwise: the first and 3 retries.
pub const DEFAULT_ATTEMPTS: u32 = 4;
/// The first retry's delay unless the subscription says otherwise; it doubles after.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// The longest delay between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Subscriptions and kept deliveries are bounded so a long run cannot grow without end.
pub const MAX_SUBSCRIPTIONS: usize = 100;
pub const MAX_DELIVERIES: usize = 10_000;
const MAX_ATTEMPTS: u32 = 20;

/// A registered webhook receiver.
#[derive(Clone, Serialize)]
pub struct Subscription {
    pub id: String,
    /// The API whose events it receives (`idnow-platform`, ...).
    pub api: String,
    pub url: String,
    /// Only events of this vendor environment (IDnow `live`/`staging`), if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Only these event names, if not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// The audience of signed tokens (IDnow's `aud`); defaults to the subscription id.
    pub audience: String,
    /// The shared secret of HMAC signatures (Idfy's `X-Idfy-Signature`). Never listed.
    #[serde(skip)]
    pub secret: Option<String>,
    pub has_secret: bool,
    pub attempts: u32,
    pub backoff_ms: u64,
    pub created: String,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("api", &self.api)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What a vendor says about an event when it emits it.
#[derive(Debug, Clone)]
pub struct Event {
    /// The API that emits it, which picks the subscriptions.
    pub api: &'static str,
    /// The vendor's event name, e.g. `session.completed`.
    pub name: String,
    /// The session or ident it is about.
    pub session_id: String,
    /// The vendor environment (IDnow `live`/`staging`), for subscription filters.
    pub environment: Option<String>,
}

/// One attempt about to be made: what the encoder may vary per attempt.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The stable event id (the same for every attempt and every subscription).
    pub event_id: &'a str,
    /// Unique per attempt (IDnow's `eventDeliverId`).
    pub delivery_attempt_id: String,
    /// 1 for the first attempt.
    pub number: u32,
    /// Sandbox time of the attempt.
    pub now: SystemTime,
}

/// An encoded webhook request.
#[derive(Debug, Clone)]
pub struct Message {
    pub content_type: &'static str,
    pub body: Bytes,
    /// Further headers, e.g. a signature.
    pub headers: Vec<(&'static str, String)>,
}

/// Turns an event into the request for one subscription and attempt.
pub type Encoder = Arc<dyn Fn(&Subscription, &Attempt<'_>) -> Message + Send + Sync>;

/// The record of one event's delivery to one subscription.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub api: String,
    pub event_id: String,
    pub event: String,
    pub session_id: String,
    pub url: String,
    /// `pending` (attempts left), `delivered` or `failed` (attempts used up).
    pub state: &'static str,
    pub attempts: Vec<AttemptRecord>,
    /// The last attempt's request.
    pub content_type: String,
    pub body: String,
    pub headers: HashMap<String, String>,
}

/// How one attempt went.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptRecord {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

#[derive(Default)]
struct Registry {
    subscriptions: Vec<Subscription>,
    deliveries: HashMap<String, Delivery>,
    /// Delivery ids, oldest first, for listing and for dropping the oldest.
    order: VecDeque<String>,
}

/// The sandbox's webhooks: subscriptions, deliveries and the HTTP client that sends.
pub struct Webhooks {
    registry: Mutex<Registry>,
    /// `None` if no HTTP client could be built; every delivery then fails with that.
    http: Option<reqwest::Client>,
    clock: Arc<Clock>,
}

impl Webhooks {
    pub(crate) fn new(clock: Arc<Clock>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .ok();
        Self {
            registry: Mutex::new(Registry::default()),
            http,
            clock,
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any subscription would receive events of `api` (lets vendors skip
    /// building an event nobody receives).
    pub fn wanted(&self, api: &str) -> bool {
        self.registry().subscriptions.iter().any(|s| s.api == api)
    }

    /// Emits an event: one delivery per matching subscription, sent in the background.
    /// Outside a tokio runtime nothing can be sent; the deliveries are then recorded as
    /// failed.
    pub fn emit(self: &Arc<Self>, event: Event, encoder: Encoder) {
        let targets: Vec<Subscription> = self
            .registry()
            .subscriptions
            .iter()
            .filter(|s| {
                s.api == event.api
                    && (s.events.is_empty() || s.events.contains(&event.name))
                    && (s.environment.is_none() || s.environment == event.environment)
            })
            .cloned()
            .collect();
        if targets.is_empty() {
            return;
        }
        let event_id = random_uuid();
        let runtime = tokio::runtime::Handle::try_current().ok();
        for subscription in targets {
            let delivery = Delivery {
                id: random_uuid(),
                webhook_id: subscription.id.clone(),
                api: event.api.to_string(),
                event_id: event_id.clone(),
                event: event.name.clone(),
                session_id: event.session_id.clone(),
                url: subscription.url.clone(),
                state: "pending",
                attempts: Vec::new(),
                content_type: String::new(),
                body: String::new(),
                headers: HashMap::new(),
            };
            let delivery_id = delivery.id.clone();
            self.record(delivery);
            match &runtime {
                Some(runtime) => {
                    let webhooks = self.clone();
                    let encoder = encoder.clone();
                    let event_id = event_id.clone();
                    runtime.spawn(async move {
                        webhooks
                            .deliver(delivery_id, subscription, event_id, encoder)
                            .await;
                    });
                }
                None => self.update(&delivery_id, |d| d.state = "failed"),
            }
        }
    }

    fn record(&self, delivery: Delivery) {
        let mut registry = self.registry();
        while registry.order.len() >= MAX_DELIVERIES {
            if let Some(oldest) = registry.order.pop_front() {
                registry.deliveries.remove(&oldest);
            }
        }
        registry.order.push_back(delivery.id.clone());
        registry.deliveries.insert(delivery.id.clone(), delivery);
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut Delivery)) {
        if let Some(delivery) = self.registry().deliveries.get_mut(id) {
            change(delivery);
        }
    }

    async fn deliver(
        &self,
        delivery_id: String,
        subscription: Subscription,
        event_id: String,
        encoder: Encoder,
    ) {
        for number in 1..=subscription.attempts {
            let attempt = Attempt {
                event_id: &event_id,
                delivery_attempt_id: random_uuid(),
                number,
                now: self.clock.now(),
            };
            let message = encoder(&subscription, &attempt);
            self.update(&delivery_id, |d| {
                d.content_type = message.content_type.to_string();
                d.body = String::from_utf8_lossy(&message.body).into_owned();
                d.headers = message
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
            });
            let Some(http) = &self.http else {
                let record = AttemptRecord {
                    at: rfc3339(attempt.now),
                    status: None,
                    error: Some("no HTTP client could be built".into()),
                    elapsed_ms: 0,
                };
                self.update(&delivery_id, |d| {
                    d.attempts.push(record);
                    d.state = "failed";
                });
                return;
            };
            let mut request = http
                .post(&subscription.url)
                .header(reqwest::header::CONTENT_TYPE, message.content_type)
                .body(message.body.clone());
            for (name, value) in &message.headers {
                request = request.header(*name, value);
            }
            let started = Instant::now();
            let result = request.send().await;
            let record = AttemptRecord {
                at: rfc3339(attempt.now),
                status: result.as_ref().ok().map(|r| r.status().as_u16()),
                error: result.as_ref().err().map(describe),
                elapsed_ms: started.elapsed().as_millis() as u64,
            };
            let delivered = result.is_ok_and(|r| r.status().is_success());
            let last = number == subscription.attempts;
            self.update(&delivery_id, |d| {
                d.attempts.push(record);
                if delivered {
                    d.state = "delivered";
                } else if last {
                    d.state = "failed";
                }
            });
            if delivered || last {
                return;
            }
            tokio::time::sleep(backoff(
                Duration::from_millis(subscription.backoff_ms),
                number,
            ))
            .await;
        }
    }

    fn subscribe(&self, request: SubscribeRequest, api: String) -> Result<Subscription, String> {
        let id = random_uuid();
        let subscription = Subscription {
            audience: request.audience.unwrap_or_else(|| id.clone()),
            id,
            api,
            url: request.url,
            environment: request.environment,
            events: request.events.unwrap_or_default(),
            has_secret: request.secret.is_some(),
            secret: request.secret,
            attempts: request.attempts.unwrap_or(DEFAULT_ATTEMPTS),
            backoff_ms: request
                .backoff_ms
                .unwrap_or(DEFAULT_BACKOFF.as_millis() as u64),
            created: rfc3339(self.clock.now()),
        };
        let mut registry = self.registry();
        if registry.subscriptions.len() >= MAX_SUBSCRIPTIONS {
            return Err(format!(
                "at most {MAX_SUBSCRIPTIONS} webhooks; delete one first"
            ));
        }
        registry.subscriptions.push(subscription.clone());
        Ok(subscription)
    }

    /// The deliveries, oldest first, filtered by API and session if given.
    pub fn deliveries(&self, api: Option<&str>, session: Option<&str>) -> Vec<Delivery> {
        let registry = self.registry();
        registry
            .order
            .iter()
            .filter_map(|id| registry.deliveries.get(id))
            .filter(|d| api.is_none_or(|a| d.api == a))
            .filter(|d| session.is_none_or(|s| d.session_id == s))
            .cloned()
            .collect()
    }
}

/// Full jitter: a random delay up to `base * 2^(attempt-1)`, capped, so receivers that
/// failed together are not hit together again.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << (attempt - 1).min(16))
        .min(MAX_BACKOFF);
    ceiling.mul_f64(random_fraction())
}

/// An attempt's error, without the URL (it may carry a token in its query).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "the connection failed".to_string()
    }
}

// ---- control API ----

pub(crate) fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/_sandbox/webhooks",
            get(list_subscriptions).post(add_subscription),
        )
        .route("/_sandbox/webhooks/{id}", delete(delete_subscription))
        .route("/_sandbox/deliveries", get(list_deliveries))
        .with_state(app)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeRequest {
    api: String,
    url: String,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    events: Option<Vec<String>>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    attempts: Option<u32>,
    #[serde(default)]
    backoff_ms: Option<u64>,
}

async fn add_subscription(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request = match parse_json::<SubscribeRequest>(&body) {
        Ok(request) => request,
        Err(error) => {
            return ControlError::bad_request(format!("`{}`: {}", error.name, error.reason))
                .into_response();
        }
    };
    let Some(api) = crate::Api::from_name(&request.api) else {
        return ControlError::bad_request(format!(
            "`api`: no API named `{}`; one of {}",
            request.api,
            crate::Api::names()
        ))
        .into_response();
    };
    let vendor = match app.vendor(api) {
        Ok(vendor) => vendor,
        Err(not_built) => return not_built.into_response(),
    };
    if vendor.webhook_format().is_none() {
        let with: Vec<_> = app
            .served()
            .filter(|v| v.webhook_format().is_some())
            .map(|v| v.name())
            .collect();
        return ControlError::bad_request(format!(
            "`api`: {} documents no webhooks; these do: {}",
            vendor.name(),
            with.join(", ")
        ))
        .into_response();
    }
    if let Err(reason) = check_url(&request.url) {
        return ControlError::bad_request(format!("`url`: {reason}")).into_response();
    }
    if request.attempts.is_some_and(|n| n == 0 || n > MAX_ATTEMPTS) {
        return ControlError::bad_request(format!("`attempts`: from 1 to {MAX_ATTEMPTS}"))
            .into_response();
    }
    if request
        .backoff_ms
        .is_some_and(|ms| ms as u128 > MAX_BACKOFF.as_millis())
    {
        return ControlError::bad_request(format!(
            "`backoff_ms`: at most {}",
            MAX_BACKOFF.as_millis()
        ))
        .into_response();
    }
    let api = vendor.name().to_string();
    match app.shared.webhooks.subscribe(request, api) {
        Ok(subscription) => (StatusCode::CREATED, Json(subscription)).into_response(),
        Err(reason) => {
            ControlError::new(StatusCode::CONFLICT, "too_many_webhooks", reason).into_response()
        }
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("must be an http or https URL with a host".into());
    }
    Ok(())
}

async fn list_subscriptions(State(app): State<Arc<App>>) -> Response {
    json_response(&app.shared.webhooks.registry().subscriptions)
}

async fn delete_subscription(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let mut registry = app.shared.webhooks.registry();
    let before = registry.subscriptions.len();
    registry.subscriptions.retain(|s| s.id != id);
    if registry.subscriptions.len() == before {
        return ControlError::not_found("no such webhook").into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `?api=` and `?session=` filter the list.
async fn list_deliveries(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let api = query_param(&uri, "api");
    let session = query_param(&uri, "session");
    json_response(
        &app.shared
            .webhooks
            .deliveries(api.as_deref(), session.as_deref()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_ceiling_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 1..=10 {
            let ceiling = (base * 2u32.pow(attempt - 1)).min(MAX_BACKOFF);
            for _ in 0..50 {
                assert!(backoff(base, attempt) <= ceiling);
            }
        }
        assert!(backoff(Duration::from_secs(30), 30) <= MAX_BACKOFF);
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(check_url("https://example.test/hook").is_ok());
        assert!(check_url("ftp://example.test/hook").is_err());
        assert!(check_url("not a url").is_err());
    }
}
