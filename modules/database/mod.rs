//! PostgreSQL on RDS: one instance with optional read replicas, in the database subnets,
//! encrypted with a customer key, with an AWS-managed master password, and reachable only
//! from the security groups given.
//!
//! ```
//! use tfsynth::modules::{Account, database::Postgres, kms, networking::{SecurityGroup, Vpc}};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut stack, &account);
//! let net = Vpc::new("demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut stack, &account, &key);
//! let app = SecurityGroup::new(&mut stack, &net.vpc_id, "app", "demo-app", "application");
//! let db = Postgres::new("demo-production", "15", "db.r6g.large")
//!     .database("demo", "demo_admin")
//!     .multi_az(true)
//!     .read_replicas(1)
//!     .build(&mut stack, &account, &net, &key, &[&app]);
//! validate(&stack)?;
//! let json = render(&stack, Format::Json);
//! assert!(json.contains(r#""manage_master_user_password": true"#));
//! assert!(json.contains(r#""deletion_protection": true"#));
//! # let _ = db;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::iam::{Statement, attach_managed_policy, service_role};
use super::logs::{Retention, log_group};
use super::networking::{Network, Peer, Port, SecurityGroup};
use super::{Account, KmsKey, is_service_id};
use crate::prelude::*;

/// What the database gives the components that use it.
#[derive(Debug, Clone)]
pub struct Database {
    /// `host:port` of the primary.
    pub endpoint: Expr<String>,
    /// The host name of the primary.
    pub address: Expr<String>,
    /// The port.
    pub port: u16,
    /// The database's own security group: add egress to it from clients.
    pub security_group: SecurityGroup,
    /// The Secrets Manager secret holding the AWS-managed master password.
    pub master_secret_arn: Expr<String>,
}

/// Whether the database survives `terraform destroy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Deletion protection on and a final snapshot on delete: the default.
    Protected,
    /// Deletable without a snapshot, with the reason it is acceptable (e.g. a sandbox).
    Unprotected(&'static str),
}

/// A PostgreSQL instance under construction.
#[derive(Debug, Clone)]
#[must_use = "a database does nothing until built into a stack"]
pub struct Postgres {
    identifier: String,
    version: String,
    class: String,
    storage_gib: u32,
    max_storage_gib: u32,
    db_name: String,
    username: String,
    multi_az: bool,
    replicas: u8,
    backup_retention_days: u8,
    deletion: Deletion,
    log_retention: Retention,
    parameters: Vec<(String, String)>,
    aurora_instances: Option<u8>,
}

const PORT: u16 = 5432;

/// Where the instances go and what they share.
struct Placement {
    sg: SecurityGroup,
    subnet_group: Expr<Any>,
    params: Expr<Any>,
    monitoring: Expr<String>,
}

/// The logs an Aurora PostgreSQL cluster exports.
const AURORA_LOG_EXPORTS: [&str; 1] = ["postgresql"];

/// The logs the instance exports to CloudWatch.
const LOG_EXPORTS: [&str; 2] = ["postgresql", "upgrade"];

