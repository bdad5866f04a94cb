//! An internet-facing Application Load Balancer: HTTPS with a TLS 1.3 policy, HTTP redirected to
//! HTTPS, invalid headers dropped, access logs to a bucket of its own; target groups with
//! health checks; path / host rules with plain or weighted (blue/green, canary) forwarding.
//!
//! Target groups are built first and passed by handle to the load balancer's rules and to the
//! services behind them, so a rule cannot name a group that does not exist.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms, load_balancing::{Alb, Condition, TargetGroup}, networking::Vpc};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! ctx.use_network(&net);
//! let web = TargetGroup::new("web", "demo-web", 8080).build(&mut ctx);
//! let api = TargetGroup::new("api", "demo-api", 8000).health_check_timeout(10).build(&mut ctx);
//! let alb = Alb::new("public", "demo-production", "arn:aws:acm:us-east-1:123456789012:certificate/example")
//!     .default_target(&web)
//!     .forward(100, Condition::path(&["/api/*"]), &api)
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Json).contains(r#""drop_invalid_header_fields": true"#));
//! # let _ = alb;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::iam::Statement;
use super::networking::{Port, SecurityGroup, SecurityGroupRef, VpcRef};
use super::storage::{AccessLogs, Bucket, Encryption};
use super::{Context, Deletion};
use crate::prelude::*;

/// What the load balancer gives the components behind and in front of it.
#[derive(Debug, Clone)]
pub struct AlbRef {
    /// The load balancer ARN (for WAF associations).
    pub arn: Expr<String>,
    /// The ARN suffix CloudWatch metrics use.
    pub arn_suffix: Expr<String>,
    /// The DNS name, for alias records.
    pub dns_name: Expr<String>,
    /// The hosted zone of the DNS name, for alias records.
    pub zone_id: Expr<String>,
    /// The load balancer's security group: add egress to targets from it.
    pub security_group: SecurityGroupRef,
    /// The load balancer itself.
    pub resource: Ref,
    /// The HTTPS listener: services registering with a target group wait for it.
    pub https_listener: Ref,
}

/// A target group, for services to register with and rules to forward to.
#[derive(Debug, Clone)]
pub struct TargetGroupRef {
    /// The target group ARN.
    pub arn: Expr<String>,
    /// The ARN suffix CloudWatch metrics use.
    pub arn_suffix: Expr<String>,
    /// The port targets listen on.
    pub port: u16,
    /// The target group itself.
    pub resource: Ref,
}

/// A target group under construction: IP targets (Fargate tasks) on one port, with a health
/// check.
#[derive(Debug, Clone)]
#[must_use = "a target group does nothing until built into a stack"]
pub struct TargetGroup {
    key: String,
    name: String,
    port: u16,
    health_path: String,
    matcher: String,
    healthy: u8,
    unhealthy: u8,
    timeout: u8,
    interval: u16,
    deregistration_delay: u16,
    network: Option<VpcRef>,
}

impl TargetGroup {
    /// Target group `key` called `name` (at most 32 characters) for targets on `port`, checked
    /// at `/health` every 30 s with a 5 s timeout, 3 checks to change state, expecting 200.
    pub fn new(key: impl Into<String>, name: impl Into<String>, port: u16) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            port,
            health_path: "/health".into(),
            matcher: "200".into(),
            healthy: 3,
            unhealthy: 3,
            timeout: 5,
            interval: 30,
            deregistration_delay: 30,
            network: None,
        }
    }

    /// The health check path.
    pub fn health_path(mut self, path: impl Into<String>) -> Self {
        self.health_path = path.into();
        self
    }

    /// Consecutive checks to become healthy / unhealthy (2-10 each).
    pub fn thresholds(mut self, healthy: u8, unhealthy: u8) -> Self {
        self.healthy = healthy;
        self.unhealthy = unhealthy;
        self
    }

    /// Seconds before a check fails (2-120; less than the interval).
    pub fn health_check_timeout(mut self, seconds: u8) -> Self {
        self.timeout = seconds;
        self
    }

    /// Seconds between checks (5-300).
    pub fn health_check_interval(mut self, seconds: u16) -> Self {
        self.interval = seconds;
        self
    }

    /// The HTTP codes that count as healthy, e.g. `200` or `200-299`.
    pub fn matcher(mut self, codes: impl Into<String>) -> Self {
        self.matcher = codes.into();
        self
    }

    /// Seconds a deregistering target keeps serving open requests (0-3600; 30 by default).
    pub fn deregistration_delay(mut self, seconds: u16) -> Self {
        self.deregistration_delay = seconds;
        self
    }

    /// The network of the targets instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    fn check(&self, stack: &mut Context, at: &str) {
        if self.port == 0 {
            stack.problem_at(at, "port", "port 0 is not a valid target port", "use 1-65535");
        }
        if !valid_name(&self.name) {
            let help = "use at most 32 letters, digits and hyphens, not starting or ending with a hyphen";
            stack.problem_at(at, "name", format!("target group name `{}` is not valid", self.name), help);
        }
        let health = "health_check";
        if !(2..=10).contains(&self.healthy) || !(2..=10).contains(&self.unhealthy) {
            let message = format!("thresholds {}/{} are outside 2-10", self.healthy, self.unhealthy);
            stack.problem_at(at, health, message, "use 2-10 consecutive checks");
        }
        if !(5..=300).contains(&self.interval) || !(2..=120).contains(&self.timeout) {
            let message =
                format!("interval {} s / timeout {} s are outside 5-300 / 2-120", self.interval, self.timeout);
            stack.problem_at(at, health, message, "use an interval of 5-300 s and a timeout of 2-120 s");
        } else if u16::from(self.timeout) >= self.interval {
            let message = format!("timeout {} s is not shorter than the interval {} s", self.timeout, self.interval);
            stack.problem_at(at, health, message, "make the timeout shorter than the interval");
        }
        if self.deregistration_delay > 3600 {
            let message = format!("deregistration delay of {} s", self.deregistration_delay);
            stack.problem_at(at, "deregistration_delay", message, "use 0-3600 s");
        }
    }

    /// Adds the target group.
    pub fn build(self, ctx: &mut Context) -> TargetGroupRef {
        ctx.within("load balancing", |ctx| {
            let at = format!("aws_lb_target_group.{}", self.key);
            self.check(ctx, &at);
            let net = ctx.network_for(&at, self.network.as_ref());
            let health = Body::new()
                .set("enabled", true)
                .set("path", self.health_path.as_str())
                .set("port", "traffic-port")
                .set("protocol", "HTTP")
                .set("matcher", self.matcher.as_str())
                .set("interval", self.interval)
                .set("timeout", self.timeout)
                .set("healthy_threshold", self.healthy)
                .set("unhealthy_threshold", self.unhealthy);
            let r = ctx.add(
                Resource::new("aws_lb_target_group", &self.key)
                    .set("name", self.name.as_str())
                    .set("port", self.port)
                    .set("protocol", "HTTP")
                    .set("target_type", "ip")
                    .set("vpc_id", net.vpc_id.0)
                    .set("deregistration_delay", self.deregistration_delay)
                    .block("health_check", health)
                    .skip_check(
                        "CKV_AWS_378",
                        "TLS ends at the load balancer; targets are reached over the private VPC network",
                    ),
            );
            TargetGroupRef { arn: r.arn(), arn_suffix: r.attr("arn_suffix").typed(), port: self.port, resource: r }
        })
    }
}

