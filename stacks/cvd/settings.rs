//! CVD's per-environment settings (seed 000 sizes production and describes the smaller tiers).

use serde::Serialize;

use super::super::Env;
use crate::modules::cache::Availability;
use crate::modules::dns::ZoneId;
use crate::modules::networking::NatGateways;
use crate::modules::{Account, Deletion, Retention};

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
    /// The site's domain.
    pub domain: &'static str,
    /// Its hosted zone.
    pub zone_id: ZoneId,
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
            domain: "dev.cvd.example.com",
            zone_id: ZoneId::new("Z0DEVCVDEXAMPLE0001"),
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
            domain: "staging.cvd.example.com",
            zone_id: ZoneId::new("Z0STAGINGCVDEXAMPL2"),
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
            domain: "cvd.example.com",
            zone_id: ZoneId::new("Z0CVDEXAMPLE0000003"),
        },
    }
}
