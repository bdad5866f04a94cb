//! A stack in the model written out as the Rust that builds it: builder calls, with the
//! handles `Stack::add`, `Stack::variable`, `Stack::local` and `Stack::module` return standing
//! for the references (`aws_vpc_main.id()`), in an order where each handle is made before it
//! is used.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use super::Note;
use crate::expr::{BinaryOp, Expression, Root, Step, TemplatePart, Traversal};
use crate::model::{Body, Endpoint, Ids, Item, Kind, Repetition, Stack, TerraformSettings};

/// The Rust source of a stack module in the shape of the README's "Add a stack": its `DEF`
/// for the registry of the crate's `Env`, `build(env)`, and `add(stack)`, which adds
/// everything `stack` holds; each note is a `// convert:` comment where it applies (the rest
/// at the top). `source` is where the configuration was read from, for the documentation.
pub fn rust(stack: &Stack, notes: &[Note], source: &str) -> String {
    let mut w = Writer { handles: HashMap::new(), taken: BTreeSet::new(), imports: BTreeSet::new() };
    let name = stack.name();
    let mut out = String::new();
    let _ = write!(
        out,
        "/// The registry entry.\npub const DEF: StackDef<Env> = StackDef {{\n    name: {name:?},\n    description: {:?},\n    build,\n    settings: None,\n}};\n\n",
        format!("Converted from {source}")
    );
    let _ = write!(
        out,
        "/// The stack in `env`: the converted configuration, the same in every environment until\n/// what differs moves into settings.\npub fn build(env: Env) -> Stack {{\n    let mut stack = Stack::new({name:?}, env.name()).with_tier(env.tier());\n    add(&mut stack);\n    stack\n}}\n\n"
    );
    out.push_str("/// Adds the converted configuration to `stack`.\n");
    out.push_str("#[allow(unused_variables, clippy::too_many_lines)]\n");
    out.push_str("pub fn add(stack: &mut Stack) {\n");
    for n in notes.iter().filter(|n| !is_block(stack, &n.at)) {
        let _ = writeln!(out, "    // convert: {}: {}", n.at, n.what);
    }
    terraform(&mut out, stack);
    for item in order(stack) {
        w.named(&mut out, &item, notes);
    }
    w.refactoring(&mut out, stack, notes);
    out.push_str("}\n");
    let mut head = format!("//! The `{name}` stack, converted by `tfsynth convert` from `{source}`.\n");
    head.push_str("//!\n//! Look at each `// convert:` comment: it says what did not carry over exactly.\n\n");
    head.push_str("use super::Env;\n");
    if !w.imports.is_empty() {
        let names: Vec<&str> = w.imports.iter().copied().collect();
        let _ = writeln!(head, "use tfsynth::expr::{{{}}};", names.join(", "));
    }
    head.push_str("use tfsynth::prelude::*;\n\n");
    head + &out
}

/// Whether `at` names a block the writer places a note beside.
fn is_block(stack: &Stack, at: &str) -> bool {
    stack.blocks().iter().any(|b| b.path() == at)
        || at.strip_prefix("var.").is_some_and(|n| stack.variables().any(|v| v.name() == n))
        || at.strip_prefix("local.").is_some_and(|n| stack.locals().any(|(l, _)| l == n))
        || at.strip_prefix("module.").is_some_and(|n| stack.modules().any(|m| m.name == n))
        || at.strip_prefix("output.").is_some_and(|n| stack.outputs().any(|o| o.name() == n))
}

