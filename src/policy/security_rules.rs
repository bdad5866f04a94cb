//! The built-in security rules: IAM statements, ingress, flags that expose or protect,
//! retention, customer keys, logging resources and secrets in plain text.

use std::collections::BTreeSet;

use ipnet::Ipv4Net;
use serde_json::{Value, json};

use super::security::{Area, Judgement, SecurityRule, document};

/// Every built-in rule.
pub const RULES: &[SecurityRule] = &[
    SecurityRule { id: "iam-statements", area: Area::Iam, types: &[], judge: iam },
    SecurityRule {
        id: "ingress",
        area: Area::Network,
        types: &[
            "aws_vpc_security_group_ingress_rule",
            "aws_security_group_rule",
            "aws_security_group",
            "aws_network_acl_rule",
        ],
        judge: ingress,
    },
    SecurityRule { id: "exposure-flags", area: Area::Network, types: &[], judge: exposure },
    SecurityRule { id: "protection-flags", area: Area::Data, types: &[], judge: protection },
    SecurityRule { id: "retention", area: Area::Data, types: &[], judge: retention },
    SecurityRule { id: "customer-key", area: Area::Data, types: &[], judge: customer_key },
    SecurityRule { id: "logging", area: Area::Logging, types: LOGGING, judge: logging },
    SecurityRule { id: "secrets", area: Area::Secrets, types: &[], judge: secrets },
];

/// A flag whose value matters: `(type or "" for any, path, the value that is the safe one, what it is)`.
pub(crate) type Flag = (&'static str, &'static str, Value, &'static str);

/// Flags that expose a resource when they leave their safe value.
pub(crate) fn exposure_flags() -> Vec<Flag> {
    vec![
        ("", "publicly_accessible", json!(false), "publicly accessible"),
        ("aws_lb", "internal", json!(true), "internal load balancer"),
        ("aws_subnet", "map_public_ip_on_launch", json!(false), "public IPs on launch"),
        ("", "associate_public_ip_address", json!(false), "a public IP address"),
        ("aws_eks_cluster", "vpc_config.0.endpoint_public_access", json!(false), "public API endpoint"),
    ]
}

/// Flags that protect data, logs or keys while they keep their safe value.
pub(crate) fn protection_flags() -> Vec<Flag> {
    vec![
        ("", "storage_encrypted", json!(true), "storage encryption"),
        ("", "at_rest_encryption_enabled", json!(true), "encryption at rest"),
        ("", "transit_encryption_enabled", json!(true), "encryption in transit"),
        ("", "deletion_protection", json!(true), "deletion protection"),
        ("aws_dynamodb_table", "deletion_protection_enabled", json!(true), "deletion protection"),
        ("", "enable_key_rotation", json!(true), "key rotation"),
        ("", "skip_final_snapshot", json!(false), "a final snapshot"),
        ("aws_dynamodb_table", "point_in_time_recovery.0.enabled", json!(true), "point-in-time recovery"),
        ("aws_s3_bucket_versioning", "versioning_configuration.0.status", json!("Enabled"), "versioning"),
        ("aws_s3_bucket_public_access_block", "block_public_acls", json!(true), "blocking public ACLs"),
        ("aws_s3_bucket_public_access_block", "block_public_policy", json!(true), "blocking public policies"),
        ("aws_s3_bucket_public_access_block", "ignore_public_acls", json!(true), "ignoring public ACLs"),
        ("aws_s3_bucket_public_access_block", "restrict_public_buckets", json!(true), "restricting public buckets"),
        ("aws_s3_bucket", "object_lock_enabled", json!(true), "object lock"),
        ("aws_lb", "access_logs.0.enabled", json!(true), "access logs"),
        ("aws_cloudtrail", "enable_log_file_validation", json!(true), "log file validation"),
    ]
}

/// Resource types that are a log or an audit trail.
const LOGGING: &[&str] =
    &["aws_flow_log", "aws_cloudtrail", "aws_s3_bucket_logging", "aws_wafv2_web_acl_logging_configuration"];

/// The value at `path` (`a.0.b`: lists of blocks indexed) of `body`.
fn at<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(body, |v, step| match step.parse::<usize>() {
        Ok(i) => v.get(i),
        Err(_) => v.get(step),
    })
}

