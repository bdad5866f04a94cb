//! The arguments and nested blocks inside a resource, data source or provider.

use std::borrow::Cow;

use super::items::Items;
use crate::expr::Expression;

/// One argument of a body: an attribute value, or the nested blocks of one block type.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `name = value`.
    Attribute(Expression),
    /// `name { ... }`, once per element.
    Blocks(Vec<Body>),
}

/// The builder methods shared by everything that holds arguments and nested blocks:
/// [`Body`], [`Resource`](super::Resource) and [`Provider`](super::Provider).
pub trait Arguments: Sized {
    /// The body the arguments go into.
    fn body_mut(&mut self) -> &mut Body;

    /// Sets attribute `name`, replacing an earlier value.
    fn set(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Expression>) -> Self {
        self.body_mut().insert_attribute(name.into(), value.into());
        self
    }

    /// Sets attribute `name` if `value` is `Some`; handy for optional settings.
    fn set_opt<V: Into<Expression>>(self, name: impl Into<Cow<'static, str>>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    /// Appends one nested block of type `name`.
    fn block(mut self, name: impl Into<Cow<'static, str>>, body: Body) -> Self {
        self.body_mut().push_block(name.into(), body);
        self
    }

    /// Appends one nested block of type `name` per body.
    fn blocks(self, name: &'static str, bodies: impl IntoIterator<Item = Body>) -> Self {
        bodies.into_iter().fold(self, |acc, b| acc.block(name, b))
    }
}

impl Arguments for Body {
    fn body_mut(&mut self) -> &mut Body {
        self
    }
}

/// The contents of a block, in the order the author wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    items: Items,
}

impl Body {
    /// An empty body, e.g. for `allow {}`.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn insert_attribute(&mut self, name: Cow<'static, str>, value: Expression) {
        self.items.insert(name, Item::Attribute(value));
    }

    pub(crate) fn push_block(&mut self, name: Cow<'static, str>, body: Body) {
        match self.items.get_mut(&name) {
            Some(Item::Blocks(list)) => list.push(body),
            // A block after an attribute of the same name: keep the block; the validator
            // reports the attribute/block confusion from the schema.
            Some(item @ Item::Attribute(_)) => *item = Item::Blocks(vec![body]),
            None => self.items.insert(name, Item::Blocks(vec![body])),
        }
    }

    pub(crate) fn items_mut(&mut self) -> &mut Items {
        &mut self.items
    }

    /// Rewrites every expression in the body and its nested blocks (see
    /// [`Expression::rewrite`]).
    pub(crate) fn rewrite(&mut self, rewrite: &mut dyn FnMut(&Expression) -> Option<Expression>) {
        for item in self.items.values_mut() {
            match item {
                Item::Attribute(e) => e.rewrite(rewrite),
                Item::Blocks(bodies) => bodies.iter_mut().for_each(|b| b.rewrite(rewrite)),
            }
        }
    }

    /// The items in author order.
    pub fn items(&self) -> impl Iterator<Item = (&str, &Item)> {
        self.items.iter()
    }

    /// The attribute `name`, if set.
    pub fn attribute(&self, name: &str) -> Option<&Expression> {
        match self.items.get(name) {
            Some(Item::Attribute(e)) => Some(e),
            _ => None,
        }
    }

    /// The nested blocks of type `name` (empty if none).
    pub fn blocks_of(&self, name: &str) -> &[Body] {
        match self.items.get(name) {
            Some(Item::Blocks(b)) => b,
            _ => &[],
        }
    }

    /// Whether the body has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Calls `visit` on every expression in the body and its nested blocks.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expression)) {
        for item in self.items.values() {
            match item {
                Item::Attribute(e) => e.walk(visit),
                Item::Blocks(bodies) => bodies.iter().for_each(|b| b.walk(visit)),
            }
        }
    }
}
