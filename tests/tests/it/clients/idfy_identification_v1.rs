//! The generated Idfy Identification v1 client: every sample of the vendor's docs round
//! trips, newer responses still decode, personal data stays out of `Debug`, and every
//! operation (plus the `NextLink` helper) works against a local server that speaks the
//! vendor's wire format, with the OAuth2 token endpoint.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use idfy::types;
use idverify_idfy_identification_v1 as idfy;
use idverify_runtime::{Credentials, ErrorKind, VendorErrorShape};
use idverify_tests::{LocalServer, round_trip_examples};
use serde_json::{Value, json};

const API: &str = "idfy-identification-v1";
const CLIENT_ID: &str = "t50406ae2701149be8d72063a4ac005d0";
const CLIENT_SECRET: &str = "b3bf4003f34acc146a8270cb991fa2afc3be4a72df2aae0b5db3067120ec23a6";
const REQUEST_ID: &str = "25191832985138881678wuuPNTgWL4Aq7R";

#[test]
fn every_sample_in_the_spec_round_trips() {
    let count = round_trip_examples!(API, {
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirect/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirectWithReference/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframe/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframeWithAddons/value" => types::CreateIdentificationRequest,
        "/paths/~1identification~1session/post/responses/200/content/application~1json/example" => types::CreateIdentificationResponse,
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/restApiFlow/value" => types::IdentificationResponse,
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/withMetaData/value" => types::IdentificationResponse,
        "/paths/~1identification~1session~1invalidate/put/requestBody/content/application~1json/example" => types::InvalidateIdentificationRequest,
        "/paths/~1identification~1log~1requestId~1{requestId}/get/responses/200/content/application~1json/example" => types::IdentificationLogItem,
        "/paths/~1identification~1log~1filter~1{year}/get/responses/200/content/application~1json/example" => types::IdentificationLogList,
        "/paths/~1identification~1no~1bankid~1mobile/post/requestBody/content/application~1json/example" => types::CreateBankIdMobileRequest,
        "/components/schemas/TokenRequest/example" => types::TokenRequest,
        "/components/schemas/TokenResponse/example" => types::TokenResponse,
    });
    assert_eq!(count, 13);
}

#[test]
fn the_seed_samples_decode_to_the_documented_values() {
    let spec = idverify_tests::spec(API);
    let at = |pointer: &str| spec.pointer(pointer).unwrap().clone();

    // REST API Flow guide, step 1.
    let create: types::CreateIdentificationRequest = serde_json::from_value(at(
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/redirect/value",
    ))
    .unwrap();
    assert_eq!(
        create.identity_provider,
        Some(types::IdentityProvider::NoBankidWeb)
    );
    assert_eq!(create.language, Some(types::Language::No));
    assert_eq!(create.get_social_security_number, Some(true));
    let urls = create.return_urls.unwrap();
    assert!(urls.error.ends_with("status=[0]"));
    assert!(urls.success.ends_with("requestid=[1]&externalid=[2]"));

    // Migration guide, v1 iframe: no ReturnUrls, iFrame with its required Domain.
    let iframe: types::CreateIdentificationRequest = serde_json::from_value(at(
        "/paths/~1identification~1session/post/requestBody/content/application~1json/examples/iframe/value",
    ))
    .unwrap();
    assert!(iframe.return_urls.is_none());
    let frame = iframe.i_frame.unwrap();
    assert_eq!(frame.domain, "https://example.com");
    assert_eq!(frame.web_messaging, Some(true));
    // `Domain` is required.
    assert!(
        serde_json::from_value::<types::IFrameSettings>(json!({ "WebMessaging": true })).is_err()
    );

    // REST API Flow guide, step 3.
    let session: types::IdentificationResponse = serde_json::from_value(at(
        "/paths/~1identification~1session/get/responses/200/content/application~1json/examples/restApiFlow/value",
    ))
    .unwrap();
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(session.date_of_birth.as_deref(), Some("010740"));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("01074012345")
    );
    assert_eq!(
        session.environment_info.unwrap().ip_address.as_deref(),
        Some("127.0.0.1")
    );

    // Migration guide, v1 headless BankID on mobile.
    let mobile: types::CreateBankIdMobileRequest = serde_json::from_value(at(
        "/paths/~1identification~1no~1bankid~1mobile/post/requestBody/content/application~1json/example",
    ))
    .unwrap();
    assert_eq!(mobile.mobile_number, "99887766");
    assert_eq!(mobile.date_of_birth, "071283");

    let list: types::IdentificationLogList = serde_json::from_value(at(
        "/paths/~1identification~1log~1filter~1{year}/get/responses/200/content/application~1json/example",
    ))
    .unwrap();
    assert_eq!(list.total_links, Some(5));
    assert_eq!(list.next_skip(), Some(1));
    let items = list.list.unwrap();
    assert_eq!(
        items[1].identity_provider_type,
        Some(types::IdentityProvider::FiTupas)
    );
    assert_eq!(items[1].status, Some(types::Status::Error));
    assert_eq!(items[1].errorcode.as_deref(), Some("TIMEOUT"));
    // The 7-digit fraction is kept as sent.
    assert_eq!(
        items[1].timestamp.as_deref(),
        Some("2018-11-01T13:13:45.1501963Z")
    );
}

