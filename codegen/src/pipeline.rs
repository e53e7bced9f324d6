//! The passes wired together: find the spec folders, run each API through
//! load → overlay → normalize → generate → rewrite → format → emit, all in memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::emit;
use crate::error::{Error, Result};
use crate::files::{PlannedFile, Policy};

pub const SPECS_DIR: &str = "specs";
pub const CRATES_DIR: &str = "crates";
const SPEC_NAMES: &[&str] = &["openapi.yaml", "openapi.yml", "openapi.json"];

/// Where a generation run reads and writes. The workspace itself, or a tree of fixture
/// specs (`tests/fixtures`) whose crates use the workspace's runtime.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Holds `specs/` and receives `crates/`.
    pub root: PathBuf,
    /// Path of the runtime crate as seen from a generated crate's folder.
    pub runtime_path: String,
    /// Whether to generate the facade crate.
    pub facade: bool,
}

/// Folder of the fixture specs inside the workspace.
pub const FIXTURES_DIR: &str = "tests/fixtures";

impl Layout {
    pub fn workspace(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            runtime_path: format!("../{}", emit::RUNTIME_CRATE),
            facade: true,
        }
    }

    /// The fixture specs of the workspace at `workspace_root`.
    pub fn fixtures(workspace_root: &Path) -> Self {
        Self {
            root: workspace_root.join(FIXTURES_DIR),
            runtime_path: format!("../../../../{CRATES_DIR}/{}", emit::RUNTIME_CRATE),
            facade: false,
        }
    }
}

/// One `specs/<api>/` folder.
#[derive(Debug, Clone)]
pub struct ApiSource {
    /// The folder name, e.g. `signicat-authentication`; also the facade's feature name.
    pub name: String,
    /// Paths relative to the workspace root.
    pub spec: PathBuf,
    pub overlay: Option<PathBuf>,
    pub config: PathBuf,
}

/// Everything generated for one API.
#[derive(Debug)]
pub struct ApiOutput {
    pub name: String,
    pub crate_name: String,
    pub files: Vec<PlannedFile>,
    pub notes: Vec<String>,
    pub generated_lines: usize,
    pub elapsed: Duration,
    /// Whether a result may come encrypted (the crate has a `jwe` feature).
    pub encrypts: bool,
}

/// The whole plan for a workspace.
#[derive(Debug)]
pub struct Plan {
    pub apis: Vec<ApiOutput>,
    /// The facade crate's files, and `specs/codegen.schema.json`.
    pub facade: Vec<PlannedFile>,
}

impl Plan {
    pub fn files(&self) -> Vec<PlannedFile> {
        self.apis
            .iter()
            .flat_map(|a| a.files.iter().cloned())
            .chain(self.facade.iter().cloned())
            .collect()
    }
}

/// Crates under `<root>/crates/` that hold generated code (`src/generated.rs`) but that no
/// spec produces any more: left over from a removed or renamed spec folder. Only
/// meaningful for a plan of all APIs.
pub fn orphaned_crates(root: &Path, plan: &Plan) -> Vec<PathBuf> {
    // `crates/<name>/Cargo.toml` → `crates/<name>`
    let planned: Vec<PathBuf> = plan
        .files()
        .iter()
        .filter(|f| f.path.ends_with("Cargo.toml"))
        .filter_map(|f| f.path.parent().map(Path::to_path_buf))
        .collect();
    let Ok(entries) = std::fs::read_dir(root.join(CRATES_DIR)) else {
        return Vec::new();
    };
    let mut orphans: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| Path::new(CRATES_DIR).join(e.file_name()))
        .filter(|dir| root.join(dir).join("src/generated.rs").is_file())
        .filter(|dir| !planned.contains(dir))
        .collect();
    orphans.sort();
    orphans
}

