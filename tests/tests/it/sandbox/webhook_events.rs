//! Typed webhook events from the sandbox's real deliveries: each vendor's
//! `webhooks::Event` read by the axum extractor of a local endpoint (deduplicated with
//! `SeenEvents`), the attacks a receiver must refuse (each with its own
//! `WebhookError`), the JWKS cache under a failing or slow vendor, and the
//! `test-util` signers that let a team test its receiver without the sandbox.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use idverify_identify_videoident::{self as identify, types as identify_types};
use idverify_idfy_identification_v1::{self as idfy, types as idfy_types};
use idverify_idnow_platform::{self as idnow, types as idnow_types};
use idverify_runtime::SecretString;
use idverify_runtime::webhooks::axum::Webhook;
use idverify_runtime::webhooks::{Receiver, SeenEvents, VendorEvent, WebhookError};
use idverify_sandbox::{Api, Outcome, Sandbox, SandboxHandle, persons};
use idverify_tests::LocalServer;
use serde_json::{Value, json};
use sha2::Sha256;

use super::webhooks::{
    Receiver as RawReceiver, base64_url, base64_url_encode, http, idfy_client, idnow_session,
    register, settled,
};

/// What a team's endpoint keeps: each event once.
struct Endpoint<E: VendorEvent> {
    receiver: Arc<Receiver<E>>,
    seen: Arc<SeenEvents>,
    id: fn(&E) -> Option<String>,
    events: Arc<Mutex<Vec<E>>>,
    /// Deliveries dropped as repeats.
    repeats: Arc<Mutex<usize>>,
}

impl<E: VendorEvent> Clone for Endpoint<E> {
    fn clone(&self) -> Self {
        Self {
            receiver: self.receiver.clone(),
            seen: self.seen.clone(),
            id: self.id,
            events: self.events.clone(),
            repeats: self.repeats.clone(),
        }
    }
}

impl<E: VendorEvent> FromRef<Endpoint<E>> for Arc<Receiver<E>> {
    fn from_ref(endpoint: &Endpoint<E>) -> Self {
        endpoint.receiver.clone()
    }
}