#[test]
fn responses_from_a_newer_api_still_deserialize() {
    let session: types::IdentificationResponse = serde_json::from_value(json!({
        "Name": "Wayne, Bruce Thomas",
        "MiddleName": null,
        "Error": null,
        "MetaData": null,
        "Status": "PENDING_REVIEW",
        "IdentityProvider": "NO_VIPPS",
        "EnvironmentInfo": { "UserAgent": "ua", "IPAddress": null, "DeviceId": "d-1" },
        "RiskScore": { "value": 3 }
    }))
    .expect("forward compatible");
    assert_eq!(
        session.status,
        Some(types::Status::Unknown("PENDING_REVIEW".into()))
    );
    assert_eq!(
        session.identity_provider,
        Some(types::IdentityProvider::Unknown("NO_VIPPS".into()))
    );
    assert_eq!(session.middle_name, None);
    assert_eq!(session.error, None);
    assert_eq!(session.environment_info.unwrap().ip_address, None);
    // An unknown value is sent back exactly as received.
    assert_eq!(
        serde_json::to_value(types::Status::Unknown("PENDING_REVIEW".into())).unwrap(),
        json!("PENDING_REVIEW")
    );

    // `UNKNOWN` is a documented value, distinct from the catch-all.
    let item: types::IdentificationLogItem = serde_json::from_value(json!({
        "Status": "UNKNOWN", "IdentityProviderType": "UNKNOWN", "Language": "DE", "Name": null,
        "NewFlag": true
    }))
    .unwrap();
    assert_eq!(item.status, Some(types::Status::UnknownValue));
    assert_eq!(
        item.identity_provider_type,
        Some(types::IdentityProvider::UnknownValue)
    );
    assert_eq!(item.language, Some(types::Language::Unknown("DE".into())));
    assert_eq!(
        serde_json::to_value(&item.status).unwrap(),
        json!("UNKNOWN")
    );

    let mobile: types::CreateBankIdMobileResponse = serde_json::from_value(json!({
        "RequestId": "r", "MerchantRef": null, "Error": null, "OK": true,
        "InvalidMobileNumberOrDateOfBirth": null, "SecurityReference": "x"
    }))
    .unwrap();
    assert_eq!(mobile.ok, Some(true));
    assert_eq!(mobile.merchant_ref, None);
}

