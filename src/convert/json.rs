//! Terraform JSON — as `cdktf synth`, tfsynth and people write it — into the HCL structures
//! the reader takes, the way Terraform reads it: strings are templates (`"${aws_vpc.main.id}"`)
//! except where the language wants a bare reference (`depends_on`, `provider`, `moved`,
//! `ignore_changes`) or a literal (a variable's default); an object or array of objects is a
//! nested block when the provider's schema says the name is one; `"//"` keys are comments
//! (tfsynth's waivers and removal reasons are kept, cdktf's metadata is dropped).

use hcl::expr::TemplateExpr;
use hcl::{Block, Body, Expression as H, ObjectKey};
use serde_json::Value;

use super::blocks::Comments;
use crate::model::{Kind, SkippedCheck};
use crate::schema::{BlockSchema, Schema, block_of};

/// The document's blocks, with its comments added to `comments`.
pub(super) fn body(doc: &Value, comments: &mut Comments) -> Result<Body, String> {
    let Value::Object(top) = doc else { return Err("the document is not a JSON object".into()) };
    let mut out = Body::builder();
    for (key, value) in top {
        match key.as_str() {
            "//" => {}
            "terraform" => {
                for settings in one_or_many(value) {
                    out = out.add_block(labelled("terraform", &[], terraform(settings)));
                }
            }
            "provider" => {
                for (name, configs) in entries(value) {
                    let schema = Schema::named(name).map(Schema::provider);
                    for config in one_or_many(configs) {
                        out = out.add_block(labelled("provider", &[name], nested(config, schema)));
                    }
                }
            }
            "variable" => {
                for (name, v) in entries(value) {
                    out = out.add_block(labelled("variable", &[name], variable(v)));
                }
            }
            "locals" => {
                for locals in one_or_many(value) {
                    out = out.add_block(labelled("locals", &[], attributes(locals, template)));
                }
            }
            "output" => {
                for (name, o) in entries(value) {
                    out = out.add_block(labelled("output", &[name], meta_arguments(o)));
                }
            }
            "module" => {
                for (name, m) in entries(value) {
                    out = out.add_block(labelled("module", &[name], meta_arguments(m)));
                }
            }
            "resource" | "data" | "ephemeral" => {
                let kind = match key.as_str() {
                    "resource" => Kind::Managed,
                    "data" => Kind::Data,
                    _ => Kind::Ephemeral,
                };
                for (ty, named) in entries(value) {
                    for (name, blocks) in entries(named) {
                        for b in one_or_many(blocks) {
                            let body = resource(kind, ty, name, b, comments);
                            out = out.add_block(labelled(key, &[ty, name], body));
                        }
                    }
                }
            }
            "moved" | "import" | "removed" => {
                for b in one_or_many(value) {
                    if key == "removed" {
                        let reason = b.get("//").and_then(Value::as_str);
                        comments
                            .removed
                            .push(reason.and_then(|r| r.strip_prefix("destroyed on purpose: ")).map(str::to_owned));
                    }
                    out = out.add_block(labelled(key, &[], meta_arguments(b)));
                }
            }
            other => {
                for b in one_or_many(value) {
                    out = out.add_block(labelled(other, &[], nested(b, None)));
                }
            }
        }
    }
    Ok(out.build())
}

/// The `terraform` block: required providers as objects, a backend as a labelled block.
fn terraform(settings: &Value) -> Body {
    let mut out = Body::builder();
    for (key, value) in entries(settings) {
        match key {
            "required_providers" => {
                for providers in one_or_many(value) {
                    out = out.add_block(labelled(key, &[], attributes(providers, literal)));
                }
            }
            "backend" | "cloud" => {
                for (kind, config) in entries(value) {
                    out = out.add_block(labelled(key, &[kind], attributes(config, literal)));
                }
            }
            _ => out = out.add_attribute((key, literal(value))),
        }
    }
    out.build()
}

fn variable(v: &Value) -> Body {
    let mut out = Body::builder();
    for (key, value) in entries(v) {
        out = match (key, value) {
            ("type", Value::String(ty)) => {
                out.add_attribute((key, ty.parse::<H>().unwrap_or_else(|_| H::String(ty.clone()))))
            }
            ("validation", _) => one_or_many(value)
                .into_iter()
                .fold(out, |out, check| out.add_block(labelled(key, &[], meta_arguments(check)))),
            ("condition", _) => out.add_attribute((key, template(value))),
            _ => out.add_attribute((key, literal(value))),
        };
    }
    out.build()
}

/// A resource, data source or ephemeral block: its meta-arguments, then its arguments and
/// nested blocks by the type's schema.
fn resource(kind: Kind, ty: &str, name: &str, b: &Value, comments: &mut Comments) -> Body {
    // `checkov:skip=ID:reason; checkov:skip=…`, where a reason may hold `; ` itself.
    if let Some(text) = b.get("//").and_then(Value::as_str).and_then(|t| t.strip_prefix("checkov:skip=")) {
        let checks = text.split("; checkov:skip=").filter_map(|c| c.split_once(':'));
        let checks = checks.map(|(id, reason)| SkippedCheck { id: id.to_owned(), reason: reason.to_owned() });
        comments.skips.entry((kind, ty.to_owned(), name.to_owned())).or_default().extend(checks);
    }
    let provider = b
        .get("provider")
        .and_then(Value::as_str)
        .map_or_else(|| ty.split('_').next().unwrap_or(ty), |p| p.split('.').next().unwrap_or(p));
    let schema = block_of(kind, ty, provider);
    let mut out = Body::builder();
    for (key, value) in entries(b) {
        out = match key {
            "//" => out,
            "depends_on" | "provider" | "count" | "for_each" => out.add_attribute((key, meta(key, value))),
            "lifecycle" => out.add_block(labelled(key, &[], meta_arguments(value))),
            "dynamic" => {
                entries(value).fold(out, |out, (label, d)| out.add_block(labelled(key, &[label], nested(d, None))))
            }
            "provisioner" => {
                entries(value).fold(out, |out, (label, p)| out.add_block(labelled(key, &[label], nested(p, None))))
            }
            _ => argument(out, key, value, schema),
        };
    }
    out.build()
}

