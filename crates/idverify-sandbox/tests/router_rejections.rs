//! What the router answers by itself on a vendor path (a method the path does not have,
//! a path segment that is not UTF-8) comes in that vendor's error shape, as every other
//! error of the vendor's API does.

use idverify_sandbox::Sandbox;
use serde_json::Value;

/// Each API: a path with only one method (POST or GET), and where its error body puts
/// the message.
const PATHS: &[(&str, &str, &str)] = &[
    (
        "/signicat-authentication/auth/rest/sessions",
        "POST",
        "/detail",
    ),
    (
        "/signicat-identification-v2/identification/v2/languages",
        "GET,HEAD",
        "/detail",
    ),
    (
        "/idfy-identification-v1/identification/session/status",
        "GET,HEAD",
        "/ErrorMessage",
    ),
    ("/idnow-platform/api/v1/flows/live", "GET,HEAD", "/message"),
    ("/identify-videoident/ident/create", "POST", "/messages/0"),
];

#[tokio::test]
async fn a_wrong_method_answers_405_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = reqwest::Client::new();
    for (path, allowed, message) in PATHS {
        let response = client
            .delete(format!("{}{path}", sandbox.base_url()))
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 405, "{path}");
        assert_eq!(response.headers()["allow"], *allowed, "{path}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.contains("json"), "{path}: {content_type}");
        let body: Value = response.json().await.expect("a JSON body");
        let text = body.pointer(message).and_then(Value::as_str);
        assert_eq!(
            text,
            Some(
                format!("The method DELETE is not allowed on this path; it accepts {allowed}.")
                    .as_str()
            ),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_path_segment_answers_400_in_the_vendors_shape() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let response = reqwest::Client::new()
        .get(format!(
            "{}/signicat-authentication/auth/rest/sessions/%FF",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["status"], 400);
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("`id`"), "names the segment: {body}");
}
