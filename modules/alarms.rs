//! CloudWatch alarms to an encrypted SNS topic: any metric with [`Alarm`], and the seed 003
//! set for an ECS service behind an ALB (CPU, memory, running tasks, unhealthy targets, 5xx
//! rate, response time) with [`ServiceAlarms`].
//!
//! ```
//! use tfsynth::modules::alarms::{Alarm, Comparison, Metric, Topic};
//! use tfsynth::modules::compute::Statistic;
//! use tfsynth::modules::{Account, Context, kms};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! // CloudWatch must be able to use the key to publish to the encrypted topic.
//! let key = kms::Key::new("main", "demo", "demo").for_service("cloudwatch.amazonaws.com").build(&mut ctx);
//! ctx.use_key(&key);
//! let topic = Topic::new("alerts", "demo-production-alerts").email("oncall@example.com").build(&mut ctx);
//! let queue = Metric::new("Demo/Worker", "QueueDepth", Statistic::Maximum);
//! Alarm::new("queue_depth", "demo-queue-depth", &topic, queue)
//!     .when(Comparison::Above, 500.0)
//!     .periods(3, 60)
//!     .description("More than 500 jobs waiting for 3 minutes")
//!     .build(&mut ctx);
//! validate(&ctx.finish())?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use super::compute::{ServiceRef, Statistic};
use super::kms::KeyRef;
use super::load_balancing::{AlbRef, TargetGroupRef};
use crate::prelude::*;

/// A topic alarms notify.
#[derive(Debug, Clone)]
pub struct TopicRef {
    /// The topic ARN.
    pub arn: Expr<String>,
    /// The topic itself.
    pub resource: Ref,
}

/// An alarm, for what reacts to it (a composite alarm, an autoscaling step, a dashboard).
#[derive(Debug, Clone)]
pub struct AlarmRef {
    /// The alarm ARN.
    pub arn: Expr<String>,
    /// The alarm name.
    pub name: Expr<String>,
    /// The alarm itself.
    pub resource: Ref,
}

impl AlarmRef {
    fn of(alarm: Ref) -> Self {
        AlarmRef { arn: alarm.arn(), name: alarm.attr("alarm_name").typed(), resource: alarm }
    }
}

/// The alarms of one service, by what they watch.
#[derive(Debug, Clone)]
pub struct ServiceAlarmsRef {
    /// `cpu`, `memory`, `running` and, behind a load balancer, `unhealthy`, `latency`, `5xx`.
    pub alarms: Vec<(&'static str, AlarmRef)>,
}

impl ServiceAlarmsRef {
    /// The alarm watching `what` (`"cpu"`, `"5xx"`, ...).
    pub fn get(&self, what: &str) -> Option<&AlarmRef> {
        self.alarms.iter().find(|(w, _)| *w == what).map(|(_, alarm)| alarm)
    }
}

/// An SNS topic under construction.
#[derive(Debug, Clone)]
#[must_use = "a topic does nothing until built into a stack"]
pub struct Topic {
    key: String,
    name: String,
    emails: Vec<String>,
    kms_key: Option<KeyRef>,
}

impl Topic {
    /// Topic `key` called `name`.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), emails: Vec::new(), kms_key: None }
    }

    /// Subscribes an e-mail address (it must confirm the subscription).
    pub fn email(mut self, address: impl Into<String>) -> Self {
        self.emails.push(address.into());
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the topic, encrypted, and its subscriptions.
    pub fn build(self, ctx: &mut Context) -> TopicRef {
        ctx.within("alarms", |ctx| {
            let k = self.key.as_str();
            let key = ctx.key_for(&format!("aws_sns_topic.{k}"), self.kms_key.as_ref());
            let topic = ctx.add(
                Resource::new("aws_sns_topic", k).set("name", self.name.as_str()).set("kms_master_key_id", key.arn),
            );
            for (i, address) in self.emails.iter().enumerate() {
                let sub = format!("{k}_{i}");
                if !address.contains('@') {
                    ctx.problem(
                        format!("aws_sns_topic_subscription.{sub}"),
                        format!("`{address}` is not an e-mail address"),
                        "give an address such as oncall@example.com",
                    );
                }
                ctx.add(
                    Resource::new("aws_sns_topic_subscription", sub)
                        .set("topic_arn", topic.arn())
                        .set("protocol", "email")
                        .set("endpoint", address.as_str()),
                );
            }
            TopicRef { arn: topic.arn(), resource: topic }
        })
    }
}

/// A CloudWatch metric: namespace, name, statistic and dimensions.
#[derive(Debug, Clone)]
#[must_use]
pub struct Metric {
    namespace: String,
    name: String,
    statistic: Statistic,
    dimensions: Vec<(String, Expression)>,
}

impl Metric {
    /// Metric `name` in `namespace`, combined with `statistic`.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>, statistic: Statistic) -> Self {
        Self { namespace: namespace.into(), name: name.into(), statistic, dimensions: Vec::new() }
    }

