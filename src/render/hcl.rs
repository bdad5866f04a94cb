//! HCL native syntax (`*.tf`), built as an hcl-rs document and printed by its formatter, then
//! aligned the way `terraform fmt` aligns `=` so the file is already in canonical form.

use std::fmt::Write;

use hcl::Identifier;
use hcl::expr::{Expression as H, Traversal as HclTraversal, TraversalOperator, Variable};
use hcl::structure::{Attribute, Block, BlockLabel, Body as HclBody, Structure};

use crate::expr::{Expression, Traversal};
use crate::model::{Body, Item, Kind, Lifecycle, Repetition, Resource, Stack};

use super::align::align_equals;
use super::json::COMMENT;
use super::lower::lower;

/// Renders a stack as HCL that `terraform fmt` leaves unchanged.
pub fn render(stack: &Stack) -> String {
    let settings = terraform(stack);
    let mut structures: Vec<Structure> = Vec::new();
    if settings.body.iter().next().is_some() {
        structures.push(settings.into());
    }
    for p in &stack.providers {
        let mut items = Vec::new();
        if let Some(alias) = &p.alias {
            items.push(attribute("alias", H::String(alias.clone())));
        }
        items.extend(body_items(&p.body, 1));
        structures.push(block("provider", [p.name.as_str()], items).into());
    }
    for v in stack.variables.values() {
        // The type was checked to parse at validation; a string keeps rendering total.
        let ty: H = v.ty.parse().unwrap_or_else(|_| H::String(v.ty.clone()));
        let mut items = vec![attribute("type", ty)];
        if let Some(d) = &v.description {
            items.push(attribute("description", H::String(d.clone())));
        }
        if let Some(default) = &v.default {
            items.push(attribute("default", lower(default)));
        }
        if v.sensitive {
            items.push(attribute("sensitive", H::Bool(true)));
        }
        if let Some(n) = v.nullable {
            items.push(attribute("nullable", H::Bool(n)));
        }
        for rule in &v.validations {
            let body = vec![
                attribute("condition", lower(&rule.condition)),
                attribute("error_message", H::String(rule.error_message.clone())),
            ];
            items.push(block("validation", [], body).into());
        }
        structures.push(block("variable", [v.name.as_str()], items).into());
    }
    if !stack.locals.is_empty() {
        let items = stack.locals.iter().map(|(k, v)| attribute(k, lower(v))).collect();
        structures.push(block("locals", [], items).into());
    }
    for r in &stack.blocks {
        let keyword = if r.kind == Kind::Managed { "resource" } else { "data" };
        let labels = [r.address.ty.as_str(), r.address.name.as_str()];
        structures.push(block(keyword, labels, resource_items(r)).into());
    }
    for m in stack.modules.values() {
        let mut items = vec![attribute("source", H::String(m.source.clone()))];
        if let Some(v) = &m.version {
            items.push(attribute("version", H::String(v.clone())));
        }
        items.extend(m.inputs.iter().map(|(k, v)| attribute(k, lower(v))));
        structures.push(block("module", [m.name.as_str()], items).into());
    }
    for o in stack.outputs.values() {
        let mut items = vec![attribute("value", lower(&o.value))];
        if let Some(d) = &o.description {
            items.push(attribute("description", H::String(d.clone())));
        }
        if o.sensitive {
            items.push(attribute("sensitive", H::Bool(true)));
        }
        if !o.depends_on.is_empty() {
            items.push(attribute("depends_on", references(&o.depends_on)));
        }
        structures.push(block("output", [o.name.as_str()], items).into());
    }
    for m in &stack.moved {
        let items =
            vec![attribute("from", path(&[&m.from.ty, &m.from.name])), attribute("to", path(&[&m.to.ty, &m.to.name]))];
        structures.push(block("moved", [], items).into());
    }
    let body: HclBody = structures.into_iter().collect();
    let formatter = hcl::format::Formatter::builder().prefer_ident_keys(true);
    let mut fmt = formatter.build_vec();
    // Formatting an in-memory document only fails on I/O, which a Vec never reports.
    let text = hcl::format::Format::format_string(&body, &mut fmt).unwrap_or_default();
    format!("# {COMMENT}\n\n{}", insert_skip_comments(&align_equals(&text), stack))
}

/// Puts each block's `# checkov:skip=...` comments on the lines after its header, where
/// checkov reads them (hcl-rs has no comments).
fn insert_skip_comments(text: &str, stack: &Stack) -> String {
    let waived: Vec<&Resource> = stack.blocks.iter().filter(|r| !r.skipped_checks.is_empty()).collect();
    if waived.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        let header = line.trim_end();
        if let Some(r) = waived.iter().find(|r| header == block_header(r)) {
            for check in &r.skipped_checks {
                let _ = writeln!(out, "  # {check}");
            }
        }
    }
    out
}

fn block_header(r: &Resource) -> String {
    let keyword = match r.kind {
        Kind::Managed => "resource",
        Kind::Data => "data",
    };
    format!("{keyword} \"{}\" \"{}\" {{", r.address.ty, r.address.name)
}

