//! The sandbox over HTTP: auth, validation, faults, control API, end-user page.

use std::time::{Duration, Instant};

use idverify_sandbox::{Api, Sandbox, SandboxHandle, signicat_authentication as sa};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn token(sandbox: &SandboxHandle) -> String {
    let response = http()
        .post(
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .token_url,
        )
        .basic_auth(sa::CLIENT_ID, Some(sa::CLIENT_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "signicat-api"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().unwrap().to_string()
}

async fn create(sandbox: &SandboxHandle, token: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!(
            "{}/sessions",
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .base_url
        ))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_session(sandbox: &SandboxHandle, token: &str, id: &str) -> (u16, Value) {
    let response = http()
        .get(format!(
            "{}/sessions/{id}",
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .base_url
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn control(sandbox: &SandboxHandle, path: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/_sandbox/{path}", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn token_endpoint_checks_client_grant_and_scope() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox
        .endpoint::<idverify_signicat_authentication::Client>()
        .token_url;
    assert_eq!(
        url,
        format!(
            "{}/signicat-authentication/auth/open/connect/token",
            sandbox.base_url()
        )
    );
    token(&sandbox).await;

    // Credentials as form fields work too.
    let response = http()
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "signicat-api"),
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            http()
                .post(&url)
                .basic_auth("sandbox-client", Some("wrong"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "signicat-api"),
                ]),
            401,
            "invalid_client",
        ),
        (
            http().post(&url).form(&[
                ("grant_type", "client_credentials"),
                ("scope", "signicat-api"),
                ("client_id", "sandbox-client"),
                ("client_secret", "wrong"),
            ]),
            400,
            "invalid_client",
        ),
        (
            http()
                .post(&url)
                .form(&[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            http()
                .post(&url)
                .header("authorization", "Basic !!!not-base64")
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "signicat-api"),
                ]),
            401,
            "invalid_client",
        ),
        (
            http()
                .post(&url)
                .basic_auth("sandbox-client", Some("sandbox-secret"))
                .form(&[("grant_type", "client_credentials"), ("scope", "openid")]),
            400,
            "invalid_scope",
        ),
        (
            http()
                .post(&url)
                .basic_auth("sandbox-client", Some("sandbox-secret"))
                .form(&[("grant_type", "password"), ("scope", "signicat-api")]),
            400,
            "unsupported_grant_type",
        ),
        (
            http()
                .post(&url)
                .basic_auth("sandbox-client", Some("sandbox-secret"))
                .form(&[("scope", "signicat-api")]),
            400,
            "invalid_request",
        ),
    ];
    for (request, status, error) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{error}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error);
        assert!(body["error_description"].is_string());
        assert!(body.get("access_token").is_none());
    }
}

#[tokio::test]
async fn bearer_tokens_expire_on_the_sandbox_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, problem) = create(&sandbox, "made-up", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(problem["status"], 401);
    assert!(problem["traceId"].is_string());

    let token = token(&sandbox).await;
    let (status, _) = get_session(&sandbox, &token, "none").await;
    assert_eq!(status, 404, "a valid token reaches the API");

    let (status, clock) = control(&sandbox, "clock/advance", json!({ "seconds": 601 })).await;
    assert_eq!(status, 200);
    assert_eq!(clock["offset_seconds"], 601);
    let read: Value = http()
        .get(format!("{}/_sandbox/clock", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["offset_seconds"], 601);
    assert!(read["now"].as_str().unwrap().ends_with('Z'));

    let (status, problem) = get_session(&sandbox, &token, "none").await;
    assert_eq!(status, 401, "expired token");
    assert_eq!(problem["code"], "invalid_token");
}

#[tokio::test]
async fn create_validates_and_reports_the_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;
    for (body, field) in [
        (json!({ "requestedAttributes": ["name"] }), "flow"),
        (json!({ "flow": "redirect" }), "requestedAttributes"),
        (
            json!({ "flow": "kiosk", "requestedAttributes": [] }),
            "flow",
        ),
        (
            json!({ "flow": "redirect", "requestedAttributes": [1, 2] }),
            "requestedAttributes[0]",
        ),
        (
            json!({ "flow": "redirect", "requestedAttributes": [], "sessionLifetime": "x" }),
            "sessionLifetime",
        ),
        (json!([1, 2, 3]), "body"),
    ] {
        let (status, problem) = create(&sandbox, &token, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["title"], "Invalid request");
        assert_eq!(problem["invalidParams"][0]["name"], field, "{body}");
        assert!(problem["invalidParams"][0]["reason"].is_string());
        assert!(problem["traceId"].is_string() && problem["type"].is_string());
    }
    // Not JSON at all.
    let response = http()
        .post(format!(
            "{}/sessions",
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .base_url
        ))
        .bearer_auth(&token)
        .body("flow=redirect")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["invalidParams"][0]["name"], "body");
}

