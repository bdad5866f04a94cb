//! CVD's per-environment settings (seed 000 sizes production and describes the smaller tiers).

use serde::Serialize;

use super::super::Env;
use tfsynth::modules::cache::Availability;
use tfsynth::modules::dns::ZoneId;
use tfsynth::modules::networking::NatGateways;
use tfsynth::modules::{Account, Deletion, Retention};

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Where the environment deploys.
    pub account: Account,
    /// Availability zones.
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
    /// Database instance class, storage (GiB) and read replicas.
    pub db: (&'static str, u32, u8),
    /// A database standby in a second AZ.
    pub db_multi_az: bool,
    /// Days of database backups (seed 000: 30 in production, 7 otherwise).
    pub backup_retention_days: u8,
    /// Database deletion protection.
    pub db_deletion: Deletion,
    /// Redis node type and failover.
    pub redis: (&'static str, Availability),
    /// App tasks: (floor, ceiling).
    pub app_tasks: (u16, u16),
    /// AI tasks: (floor, ceiling).
    pub ai_tasks: (u16, u16),
    /// Load balancer deletion protection.
    pub alb_deletion: Deletion,
    /// How long logs are kept.
    pub log_retention: Retention,
    /// The API's host name (seed 000: `api.cvd.example.com`, `staging.cvd.example.com`).
    pub host: &'static str,
    /// The static assets' host name (CloudFront).
    pub assets_host: &'static str,
    /// The hosted zone of both.
    pub zone_id: ZoneId,
    /// App task size: CPU units, MiB, GiB of ephemeral storage.
    pub app_size: (u16, u32, u8),
    /// AI task size: CPU units, MiB, GiB of ephemeral storage.
    pub ai_size: (u16, u32, u8),
    /// The application's `LOG_LEVEL`.
    pub log_level: &'static str,
    /// The environment as the seed's deploy scripts spell it in task families (`prod`).
    pub short_env: &'static str,
    /// Blue/green: `cvd-app-green` runs next to `cvd-app`; requests are split by these
    /// weights (blue, green). Switching is a reviewed settings change.
    pub green: Option<(u8, u8)>,
    /// EC2 capacity reserved for the baseline: instance type and count.
    pub reservation: Option<(&'static str, u16)>,
    /// Stop the services at 19:00 and start them at 07:00 (UTC) on a schedule.
    pub nightly_shutdown: bool,
    /// The version of the generated credentials (the database password, the `DATABASE_URL`
    /// and JWT secrets): bump it to rotate them; the run writes new values, write-only.
    pub credentials_version: u32,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        // Seed 000's development tier: one small container, a small database.
        Env::Development => Settings {
            account: Account::new("111122223333", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            db: ("db.t4g.small", 50, 0),
            db_multi_az: false,
            backup_retention_days: 7,
            db_deletion: Deletion::Unprotected("development data is synthetic"),
            redis: ("cache.t4g.micro", Availability::SingleNode),
            app_tasks: (1, 2),
            ai_tasks: (1, 2),
            alb_deletion: Deletion::Unprotected("development is torn down freely"),
            log_retention: Retention::Days(14, "development logs are for debugging only"),
            host: "development.cvd.example.com",
            assets_host: "assets.development.cvd.example.com",
            zone_id: ZoneId::new("Z0DEVCVDEXAMPLE0001"),
            // Seed 000's development tier: app 1 core / 2 GB / 10 GB, AI 2 cores / 4 GB / 20 GB.
            app_size: (1024, 2048, 20),
            ai_size: (2048, 4096, 20),
            log_level: "DEBUG",
            short_env: "dev",
            green: None,
            reservation: None,
            nightly_shutdown: true,
            credentials_version: 1,
        },
        Env::Staging => Settings {
            account: Account::new("444455556666", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            db: ("db.r6g.large", 100, 0),
            db_multi_az: false,
            backup_retention_days: 7,
            db_deletion: Deletion::Unprotected("staging restores from production dumps"),
            redis: ("cache.r6g.large", Availability::SingleNode),
            app_tasks: (1, 4),
            ai_tasks: (1, 3),
            alb_deletion: Deletion::Unprotected("staging is rebuilt freely"),
            log_retention: Retention::Days(90, "staging keeps a quarter"),
            host: "staging.cvd.example.com",
            assets_host: "assets.staging.cvd.example.com",
            zone_id: ZoneId::new("Z0STAGINGCVDEXAMPL2"),
            app_size: (2048, 4096, 20),
            ai_size: (4096, 8192, 50),
            log_level: "INFO",
            short_env: "staging",
            green: None,
            reservation: None,
            nightly_shutdown: false,
            credentials_version: 1,
        },
        // Seed 000's production: db.r6g.xlarge with 500 GB and replicas, cache.r6g.large x 2
        // with failover, app 2-10 tasks, AI service 2-3 tasks at 4 vCPU / 8 GB.
        Env::Production => Settings {
            account: Account::new("777788889999", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::PerAz,
            db: ("db.r6g.xlarge", 500, 2),
            db_multi_az: true,
            backup_retention_days: 30,
            db_deletion: Deletion::Protected,
            redis: ("cache.r6g.large", Availability::MultiAz { replicas: 1 }),
            app_tasks: (2, 10),
            ai_tasks: (2, 3),
            alb_deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            host: "api.cvd.example.com",
            assets_host: "assets.cvd.example.com",
            zone_id: ZoneId::new("Z0CVDEXAMPLE0000003"),
            // Seed 000: app 2 cores / 4 GB / 20 GB, AI 4 cores / 8 GB / 50 GB.
            app_size: (2048, 4096, 20),
            ai_size: (4096, 8192, 50),
            log_level: "WARNING",
            short_env: "prod",
            green: Some((100, 0)),
            reservation: Some(("t3.medium", 2)),
            nightly_shutdown: false,
            credentials_version: 1,
        },
    }
}