/// Lists `specs/*/` folders (sorted), each with its spec file, overlay and config.
pub fn discover(root: &Path) -> Result<Vec<ApiSource>> {
    let specs = root.join(SPECS_DIR);
    let entries = std::fs::read_dir(&specs)
        .map_err(|e| Error::new(&specs, format!("cannot list spec folders: {e}")))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relative = Path::new(SPECS_DIR).join(&name);
        let found: Vec<&&str> = SPEC_NAMES
            .iter()
            .filter(|n| dir.join(n).is_file())
            .collect();
        let spec = match found.as_slice() {
            [one] => relative.join(one),
            [] => {
                return Err(Error::new(
                    &relative,
                    format!("no spec file: expected one of {}", SPEC_NAMES.join(", ")),
                ));
            }
            _ => {
                return Err(Error::new(
                    &relative,
                    format!("several spec files {found:?}: keep exactly one"),
                ));
            }
        };
        let config = relative.join("codegen.toml");
        if !root.join(&config).is_file() {
            return Err(Error::new(
                &config,
                "missing: every spec folder needs a codegen.toml",
            ));
        }
        let overlay = ["overlay.yaml", "overlay.yml", "overlay.json"]
            .iter()
            .map(|n| relative.join(n))
            .find(|p| root.join(p).is_file());
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::new(
                &relative,
                "spec folder names are lower-case ASCII letters, digits and `-` (they become feature names)",
            ));
        }
        out.push(ApiSource {
            name,
            spec,
            overlay,
            config,
        });
    }
    Ok(out)
}

fn read(root: &Path, relative: &Path) -> Result<String> {
    std::fs::read_to_string(root.join(relative))
        .map_err(|e| Error::new(relative, format!("cannot read: {e}")))
}

/// Reads and validates an API's `codegen.toml`.
pub fn load_config(root: &Path, source: &ApiSource) -> Result<Config> {
    Config::parse(&source.config, &read(root, &source.config)?)
}

/// Runs one API through every pass. Writes nothing.
/// The API's spec as loaded, its overlay applied; and the texts of both.
fn load_document(
    root: &Path,
    source: &ApiSource,
) -> Result<(serde_json::Value, String, Option<String>)> {
    let spec_text = read(root, &source.spec)?;
    let mut doc = crate::load::load(&source.spec, &spec_text)?;
    let mut overlay_text = None;
    if let Some(overlay_path) = &source.overlay {
        let text = read(root, overlay_path)?;
        let overlay = crate::load::parse_document(overlay_path, &text)?;
        crate::overlay::apply(overlay_path, overlay, &mut doc)?;
        overlay_text = Some(text);
    }
    Ok((doc, spec_text, overlay_text))
}

