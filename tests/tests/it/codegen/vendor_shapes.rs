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
    assert!(other.is_unknown(), "{other:?}");
    assert_eq!(other.as_str(), "sPe");
}

#[test]
fn properties_whose_fields_collide_keep_both_wire_names() {
    let body =
        json!({ "pages": 2, "fileName": "a.pdf", "file_name": "b.pdf", "kinds": ["SPE", "spe"] });
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

#[test]
fn a_region_is_picked_from_the_server_variables() {
    use idverify_fixture_servers::environments::{self, Region};
    use idverify_fixture_servers::{Client, ClientInfo};
    assert_eq!(Region::default(), Region::Eu, "the spec's default");
    assert_eq!(Region::ALL, [Region::Eu, Region::Us, Region::ApSoutheast]);
    let us = environments::server(Region::Us);
    // The variable without an enum takes its default (`v2`).
    assert_eq!(us.base_url, "https://api.us.fixture.invalid/v2");
    assert_eq!(us.name, "us");
    assert_eq!(
        environments::server(Region::ApSoutheast).base_url,
        "https://api.ap-southeast.fixture.invalid/v2"
    );
    assert_eq!(environments::SERVERS.len(), 3);
    let client = Client::server(Region::ApSoutheast).build().unwrap();
    assert_eq!(
        client.baseurl(),
        "https://api.ap-southeast.fixture.invalid/v2"
    );
}

async fn read_all(stream: idverify_fixture_servers::ByteStream) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut stream = stream.into_inner();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

#[tokio::test]
async fn binary_responses_are_byte_streams_and_default_is_the_typed_error() {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use idverify_fixture_servers as servers;
    let bytes = |content_type: &'static str, body: &'static [u8]| {
        move || async move { ([(header::CONTENT_TYPE, content_type)], body).into_response() }
    };
    let server = LocalServer::start(
        Router::new()
            .route(
                "/reports/r-1",
                get(bytes("application/pdf", b"%PDF-1.7 report")),
            )
            .route(
                "/exports/e-1",
                get(bytes("application/zip", b"PK\x03\x04zip")),
            )
            .route("/images/i-1", get(bytes("image/webp", b"RIFFwebp")))
            .route(
                "/raw/b-1",
                get(bytes("binary/octet-stream", b"\x00\x01raw")),
            )
            .route(
                "/reports/missing",
                get(|| async {
                    (
                        StatusCode::NOT_FOUND,
                        axum::Json(json!({ "code": "NOT_FOUND", "message": "no such report" })),
                    )
                }),
            ),
    )
    .await;
    let client = servers::Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let report = client.get_report().id("r-1").send().await.unwrap();
    assert_eq!(read_all(report.into_inner()).await, b"%PDF-1.7 report");
    let export = client.get_export().id("e-1").send().await.unwrap();
    assert_eq!(read_all(export.into_inner()).await, b"PK\x03\x04zip");
    let image = client.get_image().id("i-1").send().await.unwrap();
    assert_eq!(read_all(image.into_inner()).await, b"RIFFwebp");
    let raw = client.get_raw().id("b-1").send().await.unwrap();
    assert_eq!(read_all(raw.into_inner()).await, b"\x00\x01raw");

    // `default` is the only documented error: a 404 decodes as its schema.
    let Err(error) = client.get_report().id("missing").send().await else {
        panic!("a 404 is an error");
    };
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(
        error.typed().and_then(|e| e.code.as_deref()),
        Some("NOT_FOUND")
    );
}
