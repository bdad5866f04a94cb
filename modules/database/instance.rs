//! PostgreSQL on one RDS instance, with a standby in a second AZ and read replicas.

use super::super::Context;
use super::super::secrets::SecretRef;
use super::{Database, DatabaseRef, MinorUpgrades, PORT, Placement};
use crate::prelude::*;

/// What only an RDS instance has: storage, the standby and read replicas.
#[derive(Debug, Clone)]
pub struct Instance {
    storage_gib: u32,
    max_storage_gib: u32,
    multi_az: bool,
    replicas: u8,
    replica_class: Option<String>,
    replica_identifier: Option<String>,
    replica_minor_upgrades: MinorUpgrades,
}

/// PostgreSQL on an RDS instance.
pub type Postgres = Database<Instance>;

/// The logs the instance exports to CloudWatch.
const LOG_EXPORTS: [&str; 2] = ["postgresql", "upgrade"];

impl Database<Instance> {
    /// Instance `key` with RDS identifier `identifier`, running PostgreSQL `version` (a major
    /// version such as `15`, which takes minor upgrades automatically, or an exact one) on
    /// class `class`: 100 GiB growing to 500, Multi-AZ, no replicas.
    pub fn new(
        key: impl Into<String>,
        identifier: impl Into<String>,
        version: impl Into<String>,
        class: impl Into<String>,
    ) -> Self {
        let instance = Instance {
            storage_gib: 100,
            max_storage_gib: 500,
            multi_az: true,
            replicas: 0,
            replica_class: None,
            replica_identifier: None,
            replica_minor_upgrades: MinorUpgrades::Automatic,
        };
        Database::with(key.into(), identifier.into(), version.into(), class.into(), instance)
    }

    /// Initial storage and the ceiling storage autoscaling may grow to, in GiB.
    pub fn storage(mut self, gib: u32, max_gib: u32) -> Self {
        self.engine.storage_gib = gib;
        self.engine.max_storage_gib = max_gib;
        self
    }

    /// A standby in a second AZ (on by default).
    pub fn multi_az(mut self, yes: bool) -> Self {
        self.engine.multi_az = yes;
        self
    }

    /// Read replicas of the primary.
    pub fn read_replicas(mut self, n: u8) -> Self {
        self.engine.replicas = n;
        self
    }

    /// The replicas' instance class (default: the primary's).
    pub fn replica_class(mut self, class: impl Into<String>) -> Self {
        self.engine.replica_class = Some(class.into());
        self
    }

    /// The replicas' identifiers, with `{n}` standing for 1, 2, …; default
    /// `<identifier>-replica-{n}`. Without `{n}` it names the one replica there may then be.
    pub fn replica_identifier(mut self, pattern: impl Into<String>) -> Self {
        self.engine.replica_identifier = Some(pattern.into());
        self
    }

    /// Whether replicas take minor versions by themselves (automatically by default).
    pub fn replica_minor_upgrades(mut self, upgrades: MinorUpgrades) -> Self {
        self.engine.replica_minor_upgrades = upgrades;
        self
    }

