//! HCL native syntax (`*.tf`), written directly in the layout `terraform fmt` produces, so the
//! file is already canonical: blank lines around blocks, `=` aligned across consecutive
//! single-line attributes, `jsonencode` documents across lines.

use std::borrow::Cow;

use crate::expr::{Expression, Traversal};
use crate::model::{Body, Ids, Item, Lifecycle, Repetition, Resource, Stack, TerraformSettings};

use super::json::COMMENT;
use super::skip_comments;
use super::syntax::{aligned_widths, assignment, escape_hcl, is_multiline, push_indent, value};

/// One entry of a body.
enum Node<'a> {
    Attribute(&'a str, Value<'a>),
    Block(Block<'a>),
}

/// A block: its type and labels, the `# checkov:skip=...` comments checkov reads on the lines
/// after its header, and its body.
struct Block<'a> {
    header: String,
    comments: Vec<String>,
    body: Vec<Node<'a>>,
}

/// An attribute's value.
enum Value<'a> {
    Expr(Cow<'a, Expression>),
    /// `jsonencode(document)`, the document written across lines as people write policies and
    /// container definitions, so a one-value change is a one-line diff.
    Json(&'a Expression),
    /// Text written as is: a type constraint or a bare path.
    Raw(String),
    /// A list of bare paths (`depends_on`, `ignore_changes`).
    Paths(Vec<String>),
}

impl Value<'_> {
    fn string(s: &str) -> Self {
        Value::Expr(Cow::Owned(Expression::String(s.to_owned())))
    }

    fn is_multiline(&self) -> bool {
        match self {
            Value::Expr(e) => is_multiline(e),
            Value::Json(_) => true,
            Value::Raw(_) => false,
            Value::Paths(p) => !p.is_empty(),
        }
    }

    fn write(&self, indent: usize, out: &mut String) {
        match self {
            Value::Expr(e) => value(e, indent, out),
            Value::Json(document) => {
                out.push_str("jsonencode(");
                value(document, indent, out);
                out.push(')');
            }
            Value::Raw(text) => out.push_str(text),
            Value::Paths(paths) => {
                out.push_str("[\n");
                for (i, p) in paths.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                    }
                    push_indent(indent + 1, out);
                    out.push_str(p);
                }
                out.push('\n');
                push_indent(indent, out);
                out.push(']');
            }
        }
    }
}

/// Renders a stack as HCL that `terraform fmt` leaves unchanged.
pub fn render(stack: &Stack) -> String {
    // About 1 KiB per block: one allocation instead of a dozen doublings on large stacks.
    let mut top = TopLevel { out: String::with_capacity(1024 * (stack.blocks.len() + 16)), any: false };
    top.out.push_str("# ");
    top.out.push_str(COMMENT);
    top.out.push_str("\n\n");
    let effective = stack.terraform.for_stack(stack);
    let settings = terraform(&effective);
    if !settings.body.is_empty() {
        top.push(&Node::Block(settings));
    }
    for p in &stack.providers {
        let mut body = Vec::new();
        if let Some(alias) = &p.alias {
            body.push(Node::Attribute("alias", Value::string(alias)));
        }
        body_nodes(&p.body, &mut body);
        top.push(&block("provider", &[&p.name], body));
    }
    for v in stack.variables.values() {
        let mut body = vec![Node::Attribute("type", Value::Raw(type_text(&v.ty)))];
        if let Some(d) = &v.description {
            body.push(Node::Attribute("description", Value::string(d)));
        }
        if let Some(default) = &v.default {
            body.push(Node::Attribute("default", Value::Expr(Cow::Borrowed(default))));
        }
        if v.sensitive {
            body.push(Node::Attribute("sensitive", Value::Expr(Cow::Owned(true.into()))));
        }
        if let Some(n) = v.nullable {
            body.push(Node::Attribute("nullable", Value::Expr(Cow::Owned(n.into()))));
        }
        for rule in &v.validations {
            let rule = vec![
                Node::Attribute("condition", Value::Expr(Cow::Borrowed(&rule.condition))),
                Node::Attribute("error_message", Value::string(&rule.error_message)),
            ];
            body.push(block("validation", &[], rule));
        }
        top.push(&block("variable", &[&v.name], body));
    }
    if !stack.locals.is_empty() {
        let body = stack.locals.iter().map(|(k, v)| Node::Attribute(k, Value::Expr(Cow::Borrowed(v)))).collect();
        top.push(&block("locals", &[], body));
    }
    for r in &stack.blocks {
        let Node::Block(mut b) = block(r.kind.keyword(), &[&r.address.ty, &r.address.name], resource_body(r)) else {
            unreachable!("block() builds a block")
        };
        b.comments = skip_comments(stack, r);
        top.push(&Node::Block(b));
    }
    for m in stack.modules.values() {
        let mut body = vec![Node::Attribute("source", Value::string(&m.source))];
        if let Some(v) = &m.version {
            body.push(Node::Attribute("version", Value::string(v)));
        }
        body.extend(m.inputs.iter().map(|(k, v)| Node::Attribute(k, Value::Expr(Cow::Borrowed(v)))));
        top.push(&block("module", &[&m.name], body));
    }
    for o in stack.outputs.values() {
        let mut body = vec![Node::Attribute("value", Value::Expr(Cow::Borrowed(&o.value)))];
        if let Some(d) = &o.description {
            body.push(Node::Attribute("description", Value::string(d)));
        }
        if o.sensitive {
            body.push(Node::Attribute("sensitive", Value::Expr(Cow::Owned(true.into()))));
        }
        if !o.depends_on.is_empty() {
            body.push(Node::Attribute("depends_on", references(&o.depends_on)));
        }
        top.push(&block("output", &[&o.name], body));
    }
    for m in &stack.moved {
        let body = vec![
            Node::Attribute("from", Value::Raw(m.from.to_string())),
            Node::Attribute("to", Value::Raw(m.to.to_string())),
        ];
        top.push(&block("moved", &[], body));
    }
    refactor_blocks(stack, &mut top);
    top.out
}

