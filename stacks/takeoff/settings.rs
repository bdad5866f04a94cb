//! The takeoff stack's per-environment settings, in one table.

use serde::Serialize;

use super::super::Env;
use tfsynth::modules::cache::Availability;
use tfsynth::modules::container_registry::Tags;
use tfsynth::modules::dns::ZoneId;
use tfsynth::modules::networking::NatGateways;
use tfsynth::modules::{Account, Deletion, Retention};

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Where the environment deploys.
    pub account: Account,
    /// The VPC range; public and private /20s are carved out of it.
    pub vpc_cidr: &'static str,
    /// Availability zones, taken as settings because looking them up needs AWS credentials.
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
    /// How long logs are kept: VPC flow logs, database logs, service logs. Seed fix: seed 002
    /// keeps 30 days everywhere; production keeps a year because audits ask for one, the
    /// shorter tiers keep what their reasons say.
    pub log_retention: Retention,
    /// The PostgreSQL instance.
    pub db: DbSettings,
    /// The Redis replication group.
    pub cache: CacheSettings,
    /// The domain the environment serves under (`app.` and `api.` records are added).
    pub domain: &'static str,
    /// The Route53 hosted zone of that domain.
    pub zone_id: ZoneId,
    /// Load balancer deletion protection.
    pub alb_deletion: Deletion,
    /// Task counts: (desired and autoscaling floor, autoscaling ceiling) per service.
    pub tasks: Tasks,
    /// The image tag deployed unless the pipeline passes another (`-var image_tag=...`).
    pub image_tag: &'static str,
    /// Whether image tags can be pushed again.
    pub image_tags: Tags,
    /// The GitHub repository (`owner/name`) whose release workflow deploys the stack.
    pub repository: &'static str,
    /// The version of the generated credentials (the database password, the `DATABASE_URL`
    /// and JWT secrets): bump it to rotate them; the run writes new values, write-only.
    pub credentials_version: u32,
    /// Where alarms are sent.
    pub alert_email: &'static str,
    /// The services' `LOG_LEVEL`.
    pub log_level: &'static str,
    /// Days database dumps are kept in the backups bucket (seed 002's script: 30).
    pub backup_days_kept: u32,
}

/// Task counts per service: (desired and autoscaling floor, ceiling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tasks {
    /// The API.
    pub api: (u16, u16),
    /// The Celery workers.
    pub worker: (u16, u16),
    /// The web frontend.
    pub frontend: (u16, u16),
}

/// The Redis replication group's per-environment settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheSettings {
    /// Node type.
    pub node_type: &'static str,
    /// Nodes and failover.
    pub availability: Availability,
    /// Days of snapshots.
    pub snapshot_retention_days: u8,
}

/// The PostgreSQL instance's per-environment settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbSettings {
    /// Instance class of the primary and replicas.
    pub class: &'static str,
    /// Initial and maximum storage, GiB.
    pub storage_gib: (u32, u32),
    /// A standby in a second AZ.
    pub multi_az: bool,
    /// Read replicas.
    pub replicas: u8,
    /// Days of automated backups.
    pub backup_retention_days: u8,
    /// Deletion protection and final snapshot.
    pub deletion: Deletion,
    /// Connections that raise the runbook alarm: 80 % of the class's `max_connections`
    /// (RDS PostgreSQL: memory / 9,531,392 bytes).
    pub connections_alarm: u32,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    // One account per environment, as AWS recommends; the ids are AWS's documentation examples.
    match env {
        Env::Development => Settings {
            account: Account::new("111122223333", "us-east-1"),
            vpc_cidr: "10.10.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            log_retention: Retention::Days(30, "development traffic has no audit requirement"),
            db: DbSettings {
                class: "db.t4g.micro",
                storage_gib: (20, 100),
                multi_az: false,
                replicas: 0,
                backup_retention_days: 7,
                deletion: Deletion::Unprotected("development data is disposable"),
                connections_alarm: 90,
            },
            cache: CacheSettings {
                node_type: "cache.t4g.micro",
                availability: Availability::SingleNode,
                snapshot_retention_days: 1,
            },
            domain: "dev.takeoff.example.com",
            zone_id: ZoneId::new("Z0DEVTAKEOFF00000001"),
            alb_deletion: Deletion::Unprotected("development is torn down freely"),
            tasks: Tasks { api: (1, 2), worker: (1, 2), frontend: (1, 2) },
            image_tag: "main",
            image_tags: Tags::Mutable("development deploys the moving `main` tag on every merge"),
            repository: "company/takeoff",
            credentials_version: 1,
            alert_email: "takeoff-dev@example.com",
            log_level: "DEBUG",
            backup_days_kept: 30,
        },
        Env::Staging => Settings {
            account: Account::new("444455556666", "us-east-1"),
            vpc_cidr: "10.20.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            log_retention: Retention::Days(90, "staging keeps a quarter for incident comparisons"),
            db: DbSettings {
                class: "db.t4g.medium",
                storage_gib: (50, 200),
                multi_az: false,
                replicas: 0,
                backup_retention_days: 7,
                deletion: Deletion::Unprotected("staging is rebuilt from production snapshots"),
                connections_alarm: 360,
            },
            cache: CacheSettings {
                node_type: "cache.t4g.small",
                availability: Availability::SingleNode,
                snapshot_retention_days: 3,
            },
            domain: "staging.takeoff.example.com",
            zone_id: ZoneId::new("Z0STAGINGTAKEOFF0002"),
            alb_deletion: Deletion::Unprotected("staging is rebuilt freely"),
            tasks: Tasks { api: (2, 4), worker: (2, 6), frontend: (2, 4) },
            image_tag: "main",
            image_tags: Tags::Mutable("staging deploys the moving `main` tag on every merge"),
            repository: "company/takeoff",
            credentials_version: 1,
            alert_email: "takeoff-staging@example.com",
            log_level: "INFO",
            backup_days_kept: 30,
        },
        // The seed's production layout: 3 AZs, 10.0.0.0/16, a NAT gateway per AZ.
        Env::Production => Settings {
            account: Account::new("777788889999", "us-east-1"),
            vpc_cidr: "10.0.0.0/16",
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::PerAz,
            log_retention: Retention::OneYear,
            // Seed 002 production values: r6g.large, 200 GiB growing to 1000, Multi-AZ, one replica.
            db: DbSettings {
                class: "db.r6g.large",
                storage_gib: (200, 1000),
                multi_az: true,
                replicas: 1,
                backup_retention_days: 30,
                deletion: Deletion::Protected,
                connections_alarm: 1440,
            },
            cache: CacheSettings {
                node_type: "cache.r6g.medium",
                availability: Availability::MultiAz { replicas: 1 },
                snapshot_retention_days: 7,
            },
            domain: "takeoff.example.com",
            zone_id: ZoneId::new("Z0TAKEOFFEXAMPLE0003"),
            alb_deletion: Deletion::Protected,
            // Seed 002: API 3-10, workers 5-20; the frontend had no service at all.
            tasks: Tasks { api: (3, 10), worker: (5, 20), frontend: (2, 6) },
            image_tag: "1.0.0",
            image_tags: Tags::Immutable,
            repository: "company/takeoff",
            credentials_version: 1,
            alert_email: "takeoff-oncall@example.com",
            log_level: "INFO",
            backup_days_kept: 30,
        },
    }
}