/// A webhook endpoint written as a team would, with the extractor.
async fn endpoint<E>(
    receiver: Receiver<E>,
    id: fn(&E) -> Option<String>,
) -> (LocalServer, Endpoint<E>)
where
    E: VendorEvent + Send + Sync + 'static,
    E::Verified: Send,
{
    let endpoint = Endpoint {
        receiver: Arc::new(receiver),
        seen: Arc::new(SeenEvents::new(Duration::from_secs(3600))),
        id,
        events: Arc::default(),
        repeats: Arc::default(),
    };
    let router = Router::new()
        .route(
            "/hook",
            post(
                |State(endpoint): State<Endpoint<E>>, Webhook(event): Webhook<E>| async move {
                    let first =
                        (endpoint.id)(&event).is_none_or(|id| endpoint.seen.first_time(&id));
                    if first {
                        endpoint.events.lock().unwrap().push(event);
                    } else {
                        *endpoint.repeats.lock().unwrap() += 1;
                    }
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(endpoint.clone());
    (LocalServer::start(router).await, endpoint)
}

fn hook_url(server: &LocalServer) -> String {
    format!("{}/hook", server.base_url)
}

fn jwks_url(sandbox: &SandboxHandle) -> String {
    format!(
        "{}/idnow-platform/oidc/.well-known/jwks.json",
        sandbox.base_url()
    )
}

fn issuer(sandbox: &SandboxHandle) -> String {
    format!("{}/idnow-platform/oidc", sandbox.base_url())
}

/// The sandbox's IDnow webhooks for `audience`.
fn idnow_verifier(sandbox: &SandboxHandle, audience: &str) -> idnow::webhooks::Verifier {
    idnow::webhooks::Verifier::new(jwks_url(sandbox), issuer(sandbox), audience)
}

/// The attempts' statuses of every delivery of `session`, by webhook.
async fn statuses(sandbox: &SandboxHandle, session: &str) -> Vec<(String, Vec<u64>)> {
    settled(sandbox, session)
        .await
        .iter()
        .map(|d| {
            let statuses = d["attempts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["status"].as_u64().unwrap_or(0))
                .collect();
            (d["webhook_id"].as_str().unwrap().to_string(), statuses)
        })
        .collect()
}

async fn wait_for<T: std::fmt::Debug>(events: &Mutex<Vec<T>>, count: usize) {
    wait_until(events, |events| events.len() >= count).await;
}

/// Waits until the events received pass `done` (the sandbox sends in the background).
async fn wait_until<T: std::fmt::Debug>(events: &Mutex<Vec<T>>, done: impl Fn(&[T]) -> bool) {
    for _ in 0..200 {
        if done(&events.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("events so far: {:?}", events.lock().unwrap());
}

#[tokio::test]
async fn idnow_deliveries_become_typed_events_once_each() {
    let sandbox = Sandbox::start().await.unwrap();
    let receiver = idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "shop"));
    let (server, endpoint) = endpoint(receiver, idnow::webhooks::Event::id).await;
    // Two subscriptions to one URL: every event arrives twice, under one event id.
    for _ in 0..2 {
        let (status, _) = register(
            &sandbox,
            json!({ "api": "idnow-platform", "url": hook_url(&server), "audience": "shop" }),
        )
        .await;
        assert_eq!(status, 201);
    }
    let id = idnow_session(&sandbox).await;
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
        .complete(Api::IdnowPlatform, &id, &persons::KARI, Outcome::Success)
        .expect("complete");
    wait_for(&endpoint.events, 3).await;
    for (_, attempts) in statuses(&sandbox, &id).await {
        assert_eq!(attempts, [204], "each delivery accepted at once");
    }
    assert_eq!(*endpoint.repeats.lock().unwrap(), 3, "the second copies");

    let events = endpoint.events.lock().unwrap().clone();
    use idnow::webhooks::Event;
    assert!(matches!(events[0], Event::SessionCreated(_)), "{events:?}");
    assert!(matches!(events[1], Event::SessionRunning(_)), "{events:?}");
    let Event::SessionCompleted(completed) = &events[2] else {
        panic!("{events:?}");
    };
    assert_eq!(completed.payload.session_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        completed.payload.flow_id.as_deref(),
        Some("sandbox-basic-identity")
    );
    assert_eq!(completed.environment, Some(idnow_types::Environment::Live));
    assert_eq!(completed.event_sequence.as_deref(), Some("3"));
    assert!(completed.event_deliver_id.is_some());
    assert_eq!(events[2].name(), Some("session.completed"));
    assert_eq!(events[2].id(), Some(completed.event_id.clone()));
    let sequences: Vec<_> = events
        .iter()
        .map(|e| e.payload().event_sequence.clone().unwrap())
        .collect();
    assert_eq!(sequences, ["1", "2", "3"]);

    // An aborted and an expired session: the other variants the sandbox sends.
    let aborted = idnow_session(&sandbox).await;
    sandbox
        .control()
        .complete(Api::IdnowPlatform, &aborted, &persons::KARI, Outcome::Abort)
        .expect("abort");
    let failed = idnow_session(&sandbox).await;
    sandbox
        .control()
        .complete(Api::IdnowPlatform, &failed, &persons::KARI, Outcome::Error)
        .expect("fail");
    let ended = |events: &[Event], session: &str, terminal: fn(&Event) -> bool| {
        events
            .iter()
            .any(|e| e.payload().payload.session_id.as_deref() == Some(session) && terminal(e))
    };
    wait_until(&endpoint.events, |events| {
        ended(events, &aborted, |e| matches!(e, Event::SessionAborted(_)))
            && ended(events, &failed, |e| matches!(e, Event::SessionError(_)))
    })
    .await;
    let events = endpoint.events.lock().unwrap().clone();
    let last_of = |session: &str| {
        events
            .iter()
            .rfind(|e| e.payload().payload.session_id.as_deref() == Some(session))
            .cloned()
            .unwrap()
    };
    assert!(matches!(last_of(&aborted), Event::SessionAborted(_)));
    assert!(matches!(last_of(&failed), Event::SessionError(_)));
}

#[tokio::test]
async fn unknown_event_names_are_kept_with_their_name() {
    // Signed with a test key: the sandbox only sends the names it knows.
    let signer = idnow::webhooks::test_util::JwtSigner::new();
    let receiver = idnow::webhooks::test_util::receiver(&signer, "shop");
    let mut claims = idnow_claims("shop");
    claims.data.event_name = "session.archived".into();
    let request = idnow::webhooks::test_util::request(&signer, &claims);
    let event = receiver
        .receive(&request.headers, &request.body)
        .await
        .expect("a valid webhook");
    let idnow::webhooks::Event::Other(other) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(other.name(), Some("session.archived"));
    assert_eq!(event.name(), Some("session.archived"));
    assert_eq!(other.payload().event_id, "event-1");
}

/// Claims as IDnow sends them, issued now by the production issuer for `audience`.
fn idnow_claims(audience: &str) -> idnow_types::WebhookClaims {
    let now = idnow::webhooks::test_util::unix_now() as i64;
    idnow_types::WebhookClaims {
        iss: Some(idnow::webhooks::ISSUER.into()),
        aud: Some(json!(audience)),
        sub: None,
        iat: Some(now),
        exp: Some(now + 300),
        data: idnow_types::WebhookEvent {
            event_id: "event-1".into(),
            event_version: Some("1".into()),
            event_name: "session.completed".into(),
            event_deliver_id: Some("delivery-1".into()),
            event_sequence: Some("3".into()),
            created_at: None,
            environment: Some(idnow_types::Environment::Live),
            payload: idnow_types::WebhookPayload {
                flow_id: Some("flow-1".into()),
                session_id: Some("session-1".into()),
                session_status: Some(idnow_types::SessionStatus::Completed),
            },
            last_step_id: None,
            last_step_status: None,
            last_step_type: None,
        },
    }
}

fn jwt_parts(jwt: &[u8]) -> (Value, Value) {
    let jwt = std::str::from_utf8(jwt).unwrap();
    let mut parts = jwt.split('.');
    let header = serde_json::from_slice(&base64_url(parts.next().unwrap())).unwrap();
    let claims = serde_json::from_slice(&base64_url(parts.next().unwrap())).unwrap();
    (header, claims)
}

fn compact(header: &Value, claims: &Value, signature: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature);
    format!(
        "{}.{}.{signature}",
        base64_url_encode(&header.to_string()),
        base64_url_encode(&claims.to_string())
    )
    .into_bytes()
}

fn hs256(key: &[u8], header: &Value, claims: &Value) -> Vec<u8> {
    let input = format!(
        "{}.{}",
        base64_url_encode(&header.to_string()),
        base64_url_encode(&claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    compact(header, claims, &mac.finalize().into_bytes())
}

#[tokio::test]
async fn forged_idnow_webhooks_are_refused_each_with_its_own_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let raw = RawReceiver::start(0).await;
    register(
        &sandbox,
        json!({ "api": "idnow-platform", "url": raw.url(), "audience": "shop" }),
    )
    .await;
    let session = idnow_session(&sandbox).await;
    let delivered = raw.wait_for(1).await[0].clone();
    let receiver = idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "shop"));
    let headers = &delivered.0;
    let event = receiver
        .receive(headers, &delivered.1)
        .await
        .expect("the real delivery");
    assert!(matches!(event, idnow::webhooks::Event::SessionCreated(_)));
    let (header, claims) = jwt_parts(&delivered.1);
    let jwks: Value = http()
        .get(jwks_url(&sandbox))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let refused = |body: Vec<u8>| {
        let receiver = &receiver;
        async move { receiver.receive(headers, &body).await.unwrap_err() }
    };
    // Tampered claims under the real signature.
    let real_signature = base64_url(
        std::str::from_utf8(&delivered.1)
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap(),
    );
    let mut tampered = claims.clone();
    tampered["data"]["eventName"] = json!("session.completed");
    let error = refused(compact(&header, &tampered, &real_signature)).await;
    assert!(matches!(error, WebhookError::InvalidSignature), "{error}");
    // `alg: none`, no signature.
    let none = json!({ "alg": "none", "typ": "JWT", "kid": header["kid"] });
    let error = refused(compact(&none, &claims, b"")).await;
    assert!(matches!(error, WebhookError::Unsigned), "{error}");
    // HS256 with the public key as the HMAC secret, in every form an attacker tries.
    let hs = json!({ "alg": "HS256", "typ": "JWT", "kid": header["kid"] });
    let n = base64_url(jwks["keys"][0]["n"].as_str().unwrap());
    let jwk = jwks["keys"][0].to_string();
    for key in [n.as_slice(), jwk.as_bytes()] {
        let error = refused(hs256(key, &hs, &claims)).await;
        assert!(
            matches!(error, WebhookError::WrongAlgorithm { expected: "RS256" }),
            "{error}"
        );
    }
    // A key the vendor never published.
    let stranger = idnow::webhooks::test_util::JwtSigner::new().with_kid("made-up");
    let error = refused(stranger.sign(&claims).into_bytes()).await;
    assert!(matches!(error, WebhookError::UnknownKey), "{error}");
    // Expired, and not valid yet (signed by a key the receiver trusts).
    let signer = idnow::webhooks::test_util::JwtSigner::new();
    let trusting =
        idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "shop").with_keys(signer.jwks()));
    let now = idnow::webhooks::test_util::unix_now();
    for (change, expected) in [
        (json!({ "iat": now - 7200, "exp": now - 3600 }), "expired"),
        (json!({ "nbf": now + 3600 }), "not yet valid"),
        (
            json!({ "iat": now + 3600, "exp": now + 7200 }),
            "not yet valid",
        ),
    ] {
        let mut changed = claims.clone();
        for (key, value) in change.as_object().unwrap() {
            changed[key] = value.clone();
        }
        let body = signer.sign(&changed).into_bytes();
        let error = trusting.receive(headers, &body).await.unwrap_err();
        match expected {
            "expired" => assert!(matches!(error, WebhookError::Expired), "{error}"),
            _ => assert!(matches!(error, WebhookError::NotYetValid), "{error}"),
        }
    }
    // Not for this receiver.
    let elsewhere = idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "someone-else"));
    let error = elsewhere.receive(headers, &delivered.1).await.unwrap_err();
    assert!(matches!(error, WebhookError::WrongAudience), "{error}");
    let other_issuer = idnow::webhooks::Receiver::jwt(idnow::webhooks::Verifier::new(
        jwks_url(&sandbox),
        "https://auth.eu.platform.idnow.io/oidc",
        "shop",
    ));
    let error = other_issuer
        .receive(headers, &delivered.1)
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::WrongIssuer), "{error}");
    // Too large: refused before any verification.
    let small = idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "shop"))
        .with_max_body(delivered.1.len() - 1);
    let error = small.receive(headers, &delivered.1).await.unwrap_err();
    assert!(
        matches!(error, WebhookError::TooLarge { limit } if limit == delivered.1.len() - 1),
        "{error}"
    );

    // Sandbox time an hour ahead: its next tokens are issued in the receiver's future.
    sandbox.control().advance(Duration::from_secs(3600));
    sandbox
        .control()
        .complete(
            Api::IdnowPlatform,
            &session,
            &persons::KARI,
            Outcome::Success,
        )
        .expect("complete");
    let later = raw.wait_for(2).await[1].clone();
    let error = receiver.receive(&later.0, &later.1).await.unwrap_err();
    assert!(matches!(error, WebhookError::NotYetValid), "{error}");
}

