//! CloudWatch alarms to an encrypted SNS topic: the seed 003 set for an ECS service behind an
//! ALB (CPU, memory, running tasks, unhealthy targets, 5xx rate, response time).
//!
//! ```
//! use tfsynth::modules::{Account, alarms::{Topic, service_alarms}, kms};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! // CloudWatch must be able to use the key to publish to the encrypted topic.
//! let key = kms::Key::new("main", "demo", "demo").for_service("cloudwatch.amazonaws.com").build(&mut stack, &account);
//! let topic = Topic::new("alerts", "demo-production-alerts").email("oncall@example.com").build(&mut stack, &key);
//! service_alarms(&mut stack, &topic, "api", &Expr::from("demo"), &Expr::from("api"), None);
//! validate(&stack)?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::KmsKey;
use crate::prelude::*;

/// A topic alarms notify.
#[derive(Debug, Clone)]
pub struct TopicRef {
    /// The topic ARN.
    pub arn: Expr<String>,
}

/// An SNS topic under construction.
#[derive(Debug, Clone)]
#[must_use = "a topic does nothing until built into a stack"]
pub struct Topic {
    key: String,
    name: String,
    emails: Vec<String>,
}

impl Topic {
    /// Topic `key` called `name`.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), emails: Vec::new() }
    }

    /// Subscribes an e-mail address (it must confirm the subscription).
    pub fn email(mut self, address: impl Into<String>) -> Self {
        self.emails.push(address.into());
        self
    }

    /// Adds the topic, encrypted with `key`, and its subscriptions.
    pub fn build(self, stack: &mut Stack, key: &KmsKey) -> TopicRef {
        let topic = stack.add(
            Resource::new("aws_sns_topic", self.key.as_str())
                .set("name", self.name.as_str())
                .set("kms_master_key_id", key.arn.clone()),
        );
        for (i, address) in self.emails.iter().enumerate() {
            if !address.contains('@') {
                stack.problem(
                    format!("aws_sns_topic_subscription.{}_{i}", self.key),
                    format!("`{address}` is not an e-mail address"),
                    "give an address such as oncall@example.com",
                );
            }
            stack.add(
                Resource::new("aws_sns_topic_subscription", format!("{}_{i}", self.key))
                    .set("topic_arn", topic.arn())
                    .set("protocol", "email")
                    .set("endpoint", address.as_str()),
            );
        }
        TopicRef { arn: topic.arn() }
    }
}

/// One threshold alarm on one metric.
struct Alarm<'a> {
    key: String,
    name: Expr<String>,
    description: &'a str,
    namespace: &'a str,
    metric: &'a str,
    statistic: &'a str,
    comparison: &'a str,
    threshold: f64,
    periods: u8,
    dimensions: Expression,
}

fn add(stack: &mut Stack, topic: &TopicRef, a: Alarm<'_>) {
    stack.add(
        Resource::new("aws_cloudwatch_metric_alarm", a.key)
            .set("alarm_name", a.name)
            .set("alarm_description", a.description)
            .set("namespace", a.namespace)
            .set("metric_name", a.metric)
            .set("statistic", a.statistic)
            .set("period", 300)
            .set("evaluation_periods", a.periods)
            .set("comparison_operator", a.comparison)
            .set("threshold", a.threshold)
            // No data from the running-task count means no task; elsewhere it means no traffic.
            .set("treat_missing_data", if a.metric == "RunningTaskCount" { "breaching" } else { "missing" })
            .set("dimensions", a.dimensions)
            .set("alarm_actions", vec![topic.arn.clone()])
            .set("ok_actions", vec![topic.arn.clone()]),
    );
}

/// The seed 003 alarms for ECS service `service` in `cluster` (`key` names the resources), plus
/// the load balancer alarms when `alb` gives the load balancer's and target group's ARN suffixes.
pub fn service_alarms(
    stack: &mut Stack,
    topic: &TopicRef,
    key: &str,
    cluster: &Expr<String>,
    service: &Expr<String>,
    alb: Option<(&Expr<String>, &Expr<String>)>,
) {
    let ecs = Expression::from_iter([("ClusterName", cluster.clone()), ("ServiceName", service.clone())]);
    let name = |what: &str| template![cluster.clone(), "-", service.clone(), format!("-{what}")];
    let ecs_alarms = [
        ("cpu", "CPU above 80% for 10 minutes", "AWS/ECS", "CPUUtilization", "GreaterThanThreshold", 80.0),
        ("memory", "Memory above 80% for 10 minutes", "AWS/ECS", "MemoryUtilization", "GreaterThanThreshold", 80.0),
        ("running", "No task running", "ECS/ContainerInsights", "RunningTaskCount", "LessThanThreshold", 1.0),
    ];
    for (what, description, namespace, metric, comparison, threshold) in ecs_alarms {
        let statistic = if what == "running" { "Minimum" } else { "Average" };
        let alarm = Alarm {
            key: format!("{key}_{what}"),
            name: name(what),
            description,
            namespace,
            metric,
            statistic,
            comparison,
            threshold,
            periods: 2,
            dimensions: ecs.clone(),
        };
        add(stack, topic, alarm);
    }
    let Some((lb, tg)) = alb else { return };
    let dims = Expression::from_iter([("LoadBalancer", lb.clone()), ("TargetGroup", tg.clone())]);
    let lb_alarms = [
        ("unhealthy", "A target is unhealthy", "UnHealthyHostCount", "Maximum", 0.0),
        ("latency", "Target response time above 1 s", "TargetResponseTime", "Average", 1.0),
    ];
    for (what, description, metric, statistic, threshold) in lb_alarms {
        let alarm = Alarm {
            key: format!("{key}_{what}"),
            name: name(what),
            description,
            namespace: "AWS/ApplicationELB",
            metric,
            statistic,
            comparison: "GreaterThanThreshold",
            threshold,
            periods: 2,
            dimensions: dims.clone(),
        };
        add(stack, topic, alarm);
    }
    five_xx_rate(stack, topic, key, name("5xx"), &dims);
}

/// Target 5xx responses above 1 % of requests, as metric math.
fn five_xx_rate(stack: &mut Stack, topic: &TopicRef, key: &str, name: Expr<String>, dims: &Expression) {
    let metric = |id: &str, metric: &str| {
        let stat = Body::new()
            .set("namespace", "AWS/ApplicationELB")
            .set("metric_name", metric)
            .set("period", 300)
            .set("stat", "Sum")
            .set("dimensions", dims.clone());
        Body::new().set("id", id).set("return_data", false).block("metric", stat)
    };
    let rate = Body::new()
        .set("id", "rate")
        .set("expression", "100 * errors / MAX([errors, requests])")
        .set("label", "5xx responses, % of requests")
        .set("return_data", true);
    stack.add(
        Resource::new("aws_cloudwatch_metric_alarm", format!("{key}_5xx"))
            .set("alarm_name", name)
            .set("alarm_description", "Target 5xx responses above 1% of requests")
            .set("comparison_operator", "GreaterThanThreshold")
            .set("threshold", 1)
            .set("evaluation_periods", 2)
            .set("treat_missing_data", "notBreaching")
            .block("metric_query", metric("errors", "HTTPCode_Target_5XX_Count"))
            .block("metric_query", metric("requests", "RequestCount"))
            .block("metric_query", rate)
            .set("alarm_actions", vec![topic.arn.clone()])
            .set("ok_actions", vec![topic.arn.clone()]),
    );
}
