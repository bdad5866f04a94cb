//! EventBridge rules on a schedule that invoke a Lambda function. The permission that lets
//! EventBridge invoke the function, for this rule only, comes with the target (seed 000 had
//! the rule and target but no permission, so its shutdown never ran).
//!
//! ```
//! use tfsynth::modules::events::EventRule;
//! use tfsynth::modules::functions::{Code, Function};
//! use tfsynth::modules::{Account, Context, kms};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "development"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let code = Code::S3 { bucket: "demo-artifacts".into(), key: "shutdown.zip".into() };
//! let shutdown = Function::new("shutdown", "demo-shutdown", "python3.11", "index.handler", code)
//!     .outside_vpc("calls AWS APIs only")
//!     .build(&mut ctx);
//! EventRule::schedule("nightly", "demo-dev-shutdown", "cron(0 19 * * ? *)").invoke(&shutdown).build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Json).contains(r#""principal": "events.amazonaws.com""#));
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use super::functions::FunctionRef;
use crate::prelude::*;

/// A scheduled rule, for what else it drives.
#[derive(Debug, Clone)]
pub struct RuleRef {
    /// The rule ARN.
    pub arn: Expr<String>,
    /// The rule name, what targets name.
    pub name: Expr<String>,
    /// The rule itself.
    pub resource: Ref,
}

/// A scheduled rule under construction.
#[derive(Debug, Clone)]
#[must_use = "a rule does nothing until built into a stack"]
pub struct EventRule {
    key: String,
    name: String,
    expression: String,
    description: Option<String>,
    targets: Vec<(FunctionRef, Option<Expression>)>,
}

impl EventRule {
    /// Rule `key` called `name` firing on `expression`: `cron(0 19 * * ? *)` (UTC) or
    /// `rate(1 hour)`.
    pub fn schedule(key: impl Into<String>, name: impl Into<String>, expression: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            expression: expression.into(),
            description: None,
            targets: Vec::new(),
        }
    }

    /// What the rule is for.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Invokes `function` each time.
    pub fn invoke(mut self, function: &FunctionRef) -> Self {
        self.targets.push((function.clone(), None));
        self
    }

    /// Invokes `function` each time with `input` (a JSON document) as its event.
    pub fn invoke_with(mut self, function: &FunctionRef, input: impl Into<Expression>) -> Self {
        self.targets.push((function.clone(), Some(input.into())));
        self
    }

    /// Adds the rule, its targets and their invoke permissions.
    pub fn build(self, ctx: &mut Context) -> RuleRef {
        ctx.within("events", |ctx| {
            let k = self.key.as_str();
            let at = format!("aws_cloudwatch_event_rule.{k}");
            let kind = self.expression.split('(').next().unwrap_or_default();
            if !matches!(kind, "cron" | "rate") || !self.expression.ends_with(')') {
                let message = format!("`{}` is not a schedule expression", self.expression);
                ctx.problem_at(&at, "schedule_expression", message, "use cron(...) or rate(...)");
            }
            if self.targets.is_empty() {
                ctx.problem(&at, "the rule has no target", "give it one with .invoke(&function)");
            }
            let rule = ctx.add(
                Resource::new("aws_cloudwatch_event_rule", k)
                    .set("name", self.name.as_str())
                    .set_opt("description", self.description.clone())
                    .set("schedule_expression", self.expression.as_str())
                    .set("state", "ENABLED"),
            );
            for (i, (function, input)) in self.targets.iter().enumerate() {
                let label = if self.targets.len() == 1 { k.to_owned() } else { format!("{k}_{i}") };
                let permission = function.allow_invoke(ctx, &label, "events.amazonaws.com", rule.arn());
                let mut target = Resource::new("aws_cloudwatch_event_target", label.as_str())
                    .set("rule", rule.attr("name"))
                    .set("target_id", label.as_str())
                    .set("arn", function.arn.clone())
                    .depends_on(&permission);
                if let Some(input) = input {
                    target = target.set("input", jsonencode(input.clone()));
                }
                ctx.add(target);
            }
            RuleRef { arn: rule.arn(), name: rule.attr("name").typed(), resource: rule }
        })
    }
}
