//! SVG-AI's per-environment settings. The seeds describe production only; development and
//! staging are the same shape, scaled down and deletable.

use serde::Serialize;

use super::super::Env;
use crate::modules::container_registry::Tags;
use crate::modules::dns::ZoneId;
use crate::modules::networking::NatGateways;
use crate::modules::{Account, Deletion, Retention};

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// The environment's name, for secret paths.
    pub env_name: &'static str,
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
    /// API task size: CPU units and MiB (seed 003: 1024 / 2048).
    pub task_size: (u16, u32),
    /// API tasks: (desired and autoscaling floor, ceiling).
    pub tasks: (u16, u16),
    /// Load balancer deletion protection.
    pub alb_deletion: Deletion,
    /// How long logs are kept.
    pub log_retention: Retention,
    /// The image tag deployed.
    pub image_tag: &'static str,
    /// Whether image tags can be pushed again.
    pub image_tags: Tags,
    /// Where alarms go.
    pub alert_email: &'static str,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        Env::Development => Settings {
            env_name: "development",
            account: Account::new("111122223333", "us-east-1"),
            domain: "dev.svg-ai.com",
            zone_id: ZoneId::new("Z0DEVSVGAI000000001"),
            subnets: &[("us-east-1a", "10.0.1.0/24", "10.0.10.0/24"), ("us-east-1b", "10.0.2.0/24", "10.0.20.0/24")],
            nat: NatGateways::Single,
            task_size: (512, 1024),
            tasks: (1, 2),
            alb_deletion: Deletion::Unprotected("development is torn down freely"),
            log_retention: Retention::Days(7, "seed 003 keeps ECS logs 7 days; development needs no more"),
            image_tag: "main",
            image_tags: Tags::Mutable("development deploys the moving `main` tag on every merge"),
            alert_email: "svg-ai-dev@example.com",
        },
        Env::Staging => Settings {
            env_name: "staging",
            account: Account::new("444455556666", "us-east-1"),
            domain: "staging.svg-ai.com",
            zone_id: ZoneId::new("Z0STAGINGSVGAI00002"),
            subnets: &[("us-east-1a", "10.0.1.0/24", "10.0.10.0/24"), ("us-east-1b", "10.0.2.0/24", "10.0.20.0/24")],
            nat: NatGateways::Single,
            task_size: (1024, 2048),
            tasks: (1, 4),
            alb_deletion: Deletion::Unprotected("staging is rebuilt freely"),
            log_retention: Retention::Days(30, "staging keeps a month for debugging"),
            image_tag: "main",
            image_tags: Tags::Mutable("staging deploys the moving `main` tag on every merge"),
            alert_email: "svg-ai-staging@example.com",
        },
        // Seed 003: 2 tasks scaling to 10.
        Env::Production => Settings {
            env_name: "production",
            account: Account::new("777788889999", "us-east-1"),
            domain: "svg-ai.com",
            zone_id: ZoneId::new("Z0SVGAIPRODUCTION03"),
            subnets: &[("us-east-1a", "10.0.1.0/24", "10.0.10.0/24"), ("us-east-1b", "10.0.2.0/24", "10.0.20.0/24")],
            nat: NatGateways::Single,
            task_size: (1024, 2048),
            tasks: (2, 10),
            alb_deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            image_tag: "1.0.0",
            image_tags: Tags::Immutable,
            alert_email: "svg-ai-oncall@example.com",
        },
    }
}
