//! Shapes that vendors' own files carry, each in a fixture spec: names that collide
//! after Rust naming (`names`), server URLs with variables, byte-stream responses and
//! `default` as the only error (`servers`).

use axum::Router;
use axum::routing::get;
use idverify_fixture_names as names;
use idverify_tests::LocalServer;
use serde_json::json;

#[test]
fn case_twin_enum_values_are_distinct_variants_with_their_exact_wire_values() {
    use names::types::DocumentKind;
    let expected = [
        ("SPE", DocumentKind::Spe),
        ("spe", DocumentKind::SpeLower),
        ("ID", DocumentKind::Id),
        ("id", DocumentKind::IdLower),
        ("Id", DocumentKind::IdAlt),
        ("passport", DocumentKind::Passport),
    ];
    for (wire, variant) in expected {
        let read: DocumentKind = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(read, variant, "{wire}");
        assert_eq!(serde_json::to_value(&read).unwrap(), json!(wire));
        assert_eq!(read.to_string(), wire);
        assert_eq!(wire.parse::<DocumentKind>().unwrap(), variant);
    }
    // A spelling of no documented value is still unknown, not a twin.
    let other: DocumentKind = serde_json::from_value(json!("sPe")).unwrap();
    assert_eq!(other, DocumentKind::Unknown("sPe".into()));
}

#[test]
fn properties_whose_fields_collide_keep_both_wire_names() {
    let body = json!({ "pages": 2, "fileName": "a.pdf", "file_name": "b.pdf", "kinds": ["SPE", "spe"] });
    let details: names::types::DocumentInfo2 = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(details.file_name.as_deref(), Some("a.pdf"));
    assert_eq!(details.file_name_lower.as_deref(), Some("b.pdf"));
    assert_eq!(serde_json::to_value(&details).unwrap(), body);
}

#[tokio::test]
async fn schemas_whose_rust_names_collide_are_both_usable() {
    let server = LocalServer::start(
        Router::new()
            .route(
                "/documents/{id}",
                get(|| async { axum::Json(json!({ "id": "d-1", "kind": "spe" })) }),
            )
            .route(
                "/documents/{id}/details",
                get(|| async { axum::Json(json!({ "pages": 3, "kinds": ["Id", "ID"] })) }),
            ),
    )
    .await;
    let client = names::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();
    // `document_info` is `DocumentInfo`; `Document_Info` became `DocumentInfo2`.
    let info: names::types::DocumentInfo = client
        .get_document()
        .id("d-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.id, "d-1");
    assert_eq!(info.kind, Some(names::types::DocumentKind::SpeLower));
    let details: names::types::DocumentInfo2 = client
        .get_document_2()
        .id("d-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(details.pages, Some(3));
    assert_eq!(
        details.kinds,
        [
            names::types::DocumentKind::IdAlt,
            names::types::DocumentKind::Id
        ]
    );
}
