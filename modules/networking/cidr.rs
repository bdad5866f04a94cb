//! Subnet address plans, computed and checked at synth.

use ipnet::Ipv4Net;

/// How subnet ranges are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetLayout {
    /// Carve equal subnets out of the VPC range, `newbits` longer than the VPC prefix: public
    /// ones first, then private, then database (as `cidrsubnet(vpc, newbits, i)` would).
    Carved {
        /// Extra prefix bits per subnet (4 turns a /16 into /20s).
        newbits: u8,
    },
    /// Ranges given per tier, one per AZ.
    Explicit {
        /// Public subnet ranges.
        public: Vec<&'static str>,
        /// Private subnet ranges.
        private: Vec<&'static str>,
        /// Database subnet ranges (empty for none).
        database: Vec<&'static str>,
    },
}

/// The ranges of each tier, one per AZ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Public subnets.
    pub public: Vec<Ipv4Net>,
    /// Private subnets.
    pub private: Vec<Ipv4Net>,
    /// Database subnets.
    pub database: Vec<Ipv4Net>,
}

/// Works out the subnet ranges for `azs` AZs inside `vpc`, or says why they do not fit.
pub fn plan(vpc: &str, azs: usize, database: bool, layout: &SubnetLayout) -> Result<Plan, String> {
    let vpc: Ipv4Net = vpc.parse().map_err(|_| format!("`{vpc}` is not an IPv4 CIDR block such as 10.0.0.0/16"))?;
    if vpc.network() != vpc.addr() {
        return Err(format!("`{vpc}` has host bits set; the network is {}", vpc.trunc()));
    }
    if !(16..=28).contains(&vpc.prefix_len()) {
        return Err(format!("a VPC range must be between /16 and /28, not /{}", vpc.prefix_len()));
    }
    let plan = match layout {
        SubnetLayout::Carved { newbits } => carve(vpc, azs, database, *newbits)?,
        SubnetLayout::Explicit { public, private, database: db } => {
            let parse = |list: &[&str]| -> Result<Vec<Ipv4Net>, String> {
                list.iter().map(|c| c.parse().map_err(|_| format!("`{c}` is not an IPv4 CIDR block"))).collect()
            };
            Plan { public: parse(public)?, private: parse(private)?, database: parse(db)? }
        }
    };
    check(vpc, azs, database, &plan)?;
    Ok(plan)
}

fn carve(vpc: Ipv4Net, azs: usize, database: bool, newbits: u8) -> Result<Plan, String> {
    let prefix = vpc.prefix_len() + newbits;
    let tiers = if database { 3 } else { 2 };
    let needed = azs * tiers;
    let subnets: Vec<Ipv4Net> = vpc
        .subnets(prefix)
        .map_err(|_| format!("/{prefix} subnets do not fit a /{} VPC", vpc.prefix_len()))?
        .take(needed)
        .collect();
    if prefix > 28 || subnets.len() < needed {
        return Err(format!(
            "{needed} subnets of /{prefix} ({azs} AZs x {tiers} tiers) do not fit in {vpc}; use fewer newbits, fewer AZs or a larger VPC"
        ));
    }
    let tier = |i: usize| subnets[i * azs..(i + 1) * azs].to_vec();
    Ok(Plan { public: tier(0), private: tier(1), database: if database { tier(2) } else { Vec::new() } })
}

fn check(vpc: Ipv4Net, azs: usize, database: bool, plan: &Plan) -> Result<(), String> {
    let tiers = [("public", &plan.public), ("private", &plan.private), ("database", &plan.database)];
    for (name, list) in tiers {
        let expected = if name == "database" && !database { 0 } else { azs };
        if list.len() != expected {
            return Err(format!("{} {name} subnet ranges given for {azs} AZs; give exactly {expected}", list.len()));
        }
        if let Some(out) = list.iter().find(|n| !vpc.contains(*n)) {
            return Err(format!("{name} subnet {out} is outside the VPC range {vpc}"));
        }
    }
    let all: Vec<(&str, &Ipv4Net)> =
        tiers.iter().flat_map(|(name, list)| list.iter().map(move |n| (*name, n))).collect();
    for (i, (a_tier, a)) in all.iter().enumerate() {
        if let Some((b_tier, b)) = all[i + 1..].iter().find(|(_, b)| a.contains(*b) || b.contains(*a)) {
            return Err(format!("{a_tier} subnet {a} overlaps {b_tier} subnet {b}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carved(vpc: &str, azs: usize, database: bool) -> Result<Plan, String> {
        plan(vpc, azs, database, &SubnetLayout::Carved { newbits: 4 })
    }

    #[test]
    fn carving_matches_cidrsubnet_order() {
        let p = carved("10.0.0.0/16", 3, false).unwrap();
        let s = |v: &[Ipv4Net]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(s(&p.public), ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]);
        assert_eq!(s(&p.private), ["10.0.48.0/20", "10.0.64.0/20", "10.0.80.0/20"]);
        assert!(p.database.is_empty());
    }

    #[test]
    fn too_many_subnets_for_the_range() {
        let err = plan("10.0.0.0/16", 6, true, &SubnetLayout::Carved { newbits: 4 }).unwrap_err();
        assert!(err.contains("18 subnets of /20 (6 AZs x 3 tiers) do not fit in 10.0.0.0/16"), "{err}");
    }

    #[test]
    fn bad_vpc_ranges() {
        assert!(carved("10.0.0.0", 2, false).unwrap_err().contains("not an IPv4 CIDR block"));
        assert!(carved("10.0.0.1/16", 2, false).unwrap_err().contains("host bits set"));
        assert!(carved("10.0.0.0/8", 2, false).unwrap_err().contains("between /16 and /28"));
    }

    #[test]
    fn explicit_ranges_are_checked() {
        let layout = |public: Vec<&'static str>, private: Vec<&'static str>| SubnetLayout::Explicit {
            public,
            private,
            database: vec![],
        };
        let ok = plan(
            "10.0.0.0/16",
            2,
            false,
            &layout(vec!["10.0.1.0/24", "10.0.2.0/24"], vec!["10.0.10.0/24", "10.0.20.0/24"]),
        );
        assert!(ok.is_ok());
        let outside = plan(
            "10.0.0.0/16",
            2,
            false,
            &layout(vec!["10.0.1.0/24", "10.1.2.0/24"], vec!["10.0.10.0/24", "10.0.20.0/24"]),
        );
        assert!(outside.unwrap_err().contains("public subnet 10.1.2.0/24 is outside the VPC range 10.0.0.0/16"));
        let overlap = plan(
            "10.0.0.0/16",
            2,
            false,
            &layout(vec!["10.0.1.0/24", "10.0.2.0/24"], vec!["10.0.0.0/23", "10.0.20.0/24"]),
        );
        assert!(overlap.unwrap_err().contains("public subnet 10.0.1.0/24 overlaps private subnet 10.0.0.0/23"));
        let short = plan(
            "10.0.0.0/16",
            3,
            false,
            &layout(vec!["10.0.1.0/24", "10.0.2.0/24"], vec!["10.0.10.0/24", "10.0.20.0/24"]),
        );
        assert!(short.unwrap_err().contains("2 public subnet ranges given for 3 AZs; give exactly 3"));
    }
}