/// What a listener rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Any of these path patterns, e.g. `/api/*`.
    Path(Vec<String>),
    /// Any of these host names.
    Host(Vec<String>),
}

impl Condition {
    /// Any of the path patterns `patterns`.
    pub fn path<S: AsRef<str>>(patterns: &[S]) -> Self {
        Condition::Path(patterns.iter().map(|p| p.as_ref().to_owned()).collect())
    }

    /// Any of the host names `hosts`.
    pub fn host<S: AsRef<str>>(hosts: &[S]) -> Self {
        Condition::Host(hosts.iter().map(|h| h.as_ref().to_owned()).collect())
    }
}

#[derive(Debug, Clone)]
struct Rule {
    priority: u16,
    condition: Condition,
    action: Action,
}

/// What a rule does with the requests it matches.
#[derive(Debug, Clone)]
enum Action {
    /// Forward them, split by weight.
    Forward(Vec<(TargetGroupRef, u8)>),
    /// Answer `403 Forbidden` from the load balancer itself.
    Refuse,
}

/// A load balancer under construction.
#[derive(Debug, Clone)]
#[must_use = "a load balancer does nothing until built into a stack"]
pub struct Alb {
    key: String,
    name: String,
    certificate_arn: Expr<String>,
    ssl_policy: &'static str,
    deletion: Deletion,
    idle_timeout: u16,
    default_targets: Vec<(TargetGroupRef, u8)>,
    rules: Vec<Rule>,
    network: Option<VpcRef>,
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

/// A forward action to one target group, or split between several by weight.
fn forward(targets: &[(TargetGroupRef, u8)]) -> Body {
    match targets {
        // Reported by the check already.
        [] => Body::new().set("type", "forward"),
        [(target, _)] => Body::new().set("type", "forward").set("target_group_arn", target.arn.clone()),
        targets => {
            let weighted = targets.iter().map(|(t, w)| Body::new().set("arn", t.arn.clone()).set("weight", *w));
            Body::new().set("type", "forward").block("forward", Body::new().blocks("target_group", weighted))
        }
    }
}

/// A load balancer, target group or similar name: at most 32 letters, digits and hyphens.
fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

impl Alb {
    /// Load balancer `key` called `name` (at most 32 characters) serving HTTPS with
    /// `certificate_arn`, in the public subnets of the context's network.
    pub fn new(key: impl Into<String>, name: impl Into<String>, certificate_arn: impl Into<Expr<String>>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            certificate_arn: certificate_arn.into(),
            ssl_policy: TLS13_POLICY,
            deletion: Deletion::Protected,
            idle_timeout: 60,
            default_targets: Vec::new(),
            rules: Vec::new(),
            network: None,
        }
    }

