//! Application Auto Scaling for ECS services: target tracking on CPU, memory, ALB requests per
//! target or a custom CloudWatch metric, and scheduled changes of the bounds (off-peak hours).

use serde::Serialize;

use super::super::Context;
use crate::prelude::*;

/// A CloudWatch statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Statistic {
    /// The mean.
    Average,
    /// The total.
    Sum,
    /// The lowest value.
    Minimum,
    /// The highest value.
    Maximum,
    /// The number of data points.
    SampleCount,
}

impl Statistic {
    /// The name CloudWatch uses.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Average => "Average",
            Statistic::Sum => "Sum",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::SampleCount => "SampleCount",
        }
    }
}

/// One target-tracking goal.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Average CPU utilisation, percent (0-100).
    Cpu(f64),
    /// Average memory utilisation, percent (0-100).
    Memory(f64),
    /// ALB requests per target (needs the service behind a load balancer).
    RequestsPerTarget(f64),
    /// A custom metric's statistic.
    Custom {
        /// CloudWatch namespace, e.g. `CVD/AI`.
        namespace: &'static str,
        /// Metric name, e.g. `AIRequestsPerSecond`.
        metric: &'static str,
        /// How data points are combined.
        statistic: Statistic,
        /// The value to hold.
        value: f64,
    },
}

/// A change of the bounds at scheduled times, e.g. fewer tasks at night.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// A name for the action, e.g. `off-peak`.
    pub name: &'static str,
    /// When: `cron(0 22 * * ? *)`, `rate(1 day)` or `at(2026-12-24T18:00:00)`.
    pub expression: &'static str,
    /// The IANA time zone of the expression, e.g. `UTC` or `America/New_York`.
    pub timezone: &'static str,
    /// The new minimum.
    pub min: u16,
    /// The new maximum.
    pub max: u16,
}

/// Autoscaling bounds, targets, cooldowns and schedules.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Scaling {
    min: u16,
    max: u16,
    targets: Vec<Target>,
    scale_in_cooldown: u16,
    scale_out_cooldown: u16,
    schedules: Vec<Schedule>,
}

/// What the scaling rules need from the service they scale.
pub(super) struct Scaled<'a> {
    pub key: &'a str,
    pub cluster: &'a Expr<String>,
    pub service: &'a Expr<String>,
    pub desired: u16,
    /// `app/<lb>/<id>/targetgroup/<tg>/<id>` when behind a load balancer.
    pub request_label: Option<Expr<String>>,
}

impl Scaling {
    /// Between `min` and `max` tasks; cooldowns 300 s in, 60 s out (the seeds' values).
    pub fn new(min: u16, max: u16) -> Self {
        Self { min, max, targets: Vec::new(), scale_in_cooldown: 300, scale_out_cooldown: 60, schedules: Vec::new() }
    }

    /// Adds a target.
    pub fn target(mut self, target: Target) -> Self {
        self.targets.push(target);
        self
    }

    /// Cooldowns in seconds.
    pub fn cooldowns(mut self, scale_in: u16, scale_out: u16) -> Self {
        self.scale_in_cooldown = scale_in;
        self.scale_out_cooldown = scale_out;
        self
    }