impl Postgres {
    /// Instance `identifier` running PostgreSQL `version` (a major version such as `15`, which
    /// takes minor upgrades automatically, or an exact one) on instance class `class`.
    pub fn new(identifier: impl Into<String>, version: impl Into<String>, class: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            version: version.into(),
            class: class.into(),
            storage_gib: 100,
            max_storage_gib: 500,
            db_name: "app".into(),
            username: "app_admin".into(),
            multi_az: true,
            replicas: 0,
            backup_retention_days: 30,
            deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            parameters: Vec::new(),
            aurora_instances: None,
        }
    }

    /// Runs as an Aurora PostgreSQL cluster of `instances` instances (seed 001) instead of one
    /// RDS instance: storage is replicated across three AZs, a reader is promoted on failure.
    pub fn aurora(mut self, instances: u8) -> Self {
        self.aurora_instances = Some(instances);
        self
    }

    /// Initial storage and the ceiling storage autoscaling may grow to, in GiB.
    pub fn storage(mut self, gib: u32, max_gib: u32) -> Self {
        self.storage_gib = gib;
        self.max_storage_gib = max_gib;
        self
    }

    /// The initial database and master user names.
    pub fn database(mut self, name: impl Into<String>, username: impl Into<String>) -> Self {
        self.db_name = name.into();
        self.username = username.into();
        self
    }

    /// A standby in a second AZ (on by default).
    pub fn multi_az(mut self, yes: bool) -> Self {
        self.multi_az = yes;
        self
    }

    /// Read replicas of the primary.
    pub fn read_replicas(mut self, n: u8) -> Self {
        self.replicas = n;
        self
    }

    /// Days automated backups are kept (1-35; 30 by default).
    pub fn backup_retention(mut self, days: u8) -> Self {
        self.backup_retention_days = days;
        self
    }

    /// Whether the instance is protected from deletion.
    pub fn deletion(mut self, deletion: Deletion) -> Self {
        self.deletion = deletion;
        self
    }

    /// How long exported PostgreSQL logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// Sets a parameter of the instance's parameter group (on top of the secure defaults).
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.parameters.retain(|(n, _)| *n != name);
        self.parameters.push((name, value.into()));
        self
    }

    fn check(&self, stack: &mut Stack) {
        let at = "aws_db_instance.main";
        let id_ok = is_service_id(&self.identifier, 63);
        if !id_ok {
            stack.problem_at(
                at,
                "identifier",
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
        if let Some(n) = self.aurora_instances
            && !(1..=15).contains(&n)
        {
            stack.problem(
                "aws_rds_cluster.main",
                format!("{n} Aurora instances"),
                "an Aurora cluster has 1-15 instances",
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
        if self.max_storage_gib < self.storage_gib || self.storage_gib < 20 {
            stack.problem_at(
                at,
                "allocated_storage",
                format!("storage {} GiB growing to {} GiB is not valid", self.storage_gib, self.max_storage_gib),
                "use at least 20 GiB and a ceiling no lower than the initial size",
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
    }

    /// Adds the instance, its replicas, subnet group, parameter group, security group, log
    /// groups and monitoring role to `stack`. `clients` may connect on 5432; nothing else can.
    pub fn build(
        self,
        stack: &mut Stack,
        account: &Account,
        net: &Network,
        key: &KmsKey,
        clients: &[&SecurityGroup],
    ) -> Database {
        self.check(stack);
        let id = self.identifier.clone();
        let Some(subnets) = &net.database_subnets else {
            stack.problem(
                "aws_db_subnet_group.main",
                "the network has no database subnets",
                "build the Vpc with .database_subnets()",
            );
            return self.placeholder(stack, net);
        };
        let sg = SecurityGroup::new(
            stack,
            &net.vpc_id,
            "database",
            format!("{id}-db"),
            "PostgreSQL: from the given clients only",
        );
        for client in clients {
            sg.allow_in(stack, Port::tcp(PORT), Peer::Group(client), "PostgreSQL from an allowed client");
        }
        let subnet_group = stack.add(
            Resource::new("aws_db_subnet_group", "main")
                .set("name", format!("{id}-db"))
                .set("description", format!("Database subnets of {id}"))
                .set("subnet_ids", subnets.0.clone()),
        );
        let major = self.version.split('.').next().unwrap_or_default().to_owned();
        let params = self.parameter_group(stack, &id, &major);
        let monitoring = self.logs_and_monitoring(stack, account, key);
        let placement =
            Placement { sg, subnet_group: subnet_group.attr("name"), params: params.attr("name"), monitoring };
        match self.aurora_instances {
            Some(n) => self.cluster(stack, key, &placement, n),
            None => self.instance(stack, key, &placement),
        }
    }

    fn instance(&self, stack: &mut Stack, key: &KmsKey, placement: &Placement) -> Database {
        let id = self.identifier.as_str();
        let (protect, skip_snapshot) = match self.deletion {
            Deletion::Protected => (true, false),
            Deletion::Unprotected(_) => (false, true),
        };
        let Placement { sg, subnet_group, params, monitoring } = placement;
        let common = |r: Resource| {
            r.set("instance_class", self.class.as_str())
                .set("storage_encrypted", true)
                .set("kms_key_id", key.arn.clone())
                .set("vpc_security_group_ids", vec![sg.id.clone()])
                .set("parameter_group_name", params.clone())
                .set("publicly_accessible", false)
                .set("auto_minor_version_upgrade", true)
                .set("ca_cert_identifier", "rds-ca-rsa2048-g1")
                .set("iam_database_authentication_enabled", true)
                .set("copy_tags_to_snapshot", true)
                .set("monitoring_interval", 60)
                .set("monitoring_role_arn", monitoring.clone())
                .set("performance_insights_enabled", true)
                .set("performance_insights_kms_key_id", key.arn.clone())
                .set("performance_insights_retention_period", 7)
                .set("enabled_cloudwatch_logs_exports", LOG_EXPORTS.to_vec())
                .set("deletion_protection", protect)
        };
        let mut primary = common(Resource::new("aws_db_instance", "main"))
            .set("identifier", id)
            .set("engine", "postgres")
            .set("engine_version", self.version.as_str())
            .set("allocated_storage", self.storage_gib)
            .set("max_allocated_storage", self.max_storage_gib)
            .set("storage_type", "gp3")
            .set("db_name", self.db_name.as_str())
            .set("username", self.username.as_str())
            // No password in the configuration or state: RDS keeps it in Secrets Manager.
            .set("manage_master_user_password", true)
            .set("master_user_secret_kms_key_id", key.arn.clone())
            .set("db_subnet_group_name", subnet_group.clone())
            .set("multi_az", self.multi_az)
            .set("backup_retention_period", self.backup_retention_days)
            .set("backup_window", "03:00-04:00")
            .set("maintenance_window", "sun:04:30-sun:05:30")
            .set("skip_final_snapshot", skip_snapshot);
        if skip_snapshot {
            primary = primary.skip_check("CKV_AWS_293", self.deletion_reason());
        } else {
            primary = primary.set("final_snapshot_identifier", format!("{id}-final"));
        }
        if !self.multi_az {
            primary = primary.skip_check("CKV_AWS_157", "single-AZ by the environment's settings");
        }
        let main = stack.add(primary);
        if self.replicas > 0 {
            let replica = common(Resource::new("aws_db_instance", "replica"))
                .count(usize::from(self.replicas))
                .set("identifier", template![format!("{id}-replica-"), count_index().plus(1)])
                .set("replicate_source_db", main.attr("identifier"))
                .set("multi_az", false)
                // PostgreSQL 14.1+ replicas keep their own backups, so they can be promoted safely.
                .set("backup_retention_period", 7)
                .set("skip_final_snapshot", true)
                .skip_check("CKV_AWS_157", "a read replica scales reads; the primary is the one that fails over");
            stack.add(replica);
        }
        Database {
            endpoint: main.attr("endpoint").typed(),
            address: main.attr("address").typed(),
            port: PORT,
            security_group: sg.clone(),
            master_secret_arn: main.attr("master_user_secret").index(0).attr("secret_arn").typed(),
        }
    }

    /// The Aurora cluster and its `n` instances (the first is the writer).
    fn cluster(&self, stack: &mut Stack, key: &KmsKey, placement: &Placement, n: u8) -> Database {
        let id = self.identifier.as_str();
        let Placement { sg, subnet_group, params, monitoring } = placement;
        let (protect, skip_snapshot) = match self.deletion {
            Deletion::Protected => (true, false),
            Deletion::Unprotected(_) => (false, true),
        };
        let mut cluster = Resource::new("aws_rds_cluster", "main")
            .set("cluster_identifier", id)
            .set("engine", "aurora-postgresql")
            .set("engine_version", self.version.as_str())
            .set("database_name", self.db_name.as_str())
            .set("master_username", self.username.as_str())
            .set("manage_master_user_password", true)
            .set("master_user_secret_kms_key_id", key.arn.clone())
            .set("db_subnet_group_name", subnet_group.clone())
            .set("db_cluster_parameter_group_name", params.clone())
            .set("vpc_security_group_ids", vec![sg.id.clone()])
            .set("storage_encrypted", true)
            .set("kms_key_id", key.arn.clone())
            .set("iam_database_authentication_enabled", true)
            .set("backup_retention_period", self.backup_retention_days)
            .set("preferred_backup_window", "03:00-04:00")
            .set("preferred_maintenance_window", "sun:04:30-sun:05:30")
            .set("enabled_cloudwatch_logs_exports", AURORA_LOG_EXPORTS.to_vec())
            .set("copy_tags_to_snapshot", true)
            .set("deletion_protection", protect)
            .set("skip_final_snapshot", skip_snapshot)
            .skip_check(
                "CKV2_AWS_8",
                "automated backups with point-in-time recovery; an AWS Backup plan is an account-wide choice",
            );
        if skip_snapshot {
            cluster = cluster.skip_check("CKV_AWS_139", self.deletion_reason());
        } else {
            cluster = cluster.set("final_snapshot_identifier", format!("{id}-final"));
        }
        let cluster = stack.add(cluster);
        stack.add(
            Resource::new("aws_rds_cluster_instance", "main")
                .count(usize::from(n))
                .set("identifier", template![format!("{id}-"), count_index()])
                .set("cluster_identifier", cluster.id())
                .set("instance_class", self.class.as_str())
                .set("engine", cluster.attr("engine"))
                .set("engine_version", cluster.attr("engine_version"))
                .set("publicly_accessible", false)
                .set("auto_minor_version_upgrade", true)
                .set("ca_cert_identifier", "rds-ca-rsa2048-g1")
                .set("monitoring_interval", 60)
                .set("monitoring_role_arn", monitoring.clone())
                .set("performance_insights_enabled", true)
                .set("performance_insights_kms_key_id", key.arn.clone())
                .set("performance_insights_retention_period", 7)
                .set("copy_tags_to_snapshot", true),
        );
        Database {
            endpoint: template![cluster.attr("endpoint"), format!(":{PORT}")],
            address: cluster.attr("endpoint").typed(),
            port: PORT,
            security_group: sg.clone(),
            master_secret_arn: cluster.attr("master_user_secret").index(0).attr("secret_arn").typed(),
        }
    }

    /// Log groups for the exported logs (so they are encrypted and expire, unlike the ones RDS
    /// would create) and the enhanced-monitoring role; returns the role ARN.
    fn logs_and_monitoring(&self, stack: &mut Stack, account: &Account, key: &KmsKey) -> Expr<String> {
        let id = &self.identifier;
        let (kind, exports) = if self.aurora_instances.is_some() {
            ("cluster", &AURORA_LOG_EXPORTS[..])
        } else {
            ("instance", &LOG_EXPORTS[..])
        };
        for export in exports {
            log_group(
                stack,
                &format!("rds_{export}"),
                format!("/aws/rds/{kind}/{id}/{export}"),
                key,
                self.log_retention,
            );
        }
        let trust_only = Vec::<(&str, Vec<Statement>)>::new();
        let role = service_role(
            stack,
            "rds_monitoring",
            format!("{id}-rds-monitoring"),
            "monitoring.rds.amazonaws.com",
            account,
            trust_only,
        );
        attach_managed_policy(
            stack,
            "rds_monitoring",
            &role,
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        );
        role.arn
    }

    fn deletion_reason(&self) -> &'static str {
        match self.deletion {
            Deletion::Protected => "",
            Deletion::Unprotected(reason) => reason,
        }
    }

    fn parameter_group(&self, stack: &mut Stack, id: &str, major: &str) -> Ref {
        let aurora = self.aurora_instances.is_some();
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
        stack.add(
            Resource::new(if aurora { "aws_rds_cluster_parameter_group" } else { "aws_db_parameter_group" }, "main")
                .set("name", format!("{id}-pg{major}"))
                .set("family", if aurora { format!("aurora-postgresql{major}") } else { format!("postgres{major}") })
                .set("description", format!("PostgreSQL {major} parameters of {id}"))
                .blocks("parameter", blocks)
                .create_before_destroy(),
        )
    }

    fn placeholder(&self, stack: &mut Stack, net: &Network) -> Database {
        let sg = SecurityGroup::new(stack, &net.vpc_id, "database", format!("{}-db", self.identifier), "PostgreSQL");
        let none = Expr::<String>::from("");
        Database {
            endpoint: none.clone(),
            address: none.clone(),
            port: PORT,
            security_group: sg,
            master_secret_arn: none,
        }
    }
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
