//! `into_stream()` of the paginated list operations: over more than three pages of real
//! sandbox data (Signicat v2 sessions by cursor, Idfy v1 log entries by link, IDnow flows
//! by page number), and against a local server for what the sandbox never does: a
//! cursor, link or page that repeats, a link to another origin, the page cap.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::RawQuery;
use axum::routing::{get, post};
use futures_util::{StreamExt, TryStreamExt};
use idverify_idfy_identification_v1 as idfy;
use idverify_idnow_platform as idnow;
use idverify_runtime::{Credentials, ErrorKind, RetryPolicy};
use idverify_sandbox::scenario::Clients;
use idverify_sandbox::{Api, Outcome, Sandbox, persons};
use idverify_signicat_identification_v2 as idv2;
use idverify_tests::{LocalServer, api_calls};
use serde_json::{Value, json};

/// `count` sessions of `api`, each finished (alternately succeeded and aborted).
async fn finished_sessions(
    sandbox: &idverify_sandbox::SandboxHandle,
    api: Api,
    count: usize,
) -> Vec<String> {
    let clients = Clients::new(sandbox.base_url(), RetryPolicy::default());
    let mut ids = Vec::new();
    for i in 0..count {
        let id = clients
            .create(api, &format!("page-{i}"))
            .await
            .expect("create");
        let outcome = if i % 2 == 0 {
            Outcome::Success
        } else {
            Outcome::Abort
        };
        sandbox
            .control()
            .complete(api, &id, &persons::KARI, outcome)
            .expect("complete");
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn signicat_v2_sessions_stream_across_cursor_pages() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = finished_sessions(&sandbox, Api::SignicatIdentificationV2, 7).await;
    let client = sandbox.client::<idv2::Client>().expect("client");
    let listed: Vec<String> = client
        .list_sessions()
        .limit(2)
        .into_stream()
        .map_ok(|session| session.id)
        .try_collect()
        .await
        .expect("every page");
    // Every session once, in creation order.
    assert_eq!(listed, created);
    let pages: Vec<_> = api_calls::<idv2::Client>(&sandbox)
        .into_iter()
        .filter(|c| c.method == "GET" && c.path == "/sessions")
        .map(|c| c.query.unwrap_or_default())
        .collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert_eq!(pages[0], "limit=2");
    assert!(
        pages[1..].iter().all(|q| q.contains("cursor=")),
        "{pages:?}"
    );
}

#[tokio::test]
async fn idfy_v1_log_entries_stream_by_following_next_links() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = finished_sessions(&sandbox, Api::IdfyIdentificationV1, 7).await;
    let client = sandbox.client::<idfy::Client>().expect("client");
    // The year the sandbox logged them in, as the log entry says.
    let entry = client
        .retrieve_log_entry()
        .request_id(&created[0])
        .send()
        .await
        .expect("log entry")
        .into_inner();
    let year: i32 = entry.timestamp.as_deref().unwrap()[0..4].parse().unwrap();
    let listed: Vec<String> = client
        .list_log_entries()
        .year(year)
        .page_size(2)
        .into_stream()
        .map_ok(|entry| entry.id.unwrap_or_default())
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(
        listed.iter().collect::<BTreeSet<_>>(),
        created.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(listed.len(), 7, "no entry twice");
    let pages = api_calls::<idfy::Client>(&sandbox)
        .into_iter()
        .filter(|c| c.path.starts_with("/identification/log/filter"))
        .count();
    assert_eq!(pages, 4);
}

#[tokio::test]
async fn idnow_flows_stream_across_numbered_pages() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client::<idnow::Client>().expect("client");
    let flows: Vec<String> = client
        .list_flows()
        .environment(idnow::types::Environment::Live)
        .size(1)
        .into_stream()
        .map_ok(|flow| flow.id)
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(
        flows,
        [
            "sandbox-basic-identity",
            "sandbox-document-identity",
            "sandbox-reidentification",
            "sandbox-age-check",
            "sandbox-document-capture"
        ]
    );
    let queries: Vec<String> = api_calls::<idnow::Client>(&sandbox)
        .into_iter()
        .filter_map(|c| c.query)
        .collect();
    assert_eq!(
        queries,
        [
            "size=1",
            "page=2&size=1",
            "page=3&size=1",
            "page=4&size=1",
            "page=5&size=1"
        ]
    );
}

#[tokio::test]
async fn more_pages_than_max_pages_end_with_an_error_not_a_short_list() {
    let sandbox = Sandbox::start().await.unwrap();
    finished_sessions(&sandbox, Api::SignicatIdentificationV2, 5).await;
    let client = sandbox.client::<idv2::Client>().expect("client");
    let results: Vec<_> = client
        .list_sessions()
        .limit(2)
        .into_stream()
        .max_pages(2)
        .collect()
        .await;
    assert_eq!(results.len(), 5, "four sessions, then the error");
    assert!(results[..4].iter().all(Result::is_ok));
    let error = results[4].as_ref().expect_err("the cap");
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("max_pages"), "{error}");
}

