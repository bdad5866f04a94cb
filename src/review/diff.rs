//! Differences between two renderings of a stack, at the level of blocks and attributes:
//! which resources were added or removed, and for each changed one, every attribute path with
//! its old and new value. Works on the Terraform JSON document, so it sees exactly what
//! Terraform would.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::policy::security::jsonencoded;
use crate::schema::stateful::replacing;

/// How one block differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum BlockChange {
    /// Only on the right.
    Added {
        /// The block, e.g. `aws_vpc.main` or `output.vpc_id`.
        address: String,
    },
    /// Only on the left.
    Removed {
        /// The block.
        address: String,
    },
    /// On both sides, with different attributes.
    Changed {
        /// The block.
        address: String,
        /// Each attribute that differs.
        attributes: Vec<AttributeChange>,
        /// The arguments among them that make Terraform replace a resource holding data
        /// (destroy it, then create it empty) instead of updating it.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        replaced_by: Vec<String>,
    },
}

/// One attribute path that differs; `None` where the side does not have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeChange {
    /// The path inside the block, e.g. `ingress[0].from_port` or `tags.Name`.
    pub path: String,
    /// The left value.
    pub old: Option<Value>,
    /// The right value.
    pub new: Option<Value>,
}

/// Every block of a Terraform JSON document by address, in document order.
pub fn blocks(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Some(doc) = doc.as_object() else { return out };
    for (kind, section) in doc {
        match (kind.as_str(), section) {
            ("//", _) => {}
            ("resource" | "data" | "ephemeral", Value::Object(types)) => {
                let prefix = if kind == "resource" { String::new() } else { format!("{kind}.") };
                for (ty, names) in types {
                    for (name, body) in names.as_object().into_iter().flatten() {
                        out.push((format!("{prefix}{ty}.{name}"), body));
                    }
                }
            }
            ("provider", Value::Object(providers)) => {
                for (name, configs) in providers {
                    for (i, body) in configs.as_array().into_iter().flatten().enumerate() {
                        let alias =
                            body.get("alias").and_then(Value::as_str).map_or_else(|| i.to_string(), str::to_owned);
                        let address =
                            if i == 0 { format!("provider.{name}") } else { format!("provider.{name}.{alias}") };
                        out.push((address, body));
                    }
                }
            }
            ("variable" | "output" | "module", Value::Object(named)) => {
                out.extend(named.iter().map(|(name, body)| (format!("{kind}.{name}"), body)));
            }
            (other, body) => out.push((other.to_owned(), body)),
        }
    }
    out
}

/// The differences from document `left` to document `right`, in `right`'s block order with
/// removed blocks first.
pub fn diff(left: &Value, right: &Value) -> Vec<BlockChange> {
    let (l, r) = (blocks(left), blocks(right));
    // By address, so a stack of any size diffs in linear time.
    let (old_by, new_by): (HashMap<&str, &Value>, HashMap<&str, &Value>) =
        (l.iter().map(|(a, v)| (a.as_str(), *v)).collect(), r.iter().map(|(a, v)| (a.as_str(), *v)).collect());
    let mut out: Vec<BlockChange> = l
        .iter()
        .filter(|(a, _)| !new_by.contains_key(a.as_str()))
        .map(|(address, _)| BlockChange::Removed { address: address.clone() })
        .collect();
    for (address, new) in &r {
        match old_by.get(address.as_str()) {
            None => out.push(BlockChange::Added { address: address.clone() }),
            Some(old) => {
                let attributes = attributes(old, new);
                if !attributes.is_empty() {
                    out.push(BlockChange::Changed { address: address.clone(), attributes, replaced_by: Vec::new() });
                }
            }
        }
    }
    out
}

/// The changes of one stack over time (a baseline, then the new rendering): names the
/// arguments that replace a resource holding data. Not for two environments, whose objects
/// are different ones anyway.
pub fn over_time(mut changes: Vec<BlockChange>) -> Vec<BlockChange> {
    for change in &mut changes {
        if let BlockChange::Changed { address, attributes, replaced_by } = change {
            let ty = address.split('.').next().unwrap_or_default();
            *replaced_by =
                replacing(ty, attributes.iter().map(|a| a.path.as_str())).into_iter().map(str::to_owned).collect();
        }
    }
    changes
}

/// Every attribute path at which two values differ (`ingress[0].from_port`; empty for the
/// values themselves), with both sides.
pub fn attributes(old: &Value, new: &Value) -> Vec<AttributeChange> {
    let mut out = Vec::new();
    compare("", Some(old), Some(new), &mut out);
    out
}

