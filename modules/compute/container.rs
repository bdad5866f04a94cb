//! Typed container definitions, rendered through `jsonencode`.
//!
//! Environment values are strings, as ECS takes them: numbers and booleans are converted at
//! synth. Credentials never go into the environment: a variable whose name says it holds one,
//! or whose value is a URL with a password in it, is a problem whose help points to
//! [`Container::secret`], which reads the value from Secrets Manager when the task starts.

use super::super::secrets::SecretRef;
use crate::prelude::*;

/// A container health check: a shell command that exits 0 when healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct HealthCheck {
    command: String,
    interval: u16,
    timeout: u16,
    retries: u8,
    start_period: u16,
}

impl HealthCheck {
    /// `curl -f http://localhost:<port><path> || exit 1`, every 30 s, timeout 10 s, 3 retries,
    /// 60 s grace (the seeds' values).
    pub fn http(port: u16, path: &str) -> Self {
        Self::command(format!("curl -f http://localhost:{port}{path} || exit 1"))
    }

    /// Any shell command that exits 0 when the container is healthy.
    pub fn command(command: impl Into<String>) -> Self {
        Self { command: command.into(), interval: 30, timeout: 10, retries: 3, start_period: 60 }
    }

    /// Seconds between checks (5-300).
    pub fn interval(mut self, seconds: u16) -> Self {
        self.interval = seconds;
        self
    }

    /// Seconds before a check fails (2-60).
    pub fn timeout(mut self, seconds: u16) -> Self {
        self.timeout = seconds;
        self
    }

    /// Failures before the container is unhealthy (1-10).
    pub fn retries(mut self, retries: u8) -> Self {
        self.retries = retries;
        self
    }

    /// Grace period after start, in seconds (0-300).
    pub fn start_period(mut self, seconds: u16) -> Self {
        self.start_period = seconds;
        self
    }

    fn problem(&self) -> Option<String> {
        let ok = (5..=300).contains(&self.interval)
            && (2..=60).contains(&self.timeout)
            && (1..=10).contains(&self.retries)
            && self.start_period <= 300;
        (!ok).then(|| {
            format!(
                "health check interval {} s, timeout {} s, {} retries, start period {} s are outside 5-300 / 2-60 / 1-10 / 0-300",
                self.interval, self.timeout, self.retries, self.start_period
            )
        })
    }
}

/// An environment value: a string, as ECS wants it. Text, string expressions, numbers and
/// booleans convert into it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvValue(Expression);

impl From<&str> for EnvValue {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl From<String> for EnvValue {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

impl From<&String> for EnvValue {
    fn from(s: &String) -> Self {
        Self(s.into())
    }
}

impl From<Expr<String>> for EnvValue {
    fn from(e: Expr<String>) -> Self {
        Self(e.into())
    }
}

impl From<&Expr<String>> for EnvValue {
    fn from(e: &Expr<String>) -> Self {
        Self(e.into())
    }
}

impl From<bool> for EnvValue {
    fn from(b: bool) -> Self {
        Self(b.to_string().into())
    }
}

macro_rules! env_number {
    ($($t:ty),*) => {$(
        impl From<$t> for EnvValue {
            fn from(n: $t) -> Self {
                Self(n.to_string().into())
            }
        }
    )*};
}
env_number!(u8, u16, u32, u64, usize, i32, i64, f64);

/// Where an ECS secret's value comes from.
#[derive(Debug, Clone)]
pub(super) struct SecretSource {
    pub(super) name: String,
    pub(super) secret: SecretRef,
    pub(super) json_key: Option<String>,
}

/// One container of a task.
#[derive(Debug, Clone)]
#[must_use]
pub struct Container {
    pub(super) name: String,
    image: Expr<String>,
    port: Option<u16>,
    environment: Vec<(String, Expression)>,
    pub(super) secrets: Vec<SecretSource>,
    command: Vec<String>,
    health: Option<HealthCheck>,
    user: String,
    read_only: bool,
    essential: bool,
}

impl Container {
    /// Container `name` running `image`, as user 1000 on a read-only root filesystem.
    pub fn new(name: impl Into<String>, image: impl Into<Expr<String>>) -> Self {
        Self {
            name: name.into(),
            image: image.into(),
            port: None,
            environment: Vec::new(),
            secrets: Vec::new(),
            command: Vec::new(),
            health: None,
            user: "1000".into(),
            read_only: true,
            essential: true,
        }
    }

    /// The TCP port the container listens on.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// A plain environment variable. Credentials go through [`secret`](Self::secret) instead.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<EnvValue>) -> Self {
        self.environment.push((name.into(), value.into().0));
        self
    }

