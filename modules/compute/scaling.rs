//! Application Auto Scaling for ECS services: target tracking on CPU, memory, ALB requests per
//! target, or a custom CloudWatch metric.

use super::super::load_balancing::TargetGroupRef;
use crate::prelude::*;

/// One target-tracking goal.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Average CPU utilisation, percent.
    Cpu(f64),
    /// Average memory utilisation, percent.
    Memory(f64),
    /// ALB requests per target (needs the service behind a target group).
    RequestsPerTarget(f64),
    /// A custom metric's statistic.
    Custom {
        /// CloudWatch namespace, e.g. `CVD/AI`.
        namespace: &'static str,
        /// Metric name, e.g. `AIRequestsPerSecond`.
        metric: &'static str,
        /// `Average`, `Sum`, ...
        statistic: &'static str,
        /// The value to hold.
        value: f64,
    },
}

/// Autoscaling bounds, targets and cooldowns.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Scaling {
    min: u16,
    max: u16,
    targets: Vec<Target>,
    scale_in_cooldown: u16,
    scale_out_cooldown: u16,
}

impl Scaling {
    /// Between `min` and `max` tasks; cooldowns 300 s in, 60 s out (the seeds' values).
    pub fn new(min: u16, max: u16) -> Self {
        Self { min, max, targets: Vec::new(), scale_in_cooldown: 300, scale_out_cooldown: 60 }
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

    pub(super) fn build(
        &self,
        stack: &mut Stack,
        key: &str,
        cluster: &Expr<String>,
        service: &Expr<String>,
        desired: u16,
        tg: Option<&TargetGroupRef>,
    ) {
        let at = format!("aws_appautoscaling_target.{key}");
        if self.min > self.max || desired < self.min || desired > self.max {
            let help = "keep min <= desired count <= max";
            stack.problem(
                &at,
                format!("bounds {}..{} do not hold the desired count {desired}", self.min, self.max),
                help,
            );
        }
        if self.targets.is_empty() {
            stack.problem(&at, "autoscaling without a target", "add Target::Cpu(70.0) or another target");
        }
        let target = stack.add(
            Resource::new("aws_appautoscaling_target", key)
                .set("service_namespace", "ecs")
                .set("scalable_dimension", "ecs:service:DesiredCount")
                .set("resource_id", template!["service/", cluster.clone(), "/", service.clone()])
                .set("min_capacity", self.min)
                .set("max_capacity", self.max),
        );
        for goal in &self.targets {
            let (suffix, value, spec) = match goal {
                Target::Cpu(v) => ("cpu", *v, predefined("ECSServiceAverageCPUUtilization", None)),
                Target::Memory(v) => ("memory", *v, predefined("ECSServiceAverageMemoryUtilization", None)),
                Target::RequestsPerTarget(v) => {
                    let Some(tg) = tg else {
                        stack.problem(
                            &at,
                            "request-count scaling on a service with no target group",
                            "attach the service with .behind(..)",
                        );
                        continue;
                    };
                    let label = template![tg.lb_arn_suffix.clone(), "/", tg.arn_suffix.clone()];
                    ("requests", *v, predefined("ALBRequestCountPerTarget", Some(label)))
                }
                Target::Custom { namespace, metric, statistic, value } => {
                    let custom = Body::new()
                        .set("namespace", *namespace)
                        .set("metric_name", *metric)
                        .set("statistic", *statistic);
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
                    .set("name", template![service.clone(), format!("-{suffix}-scaling")])
                    .set("policy_type", "TargetTrackingScaling")
                    .set("resource_id", target.attr("resource_id"))
                    .set("scalable_dimension", target.attr("scalable_dimension"))
                    .set("service_namespace", target.attr("service_namespace"))
                    .block("target_tracking_scaling_policy_configuration", config),
            );
        }
    }
}

fn predefined(metric: &str, label: Option<Expr<String>>) -> (&'static str, Body) {
    let spec = Body::new().set("predefined_metric_type", metric).set_opt("resource_label", label);
    ("predefined_metric_specification", spec)
}
