//! Checking a stack against the provider schema and against itself, collecting every problem.

use std::fmt::Write;

use crate::error::{Diagnostic, Error, Result};
use crate::expr::{BUILTINS, Expression, Root, Step, Traversal, is_identifier};
use crate::model::{Body, Item, Kind, Repetition, Resource, Stack};

use super::{Attributes, BlockSchema, Nesting, Schema, Type, did_you_mean, rules};

/// Validates `stack`: every block against the provider schema, every reference against the
/// stack, every name against Terraform's identifier rules. Returns all problems at once.
pub fn validate(stack: &Stack) -> Result<()> {
    let index = stack.blocks.iter().map(|r| ((r.kind, r.address.ty.as_str(), r.address.name.as_str()), r)).collect();
    // Most stacks have no ephemeral block: then no expression is walked looking for one.
    let any_ephemeral = stack.blocks.iter().any(|r| r.kind == Kind::Ephemeral);
    let ephemeral = if any_ephemeral { ephemeral_locals(stack) } else { std::collections::BTreeSet::new() };
    let mut v = Validator {
        stack,
        index,
        any_ephemeral,
        reads_ephemeral: false,
        ephemeral,
        ephemeral_allowed: false,
        out: stack.problems.clone(),
    };
    v.run();
    if v.out.is_empty() { Ok(()) } else { Err(Error::Invalid(v.out)) }
}

pub(super) struct Validator<'a> {
    pub(super) stack: &'a Stack,
    /// Whether the stack has an ephemeral block at all.
    any_ephemeral: bool,
    /// Whether the expressions of the block being checked read an ephemeral value (found by
    /// the walk every expression gets, so only such blocks are searched for where).
    reads_ephemeral: bool,
    /// The locals whose values are ephemeral (they read an ephemeral block, or such a local).
    ephemeral: std::collections::BTreeSet<&'a str>,
    /// Whether the body being checked may take ephemeral values anywhere (a provider
    /// configuration or an ephemeral block), not only in write-only arguments.
    ephemeral_allowed: bool,
    /// Every block by kind, type and name: references are checked in constant time.
    pub(super) index: foldhash::HashMap<(Kind, &'a str, &'a str), &'a Resource>,
    out: Vec<Diagnostic>,
}

/// Where an expression sits, for checking `count.index` / `each.*` and naming the location.
#[derive(Clone, Copy)]
pub(super) struct Scope<'s> {
    address: Place<'s>,
    path: Path<'s>,
    repetition: Option<&'s Repetition>,
}

impl<'s> Scope<'s> {
    pub(super) fn at(address: Place<'s>, attribute: Option<&'s str>) -> Self {
        Scope { address, path: attribute.map_or(Path::Root, Path::Name), repetition: None }
    }
}

/// The block a problem is in: a resource's address is written out only when a problem is
/// reported (formatting it for every resource was a tenth of validation's allocations).
#[derive(Clone, Copy)]
pub(super) enum Place<'a> {
    Block(&'a Resource),
    Text(&'a str),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Block(r) => f.write_str(&r.path()),
            Place::Text(text) => f.write_str(text),
        }
    }
}

/// An attribute path inside a block (`ingress[0].from_port`), linked up the walk's stack and
/// written out only when a problem is reported.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Name(&'p str),
    Child { parent: &'p Path<'p>, name: &'p str, index: Option<usize> },
}

impl<'p> Path<'p> {
    fn child(&'p self, name: &'p str) -> Path<'p> {
        Path::Child { parent: self, name, index: None }
    }

    /// The same path with its last step indexed: one of several blocks of a type.
    fn indexed(self, i: usize) -> Path<'p> {
        match self {
            Path::Child { parent, name, .. } => Path::Child { parent, name, index: Some(i) },
            other => other,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Path::Root => None,
            Path::Name(name) => Some((*name).to_owned()),
            Path::Child { parent, name, index } => {
                let mut text = parent.text().map(|p| p + ".").unwrap_or_default();
                text.push_str(name);
                if let Some(i) = index {
                    let _ = write!(text, "[{i}]");
                }
                Some(text)
            }
        }
    }
}