#[test]
fn personal_data_is_redacted_from_debug_output() {
    let session: types::IdentificationResponse = serde_json::from_value(json!({
        "Name": "Wayne, Bruce Thomas",
        "FirstName": "Bruce",
        "MiddleName": "Thomas",
        "LastName": "Wayne",
        "DateOfBirth": "010740",
        "Status": "SUCCESS",
        "SocialSecurityNumber": "01074012345",
        "IdentityProviderUniqueId": "9875-4000-1-54321",
        "IdentityProvider": "NO_BANKID_WEB",
        "EnvironmentInfo": { "UserAgent": "Mozilla/5.0", "IPAddress": "198.51.100.23" },
        "MetaData": { "no.personal.info": "{\"Address\":\"Mountain Drive 1007\"}" },
        "RequestId": REQUEST_ID
    }))
    .unwrap();
    let log: types::IdentificationLogList = serde_json::from_value(json!({
        "List": [{ "Id": "log-1", "Name": "Selina Kyle", "ClientIp": "203.0.113.9", "Status": "SUCCESS" }]
    }))
    .unwrap();
    let mobile = types::CreateBankIdMobileRequest {
        mobile_number: "99887766".into(),
        date_of_birth: "071283".into(),
        get_social_security_number: Some(true),
        external_reference: Some("ref-1".into()),
        addonservices: None,
    };
    let create = types::CreateIdentificationRequest {
        pre_filled_social_security_number: Some("23071212345".into()),
        ..Default::default()
    };
    let debug = format!("{session:?} {session:#?} {log:?} {mobile:?} {create:?}");
    for personal in [
        "Wayne",
        "Bruce",
        "Thomas",
        "010740",
        "01074012345",
        "9875-4000-1-54321",
        "198.51.100.23",
        "Mountain Drive",
        "Selina Kyle",
        "203.0.113.9",
        "99887766",
        "071283",
        "23071212345",
    ] {
        assert!(!debug.contains(personal), "`{personal}` appears in {debug}");
    }
    assert!(debug.contains("[redacted]"));
    // What is not personal stays visible, so the output is still useful.
    assert!(debug.contains(REQUEST_ID));
    assert!(debug.contains("Mozilla/5.0"));
    assert!(debug.contains("ref-1"));
    // Serialisation is unchanged.
    assert_eq!(
        serde_json::to_value(&session).unwrap()["SocialSecurityNumber"],
        json!("01074012345")
    );
}

// ---------------------------------------------------------------------------------
// A local vendor.

#[derive(Debug, Clone)]
struct Call {
    method: Method,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Option<Value>,
}

#[derive(Default)]
struct Vendor {
    token_forms: Mutex<Vec<String>>,
    /// Tokens issued so far; the last one is valid.
    tokens: Mutex<Vec<String>>,
    calls: Mutex<Vec<Call>>,
    api_calls: AtomicUsize,
}

impl Vendor {
    fn record(&self, method: Method, uri: &Uri, headers: &HeaderMap, body: Option<Value>) -> bool {
        self.api_calls.fetch_add(1, Ordering::SeqCst);
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let authorization = header("authorization");
        self.calls.lock().unwrap().push(Call {
            method,
            path: uri.path().to_string(),
            query: uri.query().map(str::to_string),
            authorization: authorization.clone(),
            content_type: header("content-type"),
            body,
        });
        let tokens = self.tokens.lock().unwrap();
        tokens.last().map(|t| format!("Bearer {t}")) == authorization
    }

    fn last_call(&self) -> Call {
        self.calls.lock().unwrap().last().cloned().unwrap()
    }
}

/// A JSON answer with the vendor's standard response headers.
fn answer(status: StatusCode, body: Option<Value>) -> Response {
    let headers = [
        ("RequestId", "req-8f3a"),
        ("X-Idfy-Environment", "test"),
        ("X-Idfy-AccountId", "00000000-0000-0000-0000-000000000001"),
    ];
    match body {
        Some(body) => (
            status,
            headers,
            [("content-type", "application/json; charset=utf-8")],
            body.to_string(),
        )
            .into_response(),
        None => (status, headers).into_response(),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    answer(
        status,
        Some(json!({ "NativeErrorCode": null, "ErrorCode": code, "ErrorMessage": message })),
    )
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "unauthorized", "Not authorized")
}

