//! What `terraform plan` will do to each stack, read from `terraform show -json`: resources
//! created, updated in place (with the attributes that change), replaced (with the attributes
//! that force it) and destroyed, and the warnings a reviewer must not miss.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::policy::security::{SecurityChange, SecurityRule, classify_plan};
use crate::schema::stateful::RESTARTS;
use crate::tools::changed_attributes;

/// Types whose replacement or destruction loses data (or a name others depend on).
const STATEFUL: &[(&str, &str)] = &[
    ("aws_db_instance", "a database"),
    ("aws_rds_cluster", "a database cluster"),
    ("aws_rds_cluster_instance", "a database instance"),
    ("aws_elasticache_replication_group", "a cache"),
    ("aws_s3_bucket", "a bucket and its objects"),
    ("aws_eks_cluster", "a Kubernetes cluster and everything on it"),
    ("aws_dynamodb_table", "a table"),
    ("aws_kms_key", "a key: data encrypted with it becomes unreadable"),
    ("aws_secretsmanager_secret", "a secret"),
    ("aws_cloudwatch_log_group", "a log group and its logs"),
    ("aws_ecr_repository", "a repository and its images"),
    ("aws_route53_zone", "a hosted zone: its name servers change"),
];

/// A resource and the attributes concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The resource's address.
    pub address: String,
    /// The attributes that change (update) or force the replacement (replace).
    pub attributes: Vec<String>,
}

/// One stack's planned changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StackPlan {
    /// The stack.
    pub stack: String,
    /// Resources created.
    pub create: Vec<String>,
    /// Resources updated in place.
    pub update: Vec<Changed>,
    /// Resources destroyed and created again.
    pub replace: Vec<Changed>,
    /// Resources destroyed.
    pub destroy: Vec<String>,
    /// Existing objects adopted (`import` blocks).
    pub import: Vec<String>,
    /// Resources now tracked at another address (`moved` blocks), as `from -> to`.
    pub moved: Vec<String>,
    /// Resources no longer managed, their objects kept (`removed` blocks).
    pub forget: Vec<String>,
    /// What a reviewer must read first.
    pub warnings: Vec<String>,
    /// The plan's security changes (before → after of each resource).
    pub security: Vec<SecurityChange>,
    /// Why the stack could not be planned.
    pub error: Option<String>,
}

impl StackPlan {
    /// Whether the plan changes anything.
    pub fn changes(&self) -> bool {
        [&self.create, &self.destroy, &self.import, &self.moved, &self.forget].iter().any(|l| !l.is_empty())
            || !self.update.is_empty()
            || !self.replace.is_empty()
    }
}

/// A path of `replace_paths` as an attribute path: `["ingress", 0, "cidr_blocks"]` →
/// `ingress[0].cidr_blocks`.
fn path(steps: &Value) -> String {
    let mut out = String::new();
    for step in steps.as_array().into_iter().flatten() {
        match step {
            Value::Number(n) => {
                let _ = write!(out, "[{n}]");
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(other.as_str().unwrap_or_default());
            }
        }
    }
    out
}

