//! An internet-facing Application Load Balancer: HTTPS with a TLS 1.3 policy, HTTP redirected to
//! HTTPS, invalid headers dropped, access logs to a bucket of its own, target groups with health
//! checks, and path / host rules with plain or weighted (blue/green, canary) forwarding.
//!
//! ```
//! use tfsynth::modules::{Account, kms, load_balancing::{Alb, Condition, TargetGroup}, networking::Vpc};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut stack, &account);
//! let net = Vpc::new("demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut stack, &account, &key);
//! let cert = Expr::from("arn:aws:acm:us-east-1:123456789012:certificate/example");
//! let alb = Alb::new("demo-production", cert)
//!     .target_group(TargetGroup::new("web", 8080))
//!     .target_group(TargetGroup::new("api", 8000))
//!     .default_target("web")
//!     .forward(100, Condition::Path(vec!["/api/*"]), "api")
//!     .build(&mut stack, &account, &net);
//! validate(&stack)?;
//! assert!(render(&stack, Format::Json).contains(r#""drop_invalid_header_fields": true"#));
//! # let _ = alb;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use indexmap::IndexMap;

use super::Account;
use super::iam::Statement;
use super::networking::{Network, Peer, Port, SecurityGroup};
use super::storage::{AccessLogs, Bucket, Encryption};
use crate::prelude::*;

/// What the load balancer gives the components behind and in front of it.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// The load balancer ARN (for WAF associations).
    pub arn: Expr<String>,
    /// The ARN suffix CloudWatch metrics use.
    pub arn_suffix: Expr<String>,
    /// The DNS name, for alias records.
    pub dns_name: Expr<String>,
    /// The hosted zone of the DNS name, for alias records.
    pub zone_id: Expr<String>,
    /// The load balancer's security group: add egress to targets from it.
    pub security_group: SecurityGroup,
    /// The target groups by name.
    pub target_groups: IndexMap<String, TargetGroupRef>,
}

/// A target group, for services to register with.
#[derive(Debug, Clone)]
pub struct TargetGroupRef {
    /// The target group ARN.
    pub arn: Expr<String>,
    /// The ARN suffix CloudWatch metrics use.
    pub arn_suffix: Expr<String>,
    /// The port targets listen on.
    pub port: u16,
    /// The load balancer's ARN suffix, for request-count scaling labels.
    pub lb_arn_suffix: Expr<String>,
}

/// A target group: IP targets (Fargate tasks) on one port, with a health check.
#[derive(Debug, Clone)]
#[must_use]
pub struct TargetGroup {
    name: String,
    port: u16,
    health_path: String,
    healthy: u8,
    unhealthy: u8,
    timeout: u8,
}

impl TargetGroup {
    /// Target group `name` for targets on `port`, checked at `/health`.
    pub fn new(name: impl Into<String>, port: u16) -> Self {
        Self { name: name.into(), port, health_path: "/health".into(), healthy: 3, unhealthy: 3, timeout: 5 }
    }

    /// The health check path.
    pub fn health_path(mut self, path: impl Into<String>) -> Self {
        self.health_path = path.into();
        self
    }

    /// Consecutive checks to become healthy / unhealthy.
    pub fn thresholds(mut self, healthy: u8, unhealthy: u8) -> Self {
        self.healthy = healthy;
        self.unhealthy = unhealthy;
        self
    }
}

/// What a listener rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Any of these path patterns, e.g. `/api/*`.
    Path(Vec<&'static str>),
    /// Any of these host names.
    Host(Vec<&'static str>),
}

#[derive(Debug, Clone)]
struct Rule {
    priority: u16,
    condition: Condition,
    targets: Vec<(String, u8)>,
}

/// Whether the load balancer survives `terraform destroy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Deletion protection on: the default.
    Protected,
    /// Deletable, with the reason it is acceptable.
    Unprotected(&'static str),
}

/// A load balancer under construction.
#[derive(Debug, Clone)]
#[must_use = "a load balancer does nothing until built into a stack"]
pub struct Alb {
    name: String,
    certificate_arn: Expr<String>,
    ssl_policy: &'static str,
    deletion: Deletion,
    target_groups: Vec<TargetGroup>,
    default_target: Option<String>,
    rules: Vec<Rule>,
}

/// The TLS policy: TLS 1.3 and 1.2 with forward-secret ciphers only.
pub const TLS13_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The account Elastic Load Balancing writes access logs from, for regions created before
/// August 2022; newer regions use the `logdelivery.elasticloadbalancing.amazonaws.com` service.
const ELB_LOG_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("eu-west-1", "156460612806"),
    ("eu-central-1", "054676820928"),
    ("ap-southeast-1", "114774131450"),
    ("ap-northeast-1", "582318560864"),
];

impl Alb {
    /// Load balancer `name` (at most 32 characters) serving HTTPS with `certificate_arn`.
    pub fn new(name: impl Into<String>, certificate_arn: impl Into<Expr<String>>) -> Self {
        Self {
            name: name.into(),
            certificate_arn: certificate_arn.into(),
            ssl_policy: TLS13_POLICY,
            deletion: Deletion::Protected,
            target_groups: Vec::new(),
            default_target: None,
            rules: Vec::new(),
        }
    }