    /// An environment variable read from a plain Secrets Manager secret when the task starts.
    /// The execution role may read exactly the secrets named here.
    pub fn secret(mut self, name: impl Into<String>, secret: &SecretRef) -> Self {
        self.secrets.push(SecretSource { name: name.into(), secret: secret.clone(), json_key: None });
        self
    }

    /// An environment variable read from JSON key `key` of a Secrets Manager secret, e.g. the
    /// `password` of a database's master secret.
    pub fn secret_key(mut self, name: impl Into<String>, secret: &SecretRef, key: &str) -> Self {
        let source = SecretSource { name: name.into(), secret: secret.clone(), json_key: Some(key.to_owned()) };
        self.secrets.push(source);
        self
    }

    /// The command, replacing the image's.
    pub fn command<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.command = args.into_iter().map(Into::into).collect();
        self
    }

    /// The health check.
    pub fn health(mut self, check: HealthCheck) -> Self {
        self.health = Some(check);
        self
    }

    /// The user the process runs as (default `1000`, never root).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Whether the task stops when this container stops (true by default; false for sidecars
    /// such as a tracing daemon).
    pub fn essential(mut self, yes: bool) -> Self {
        self.essential = yes;
        self
    }

    /// The port, if any.
    pub fn listens_on(&self) -> Option<u16> {
        self.port
    }

    /// Problems with the definition, as `(attribute, message, help)`: credentials in the
    /// environment, secrets read the wrong way, a root user, a health check out of range.
    pub(super) fn problems(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let at = |what: &str| format!("container_definitions.{}.{what}", self.name);
        let use_secret =
            "read it from Secrets Manager with .secret(NAME, &secret) or .secret_key(NAME, &secret, \"key\")";
        for (name, value) in &self.environment {
            if looks_like_credential(name) {
                let message = format!("environment variable `{name}` looks like a credential, in plain text");
                out.push((at(&format!("environment.{name}")), message, use_secret.to_owned()));
            } else if has_url_credentials(value) {
                let message = format!("environment variable `{name}` is a URL with a password in it");
                let help = format!("{use_secret}, and assemble the URL in the application from its parts");
                out.push((at(&format!("environment.{name}")), message, help));
            }
        }
        for s in &self.secrets {
            let keys = &s.secret.json_keys;
            match &s.json_key {
                None if !keys.is_empty() => out.push((
                    at(&format!("secrets.{}", s.name)),
                    format!("`{}` would receive a whole JSON secret ({})", s.name, keys.join(", ")),
                    format!("read one key with .secret_key(\"{}\", &secret, \"{}\")", s.name, keys[keys.len() - 1]),
                )),
                Some(key) if !keys.is_empty() && !keys.contains(&key.as_str()) => out.push((
                    at(&format!("secrets.{}", s.name)),
                    format!("the secret has no JSON key `{key}`"),
                    format!("use one of {}", keys.join(", ")),
                )),
                _ => {}
            }
        }
        if self.user == "0" || self.user == "root" {
            let help = "run as an unprivileged user; the root filesystem is read-only anyway".to_owned();
            out.push((at("user"), "the container runs as root".to_owned(), help));
        }
        if let Some(problem) = self.health.as_ref().and_then(HealthCheck::problem) {
            out.push((at("healthCheck"), problem, "use values ECS accepts".to_owned()));
        }
        out
    }

