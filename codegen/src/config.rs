//! `specs/<api>/codegen.toml`: every per-vendor generator decision, as data.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::error::{Error, Result};

/// `specs/<api>/codegen.toml`: the generator's decisions for one vendor API (crate,
/// base URL and environments, auth, webhooks, errors, waiter, pagination, types).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "codegen.toml")]
pub struct Config {
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    pub api: ApiConfig,
    /// How clients authenticate. Absent: read from the spec's `securitySchemes` (see
    /// [`crate::security`]); present, it overrides them (for what OpenAPI cannot say,
    /// such as Identify's partner login).
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    #[serde(default)]
    pub types: TypesConfig,
    /// How the vendor signs its webhooks, if it sends any: the crate then gets a
    /// `webhooks` module that verifies them.
    #[serde(default)]
    pub webhooks: Option<WebhooksConfig>,
    /// The shape of the vendor's documented error bodies; without it the runtime guesses
    /// the shape of each body.
    #[serde(default)]
    pub errors: Option<ErrorsConfig>,
    /// How to wait for a session to be final: the client then gets
    /// `wait_until_final(..)` (see [`crate::waiters`]).
    #[serde(default)]
    pub waiter: Option<WaiterConfig>,
    /// List operations that page, by operation id: their builders then get
    /// `into_stream()` (see [`crate::pagination`]).
    #[serde(default)]
    pub pagination: BTreeMap<String, PaginationConfig>,
    /// What the crate's generated `README.md` shows besides what the rest of this file
    /// says (install line, auth, environments).
    #[serde(default)]
    pub docs: Option<DocsConfig>,
}

/// `[docs]`: the README's quickstart and the vendor's documentation.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocsConfig {
    /// The vendor's API documentation (a URL).
    #[serde(default)]
    pub vendor: Option<String>,
    /// Rust statements of the README's quickstart, run against the sandbox (a test runs
    /// them): `client` is a client of the sandbox, `?` returns a boxed error, and the
    /// crate's `Client` and `types` are imported.
    #[serde(default)]
    pub quickstart: Option<String>,
}

/// `[waiter]`: polling the get operation of a session until its status is final.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiterConfig {
    /// The operation polled (its `operationId`); its path parameters become the
    /// waiter's arguments.
    pub operation: String,
    /// Where the status is in the response: member names as on the wire, `.` between
    /// nesting levels (e.g. `data.status_code`).
    pub status: String,
    /// The statuses after which the session never changes.
    #[serde(rename = "final")]
    pub final_statuses: Vec<String>,
    /// The final statuses that mean success.
    pub successful: Vec<String>,
    /// A sentence for the generated docs (e.g. which values are assumed).
    #[serde(default)]
    pub note: Option<String>,
}

/// `[pagination.<operationId>]`: how a list operation pages.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PaginationConfig {
    /// The page names the next cursor, sent back as a query parameter.
    Cursor {
        /// The response member holding the page's items (an array), as on the wire.
        items: String,
        /// The response member (path, `.`-separated) holding the next cursor.
        next: String,
        /// The query parameter the cursor is sent as.
        param: String,
    },
    /// Numbered pages.
    Page {
        items: String,
        /// The query parameter of the page number.
        param: String,
        /// The response member (path) saying which page this is, if any.
        #[serde(default)]
        number: Option<String>,
        /// The response member (path) saying how many pages there are, if any.
        #[serde(default)]
        total_pages: Option<String>,
        /// The number of the first page (default 1).
        #[serde(default = "one")]
        first: u64,
    },
    /// The page carries the URL of the next page.
    Link {
        items: String,
        /// The response member (path) holding the next page's URL.
        next: String,
        /// The query parameter of the link that selects its page directly, set on the
        /// original request when the link is on another origin.
        #[serde(default)]
        fallback_param: Option<String>,
    },
}

fn one() -> u64 {
    1
}

/// `[errors]`: how the vendor's error bodies are built.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorsConfig {
    /// The shape's name: `problem`, `oauth`, `idfy`, `identify` or `generic`.
    pub shape: ErrorShape,
}

/// A vendor error body shape the runtime decodes (`idverify_runtime::VendorErrorShape`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorShape {
    /// RFC 7807 problem document: `{type, title, detail, code, traceId, invalidParams}`.
    Problem,
    /// OAuth2 (RFC 6749 §5.2): `{error, error_description}`.
    Oauth,
    /// Legacy Idfy: `{NativeErrorCode, ErrorCode, ErrorMessage}`.
    Idfy,
    /// Identify envelope: `{result: false, messages: [...]}`.
    Identify,
    /// A JSON object with `code`/`message` (and `errors: [{field, message}]`, `traceId`).
    Generic,
}

