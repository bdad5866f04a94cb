//! Assertions for a stack's own tests: find resources by type and by what their arguments
//! match, count them, check that every one of a type satisfies something, and check that one
//! refers to another — without matching on rendered text. Policy documents
//! (`jsonencode({...})`) and container definitions are matched as the data they encode.
//!
//! ```
//! use tfsynth::modules::prelude::*;
//! use tfsynth::testing::{Template, absent, any, array_with, capture, json, object_like, regex};
//!
//! let mut ctx = Context::new(Stack::new("shop", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = Key::new("main", "shop", "Shop data").build(&mut ctx);
//! ctx.use_key(&key);
//! Bucket::new("data", "shop-data-123456789012").access_logs(AccessLogs::Off("an example")).build(&mut ctx);
//! let t = Template::from_stack(&ctx.finish());
//!
//! t.has("aws_kms_key", object_like(json!({"enable_key_rotation": true, "deletion_window_in_days": 30})));
//! t.count("aws_s3_bucket", any(), 1);
//! t.every("aws_s3_bucket", object_like(json!({"bucket": regex(r"^shop-[a-z]+-\d{12}$"), "force_destroy": absent()})));
//! // The key policy's statements, matched as data; the account root captured.
//! let found = t.has(
//!     "aws_kms_key",
//!     object_like(json!({"policy": {"Statement": array_with(vec![object_like(json!({"Principal": {"AWS": capture("root")}}))])}})),
//! );
//! assert_eq!(found.captured("root"), Some(&json!("arn:aws:iam::123456789012:root")));
//! t.refers_to("aws_s3_bucket_server_side_encryption_configuration.data", "aws_kms_key.main");
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// `json!`, for patterns, so a stack's tests need no dependency of their own.
pub use serde_json::json;

use crate::model::Stack;
use crate::policy::security::document;
use crate::render::{Format, render};

/// What a value must be. Build one with [`object_like`], [`exact`], [`array_with`],
/// [`absent`], [`any`], [`regex()`] or [`capture`]; matchers sit inside `json!` patterns, and
/// inside [`object_like`] a JSON object is itself object-like and any other value must be
/// equal.
#[derive(Debug, Clone)]
pub enum Match {
    /// Equal to this value.
    Exact(Value),
    /// An object with at least these keys, each matching.
    ObjectLike(Vec<(String, Match)>),
    /// An array with, in order, elements matching these (others may sit between).
    ArrayWith(Vec<Match>),
    /// Not set (or `null`).
    Absent,
    /// Set to anything.
    Any,
    /// A string this regular expression matches.
    Regex(regex::Regex),
    /// Set to anything, kept under this name (see [`Found::captured`]).
    Capture(String),
}

/// Marks a matcher inside a `json!` pattern, to be found again by [`object_like`].
const MARK: &str = "\u{0}tfsynth-match:";

thread_local! {
    /// Matchers written into `json!` patterns as marks, by number.
    static MATCHERS: std::cell::RefCell<Vec<Match>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Match {
    /// This matcher as a mark that [`object_like`] turns back into it, so matchers can sit
    /// inside `json!` patterns.
    fn mark(&self) -> String {
        MATCHERS.with(|m| {
            let mut m = m.borrow_mut();
            m.push(self.clone());
            format!("{MARK}{}", m.len() - 1)
        })
    }

    /// A pattern value: a mark back to its matcher, an object to object-like, else exact.
    fn from_pattern(v: Value) -> Match {
        match v {
            Value::String(s) if s.starts_with(MARK) => {
                let i: usize = s[MARK.len()..].parse().unwrap_or(usize::MAX);
                MATCHERS.with(|m| m.borrow().get(i).cloned()).unwrap_or(Match::Any)
            }
            Value::Object(map) => {
                Match::ObjectLike(map.into_iter().map(|(k, v)| (k, Match::from_pattern(v))).collect())
            }
            Value::Array(items) if items.iter().any(marked) => {
                Match::ArrayWith(items.into_iter().map(Match::from_pattern).collect())
            }
            other => Match::Exact(other),
        }
    }
}

fn marked(v: &Value) -> bool {
    match v {
        Value::String(s) => s.starts_with(MARK),
        Value::Array(items) => items.iter().any(marked),
        Value::Object(map) => map.values().any(marked),
        _ => false,
    }
}

/// A matcher inside a `json!` pattern serializes to its mark.
impl serde::Serialize for Match {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.mark())
    }
}