    /// Whether the load balancer is protected from deletion.
    pub fn deletion(mut self, deletion: Deletion) -> Self {
        self.deletion = deletion;
        self
    }

    /// Seconds an idle connection stays open (1-4000; 60 by default).
    pub fn idle_timeout(mut self, seconds: u16) -> Self {
        self.idle_timeout = seconds;
        self
    }

    /// The target group requests matching no rule go to.
    pub fn default_target(self, target: &TargetGroupRef) -> Self {
        self.default_weighted(&[(target, 1)])
    }

    /// Splits requests matching no rule between target groups by weight: blue/green with
    /// weights 100 and 0, switched by changing the weights in a reviewed change.
    pub fn default_weighted(mut self, targets: &[(&TargetGroupRef, u8)]) -> Self {
        self.default_targets = targets.iter().map(|(t, w)| ((*t).clone(), *w)).collect();
        self
    }

    /// Forwards requests matching `condition` to `target`.
    pub fn forward(self, priority: u16, condition: Condition, target: &TargetGroupRef) -> Self {
        self.weighted(priority, condition, &[(target, 1)])
    }

    /// Splits requests matching `condition` between target groups by weight (blue/green, canary).
    pub fn weighted(mut self, priority: u16, condition: Condition, targets: &[(&TargetGroupRef, u8)]) -> Self {
        let targets = targets.iter().map(|(t, w)| ((*t).clone(), *w)).collect();
        self.rules.push(Rule { priority, condition, action: Action::Forward(targets) });
        self
    }

    /// Answers requests matching `condition` with `403 Forbidden` at the load balancer, before
    /// any lower-priority rule forwards them: for paths that must not be reachable from the
    /// internet, such as a metrics endpoint that internal scrapers read from the tasks directly.
    pub fn refuse(mut self, priority: u16, condition: Condition) -> Self {
        self.rules.push(Rule { priority, condition, action: Action::Refuse });
        self
    }

    /// The network to run in instead of the context's.
    pub fn network(mut self, network: &VpcRef) -> Self {
        self.network = Some(network.clone());
        self
    }

    fn check(&self, stack: &mut Context, at: &str) {
        if !valid_name(&self.name) {
            let help = "use at most 32 letters, digits and hyphens, not starting or ending with a hyphen";
            stack.problem_at(at, "name", format!("load balancer name `{}` is not valid", self.name), help);
        }
        if self.default_targets.is_empty() {
            stack.problem(at, "no default target group", "name one with .default_target(&group)");
        } else if self.default_targets.iter().all(|(_, w)| *w == 0) {
            let listener = format!("aws_lb_listener.{}_https", self.key);
            stack.problem(listener, "every default weight is 0", "give at least one target group a weight above 0");
        }
        if !(1..=4000).contains(&self.idle_timeout) {
            let message = format!("idle timeout of {} s", self.idle_timeout);
            stack.problem_at(at, "idle_timeout", message, "use 1-4000 s");
        }
        let mut priorities: Vec<u16> = self.rules.iter().map(|r| r.priority).collect();
        priorities.sort_unstable();
        if priorities.windows(2).any(|w| w[0] == w[1]) || priorities.iter().any(|p| !(1..=50_000).contains(p)) {
            stack.problem(
                format!("aws_lb_listener_rule.{}_https", self.key),
                format!("rule priorities {priorities:?} are not unique values in 1-50000"),
                "give each rule its own priority",
            );
        }
        for rule in &self.rules {
            let Action::Forward(targets) = &rule.action else { continue };
            let weights: u32 = targets.iter().map(|(_, w)| u32::from(*w)).sum();
            if targets.len() > 1 && weights == 0 {
                let at = format!("aws_lb_listener_rule.{}_https_{}", self.key, rule.priority);
                stack.problem(at, "every weight is 0", "give at least one target group a weight above 0");
            }
        }
    }

