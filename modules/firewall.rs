//! A regional WAFv2 web ACL in front of a load balancer: a per-IP rate limit, AWS managed rule
//! groups (with per-rule overrides), association by reference, and logging to an encrypted
//! log group.
//!
//! The rule kinds are an enum, so a rate-based rule always gets an `action` and a rule group
//! always gets an `override_action` (seed 002 gave its rate rule `override_action`).
//!
//! ```
//! use tfsynth::modules::{Account, Context, firewall::{ManagedGroup, WebAcl}, kms, load_balancing::{Alb, TargetGroup}, networking::Vpc};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let net = Vpc::new("main", "demo", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! ctx.use_network(&net);
//! let web = TargetGroup::new("web", "demo-web", 8080).build(&mut ctx);
//! let alb = Alb::new("public", "demo", "arn:aws:acm:us-east-1:123456789012:certificate/x").default_target(&web).build(&mut ctx);
//! WebAcl::new("waf", "demo-production")
//!     .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
//!     .protect(&alb)
//!     .build(&mut ctx);
//! validate(&ctx.finish())?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::kms::KeyRef;
use super::load_balancing::AlbRef;
use super::logs::LogGroup;
use super::{Context, Retention};
use crate::prelude::*;

/// A web ACL, for the escape hatch and for associating it elsewhere.
#[derive(Debug, Clone)]
pub struct WebAclRef {
    /// The web ACL ARN.
    pub arn: Expr<String>,
    /// The web ACL itself.
    pub resource: Ref,
}

/// An AWS managed rule group, with rules switched to count-only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ManagedGroup {
    vendor: String,
    name: String,
    count_only: Vec<String>,
}

impl ManagedGroup {
    /// The AWS managed group `name`, e.g. `AWSManagedRulesCommonRuleSet`.
    pub fn aws(name: impl Into<String>) -> Self {
        Self { vendor: "AWS".into(), name: name.into(), count_only: Vec::new() }
    }

    /// Counts rule `rule` instead of blocking (e.g. `SizeRestrictions_BODY` for large uploads).
    pub fn count(mut self, rule: impl Into<String>) -> Self {
        self.count_only.push(rule.into());
        self
    }
}

/// A custom rule's match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Requests from any of these countries (ISO 3166 alpha-2).
    Countries(Vec<&'static str>),
    /// Requests whose URI path starts with this string.
    PathPrefix(&'static str),
}

/// What a custom rule does to matching requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Block them.
    Block,
    /// Count them only.
    Count,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    Rate { limit: u32, window_sec: u16 },
    Managed(ManagedGroup),
    Custom { name: String, matches: Match, action: Action },
}

/// A web ACL under construction. By default: 2,000 requests per IP per 5 minutes, then the
/// AWS common, known-bad-inputs (Log4j), SQL injection, IP reputation and anonymous-IP groups.
#[derive(Debug, Clone)]
#[must_use = "a web ACL does nothing until built into a stack"]
pub struct WebAcl {
    key: String,
    name: String,
    rules: Vec<Rule>,
    defaults: bool,
    log_retention: Retention,
    kms_key: Option<KeyRef>,
    protects: Vec<AlbRef>,
    rate_name: String,
}

/// 1,177 of the 1,500 capacity units a web ACL has, with the rate rule.
const DEFAULT_GROUPS: [&str; 5] = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    // Anonymizers (Tor, anonymous proxies, hosting providers); scanners expect it next to the
    // Log4j rules (CKV2_AWS_76).
    "AWSManagedRulesAnonymousIpList",
];

