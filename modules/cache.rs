//! Redis or Valkey on ElastiCache: a replication group encrypted at rest (customer key) and in
//! transit, with IAM authentication through an RBAC user group, snapshots, and slow and engine
//! logs delivered to encrypted log groups.
//!
//! Authentication defaults to IAM through an RBAC user group: no shared secret exists, clients
//! sign in with their task role. [`Auth::Token`] keeps a Redis AUTH token in Secrets Manager for
//! clients that cannot use IAM, as a named opt-out whose reason acknowledges that ElastiCache's
//! `auth_token` takes no write-only value, so the token is in the Terraform state.
//!
//! ```
//! use tfsynth::modules::{Account, Context, cache::{Availability, Redis}, kms, networking::{SecurityGroup, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! ctx.use_network(&net);
//! let app = SecurityGroup::new("app", "demo-app", "application").build(&mut ctx);
//! let cache = Redis::new("cache", "demo-production", "cache.r6g.large")
//!     .availability(Availability::MultiAz { replicas: 1 })
//!     .clients(&[&app])
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let json = render(&stack, Format::Json);
//! assert!(json.contains(r#""automatic_failover_enabled": true"#));
//! assert!(json.contains(r#""transit_encryption_enabled": true"#));
//! # let _ = cache;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::kms::KeyRef;
use super::logs::LogGroup;
use super::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, VpcRef};
use super::secrets::{Rotation, Secret, SecretRef};
use super::{Context, Retention, is_service_id};
use crate::prelude::*;

/// What the cache gives its clients.
#[derive(Debug, Clone)]
pub struct CacheRef {
    /// The primary (read-write) endpoint host.
    pub primary_endpoint: Expr<String>,
    /// The reader endpoint host.
    pub reader_endpoint: Expr<String>,
    /// The port.
    pub port: u16,
    /// The cache's own security group: add egress to it from clients.
    pub security_group: SecurityGroupRef,
    /// How clients authenticate.
    pub auth: ClientAuth,
    /// The replication group ARN, for `elasticache:Connect`.
    pub arn: Expr<String>,
    /// The replication group, for the escape hatch and alarms.
    pub resource: Ref,
}

impl CacheRef {
    /// Lets `role` sign in to the cache with IAM: an inline policy granting
    /// `elasticache:Connect` on the replication group and the application user. With
    /// [`Auth::Token`] there is nothing to grant (clients send the token), and this is a
    /// problem of the stack.
    pub fn grant_connect(&self, stack: &mut Context, role: &super::iam::RoleRef) {
        let cache = &self.resource.address().name;
        let at = format!("aws_iam_role_policy.{cache}_connect_{}", role.resource.address().name);
        let ClientAuth::Iam { user_arn, .. } = &self.auth else {
            let help = "clients of a token-authenticated cache read the token secret instead";
            stack.problem(at, "the cache takes an AUTH token, not IAM", help);
            return;
        };
        let connect = super::iam::Statement::allow(["elasticache:Connect"])
            .sid("CacheConnect")
            .on(self.arn.clone())
            .on(user_arn.clone());
        stack.add(
            Resource::new("aws_iam_role_policy", format!("{cache}_connect_{}", role.resource.address().name))
                .set("name", format!("{cache}-connect"))
                .set("role", role.resource.id())
                .set("policy", super::iam::policy([connect])),
        );
    }
}

/// How clients prove who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// IAM authentication through an RBAC user group: no shared secret exists (the default).
    Iam,
    /// A Redis AUTH token, kept in a Secrets Manager secret the component creates: an opt-out
    /// of IAM for clients that cannot use it. Terraform takes the value from the sensitive
    /// input variable `variable` (the pipeline reads it from the secret, e.g.
    /// `TF_VAR_<variable>`), so it is never in the configuration, but ElastiCache's
    /// `auth_token` has no write-only form (hashicorp/aws 5.100): **the token is in the
    /// state**. `reason` says why IAM will not do and that the state holds the token; it is
    /// written beside the setting for reviewers.
    Token {
        /// The input variable holding the token.
        variable: &'static str,
        /// Why the clients need a token, acknowledging that it is kept in the state.
        reason: &'static str,
    },
}

/// What clients need to authenticate.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// Sign in as `user` with the task role, which needs `elasticache:Connect` on the cache and `user_arn`.
    Iam {
        /// The user name (equal to its id).
        user: String,
        /// The user's ARN.
        user_arn: Expr<String>,
    },
    /// Send the token kept in `secret`.
    Token {
        /// The secret holding the token.
        secret: SecretRef,
    },
}

/// Which engine runs the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Engine {
    /// Redis OSS.
    Redis,
    /// Valkey, the open-source Redis fork AWS prices lower.
    Valkey,
}

