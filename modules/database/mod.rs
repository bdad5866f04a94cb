//! PostgreSQL on RDS — one instance with read replicas ([`Postgres`]) or an Aurora cluster
//! ([`Aurora`]) — in the database subnets, encrypted with a customer key, with an AWS-managed
//! master password, and reachable only from the security groups given.
//!
//! Both are a [`Database`] with the same settings (windows, backups, deletion, logs,
//! parameters, monitoring, clients); what differs between an instance and a cluster lives in
//! [`Instance`] and [`Cluster`].
//!
//! ```
//! use tfsynth::modules::{Account, Context, database::Postgres, kms, networking::{SecurityGroup, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
//! ctx.use_network(&net);
//! let app = SecurityGroup::new("app", "demo-app", "application").build(&mut ctx);
//! let db = Postgres::new("db", "demo-production", "15", "db.r6g.large")
//!     .database("demo", "demo_admin")
//!     .maintenance_window("Mon:04:00-Mon:05:00")
//!     .read_replicas(1)
//!     .clients(&[&app])
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! let json = render(&stack, Format::Json);
//! assert!(json.contains(r#""manage_master_user_password": true"#));
//! assert!(json.contains(r#""maintenance_window": "mon:04:00-mon:05:00""#));
//! # let _ = db;
//! # Ok::<(), tfsynth::Error>(())
//! ```

mod aurora;
mod instance;

pub use aurora::{Aurora, Cluster};
pub use instance::{Instance, Postgres};

use super::iam::{Role, RoleRef};
use super::kms::KeyRef;
use super::logs::LogGroup;
use super::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, VpcRef};
use super::secrets::{Generated, Secret, SecretRef};
use super::{Context, Deletion, Retention, is_service_id};
use crate::prelude::*;

/// What a database gives the components that use it.
#[derive(Debug, Clone)]
pub struct DatabaseRef {
    /// `host:port` of the writer.
    pub endpoint: Expr<String>,
    /// The host name of the writer.
    pub address: Expr<String>,
    /// The port.
    pub port: u16,
    /// The database's own security group: add egress to it from clients.
    pub security_group: SecurityGroupRef,
    /// The master credentials, a JSON document with `username` and `password`: the secret
    /// RDS manages, or the one the component writes a generated password into.
    pub master_secret: SecretRef,
    /// The instance or cluster, for the escape hatch and alarms.
    pub resource: Ref,
    /// The read replicas or cluster instances, if any.
    pub members: Option<Ref>,
}

impl DatabaseRef {
    /// Lets `client` connect (its egress to the database is the caller's to add).
    pub fn allow_from(&self, stack: &mut Context, client: &SecurityGroupRef) {
        self.security_group.allow_in(stack, Port::tcp(self.port), Peer::Group(client), "PostgreSQL from a client");
    }
}

/// Whether the engine takes minor versions by itself in the maintenance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MinorUpgrades {
    /// Applied automatically (the default): security fixes arrive without a change.
    Automatic,
    /// Applied by hand, with the reason.
    Manual(&'static str),
}

impl MinorUpgrades {
    fn automatic(self) -> bool {
        self == MinorUpgrades::Automatic
    }

    /// Writes the choice on `r`, waiving the scanners' check with the reason when manual.
    fn apply(self, r: Resource) -> Resource {
        let r = r.set("auto_minor_version_upgrade", self.automatic());
        match self {
            MinorUpgrades::Automatic => r,
            MinorUpgrades::Manual(reason) => r.skip_check("CKV_AWS_226", reason),
        }
    }
}

/// A PostgreSQL database under construction: `E` is an [`Instance`] or a [`Cluster`].
#[derive(Debug, Clone)]
#[must_use = "a database does nothing until built into a stack"]
pub struct Database<E> {
    key: String,
    identifier: String,
    version: String,
    class: String,
    db_name: String,
    username: String,
    backup_retention_days: u8,
    backup_window: String,
    maintenance_window: String,
    deletion: Deletion,
    log_retention: Retention,
    parameters: Vec<(String, String)>,
    clients: Vec<SecurityGroupRef>,
    minor_upgrades: MinorUpgrades,
    insights_retention_days: u16,
    monitoring_interval: u8,
    network: Option<VpcRef>,
    kms_key: Option<KeyRef>,
    password: Option<(Generated, u32)>,
    engine: E,
}

const PORT: u16 = 5432;

impl<E> Database<E> {
    fn with(key: String, identifier: String, version: String, class: String, engine: E) -> Self {
        Self {
            key,
            identifier,
            version,
            class,
            db_name: "app".into(),
            username: "app_admin".into(),
            backup_retention_days: 30,
            backup_window: "03:00-04:00".into(),
            maintenance_window: "sun:04:30-sun:05:30".into(),
            deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            parameters: Vec::new(),
            clients: Vec::new(),
            minor_upgrades: MinorUpgrades::Automatic,
            insights_retention_days: 7,
            monitoring_interval: 60,
            network: None,
            kms_key: None,
            password: None,
            engine,
        }
    }