    /// Changes the bounds on a schedule.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedules.push(schedule);
        self
    }

    /// The lowest task count.
    pub fn min(&self) -> u16 {
        self.min
    }

    fn check(&self, stack: &mut Context, at: &str, desired: u16) {
        if self.min > self.max {
            let help = "swap them, or lower the minimum";
            stack.problem(at, format!("min {} is above max {}", self.min, self.max), help);
        } else if desired < self.min || desired > self.max {
            let help = "start with a count between the bounds";
            let message = format!("the desired count {desired} is outside {}..{}", self.min, self.max);
            stack.problem(at, message, help);
        }
        if self.max == 0 {
            stack.problem(at, "max 0 tasks", "scale to at least 1 task");
        }
        if self.targets.is_empty() {
            stack.problem(at, "autoscaling without a target", "add Target::Cpu(70.0) or another target");
        }
        for target in &self.targets {
            let (what, value) = match target {
                Target::Cpu(v) => ("CPU", *v),
                Target::Memory(v) => ("memory", *v),
                Target::RequestsPerTarget(v) | Target::Custom { value: v, .. } => {
                    if !v.is_finite() || *v <= 0.0 {
                        stack.problem(at, format!("target value {v} is not positive"), "track a value above 0");
                    }
                    continue;
                }
            };
            if !(value > 0.0 && value <= 100.0) {
                let message = format!("{what} target {value} % is outside 0-100");
                stack.problem(at, message, "utilization is a percentage: use e.g. 70.0");
            }
        }
        for s in &self.schedules {
            if s.min > s.max {
                let message = format!("schedule `{}`: min {} is above max {}", s.name, s.min, s.max);
                stack.problem(at, message, "swap them, or lower the minimum");
            }
            let kind = s.expression.split('(').next().unwrap_or_default();
            if !matches!(kind, "cron" | "rate" | "at") || !s.expression.ends_with(')') {
                let message = format!("schedule `{}`: `{}` is not a schedule expression", s.name, s.expression);
                stack.problem(at, message, "use cron(...), rate(...) or at(...)");
            }
        }
    }

    pub(super) fn build(&self, stack: &mut Context, s: &Scaled<'_>) {
        let key = s.key;
        let at = format!("aws_appautoscaling_target.{key}");
        self.check(stack, &at, s.desired);
        let target = stack.add(
            Resource::new("aws_appautoscaling_target", key)
                .set("service_namespace", "ecs")
                .set("scalable_dimension", "ecs:service:DesiredCount")
                .set("resource_id", template!["service/", s.cluster.clone(), "/", s.service.clone()])
                .set("min_capacity", self.min)
                .set("max_capacity", self.max),
        );
        for goal in &self.targets {
            let (suffix, value, spec) = match goal {
                Target::Cpu(v) => ("cpu", *v, predefined("ECSServiceAverageCPUUtilization", None)),
                Target::Memory(v) => ("memory", *v, predefined("ECSServiceAverageMemoryUtilization", None)),
                Target::RequestsPerTarget(v) => {
                    let Some(label) = &s.request_label else {
                        stack.problem(
                            &at,
                            "request-count scaling on a service with no load balancer",
                            "put the service behind one with .behind(&alb, &group)",
                        );
                        continue;
                    };
                    ("requests", *v, predefined("ALBRequestCountPerTarget", Some(label.clone())))
                }
                Target::Custom { namespace, metric, statistic, value } => {
                    let custom = Body::new()
                        .set("namespace", *namespace)
                        .set("metric_name", *metric)
                        .set("statistic", statistic.name());
                    ("custom", *value, ("customized_metric_specification", custom))
                }
            };
            let config = Body::new()
                .set("target_value", value)
                .set("scale_in_cooldown", self.scale_in_cooldown)
                .set("scale_out_cooldown", self.scale_out_cooldown)
                .block(spec.0, spec.1);
            stack.add(
                Resource::new("aws_appautoscaling_policy", format!("{key}_{suffix}"))
                    .set("name", template![s.service.clone(), format!("-{suffix}-scaling")])
                    .set("policy_type", "TargetTrackingScaling")
                    .set("resource_id", target.attr("resource_id"))
                    .set("scalable_dimension", target.attr("scalable_dimension"))
                    .set("service_namespace", target.attr("service_namespace"))
                    .block("target_tracking_scaling_policy_configuration", config),
            );
        }
        for schedule in &self.schedules {
            let action_key = format!("{key}_{}", schedule.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
            stack.add(
                Resource::new("aws_appautoscaling_scheduled_action", action_key)
                    .set("name", template![s.service.clone(), format!("-{}", schedule.name)])
                    .set("service_namespace", target.attr("service_namespace"))
                    .set("resource_id", target.attr("resource_id"))
                    .set("scalable_dimension", target.attr("scalable_dimension"))
                    .set("schedule", schedule.expression)
                    .set("timezone", schedule.timezone)
                    .block(
                        "scalable_target_action",
                        Body::new().set("min_capacity", schedule.min).set("max_capacity", schedule.max),
                    ),
            );
        }
    }
}

fn predefined(metric: &str, label: Option<Expr<String>>) -> (&'static str, Body) {
    let spec = Body::new().set("predefined_metric_type", metric).set_opt("resource_label", label);
    ("predefined_metric_specification", spec)
}