fn log_item(id: &str, name: &str) -> Value {
    json!({
        "Id": id, "Name": name, "Status": "SUCCESS", "ClientIp": "192.168.1.1",
        "UserAgent": "Mozilla/5.0", "IdentityProviderType": "NO_BANKID_WEB", "Language": "NO",
        "Externalid": "order-42", "Timestamp": "2024-03-01T10:00:00.1234567Z", "iFrame": false,
        "SocialSecurityNumber": true, "AccountId": "00000000-0000-0000-0000-000000000001"
    })
}

fn vendor_routes(vendor: Arc<Vendor>) -> Router {
    Router::new()
        .route(
            "/oauth/connect/token",
            post(
                |State(v): State<Arc<Vendor>>, headers: HeaderMap, body: String| async move {
                    v.token_forms.lock().unwrap().push(body);
                    let basic = headers
                        .get("authorization")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or("");
                    let expected = format!("Basic {}", base64(&format!("{CLIENT_ID}:{CLIENT_SECRET}")));
                    if basic != expected {
                        return (
                            StatusCode::BAD_REQUEST,
                            axum::Json(json!({ "error": "invalid_client" })),
                        )
                            .into_response();
                    }
                    let mut tokens = v.tokens.lock().unwrap();
                    let token = format!("token-{}", tokens.len() + 1);
                    tokens.push(token.clone());
                    axum::Json(json!({ "access_token": token, "expires_in": 3600, "token_type": "Bearer" }))
                        .into_response()
                },
            ),
        )
        .route(
            "/identification/session",
            post(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    if !v.record(Method::POST, &uri, &headers, Some(body.clone())) {
                        return unauthorized();
                    }
                    if body.get("ReturnUrls").is_none() && body.get("iFrame").is_none() {
                        return error(StatusCode::BAD_REQUEST, "missing_return_urls", "ReturnUrls is required");
                    }
                    answer(
                        StatusCode::OK,
                        Some(json!({ "Url": format!("https://id-test.idfy.io/start?sessionid={REQUEST_ID}"), "RequestId": REQUEST_ID })),
                    )
                },
            )
            .get(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, RawQuery(query): RawQuery| async move {
                    if !v.record(Method::GET, &uri, &headers, None) {
                        return unauthorized();
                    }
                    if query.as_deref().unwrap_or("").contains(&format!("requestId={REQUEST_ID}")) {
                        answer(
                            StatusCode::OK,
                            Some(json!({
                                "Name": "Wayne, Bruce Thomas", "FirstName": "Bruce", "MiddleName": "Thomas",
                                "LastName": "Wayne", "DateOfBirth": "010740", "Status": "SUCCESS",
                                "SocialSecurityNumber": "01074012345", "IdentityProviderUniqueId": "9875-4000-1-54321",
                                "IdentityProvider": "NO_BANKID_WEB", "Error": null,
                                "EnvironmentInfo": { "UserAgent": "Mozilla/5.0", "IPAddress": "198.51.100.23" },
                                "MetaData": { "no.personal.info": "{}" },
                                "RequestId": REQUEST_ID
                            })),
                        )
                    } else {
                        error(StatusCode::NOT_FOUND, "session_not_found", "Session not found")
                    }
                },
            ),
        )
        .route(
            "/identification/session/status",
            get(|State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap| async move {
                if !v.record(Method::GET, &uri, &headers, None) {
                    return unauthorized();
                }
                answer(StatusCode::OK, Some(json!({ "Done": true })))
            }),
        )
        .route(
            "/identification/session/invalidate",
            put(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    if !v.record(Method::PUT, &uri, &headers, Some(body)) {
                        return unauthorized();
                    }
                    // The vendor's "nullable object": nothing in it.
                    answer(StatusCode::OK, None)
                },
            ),
        )
        .route(
            "/identification/log/requestId/{request_id}",
            get(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, Path(id): Path<String>| async move {
                    if !v.record(Method::GET, &uri, &headers, None) {
                        return unauthorized();
                    }
                    answer(StatusCode::OK, Some(log_item(&id, "Bruce Wayne")))
                },
            ),
        )
        .route(
            "/identification/log/filter/{year}",
            get(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, Path(year): Path<i32>, RawQuery(query): RawQuery| async move {
                    if !v.record(Method::GET, &uri, &headers, None) {
                        return unauthorized();
                    }
                    let query = query.unwrap_or_default();
                    if year < 2000 {
                        return error(StatusCode::BAD_REQUEST, "invalid_year", "No logs before 2000");
                    }
                    if query.contains("skip=1") {
                        // The last page: no NextLink.
                        answer(StatusCode::OK, Some(json!({ "NextLink": null, "TotalLinks": 2, "List": [log_item("log-2", "Selina Kyle")] })))
                    } else {
                        // Absolute, on the API host (the Host header is the server's address).
                        let host = headers.get("host").unwrap().to_str().unwrap();
                        answer(
                            StatusCode::OK,
                            Some(json!({
                                "NextLink": format!("http://{host}/identification/log/filter/{year}?month=3&skip=1"),
                                "TotalLinks": 2,
                                "List": [log_item("log-1", "Bruce Wayne")]
                            })),
                        )
                    }
                },
            ),
        )
        .route(
            "/identification/no/bankid/mobile",
            post(
                |State(v): State<Arc<Vendor>>, uri: Uri, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    if !v.record(Method::POST, &uri, &headers, Some(body.clone())) {
                        return unauthorized();
                    }
                    if body["MobileNumber"] == "99887766" && body["DateOfBirth"] == "071283" {
                        answer(StatusCode::OK, Some(json!({
                            "RequestId": REQUEST_ID, "MerchantRef": "SNILL BANK", "Error": null,
                            "OK": true, "InvalidMobileNumberOrDateOfBirth": false
                        })))
                    } else {
                        answer(StatusCode::OK, Some(json!({
                            "RequestId": null, "MerchantRef": null,
                            "Error": { "NativeErrorCode": "C161", "ErrorCode": "invalid_input", "ErrorMessage": "No BankID on mobile" },
                            "OK": false, "InvalidMobileNumberOrDateOfBirth": true
                        })))
                    }
                },
            ),
        )
        .with_state(vendor)
}

