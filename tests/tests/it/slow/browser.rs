//! The sandbox's end-user page in headless Chromium, driven over WebDriver: sessions are
//! created through the generated clients, then a tester's steps are taken in a real
//! browser (choose a test person, press Approve / Abort / Fail), so the form, the
//! redirects back to the relying party and the iframe flow's `postMessage` are checked
//! as a browser runs them, not only as HTTP exchanges.
//!
//! Needs Chromium and chromedriver: `CHROMIUM` / `CHROMEDRIVER`, else `/usr/bin/chromium`
//! and `/usr/bin/chromedriver`, else `PATH`. `tests/tools/install` installs them.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::Uri;
use axum::response::Html;
use axum::routing::get;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use idverify_sandbox::{Sandbox, SandboxHandle};
use idverify_tests::LocalServer;
use serde_json::{Value, json};

/// How long a wait for the page may take: generous for a busy CI machine, short enough
/// that a broken page fails the test soon.
const WAIT: Duration = Duration::from_secs(15);

const INSTALL_HINT: &str = "run tests/tools/install (it installs Debian's chromium and \
                            chromium-driver), or set CHROMIUM and CHROMEDRIVER";

// ---------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------

/// A binary named by the environment variable `variable`, else at `default`, else the
/// first of `names` on `PATH`.
fn locate(variable: &str, default: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{variable}={} does not exist; {INSTALL_HINT}",
            path.display()
        );
        return path;
    }
    if Path::new(default).is_file() {
        return PathBuf::from(default);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| on_path.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{} not found (nor {default}, nor on PATH); {INSTALL_HINT}",
                names[0]
            )
        })
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// chromedriver as a child process in a process group of its own, with a temporary
/// directory for its log and Chromium's profile. Dropping it kills the whole group:
/// Chromium is chromedriver's child, and would outlive a test that panics before ending
/// its WebDriver session if only chromedriver were killed.
struct Driver {
    child: Child,
    port: u16,
    /// Removed after the processes are gone (fields drop after `Drop::drop`).
    dir: tempfile::TempDir,
}