impl ErrorShape {
    /// The names `[errors] shape` accepts.
    pub const NAMES: &[&str] = &["problem", "oauth", "idfy", "identify", "generic"];

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "problem" => Self::Problem,
            "oauth" => Self::Oauth,
            "idfy" => Self::Idfy,
            "identify" => Self::Identify,
            "generic" => Self::Generic,
            _ => return None,
        })
    }

    /// The `idverify_runtime::VendorErrorShape` variant.
    pub fn variant(self) -> &'static str {
        match self {
            Self::Problem => "Problem",
            Self::Oauth => "OAuth",
            Self::Idfy => "Idfy",
            Self::Identify => "Identify",
            Self::Generic => "Generic",
        }
    }
}

impl<'de> Deserialize<'de> for ErrorShape {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "errors.shape `{name}` is not a known error shape; use one of {}",
                Self::NAMES.join(", ")
            ))
        })
    }
}

/// The vendor's webhook signature scheme. `kind` selects it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WebhooksConfig {
    /// The body is a JWT signed RS256 with a key from the vendor's JWKS.
    JwtRs256 {
        /// The component schema of the verified claims, e.g. `WebhookClaims`.
        claims: String,
        /// The production JWKS and issuer (`iss`).
        jwks_url: String,
        issuer: String,
        /// Other environments' JWKS and issuer, by the names of `[api.environments]`.
        #[serde(default)]
        environments: BTreeMap<String, JwksEndpoint>,
        #[serde(default)]
        events: Option<EventsConfig>,
    },
    /// A header carries the hex HMAC-SHA256 of the raw body under a shared secret.
    HmacSha256Hex {
        /// The header's name, e.g. `X-Idfy-Signature`.
        header: String,
        /// The component schema of the (JSON) body; needed for `events`.
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        events: Option<EventsConfig>,
    },
    /// The vendor documents no signature: the JSON body is only read.
    Unsigned {
        /// The component schema of the body.
        body: String,
        #[serde(default)]
        events: Option<EventsConfig>,
    },
}

impl WebhooksConfig {
    /// The schema the verified body (or the JWT's claims) is read as, if named.
    pub fn verified(&self) -> Option<&str> {
        match self {
            Self::JwtRs256 { claims, .. } => Some(claims),
            Self::HmacSha256Hex { body, .. } => body.as_deref(),
            Self::Unsigned { body, .. } => Some(body),
        }
    }

    pub fn events(&self) -> Option<&EventsConfig> {
        match self {
            Self::JwtRs256 { events, .. }
            | Self::HmacSha256Hex { events, .. }
            | Self::Unsigned { events, .. } => events.as_ref(),
        }
    }
}

/// `[webhooks.events]`: how a verified body becomes the crate's `webhooks::Event`.
/// Fields are named as in the generated Rust types (snake case).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// The field of the verified type that holds the event (IDnow's claims: `data`);
    /// absent: the verified value is the event.
    #[serde(default)]
    pub at: Option<String>,
    /// The event's schema when `at` is set (e.g. `WebhookEvent`).
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// The event's field whose text names it (`event_name`, Identify's `status_code`).
    pub name: String,
    /// The event's fields that identify it, for deduplication (joined with `:`).
    #[serde(default)]
    pub id: Vec<String>,
    /// Known names → variant of `Event`; any other name is `Event::Other`.
    pub names: BTreeMap<String, EventVariant>,
}

impl EventsConfig {
    /// The event's schema: `type`, or the verified one.
    pub fn event_type<'a>(&'a self, verified: &'a str) -> &'a str {
        self.type_.as_deref().unwrap_or(verified)
    }
}

/// A variant name, or a table with its doc.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum EventVariant {
    Name(String),
    Documented { variant: String, doc: String },
}

impl EventVariant {
    pub fn variant(&self) -> &str {
        match self {
            Self::Name(name) | Self::Documented { variant: name, .. } => name,
        }
    }

