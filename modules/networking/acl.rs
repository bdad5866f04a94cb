//! Network ACLs per subnet tier, a stateless second layer under the security groups.

use super::super::Context;
use crate::prelude::*;

/// Return traffic arrives on ephemeral ports; the range skips 3389 (RDP), which no tier
/// answers from the internet.
const EPHEMERAL: [(u16, u16); 2] = [(1024, 3388), (3390, 65535)];

/// One rule: number, protocol, CIDR, ports.
type Rule = (u16, &'static str, &'static str, (u16, u16));

fn entry((number, protocol, cidr, (from, to)): Rule) -> Body {
    Body::new()
        .set("rule_no", number)
        .set("action", "allow")
        .set("protocol", protocol)
        .set("cidr_block", cidr)
        .set("from_port", from)
        .set("to_port", to)
}

/// Ingress rules of `tier`: the VPC reaches every tier; the internet reaches the public tier on
/// 80 and 443; replies to connections a tier opened come back on ephemeral ports (the database
/// tier opens none to the internet).
fn ingress(tier: &str, vpc: &'static str) -> Vec<Rule> {
    let mut rules = vec![(100, "-1", vpc, (0, 0))];
    if tier == "public" {
        rules.extend([(110, "tcp", "0.0.0.0/0", (443, 443)), (120, "tcp", "0.0.0.0/0", (80, 80))]);
    }
    if tier != "database" {
        let mut number = 200;
        for protocol in ["tcp", "udp"] {
            for ports in EPHEMERAL {
                rules.push((number, protocol, "0.0.0.0/0", ports));
                number += 10;
            }
        }
    }
    rules
}

/// Adds one ACL per tier over `subnets` (the tier's subnet ids).
pub(super) fn add(stack: &mut Context, key: &str, name: &str, vpc: (&Ref, &'static str), tiers: &[(&str, Expression)]) {
    for (tier, subnets) in tiers {
        let egress = if *tier == "database" { vpc.1 } else { "0.0.0.0/0" };
        let mut acl = Resource::new("aws_network_acl", format!("{key}_{tier}"))
            .set("vpc_id", vpc.0.id())
            .set("subnet_ids", subnets.clone())
            .block("egress", entry((100, "-1", egress, (0, 0))));
        for rule in ingress(tier, vpc.1) {
            acl = acl.block("ingress", entry(rule));
        }
        stack.add(acl.set("tags", Expression::from_iter([("Name", Expression::from(format!("{name}-{tier}")))])));
    }
}
