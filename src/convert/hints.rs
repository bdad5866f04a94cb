//! Where a group of converted resources matches what a component builds: the component that
//! would replace it, and what it would add that the group lacks (its secure defaults). A hint
//! only: `convert` rewrites nothing.

use crate::expr::{Expression, Root};
use crate::model::{Kind, Resource, Stack};

/// One group of converted resources a component builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The resource the group is built around, e.g. `aws_vpc.main`.
    pub at: String,
    /// The resources of the group that refer to it, e.g. `aws_subnet.private`.
    pub with: Vec<String>,
    /// The component, e.g. `modules::networking::Vpc`.
    pub component: &'static str,
    /// What the component would add or set that the group lacks.
    pub adds: Vec<&'static str>,
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.at)?;
        if !self.with.is_empty() {
            write!(f, " (with {})", self.with.join(", "))?;
        }
        write!(f, ": `tfsynth::{}` builds this", self.component)?;
        if !self.adds.is_empty() {
            write!(f, " and adds {}", self.adds.join(", "))?;
        }
        Ok(())
    }
}

/// What a component has that a converted group may lack.
enum Check {
    /// A resource of this type that refers to the anchor.
    Companion(&'static str),
    /// This attribute of the anchor set to `true`.
    On(&'static str),
    /// This attribute of the anchor set at all.
    Set(&'static str),
    /// A nested block of the anchor with this name.
    Block(&'static str),
}

/// What a component has, each with what it means.
type Checks = &'static [(Check, &'static str)];

/// The components and what each adds: the anchor type, the component, the companion types
/// that belong to the group, and the checks with what each means.
const COMPONENTS: &[(&str, &str, &[&str], Checks)] = &[
    (
        "aws_vpc",
        "modules::networking::Vpc",
        &["aws_subnet", "aws_internet_gateway", "aws_nat_gateway", "aws_route_table", "aws_security_group"],
        &[
            (Check::Companion("aws_flow_log"), "VPC flow logs"),
            (Check::Companion("aws_default_security_group"), "a locked-down default security group"),
        ],
    ),
    (
        "aws_db_instance",
        "modules::database::Postgres",
        &[],
        &[
            (Check::On("storage_encrypted"), "encryption with a customer key"),
            (Check::On("manage_master_user_password"), "an AWS-managed master password"),
            (Check::On("iam_database_authentication_enabled"), "IAM authentication"),
            (Check::On("performance_insights_enabled"), "Performance Insights"),
            (Check::On("deletion_protection"), "deletion protection in production"),
        ],
    ),
    (
        "aws_rds_cluster",
        "modules::database::Aurora",
        &["aws_rds_cluster_instance"],
        &[
            (Check::On("storage_encrypted"), "encryption with a customer key"),
            (Check::On("manage_master_user_password"), "an AWS-managed master password"),
            (Check::On("iam_database_authentication_enabled"), "IAM authentication"),
            (Check::On("deletion_protection"), "deletion protection in production"),
        ],
    ),
    (
        "aws_elasticache_replication_group",
        "modules::cache::Redis",
        &[],
        &[
            (Check::On("at_rest_encryption_enabled"), "encryption at rest with a customer key"),
            (Check::On("transit_encryption_enabled"), "encryption in transit"),
            (Check::Set("user_group_ids"), "IAM authentication through an RBAC user group"),
            (Check::Block("log_delivery_configuration"), "slow and engine logs to encrypted log groups"),
        ],
    ),
    (
        "aws_s3_bucket",
        "modules::storage::Bucket",
        &[],
        &[
            (Check::Companion("aws_s3_bucket_public_access_block"), "a public access block"),
            (Check::Companion("aws_s3_bucket_versioning"), "versioning"),
            (Check::Companion("aws_s3_bucket_server_side_encryption_configuration"), "encryption"),
            (Check::Companion("aws_s3_bucket_policy"), "a TLS-only bucket policy"),
            (Check::Companion("aws_s3_bucket_ownership_controls"), "bucket-owner ownership"),
            (Check::Companion("aws_s3_bucket_lifecycle_configuration"), "lifecycle rules"),
        ],
    ),
    (
        "aws_lb",
        "modules::load_balancing::Alb",
        &["aws_lb_listener", "aws_lb_target_group"],
        &[
            (Check::On("drop_invalid_header_fields"), "invalid headers dropped"),
            (Check::On("enable_deletion_protection"), "deletion protection in production"),
            (Check::Block("access_logs"), "access logs to a bucket of its own"),
        ],
    ),
    (
        "aws_wafv2_web_acl",
        "modules::firewall::WebAcl",
        &["aws_wafv2_web_acl_association"],
        &[(Check::Companion("aws_wafv2_web_acl_logging_configuration"), "logging to an encrypted log group")],
    ),
    (
        "aws_kms_key",
        "modules::kms::Key",
        &[],
        &[
            (Check::On("enable_key_rotation"), "rotation"),
            (Check::Set("policy"), "a key policy naming who may use the key"),
            (Check::Companion("aws_kms_alias"), "an alias"),
        ],
    ),
    (
        "aws_cloudwatch_log_group",
        "modules::logs::LogGroup",
        &[],
        &[(Check::Set("kms_key_id"), "KMS encryption"), (Check::Set("retention_in_days"), "a retention")],
    ),
    (
        "aws_ecs_cluster",
        "modules::compute::Cluster",
        &["aws_ecs_service", "aws_ecs_task_definition"],
        &[(Check::Block("setting"), "Container Insights")],
    ),
    (
        "aws_secretsmanager_secret",
        "modules::secrets::Secret",
        &["aws_secretsmanager_secret_version"],
        &[(Check::Set("kms_key_id"), "KMS encryption with a customer key")],
    ),
];

/// The hints for the managed resources of `stack`, in its order.
pub fn hints(stack: &Stack) -> Vec<Hint> {
    let managed: Vec<&Resource> = stack.resources().filter(|r| r.kind() == Kind::Managed).collect();
    let mut out = Vec::new();
    for anchor in &managed {
        let Some((_, component, members, checks)) = COMPONENTS.iter().find(|c| c.0 == anchor.address().ty) else {
            continue;
        };
        let refers = |r: &&&Resource| refers_to(r, anchor);
        let related: Vec<&&Resource> = managed.iter().filter(refers).collect();
        let with = related.iter().filter(|r| members.contains(&r.address().ty.as_str())).map(|r| r.path()).collect();
        let adds = checks
            .iter()
            .filter(|(check, _)| match check {
                Check::Companion(ty) => !related.iter().any(|r| r.address().ty == *ty),
                Check::On(name) => anchor.body().attribute(name) != Some(&Expression::Bool(true)),
                Check::Set(name) => anchor.body().attribute(name).is_none(),
                Check::Block(name) => anchor.body().blocks_of(name).is_empty(),
            })
            .map(|(_, what)| *what)
            .collect();
        out.push(Hint { at: anchor.path(), with, component, adds });
    }
    out
}

/// Whether any expression of `r` refers to `anchor`.
fn refers_to(r: &Resource, anchor: &Resource) -> bool {
    let mut found = false;
    r.body().walk(&mut |e| {
        if let Expression::Traversal(t) = e
            && let Root::Resource(a) = &t.root
        {
            found |= a.ty == anchor.address().ty && a.name == anchor.address().name;
        }
    });
    found
}