/// The `import` and `removed` blocks.
fn refactor_blocks(stack: &Stack, top: &mut TopLevel) {
    for a in &stack.adoptions {
        let body = match &a.ids {
            Ids::One(id) => vec![
                Node::Attribute("to", Value::Raw(a.to.to_string())),
                Node::Attribute("id", Value::Expr(Cow::Borrowed(id))),
            ],
            Ids::Each(ids) => vec![
                Node::Attribute("for_each", Value::Expr(Cow::Borrowed(ids))),
                Node::Attribute("to", Value::Raw(format!("{}[each.key]", a.to))),
                Node::Attribute("id", Value::Raw("each.value".into())),
            ],
        };
        top.push(&block("import", &[], body));
    }
    for r in &stack.removed {
        let destroy = Node::Attribute("destroy", Value::Expr(Cow::Owned(r.destroy.into())));
        let lifecycle = block("lifecycle", &[], vec![destroy]);
        let body = vec![Node::Attribute("from", Value::Raw(r.from.to_string())), lifecycle];
        let Node::Block(mut b) = block("removed", &[], body) else { unreachable!("block() builds a block") };
        if r.destroy {
            b.comments = vec![format!("destroyed on purpose: {}", r.reason)];
        }
        top.push(&Node::Block(b));
    }
}

/// The file's top-level blocks, each written out as it is built (a blank line between two),
/// so a large stack's tree of nodes is never held whole.
struct TopLevel {
    out: String,
    any: bool,
}

impl TopLevel {
    fn push(&mut self, node: &Node<'_>) {
        if self.any {
            self.out.push('\n');
        }
        self.any = true;
        write_body(std::slice::from_ref(node), 0, &mut self.out);
    }
}

/// Writes a body's entries at `indent`: a blank line between a block and its neighbours, the
/// `=` of each run of single-line attributes aligned.
fn write_body(nodes: &[Node], indent: usize, out: &mut String) {
    let mut widths = Vec::with_capacity(nodes.len());
    aligned_widths(
        nodes.iter().map(|n| match n {
            Node::Attribute(key, v) => (*key, v.is_multiline()),
            Node::Block(_) => ("", true),
        }),
        &mut widths,
    );
    for (i, (node, width)) in nodes.iter().zip(widths).enumerate() {
        let after_block = i > 0 && matches!(nodes[i - 1], Node::Block(_));
        match node {
            Node::Attribute(key, v) => {
                if after_block {
                    out.push('\n');
                }
                assignment(key, width, indent, out);
                v.write(indent, out);
                out.push('\n');
            }
            Node::Block(b) => {
                if i > 0 {
                    out.push('\n');
                }
                write_block(b, indent, out);
            }
        }
    }
}

