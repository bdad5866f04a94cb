//! HCL expressions (as hcl-rs parses them) to the model's [`Expression`]s.
//!
//! Everything the model has a form for maps one to one. What it has none for becomes the
//! equivalent expression Terraform evaluates the same, with a [`Note`]: template directives
//! (`%{if}`, `%{for}`) become a conditional and a `join` over a `for`, object keys computed
//! at plan time become a `merge` of `zipmap`s.

use std::borrow::Cow;

use hcl::expr::{BinaryOperator, Operation, TraversalOperator, UnaryOperator};
use hcl::template::{Directive, Element};
use hcl::{ObjectKey, Template};
use indexmap::IndexMap;

use super::Note;
use crate::expr::{Address, BinaryOp, Call, Expression, ForExpr, Root, Step, TemplatePart, Traversal};

/// Converts expressions of one block, collecting what needs a person's look.
pub(crate) struct Reader<'a> {
    /// The block the expressions belong to, for notes (`aws_vpc.main`).
    pub at: String,
    pub notes: &'a mut Vec<Note>,
    /// Names bound by the `for` expressions around the one being read.
    bound: Vec<String>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(at: impl Into<String>, notes: &'a mut Vec<Note>) -> Self {
        Self { at: at.into(), notes, bound: Vec::new() }
    }

    /// With `names` bound around the expressions read (a `dynamic` block's iterator).
    pub(crate) fn bound_to(mut self, names: &[String]) -> Self {
        self.bound.extend_from_slice(names);
        self
    }

    fn note(&mut self, what: impl Into<String>) {
        self.notes.push(Note { at: self.at.clone(), what: what.into() });
    }

    /// The model's form of `e`.
    pub(crate) fn expression(&mut self, e: &hcl::Expression) -> Expression {
        use hcl::Expression as H;
        match e {
            H::Null => Expression::Null,
            H::Bool(b) => Expression::Bool(*b),
            H::Number(n) => number(n),
            H::String(s) => Expression::String(s.clone()),
            H::Array(items) => Expression::List(items.iter().map(|i| self.expression(i)).collect()),
            H::Object(entries) => self.object(entries),
            H::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => self.template(&template),
                Err(e) => {
                    self.note(format!("a template hcl-rs could not read ({e}); kept as literal text"));
                    Expression::String(t.to_string())
                }
            },
            H::Variable(v) => self.traversal(v.as_str(), &[]),
            H::Traversal(t) => match &t.expr {
                H::Variable(v) => self.traversal(v.as_str(), &t.operators),
                other => {
                    let root = Root::Expression(self.expression(other));
                    let steps = self.steps(&t.operators);
                    Expression::Traversal(Box::new(Traversal { root, steps }))
                }
            },
            H::FuncCall(f) => {
                let mut name: Vec<&str> = f.name.namespace.iter().map(hcl::Identifier::as_str).collect();
                name.push(f.name.name.as_str());
                Expression::Call(Box::new(Call {
                    name: name.join("::"),
                    args: f.args.iter().map(|a| self.expression(a)).collect(),
                    expand_final: f.expand_final,
                }))
            }
            H::Parenthesis(inner) => self.expression(inner),
            H::Conditional(c) => Expression::Conditional(Box::new([
                self.expression(&c.cond_expr),
                self.expression(&c.true_expr),
                self.expression(&c.false_expr),
            ])),
            H::Operation(op) => match op.as_ref() {
                Operation::Unary(u) => {
                    let inner = self.expression(&u.expr);
                    match u.operator {
                        UnaryOperator::Not => Expression::Not(Box::new(inner)),
                        UnaryOperator::Neg => Expression::Negate(Box::new(inner)),
                    }
                }
                Operation::Binary(b) => Expression::Binary(Box::new((
                    self.expression(&b.lhs_expr),
                    binary(b.operator),
                    self.expression(&b.rhs_expr),
                ))),
            },
            H::ForExpr(f) => {
                if f.grouping {
                    self.note("a `for` expression groups values (`...`), which the model cannot say; it keeps the last value per key");
                }
                let collection = self.expression(&f.collection_expr);
                let (key, value, condition) = self.binding(f.key_var.as_ref(), &f.value_var, |r| {
                    let key = f.key_expr.as_ref().map(|k| r.expression(k));
                    let condition = f.cond_expr.as_ref().map(|c| r.expression(c));
                    (key, r.expression(&f.value_expr), condition)
                });
                Expression::For(Box::new(ForExpr {
                    key_var: f.key_var.as_ref().map(ToString::to_string),
                    value_var: f.value_var.to_string(),
                    collection,
                    key,
                    value,
                    condition,
                }))
            }
            other => {
                self.note(format!("an expression hcl-rs reads in a way tfsynth does not know: {other}"));
                Expression::String(other.to_string())
            }
        }
    }

    /// `{ ... }`: literal keys as they are; keys computed at plan time (`(var.k) = v`) have no
    /// place in the model's objects, so such an object becomes `merge` of its runs, each key
    /// computed a `zipmap` of one entry (later keys win in both).
    fn object(&mut self, entries: &hcl::Object<ObjectKey, hcl::Expression>) -> Expression {
        let mut runs: Vec<Expression> = Vec::new();
        let mut literal: IndexMap<Cow<'static, str>, Expression> = IndexMap::new();
        for (key, value) in entries {
            let value = self.expression(value);
            match self.key(key) {
                Ok(k) => {
                    literal.insert(Cow::Owned(k), value);
                }
                Err(k) => {
                    if !literal.is_empty() {
                        runs.push(Expression::Object(Box::new(std::mem::take(&mut literal))));
                    }
                    runs.push(call("zipmap", vec![Expression::List(vec![k]), Expression::List(vec![value])]));
                }
            }
        }
        if runs.is_empty() {
            return Expression::Object(Box::new(literal));
        }
        self.note("an object key is computed at plan time; written as `merge` of `zipmap`s, which makes a map: its values must share a type");
        if !literal.is_empty() {
            runs.push(Expression::Object(Box::new(literal)));
        }
        call("merge", runs)
    }

    /// A literal key, or the expression of a computed one.
    fn key(&mut self, key: &ObjectKey) -> Result<String, Expression> {
        match key {
            ObjectKey::Identifier(i) => Ok(i.to_string()),
            // A bare name is its text, as Terraform reads it.
            ObjectKey::Expression(hcl::Expression::Variable(v)) => Ok(v.to_string()),
            ObjectKey::Expression(e) => match self.expression(e) {
                Expression::String(s) => Ok(s),
                other => Err(other),
            },
            other => Err(Expression::String(other.to_string())),
        }
    }

    /// A template's parts; a single interpolation is its value (Terraform does not convert it
    /// to a string), and text only is a string.
    fn template(&mut self, template: &Template) -> Expression {
        let mut parts = Vec::new();
        for element in template.elements() {
            match element {
                Element::Literal(text) => parts.push(TemplatePart::Literal(text.clone())),
                Element::Interpolation(i) => {
                    if i.strip.strip_start() || i.strip.strip_end() {
                        self.note("a `~` strip marker in a template is dropped: check the whitespace around it");
                    }
                    match self.expression(&i.expr) {
                        // `${"$"}`, which renderers write before an interpolation, is text.
                        Expression::String(s) => parts.push(TemplatePart::Literal(s)),
                        e => parts.push(TemplatePart::Interpolation(e)),
                    }
                }
                Element::Directive(d) => {
                    let e = self.directive(d);
                    parts.push(TemplatePart::Interpolation(e));
                }
            }
        }
        joined(parts)
    }

    /// `%{if}` and `%{for}` as the expressions Terraform evaluates the same: a conditional of
    /// the two templates, and `join("", [for … : template])`.
    fn directive(&mut self, directive: &Directive) -> Expression {
        self.note("a template directive (`%{if}` or `%{for}`) is written as an expression; check its whitespace");
        match directive {
            Directive::If(d) => {
                let condition = self.expression(&d.cond_expr);
                let then = stringly(self.template(&d.true_template));
                let otherwise =
                    d.false_template.as_ref().map_or(Expression::String(String::new()), |t| stringly(self.template(t)));
                Expression::Conditional(Box::new([condition, then, otherwise]))
            }
            Directive::For(d) => {
                let collection = self.expression(&d.collection_expr);
                let value = self.binding(d.key_var.as_ref(), &d.value_var, |r| stringly(r.template(&d.template)));
                let each = Expression::For(Box::new(ForExpr {
                    key_var: d.key_var.as_ref().map(ToString::to_string),
                    value_var: d.value_var.to_string(),
                    collection,
                    key: None,
                    value,
                    condition: None,
                }));
                call("join", vec![Expression::String(String::new()), each])
            }
        }
    }

    /// `read` with the names a `for` binds in scope, so references to them stay names.
    fn binding<T>(
        &mut self,
        key: Option<&hcl::Identifier>,
        value: &hcl::Identifier,
        read: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let depth = self.bound.len();
        self.bound.extend(key.into_iter().chain([value]).map(ToString::to_string));
        let out = read(self);
        self.bound.truncate(depth);
        out
    }

    /// A reference starting at the variable `name`.
    fn traversal(&mut self, name: &str, operators: &[TraversalOperator]) -> Expression {
        let attr = |i: usize| match operators.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.to_string()),
            _ => None,
        };
        let (root, used) = if self.bound.iter().any(|b| b == name) {
            (Root::Iterator(name.to_owned()), 0)
        } else {
            match (name, attr(0), attr(1)) {
                ("var", Some(n), _) => (Root::Var(n), 1),
                ("local", Some(n), _) => (Root::Local(n), 1),
                ("module", Some(n), _) => (Root::Module(n), 1),
                ("count", Some(n), _) if n == "index" => (Root::CountIndex, 1),
                ("each", Some(n), _) if n == "key" => (Root::EachKey, 1),
                ("each", Some(n), _) if n == "value" => (Root::EachValue, 1),
                ("data", Some(ty), Some(n)) => (Root::Data(Address::new(ty, n)), 2),
                ("ephemeral", Some(ty), Some(n)) => (Root::Ephemeral(Address::new(ty, n)), 2),
                // Terraform's own objects read as they are written.
                ("path" | "terraform" | "self", _, _) => (Root::Iterator(name.to_owned()), 0),
                (ty, Some(n), _) if ty.contains('_') => (Root::Resource(Address::new(ty, n)), 1),
                _ => {
                    self.note(format!("`{name}` names nothing this configuration declares"));
                    (Root::Iterator(name.to_owned()), 0)
                }
            }
        };
        let steps = self.steps(&operators[used..]);
        Expression::Traversal(Box::new(Traversal { root, steps }))
    }

    fn steps(&mut self, operators: &[TraversalOperator]) -> Vec<Step> {
        operators
            .iter()
            .map(|op| match op {
                TraversalOperator::GetAttr(a) => Step::Attr(Cow::Owned(a.to_string())),
                TraversalOperator::Index(e) => Step::Index(self.expression(e)),
                TraversalOperator::LegacyIndex(i) => Step::Index(Expression::Number((*i).into())),
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => Step::Splat,
            })
            .collect()
    }
}