impl<'a> Validator<'a> {
    pub(super) fn report(
        &mut self,
        address: Place<'_>,
        attribute: Option<&str>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let d = self.stack.diagnostic(Some(address.to_string()), attribute.map(str::to_owned), message, help);
        self.out.push(d);
    }

    fn report_at(&mut self, scope: &Scope<'_>, message: impl Into<String>, help: Option<String>) {
        let attribute = scope.path.text();
        self.report(scope.address, attribute.as_deref(), message, help);
    }

    fn run(&mut self) {
        let stack = self.stack;
        if !is_identifier(&stack.name) {
            let message = format!("stack name `{}` is not a valid identifier", stack.name);
            self.out.push(stack.diagnostic(None, None, message, Some(IDENT_HELP.into())));
        }
        self.providers();
        self.variables_and_locals();
        for r in &stack.blocks {
            self.resource(r);
        }
        for m in stack.modules.values() {
            let text = format!("module.{}", m.name);
            let address = Place::Text(&text);
            self.identifier(address, "name", &m.name);
            for (input, value) in &m.inputs {
                self.expression(value, &Scope::at(address, Some(input)));
            }
        }
        self.outputs();
        self.refactor_blocks();
        for import in stack.unconnected() {
            let text = format!("data.terraform_remote_state.{}", import.stack.replace('-', "_"));
            let address = Place::Text(&text);
            let message = format!(
                "imports `{}.{}`, but stack `{}` was not built with it",
                import.stack, import.name, import.stack
            );
            let help = format!(
                "build both through one registry (`tfsynth synth`), which points the import at `{}`'s state",
                import.stack
            );
            self.report(address, None, message, Some(help));
        }
    }

    fn providers(&mut self) {
        for p in &self.stack.providers {
            let text = format!("provider.{}", p.reference().path());
            let address = Place::Text(&text);
            if let Some(alias) = &p.alias {
                self.identifier(address, "alias", alias);
            }
            if let Some(schema) = Schema::named(&p.name) {
                self.ephemeral_allowed = true;
                self.body(address, &Path::Root, &p.body, schema.provider());
                self.ephemeral_allowed = false;
            } else {
                let names = Schema::all().iter().map(Schema::name);
                let help = did_you_mean(&p.name, names).map_or_else(
                    || format!("vendor its schema with `cargo run --bin vendor-schema` ({})", vendored_list()),
                    |s| format!("did you mean `{s}`?"),
                );
                self.report(address, None, format!("unknown provider `{}`", p.name), Some(help));
            }
            self.expressions_in_body(&p.body, &Scope::at(address, None));
        }
    }

    fn variables_and_locals(&mut self) {
        for v in self.stack.variables.values() {
            let text = format!("variable.{}", v.name);
            let address = Place::Text(&text);
            self.identifier(address, "name", &v.name);
            if v.ty.parse::<hcl::Expression>().is_err() {
                let help = "write it as in HCL, e.g. `string`, `list(string)`, `map(number)`";
                self.report(address, Some("type"), format!("`{}` is not a type expression", v.ty), Some(help.into()));
            }
            if v.default.as_ref().is_some_and(|d| !d.is_literal()) {
                let help = "move the expression into a local";
                self.report(address, Some("default"), "a variable default must be a literal value", Some(help.into()));
            }
            for rule in &v.validations {
                self.expression(&rule.condition, &Scope::at(address, Some("validation")));
            }
        }
        for (name, value) in &self.stack.locals {
            let text = format!("local.{name}");
            let address = Place::Text(&text);
            self.identifier(address, "name", name);
            self.expression(value, &Scope::at(address, None));
        }
    }

