//! Fixture specs, one per normalisation concern, generated into
//! `tests/fixtures/crates/` and exercised here: the generated code compiles (this file
//! builds) and behaves.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use idverify_fixture_openapi31 as openapi31;
use idverify_fixture_responses as responses;
use idverify_fixture_swagger2 as swagger2;
use idverify_runtime::ErrorKind;
use idverify_tests::LocalServer;
use serde_json::json;

#[test]
fn unknown_enum_values_deserialize_and_serialize_back_unchanged() {
    let person: swagger2::types::Person =
        serde_json::from_value(json!({ "Name": "Ada", "Status": "ARCHIVED" }))
            .expect("unknown value accepted");
    assert_eq!(
        person.status,
        Some(swagger2::types::PersonStatus::from("ARCHIVED"))
    );
    assert!(person.status.as_ref().is_some_and(|s| s.is_unknown()));
    // The payload is read, never matched by value (it has no public constructor).
    match person.status.as_ref() {
        Some(swagger2::types::PersonStatus::Unknown(value)) => {
            assert_eq!(value.as_str(), "ARCHIVED")
        }
        other => panic!("expected an unknown value, got {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&person).unwrap()["Status"],
        json!("ARCHIVED")
    );

    // Known values keep their variants; the documented `UNKNOWN` does not collide with
    // the catch-all.
    let known: swagger2::types::PersonStatus = serde_json::from_value(json!("SUSPENDED")).unwrap();
    assert_eq!(known, swagger2::types::PersonStatus::Suspended);
    let documented: swagger2::types::PersonStatus =
        serde_json::from_value(json!("UNKNOWN")).unwrap();
    assert_eq!(documented, swagger2::types::PersonStatus::UnknownValue);
    assert_eq!(serde_json::to_value(&documented).unwrap(), json!("UNKNOWN"));
    assert_eq!(documented.to_string(), "UNKNOWN");
    assert_eq!(
        "ACTIVE".parse::<swagger2::types::PersonStatus>().unwrap(),
        swagger2::types::PersonStatus::Active
    );
}

#[test]
fn sensitive_fields_are_redacted_in_debug_but_serialized() {
    let person: swagger2::types::Person =
        serde_json::from_value(json!({ "Name": "Ada Lovelace", "Status": "ACTIVE" })).unwrap();
    let debug = format!("{person:?} {person:#?}");
    assert!(!debug.contains("Ada Lovelace"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert!(
        debug.contains("Active"),
        "non-sensitive fields still show: {debug}"
    );
    assert_eq!(
        serde_json::to_value(&person).unwrap()["Name"],
        json!("Ada Lovelace")
    );

    let order: responses::types::Order = serde_json::from_value(json!({
        "id": "o-1",
        "state": "OPEN",
        "holder": "Grace Hopper",
        "holderAddress": { "street": "1 Secret Lane", "country": "US" }
    }))
    .unwrap();
    let debug = format!("{order:?}");
    for secret in ["Grace Hopper", "Secret Lane"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    // The builder of a type with sensitive fields is redacted too.
    let builder = responses::types::Order::builder().holder(Some("Grace Hopper".to_string()));
    assert!(!format!("{builder:?}").contains("Grace Hopper"));
}

#[test]
fn additional_properties_false_does_not_reject_new_vendor_fields() {
    let order: responses::types::Order =
        serde_json::from_value(json!({ "id": "o-1", "state": "SHIPPED", "addedLater": 1 }))
            .expect("a field the spec does not list is ignored");
    assert_eq!(order.state, responses::types::OrderState::Shipped);
}

#[test]
fn openapi_31_constructs_are_down_converted() {
    let thing: openapi31::types::Thing = serde_json::from_value(
        json!({ "id": "t", "kind": "thing", "nickname": null, "score": 9.5, "colour": "blue" }),
    )
    .unwrap();
    assert_eq!(thing.nickname, None);
    assert_eq!(thing.score, Some(9.5));
    assert_eq!(thing.kind, openapi31::types::ThingKind::Thing);
    assert_eq!(
        thing.colour,
        Some(openapi31::types::ThingColour::from("blue"))
    );
}

/// Requests the fixture server saw: (method path, headers).
type Seen = Arc<Mutex<Vec<(String, HeaderMap)>>>;

fn order_routes(seen: Seen) -> Router {
    let s1 = seen.clone();
    let s2 = seen.clone();
    Router::new()
        .route(
            "/orders",
            post(move |headers: HeaderMap, body: String| {
                let seen = s1.clone();
                async move {
                    seen.lock().unwrap().push(("POST /orders".into(), headers));
                    let order: serde_json::Value = serde_json::from_str(&body).unwrap();
                    if order["id"] == "bad" {
                        return (
                            StatusCode::UNPROCESSABLE_ENTITY,
                            [("content-type", "application/problem+json")],
                            json!({ "title": "bad order", "status": 422 }).to_string(),
                        )
                            .into_response();
                    }
                    ([("content-type", "application/vnd.fixture+json")], body).into_response()
                }
            }),
        )
        .route(
            "/orders/{id}",
            get(
                move |axum::extract::Path(id): axum::extract::Path<String>, headers: HeaderMap| {
                    let seen = s2.clone();
                    async move {
                        seen.lock()
                            .unwrap()
                            .push((format!("GET /orders/{id}"), headers));
                        match id.as_str() {
                            "pending" => StatusCode::NO_CONTENT.into_response(),
                            "missing" => StatusCode::NOT_FOUND.into_response(),
                            "broken" => (
                                StatusCode::INTERNAL_SERVER_ERROR,
                                axum::Json(json!({ "message": "db down" })),
                            )
                                .into_response(),
                            _ => axum::Json(json!({ "id": id, "state": "OPEN" })).into_response(),
                        }
                    }
                },
            ),
        )
}

#[tokio::test]
async fn response_shapes_are_typed_end_to_end() {
    let seen: Seen = Arc::default();
    let server = LocalServer::start(order_routes(seen.clone())).await;
    let client = responses::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();

    // 200 + 204 → Option<T>
    let found = client.get_orders_by_id().id("o-7").send().await.unwrap();
    assert_eq!(found.status(), 200);
    assert_eq!(found.into_inner().map(|o| o.id), Some("o-7".to_string()));
    let pending = client
        .get_orders_by_id()
        .id("pending")
        .send()
        .await
        .unwrap();
    assert_eq!(pending.status(), 204);
    assert!(pending.into_inner().is_none());

    // A body-less documented error keeps its status.
    match client.get_orders_by_id().id("missing").send().await {
        Err(e) if e.kind() == ErrorKind::UnexpectedStatus => assert_eq!(e.status().unwrap(), 404),
        other => panic!("expected the 404 as an unexpected status, got {other:?}"),
    }
    // Two error shapes → one oneOf error type.
    match client.get_orders_by_id().id("broken").send().await {
        Err(e) if e.kind() == ErrorKind::Vendor => {
            assert_eq!(e.status().unwrap(), 500);
            let body = serde_json::to_value(e.into_typed().unwrap()).unwrap();
            assert_eq!(body, json!({ "message": "db down" }));
        }
        other => panic!("expected a typed 500, got {other:?}"),
    }

    // `+json` request and response bodies, and `default` as the error type.
    let order = responses::types::Order::builder()
        .id("o-1")
        .state(responses::types::OrderState::Open);
    let created = client.create_order().body(order).send().await.unwrap();
    assert_eq!(created.id, "o-1");
    let bad = responses::types::Order::builder()
        .id("bad")
        .state(responses::types::OrderState::Open);
    match client.create_order().body(bad).send().await {
        Err(e) if e.kind() == ErrorKind::Vendor => {
            assert_eq!(e.status().unwrap(), 422);
            assert_eq!(e.typed().unwrap().title.as_deref(), Some("bad order"));
        }
        other => panic!("expected the default error body, got {other:?}"),
    }

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 6);
    for (what, headers) in seen.iter() {
        assert!(
            headers.get("api-version").is_none(),
            "{what} sent an api-version header"
        );
    }
    let post = seen.iter().find(|(w, _)| w == "POST /orders").unwrap();
    assert_eq!(post.1.get("content-type").unwrap(), "application/json");
}

#[tokio::test]
async fn swagger_default_response_is_the_error_type() {
    let server = LocalServer::start(Router::new().route(
        "/people",
        post(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "ErrorCode": 7, "ErrorMessage": "Name missing" })),
            )
        }),
    ))
    .await;
    let client = swagger2::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let person = swagger2::types::Person::builder().name("Ada");
    match client.people_create().body(person).send().await {
        Err(e) if e.kind() == ErrorKind::Vendor => {
            assert_eq!(e.status().unwrap(), 400);
            assert_eq!(e.typed().unwrap().error_code, Some(7));
            // The legacy Idfy error shape is recognised.
            assert_eq!(e.vendor().unwrap().code.as_deref(), Some("7"));
        }
        other => panic!("expected a typed error, got {other:?}"),
    }
}