/// A variable, local, module call or block: what handles are made for.
enum Named<'a> {
    Provider(&'a crate::model::Provider),
    Variable(&'a crate::model::Variable),
    Local(&'a str, &'a Expression),
    Module(&'a crate::model::ModuleCall),
    Block(&'a crate::model::Resource),
}

impl Named<'_> {
    /// How references to it start: `var.x`, `local.x`, `module.x`, `aws_vpc.main`.
    fn path(&self) -> String {
        match self {
            Named::Provider(p) => format!("provider {}", provider_path(p)),
            Named::Variable(v) => format!("var.{}", v.name()),
            Named::Local(name, _) => format!("local.{name}"),
            Named::Module(m) => format!("module.{}", m.name),
            Named::Block(r) => r.path(),
        }
    }

    /// The paths of what it refers to.
    fn uses(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut refer = |e: &Expression| {
            if let Expression::Traversal(t) = e {
                out.extend(root_path(t));
            }
        };
        match self {
            Named::Provider(p) => p.body().walk(&mut refer),
            Named::Variable(v) => {
                v.default.iter().chain(v.validations.iter().map(|c| &c.condition)).for_each(|e| e.walk(&mut refer));
            }
            Named::Local(_, e) => e.walk(&mut refer),
            Named::Module(m) => m.inputs.values().for_each(|e| e.walk(&mut refer)),
            Named::Block(r) => {
                if let Some(Repetition::Count(e) | Repetition::ForEach(e)) = r.repetition() {
                    e.walk(&mut refer);
                }
                r.body().walk(&mut refer);
                out.extend(r.dependencies().iter().filter_map(Traversal::object_path));
                out.extend(r.provider_ref().map(|p| format!("provider {}", p.path())));
            }
        }
        out
    }
}

/// The path a traversal's root names, if it names something a handle stands for.
fn root_path(t: &Traversal) -> Option<String> {
    match &t.root {
        Root::Var(n) => Some(format!("var.{n}")),
        Root::Local(n) => Some(format!("local.{n}")),
        _ => t.object_path(),
    }
}

/// Variables, locals, module calls and blocks in the stack's order, except that each comes
/// after what it refers to (Terraform does not care about order; `let` does).
fn order(stack: &Stack) -> Vec<Named<'_>> {
    let mut pending: Vec<(Named<'_>, String, BTreeSet<String>)> = stack
        .providers()
        .iter()
        .map(Named::Provider)
        .chain(stack.variables().map(Named::Variable))
        .chain(stack.locals().map(|(n, e)| Named::Local(n, e)))
        .chain(stack.modules().map(Named::Module))
        .chain(stack.blocks().iter().map(Named::Block))
        .map(|n| {
            let (path, uses) = (n.path(), n.uses());
            (n, path, uses)
        })
        .collect();
    let known: BTreeSet<String> = pending.iter().map(|(_, path, _)| path.clone()).collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let ready = |(_, path, uses): &(Named<'_>, String, BTreeSet<String>)| {
            uses.iter().all(|u| placed.contains(u) || !known.contains(u) || u == path)
        };
        // The first of its kind when possible: each kind renders in the order it was added.
        let first_of_kind = |i: usize| pending[..i].iter().all(|(n, _, _)| kind(n) != kind(&pending[i].0));
        let next = (0..pending.len())
            .find(|&i| first_of_kind(i) && ready(&pending[i]))
            .or_else(|| pending.iter().position(ready))
            // A cycle (which Terraform refuses too): keep the stack's order.
            .unwrap_or(0);
        let (next, path, _) = pending.remove(next);
        placed.insert(path);
        out.push(next);
    }
    out
}

/// Which of the stack's lists a named item goes into (each renders in insertion order).
fn kind(n: &Named<'_>) -> u8 {
    match n {
        Named::Provider(_) => 0,
        Named::Variable(_) => 1,
        Named::Local(..) => 2,
        Named::Module(_) => 3,
        Named::Block(_) => 4,
    }
}

/// `aws` or `aws.west`.
fn provider_path(p: &crate::model::Provider) -> String {
    p.alias_name().map_or_else(|| p.name().to_owned(), |a| format!("{}.{a}", p.name()))
}

fn address(a: &crate::expr::Address) -> String {
    format!("Address::new({:?}, {:?})", a.ty, a.name)
}

fn endpoint(e: &Endpoint) -> String {
    match e {
        Endpoint::Resource(a) => address(a),
        Endpoint::InModule(m, a) => format!("Endpoint::in_module({m:?}, {})", address(a)),
        Endpoint::Module(m) => format!("Endpoint::module({m:?})"),
    }
}

/// Handles by the path references use, and the Rust names taken.
struct Writer {
    handles: HashMap<String, String>,
    taken: BTreeSet<String>,
    /// What the code uses from `tfsynth::expr` beyond the prelude.
    imports: BTreeSet<&'static str>,
}

impl Writer {
    /// A fresh Rust name for what `path` names, from `wanted`.
    fn handle(&mut self, path: &str, wanted: &str) -> String {
        let mut name: String =
            wanted.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(&name) {
            name.insert(0, '_');
        }
        let base = name.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.handles.insert(path.to_owned(), name.clone());
        name
    }

    /// One provider, variable, local, module call or block, with the notes about it.
    fn named(&mut self, out: &mut String, item: &Named<'_>, notes: &[Note]) {
        match *item {
            Named::Provider(p) => {
                let mut call = format!("Provider::new({:?})", p.name());
                if let Some(alias) = p.alias_name() {
                    let _ = write!(call, ".alias({alias:?})");
                }
                call.push_str(&self.arguments(p.body(), 2));
                let path = provider_path(p);
                let handle = self.handle(&format!("provider {path}"), &format!("provider_{path}"));
                let _ = writeln!(out, "    let {handle} = stack.provider({call});");
            }
            Named::Variable(v) => {
                let mut call = format!("Variable::new({:?}, {:?})", v.name(), v.type_expression());
                if let Some(d) = &v.default {
                    let _ = write!(call, ".default({})", self.expr(d, 2));
                }
                if let Some(d) = &v.description {
                    let _ = write!(call, ".description({d:?})");
                }
                if v.sensitive {
                    call.push_str(".sensitive()");
                }
                if let Some(n) = v.nullable {
                    let _ = write!(call, ".nullable({n})");
                }
                for check in &v.validations {
                    let _ = write!(
                        call,
                        ".validation(Expr::from_expression({}), {:?})",
                        self.expression(&check.condition, 2),
                        check.error_message
                    );
                }
                note_at(out, notes, &format!("var.{}", v.name()));
                // Made after the call: a validation refers to its own variable by name.
                let handle = self.handle(&format!("var.{}", v.name()), &format!("var_{}", v.name()));
                let _ = writeln!(out, "    let {handle} = stack.variable({call});");
            }
            Named::Local(name, value) => {
                let handle = self.handle(&format!("local.{name}"), &format!("local_{name}"));
                note_at(out, notes, &format!("local.{name}"));
                let _ = writeln!(out, "    let {handle} = stack.local({name:?}, {});", self.expr(value, 1));
            }
            Named::Module(m) => {
                let handle = self.handle(&format!("module.{}", m.name), &format!("module_{}", m.name));
                let mut call = format!("ModuleCall::new({:?}, {:?})", m.name, m.source);
                if let Some(v) = &m.version {
                    let _ = write!(call, ".version({v:?})");
                }
                for (k, v) in &m.inputs {
                    let _ = write!(call, ".input({k:?}, {})", self.expr(v, 2));
                }
                note_at(out, notes, &format!("module.{}", m.name));
                let _ = writeln!(out, "    let {handle} = stack.module({call});");
            }
            Named::Block(r) => self.block(out, r, notes),
        }
    }

    /// A resource, data source or ephemeral block.
    fn block(&mut self, out: &mut String, r: &crate::model::Resource, notes: &[Note]) {
        let path = r.path();
        let handle = self
            .handle(&path, &format!("{}{}_{}", r.kind().prefix().replace('.', "_"), r.address().ty, r.address().name));
        let constructor = match r.kind() {
            Kind::Managed => "new",
            Kind::Data => "data",
            Kind::Ephemeral => "ephemeral",
        };
        let mut call = format!("Resource::{constructor}({:?}, {:?})", r.address().ty, r.address().name);
        match r.repetition() {
            Some(Repetition::Count(n)) => {
                let _ = write!(call, ".count({})", self.expr(n, 2));
            }
            Some(Repetition::ForEach(c)) => {
                let _ = write!(call, ".for_each({})", self.expr(c, 2));
            }
            None => {}
        }
        call.push_str(&self.arguments(r.body(), 2));
        for d in r.dependencies() {
            let path = d.object_path().unwrap_or_default();
            match self.handles.get(&path) {
                Some(h) if !path.starts_with("module.") => {
                    let _ = write!(call, ".depends_on(&{h})");
                }
                _ => {
                    let _ =
                        writeln!(out, "    // convert: `depends_on = [{path}]` has no form in tfsynth; not converted");
                }
            }
        }
        if let Some(p) = r.provider_ref() {
            let handle = self.handles.get(&format!("provider {}", p.path())).cloned();
            match handle {
                Some(h) => {
                    let _ = write!(call, ".provider(&{h})");
                }
                None => {
                    let _ = writeln!(out, "    // convert: `provider = {}` names no provider block", p.path());
                }
            }
        }
        let l = r.lifecycle();
        if l.prevent_destroy {
            call.push_str(".prevent_destroy()");
        }
        if l.create_before_destroy {
            call.push_str(".create_before_destroy()");
        }
        if !l.ignore_changes.is_empty() {
            let _ = write!(call, ".ignore_changes({:?})", l.ignore_changes);
        }
        for check in r.skipped_checks() {
            let _ = write!(call, ".skip_check({:?}, {:?})", check.id, check.reason);
        }
        note_at(out, notes, &path);
        let _ = writeln!(out, "    let {handle} = stack.add({call});");
    }

    /// Outputs, then the `moved`, `import` and `removed` blocks.
    fn refactoring(&mut self, out: &mut String, stack: &Stack, notes: &[Note]) {
        for o in stack.outputs() {
            let mut call = format!("Output::new({:?}, {})", o.name(), self.expr(&o.value, 2));
            if let Some(d) = &o.description {
                let _ = write!(call, ".description({d:?})");
            }
            if o.sensitive {
                call.push_str(".sensitive()");
            }
            for d in &o.depends_on {
                let path = d.object_path().unwrap_or_default();
                match self.handles.get(&path) {
                    Some(h) if !path.starts_with("module.") => {
                        let _ = write!(call, ".depends_on(&{h})");
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "    // convert: `depends_on = [{path}]` has no form in tfsynth; not converted"
                        );
                    }
                }
            }
            note_at(out, notes, &format!("output.{}", o.name()));
            let _ = writeln!(out, "    stack.output({call});");
        }
        for m in stack.moved_blocks() {
            let _ = writeln!(out, "    stack.moved(Moved::between({}, {}));", endpoint(m.from()), endpoint(m.to()));
        }
        for a in stack.adoptions() {
            let handle = self.handles.get(&a.to().to_string()).cloned().unwrap_or_else(|| a.to().to_string());
            let (method, ids) = match &a.ids {
                Ids::One(id) => ("adopt", id),
                Ids::Each(ids) => ("adopt_each", ids),
            };
            let _ = writeln!(out, "    stack.{method}(&{handle}, {});", self.expr(ids, 1));
        }
        for r in stack.removed_blocks() {
            let from = address(r.from());
            if r.destroys() {
                let _ = writeln!(out, "    stack.remove(Removed::destroy({from}, {:?}));", r.reason);
            } else {
                let _ = writeln!(out, "    stack.remove(Removed::forget({from}));");
            }
        }
    }

    /// `code`, noting that it uses `name` from `tfsynth::expr`.
    fn import(&mut self, name: &'static str, code: String) -> String {
        self.imports.insert(name);
        code
    }

    /// `.set(..)` and `.block(..)` calls for a body.
    fn arguments(&mut self, body: &Body, depth: usize) -> String {
        let mut out = String::new();
        for (name, item) in body.items() {
            match item {
                Item::Attribute(e) => {
                    let _ = write!(out, ".set({name:?}, {})", self.expr(e, depth));
                }
                Item::Blocks(blocks) => {
                    for b in blocks {
                        let _ = write!(out, ".block({name:?}, Body::new(){})", self.arguments(b, depth + 1));
                    }
                }
            }
        }
        out
    }

    /// `e` as an argument that takes `impl Into<Expression>`: literals, references, calls and
    /// templates bare, lists of strings as `vec![..]`.
    fn expr(&mut self, e: &Expression, depth: usize) -> String {
        match e {
            Expression::String(s) => format!("{s:?}"),
            Expression::Bool(b) => b.to_string(),
            Expression::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => n.to_string(),
            Expression::List(items)
                if !items.is_empty() && items.iter().all(|i| matches!(i, Expression::String(_))) =>
            {
                let items: Vec<String> = items.iter().map(|i| self.expr(i, depth + 1)).collect();
                format!("vec![{}]", items.join(", "))
            }
            Expression::Traversal(t) => self.traversal(t, depth),
            Expression::Call(c) if !c.expand_final => self.call(&c.name, &c.args, depth),
            Expression::Template(parts) => self.template(parts, depth),
            _ => self.expression(e, depth),
        }
    }

    fn call(&mut self, name: &str, args: &[Expression], depth: usize) -> String {
        if let ("jsonencode", [value]) = (name, args) {
            return format!("jsonencode({})", self.expr(value, depth + 1));
        }
        let args: Vec<String> = args.iter().map(|a| self.expression(a, depth + 1)).collect();
        format!("call::<Any>({name:?}, [{}])", args.join(", "))
    }

    fn template(&mut self, parts: &[TemplatePart], depth: usize) -> String {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => format!("TemplatePart::Literal({s:?}.into())"),
                TemplatePart::Interpolation(e) => {
                    format!("TemplatePart::Interpolation({})", self.expression(e, depth + 1))
                }
            })
            .collect();
        self.imports.extend(["TemplatePart", "template"]);
        format!("template([{}])", parts.join(", "))
    }

    /// `e` as a value of type `Expression`.
    fn expression(&mut self, e: &Expression, depth: usize) -> String {
        match e {
            Expression::Null => "Expression::Null".to_owned(),
            Expression::Bool(b) => format!("Expression::from({b})"),
            Expression::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => format!("Expression::from({i}_i64)"),
                (None, Some(f)) if n.is_f64() => format!("Expression::from({f:?}_f64)"),
                _ => format!("Expression::from({n}_u64)"),
            },
            Expression::String(s) => format!("Expression::from({s:?})"),
            Expression::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expression(i, depth + 1)).collect();
                format!("Expression::List(vec![{}])", items.join(", "))
            }
            Expression::Object(map) => {
                if map.is_empty() {
                    return "Expression::Object(Box::default())".to_owned();
                }
                let entries: Vec<String> =
                    map.iter().map(|(k, v)| format!("({k:?}, {})", self.expression(v, depth + 1))).collect();
                format!("Expression::from_iter([{}])", entries.join(", "))
            }
            Expression::Template(parts) => format!("Expression::from({})", self.template(parts, depth)),
            Expression::Traversal(t) => format!("Expression::from({})", self.traversal(t, depth)),
            Expression::Call(c) if !c.expand_final => {
                format!("Expression::from({})", self.call(&c.name, &c.args, depth))
            }
            Expression::Call(c) => {
                let args: Vec<String> = c.args.iter().map(|a| self.expression(a, depth + 1)).collect();
                format!(
                    "Expression::Call(Box::new(tfsynth::expr::Call {{ name: {:?}.into(), args: vec![{}], expand_final: true }}))",
                    c.name,
                    args.join(", ")
                )
            }
            Expression::Conditional(parts) => {
                let [c, t, f] = parts.as_ref();
                format!(
                    "Expression::Conditional(Box::new([{}, {}, {}]))",
                    self.expression(c, depth + 1),
                    self.expression(t, depth + 1),
                    self.expression(f, depth + 1)
                )
            }
            Expression::Binary(b) => {
                let (lhs, rhs) = (self.expression(&b.0, depth + 1), self.expression(&b.2, depth + 1));
                self.import("BinaryOp", format!("Expression::Binary(Box::new(({lhs}, BinaryOp::{}, {rhs})))", op(b.1)))
            }
            Expression::Not(e) => format!("Expression::Not(Box::new({}))", self.expression(e, depth + 1)),
            Expression::Negate(e) => format!("Expression::Negate(Box::new({}))", self.expression(e, depth + 1)),
            Expression::For(f) => {
                let opt = |w: &mut Self, e: &Option<Expression>| {
                    e.as_ref().map_or_else(|| "None".to_owned(), |e| format!("Some({})", w.expression(e, depth + 1)))
                };
                let key = opt(self, &f.key);
                let condition = opt(self, &f.condition);
                self.imports.insert("ForExpr");
                let key_var = f.key_var.as_ref().map_or_else(|| "None".to_owned(), |k| format!("Some({k:?}.into())"));
                format!(
                    "Expression::For(Box::new(ForExpr {{ key_var: {key_var}, value_var: {:?}.into(), collection: {}, key: {key}, value: {}, condition: {condition} }}))",
                    f.value_var,
                    self.expression(&f.collection, depth + 1),
                    self.expression(&f.value, depth + 1)
                )
            }
        }
    }

    /// A reference through its handle, as an `Expr`: `aws_vpc_main.id()`.
    fn traversal(&mut self, t: &Traversal, depth: usize) -> String {
        let handle = root_path(t).and_then(|p| self.handles.get(&p).cloned());
        let mut steps: &[Step] = &t.steps;
        let mut out = match (&t.root, handle) {
            (Root::Resource(_) | Root::Data(_) | Root::Ephemeral(_), Some(h)) => match steps {
                [Step::Attr(a)] if a == "id" || a == "arn" => {
                    steps = &[];
                    format!("{h}.{a}()")
                }
                [Step::Attr(a), ..] => {
                    let first = format!("{h}.attr({a:?})");
                    steps = &steps[1..];
                    first
                }
                _ => format!("{h}.whole()"),
            },
            (Root::Var(_) | Root::Local(_) | Root::Module(_), Some(h)) => format!("{h}.clone()"),
            (Root::Var(n), None) => format!("var({n:?})"),
            (Root::Local(n), None) => format!("local({n:?})"),
            (Root::Module(n), None) => format!("module({n:?})"),
            (Root::CountIndex, _) => "count_index()".to_owned(),
            (Root::EachKey, _) => "each_key()".to_owned(),
            (Root::EachValue, _) => "each_value()".to_owned(),
            (Root::Iterator(n), _) => self.import("iterator", format!("iterator({n:?})")),
            (Root::Expression(e), _) => format!("Expr::<Any>::from_expression({})", self.expression(e, depth + 1)),
            (root, None) => {
                let root = match root {
                    Root::Resource(a) => format!("Root::Resource({})", address(a)),
                    Root::Data(a) => format!("Root::Data({})", address(a)),
                    Root::Ephemeral(a) => format!("Root::Ephemeral({})", address(a)),
                    _ => "Root::Iterator(String::new())".to_owned(),
                };
                self.imports.extend(["Root", "Traversal"]);
                format!("Expr::<Any>::from_expression(Expression::Traversal(Box::new(Traversal::new({root}))))")
            }
        };
        for step in steps {
            match step {
                Step::Attr(a) => {
                    let _ = write!(out, ".attr({a:?})");
                }
                Step::Index(i) => {
                    let _ = write!(out, ".index({})", self.expression(i, depth + 1));
                }
                Step::Splat => out.push_str(".splat()"),
            }
        }
        out
    }
}

