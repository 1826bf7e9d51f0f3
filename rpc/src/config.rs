//! Deployment configuration (`weftbuf.toml`): where each service runs, its deadline, and how
//! its idempotent methods are retried. The code is the same whatever this file says.
//!
//! ```toml
//! [defaults]
//! at = "inproc"
//! deadline = "1s"
//!
//! [services."storefront.Pricing"]
//! at = "grpc://127.0.0.1:50051"
//! deadline = "250ms"
//! retry = { attempts = 3, backoff = "10ms" }
//!
//! [services."storefront.Catalog"]
//! at = "shm:///run/shop/catalog.sock"
//! allow_uids = [1000, 1001]   # who may connect (SO_PEERCRED); the server's own user if unset
//! ```
//!
//! An environment variable overrides where a service runs: `WEFTBUF_AT_STOREFRONT_PRICING`
//! (the service's qualified name, upper case, `.` as `_`), whether or not the file names it.
//!
//! A deployment knows the services its application hosts or calls ([`Deployment::new`]): a
//! name it does not know, in the file, in a variable or asked for in code, is an error that
//! names it and the nearest known name, never a service silently left in process.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{col}: {message}")]
pub struct ConfigError {
    /// The file (or variable) it came from.
    pub source_name: String,
    /// 1-based line (1 for a variable).
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// Where a service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// In this process: calls are function calls.
    InProc,
    /// Behind a gRPC server.
    Grpc {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// Behind a shared-memory server, reached through the Unix socket at `path`.
    Shm {
        /// The socket's path.
        path: PathBuf,
    },
}

impl Location {
    /// Reads `inproc`, `grpc://host:port` or `shm://path`.
    pub fn parse(text: &str) -> Result<Location, String> {
        if text == "inproc" {
            return Ok(Location::InProc);
        }
        if let Some(rest) = text.strip_prefix("grpc://") {
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| format!("`{text}` has no port (grpc://host:port)"))?;
            let port = port
                .parse()
                .map_err(|_| format!("`{port}` is not a port number (0 to 65535)"))?;
            if host.is_empty() {
                return Err(format!("`{text}` has no host (grpc://host:port)"));
            }
            return Ok(Location::Grpc {
                host: host.trim_start_matches('[').trim_end_matches(']').into(),
                port,
            });
        }
        if let Some(path) = text.strip_prefix("shm://")
            && !path.is_empty()
        {
            return Ok(Location::Shm { path: path.into() });
        }
        Err(format!(
            "`{text}` is not a place a service runs: inproc, grpc://host:port or shm://path"
        ))
    }
}

impl std::fmt::Display for Location {
    /// As the configuration writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::InProc => f.write_str("inproc"),
            Location::Grpc { host, port } if host.contains(':') => {
                write!(f, "grpc://[{host}]:{port}")
            }
            Location::Grpc { host, port } => write!(f, "grpc://{host}:{port}"),
            Location::Shm { path } => write!(f, "shm://{}", path.display()),
        }
    }
}

/// How an idempotent method is retried after `UNAVAILABLE` (the call did not reach a handler,
/// or the handler went away), within the call's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Calls in all, the first included (1: no retry).
    pub attempts: u32,
    /// Wait before the first retry, doubled for each next one.
    pub backoff: Duration,
}

/// One service's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Where it runs.
    pub at: Location,
    /// The deadline of each call that sets none.
    pub deadline: Option<Duration>,
    /// Retries of its idempotent methods.
    pub retry: Retry,
    /// Who may call it over shared memory (`allow_uids`): the uids its server accepts; `None`
    /// for the server's own user only.
    pub allow_uids: Option<Vec<u32>>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            at: Location::InProc,
            deadline: None,
            retry: Retry {
                attempts: 1,
                backoff: Duration::ZERO,
            },
            allow_uids: None,
        }
    }
}

/// Every service's settings, for an application that hosts or calls a known set of services.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployment {
    /// The services the application hosts or calls, by qualified name.
    known: Vec<String>,
    defaults: ServiceConfig,
    services: BTreeMap<String, ServiceConfig>,
    /// Where `WEFTBUF_AT_<SERVICE>` variables put services, kept apart from the file's
    /// settings: a configuration read after them does not undo them.
    moved: BTreeMap<String, Location>,
}

/// A service name the application neither hosts nor calls.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", unknown_message(.name, .suggestion.as_deref(), .known))]
pub struct UnknownService {
    /// The name as given.
    pub name: String,
    /// The known name most like it.
    pub suggestion: Option<String>,
    /// Every known name.
    pub known: Vec<String>,
}

