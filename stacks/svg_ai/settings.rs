//! SVG-AI's per-environment settings. The seeds describe production only; development and
//! staging are the same shape, scaled down and deletable. Each environment is its own
//! account, so the seed's names (`svg-ai-cluster`, `svg-ai-alb`, …) are kept in all three.

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
    /// The environment's name, for secret paths and the dashboard.
    pub env_name: &'static str,
    /// The region the main bucket is replicated to (seed 003: production's daily copy to
    /// `svg-ai-backup` in us-west-2), if any.
    pub backup_region: Option<&'static str>,
    /// Where the environment deploys.
    pub account: Account,
    /// The site's domain (`www.` and `origin.` are added).
    pub domain: &'static str,
    /// Its Route53 hosted zone.
    pub zone_id: ZoneId,
    /// Availability zones and the matching public and private /24s (seed 003's plan).
    pub subnets: &'static [(&'static str, &'static str, &'static str)],
    /// NAT layout (seed 003: one NAT gateway).
    pub nat: NatGateways,
    /// API task size: CPU units and MiB (seed 003: 1024 / 2048, right-sized to 512 / 1024 where
    /// usage allows).
    pub task_size: (u16, u32),
    /// API tasks: (desired and autoscaling floor, ceiling).
    pub tasks: (u16, u16),
    /// Off-peak (22:00-07:00 UTC) autoscaling bounds.
    pub off_peak_tasks: (u16, u16),
    /// AI service task size and tasks (seed 004's image with its models).
    pub ai_size: (u16, u32),
    /// AI service tasks: (floor, ceiling).
    pub ai_tasks: (u16, u16),
    /// The canary: a green API service next to the blue one, taking this share of requests
    /// (blue, green); `None` runs blue alone.
    pub canary: Option<(u8, u8)>,
    /// Load balancer deletion protection.
    pub alb_deletion: Deletion,
    /// How long logs are kept.
    pub log_retention: Retention,
    /// The image tag deployed.
    pub image_tag: &'static str,
    /// Whether image tags can be pushed again.
    pub image_tags: Tags,
    /// Where alarms and budget notifications go.
    pub alert_email: &'static str,
    /// PostgreSQL instance class and deletion protection.
    pub db: (&'static str, Deletion),
    /// Redis node type and failover.
    pub redis: (&'static str, Availability),
    /// The monthly budget, US dollars.
    pub budget_usd: u32,
}

/// Seed 003's subnet plan, the same in every account.
const SUBNETS: &[(&str, &str, &str)] =
    &[("us-east-1a", "10.0.1.0/24", "10.0.10.0/24"), ("us-east-1b", "10.0.2.0/24", "10.0.20.0/24")];

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        Env::Development => Settings {
            env_name: "development",
            backup_region: None,
            account: Account::new("111122223333", "us-east-1"),
            domain: "dev.svg-ai.com",
            zone_id: ZoneId::new("Z0DEVSVGAI000000001"),
            subnets: SUBNETS,
            nat: NatGateways::Single,
            task_size: (512, 1024),
            tasks: (1, 2),
            off_peak_tasks: (1, 1),
            ai_size: (1024, 4096),
            ai_tasks: (1, 1),
            canary: None,
            alb_deletion: Deletion::Unprotected("development is torn down freely"),
            log_retention: Retention::Days(7, "seed 003 keeps ECS logs 7 days; development needs no more"),
            image_tag: "main",
            image_tags: Tags::Mutable("development deploys the moving `main` tag on every merge"),
            alert_email: "svg-ai-dev@example.com",
            db: ("db.t4g.micro", Deletion::Unprotected("development data is disposable")),
            redis: ("cache.t4g.micro", Availability::SingleNode),
            budget_usd: 150,
        },
        Env::Staging => Settings {
            env_name: "staging",
            backup_region: None,
            account: Account::new("444455556666", "us-east-1"),
            domain: "staging.svg-ai.com",
            zone_id: ZoneId::new("Z0STAGINGSVGAI00002"),
            subnets: SUBNETS,
            nat: NatGateways::Single,
            task_size: (1024, 2048),
            tasks: (1, 4),
            off_peak_tasks: (1, 2),
            ai_size: (2048, 4096),
            ai_tasks: (1, 2),
            canary: None,
            alb_deletion: Deletion::Unprotected("staging is rebuilt freely"),
            log_retention: Retention::Days(30, "staging keeps a month for debugging"),
            image_tag: "main",
            image_tags: Tags::Mutable("staging deploys the moving `main` tag on every merge"),
            alert_email: "svg-ai-staging@example.com",
            db: ("db.t4g.small", Deletion::Unprotected("staging is rebuilt from production snapshots")),
            redis: ("cache.t4g.small", Availability::SingleNode),
            budget_usd: 300,
        },
        // Seed 003: 2 tasks scaling to 10; the canary at 90/10.
        Env::Production => Settings {
            env_name: "production",
            backup_region: Some("us-west-2"),
            account: Account::new("777788889999", "us-east-1"),
            domain: "svg-ai.com",
            zone_id: ZoneId::new("Z0SVGAIPRODUCTION03"),
            subnets: SUBNETS,
            nat: NatGateways::Single,
            task_size: (1024, 2048),
            tasks: (2, 10),
            off_peak_tasks: (1, 4),
            ai_size: (2048, 8192),
            ai_tasks: (2, 4),
            canary: Some((90, 10)),
            alb_deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            image_tag: "1.0.0",
            image_tags: Tags::Immutable,
            alert_email: "svg-ai-oncall@example.com",
            db: ("db.t4g.medium", Deletion::Protected),
            redis: ("cache.t4g.small", Availability::MultiAz { replicas: 1 }),
            budget_usd: 1000,
        },
    }
}