    fn outputs(&mut self) {
        for o in self.stack.outputs.values() {
            let text = format!("output.{}", o.name);
            let address = Place::Text(&text);
            self.identifier(address, "name", &o.name);
            self.expression(&o.value, &Scope::at(address, Some("value")));
            for dep in &o.depends_on {
                self.traversal(dep, &Scope::at(address, Some("depends_on")));
            }
            self.no_ephemeral(address, "value", &o.value, "a root module's outputs are stored in the state");
            if !o.sensitive && self.reads_sensitive(&o.value) {
                let message = "the value reads a sensitive attribute, so Terraform refuses to show it";
                self.report(address, Some("value"), message, Some("mark the output with `.sensitive()`".into()));
            }
        }
    }

    fn identifier(&mut self, address: Place<'_>, what: &str, name: &str) {
        if !is_identifier(name) {
            let message = if name.is_empty() {
                format!("empty {what}")
            } else {
                format!("{what} `{name}` is not a valid Terraform identifier")
            };
            self.report(address, None, message, Some(IDENT_HELP.into()));
        }
    }

    pub(super) fn exists(&self, kind: Kind, ty: &str, name: &str) -> bool {
        self.find(kind, ty, name).is_some()
    }

    pub(super) fn find(&self, kind: Kind, ty: &str, name: &str) -> Option<&'a Resource> {
        self.index.get(&(kind, ty, name)).copied()
    }

    fn resource(&mut self, r: &'a Resource) {
        let address = Place::Block(r);
        self.identifier(address, "resource name", &r.address.name);
        let scope = Scope { address, path: Path::Root, repetition: r.repetition.as_ref() };
        if let Some(Repetition::Count(e) | Repetition::ForEach(e)) = &r.repetition {
            self.expression(e, &Scope::at(address, Some("count/for_each")));
            self.no_ephemeral(address, "count/for_each", e, "it decides which instances are stored in the state");
        }
        for dep in &r.depends_on {
            self.traversal(dep, &Scope::at(address, Some("depends_on")));
        }
        if let Some(p) = &r.provider
            && !self.stack.providers.iter().any(|q| q.reference() == *p)
        {
            let message = format!("provider configuration `{}` is not declared in the stack", p.path());
            let help = "add it with Stack::provider(Provider::aws(..).alias(..))";
            self.report(address, Some("provider"), message, Some(help.into()));
        }
        self.reads_ephemeral = false;
        self.expressions_in_body(&r.body, &scope);
        for check in &r.skipped_checks {
            let well_formed = check.id.split('_').count() >= 3
                && check.id.starts_with("CKV")
                && check.id.rsplit('_').next().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !well_formed {
                let help = "use the id checkov prints, e.g. CKV_AWS_260 or CKV2_AWS_5";
                self.report(
                    address,
                    Some("skip_check"),
                    format!("`{}` is not a checkov check id", check.id),
                    Some(help.into()),
                );
            }
            if check.reason.trim().is_empty() || check.reason.contains('\n') {
                let help = "say in one line why the check does not apply here";
                self.report(
                    address,
                    Some("skip_check"),
                    format!("waiver of {} has no reason", check.id),
                    Some(help.into()),
                );
            }
        }
        let Some(schema) = r.schema() else {
            // The closest name across every vendored provider: a misspelt prefix is a typo too.
            let names = Schema::all().iter().flat_map(|s| s.type_names(r.kind));
            let help = did_you_mean(&r.address.ty, names).map_or_else(
                || format!("no vendored provider has such a type ({})", vendored_list()),
                |s| format!("did you mean `{s}`?"),
            );
            self.report(address, None, format!("unknown {} `{}`", r.kind.describe(), r.address.ty), Some(help));
            return;
        };
        self.ephemeral_allowed = r.kind == Kind::Ephemeral;
        self.body(address, &Path::Root, &r.body, schema);
        self.ephemeral_allowed = false;
        for name in &r.lifecycle.ignore_changes {
            // `scaling_config[0].desired_size` names a path inside `scaling_config`.
            let root = name.split(['.', '[']).next().unwrap_or_default();
            if !schema.attributes.contains_key(root) && !schema.blocks.contains_key(root) && name != "all" {
                let help = did_you_mean(name, schema.settable_names()).map(|s| format!("did you mean `{s}`?"));
                let message = format!("`{name}` is not an attribute of {}", r.address.ty);
                self.report(address, Some("lifecycle.ignore_changes"), message, help);
            }
        }
        for (attribute, message, help) in rules::check(r) {
            self.report(address, Some(&attribute), message, Some(help));
        }
    }

    /// Checks a body's names, required arguments, literal types and block counts.
    fn body(&mut self, address: Place<'_>, path: &Path<'_>, body: &Body, schema: BlockSchema) {
        let at = |name: &str| path.child(name).text();
        for (name, item) in body.items() {
            self.item(address, &path.child(name), name, item, schema);
        }
        for name in schema.attributes.required() {
            if body.attribute(name).is_none() && body.blocks_of(name).is_empty() {
                let help = format!("set it with `.set(\"{name}\", ...)`");
                self.report(address, at(name).as_deref(), "missing required argument", Some(help));
            }
        }
        for (name, min_items) in schema.blocks.required() {
            if body.blocks_of(name).is_empty() && body.attribute(name).is_none() {
                let message = format!("at least {min_items} `{name}` block(s) required");
                let help = format!("add it with `.block(\"{name}\", Body::new()...)`");
                self.report(address, at(name).as_deref(), message, Some(help));
            }
        }
    }

    /// Checks one argument or block type of a body against the schema.
    fn item(&mut self, address: Place<'_>, path: &Path<'_>, name: &str, item: &Item, schema: BlockSchema) {
        let text = || path.text();
        // The other kind is looked up only when the item's own is missing (the arms below
        // tell the two apart): half the lookups for the usual item.
        let (attribute, block) = match item {
            Item::Attribute(_) => {
                schema.attributes.get(name).map_or_else(|| (None, schema.blocks.get(name)), |a| (Some(a), None))
            }
            Item::Blocks(_) => {
                schema.blocks.get(name).map_or_else(|| (schema.attributes.get(name), None), |b| (None, Some(b)))
            }
        };
        match (item, attribute, block) {
            (Item::Attribute(e), Some(a), _) => {
                if !a.write_only
                    && !self.ephemeral_allowed
                    && self.reads_ephemeral
                    && let Some(value) = self.ephemeral_in(e)
                {
                    let writable: Vec<&str> =
                        schema.attributes.iter().filter(|(_, a)| a.write_only).map(|(n, _)| n).collect();
                    let help = if writable.is_empty() {
                        EPHEMERAL_HELP.to_owned()
                    } else {
                        format!("set it through the write-only `{}` instead; {EPHEMERAL_HELP}", writable.join("`, `"))
                    };
                    let message = format!(
                        "takes the ephemeral value `{value}`, which Terraform never stores, but `{name}` is stored in the plan and state"
                    );
                    self.report(address, text().as_deref(), message, Some(help));
                } else if a.is_read_only() {
                    let help = format!("remove it and read it from the resource instead (`.attr(\"{name}\")`)");
                    self.report(
                        address,
                        text().as_deref(),
                        "is computed by the provider and cannot be set",
                        Some(help),
                    );
                } else if a.sensitive && holds_literal_text(e) {
                    let help = "pass it in through a sensitive variable (Variable::sensitive), read it from \
                                Secrets Manager, or let the service manage it (e.g. manage_master_user_password)";
                    let message = "is a secret, and a literal here would sit in plain text in the configuration";
                    self.report(address, text().as_deref(), message, Some(help.into()));
                } else if let Some((nesting, inner)) = a.nested {
                    self.nested(address, path, e, nesting, inner);
                } else if let Some(problem) = type_mismatch(e, &a.ty) {
                    self.report(address, text().as_deref(), problem, Some(format!("give a value of type {}", a.ty)));
                }
            }
            (Item::Attribute(_), None, Some(_)) => {
                let help = format!("use `.block(\"{name}\", Body::new()...)`");
                self.report(
                    address,
                    text().as_deref(),
                    format!("`{name}` is a nested block, not an attribute"),
                    Some(help),
                );
            }
            (Item::Blocks(bodies), _, Some(bt)) => {
                let n = bodies.len() as u64;
                if let Some(max) = bt.max().filter(|max| n > *max) {
                    let message = format!("{n} `{name}` blocks given, at most {max} allowed");
                    self.report(address, text().as_deref(), message, Some("merge them into one block".into()));
                }
                if n < bt.min_items {
                    let message = format!("{n} `{name}` blocks given, at least {} required", bt.min_items);
                    self.report(address, text().as_deref(), message, None);
                }
                for (i, b) in bodies.iter().enumerate() {
                    let p = if bt.max() == Some(1) { *path } else { path.indexed(i) };
                    self.body(address, &p, b, bt.block());
                }
            }
            // Attributes of list/set-of-object type may be written as blocks.
            (Item::Blocks(bodies), Some(a), None) => match a.ty.object_elements() {
                Some(fields) if !a.is_read_only() => {
                    for (i, b) in bodies.iter().enumerate() {
                        for (field, _) in b.items().filter(|(f, _)| !fields.contains_key(f)) {
                            let help = did_you_mean(field, fields.keys()).map(|s| format!("did you mean `{s}`?"));
                            let at = path.indexed(i).child(field).text();
                            self.report(address, at.as_deref(), format!("unknown argument `{field}`"), help);
                        }
                    }
                }
                _ => {
                    let help = format!("use `.set(\"{name}\", value)`");
                    self.report(
                        address,
                        text().as_deref(),
                        format!("`{name}` is an attribute, not a nested block"),
                        Some(help),
                    );
                }
            },
            (_, None, None) => {
                let help = rules::known_mistake(&address.to_string(), name)
                    .or_else(|| did_you_mean(name, schema.settable_names()).map(|s| format!("did you mean `{s}`?")));
                let what = if matches!(item, Item::Blocks(_)) { "block type" } else { "argument" };
                self.report(address, text().as_deref(), format!("unknown {what} `{name}`"), help);
            }
        }
    }

    /// Checks the literal objects of a nested-type attribute (`kubernetes = { host = ... }`)
    /// as a body: names, required attributes, computed ones and literal types. Expressions
    /// that are not literal objects are left to Terraform.
    fn nested(
        &mut self,
        address: Place<'_>,
        path: &Path<'_>,
        e: &Expression,
        nesting: Nesting,
        attributes: Attributes,
    ) {
        let objects: Vec<(Option<usize>, &Expression)> = match (nesting, e) {
            (Nesting::List | Nesting::Set, Expression::List(items)) => {
                items.iter().enumerate().map(|(i, v)| (Some(i), v)).collect()
            }
            (Nesting::Map, Expression::Object(items)) => items.values().map(|v| (None, v)).collect(),
            (Nesting::Single | Nesting::Group, e) => vec![(None, e)],
            _ => Vec::new(),
        };
        for (index, object) in objects {
            let Expression::Object(fields) = object else { continue };
            let at = index.map_or(*path, |i| path.indexed(i));
            for (field, value) in fields.iter() {
                let field_path = at.child(field);
                match attributes.get(field) {
                    None => {
                        let help = did_you_mean(field, attributes.keys()).map(|s| format!("did you mean `{s}`?"));
                        self.report(
                            address,
                            field_path.text().as_deref(),
                            format!("unknown attribute `{field}`"),
                            help,
                        );
                    }
                    Some(a) if a.is_read_only() => {
                        let help = "remove it: the provider computes it".to_owned();
                        let message = "is computed by the provider and cannot be set";
                        self.report(address, field_path.text().as_deref(), message, Some(help));
                    }
                    Some(a) => match a.nested {
                        Some((n, inner)) => self.nested(address, &field_path, value, n, inner),
                        None => {
                            if let Some(problem) = type_mismatch(value, &a.ty) {
                                let help = format!("give a value of type {}", a.ty);
                                self.report(address, field_path.text().as_deref(), problem, Some(help));
                            }
                        }
                    },
                }
            }
            for name in attributes.required().filter(|n| !fields.contains_key(*n)) {
                let help = format!("add `{name}` to the object");
                self.report(address, at.child(name).text().as_deref(), "missing required argument", Some(help));
            }
        }
    }

    /// Checks the expressions of a body, naming each by its attribute path.
    fn expressions_in_body(&mut self, body: &Body, scope: &Scope<'_>) {
        for (name, item) in body.items() {
            let path = scope.path.child(name);
            match item {
                Item::Attribute(e) => self.expression(e, &Scope { path, ..*scope }),
                Item::Blocks(bodies) => {
                    for (i, b) in bodies.iter().enumerate() {
                        let path = if bodies.len() == 1 { path } else { path.indexed(i) };
                        self.expressions_in_body(b, &Scope { path, ..*scope });
                    }
                }
            }
        }
    }

    pub(super) fn expression(&mut self, expr: &Expression, scope: &Scope<'_>) {
        // One walk checks every node and measures the nesting; too deep an expression is
        // reported alone.
        let found = self.out.len();
        let depth = self.checked(expr, scope);
        if depth > MAX_DEPTH {
            self.out.truncate(found);
            let help =
                format!("flatten it into locals; HCL parsers such as hcl-rs refuse more than {MAX_DEPTH} levels");
            self.report_at(scope, format!("expression nested {depth} levels deep"), Some(help));
        }
    }

    /// Checks `e` and everything inside it; how deeply it nests (1 for a leaf).
    fn checked(&mut self, e: &Expression, scope: &Scope<'_>) -> usize {
        self.check_one(e, scope);
        let mut deepest = 0;
        e.children(&mut |child| deepest = deepest.max(self.checked(child, scope)));
        deepest + 1
    }

    /// Checks one node (its children are visited separately by the walk).
    fn check_one(&mut self, e: &Expression, scope: &Scope<'_>) {
        match e {
            Expression::Traversal(t) => self.traversal(t, scope),
            Expression::Call(call) if !BUILTINS.contains(&call.name.as_str()) => {
                let help = did_you_mean(&call.name, BUILTINS.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                self.report_at(scope, format!("unknown function `{}`", call.name), help);
            }
            _ => {}
        }
    }

    fn traversal(&mut self, t: &Traversal, scope: &Scope<'_>) {
        if self.any_ephemeral {
            self.reads_ephemeral |= is_ephemeral(&t.root, &self.ephemeral);
        }
        match &t.root {
            Root::Resource(a) | Root::Data(a) | Root::Ephemeral(a) => {
                let kind = t.root.kind().unwrap_or(Kind::Managed);
                // Named only in problems: formatting it for every reference cost an allocation each.
                let shown = || t.object_path().unwrap_or_default();
                if a.stack.is_some_and(|id| id != self.stack.id) {
                    self.report_at(
                        scope,
                        format!("refers to `{}` of another stack", shown()),
                        Some(
                            "each stack is its own Terraform root; pass the value in through a variable or data source"
                                .into(),
                        ),
                    );
                    return;
                }
                let Some(target) = self.find(kind, &a.ty, &a.name) else {
                    self.report_at(
                        scope,
                        format!("refers to `{}`, which is not in the stack", shown()),
                        Some("add the resource to this stack with Stack::add and use the handle it returns".into()),
                    );
                    return;
                };
                self.instance_access(t, target, &shown, scope);
                if let (Some(first), Some(schema)) = (t.first_attribute(), target.schema())
                    && !schema.attributes.contains_key(first)
                    && !schema.blocks.contains_key(first)
                {
                    let help = did_you_mean(first, schema.attributes.keys()).map(|s| format!("did you mean `{s}`?"));
                    self.report_at(scope, format!("`{}` has no attribute `{first}`", shown()), help);
                }
            }
            Root::Var(n) if !self.stack.variables.contains_key(n) => {
                self.report_at(
                    scope,
                    format!("refers to `var.{n}`, which is not declared"),
                    Some("declare it with Stack::variable".into()),
                );
            }
            Root::Local(n) if !self.stack.locals.contains_key(n) => {
                self.report_at(
                    scope,
                    format!("refers to `local.{n}`, which is not declared"),
                    Some("declare it with Stack::local".into()),
                );
            }
            Root::Module(n) if !self.stack.modules.contains_key(n) => {
                self.report_at(
                    scope,
                    format!("refers to `module.{n}`, which is not declared"),
                    Some("add the call with Stack::module".into()),
                );
            }
            Root::CountIndex if !matches!(scope.repetition, Some(Repetition::Count(_))) => {
                self.report_at(
                    scope,
                    "`count.index` used in a block without `count`",
                    Some("set `.count(n)` on the resource".into()),
                );
            }
            Root::EachKey | Root::EachValue if !matches!(scope.repetition, Some(Repetition::ForEach(_))) => {
                self.report_at(
                    scope,
                    "`each` used in a block without `for_each`",
                    Some("set `.for_each(collection)` on the resource".into()),
                );
            }
            _ => {}
        }
    }

    /// A counted resource must be indexed (or splatted) before reading an attribute, and a
    /// single one must not be.
    fn instance_access(&mut self, t: &Traversal, target: &Resource, shown: &dyn Fn() -> String, scope: &Scope<'_>) {
        let repeated = target.repetition.is_some();
        match t.steps.first() {
            Some(Step::Attr(_)) if repeated => self.report_at(
                scope,
                format!("`{}` has count/for_each, so an instance must be chosen", shown()),
                Some("use `.at(index, attr)` or `.all(attr)` on the handle".into()),
            ),
            Some(Step::Index(_) | Step::Splat) if !repeated => self.report_at(
                scope,
                format!("`{}` has no count/for_each and cannot be indexed", shown()),
                Some("read the attribute directly with `.attr(..)`".into()),
            ),
            _ => {}
        }
    }

    /// The first ephemeral value `e` reads, as written: an ephemeral block's attribute or a
    /// local holding one.
    fn ephemeral_in(&self, e: &Expression) -> Option<String> {
        if !self.any_ephemeral {
            return None;
        }
        let mut found = None;
        e.walk(&mut |e| {
            if found.is_none()
                && let Expression::Traversal(t) = e
                && is_ephemeral(&t.root, &self.ephemeral)
            {
                found = Some(crate::render::render_expression(e));
            }
        });
        found
    }

    /// Reports an ephemeral value in `e`, which sits where nothing ephemeral may go (`why`).
    fn no_ephemeral(&mut self, address: Place<'_>, attribute: &str, e: &Expression, why: &str) {
        if let Some(value) = self.ephemeral_in(e) {
            let message = format!("takes the ephemeral value `{value}`, but {why}");
            self.report(address, Some(attribute), message, Some(EPHEMERAL_HELP.into()));
        }
    }

    fn reads_sensitive(&self, expr: &Expression) -> bool {
        let mut found = false;
        expr.walk(&mut |e| {
            if let Expression::Traversal(t) = e
                && let (Root::Resource(a) | Root::Data(a) | Root::Ephemeral(a), Some(first)) =
                    (&t.root, t.first_attribute())
            {
                let kind = t.root.kind().unwrap_or(Kind::Managed);
                found |= self
                    .find(kind, &a.ty, &a.name)
                    .and_then(Resource::schema)
                    .and_then(|s| s.attributes.get(first))
                    .is_some_and(|a| a.sensitive);
            }
        });
        found
    }
}