fn call(name: &str, args: Vec<Expression>) -> Expression {
    Expression::Call(Box::new(Call { name: name.to_owned(), args, expand_final: false }))
}

/// Adjacent literal parts joined; one literal is a string, one interpolation its value.
fn joined(parts: Vec<TemplatePart>) -> Expression {
    let mut merged: Vec<TemplatePart> = Vec::new();
    for part in parts {
        match (merged.last_mut(), part) {
            (Some(TemplatePart::Literal(a)), TemplatePart::Literal(b)) => a.push_str(&b),
            (_, part) => merged.push(part),
        }
    }
    match merged.as_slice() {
        [] => Expression::String(String::new()),
        [TemplatePart::Literal(s)] => Expression::String(s.clone()),
        [TemplatePart::Interpolation(_)] => match merged.pop() {
            Some(TemplatePart::Interpolation(e)) => e,
            _ => unreachable!(),
        },
        _ => Expression::Template(merged),
    }
}

/// A template part's value as a string, as the template would have made it.
fn stringly(e: Expression) -> Expression {
    match e {
        Expression::String(_) | Expression::Template(_) => e,
        other => Expression::Template(vec![TemplatePart::Interpolation(other)]),
    }
}

fn number(n: &hcl::Number) -> Expression {
    let number = if n.is_f64() {
        n.as_f64().and_then(serde_json::Number::from_f64).unwrap_or_else(|| 0.into())
    } else if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64).unwrap_or_else(|| 0.into())
    };
    Expression::Number(number)
}

fn binary(op: BinaryOperator) -> BinaryOp {
    match op {
        BinaryOperator::Eq => BinaryOp::Eq,
        BinaryOperator::NotEq => BinaryOp::NotEq,
        BinaryOperator::LessEq => BinaryOp::LessEq,
        BinaryOperator::GreaterEq => BinaryOp::GreaterEq,
        BinaryOperator::Less => BinaryOp::Less,
        BinaryOperator::Greater => BinaryOp::Greater,
        BinaryOperator::Plus => BinaryOp::Add,
        BinaryOperator::Minus => BinaryOp::Sub,
        BinaryOperator::Mul => BinaryOp::Mul,
        BinaryOperator::Div => BinaryOp::Div,
        BinaryOperator::Mod => BinaryOp::Mod,
        BinaryOperator::And => BinaryOp::And,
        BinaryOperator::Or => BinaryOp::Or,
    }
}