#[tokio::test]
async fn forged_requests_get_401_from_the_extractor_and_large_ones_413() {
    let sandbox = Sandbox::start().await.unwrap();
    let raw = RawReceiver::start(0).await;
    register(
        &sandbox,
        json!({ "api": "idnow-platform", "url": raw.url(), "audience": "shop" }),
    )
    .await;
    idnow_session(&sandbox).await;
    let delivered = raw.wait_for(1).await[0].1.clone();
    let receiver = idnow::webhooks::Receiver::jwt(idnow_verifier(&sandbox, "shop"))
        .with_max_body(delivered.len() + 10);
    let (server, endpoint) = endpoint(receiver, idnow::webhooks::Event::id).await;
    let post = |body: Vec<u8>| {
        http()
            .post(hook_url(&server))
            .header("content-type", "application/jwt")
            .body(body)
            .send()
    };
    let (header, claims) = jwt_parts(&delivered);
    let mut tampered = claims.clone();
    tampered["aud"] = json!("shop");
    tampered["data"]["payload"]["sessionStatus"] = json!("COMPLETED");
    let signature = base64_url(
        std::str::from_utf8(&delivered)
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap(),
    );
    let forged = post(compact(&header, &tampered, &signature)).await.unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(
        forged.text().await.unwrap(),
        "the webhook's signature does not match"
    );
    assert_eq!(post(b"not a jwt".to_vec()).await.unwrap().status(), 400);
    let large = post(vec![b'a'; delivered.len() + 11]).await.unwrap();
    assert_eq!(large.status(), 413);
    assert!(endpoint.events.lock().unwrap().is_empty());
    assert_eq!(post(delivered.to_vec()).await.unwrap().status(), 204);
    assert_eq!(endpoint.events.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn idfy_deliveries_become_typed_events_and_bad_signatures_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let secret = "whsec-test-7f3a";
    let receiver = idfy::webhooks::receiver(SecretString::from(secret.to_string()));
    let (server, endpoint) = endpoint(receiver, idfy::webhooks::Event::id).await;
    let raw = RawReceiver::start(0).await;
    let mut webhook_ids = Vec::new();
    for (url, secret) in [
        (hook_url(&server), Some(secret)),
        (hook_url(&server), None),
        (hook_url(&server), Some("another-secret")),
        (raw.url(), Some(secret)),
    ] {
        let mut body = json!({ "api": "idfy-identification-v1", "url": url, "attempts": 1 });
        if let Some(secret) = secret {
            body["secret"] = json!(secret);
        }
        let (status, webhook) = register(&sandbox, body).await;
        assert_eq!(status, 201, "{webhook}");
        webhook_ids.push(webhook["id"].as_str().unwrap().to_string());
    }
    let client = idfy_client(&sandbox);
    let id = client
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
        .into_inner()
        .request_id
        .expect("a request id");
    sandbox
        .control()
        .complete(
            Api::IdfyIdentificationV1,
            &id,
            &persons::KARI,
            Outcome::Success,
        )
        .expect("complete");
    wait_for(&endpoint.events, 1).await;
    let mut by_webhook = statuses(&sandbox, &id).await;
    by_webhook.sort_by_key(|(webhook, _)| webhook_ids.iter().position(|w| w == webhook));
    let answers: Vec<_> = by_webhook.into_iter().map(|(_, s)| s).collect();
    assert_eq!(answers, [vec![204], vec![401], vec![401], vec![200]]);

    let events = endpoint.events.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    let idfy::webhooks::Event::StatusChanged(notification) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(notification.data.request_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        notification.data.external_reference.as_deref(),
        Some("order-42")
    );
    assert_eq!(notification.data.status, Some(idfy_types::Status::Success));
    assert_eq!(events[0].id(), Some(notification.id.clone()));

    // The delivery as received, changed in each way a forger would.
    let (headers, body) = raw.wait_for(1).await[0].clone();
    let receiver = idfy::webhooks::receiver(SecretString::from(secret.to_string()));
    receiver
        .receive(&headers, &body)
        .await
        .expect("the real delivery");
    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|b| *b == b'S').unwrap();
    tampered[at] = b'X';
    let error = receiver.receive(&headers, &tampered).await.unwrap_err();
    assert!(matches!(error, WebhookError::InvalidSignature), "{error}");
    let wrong = idfy::webhooks::receiver(SecretString::from("another-secret".to_string()));
    let error = wrong.receive(&headers, &body).await.unwrap_err();
    assert!(matches!(error, WebhookError::InvalidSignature), "{error}");
    let error = receiver
        .receive(&HeaderMap::new(), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::MissingHeader("X-Idfy-Signature")),
        "{error}"
    );
    let signature = headers["x-idfy-signature"].to_str().unwrap();
    // A sign where a digit belongs (`u8::from_str_radix` takes "+a" as 10).
    let mut plus = headers.clone();
    plus.insert(
        "x-idfy-signature",
        HeaderValue::from_str(&format!("+{}", &signature[1..])).unwrap(),
    );
    let error = receiver.receive(&plus, &body).await.unwrap_err();
    assert!(matches!(error, WebhookError::Malformed(_)), "{error}");
    let error = receiver
        .with_max_body(body.len() - 1)
        .receive(&headers, &body)
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::TooLarge { .. }), "{error}");
    // Signed, but not the (assumed) shape: named by where it fails.
    let odd = br#"{"id":"e","event":"x","data":{"Status":7}}"#;
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-idfy-signature",
        HeaderValue::from_str(&idverify_runtime::webhooks::test_util::hmac_sha256_hex(
            secret, odd,
        ))
        .unwrap(),
    );
    let error = idfy::webhooks::receiver(SecretString::from(secret.to_string()))
        .receive(&headers, odd)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WebhookError::Payload { path } if path == "data.Status"),
        "{error}"
    );
}

