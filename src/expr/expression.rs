//! The untyped expression tree shared by both renderers.

use std::borrow::Cow;

use indexmap::IndexMap;
use serde_json::Number;

use super::traversal::Traversal;

/// A Terraform expression, kept as structure so that each renderer can write it in its own syntax.
///
/// Literal strings are plain data: the renderers escape `${` and `%{` in them, so a literal
/// can never turn into an interpolation by accident.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Expression {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number literal.
    Number(Number),
    /// A literal string (escaped on output).
    String(String),
    /// A tuple/list constructor `[a, b]`.
    List(Vec<Expression>),
    /// An object constructor `{ key = value }`; keys are literal strings.
    Object(Box<IndexMap<Cow<'static, str>, Expression>>),
    /// A string template: literal parts and `${...}` interpolations.
    Template(Vec<TemplatePart>),
    /// A reference such as `aws_vpc.main.id` or `var.region`.
    Traversal(Box<Traversal>),
    /// A function call such as `cidrsubnet(var.cidr, 4, 1)`.
    Call(Box<Call>),
    /// `cond ? then : else`.
    Conditional(Box<[Expression; 3]>),
    /// A binary operation `a op b`.
    Binary(Box<(Expression, BinaryOp, Expression)>),
    /// `!a`.
    Not(Box<Expression>),
    /// `-a`.
    Negate(Box<Expression>),
    /// A `for` expression.
    For(Box<ForExpr>),
}

/// One piece of a string template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text (escaped on output).
    Literal(String),
    /// An interpolated expression `${...}`.
    Interpolation(Expression),
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name, e.g. `jsonencode`.
    pub name: String,
    /// The arguments, in order.
    pub args: Vec<Expression>,
    /// Whether the last argument is expanded with `...`.
    pub expand_final: bool,
}

/// The binary operators of the Terraform language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BinaryOp {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

/// A `for` expression: `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    /// The key (or index) variable name, if bound.
    pub key_var: Option<String>,
    /// The value variable name.
    pub value_var: String,
    /// The collection iterated over.
    pub collection: Expression,
    /// For object results, the key expression.
    pub key: Option<Expression>,
    /// The value expression.
    pub value: Expression,
    /// An optional filter.
    pub condition: Option<Expression>,
}

impl Expression {
    /// Whether this expression holds no reference, call or operator anywhere, i.e. it is plain data.
    pub fn is_literal(&self) -> bool {
        match self {
            Self::Null | Self::Bool(_) | Self::Number(_) | Self::String(_) => true,
            Self::List(items) => items.iter().all(Self::is_literal),
            Self::Object(map) => map.values().all(Self::is_literal),
            _ => false,
        }
    }

    /// Calls `visit` on this expression and every expression nested in it, depth first.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expression)) {
        visit(self);
        self.children(&mut |child| child.walk(visit));
    }

    /// Replaces, bottom-up, every expression inside this one (and this one) by what `rewrite`
    /// returns for it: `None` keeps it. For transformations of a finished model, e.g. standing
    /// in for resources an emulator cannot create.
    pub fn rewrite(&mut self, rewrite: &mut dyn FnMut(&Expression) -> Option<Expression>) {
        match self {
            Self::Null | Self::Bool(_) | Self::Number(_) | Self::String(_) => {}
            Self::List(items) => items.iter_mut().for_each(|e| e.rewrite(rewrite)),
            Self::Object(map) => map.values_mut().for_each(|e| e.rewrite(rewrite)),
            Self::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Interpolation(e) = part {
                        e.rewrite(rewrite);
                    }
                }
            }
            Self::Traversal(t) => t.rewrite_children(rewrite),
            Self::Call(call) => call.args.iter_mut().for_each(|e| e.rewrite(rewrite)),
            Self::Conditional(parts) => parts.iter_mut().for_each(|e| e.rewrite(rewrite)),
            Self::Binary(b) => {
                b.0.rewrite(rewrite);
                b.2.rewrite(rewrite);
            }
            Self::Not(e) | Self::Negate(e) => e.rewrite(rewrite),
            Self::For(f) => {
                f.collection.rewrite(rewrite);
                if let Some(k) = &mut f.key {
                    k.rewrite(rewrite);
                }
                f.value.rewrite(rewrite);
                if let Some(c) = &mut f.condition {
                    c.rewrite(rewrite);
                }
            }
        }
        if let Some(new) = rewrite(self) {
            *self = new;
        }
    }

    /// Calls `visit` on the expressions directly inside this one (not their children), in
    /// source order.
    pub fn children<'a>(&'a self, visit: &mut dyn FnMut(&'a Expression)) {
        match self {
            Self::Null | Self::Bool(_) | Self::Number(_) | Self::String(_) => {}
            Self::List(items) => items.iter().for_each(visit),
            Self::Object(map) => map.values().for_each(visit),
            Self::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Interpolation(e) = part {
                        visit(e);
                    }
                }
            }
            Self::Traversal(t) => t.children(visit),
            Self::Call(call) => call.args.iter().for_each(visit),
            Self::Conditional(parts) => parts.iter().for_each(visit),
            Self::Binary(b) => {
                visit(&b.0);
                visit(&b.2);
            }
            Self::Not(e) | Self::Negate(e) => visit(e),
            Self::For(f) => {
                visit(&f.collection);
                if let Some(k) = &f.key {
                    visit(k);
                }
                visit(&f.value);
                if let Some(c) = &f.condition {
                    visit(c);
                }
            }
        }
    }
}

impl From<&str> for Expression {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Expression {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&String> for Expression {
    fn from(s: &String) -> Self {
        Self::String(s.clone())
    }
}

impl From<bool> for Expression {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Expression {
            fn from(n: $t) -> Self {
                Self::Number(n.into())
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Expression {
    /// Non-finite floats have no Terraform literal and become `null`.
    fn from(f: f64) -> Self {
        Number::from_f64(f).map_or(Self::Null, Self::Number)
    }
}

impl<T: Into<Expression>> From<Vec<T>> for Expression {
    fn from(items: Vec<T>) -> Self {
        Self::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Expression> + Clone> From<&[T]> for Expression {
    fn from(items: &[T]) -> Self {
        Self::List(items.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Into<Expression>, const N: usize> From<[T; N]> for Expression {
    fn from(items: [T; N]) -> Self {
        Self::List(items.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<Cow<'static, str>>, V: Into<Expression>> FromIterator<(K, V)> for Expression {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::Object(Box::new(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect()))
    }
}

impl From<serde_json::Value> for Expression {
    /// Plain JSON data becomes literal data (strings stay literals and are escaped on output).
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => Self::Number(n),
            Value::String(s) => Self::String(s),
            Value::Array(a) => Self::List(a.into_iter().map(Into::into).collect()),
            Value::Object(o) => Self::Object(Box::new(o.into_iter().map(|(k, v)| (Cow::Owned(k), v.into())).collect())),
        }
    }
}
