//! Security groups whose rules are separate resources, typed by port and peer.

use super::super::Context;
use super::VpcRef;
use crate::prelude::*;

/// A security group, to attach to resources and to name as a peer in other groups' rules.
#[derive(Debug, Clone)]
pub struct SecurityGroupRef {
    /// The group id.
    pub id: Expr<String>,
    key: String,
}

/// A security group under construction. It starts with no rules: no traffic in or out.
#[derive(Debug, Clone)]
#[must_use = "a security group does nothing until built into a stack"]
pub struct SecurityGroup {
    key: String,
    name: Expression,
    description: String,
    network: Option<VpcRef>,
}

impl SecurityGroup {
    /// Group `key` called `name`, in the context's network.
    pub fn new(key: impl Into<String>, name: impl Into<Expression>, description: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), description: description.into(), network: None }
    }

    /// The network to create the group in instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    /// Adds the group.
    pub fn build(self, ctx: &mut Context) -> SecurityGroupRef {
        let address = format!("aws_security_group.{}", self.key);
        let net = ctx.network_for(&address, self.network.as_ref());
        let group = ctx.add(
            Resource::new("aws_security_group", &self.key)
                .set("name", self.name.clone())
                .set("description", self.description)
                .set("vpc_id", net.vpc_id.0)
                .set("tags", Expression::from_iter([("Name", self.name)])),
        );
        SecurityGroupRef { id: group.id(), key: self.key }
    }
}

/// A TCP port or port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    from: u16,
    to: u16,
}

impl Port {
    /// One TCP port.
    pub const fn tcp(port: u16) -> Self {
        Self { from: port, to: port }
    }

    /// An inclusive TCP port range.
    pub const fn tcp_range(from: u16, to: u16) -> Self {
        Self { from, to }
    }

    fn label(self) -> String {
        if self.from == self.to { self.from.to_string() } else { format!("{}_{}", self.from, self.to) }
    }
}