#[tokio::test]
async fn identify_deliveries_become_events_by_status_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let (server, endpoint) = endpoint(
        identify::webhooks::receiver(),
        identify::webhooks::Event::id,
    )
    .await;
    register(
        &sandbox,
        json!({ "api": "identify-videoident", "url": hook_url(&server) }),
    )
    .await;
    let client = sandbox
        .client::<idverify_identify_videoident::Client>()
        .expect("client");
    let mut ids = Vec::new();
    for outcome in [Outcome::Success, Outcome::Abort] {
        let id = client
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
            .into_inner()
            .ident_id;
        sandbox
            .control()
            .complete(Api::IdentifyVideoident, &id, &persons::KARI, outcome)
            .expect("complete");
        ids.push(id);
    }
    wait_until(&endpoint.events, |events| {
        let name = |id: &str| {
            events
                .iter()
                .rfind(|e| e.payload().ident_id.as_deref() == Some(id))
                .and_then(|e| e.name().map(str::to_string))
        };
        name(&ids[0]).as_deref() == Some("5") && name(&ids[1]).as_deref() == Some("3")
    })
    .await;
    let events = endpoint.events.lock().unwrap().clone();
    let for_ident = |id: &str| {
        events
            .iter()
            .rfind(|e| e.payload().ident_id.as_deref() == Some(id))
            .cloned()
            .unwrap()
    };
    let success = for_ident(&ids[0]);
    let identify::webhooks::Event::Successful(payload) = &success else {
        panic!("{success:?}");
    };
    assert_eq!(payload.custom_id.as_deref(), Some("order-42"));
    assert_eq!(success.id(), Some(format!("{}:5", ids[0])));
    // Personal data stays out of Debug.
    assert!(!format!("{success:?}").contains("Nordkvinne"));
    // Codes the documentation does not name are kept.
    let aborted = for_ident(&ids[1]);
    let identify::webhooks::Event::Other(other) = &aborted else {
        panic!("{aborted:?}");
    };
    assert_eq!(other.name(), Some("3"));

    // Unsigned: only size and shape are checked.
    let receiver = identify::webhooks::receiver().with_max_body(8);
    let error = receiver
        .receive(&HeaderMap::new(), br#"{"status_code":"5"}"#)
        .await
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::TooLarge { limit: 8 }),
        "{error}"
    );
    let error = identify::webhooks::receiver()
        .receive(&HeaderMap::new(), b"<html>")
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::Malformed(_)), "{error}");
}