/// Judges the flags of `table` that apply to `ty`: a safe value left is broadening, one reached
/// is narrowing; with `on_create`, an unsafe value on a new resource is broadening too.
fn flags(table: &[Flag], on_create: bool, ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let Some(new) = new else { return Vec::new() };
    let mut out = Vec::new();
    for (_, path, safe, what) in table.iter().filter(|(t, _, _, _)| t.is_empty() || *t == ty) {
        let after = at(new, path);
        let is_safe = |v: Option<&Value>| v == Some(safe);
        match old.map(|o| at(o, path)) {
            Some(before) if is_safe(before) && after.is_some() && !is_safe(after) => {
                out.push(Judgement::broadening(format!("{what}: {} → {}", shown(before), shown(after))));
            }
            Some(before) if before.is_some() && !is_safe(before) && is_safe(after) => {
                out.push(Judgement::narrowing(format!("{what}: {} → {}", shown(before), shown(after))));
            }
            None if on_create && after.is_some() && !is_safe(after) => {
                out.push(Judgement::broadening(format!("{what}: {} on a new resource", shown(after))));
            }
            _ => {}
        }
    }
    out
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "(unset)".to_owned(), ToString::to_string)
}

fn exposure(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    flags(&exposure_flags(), true, ty, old, new)
}

fn protection(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    flags(&protection_flags(), false, ty, old, new)
}

/// Retention periods: shorter is broadening. `retention_in_days = 0` keeps logs forever.
fn retention(_: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let (Some(old), Some(new)) = (old, new) else { return Vec::new() };
    let mut out = Vec::new();
    for (attribute, what) in [
        ("backup_retention_period", "backups kept (days)"),
        ("snapshot_retention_limit", "snapshots kept (days)"),
        ("retention_in_days", "logs kept (days)"),
    ] {
        let days = |v: &Value| {
            v.get(attribute)
                .and_then(Value::as_u64)
                .map(|d| if d == 0 && attribute == "retention_in_days" { u64::MAX } else { d })
        };
        let (Some(before), Some(after)) = (days(old), days(new)) else { continue };
        let text = |d: u64| if d == u64::MAX { "forever".to_owned() } else { d.to_string() };
        if after < before {
            out.push(Judgement::broadening(format!("{what}: {} → {}", text(before), text(after))));
        } else if after > before {
            out.push(Judgement::narrowing(format!("{what}: {} → {}", text(before), text(after))));
        }
    }
    out
}

/// A customer-managed key set, then removed (or the reverse).
fn customer_key(_: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let (Some(old), Some(new)) = (old, new) else { return Vec::new() };
    let mut out = Vec::new();
    for attribute in ["kms_key_id", "kms_master_key_id", "kms_key_arn", "performance_insights_kms_key_id"] {
        let set = |v: &Value| v.get(attribute).is_some_and(|k| k.as_str().is_some_and(|s| !s.is_empty()));
        match (set(old), set(new)) {
            (true, false) => out.push(Judgement::broadening(format!("customer key `{attribute}` removed"))),
            (false, true) => out.push(Judgement::narrowing(format!("customer key `{attribute}` set"))),
            _ => {}
        }
    }
    out
}

fn logging(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let what = ty.trim_start_matches("aws_").replace('_', " ");
    match (old, new) {
        (Some(_), None) => vec![Judgement::broadening(format!("{what} removed"))],
        (None, Some(_)) => vec![Judgement::narrowing(format!("{what} added"))],
        _ => Vec::new(),
    }
}

/// Values moving out of secrets: a container's variable from `secrets` to `environment`, a
/// write-only argument replaced by its plain one.
fn secrets(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let (Some(old), Some(new)) = (old, new) else { return Vec::new() };
    let mut out = Vec::new();
    if ty == "aws_ecs_task_definition" {
        let names = |body: &Value, list: &str| -> BTreeSet<String> {
            let defs = body.get("container_definitions").and_then(document).unwrap_or(Value::Null);
            let defs = match defs {
                Value::Array(d) => d,
                _ => Vec::new(),
            };
            defs.iter()
                .flat_map(|c| c.get(list).and_then(Value::as_array).cloned().unwrap_or_default())
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        };
        for name in names(old, "secrets").intersection(&names(new, "environment")) {
            out.push(Judgement::broadening(format!("`{name}` moved from a secret to plain text")));
        }
        for name in names(old, "environment").intersection(&names(new, "secrets")) {
            out.push(Judgement::narrowing(format!("`{name}` moved from plain text to a secret")));
        }
    }
    for key in old.as_object().into_iter().flat_map(|o| o.keys()).filter(|k| k.ends_with("_wo")) {
        let plain = key.trim_end_matches("_wo");
        if new.get(key).is_none() && new.get(plain).is_some_and(|v| !v.is_null()) {
            out.push(Judgement::broadening(format!("`{plain}` written in plain text instead of write-only")));
        }
    }
    out
}

