//! `Expr<T>`: an expression tagged with the Terraform type it evaluates to.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::traversal::{Root, Step, Traversal};
use super::{BinaryOp, Expression};

/// Marker for an expression whose type is not tracked (the generic builder's reads).
#[derive(Debug, Clone, Copy)]
pub enum Any {}
/// Marker for a Terraform `number`.
#[derive(Debug, Clone, Copy)]
pub enum Num {}
/// Marker for a Terraform `list(T)`.
#[derive(Debug, Clone, Copy)]
pub struct List<T>(PhantomData<T>);
/// Marker for a Terraform `map(T)`.
#[derive(Debug, Clone, Copy)]
pub struct Map<T>(PhantomData<T>);

/// A Terraform type an [`Expr`] can be tagged with, named as `terraform show -json` and state
/// files name types: `"string"`, `["list","string"]`.
pub trait ValueType {
    /// The type in Terraform's JSON type syntax.
    fn json() -> String;
}

impl ValueType for String {
    fn json() -> String {
        r#""string""#.into()
    }
}

impl ValueType for Num {
    fn json() -> String {
        r#""number""#.into()
    }
}

impl ValueType for bool {
    fn json() -> String {
        r#""bool""#.into()
    }
}

impl ValueType for Any {
    fn json() -> String {
        r#""dynamic""#.into()
    }
}

impl<T: ValueType> ValueType for List<T> {
    fn json() -> String {
        format!(r#"["list",{}]"#, T::json())
    }
}

impl<T: ValueType> ValueType for Map<T> {
    fn json() -> String {
        format!(r#"["map",{}]"#, T::json())
    }
}

/// An expression that evaluates to a value of Terraform type `T`.
///
/// `Expr<String>` is a string, `Expr<Num>` a number, `Expr<bool>` a bool, `Expr<List<T>>` and
/// `Expr<Map<T>>` collections, and `Expr<Any>` an untracked type. Literals convert in with
/// `From`/`Into`, so builders take `impl Into<Expr<String>>` and accept both `"text"` and a
/// reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr<T = Any> {
    expr: Expression,
    ty: PhantomData<fn() -> T>,
}

impl<T> Expr<T> {
    /// Wraps an untyped expression, asserting its type.
    pub fn from_expression(expr: Expression) -> Self {
        Self { expr, ty: PhantomData }
    }

    /// The untyped expression.
    pub fn expression(&self) -> &Expression {
        &self.expr
    }

    /// The same expression with its type forgotten.
    pub fn erase(self) -> Expr<Any> {
        Expr::from_expression(self.expr)
    }

    /// The same expression viewed as type `U`: for values whose type only the author knows
    /// (a `for` result, an attribute read through the generic builder).
    pub fn typed<U>(self) -> Expr<U> {
        Expr::from_expression(self.expr)
    }

    fn traverse(self, step: Step) -> Expr<Any> {
        let traversal = match self.expr {
            Expression::Traversal(t) => t.step(step),
            other => Traversal::new(Root::Expression(other)).step(step),
        };
        Expr::from_expression(Expression::Traversal(Box::new(traversal)))
    }

    /// Reads attribute `name`: `expr.name`.
    pub fn attr(self, name: impl Into<Cow<'static, str>>) -> Expr<Any> {
        self.traverse(Step::Attr(name.into()))
    }

    /// Indexes a list or map: `expr[index]`.
    pub fn index(self, index: impl Into<Expression>) -> Expr<Any> {
        self.traverse(Step::Index(index.into()))
    }

    /// The full splat `expr[*]`, usually followed by [`attr`](Self::attr).
    pub fn splat(self) -> Expr<Any> {
        self.traverse(Step::Splat)
    }

    fn binary<U>(self, op: BinaryOp, rhs: impl Into<Expression>) -> Expr<U> {
        Expr::from_expression(Expression::Binary(Box::new((self.expr, op, rhs.into()))))
    }

    /// `self == rhs`.
    pub fn equals(self, rhs: impl Into<Expression>) -> Expr<bool> {
        self.binary(BinaryOp::Eq, rhs)
    }

    /// `self != rhs`.
    pub fn not_equals(self, rhs: impl Into<Expression>) -> Expr<bool> {
        self.binary(BinaryOp::NotEq, rhs)
    }
}

impl Expr<Num> {
    /// `self + rhs`.
    pub fn plus(self, rhs: impl Into<Expr<Num>>) -> Expr<Num> {
        self.binary(BinaryOp::Add, rhs.into())
    }

    /// `self - rhs`.
    pub fn minus(self, rhs: impl Into<Expr<Num>>) -> Expr<Num> {
        self.binary(BinaryOp::Sub, rhs.into())
    }

    /// `self * rhs`.
    pub fn times(self, rhs: impl Into<Expr<Num>>) -> Expr<Num> {
        self.binary(BinaryOp::Mul, rhs.into())
    }

    /// `self < rhs`.
    pub fn less_than(self, rhs: impl Into<Expr<Num>>) -> Expr<bool> {
        self.binary(BinaryOp::Less, rhs.into())
    }

    /// `self > rhs`.
    pub fn greater_than(self, rhs: impl Into<Expr<Num>>) -> Expr<bool> {
        self.binary(BinaryOp::Greater, rhs.into())
    }
}

impl Expr<bool> {
    /// `self && rhs`.
    pub fn and(self, rhs: impl Into<Expr<bool>>) -> Expr<bool> {
        self.binary(BinaryOp::And, rhs.into())
    }

    /// `self || rhs`.
    pub fn or(self, rhs: impl Into<Expr<bool>>) -> Expr<bool> {
        self.binary(BinaryOp::Or, rhs.into())
    }

    /// `self ? then : otherwise`.
    pub fn then_else<T>(self, then: impl Into<Expr<T>>, otherwise: impl Into<Expr<T>>) -> Expr<T> {
        let parts = [self.expr, then.into().expr, otherwise.into().expr];
        Expr::from_expression(Expression::Conditional(Box::new(parts)))
    }
}

impl<T> From<Expr<T>> for Expression {
    fn from(e: Expr<T>) -> Self {
        e.expr
    }
}

impl<T> From<&Expr<T>> for Expression {
    fn from(e: &Expr<T>) -> Self {
        e.expr.clone()
    }
}

macro_rules! literal_into {
    ($marker:ty: $($t:ty),*) => {$(
        impl From<$t> for Expr<$marker> {
            fn from(v: $t) -> Self {
                Self::from_expression(v.into())
            }
        }
    )*};
}
literal_into!(String: &str, String, &String);
literal_into!(Num: i8, i16, i32, i64, u8, u16, u32, u64, usize, f64);
literal_into!(bool: bool);

impl<T, U: Into<Expr<T>>> From<Vec<U>> for Expr<List<T>> {
    fn from(items: Vec<U>) -> Self {
        let items = items.into_iter().map(|i| i.into().expr).collect();
        Self::from_expression(Expression::List(items))
    }
}

impl From<Expression> for Expr<Any> {
    fn from(expr: Expression) -> Self {
        Self::from_expression(expr)
    }
}

impl std::ops::Not for Expr<bool> {
    type Output = Expr<bool>;

    /// `!self`.
    fn not(self) -> Expr<bool> {
        Expr::from_expression(Expression::Not(Box::new(self.expr)))
    }
}
