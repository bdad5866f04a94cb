//! Typed container definitions, rendered through `jsonencode`.
//!
//! Environment values are strings, as ECS takes them: numbers and booleans are converted at
//! synth. Credentials never go into the environment: a variable whose name says it holds one,
//! or whose value is a URL with a password in it, is a problem whose help points to
//! [`Container::secret`], which reads the value from Secrets Manager when the task starts.

use super::super::environment::{EnvValue, credential_problem};
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
        self.environment.push((name.into(), value.into().into()));
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
            if let Some((message, help)) = credential_problem(name, value, use_secret) {
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