pub fn generate_api(layout: &Layout, source: &ApiSource) -> Result<ApiOutput> {
    let root = layout.root.as_path();
    let started = Instant::now();
    let config_text = read(root, &source.config)?;
    let config = Config::parse(&source.config, &config_text)?;
    let (doc, spec_text, overlay_text) = load_document(root, source)?;
    let mut hasher = Sha256::new();
    hasher.update(spec_text.as_bytes());
    let mut sources = vec![format!("`{}`", source.spec.display())];
    if let (Some(overlay_path), Some(overlay_text)) = (&source.overlay, &overlay_text) {
        hasher.update(overlay_text.as_bytes());
        sources.push(format!("`{}`", overlay_path.display()));
    }
    hasher.update(config_text.as_bytes());
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    sources.push(format!("`{}`", source.config.display()));
    let sha = hex(&hasher.finalize());

    let mut normalized = crate::normalize::normalize(&source.spec, doc)?;
    let mut config = config;
    if config.auth.is_none() {
        let (auth, note) = crate::security::auth_from_spec(&source.spec, &normalized.doc)?;
        config.auth = Some(auth);
        normalized.notes.push(note);
    }
    if let Some(webhooks) = &config.webhooks {
        let key = match webhooks {
            crate::config::WebhooksConfig::JwtRs256 { .. } => "webhooks.claims",
            _ => "webhooks.body",
        };
        let event_type = webhooks.events().and_then(|e| e.type_.as_deref());
        let named = webhooks.verified().map(|s| (key, s));
        for (key, schema) in named
            .into_iter()
            .chain(event_type.map(|s| ("webhooks.events.type", s)))
        {
            if normalized.doc["components"]["schemas"]
                .get(schema)
                .is_none()
            {
                return Err(Error::new(
                    &source.config,
                    format!("{key}: `{schema}` is not in the spec's components/schemas"),
                ));
            }
        }
    }
    let mut generated = crate::generate::generate(&source.spec, &normalized.doc, &config.types)?;
    generated.uses_multipart = !normalized.multipart.is_empty();
    generated.uses_jwe = !normalized.encrypted_responses.is_empty();
    let mut tokens = std::mem::take(&mut generated.tokens);
    tokens.extend(emit::runtime_glue(&config));
    if generated.uses_jwe {
        tokens.extend(emit::jwe_glue());
    }
    tokens.extend(crate::facts::module(&normalized.doc));
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        Error::new(
            &source.spec,
            format!("generated code does not parse (generator bug): {e}"),
        )
    })?;
    if let Some((env, client, note)) =
        crate::servers::items(&source.spec, &normalized.doc, &config)?
    {
        crate::servers::apply(&mut file, env, client);
        normalized.notes.push(note);
    }
    crate::rewrite::rewrite(&mut file, &normalized)
        .map_err(|e| Error::new(&source.spec, e.to_string()))?;
    crate::bare_arrays::apply(&mut file, &config.types.bare_array, &source.config)?;
    let views = crate::views::items(&file, &config.types.views, &source.config)?;
    if let Some(webhooks) = &config.webhooks {
        crate::webhook_events::check(&file, webhooks, &source.config)?;
    }
    file.items.extend(
        syn::parse2::<syn::File>(views)
            .map_err(|e| {
                Error::new(
                    &source.config,
                    format!("types.views: generated code does not parse (generator bug): {e}"),
                )
            })?
            .items,
    );
    add_helpers(&mut file, &normalized.doc, &config, &source.config)?;
    file.items.push(
        crate::emit::mock_module(&generated.mock_tokens, &config.lib_name()).map_err(|e| {
            Error::new(
                &source.spec,
                format!("mock: generated code does not parse (generator bug): {e}"),
            )
        })?,
    );
    let body = prettyplease::unparse(&file);
    let rs_header = emit::header("//", &sources, &sha);
    let generated_rs = format!("{rs_header}\n{body}");
    let generated_lines = generated_rs.lines().count();

    let crate_dir = Path::new(CRATES_DIR).join(&config.krate.name);
    let toml_header = emit::header("#", &sources, &sha);
    let files = vec![
        PlannedFile {
            path: crate_dir.join("Cargo.toml"),
            contents: emit::cargo_toml(&config, &generated, &toml_header, &layout.runtime_path),
            policy: Policy::Generated,
        },
        PlannedFile {
            path: crate_dir.join("src/generated.rs"),
            contents: generated_rs,
            policy: Policy::Generated,
        },
        PlannedFile {
            path: crate_dir.join("src/lib.rs"),
            contents: emit::lib_rs(&config),
            policy: Policy::CreateOnce,
        },
        PlannedFile {
            path: crate_dir.join("README.md"),
            contents: emit::readme(&config, &generated, &sources, &sha),
            policy: Policy::Generated,
        },
    ];
    Ok(ApiOutput {
        name: source.name.clone(),
        crate_name: config.krate.name.clone(),
        files,
        notes: normalized.notes,
        generated_lines,
        elapsed: started.elapsed(),
        encrypts: generated.uses_jwe,
    })
}