fn terraform(stack: &Stack) -> Block {
    let t = &stack.terraform;
    let mut items = Vec::new();
    if let Some(v) = &t.required_version {
        items.push(attribute("required_version", H::String(v.clone())));
    }
    if !t.required_providers.is_empty() {
        let providers = t.required_providers.iter().map(|(name, p)| {
            let obj = [("source", &p.source), ("version", &p.version)]
                .into_iter()
                .map(|(k, v)| (hcl::expr::ObjectKey::Expression(H::String(k.into())), H::String(v.clone())))
                .collect();
            attribute(name, H::Object(obj))
        });
        items.push(block("required_providers", [], providers.collect()).into());
    }
    if let Some(backend) = &t.backend {
        let args = backend.arguments().into_iter().map(|(k, v)| attribute(k, lower(&v))).collect();
        items.push(block("backend", ["s3"], args).into());
    }
    block("terraform", [], items)
}

fn resource_items(r: &Resource) -> Vec<Structure> {
    let mut items = Vec::new();
    match &r.repetition {
        Some(Repetition::Count(n)) => items.push(attribute("count", lower(n))),
        Some(Repetition::ForEach(c)) => items.push(attribute("for_each", lower(c))),
        None => {}
    }
    if let Some(p) = &r.provider {
        let parts: Vec<&str> = std::iter::once(p.name.as_str()).chain(p.alias.as_deref()).collect();
        items.push(attribute("provider", path(&parts)));
    }
    items.extend(body_items(&r.body, 1));
    if !r.depends_on.is_empty() {
        items.push(attribute("depends_on", references(&r.depends_on)));
    }
    if !r.lifecycle.is_empty() {
        items.push(lifecycle(&r.lifecycle).into());
    }
    items
}

fn lifecycle(l: &Lifecycle) -> Block {
    let mut items = Vec::new();
    if l.create_before_destroy {
        items.push(attribute("create_before_destroy", H::Bool(true)));
    }
    if l.prevent_destroy {
        items.push(attribute("prevent_destroy", H::Bool(true)));
    }
    if !l.ignore_changes.is_empty() {
        let names = l.ignore_changes.iter().map(|n| path(&[n])).collect();
        items.push(attribute("ignore_changes", H::Array(names)));
    }
    block("lifecycle", [], items)
}

fn body_items(body: &Body, depth: usize) -> Vec<Structure> {
    let mut items = Vec::new();
    for (name, item) in body.items() {
        match item {
            Item::Attribute(e) => items.push(attribute(name, attribute_value(e, depth))),
            Item::Blocks(bodies) => {
                items.extend(bodies.iter().map(|b| Structure::from(block(name, [], body_items(b, depth + 1)))));
            }
        }
    }
    items
}

/// An attribute's value. `jsonencode` of a document is written across lines, as people write
/// policies and container definitions, so a one-value change is a one-line diff; hcl-rs would
/// put every function argument on one line.
fn attribute_value(e: &Expression, depth: usize) -> H {
    let document = match e {
        Expression::Call(call) if call.name == "jsonencode" && call.args.len() == 1 && !call.expand_final => {
            &call.args[0]
        }
        _ => return lower(e),
    };
    let non_empty = match document {
        Expression::Object(m) => !m.is_empty(),
        Expression::List(l) => !l.is_empty(),
        _ => false,
    };
    if !non_empty {
        return lower(e);
    }
    let mut fmt = hcl::format::Formatter::builder().prefer_ident_keys(true).build_vec();
    let text = hcl::format::Format::format_string(&lower(document), &mut fmt).unwrap_or_default();
    let indent = "  ".repeat(depth);
    let text = text.trim_end().replace('\n', &format!("\n{indent}"));
    // hcl-rs prints the whole text as given; the tree stays valid HCL.
    H::Variable(Variable::unchecked(format!("jsonencode({text})")))
}

fn references(refs: &[Traversal]) -> H {
    let paths = refs.iter().filter_map(Traversal::object_path);
    H::Array(paths.map(|p| path(&p.split('.').collect::<Vec<_>>())).collect())
}

/// A bare traversal `a.b.c`, as `depends_on`, `provider` and `moved` want.
fn path(parts: &[&str]) -> H {
    let (root, rest) = parts.split_first().expect("a path has a root");
    if rest.is_empty() {
        return H::Variable(Variable::unchecked(*root));
    }
    let ops = rest.iter().map(|p| TraversalOperator::GetAttr(Identifier::unchecked(*p)));
    H::Traversal(Box::new(HclTraversal::new(Variable::unchecked(*root), ops)))
}

fn attribute(key: &str, expr: H) -> Structure {
    Attribute::new(Identifier::unchecked(key), expr).into()
}

fn block<'a>(ident: &str, labels: impl IntoIterator<Item = &'a str>, items: Vec<Structure>) -> Block {
    let mut b = Block::new(Identifier::unchecked(ident));
    b.labels = labels.into_iter().map(|l| BlockLabel::String(l.to_owned())).collect();
    b.body = items.into_iter().collect();
    b
}
