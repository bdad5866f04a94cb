//! SVG-AI's per-environment settings. The seeds describe production only; development and
//! staging are the same shape, scaled down and deletable.

use super::super::Env;
use crate::modules::load_balancing::Deletion;
use crate::modules::{Account, Retention};

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The environment's name, for secret paths.
    pub env_name: &'static str,
    /// Where the environment deploys.
    pub account: Account,
    /// The site's domain (`www.` and `origin.` are added).
    pub domain: &'static str,
    /// Its Route53 hosted zone.
    pub zone_id: &'static str,
    /// API tasks: (desired and autoscaling floor, ceiling).
    pub tasks: (u16, u16),
    /// Load balancer deletion protection.
    pub alb_deletion: Deletion,
    /// How long logs are kept.
    pub log_retention: Retention,
    /// The image tag deployed.
    pub image_tag: &'static str,
    /// Where alarms go.
    pub alert_email: &'static str,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        Env::Development => Settings {
            env_name: "development",
            account: Account { id: "111122223333", region: "us-east-1" },
            domain: "dev.svg-ai.com",
            zone_id: "Z0DEVSVGAI000000001",
            tasks: (1, 2),
            alb_deletion: Deletion::Unprotected("development is torn down freely"),
            log_retention: Retention::Days(7, "seed 003 keeps ECS logs 7 days; development needs no more"),
            image_tag: "main",
            alert_email: "svg-ai-dev@example.com",
        },
        Env::Staging => Settings {
            env_name: "staging",
            account: Account { id: "444455556666", region: "us-east-1" },
            domain: "staging.svg-ai.com",
            zone_id: "Z0STAGINGSVGAI00002",
            tasks: (1, 4),
            alb_deletion: Deletion::Unprotected("staging is rebuilt freely"),
            log_retention: Retention::Days(30, "staging keeps a month for debugging"),
            image_tag: "main",
            alert_email: "svg-ai-staging@example.com",
        },
        // Seed 003: 2 tasks scaling to 10.
        Env::Production => Settings {
            env_name: "production",
            account: Account { id: "777788889999", region: "us-east-1" },
            domain: "svg-ai.com",
            zone_id: "Z0SVGAIPRODUCTION03",
            tasks: (2, 10),
            alb_deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            image_tag: "1.0.0",
            alert_email: "svg-ai-oncall@example.com",
        },
    }
}