/// The sandbox crate's features and the facade's examples with the APIs each uses, when
/// the workspace at `root` has the sandbox.
fn facade_sandbox(root: &Path, apis: &[(String, Config)]) -> Result<Option<emit::FacadeSandbox>> {
    let crates = root.join(CRATES_DIR);
    let manifest = crates.join(emit::SANDBOX_CRATE).join("Cargo.toml");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Ok(None);
    };
    let parsed: toml::Table =
        toml::from_str(&text).map_err(|e| Error::new(&manifest, e.to_string()))?;
    let features = parsed
        .get("features")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default();
    let dir = crates.join(emit::FACADE_CRATE).join("examples");
    let mut examples = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for path in entries.flatten().map(|entry| entry.path()) {
            let Some(stem) = path
                .file_stem()
                .filter(|_| path.extension().is_some_and(|x| x == "rs"))
            else {
                continue;
            };
            let source =
                std::fs::read_to_string(&path).map_err(|e| Error::new(&path, e.to_string()))?;
            examples.push((
                stem.to_string_lossy().into_owned(),
                emit::example_apis(apis, &source),
            ));
        }
    }
    examples.sort();
    Ok(Some(emit::FacadeSandbox { features, examples }))
}

/// Generates every API (or only `only`) and the facade, in memory.
pub fn plan(layout: &Layout, only: Option<&str>) -> Result<Plan> {
    let root = layout.root.as_path();
    let sources = discover(root)?;
    if let Some(name) = only
        && !sources.iter().any(|s| s.name == name)
    {
        let known: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        return Err(Error::new(
            Path::new(SPECS_DIR).join(name),
            format!("no such API; known: {}", known.join(", ")),
        ));
    }
    // Every config is read even with `only`: the facade lists all APIs.
    let mut configs: Vec<(String, Config)> = Vec::new();
    let mut crate_names: BTreeMap<String, String> = BTreeMap::new();
    for source in &sources {
        let config = load_config(root, source)?;
        if let Some(other) = crate_names.insert(config.krate.name.clone(), source.name.clone()) {
            return Err(Error::new(
                &source.config,
                format!(
                    "crate.name `{}` is already used by specs/{other}",
                    config.krate.name
                ),
            ));
        }
        if [emit::RUNTIME_CRATE, emit::FACADE_CRATE].contains(&config.krate.name.as_str()) {
            return Err(Error::new(
                &source.config,
                format!("crate.name `{}` is reserved", config.krate.name),
            ));
        }
        configs.push((source.name.clone(), config));
    }
    let wanted: Vec<&ApiSource> = sources
        .iter()
        .filter(|s| only.is_none_or(|o| o == s.name))
        .collect();
    let apis = in_parallel(&wanted, |source| generate_api(layout, source))?;
    if !layout.facade {
        return Ok(Plan {
            apis,
            facade: Vec::new(),
        });
    }
    let facade_sources: Vec<String> = sources
        .iter()
        .map(|s| format!("`{}`", s.config.display()))
        .collect();
    // APIs whose results may come encrypted: their crates' `jwe` feature, forwarded.
    let mut encrypted = Vec::new();
    for source in &sources {
        // An API generated in this run says so; another (with `--api`) is read for it.
        let encrypts = match apis.iter().find(|api| api.name == source.name) {
            Some(api) => api.encrypts,
            None => crate::normalize::has_encrypted_responses(&load_document(root, source)?.0),
        };
        if encrypts {
            encrypted.push(source.name.clone());
        }
    }
    let mut hasher = Sha256::new();
    for (_, config) in &configs {
        hasher.update(toml::to_string(config).unwrap_or_default().as_bytes());
    }
    for name in &encrypted {
        hasher.update(format!("jwe {name}").as_bytes());
    }
    let sha = hex(&hasher.finalize());
    let facade_dir = Path::new(CRATES_DIR).join(emit::FACADE_CRATE);
    let facade = vec![
        PlannedFile {
            path: facade_dir.join("Cargo.toml"),
            contents: emit::facade_cargo_toml(
                &configs,
                &encrypted,
                &emit::header("#", &facade_sources, &sha),
                facade_sandbox(root, &configs)?.as_ref(),
            ),
            policy: Policy::Generated,
        },
        PlannedFile {
            path: facade_dir.join("src/generated.rs"),
            contents: emit::facade_generated_rs(
                &configs,
                &emit::header("//", &facade_sources, &sha),
            ),
            policy: Policy::Generated,
        },
        PlannedFile {
            path: facade_dir.join("src/apis.md"),
            contents: emit::facade_apis_md(&configs, &emit::header("", &facade_sources, &sha)),
            policy: Policy::Generated,
        },
        PlannedFile {
            path: facade_dir.join("src/lib.rs"),
            contents: emit::facade_lib_rs(),
            policy: Policy::CreateOnce,
        },
        PlannedFile {
            path: crate::config::SCHEMA_PATH.into(),
            contents: crate::config::json_schema(),
            policy: Policy::Generated,
        },
    ];
    Ok(Plan { apis, facade })
}