    /// Narrows the metric to dimension `name` = `value`.
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<Expr<String>>) -> Self {
        self.dimensions.push((name.into(), value.into().into()));
        self
    }

    /// The metric as a dashboard graph line: `[namespace, name, dimension, value, …, { stat }]`.
    pub(super) fn graph_line(&self) -> Expression {
        let mut line = vec![Expression::from(self.namespace.as_str()), Expression::from(self.name.as_str())];
        for (name, value) in &self.dimensions {
            line.extend([Expression::from(name.as_str()), value.clone()]);
        }
        line.push(Expression::from_iter([("stat", Expression::from(self.statistic.name()))]));
        Expression::List(line)
    }
}

/// Which side of the threshold raises the alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Greater than the threshold.
    Above,
    /// Less than the threshold.
    Below,
}

/// What missing data means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Keep the current state (no traffic, no data).
    Ignore,
    /// Treat it as breaching (no tasks report, so none run).
    Breaching,
    /// Treat it as fine.
    NotBreaching,
}

/// One threshold alarm under construction.
#[derive(Debug, Clone)]
#[must_use = "an alarm does nothing until built into a stack"]
pub struct Alarm {
    key: String,
    name: Expr<String>,
    topic: TopicRef,
    metric: Metric,
    description: String,
    comparison: Comparison,
    threshold: f64,
    periods: u8,
    period_seconds: u32,
    missing: Missing,
}

impl Alarm {
    /// Alarm `key` called `name` on `metric`, notifying `topic`: above 0, two periods of 5
    /// minutes.
    pub fn new(key: impl Into<String>, name: impl Into<Expr<String>>, topic: &TopicRef, metric: Metric) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            topic: topic.clone(),
            metric,
            description: String::new(),
            comparison: Comparison::Above,
            threshold: 0.0,
            periods: 2,
            period_seconds: 300,
            missing: Missing::Ignore,
        }
    }

    /// Raises the alarm when the statistic is `comparison` `threshold`.
    pub fn when(mut self, comparison: Comparison, threshold: f64) -> Self {
        self.comparison = comparison;
        self.threshold = threshold;
        self
    }

    /// How many periods of `seconds` (10, 30 or a multiple of 60) must breach.
    pub fn periods(mut self, periods: u8, seconds: u32) -> Self {
        self.periods = periods;
        self.period_seconds = seconds;
        self
    }

    /// What the alarm means, for the person it wakes.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// What missing data means (default: keep the state).
    pub fn missing_data(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Adds the alarm.
    pub fn build(self, ctx: &mut Context) -> AlarmRef {
        ctx.within("alarms", |ctx| {
            let at = format!("aws_cloudwatch_metric_alarm.{}", self.key);
            let s = self.period_seconds;
            if !(s == 10 || s == 30 || (s >= 60 && s.is_multiple_of(60))) || self.periods == 0 {
                let message = format!("{} periods of {s} s", self.periods);
                ctx.problem_at(&at, "period", message, "use at least one period of 10, 30 or a multiple of 60 seconds");
            }
            if !self.threshold.is_finite() {
                ctx.problem_at(&at, "threshold", "the threshold is not a number", "give a finite threshold");
            }
            let comparison = match self.comparison {
                Comparison::Above => "GreaterThanThreshold",
                Comparison::Below => "LessThanThreshold",
            };
            let missing = match self.missing {
                Missing::Ignore => "missing",
                Missing::Breaching => "breaching",
                Missing::NotBreaching => "notBreaching",
            };
            let dimensions: Expression = self.metric.dimensions.into_iter().collect();
            let alarm = ctx.add(
                Resource::new("aws_cloudwatch_metric_alarm", &self.key)
                    .set("alarm_name", self.name)
                    .set_opt("alarm_description", (!self.description.is_empty()).then_some(self.description))
                    .set("namespace", self.metric.namespace)
                    .set("metric_name", self.metric.name)
                    .set("statistic", self.metric.statistic.name())
                    .set("period", s)
                    .set("evaluation_periods", self.periods)
                    .set("comparison_operator", comparison)
                    .set("threshold", self.threshold)
                    .set("treat_missing_data", missing)
                    .set("dimensions", dimensions)
                    .set("alarm_actions", vec![self.topic.arn.clone()])
                    .set("ok_actions", vec![self.topic.arn]),
            );
            AlarmRef::of(alarm)
        })
    }
}

