//! `tfsynth summary`: a report per stack — resource counts by component and by type, the
//! environment's settings and the policy results — as Markdown for a PR comment (rendered with
//! minijinja) or as JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::diff::BlockChange;
use super::refactor::Refactor;
use crate::model::{Kind, Stack};
use crate::policy::{Report, Rule};
use crate::schema::stateful::{RESTARTS, stateful};

/// What one stack deploys in one environment.
#[derive(Debug, Clone, Serialize)]
pub struct StackSummary {
    /// The stack name.
    pub name: String,
    /// What it deploys.
    pub description: String,
    /// Managed resources.
    pub resources: usize,
    /// Data sources.
    pub data_sources: usize,
    /// Managed resources per component (networking, database, ...), largest first.
    pub by_component: Vec<(String, usize)>,
    /// Managed resources per type, largest first.
    pub by_type: Vec<(String, usize)>,
    /// The environment's settings, one `(setting, value)` row per leaf of the table.
    pub settings: Option<Vec<(String, String)>>,
    /// Policy results.
    pub policy: PolicySummary,
    /// What changed against a baseline, one line per block (`None` without a baseline).
    pub changes: Option<Vec<String>>,
}

impl StackSummary {
    /// A stack the baseline has and the code no longer does: what it loses.
    pub fn removed(name: &str, changes: Vec<String>) -> Self {
        Self {
            name: name.to_owned(),
            description: "removed: in the baseline, no longer in the code".to_owned(),
            resources: 0,
            data_sources: 0,
            by_component: Vec::new(),
            by_type: Vec::new(),
            settings: None,
            policy: PolicySummary { rules: 0, unwaived: Vec::new(), waived: Vec::new() },
            changes: Some(changes),
        }
    }
}

/// The policy results of one stack.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    /// How many rules ran.
    pub rules: usize,
    /// Findings no waiver accepts, as `TFS00x address: message`.
    pub unwaived: Vec<String>,
    /// Accepted findings, as `TFS00x address: reason (until date)`.
    pub waived: Vec<String>,
}

/// Summarizes a built, validated and linted stack.
pub fn summarize(
    name: &str,
    description: &str,
    stack: &Stack,
    report: &Report,
    settings: Option<serde_json::Value>,
) -> StackSummary {
    let mut by_component: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in stack.resources() {
        *by_component.entry(r.component().unwrap_or("stack")).or_default() += 1;
        *by_type.entry(r.address().ty.as_str()).or_default() += 1;
    }
    let sorted = |m: BTreeMap<&str, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let policy = PolicySummary {
        rules: Rule::ALL.len(),
        unwaived: report.unwaived().map(|f| format!("{} {}: {}", f.rule, f.address, f.message)).collect(),
        waived: report
            .findings
            .iter()
            .filter_map(|f| {
                f.waiver.as_ref().map(|w| format!("{} {}: {} (until {})", f.rule, f.address, w.reason, w.expires))
            })
            .collect(),
    };
    StackSummary {
        name: name.to_owned(),
        description: description.to_owned(),
        resources: stack.resources().count(),
        data_sources: stack.blocks().iter().filter(|r| r.kind() == Kind::Data).count(),
        by_component: sorted(by_component),
        by_type: sorted(by_type),
        settings: settings.map(|v| {
            let mut rows = Vec::new();
            flatten("", &v, &mut rows);
            rows
        }),
        policy,
        changes: None,
    }
}

/// A settings value as table rows: nested fields joined with `.`, lists of plain values on one
/// row, lists of objects indexed.
fn flatten(path: &str, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        Value::Object(fields) => fields.iter().for_each(|(k, v)| flatten(&join(k), v, rows)),
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            items.iter().enumerate().for_each(|(i, v)| flatten(&format!("{path}[{i}]"), v, rows));
        }
        Value::Array(items) => rows.push((path.to_owned(), items.iter().map(plain).collect::<Vec<_>>().join(", "))),
        other => rows.push((path.to_owned(), plain(other))),
    }
}

fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".into(),
        other => other.to_string(),
    }
}

const TEMPLATE: &str = r#"## tfsynth summary: {{ environment }}{% if against %} against `{{ against }}`{% endif %}
{% if security %}
{{ security }}{% endif %}{% if against %}
### What changed
{% for s in stacks %}
**{{ s.name }}**: {% if s.changes %}{{ s.changes|length }} block(s) differ
{% for line in s.changes %}
- {{ line }}
{%- endfor %}
{% else %}unchanged
{% endif %}{% endfor %}
<details><summary>Inventory</summary>
{% endif %}
| stack | resources | data sources | policy |
|---|---:|---:|---|
{% for s in stacks -%}
| {{ s.name }} | {{ s.resources }} | {{ s.data_sources }} | {% if s.policy.unwaived %}**{{ s.policy.unwaived|length }} finding(s)**{% else %}{{ s.policy.rules }} rules pass{% if s.policy.waived %}, {{ s.policy.waived|length }} waived{% endif %}{% endif %} |
{% endfor %}
{%- for s in stacks %}
### {{ s.name }}

