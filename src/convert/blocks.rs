//! The top-level blocks of a root module into the stack: `terraform`, `provider`, `variable`,
//! `locals`, `output`, `module`, `resource`, `data`, `ephemeral`, `moved`, `import` and
//! `removed`.

use std::borrow::Cow;
use std::collections::HashMap;

use hcl::{Block, Structure};

use super::expression::Reader as Expressions;
use super::{Converted, Note, problem};
use crate::error::Error;
use crate::expr::{Address, Expression, Root, Step, Traversal};
use crate::model::{
    Body, Endpoint, Kind, ModuleCall, Moved, Output, Provider, ProviderRef, Ref, Removed, RequiredProvider, Resource,
    S3Backend, SkippedCheck, Stack, Variable,
};

/// Reads the files of one root module into a stack.
pub(crate) struct Reader {
    stack: Stack,
    notes: Vec<Note>,
    /// The iterators of the `dynamic` blocks around what is being read.
    bound: Vec<String>,
}

/// What the comments of a file say that the model keeps: checkov waivers per block, and the
/// reasons of `removed` blocks that destroy, in file order.
#[derive(Default)]
pub(super) struct Comments {
    pub(super) skips: HashMap<(Kind, String, String), Vec<SkippedCheck>>,
    pub(super) removed: Vec<Option<String>>,
}

impl Reader {
    pub(crate) fn new(stack: Stack) -> Self {
        Self { stack, notes: Vec::new(), bound: Vec::new() }
    }

    pub(crate) fn stack(&self) -> &Stack {
        &self.stack
    }

    pub(crate) fn finish(self) -> Converted {
        Converted { stack: self.stack, notes: self.notes }
    }

    /// One file's blocks, with what its comments say.
    pub(crate) fn body(&mut self, body: &hcl::Body, mut comments: Comments) -> Result<(), Error> {
        comments.removed.reverse();
        for structure in body {
            match structure {
                Structure::Attribute(a) => {
                    return Err(problem(
                        &self.stack,
                        a.key(),
                        "an argument outside any block",
                        "a root module holds blocks only; move it into the block it belongs to",
                    ));
                }
                Structure::Block(b) => self.block(b, &mut comments)?,
            }
        }
        Ok(())
    }

    fn note(&mut self, at: impl Into<String>, what: impl Into<String>) {
        self.notes.push(Note { at: at.into(), what: what.into() });
    }

