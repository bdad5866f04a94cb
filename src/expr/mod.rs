//! Expressions and references.
//!
//! An [`Expression`] is a tree, never a string: a reference such as `aws_vpc.main.id` is a
//! [`Traversal`] whose root names the resource, so each renderer writes it in its own syntax
//! (`"${aws_vpc.main.id}"` in JSON, `aws_vpc.main.id` in HCL) and the validator can check that
//! it points at something in the stack. [`Expr<T>`] adds the Terraform type on top.

mod expression;
mod func;
mod template;
mod traversal;
mod typed;

pub use expression::{BinaryOp, Call, Expression, ForExpr, TemplatePart};
pub use func::{
    BUILTINS, call, cidrsubnet, count_index, each_key, each_value, element, for_entries, for_list, for_map, for_object,
    iterator, jsonencode, length, lookup, merge,
};
pub use template::{IntoTemplatePart, template};
pub use traversal::{Address, Root, StackId, Step, Traversal};
pub use typed::{Any, Expr, List, Map, Num, ValueType};

/// `var.name`: a reference to an input variable declared in the stack.
pub fn var(name: &str) -> Expr<Any> {
    root(Root::Var(name.to_owned()))
}

/// `local.name`: a reference to a local value declared in the stack.
pub fn local(name: &str) -> Expr<Any> {
    root(Root::Local(name.to_owned()))
}

/// `module.name`: the outputs of a module call declared in the stack.
pub fn module(name: &str) -> Expr<Any> {
    root(Root::Module(name.to_owned()))
}

fn root(root: Root) -> Expr<Any> {
    Expr::from_expression(Expression::Traversal(Box::new(Traversal::new(root))))
}

/// Whether `s` is a valid Terraform identifier: an ASCII letter or `_`, then letters, digits,
/// `_` or `-`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