{{ s.description }}

| component | resources |
|---|---:|
{% for c in s.by_component -%}
| {{ c[0] }} | {{ c[1] }} |
{% endfor %}
<details><summary>Resources by type ({{ s.by_type|length }} types)</summary>

| type | resources |
|---|---:|
{% for t in s.by_type -%}
| `{{ t[0] }}` | {{ t[1] }} |
{% endfor %}
</details>
{% if s.settings %}
<details><summary>{{ environment }} settings</summary>

| setting | value |
|---|---|
{% for row in s.settings -%}
| {{ row[0] }} | {{ row[1]|replace("|", "\\|") }} |
{% endfor %}
</details>
{% endif %}
**Policy**: {{ s.policy.rules }} rules
{%- if s.policy.unwaived %}, {{ s.policy.unwaived|length }} unwaived finding(s):
{% for f in s.policy.unwaived %}
- {{ f }}
{%- endfor %}
{%- else %}, no unwaived finding.
{%- endif %}
{%- if s.policy.waived %}
Waived:
{% for f in s.policy.waived %}
- {{ f }}
{%- endfor %}
{%- endif %}
{% endfor %}{% if against %}
</details>
{% endif %}"#;

/// The report as Markdown.
///
/// # Panics
///
/// Never: the template is a constant checked by the tests.
pub fn markdown(environment: &str, stacks: &[StackSummary], against: Option<&str>, security: &str) -> String {
    let mut env = minijinja::Environment::new();
    env.add_template("summary", TEMPLATE).expect("the summary template parses");
    let template = env.get_template("summary").expect("just added");
    template
        .render(minijinja::context! { environment, stacks, against, security })
        .expect("the summary template renders any summary")
}

/// The lines a review leads with: each stateful resource that would be destroyed, then each
/// probable rename with the block that keeps its object.
pub fn refactor_lines(refactor: &Refactor) -> Vec<String> {
    let destroys = refactor.destroys.iter().map(|d| format!("**would destroy data**: {}", d.message()));
    let renames = refactor
        .renames
        .iter()
        .map(|r| format!("probable rename `{}` → `{}` ({}): add `{}`", r.from, r.to, r.evidence, r.fix()));
    destroys.chain(renames).collect()
}

/// One Markdown line per changed block: added, removed, or changed with each attribute's old
/// and new value.
pub fn change_lines(changes: &[BlockChange]) -> Vec<String> {
    let value = |v: &Option<serde_json::Value>| match v {
        Some(v) => format!("`{}`", v.to_string().replace('`', "'")),
        None => "(unset)".to_owned(),
    };
    changes
        .iter()
        .map(|c| match c {
            BlockChange::Added { address } => format!("added `{address}`"),
            BlockChange::Removed { address } => format!("removed `{address}`"),
            BlockChange::Changed { address, attributes, replaced_by } => {
                let attrs: Vec<String> =
                    attributes.iter().map(|a| format!("`{}` {} → {}", a.path, value(&a.old), value(&a.new))).collect();
                let ty = address.split('.').next().unwrap_or_default();
                let restarts = stateful(ty).is_some() && attributes.iter().any(|a| RESTARTS.contains(&a.path.as_str()));
                if restarts && replaced_by.is_empty() {
                    format!("**restarts** `{address}` to apply: {}", attrs.join("; "))
                } else if replaced_by.is_empty() {
                    format!("changed `{address}`: {}", attrs.join("; "))
                } else {
                    format!("**replaced** `{address}` (by {}): {}", replaced_by.join(", "), attrs.join("; "))
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::model::{Arguments, Resource, Stack};
    use crate::policy::{Date, lint};

    #[test]
    fn markdown_counts_components_types_and_policy() {
        let mut s = Stack::new("demo", "production");
        let previous = s.replace_component(Some("networking"));
        s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
        s.add(Resource::new("aws_subnet", "a").set("cidr_block", "10.0.0.0/24"));
        s.replace_component(previous);
        s.add(Resource::new("aws_cloudwatch_log_group", "app").set("kms_key_id", "k"));
        let report = lint(&s, Date::ymd(2026, 11, 22));
        let settings = serde_json::json!({"azs": ["us-east-1a", "us-east-1b"], "db": {"class": "db.t4g.micro"}});
        let summary = super::summarize("demo", "A demo", &s, &report, Some(settings));
        assert_eq!(summary.by_component, [("networking".to_owned(), 2), ("stack".to_owned(), 1)]);
        let md = super::markdown("production", &[summary], None, "");
        assert!(md.contains("| demo | 3 | 0 | **1 finding(s)** |"), "{md}");
        assert!(md.contains("| networking | 2 |"), "{md}");
        assert!(md.contains("| `aws_subnet` | 1 |"), "{md}");
        assert!(md.contains("| azs | us-east-1a, us-east-1b |"), "{md}");
        assert!(md.contains("| db.class | db.t4g.micro |"), "{md}");
        assert!(md.contains("- TFS008 aws_cloudwatch_log_group.app: logs are kept forever"), "{md}");
    }
}
