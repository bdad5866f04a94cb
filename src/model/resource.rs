//! Resources and data sources, their meta-arguments, and the typed handle `Ref` that
//! [`Stack::add`](super::Stack::add) returns.

use std::borrow::Cow;

use crate::expr::{Address, Any, Expr, Expression, Root, Step, Traversal};

use super::provider::ProviderRef;
use super::{Arguments, Body};

/// Whether a block declares a managed resource or reads a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `resource "type" "name"`.
    Managed,
    /// `data "type" "name"`.
    Data,
    /// `ephemeral "type" "name"`: opened for each run, never stored in plan or state
    /// (Terraform 1.10+).
    Ephemeral,
}

/// The `lifecycle` meta-argument block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    /// `prevent_destroy`.
    pub prevent_destroy: bool,
    /// `create_before_destroy`.
    pub create_before_destroy: bool,
    /// `ignore_changes`: attribute names.
    pub ignore_changes: Vec<String>,
}

impl Kind {
    /// What a reference to a block of this kind starts with: `data.`, `ephemeral.` or nothing.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Managed => "",
            Kind::Data => "data.",
            Kind::Ephemeral => "ephemeral.",
        }
    }

    /// The top-level key blocks of this kind are declared under: `resource`, `data`, `ephemeral`.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Managed => "resource",
            Kind::Data => "data",
            Kind::Ephemeral => "ephemeral",
        }
    }

    /// What the kind is called in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Managed => "resource type",
            Kind::Data => "data source",
            Kind::Ephemeral => "ephemeral resource type",
        }
    }
}

impl Lifecycle {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// How many instances a block has: `count` or `for_each`.
#[derive(Debug, Clone, PartialEq)]
pub enum Repetition {
    /// `count = n`.
    Count(Expression),
    /// `for_each = collection`.
    ForEach(Expression),
}

impl Repetition {
    /// Rewrites the count or collection (see [`Expression::rewrite`]).
    pub(crate) fn rewrite(&mut self, rewrite: &mut dyn FnMut(&Expression) -> Option<Expression>) {
        match self {
            Repetition::Count(e) | Repetition::ForEach(e) => e.rewrite(rewrite),
        }
    }
}

/// A `resource` or `data` block of any type in the provider schema (the generic builder).
///
/// Every argument is checked against the vendored provider schema at synth, so a misspelt
/// attribute is an error with a suggestion, not a failed `terraform plan`.
///
/// ```
/// use tfsynth::prelude::*;
/// let mut stack = Stack::new("demo", "development");
/// let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
/// stack.add(Resource::new("aws_subnet", "a").set("vpc_id", vpc.id()).set("cidr_block", "10.0.1.0/24"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a resource does nothing until passed to Stack::add"]
pub struct Resource {
    pub(crate) kind: Kind,
    pub(crate) address: Address,
    pub(crate) body: Body,
    pub(crate) repetition: Option<Repetition>,
    pub(crate) depends_on: Vec<Traversal>,
    pub(crate) provider: Option<ProviderRef>,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) skipped_checks: Vec<SkippedCheck>,
    /// The component that added the block, stamped by [`Stack::add`](super::Stack::add).
    pub(crate) component: Option<&'static str>,
    /// What the stack changed with its escape hatch, for reviewers.
    pub(crate) amendments: Vec<String>,
    /// Attributes a component's setter sets (attribute, setter): an amendment of one is hinted.
    pub(crate) setters: Vec<(&'static str, &'static str)>,
    /// Why the block may be destroyed although it holds data, if it may
    /// ([`destroyable`](Self::destroyable)).
    pub(crate) destroyable: Option<String>,
}

/// A scanner check deliberately not met by one block, with the reason: rendered as a
/// `# checkov:skip=ID:reason` comment in HCL and a `"//"` comment in JSON, so scanners and
/// reviewers see the same waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedCheck {
    /// The scanner's check id, e.g. `CKV_AWS_260`.
    pub id: String,
    /// Why the check does not apply here.
    pub reason: String,
}

impl std::fmt::Display for SkippedCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "checkov:skip={}:{}", self.id, self.reason)
    }
}