/// Standard base64 with padding (for the expected HTTP Basic header).
fn base64(input: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = input.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn client(server: &LocalServer) -> idfy::Client {
    idfy::Client::builder()
        .base_url(server.base_url.clone())
        .token_url(format!("{}/oauth/connect/token", server.base_url))
        .credentials(Credentials::client_credentials(CLIENT_ID, CLIENT_SECRET))
        .build()
        .expect("client")
}

#[test]
fn base64_matches_the_known_value() {
    assert_eq!(
        base64("client-1:s3cr3t-client-secret"),
        "Y2xpZW50LTE6czNjcjN0LWNsaWVudC1zZWNyZXQ="
    );
    assert_eq!(base64("ab"), "YWI=");
}

#[tokio::test]
async fn a_redirect_identification_from_create_to_invalidate() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server);

    // Create.
    let created = client
        .create_session()
        .body(
            types::CreateIdentificationRequest::builder()
                .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                .language(Some(types::Language::No))
                .get_social_security_number(Some(true))
                .external_reference(Some("order-42".to_string()))
                .return_urls(Some(types::ReturnUrls {
                    error: "https://shop.example/error?status=[0]".into(),
                    abort: "https://shop.example/abort?requestid=[1]".into(),
                    success: "https://shop.example/ok?requestid=[1]&externalid=[2]".into(),
                })),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()["RequestId"], "req-8f3a");
    assert_eq!(created.headers()["X-Idfy-Environment"], "test");
    let call = vendor.last_call();
    assert_eq!(
        (call.method, call.path.as_str()),
        (Method::POST, "/identification/session")
    );
    assert_eq!(call.authorization.as_deref(), Some("Bearer token-1"));
    assert!(call.content_type.unwrap().starts_with("application/json"));
    // PascalCase on the wire; absent options are not sent.
    assert_eq!(
        call.body.unwrap(),
        json!({
            "IdentityProvider": "NO_BANKID_WEB",
            "Language": "NO",
            "GetSocialSecurityNumber": true,
            "ExternalReference": "order-42",
            "ReturnUrls": {
                "Error": "https://shop.example/error?status=[0]",
                "Abort": "https://shop.example/abort?requestid=[1]",
                "Success": "https://shop.example/ok?requestid=[1]&externalid=[2]"
            }
        })
    );
    let created = created.into_inner();
    assert_eq!(created.request_id.as_deref(), Some(REQUEST_ID));
    assert!(created.url.unwrap().ends_with(REQUEST_ID));

    // Status.
    let status = client
        .retrieve_session_status()
        .request_id(REQUEST_ID)
        .send()
        .await
        .expect("status");
    assert_eq!(status.done, Some(true));
    let call = vendor.last_call();
    assert_eq!(call.path, "/identification/session/status");
    assert_eq!(
        call.query.as_deref(),
        Some(&*format!("requestId={REQUEST_ID}"))
    );

    // Retrieve, with metadata.
    let session = client
        .retrieve_session()
        .request_id(REQUEST_ID)
        .meta_data(true)
        .send()
        .await
        .expect("retrieve")
        .into_inner();
    let call = vendor.last_call();
    assert_eq!(call.path, "/identification/session");
    let query = call.query.unwrap();
    assert!(query.contains("metaData=true"), "{query}");
    assert!(
        query.contains(&format!("requestId={REQUEST_ID}")),
        "{query}"
    );
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("01074012345")
    );
    assert_eq!(session.date_of_birth.as_deref(), Some("010740"));
    assert_eq!(session.error, None);
    assert_eq!(
        session
            .meta_data
            .as_ref()
            .unwrap()
            .get("no.personal.info")
            .map(String::as_str),
        Some("{}")
    );

    // Invalidate: PUT with the request id in the body, nothing in the answer.
    let invalidated = client
        .invalidate_session()
        .body(types::InvalidateIdentificationRequest {
            request_id: REQUEST_ID.into(),
        })
        .send()
        .await
        .expect("invalidate");
    assert_eq!(invalidated.status(), 200);
    let call = vendor.last_call();
    assert_eq!(
        (call.method, call.path.as_str()),
        (Method::PUT, "/identification/session/invalidate")
    );
    assert_eq!(call.query, None);
    assert_eq!(call.body.unwrap(), json!({ "RequestId": REQUEST_ID }));

    // One token, asked for with the `identify` scope, served all calls.
    let forms = vendor.token_forms.lock().unwrap().clone();
    assert_eq!(forms.len(), 1);
    assert!(
        forms[0].contains("grant_type=client_credentials"),
        "{}",
        forms[0]
    );
    assert!(forms[0].contains("scope=identify"), "{}", forms[0]);

    let debug = format!("{session:?} {client:?}");
    for secret in [
        "01074012345",
        "Wayne",
        "198.51.100.23",
        CLIENT_SECRET,
        "token-1",
    ] {
        assert!(!debug.contains(secret), "`{secret}` in {debug}");
    }
}

