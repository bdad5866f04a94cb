//! The rules themselves: each reads the stack's resources and the references between them.

use std::collections::HashMap;

use crate::expr::{Address, Expression, Root};
use crate::model::{Body, Resource, Stack};

use super::{Finding, Rule};

/// Every finding of every rule on `stack`, in block order.
pub(super) fn check(stack: &Stack) -> Vec<Finding> {
    let mut out = Vec::new();
    let refs = References::of(stack);
    for r in stack.resources() {
        let production = stack.environment() == "production";
        let mut at = Block { refs: &refs, r, body: r.body(), production, out: &mut out };
        match r.address().ty.as_str() {
            "aws_db_instance" | "aws_rds_cluster" => at.database(),
            "aws_rds_cluster_instance" => {
                at.public("publicly_accessible", "the database instance is publicly accessible");
            }
            "aws_elasticache_replication_group" => at.cache(),
            "aws_s3_bucket" => at.bucket(),
            "aws_ebs_volume" => at.encrypted("encrypted", "the volume is not encrypted", "set encrypted = true"),
            "aws_instance" => at.instance(),
            "aws_cloudwatch_log_group" => at.log_group(),
            "aws_lb" => at.load_balancer(),
            "aws_vpc_security_group_ingress_rule" | "aws_security_group_rule" => at.ingress_rule(),
            "aws_security_group" => at.inline_ingress(),
            ty if ty.starts_with("aws_iam_") => at.iam(),
            _ => {}
        }
    }
    out
}

/// The companion resources the rules look for, and the attribute that names their target.
const COMPANIONS: &[(&str, &str)] = &[
    ("aws_s3_bucket_server_side_encryption_configuration", "bucket"),
    ("aws_s3_bucket_public_access_block", "bucket"),
    ("aws_wafv2_web_acl_association", "resource_arn"),
    ("aws_lb", "security_groups"),
];

/// Which companions refer to each resource: built once per stack, so the rules that look for
/// an encryption configuration, a WAF association or a load balancer stay linear in its size.
struct References<'a> {
    to: HashMap<(&'a str, &'a str), Vec<(&'a str, &'a Resource)>>,
}

impl<'a> References<'a> {
    fn of(stack: &'a Stack) -> Self {
        let mut to: HashMap<_, Vec<_>> = HashMap::new();
        for r in stack.resources() {
            for (ty, attribute) in COMPANIONS {
                if r.address().ty != *ty {
                    continue;
                }
                for a in r.body().attribute(attribute).map(targets).unwrap_or_default() {
                    to.entry((a.ty.as_str(), a.name.as_str())).or_default().push((*attribute, r));
                }
            }
        }
        Self { to }
    }

    /// The resources referring to `target` (type, name) from `attribute`, of type `ty`.
    fn from(&self, target: (&str, &str), ty: &str, attribute: &str) -> Vec<&'a Resource> {
        let referrers = self.to.get(&target).map_or(&[][..], Vec::as_slice);
        referrers.iter().filter(|(a, r)| *a == attribute && r.address().ty == ty).map(|(_, r)| *r).collect()
    }

    fn referenced_by(&self, target: &Resource, ty: &str, attribute: &str) -> bool {
        !self.from(key(target), ty, attribute).is_empty()
    }
}

fn key(r: &Resource) -> (&str, &str) {
    (r.address().ty.as_str(), r.address().name.as_str())
}

/// One block under inspection.
struct Block<'a> {
    refs: &'a References<'a>,
    r: &'a Resource,
    body: &'a Body,
    production: bool,
    out: &'a mut Vec<Finding>,
}

const OPEN_INGRESS_FIX: &str =
    "allow a security group or a known range; only 80/443 on a load balancer may face 0.0.0.0/0";

