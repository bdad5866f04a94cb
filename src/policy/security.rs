//! What a change does to security, for the reviewer: each change between two renderings of a
//! stack (a baseline and the new one, or a plan's before and after) judged *broadening* (it
//! opens or weakens something), *narrowing* (it closes or strengthens something), or neither
//! (not listed). The rules are data ([`RULES`]); a registry adds its own
//! (`Registry::with_security_rules`).
//!
//! ```
//! use serde_json::json;
//! use tfsynth::policy::security::{Direction, classify};
//!
//! let old = json!({"resource": {"aws_vpc_security_group_ingress_rule": {"web": {"cidr_ipv4": "10.0.0.0/16", "from_port": 443, "to_port": 443}}}});
//! let new = json!({"resource": {"aws_vpc_security_group_ingress_rule": {"web": {"cidr_ipv4": "0.0.0.0/0", "from_port": 443, "to_port": 443}}}});
//! let changes = classify(&old, &new, &[]);
//! assert_eq!(changes[0].direction, Direction::Broadening);
//! assert_eq!(changes[0].what, "ingress 443 from 10.0.0.0/16 → 0.0.0.0/0 (the internet)");
//! ```

use serde::Serialize;
use serde_json::Value;

use super::Date;
pub use super::security_rules::RULES;

/// Which way a change moves security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Opens or weakens: more principals, actions, addresses or ports; less encryption,
    /// protection, backup or logging; a secret in plain text.
    Broadening,
    /// Closes or strengthens.
    Narrowing,
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Policy statements and trust policies.
    Iam,
    /// Security groups, network ACLs, public endpoints and addresses.
    Network,
    /// Encryption, keys, backups, deletion protection, versioning, public access blocks.
    Data,
    /// Flow logs, access logs, trails, log retention.
    Logging,
    /// Secret values and where they are read from.
    Secrets,
}

/// One judgement of a rule: what changed, from what to what, which way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// What changed, e.g. `ingress 443 from 10.0.0.0/16 → 0.0.0.0/0`.
    pub what: String,
    /// Which way.
    pub direction: Direction,
}

impl Judgement {
    /// A broadening judgement.
    pub fn broadening(what: impl Into<String>) -> Self {
        Self { what: what.into(), direction: Direction::Broadening }
    }

    /// A narrowing judgement.
    pub fn narrowing(what: impl Into<String>) -> Self {
        Self { what: what.into(), direction: Direction::Narrowing }
    }
}

/// A rule: which resource types it reads (empty: every type) and how it judges a resource's
/// old and new bodies (`None`: the resource is added or removed).
#[derive(Debug, Clone, Copy)]
pub struct SecurityRule {
    /// A short identifier, e.g. `iam-statements`.
    pub id: &'static str,
    /// What the rule is about.
    pub area: Area,
    /// The resource types it reads; empty for every type.
    pub types: &'static [&'static str],
    /// The judgement: `(type, old, new)` to what changed.
    pub judge: fn(&str, Option<&Value>, Option<&Value>) -> Vec<Judgement>,
}

/// One security-relevant change of a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityChange {
    /// The resource.
    pub address: String,
    /// The rule that judged it.
    pub rule: &'static str,
    /// What the rule is about.
    pub area: Area,
    /// What changed, from → to.
    pub what: String,
    /// Which way.
    pub direction: Direction,
    /// The reason a broadening change was approved in code, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
}

/// An acknowledgement in code that a broadening change of one resource is intended: the
/// reviewer sees the reason, and `--fail-on broadening` lets the change through (until the
/// day it expires, if it has one). A component approves the exposure that is its purpose (an
/// internet-facing load balancer's HTTPS listener); a stack approves its own decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The resource, e.g. `aws_vpc_security_group_ingress_rule.alb_https`.
    pub address: String,
    /// Why the broadening is intended.
    pub reason: String,
    /// The last day the approval holds, if it ends.
    pub expires: Option<Date>,
}

impl Approval {
    /// Approves broadening changes of `address`.
    pub fn new(address: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { address: address.into(), reason: reason.into(), expires: None }
    }

    /// The approval holds until `day` (inclusive), as a waiver does.
    pub fn until(mut self, day: Date) -> Self {
        self.expires = Some(day);
        self
    }
}

/// Every managed resource of a Terraform JSON document, by address.
fn resources(doc: &Value) -> Vec<(String, &str, &Value)> {
    let mut out = Vec::new();
    for (ty, names) in doc.get("resource").and_then(Value::as_object).into_iter().flatten() {
        for (name, body) in names.as_object().into_iter().flatten() {
            out.push((format!("{ty}.{name}"), ty.as_str(), body));
        }
    }
    out
}