#[tokio::test]
async fn headless_bankid_on_mobile() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server);

    let started = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("99887766")
                .date_of_birth("071283")
                .get_social_security_number(Some(true))
                .external_reference(Some("123456789".to_string())),
        )
        .send()
        .await
        .expect("start")
        .into_inner();
    let call = vendor.last_call();
    assert_eq!(
        (call.method, call.path.as_str()),
        (Method::POST, "/identification/no/bankid/mobile")
    );
    assert_eq!(
        call.body.unwrap(),
        json!({ "MobileNumber": "99887766", "DateOfBirth": "071283", "GetSocialSecurityNumber": true, "ExternalReference": "123456789" })
    );
    assert_eq!(started.ok, Some(true));
    assert_eq!(started.merchant_ref.as_deref(), Some("SNILL BANK"));
    assert_eq!(started.request_id.as_deref(), Some(REQUEST_ID));
    assert_eq!(started.invalid_mobile_number_or_date_of_birth, Some(false));

    let rejected = client
        .create_bank_id_mobile_session()
        .body(
            types::CreateBankIdMobileRequest::builder()
                .mobile_number("11111111")
                .date_of_birth("010101"),
        )
        .send()
        .await
        .expect("a 200 that says no")
        .into_inner();
    assert_eq!(rejected.ok, Some(false));
    assert_eq!(rejected.invalid_mobile_number_or_date_of_birth, Some(true));
    assert_eq!(
        rejected.error.unwrap().native_error_code.as_deref(),
        Some("C161")
    );

    // Both required fields are checked before anything is sent.
    let calls = vendor.api_calls.load(Ordering::SeqCst);
    let missing = client
        .create_bank_id_mobile_session()
        .body(types::CreateBankIdMobileRequest::builder().mobile_number("99887766"))
        .send()
        .await;
    assert_eq!(
        missing.expect_err("DateOfBirth is required").kind(),
        ErrorKind::InvalidRequest
    );
    assert_eq!(vendor.api_calls.load(Ordering::SeqCst), calls);
}

