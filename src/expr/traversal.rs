//! References: a root object followed by attribute, index and splat steps.

use std::borrow::Cow;
use std::fmt;

use super::Expression;

/// Identifies the [`Stack`](crate::model::Stack) a resource reference was handed out by, so a
/// reference carried into another stack is caught at synth instead of at plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StackId(pub(crate) u64);

/// The object a reference starts from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Root {
    /// A managed resource, `aws_vpc.main`.
    Resource(Address),
    /// A data source, `data.aws_region.current`.
    Data(Address),
    /// An ephemeral resource, `ephemeral.random_password.db`.
    Ephemeral(Address),
    /// An input variable, `var.name`.
    Var(String),
    /// A local value, `local.name`.
    Local(String),
    /// A module call's outputs, `module.name`.
    Module(String),
    /// `count.index`.
    CountIndex,
    /// `each.key`.
    EachKey,
    /// `each.value`.
    EachValue,
    /// A variable bound by an enclosing `for` expression.
    Iterator(String),
    /// Any other expression, e.g. a function call whose result is indexed.
    Expression(Expression),
}

impl Root {
    /// The kind of block the root names, if it names one.
    pub fn kind(&self) -> Option<crate::model::Kind> {
        use crate::model::Kind;
        match self {
            Root::Resource(_) => Some(Kind::Managed),
            Root::Data(_) => Some(Kind::Data),
            Root::Ephemeral(_) => Some(Kind::Ephemeral),
            _ => None,
        }
    }
}

/// The address of a resource or data source: its type and the name the author gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// The resource type, e.g. `aws_vpc`.
    pub ty: String,
    /// The local name, e.g. `main`.
    pub name: String,
    /// The stack that handed the reference out (`None` for addresses built by hand, e.g. in diagnostics).
    pub(crate) stack: Option<StackId>,
}

impl Address {
    /// An address with no owning stack, for messages and lookups.
    pub fn new(ty: impl Into<String>, name: impl Into<String>) -> Self {
        Self { ty: ty.into(), name: name.into(), stack: None }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.ty, self.name)
    }
}

/// One step after the root of a traversal.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name`.
    Attr(Cow<'static, str>),
    /// `[expr]`.
    Index(Expression),
    /// `[*]`.
    Splat,
}

/// A reference expression: a root and the steps after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Traversal {
    /// Where the reference starts.
    pub root: Root,
    /// The steps applied to the root, in order.
    pub steps: Vec<Step>,
}

impl Traversal {
    /// A traversal of `root` with no steps yet.
    pub fn new(root: Root) -> Self {
        Self { root, steps: Vec::new() }
    }

    /// The traversal with one more step.
    #[must_use]
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// The name of the first attribute read from the root, skipping an index or splat
    /// (`aws_subnet.public[0].id` gives `id`).
    pub fn first_attribute(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::Attr(a) => Some(a.as_ref()),
            _ => None,
        })
    }

    /// The bare `type.name` (or `data.type.name`) that `depends_on` and `provider` want, if the
    /// traversal is a plain reference to a resource or data source.
    pub fn object_path(&self) -> Option<String> {
        match &self.root {
            Root::Resource(a) => Some(a.to_string()),
            Root::Data(a) => Some(format!("data.{a}")),
            Root::Ephemeral(a) => Some(format!("ephemeral.{a}")),
            Root::Module(m) => Some(format!("module.{m}")),
            _ => None,
        }
    }

    /// Rewrites the expressions inside this traversal: its root expression and index steps.
    pub(super) fn rewrite_children(&mut self, rewrite: &mut dyn FnMut(&Expression) -> Option<Expression>) {
        if let Root::Expression(e) = &mut self.root {
            e.rewrite(rewrite);
        }
        for step in &mut self.steps {
            if let Step::Index(e) = step {
                e.rewrite(rewrite);
            }
        }
    }

    /// Calls `visit` on the expressions directly inside this traversal: its root expression
    /// and index steps (not their children).
    pub(super) fn children<'a>(&'a self, visit: &mut dyn FnMut(&'a Expression)) {
        if let Root::Expression(e) = &self.root {
            visit(e);
        }
        for step in &self.steps {
            if let Step::Index(e) = step {
                visit(e);
            }
        }
    }
}