/// A JWKS endpoint in front of the sandbox's, counting requests: `Down` answers 500;
/// `Slow` holds every request after the first until released.
#[derive(Clone)]
struct Jwks {
    upstream: String,
    fetches: Arc<Mutex<usize>>,
    down: bool,
    arrived: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Notify>,
}

impl Jwks {
    async fn start(sandbox: &SandboxHandle, down: bool) -> (LocalServer, Self) {
        let jwks = Self {
            upstream: jwks_url(sandbox),
            fetches: Arc::default(),
            down,
            arrived: Arc::default(),
            release: Arc::default(),
        };
        let router = Router::new()
            .route(
                "/jwks",
                get(|State(jwks): State<Jwks>| async move {
                    let number = {
                        let mut fetches = jwks.fetches.lock().unwrap();
                        *fetches += 1;
                        *fetches
                    };
                    if jwks.down {
                        return Err(StatusCode::INTERNAL_SERVER_ERROR);
                    }
                    if number > 1 {
                        jwks.arrived.notify_one();
                        jwks.release.notified().await;
                    }
                    let body = http()
                        .get(&jwks.upstream)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    Ok(body)
                }),
            )
            .with_state(jwks.clone());
        (LocalServer::start(router).await, jwks)
    }

    fn fetches(&self) -> usize {
        *self.fetches.lock().unwrap()
    }
}

