//! Aurora PostgreSQL: a cluster whose storage is replicated across three AZs, and instances of
//! which the first writes and the others read and take over on failure.

use super::super::Context;
use super::super::secrets::SecretRef;
use super::{Database, DatabaseRef, PORT, Placement};
use crate::prelude::*;

/// What only an Aurora cluster has: its instances.
#[derive(Debug, Clone)]
pub struct Cluster {
    instances: u8,
    instance_identifier: Option<String>,
}

/// Aurora PostgreSQL.
pub type Aurora = Database<Cluster>;

/// The logs an Aurora PostgreSQL cluster exports.
const LOG_EXPORTS: [&str; 1] = ["postgresql"];

impl Database<Cluster> {
    /// Cluster `key` with identifier `identifier`, running Aurora PostgreSQL `version` on
    /// instances of class `class`: two instances (a writer and a reader to fail over to).
    pub fn new(
        key: impl Into<String>,
        identifier: impl Into<String>,
        version: impl Into<String>,
        class: impl Into<String>,
    ) -> Self {
        let cluster = Cluster { instances: 2, instance_identifier: None };
        Database::with(key.into(), identifier.into(), version.into(), class.into(), cluster)
    }

    /// How many instances (1-15); the first is the writer.
    pub fn instances(mut self, n: u8) -> Self {
        self.engine.instances = n;
        self
    }

    /// The instances' identifiers, with `{n}` standing for 0, 1, …; default
    /// `<identifier>-{n}` (seed 001's naming).
    pub fn instance_identifier(mut self, pattern: impl Into<String>) -> Self {
        self.engine.instance_identifier = Some(pattern.into());
        self
    }

    /// Adds the cluster, its instances, subnet group, parameter group, security group, log
    /// group and monitoring role. Only the clients given may connect, on 5432.
    pub fn build(self, ctx: &mut Context) -> DatabaseRef {
        ctx.within("database", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> DatabaseRef {
        let at = format!("aws_rds_cluster.{}", self.key);
        self.check(ctx, &at);
        let n = self.engine.instances;
        if !(1..=15).contains(&n) {
            ctx.problem(&at, format!("{n} Aurora instances"), "an Aurora cluster has 1-15 instances");
        }
        let pattern = self.engine.instance_identifier.clone().unwrap_or_else(|| format!("{}-{{n}}", self.identifier));
        if !pattern.contains("{n}") {
            let help = "put `{n}` in the pattern, e.g. `ai-prism-prod-{n}`";
            ctx.problem_at(&at, "instance_identifier", "the instances would share one identifier", help);
        }
        let net = ctx.network_for(&at, self.network.as_ref());
        let key = ctx.key_for(&at, self.kms_key.as_ref());
        let placement = self.placement(ctx, &net, true, &LOG_EXPORTS);
        let Placement { sg, subnet_group, params, monitoring } = &placement;
        let (k, id) = (self.key.as_str(), self.identifier.as_str());
        let (protect, skip_snapshot) = self.protection();
        let cluster = Resource::new("aws_rds_cluster", k)
            .set("cluster_identifier", id)
            .set("engine", "aurora-postgresql")
            .set("engine_version", self.version.as_str())
            .set("database_name", self.db_name.as_str())
            .set("master_username", self.username.as_str())
            .set_by("backup_retention_period", "Aurora::backup_retention")
            .set_by("deletion_protection", "Aurora::deletion");
        let (password, written) = self.master_password(ctx, &key, "master_password");
        let mut cluster = password
            .into_iter()
            .fold(cluster, |r, (name, value)| r.set(name, value))
            .set("db_subnet_group_name", subnet_group.clone())
            .set("db_cluster_parameter_group_name", params.clone())
            .set("vpc_security_group_ids", vec![sg.id.clone()])
            .set("storage_encrypted", true)
            .set("kms_key_id", key.arn.clone())
            .set("iam_database_authentication_enabled", true)
            .set("backup_retention_period", self.backup_retention_days)
            .set("preferred_backup_window", self.backup_window.as_str())
            .set("preferred_maintenance_window", self.maintenance_window.as_str())
            .set("enabled_cloudwatch_logs_exports", LOG_EXPORTS.to_vec())
            .set("copy_tags_to_snapshot", true)
            .set("deletion_protection", protect)
            .set("skip_final_snapshot", skip_snapshot)
            .skip_check(
                "CKV2_AWS_8",
                "automated backups with point-in-time recovery; an AWS Backup plan is an account-wide choice",
            );
        match self.deletion.reason() {
            Some(reason) => cluster = cluster.skip_check("CKV_AWS_139", reason).destroyable(reason),
            None => cluster = cluster.set("final_snapshot_identifier", format!("{id}-final")),
        }
        let cluster = ctx.add(cluster);
        let identifier = match pattern.split_once("{n}") {
            Some((before, after)) => template![before, count_index(), after],
            None => Expr::from(pattern.clone()),
        };
        let members = ctx.add(
            self.minor_upgrades
                .apply(Resource::new("aws_rds_cluster_instance", k))
                .count(usize::from(n))
                .set("identifier", identifier)
                .set("cluster_identifier", cluster.id())
                .set("instance_class", self.class.as_str())
                .set("engine", cluster.attr("engine"))
                .set("engine_version", cluster.attr("engine_version"))
                .set("publicly_accessible", false)
                .set("ca_cert_identifier", "rds-ca-rsa2048-g1")
                .set("monitoring_interval", self.monitoring_interval)
                .set("monitoring_role_arn", monitoring.arn.clone())
                .set("performance_insights_enabled", true)
                .set("performance_insights_kms_key_id", key.arn.clone())
                .set("performance_insights_retention_period", self.insights_retention_days)
                .set("copy_tags_to_snapshot", true),
        );
        DatabaseRef {
            endpoint: template![cluster.attr("endpoint"), format!(":{PORT}")],
            address: cluster.attr("endpoint").typed(),
            port: PORT,
            security_group: placement.sg,
            master_secret: written.unwrap_or_else(|| {
                let arn = cluster.attr("master_user_secret").index(0).attr("secret_arn").typed();
                SecretRef::external_json(arn, &["username", "password"])
            }),
            resource: cluster,
            members: Some(members),
        }
    }
}