fn compare(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<AttributeChange>) {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    // Policy documents and container definitions are `jsonencode(...)` strings: compare what
    // they encode, so a change shows as the keys that changed, not two long strings.
    if let (Some(Value::String(a)), Some(Value::String(b))) = (old, new)
        && a != b
        && let (Some(a), Some(b)) = (jsonencoded(a), jsonencoded(b))
    {
        return compare(path, Some(&a), Some(&b), out);
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (k, v) in a {
                compare(&join(k), Some(v), b.get(k), out);
            }
            for (k, v) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                compare(&join(k), None, Some(v), out);
            }
        }
        // Lists of blocks compare element-wise; lists of values are values.
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.iter().chain(b).all(Value::is_object) => {
            for i in 0..a.len().max(b.len()) {
                compare(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a != b => out.push(AttributeChange { path: path.to_owned(), old: a.cloned(), new: b.cloned() }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{AttributeChange, BlockChange, diff, over_time};

    #[test]
    fn blocks_and_attributes_are_compared() {
        let left = json!({"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16", "tags": {"Name": "a"}}},
            "aws_eip": {"nat": {"domain": "vpc"}}}});
        let right = json!({"resource": {"aws_vpc": {"main": {"cidr_block": "10.1.0.0/16", "tags": {"Name": "a", "Tier": "x"}}},
            "aws_subnet": {"a": {"vpc_id": "${aws_vpc.main.id}"}}}});
        let changes = diff(&left, &right);
        assert_eq!(changes[0], BlockChange::Removed { address: "aws_eip.nat".into() });
        assert_eq!(
            changes[1],
            BlockChange::Changed {
                address: "aws_vpc.main".into(),
                attributes: vec![
                    AttributeChange {
                        path: "cidr_block".into(),
                        old: Some(json!("10.0.0.0/16")),
                        new: Some(json!("10.1.0.0/16"))
                    },
                    AttributeChange { path: "tags.Tier".into(), old: None, new: Some(json!("x")) },
                ],
                replaced_by: Vec::new(),
            }
        );
        assert_eq!(changes[2], BlockChange::Added { address: "aws_subnet.a".into() });
        assert_eq!(changes.len(), 3);
        assert!(diff(&left, &left).is_empty());
    }

    #[test]
    fn encoded_documents_are_compared_by_key() {
        let doc = |account: &str| {
            json!({"resource": {"aws_iam_role": {"r": {"assume_role_policy": format!(
                "${{jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Condition = {{ StringEquals = {{ \"aws:SourceAccount\" = \"{account}\" }} }}, Resource = aws_s3_bucket.b.arn }}] }})}}"
            )}}}})
        };
        let BlockChange::Changed { attributes, .. } = &diff(&doc("111122223333"), &doc("777788889999"))[0] else {
            panic!("changed")
        };
        assert_eq!(attributes.len(), 1, "{attributes:?}");
        assert_eq!(attributes[0].path, "assume_role_policy.Statement[0].Condition.StringEquals.aws:SourceAccount");
        assert_eq!(attributes[0].new, Some(json!("777788889999")));
    }

    #[test]
    fn arguments_that_replace_a_stateful_resource_are_named() {
        let db = |id: &str| json!({"resource": {"aws_db_instance": {"main": {"identifier": id, "tags": {"a": id}}}}});
        let BlockChange::Changed { replaced_by, .. } = &over_time(diff(&db("shop"), &db("store")))[0] else {
            panic!("changed")
        };
        assert_eq!(replaced_by, &["identifier"]);
        let BlockChange::Changed { replaced_by, .. } = &diff(&db("shop"), &db("store"))[0] else { panic!("changed") };
        assert!(replaced_by.is_empty(), "two environments' objects are different ones anyway");
        let sg = |d: &str| json!({"resource": {"aws_security_group": {"web": {"name": d}}}});
        let BlockChange::Changed { replaced_by, .. } = &over_time(diff(&sg("a"), &sg("b")))[0] else {
            panic!("changed")
        };
        assert!(replaced_by.is_empty(), "not a stateful type");
    }

    #[test]
    fn nested_blocks_are_indexed() {
        let left =
            json!({"resource": {"aws_security_group": {"web": {"ingress": [{"from_port": 80}, {"from_port": 443}]}}}});
        let right = json!({"resource": {"aws_security_group": {"web": {"ingress": [{"from_port": 80}]}}}});
        let BlockChange::Changed { attributes, .. } = &diff(&left, &right)[0] else { panic!("changed") };
        assert_eq!(attributes[0].path, "ingress[1]");
        assert_eq!(attributes[0].new, None);
    }
}
