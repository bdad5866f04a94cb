//! `Stack`: one Terraform root module for one environment.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;

use crate::error::Diagnostic;
use crate::expr::{Any, Expr, Expression, StackId, local, module, var};
use crate::policy::Waiver;
use crate::policy::security::Approval;
use crate::schema::Schema;

use super::addresses::Addresses;
use super::{
    Adoption, Ids, Kind, ModuleCall, Moved, Output, Provider, ProviderRef, Ref, Removed, Resource, TerraformSettings,
    Variable,
};

/// How much an environment matters. Policy holds production to the strictest rules
/// (deletion protection, a week of backups); the tier says which environment is production
/// whatever it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A sandbox: disposable data.
    Development,
    /// Production-like, holding no production data.
    Staging,
    /// Serves users: data and traffic must survive mistakes.
    Production,
}

/// A Terraform root module for one environment: settings, providers, variables, locals,
/// data sources, resources, module calls, outputs and `moved` blocks, each in the order the
/// author added them.
///
/// Adding never fails: duplicates and other mistakes are recorded and reported all at once by
/// [`validate`](crate::schema::validate), so one synth run shows every problem.
#[derive(Debug, Clone)]
pub struct Stack {
    pub(crate) name: String,
    pub(crate) environment: String,
    tier: Tier,
    pub(crate) id: StackId,
    pub(crate) terraform: TerraformSettings,
    pub(crate) providers: Vec<Provider>,
    pub(crate) variables: IndexMap<String, Variable>,
    pub(crate) locals: IndexMap<String, Expression>,
    pub(crate) blocks: Vec<Resource>,
    pub(crate) modules: IndexMap<String, ModuleCall>,
    pub(crate) outputs: IndexMap<String, Output>,
    pub(crate) moved: Vec<Moved>,
    pub(crate) adoptions: Vec<Adoption>,
    pub(crate) removed: Vec<Removed>,
    /// Where each address is in `blocks`.
    addresses: Addresses,
    pub(crate) problems: Vec<Diagnostic>,
    /// Advice that is not a problem: an amendment a component's setter covers.
    pub(crate) hints: Vec<Diagnostic>,
    waivers: Vec<Waiver>,
    approvals: Vec<Approval>,
    /// The component adding blocks now, stamped on each (see [`Stack::replace_component`]).
    component: Option<&'static str>,
    /// Tags merged into each taggable resource added now (see [`Stack::replace_tags`]).
    tags: Vec<(String, String)>,
    /// The provider configuration blocks of its provider added now get (see
    /// [`Stack::replace_provider`]).
    provider_scope: Option<ProviderRef>,
    /// Outputs other stacks may import.
    pub(crate) exports: Vec<(String, String)>,
    /// Values read from other stacks.
    pub(crate) imports: Vec<super::Import>,
    /// Producers whose state the imports were pointed at.
    pub(crate) connected: Vec<String>,
}