    pub fn doc(&self) -> Option<&str> {
        match self {
            Self::Name(_) => None,
            Self::Documented { doc, .. } => Some(doc),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwksEndpoint {
    pub jwks_url: String,
    pub issuer: String,
}

/// Decisions about the generated types.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypesConfig {
    /// Component schemas to represent by an existing Rust type instead of a generated
    /// one: schema name → replacement (e.g. a lenient date type from the runtime).
    #[serde(default)]
    pub replace: BTreeMap<String, Replacement>,
    /// Typed views generated beside the types (see [`crate::views`]).
    #[serde(default)]
    pub views: ViewsConfig,
    /// Wrapper schemas also read from a bare array of their items: schema name → the
    /// member (wire name) the array fills (see [`crate::bare_arrays`]).
    #[serde(default)]
    pub bare_array: BTreeMap<String, String>,
}

/// Hand-written views that are really data: named numeric codes and content typed by a
/// discriminator. Each view is generated for the crate that declares it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewsConfig {
    /// Enums naming the numeric codes a vendor sends as strings (`"5"`), by enum name.
    #[serde(default)]
    pub codes: BTreeMap<String, CodesView>,
    /// Enums typing a raw JSON member by the value of a discriminator member, by enum name.
    #[serde(default)]
    pub content: BTreeMap<String, ContentView>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodesView {
    /// The enum's documentation.
    pub doc: String,
    /// Code (as a string key, e.g. `"5"`) → its variant.
    pub values: BTreeMap<String, CodeValue>,
    /// The string members read as this enum.
    pub read: Vec<CodeField>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeValue {
    pub variant: String,
    pub doc: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeField {
    /// The component schema (its Rust type name) that has the member.
    pub schema: String,
    /// The member's Rust field name (e.g. `status_code`).
    pub field: String,
    /// The method returning the member as a number (e.g. `status_code_number`).
    pub number: String,
    /// The method returning the member as the enum (e.g. `known_status`).
    pub method: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentView {
    pub doc: String,
    /// The component schema (Rust type name) holding discriminator and content.
    pub schema: String,
    /// Rust field name of the discriminator, a string enum (e.g. `type_`).
    pub tag: String,
    /// Rust field name of the raw JSON content (e.g. `content`).
    pub content: String,
    /// The method returning the typed view (e.g. `typed`).
    pub method: String,
    /// Discriminator wire value → component schema of the content; the variant is
    /// named like the schema.
    pub variants: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// Full path of the Rust type, e.g. `::idverify_runtime::LenientDateTime`.
    pub rust: String,
    /// Traits it implements that generated code may rely on: `Display`, `FromStr`, `Default`.
    #[serde(default)]
    pub impls: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// Package name of the generated crate, e.g. `idverify-signicat-authentication`.
    pub name: String,
    pub version: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// The default base URL (production).
    pub base_url: String,
    /// Named environments besides the default, e.g. `test`, `sandbox`. Each becomes a
    /// constructor on the generated client.
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    /// Headers sent on every request unless the request sets them (e.g. a vendor that
    /// requires `Content-Type` even on requests without a body).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub base_url: String,
    /// Token endpoint for this environment, where it differs from `[auth] token_url`.
    #[serde(default)]
    pub token_url: Option<String>,
}

/// How a client authenticates. `kind` selects the scheme.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AuthConfig {
    /// No authentication (or the caller sets headers on its own `reqwest::Client`).
    None,
    /// OAuth2 client credentials grant (RFC 6749 §4.4); the token goes as `Bearer`.
    Oauth2ClientCredentials {
        token_url: String,
        #[serde(default)]
        scope: Option<String>,
    },
    /// Identify VideoIdent: `POST <login_path>` with `{PARTNER, APIKEY}` returns a JWT sent
    /// as `X-API-TOKEN` (with `X-API-PARTNER`) on every call.
    IdentifyPartnerLogin {
        #[serde(default = "default_identify_login_path")]
        login_path: String,
    },
}

fn default_identify_login_path() -> String {
    "/auth".to_string()
}

impl Config {
    pub fn parse(file: &Path, text: &str) -> Result<Self> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let location = e.span().map(|span| {
                let (line, column) = line_column(text, span.start);
                format!("line {line}, column {column}")
            });
            Error {
                file: file.to_path_buf(),
                location,
                message: e.message().trim_end().to_string(),
            }
        })?;
        config.validate(file, text)?;
        Ok(config)
    }

    fn validate(&self, file: &Path, text: &str) -> Result<()> {
        let at = |key: &str, message: String| {
            let location = text
                .find(key)
                .map(|offset| {
                    let (line, column) = line_column(text, offset);
                    format!("line {line}, column {column}")
                })
                .unwrap_or_else(|| key.to_string());
            Error::at(file, location, message)
        };
        let name = &self.krate.name;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || name.starts_with('-')
        {
            return Err(at(
                "name",
                format!("crate.name `{name}` must be lower-case ASCII letters, digits and `-`"),
            ));
        }
        if self.krate.version.split('.').count() != 3
            || !self
                .krate
                .version
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(at(
                "version",
                format!(
                    "crate.version `{}` must be MAJOR.MINOR.PATCH",
                    self.krate.version
                ),
            ));
        }
        check_url(&self.api.base_url).map_err(|m| at("base_url", format!("api.base_url: {m}")))?;
        for (env, environment) in &self.api.environments {
            if !is_identifier(env) {
                return Err(at(
                    env,
                    format!("environment name `{env}` must be a lower-case identifier"),
                ));
            }
            check_url(&environment.base_url)
                .map_err(|m| at(env, format!("api.environments.{env}.base_url: {m}")))?;
            if let Some(url) = &environment.token_url {
                check_url(url)
                    .map_err(|m| at(env, format!("api.environments.{env}.token_url: {m}")))?;
            }
        }
        for (name, value) in &self.api.headers {
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid_name || value.bytes().any(|b| b < 0x20 && b != b'\t') {
                return Err(at(
                    name,
                    format!("api.headers: `{name}: {value}` is not a valid HTTP header"),
                ));
            }
        }
        for (schema, replacement) in &self.types.replace {
            if syn_path_ok(&replacement.rust).is_err() {
                return Err(at(
                    schema,
                    format!(
                        "types.replace.{schema}.rust `{}` is not a Rust type path",
                        replacement.rust
                    ),
                ));
            }
            for i in &replacement.impls {
                if !matches!(i.as_str(), "Display" | "FromStr" | "Default") {
                    return Err(at(
                        schema,
                        format!(
                            "types.replace.{schema}.impls: `{i}` is not one of Display, FromStr, Default"
                        ),
                    ));
                }
            }
        }
        if let Some(waiter) = &self.waiter {
            if waiter.final_statuses.is_empty() {
                return Err(at("final", "waiter.final: list at least one status".into()));
            }
            if let Some(stray) = waiter
                .successful
                .iter()
                .find(|s| !waiter.final_statuses.contains(s))
            {
                return Err(at(
                    "successful",
                    format!("waiter.successful: `{stray}` is not one of waiter.final"),
                ));
            }
        }
        match &self.auth {
            Some(AuthConfig::Oauth2ClientCredentials { token_url, .. }) => {
                check_url(token_url).map_err(|m| at("token_url", format!("auth.token_url: {m}")))?
            }
            Some(AuthConfig::IdentifyPartnerLogin { login_path })
                if !login_path.starts_with('/') =>
            {
                return Err(at(
                    "login_path",
                    format!("auth.login_path `{login_path}` must start with `/`"),
                ));
            }
            _ => {}
        }
        match &self.webhooks {
            Some(WebhooksConfig::JwtRs256 {
                jwks_url,
                issuer,
                environments,
                claims,
                ..
            }) => {
                check_url(jwks_url)
                    .map_err(|m| at("jwks_url", format!("webhooks.jwks_url: {m}")))?;
                if issuer.is_empty() {
                    return Err(at("issuer", "webhooks.issuer must not be empty".into()));
                }
                if !is_type_name(claims) {
                    return Err(at(
                        "claims",
                        format!("webhooks.claims `{claims}` must name a component schema"),
                    ));
                }
                for (env, endpoint) in environments {
                    if !self.api.environments.contains_key(env) {
                        return Err(at(
                            env,
                            format!(
                                "webhooks.environments.{env}: no such environment in [api.environments]"
                            ),
                        ));
                    }
                    check_url(&endpoint.jwks_url).map_err(|m| {
                        at(env, format!("webhooks.environments.{env}.jwks_url: {m}"))
                    })?;
                }
            }
            Some(WebhooksConfig::HmacSha256Hex { header, .. })
                if header.is_empty()
                    || !header
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                return Err(at(
                    "header",
                    format!("webhooks.header `{header}` is not an HTTP header name"),
                ));
            }
            _ => {}
        }
        if let Some(webhooks) = &self.webhooks {
            check_events(webhooks).map_err(|(key, message)| at(key, message))?;
        }
        if let Some(url) = self.docs.as_ref().and_then(|d| d.vendor.as_ref()) {
            check_url(url).map_err(|m| at("vendor", format!("docs.vendor: {m}")))?;
        }
        Ok(())
    }

    /// The Rust crate name (`idverify_signicat_authentication`).
    pub fn lib_name(&self) -> String {
        self.krate.name.replace('-', "_")
    }
}