#[tokio::test]
async fn cancel_only_while_open_and_expiry_reports_error_then_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;
    let body = json!({ "flow": "redirect", "requestedAttributes": ["name"] });
    let cancel = |id: String| {
        let url = format!(
            "{}/sessions/{id}/cancel",
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .base_url
        );
        let token = token.clone();
        async move {
            let response = http().post(url).bearer_auth(token).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    let (_, a) = create(&sandbox, &token, body.clone()).await;
    let a = a["id"].as_str().unwrap().to_string();
    let (status, cancelled) = cancel(a.clone()).await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("CANCELLED"))
    );
    let (status, problem) = cancel(a.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "session_not_cancellable");
    let (status, _) = control(
        &sandbox,
        &format!("sessions/signicat-authentication/{a}/complete"),
        json!({ "person": "ola", "outcome": "success" }),
    )
    .await;
    assert_eq!(status, 409, "a cancelled session cannot be completed");
    let (status, problem) = cancel("nope".into()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("session_not_found"))
    );

    let (_, b) = create(&sandbox, &token, body.clone()).await;
    let b = b["id"].as_str().unwrap().to_string();
    control(&sandbox, "clock/advance", json!({ "seconds": 1201 })).await;
    let token = self::token(&sandbox).await;
    let (status, expired) = get_session(&sandbox, &token, &b).await;
    assert_eq!(status, 200);
    assert_eq!(expired["status"], "EXPIRED");
    assert_eq!(expired["error"]["code"], "session_expired");
    control(&sandbox, "clock/advance", json!({ "seconds": 3600 })).await;
    let token = self::token(&sandbox).await;
    let (status, _) = get_session(&sandbox, &token, &b).await;
    assert_eq!(status, 404, "removed an hour after expiry");
}