/// Whether `e` is plain data holding some non-empty text (a literal secret), as opposed to a
/// reference, a function call or a template.
fn holds_literal_text(e: &Expression) -> bool {
    let mut found = false;
    if e.is_literal() {
        e.walk(&mut |e| found |= matches!(e, Expression::String(s) if !s.is_empty()));
    }
    found
}

/// The deepest expression nesting accepted: hcl-rs stops at 64 levels, counting the blocks an
/// attribute sits in, and no real configuration comes near it.
const MAX_DEPTH: usize = 32;

const EPHEMERAL_HELP: &str = "an ephemeral value may go only into a write-only argument (`*_wo`), a provider configuration, another ephemeral block, or a local used only there";

/// The vendored providers, for messages: `aws 5.100.0, random 3.7.2, ...`.
fn vendored_list() -> String {
    let all: Vec<String> = Schema::all().iter().map(|s| format!("{} {}", s.name(), s.version())).collect();
    format!("vendored: {}", all.join(", "))
}

/// Whether a reference reads an ephemeral value: an ephemeral block, or one of the `locals`
/// known to hold one.
fn is_ephemeral(root: &Root, locals: &std::collections::BTreeSet<&str>) -> bool {
    match root {
        Root::Ephemeral(_) => true,
        Root::Local(n) => locals.contains(n.as_str()),
        _ => false,
    }
}

