//! Typed container definitions, rendered through `jsonencode`.

use super::super::secrets::SecretRef;
use crate::prelude::*;

/// A container health check: a shell command that exits 0 when healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Run with `CMD-SHELL`.
    pub command: String,
    /// Seconds between checks.
    pub interval: u16,
    /// Seconds before a check fails.
    pub timeout: u16,
    /// Failures before the container is unhealthy.
    pub retries: u8,
    /// Grace period after start, in seconds.
    pub start_period: u16,
}

impl HealthCheck {
    /// `curl -f http://localhost:<port><path> || exit 1`, every 30 s, timeout 10 s, 3 retries,
    /// 60 s grace (the seeds' values).
    pub fn http(port: u16, path: &str) -> Self {
        Self {
            command: format!("curl -f http://localhost:{port}{path} || exit 1"),
            interval: 30,
            timeout: 10,
            retries: 3,
            start_period: 60,
        }
    }
}

/// One container of a task.
#[derive(Debug, Clone)]
#[must_use]
pub struct Container {
    pub(super) name: String,
    image: Expr<String>,
    port: Option<u16>,
    environment: Vec<(String, Expression)>,
    pub(super) secrets: Vec<(String, SecretRef, Option<String>)>,
    command: Vec<String>,
    health: Option<HealthCheck>,
    user: String,
    read_only: bool,
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
        }
    }

    /// The TCP port the container listens on.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// A plain environment variable. Secrets go through [`secret`](Self::secret) instead.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<Expression>) -> Self {
        self.environment.push((name.into(), value.into()));
        self
    }

    /// An environment variable read from a Secrets Manager secret at start-up (one JSON key of
    /// it with `json_key`). The execution role may read exactly these secrets.
    pub fn secret(mut self, name: impl Into<String>, secret: &SecretRef, json_key: Option<&str>) -> Self {
        self.secrets.push((name.into(), secret.clone(), json_key.map(str::to_owned)));
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

    /// The port, if any.
    pub fn listens_on(&self) -> Option<u16> {
        self.port
    }

    /// The definition as `jsonencode` takes it.
    pub(super) fn definition(&self, log_group: &Expr<String>, region: &str) -> Expression {
        let mut fields: Vec<(&str, Expression)> = vec![
            ("name", self.name.as_str().into()),
            ("image", self.image.clone().into()),
            ("essential", true.into()),
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
            let mapping =
                Expression::from_iter([("containerPort", Expression::from(port)), ("protocol", "tcp".into())]);
            fields.push(("portMappings", Expression::List(vec![mapping])));
        }
        if !self.command.is_empty() {
            fields.push(("command", self.command.clone().into()));
        }
        let env = self
            .environment
            .iter()
            .map(|(k, v)| Expression::from_iter([("name", Expression::from(k.as_str())), ("value", v.clone())]));
        fields.push(("environment", Expression::List(env.collect())));
        let secrets = self.secrets.iter().map(|(name, secret, key)| {
            let from: Expression = match key {
                Some(k) => secret.json_key(k).into(),
                None => secret.arn.clone().into(),
            };
            Expression::from_iter([("name", Expression::from(name.as_str())), ("valueFrom", from)])
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