impl Block<'_> {
    fn found(&mut self, rule: Rule, attribute: Option<&str>, message: impl Into<String>, fix: &str) {
        self.out.push(Finding {
            rule,
            address: self.r.path(),
            attribute: attribute.map(str::to_owned),
            message: message.into(),
            fix: fix.to_owned(),
            waiver: None,
        });
    }

    fn attr(&self, name: &str) -> Option<&Expression> {
        self.body.attribute(name)
    }

    fn encrypted(&mut self, attribute: &str, message: &str, fix: &str) {
        if !is_true(self.attr(attribute)) {
            self.found(Rule::StorageEncrypted, Some(attribute), message, fix);
        }
    }

    fn public(&mut self, attribute: &str, message: &str) {
        if is_true(self.attr(attribute)) {
            self.found(
                Rule::NotPublic,
                Some(attribute),
                message,
                "turn it off and reach the service from inside the VPC",
            );
        }
    }

    fn database(&mut self) {
        self.public("publicly_accessible", "the database is publicly accessible");
        if self.attr("replicate_source_db").is_some() {
            // A replica inherits encryption, protection and backups from its primary.
            return;
        }
        self.encrypted(
            "storage_encrypted",
            "storage is not encrypted",
            "set storage_encrypted = true with a kms_key_id",
        );
        if self.production && !is_true(self.attr("deletion_protection")) {
            let fix = "set deletion_protection = true (the database component does by default)";
            self.found(
                Rule::DeletionProtection,
                Some("deletion_protection"),
                "deletion protection is off in production",
                fix,
            );
        }
        let days = number(self.attr("backup_retention_period"));
        let floor = if self.production { 7 } else { 1 };
        if days.is_none_or(|d| d < floor) {
            let kept = days.map_or_else(|| "not set".to_owned(), |d| format!("{d} days"));
            let fix = if self.production {
                "keep at least 7 days of backups in production"
            } else {
                "keep at least 1 day of backups"
            };
            self.found(
                Rule::BackupsRetained,
                Some("backup_retention_period"),
                format!("backup retention is {kept}"),
                fix,
            );
        }
    }

    fn cache(&mut self) {
        let fix = "set at_rest_encryption_enabled = true with a kms_key_id";
        self.encrypted("at_rest_encryption_enabled", "cache data is not encrypted at rest", fix);
        if number(self.attr("snapshot_retention_limit")).is_none_or(|d| d < 1) {
            let fix = "set snapshot_retention_limit to 1 or more days";
            self.found(Rule::BackupsRetained, Some("snapshot_retention_limit"), "no snapshots are kept", fix);
        }
    }

    fn bucket(&mut self) {
        if !self.refs.referenced_by(self.r, "aws_s3_bucket_server_side_encryption_configuration", "bucket") {
            let fix =
                "add aws_s3_bucket_server_side_encryption_configuration (the storage component requires an Encryption)";
            self.found(Rule::StorageEncrypted, None, "the bucket has no server-side encryption configuration", fix);
        }
        let blocked = self
            .refs
            .from(key(self.r), "aws_s3_bucket_public_access_block", "bucket")
            .iter()
            .any(|b| blocks_all_public_access(b.body()));
        if !blocked {
            let fix = "add aws_s3_bucket_public_access_block with all four settings true";
            self.found(Rule::NotPublic, None, "public access to the bucket is not blocked", fix);
        }
    }

    fn instance(&mut self) {
        if self.body.blocks_of("root_block_device").iter().all(|b| !is_true(b.attribute("encrypted"))) {
            let fix = "add root_block_device { encrypted = true }";
            self.found(
                Rule::StorageEncrypted,
                Some("root_block_device.encrypted"),
                "the root volume is not encrypted",
                fix,
            );
        }
        self.public("associate_public_ip_address", "the instance gets a public IP address");
    }

    fn log_group(&mut self) {
        if self.attr("kms_key_id").is_none() {
            let fix = "set kms_key_id to a key that allows CloudWatch Logs (kms::Key::for_log_groups)";
            self.found(
                Rule::StorageEncrypted,
                Some("kms_key_id"),
                "the log group is not encrypted with a KMS key",
                fix,
            );
        }
        if number(self.attr("retention_in_days")).is_none_or(|d| d == 0) {
            let fix = "set retention_in_days (logs::Retention::OneYear, or Days with a reason)";
            self.found(Rule::LogRetention, Some("retention_in_days"), "logs are kept forever", fix);
        }
    }

    fn load_balancer(&mut self) {
        if self.attr("load_balancer_type").is_some_and(|t| !is_text(t, "application")) {
            return;
        }
        if !is_true(self.attr("drop_invalid_header_fields")) {
            let message = "invalid header fields are passed to targets";
            self.found(
                Rule::AlbDropsInvalidHeaders,
                Some("drop_invalid_header_fields"),
                message,
                "set drop_invalid_header_fields = true",
            );
        }
        if !is_true(self.attr("internal"))
            && !self.refs.referenced_by(self.r, "aws_wafv2_web_acl_association", "resource_arn")
        {
            let fix = "associate a WAFv2 web ACL (the firewall component's attach)";
            self.found(Rule::AlbHasWaf, None, "the internet-facing load balancer has no web ACL", fix);
        }
        if self.production && !is_true(self.attr("enable_deletion_protection")) {
            let message = "deletion protection is off in production";
            self.found(
                Rule::DeletionProtection,
                Some("enable_deletion_protection"),
                message,
                "set enable_deletion_protection = true",
            );
        }
    }

    fn ingress_rule(&mut self) {
        let ingress = self.r.address().ty == "aws_vpc_security_group_ingress_rule"
            || self.attr("type").is_some_and(|t| is_text(t, "ingress"));
        if ingress && opens_to_internet(self.body) && !self.web_port_on_load_balancer() {
            let message = format!("ingress on {} is open to the internet", ports(self.body));
            self.found(Rule::OpenIngress, Some("cidr_ipv4"), message, OPEN_INGRESS_FIX);
        }
    }

    fn inline_ingress(&mut self) {
        let on_load_balancer = self.refs.referenced_by(self.r, "aws_lb", "security_groups");
        for (i, rule) in self.body.blocks_of("ingress").iter().enumerate() {
            if opens_to_internet(rule) && !(is_web_port(rule) && on_load_balancer) {
                let message = format!("ingress on {} is open to the internet", ports(rule));
                self.found(Rule::OpenIngress, Some(&format!("ingress[{i}].cidr_blocks")), message, OPEN_INGRESS_FIX);
            }
        }
    }

    /// A rule on 80/443 of a security group that a load balancer uses.
    fn web_port_on_load_balancer(&self) -> bool {
        let groups = self.attr("security_group_id").map(targets).unwrap_or_default();
        is_web_port(self.body)
            && groups.iter().any(|g| !self.refs.from((&g.ty, &g.name), "aws_lb", "security_groups").is_empty())
    }

    fn iam(&mut self) {
        for name in ["policy", "inline_policy"] {
            let inline = self.body.blocks_of(name).iter().filter_map(|b| b.attribute("policy"));
            if self.attr(name).into_iter().chain(inline).any(allows_everything) {
                let fix = "name the actions and resources the role needs";
                self.found(Rule::IamWildcard, Some(name), "the policy allows `*` actions on `*` resources", fix);
            }
        }
    }
}