/// `[webhooks.events]` on its own: names that must be Rust identifiers, a verified
/// type to read events from. Fields are checked against the generated types later.
fn check_events(webhooks: &WebhooksConfig) -> std::result::Result<(), (&str, String)> {
    let Some(events) = webhooks.events() else {
        return Ok(());
    };
    if let Some(schema) = webhooks.verified() {
        if !is_type_name(schema) {
            return Err((
                "body",
                format!("webhooks.body `{schema}` must name a component schema"),
            ));
        }
    } else {
        return Err((
            "events",
            "webhooks.events needs `body`, the schema of the webhook's body".into(),
        ));
    }
    match (&events.at, &events.type_) {
        (Some(_), None) => {
            return Err((
                "at",
                "webhooks.events.at needs `type`, the schema of the event it holds".into(),
            ));
        }
        (None, Some(_)) => {
            return Err((
                "type",
                "webhooks.events.type is only for an event inside the body (`at`)".into(),
            ));
        }
        (_, Some(schema)) if !is_type_name(schema) => {
            return Err((
                "type",
                format!("webhooks.events.type `{schema}` must name a component schema"),
            ));
        }
        _ => {}
    }
    let fields = events.at.iter().chain([&events.name]).chain(&events.id);
    for field in fields {
        if !is_field_name(field) {
            return Err((
                field,
                format!("webhooks.events: `{field}` is not a field name of the generated types"),
            ));
        }
    }
    let mut variants = std::collections::BTreeSet::new();
    for (name, variant) in &events.names {
        let variant = variant.variant();
        if !is_type_name(variant) || variant == "Other" {
            return Err((
                name,
                format!(
                    "webhooks.events.names.\"{name}\": `{variant}` is not a variant name (nor `Other`)"
                ),
            ));
        }
        if !variants.insert(variant) {
            return Err((
                name,
                format!("webhooks.events.names.\"{name}\": variant `{variant}` is used twice"),
            ));
        }
    }
    Ok(())
}

