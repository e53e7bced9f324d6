//! The HTTP clients a builder makes: its settings, kept so that an operation that must
//! see redirects itself gets a client with the same settings that does not follow them.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Changes to every `reqwest::ClientBuilder` a client builder uses (proxy, TLS roots,
/// ...), given with [`crate::ClientBuilder::configure_http`].
pub(crate) type Configure =
    Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// The settings the builder's HTTP clients are made from.
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub connect_timeout: Duration,
    pub configure: Option<Configure>,
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("connect_timeout", &self.connect_timeout)
            .field("configure", &self.configure.is_some())
            .finish()
    }
}

impl HttpSettings {
    /// A client from these settings; one that follows no redirect if `follow_redirects`
    /// is false. No client-wide timeout: each attempt gets its own (see
    /// [`crate::CallOptions`]).
    pub(crate) fn client(&self, follow_redirects: bool) -> reqwest::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("idverify/", env!("CARGO_PKG_VERSION")));
        if !follow_redirects {
            builder = builder.redirect(reqwest::redirect::Policy::none());
        }
        if let Some(configure) = &self.configure {
            builder = configure(builder);
        }
        builder.build()
    }
}

/// The no-redirect client of one built client, made on first use (most clients never
/// need it).
#[derive(Debug)]
pub(crate) struct NoRedirectClient {
    settings: HttpSettings,
    client: OnceLock<reqwest::Client>,
}

impl NoRedirectClient {
    pub(crate) fn new(settings: HttpSettings) -> Self {
        Self {
            settings,
            client: OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> reqwest::Result<reqwest::Client> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let client = self.settings.client(false)?;
        Ok(self.client.get_or_init(|| client).clone())
    }
}