/// A webhook the sandbox really sent for audience `shop`.
async fn idnow_delivery(sandbox: &SandboxHandle) -> Vec<u8> {
    let raw = RawReceiver::start(0).await;
    register(
        sandbox,
        json!({ "api": "idnow-platform", "url": raw.url(), "audience": "shop" }),
    )
    .await;
    idnow_session(sandbox).await;
    raw.wait_for(1).await[0].1.to_vec()
}

#[tokio::test]
async fn while_the_jwks_is_down_made_up_key_ids_cause_one_fetch_per_interval() {
    let sandbox = Sandbox::start().await.unwrap();
    let delivered = idnow_delivery(&sandbox).await;
    let (server, jwks) = Jwks::start(&sandbox, true).await;
    let verifier = idnow::webhooks::Verifier::new(
        format!("{}/jwks", server.base_url),
        issuer(&sandbox),
        "shop",
    );
    let (_, claims) = jwt_parts(&delivered);
    let mut errors = Vec::new();
    for kid in ["made-up-1", "made-up-2", "made-up-3"] {
        let forged = idnow::webhooks::test_util::JwtSigner::new()
            .with_kid(kid)
            .sign(&claims);
        errors.push(verifier.verify(forged.as_bytes()).await.unwrap_err());
    }
    // The genuine token waits for no fetch either: the outage is reported at once.
    errors.push(verifier.verify(&delivered).await.unwrap_err());
    assert_eq!(jwks.fetches(), 1, "one fetch per interval, failed or not");
    assert!(
        errors
            .iter()
            .all(|e| matches!(e, WebhookError::Jwks(_)) && e.status() == 503),
        "{errors:?}"
    );
    assert!(errors[0].to_string().contains("500"), "{}", errors[0]);
}