/// Classifies the changes from Terraform JSON document `old` to `new` (either may be `null`
/// for a stack added or removed) with the built-in rules and `extra`; broadening changes
/// first, each in the new document's order.
pub fn classify(old: &Value, new: &Value, extra: &[SecurityRule]) -> Vec<SecurityChange> {
    let (before, after) = (resources(old), resources(new));
    let mut pairs: Vec<(String, &str, Option<&Value>, Option<&Value>)> = before
        .iter()
        .filter(|(a, _, _)| !after.iter().any(|(b, _, _)| a == b))
        .map(|(a, ty, body)| (a.clone(), *ty, Some(*body), None))
        .collect();
    for (address, ty, body) in &after {
        let previous = before.iter().find(|(a, _, _)| a == address).map(|(_, _, b)| *b);
        pairs.push((address.clone(), ty, previous, Some(*body)));
    }
    judge_pairs(pairs, extra)
}

/// Classifies the resource changes of a plan (`terraform show -json`): each resource's
/// `before` and `after`.
pub fn classify_plan(show: &Value, extra: &[SecurityRule]) -> Vec<SecurityChange> {
    let pairs = show["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rc| rc["mode"] == "managed")
        .map(|rc| {
            (
                rc["address"].as_str().unwrap_or_default().to_owned(),
                rc["type"].as_str().unwrap_or_default(),
                present(&rc["change"]["before"]),
                present(&rc["change"]["after"]),
            )
        })
        .collect();
    judge_pairs(pairs, extra)
}

/// A plan side that exists (`null` before a create, after a destroy).
fn present(v: &Value) -> Option<&Value> {
    (!v.is_null()).then_some(v)
}

fn judge_pairs(
    pairs: Vec<(String, &str, Option<&Value>, Option<&Value>)>,
    extra: &[SecurityRule],
) -> Vec<SecurityChange> {
    let mut out = Vec::new();
    for (address, ty, old, new) in pairs {
        if old == new {
            continue;
        }
        for rule in RULES.iter().chain(extra) {
            if !rule.types.is_empty() && !rule.types.contains(&ty) {
                continue;
            }
            for j in (rule.judge)(ty, old, new) {
                out.push(SecurityChange {
                    address: address.clone(),
                    rule: rule.id,
                    area: rule.area,
                    what: j.what,
                    direction: j.direction,
                    approved: None,
                });
            }
        }
    }
    out.sort_by_key(|c| c.direction);
    out
}

/// Marks the broadening changes `approvals` acknowledge (those not expired on `today`).
pub fn approve(changes: &mut [SecurityChange], approvals: &[Approval], today: Date) {
    for c in changes.iter_mut().filter(|c| c.direction == Direction::Broadening) {
        c.approved = approvals
            .iter()
            .find(|a| a.address == c.address && a.expires.is_none_or(|e| e >= today))
            .map(|a| a.reason.clone());
    }
}

/// The document a policy attribute holds: a `"${jsonencode({...})}"` expression as this
/// project renders it (parsed back with hcl-rs, references kept as their text), or a JSON
/// string as a plan shows it.
pub(crate) fn document(value: &Value) -> Option<Value> {
    let text = value.as_str()?;
    if text.starts_with("${") {
        return jsonencoded(text);
    }
    serde_json::from_str(text).ok().filter(|v: &Value| v.is_object() || v.is_array())
}

/// The document a `"${jsonencode(...)}"` string encodes, as JSON: literal data as values,
/// references and calls as their HCL text.
pub(crate) fn jsonencoded(text: &str) -> Option<Value> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let hcl::Expression::FuncCall(call) = inner.parse::<hcl::Expression>().ok()? else { return None };
    if call.name.name.as_str() != "jsonencode" || call.args.len() != 1 {
        return None;
    }
    Some(to_value(&call.args[0]))
}

fn to_value(e: &hcl::Expression) -> Value {
    use hcl::Expression as E;
    match e {
        E::Null => Value::Null,
        E::Bool(b) => Value::Bool(*b),
        E::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        E::String(s) => Value::String(s.clone()),
        E::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        E::Object(map) => Value::Object(map.iter().map(|(k, v)| (object_key(k), to_value(v))).collect()),
        E::Parenthesis(inner) => to_value(inner),
        other => Value::String(format!("${{{other}}}")),
    }
}

fn object_key(k: &hcl::ObjectKey) -> String {
    match k {
        hcl::ObjectKey::Identifier(id) => id.to_string(),
        hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
        hcl::ObjectKey::Expression(e) => e.to_string(),
        _ => k.to_string(),
    }
}
