//! CloudWatch log groups: always KMS-encrypted, always with a retention.
//!
//! ```
//! use tfsynth::modules::{Account, Retention, kms::Key, logs::log_group};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "development");
//! stack.provider(Provider::aws(account.region));
//! let key = Key::new("main", "demo", "Demo logs").for_log_groups().build(&mut stack, &account);
//! log_group(&mut stack, "app", "/demo/app", &key, Retention::Days(30, "a sandbox"));
//! log_group(&mut stack, "odd", "/demo/odd", &key, Retention::Days(31, "not a CloudWatch value"));
//! let message = validate(&stack).unwrap_err().to_string();
//! assert!(message.contains("retention of 31 days is not one CloudWatch accepts"));
//! ```

use super::KmsKey;
use crate::prelude::*;

/// A log group, for the components that write to it.
#[derive(Debug, Clone)]
pub struct LogGroup {
    /// The log group ARN.
    pub arn: Expr<String>,
    /// The log group name.
    pub name: Expr<String>,
    /// The log group itself, for `depends_on` where a service would otherwise create it first.
    pub resource: Ref,
}

/// How long logs are kept. One year is what scanners expect (`CKV_AWS_338`); shorter needs a
/// reason, e.g. a development sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// 365 days.
    OneYear,
    /// A shorter period, with the reason it is acceptable.
    Days(u16, &'static str),
}

impl Retention {
    /// The retention in days.
    pub fn days(self) -> u16 {
        match self {
            Retention::OneYear => 365,
            Retention::Days(d, _) => d,
        }
    }
}

/// CloudWatch accepts only these retentions.
const ALLOWED_DAYS: &[u16] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// Adds log group `id` called `name`, encrypted with `key`, keeping logs for `retention`.
pub fn log_group(
    stack: &mut Stack,
    id: &str,
    name: impl Into<Expression>,
    key: &KmsKey,
    retention: Retention,
) -> LogGroup {
    let days = retention.days();
    if !ALLOWED_DAYS.contains(&days) {
        stack.problem(
            format!("aws_cloudwatch_log_group.{id}"),
            format!("retention of {days} days is not one CloudWatch accepts"),
            format!("use one of {ALLOWED_DAYS:?}"),
        );
    }
    let group = stack.add(
        Resource::new("aws_cloudwatch_log_group", id)
            .set("name", name)
            .set("retention_in_days", days)
            .set("kms_key_id", key.arn.clone()),
    );
    LogGroup { arn: group.arn(), name: group.attr("name").typed(), resource: group }
}