    /// Adds the instance, its replicas, subnet group, parameter group, security group, log
    /// groups and monitoring role. Only the clients given may connect, on 5432.
    pub fn build(self, ctx: &mut Context) -> DatabaseRef {
        ctx.within("database", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> DatabaseRef {
        let at = format!("aws_db_instance.{}", self.key);
        self.check(ctx, &at);
        self.check_instance(ctx, &at);
        let net = ctx.network_for(&at, self.network.as_ref());
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let placement = self.placement(ctx, &net, false, &LOG_EXPORTS);
        let Placement { sg, subnet_group, params, monitoring } = &placement;
        let (k, id, engine) = (self.key.as_str(), self.identifier.as_str(), &self.engine);
        let (protect, skip_snapshot) = self.protection();
        let common = |r: Resource, class: &str, upgrades: MinorUpgrades| {
            upgrades
                .apply(r.set("instance_class", class))
                .set("storage_encrypted", true)
                .set("kms_key_id", key.arn.clone())
                .set("vpc_security_group_ids", vec![sg.id.clone()])
                .set("parameter_group_name", params.clone())
                .set("publicly_accessible", false)
                .set("ca_cert_identifier", "rds-ca-rsa2048-g1")
                .set("iam_database_authentication_enabled", true)
                .set("copy_tags_to_snapshot", true)
                .set("monitoring_interval", self.monitoring_interval)
                .set("monitoring_role_arn", monitoring.arn.clone())
                .set("performance_insights_enabled", true)
                .set("performance_insights_kms_key_id", key.arn.clone())
                .set("performance_insights_retention_period", self.insights_retention_days)
                .set("enabled_cloudwatch_logs_exports", LOG_EXPORTS.to_vec())
                .set("deletion_protection", protect)
        };
        let mut primary = common(Resource::new("aws_db_instance", k), &self.class, self.minor_upgrades)
            .set("identifier", id)
            .set("engine", "postgres")
            .set("engine_version", self.version.as_str())
            .set("allocated_storage", engine.storage_gib)
            .set("max_allocated_storage", engine.max_storage_gib)
            .set("storage_type", "gp3")
            .set("db_name", self.db_name.as_str())
            .set("username", self.username.as_str())
            .set_by("allocated_storage", "Postgres::storage")
            .set_by("max_allocated_storage", "Postgres::storage")
            .set_by("multi_az", "Postgres::multi_az")
            .set_by("backup_retention_period", "Postgres::backup_retention")
            .set_by("deletion_protection", "Postgres::deletion")
            .set_by("performance_insights_retention_period", "Postgres::insights_retention")
            .set_by("monitoring_interval", "Postgres::monitoring_interval");
        // No password in the configuration or state: RDS keeps it, or the stack writes one it
        // generates write-only.
        let (password, written) = self.master_password(ctx, &key, "password");
        primary = password
            .into_iter()
            .fold(primary, |r, (name, value)| r.set(name, value))
            .set("db_subnet_group_name", subnet_group.clone())
            .set("multi_az", engine.multi_az)
            .set("backup_retention_period", self.backup_retention_days)
            .set("backup_window", self.backup_window.as_str())
            .set("maintenance_window", self.maintenance_window.as_str())
            .set("skip_final_snapshot", skip_snapshot);
        match self.deletion.reason() {
            Some(reason) => primary = primary.skip_check("CKV_AWS_293", reason).destroyable(reason),
            None => primary = primary.set("final_snapshot_identifier", format!("{id}-final")),
        }
        if !engine.multi_az {
            primary = primary.skip_check("CKV_AWS_157", "single-AZ by the environment's settings");
        }
        let main = ctx.add(primary);
        let members = (engine.replicas > 0).then(|| {
            let class = engine.replica_class.as_deref().unwrap_or(&self.class);
            let pattern = engine.replica_identifier.clone().unwrap_or_else(|| format!("{id}-replica-{{n}}"));
            let identifier = match pattern.split_once("{n}") {
                Some((before, after)) => template![before, count_index().plus(1), after],
                None => Expr::from(pattern),
            };
            let replica =
                common(Resource::new("aws_db_instance", format!("{k}_replica")), class, engine.replica_minor_upgrades)
                    .count(usize::from(engine.replicas))
                    .set("identifier", identifier)
                    .set("replicate_source_db", main.attr("identifier"))
                    .set("multi_az", false)
                    // PostgreSQL 14.1+ replicas keep their own backups, so they can be promoted safely.
                    .set("backup_retention_period", 7)
                    .set("skip_final_snapshot", true)
                    .set("tags", Expression::from_iter([("Type", "read-replica")]))
                    .skip_check("CKV_AWS_157", "a read replica scales reads; the primary is the one that fails over")
                    .destroyable("a read replica copies its primary, and scaling replicas down destroys some");
            ctx.add(replica)
        });
        DatabaseRef {
            endpoint: main.attr("endpoint").typed(),
            address: main.attr("address").typed(),
            port: PORT,
            security_group: placement.sg,
            master_secret: written.unwrap_or_else(|| {
                let arn = main.attr("master_user_secret").index(0).attr("secret_arn").typed();
                SecretRef::external_json(arn, &["username", "password"])
            }),
            resource: main,
            members,
        }
    }

    fn check_instance(&self, stack: &mut Context, at: &str) {
        let e = &self.engine;
        if e.max_storage_gib < e.storage_gib || e.storage_gib < 20 {
            stack.problem_at(
                at,
                "allocated_storage",
                format!("storage {} GiB growing to {} GiB is not valid", e.storage_gib, e.max_storage_gib),
                "use at least 20 GiB and a ceiling no lower than the initial size",
            );
        }
        if let Some(class) = &e.replica_class
            && !super::valid_instance_class(class)
        {
            let message = format!("replica instance class `{class}` is not of the form db.<family>.<size>");
            stack.problem_at(format!("{at}_replica"), "instance_class", message, "use a class such as db.r6g.large");
        }
        if e.replicas > 1 && e.replica_identifier.as_ref().is_some_and(|p| !p.contains("{n}")) {
            let help = "put `{n}` in the pattern, e.g. `cvd-production-read-{n}`";
            stack.problem_at(
                format!("{at}_replica"),
                "identifier",
                format!("{} replicas would share one identifier", e.replicas),
                help,
            );
        }
        if e.replicas > 15 {
            stack.problem_at(at, "replicas", format!("{} read replicas", e.replicas), "RDS allows at most 15");
        }
    }
}
