//! The rules themselves: each reads the stack's resources and the references between them.

use crate::expr::{Address, Expression, Root, Traversal};
use crate::model::{Body, Item, Resource, Stack};
use crate::render::render_expression;

use super::{Finding, Rule};

/// Every finding of every rule on `stack`, in block order.
pub(super) fn check(stack: &Stack) -> Vec<Finding> {
    let mut out = Vec::new();
    let refs = References::of(stack);
    let production = stack.is_production();
    // Customer-managed encryption keys (not HMAC signing keys) the stack defines.
    let has_cmk = stack.resources().any(|r| {
        r.address().ty == "aws_kms_key" && r.body().attribute("key_usage").is_none_or(|u| is_text(u, "ENCRYPT_DECRYPT"))
    });
    for r in stack.resources() {
        let mut at = Block { refs: &refs, r, body: r.body(), production, out: &mut out };
        if has_cmk {
            at.managed_key();
        }
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
            "aws_lb" => {
                at.load_balancer();
                at.delivery_waits();
            }
            "aws_vpc_security_group_ingress_rule" | "aws_security_group_rule" => at.ingress_rule(),
            "aws_security_group" => at.inline_ingress(),
            "aws_cloudwatch_event_target" => at.invoke_permission(),
            "aws_appautoscaling_target" => at.scaling_policy(),
            "aws_lb_target_group" => at.target_group_used(),
            "aws_subnet" => at.public_ip("map_public_ip_on_launch", "instances in the subnet get public IP addresses"),
            "aws_ecs_service" => {
                at.task_public_ip();
                at.service_egress();
            }
            "aws_launch_template" => at.launch_template_public_ip(),
            "aws_ecs_task_definition" => at.task_secrets(),
            "aws_wafv2_web_acl" | "aws_wafv2_rule_group" => at.rate_window(),
            "aws_s3_bucket_logging" | "aws_flow_log" | "aws_cloudtrail" => at.delivery_waits(),
            ty if ty.starts_with("aws_iam_") => at.iam(),
            _ => {}
        }
    }
    environment_spelling(stack, &mut out);
    out
}

/// Who refers to each resource: built once per stack, so rules that look for an encryption
/// configuration, a WAF association, a permission or a listener stay linear in its size.
struct References<'a> {
    /// By target (type, name): the referring resource and the top-level argument it refers from.
    to: foldhash::HashMap<(&'a str, &'a str), Vec<(&'a str, &'a Resource)>>,
    /// The security groups, by (type, name), for their inline rules.
    groups: foldhash::HashMap<(&'a str, &'a str), &'a Resource>,
}

impl<'a> References<'a> {
    fn of(stack: &'a Stack) -> Self {
        let mut to: foldhash::HashMap<_, Vec<_>> = foldhash::HashMap::default();
        let mut found = Vec::new();
        let mut groups = foldhash::HashMap::default();
        for r in stack.resources() {
            if r.address().ty == "aws_security_group" {
                groups.insert(key(r), r);
            }
            for (name, item) in r.body().items() {
                match item {
                    Item::Attribute(e) => found.extend(targets(e)),
                    Item::Blocks(bodies) => bodies.iter().for_each(|b| b.walk(&mut |e| found.extend(direct_target(e)))),
                }
                for a in found.drain(..) {
                    to.entry((a.ty.as_str(), a.name.as_str())).or_default().push((name, r));
                }
            }
        }
        Self { to, groups }
    }

    /// The resources of type `ty` referring to `target` (type, name), from `attribute` or from
    /// any argument.
    fn from(&self, target: (&str, &str), ty: &str, attribute: Option<&str>) -> Vec<&'a Resource> {
        let referrers = self.to.get(&target).map_or(&[][..], Vec::as_slice);
        referrers
            .iter()
            .filter(|(a, r)| attribute.is_none_or(|want| *a == want) && r.address().ty == ty)
            .map(|(_, r)| *r)
            .collect()
    }

    fn referenced_by(&self, target: &Resource, ty: &str, attribute: Option<&str>) -> bool {
        !self.from(key(target), ty, attribute).is_empty()
    }

    /// The security group `target` (type, name), if the stack defines it.
    fn stack_group(&self, target: (&str, &str)) -> Option<&'a Resource> {
        self.groups.get(&target).copied()
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

const ALL_PORTS_FIX: &str = "open the ports the service listens on (networking::Port::tcp), nothing more";

const OPEN_INGRESS_FIX: &str =
    "allow a security group or a known range; only 80/443 on a load balancer may face 0.0.0.0/0";