/// One allow statement, reduced to what it grants.
#[derive(Debug, Default)]
struct Grant {
    sid: Option<String>,
    actions: BTreeSet<String>,
    resources: BTreeSet<String>,
    principals: BTreeSet<String>,
    conditions: BTreeSet<String>,
}

fn strings(v: Option<&Value>) -> BTreeSet<String> {
    match v {
        Some(Value::String(s)) => BTreeSet::from([s.clone()]),
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => BTreeSet::new(),
    }
}

/// The allow statements of every policy document in `body`. A key policy's statements for
/// its own account's root (the standard delegation to IAM) grant nothing by themselves, and
/// its `Resource = "*"` is the key itself.
fn grants(ty: &str, body: Option<&Value>) -> Vec<Grant> {
    let key_policy = ty == "aws_kms_key";
    let mut out = Vec::new();
    for attribute in ["policy", "assume_role_policy"] {
        let Some(doc) = body.and_then(|b| b.get(attribute)).and_then(document) else { continue };
        let statements = match doc.get("Statement") {
            Some(Value::Array(list)) => list.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        };
        for s in statements.iter().filter(|s| s.get("Effect").and_then(Value::as_str) != Some("Deny")) {
            let mut principals = BTreeSet::new();
            match s.get("Principal") {
                Some(Value::String(p)) => {
                    principals.insert(p.clone());
                }
                Some(Value::Object(map)) => {
                    for (kind, value) in map {
                        principals.extend(strings(Some(value)).into_iter().map(|p| format!("{kind} {p}")));
                    }
                }
                _ => {}
            }
            if key_policy && !principals.is_empty() && principals.iter().all(|p| p.ends_with(":root")) {
                continue;
            }
            let mut actions = strings(s.get("Action"));
            actions.extend(strings(s.get("NotAction")).into_iter().map(|a| format!("everything but {a}")));
            let conditions = s
                .get("Condition")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .flat_map(|(op, keys)| keys.as_object().into_iter().flatten().map(move |(k, _)| format!("{op} {k}")))
                .collect();
            out.push(Grant {
                sid: s.get("Sid").and_then(Value::as_str).map(str::to_owned),
                actions,
                resources: if key_policy { BTreeSet::new() } else { strings(s.get("Resource")) },
                principals,
                conditions,
            });
        }
    }
    out
}

fn wildcard(s: &str) -> bool {
    s == "*" || s.ends_with(":*") || s.ends_with(" *") || s.starts_with("everything but")
}

/// One of a grant's sets.
type Pick = fn(&Grant) -> &BTreeSet<String>;