#[tokio::test]
async fn tokens_with_a_cached_key_do_not_wait_for_a_slow_refetch() {
    let sandbox = Sandbox::start().await.unwrap();
    let delivered = idnow_delivery(&sandbox).await;
    let (server, jwks) = Jwks::start(&sandbox, false).await;
    let verifier = Arc::new(
        idnow::webhooks::Verifier::new(
            format!("{}/jwks", server.base_url),
            issuer(&sandbox),
            "shop",
        )
        .with_refresh_interval(Duration::ZERO),
    );
    verifier.verify(&delivered).await.expect("the first fetch");
    let (_, claims) = jwt_parts(&delivered);
    let forged = idnow::webhooks::test_util::JwtSigner::new()
        .with_kid("made-up")
        .sign(&claims);
    let stuck = tokio::spawn({
        let verifier = verifier.clone();
        async move { verifier.verify(forged.as_bytes()).await }
    });
    // The refetch for the made-up key is under way and held...
    jwks.arrived.notified().await;
    // ...and a token with the cached key is verified meanwhile. (The timeout only
    // keeps a regression from hanging the run.)
    let verified = tokio::time::timeout(Duration::from_secs(10), verifier.verify(&delivered))
        .await
        .expect("not held up by the refetch");
    assert!(verified.is_ok());
    assert!(!stuck.is_finished());
    jwks.release.notify_one();
    assert!(matches!(
        stuck.await.unwrap(),
        Err(WebhookError::UnknownKey)
    ));
    assert_eq!(jwks.fetches(), 2);
}

