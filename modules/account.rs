//! Where a stack deploys: the AWS account and region, as typed settings.
//!
//! Looking these up with `aws_caller_identity` / `aws_region` needs AWS credentials at plan
//! time, so stacks state them instead.

use crate::prelude::*;

/// The account and region a stack deploys into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account id.
    pub id: &'static str,
    /// The region, e.g. `us-east-1`.
    pub region: &'static str,
}

impl Account {
    /// `arn:aws:iam::<id>:root`: the account itself as a principal.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id)
    }

    /// Records a problem on `stack` if the id is not 12 digits or the region is malformed.
    pub fn check(&self, stack: &mut Stack) {
        if self.id.len() != 12 || !self.id.bytes().all(|b| b.is_ascii_digit()) {
            stack.problem(
                "account",
                format!("account id `{}` is not 12 digits", self.id),
                "use the id shown by `aws sts get-caller-identity`",
            );
        }
        let parts: Vec<&str> = self.region.split('-').collect();
        let well_formed = parts.len() == 3 && parts[2].bytes().all(|b| b.is_ascii_digit()) && !parts[2].is_empty();
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