/// An object with at least the keys of `pattern` (a `json!` value, matchers inside allowed).
pub fn object_like(pattern: Value) -> Match {
    // A pattern that is no object is matched as what it is.
    Match::from_pattern(pattern)
}

/// Exactly `value`, nothing more (an object too: no other keys).
pub fn exact(value: Value) -> Match {
    Match::Exact(value)
}

/// An array holding, in order, elements that match `items` (others may sit between).
pub fn array_with(items: Vec<Match>) -> Match {
    Match::ArrayWith(items)
}

/// Not set.
pub fn absent() -> Match {
    Match::Absent
}

/// Set, to anything; as a whole pattern, every resource.
pub fn any() -> Match {
    Match::Any
}

/// A string matching regular expression `pattern`.
///
/// # Panics
///
/// When `pattern` is not a valid regular expression: a test's mistake, said at once.
pub fn regex(pattern: &str) -> Match {
    Match::Regex(regex::Regex::new(pattern).unwrap_or_else(|e| panic!("regex {pattern}: {e}")))
}

/// Set to anything, kept under `name` for [`Found::captured`].
pub fn capture(name: &str) -> Match {
    Match::Capture(name.to_owned())
}

/// One resource that matched.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its address, e.g. `aws_kms_key.main`.
    pub address: String,
    /// Its arguments, as rendered.
    pub body: Value,
    captures: BTreeMap<String, Value>,
}

impl Found {
    /// The value captured under `name`.
    pub fn captured(&self, name: &str) -> Option<&Value> {
        self.captures.get(name)
    }
}

/// A synthesized stack to assert on.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Value,
}

impl Template {
    /// The stack as Terraform JSON.
    ///
    /// # Panics
    ///
    /// Never: the renderer writes valid JSON.
    pub fn from_stack(stack: &Stack) -> Self {
        Self { doc: serde_json::from_str(&render(stack, Format::Json)).expect("the renderer writes JSON") }
    }

