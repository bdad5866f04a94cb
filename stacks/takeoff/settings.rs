//! The takeoff stack's per-environment settings, in one table.

use super::super::Env;

/// How many NAT gateways the private subnets share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatGateways {
    /// One NAT gateway in the first AZ: cheaper, but private subnets lose egress if that AZ fails.
    Single,
    /// One NAT gateway per AZ: each AZ keeps egress on its own.
    PerAz,
}

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The VPC range; public and private /20s are carved out of it.
    pub vpc_cidr: &'static str,
    /// Availability zones, taken as settings because looking them up needs AWS credentials.
    pub azs: &'static [&'static str],
    /// NAT layout.
    pub nat: NatGateways,
}

/// The settings table.
pub fn settings(env: Env) -> Settings {
    match env {
        Env::Development => Settings {
            vpc_cidr: "10.10.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
        },
        Env::Staging => Settings {
            vpc_cidr: "10.20.0.0/16",
            azs: &["us-east-1a", "us-east-1b"],
            nat: NatGateways::Single,
        },
        // The seed's production layout: 3 AZs, 10.0.0.0/16, a NAT gateway per AZ.
        Env::Production => Settings {
            vpc_cidr: "10.0.0.0/16",
            azs: &["us-east-1a", "us-east-1b", "us-east-1c"],
            nat: NatGateways::PerAz,
        },
    }
}