    /// The initial database and master user names.
    pub fn database(mut self, name: impl Into<String>, username: impl Into<String>) -> Self {
        self.db_name = name.into();
        self.username = username.into();
        self
    }

    /// Days automated backups are kept (1-35; 30 by default).
    pub fn backup_retention(mut self, days: u8) -> Self {
        self.backup_retention_days = days;
        self
    }

    /// The daily backup window, UTC `hh:mm-hh:mm` (default `03:00-04:00`).
    pub fn backup_window(mut self, window: impl Into<String>) -> Self {
        self.backup_window = window.into();
        self
    }

    /// The weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm` (default
    /// `sun:04:30-sun:05:30`, after the backup window). Day names are written lowercase, as RDS
    /// reports them.
    pub fn maintenance_window(mut self, window: impl Into<String>) -> Self {
        self.maintenance_window = window.into().to_ascii_lowercase();
        self
    }

    /// Whether the database is protected from deletion.
    pub fn deletion(mut self, deletion: Deletion) -> Self {
        self.deletion = deletion;
        self
    }

    /// How long exported PostgreSQL logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// Sets a parameter of the parameter group (on top of the secure defaults).
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.parameters.retain(|(n, _)| *n != name);
        self.parameters.push((name, value.into()));
        self
    }

    /// Security groups that may connect on 5432; nothing else can.
    pub fn clients(mut self, clients: &[&SecurityGroupRef]) -> Self {
        self.clients.extend(clients.iter().map(|c| (*c).clone()));
        self
    }

    /// Whether minor engine versions are applied in the maintenance window (automatically by
    /// default).
    pub fn minor_upgrades(mut self, upgrades: MinorUpgrades) -> Self {
        self.minor_upgrades = upgrades;
        self
    }

    /// Days Performance Insights keeps data: 7 (free, the default), a multiple of 31 up to
    /// 713, or 731.
    pub fn insights_retention(mut self, days: u16) -> Self {
        self.insights_retention_days = days;
        self
    }

    /// Seconds between enhanced-monitoring samples: 1, 5, 10, 15, 30 or 60 (the default).
    pub fn monitoring_interval(mut self, seconds: u8) -> Self {
        self.monitoring_interval = seconds;
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

    /// Sets the master password to `password`, generated by the stack, written write-only
    /// (`password_wo` / `master_password_wo`, Terraform 1.11+) so it is in neither the
    /// configuration nor the state; the credentials are written the same way into a secret
    /// the component creates (`master_secret`). Bump `version` to rotate: the same run writes
    /// the new password to the database and to every secret built with that version. Without
    /// it, RDS generates and keeps the password in a secret of its own.
    pub fn generated_password(mut self, password: &Generated, version: u32) -> Self {
        self.password = Some((password.clone(), version));
        self
    }

    /// How the master password is set: the arguments for the main block, and the credentials
    /// secret when the stack writes the password (`None`: RDS manages it). `prefix` is the
    /// block's name for its write-only password (`password` or `master_password`).
    fn master_password(
        &self,
        ctx: &mut Context,
        key: &KeyRef,
        prefix: &str,
    ) -> (Vec<(String, Expression)>, Option<SecretRef>) {
        let Some((password, version)) = &self.password else {
            let managed = vec![
                ("manage_master_user_password".into(), true.into()),
                ("master_user_secret_kms_key_id".into(), key.arn.clone().into()),
            ];
            return (managed, None);
        };
        let secret = Secret::new(format!("{}_master", self.key), format!("{}/master-credentials", self.identifier))
            .description(format!("Master credentials of {}", self.identifier))
            .kms_key(key)
            .write_only_json(
                &[("username", self.username.clone().into()), ("password", password.value.clone())],
                *version,
            )
            .build(ctx);
        let arguments = vec![
            (format!("{prefix}_wo"), password.value.clone().into()),
            (format!("{prefix}_wo_version"), (*version).into()),
        ];
        (arguments, Some(secret))
    }

    /// Checks the settings both kinds share; `at` is the main block's address.
    fn check(&self, stack: &mut Context, at: &str) {
        let id_attribute = if at.starts_with("aws_rds_cluster") { "cluster_identifier" } else { "identifier" };
        if !is_service_id(&self.identifier, 63) {
            stack.problem_at(
                at,
                id_attribute,
                format!("identifier `{}` is not a valid RDS identifier", self.identifier),
                "use 1-63 lowercase letters, digits and single hyphens, starting with a letter",
            );
        }
        if !valid_instance_class(&self.class) {
            stack.problem_at(
                at,
                "instance_class",
                format!("instance class `{}` is not of the form db.<family>.<size>", self.class),
                "use a class such as db.t4g.micro or db.r6g.large",
            );
        }
        if !valid_version(&self.version) {
            stack.problem_at(
                at,
                "engine_version",
                format!("engine version `{}` is not a PostgreSQL version", self.version),
                "use a major version such as `15`, or an exact one such as `15.7`",
            );
        }
        if !(1..=35).contains(&self.backup_retention_days) {
            stack.problem_at(
                at,
                "backup_retention_period",
                format!("backup retention of {} days is outside 1-35", self.backup_retention_days),
                "keep backups 1-35 days; replicas and point-in-time recovery need them",
            );
        }
        if !is_identifier(&self.db_name) || !is_identifier(&self.username) || self.username == "rdsadmin" {
            stack.problem_at(
                at,
                "db_name",
                format!("database `{}` / user `{}` are not valid names", self.db_name, self.username),
                "use letters, digits and underscores, starting with a letter",
            );
        }
        if parse_window(&self.backup_window, false).is_none() {
            let message = format!("backup window `{}` is not hh:mm-hh:mm", self.backup_window);
            stack.problem_at(at, "backup_window", message, "write it in UTC, e.g. 03:00-04:00");
        }
        match (parse_window(&self.maintenance_window, true), parse_window(&self.backup_window, false)) {
            (None, _) => {
                let message = format!("maintenance window `{}` is not ddd:hh:mm-ddd:hh:mm", self.maintenance_window);
                stack.problem_at(at, "maintenance_window", message, "write it in UTC, e.g. sun:04:00-sun:05:00");
            }
            (Some(maintenance), Some(backup)) if overlaps_daily(maintenance, backup) => {
                let message = format!(
                    "maintenance window `{}` overlaps the backup window `{}`",
                    self.maintenance_window, self.backup_window
                );
                stack.problem_at(
                    at,
                    "maintenance_window",
                    message,
                    "move one of them; RDS refuses overlapping windows",
                );
            }
            _ => {}
        }
        let pi = self.insights_retention_days;
        if !(pi == 7 || pi == 731 || (pi.is_multiple_of(31) && (31..=713).contains(&pi))) {
            let message = format!("Performance Insights retention of {pi} days is not one RDS offers");
            let help = "use 7, a multiple of 31 up to 713, or 731";
            stack.problem_at(at, "performance_insights_retention_period", message, help);
        }
        if ![1, 5, 10, 15, 30, 60].contains(&self.monitoring_interval) {
            let message = format!("a monitoring interval of {} s is not one RDS offers", self.monitoring_interval);
            stack.problem_at(at, "monitoring_interval", message, "use 1, 5, 10, 15, 30 or 60");
        }
    }

    /// The security group, subnet group, parameter group, log groups and monitoring role both
    /// kinds need. `cluster` picks the cluster's parameter group and log paths.
    fn placement(&self, ctx: &mut Context, net: &VpcRef, cluster: bool, exports: &[&str]) -> Placement {
        let (k, id) = (self.key.as_str(), self.identifier.as_str());
        let subnets = net.database_subnets.clone().unwrap_or_else(|| {
            // Without a network, "no network to run in" is the problem, reported already.
            if !net.is_missing() {
                let help = "build the Vpc with .database_subnets()";
                ctx.problem(format!("aws_db_subnet_group.{k}"), "the network has no database subnets", help);
            }
            net.private_subnets.clone()
        });
        let sg = SecurityGroup::new(format!("{k}_db"), format!("{id}-db"), "PostgreSQL: from the given clients only")
            .network(net)
            .build(ctx);
        for client in &self.clients {
            sg.allow_in(ctx, Port::tcp(PORT), Peer::Group(client), "PostgreSQL from an allowed client");
        }
        let subnet_group = ctx.add(
            Resource::new("aws_db_subnet_group", k)
                .set("name", format!("{id}-db"))
                .set("description", format!("Database subnets of {id}"))
                .set("subnet_ids", subnets.0),
        );
        let params = self.parameter_group(ctx, cluster);
        let kind = if cluster { "cluster" } else { "instance" };
        for export in exports {
            LogGroup::new(format!("{k}_rds_{export}"), format!("/aws/rds/{kind}/{id}/{export}"))
                .retention(self.log_retention)
                .build(ctx);
        }
        let monitoring = Role::for_service(
            format!("{k}_rds_monitoring"),
            format!("{id}-rds-monitoring"),
            "monitoring.rds.amazonaws.com",
        )
        .managed_policy("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
        .build(ctx);
        Placement { sg, subnet_group: subnet_group.attr("name"), params: params.attr("name"), monitoring }
    }

    fn parameter_group(&self, ctx: &mut Context, cluster: bool) -> Ref {
        let (k, id) = (self.key.as_str(), self.identifier.as_str());
        let major = self.version.split('.').next().unwrap_or_default();
        // Secure defaults: TLS only, DDL and slow statements logged, connections logged.
        let mut params: Vec<(String, String)> = [
            ("rds.force_ssl", "1"),
            ("log_statement", "ddl"),
            ("log_min_duration_statement", "1000"),
            ("log_connections", "1"),
            ("log_disconnections", "1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (name, value) in &self.parameters {
            params.retain(|(n, _)| n != name);
            params.push((name.clone(), value.clone()));
        }
        let blocks = params.into_iter().map(|(name, value)| {
            // Libraries load at start-up, so they need a reboot to apply.
            let method = if name == "shared_preload_libraries" { "pending-reboot" } else { "immediate" };
            Body::new().set("name", name).set("value", value).set("apply_method", method)
        });
        let (ty, family) = if cluster {
            ("aws_rds_cluster_parameter_group", format!("aurora-postgresql{major}"))
        } else {
            ("aws_db_parameter_group", format!("postgres{major}"))
        };
        ctx.add(
            Resource::new(ty, k)
                .set("name", format!("{id}-pg{major}"))
                .set("family", family)
                .set("description", format!("PostgreSQL {major} parameters of {id}"))
                .blocks("parameter", blocks)
                .create_before_destroy(),
        )
    }

    /// `(deletion_protection, skip_final_snapshot)`.
    fn protection(&self) -> (bool, bool) {
        let protect = self.deletion.is_protected();
        (protect, !protect)
    }
}

/// Where the instances go and what they share.
struct Placement {
    sg: SecurityGroupRef,
    subnet_group: Expr<Any>,
    params: Expr<Any>,
    monitoring: RoleRef,
}

/// `db.<family>.<size>`, e.g. `db.r6g.large`.
fn valid_instance_class(class: &str) -> bool {
    let parts: Vec<&str> = class.split('.').collect();
    parts.len() == 3
        && parts[0] == "db"
        && parts[1].starts_with(|c: char| c.is_ascii_lowercase())
        && parts[1].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !parts[2].is_empty()
        && parts[2].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// A major version (`15`) or a dotted exact one (`15.7`).
fn valid_version(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    (1..=2).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 63
}

/// A window as minutes of the week `(start, end)`: `hh:mm-hh:mm` (daily, day 0) or, with
/// `weekly`, `ddd:hh:mm-ddd:hh:mm`.
fn parse_window(window: &str, weekly: bool) -> Option<(u32, u32)> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let point = |text: &str| -> Option<u32> {
        let mut parts: Vec<&str> = text.split(':').collect();
        let day = if weekly {
            let day = parts.remove(0).to_ascii_lowercase();
            u32::try_from(DAYS.iter().position(|d| *d == day)?).ok()?
        } else {
            0
        };
        let [h, m] = parts.as_slice() else { return None };
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && parts.iter().all(|p| p.len() == 2)).then_some(day * 1440 + h * 60 + m)
    };
    let (start, end) = window.split_once('-')?;
    let (start, end) = (point(start)?, point(end)?);
    let length = (end + 7 * 1440 - start) % (7 * 1440);
    // RDS wants at least 30 minutes; the daily backup window at most 24 hours.
    (length >= 30 && (weekly || end > start)).then_some((start, end))
}

/// Whether a weekly window overlaps a daily one on the weekly window's days.
fn overlaps_daily(weekly: (u32, u32), daily: (u32, u32)) -> bool {
    let (ws, we) = weekly;
    let we = if we < ws { we + 7 * 1440 } else { we };
    (0..8).any(|day| {
        let (ds, de) = (daily.0 + day * 1440, daily.1 + day * 1440);
        ds < we && ws < de
    })
}

#[cfg(test)]
mod tests {
    use super::{overlaps_daily, parse_window};

    #[test]
    fn windows_parse_and_overlap() {
        assert_eq!(parse_window("03:00-04:00", false), Some((180, 240)));
        assert_eq!(parse_window("Mon:04:00-Mon:05:00", true), Some((240, 300)));
        assert_eq!(parse_window("sun:04:00-sun:05:00", true), Some((6 * 1440 + 240, 6 * 1440 + 300)));
        assert!(parse_window("sun:4:00-sun:05:00", true).is_none());
        assert!(parse_window("03:00-03:10", false).is_none(), "shorter than 30 minutes");
        assert!(parse_window("funday:04:00-sun:05:00", true).is_none());
        let backup = parse_window("03:00-04:00", false).unwrap();
        assert!(!overlaps_daily(parse_window("sun:04:00-sun:05:00", true).unwrap(), backup));
        assert!(overlaps_daily(parse_window("sun:03:30-sun:05:00", true).unwrap(), backup));
    }
}