/// An argument, or the nested blocks of that name when the schema says it is a block type.
fn argument(
    out: hcl::structure::BodyBuilder,
    key: &str,
    value: &Value,
    schema: Option<BlockSchema>,
) -> hcl::structure::BodyBuilder {
    match schema.and_then(|s| s.blocks.get(key)) {
        Some(block) if matches!(value, Value::Object(_) | Value::Array(_)) => one_or_many(value)
            .into_iter()
            .fold(out, |out, b| out.add_block(labelled(key, &[], nested(b, Some(block.block()))))),
        _ => out.add_attribute((key, template(value))),
    }
}

/// A nested block's body, by its schema when known.
fn nested(b: &Value, schema: Option<BlockSchema>) -> Body {
    let mut out = Body::builder();
    for (key, value) in entries(b) {
        out = match key {
            "//" => out,
            _ if schema.is_none() && matches!(value, Value::Object(o) if o.values().any(Value::is_object)) => {
                out.add_block(labelled(key, &[], nested(value, None)))
            }
            _ => argument(out, key, value, schema),
        };
    }
    out.build()
}

/// The blocks whose arguments are mostly meta-arguments (`output`, `module`, `moved`,
/// `import`, `removed`, `lifecycle`, `validation`): references bare where the language wants
/// them, the rest templates.
fn meta_arguments(b: &Value) -> Body {
    let mut out = Body::builder();
    for (key, value) in entries(b) {
        out = match key {
            "//" => out,
            "lifecycle" | "precondition" | "postcondition" => {
                one_or_many(value).into_iter().fold(out, |out, l| out.add_block(labelled(key, &[], meta_arguments(l))))
            }
            "source"
            | "version"
            | "error_message"
            | "description"
            | "sensitive"
            | "destroy"
            | "prevent_destroy"
            | "create_before_destroy" => out.add_attribute((key, literal(value))),
            _ => out.add_attribute((key, meta(key, value))),
        };
    }
    out.build()
}

/// A meta-argument's value: bare references for `depends_on`, `provider`, `providers`,
/// `from`, `to`, `ignore_changes` and `replace_triggered_by`, a template otherwise.
fn meta(key: &str, value: &Value) -> H {
    match (key, value) {
        ("depends_on" | "from" | "to" | "provider" | "ignore_changes" | "replace_triggered_by", Value::String(s)) => {
            reference(s)
        }
        ("depends_on" | "ignore_changes" | "replace_triggered_by", Value::Array(items)) => {
            H::Array(items.iter().map(|i| i.as_str().map_or_else(|| literal(i), reference)).collect())
        }
        ("providers", Value::Object(map)) => H::Object(
            map.iter()
                .map(|(k, v)| (ObjectKey::Expression(H::String(k.clone())), v.as_str().map_or(H::Null, reference)))
                .collect(),
        ),
        _ => template(value),
    }
}

/// `aws_vpc.main`, `module.x`, `aws.west`, `tags`: a bare reference.
fn reference(text: &str) -> H {
    text.parse::<H>().unwrap_or_else(|_| H::String(text.to_owned()))
}

/// A value as Terraform reads an argument: strings are templates.
fn template(value: &Value) -> H {
    match value {
        Value::String(s) if s.contains("${") || s.contains("%{") => {
            H::TemplateExpr(Box::new(TemplateExpr::QuotedString(s.clone())))
        }
        Value::Array(items) => H::Array(items.iter().map(template).collect()),
        Value::Object(map) => {
            H::Object(map.iter().map(|(k, v)| (ObjectKey::Expression(H::String(k.clone())), template(v))).collect())
        }
        other => literal(other),
    }
}

/// A value taken literally (a variable's default, a backend's settings).
fn literal(value: &Value) -> H {
    match value {
        Value::Null => H::Null,
        Value::Bool(b) => H::Bool(*b),
        Value::Number(n) => H::Number(number(n)),
        Value::String(s) => H::String(s.clone()),
        Value::Array(items) => H::Array(items.iter().map(literal).collect()),
        Value::Object(map) => {
            H::Object(map.iter().map(|(k, v)| (ObjectKey::Expression(H::String(k.clone())), literal(v))).collect())
        }
    }
}

fn number(n: &serde_json::Number) -> hcl::Number {
    if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64().and_then(hcl::Number::from_f64).unwrap_or_else(|| 0.into())
    }
}

fn attributes(value: &Value, convert: fn(&Value) -> H) -> Body {
    entries(value)
        .filter(|(k, _)| *k != "//")
        .fold(Body::builder(), |out, (k, v)| out.add_attribute((k, convert(v))))
        .build()
}

fn labelled(identifier: &str, labels: &[&str], body: Body) -> Block {
    Block::builder(identifier).add_labels(labels.iter().copied()).add_structures(body).build()
}

/// An object's entries (nothing for anything else).
fn entries(value: &Value) -> impl Iterator<Item = (&str, &Value)> {
    value.as_object().into_iter().flatten().map(|(k, v)| (k.as_str(), v))
}

/// A block given as one object or as an array of them.
fn one_or_many(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}
