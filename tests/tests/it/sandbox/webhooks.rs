//! Webhooks from the sandbox, received by a local server as a user's endpoint would:
//! IDnow's RS256 JWT verified against the sandbox's JWKS both by the generated crate's
//! `webhooks::Verifier` and by `jsonwebtoken` used directly, Idfy's `X-Idfy-Signature`
//! checked by the crate's `webhooks::verify` and by a plain HMAC, Identify's payload
//! read with the generated type; retries after failures with a stable event id, the
//! delivery log, filters, refused registrations, and the verifier's JWKS refetch for an
//! unknown key.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use idverify_identify_videoident::types as identify_types;
use idverify_idfy_identification_v1::{self as idfy, types as idfy_types};
use idverify_idnow_platform::{self as idnow, types as idnow_types};
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use idverify_tests::LocalServer;
use serde_json::{Value, json};
use sha2::Sha256;

/// What the receiver got: (headers, raw body), in order.
pub(super) type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook endpoint that answers `failures` requests with 500, then 200.
pub(super) struct Receiver {
    server: LocalServer,
    pub(super) received: Received,
}

impl Receiver {
    pub(super) async fn start(failures: usize) -> Self {
        let received: Received = Arc::default();
        let router = Router::new()
            .route(
                "/hook",
                post(
                    |State((received, failures)): State<(Received, usize)>,
                     headers: HeaderMap,
                     body: Bytes| async move {
                        let mut received = received.lock().unwrap();
                        received.push((headers, body));
                        if received.len() <= failures {
                            StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            StatusCode::OK
                        }
                    },
                ),
            )
            .with_state((received.clone(), failures));
        Self {
            server: LocalServer::start(router).await,
            received,
        }
    }

    pub(super) fn url(&self) -> String {
        format!("{}/hook", self.server.base_url)
    }

