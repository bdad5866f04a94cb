//! The takeoff stack's per-environment settings, in one table.

use super::super::Env;
use crate::modules::networking::NatGateways;
use crate::modules::{Account, Retention};

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where the environment deploys.
    pub account: Account,
    /// The VPC range; public and private /20s are carved out of it.
    pub vpc_cidr: &'static str,
    /// Availability zones, taken as settings because looking them up needs AWS credentials.
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
    /// How long VPC flow logs are kept.
    pub flow_log_retention: Retention,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    // One account per environment, as AWS recommends; the ids are AWS's documentation examples.
    match env {
        Env::Development => Settings {
            account: Account {
                id: "111122223333",
                region: "us-east-1",
            },
            vpc_cidr: "10.10.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            flow_log_retention: Retention::Days(30, "development traffic has no audit requirement"),
        },
        Env::Staging => Settings {
            account: Account {
                id: "444455556666",
                region: "us-east-1",
            },
            vpc_cidr: "10.20.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
            flow_log_retention: Retention::Days(90, "staging keeps a quarter for incident comparisons"),
        },
        // The seed's production layout: 3 AZs, 10.0.0.0/16, a NAT gateway per AZ.
        Env::Production => Settings {
            account: Account {
                id: "777788889999",
                region: "us-east-1",
            },
            vpc_cidr: "10.0.0.0/16",
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::PerAz,
            flow_log_retention: Retention::OneYear,
        },
    }
}