/// The other side of a rule.
#[derive(Debug, Clone, Copy)]
pub enum Peer<'a> {
    /// Another security group.
    Group(&'a SecurityGroupRef),
    /// An IPv4 range.
    Cidr(&'static str),
    /// Anywhere: `0.0.0.0/0`.
    Internet,
    /// A managed prefix list, e.g. the S3 gateway endpoint's.
    PrefixList(&'a Expr<String>),
}

/// Ports of data stores that must never face the internet without an explicit opt-out.
const DATABASE_PORTS: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5439, "Redshift"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

/// A deliberate exception to the rules' safety checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exception {
    None,
    /// A database port open to the internet, asked for by name.
    PublicDatabase,
    /// A scanner check waived with a reason.
    Waive(&'static str, &'static str),
}

/// Which way a rule points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl SecurityGroupRef {
    /// A group created elsewhere (e.g. the cluster security group EKS creates), named `key`
    /// in the rules that reference it.
    pub fn existing(key: &str, id: Expr<String>) -> Self {
        Self { id, key: key.to_owned() }
    }

    /// Allows TCP `port` in from `peer`.
    pub fn allow_in(&self, stack: &mut Context, port: Port, peer: Peer<'_>, description: &str) -> &Self {
        self.rule(stack, Direction::Ingress, port, peer, description, Exception::None)
    }

    /// Allows TCP `port` out to `peer`.
    pub fn allow_out(&self, stack: &mut Context, port: Port, peer: Peer<'_>, description: &str) -> &Self {
        self.rule(stack, Direction::Egress, port, peer, description, Exception::None)
    }

    /// Opens port 80 to the internet for a load balancer's HTTP -> HTTPS redirect, waiving the
    /// scanners' "no port 80 from anywhere" check (`CKV_AWS_260`) with that reason.
    pub fn allow_http_redirect_from_internet(&self, stack: &mut Context) -> &Self {
        let reason = "port 80 only serves the load balancer's redirect to HTTPS";
        self.rule(
            stack,
            Direction::Ingress,
            Port::tcp(80),
            Peer::Internet,
            "HTTP from the internet, redirected to HTTPS",
            Exception::Waive("CKV_AWS_260", reason),
        );
        self.approve_internet(stack, Port::tcp(80), reason)
    }

    /// Opens a database port to the internet. Almost always a mistake; `reason` is recorded in
    /// the rule's description so reviewers see why.
    pub fn allow_database_from_internet(&self, stack: &mut Context, port: Port, reason: &str) -> &Self {
        self.rule(stack, Direction::Ingress, port, Peer::Internet, reason, Exception::PublicDatabase)
    }

    /// The type and name of the rule for `direction`, `port` and `peer`.
    fn rule_name(&self, direction: Direction, port: Port, peer: &Peer<'_>) -> (&'static str, String) {
        let (ty, way) = match direction {
            Direction::Ingress => ("aws_vpc_security_group_ingress_rule", "in"),
            Direction::Egress => ("aws_vpc_security_group_egress_rule", "out"),
        };
        let peer_label = match peer {
            Peer::Group(g) => g.key.clone(),
            Peer::Cidr(c) => c.replace(['.', '/'], "_"),
            Peer::Internet => "internet".into(),
            Peer::PrefixList(_) => "prefix_list".into(),
        };
        (ty, format!("{}_{way}_{}_{peer_label}", self.key, port.label()))
    }

    /// Opens TCP `port` to the internet as what the group is for (a public load balancer's
    /// listener), with the approval security reviews read (`reason`), so `--fail-on
    /// broadening` does not stop at it.
    pub fn serve_internet(&self, stack: &mut Context, port: Port, description: &str, reason: &str) -> &Self {
        self.allow_in(stack, port, Peer::Internet, description);
        self.approve_internet(stack, port, reason)
    }

    fn approve_internet(&self, stack: &mut Context, port: Port, reason: &str) -> &Self {
        let (ty, key) = self.rule_name(Direction::Ingress, port, &Peer::Internet);
        stack.approve(Approval::new(format!("{ty}.{key}"), reason));
        self
    }

    fn rule(
        &self,
        stack: &mut Context,
        direction: Direction,
        port: Port,
        peer: Peer<'_>,
        description: &str,
        exception: Exception,
    ) -> &Self {
        let (ty, key) = self.rule_name(direction, port, &peer);
        if stack.contains(Kind::Managed, ty, &key) {
            // The same rule asked for twice (two services behind one load balancer on a shared group).
            return self;
        }
        let address = format!("{ty}.{key}");
        if port.from == 0 || port.from > port.to {
            stack.problem_at(
                &address,
                "from_port",
                format!("port range {}-{} is not valid", port.from, port.to),
                "use ports 1-65535 with from <= to",
            );
        }
        if direction == Direction::Ingress
            && matches!(peer, Peer::Internet)
            && exception != Exception::PublicDatabase
            && let Some((p, what)) = DATABASE_PORTS.iter().find(|(p, _)| (port.from..=port.to).contains(p))
        {
            stack.problem(
                &address,
                format!("opens the {what} port {p} to 0.0.0.0/0"),
                "allow a security group instead (Peer::Group), or call allow_database_from_internet with a reason",
            );
        }
        let mut r = Resource::new(ty, key)
            .set("security_group_id", self.id.clone())
            .set("description", description)
            .set("ip_protocol", "tcp")
            .set("from_port", port.from)
            .set("to_port", port.to);
        r = match peer {
            Peer::Group(g) => r.set("referenced_security_group_id", g.id.clone()),
            Peer::Cidr(c) => r.set("cidr_ipv4", c),
            Peer::Internet => r.set("cidr_ipv4", "0.0.0.0/0"),
            Peer::PrefixList(p) => r.set("prefix_list_id", p.clone()),
        };
        if let Exception::Waive(check, reason) = exception {
            r = r.skip_check(check, reason);
        }
        stack.within("networking", |ctx| ctx.add(r));
        self
    }
}