/// The seed 003 alarm set for one ECS service, with the load balancer alarms when it is
/// behind one: CPU and memory above 80 %, no running task, an unhealthy target, target
/// responses slower than 1 s, more than 1 % 5xx responses — each over two 5-minute periods.
#[derive(Debug, Clone)]
#[must_use = "alarms do nothing until built into a stack"]
pub struct ServiceAlarms {
    key: String,
    topic: TopicRef,
    service: ServiceRef,
    load_balancer: Option<(AlbRef, TargetGroupRef)>,
    cpu: f64,
    memory: f64,
    latency_seconds: f64,
    error_percent: f64,
    periods: u8,
    period_seconds: u32,
    names: Vec<(&'static str, String)>,
}

impl ServiceAlarms {
    /// Alarms `key_*` for `service`, notifying `topic`.
    pub fn new(key: impl Into<String>, topic: &TopicRef, service: &ServiceRef) -> Self {
        Self {
            key: key.into(),
            topic: topic.clone(),
            service: service.clone(),
            load_balancer: None,
            cpu: 80.0,
            memory: 80.0,
            latency_seconds: 1.0,
            error_percent: 1.0,
            periods: 2,
            period_seconds: 300,
            names: Vec::new(),
        }
    }

    /// Names alarm `what` (`cpu`, `memory`, `running`, `unhealthy`, `latency` or `5xx`)
    /// `name` instead of `<cluster>-<service>-<what>`, e.g. seed 003's `svg-ai-high-cpu`.
    pub fn name(mut self, what: &'static str, name: impl Into<String>) -> Self {
        self.names.retain(|(w, _)| *w != what);
        self.names.push((what, name.into()));
        self
    }

    /// Adds the load balancer alarms for `group` of `alb`.
    pub fn load_balancer(mut self, alb: &AlbRef, group: &TargetGroupRef) -> Self {
        self.load_balancer = Some((alb.clone(), group.clone()));
        self
    }

    /// CPU and memory thresholds, percent (80 each by default).
    pub fn utilization(mut self, cpu: f64, memory: f64) -> Self {
        self.cpu = cpu;
        self.memory = memory;
        self
    }

    /// Target response time threshold, seconds (1 by default).
    pub fn latency(mut self, seconds: f64) -> Self {
        self.latency_seconds = seconds;
        self
    }

    /// 5xx responses threshold, percent of requests (1 by default).
    pub fn error_rate(mut self, percent: f64) -> Self {
        self.error_percent = percent;
        self
    }

    /// How many periods of `seconds` must breach (two of 300 by default).
    pub fn periods(mut self, periods: u8, seconds: u32) -> Self {
        self.periods = periods;
        self.period_seconds = seconds;
        self
    }