    /// Every resource of type `ty`, by address.
    pub fn resources(&self, ty: &str) -> Vec<(String, &Value)> {
        self.doc["resource"][ty]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, body)| (format!("{ty}.{name}"), body))
            .collect()
    }

    /// The resources of type `ty` that match `pattern`.
    pub fn find(&self, ty: &str, pattern: &Match) -> Vec<Found> {
        self.resources(ty)
            .into_iter()
            .filter_map(|(address, body)| {
                let mut captures = BTreeMap::new();
                let mut problems = Vec::new();
                check(pattern, Some(body), "", &mut captures, &mut problems);
                problems.is_empty().then(|| Found { address, body: body.clone(), captures })
            })
            .collect()
    }

    /// The one resource of type `ty` that matches `pattern` (the first, if several do).
    ///
    /// # Panics
    ///
    /// When none does, with the closest candidate and what of it did not match.
    #[track_caller]
    #[expect(clippy::needless_pass_by_value, reason = "patterns are built in the call: `t.has(ty, object_like(..))`")]
    pub fn has(&self, ty: &str, pattern: Match) -> Found {
        match self.find(ty, &pattern).into_iter().next() {
            Some(found) => found,
            None => panic!("no {ty} matches\n{}", self.closest(ty, &pattern)),
        }
    }

    /// Asserts that exactly `n` resources of type `ty` match `pattern`.
    ///
    /// # Panics
    ///
    /// When another number does.
    #[track_caller]
    #[expect(clippy::needless_pass_by_value, reason = "patterns are built in the call: `t.has(ty, object_like(..))`")]
    pub fn count(&self, ty: &str, pattern: Match, n: usize) {
        let found = self.find(ty, &pattern);
        let addresses: Vec<&str> = found.iter().map(|f| f.address.as_str()).collect();
        assert!(found.len() == n, "{} {ty} match, {n} expected: {addresses:?}", found.len());
    }

    /// Asserts that every resource of type `ty` (at least one) matches `pattern`.
    ///
    /// # Panics
    ///
    /// When there is none, or with the first that does not match and why.
    #[track_caller]
    #[expect(clippy::needless_pass_by_value, reason = "patterns are built in the call: `t.has(ty, object_like(..))`")]
    pub fn every(&self, ty: &str, pattern: Match) {
        let all = self.resources(ty);
        assert!(!all.is_empty(), "the stack has no {ty}");
        for (address, body) in all {
            let mut problems = Vec::new();
            check(&pattern, Some(body), "", &mut BTreeMap::new(), &mut problems);
            assert!(problems.is_empty(), "{address} does not match:\n{}", problems.join("\n"));
        }
    }

    /// Asserts that resource `from` (an address) refers to `to` (`type.name`) somewhere in its
    /// arguments.
    ///
    /// # Panics
    ///
    /// When `from` is missing or holds no reference to `to`.
    #[track_caller]
    pub fn refers_to(&self, from: &str, to: &str) {
        let (ty, name) = from.split_once('.').unwrap_or((from, ""));
        let body = &self.doc["resource"][ty][name];
        assert!(body.is_object(), "the stack has no {from}");
        let text = body.to_string();
        assert!(text.contains(&format!("{to}.")) || text.contains(&format!("{to}[")), "{from} does not refer to {to}");
    }

    /// The resource of `ty` with the fewest mismatches, and those mismatches.
    fn closest(&self, ty: &str, pattern: &Match) -> String {
        let scored = self.resources(ty).into_iter().map(|(address, body)| {
            let mut problems = Vec::new();
            check(pattern, Some(body), "", &mut BTreeMap::new(), &mut problems);
            (problems.len(), address, problems)
        });
        match scored.min_by_key(|(n, _, _)| *n) {
            Some((_, address, problems)) => format!("closest: {address}\n{}", problems.join("\n")),
            None => format!("the stack has no {ty} at all"),
        }
    }
}