/// Reads `terraform show -json` of one stack's plan; `rules` are the team's own security
/// rules beside the built-in ones.
pub fn summarize(stack: &str, show: &Value, rules: &[SecurityRule]) -> StackPlan {
    let mut plan = StackPlan { stack: stack.to_owned(), security: classify_plan(show, rules), ..StackPlan::default() };
    for rc in show["resource_changes"].as_array().into_iter().flatten() {
        if rc["mode"] != "managed" {
            continue;
        }
        let address = rc["address"].as_str().unwrap_or_default().to_owned();
        let ty = rc["type"].as_str().unwrap_or_default();
        let actions: Vec<&str> =
            rc["change"]["actions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let stateful = STATEFUL.iter().find(|(t, _)| *t == ty).map(|(_, what)| *what);
        if rc["change"]["importing"].is_object() {
            plan.import.push(address.clone());
        }
        if let Some(from) = rc["previous_address"].as_str() {
            plan.moved.push(format!("{from} -> {address}"));
        }
        match actions.as_slice() {
            ["forget"] => plan.forget.push(address),
            ["create"] => plan.create.push(address),
            ["update"] => {
                let attributes = changed_attributes(&rc["change"]);
                if stateful.is_some()
                    && let Some(attr) = attributes.iter().find(|a| RESTARTS.contains(&a.as_str()))
                {
                    plan.warnings.push(format!(
                        "`{address}` changes `{attr}` in place: AWS restarts it to apply that (a failover of a minute or so with Multi-AZ, downtime without)"
                    ));
                }
                plan.update.push(Changed { address, attributes });
            }
            ["delete", "create"] | ["create", "delete"] => {
                let attributes: Vec<String> =
                    rc["change"]["replace_paths"].as_array().into_iter().flatten().map(path).collect();
                if let Some(what) = stateful {
                    let forced = if attributes.is_empty() {
                        String::new()
                    } else {
                        format!(" (forced by `{}`)", attributes.join("`, `"))
                    };
                    plan.warnings
                        .push(format!("**replaces `{address}`**{forced}: {what} is destroyed and created again"));
                }
                plan.replace.push(Changed { address, attributes });
            }
            ["delete"] => {
                if let Some(what) = stateful {
                    plan.warnings.push(format!("**destroys `{address}`**: {what} is gone"));
                }
                plan.destroy.push(address);
            }
            _ => {}
        }
    }
    plan
}

/// The plans of `environment` as Markdown for a pull-request comment: the security section,
/// a table of counts, the warnings, then each stack's changes.
pub fn markdown(environment: &str, plans: &[StackPlan], security: &str) -> String {
    let mut out = format!(
        "## tfsynth plan: {environment}\n\n{security}| stack | create | update | replace | destroy | import | move | forget |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    for p in plans {
        if p.error.is_some() {
            let _ = writeln!(out, "| {} | **failed** | | | | | | |", p.stack);
        } else {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                p.stack,
                p.create.len(),
                p.update.len(),
                p.replace.len(),
                p.destroy.len(),
                p.import.len(),
                p.moved.len(),
                p.forget.len()
            );
        }
    }
    let warnings: Vec<(&str, &String)> =
        plans.iter().flat_map(|p| p.warnings.iter().map(move |w| (p.stack.as_str(), w))).collect();
    if !warnings.is_empty() {
        out.push_str("\n### Read first\n\n");
        for (stack, w) in warnings {
            let _ = writeln!(out, "- {stack}: {w}");
        }
    }
    for p in plans {
        let _ = writeln!(out, "\n### {}\n", p.stack);
        if let Some(error) = &p.error {
            let _ = writeln!(out, "```\n{error}\n```");
            continue;
        }
        if !p.changes() {
            out.push_str("No changes.\n");
            continue;
        }
        for c in &p.replace {
            let forced = if c.attributes.is_empty() {
                String::new()
            } else {
                format!(", forced by `{}`", c.attributes.join("`, `"))
            };
            let _ = writeln!(out, "- replace `{}`{forced}", c.address);
        }
        for a in &p.destroy {
            let _ = writeln!(out, "- destroy `{a}`");
        }
        for (verb, list) in [("import", &p.import), ("move", &p.moved), ("forget (kept, no longer managed)", &p.forget)]
        {
            for a in list {
                let _ = writeln!(out, "- {verb} `{a}`");
            }
        }
        for c in &p.update {
            let _ = writeln!(out, "- update `{}`: `{}`", c.address, c.attributes.join("`, `"));
        }
        if !p.create.is_empty() {
            let _ = writeln!(out, "\n<details><summary>create {} resource(s)</summary>\n", p.create.len());
            for a in &p.create {
                let _ = writeln!(out, "- `{a}`");
            }
            out.push_str("\n</details>\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn imports_moves_and_forgets_are_counted_beside_the_rest() {
        let show = json!({"resource_changes": [
            {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc",
             "change": {"actions": ["no-op"], "importing": {"id": "vpc-1"}, "before": {}, "after": {}}},
            {"address": "aws_kms_key.data", "previous_address": "aws_kms_key.main", "mode": "managed", "type": "aws_kms_key",
             "change": {"actions": ["no-op"], "before": {}, "after": {}}},
            {"address": "aws_s3_bucket.old", "mode": "managed", "type": "aws_s3_bucket",
             "change": {"actions": ["forget"], "before": {}, "after": null}}
        ]});
        let plan = super::summarize("adopt", &show, &[]);
        assert_eq!(plan.import, ["aws_vpc.main"]);
        assert_eq!(plan.moved, ["aws_kms_key.main -> aws_kms_key.data"]);
        assert_eq!(plan.forget, ["aws_s3_bucket.old"]);
        assert!(plan.changes() && plan.create.is_empty() && plan.destroy.is_empty());
        let md = super::markdown("production", &[plan], "");
        assert!(md.contains("| adopt | 0 | 0 | 0 | 0 | 1 | 1 | 1 |"), "{md}");
        assert!(md.contains("- import `aws_vpc.main`"), "{md}");
        assert!(md.contains("- move `aws_kms_key.main -> aws_kms_key.data`"), "{md}");
        assert!(md.contains("- forget (kept, no longer managed) `aws_s3_bucket.old`"), "{md}");
    }

    #[test]
    fn replacements_name_the_attribute_and_warn_on_data() {
        let show = json!({"resource_changes": [
            {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance",
             "change": {"actions": ["delete", "create"], "replace_paths": [["identifier"]], "before": {}, "after": {}}},
            {"address": "aws_db_instance.other", "mode": "managed", "type": "aws_db_instance",
             "change": {"actions": ["update"], "before": {"instance_class": "db.r6g.large", "port": 5432},
                        "after": {"instance_class": "db.r6g.xlarge", "port": 5432}, "after_unknown": {}}},
            {"address": "aws_security_group_rule.x", "mode": "managed", "type": "aws_security_group_rule",
             "change": {"actions": ["delete", "create"], "replace_paths": [["ingress", 0, "cidr_blocks"]], "before": {}, "after": {}}},
            {"address": "data.aws_region.x", "mode": "data", "type": "aws_region", "change": {"actions": ["read"]}}
        ]});
        let plan = super::summarize("db", &show, &[]);
        assert_eq!(plan.replace[1].attributes, ["ingress[0].cidr_blocks"]);
        assert_eq!(plan.warnings.len(), 2, "a security-group rule holds no data");
        assert_eq!(plan.update[0].attributes, ["instance_class"]);
        assert!(
            plan.warnings[0].contains("**replaces `aws_db_instance.main`** (forced by `identifier`)"),
            "{:?}",
            plan.warnings
        );
        assert!(plan.warnings[1].contains("changes `instance_class` in place"), "{:?}", plan.warnings);
        let md = super::markdown("production", &[plan], "");
        assert!(md.contains("| db | 0 | 1 | 2 | 0 | 0 | 0 | 0 |"), "{md}");
        assert!(md.contains("- replace `aws_db_instance.main`, forced by `identifier`"), "{md}");
    }
}
