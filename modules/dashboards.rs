//! CloudWatch dashboards: graphs of metrics and tables of Logs Insights queries, laid out two
//! to a row in the order given.
//!
//! ```
//! use tfsynth::modules::alarms::Metric;
//! use tfsynth::modules::compute::Statistic;
//! use tfsynth::modules::dashboards::{Dashboard, Widget};
//! use tfsynth::modules::{Account, Context};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let cpu = Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average).dimension("ClusterName", "demo");
//! Dashboard::new("main", "Demo-Production")
//!     .widget(Widget::graph("ECS CPU", [cpu]))
//!     .widget(Widget::query("Errors", "/ecs/demo", "fields @timestamp, @message | filter level = 'ERROR'"))
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains(r#"dashboard_name = "Demo-Production""#));
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use super::alarms::Metric;
use crate::prelude::*;

/// One panel of a dashboard.
#[derive(Debug, Clone)]
pub enum Widget {
    /// A time-series graph of metrics.
    Graph {
        /// The panel title.
        title: String,
        /// The lines.
        metrics: Vec<Metric>,
    },
    /// A table of a Logs Insights query over one log group.
    Query {
        /// The panel title.
        title: String,
        /// The log group queried.
        log_group: Expr<String>,
        /// The query, without its `SOURCE` clause.
        query: String,
    },
}

impl Widget {
    /// A graph of `metrics` titled `title`.
    pub fn graph(title: impl Into<String>, metrics: impl IntoIterator<Item = Metric>) -> Self {
        Self::Graph { title: title.into(), metrics: metrics.into_iter().collect() }
    }

    /// A table of `query` over `log_group` titled `title`.
    pub fn query(title: impl Into<String>, log_group: impl Into<Expr<String>>, query: impl Into<String>) -> Self {
        Self::Query { title: title.into(), log_group: log_group.into(), query: query.into() }
    }

    fn title(&self) -> &str {
        match self {
            Widget::Graph { title, .. } | Widget::Query { title, .. } => title,
        }
    }

    fn expression(&self, region: &str, index: usize) -> Expression {
        let (kind, properties) = match self {
            Widget::Graph { title, metrics } => {
                let lines = Expression::List(metrics.iter().map(Metric::graph_line).collect());
                let properties = [
                    ("title", Expression::from(title.as_str())),
                    ("region", region.into()),
                    ("view", "timeSeries".into()),
                    ("period", 300.into()),
                    ("metrics", lines),
                ];
                ("metric", Expression::from_iter(properties))
            }
            Widget::Query { title, log_group, query } => {
                let properties = [
                    ("title", Expression::from(title.as_str())),
                    ("region", region.into()),
                    ("view", "table".into()),
                    ("query", template!["SOURCE '", log_group.clone(), "' | ", query.as_str()].into()),
                ];
                ("log", Expression::from_iter(properties))
            }
        };
        let (x, y) = (index % 2 * 12, index / 2 * 6);
        Expression::from_iter([
            ("type", Expression::from(kind)),
            ("x", x.into()),
            ("y", y.into()),
            ("width", 12.into()),
            ("height", 6.into()),
            ("properties", properties),
        ])
    }
}

/// A dashboard, for what links to it.
#[derive(Debug, Clone)]
pub struct DashboardRef {
    /// The dashboard ARN.
    pub arn: Expr<String>,
    /// The dashboard itself.
    pub resource: Ref,
}

/// A dashboard under construction.
#[derive(Debug, Clone)]
#[must_use = "a dashboard does nothing until built into a stack"]
pub struct Dashboard {
    key: String,
    name: String,
    widgets: Vec<Widget>,
}

impl Dashboard {
    /// Dashboard `key` called `name`.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), widgets: Vec::new() }
    }

    /// Adds a panel after the others.
    pub fn widget(mut self, widget: Widget) -> Self {
        self.widgets.push(widget);
        self
    }

    /// Adds the dashboard.
    pub fn build(self, ctx: &mut Context) -> DashboardRef {
        ctx.within("dashboards", |ctx| {
            let at = format!("aws_cloudwatch_dashboard.{}", self.key);
            if self.widgets.is_empty() {
                ctx.problem(&at, "a dashboard without widgets", "add at least one Widget");
            }
            for widget in &self.widgets {
                if let Widget::Graph { title, metrics } = widget
                    && metrics.is_empty()
                {
                    ctx.problem_at(
                        &at,
                        "dashboard_body",
                        format!("graph `{title}` has no metrics"),
                        "give it a Metric",
                    );
                }
            }
            let mut titles: Vec<&str> = self.widgets.iter().map(Widget::title).collect();
            titles.sort_unstable();
            if let Some([twice, _]) = titles.windows(2).find(|p| p[0] == p[1]) {
                let message = format!("two widgets are titled `{twice}`");
                ctx.problem_at(&at, "dashboard_body", message, "give each widget its own title");
            }
            let region = ctx.account().region;
            let widgets = self.widgets.iter().enumerate().map(|(i, w)| w.expression(region, i)).collect();
            let dashboard = ctx.add(
                Resource::new("aws_cloudwatch_dashboard", &self.key)
                    .set("dashboard_name", self.name)
                    .set("dashboard_body", jsonencode(Expression::from_iter([("widgets", Expression::List(widgets))]))),
            );
            DashboardRef { arn: dashboard.attr("dashboard_arn").typed(), resource: dashboard }
        })
    }
}