/// Checks `actual` at `path` against `pattern`, recording captures and every mismatch.
fn check(
    pattern: &Match,
    actual: Option<&Value>,
    path: &str,
    captures: &mut BTreeMap<String, Value>,
    problems: &mut Vec<String>,
) {
    let at = if path.is_empty() { "(the resource)" } else { path };
    let actual = actual.filter(|v| !v.is_null());
    let shown = |v: Option<&Value>| v.map_or_else(|| "(unset)".to_owned(), ToString::to_string);
    match pattern {
        Match::Any | Match::Capture(_) if actual.is_none() => {
            problems.push(format!("  {at}: expected a value, found (unset)"));
        }
        Match::Any => {}
        Match::Capture(name) => {
            captures.insert(name.clone(), actual.cloned().unwrap_or(Value::Null));
        }
        Match::Absent => {
            if actual.is_some() {
                problems.push(format!("  {at}: expected (unset), found {}", shown(actual)));
            }
        }
        Match::Exact(v) => {
            if actual != Some(v) {
                problems.push(format!("  {at}: expected {v}, found {}", shown(actual)));
            }
        }
        Match::Regex(re) => {
            if !actual.and_then(Value::as_str).is_some_and(|s| re.is_match(s)) {
                problems.push(format!("  {at}: expected a string matching /{re}/, found {}", shown(actual)));
            }
        }
        Match::ObjectLike(entries) => {
            // A document encoded in a string (a policy, container definitions) is matched as data.
            let decoded = actual.and_then(|v| if v.is_string() { document(v) } else { None });
            let object: Option<&Map<String, Value>> = decoded.as_ref().or(actual).and_then(Value::as_object);
            let Some(object) = object else {
                problems.push(format!("  {at}: expected an object, found {}", shown(actual)));
                return;
            };
            for (key, m) in entries {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                check(m, object.get(key), &child, captures, problems);
            }
        }
        Match::ArrayWith(items) => {
            let decoded = actual.and_then(|v| if v.is_string() { document(v) } else { None });
            let Some(list) = decoded.as_ref().or(actual).and_then(Value::as_array) else {
                problems.push(format!("  {at}: expected an array, found {}", shown(actual)));
                return;
            };
            let mut next = 0;
            for m in items {
                let hit = list[next..].iter().position(|el| {
                    let mut scratch = Vec::new();
                    check(m, Some(el), path, &mut BTreeMap::new(), &mut scratch);
                    scratch.is_empty()
                });
                match hit {
                    Some(offset) => {
                        check(m, Some(&list[next + offset]), &format!("{path}[{}]", next + offset), captures, problems);
                        next += offset + 1;
                    }
                    None => problems.push(format!("  {at}: no element (after index {next}) matches {m:?}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Template, absent, any, array_with, capture, exact, object_like, regex};
    use crate::model::{Arguments, Resource, Stack};

    fn template() -> Template {
        let mut s = Stack::new("t", "production");
        let vpc = s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
        s.add(Resource::new("aws_subnet", "a").set("vpc_id", vpc.id()).set("cidr_block", "10.0.1.0/24"));
        s.add(
            Resource::new("aws_subnet", "b")
                .set("vpc_id", vpc.id())
                .set("cidr_block", "10.0.2.0/24")
                .set("tags", crate::expr::Expression::from_iter([("Tier", "db")])),
        );
        Template::from_stack(&s)
    }

    #[test]
    fn matchers_find_count_and_capture() {
        let t = template();
        let found = t.has(
            "aws_subnet",
            object_like(json!({"cidr_block": regex(r"^10\.0\.2\."), "tags": {"Tier": capture("tier")}})),
        );
        assert_eq!((found.address.as_str(), found.captured("tier")), ("aws_subnet.b", Some(&json!("db"))));
        t.count("aws_subnet", object_like(json!({"tags": absent()})), 1);
        t.count("aws_subnet", any(), 2);
        t.every("aws_subnet", object_like(json!({"vpc_id": "${aws_vpc.main.id}"})));
        t.refers_to("aws_subnet.a", "aws_vpc.main");
        t.has("aws_vpc", exact(json!({"cidr_block": "10.0.0.0/16"})));
    }

    #[test]
    fn arrays_match_in_order() {
        let mut s = Stack::new("t", "production");
        s.add(Resource::new("aws_lb", "x").set("subnets", vec!["a", "b", "c"]));
        let t = Template::from_stack(&s);
        t.has("aws_lb", object_like(json!({"subnets": array_with(vec![exact(json!("a")), exact(json!("c"))])})));
        assert!(
            t.find("aws_lb", &object_like(json!({"subnets": array_with(vec![exact(json!("c")), exact(json!("a"))])})))
                .is_empty()
        );
    }

    #[test]
    #[should_panic(
        expected = "no aws_subnet matches\nclosest: aws_subnet.a\n  cidr_block: expected \"10.0.3.0/24\", found \"10.0.1.0/24\""
    )]
    fn a_miss_names_the_closest_candidate_and_what_differs() {
        template().has("aws_subnet", object_like(json!({"cidr_block": "10.0.3.0/24", "vpc_id": "${aws_vpc.main.id}"})));
    }

    #[test]
    #[should_panic(expected = "aws_subnet.b does not match:\n  tags: expected (unset), found {\"Tier\":\"db\"}")]
    fn every_names_the_first_that_does_not_match() {
        template().every("aws_subnet", object_like(json!({"tags": absent()})));
    }

    #[test]
    #[should_panic(expected = "1 aws_subnet match, 2 expected: [\"aws_subnet.b\"]")]
    fn a_wrong_count_lists_what_matched() {
        template().count("aws_subnet", object_like(json!({"tags": any()})), 2);
    }

    #[test]
    #[should_panic(expected = "aws_vpc.main does not refer to aws_subnet.a")]
    fn a_missing_reference_is_said() {
        template().refers_to("aws_vpc.main", "aws_subnet.a");
    }
}