fn session(id: &str) -> Value {
    json!({
        "id": id, "status": "success", "flow": "redirect",
        "created": "2021-04-23T12:00:00Z", "expires": "2021-04-23T12:10:00Z"
    })
}

/// A server with a token route, answering `GET {path}` from `answer(query)`; the
/// queries it received are kept.
async fn server(
    token_path: &'static str,
    path: &'static str,
    answer: fn(&str) -> Value,
) -> (LocalServer, Arc<Mutex<Vec<String>>>) {
    let queries = Arc::new(Mutex::new(Vec::new()));
    let seen = queries.clone();
    let server = LocalServer::start(
        Router::new()
            .route(
                token_path,
                post(|| async {
                    axum::Json(
                        json!({ "access_token": "t", "expires_in": 3600, "token_type": "Bearer" }),
                    )
                }),
            )
            .route(
                path,
                get(move |RawQuery(query): RawQuery| {
                    let query = query.unwrap_or_default();
                    seen.lock().unwrap().push(query.clone());
                    async move { axum::Json(answer(&query)) }
                }),
            ),
    )
    .await;
    (server, queries)
}

#[tokio::test]
async fn a_cursor_that_repeats_ends_the_stream_with_an_error() {
    let (server, queries) = server(
        "/oauth/connect/token",
        "/identification/v2/sessions",
        |query| {
            let id = if query.contains("cursor") { "b" } else { "a" };
            json!({ "data": [session(id)], "nextCursor": "c2FtZQ" })
        },
    )
    .await;
    let client = idv2::Client::builder()
        .base_url(format!("{}/identification/v2", server.base_url))
        .token_url(format!("{}/oauth/connect/token", server.base_url))
        .credentials(Credentials::client_credentials("client-v2", "s"))
        .build()
        .expect("client");
    let results: Vec<_> = client.list_sessions().into_stream().collect().await;
    let ids: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    let error = results.last().unwrap().as_ref().expect_err("repeat");
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("cursor"), "{error}");
    assert_eq!(queries.lock().unwrap().len(), 2, "no third request");
}

fn idfy_client(server: &LocalServer) -> idfy::Client {
    idfy::Client::builder()
        .base_url(server.base_url.clone())
        .token_url(format!("{}/oauth/connect/token", server.base_url))
        .credentials(Credentials::client_credentials("client-v1", "s"))
        .build()
        .expect("client")
}

fn log_item(id: &str) -> Value {
    json!({ "Id": id, "Status": "SUCCESS" })
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_read_for_its_skip() {
    // The vendor's published sample links to a legacy host: the token must not go
    // there, and the page is asked for with `skip` instead.
    let (server, queries) = server(
        "/oauth/connect/token",
        "/identification/log/filter/2024",
        |query| {
            if query.contains("skip=1") {
                json!({ "List": [log_item("second")] })
            } else {
                json!({
                    "List": [log_item("first")],
                    "NextLink": "https://id.signere.no/history/x/filter?year=2024&name=Kari&skip=1"
                })
            }
        },
    )
    .await;
    let client = idfy_client(&server);
    let ids: Vec<String> = client
        .list_log_entries()
        .year(2024)
        .name("Kari")
        .into_stream()
        .map_ok(|e| e.id.unwrap_or_default())
        .try_collect()
        .await
        .expect("both pages");
    assert_eq!(ids, ["first", "second"]);
    let queries = queries.lock().unwrap().clone();
    assert_eq!(queries, ["name=Kari", "name=Kari&skip=1"]);
}

#[tokio::test]
async fn a_next_link_that_repeats_ends_the_stream_with_an_error() {
    let (server, queries) = server(
        "/oauth/connect/token",
        "/identification/log/filter/2024",
        |_| json!({ "List": [log_item("again")], "NextLink": "/identification/log/filter/2024?skip=1" }),
    )
    .await;
    let client = idfy_client(&server);
    let results: Vec<_> = client
        .list_log_entries()
        .year(2024)
        .into_stream()
        .collect()
        .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
    let error = results.last().unwrap().as_ref().expect_err("repeat");
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("link"), "{error}");
    assert_eq!(queries.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_page_number_the_server_ignores_ends_the_stream_with_an_error() {
    // A server that answers page 1 whatever is asked would repeat it for ever.
    let (server, _) = server("/oidc/token", "/api/v1/flows/live", |_| {
        json!({
            "content": [{ "id": "flow-1" }],
            "page": { "number": 1, "size": 1, "totalPages": 3 }
        })
    })
    .await;
    let client = idnow::Client::builder()
        .base_url(format!("{}/api/v1", server.base_url))
        .token_url(format!("{}/oidc/token", server.base_url))
        .credentials(Credentials::client_credentials("idnow-client", "s"))
        .build()
        .expect("client");
    let results: Vec<_> = client
        .list_flows()
        .environment(idnow::types::Environment::Live)
        .into_stream()
        .collect()
        .await;
    assert_eq!(results.len(), 2, "{results:?}");
    let error = results[1].as_ref().expect_err("mismatch");
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("asked for page 2"), "{error}");
}
