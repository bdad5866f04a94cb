//! AWS Budgets: a monthly cost budget with e-mail notifications at thresholds of it.
//!
//! ```
//! use tfsynth::modules::budgets::Budget;
//! use tfsynth::modules::{Account, Context};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! Budget::new("monthly", "demo-monthly", 1000)
//!     .tag("Service", "demo")
//!     .notify_at(80)
//!     .notify_at(100)
//!     .email("finance@example.com")
//!     .build(&mut ctx);
//! validate(&ctx.finish())?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use crate::prelude::*;

/// A budget, for what reacts to it (a budget action, a report).
#[derive(Debug, Clone)]
pub struct BudgetRef {
    /// The budget ARN.
    pub arn: Expr<String>,
    /// The budget name.
    pub name: Expr<String>,
    /// The budget itself.
    pub resource: Ref,
}

/// A budget under construction.
#[derive(Debug, Clone)]
#[must_use = "a budget does nothing until built into a stack"]
pub struct Budget {
    key: String,
    name: String,
    limit_usd: u32,
    tags: Vec<(String, String)>,
    thresholds: Vec<u16>,
    emails: Vec<String>,
}

impl Budget {
    /// Budget `key` called `name`: `limit_usd` dollars of cost a month.
    pub fn new(key: impl Into<String>, name: impl Into<String>, limit_usd: u32) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            limit_usd,
            tags: Vec::new(),
            thresholds: Vec::new(),
            emails: Vec::new(),
        }
    }

    /// Counts only the cost of resources tagged `name` = `value` (a cost-allocation tag).
    pub fn tag(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((name.into(), value.into()));
        self
    }

    /// Notifies when actual cost passes `percent` of the limit.
    pub fn notify_at(mut self, percent: u16) -> Self {
        self.thresholds.push(percent);
        self
    }

    /// Who is notified.
    pub fn email(mut self, address: impl Into<String>) -> Self {
        self.emails.push(address.into());
        self
    }

    /// Adds the budget.
    pub fn build(self, ctx: &mut Context) -> BudgetRef {
        ctx.within("budgets", |ctx| {
            let at = format!("aws_budgets_budget.{}", self.key);
            if self.limit_usd == 0 {
                ctx.problem_at(&at, "limit_amount", "a budget of $0", "give the monthly limit in dollars");
            }
            if !self.thresholds.is_empty() && self.emails.iter().all(|e| !e.contains('@')) {
                ctx.problem(&at, "notifications with nobody to notify", "add .email(\"finance@example.com\")");
            }
            let notifications = self.thresholds.iter().map(|percent| {
                Body::new()
                    .set("comparison_operator", "GREATER_THAN")
                    .set("threshold", *percent)
                    .set("threshold_type", "PERCENTAGE")
                    .set("notification_type", "ACTUAL")
                    .set("subscriber_email_addresses", self.emails.clone())
            });
            let mut budget = Resource::new("aws_budgets_budget", &self.key)
                .set("name", self.name.as_str())
                .set("budget_type", "COST")
                .set("limit_amount", format!("{}.0", self.limit_usd))
                .set("limit_unit", "USD")
                .set("time_unit", "MONTHLY")
                .blocks("notification", notifications);
            if !self.tags.is_empty() {
                let values: Vec<String> = self.tags.iter().map(|(k, v)| format!("user:{k}${v}")).collect();
                budget = budget.block("cost_filter", Body::new().set("name", "TagKeyValue").set("values", values));
            }
            let budget = ctx.add(budget);
            BudgetRef { arn: budget.arn(), name: budget.attr("name").typed(), resource: budget }
        })
    }
}
