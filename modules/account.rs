//! Where a stack deploys: the AWS account and region, as typed settings.
//!
//! Looking these up with `aws_caller_identity` / `aws_region` needs AWS credentials at plan
//! time, so stacks state them instead. The ids are checked where they enter a stack: a
//! malformed one is a problem reported with the rest, naming the setting.

use serde::Serialize;

use crate::prelude::*;

/// A 12-digit AWS account id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AccountId(&'static str);

impl AccountId {
    /// The account `id`, checked when a stack uses it.
    pub const fn new(id: &'static str) -> Self {
        Self(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// What is wrong with the id, if anything.
    pub fn problem(&self) -> Option<String> {
        let ok = self.0.len() == 12 && self.0.bytes().all(|b| b.is_ascii_digit());
        (!ok).then(|| format!("account id `{}` is not 12 digits", self.0))
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The account and region a stack deploys into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// The region, e.g. `us-east-1`.
    pub region: &'static str,
}

impl Account {
    /// Account `id` in `region`.
    pub const fn new(id: &'static str, region: &'static str) -> Self {
        Self { id: AccountId::new(id), region }
    }

    /// `arn:aws:iam::<id>:root`: the account itself as a principal.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id)
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`, for ARNs known before the resource
    /// exists (policies that must not depend on it).
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{resource}", self.region, self.id)
    }

    /// Records a problem on `stack` if the id is not 12 digits or the region is malformed.
    pub fn check(&self, stack: &mut Stack) {
        if let Some(problem) = self.id.problem() {
            stack.problem("account", problem, "use the id shown by `aws sts get-caller-identity`");
        }
        let parts: Vec<&str> = self.region.split('-').collect();
        let well_formed = parts.len() == 3
            && parts.iter().all(|p| !p.is_empty())
            && parts[2].bytes().all(|b| b.is_ascii_digit())
            && parts[..2].iter().all(|p| p.bytes().all(|b| b.is_ascii_lowercase()));
        if !well_formed {
            stack.problem(
                "account",
                format!("region `{}` is not a region name", self.region),
                "use a name such as `us-east-1`",
            );
        }
    }
}

/// Whether `id` is a valid identifier for RDS, ElastiCache and similar services: 1 to `max`
/// lowercase letters, digits and single hyphens, starting with a letter, not ending in a hyphen.
pub fn is_service_id(id: &str, max: usize) -> bool {
    (1..=max).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--")
}
