//! Policy: built-in rules run on the synthesized model (so they also cover resources declared
//! with the generic builder), and typed, expiring waivers written in code next to the stack.
//!
//! `synth` and `check` fail on an unwaived finding or an expired waiver; `tfsynth lint` lists
//! every finding with its id, address, why it matters and how to fix it.

mod date;
mod rules;
pub mod security;
mod security_rules;

use std::fmt;

pub use date::Date;

use crate::error::Diagnostic;
use crate::model::Stack;

/// A built-in rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// Data at rest is encrypted: RDS, ElastiCache, S3, EBS, CloudWatch log groups with KMS.
    StorageEncrypted,
    /// Databases, instances and buckets are not reachable from the internet.
    NotPublic,
    /// No ingress from `0.0.0.0/0` or `::/0` except 80 and 443 on a load balancer.
    OpenIngress,
    /// Application load balancers drop invalid HTTP header fields.
    AlbDropsInvalidHeaders,
    /// Internet-facing application load balancers have a WAF web ACL attached.
    AlbHasWaf,
    /// Databases and load balancers are protected from deletion in production.
    DeletionProtection,
    /// Database backups and cache snapshots are kept (7 days or more in production).
    BackupsRetained,
    /// Log groups have a retention period.
    LogRetention,
    /// IAM policies never allow `*` actions on `*` resources.
    IamWildcard,
    /// An EventBridge rule that invokes a Lambda function has the permission to.
    InvokePermission,
    /// An autoscaling target has a policy or schedule that moves it.
    ScalingPolicy,
    /// A target group is used by a listener, a service or an attachment.
    TargetGroupUsed,
    /// Nothing gets a public IP address on launch (subnets, ECS tasks, launch templates).
    PublicIpOnLaunch,
    /// No ingress rule opens every port.
    AllPorts,
    /// A task secret reads one key of a JSON secret, not the whole document.
    WholeJsonSecret,
    /// Where the stack has a customer-managed KMS key, nothing encrypts with an AWS-managed one.
    AwsManagedKey,
    /// Whatever turns on delivery to a bucket (access logs, flow logs, trails) waits for the
    /// bucket policy that allows it.
    DeliveryWaitsForPolicy,
    /// An ECS service's tasks may send something: one of their security groups has an egress
    /// rule.
    ServiceEgress,
    /// A WAF rate rule named for a per-minute limit counts over a one-minute window.
    RateWindow,
    /// One value reaches the stack's task definitions under one environment name.
    EnvironmentSpelling,
}

impl Rule {
    /// Every rule, in id order.
    pub const ALL: [Rule; 20] = [
        Rule::StorageEncrypted,
        Rule::NotPublic,
        Rule::OpenIngress,
        Rule::AlbDropsInvalidHeaders,
        Rule::AlbHasWaf,
        Rule::DeletionProtection,
        Rule::BackupsRetained,
        Rule::LogRetention,
        Rule::IamWildcard,
        Rule::InvokePermission,
        Rule::ScalingPolicy,
        Rule::TargetGroupUsed,
        Rule::PublicIpOnLaunch,
        Rule::AllPorts,
        Rule::WholeJsonSecret,
        Rule::AwsManagedKey,
        Rule::DeliveryWaitsForPolicy,
        Rule::ServiceEgress,
        Rule::RateWindow,
        Rule::EnvironmentSpelling,
    ];