    /// Whether the load balancer is protected from deletion.
    pub fn deletion(mut self, deletion: Deletion) -> Self {
        self.deletion = deletion;
        self
    }

    /// Adds a target group.
    pub fn target_group(mut self, group: TargetGroup) -> Self {
        self.target_groups.push(group);
        self
    }

    /// The target group requests matching no rule go to.
    pub fn default_target(mut self, name: impl Into<String>) -> Self {
        self.default_target = Some(name.into());
        self
    }

    /// Forwards requests matching `condition` to target group `target`.
    pub fn forward(self, priority: u16, condition: Condition, target: &str) -> Self {
        self.weighted(priority, condition, &[(target, 1)])
    }

    /// Splits requests matching `condition` between target groups by weight (blue/green, canary).
    pub fn weighted(mut self, priority: u16, condition: Condition, targets: &[(&str, u8)]) -> Self {
        let targets = targets.iter().map(|(t, w)| ((*t).to_owned(), *w)).collect();
        self.rules.push(Rule { priority, condition, targets });
        self
    }

    fn check(&self, stack: &mut Stack) {
        let at = "aws_lb.main";
        if self.name.len() > 32
            || self.name.is_empty()
            || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            let help = "use at most 32 letters, digits and hyphens";
            stack.problem_at(at, "name", format!("load balancer name `{}` is not valid", self.name), help);
        }
        let known: Vec<&str> = self.target_groups.iter().map(|t| t.name.as_str()).collect();
        let mut referenced: Vec<&str> =
            self.rules.iter().flat_map(|r| r.targets.iter().map(|(t, _)| t.as_str())).collect();
        match &self.default_target {
            Some(d) => referenced.push(d),
            None => stack.problem(at, "no default target group", "name one with .default_target(..)"),
        }
        for name in referenced.into_iter().filter(|n| !known.contains(n)) {
            stack.problem(
                at,
                format!("target group `{name}` is not declared"),
                format!("declare it with .target_group(TargetGroup::new(\"{name}\", port)); known: {known:?}"),
            );
        }
        for tg in &self.target_groups {
            if tg.port == 0 {
                stack.problem(
                    format!("aws_lb_target_group.{}", tg.name),
                    "port 0 is not a valid target port",
                    "use 1-65535",
                );
            }
        }
        let mut priorities: Vec<u16> = self.rules.iter().map(|r| r.priority).collect();
        priorities.sort_unstable();
        if priorities.windows(2).any(|w| w[0] == w[1]) || priorities.iter().any(|p| !(1..=50_000).contains(p)) {
            stack.problem(
                "aws_lb_listener_rule",
                format!("rule priorities {priorities:?} are not unique values in 1-50000"),
                "give each rule its own priority",
            );
        }
    }

    /// Adds the load balancer, its security group, access-log bucket, target groups, listeners
    /// and rules to `stack`, in the network's public subnets.
    pub fn build(self, stack: &mut Stack, account: &Account, net: &Network) -> LoadBalancer {
        self.check(stack);
        let name = self.name.as_str();
        let sg = SecurityGroup::new(
            stack,
            &net.vpc_id,
            "alb",
            format!("{name}-alb"),
            "Load balancer: HTTP(S) from the internet",
        );
        sg.allow_in(stack, Port::tcp(443), Peer::Internet, "HTTPS from the internet");
        sg.allow_http_redirect_from_internet(stack);
        let logs = self.log_bucket(stack, account);
        let groups: IndexMap<String, TargetGroupRef> =
            self.target_groups.iter().map(|tg| (tg.name.clone(), target_group(stack, name, net, tg))).collect();

        let (protect, waiver) = match self.deletion {
            Deletion::Protected => (true, None),
            Deletion::Unprotected(reason) => (false, Some(reason)),
        };
        let mut lb = Resource::new("aws_lb", "main")
            .set("name", name)
            .set("internal", false)
            .set("load_balancer_type", "application")
            .set("security_groups", vec![sg.id.clone()])
            .set("subnets", net.public_subnets.0.clone())
            .set("drop_invalid_header_fields", true)
            .set("desync_mitigation_mode", "defensive")
            .set("enable_deletion_protection", protect)
            .block("access_logs", Body::new().set("bucket", logs).set("prefix", "alb").set("enabled", true));
        if let Some(reason) = waiver {
            lb = lb.skip_check("CKV_AWS_150", reason);
        }
        let lb = stack.add(lb);
        let suffix: Expr<String> = lb.attr("arn_suffix").typed();
        let groups: IndexMap<String, TargetGroupRef> =
            groups.into_iter().map(|(k, g)| (k, TargetGroupRef { lb_arn_suffix: suffix.clone(), ..g })).collect();
        let arn_of = |n: &str| groups.get(n).map_or_else(|| Expr::from(""), |g| g.arn.clone());
        let default = self.default_target.as_deref().map_or_else(|| Expr::from(""), arn_of);
        let https = stack.add(
            Resource::new("aws_lb_listener", "https")
                .set("load_balancer_arn", lb.arn())
                .set("port", 443)
                .set("protocol", "HTTPS")
                .set("ssl_policy", self.ssl_policy)
                .set("certificate_arn", self.certificate_arn.clone())
                .block("default_action", Body::new().set("type", "forward").set("target_group_arn", default)),
        );
        let redirect = Body::new().set("port", "443").set("protocol", "HTTPS").set("status_code", "HTTP_301");
        stack.add(
            Resource::new("aws_lb_listener", "http")
                .set("load_balancer_arn", lb.arn())
                .set("port", 80)
                .set("protocol", "HTTP")
                .block("default_action", Body::new().set("type", "redirect").block("redirect", redirect))
                .skip_check("CKV_AWS_2", "this listener only redirects to HTTPS")
                .skip_check("CKV_AWS_103", "this listener only redirects to HTTPS"),
        );
        for rule in &self.rules {
            let action = if rule.targets.len() == 1 {
                Body::new().set("type", "forward").set("target_group_arn", arn_of(&rule.targets[0].0))
            } else {
                let weighted = rule.targets.iter().map(|(t, w)| Body::new().set("arn", arn_of(t)).set("weight", *w));
                Body::new().set("type", "forward").block("forward", Body::new().blocks("target_group", weighted))
            };
            let condition = match &rule.condition {
                Condition::Path(p) => Body::new().block("path_pattern", Body::new().set("values", p.clone())),
                Condition::Host(h) => Body::new().block("host_header", Body::new().set("values", h.clone())),
            };
            stack.add(
                Resource::new("aws_lb_listener_rule", format!("https_{}", rule.priority))
                    .set("listener_arn", https.arn())
                    .set("priority", rule.priority)
                    .block("action", action)
                    .block("condition", condition),
            );
        }
        LoadBalancer {
            arn: lb.arn(),
            arn_suffix: suffix,
            dns_name: lb.attr("dns_name").typed(),
            zone_id: lb.attr("zone_id").typed(),
            security_group: sg,
            target_groups: groups,
        }
    }

    /// The access-log bucket. ALB logs support only S3-managed encryption.
    fn log_bucket(&self, stack: &mut Stack, account: &Account) -> Expr<String> {
        let writer = ELB_LOG_ACCOUNTS.iter().find(|(r, _)| *r == account.region);
        let put = Statement::allow(["s3:PutObject"]).sid("ElbAccessLogs");
        let put = match writer {
            Some((_, elb)) => put.aws_principal(format!("arn:aws:iam::{elb}:root")),
            None => put.service("logdelivery.elasticloadbalancing.amazonaws.com"),
        };
        // The policy refers to the bucket by name, so it is known before the bucket exists.
        let bucket_name = format!("{}-alb-logs-{}", self.name, account.id);
        let put = put.on(format!("arn:aws:s3:::{bucket_name}/alb/AWSLogs/{}/*", account.id));
        let bucket = Bucket::new("alb_logs", bucket_name)
            .encryption(Encryption::S3Managed("Application Load Balancer access logs support only SSE-S3"))
            .expire_after_days(365)
            .access_logs(AccessLogs::Off("this bucket receives the load balancer's access logs; logging it would loop"))
            .allow(put)
            .build(stack);
        bucket.name
    }
}