/// How many nodes, and what happens when the primary fails. Multi-AZ and automatic failover
/// only come together, and only with at least one replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Availability {
    /// One node: a failure loses the cache until it is replaced.
    SingleNode,
    /// A primary plus `replicas` in other AZs, promoted automatically.
    MultiAz {
        /// Replicas besides the primary (1-5).
        replicas: u8,
    },
}

/// A replication group under construction.
#[derive(Debug, Clone)]
#[must_use = "a cache does nothing until built into a stack"]
pub struct Redis {
    key: String,
    id: String,
    description: Option<String>,
    engine: Engine,
    version: String,
    node_type: String,
    availability: Availability,
    auth: Auth,
    snapshot_retention_days: u8,
    snapshot_window: String,
    maintenance_window: String,
    log_retention: Retention,
    parameters: Vec<(String, String)>,
    clients: Vec<SecurityGroupRef>,
    network: Option<VpcRef>,
    kms_key: Option<KeyRef>,
}

const PORT: u16 = 6379;

impl Redis {
    /// Replication group `key` with id `id` (at most 40 characters) of `node_type` nodes,
    /// Redis 7.1, Multi-AZ with one replica and 7 days of snapshots.
    pub fn new(key: impl Into<String>, id: impl Into<String>, node_type: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            id: id.into(),
            description: None,
            engine: Engine::Redis,
            version: "7.1".into(),
            node_type: node_type.into(),
            availability: Availability::MultiAz { replicas: 1 },
            auth: Auth::Iam,
            snapshot_retention_days: 7,
            snapshot_window: "03:00-05:00".into(),
            maintenance_window: "sun:05:30-sun:06:30".into(),
            log_retention: Retention::OneYear,
            parameters: vec![
                // Evict least-recently-used keys with a TTL rather than failing writes when full.
                ("maxmemory-policy".into(), "volatile-lru".into()),
            ],
            clients: Vec::new(),
            network: None,
            kms_key: None,
        }
    }

    /// What the cache is for (default `<id> cache`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The daily snapshot window, UTC `hh:mm-hh:mm` (default `03:00-05:00`).
    pub fn snapshot_window(mut self, window: impl Into<String>) -> Self {
        self.snapshot_window = window.into();
        self
    }

    /// The weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm` (default
    /// `sun:05:30-sun:06:30`, after the snapshot window).
    pub fn maintenance_window(mut self, window: impl Into<String>) -> Self {
        self.maintenance_window = window.into().to_ascii_lowercase();
        self
    }

    /// Sets a parameter of the parameter group (on top of `maxmemory-policy volatile-lru`).
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.parameters.retain(|(n, _)| *n != name);
        self.parameters.push((name, value.into()));
        self
    }

    /// Security groups that may connect on 6379; nothing else can.
    pub fn clients(mut self, clients: &[&SecurityGroupRef]) -> Self {
        self.clients.extend(clients.iter().map(|c| (*c).clone()));
        self
    }

    /// The network to run in instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// The engine and its `major.minor` version.
    pub fn engine(mut self, engine: Engine, version: impl Into<String>) -> Self {
        self.engine = engine;
        self.version = version.into();
        self
    }

    /// Node count and failover.
    pub fn availability(mut self, availability: Availability) -> Self {
        self.availability = availability;
        self
    }

    /// How clients authenticate.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Days of daily snapshots (1-35).
    pub fn snapshot_retention(mut self, days: u8) -> Self {
        self.snapshot_retention_days = days;
        self
    }

    /// How long slow and engine logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    fn check(&self, stack: &mut Context, at: &str) {
        let id_ok = is_service_id(&self.id, 40);
        if !id_ok {
            let help = "use 1-40 lowercase letters, digits and single hyphens, starting with a letter";
            stack.problem_at(
                at,
                "replication_group_id",
                format!("replication group id `{}` is not valid", self.id),
                help,
            );
        }
        let parts: Vec<&str> = self.node_type.split('.').collect();
        if parts.len() != 3 || parts[0] != "cache" || parts[1].is_empty() || parts[2].is_empty() {
            let help = "use a type such as cache.t4g.micro or cache.r6g.large";
            let message = format!("node type `{}` is not of the form cache.<family>.<size>", self.node_type);
            stack.problem_at(at, "node_type", message, help);
        }
        let version: Vec<&str> = self.version.split('.').collect();
        if version.len() != 2 || version.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            let message = format!("engine version `{}` is not major.minor", self.version);
            stack.problem_at(at, "engine_version", message, "use e.g. `7.1`");
        }
        if let Availability::MultiAz { replicas } = self.availability
            && !(1..=5).contains(&replicas)
        {
            let help = "Multi-AZ failover needs 1-5 replicas; use Availability::SingleNode for none";
            stack.problem(at, format!("{replicas} replicas with Multi-AZ"), help);
        }
        if !(1..=35).contains(&self.snapshot_retention_days) {
            let help = "keep 1-35 days of snapshots";
            stack.problem(at, format!("snapshot retention of {} days", self.snapshot_retention_days), help);
        }
        let window = |w: &str, weekly: bool| {
            let parts: Vec<&str> = w.split(['-', ':']).collect();
            let expected = if weekly { 6 } else { 4 };
            parts.len() == expected && parts.iter().all(|p| !p.is_empty())
        };
        if !window(&self.snapshot_window, false) {
            let message = format!("snapshot window `{}` is not hh:mm-hh:mm", self.snapshot_window);
            stack.problem_at(at, "snapshot_window", message, "write it in UTC, e.g. 03:00-05:00");
        }
        if !window(&self.maintenance_window, true) {
            let message = format!("maintenance window `{}` is not ddd:hh:mm-ddd:hh:mm", self.maintenance_window);
            stack.problem_at(at, "maintenance_window", message, "write it in UTC, e.g. sun:05:30-sun:06:30");
        }
    }

    /// Adds the replication group, its subnet group, parameter group, security group, RBAC
    /// users and log groups. Only the clients given may connect, on 6379.
    pub fn build(self, ctx: &mut Context) -> CacheRef {
        ctx.within("cache", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> CacheRef {
        let (k, id) = (self.key.as_str(), self.id.as_str());
        let at = format!("aws_elasticache_replication_group.{k}");
        self.check(ctx, &at);
        let net = ctx.network_for(&at, self.network.as_ref());
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let sg = SecurityGroup::new(format!("{k}_cache"), format!("{id}-cache"), "Cache: from the given clients only")
            .network(&net)
            .build(ctx);
        for client in &self.clients {
            sg.allow_in(ctx, Port::tcp(PORT), Peer::Group(client), "Cache clients");
        }
        // The database tier when there is one: no route out of the VPC.
        let subnets = net.database_subnets.as_ref().unwrap_or(&net.private_subnets);
        let subnet_group = ctx.add(
            Resource::new("aws_elasticache_subnet_group", k)
                .set("name", format!("{id}-cache"))
                .set("description", format!("Cache subnets of {id}"))
                .set("subnet_ids", subnets.0.clone()),
        );
        let (engine, family_prefix) = match self.engine {
            Engine::Redis => ("redis", "redis"),
            Engine::Valkey => ("valkey", "valkey"),
        };
        let major = self.version.split('.').next().unwrap_or_default();
        let parameters = self
            .parameters
            .iter()
            .map(|(name, value)| Body::new().set("name", name.as_str()).set("value", value.as_str()));
        let params = ctx.add(
            Resource::new("aws_elasticache_parameter_group", k)
                .set("name", format!("{id}-{family_prefix}{major}"))
                .set("family", format!("{family_prefix}{major}"))
                .set("description", format!("Parameters of {id}"))
                .blocks("parameter", parameters),
        );
        let logs = ["slow-log", "engine-log"].map(|kind| {
            let group =
                LogGroup::new(format!("{k}_cache_{}", kind.replace('-', "_")), format!("/aws/elasticache/{id}/{kind}"))
                    .retention(self.log_retention)
                    .kms_key(&key)
                    .build(ctx);
            Body::new()
                .set("destination", group.name)
                .set("destination_type", "cloudwatch-logs")
                .set("log_format", "json")
                .set("log_type", kind)
        });
        let (nodes, multi_az) = match self.availability {
            Availability::SingleNode => (1, false),
            Availability::MultiAz { replicas } => (1 + usize::from(replicas), true),
        };
        let (auth_settings, auth_waiver, auth) = self.authentication(ctx, &key);
        let description = self.description.clone().unwrap_or_else(|| format!("{id} cache"));
        let mut group = Resource::new("aws_elasticache_replication_group", k)
            .set_by("num_cache_clusters", "Redis::availability")
            .set_by("automatic_failover_enabled", "Redis::availability")
            .set_by("multi_az_enabled", "Redis::availability")
            .set_by("snapshot_retention_limit", "Redis::snapshot_retention")
            .set_by("engine_version", "Redis::engine")
            .set("replication_group_id", id)
            .set("description", description)
            .set("engine", engine)
            .set("engine_version", self.version.as_str())
            .set("node_type", self.node_type.as_str())
            .set("port", PORT)
            .set("num_cache_clusters", nodes)
            .set("multi_az_enabled", multi_az)
            .set("automatic_failover_enabled", multi_az)
            .set("subnet_group_name", subnet_group.attr("name"))
            .set("parameter_group_name", params.attr("name"))
            .set("security_group_ids", vec![sg.id.clone()])
            .set("at_rest_encryption_enabled", true)
            .set("kms_key_id", key.arn.clone())
            .set("transit_encryption_enabled", true);
        for (name, value) in auth_settings {
            group = group.set(name, value);
        }
        group = group
            .set("auto_minor_version_upgrade", true)
            .set("snapshot_retention_limit", self.snapshot_retention_days)
            .set("snapshot_window", self.snapshot_window.as_str())
            .set("maintenance_window", self.maintenance_window.as_str())
            .set("final_snapshot_identifier", format!("{id}-final"))
            .blocks("log_delivery_configuration", logs);
        if let Some(reason) = auth_waiver {
            group = group.skip_check("CKV_AWS_31", reason);
        }
        if !multi_az {
            group = group.skip_check("CKV2_AWS_50", "single node by the environment's settings");
        }
        let group = ctx.add(group);
        CacheRef {
            primary_endpoint: group.attr("primary_endpoint_address").typed(),
            reader_endpoint: group.attr("reader_endpoint_address").typed(),
            port: PORT,
            security_group: sg,
            auth,
            arn: group.arn(),
            resource: group,
        }
    }

    /// The replication group's authentication settings, the scanner waiver they need, and what
    /// clients need to sign in.
    fn authentication(
        &self,
        ctx: &mut Context,
        key: &KeyRef,
    ) -> (Vec<(&'static str, Expression)>, Option<&'static str>, ClientAuth) {
        let (k, id) = (self.key.as_str(), self.id.as_str());
        match &self.auth {
            Auth::Iam => {
                let (user_group, user, user_arn) = self.users(ctx);
                let reason = "clients authenticate with IAM through an RBAC user group; no static AUTH token exists";
                let settings = vec![("user_group_ids", Expression::from(vec![user_group]))];
                (settings, Some(reason), ClientAuth::Iam { user, user_arn })
            }
            Auth::Token { variable, reason } => {
                if !reason.contains("state") {
                    let help = "say why IAM will not do, and that the token is kept in the Terraform state";
                    let at = format!("aws_elasticache_replication_group.{k}");
                    ctx.problem_at(&at, "auth_token", "the AUTH token opt-out does not acknowledge the state", help);
                }
                let rotation = Rotation::AtSource("rotated by the pipeline with ElastiCache's ROTATE strategy");
                let secret = Secret::new(format!("{k}_cache_auth_token"), format!("{id}/auth-token"))
                    .description("Redis AUTH token")
                    .rotation(rotation)
                    .kms_key(key)
                    .build(ctx);
                let token = ctx.variable(
                    Variable::new(*variable, "string")
                        .description(format!(
                            "AUTH token of {id}, read from its Secrets Manager secret by the pipeline ({reason})"
                        ))
                        .sensitive()
                        .validation(
                            length(var(variable)).greater_than(15).and(length(var(variable)).less_than(129)),
                            "The AUTH token must be 16 to 128 characters.",
                        ),
                );
                let settings = vec![("auth_token", token.into()), ("auth_token_update_strategy", "ROTATE".into())];
                (settings, None, ClientAuth::Token { secret })
            }
        }
    }

    /// The RBAC users: the built-in `default` user switched off, and one IAM-authenticated
    /// application user. Returns the user group id, the user's name and ARN.
    fn users(&self, stack: &mut Context) -> (Expr<String>, String, Expr<String>) {
        let (k, id) = (self.key.as_str(), &self.id);
        let engine = match self.engine {
            Engine::Redis => "REDIS",
            Engine::Valkey => "VALKEY",
        };
        // Every user group must contain a user named `default`; this one can do nothing.
        let default = stack.add(
            Resource::new("aws_elasticache_user", format!("{k}_default"))
                .set("user_id", format!("{id}-default"))
                .set("user_name", "default")
                .set("engine", engine)
                .set("access_string", "off -@all")
                .block("authentication_mode", Body::new().set("type", "no-password-required")),
        );
        let app_user = format!("{id}-app");
        let app = stack.add(
            Resource::new("aws_elasticache_user", format!("{k}_app"))
                .set("user_id", app_user.as_str())
                .set("user_name", app_user.as_str())
                .set("engine", engine)
                .set("access_string", "on ~* +@all -@dangerous")
                .block("authentication_mode", Body::new().set("type", "iam")),
        );
        let group = stack.add(
            Resource::new("aws_elasticache_user_group", k)
                .set("user_group_id", format!("{id}-users"))
                .set("engine", engine)
                .set("user_ids", vec![default.attr("user_id"), app.attr("user_id")]),
        );
        (group.id(), app_user, app.arn())
    }
}
