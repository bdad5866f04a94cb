//! Renames and destroys between a baseline rendering and a new one: a resource that
//! disappears while one of the same type appears with the same identity is probably a rename
//! missing its `moved` block, and a stateful resource that disappears with no `moved` or
//! `removed` block naming it would be destroyed with its data.

use serde::Serialize;
use serde_json::Value;

use super::diff::BlockChange;
use crate::schema::stateful::stateful;

/// What a change does to the objects Terraform tracks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Refactor {
    /// Probable renames without a `moved` block.
    pub renames: Vec<Rename>,
    /// Stateful resources that would be destroyed: no `moved` or `removed` block names them.
    pub destroys: Vec<Destroy>,
}

/// A resource that disappears while one like it appears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// The old address.
    pub from: String,
    /// The new address.
    pub to: String,
    /// What the two share: `identifier = "x"`, or `the same arguments`.
    pub evidence: String,
}

impl Rename {
    /// The block that keeps the object, to add to the stack's code.
    pub fn fix(&self) -> String {
        format!("moved {{ from = {}, to = {} }}", self.from, self.to)
    }
}

/// A stateful resource the new rendering would destroy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destroy {
    /// Its address in the baseline.
    pub address: String,
    /// Where it probably went, if a rename explains it.
    pub renamed_to: Option<String>,
}

impl Destroy {
    /// What is wrong and what to do, in one sentence.
    pub fn message(&self) -> String {
        match &self.renamed_to {
            Some(to) => format!(
                "`{}` holds data and would be destroyed; it was probably renamed to `{to}`: build it inside `ctx.renamed(..)` or add `moved {{ from = {}, to = {to} }}` (Stack::moved)",
                self.address, self.address
            ),
            None => format!(
                "`{}` holds data and would be destroyed; keep it, move it (Stack::moved), or say so in code with Stack::remove(Removed::destroy(address, reason))",
                self.address
            ),
        }
    }
}

/// Reviews `changes`, the block diff from `old` to `new` (Terraform JSON documents).
pub fn review(old: &Value, new: &Value, changes: &[BlockChange]) -> Refactor {
    let moved_from = addresses(new, "moved", "from");
    let removed_from = addresses(new, "removed", "from");
    let added: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            BlockChange::Added { address } => Some(address.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Refactor::default();
    for change in changes {
        let BlockChange::Removed { address } = change else { continue };
        if moved_from.contains(&address.as_str()) || removed_from.contains(&address.as_str()) {
            continue;
        }
        let Some((ty, _)) = resource(address) else { continue };
        let rename = added
            .iter()
            .filter(|a| resource(a).is_some_and(|(t, _)| t == ty))
            .find_map(|to| same(ty, body(old, address)?, body(new, to)?).map(|evidence| (*to, evidence)));
        if let Some((to, evidence)) = &rename {
            out.renames.push(Rename { from: address.clone(), to: (*to).to_owned(), evidence: evidence.clone() });
        }
        if stateful(ty).is_some() {
            out.destroys.push(Destroy { address: address.clone(), renamed_to: rename.map(|(to, _)| to.to_owned()) });
        }
    }
    out
}

/// `type` and `name` of a managed resource's address; `None` for data sources, outputs…
fn resource(address: &str) -> Option<(&str, &str)> {
    let (ty, name) = address.split_once('.')?;
    (!["data", "ephemeral", "output", "variable", "module", "provider"].contains(&ty)).then_some((ty, name))
}

/// The body of resource `address` in `doc`.
fn body<'d>(doc: &'d Value, address: &str) -> Option<&'d Value> {
    let (ty, name) = resource(address)?;
    doc.get("resource")?.get(ty)?.get(name)
}

/// The `field` of every block of top-level list `kind` (`moved`, `removed`).
fn addresses<'d>(doc: &'d Value, kind: &str, field: &str) -> Vec<&'d str> {
    doc.get(kind).and_then(Value::as_array).into_iter().flatten().filter_map(|b| b.get(field)?.as_str()).collect()
}