fn iam(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let (before, after) = (grants(ty, old), grants(ty, new));
    if after.is_empty() && before.is_empty() {
        return Vec::new();
    }
    let all = |grants: &[Grant], pick: Pick| -> BTreeSet<String> {
        grants.iter().flat_map(|g| pick(g).iter().cloned()).collect()
    };
    let mut out = Vec::new();
    let parts: [(&str, Pick); 3] =
        [("action", |g| &g.actions), ("resource", |g| &g.resources), ("principal", |g| &g.principals)];
    for (what, pick) in parts {
        let (was, is) = (all(&before, pick), all(&after, pick));
        for added in is.difference(&was) {
            // A new policy is judged by its wildcard actions and principals alone (many actions
            // take no resource but `*`); a changed one by all it adds.
            if old.is_some() || (what != "resource" && wildcard(added)) {
                let note = if wildcard(added) { " (a wildcard)" } else { "" };
                out.push(Judgement::broadening(format!("{what} `{added}` allowed{note}")));
            }
        }
        if new.is_some() {
            for removed in was.difference(&is) {
                out.push(Judgement::narrowing(format!("{what} `{removed}` no longer allowed")));
            }
        }
    }
    // Conditions, statement by statement (matched by Sid, else by position).
    for (i, b) in before.iter().enumerate() {
        let matching = after
            .iter()
            .find(|a| a.sid.is_some() && a.sid == b.sid)
            .or_else(|| after.get(i).filter(|a| a.sid == b.sid));
        let Some(a) = matching else { continue };
        for removed in b.conditions.difference(&a.conditions) {
            out.push(Judgement::broadening(format!("condition `{removed}` removed")));
        }
        for added in a.conditions.difference(&b.conditions) {
            out.push(Judgement::narrowing(format!("condition `{added}` added")));
        }
    }
    if new.is_none() && !before.is_empty() {
        out.push(Judgement::narrowing("policy removed"));
    }
    out
}

/// `(cidr, from port, to port)` of every allowing ingress entry of `body`.
fn entries(ty: &str, body: Option<&Value>) -> Vec<(Ipv4Net, i64, i64)> {
    let Some(body) = body else { return Vec::new() };
    let ports = |b: &Value| {
        let port = |k: &str| b.get(k).and_then(Value::as_i64);
        let all = b.get("ip_protocol").or_else(|| b.get("protocol")).and_then(Value::as_str).is_some_and(|p| p == "-1");
        if all { (0, 65535) } else { (port("from_port").unwrap_or(0), port("to_port").unwrap_or(65535)) }
    };
    let cidrs = |v: Option<&Value>| -> Vec<Ipv4Net> { strings(v).iter().filter_map(|c| c.parse().ok()).collect() };
    let from = |b: &Value, key: &str| -> Vec<(Ipv4Net, i64, i64)> {
        let (f, t) = ports(b);
        cidrs(b.get(key)).into_iter().map(|c| (c, f, t)).collect()
    };
    match ty {
        "aws_vpc_security_group_ingress_rule" => from(body, "cidr_ipv4"),
        "aws_security_group_rule" if body.get("type").and_then(Value::as_str) == Some("ingress") => {
            from(body, "cidr_blocks")
        }
        "aws_security_group" => body
            .get("ingress")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|b| from(b, "cidr_blocks"))
            .collect(),
        "aws_network_acl_rule"
            if body.get("egress") != Some(&json!(true))
                && body.get("rule_action").and_then(Value::as_str) == Some("allow") =>
        {
            from(body, "cidr_block")
        }
        _ => Vec::new(),
    }
}

fn covers(outer: &(Ipv4Net, i64, i64), inner: &(Ipv4Net, i64, i64)) -> bool {
    outer.0.contains(&inner.0) && outer.1 <= inner.1 && outer.2 >= inner.2
}

fn describe((cidr, from, to): &(Ipv4Net, i64, i64)) -> (String, String) {
    let ports = if from == to {
        from.to_string()
    } else if (*from, *to) == (0, 65535) {
        "all ports".into()
    } else {
        format!("{from}-{to}")
    };
    let source = if cidr.prefix_len() == 0 { format!("{cidr} (the internet)") } else { cidr.to_string() };
    (ports, source)
}