impl WebAcl {
    /// Web ACL `key` called `name` with the default rules.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            rules: Vec::new(),
            defaults: true,
            log_retention: Retention::OneYear,
            kms_key: None,
            protects: Vec::new(),
            rate_name: "RateLimit".into(),
        }
    }

    /// Puts the web ACL in front of `alb`.
    pub fn protect(mut self, alb: &AlbRef) -> Self {
        self.protects.push(alb.clone());
        self
    }

    /// Blocks an IP after `limit` requests in `window_sec` seconds (60, 120, 300 or 600).
    pub fn rate_limit(mut self, limit: u32, window_sec: u16) -> Self {
        self.rules.retain(|r| !matches!(r, Rule::Rate { .. }));
        self.rules.insert(0, Rule::Rate { limit, window_sec });
        self
    }

    /// The rate rule's name and metric (`RateLimit` by default; seed 001 calls it
    /// `RateLimitRule`).
    pub fn rate_rule_name(mut self, name: impl Into<String>) -> Self {
        self.rate_name = name.into();
        self
    }

    /// Adds or replaces an AWS managed group (replacing the default of the same name).
    pub fn managed(mut self, group: ManagedGroup) -> Self {
        self.rules.retain(|r| !matches!(r, Rule::Managed(g) if g.name == group.name));
        self.rules.push(Rule::Managed(group));
        self
    }

    /// Adds a custom rule.
    pub fn custom(mut self, name: impl Into<String>, matches: Match, action: Action) -> Self {
        self.rules.push(Rule::Custom { name: name.into(), matches, action });
        self
    }

    /// How long WAF logs are kept.
    pub fn log_retention(mut self, retention: Retention) -> Self {
        self.log_retention = retention;
        self
    }

    /// The key the request log group is encrypted with, instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    fn all_rules(&self) -> Vec<Rule> {
        let mut rules = self.rules.clone();
        if self.defaults {
            if !rules.iter().any(|r| matches!(r, Rule::Rate { .. })) {
                rules.insert(0, Rule::Rate { limit: 2000, window_sec: 300 });
            }
            for name in DEFAULT_GROUPS {
                if !rules.iter().any(|r| matches!(r, Rule::Managed(g) if g.name == name)) {
                    rules.push(Rule::Managed(ManagedGroup::aws(name)));
                }
            }
        }
        rules
    }

    fn check(&self, stack: &mut Context, rules: &[Rule]) {
        let at = format!("aws_wafv2_web_acl.{}", self.key);
        if self.protects.is_empty() {
            stack.problem(
                &at,
                "the web ACL protects nothing",
                "put it in front of a load balancer with .protect(&alb)",
            );
        }
        for rule in rules {
            if let Rule::Rate { limit, window_sec } = rule {
                if ![60, 120, 300, 600].contains(window_sec) {
                    let help = "WAF counts over 60, 120, 300 or 600 seconds; 1000/min is limit 1000 over 60 s";
                    stack.problem(&at, format!("rate window of {window_sec} s"), help);
                }
                if !(10..=2_000_000_000).contains(limit) {
                    stack.problem(&at, format!("rate limit {limit}"), "use 10-2,000,000,000 requests");
                }
            }
        }
    }

    /// Adds the web ACL, its associations and its logging.
    pub fn build(self, ctx: &mut Context) -> WebAclRef {
        ctx.within("firewall", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> WebAclRef {
        let rules = self.all_rules();
        self.check(ctx, &rules);
        let (k, name) = (self.key.as_str(), self.name.as_str());
        let bodies = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| rule_body(rule, &self.rate_name, u16::try_from(i + 1).unwrap_or(u16::MAX)));
        let acl = ctx.add(
            Resource::new("aws_wafv2_web_acl", k)
                .set("name", name)
                .set("description", format!("Web ACL of {name}"))
                .set("scope", "REGIONAL")
                .block("default_action", Body::new().block("allow", Body::new()))
                .blocks("rule", bodies)
                .block("visibility_config", visibility(name)),
        );
        for alb in &self.protects {
            ctx.add(
                Resource::new("aws_wafv2_web_acl_association", format!("{k}_{}", alb.resource.address().name))
                    .set("resource_arn", alb.arn.clone())
                    .set("web_acl_arn", acl.arn()),
            );
        }
        // WAF only delivers to log groups whose names start with `aws-waf-logs-`.
        let mut logs = LogGroup::new(format!("{k}_waf"), format!("aws-waf-logs-{name}")).retention(self.log_retention);
        if let Some(key) = &self.kms_key {
            logs = logs.kms_key(key);
        }
        let logs = logs.build(ctx);
        ctx.add(
            Resource::new("aws_wafv2_web_acl_logging_configuration", k)
                .set("resource_arn", acl.arn())
                .set("log_destination_configs", vec![logs.arn]),
        );
        WebAclRef { arn: acl.arn(), resource: acl }
    }
}

fn visibility(metric: &str) -> Body {
    Body::new().set("cloudwatch_metrics_enabled", true).set("metric_name", metric).set("sampled_requests_enabled", true)
}

fn rule_body(rule: &Rule, rate_name: &str, priority: u16) -> Body {
    let (name, statement, action) = match rule {
        Rule::Rate { limit, window_sec } => {
            let rate = Body::new()
                .set("limit", *limit)
                .set("aggregate_key_type", "IP")
                .set("evaluation_window_sec", *window_sec);
            (rate_name.to_owned(), Body::new().block("rate_based_statement", rate), Some(Action::Block))
        }
        Rule::Managed(g) => {
            let overrides = g.count_only.iter().map(|r| {
                Body::new().set("name", r.as_str()).block("action_to_use", Body::new().block("count", Body::new()))
            });
            let managed = Body::new()
                .set("name", g.name.as_str())
                .set("vendor_name", g.vendor.as_str())
                .blocks("rule_action_override", overrides);
            (g.name.clone(), Body::new().block("managed_rule_group_statement", managed), None)
        }
        Rule::Custom { name, matches, action } => {
            let statement = match matches {
                Match::Countries(codes) => {
                    Body::new().block("geo_match_statement", Body::new().set("country_codes", codes.clone()))
                }
                Match::PathPrefix(prefix) => {
                    let field = Body::new().block("uri_path", Body::new());
                    let transform = Body::new().set("priority", 0).set("type", "NONE");
                    let byte_match = Body::new()
                        .set("search_string", *prefix)
                        .set("positional_constraint", "STARTS_WITH")
                        .block("field_to_match", field)
                        .block("text_transformation", transform);
                    Body::new().block("byte_match_statement", byte_match)
                }
            };
            (name.clone(), statement, Some(*action))
        }
    };
    let body = Body::new().set("name", name.as_str()).set("priority", priority);
    let body = match action {
        // Rules of our own take an action; rule groups take an override of theirs.
        Some(a) => {
            let verb = if a == Action::Block { "block" } else { "count" };
            body.block("action", Body::new().block(verb, Body::new()))
        }
        None => body.block("override_action", Body::new().block("none", Body::new())),
    };
    body.block("statement", statement).block("visibility_config", visibility(&name))
}