fn op(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Eq => "Eq",
        BinaryOp::NotEq => "NotEq",
        BinaryOp::Less => "Less",
        BinaryOp::LessEq => "LessEq",
        BinaryOp::Greater => "Greater",
        BinaryOp::GreaterEq => "GreaterEq",
        BinaryOp::Add => "Add",
        BinaryOp::Sub => "Sub",
        BinaryOp::Mul => "Mul",
        BinaryOp::Div => "Div",
        BinaryOp::Mod => "Mod",
        BinaryOp::And => "And",
        BinaryOp::Or => "Or",
    }
}

fn is_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
        "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "self", "static", "struct", "super", "trait", "true", "try", "type", "unsafe", "use", "where", "while",
        "yield",
    ];
    KEYWORDS.contains(&name)
}

/// The `terraform` block's settings, when the configuration has any.
fn terraform(out: &mut String, stack: &Stack) {
    let t = stack.terraform_settings();
    if *t == TerraformSettings::default() {
        return;
    }
    out.push_str("    let settings = stack.terraform();\n");
    if let Some(v) = &t.required_version {
        let _ = writeln!(out, "    settings.required_version = Some({v:?}.into());");
    }
    for (name, p) in &t.required_providers {
        let _ = writeln!(
            out,
            "    settings.required_providers.insert({name:?}.into(), RequiredProvider::new({:?}, {:?}));",
            p.source, p.version
        );
    }
    if let Some(b) = &t.backend {
        let _ = writeln!(
            out,
            "    settings.backend = Some(S3Backend {{ bucket: {:?}.into(), key: {:?}.into(), region: {:?}.into(), encrypt: {}, use_lockfile: {} }});",
            b.bucket, b.key, b.region, b.encrypt, b.use_lockfile
        );
    }
}

/// The notes about `at`, as comments.
fn note_at(out: &mut String, notes: &[Note], at: &str) {
    for n in notes.iter().filter(|n| n.at == at) {
        let _ = writeln!(out, "    // convert: {}", n.what);
    }
}