/// Names that identify an object of most types, after the stateful table's own.
const NAMES: &[&str] = &["name", "identifier", "bucket", "function_name", "cluster_identifier"];

/// What `a` and `b` (bodies of type `ty`) share that makes them one object, if anything.
fn same(ty: &str, a: &Value, b: &Value) -> Option<String> {
    let identity = stateful(ty).and_then(|s| s.identity);
    for name in identity.iter().chain(NAMES) {
        match (a.get(name), b.get(name)) {
            (Some(x), Some(y)) if x == y && !x.is_null() => return Some(format!("{name} = {x}")),
            (Some(_), Some(_)) => return None,
            _ => {}
        }
    }
    (a == b).then(|| "the same arguments".to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::review;
    use crate::review::diff::diff;

    fn doc(resources: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        let mut d = serde_json::Map::from_iter([("resource".to_owned(), resources)]);
        if let serde_json::Value::Object(extra) = extra {
            d.extend(extra);
        }
        serde_json::Value::Object(d)
    }

    #[test]
    fn the_same_identity_under_another_name_is_a_rename_and_a_stateful_destroy() {
        let old = doc(json!({"aws_db_instance": {"main": {"identifier": "shop", "engine": "postgres"}}}), json!({}));
        let new = doc(json!({"aws_db_instance": {"primary": {"identifier": "shop", "engine": "postgres"}}}), json!({}));
        let found = review(&old, &new, &diff(&old, &new));
        assert_eq!(found.renames.len(), 1);
        assert_eq!(found.renames[0].fix(), "moved { from = aws_db_instance.main, to = aws_db_instance.primary }");
        assert_eq!(found.renames[0].evidence, r#"identifier = "shop""#);
        assert_eq!(found.destroys.len(), 1);
        assert_eq!(
            found.destroys[0].message(),
            "`aws_db_instance.main` holds data and would be destroyed; it was probably renamed to `aws_db_instance.primary`: build it inside `ctx.renamed(..)` or add `moved { from = aws_db_instance.main, to = aws_db_instance.primary }` (Stack::moved)"
        );
    }

    #[test]
    fn a_different_identity_is_an_add_and_a_destroy() {
        let old = doc(json!({"aws_s3_bucket": {"logs": {"bucket": "a-logs"}}}), json!({}));
        let new = doc(json!({"aws_s3_bucket": {"archive": {"bucket": "a-archive"}}}), json!({}));
        let found = review(&old, &new, &diff(&old, &new));
        assert!(found.renames.is_empty());
        assert_eq!(found.destroys[0].address, "aws_s3_bucket.logs");
        assert_eq!(found.destroys[0].renamed_to, None);
        assert!(found.destroys[0].message().contains("Removed::destroy"), "{}", found.destroys[0].message());
    }

    #[test]
    fn moved_and_removed_blocks_keep_the_object_and_stateless_types_are_only_renames() {
        let old = doc(
            json!({"aws_kms_key": {"main": {"description": "k"}}, "aws_s3_bucket": {"old": {"bucket": "b"}},
                "aws_security_group": {"web": {"description": "web", "vpc_id": "v"}}}),
            json!({}),
        );
        let new = doc(
            json!({"aws_kms_key": {"data": {"description": "k"}},
                "aws_security_group": {"frontend": {"description": "web", "vpc_id": "v"}}}),
            json!({"moved": [{"from": "aws_kms_key.main", "to": "aws_kms_key.data"}],
                "removed": [{"from": "aws_s3_bucket.old", "lifecycle": {"destroy": false}}]}),
        );
        let found = review(&old, &new, &diff(&old, &new));
        assert!(found.destroys.is_empty(), "{found:?}");
        assert_eq!(found.renames.len(), 1, "{found:?}");
        assert_eq!(
            (found.renames[0].from.as_str(), found.renames[0].evidence.as_str()),
            ("aws_security_group.web", "the same arguments")
        );
    }
}