fn ingress(ty: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
    let (before, after) = (entries(ty, old), entries(ty, new));
    // A new rule counts when it admits the internet; a changed one for all it widens.
    let wider: Vec<&(Ipv4Net, i64, i64)> = after
        .iter()
        .filter(|n| !before.iter().any(|o| covers(o, n)) && (old.is_some() || n.0.prefix_len() == 0))
        .collect();
    let gone: Vec<&(Ipv4Net, i64, i64)> = before.iter().filter(|o| !after.iter().any(|n| covers(n, o))).collect();
    // One entry changed in place: say from what to what.
    if let ([b], [a]) = (before.as_slice(), after.as_slice())
        && b != a
    {
        let ((ports, to), (_, from)) = (describe(a), describe(b));
        let text = format!("ingress {ports} from {from} → {to}");
        let narrower = covers(b, a);
        return vec![if narrower { Judgement::narrowing(text) } else { Judgement::broadening(text) }];
    }
    let mut out: Vec<Judgement> = wider
        .iter()
        .map(|w| {
            let (ports, source) = describe(w);
            Judgement::broadening(format!("ingress {ports} from {source} allowed"))
        })
        .collect();
    if new.is_some() {
        out.extend(gone.iter().map(|g| {
            let (ports, source) = describe(g);
            Judgement::narrowing(format!("ingress {ports} from {source} no longer allowed"))
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::Date;
    use super::super::security::{
        Approval, Area, Direction, Judgement, SecurityRule, approve, classify, classify_plan,
    };
    use super::{exposure_flags, protection_flags};

    fn doc(ty: &str, body: Value) -> Value {
        let mut named = serde_json::Map::new();
        named.insert("x".to_owned(), body);
        json!({"resource": {ty: Value::Object(named)}})
    }

    /// The judgements from `old` to `new` of one resource `ty.x`, as `(direction, what)`.
    fn judged(ty: &str, old: Value, new: Value) -> Vec<(Direction, String)> {
        classify(&doc(ty, old), &doc(ty, new), &[]).into_iter().map(|c| (c.direction, c.what)).collect()
    }

    fn policy(statement: &str) -> Value {
        json!(format!("${{jsonencode({{ Version = \"2012-10-17\", Statement = [{statement}] }})}}"))
    }

    #[test]
    fn iam_statements() {
        let scoped = policy(
            r#"{ Sid = "Read", Effect = "Allow", Action = ["s3:GetObject"], Resource = aws_s3_bucket.b.arn, Condition = { StringEquals = { "aws:SourceAccount" = "1" } } }"#,
        );
        let wide = policy(r#"{ Sid = "Read", Effect = "Allow", Action = ["s3:*"], Resource = "*" }"#);
        let found = judged("aws_iam_role_policy", json!({"policy": scoped}), json!({"policy": wide}));
        assert_eq!(
            found,
            [
                (Direction::Broadening, "action `s3:*` allowed (a wildcard)".into()),
                (Direction::Broadening, "resource `*` allowed (a wildcard)".into()),
                (Direction::Broadening, "condition `StringEquals aws:SourceAccount` removed".into()),
                (Direction::Narrowing, "action `s3:GetObject` no longer allowed".into()),
                (Direction::Narrowing, "resource `${aws_s3_bucket.b.arn}` no longer allowed".into()),
            ]
        );
        // Reversed, every line turns around; the same policy is neutral.
        let back = judged("aws_iam_role_policy", json!({"policy": wide.clone()}), json!({"policy": scoped}));
        assert_eq!(back.iter().filter(|(d, _)| *d == Direction::Broadening).count(), 2, "{back:?}");
        assert!(judged("aws_iam_role_policy", json!({"policy": wide.clone()}), json!({"policy": wide})).is_empty());
        // A trust policy's new principal; a plan's JSON string is read the same way.
        let trust = |account: &str| {
            json!(format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
            ))
        };
        let found = judged(
            "aws_iam_role",
            json!({"assume_role_policy": trust("1")}),
            json!({"assume_role_policy": trust("2")}),
        );
        assert_eq!(found[0], (Direction::Broadening, "principal `AWS arn:aws:iam::2:root` allowed".into()));
    }

    #[test]
    fn ingress() {
        let rule = |cidr: &str, from: i64, to: i64| json!({"cidr_ipv4": cidr, "from_port": from, "to_port": to, "ip_protocol": "tcp"});
        let ty = "aws_vpc_security_group_ingress_rule";
        assert_eq!(
            judged(ty, rule("10.0.0.0/16", 443, 443), rule("0.0.0.0/0", 443, 443)),
            [(Direction::Broadening, "ingress 443 from 10.0.0.0/16 → 0.0.0.0/0 (the internet)".into())]
        );
        assert_eq!(
            judged(ty, rule("10.0.0.0/16", 0, 65535), rule("10.0.1.0/24", 5432, 5432)),
            [(Direction::Narrowing, "ingress 5432 from 10.0.0.0/16 → 10.0.1.0/24".into())]
        );
        assert!(judged(ty, rule("10.0.0.0/16", 443, 443), json!({"cidr_ipv4": "10.0.0.0/16", "from_port": 443, "to_port": 443, "ip_protocol": "tcp", "description": "x"})).is_empty());
        // A new rule open to the internet, inline rules of a group, and an ACL.
        let added = classify(&json!({}), &doc(ty, rule("0.0.0.0/0", 22, 22)), &[]);
        assert_eq!(added[0].what, "ingress 22 from 0.0.0.0/0 (the internet) allowed");
        let group = |cidr: &str| json!({"ingress": [{"cidr_blocks": [cidr], "from_port": 80, "to_port": 80, "protocol": "tcp"}]});
        assert_eq!(judged("aws_security_group", group("10.0.0.0/8"), group("0.0.0.0/0"))[0].0, Direction::Broadening);
        let acl = |cidr: &str| json!({"egress": false, "rule_action": "allow", "cidr_block": cidr, "protocol": "-1"});
        assert_eq!(judged("aws_network_acl_rule", acl("0.0.0.0/0"), acl("10.0.0.0/8"))[0].0, Direction::Narrowing);
    }

    #[test]
    fn every_flag_turns_both_ways_and_stays_quiet_unchanged() {
        for (table, area_rule) in [(exposure_flags(), "exposure-flags"), (protection_flags(), "protection-flags")] {
            for (ty, path, safe, what) in table {
                let ty = if ty.is_empty() { "aws_anything" } else { ty };
                let unsafe_value = match &safe {
                    Value::Bool(b) => json!(!b),
                    _ => json!("Suspended"),
                };
                let body = |v: &Value| {
                    let mut b = v.clone();
                    for step in path.split('.').rev() {
                        b = match step.parse::<usize>() {
                            Ok(_) => json!([b]),
                            Err(_) => json!({ step: b }),
                        };
                    }
                    b
                };
                let judge = |a: &Value, b: &Value| -> Vec<(Direction, &'static str, String)> {
                    classify(&doc(ty, body(a)), &doc(ty, body(b)), &[])
                        .into_iter()
                        .map(|c| (c.direction, c.rule, c.what))
                        .collect()
                };
                let open = judge(&safe, &unsafe_value);
                assert_eq!(
                    open,
                    [(Direction::Broadening, area_rule, format!("{what}: {safe} → {unsafe_value}"))],
                    "{ty}.{path}"
                );
                let close = judge(&unsafe_value, &safe);
                assert_eq!(
                    close,
                    [(Direction::Narrowing, area_rule, format!("{what}: {unsafe_value} → {safe}"))],
                    "{ty}.{path}"
                );
                assert!(judge(&safe, &safe).is_empty(), "{ty}.{path}");
            }
        }
        // On a new resource only exposure counts: a public database, not an unprotected one.
        let new = classify(
            &json!({}),
            &doc("aws_db_instance", json!({"publicly_accessible": true, "deletion_protection": false})),
            &[],
        );
        assert_eq!(
            new.iter().map(|c| c.what.as_str()).collect::<Vec<_>>(),
            ["publicly accessible: true on a new resource"]
        );
    }

    #[test]
    fn retention_keys_and_logging() {
        assert_eq!(
            judged("aws_db_instance", json!({"backup_retention_period": 30}), json!({"backup_retention_period": 7})),
            [(Direction::Broadening, "backups kept (days): 30 → 7".into())]
        );
        assert_eq!(
            judged("aws_cloudwatch_log_group", json!({"retention_in_days": 0}), json!({"retention_in_days": 365})),
            [(Direction::Broadening, "logs kept (days): forever → 365".into())]
        );
        assert_eq!(
            judged("aws_sqs_queue", json!({"kms_master_key_id": "k"}), json!({}))[0],
            (Direction::Broadening, "customer key `kms_master_key_id` removed".into())
        );
        assert_eq!(
            judged(
                "aws_elasticache_replication_group",
                json!({"snapshot_retention_limit": 1}),
                json!({"snapshot_retention_limit": 7})
            ),
            [(Direction::Narrowing, "snapshots kept (days): 1 → 7".into())]
        );
        assert_eq!(
            judged("aws_sqs_queue", json!({}), json!({"kms_master_key_id": "k"}))[0],
            (Direction::Narrowing, "customer key `kms_master_key_id` set".into())
        );
        assert!(
            judged("aws_sqs_queue", json!({"kms_master_key_id": "k"}), json!({"kms_master_key_id": "k2"})).is_empty()
        );
        let added = classify(&json!({}), &doc("aws_cloudtrail", json!({"name": "t"})), &[]);
        assert_eq!((added[0].direction, added[0].what.as_str()), (Direction::Narrowing, "cloudtrail added"));
        assert!(
            judged("aws_flow_log", json!({"traffic_type": "ALL"}), json!({"traffic_type": "ALL", "tags": {}}))
                .is_empty()
        );
        let gone = classify(&doc("aws_flow_log", json!({"traffic_type": "ALL"})), &json!({}), &[]);
        assert_eq!(
            (gone[0].direction, gone[0].what.as_str(), gone[0].area),
            (Direction::Broadening, "flow log removed", Area::Logging)
        );
        assert!(
            judged(
                "aws_db_instance",
                json!({"backup_retention_period": 7}),
                json!({"backup_retention_period": 7, "tags": {}})
            )
            .is_empty()
        );
    }

    #[test]
    fn secrets_in_plain_text() {
        let task = |list: &str| json!({"container_definitions": format!(r#"[{{"name":"app","{list}":[{{"name":"DATABASE_URL","valueFrom":"arn"}}]}}]"#)});
        assert_eq!(
            judged("aws_ecs_task_definition", task("secrets"), task("environment")),
            [(Direction::Broadening, "`DATABASE_URL` moved from a secret to plain text".into())]
        );
        assert_eq!(judged("aws_ecs_task_definition", task("environment"), task("secrets"))[0].0, Direction::Narrowing);
        let unchanged = json!({"container_definitions": r#"[{"name":"app","secrets":[{"name":"DATABASE_URL","valueFrom":"arn2"}]}]"#});
        assert!(judged("aws_ecs_task_definition", task("secrets"), unchanged).is_empty());
        assert_eq!(
            judged("aws_db_instance", json!({"password_wo": null, "password_wo_version": 1}), json!({"password": "x"}))
                [0]
            .1,
            "`password` written in plain text instead of write-only"
        );
    }

    #[test]
    fn users_add_rules_and_approvals_mark_broadening_changes() {
        fn no_dev_in_prod(_: &str, _: Option<&Value>, new: Option<&Value>) -> Vec<Judgement> {
            let dev = new.and_then(|n| n["tags"]["Environment"].as_str()) == Some("development");
            if dev { vec![Judgement::broadening("a development tag in this stack")] } else { Vec::new() }
        }
        let rule =
            SecurityRule { id: "no-dev-tags", area: Area::Data, types: &["aws_s3_bucket"], judge: no_dev_in_prod };
        let new = doc("aws_s3_bucket", json!({"tags": {"Environment": "development"}}));
        let mut found = classify(&json!({}), &new, &[rule]);
        assert_eq!((found[0].rule, found[0].what.as_str()), ("no-dev-tags", "a development tag in this stack"));
        let today = Date::ymd(2026, 12, 7);
        approve(&mut found, &[Approval::new("aws_s3_bucket.x", "a sandbox copy").until(Date::ymd(2026, 12, 6))], today);
        assert_eq!(found[0].approved, None, "an expired approval holds nothing");
        approve(&mut found, &[Approval::new("aws_s3_bucket.x", "a sandbox copy").until(Date::ymd(2027, 1, 1))], today);
        assert_eq!(found[0].approved.as_deref(), Some("a sandbox copy"));
        approve(&mut found, &[Approval::new("aws_s3_bucket.x", "a sandbox copy")], today);
        assert_eq!(found[0].approved.as_deref(), Some("a sandbox copy"));
    }

    #[test]
    fn a_plan_is_classified_from_before_and_after() {
        let show = json!({"resource_changes": [
            {"address": "aws_lb.main", "mode": "managed", "type": "aws_lb",
             "change": {"actions": ["update"], "before": {"internal": true}, "after": {"internal": false}}},
            {"address": "data.aws_region.r", "mode": "data", "type": "aws_region", "change": {"actions": ["read"], "before": null, "after": {}}}
        ]});
        let found = classify_plan(&show, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].address.as_str(), found[0].what.as_str()),
            ("aws_lb.main", "internal load balancer: true → false")
        );
    }
}