fn is_true(e: Option<&Expression>) -> bool {
    matches!(e, Some(Expression::Bool(true))) || e.is_some_and(|e| is_text(e, "true"))
}

fn is_text(e: &Expression, text: &str) -> bool {
    matches!(e, Expression::String(s) if s == text)
}

/// A whole number: days, ports.
fn number(e: Option<&Expression>) -> Option<i64> {
    match e? {
        Expression::Number(n) => n.as_i64(),
        Expression::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The resource addresses `e` refers to.
fn targets(e: &Expression) -> Vec<&Address> {
    let mut out = Vec::new();
    e.walk(&mut |e| {
        if let Expression::Traversal(t) = e
            && let Root::Resource(a) = &t.root
        {
            out.push(a);
        }
    });
    out
}

fn blocks_all_public_access(b: &Body) -> bool {
    ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]
        .iter()
        .all(|k| is_true(b.attribute(k)))
}

fn opens_to_internet(b: &Body) -> bool {
    let open = |e: &Expression| is_text(e, "0.0.0.0/0") || is_text(e, "::/0");
    ["cidr_ipv4", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks"].iter().any(|k| match b.attribute(k) {
        Some(Expression::List(items)) => items.iter().any(open),
        Some(e) => open(e),
        None => false,
    })
}

fn is_web_port(b: &Body) -> bool {
    let (from, to) = (number(b.attribute("from_port")), number(b.attribute("to_port")));
    from == to && matches!(from, Some(80 | 443))
}

fn ports(b: &Body) -> String {
    match (number(b.attribute("from_port")), number(b.attribute("to_port"))) {
        (Some(f), Some(t)) if f == t => format!("port {f}"),
        (Some(f), Some(t)) => format!("ports {f}-{t}"),
        _ => "all ports".into(),
    }
}

/// Whether a `jsonencode` policy document has an Allow statement with `*` actions on `*`.
fn allows_everything(e: &Expression) -> bool {
    let Expression::Call(call) = e else { return false };
    let Some(Expression::Object(doc)) = call.args.first().filter(|_| call.name == "jsonencode") else { return false };
    let star = |e: Option<&Expression>| match e {
        Some(Expression::List(items)) => items.iter().any(|i| is_text(i, "*")),
        Some(e) => is_text(e, "*"),
        None => false,
    };
    let statements = match doc.get("Statement") {
        Some(Expression::List(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    statements.into_iter().any(|s| match s {
        Expression::Object(s) => {
            s.get("Effect").is_some_and(|e| is_text(e, "Allow")) && star(s.get("Action")) && star(s.get("Resource"))
        }
        _ => false,
    })
}