impl Block<'_> {
    fn found(&mut self, rule: Rule, attribute: Option<&str>, message: impl Into<String>, fix: &str) {
        self.out.push(Finding {
            rule,
            address: self.r.path(),
            component: self.r.component(),
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
        if !self.refs.referenced_by(self.r, "aws_s3_bucket_server_side_encryption_configuration", Some("bucket")) {
            let fix =
                "add aws_s3_bucket_server_side_encryption_configuration (the storage component requires an Encryption)";
            self.found(Rule::StorageEncrypted, None, "the bucket has no server-side encryption configuration", fix);
        }
        let blocked = self
            .refs
            .from(key(self.r), "aws_s3_bucket_public_access_block", Some("bucket"))
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
            && !self.refs.referenced_by(self.r, "aws_wafv2_web_acl_association", Some("resource_arn"))
        {
            let fix = "put a WAFv2 web ACL in front of it: firewall::WebAcl::new(..).protect(&alb).build(ctx)";
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
        if ingress && all_ports(self.body) {
            self.found(Rule::AllPorts, Some("from_port"), format!("ingress on {}", ports(self.body)), ALL_PORTS_FIX);
        }
    }

    fn inline_ingress(&mut self) {
        let on_load_balancer = self.refs.referenced_by(self.r, "aws_lb", Some("security_groups"));
        for (i, rule) in self.body.blocks_of("ingress").iter().enumerate() {
            if opens_to_internet(rule) && !(is_web_port(rule) && on_load_balancer) {
                let message = format!("ingress on {} is open to the internet", ports(rule));
                self.found(Rule::OpenIngress, Some(&format!("ingress[{i}].cidr_blocks")), message, OPEN_INGRESS_FIX);
            }
            if all_ports(rule) {
                let message = format!("ingress on {}", ports(rule));
                self.found(Rule::AllPorts, Some(&format!("ingress[{i}].from_port")), message, ALL_PORTS_FIX);
            }
        }
    }

    /// A rule on 80/443 of a security group that a load balancer uses.
    fn web_port_on_load_balancer(&self) -> bool {
        let groups = self.attr("security_group_id").map(targets).unwrap_or_default();
        is_web_port(self.body)
            && groups.iter().any(|g| !self.refs.from((&g.ty, &g.name), "aws_lb", Some("security_groups")).is_empty())
    }

    /// An EventBridge target that is a Lambda function needs a permission for EventBridge.
    fn invoke_permission(&mut self) {
        let body = self.body;
        let functions: Vec<&Address> = body
            .attribute("arn")
            .map(targets)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.ty == "aws_lambda_function" || a.ty == "aws_lambda_alias")
            .collect();
        for f in functions {
            let allowed = self
                .refs
                .from((&f.ty, &f.name), "aws_lambda_permission", Some("function_name"))
                .iter()
                .any(|p| p.body().attribute("principal").is_some_and(|v| is_text(v, "events.amazonaws.com")));
            if !allowed {
                let message = format!("invokes `{f}`, which grants EventBridge no permission to be invoked");
                let fix = "add aws_lambda_permission with principal events.amazonaws.com and the rule as source_arn (the lambda component's .invoked_by)";
                self.found(Rule::InvokePermission, Some("arn"), message, fix);
            }
        }
    }

    /// Access logs, flow logs and trails write to a bucket whose policy must allow them first.
    fn delivery_waits(&mut self) {
        let (attribute, target) = match self.r.address().ty.as_str() {
            "aws_lb" => ("access_logs", self.body.blocks_of("access_logs").first().and_then(|b| b.attribute("bucket"))),
            "aws_s3_bucket_logging" => ("target_bucket", self.body.attribute("target_bucket")),
            "aws_flow_log" => ("log_destination", self.body.attribute("log_destination")),
            _ => ("s3_bucket_name", self.body.attribute("s3_bucket_name")),
        };
        let buckets: Vec<&Address> =
            target.map(targets).unwrap_or_default().into_iter().filter(|a| a.ty == "aws_s3_bucket").collect();
        for bucket in buckets {
            let policies = self.refs.from((&bucket.ty, &bucket.name), "aws_s3_bucket_policy", Some("bucket"));
            let waits = self.r.dependencies().iter().any(|d| {
                let Root::Resource(a) = &d.root else { return false };
                policies.iter().any(|p| p.address().ty == a.ty && p.address().name == a.name)
            });
            if policies.is_empty() {
                let message = format!("delivers to `{bucket}`, whose policy is not in the stack");
                let fix = "add the aws_s3_bucket_policy that allows the delivery (the storage component writes one) and depend on it";
                self.found(Rule::DeliveryWaitsForPolicy, Some(attribute), message, fix);
            } else if !waits {
                let message = format!("delivers to `{bucket}` without waiting for its policy `{}`", policies[0].path());
                let fix = "add depends_on the bucket policy (BucketRef::policy), as the components do";
                self.found(Rule::DeliveryWaitsForPolicy, Some(attribute), message, fix);
            }
        }
    }

    fn scaling_policy(&mut self) {
        let moved = ["aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"]
            .iter()
            .any(|ty| self.refs.referenced_by(self.r, ty, None));
        if !moved {
            let fix =
                "add a target-tracking policy (compute::Scaling::target) or a scheduled action, or drop the target";
            self.found(Rule::ScalingPolicy, None, "no policy or schedule scales this target", fix);
        }
    }

    fn target_group_used(&mut self) {
        const USERS: [&str; 6] = [
            "aws_lb_listener",
            "aws_lb_listener_rule",
            "aws_ecs_service",
            "aws_lb_target_group_attachment",
            "aws_autoscaling_group",
            "aws_autoscaling_attachment",
        ];
        if !USERS.iter().any(|ty| self.refs.referenced_by(self.r, ty, None)) {
            let fix = "forward to it from a listener or rule, register a service with it, or remove it";
            self.found(Rule::TargetGroupUsed, None, "no listener, rule or service uses this target group", fix);
        }
    }

    fn public_ip(&mut self, attribute: &str, message: &str) {
        if is_true(self.attr(attribute)) {
            let fix = "keep workloads in private subnets without public addresses; reach the internet through NAT";
            self.found(Rule::PublicIpOnLaunch, Some(attribute), message, fix);
        }
    }

    /// The service's security groups, where the stack defines them, have an egress rule
    /// between them (a rule resource or an inline `egress` block).
    fn service_egress(&mut self) {
        let networks = self.body.blocks_of("network_configuration");
        let groups: Vec<&Address> = networks
            .iter()
            .filter_map(|n| n.attribute("security_groups"))
            .flat_map(targets)
            .filter(|a| a.ty == "aws_security_group")
            .collect();
        let egress = |g: &&Address| {
            let key = (g.ty.as_str(), g.name.as_str());
            !self.refs.from(key, "aws_vpc_security_group_egress_rule", Some("security_group_id")).is_empty()
                || self
                    .refs
                    .from(key, "aws_security_group_rule", Some("security_group_id"))
                    .iter()
                    .any(|r| r.body().attribute("type").is_some_and(|t| is_text(t, "egress")))
                || self.refs.stack_group(key).is_some_and(|sg| !sg.body().blocks_of("egress").is_empty())
        };
        if !groups.is_empty() && !groups.iter().any(egress) {
            let fix = "allow what the tasks reach: sg.allow_out(ctx, Port::tcp(443), Peer::Internet, \"HTTPS to ECR, logs and AWS APIs\") (or VPC endpoints), and the database's and cache's ports";
            let at = Some("network_configuration.security_groups");
            self.found(Rule::ServiceEgress, at, "the tasks' security groups allow no egress", fix);
        }
    }

    fn task_public_ip(&mut self) {
        let public =
            self.body.blocks_of("network_configuration").iter().any(|n| is_true(n.attribute("assign_public_ip")));
        if public {
            let fix = "run tasks in private subnets with assign_public_ip = false (the compute component does)";
            let at = Some("network_configuration.assign_public_ip");
            self.found(Rule::PublicIpOnLaunch, at, "the service's tasks get public IP addresses", fix);
        }
    }

    fn launch_template_public_ip(&mut self) {
        let public = self
            .body
            .blocks_of("network_interfaces")
            .iter()
            .any(|n| is_true(n.attribute("associate_public_ip_address")));
        if public {
            let fix = "launch instances into private subnets without public addresses";
            let at = Some("network_interfaces.associate_public_ip_address");
            self.found(Rule::PublicIpOnLaunch, at, "instances launched from the template get public IP addresses", fix);
        }
    }

    /// Task secrets that read a whole secret known to hold a JSON document.
    fn task_secrets(&mut self) {
        let Some(Expression::Call(call)) = self.attr("container_definitions") else { return };
        let mut whole = Vec::new();
        for arg in &call.args {
            arg.walk(&mut |e| {
                if let Expression::Object(o) = e
                    && let (Some(name), Some(Expression::Traversal(t))) = (o.get("name"), o.get("valueFrom"))
                    && self.is_json_secret(t)
                {
                    whole.push(render_expression(name));
                }
            });
        }
        for name in whole {
            let message = format!("secret {name} reads a whole JSON secret");
            let fix = "read one key: valueFrom = \"<arn>:<key>::\" (Container::secret_key)";
            self.found(Rule::WholeJsonSecret, Some("container_definitions"), message, fix);
        }
    }

    fn is_json_secret(&self, t: &Traversal) -> bool {
        let Root::Resource(a) = &t.root else { return false };
        match a.ty.as_str() {
            // RDS-managed master secrets hold `{"username": ..., "password": ...}`.
            "aws_db_instance" | "aws_rds_cluster" => t.first_attribute() == Some("master_user_secret"),
            "aws_secretsmanager_secret" => {
                self.refs.from((&a.ty, &a.name), "aws_secretsmanager_secret_version", Some("secret_id")).iter().any(
                    |v| {
                        // Written in the configuration or write-only: either way a JSON document.
                        ["secret_string", "secret_string_wo"].iter().any(
                            |a| matches!(v.body().attribute(a), Some(Expression::Call(c)) if c.name == "jsonencode"),
                        )
                    },
                )
            }
            _ => false,
        }
    }

    /// Rate rules whose name or metric says "per minute" but which count over another window.
    fn rate_window(&mut self) {
        let mut found = Vec::new();
        for rule in self.body.blocks_of("rule") {
            let rated = rule.blocks_of("statement").iter().flat_map(|s| s.blocks_of("rate_based_statement")).next();
            let Some(rated) = rated else { continue };
            let name = rule.attribute("name").map(render_expression).unwrap_or_default();
            let metric = rule
                .blocks_of("visibility_config")
                .iter()
                .filter_map(|v| v.attribute("metric_name"))
                .map(render_expression)
                .collect::<Vec<_>>();
            let says_minute = std::iter::once(&name).chain(&metric).any(|text| per_minute(text));
            let window = rated.attribute("evaluation_window_sec").map_or_else(|| "300".to_owned(), render_expression);
            if says_minute && window != "60" {
                let limit = rated.attribute("limit").map(render_expression).unwrap_or_default();
                found.push(format!(
                    "rate rule {name} is named per minute but counts {limit} requests over {window} seconds"
                ));
            }
        }
        for message in found {
            let fix = "set evaluation_window_sec = 60 (WebAcl::rate_limit(limit, 60)), or scale the limit to the window and rename the rule";
            self.found(Rule::RateWindow, Some("rule"), message, fix);
        }
    }

    /// Encryption with an AWS-managed key where a customer-managed one exists.
    fn managed_key(&mut self) {
        let b = self.body;
        let missing = |name: &str| b.attribute(name).is_none();
        let found: Option<(&str, &str)> = match self.r.address().ty.as_str() {
            "aws_s3_bucket_server_side_encryption_configuration" => b
                .blocks_of("rule")
                .iter()
                .flat_map(|r| r.blocks_of("apply_server_side_encryption_by_default"))
                .any(|d| {
                    d.attribute("sse_algorithm").is_some_and(|a| is_text(a, "aws:kms") || is_text(a, "aws:kms:dsse"))
                        && d.attribute("kms_master_key_id").is_none()
                })
                .then_some(("rule", "objects are encrypted with the aws/s3 key")),
            "aws_db_instance" | "aws_rds_cluster"
                if is_true(b.attribute("storage_encrypted")) && missing("kms_key_id") =>
            {
                Some(("kms_key_id", "storage is encrypted with the aws/rds key"))
            }
            "aws_secretsmanager_secret" if missing("kms_key_id") => {
                Some(("kms_key_id", "the secret is encrypted with the aws/secretsmanager key"))
            }
            "aws_sns_topic" | "aws_sqs_queue"
                if b.attribute("kms_master_key_id")
                    .is_some_and(|k| matches!(k, Expression::String(s) if s.starts_with("alias/aws/"))) =>
            {
                Some(("kms_master_key_id", "messages are encrypted with an AWS-managed key"))
            }
            "aws_dynamodb_table"
                if b.blocks_of("server_side_encryption")
                    .iter()
                    .any(|e| is_true(e.attribute("enabled")) && e.attribute("kms_key_arn").is_none()) =>
            {
                Some(("server_side_encryption", "the table is encrypted with the aws/dynamodb key"))
            }
            "aws_ebs_volume" if is_true(b.attribute("encrypted")) && missing("kms_key_id") => {
                Some(("kms_key_id", "the volume is encrypted with the aws/ebs key"))
            }
            "aws_elasticache_replication_group"
                if is_true(b.attribute("at_rest_encryption_enabled")) && missing("kms_key_id") =>
            {
                Some(("kms_key_id", "the cache is encrypted with an AWS-owned key"))
            }
            "aws_ecr_repository"
                if b.blocks_of("encryption_configuration").iter().any(|e| {
                    e.attribute("encryption_type").is_some_and(|t| is_text(t, "KMS"))
                        && e.attribute("kms_key").is_none()
                }) =>
            {
                Some(("encryption_configuration", "images are encrypted with the aws/ecr key"))
            }
            _ => None,
        };
        if let Some((attribute, message)) = found {
            let fix =
                "encrypt with the stack's customer-managed key (kms_key_id / kms_master_key_id), as the components do";
            self.found(Rule::AwsManagedKey, Some(attribute), message, fix);
        }
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
    e.walk(&mut |e| out.extend(direct_target(e)));
    out
}

/// The resource `e` itself refers to, if it is a reference to one.
fn direct_target(e: &Expression) -> Option<&Address> {
    match e {
        Expression::Traversal(t) => match &t.root {
            Root::Resource(a) => Some(a),
            _ => None,
        },
        _ => None,
    }
}

/// A rule that opens every port: 0-65535 (or 1-65535), or every protocol.
fn all_ports(b: &Body) -> bool {
    let every_protocol = ["ip_protocol", "protocol"]
        .iter()
        .any(|k| b.attribute(k).is_some_and(|p| is_text(p, "-1") || is_text(p, "all")));
    let (from, to) = (number(b.attribute("from_port")), number(b.attribute("to_port")));
    every_protocol || (matches!(from, Some(0 | 1)) && to == Some(65535))
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

/// Whether a rule's name or metric says its limit is per minute (`...-per-minute`,
/// `RequestsPerMin`, `1000rpm`).
fn per_minute(text: &str) -> bool {
    let lower = text.to_ascii_lowercase().replace(['-', '_', ' '], "");
    lower.contains("minute") || lower.contains("permin") || lower.contains("rpm")
}

/// The environment variables of every container of a task definition: (name, value) where the
/// value refers to something (a literal may well be shared by different settings).
fn task_environment(r: &Resource) -> Vec<(String, String)> {
    let Some(Expression::Call(call)) = r.body().attribute("container_definitions") else { return Vec::new() };
    let mut found = Vec::new();
    for arg in &call.args {
        arg.walk(&mut |e| {
            if let Expression::Object(o) = e
                && let (Some(Expression::String(name)), Some(value)) = (o.get("name"), o.get("value"))
                && refers(value)
            {
                found.push((name.clone(), render_expression(value)));
            }
        });
    }
    found
}

fn refers(e: &Expression) -> bool {
    let mut any = false;
    e.walk(&mut |e| any |= matches!(e, Expression::Traversal(_)));
    any
}

/// One value given to different task definitions under different environment names
/// (`REDIS_URL` in one, `REDIS_ENDPOINT` in another): each task definition that gives a value
/// without the name it had first is reported (beside it, another name is a deliberate alias).
fn environment_spelling(stack: &Stack, out: &mut Vec<Finding>) {
    use std::collections::BTreeMap;
    // The first name and task definition each value was seen under.
    let mut first: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in stack.resources().filter(|r| r.address().ty == "aws_ecs_task_definition") {
        let task = r.path();
        let environment = task_environment(r);
        let mut names: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, value) in &environment {
            names.entry(value.as_str()).or_default().push(name.as_str());
            first.entry(value.clone()).or_insert_with(|| (name.clone(), task.clone()));
        }
        for (value, names) in names {
            let (first_name, first_task) = &first[value];
            if *first_task != task && !names.contains(&first_name.as_str()) {
                out.push(Finding {
                    rule: Rule::EnvironmentSpelling,
                    address: task.clone(),
                    component: r.component(),
                    attribute: Some("container_definitions".to_owned()),
                    message: format!("{} holds {value}, which {first_task} names {first_name}", names[0]),
                    fix: "give the value one name in every service of the stack (the one the application reads)"
                        .to_owned(),
                    waiver: None,
                });
            }
        }
    }
}