    fn expressions(&mut self, at: impl Into<String>) -> Expressions<'_> {
        Expressions::new(at, &mut self.notes).bound_to(&self.bound)
    }

    fn block(&mut self, b: &Block, comments: &mut Comments) -> Result<(), Error> {
        let labels: Vec<&str> = b.labels().iter().map(hcl::BlockLabel::as_str).collect();
        let wrong = |what: &str| {
            problem(
                &self.stack,
                &format!("{} {}", b.identifier(), labels.join(" ")),
                &format!("a `{}` block needs {what}", b.identifier()),
                "fix the block as `terraform validate` asks, then convert again",
            )
        };
        match (b.identifier(), labels.as_slice()) {
            ("terraform", []) => self.terraform(b),
            ("provider", [name]) => self.provider(name, b),
            ("variable", [name]) => self.variable(name, b),
            ("locals", []) => {
                for a in b.body().attributes() {
                    let value = self.expressions(format!("local.{}", a.key())).expression(a.expr());
                    self.stack.locals.insert(a.key().to_owned(), value);
                }
            }
            ("output", [name]) => self.output(name, b),
            ("module", [name]) => self.module(name, b),
            ("resource", [ty, name]) => self.resource(Kind::Managed, ty, name, b, comments),
            ("data", [ty, name]) => self.resource(Kind::Data, ty, name, b, comments),
            ("ephemeral", [ty, name]) => self.resource(Kind::Ephemeral, ty, name, b, comments),
            ("moved", []) => self.moved(b),
            ("import", []) => self.import(b),
            ("removed", []) => {
                let reason = comments.removed.pop().flatten();
                self.removed(b, reason);
            }
            ("terraform" | "locals" | "moved" | "import" | "removed", _) => return Err(wrong("no labels")),
            ("provider" | "variable" | "output" | "module", _) => return Err(wrong("one label, its name")),
            ("resource" | "data" | "ephemeral", _) => return Err(wrong("two labels, the type and the name")),
            (other, _) => self.note(
                format!("{other} {}", labels.join(" ")),
                format!("a `{other}` block has no form in tfsynth; not converted"),
            ),
        }
        Ok(())
    }

    fn terraform(&mut self, b: &Block) {
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) if a.key() == "required_version" => {
                    self.stack.terraform.required_version = literal(a.expr());
                }
                Structure::Block(r) if r.identifier() == "required_providers" => {
                    for a in r.body().attributes() {
                        let hcl::Expression::Object(o) = a.expr() else { continue };
                        let field = |name: &str| {
                            o.iter().find(|(k, _)| key_text(k).as_deref() == Some(name)).and_then(|(_, v)| literal(v))
                        };
                        self.stack.terraform.required_providers.insert(
                            a.key().to_owned(),
                            RequiredProvider::new(
                                field("source").unwrap_or_default(),
                                field("version").unwrap_or_default(),
                            ),
                        );
                    }
                }
                Structure::Block(backend) if backend.identifier() == "backend" => self.backend(backend),
                other => {
                    let name = match other {
                        Structure::Attribute(a) => a.key().to_owned(),
                        Structure::Block(b) => b.identifier().to_owned(),
                    };
                    self.note(
                        "terraform",
                        format!("`{name}` in the `terraform` block has no form in tfsynth; not converted"),
                    );
                }
            }
        }
    }

    fn backend(&mut self, b: &Block) {
        let kind = b.labels().first().map_or("", hcl::BlockLabel::as_str);
        if kind != "s3" {
            self.note(
                "terraform",
                format!(
                    "a `{kind}` backend has no form in tfsynth (S3 only); the stack keeps local state until one is set"
                ),
            );
            return;
        }
        let mut backend = S3Backend::new("", "", "");
        backend.encrypt = false;
        backend.use_lockfile = false;
        for a in b.body().attributes() {
            let value = a.expr();
            match (a.key(), value) {
                ("bucket", _) => backend.bucket = literal(value).unwrap_or_default(),
                ("key", _) => backend.key = literal(value).unwrap_or_default(),
                ("region", _) => backend.region = literal(value).unwrap_or_default(),
                ("encrypt", hcl::Expression::Bool(on)) => backend.encrypt = *on,
                ("use_lockfile", hcl::Expression::Bool(on)) => backend.use_lockfile = *on,
                (other, _) => {
                    self.note("terraform", format!("the S3 backend's `{other}` has no form in tfsynth; not converted"));
                }
            }
        }
        self.stack.terraform.backend = Some(backend);
    }

    fn provider(&mut self, name: &str, b: &Block) {
        let mut provider = Provider::new(name);
        let at = format!("provider.{name}");
        if let Some(alias) = b.body().attributes().find(|a| a.key() == "alias").and_then(|a| literal(a.expr())) {
            provider = provider.alias(alias);
        }
        provider.body = self.arguments(&at, b.body(), &["alias"]);
        self.stack.providers.push(provider);
    }

    fn variable(&mut self, name: &str, b: &Block) {
        let at = format!("var.{name}");
        let ty = b.body().attributes().find(|a| a.key() == "type").map_or_else(
            || "any".to_owned(),
            |a| hcl::format::to_string(a.expr()).unwrap_or_else(|_| "any".to_owned()),
        );
        let mut variable = Variable::new(name, ty);
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) => match a.key() {
                    "type" => {}
                    "default" => variable.default = Some(self.expressions(&at).expression(a.expr())),
                    "description" => variable.description = literal(a.expr()),
                    "sensitive" => variable.sensitive = a.expr() == &hcl::Expression::Bool(true),
                    "nullable" => {
                        variable.nullable = match a.expr() {
                            hcl::Expression::Bool(on) => Some(*on),
                            _ => None,
                        };
                    }
                    other => self.note(&at, format!("`{other}` has no form in tfsynth; not converted")),
                },
                Structure::Block(v) if v.identifier() == "validation" => {
                    let find = |key: &str| v.body().attributes().find(|a| a.key() == key).map(hcl::Attribute::expr);
                    let condition = find("condition").map(|c| self.expressions(&at).expression(c));
                    let message = find("error_message").and_then(literal);
                    if let (Some(condition), Some(error_message)) = (condition, message) {
                        variable.validations.push(crate::model::Validation { condition, error_message });
                    } else {
                        self.note(&at, "a validation without a literal condition and message; not converted");
                    }
                }
                Structure::Block(other) => {
                    self.note(&at, format!("a `{}` block has no form in tfsynth; not converted", other.identifier()));
                }
            }
        }
        self.stack.variables.insert(name.to_owned(), variable);
    }

    fn output(&mut self, name: &str, b: &Block) {
        let at = format!("output.{name}");
        let mut output = Output::new(name, Expression::Null);
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) => match a.key() {
                    "value" => output.value = self.expressions(&at).expression(a.expr()),
                    "description" => output.description = literal(a.expr()),
                    "sensitive" => output.sensitive = a.expr() == &hcl::Expression::Bool(true),
                    "depends_on" => output.depends_on = self.paths(&at, a.expr()),
                    other => self.note(&at, format!("`{other}` has no form in tfsynth; not converted")),
                },
                Structure::Block(other) => {
                    self.note(&at, format!("a `{}` block has no form in tfsynth; not converted", other.identifier()));
                }
            }
        }
        self.stack.outputs.insert(name.to_owned(), output);
    }

    fn module(&mut self, name: &str, b: &Block) {
        let at = format!("module.{name}");
        let attribute = |key: &str| b.body().attributes().find(|a| a.key() == key).and_then(|a| literal(a.expr()));
        let mut call = ModuleCall::new(name, attribute("source").unwrap_or_default());
        call.version = attribute("version");
        if call.source.starts_with("./") || call.source.starts_with("../") {
            self.note(
                &at,
                format!(
                    "a local module (`{}`) is called by its path: copy its folder to where the synthesized stack can reach it, or rebuild it with components",
                    call.source
                ),
            );
        }
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) => match a.key() {
                    "source" | "version" => {}
                    meta @ ("count" | "for_each" | "providers" | "depends_on") => {
                        self.note(&at, format!("a module call's `{meta}` has no form in tfsynth; not converted"));
                    }
                    input => {
                        let value = self.expressions(&at).expression(a.expr());
                        call.inputs.insert(input.to_owned(), value);
                    }
                },
                Structure::Block(other) => {
                    self.note(&at, format!("a `{}` block has no form in tfsynth; not converted", other.identifier()));
                }
            }
        }
        self.stack.modules.insert(name.to_owned(), call);
    }

    fn resource(&mut self, kind: Kind, ty: &str, name: &str, b: &Block, comments: &mut Comments) {
        let at = format!("{}{ty}.{name}", kind.prefix());
        let mut resource = match kind {
            Kind::Managed => Resource::new(ty, name),
            Kind::Data => Resource::data(ty, name),
            Kind::Ephemeral => Resource::ephemeral(ty, name),
        };
        let meta = ["count", "for_each", "depends_on", "provider", "lifecycle"];
        resource.body = self.arguments(&at, b.body(), &meta);
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) => match a.key() {
                    "count" => {
                        resource = resource.count(self.expressions(&at).expression(a.expr()));
                    }
                    "for_each" => {
                        resource = resource.for_each(self.expressions(&at).expression(a.expr()));
                    }
                    "depends_on" => resource.depends_on = self.paths(&at, a.expr()),
                    "provider" => match provider_ref(a.expr()) {
                        Some(p) => resource.provider = Some(p),
                        None => self.note(&at, "`provider` is not a provider's name; not converted"),
                    },
                    _ => {}
                },
                Structure::Block(l) if l.identifier() == "lifecycle" => self.lifecycle(&at, l, &mut resource),
                Structure::Block(_) => {}
            }
        }
        resource.skipped_checks = comments.skips.remove(&(kind, ty.to_owned(), name.to_owned())).unwrap_or_default();
        self.stack.add(resource);
    }

    fn lifecycle(&mut self, at: &str, b: &Block, resource: &mut Resource) {
        for structure in b.body() {
            match structure {
                Structure::Attribute(a) => match (a.key(), a.expr()) {
                    ("prevent_destroy", hcl::Expression::Bool(on)) => resource.lifecycle.prevent_destroy = *on,
                    ("create_before_destroy", hcl::Expression::Bool(on)) => {
                        resource.lifecycle.create_before_destroy = *on;
                    }
                    ("ignore_changes", hcl::Expression::Array(paths)) => {
                        resource.lifecycle.ignore_changes =
                            paths.iter().filter_map(|p| hcl::format::to_string(p).ok()).collect();
                    }
                    (other, _) => {
                        self.note(at, format!("the lifecycle's `{other}` has no form in tfsynth; not converted"));
                    }
                },
                Structure::Block(other) => self.note(
                    at,
                    format!("the lifecycle's `{}` block has no form in tfsynth; not converted", other.identifier()),
                ),
            }
        }
    }

    /// The arguments and nested blocks of `body` but the meta-arguments in `skip`.
    fn arguments(&mut self, at: &str, body: &hcl::Body, skip: &[&str]) -> Body {
        let mut out = Body::new();
        for structure in body {
            match structure {
                Structure::Attribute(a) if skip.contains(&a.key()) => {}
                Structure::Attribute(a) => {
                    let value = self.expressions(at).expression(a.expr());
                    out.insert_attribute(Cow::Owned(a.key().to_owned()), value);
                }
                Structure::Block(b) if skip.contains(&b.identifier()) => {}
                Structure::Block(b) if b.identifier() == "dynamic" && b.labels().len() == 1 => {
                    let label = b.labels()[0].as_str().to_owned();
                    match self.unrolled(at, &label, b) {
                        Some(bodies) => bodies.into_iter().for_each(|body| out.push_block(Cow::Owned(label.clone()), body)),
                        None => self.note(
                            at,
                            format!(
                                "a `dynamic \"{label}\"` block over a collection known only at plan time has no form in tfsynth yet; not converted"
                            ),
                        ),
                    }
                }
                Structure::Block(b)
                    if b.labels().is_empty() && !["dynamic", "provisioner", "connection"].contains(&b.identifier()) =>
                {
                    let nested = self.arguments(at, b.body(), &[]);
                    out.push_block(Cow::Owned(b.identifier().to_owned()), nested);
                }
                Structure::Block(b) => {
                    self.note(at, format!("a `{}` block has no form in tfsynth yet; not converted", b.identifier()));
                }
            }
        }
        out
    }

    /// A `dynamic` block over a literal collection (`for_each = [443, 80]`, a literal map, or
    /// `toset` of a literal list), as the blocks Terraform makes of it: the content once per
    /// element, its iterator's `key` and `value` put in. `None` when the collection is known
    /// only at plan time.
    fn unrolled(&mut self, at: &str, label: &str, b: &Block) -> Option<Vec<Body>> {
        let find = |key: &str| b.body().attributes().find(|a| a.key() == key).map(hcl::Attribute::expr);
        let collection = self.expressions(at).expression(find("for_each")?);
        let iterator = match find("iterator") {
            Some(hcl::Expression::Variable(v)) => v.to_string(),
            Some(other) => literal(other)?,
            None => label.to_owned(),
        };
        let content = b.body().blocks().find(|c| c.identifier() == "content")?;
        let elements: Vec<(Expression, Expression)> = match collection {
            Expression::List(items) if items.iter().all(Expression::is_literal) => {
                items.into_iter().enumerate().map(|(i, v)| (Expression::Number(i.into()), v)).collect()
            }
            Expression::Call(c) if c.name == "toset" => match c.args.as_slice() {
                [Expression::List(items)] if items.iter().all(Expression::is_literal) => {
                    items.iter().map(|v| (v.clone(), v.clone())).collect()
                }
                _ => return None,
            },
            Expression::Object(map) if map.values().all(Expression::is_literal) => {
                map.into_iter().map(|(k, v)| (Expression::String(k.into_owned()), v)).collect()
            }
            _ => return None,
        };
        self.bound.push(iterator.clone());
        let template = self.arguments(at, content.body(), &[]);
        self.bound.pop();
        let bodies = elements.into_iter().map(|(key, value)| {
            let mut body = template.clone();
            body.rewrite(&mut |e| put_in(e, &iterator, &key, &value));
            body
        });
        Some(bodies.collect())
    }

    /// `depends_on = [a.b, module.c]`.
    fn paths(&mut self, at: &str, e: &hcl::Expression) -> Vec<Traversal> {
        let hcl::Expression::Array(items) = e else {
            self.note(at, "`depends_on` is not a list; not converted");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match self.expressions(at).expression(item) {
                Expression::Traversal(t) => Some(*t),
                _ => None,
            })
            .collect()
    }

    fn moved(&mut self, b: &Block) {
        let endpoint = |key: &str| {
            let a = b.body().attributes().find(|a| a.key() == key)?;
            endpoint(a.expr())
        };
        match (endpoint("from"), endpoint("to")) {
            (Some(from), Some(to)) => self.stack.moved.push(Moved::between(from, to)),
            _ => self.note("moved", "a `moved` block between instances or outside this module; not converted"),
        }
    }

    fn import(&mut self, b: &Block) {
        let find = |key: &str| b.body().attributes().find(|a| a.key() == key).map(hcl::Attribute::expr);
        let to = find("to").and_then(endpoint);
        match (to, find("id"), find("for_each")) {
            (Some(Endpoint::Resource(address)), Some(id), None) => {
                let id = self.expressions(format!("import.{address}")).expression(id);
                let kind = Kind::Managed;
                self.stack.adopt(&Ref::new(kind, address), id);
            }
            _ => self.note(
                "import",
                "an `import` block with `for_each`, an instance key or an id by identity; not converted",
            ),
        }
    }

    fn removed(&mut self, b: &Block, reason: Option<String>) {
        let from = b.body().attributes().find(|a| a.key() == "from").and_then(|a| endpoint(a.expr()));
        let destroy =
            b.body().blocks().filter(|l| l.identifier() == "lifecycle").any(|l| {
                l.body().attributes().any(|a| a.key() == "destroy" && a.expr() == &hcl::Expression::Bool(true))
            });
        match from {
            Some(Endpoint::Resource(address)) if destroy => {
                let reason = reason.unwrap_or_else(|| "removed from the configuration (converted)".to_owned());
                self.stack.remove(Removed::destroy(address, reason));
            }
            Some(Endpoint::Resource(address)) => self.stack.remove(Removed::forget(address)),
            _ => self.note("removed", "a `removed` block of a module or an instance; not converted"),
        }
    }
}