/// The locals of `stack` whose values are ephemeral: those reading an ephemeral block, and
/// those reading such a local (to a fixed point, as locals may refer to later ones).
fn ephemeral_locals(stack: &Stack) -> std::collections::BTreeSet<&str> {
    let mut found = std::collections::BTreeSet::new();
    loop {
        let before = found.len();
        for (name, value) in &stack.locals {
            let mut reads = false;
            value.walk(&mut |e| {
                if let Expression::Traversal(t) = e {
                    reads |= is_ephemeral(&t.root, &found);
                }
            });
            if reads {
                found.insert(name.as_str());
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

const IDENT_HELP: &str = "use a letter or underscore first, then letters, digits, underscores or dashes";

/// Why literal `e` cannot be a value of type `ty`, if it cannot. Non-literal expressions are
/// left to Terraform, which knows their types at plan.
fn type_mismatch(e: &Expression, ty: &Type) -> Option<String> {
    let shown = |e: &Expression| crate::render::render_expression(e);
    if matches!(e, Expression::Null) || *ty == Type::Dynamic {
        return None;
    }
    match (e, ty) {
        (Expression::String(s), Type::Number) if s.trim().parse::<f64>().is_err() => {
            Some(format!("{} is not a number", shown(e)))
        }
        (Expression::String(s), Type::Bool) if s != "true" && s != "false" => {
            Some(format!("{} is not a bool", shown(e)))
        }
        (Expression::Number(_), Type::Bool) | (Expression::Bool(_), Type::Number) => {
            Some(format!("{} is not a {ty}", shown(e)))
        }
        (Expression::List(_) | Expression::Object(_), Type::String | Type::Number | Type::Bool) => {
            Some(format!("a collection is not a {ty}"))
        }
        (
            Expression::String(_) | Expression::Number(_) | Expression::Bool(_),
            Type::List(_) | Type::Set(_) | Type::Map(_) | Type::Object(_) | Type::Tuple(_),
        ) => Some(format!("{} is not a {ty}", shown(e))),
        (Expression::List(items), Type::List(t) | Type::Set(t)) => items.iter().find_map(|i| type_mismatch(i, t)),
        (Expression::Object(_), Type::List(_) | Type::Set(_) | Type::Tuple(_)) => {
            Some(format!("an object is not a {ty}"))
        }
        (Expression::Object(map), Type::Map(t)) => map.values().find_map(|v| type_mismatch(v, t)),
        (Expression::Object(map), Type::Object(fields)) => map.iter().find_map(|(k, v)| match fields.get(k) {
            None => Some(format!("unknown object attribute `{k}`")),
            Some(t) => type_mismatch(v, t),
        }),
        _ => None,
    }
}