fn write_block(b: &Block, indent: usize, out: &mut String) {
    push_indent(indent, out);
    out.push_str(&b.header);
    if b.body.is_empty() && b.comments.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    for comment in &b.comments {
        push_indent(indent + 1, out);
        out.push_str("# ");
        out.push_str(comment);
        out.push('\n');
    }
    write_body(&b.body, indent + 1, out);
    push_indent(indent, out);
    out.push_str("}\n");
}

fn block<'a>(ident: &str, labels: &[&str], body: Vec<Node<'a>>) -> Node<'a> {
    let mut header = String::from(ident);
    for label in labels {
        header.push_str(" \"");
        escape_hcl(label, &mut header);
        header.push('"');
    }
    Node::Block(Block { header, comments: Vec::new(), body })
}

/// A variable's type constraint in canonical layout. Validation checked that it parses; an
/// unparsable one is written as given, which keeps rendering total.
fn type_text(ty: &str) -> String {
    ty.parse::<hcl::Expression>().ok().and_then(|e| hcl::format::to_string(&e).ok()).unwrap_or_else(|| ty.to_owned())
}

fn terraform(t: &TerraformSettings) -> Block<'_> {
    let mut body = Vec::new();
    if let Some(v) = &t.required_version {
        body.push(Node::Attribute("required_version", Value::string(v)));
    }
    if !t.required_providers.is_empty() {
        let providers = t.required_providers.iter().map(|(name, p)| {
            let source: Expression = [("source", &p.source), ("version", &p.version)].into_iter().collect();
            Node::Attribute(name, Value::Expr(Cow::Owned(source)))
        });
        body.push(block("required_providers", &[], providers.collect()));
    }
    if let Some(backend) = &t.backend {
        let args = backend.arguments().into_iter().map(|(k, v)| Node::Attribute(k, Value::Expr(Cow::Owned(v))));
        body.push(block("backend", &["s3"], args.collect()));
    }
    Block { header: "terraform".into(), comments: Vec::new(), body }
}

fn resource_body(r: &Resource) -> Vec<Node<'_>> {
    let mut body = Vec::new();
    match &r.repetition {
        Some(Repetition::Count(n)) => body.push(Node::Attribute("count", Value::Expr(Cow::Borrowed(n)))),
        Some(Repetition::ForEach(c)) => body.push(Node::Attribute("for_each", Value::Expr(Cow::Borrowed(c)))),
        None => {}
    }
    if let Some(p) = &r.provider {
        body.push(Node::Attribute("provider", Value::Raw(p.path())));
    }
    body_nodes(&r.body, &mut body);
    if !r.depends_on.is_empty() {
        body.push(Node::Attribute("depends_on", references(&r.depends_on)));
    }
    if !r.lifecycle.is_empty() {
        body.push(lifecycle(&r.lifecycle));
    }
    body
}

fn lifecycle(l: &Lifecycle) -> Node<'_> {
    let mut body = Vec::new();
    if l.create_before_destroy {
        body.push(Node::Attribute("create_before_destroy", Value::Expr(Cow::Owned(true.into()))));
    }
    if l.prevent_destroy {
        body.push(Node::Attribute("prevent_destroy", Value::Expr(Cow::Owned(true.into()))));
    }
    if !l.ignore_changes.is_empty() {
        body.push(Node::Attribute("ignore_changes", Value::Paths(l.ignore_changes.clone())));
    }
    block("lifecycle", &[], body)
}

fn body_nodes<'a>(body: &'a Body, out: &mut Vec<Node<'a>>) {
    for (name, item) in body.items() {
        match item {
            Item::Attribute(e) => out.push(Node::Attribute(name, attribute_value(e))),
            Item::Blocks(bodies) => {
                for b in bodies {
                    let mut nested = Vec::new();
                    body_nodes(b, &mut nested);
                    out.push(block(name, &[], nested));
                }
            }
        }
    }
}

/// An attribute's value: `jsonencode` of a non-empty document is written across lines.
fn attribute_value(e: &Expression) -> Value<'_> {
    match e {
        Expression::Call(call)
            if call.name == "jsonencode"
                && call.args.len() == 1
                && !call.expand_final
                && is_multiline(&call.args[0]) =>
        {
            Value::Json(&call.args[0])
        }
        _ => Value::Expr(Cow::Borrowed(e)),
    }
}

fn references(refs: &[Traversal]) -> Value<'_> {
    Value::Paths(refs.iter().filter_map(Traversal::object_path).collect())
}