    /// The rule's id, e.g. `TFS003`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::StorageEncrypted => "TFS001",
            Rule::NotPublic => "TFS002",
            Rule::OpenIngress => "TFS003",
            Rule::AlbDropsInvalidHeaders => "TFS004",
            Rule::AlbHasWaf => "TFS005",
            Rule::DeletionProtection => "TFS006",
            Rule::BackupsRetained => "TFS007",
            Rule::LogRetention => "TFS008",
            Rule::IamWildcard => "TFS009",
            Rule::InvokePermission => "TFS010",
            Rule::ScalingPolicy => "TFS011",
            Rule::TargetGroupUsed => "TFS012",
            Rule::PublicIpOnLaunch => "TFS013",
            Rule::AllPorts => "TFS014",
            Rule::WholeJsonSecret => "TFS015",
            Rule::AwsManagedKey => "TFS016",
            Rule::DeliveryWaitsForPolicy => "TFS017",
            Rule::ServiceEgress => "TFS018",
            Rule::RateWindow => "TFS019",
            Rule::EnvironmentSpelling => "TFS020",
        }
    }

    /// Why the rule matters.
    pub fn why(self) -> &'static str {
        match self {
            Rule::StorageEncrypted => {
                "unencrypted data is readable from snapshots, backups and disks outside the service"
            }
            Rule::NotPublic => "anything reachable from the internet is scanned and attacked within minutes",
            Rule::OpenIngress => "a port open to the whole internet exposes the service behind it to everyone",
            Rule::AlbDropsInvalidHeaders => {
                "malformed headers are how request smuggling and desync attacks reach targets"
            }
            Rule::AlbHasWaf => "without a web ACL, injection and bot traffic reach the application unfiltered",
            Rule::DeletionProtection => "one mistaken apply or destroy would delete production data or traffic",
            Rule::BackupsRetained => "without retained backups there is nothing to restore after a bad migration",
            Rule::LogRetention => "logs kept forever cost money and hold personal data longer than allowed",
            Rule::IamWildcard => "`*` on `*` grants administrator rights to whoever holds the role",
            Rule::InvokePermission => {
                "without the permission EventBridge's invocations fail silently and the schedule never runs"
            }
            Rule::ScalingPolicy => "a scalable target nothing scales stays at its minimum, whatever the load",
            Rule::TargetGroupUsed => {
                "a target group no listener or service uses receives no traffic: a routing mistake"
            }
            Rule::PublicIpOnLaunch => {
                "a public address puts the workload on the internet, around the load balancer and WAF"
            }
            Rule::AllPorts => "opening every port exposes whatever else listens on the target, not only the service",
            Rule::WholeJsonSecret => {
                "the application receives the whole JSON document (every key, the password among them) as one string"
            }
            Rule::AwsManagedKey => {
                "AWS-managed keys cannot be restricted, audited or shared like the customer-managed key the stack already has"
            }
            Rule::DeliveryWaitsForPolicy => {
                "AWS tests the delivery when it is turned on; created before the bucket policy, it fails with Access Denied (provider issue #12010)"
            }
            Rule::ServiceEgress => {
                "tasks whose security groups allow no egress cannot pull their image, write their logs or call AWS: the service never starts"
            }
            Rule::RateWindow => {
                "WAF counts a rate rule's limit over its evaluation window (300 s unless set): a per-minute limit over five minutes lets five times the traffic through"
            }
            Rule::EnvironmentSpelling => {
                "the application reads one name; a service given the value under another name starts without it"
            }
        }
    }

    /// The checkov checks that say the same thing about resource type `ty`, so a waiver here
    /// also silences them (as `# checkov:skip=...` in the HCL).
    pub fn checkov_ids(self, ty: &str) -> &'static [&'static str] {
        match (self, ty) {
            (Rule::StorageEncrypted, "aws_db_instance") => &["CKV_AWS_16"],
            (Rule::StorageEncrypted, "aws_rds_cluster") => &["CKV_AWS_96"],
            (Rule::StorageEncrypted, "aws_elasticache_replication_group") => &["CKV_AWS_29"],
            (Rule::StorageEncrypted, "aws_cloudwatch_log_group") => &["CKV_AWS_158"],
            (Rule::StorageEncrypted, "aws_ebs_volume") => &["CKV_AWS_3"],
            (Rule::StorageEncrypted, "aws_instance") => &["CKV_AWS_8"],
            (Rule::NotPublic, "aws_db_instance") => &["CKV_AWS_17"],
            (Rule::NotPublic, "aws_instance") | (Rule::PublicIpOnLaunch, "aws_launch_template") => &["CKV_AWS_88"],
            (Rule::NotPublic, "aws_s3_bucket") => &["CKV2_AWS_6"],
            (Rule::OpenIngress, _) => &["CKV_AWS_260", "CKV_AWS_24", "CKV_AWS_25"],
            (Rule::AlbDropsInvalidHeaders, _) => &["CKV_AWS_131"],
            (Rule::AlbHasWaf, _) => &["CKV2_AWS_28"],
            (Rule::DeletionProtection, "aws_lb") => &["CKV_AWS_150"],
            (Rule::DeletionProtection, "aws_db_instance" | "aws_rds_cluster") => &["CKV_AWS_293", "CKV_AWS_139"],
            (Rule::BackupsRetained, "aws_db_instance") => &["CKV_AWS_133"],
            (Rule::BackupsRetained, "aws_rds_cluster") => &["CKV_AWS_326"],
            (Rule::LogRetention, _) => &["CKV_AWS_338", "CKV_AWS_66"],
            (Rule::IamWildcard, _) => &["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355", "CKV_AWS_290"],
            (Rule::PublicIpOnLaunch, "aws_subnet") => &["CKV_AWS_130"],
            (Rule::PublicIpOnLaunch, "aws_ecs_service") => &["CKV_AWS_333"],
            (Rule::AwsManagedKey, "aws_s3_bucket_server_side_encryption_configuration") => &["CKV_AWS_145"],
            (Rule::AwsManagedKey, "aws_secretsmanager_secret") => &["CKV_AWS_149"],
            (Rule::AwsManagedKey, "aws_dynamodb_table") => &["CKV_AWS_119"],
            (Rule::AwsManagedKey, "aws_ecr_repository") => &["CKV_AWS_136"],
            _ => &[],
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One rule broken by one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The block, e.g. `aws_db_instance.main`.
    pub address: String,
    /// The component that added the block (`None`: the stack's own code).
    pub component: Option<&'static str>,
    /// The attribute at fault, where there is one.
    pub attribute: Option<String>,
    /// What is wrong here.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// The waiver that accepts it, if any.
    pub waiver: Option<Waiver>,
}

impl Finding {
    /// As a diagnostic of `stack`: located, with why it matters and how to fix it.
    pub fn diagnostic(&self, stack: &Stack) -> Diagnostic {
        let message = format!("{} {}: {}", self.rule.id(), self.message, self.rule.why());
        stack.diagnostic(Some(self.address.clone()), self.attribute.clone(), message, Some(self.fix.clone()))
    }
}

/// An accepted finding: which rule, on which block, why, and until when. Written in code next
/// to the stack; a waiver past its expiry date fails synthesis until it is renewed or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The rule waived.
    pub rule: Rule,
    /// The block it applies to.
    pub address: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the waiver holds.
    pub expires: Date,
}