    /// Adds the alarms and returns them by what they watch.
    pub fn build(self, ctx: &mut Context) -> ServiceAlarmsRef {
        let (k, svc) = (self.key.as_str(), &self.service);
        let alarms: &[&str] = match self.load_balancer {
            Some(_) => &["cpu", "memory", "running", "unhealthy", "latency", "5xx"],
            None => &["cpu", "memory", "running"],
        };
        for (what, _) in &self.names {
            if !alarms.contains(what) {
                let at = format!("aws_cloudwatch_metric_alarm.{k}_{what}");
                ctx.problem(at, format!("no `{what}` alarm to name"), format!("name one of {alarms:?}"));
            }
        }
        let name = |what: &str| match self.names.iter().find(|(w, _)| *w == what) {
            Some((_, name)) => Expr::from(name.as_str()),
            None => template![svc.cluster_name.clone(), "-", svc.name.clone(), format!("-{what}")],
        };
        let minutes = self.periods_minutes();
        let ecs = |metric: &str, statistic| {
            Metric::new("AWS/ECS", metric, statistic)
                .dimension("ClusterName", svc.cluster_name.clone())
                .dimension("ServiceName", svc.name.clone())
        };
        let alarm = |what: &str, metric: Metric| {
            Alarm::new(format!("{k}_{what}"), name(what), &self.topic, metric)
                .periods(self.periods, self.period_seconds)
        };
        let mut alarms = Vec::new();
        let cpu = alarm("cpu", ecs("CPUUtilization", Statistic::Average))
            .when(Comparison::Above, self.cpu)
            .description(format!("CPU above {}% for {minutes} minutes", self.cpu))
            .build(ctx);
        alarms.push(("cpu", cpu));
        let memory = alarm("memory", ecs("MemoryUtilization", Statistic::Average))
            .when(Comparison::Above, self.memory)
            .description(format!("Memory above {}% for {minutes} minutes", self.memory))
            .build(ctx);
        alarms.push(("memory", memory));
        let running = Metric::new("ECS/ContainerInsights", "RunningTaskCount", Statistic::Minimum)
            .dimension("ClusterName", svc.cluster_name.clone())
            .dimension("ServiceName", svc.name.clone());
        // No data from the running-task count means no task; elsewhere it means no traffic.
        let running = alarm("running", running)
            .when(Comparison::Below, 1.0)
            .description("No task running")
            .missing_data(Missing::Breaching)
            .build(ctx);
        alarms.push(("running", running));
        let Some((alb, tg)) = &self.load_balancer else { return ServiceAlarmsRef { alarms } };
        let elb = |metric: &str, statistic| {
            Metric::new("AWS/ApplicationELB", metric, statistic)
                .dimension("LoadBalancer", alb.arn_suffix.clone())
                .dimension("TargetGroup", tg.arn_suffix.clone())
        };
        let unhealthy = alarm("unhealthy", elb("UnHealthyHostCount", Statistic::Maximum))
            .when(Comparison::Above, 0.0)
            .description("A target is unhealthy")
            .build(ctx);
        alarms.push(("unhealthy", unhealthy));
        let latency = alarm("latency", elb("TargetResponseTime", Statistic::Average))
            .when(Comparison::Above, self.latency_seconds)
            .description(format!("Target response time above {} s", self.latency_seconds))
            .build(ctx);
        alarms.push(("latency", latency));
        alarms.push(("5xx", self.five_xx_rate(ctx, name("5xx"), alb, tg)));
        ServiceAlarmsRef { alarms }
    }

    fn periods_minutes(&self) -> u32 {
        u32::from(self.periods) * self.period_seconds / 60
    }

    /// Target 5xx responses above the error rate, as metric math.
    fn five_xx_rate(&self, ctx: &mut Context, name: Expr<String>, alb: &AlbRef, tg: &TargetGroupRef) -> AlarmRef {
        let dims =
            Expression::from_iter([("LoadBalancer", alb.arn_suffix.clone()), ("TargetGroup", tg.arn_suffix.clone())]);
        let metric = |id: &str, metric: &str| {
            let stat = Body::new()
                .set("namespace", "AWS/ApplicationELB")
                .set("metric_name", metric)
                .set("period", self.period_seconds)
                .set("stat", "Sum")
                .set("dimensions", dims.clone());
            Body::new().set("id", id).set("return_data", false).block("metric", stat)
        };
        let rate = Body::new()
            .set("id", "rate")
            .set("expression", "100 * errors / MAX([errors, requests])")
            .set("label", "5xx responses, % of requests")
            .set("return_data", true);
        ctx.within("alarms", |ctx| {
            let alarm = ctx.add(
                Resource::new("aws_cloudwatch_metric_alarm", format!("{}_5xx", self.key))
                    .set("alarm_name", name)
                    .set("alarm_description", format!("Target 5xx responses above {}% of requests", self.error_percent))
                    .set("comparison_operator", "GreaterThanThreshold")
                    .set("threshold", self.error_percent)
                    .set("evaluation_periods", self.periods)
                    .set("treat_missing_data", "notBreaching")
                    .block("metric_query", metric("errors", "HTTPCode_Target_5XX_Count"))
                    .block("metric_query", metric("requests", "RequestCount"))
                    .block("metric_query", rate)
                    .set("alarm_actions", vec![self.topic.arn.clone()])
                    .set("ok_actions", vec![self.topic.arn.clone()]),
            );
            AlarmRef::of(alarm)
        })
    }
}