    /// The definition as `jsonencode` takes it; `connect` names the port for Service Connect.
    pub(super) fn definition(&self, log_group: &Expr<String>, region: &str, connect: bool) -> Expression {
        let mut fields: Vec<(&str, Expression)> = vec![
            ("name", self.name.as_str().into()),
            ("image", self.image.clone().into()),
            ("essential", self.essential.into()),
            ("user", self.user.as_str().into()),
            ("readonlyRootFilesystem", self.read_only.into()),
            ("privileged", false.into()),
            // An init process reaps zombies and lets ECS Exec sessions attach.
            ("linuxParameters", Expression::from_iter([("initProcessEnabled", true)])),
            // Writable scratch space next to the read-only root filesystem.
            (
                "mountPoints",
                Expression::List(vec![Expression::from_iter([
                    ("sourceVolume", Expression::from("tmp")),
                    ("containerPath", "/tmp".into()),
                    ("readOnly", false.into()),
                ])]),
            ),
        ];
        if let Some(port) = self.port {
            let mut mapping = vec![("containerPort", Expression::from(port)), ("protocol", "tcp".into())];
            if connect {
                mapping.push(("name", self.name.as_str().into()));
                mapping.push(("appProtocol", "http".into()));
            }
            fields.push(("portMappings", Expression::List(vec![mapping.into_iter().collect()])));
        }
        if !self.command.is_empty() {
            fields.push(("command", self.command.clone().into()));
        }
        let env = self
            .environment
            .iter()
            .map(|(k, v)| Expression::from_iter([("name", Expression::from(k.as_str())), ("value", v.clone())]));
        fields.push(("environment", Expression::List(env.collect())));
        let secrets = self.secrets.iter().map(|s| {
            let from: Expression = match &s.json_key {
                Some(k) => s.secret.json_key(k).into(),
                None => s.secret.arn.clone().into(),
            };
            Expression::from_iter([("name", Expression::from(s.name.as_str())), ("valueFrom", from)])
        });
        fields.push(("secrets", Expression::List(secrets.collect())));
        let options = Expression::from_iter([
            ("awslogs-group", Expression::from(log_group.clone())),
            ("awslogs-region", region.into()),
            ("awslogs-stream-prefix", self.name.as_str().into()),
        ]);
        fields.push((
            "logConfiguration",
            Expression::from_iter([("logDriver", Expression::from("awslogs")), ("options", options)]),
        ));
        if let Some(h) = &self.health {
            let check = Expression::from_iter([
                ("command", Expression::from(vec!["CMD-SHELL", h.command.as_str()])),
                ("interval", h.interval.into()),
                ("timeout", h.timeout.into()),
                ("retries", h.retries.into()),
                ("startPeriod", h.start_period.into()),
            ]);
            fields.push(("healthCheck", check));
        }
        fields.into_iter().collect()
    }
}

/// Whether an environment variable's name says it holds a credential: its last word is one
/// (`API_KEY`, `DB_PASSWORD`), or a word is one that is never plain data (`PASSWORD_HASH_SALT`
/// is fine, `GITHUB_TOKEN_VALUE` is not) — unless the name ends in what only points at a
/// credential (`JWT_KEY_ID`, `SECRET_ARN`).
fn looks_like_credential(name: &str) -> bool {
    const LAST: &[&str] = &[
        "KEY",
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASS",
        "CREDENTIAL",
        "CREDENTIALS",
        "PASSPHRASE",
        "APIKEY",
    ];
    const ANYWHERE: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "CREDENTIAL", "CREDENTIALS", "TOKEN", "PRIVATE"];
    const POINTERS: &[&str] = &[
        "ID",
        "IDS",
        "ARN",
        "ARNS",
        "NAME",
        "NAMES",
        "PATH",
        "FILE",
        "REGION",
        "URL",
        "URI",
        "HOST",
        "ENDPOINT",
        "TTL",
        "LENGTH",
        "TYPE",
        "ALGORITHM",
        "HEADER",
        "PARAMETER",
        "VERSION",
        "SUBNETS",
        "SUBNET",
    ];
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let Some(last) = words.last() else { return false };
    if POINTERS.contains(&last.as_str()) {
        return false;
    }
    LAST.contains(&last.as_str()) || words.iter().any(|w| ANYWHERE.contains(&w.as_str()))
}

/// Whether `value` is (or is assembled into) a URL carrying a password:
/// `scheme://user:password@host`, with any part interpolated.
fn has_url_credentials(value: &Expression) -> bool {
    let text = match value {
        Expression::String(s) => s.clone(),
        Expression::Template(parts) => parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => s.as_str(),
                TemplatePart::Interpolation(_) => "x",
            })
            .collect(),
        _ => return false,
    };
    text.match_indices("://").any(|(i, _)| {
        let authority = text[i + 3..].split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
    })
}

#[cfg(test)]
mod tests {
    use super::{has_url_credentials, looks_like_credential};
    use crate::prelude::*;

    #[test]
    fn credential_names() {
        for name in ["ANTHROPIC_API_KEY", "SECRET_KEY", "DATABASE_PASSWORD", "GITHUB_TOKEN", "aws_secret_access_key"] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in
            ["JWT_KEY_ID", "KMS_KEY_ARN", "REDIS_USER", "LOG_LEVEL", "PRIVATE_SUBNET_IDS", "SECRET_ARN", "TOKEN_URL"]
        {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn credentials_in_urls() {
        assert!(has_url_credentials(&"postgresql://admin:hunter2@db:5432/app".into()));
        let password: Expr<String> = var("password").typed();
        assert!(has_url_credentials(&template!["redis://:", password, "@cache:6379"].into()));
        assert!(!has_url_credentials(&"https://user@example.com/path:x@y".into()));
        assert!(!has_url_credentials(&"https://example.com".into()));
    }
}