#[tokio::test]
async fn the_test_signers_make_requests_each_receiver_accepts() {
    // IDnow, with a key of the test's own: no sandbox, no JWKS fetch.
    let signer = idnow::webhooks::test_util::JwtSigner::new();
    let receiver = idnow::webhooks::test_util::receiver(&signer, "shop");
    let request = idnow::webhooks::test_util::request(&signer, &idnow_claims("shop"));
    assert_eq!(request.headers["content-type"], "application/jwt");
    let event = receiver
        .receive(&request.headers, &request.body)
        .await
        .unwrap();
    assert!(matches!(
        event,
        idnow::webhooks::Event::SessionCompleted(ref e) if e.payload.session_id.as_deref() == Some("session-1")
    ));
    // Another signer's request is refused.
    let other = idnow::webhooks::test_util::JwtSigner::new();
    let request = idnow::webhooks::test_util::request(&other, &idnow_claims("shop"));
    assert!(matches!(
        receiver.receive(&request.headers, &request.body).await,
        Err(WebhookError::InvalidSignature)
    ));

    // Idfy.
    let notification: idfy_types::WebhookNotification = serde_json::from_value(json!({
        "id": "event-1",
        "event": "identification_session_status_changed",
        "data": { "RequestId": "request-1", "Status": "SUCCESS" },
    }))
    .unwrap();
    let request = idfy::webhooks::test_util::request("secret", &notification);
    let event = idfy::webhooks::receiver(SecretString::from("secret".to_string()))
        .receive(&request.headers, &request.body)
        .await
        .unwrap();
    assert_eq!(event, idfy::webhooks::Event::StatusChanged(notification));

    // Identify, through the extractor as a test would call its own router.
    let payload: identify_types::WebhookPayload =
        serde_json::from_value(json!({ "ident_id": "ident-1", "status_code": "5" })).unwrap();
    let (server, endpoint) = endpoint(
        identify::webhooks::receiver(),
        identify::webhooks::Event::id,
    )
    .await;
    let request = identify::webhooks::test_util::request(&payload).into_http("/hook");
    let answer = http()
        .post(hook_url(&server))
        .headers(request.headers().clone())
        .body(request.into_body())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    assert_eq!(
        endpoint.events.lock().unwrap()[0],
        identify::webhooks::Event::Successful(payload)
    );
}