impl Resource {
    /// A managed resource `resource "ty" "name"`.
    pub fn new(ty: impl Into<String>, name: impl Into<String>) -> Self {
        Self::with_kind(Kind::Managed, ty, name)
    }

    /// A data source `data "ty" "name"`.
    pub fn data(ty: impl Into<String>, name: impl Into<String>) -> Self {
        Self::with_kind(Kind::Data, ty, name)
    }

    /// An ephemeral resource `ephemeral "ty" "name"` (Terraform 1.10+): its values exist only
    /// while Terraform runs, so they may go only where nothing is stored — a write-only
    /// argument, a provider configuration, or another ephemeral block.
    pub fn ephemeral(ty: impl Into<String>, name: impl Into<String>) -> Self {
        Self::with_kind(Kind::Ephemeral, ty, name)
    }

    fn with_kind(kind: Kind, ty: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind,
            address: Address::new(ty, name),
            body: Body::new(),
            repetition: None,
            depends_on: Vec::new(),
            provider: None,
            lifecycle: Lifecycle::default(),
            skipped_checks: Vec::new(),
            component: None,
            amendments: Vec::new(),
            setters: Vec::new(),
            destroyable: None,
        }
    }

    /// `count = n`: `n` instances, each with its own `count.index`.
    pub fn count(mut self, n: impl Into<Expression>) -> Self {
        self.repetition = Some(Repetition::Count(n.into()));
        self
    }

    /// `for_each = collection`: one instance per element, with `each.key` / `each.value`.
    pub fn for_each(mut self, collection: impl Into<Expression>) -> Self {
        self.repetition = Some(Repetition::ForEach(collection.into()));
        self
    }

    /// `depends_on`: an ordering dependency that no attribute expresses.
    pub fn depends_on(mut self, other: &Ref) -> Self {
        self.depends_on.push(other.traversal());
        self
    }

    /// `provider = aws.alias`: use a non-default provider configuration.
    pub fn provider(mut self, provider: &ProviderRef) -> Self {
        self.provider = Some(provider.clone());
        self
    }

    /// `lifecycle { prevent_destroy = true }`.
    pub fn prevent_destroy(mut self) -> Self {
        self.lifecycle.prevent_destroy = true;
        self
    }

    /// Lets a block that holds data be destroyed, for `reason` (e.g. a component built with
    /// `Deletion::Unprotected`): a production context then does not add `prevent_destroy`.
    pub fn destroyable(mut self, reason: impl Into<String>) -> Self {
        self.destroyable = Some(reason.into());
        self
    }

    /// `lifecycle { create_before_destroy = true }`.
    pub fn create_before_destroy(mut self) -> Self {
        self.lifecycle.create_before_destroy = true;
        self
    }

    /// Waives scanner check `id` for this block, for `reason`.
    pub fn skip_check(mut self, id: impl Into<String>, reason: impl Into<String>) -> Self {
        self.skipped_checks.push(SkippedCheck { id: id.into(), reason: reason.into() });
        self
    }

    /// The scanner checks waived for this block.
    pub fn skipped_checks(&self) -> &[SkippedCheck] {
        &self.skipped_checks
    }

    /// Records that the component's `setter` (`"Postgres::backup_retention"`) sets top-level
    /// `attribute`: amending it still works, and carries a hint naming the setter, which keeps
    /// the checks that tie settings together.
    pub fn set_by(mut self, attribute: &'static str, setter: &'static str) -> Self {
        self.setters.push((attribute, setter));
        self
    }

    /// The component that added the block (`None` for the stack's own code).
    pub fn component(&self) -> Option<&'static str> {
        self.component
    }

    /// What the stack changed on this block with [`Stack::amend`](super::Stack::amend) and its
    /// siblings, one line each.
    pub fn amendments(&self) -> &[String] {
        &self.amendments
    }

    /// `lifecycle { ignore_changes = [attribute, ...] }`.
    pub fn ignore_changes<S: Into<String>>(mut self, attributes: impl IntoIterator<Item = S>) -> Self {
        self.lifecycle.ignore_changes.extend(attributes.into_iter().map(Into::into));
        self
    }

    /// The resource address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Managed resource or data source.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The arguments and nested blocks.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// `count` / `for_each`, if set.
    pub fn repetition(&self) -> Option<&Repetition> {
        self.repetition.as_ref()
    }

    /// The `depends_on` references.
    pub fn dependencies(&self) -> &[Traversal] {
        &self.depends_on
    }

    /// The local name of the provider the block belongs to, as Terraform decides: the one its
    /// `provider` meta-argument names, else its type's prefix (`random` for `random_password`).
    pub fn provider_name(&self) -> &str {
        match &self.provider {
            Some(p) => &p.name,
            None => self.address.ty.split('_').next().unwrap_or_default(),
        }
    }

    /// The schema of the block, from the vendored provider it belongs to (see
    /// [`Schema::for_type`](crate::schema::Schema::for_type)); `None` for a type no vendored
    /// provider has.
    pub fn schema(&self) -> Option<crate::schema::BlockSchema> {
        crate::schema::block_of(self.kind, &self.address.ty, self.provider_name())
    }

    /// The provider configuration, if not the default one.
    pub fn provider_ref(&self) -> Option<&ProviderRef> {
        self.provider.as_ref()
    }

    /// Why the block may be destroyed although it holds data, if it was built
    /// [`destroyable`](Self::destroyable).
    pub fn destroy_reason(&self) -> Option<&str> {
        self.destroyable.as_deref()
    }

    /// The `lifecycle` settings.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The `type.name` (or `data.type.name`, `ephemeral.type.name`) path of the block.
    pub fn path(&self) -> String {
        format!("{}{}", self.kind.prefix(), self.address)
    }
}