impl Driver {
    fn start() -> Self {
        let chromedriver = locate("CHROMEDRIVER", "/usr/bin/chromedriver", &["chromedriver"]);
        let mut log = String::new();
        // A port found free can be taken by someone else before chromedriver binds it.
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let port = free_port();
            let child = Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!(
                    "--log-path={}",
                    dir.path().join("chromedriver.log").display()
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start {}: {e}; {INSTALL_HINT}",
                        chromedriver.display()
                    )
                });
            let mut driver = Driver { child, port, dir };
            if driver.wait_until_listening() {
                return driver;
            }
            log = driver.log();
        }
        panic!(
            "{} did not start listening; its log:\n{log}",
            chromedriver.display()
        );
    }

    /// Whether chromedriver answers its `/status` within [`WAIT`] (false if it exited).
    /// Asking for the status, not just connecting, tells our chromedriver from another
    /// server that took the port between our check and its start.
    fn wait_until_listening(&mut self) -> bool {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if self.answers_status() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }

    fn answers_status(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let request = format!(
            "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        // Read until the answer shows chromedriver's status; it may keep the connection open.
        let mut answer = Vec::new();
        let mut chunk = [0u8; 1024];
        while let Ok(read @ 1..) = stream.read(&mut chunk) {
            answer.extend_from_slice(&chunk[..read]);
            if String::from_utf8_lossy(&answer).contains("\"ready\"") {
                return true;
            }
        }
        false
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.wait();
        // Chromium's processes were reparented when chromedriver died: give them a moment
        // to die before their profile directory is removed.
        let deadline = Instant::now() + Duration::from_secs(2);
        while has_live_members(group.as_raw_nonzero().get()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether a process of process group `group` is still running, as `/proc` tells.
/// Zombies do not count: whoever adopted them reaps them in its own time.
fn has_live_members(group: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // `pid (comm) state ppid pgrp ...`; `comm` may contain spaces and parentheses.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
        matches!(fields[..], [state, _, pgrp, ..] if state != "Z" && pgrp.parse() == Ok(group))
    })
}

/// A headless Chromium session.
struct Browser {
    client: Client,
    driver: Driver,
}

impl Browser {
    async fn start() -> Self {
        let chromium = locate(
            "CHROMIUM",
            "/usr/bin/chromium",
            &["chromium", "chromium-browser"],
        );
        // A busy machine sometimes fails a start (chromedriver or Chromium too slow to
        // come up): try again with fresh processes before calling it a failure.
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::try_start(&chromium).await {
                Ok(browser) => return browser,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "chromedriver could not start {}; {INSTALL_HINT}\n{}",
            chromium.display(),
            failures.join("\n---\n")
        );
    }

    async fn try_start(chromium: &Path) -> Result<Self, String> {
        let driver = Driver::start();
        let profile = driver.dir.path().join("profile");
        let capabilities = json!({
            "browserName": "chrome",
            // A page that never finishes loading fails the test instead of hanging it.
            "timeouts": { "pageLoad": 30_000, "script": 10_000 },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    // Containers and CI run as root, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-gpu",
                    // /dev/shm is small in containers.
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-extensions",
                    // Everything is on the loopback interface; never ask a proxy.
                    "--no-proxy-server",
                    "--window-size=1024,768",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => Ok(Self { client, driver }),
            Err(e) => Err(format!("{e}; chromedriver's log:\n{}", driver.log())),
        }
    }

    /// Ends the WebDriver session so chromedriver shuts Chromium down in order; the
    /// process group is killed afterwards in any case.
    async fn close(self) {
        let Self { client, driver } = self;
        // A failure here changes nothing for the test: `driver`'s drop kills what is left.
        let _ = client.close().await;
        drop(driver);
    }

    async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Where the browser is and what it shows, for failure messages.
    async fn describe(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => format!("(no URL: {e})"),
        };
        let source = self.client.source().await.unwrap_or_default();
        let source: String = source.chars().take(3000).collect();
        format!("at {url}, showing:\n{source}")
    }

    /// The first element matching `css` in the current frame, waiting for it to appear.
    async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` ({e}) {}", self.describe().await),
        }
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// The tester's steps on the session page: choose `person`, press the button with id
    /// `button` (`approve`, `abort` or `fail`).
    async fn complete_as(&self, person: &str, button: &str) {
        let choice = self
            .find(&format!("input[type=radio][name=person][value={person}]"))
            .await;
        choice.click().await.expect("click the person");
        assert!(
            choice.is_selected().await.expect("is selected"),
            "`{person}` is not selected after a click"
        );
        self.find(&format!("button#{button}"))
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("press {button}: {e}"));
    }

    /// Waits until the top-level page is at exactly `expected`.
    async fn wait_for_url(&self, expected: &str) {
        let url = expected.parse().expect("a valid URL");
        if let Err(e) = self.client.wait().at_most(WAIT).for_url(&url).await {
            panic!(
                "the browser did not reach {expected} ({e}); it is {}",
                self.describe().await
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The relying party
// ---------------------------------------------------------------------------------------

/// What the browser shows when it is back at the relying party.
const BACK_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
                         <title>Shop</title></head><body><h1 id=\"back\">Back at the shop</h1>\
                         </body></html>\n";

/// A relying party's page that embeds the session page (its URL is the fragment) in an
/// iframe and lists each `message` event it receives: origin, type and data as sent.
const CHECKOUT_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head><body>
<h1>Checkout</h1>
<ol id="messages"></ol>
<script>
window.addEventListener("message", function (event) {
  var item = document.createElement("li");
  item.className = "message";
  item.setAttribute("data-origin", event.origin);
  item.setAttribute("data-type", typeof event.data);
  item.setAttribute("data-data", typeof event.data === "string" ? event.data : JSON.stringify(event.data));
  item.textContent = item.getAttribute("data-data");
  document.getElementById("messages").appendChild(item);
});
var frame = document.createElement("iframe");
frame.id = "identification";
frame.width = "700";
frame.height = "600";
frame.src = location.hash.slice(1);
document.body.appendChild(frame);
</script>
</body></html>
"#;

/// The relying party's server on 127.0.0.1: `/checkout` (the iframe page) and, under
/// `/shop/`, pages that record the request target (path and query) they were asked for.
struct Shop {
    server: LocalServer,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Shop {
    async fn start() -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let router = Router::new()
            .route("/checkout", get(|| async { Html(CHECKOUT_PAGE) }))
            .route(
                "/shop/{*rest}",
                get(move |uri: Uri| {
                    recorded.lock().unwrap().push(uri.to_string());
                    async { Html(BACK_PAGE) }
                }),
            );
        Self {
            server: LocalServer::start(router).await,
            requests,
        }
    }

    /// `path` on this server, e.g. `/shop/ok`.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    /// This server as `http://localhost:PORT`: another site than the sandbox's
    /// `http://127.0.0.1:PORT`, as a relying party embedding a vendor's page is.
    fn other_site_origin(&self) -> String {
        self.server.base_url.replace("127.0.0.1", "localhost")
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

// ---------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------

fn idfy_client(sandbox: &SandboxHandle) -> idverify_idfy_identification_v1::Client {
    sandbox
        .client::<idverify_idfy_identification_v1::Client>()
        .expect("client")
}

#[tokio::test]
async fn idfy_v1_approve_and_abort_land_on_the_return_urls_with_the_placeholders_filled_in() {
    use idverify_idfy_identification_v1::types;

    let browser = Browser::start().await;
    let sandbox = Sandbox::start().await.unwrap();
    let shop = Shop::start().await;
    let client = idfy_client(&sandbox);
    let create = |reference: &str| {
        client
            .create_session()
            .body(
                types::CreateIdentificationRequest::builder()
                    .identity_provider(Some(types::IdentityProvider::NoBankidWeb))
                    .language(Some(types::Language::En))
                    .get_social_security_number(Some(true))
                    .external_reference(Some(reference.to_string()))
                    .return_urls(Some(types::ReturnUrls {
                        success: shop.url("/shop/idfy/ok?status=[0]&id=[1]&ref=[2]"),
                        abort: shop.url("/shop/idfy/abort?status=[0]&id=[1]&ref=[2]"),
                        error: shop.url("/shop/idfy/error?status=[0]&id=[1]"),
                    })),
            )
            .send()
    };
    let retrieve = |id: String| client.retrieve_session().request_id(id).send();

    // Approve as Kari (not the preselected person), with a reference that needs both
    // HTML escaping on the page and percent-encoding in the return URL.
    let reference = "order <7>/ø & x";
    let created = create(reference).await.expect("create").into_inner();
    let id = created.request_id.expect("RequestId");
    browser.open(created.url.as_deref().expect("Url")).await;
    assert_eq!(browser.text("#session-id").await, id);
    assert_eq!(browser.text("#status").await, "USERINITIATED");
    let shown = browser
        .client
        .find(Locator::XPath(
            "//dt[.='External reference']/following-sibling::dd[1]",
        ))
        .await
        .expect("the external reference on the page");
    assert_eq!(shown.text().await.unwrap(), reference, "shown as text");
    browser.complete_as("kari", "approve").await;

    let target =
        format!("/shop/idfy/ok?status=SUCCESS&id={id}&ref=order%20%3C7%3E%2F%C3%B8%20%26%20x");
    browser.wait_for_url(&shop.url(&target)).await;
    assert_eq!(browser.text("#back").await, "Back at the shop");
    assert!(
        shop.requests().contains(&target),
        "the shop was not asked for {target}: {:?}",
        shop.requests()
    );
    let landed = browser.client.current_url().await.unwrap();
    let query: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("status".to_string(), "SUCCESS".to_string()),
            ("id".to_string(), id.clone()),
            ("ref".to_string(), reference.to_string()),
        ],
        "the placeholders decode to the session's values"
    );

    let session = retrieve(id.clone()).await.expect("retrieve").into_inner();
    assert_eq!(session.status, Some(types::Status::Success));
    assert_eq!(session.name.as_deref(), Some("Nordkvinne, Kari Fiktiv"));
    assert_eq!(session.first_name.as_deref(), Some("Kari"));
    assert_eq!(session.last_name.as_deref(), Some("Nordkvinne"));
    assert_eq!(session.date_of_birth.as_deref(), Some("241290"));
    assert_eq!(
        session.social_security_number.as_deref(),
        Some("99129012345")
    );

    // Back on the session page, nothing can be completed twice.
    browser.open(created.url.as_deref().unwrap()).await;
    assert_eq!(browser.text("#status").await, "SUCCESS");
    browser.find("#closed").await;
    assert!(
        browser
            .client
            .find_all(Locator::Css("form"))
            .await
            .unwrap()
            .is_empty(),
        "a completed session offers no form"
    );

    // Abort lands on the abort URL; the session reports the abort and no identity.
    let aborted = create("order-abort").await.expect("create").into_inner();
    let aborted_id = aborted.request_id.expect("RequestId");
    browser.open(aborted.url.as_deref().unwrap()).await;
    browser.complete_as("sven", "abort").await;
    let target = format!("/shop/idfy/abort?status=USERABORTED&id={aborted_id}&ref=order-abort");
    browser.wait_for_url(&shop.url(&target)).await;
    assert!(shop.requests().contains(&target), "{:?}", shop.requests());
    let session = retrieve(aborted_id).await.expect("retrieve").into_inner();
    assert_eq!(session.status, Some(types::Status::Useraborted));
    assert_eq!(session.name, None);
    assert_eq!(session.social_security_number, None);

    browser.close().await;
}

#[tokio::test]
async fn signicat_v2_iframe_flow_posts_the_outcome_to_the_parent_window() {
    use idverify_signicat_identification_v2::types;

    let browser = Browser::start().await;
    let sandbox = Sandbox::start().await.unwrap();
    let shop = Shop::start().await;
    let client = sandbox
        .client::<idverify_signicat_identification_v2::Client>()
        .expect("client");
    let origin = shop.other_site_origin();
    let created = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Iframe)
                .include(vec![types::Include::Name, types::Include::DateOfBirth])
                .iframe_settings(Some(types::IframeSettings {
                    parent_domains: vec![origin.clone()],
                    post_message_target_origin: Some(origin.clone()),
                })),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let id = created.id.clone();
    let url = created.url.expect("an iframe session has a page");

    browser.open(&format!("{origin}/checkout#{url}")).await;
    browser
        .find("iframe#identification")
        .await
        .enter_frame()
        .await
        .expect("switch into the iframe");
    assert_eq!(browser.text("#session-id").await, id);
    browser.complete_as("emma", "approve").await;
    browser
        .client
        .enter_parent_frame()
        .await
        .expect("back to the parent page");

    browser.find("li.message").await;
    let mut received = Vec::new();
    for item in browser
        .client
        .find_all(Locator::Css("li.message"))
        .await
        .unwrap()
    {
        received.push((
            item.attr("data-origin").await.unwrap().unwrap_or_default(),
            item.attr("data-type").await.unwrap().unwrap_or_default(),
            item.attr("data-data").await.unwrap().unwrap_or_default(),
        ));
    }
    let [(sender, kind, data)] = &received[..] else {
        panic!("expected one message, got {received:?}");
    };
    assert_eq!(sender, sandbox.base_url(), "sent by the sandbox's page");
    assert_eq!(kind, "string", "posted as a JSON string: {data}");
    let message: Value = serde_json::from_str(data).expect("JSON");
    assert_eq!(message, json!({ "sessionId": id, "status": "success" }));

    let session = client
        .get_session()
        .id(&id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(session.status, types::SessionStatus::Success);
    let identity = session.identity.expect("identity of a successful session");
    assert_eq!(identity.full_name.as_deref(), Some("Emma de Proef"));
    assert_eq!(identity.date_of_birth.as_deref(), Some("2001-03-31"));
    assert_eq!(identity.nin, None, "not included");

    // A parent that is not among the session's parent domains gets no page in its frame:
    // the browser enforces the page's `frame-ancestors`.
    let elsewhere = client
        .create_session()
        .body(
            types::CreateSessionRequest::builder()
                .flow(types::Flow::Iframe)
                .iframe_settings(Some(types::IframeSettings {
                    parent_domains: vec!["https://shop.example".into()],
                    post_message_target_origin: Some(origin.clone()),
                })),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let url = elsewhere.url.expect("an iframe session has a page");
    // A new query, not just a new fragment: the parent page must load again.
    browser
        .open(&format!("{origin}/checkout?foreign#{url}"))
        .await;
    browser
        .find("iframe#identification")
        .await
        .enter_frame()
        .await
        .expect("switch into the iframe");
    // Wait until the frame has loaded whatever it is going to show.
    let deadline = Instant::now() + WAIT;
    let shown = loop {
        let state = browser
            .client
            .execute("return [document.readyState, document.URL];", Vec::new())
            .await
            .expect("the frame's state");
        let (ready, shown) = (
            state[0].as_str(),
            state[1].as_str().unwrap_or("").to_string(),
        );
        if ready == Some("complete") && shown != "about:blank" {
            break shown;
        }
        assert!(Instant::now() < deadline, "the frame never loaded: {state}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_ne!(
        shown, url,
        "the session page was framed by a foreign parent"
    );
    assert!(
        browser
            .client
            .find_all(Locator::Css("input[name=person]"))
            .await
            .unwrap()
            .is_empty(),
        "a foreign parent shows the session's form"
    );

    browser.close().await;
}

#[tokio::test]
async fn idnow_and_signicat_authentication_pages_redirect_back_after_the_choice() {
    use idverify_idnow_platform::{self as idnow, TypedDatablock};
    use idverify_signicat_authentication as signicat;

    let browser = Browser::start().await;
    let sandbox = Sandbox::start().await.unwrap();
    let shop = Shop::start().await;

    // IDnow: back to `redirectUrl` with the session's `state` added to the query.
    let client = sandbox
        .client::<idverify_idnow_platform::Client>()
        .expect("client");
    let created = client
        .create_session()
        .flow_id("sandbox-basic-identity")
        .environment(idnow::types::Environment::Live)
        .body(
            idnow::types::CreateSessionRequest::builder()
                .redirect_url(Some(shop.url("/shop/idnow/back?order=42")))
                .state("csrf 1&2"),
        )
        .send()
        .await
        .expect("create")
        .into_inner();
    let id = created.session_context.session_id;
    browser.open(&created.player_url).await;
    browser.complete_as("kari", "approve").await;
    let target = "/shop/idnow/back?order=42&state=csrf+1%262";
    browser.wait_for_url(&shop.url(target)).await;
    assert!(
        shop.requests().iter().any(|r| r == target),
        "{:?}",
        shop.requests()
    );
    let session = client
        .get_session()
        .environment(idnow::types::Environment::Live)
        .session_id(&id)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(
        session.session_status,
        idnow::types::SessionStatus::Completed
    );
    let blocks: Vec<TypedDatablock> = client
        .get_datablocks()
        .environment(idnow::types::Environment::Live)
        .session_id(&id)
        .send()
        .await
        .expect("datablocks")
        .into_inner()
        .data_blocks
        .iter()
        .map(|b| b.typed().expect("typed view"))
        .collect();
    let Some(TypedDatablock::BasicIdentity(identity)) = blocks.first() else {
        panic!("{blocks:?}")
    };
    assert_eq!(identity.given_name.as_deref(), Some("Kari Fiktiv"));
    assert_eq!(identity.family_name.as_deref(), Some("Nordkvinne"));

    // Signicat Authentication: back to the callback URL of the outcome with `sessionId`
    // (and `externalReference`) added; Approve and Fail.
    let client = sandbox
        .client::<idverify_signicat_authentication::Client>()
        .expect("client");
    for (button, path, status) in [
        (
            "approve",
            "/shop/signicat/done",
            signicat::types::SessionStatus::Success,
        ),
        (
            "fail",
            "/shop/signicat/failed",
            signicat::types::SessionStatus::Error,
        ),
    ] {
        let created = client
            .create_session()
            .body(
                signicat::types::CreateSessionRequest::builder()
                    .flow(signicat::types::Flow::Redirect)
                    .requested_attributes(vec![signicat::types::RequestedAttribute::Name])
                    .external_reference("order-42")
                    .callback_urls(Some(signicat::types::CallbackUrls {
                        success: Some(shop.url("/shop/signicat/done")),
                        abort: Some(shop.url("/shop/signicat/aborted")),
                        error: Some(shop.url("/shop/signicat/failed")),
                    })),
            )
            .send()
            .await
            .expect("create")
            .into_inner();
        let id = created.id.expect("id");
        browser
            .open(
                created
                    .authentication_url
                    .as_deref()
                    .expect("authenticationUrl"),
            )
            .await;
        browser.complete_as("sven", button).await;
        let target = format!("{path}?sessionId={id}&externalReference=order-42");
        browser.wait_for_url(&shop.url(&target)).await;
        assert!(shop.requests().contains(&target), "{:?}", shop.requests());
        let session = client
            .get_session()
            .id(&id)
            .send()
            .await
            .expect("get")
            .into_inner();
        assert_eq!(session.status, Some(status.clone()), "{button}");
        let name = session.subject.and_then(|s| s.name);
        if status == signicat::types::SessionStatus::Success {
            assert_eq!(name.as_deref(), Some("Sven Provperson"));
        } else {
            assert_eq!(name, None, "no subject after a failure");
        }
    }

    browser.close().await;
}