fn unknown_message(name: &str, suggestion: Option<&str>, known: &[String]) -> String {
    let mut text = format!("no service `{name}` in this application");
    match suggestion {
        Some(s) => text.push_str(&format!(" (did you mean `{s}`?)")),
        None if known.is_empty() => {
            text.push_str(": it names no services (`Deployment::new` takes the list)");
        }
        None => text.push_str(&format!("; it hosts or calls {}", known.join(", "))),
    }
    text
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: Option<Section>,
    #[serde(default)]
    services: BTreeMap<toml::Spanned<String>, toml::Spanned<Section>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Section {
    at: Option<toml::Spanned<String>>,
    deadline: Option<toml::Spanned<String>>,
    retry: Option<RetrySection>,
    allow_uids: Option<Vec<u32>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RetrySection {
    attempts: toml::Spanned<u32>,
    backoff: Option<toml::Spanned<String>>,
}

impl Deployment {
    /// The deployment of an application that hosts or calls `services` (qualified names, such
    /// as a generated `PricingDescriptor::NAME`): each in process, with no deadline and no
    /// retries, until a configuration or the environment says otherwise.
    pub fn new<S: AsRef<str>>(services: &[S]) -> Deployment {
        let mut known: Vec<String> = services.iter().map(|s| s.as_ref().to_string()).collect();
        known.sort();
        known.dedup();
        Deployment {
            known,
            ..Deployment::default()
        }
    }

    /// This deployment with a `weftbuf.toml` applied; `source_name` names it in errors. A
    /// section for a service the application does not know is an error at its name.
    pub fn with_config(self, text: &str, source_name: &str) -> Result<Deployment, ConfigError> {
        let mut parsed = Deployment::parse(text, source_name, &self.known)?;
        for (name, at) in self.moved {
            parsed.move_to(name, at);
        }
        Ok(parsed)
    }

    /// Puts service `name` at `at`, whatever the file says.
    fn move_to(&mut self, name: String, at: Location) {
        let defaults = self.defaults.clone();
        self.services.entry(name.clone()).or_insert(defaults).at = at.clone();
        self.moved.insert(name, at);
    }

    /// Reads a `weftbuf.toml` for an application that hosts or calls `known`.
    fn parse(text: &str, source_name: &str, known: &[String]) -> Result<Deployment, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, col) = line_col(text, span.map_or(0, |s| s.start));
            ConfigError {
                source_name: source_name.to_string(),
                line,
                col,
                message,
            }
        };
        let file: File = toml::from_str(text).map_err(|e| error(e.span(), e.message().into()))?;
        let defaults = match file.defaults {
            Some(section) => {
                apply(ServiceConfig::default(), &section).map_err(|(s, m)| error(Some(s), m))?
            }
            None => ServiceConfig::default(),
        };
        let mut services = BTreeMap::new();
        for (name, section) in file.services {
            if !known.iter().any(|k| k == name.get_ref()) {
                let unknown = unknown_service(name.get_ref(), known);
                return Err(error(Some(name.span()), unknown.to_string()));
            }
            let config =
                apply(defaults.clone(), section.get_ref()).map_err(|(s, m)| error(Some(s), m))?;
            services.insert(name.into_inner(), config);
        }
        Ok(Deployment {
            known: known.to_vec(),
            defaults,
            services,
            moved: BTreeMap::new(),
        })
    }

    /// Applies `WEFTBUF_AT_<SERVICE>` overrides from `vars` (the process's environment, say)
    /// to the services the application knows, named in the file or not.
    pub fn with_env(
        mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Deployment, ConfigError> {
        for (key, value) in vars {
            let Some(service) = key.strip_prefix("WEFTBUF_AT_") else {
                continue;
            };
            let at = Location::parse(&value).map_err(|message| ConfigError {
                source_name: key.clone(),
                line: 1,
                col: 1,
                message,
            })?;
            let Some(name) = self.known.iter().find(|name| env_name(name) == service) else {
                let variables: Vec<String> = self.known.iter().map(|k| env_name(k)).collect();
                let nearest =
                    weftbuf::suggest::closest(service, variables.iter().map(String::as_str))
                        .map(|v| format!(" (did you mean `WEFTBUF_AT_{v}`?)"))
                        .unwrap_or_default();
                return Err(ConfigError {
                    source_name: key.clone(),
                    line: 1,
                    col: 1,
                    message: format!(
                        "`{key}` names no service of this application{nearest}; it hosts or \
                         calls {}",
                        self.known.join(", ")
                    ),
                });
            };
            let name = name.clone();
            self.move_to(name, at);
        }
        Ok(self)
    }

    /// The settings of service `name` (its qualified name): the file's, or the defaults when
    /// the file does not name it; an error when the application does not know it.
    pub fn service(&self, name: &str) -> Result<&ServiceConfig, UnknownService> {
        if let Some(config) = self.services.get(name) {
            return Ok(config);
        }
        if self.known.iter().any(|k| k == name) {
            return Ok(&self.defaults);
        }
        Err(unknown_service(name, &self.known))
    }

    /// The services the application hosts or calls, sorted.
    pub fn known(&self) -> &[String] {
        &self.known
    }

    /// The services the file names or a variable moved, with their settings.
    pub fn services(&self) -> impl Iterator<Item = (&str, &ServiceConfig)> {
        self.services.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// The error for `name`, which is not among `known`.
fn unknown_service(name: &str, known: &[String]) -> UnknownService {
    UnknownService {
        name: name.to_string(),
        suggestion: weftbuf::suggest::closest(name, known.iter().map(String::as_str))
            .map(str::to_string),
        known: known.to_vec(),
    }
}

/// `storefront.Pricing` -> `STOREFRONT_PRICING`.
fn env_name(service: &str) -> String {
    service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

type SpanError = (std::ops::Range<usize>, String);

fn apply(mut config: ServiceConfig, section: &Section) -> Result<ServiceConfig, SpanError> {
    if let Some(at) = &section.at {
        config.at = Location::parse(at.get_ref()).map_err(|m| (at.span(), m))?;
    }
    if let Some(deadline) = &section.deadline {
        config.deadline =
            Some(parse_duration(deadline.get_ref()).map_err(|m| (deadline.span(), m))?);
    }
    if let Some(retry) = &section.retry {
        let attempts = *retry.attempts.get_ref();
        if attempts == 0 {
            return Err((
                retry.attempts.span(),
                "attempts counts the first call: at least 1".into(),
            ));
        }
        let backoff = match &retry.backoff {
            Some(b) => parse_duration(b.get_ref()).map_err(|m| (b.span(), m))?,
            None => Duration::ZERO,
        };
        config.retry = Retry { attempts, backoff };
    }
    if let Some(uids) = &section.allow_uids {
        config.allow_uids = Some(uids.clone());
    }
    Ok(config)
}

/// `250ms`, `1s`, `2m`, `1h`, `500us`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 250ms, 1s or 2m"))?;
    Ok(match unit {
        "us" => Duration::from_micros(value),
        "ms" => Duration::from_millis(value),
        "s" => Duration::from_secs(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        "h" => Duration::from_secs(value.saturating_mul(3600)),
        _ => return Err(format!("`{text}` has no unit: us, ms, s, m or h")),
    })
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[defaults]
at = "inproc"
deadline = "1s"

[services."storefront.Pricing"]
at = "grpc://127.0.0.1:50051"
deadline = "250ms"
retry = { attempts = 3, backoff = "10ms" }

[services."storefront.Catalog"]
at = "shm:///run/catalog.sock"
allow_uids = [1000, 1001]
"#;

    const SERVICES: [&str; 3] = ["storefront.Catalog", "storefront.Pricing", "other.Thing"];

    fn deployment(text: &str) -> Result<Deployment, ConfigError> {
        Deployment::new(&SERVICES).with_config(text, "weftbuf.toml")
    }

    fn env(key: &str, value: &str) -> [(String, String); 1] {
        [(key.to_string(), value.to_string())]
    }

    #[test]
    fn services_get_their_settings_and_the_defaults() {
        let d = deployment(FILE).unwrap();
        let pricing = d.service("storefront.Pricing").unwrap();
        assert_eq!(
            pricing.at,
            Location::Grpc {
                host: "127.0.0.1".into(),
                port: 50051
            }
        );
        assert_eq!(pricing.deadline, Some(Duration::from_millis(250)));
        assert_eq!(pricing.retry.attempts, 3);
        let catalog = d.service("storefront.Catalog").unwrap();
        assert_eq!(catalog.deadline, Some(Duration::from_secs(1)));
        assert_eq!(
            catalog.at,
            Location::Shm {
                path: "/run/catalog.sock".into()
            }
        );
        assert_eq!(catalog.allow_uids, Some(vec![1000, 1001]));
        assert_eq!(pricing.allow_uids, None);
        assert_eq!(d.service("other.Thing").unwrap().at, Location::InProc);
    }

    #[test]
    fn the_environment_moves_a_service_the_file_names_or_not() {
        let d = deployment(FILE)
            .unwrap()
            .with_env(env("WEFTBUF_AT_STOREFRONT_PRICING", "inproc"))
            .unwrap();
        assert_eq!(
            d.service("storefront.Pricing").unwrap().at,
            Location::InProc
        );
        // Not in the file: placed anyway, with the file's defaults.
        let d = deployment(FILE)
            .unwrap()
            .with_env(env("WEFTBUF_AT_OTHER_THING", "grpc://10.0.0.7:7"))
            .unwrap();
        let other = d.service("other.Thing").unwrap();
        assert_eq!(other.at.to_string(), "grpc://10.0.0.7:7");
        assert_eq!(other.deadline, Some(Duration::from_secs(1)));
        let d = Deployment::new(&SERVICES)
            .with_env(env("WEFTBUF_AT_STOREFRONT_CATALOG", "shm://@c"))
            .unwrap();
        assert_eq!(
            d.service("storefront.Catalog").unwrap().at.to_string(),
            "shm://@c"
        );
    }

    #[test]
    fn a_variable_moves_a_service_whatever_is_read_after_it() {
        let moved = env("WEFTBUF_AT_STOREFRONT_PRICING", "shm://@p");
        let before = Deployment::new(&SERVICES)
            .with_env(moved.clone())
            .unwrap()
            .with_config(FILE, "weftbuf.toml")
            .unwrap();
        let after = deployment(FILE).unwrap().with_env(moved).unwrap();
        assert_eq!(before, after);
        let pricing = before.service("storefront.Pricing").unwrap();
        assert_eq!(pricing.at.to_string(), "shm://@p");
        assert_eq!(pricing.deadline, Some(Duration::from_millis(250)));
    }

    #[test]
    fn unknown_names_are_errors_that_suggest_the_nearest() {
        // In the file: at the name, with the nearest known name.
        let err = deployment("[services.\"storefront.Pricng\"]\nat = \"inproc\"\n").unwrap_err();
        assert_eq!((err.line, err.col), (1, 11), "{err}");
        assert!(
            err.message.contains("`storefront.Pricng`")
                && err.message.contains("did you mean `storefront.Pricing`?"),
            "{err}"
        );
        let err = deployment("\n[services.Pricing]\nat = \"inproc\"\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(
            err.message.contains("did you mean `storefront.Pricing`?"),
            "{err}"
        );
        let err = deployment("[services.\"shipping.Tracker\"]\n").unwrap_err();
        assert!(
            err.message
                .contains("it hosts or calls other.Thing, storefront.Catalog"),
            "{err}"
        );
        // In a variable.
        let err = Deployment::new(&SERVICES)
            .with_env(env("WEFTBUF_AT_STOREFRONT_PRICNG", "inproc"))
            .unwrap_err();
        assert_eq!(err.source_name, "WEFTBUF_AT_STOREFRONT_PRICNG");
        assert!(
            err.message
                .contains("did you mean `WEFTBUF_AT_STOREFRONT_PRICING`?"),
            "{err}"
        );
        // Asked for in code.
        let err = Deployment::new(&SERVICES)
            .service("hello.Greetr")
            .unwrap_err();
        assert_eq!(err.suggestion, None);
        let err = Deployment::new(&["hello.Greeter"])
            .service("hello.Greetr")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no service `hello.Greetr` in this application (did you mean `hello.Greeter`?)"
        );
    }

    #[test]
    fn errors_point_at_the_bad_value() {
        let known = ["a.B"];
        let text = "[services.\"a.B\"]\nat = \"grpc://host\"\n";
        let err = Deployment::new(&known)
            .with_config(text, "w.toml")
            .unwrap_err();
        assert_eq!((err.line, err.col), (2, 6), "{err}");
        assert!(err.message.contains("no port"), "{err}");
        let err = Deployment::new(&known)
            .with_config("[defaults]\ndeadline = \"5 parsecs\"\n", "w.toml")
            .unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        let err = Deployment::new(&known)
            .with_config("[defaults]\nwhere = 1\n", "w.toml")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("w.toml:2:1: unknown field `where`"),
            "{err}"
        );
        assert!(Location::parse("grpc://:1").is_err());
        assert!(Location::parse("shm://").is_err());
    }
}