/// Hands out a distinct id per stack; never rendered, so output stays deterministic.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl Stack {
    /// An empty stack `name` for `environment`, held to the production [`Tier`] until
    /// [`with_tier`](Self::with_tier) says otherwise: the strictest rules are the safe default.
    pub fn new(name: impl Into<String>, environment: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            environment: environment.into(),
            tier: Tier::Production,
            id: StackId(NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            terraform: TerraformSettings::default(),
            providers: Vec::new(),
            variables: IndexMap::new(),
            locals: IndexMap::new(),
            blocks: Vec::new(),
            modules: IndexMap::new(),
            outputs: IndexMap::new(),
            moved: Vec::new(),
            adoptions: Vec::new(),
            removed: Vec::new(),
            addresses: Addresses::default(),
            problems: Vec::new(),
            hints: Vec::new(),
            waivers: Vec::new(),
            approvals: Vec::new(),
            component: None,
            provider_scope: None,
            tags: Vec::new(),
            exports: Vec::new(),
            imports: Vec::new(),
            connected: Vec::new(),
        }
    }

    /// The stack with its environment's tier.
    pub fn with_tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }

    /// The environment's tier.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// Whether the stack serves production: policy's strictest rules apply.
    pub fn is_production(&self) -> bool {
        self.tier == Tier::Production
    }

    /// Names the component that adds the next blocks (`None`: the stack's own code) and returns
    /// the previous name. An enclosing component keeps its name: a bucket a load balancer adds
    /// for its logs belongs to the load balancer. Components call this through their context.
    pub(crate) fn replace_component(&mut self, component: Option<&'static str>) -> Option<&'static str> {
        let previous = self.component;
        if previous.is_none() || component.is_none() {
            self.component = component;
        }
        previous
    }

    /// The stack name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The environment the stack was built for.
    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The `terraform` block settings, to edit in place.
    pub fn terraform(&mut self) -> &mut TerraformSettings {
        &mut self.terraform
    }

    /// The `terraform` block settings.
    pub fn terraform_settings(&self) -> &TerraformSettings {
        &self.terraform
    }

    /// Adds a provider configuration and returns the handle resources use to select it.
    pub fn provider(&mut self, provider: Provider) -> ProviderRef {
        let reference = provider.reference();
        if self.providers.iter().any(|p| p.reference() == reference) {
            self.problem(
                format!("provider.{}", reference.path()),
                "declared twice",
                "give the second configuration an alias",
            );
        } else {
            self.providers.push(provider);
        }
        reference
    }

    /// Declares an input variable and returns `var.<name>`.
    pub fn variable(&mut self, variable: Variable) -> Expr<Any> {
        let reference = var(&variable.name);
        if self.variables.contains_key(&variable.name) {
            self.problem(format!("variable.{}", variable.name), "declared twice", "give each variable its own name");
        } else {
            self.variables.insert(variable.name.clone(), variable);
        }
        reference
    }

    /// Declares a local value and returns `local.<name>`.
    pub fn local(&mut self, name: &str, value: impl Into<Expression>) -> Expr<Any> {
        if self.locals.contains_key(name) {
            self.problem(format!("local.{name}"), "declared twice", "give each local its own name");
        } else {
            self.locals.insert(name.to_owned(), value.into());
        }
        local(name)
    }

    /// Sets the tags merged into every resource added from now on whose type takes `tags`
    /// (for example a cost-allocation `Component` tag), and returns the previous ones. A tag
    /// the resource sets itself wins.
    pub(crate) fn replace_tags(&mut self, tags: Vec<(String, String)>) -> Vec<(String, String)> {
        std::mem::replace(&mut self.tags, tags)
    }

    /// Sets the provider configuration (an alias) that every block added from now on gets
    /// when it belongs to that provider and names none itself, and returns the previous one.
    pub(crate) fn replace_provider(&mut self, provider: Option<ProviderRef>) -> Option<ProviderRef> {
        std::mem::replace(&mut self.provider_scope, provider)
    }

    /// Adds a resource or data source and returns a typed handle to it.
    pub fn add(&mut self, mut resource: Resource) -> Ref {
        resource.address.stack = Some(self.id);
        if resource.component.is_none() {
            resource.component = self.component;
        }
        if let Some(scope) = &self.provider_scope
            && resource.provider.is_none()
            && resource.provider_name() == scope.name
        {
            resource.provider = Some(scope.clone());
        }
        if !self.tags.is_empty() && resource.kind == Kind::Managed {
            self.merge_tags(&mut resource);
        }
        let reference = Ref::new(resource.kind, resource.address.clone());
        if self.addresses.insert(&self.blocks, &resource) {
            self.blocks.push(resource);
        } else {
            let path = resource.path();
            self.problem(
                path,
                "duplicate address: a block with this type and name was already added",
                "give each block a distinct name; blocks of components are named after the key the component was given, so give each component its own key",
            );
        }
        reference
    }

    fn merge_tags(&self, resource: &mut Resource) {
        let taggable =
            Schema::aws().block(Kind::Managed, &resource.address.ty).is_some_and(|b| b.attributes.contains_key("tags"));
        if !taggable {
            return;
        }
        let scoped = self.tags.iter().map(|(k, v)| (Cow::Owned(k.clone()), Expression::from(v.as_str())));
        let merged = match resource.body.attribute("tags") {
            None => scoped.collect(),
            Some(Expression::Object(own)) => {
                let mut all: IndexMap<Cow<'static, str>, Expression> = scoped.collect();
                all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
                Expression::Object(Box::new(all))
            }
            Some(other) => crate::expr::call::<Any>("merge", [scoped.collect(), other.clone()]).into(),
        };
        resource.body.insert_attribute("tags".into(), merged);
    }

    /// Keeps only the blocks `keep` accepts (the emulator leaves out types it cannot apply).
    pub(crate) fn retain_blocks(&mut self, keep: impl FnMut(&Resource) -> bool) {
        self.blocks.retain(keep);
        self.addresses.rebuild(&self.blocks);
    }

    /// Whether a block of `kind`, `ty` and `name` was added.
    pub fn contains(&self, kind: Kind, ty: &str, name: &str) -> bool {
        self.addresses.contains(&self.blocks, kind, ty, name)
    }

    /// Adds a module call and returns `module.<name>` for reading its outputs.
    pub fn module(&mut self, call: ModuleCall) -> Expr<Any> {
        let reference = module(&call.name);
        if self.modules.contains_key(&call.name) {
            self.problem(format!("module.{}", call.name), "declared twice", "give each module call its own name");
        } else {
            self.modules.insert(call.name.clone(), call);
        }
        reference
    }

    /// Adds an output.
    pub fn output(&mut self, output: Output) {
        if self.outputs.contains_key(&output.name) {
            self.problem(format!("output.{}", output.name), "declared twice", "give each output its own name");
        } else {
            self.outputs.insert(output.name.clone(), output);
        }
    }

    /// Records that a resource was renamed or regrouped, so Terraform keeps its object.
    pub fn moved(&mut self, moved: Moved) {
        self.moved.push(moved);
    }

    /// Gives every managed resource that holds data (a database, a bucket, a key, a log
    /// group…; [`stateful`](crate::schema::stateful)) not built
    /// [`destroyable`](Resource::destroyable) `lifecycle { prevent_destroy = true }`, so
    /// `terraform plan` refuses to destroy or replace it. A production
    /// [`Context`](crate::modules::Context) does this when it finishes.
    pub fn hold_data_back(&mut self) {
        for r in &mut self.blocks {
            if r.kind == Kind::Managed
                && r.destroyable.is_none()
                && crate::schema::stateful::stateful(&r.address.ty).is_some()
            {
                r.lifecycle.prevent_destroy = true;
            }
        }
    }

    /// Adopts the existing object `id` (what `terraform import` takes for the type) as the
    /// resource behind `handle`: the next apply imports it instead of creating one.
    pub fn adopt(&mut self, handle: &Ref, id: impl Into<Expression>) {
        self.adoptions.push(Adoption { to: handle.address().clone(), ids: Ids::One(id.into()) });
    }

    /// Adopts one existing object per instance of a `for_each` or `count` resource: `ids` maps
    /// each instance key (a `for_each` key, or a `count` index) to the object's id.
    pub fn adopt_each(&mut self, handle: &Ref, ids: impl Into<Expression>) {
        self.adoptions.push(Adoption { to: handle.address().clone(), ids: Ids::Each(ids.into()) });
    }

    /// Stops declaring a resource on purpose: [`Removed::forget`] keeps the object,
    /// [`Removed::destroy`] destroys it with a reason.
    pub fn remove(&mut self, removed: Removed) {
        self.removed.push(removed);
    }

    /// The resources and data sources, in the order they were added.
    pub fn blocks(&self) -> &[Resource] {
        &self.blocks
    }

    /// The managed resources, in the order they were added.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.blocks.iter().filter(|r| r.kind == Kind::Managed)
    }

    /// The data sources, in the order they were added.
    pub fn data_sources(&self) -> impl Iterator<Item = &Resource> {
        self.blocks.iter().filter(|r| r.kind == Kind::Data)
    }

    /// The provider configurations.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The account the stack deploys to: the first `allowed_account_ids` entry of its first
    /// provider configuration, when that is a literal.
    pub fn account_id(&self) -> Option<&str> {
        match self.providers.first()?.body().attribute("allowed_account_ids")? {
            Expression::List(ids) => match ids.first()? {
                Expression::String(id) => Some(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// The input variables.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.variables.values()
    }

    /// The local values.
    pub fn locals(&self) -> impl Iterator<Item = (&str, &Expression)> {
        self.locals.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The module calls.
    pub fn modules(&self) -> impl Iterator<Item = &ModuleCall> {
        self.modules.values()
    }

    /// The outputs.
    pub fn outputs(&self) -> impl Iterator<Item = &Output> {
        self.outputs.values()
    }

    /// The `moved` blocks.
    pub fn moved_blocks(&self) -> &[Moved] {
        &self.moved
    }

    /// The `import` blocks.
    pub fn adoptions(&self) -> &[Adoption] {
        &self.adoptions
    }

    /// The `removed` blocks.
    pub fn removed_blocks(&self) -> &[Removed] {
        &self.removed
    }

    /// Accepts a policy finding (see [`policy`](crate::policy)) for a while, with a reason.
    pub fn waive(&mut self, waiver: Waiver) {
        self.waivers.push(waiver);
    }

    /// Acknowledges in code that a broadening security change of one resource is intended
    /// (see [`security`](crate::policy::security)): `--fail-on broadening` lets it through
    /// until the approval expires, and reviews show its reason.
    pub fn approve(&mut self, approval: Approval) {
        self.approvals.push(approval);
    }

    /// The security approvals, in the order they were given.
    pub fn approvals(&self) -> &[Approval] {
        &self.approvals
    }

    /// The policy waivers, in the order they were given.
    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// Builds a diagnostic located in this stack.
    pub fn diagnostic(
        &self,
        address: Option<String>,
        attribute: Option<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            stack: self.name.clone(),
            environment: self.environment.clone(),
            address,
            attribute,
            message: message.into(),
            help,
        }
    }

    /// Advice about the stack that is not a problem: an amended attribute that a component's
    /// setter sets. `lint` prints them.
    pub fn hints(&self) -> &[Diagnostic] {
        &self.hints
    }

    /// Records a problem found while building (e.g. by a component's cross-field check);
    /// validation reports it with the rest.
    pub fn problem(&mut self, address: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        let d = self.diagnostic(Some(address.into()), None, message, Some(help.into()));
        self.problems.push(d);
    }

    /// Records a problem with one attribute of a block, e.g. `aws_db_instance.main`'s
    /// `instance_class`.
    pub fn problem_at(
        &mut self,
        address: impl Into<String>,
        attribute: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = self.diagnostic(Some(address.into()), Some(attribute.to_owned()), message, Some(help.into()));
        self.problems.push(d);
    }
}
