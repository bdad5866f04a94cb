//! The items of a body, in the author's order. Bodies hold a handful of arguments, so a
//! vector searched in order costs less than a hash map (no hashing, one allocation).

use std::borrow::Cow;

use super::body::Item;

/// Named items, each name once, in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Items(Vec<(Cow<'static, str>, Item)>);

impl Items {
    fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| n == name)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Item> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, item)| item)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Item> {
        self.0.iter_mut().find(|(n, _)| n == name).map(|(_, item)| item)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name` to `item`, in place if it is there already, else at the end.
    pub(crate) fn insert(&mut self, name: Cow<'static, str>, item: Item) {
        match self.position(&name) {
            Some(i) => self.0[i].1 = item,
            None => self.0.push((name, item)),
        }
    }

    /// Removes `name`, keeping the order of the rest.
    pub(crate) fn shift_remove(&mut self, name: &str) -> Option<Item> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_ref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Item)> {
        self.0.iter().map(|(n, item)| (n.as_ref(), item))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Item> {
        self.0.iter().map(|(_, item)| item)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Item> {
        self.0.iter_mut().map(|(_, item)| item)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