fn target_group(stack: &mut Stack, lb_name: &str, net: &Network, tg: &TargetGroup) -> TargetGroupRef {
    let health = Body::new()
        .set("enabled", true)
        .set("path", tg.health_path.as_str())
        .set("port", "traffic-port")
        .set("protocol", "HTTP")
        .set("matcher", "200")
        .set("interval", 30)
        .set("timeout", tg.timeout)
        .set("healthy_threshold", tg.healthy)
        .set("unhealthy_threshold", tg.unhealthy);
    let name = format!("{lb_name}-{}", tg.name);
    if name.len() > 32 {
        let help = "shorten the load balancer or target group name";
        stack.problem(
            format!("aws_lb_target_group.{}", tg.name),
            format!("target group name `{name}` is longer than 32 characters"),
            help,
        );
    }
    let r = stack.add(
        Resource::new("aws_lb_target_group", tg.name.as_str())
            .set("name", name)
            .set("port", tg.port)
            .set("protocol", "HTTP")
            .set("target_type", "ip")
            .set("vpc_id", net.vpc_id.0.clone())
            .set("deregistration_delay", 30)
            .block("health_check", health)
            .skip_check(
                "CKV_AWS_378",
                "TLS ends at the load balancer; targets are reached over the private VPC network",
            ),
    );
    TargetGroupRef {
        arn: r.arn(),
        arn_suffix: r.attr("arn_suffix").typed(),
        port: tg.port,
        lb_arn_suffix: Expr::from(""),
    }
}