/// `job` of every item, on as many threads as the machine has cores (each API is
/// generated on its own): the results in the items' order, and of several errors the
/// first in that order, so a run reports the same as a sequential one would.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    job: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&job).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<R>>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                // The syntax-tree passes recurse deeply over large files: the main
                // thread's stack size, not a spawned thread's 2 MiB default.
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            done.push((i, job(item)));
                        }
                        done
                    })
                    .expect("spawning a generator thread")
            })
            .collect();
        for worker in workers {
            for (i, result) in worker
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
            {
                results[i] = Some(result);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was taken by a worker"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The workspace's specs and the fixture specs (when present), each planned in memory.
/// With `only`, just the tree(s) that have that API.
pub fn plan_all(workspace_root: &Path, only: Option<&str>) -> Result<Vec<(Layout, Plan)>> {
    let mut layouts = vec![Layout::workspace(workspace_root)];
    let fixtures = Layout::fixtures(workspace_root);
    if fixtures.root.join(SPECS_DIR).is_dir() {
        layouts.push(fixtures);
    }
    let found = only.is_none_or(|name| {
        layouts
            .iter()
            .any(|layout| layout.root.join(SPECS_DIR).join(name).is_dir())
    });
    let layouts: Vec<Layout> = layouts
        .into_iter()
        .filter(|layout| only.is_none_or(|name| layout.root.join(SPECS_DIR).join(name).is_dir()))
        .collect();
    let plans = in_parallel(&layouts, |layout| plan(layout, only))?;
    let out: Vec<(Layout, Plan)> = layouts.into_iter().zip(plans).collect();
    if !found {
        let name = only.unwrap_or_default();
        return Err(Error::new(
            Path::new(SPECS_DIR).join(name),
            "no such API folder",
        ));
    }
    Ok(out)
}

/// The waiter and paginators of `[waiter]` and `[pagination]`, checked against the
/// generated code: client methods at the top, builder methods inside `builder`.
fn add_helpers(
    file: &mut syn::File,
    doc: &serde_json::Value,
    config: &Config,
    config_path: &Path,
) -> Result<()> {
    let mut top = proc_macro2::TokenStream::new();
    let mut in_builder = proc_macro2::TokenStream::new();
    if let Some(waiter) = &config.waiter {
        let items = crate::waiters::items(file, doc, waiter, config_path)?;
        top.extend(items.top);
        in_builder.extend(items.builder);
    }
    in_builder.extend(crate::pagination::items(
        file,
        doc,
        &config.pagination,
        config_path,
    )?);
    let parse = |tokens: proc_macro2::TokenStream, what: &str| {
        syn::parse2::<syn::File>(tokens)
            .map(|f| f.items)
            .map_err(|e| {
                Error::new(
                    config_path,
                    format!("{what}: generated code does not parse (generator bug): {e}"),
                )
            })
    };
    let top = parse(top, "waiter")?;
    let in_builder = parse(in_builder, "waiter/pagination")?;
    if !in_builder.is_empty() {
        let builder = file
            .items
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
                _ => None,
            })
            .ok_or_else(|| Error::new(config_path, "the generated code has no `builder` module"))?;
        builder.1.extend(in_builder);
    }
    file.items.extend(top);
    Ok(())
}