impl Waiver {
    /// A waiver of `rule` for `address` until `expires` (inclusive).
    pub fn new(rule: Rule, address: impl Into<String>, reason: impl Into<String>, expires: Date) -> Self {
        Self { rule, address: address.into(), reason: reason.into(), expires }
    }
}

/// The policy report of one stack.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every finding, waived or not, in block order.
    pub findings: Vec<Finding>,
    /// Waivers that no longer hold or match nothing, as diagnostics.
    pub waiver_problems: Vec<Diagnostic>,
}

impl Report {
    /// Findings no waiver accepts.
    pub fn unwaived(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.waiver.is_none())
    }

    /// Whether the stack passes: nothing unwaived and no waiver problem.
    pub fn passes(&self) -> bool {
        self.unwaived().next().is_none() && self.waiver_problems.is_empty()
    }

    /// The problems that fail a synth, as diagnostics of `stack`.
    pub fn diagnostics(&self, stack: &Stack) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self.unwaived().map(|f| f.diagnostic(stack)).collect();
        out.extend(self.waiver_problems.iter().cloned());
        out
    }
}

/// Runs every rule on `stack` and applies its waivers as of `today`.
pub fn lint(stack: &Stack, today: Date) -> Report {
    let mut findings = rules::check(stack);
    let mut waiver_problems = Vec::new();
    for w in stack.waivers() {
        let matched = findings.iter_mut().filter(|f| f.rule == w.rule && f.address == w.address);
        let mut any = false;
        for f in matched {
            f.waiver = Some(w.clone());
            any = true;
        }
        if w.expires < today {
            let message = format!("waiver of {} expired on {} ({})", w.rule.id(), w.expires, w.reason);
            let help = "fix the finding, or renew the waiver with a new date and a reason that still holds";
            waiver_problems.push(stack.diagnostic(Some(w.address.clone()), None, message, Some(help.into())));
        } else if !any {
            let message = format!("waiver of {} matches no finding", w.rule.id());
            let help = "remove the waiver: the block no longer breaks the rule (or the address is wrong)";
            waiver_problems.push(stack.diagnostic(Some(w.address.clone()), None, message, Some(help.into())));
        }
    }
    Report { findings, waiver_problems }
}

#[cfg(test)]
mod tests;