/// A snake-case Rust field name.
fn is_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A schema name that can be a Rust type name as it stands.
fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn syn_path_ok(path: &str) -> std::result::Result<(), ()> {
    let ok = !path.is_empty()
        && path.trim_start_matches("::").split("::").all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok { Ok(()) } else { Err(()) }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(crate) fn check_url(url: &str) -> std::result::Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{url}` has no host"));
    }
    if url.ends_with('/') {
        return Err(format!("`{url}` must not end with `/`"));
    }
    Ok(())
}

/// Where `specs/codegen.schema.json` is, relative to the workspace root.
pub const SCHEMA_PATH: &str = "specs/codegen.schema.json";

/// The JSON Schema of `codegen.toml` (draft 2020-12), as written to [`SCHEMA_PATH`]:
/// editors with a TOML language server complete and check the file by it (each
/// `codegen.toml` starts with `#:schema ../codegen.schema.json`).
pub fn json_schema() -> String {
    // TOML has no `null`: an absent key is the only way to leave an option out.
    let mut schema =
        serde_json::to_value(schemars::schema_for!(Config)).expect("a JSON Schema is JSON");
    for_editors(&mut schema);
    let body = serde_json::to_string_pretty(&schema).expect("a JSON value prints");
    let sha: String = sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The header first, as in every generated file.
    let mut with_header = serde_json::Map::new();
    with_header.insert(
        "$comment".into(),
        format!(
            "@generated by `cargo xtask codegen` from the model of specs/*/codegen.toml \
             (codegen/src/config.rs). Inputs sha256: {sha}. Do not edit."
        )
        .into(),
    );
    if let serde_json::Value::Object(map) = schema {
        with_header.extend(map);
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(with_header))
        .expect("a JSON value prints");
    text.push('\n');
    text
}

/// Descriptions as an editor shows them (doc comments' line breaks joined, rustdoc links
/// as plain code), and no `null` (TOML has none: an option is an absent key).
fn for_editors(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                if let [Value::Object(only)] = options.as_slice() {
                    let only = only.clone();
                    map.remove("anyOf");
                    map.extend(only);
                }
            }
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(text) if key == "description" => {
                        *text = text
                            .replace("\n\n", "\u{0}")
                            .replace("\n ", " ")
                            .replace('\n', " ")
                            .replace('\u{0}', "\n\n")
                            .replace("[`", "`")
                            .replace("`]", "`")
                            .replace("crate::", "");
                    }
                    _ => for_editors(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(for_editors),
        _ => {}
    }
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