#[tokio::test]
async fn logs_by_request_id_and_by_filter_following_next_link() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server);

    let entry = client
        .retrieve_log_entry()
        .request_id("log-7")
        .send()
        .await
        .expect("log entry")
        .into_inner();
    assert_eq!(
        vendor.last_call().path,
        "/identification/log/requestId/log-7"
    );
    assert_eq!(entry.id.as_deref(), Some("log-7"));
    assert_eq!(
        entry.identity_provider_type,
        Some(types::IdentityProvider::NoBankidWeb)
    );
    assert_eq!(entry.social_security_number, Some(true));

    let first = client
        .list_log_entries()
        .year(2024)
        .month(3)
        .day(1)
        .status(types::Status::Success)
        .identity_provider_type(types::IdentityProvider::NoBankidWeb)
        .external_id("order-42")
        .name("Bruce Wayne")
        .skip(0)
        .page_size(1)
        .send()
        .await
        .expect("first page")
        .into_inner();
    let call = vendor.last_call();
    assert_eq!(call.path, "/identification/log/filter/2024");
    let query = call.query.unwrap();
    for pair in [
        "month=3",
        "day=1",
        "status=SUCCESS",
        "identityProviderType=NO_BANKID_WEB",
        "externalId=order-42",
        "name=Bruce+Wayne",
        "skip=0",
        "pageSize=1",
    ] {
        assert!(query.split('&').any(|p| p == pair), "{pair} not in {query}");
    }
    assert_eq!(first.total_links, Some(2));
    assert_eq!(first.list.as_ref().unwrap()[0].id.as_deref(), Some("log-1"));
    assert_eq!(first.next_skip(), Some(1));

    let next_link = first.next_link.clone().expect("a next page");
    let second = client
        .list_log_entries_next_page(&next_link)
        .await
        .expect("second page");
    assert_eq!(second.status(), 200);
    assert_eq!(second.headers()["RequestId"], "req-8f3a");
    let call = vendor.last_call();
    assert_eq!(call.path, "/identification/log/filter/2024");
    assert_eq!(call.query.as_deref(), Some("month=3&skip=1"));
    assert_eq!(call.authorization.as_deref(), Some("Bearer token-1"));
    let second = second.into_inner();
    assert_eq!(
        second.list.as_ref().unwrap()[0].id.as_deref(),
        Some("log-2")
    );
    assert_eq!(second.next_link, None);
    assert_eq!(second.next_skip(), None);

    // A relative link is resolved against the base URL.
    client
        .list_log_entries_next_page("/identification/log/filter/2024?skip=1")
        .await
        .expect("relative link");
    assert_eq!(vendor.last_call().query.as_deref(), Some("skip=1"));

    // A link to another host is refused before anything (the token) is sent.
    let calls = vendor.api_calls.load(Ordering::SeqCst);
    let tokens = vendor.token_forms.lock().unwrap().len();
    let foreign = client
        .list_log_entries_next_page(
            "https://id.signere.no/history/1dd0f6f9/filter?year=2017&name=Selina%20Kyle&skip=1",
        )
        .await;
    let refused = foreign.expect_err("a foreign host is refused");
    assert_eq!(refused.kind(), ErrorKind::InvalidRequest);
    let message = refused.to_string();
    assert!(message.contains("list_log_entries_next_page"), "{message}");
    assert!(message.contains("https://id.signere.no"), "{message}");
    assert!(!message.contains("Selina"), "{message}");
    assert_eq!(vendor.api_calls.load(Ordering::SeqCst), calls);
    assert_eq!(vendor.token_forms.lock().unwrap().len(), tokens);

    // The debug output of a page holds no names or IP addresses.
    let debug = format!("{first:?} {entry:?}");
    for personal in ["Bruce Wayne", "192.168.1.1"] {
        assert!(!debug.contains(personal), "`{personal}` in {debug}");
    }
}