#[tokio::test]
async fn faults_status_latency_and_drop() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;

    let (status, _) = control(
        &sandbox,
        "faults",
        json!({ "api": "signicat-authentication", "kind": "status", "status": 429, "retry_after": 2, "count": 2 }),
    )
    .await;
    assert_eq!(status, 201);
    // The control API is never faulted.
    let listed: Value = http()
        .get(format!("{}/_sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["count"], 2);
    for _ in 0..2 {
        let response = http()
            .get(format!(
                "{}/sessions/x",
                sandbox
                    .endpoint::<idverify_signicat_authentication::Client>()
                    .base_url
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "2");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 429);
    }
    let (status, _) = get_session(&sandbox, &token, "x").await;
    assert_eq!(status, 404, "the fault is used up");

    control(
        &sandbox,
        "faults",
        json!({ "api": null, "kind": "latency", "millis": 300 }),
    )
    .await;
    let started = Instant::now();
    let (status, _) = get_session(&sandbox, &token, "x").await;
    assert_eq!(status, 404);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A dropped connection: no byte of an answer.
    control(&sandbox, "faults", json!({ "kind": "drop" })).await;
    let mut stream = tokio::net::TcpStream::connect(sandbox.address())
        .await
        .unwrap();
    stream
        .write_all(
            format!(
                "GET /signicat-authentication/auth/rest/sessions/x HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\r\n",
                sandbox.address()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    assert!(
        read.is_err() || answer.is_empty(),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let (status, _) = get_session(&sandbox, &token, "x").await;
    assert_eq!(status, 404, "served normally again");

    let response = http()
        .delete(format!("{}/_sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn bad_control_input_is_a_4xx_never_a_5xx() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;
    let (_, session) = create(
        &sandbox,
        &token,
        json!({ "flow": "redirect", "requestedAttributes": ["name"] }),
    )
    .await;
    let id = session["id"].as_str().unwrap();
    let complete = format!("sessions/signicat-authentication/{id}/complete");
    for (path, body, expected) in [
        ("clock/advance", json!({ "seconds": -5 }), 400),
        ("clock/advance", json!({ "secs": 5 }), 400),
        ("clock/advance", json!("soon"), 400),
        ("faults", json!({ "kind": "explode" }), 400),
        ("faults", json!({ "kind": "status", "status": 200 }), 400),
        (
            "faults",
            json!({ "kind": "status", "status": 503, "api": "nope" }),
            400,
        ),
        ("faults", json!({ "kind": "drop", "count": 0 }), 400),
        (
            complete.as_str(),
            json!({ "person": "nobody", "outcome": "success" }),
            400,
        ),
        (
            complete.as_str(),
            json!({ "person": "ola", "outcome": "maybe" }),
            400,
        ),
        (complete.as_str(), json!({ "outcome": "success" }), 400),
        (
            "sessions/nope/x/complete",
            json!({ "person": "ola", "outcome": "success" }),
            404,
        ),
        (
            "sessions/signicat-authentication/unknown/complete",
            json!({ "person": "ola", "outcome": "success" }),
            404,
        ),
        ("no/such/thing", json!({}), 404),
    ] {
        let (status, body) = control(&sandbox, path, body.clone()).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{body}"
        );
    }
    // Raw garbage bodies.
    for body in ["", "{", "\u{0}\u{1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[["] {
        for path in ["clock/advance", "faults", complete.as_str()] {
            let response = http()
                .post(format!("{}/_sandbox/{path}", sandbox.base_url()))
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{path} {body:?}");
        }
        let (status, _) = create(&sandbox, &token, Value::String(body.into())).await;
        assert_eq!(status, 400);
    }
    // The session the garbage did not name is untouched.
    let (status, session) = get_session(&sandbox, &token, id).await;
    assert_eq!((status, session["status"].as_str()), (200, Some("CREATED")));
    let clock: Value = http()
        .get(format!("{}/_sandbox/clock", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["offset_seconds"], 0);

    // Unknown paths: 404 in the vendor's shape under its prefix.
    let response = http()
        .get(format!(
            "{}/signicat-authentication/nothing",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn the_end_user_page_escapes_and_completes_with_a_redirect() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;
    let (status, session) = create(
        &sandbox,
        &token,
        json!({
            "flow": "redirect",
            "requestedAttributes": ["name", "<b>bold</b>"],
            "externalReference": "<script>alert('x')</script>",
            "callbackUrls": { "abort": "https://app.example/aborted?lang=en" }
        }),
    )
    .await;
    assert_eq!(status, 200);
    let id = session["id"].as_str().unwrap();
    let page_url = session["authenticationUrl"].as_str().unwrap().to_string();
    assert_eq!(
        page_url,
        format!(
            "{}/_sandbox/ui/signicat-authentication/{id}",
            sandbox.base_url()
        )
    );

    let response = http().get(&page_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    for person in idverify_sandbox::PERSONS {
        assert!(html.contains(&format!("value=\"{}\"", person.id)));
    }
    assert!(html.contains(">Approve<") && html.contains(">Abort<") && html.contains(">Fail<"));
    let (_, waiting) = get_session(&sandbox, &token, id).await;
    assert_eq!(waiting["status"], "WAITING_FOR_USER");

    let bad = http()
        .post(&page_url)
        .form(&[("person", "nobody"), ("outcome", "abort")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let response = http()
        .post(&page_url)
        .form(&[("person", "emma"), ("outcome", "abort")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("https://app.example/aborted?lang=en&sessionId="),
        "{location}"
    );
    assert!(location.contains(id));
    let (_, aborted) = get_session(&sandbox, &token, id).await;
    assert_eq!(aborted["status"], "ABORT");
    assert!(aborted.get("subject").is_none());

    // Completed: the page no longer offers the form, and posting again is refused.
    let html = http()
        .get(&page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<form"));
    let again = http()
        .post(&page_url)
        .form(&[("person", "ola"), ("outcome", "success")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    let persons: Value = http()
        .get(format!("{}/_sandbox/persons", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(persons.as_array().unwrap().len() >= 3);
    assert_eq!(persons[0]["id"], "ola");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sandbox = Sandbox::builder().port(0).start().await.unwrap();
    let address = sandbox.address();
    assert!(address.ip().is_loopback());
    let index: Value = http()
        .get(format!("{}/_sandbox", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(index["apis"][0]["name"], "signicat-authentication");
    assert_eq!(
        index["apis"][0]["endpoints"]["base_url"],
        sandbox
            .endpoint::<idverify_signicat_authentication::Client>()
            .base_url
    );
    drop(sandbox);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            break;
        }
        assert!(Instant::now() < deadline, "still listening after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_misspelled_api_or_outcome_is_refused_naming_the_member() {
    let sandbox = Sandbox::start().await.unwrap();
    for (path, body, member) in [
        (
            "faults",
            json!({ "api": "signicat-authenticaton", "kind": "drop" }),
            "`api`",
        ),
        (
            "sessions/signicat-authentication/x/complete",
            json!({ "person": "ola", "outcome": "sucess" }),
            "`outcome`",
        ),
        (
            "sessions/signicat-authentication/x/complete",
            json!({ "person": "olla", "outcome": "success" }),
            "`person`",
        ),
    ] {
        let (status, answer) = control(&sandbox, path, body).await;
        assert_eq!(status, 400, "{path}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(member), "{path}: {message}");
    }
    assert!(sandbox.faults().list().is_empty(), "nothing was queued");
    let response = http()
        .get(format!("{}/_sandbox/journal?api=idnow", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // The typed client cannot name an API that does not exist; its faults are checked.
    let refused = sandbox
        .control()
        .faults()
        .add(idverify_sandbox::Fault {
            api: Some(Api::SignicatAuthentication),
            kind: idverify_sandbox::FaultKind::Drop,
            count: 0,
        })
        .unwrap_err();
    assert_eq!(refused.status, 400);
    assert!(refused.message.contains("`count`"), "{}", refused.message);
}

#[tokio::test]
async fn the_journal_shows_what_a_client_sent_without_its_secrets() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox).await;
    let (status, _) = create(
        &sandbox,
        &token,
        json!({ "flow": "redirect", "requestedAttributes": ["name"], "externalReference": "order-7" }),
    )
    .await;
    assert_eq!(status, 200);
    let journal = sandbox.journal(Api::SignicatAuthentication);
    let [login, created] = journal.as_slice() else {
        panic!("two requests: {journal:?}");
    };
    assert_eq!(login.method, "POST");
    assert!(login.path.ends_with("/connect/token"), "{}", login.path);
    assert_eq!(login.header("authorization"), Some("Basic [redacted]"));
    assert_eq!(login.status, 200);
    assert_eq!(created.path, "/signicat-authentication/auth/rest/sessions");
    assert_eq!(created.header("authorization"), Some("Bearer [redacted]"));
    assert_eq!(created.json().unwrap()["externalReference"], "order-7");
    let text = format!("{journal:?}");
    assert!(!text.contains(&token), "no token in the journal");
    assert!(
        !text.contains(sa::CLIENT_SECRET),
        "no secret in the journal"
    );
    // Other APIs saw nothing; the control API is not journaled.
    assert!(sandbox.journal(Api::IdnowPlatform).is_empty());

    // A secret in a form body is redacted too; the HTTP listing shows the same.
    let response = http()
        .post(
            sandbox
                .endpoint::<idverify_signicat_authentication::Client>()
                .token_url,
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sa::CLIENT_ID),
            ("client_secret", sa::CLIENT_SECRET),
            ("scope", "signicat-api"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let listed: Value = http()
        .get(format!(
            "{}/_sandbox/journal?api=signicat-authentication",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = &listed.as_array().unwrap()[2];
    assert_eq!(
        last["body"],
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=%5Bredacted%5D&scope=signicat-api"
    );
    assert!(!listed.to_string().contains(sa::CLIENT_SECRET));
}

#[tokio::test]
async fn the_journal_shows_what_a_generated_client_sent() {
    use idverify_signicat_authentication::{self as signicat, types};
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<signicat::Client>().expect("client");
    let session = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Redirect)
                .requested_attributes(vec![types::RequestedAttribute::Name])
                .external_reference("order-9"),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let journal = sandbox.control().journal(Api::SignicatAuthentication);
    let sent = journal
        .iter()
        .find(|entry| entry.method == "POST" && entry.path.ends_with("/sessions"))
        .expect("the create call is in the journal");
    assert_eq!(sent.status, 200);
    assert_eq!(sent.header("authorization"), Some("Bearer [redacted]"));
    assert!(
        sent.header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{sent:?}"
    );
    let body = sent.json().expect("a JSON body");
    assert_eq!(body["flow"], "redirect");
    assert_eq!(body["requestedAttributes"], json!(["name"]));
    assert_eq!(body["externalReference"], "order-9");
    assert!(session.id.is_some());
    // The client fetched its token first; the secret it sent is not in the journal.
    assert!(
        journal[0].path.ends_with("/connect/token"),
        "{:?}",
        journal[0]
    );
    assert!(!format!("{journal:?}").contains(sa::CLIENT_SECRET));
}
