//! VPC, subnets, internet and NAT gateways, and routing.

use super::{NatGateways, Settings, name_tags};
use crate::prelude::*;

/// The handles the rest of the stack wires to.
pub(super) struct Network {
    pub vpc: Ref,
    pub public: Ref,
    pub private: Ref,
}

pub(super) fn build(stack: &mut Stack, s: &Settings, prefix: &Expr<String>) -> Network {
    let azs = stack.local("azs", s.azs.to_vec());
    let cidr = stack.local("vpc_cidr", s.vpc_cidr).typed::<String>();
    let az_count = s.azs.len();
    let numbered = |tier: &str| name_tags(prefix, template![format!("-{tier}-"), count_index().plus(1)], &[]);

    let vpc = stack.add(
        Resource::new("aws_vpc", "main")
            .set("cidr_block", cidr.clone())
            .set("enable_dns_hostnames", true)
            .set("enable_dns_support", true)
            .set("tags", name_tags(prefix, "-vpc", &[])),
    );
    // Nothing may use the default security group: with no rules it denies all traffic.
    stack.add(
        Resource::new("aws_default_security_group", "default")
            .set("vpc_id", vpc.id())
            .set("tags", name_tags(prefix, "-default-deny", &[])),
    );
    let igw = stack.add(
        Resource::new("aws_internet_gateway", "main")
            .set("vpc_id", vpc.id())
            .set("tags", name_tags(prefix, "-igw", &[])),
    );

    // Public /20s first, then private ones, as in the seed: netnum = index (+ AZ count).
    let subnet = |tier: &str, offset: usize| {
        let netnum = if offset == 0 {
            count_index()
        } else {
            count_index().plus(offset)
        };
        let tags = name_tags(
            prefix,
            template![format!("-{tier}-"), count_index().plus(1)],
            &[("Tier", tier)],
        );
        Resource::new("aws_subnet", tier)
            .count(az_count)
            .set("vpc_id", vpc.id())
            .set("cidr_block", cidrsubnet(cidr.clone(), 4, netnum))
            .set("availability_zone", azs.clone().index(count_index()))
            .set("tags", tags)
    };
    // Seed fix: the seed set map_public_ip_on_launch = true; nothing here needs it (the ALB and
    // NAT gateways get their own addresses) and scanners flag it (CKV_AWS_130).
    let public = stack.add(subnet("public", 0).set("map_public_ip_on_launch", false));
    let private = stack.add(subnet("private", az_count));

    let nat_count = match s.nat {
        NatGateways::Single => 1,
        NatGateways::PerAz => az_count,
    };
    let eip = stack.add(
        Resource::new("aws_eip", "nat")
            .count(nat_count)
            .set("domain", "vpc")
            .set("tags", numbered("nat-eip")),
    );
    let nat = stack.add(
        Resource::new("aws_nat_gateway", "main")
            .count(nat_count)
            .set("allocation_id", eip.at(count_index(), "id"))
            .set("subnet_id", public.at(count_index(), "id"))
            .set("tags", numbered("nat"))
            .depends_on(&igw),
    );

    let public_rt = stack.add(
        Resource::new("aws_route_table", "public")
            .set("vpc_id", vpc.id())
            .set("tags", name_tags(prefix, "-public-rt", &[])),
    );
    stack.add(
        Resource::new("aws_route", "public_internet")
            .set("route_table_id", public_rt.id())
            .set("destination_cidr_block", "0.0.0.0/0")
            .set("gateway_id", igw.id()),
    );
    stack.add(
        Resource::new("aws_route_table_association", "public")
            .count(az_count)
            .set("subnet_id", public.at(count_index(), "id"))
            .set("route_table_id", public_rt.id()),
    );
    let private_rt = stack.add(
        Resource::new("aws_route_table", "private")
            .count(nat_count)
            .set("vpc_id", vpc.id())
            .set("tags", numbered("private-rt")),
    );
    stack.add(
        Resource::new("aws_route", "private_nat")
            .count(nat_count)
            .set("route_table_id", private_rt.at(count_index(), "id"))
            .set("destination_cidr_block", "0.0.0.0/0")
            .set("nat_gateway_id", nat.at(count_index(), "id")),
    );
    let private_table: Expression = match s.nat {
        NatGateways::Single => 0.into(),
        NatGateways::PerAz => count_index().into(),
    };
    stack.add(
        Resource::new("aws_route_table_association", "private")
            .count(az_count)
            .set("subnet_id", private.at(count_index(), "id"))
            .set("route_table_id", private_rt.at(private_table, "id")),
    );
    Network { vpc, public, private }
}