    /// Adds the load balancer, its security group, access-log bucket, listeners and rules, in
    /// the network's public subnets.
    pub fn build(self, ctx: &mut Context) -> AlbRef {
        ctx.within("load balancing", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> AlbRef {
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let at = format!("aws_lb.{k}");
        self.check(ctx, &at);
        let net = ctx.network_for(&at, self.network.as_ref());
        let sg =
            SecurityGroup::new(format!("{k}_alb"), format!("{name}-alb"), "Load balancer: HTTP(S) from the internet")
                .network(&net)
                .build(ctx);
        sg.serve_internet(
            ctx,
            Port::tcp(443),
            "HTTPS from the internet",
            "an internet-facing load balancer serves HTTPS",
        );
        sg.allow_http_redirect_from_internet(ctx);
        let logs = self.log_bucket(ctx);
        let mut lb = Resource::new("aws_lb", k)
            .set("name", name)
            .set("internal", false)
            .set("load_balancer_type", "application")
            .set("security_groups", vec![sg.id.clone()])
            .set("subnets", net.public_subnets.0.clone())
            .set("drop_invalid_header_fields", true)
            .set("desync_mitigation_mode", "defensive")
            .set("idle_timeout", self.idle_timeout)
            .set("enable_deletion_protection", self.deletion.is_protected())
            .block(
                "access_logs",
                Body::new().set("bucket", logs.name.clone()).set("prefix", "alb").set("enabled", true),
            )
            // ELB writes a test object when logging is turned on; the bucket policy must allow it first.
            .depends_on(&logs.policy);
        if let Some(reason) = self.deletion.reason() {
            lb = lb.skip_check("CKV_AWS_150", reason);
        }
        let lb = ctx.add(lb);
        ctx.approve(Approval::new(lb.path(), "an internet-facing load balancer is what the component builds"));
        let https = ctx.add(
            Resource::new("aws_lb_listener", format!("{k}_https"))
                .set("load_balancer_arn", lb.arn())
                .set("port", 443)
                .set("protocol", "HTTPS")
                .set("ssl_policy", self.ssl_policy)
                .set("certificate_arn", self.certificate_arn.clone())
                .block("default_action", forward(&self.default_targets)),
        );
        let redirect = Body::new().set("port", "443").set("protocol", "HTTPS").set("status_code", "HTTP_301");
        ctx.add(
            Resource::new("aws_lb_listener", format!("{k}_http"))
                .set("load_balancer_arn", lb.arn())
                .set("port", 80)
                .set("protocol", "HTTP")
                .block("default_action", Body::new().set("type", "redirect").block("redirect", redirect))
                .skip_check("CKV_AWS_2", "this listener only redirects to HTTPS")
                .skip_check("CKV_AWS_103", "this listener only redirects to HTTPS"),
        );
        for rule in &self.rules {
            let action = match &rule.action {
                Action::Forward(targets) => forward(targets),
                Action::Refuse => Body::new().set("type", "fixed-response").block(
                    "fixed_response",
                    Body::new()
                        .set("content_type", "text/plain")
                        .set("status_code", "403")
                        .set("message_body", "Forbidden"),
                ),
            };
            let condition = match &rule.condition {
                Condition::Path(p) => Body::new().block("path_pattern", Body::new().set("values", p.clone())),
                Condition::Host(h) => Body::new().block("host_header", Body::new().set("values", h.clone())),
            };
            ctx.add(
                Resource::new("aws_lb_listener_rule", format!("{k}_https_{}", rule.priority))
                    .set("listener_arn", https.arn())
                    .set("priority", rule.priority)
                    .block("action", action)
                    .block("condition", condition),
            );
        }
        AlbRef {
            arn: lb.arn(),
            arn_suffix: lb.attr("arn_suffix").typed(),
            dns_name: lb.attr("dns_name").typed(),
            zone_id: lb.attr("zone_id").typed(),
            security_group: sg,
            resource: lb,
            https_listener: https,
        }
    }

    /// The access-log bucket. ALB logs support only S3-managed encryption.
    fn log_bucket(&self, ctx: &mut Context) -> super::storage::BucketRef {
        let account = *ctx.account();
        let writer = ELB_LOG_ACCOUNTS.iter().find(|(r, _)| *r == account.region);
        let put = Statement::allow(["s3:PutObject"]).sid("ElbAccessLogs");
        let put = match writer {
            Some((_, elb)) => put.aws_principal(format!("arn:aws:iam::{elb}:root")),
            None => put.service("logdelivery.elasticloadbalancing.amazonaws.com"),
        };
        // The policy refers to the bucket by name, so it is known before the bucket exists.
        let bucket_name = format!("{}-alb-logs-{}", self.name, account.id);
        let put = put.on(format!("arn:aws:s3:::{bucket_name}/alb/AWSLogs/{}/*", account.id));
        Bucket::new(format!("{}_alb_logs", self.key), bucket_name)
            .encryption(Encryption::S3Managed("Application Load Balancer access logs support only SSE-S3"))
            .expire_after_days(365)
            .access_logs(AccessLogs::Off("this bucket receives the load balancer's access logs; logging it would loop"))
            .allow(put)
            .build(ctx)
    }
}