impl Arguments for Resource {
    fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }
}

/// A handle to a block that was added to a [`Stack`](super::Stack).
///
/// Its accessors return expressions that render as references, so wiring one resource to
/// another needs no strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    kind: Kind,
    address: Address,
}

impl Ref {
    pub(crate) fn new(kind: Kind, address: Address) -> Self {
        Self { kind, address }
    }

    /// Managed resource or data source.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The block as diagnostics name it: `type.name`, `data.type.name` or
    /// `ephemeral.type.name`.
    pub fn path(&self) -> String {
        format!("{}{}", self.kind.prefix(), self.address)
    }

    /// The address the handle refers to.
    pub fn address(&self) -> &Address {
        &self.address
    }

    pub(crate) fn traversal(&self) -> Traversal {
        let root = match self.kind {
            Kind::Managed => Root::Resource(self.address.clone()),
            Kind::Data => Root::Data(self.address.clone()),
            Kind::Ephemeral => Root::Ephemeral(self.address.clone()),
        };
        Traversal::new(root)
    }

    fn expr(&self, steps: impl IntoIterator<Item = Step>) -> Expr<Any> {
        // Collected, not pushed one by one: the steps take exactly the room they need.
        let t = Traversal { steps: steps.into_iter().collect(), ..self.traversal() };
        Expr::from_expression(Expression::Traversal(Box::new(t)))
    }

    /// The whole object, e.g. for `aws_subnet.public[*]` or a `for` over instances.
    pub fn whole(&self) -> Expr<Any> {
        self.expr([])
    }

    /// Attribute `name` of the (single-instance) block: `type.name.attr`.
    pub fn attr(&self, name: impl Into<Cow<'static, str>>) -> Expr<Any> {
        self.expr([Step::Attr(name.into())])
    }

    /// The `id` attribute.
    pub fn id(&self) -> Expr<String> {
        self.attr("id").typed()
    }

    /// The `arn` attribute.
    pub fn arn(&self) -> Expr<String> {
        self.attr("arn").typed()
    }

    /// Attribute `name` of instance `index` of a counted block: `type.name[index].attr`.
    pub fn at(&self, index: impl Into<Expression>, name: impl Into<Cow<'static, str>>) -> Expr<Any> {
        self.expr([Step::Index(index.into()), Step::Attr(name.into())])
    }

    /// Attribute `name` of every instance: `type.name[*].attr`.
    pub fn all(&self, name: impl Into<Cow<'static, str>>) -> Expr<Any> {
        self.expr([Step::Splat, Step::Attr(name.into())])
    }
}