#[tokio::test]
async fn vendor_errors_are_typed_and_a_revoked_token_is_replaced() {
    let vendor = Arc::new(Vendor::default());
    let server = LocalServer::start(vendor_routes(vendor.clone())).await;
    let client = client(&server);

    let error = client
        .retrieve_session()
        .request_id("nope")
        .send()
        .await
        .expect_err("unknown session");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 404);
    assert_eq!(error.headers()["RequestId"], "req-8f3a");
    // The vendor's `RequestId` header is the error's request id, shown in Display.
    assert_eq!(error.request_id().as_deref(), Some("req-8f3a"));
    assert!(error.to_string().contains("req-8f3a"), "{error}");
    let body = error.typed().expect("the vendor's error body");
    assert_eq!(body.error_code.as_deref(), Some("session_not_found"));
    assert_eq!(body.error_message.as_deref(), Some("Session not found"));
    assert_eq!(body.native_error_code, None);
    let vendor_error = error.vendor().unwrap();
    assert_eq!(vendor_error.shape, VendorErrorShape::Idfy);
    assert_eq!(vendor_error.code.as_deref(), Some("session_not_found"));

    // The next-page helper types the log filter's documented errors the same way.
    let error = client
        .list_log_entries_next_page("/identification/log/filter/1999")
        .await
        .expect_err("documented error status");
    assert_eq!(error.kind(), ErrorKind::Vendor);
    assert_eq!(error.status().unwrap(), 400);
    assert_eq!(error.operation(), "list_log_entries_next_page");
    assert_eq!(
        error.typed().unwrap().error_code.as_deref(),
        Some("invalid_year")
    );

    // The vendor revokes the token: the next call gets a new one and is replayed once.
    vendor.tokens.lock().unwrap().push("rotated".into());
    let status = client
        .retrieve_session_status()
        .request_id(REQUEST_ID)
        .send()
        .await
        .expect("replayed after 401");
    assert_eq!(status.done, Some(true));
    assert_eq!(vendor.token_forms.lock().unwrap().len(), 2);
    assert_eq!(
        vendor.last_call().authorization.as_deref(),
        Some("Bearer token-3")
    );

    // The next-page helper goes through the same replay.
    vendor.tokens.lock().unwrap().push("rotated-again".into());
    client
        .list_log_entries_next_page("/identification/log/filter/2023?skip=1")
        .await
        .expect("helper replayed after 401");
    assert_eq!(vendor.token_forms.lock().unwrap().len(), 3);
}

#[test]
fn the_production_host_and_https() {
    assert_eq!(
        idfy::environments::PRODUCTION.base_url,
        "https://api.idfy.io"
    );
    assert!(
        idfy::Client::builder()
            .base_url("http://api.idfy.io")
            .build()
            .is_err()
    );
}