    /// Waits until `count` requests arrived (the sandbox sends in the background).
    pub(super) async fn wait_for(&self, count: usize) -> Vec<(HeaderMap, Bytes)> {
        for _ in 0..200 {
            {
                let received = self.received.lock().unwrap();
                if received.len() >= count {
                    return received.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "expected {count} webhook requests, got {}",
            self.received.lock().unwrap().len()
        );
    }
}

pub(super) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(super) async fn register(sandbox: &SandboxHandle, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/_sandbox/webhooks", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn webhooks(sandbox: &SandboxHandle) -> Vec<Value> {
    http()
        .get(format!("{}/_sandbox/webhooks", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(super) async fn deliveries(sandbox: &SandboxHandle, query: &str) -> Vec<Value> {
    http()
        .get(format!(
            "{}/_sandbox/deliveries?{query}",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls the delivery log until the session's deliveries are all settled.
pub(super) async fn settled(sandbox: &SandboxHandle, session: &str) -> Vec<Value> {
    for _ in 0..200 {
        let list = deliveries(sandbox, &format!("session={session}")).await;
        if !list.is_empty() && list.iter().all(|d| d["state"] != "pending") {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("deliveries of {session} still pending");
}

pub(super) fn idnow_client(sandbox: &SandboxHandle) -> idnow::Client {
    sandbox
        .client::<idverify_idnow_platform::Client>()
        .expect("client")
}

pub(super) async fn idnow_session(sandbox: &SandboxHandle) -> String {
    idnow_client(sandbox)
        .create_session()
        .flow_id("sandbox-basic-identity")
        .environment(idnow_types::Environment::Live)
        .body(idnow_types::CreateSessionRequest::builder())
        .send()
        .await
        .expect("create")
        .into_inner()
        .session_context
        .session_id
}

/// Verifies an IDnow webhook as a receiver must: the key by `kid` from the JWKS, RS256
/// only, `iss`, `aud` and `exp` checked.
async fn verify_idnow(
    sandbox: &SandboxHandle,
    jwt: &str,
    audience: &str,
) -> jsonwebtoken::errors::Result<idnow_types::WebhookClaims> {
    let jwks: jsonwebtoken::jwk::JwkSet = http()
        .get(format!(
            "{}/idnow-platform/oidc/.well-known/jwks.json",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("a JWKS");
    let header = jsonwebtoken::decode_header(jwt).expect("a JWT header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().expect("a kid"))
        .expect("the kid is in the JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[format!("{}/idnow-platform/oidc", sandbox.base_url())]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    jsonwebtoken::decode::<idnow_types::WebhookClaims>(jwt, &key, &validation).map(|t| t.claims)
}

#[tokio::test]
async fn idnow_sends_verifiable_rs256_jwts_and_retries_with_the_same_event_id() {
    let sandbox = Sandbox::start().await.unwrap();
    // The first two attempts fail: the third must arrive, with the same event.
    let receiver = Receiver::start(2).await;
    let (status, webhook) = register(
        &sandbox,
        json!({
            "api": "idnow-platform",
            "url": receiver.url(),
            "audience": "shop-webhooks",
            "events": ["session.completed"],
            "backoff_ms": 10,
        }),
    )
    .await;
    assert_eq!(status, 201, "{webhook}");
    assert_eq!(webhook["attempts"], 4);

    let id = idnow_session(&sandbox).await;
    sandbox
        .control()
        .complete(Api::IdnowPlatform, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    let received = receiver.wait_for(3).await;

    let mut event_ids = Vec::new();
    let mut deliver_ids = Vec::new();
    for (headers, body) in &received {
        assert_eq!(headers["content-type"], "application/jwt");
        let jwt = std::str::from_utf8(body).unwrap();
        let claims = verify_idnow(&sandbox, jwt, "shop-webhooks")
            .await
            .expect("a valid webhook JWT");
        assert_eq!(claims.sub.as_deref(), Some(id.as_str()));
        assert!(claims.iat.is_some_and(|iat| claims.exp > Some(iat)));
        let event = claims.data;
        assert_eq!(event.event_name, "session.completed");
        assert_eq!(event.environment, Some(idnow_types::Environment::Live));
        assert_eq!(event.payload.session_id.as_deref(), Some(id.as_str()));
        assert_eq!(
            event.payload.flow_id.as_deref(),
            Some("sandbox-basic-identity")
        );
        assert_eq!(
            event.payload.session_status,
            Some(idnow_types::SessionStatus::Completed)
        );
        event_ids.push(event.event_id);
        deliver_ids.push(event.event_deliver_id.unwrap());
        // A thin event: no personal data of the test person.
        let claims_text =
            String::from_utf8_lossy(&base64_url(jwt.split('.').nth(1).unwrap())).to_string();
        assert!(!claims_text.contains("Kari") && !claims_text.contains("Nordkvinne"));
    }
    assert!(
        event_ids.iter().all(|e| *e == event_ids[0]),
        "{event_ids:?}"
    );
    deliver_ids.dedup();
    assert_eq!(deliver_ids.len(), 3, "one delivery id per attempt");

    let log = settled(&sandbox, &id).await;
    assert_eq!(log.len(), 1, "only the subscribed event: {log:?}");
    assert_eq!(log[0]["state"], "delivered");
    assert_eq!(log[0]["event_id"], event_ids[0].as_str());
    let statuses: Vec<_> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 200]);

    // The crate's verifier agrees, with typed claims.
    let verifier = idnow::webhooks::Verifier::new(
        format!(
            "{}/idnow-platform/oidc/.well-known/jwks.json",
            sandbox.base_url()
        ),
        format!("{}/idnow-platform/oidc", sandbox.base_url()),
        "shop-webhooks",
    );
    for (_, body) in &received {
        let claims = verifier.verify(body).await.expect("verified by the crate");
        assert_eq!(claims.data.event_id, event_ids[0]);
        assert_eq!(claims.data.event_name, "session.completed");
    }
    let elsewhere = idnow::webhooks::Verifier::new(
        format!(
            "{}/idnow-platform/oidc/.well-known/jwks.json",
            sandbox.base_url()
        ),
        format!("{}/idnow-platform/oidc", sandbox.base_url()),
        "someone-else",
    );
    assert!(matches!(
        elsewhere.verify(&received[0].1).await,
        Err(idnow::webhooks::WebhookError::WrongAudience)
    ));

    // The receiver's checks are real: another audience, or a changed claim, fails.
    let jwt = std::str::from_utf8(&received[0].1).unwrap();
    assert!(verify_idnow(&sandbox, jwt, "someone-else").await.is_err());
    let mut parts: Vec<&str> = jwt.split('.').collect();
    let forged = base64_url_encode(
        &String::from_utf8(base64_url(parts[1]))
            .unwrap()
            .replace("COMPLETED", "ABORTED"),
    );
    parts[1] = &forged;
    let forged = parts.join(".");
    assert!(
        verify_idnow(&sandbox, &forged, "shop-webhooks")
            .await
            .is_err()
    );
    let refused = verifier.verify(forged.as_bytes()).await.unwrap_err();
    assert!(matches!(
        refused,
        idnow::webhooks::WebhookError::InvalidSignature
    ));
    assert!(!refused.to_string().contains(&forged[..20]), "{refused}");
}

pub(super) fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

pub(super) fn base64_url_encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn idnow_events_follow_the_session_and_respect_the_environment_filter() {
    let sandbox = Sandbox::start().await.unwrap();
    let live = Receiver::start(0).await;
    let staging = Receiver::start(0).await;
    for (receiver, environment) in [(&live, "live"), (&staging, "staging")] {
        let (status, _) = register(
            &sandbox,
            json!({ "api": "idnow-platform", "url": receiver.url(), "environment": environment }),
        )
        .await;
        assert_eq!(status, 201);
    }
    let id = idnow_session(&sandbox).await;
    // The end user opens the page (RUNNING), then aborts.
    let page = http()
        .get(format!(
            "{}/_sandbox/ui/idnow-platform/{id}",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    sandbox
        .control()
        .complete(Api::IdnowPlatform, &id, &persons::KARI, Outcome::Abort)
        .expect("complete");
    let received = live.wait_for(3).await;
    // Without an audience in the registration, it is the webhook's id.
    let registered = &webhooks(&sandbox).await[0];
    let audience = registered["audience"].as_str().unwrap();
    assert_eq!(audience, registered["id"].as_str().unwrap());
    let mut names = Vec::new();
    let mut sequences = Vec::new();
    for (_, body) in &received {
        let claims = verify_idnow(&sandbox, std::str::from_utf8(body).unwrap(), audience)
            .await
            .expect("a valid webhook JWT");
        names.push(claims.data.event_name);
        sequences.push(claims.data.event_sequence.unwrap());
    }
    assert_eq!(
        names,
        ["session.created", "session.running", "session.aborted"]
    );
    assert_eq!(sequences, ["1", "2", "3"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        staging.received.lock().unwrap().is_empty(),
        "a staging webhook gets no live events"
    );

    // An open session past its 24 hours expires on the sandbox clock, with its event.
    let second = idnow_session(&sandbox).await;
    let advanced = http()
        .post(format!("{}/_sandbox/clock/advance", sandbox.base_url()))
        .json(&json!({ "seconds": 86_401 }))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let session = idnow_client(&sandbox)
        .get_session()
        .environment(idnow_types::Environment::Live)
        .session_id(&second)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(session.session_status, idnow_types::SessionStatus::Expired);
    let received = live.wait_for(5).await;
    let last: Value = serde_json::from_slice(&base64_url(
        std::str::from_utf8(&received[4].1)
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(last["data"]["eventName"], "session.expired");
    assert_eq!(last["data"]["payload"]["sessionId"], second.as_str());
}

pub(super) fn idfy_client(sandbox: &SandboxHandle) -> idfy::Client {
    sandbox
        .client::<idverify_idfy_identification_v1::Client>()
        .expect("client")
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn idfy_signs_the_raw_body_with_the_webhooks_secret() {
    let sandbox = Sandbox::start().await.unwrap();
    let signed = Receiver::start(0).await;
    let unsigned = Receiver::start(0).await;
    let secret = "whsec-test-7f3a";
    let (status, webhook) = register(
        &sandbox,
        json!({ "api": "idfy-identification-v1", "url": signed.url(), "secret": secret }),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(webhook["has_secret"], true);
    assert!(
        !webhook.to_string().contains(secret),
        "the secret is never listed"
    );
    register(
        &sandbox,
        json!({ "api": "idfy-identification-v1", "url": unsigned.url() }),
    )
    .await;

    let client = idfy_client(&sandbox);
    let created = client
        .create_session()
        .body(
            idfy_types::CreateIdentificationRequest::builder()
                .external_reference(Some("order-42".to_string()))
                .return_urls(Some(idfy_types::ReturnUrls {
                    error: "https://shop.example/error".into(),
                    abort: "https://shop.example/abort".into(),
                    success: "https://shop.example/ok".into(),
                })),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let id = created.request_id.clone().expect("a request id");
    sandbox
        .control()
        .complete(
            Api::IdfyIdentificationV1,
            &id,
            &persons::KARI,
            Outcome::Success,
        )
        .expect("complete");
    client
        .invalidate_session()
        .body(idfy_types::InvalidateIdentificationRequest {
            request_id: id.clone(),
        })
        .send()
        .await
        .expect("invalidate");

    let received = signed.wait_for(2).await;
    let secret_string = idverify_runtime::SecretString::from(secret.to_string());
    for (headers, body) in &received {
        let signature = headers[idfy::webhooks::SIGNATURE_HEADER].to_str().unwrap();
        idfy::webhooks::verify(&secret_string, body, signature).expect("verified by the crate");
        let wrong = idverify_runtime::SecretString::from("another-secret".to_string());
        assert!(matches!(
            idfy::webhooks::verify(&wrong, body, signature),
            Err(idfy::webhooks::WebhookError::InvalidSignature)
        ));
        let mut changed = body.to_vec();
        changed[0] = b' ';
        assert!(idfy::webhooks::verify(&secret_string, &changed, signature).is_err());
    }
    let mut statuses = Vec::new();
    let mut event_ids = Vec::new();
    for (headers, body) in &received {
        assert_eq!(headers["content-type"], "application/json");
        let signature = headers["x-idfy-signature"].to_str().unwrap();
        assert_eq!(signature, hmac_hex(secret, body), "HMAC of the raw body");
        assert_ne!(signature, hmac_hex("another-secret", body));
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(event["event"], "identification_session_status_changed");
        assert_eq!(event["data"]["RequestId"], id.as_str());
        assert_eq!(event["data"]["ExternalReference"], "order-42");
        statuses.push(event["data"]["Status"].as_str().unwrap().to_string());
        event_ids.push(event["id"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["SUCCESS", "INVALIDATED"]);
    assert_ne!(event_ids[0], event_ids[1], "one id per event");

    let plain = unsigned.wait_for(2).await;
    assert!(
        plain
            .iter()
            .all(|(h, _)| !h.contains_key("x-idfy-signature"))
    );
    // Both webhooks got the same events, under the same event ids.
    let plain_ids: Vec<String> = plain
        .iter()
        .map(|(_, b)| {
            serde_json::from_slice::<Value>(b).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(plain_ids, event_ids);
}

#[tokio::test]
async fn identify_posts_its_payload_and_gives_up_after_the_attempts() {
    let sandbox = Sandbox::start().await.unwrap();
    let receiver = Receiver::start(0).await;
    let broken = Receiver::start(usize::MAX).await;
    register(
        &sandbox,
        json!({ "api": "identify-videoident", "url": receiver.url(), "events": ["5"] }),
    )
    .await;
    let (status, _) = register(
        &sandbox,
        json!({ "api": "identify-videoident", "url": broken.url(), "attempts": 2, "backoff_ms": 10 }),
    )
    .await;
    assert_eq!(status, 201);

    let client = sandbox
        .client::<idverify_identify_videoident::Client>()
        .expect("client");
    let created = client
        .create_ident()
        .body(
            identify_types::CreateIdentRequest::builder()
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
                .custom_id(Some("order-42".to_string())),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let id = created.ident_id;
    sandbox
        .control()
        .complete(
            Api::IdentifyVideoident,
            &id,
            &persons::KARI,
            Outcome::Success,
        )
        .expect("complete");

    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].0["content-type"], "application/json");
    let payload: identify_types::WebhookPayload =
        serde_json::from_slice(&received[0].1).expect("Identify's payload");
    assert_eq!(payload.ident_id.as_deref(), Some(id.as_str()));
    assert_eq!(payload.status_code.as_deref(), Some("5"));
    assert_eq!(payload.project_id.as_deref(), Some("6"));
    assert_eq!(payload.custom_id.as_deref(), Some("order-42"));
    assert_eq!(payload.first_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(payload.last_name.as_deref(), Some("Nordkvinne"));

    let log = settled(&sandbox, &id).await;
    let failed: Vec<_> = log.iter().filter(|d| d["url"] == broken.url()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["state"], "failed");
    assert_eq!(failed[0]["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(broken.received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn unreachable_receivers_are_recorded_and_bad_registrations_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    // A port nothing listens on: bind one, then free it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let (status, _) = register(
        &sandbox,
        json!({ "api": "idnow-platform", "url": format!("http://{closed}/hook"), "attempts": 1 }),
    )
    .await;
    assert_eq!(status, 201);
    let id = idnow_session(&sandbox).await;
    let log = settled(&sandbox, &id).await;
    assert_eq!(log[0]["state"], "failed");
    assert_eq!(log[0]["attempts"][0]["error"], "could not connect");

    for (body, field) in [
        (
            json!({ "api": "signicat-authentication", "url": "http://127.0.0.1:1/" }),
            "`api`",
        ),
        (
            json!({ "api": "nope", "url": "http://127.0.0.1:1/" }),
            "`api`",
        ),
        (
            json!({ "api": "idnow-platform", "url": "ftp://127.0.0.1/" }),
            "`url`",
        ),
        (
            json!({ "api": "idnow-platform", "url": "http://127.0.0.1:1/", "attempts": 0 }),
            "`attempts`",
        ),
        (json!({ "api": "idnow-platform" }), "`url`"),
    ] {
        let (status, answer) = register(&sandbox, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            answer["message"].as_str().unwrap().contains(field),
            "{body} → {answer}"
        );
    }

    let list = webhooks(&sandbox).await;
    assert_eq!(list.len(), 1);
    let url = format!(
        "{}/_sandbox/webhooks/{}",
        sandbox.base_url(),
        list[0]["id"].as_str().unwrap()
    );
    // Removed once; a second removal finds nothing.
    for expected in [204, 404] {
        let response = http().delete(&url).send().await.unwrap();
        assert_eq!(response.status(), expected);
    }
    assert!(webhooks(&sandbox).await.is_empty());
}

/// A JWKS endpoint in front of the sandbox's that first serves no keys (before the
/// vendor "rotates"), counting its requests.
async fn rotating_jwks(sandbox: &SandboxHandle) -> (LocalServer, Arc<Mutex<usize>>) {
    let fetches = Arc::new(Mutex::new(0usize));
    let upstream = format!(
        "{}/idnow-platform/oidc/.well-known/jwks.json",
        sandbox.base_url()
    );
    let router = Router::new()
        .route(
            "/jwks",
            axum::routing::get(
                |State((fetches, upstream)): State<(Arc<Mutex<usize>>, String)>| async move {
                    let first = {
                        let mut fetches = fetches.lock().unwrap();
                        *fetches += 1;
                        *fetches == 1
                    };
                    if first {
                        return r#"{"keys":[]}"#.to_string();
                    }
                    http()
                        .get(upstream)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap()
                },
            ),
        )
        .with_state((fetches.clone(), upstream));
    (LocalServer::start(router).await, fetches)
}

#[tokio::test]
async fn the_verifier_refetches_the_jwks_for_an_unknown_key_but_not_too_often() {
    let sandbox = Sandbox::start().await.unwrap();
    let receiver = Receiver::start(0).await;
    register(
        &sandbox,
        json!({ "api": "idnow-platform", "url": receiver.url(), "audience": "shop" }),
    )
    .await;
    idnow_session(&sandbox).await;
    let jwt = receiver.wait_for(1).await[0].1.clone();
    let issuer = format!("{}/idnow-platform/oidc", sandbox.base_url());

    // Default interval: the key is unknown after the first fetch, and a second token
    // within the interval does not cause another fetch.
    let (jwks, fetches) = rotating_jwks(&sandbox).await;
    let verifier =
        idnow::webhooks::Verifier::new(format!("{}/jwks", jwks.base_url), &issuer, "shop");
    for _ in 0..2 {
        assert!(matches!(
            verifier.verify(&jwt).await,
            Err(idnow::webhooks::WebhookError::UnknownKey)
        ));
    }
    assert_eq!(*fetches.lock().unwrap(), 1);

    // Once the interval has passed, the unknown key triggers a fetch that finds it;
    // known keys are then served from the cache.
    let (jwks, fetches) = rotating_jwks(&sandbox).await;
    let verifier =
        idnow::webhooks::Verifier::new(format!("{}/jwks", jwks.base_url), &issuer, "shop")
            .with_refresh_interval(Duration::ZERO);
    assert!(verifier.verify(&jwt).await.is_err());
    let claims = verifier
        .verify(&jwt)
        .await
        .expect("found after the refetch");
    assert_eq!(claims.data.event_name, "session.created");
    verifier.verify(&jwt).await.unwrap();
    assert_eq!(*fetches.lock().unwrap(), 2);
}
