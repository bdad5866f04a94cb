//! AI-Prism's per-environment settings (seed 001 states production; the seed's prose gives
//! the smaller tiers).

use serde::Serialize;

use super::super::Env;
use tfsynth::modules::cache::Availability;
use tfsynth::modules::dns::ZoneId;
use tfsynth::modules::networking::NatGateways;
use tfsynth::modules::{Account, Deletion, Retention};

/// One EKS managed node group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeGroup {
    /// The group's name.
    pub name: &'static str,
    /// Instance types to choose from.
    pub instance_types: &'static [&'static str],
    /// Spot capacity.
    pub spot: bool,
    /// GPU instances (GPU AMI).
    pub gpu: bool,
    /// (min, desired, max) nodes.
    pub size: (u16, u16, u16),
    /// Kubernetes node labels.
    pub labels: &'static [(&'static str, &'static str)],
    /// A taint `(key, value, effect)`, if any.
    pub taint: Option<(&'static str, &'static str, &'static str)>,
}

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// The seed's short environment name (`prod`), used in resource names and the state key.
    pub short_env: &'static str,
    /// Where the environment deploys.
    pub account: Account,
    /// Availability zones (seed 001: three).
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
    /// Aurora instance class.
    pub db_class: &'static str,
    /// Aurora instances.
    pub db_instances: u8,
    /// Days of automated backups.
    pub backup_retention_days: u8,
    /// Deletion protection.
    pub db_deletion: Deletion,
    /// How long logs are kept.
    pub log_retention: Retention,
    /// The node groups.
    pub node_groups: Vec<NodeGroup>,
    /// Redis node type.
    pub redis_node: &'static str,
    /// Redis nodes: seed 001 runs a primary and two replicas.
    pub redis_availability: Availability,
    /// The load balancer's name.
    pub alb_name: &'static str,
    /// The public host name.
    pub domain: &'static str,
    /// More names in the zone that reach the load balancer (seed 001: `api.` in production).
    pub aliases: &'static [&'static str],
    /// The hosted zone of `domain`.
    pub zone: ZoneId,
    /// Bump to generate and write a new database password.
    pub credentials_version: u32,
}

const GPU_TAINT: Option<(&str, &str, &str)> = Some(("nvidia.com/gpu", "true", "NO_SCHEDULE"));

/// Seed 001's three node groups, with `scale` applied to their sizes.
fn node_groups(web: (u16, u16, u16), api: (u16, u16, u16), gpu: (u16, u16, u16)) -> Vec<NodeGroup> {
    vec![
        NodeGroup {
            name: "web-tier",
            instance_types: &["t3.medium", "t3.large"],
            spot: false,
            gpu: false,
            size: web,
            labels: &[("Tier", "web")],
            taint: None,
        },
        NodeGroup {
            name: "api-tier",
            instance_types: &["c5.large", "c5.xlarge", "c5.2xlarge"],
            spot: true,
            gpu: false,
            size: api,
            labels: &[("Tier", "api")],
            taint: None,
        },
        NodeGroup {
            name: "ai-processing",
            instance_types: &["g4dn.xlarge", "g4dn.2xlarge"],
            spot: false,
            gpu: true,
            size: gpu,
            labels: &[("Tier", "ai-processing"), ("nvidia.com/gpu", "true")],
            taint: GPU_TAINT,
        },
    ]
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        Env::Development => Settings {
            short_env: "dev",
            account: Account::new("111122223333", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            db_class: "db.t4g.medium",
            db_instances: 1,
            backup_retention_days: 7,
            db_deletion: Deletion::Unprotected("development data is disposable"),
            log_retention: Retention::Days(30, "development needs no audit trail"),
            node_groups: node_groups((1, 1, 3), (1, 1, 3), (0, 0, 1)),
            redis_node: "cache.t4g.small",
            redis_availability: Availability::SingleNode,
            alb_name: "ai-prism-dev-alb",
            domain: "dev.ai-prism.example.com",
            aliases: &[],
            zone: ZoneId::new("Z0AIPRISMDEV0000001"),
            credentials_version: 1,
        },
        Env::Staging => Settings {
            short_env: "staging",
            account: Account::new("444455556666", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::Single,
            db_class: "db.r6g.large",
            db_instances: 2,
            backup_retention_days: 7,
            db_deletion: Deletion::Unprotected("staging is rebuilt from production snapshots"),
            log_retention: Retention::Days(90, "staging keeps a quarter"),
            // "Production-like, scaled down 50 %" (seed 001).
            node_groups: node_groups((2, 3, 10), (3, 5, 25), (1, 2, 8)),
            redis_node: "cache.r6g.large",
            redis_availability: Availability::MultiAz { replicas: 1 },
            alb_name: "ai-prism-staging-alb",
            domain: "staging.ai-prism.example.com",
            aliases: &[],
            zone: ZoneId::new("Z0AIPRISMSTAGING001"),
            credentials_version: 1,
        },
        // Seed 001: web 3/6/20, API 5/10/50 on Spot, GPU 2/5/15; Aurora r6g.large x 3.
        Env::Production => Settings {
            short_env: "prod",
            account: Account::new("777788889999", "us-east-1"),
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::PerAz,
            db_class: "db.r6g.large",
            db_instances: 3,
            backup_retention_days: 30,
            db_deletion: Deletion::Protected,
            log_retention: Retention::OneYear,
            node_groups: node_groups((3, 6, 20), (5, 10, 50), (2, 5, 15)),
            redis_node: "cache.r6g.large",
            redis_availability: Availability::MultiAz { replicas: 2 },
            // Seed 001's name; the other environments carry theirs so they can share an account.
            alb_name: "ai-prism-alb",
            domain: "ai-prism.example.com",
            aliases: &["api.ai-prism.example.com"],
            zone: ZoneId::new("Z0AIPRISMPROD000001"),
            credentials_version: 1,
        },
    }
}
