//! The blocks that change what the state tracks rather than what exists: `moved` (a rename
//! that keeps the object), `import` (adopt an object that exists already) and `removed` (stop
//! managing an object, keeping or destroying it on purpose).

use std::fmt;

use crate::expr::{Address, Expression};

use super::Ref;

/// One end of a `moved` block: a resource of this stack, a resource inside a module call, or
/// a whole module call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `type.name`.
    Resource(Address),
    /// `module.<call>.type.name`.
    InModule(String, Address),
    /// `module.<call>`.
    Module(String),
}

impl Endpoint {
    /// Resource `address` inside module call `call`.
    pub fn in_module(call: impl Into<String>, address: Address) -> Self {
        Self::InModule(call.into(), address)
    }

    /// The whole module call `call`.
    pub fn module(call: impl Into<String>) -> Self {
        Self::Module(call.into())
    }

    /// The resource address, where the endpoint is a resource.
    pub(crate) fn address(&self) -> Option<&Address> {
        match self {
            Self::Resource(a) | Self::InModule(_, a) => Some(a),
            Self::Module(_) => None,
        }
    }
}

impl From<Address> for Endpoint {
    fn from(address: Address) -> Self {
        Self::Resource(address)
    }
}

impl From<&Ref> for Endpoint {
    fn from(handle: &Ref) -> Self {
        Self::Resource(handle.address().clone())
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Resource(a) => write!(f, "{a}"),
            Self::InModule(call, a) => write!(f, "module.{call}.{a}"),
            Self::Module(call) => write!(f, "module.{call}"),
        }
    }
}

/// A `moved` block: the object Terraform tracks under `from` is now the one declared at `to`,
/// so a rename or a regrouping keeps it instead of destroying it and creating another.
/// Moving a resource moves all its `count`/`for_each` instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub(crate) from: Endpoint,
    pub(crate) to: Endpoint,
}

impl Moved {
    /// `moved { from = <old type.name>, to = <the resource behind handle> }`.
    pub fn new(from: Address, to: &Ref) -> Self {
        Self::between(from, to)
    }

    /// `moved { from = from, to = to }`, for moves into or out of module calls too.
    pub fn between(from: impl Into<Endpoint>, to: impl Into<Endpoint>) -> Self {
        Self { from: from.into(), to: to.into() }
    }

    /// The old place.
    pub fn from(&self) -> &Endpoint {
        &self.from
    }

    /// The new place.
    pub fn to(&self) -> &Endpoint {
        &self.to
    }
}

/// An `import` block: Terraform adopts the existing object `id` as the resource at `to`
/// instead of creating one (see [`Stack::adopt`](super::Stack::adopt)).
#[derive(Debug, Clone, PartialEq)]
pub struct Adoption {
    pub(crate) to: Address,
    pub(crate) ids: Ids,
}

/// Which objects an [`Adoption`] imports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ids {
    /// One object, for a resource without `count`/`for_each`.
    One(Expression),
    /// One object per instance: a map from instance key to the object's id
    /// (`for_each = ids`, `to = type.name[each.key]`, `id = each.value`).
    Each(Expression),
}

impl Adoption {
    /// The resource the objects become.
    pub fn to(&self) -> &Address {
        &self.to
    }

    /// Whether one object is imported per instance.
    pub fn per_instance(&self) -> bool {
        matches!(self.ids, Ids::Each(_))
    }
}

/// A `removed` block: the resource at `from` is no longer declared, and Terraform forgets it
/// (`destroy = false`, the object stays) or destroys it because the code says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub(crate) from: Address,
    pub(crate) destroy: bool,
    pub(crate) reason: String,
}

impl Removed {
    /// Stops managing `from` and leaves the object where it is, e.g. for another state to adopt.
    pub fn forget(from: Address) -> Self {
        Self { from, destroy: false, reason: String::new() }
    }

    /// Destroys `from` on purpose, with the reason: the opt-out `check` asks for before a
    /// stateful resource (a database, a bucket, a key…) disappears from the code.
    pub fn destroy(from: Address, reason: impl Into<String>) -> Self {
        Self { from, destroy: true, reason: reason.into() }
    }

    /// The address no longer declared.
    pub fn from(&self) -> &Address {
        &self.from
    }

    /// Whether the object is destroyed rather than forgotten.
    pub fn destroys(&self) -> bool {
        self.destroy
    }
}