/// A literal string, number or bool as text.
fn literal(e: &hcl::Expression) -> Option<String> {
    match e {
        hcl::Expression::String(s) => Some(s.clone()),
        hcl::Expression::Number(n) => Some(n.to_string()),
        hcl::Expression::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn key_text(key: &hcl::ObjectKey) -> Option<String> {
    match key {
        hcl::ObjectKey::Identifier(i) => Some(i.to_string()),
        hcl::ObjectKey::Expression(e) => literal(e),
        _ => None,
    }
}

/// `aws` or `aws.west`.
fn provider_ref(e: &hcl::Expression) -> Option<ProviderRef> {
    match e {
        hcl::Expression::Variable(v) => Some(ProviderRef { name: v.to_string(), alias: None }),
        hcl::Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (hcl::Expression::Variable(v), [hcl::expr::TraversalOperator::GetAttr(alias)]) => {
                Some(ProviderRef { name: v.to_string(), alias: Some(alias.to_string()) })
            }
            _ => None,
        },
        _ => None,
    }
}

/// A `moved`, `import` or `removed` address: `type.name`, `module.call` or
/// `module.call.type.name` (instance keys have no form in the model).
fn endpoint(e: &hcl::Expression) -> Option<Endpoint> {
    let mut notes = Vec::new();
    let Expression::Traversal(t) = Expressions::new("", &mut notes).expression(e) else { return None };
    let names: Option<Vec<&str>> = t
        .steps
        .iter()
        .map(|s| match s {
            Step::Attr(a) => Some(a.as_ref()),
            _ => None,
        })
        .collect();
    match (&t.root, names?.as_slice()) {
        (Root::Resource(a), []) => Some(Endpoint::Resource(a.clone())),
        (Root::Module(m), []) => Some(Endpoint::module(m)),
        (Root::Module(m), [ty, name]) => Some(Endpoint::in_module(m, Address::new(*ty, *name))),
        _ => None,
    }
}

/// The comments the model keeps, read from a file's text: `# checkov:skip=ID:reason` lines
/// inside `resource`, `data` and `ephemeral` blocks, and the `# destroyed on purpose: reason`
/// line tfsynth writes in a `removed` block.
pub(super) fn comments(text: &str) -> Comments {
    let mut out = Comments::default();
    let mut block: Option<(Kind, String, String)> = None;
    for line in text.lines() {
        if !line.starts_with([' ', '\t', '}', '#', '/']) && !line.is_empty() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let label = |i: usize| words.get(i).map(|w| w.trim_matches('"').to_owned());
            let kind = match words.first() {
                Some(&"resource") => Some(Kind::Managed),
                Some(&"data") => Some(Kind::Data),
                Some(&"ephemeral") => Some(Kind::Ephemeral),
                _ => None,
            };
            block = kind.and_then(|k| Some((k, label(1)?, label(2)?)));
            if words.first() == Some(&"removed") {
                out.removed.push(None);
            }
            continue;
        }
        let comment = line.trim_start().strip_prefix('#').map(str::trim_start);
        if let (Some(reason), Some(last)) =
            (comment.and_then(|c| c.strip_prefix("destroyed on purpose: ")), out.removed.last_mut())
        {
            *last = Some(reason.to_owned());
        }
        let skip = comment.and_then(|c| c.strip_prefix("checkov:skip=")).and_then(|c| c.split_once(':'));
        if let (Some(key), Some((id, reason))) = (&block, skip) {
            let check = SkippedCheck { id: id.to_owned(), reason: reason.to_owned() };
            out.skips.entry(key.clone()).or_default().push(check);
        }
    }
    out
}

/// `e` with a `dynamic` block's `<iterator>.key` and `<iterator>.value` replaced by one
/// element's.
fn put_in(e: &Expression, iterator: &str, key: &Expression, value: &Expression) -> Option<Expression> {
    let Expression::Traversal(t) = e else { return None };
    if !matches!(&t.root, Root::Iterator(name) if name == iterator) {
        return None;
    }
    let (first, rest) = t.steps.split_first()?;
    let put = match first {
        Step::Attr(a) if a == "value" => value.clone(),
        Step::Attr(a) if a == "key" => key.clone(),
        _ => return None,
    };
    if rest.is_empty() {
        return Some(put);
    }
    Some(Expression::Traversal(Box::new(Traversal { root: Root::Expression(put), steps: rest.to_vec() })))
}
