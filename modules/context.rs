//! What every component needs: the stack it adds to, the account it deploys into, and the
//! stack's default KMS key and network.
//!
//! A component is `X::new(key, required…).option(…).build(&mut ctx)`. `key` names its blocks
//! (`aws_db_instance.<key>`, `aws_security_group.<key>`, …), so a stack holds as many of a
//! component as it gives keys. Components encrypt with the context's key and run in its
//! network unless told otherwise (`.kms_key(&other)`, `.network(&other)`).
//!
//! ```
//! use tfsynth::modules::{Account, Foundation, kms::Key, networking::Vpc};
//! use tfsynth::prelude::*;
//! # #[derive(Debug, Clone, Copy, PartialEq, Eq)] enum Env { Production }
//! # impl Environment for Env {
//! #     const ALL: &'static [Self] = &[Env::Production];
//! #     fn name(self) -> &'static str { "production" }
//! #     fn tier(self) -> Tier { Tier::Production }
//! # }
//! let mut ctx = Foundation::new("demo", Env::Production, Account::new("123456789012", "us-east-1")).build();
//! let key = Key::new("main", "demo-production", "Demo data").for_log_groups().build(&mut ctx);
//! ctx.use_key(&key);
//! let app = Vpc::new("app", "demo-app", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! let data = Vpc::new("data", "demo-data", "10.1.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx);
//! ctx.use_network(&app);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains(r#"resource "aws_vpc" "data""#));
//! # let _ = data;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use std::ops::Deref;

use super::Account;
use super::kms::KeyRef;
use super::networking::VpcRef;
use crate::prelude::*;

/// A stack under construction with what its components share.
///
/// The stack's own code adds blocks, outputs, exports, amendments and problems through it;
/// the stack itself is read-only behind it (`Deref`, not `DerefMut`), so nothing bypasses what
/// the context tracks (the component and tags each block is stamped with, the provider scope):
///
/// ```compile_fail
/// use tfsynth::modules::prelude::*;
/// let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
/// let stack: &mut Stack = &mut *ctx;
/// ```
#[derive(Debug)]
pub struct Context {
    stack: Stack,
    account: Account,
    key: Option<KeyRef>,
    network: Option<VpcRef>,
    teardown: Option<&'static str>,
}

impl Context {
    /// Components for `stack`, deploying into `account` (checked: a malformed id or region is a
    /// problem of the stack).
    pub fn new(mut stack: Stack, account: Account) -> Self {
        account.check(&mut stack);
        Self { stack, account, key: None, network: None, teardown: None }
    }

    /// Lets `terraform destroy` remove what holds data — buckets with objects, repositories
    /// with images — for `reason` (a development environment is rebuilt freely). Without it,
    /// destroy stops at them, which is what production wants.
    pub fn allow_teardown(&mut self, reason: &'static str) {
        self.teardown = Some(reason);
    }

    /// Why destroy may remove data, if it may.
    pub fn teardown(&self) -> Option<&'static str> {
        self.teardown
    }

    /// The account and region.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Makes `key` the one components encrypt with unless given another.
    pub fn use_key(&mut self, key: &KeyRef) {
        self.key = Some(key.clone());
    }

    /// Makes `network` the one components run in unless given another.
    pub fn use_network(&mut self, network: &VpcRef) {
        self.network = Some(network.clone());
    }

    /// The default KMS key, if one was chosen.
    pub fn key(&self) -> Option<&KeyRef> {
        self.key.as_ref()
    }

    /// The default network, if one was chosen.
    pub fn network(&self) -> Option<&VpcRef> {
        self.network.as_ref()
    }

    /// The key the component at `address` encrypts with: `given`, else the default. Without
    /// either, a problem is recorded and an empty key returned so the build can go on.
    pub fn key_for(&mut self, address: &str, given: Option<&KeyRef>) -> KeyRef {
        if let Some(key) = given.or(self.key.as_ref()) {
            return key.clone();
        }
        let help = "build a kms::Key and call ctx.use_key(&key), or give the component .kms_key(&key)";
        self.stack.problem(address, "no KMS key to encrypt with", help);
        KeyRef::missing()
    }

    /// The network the component at `address` runs in: `given`, else the default. Without
    /// either, a problem is recorded and an empty network returned so the build can go on.
    pub fn network_for(&mut self, address: &str, given: Option<&VpcRef>) -> VpcRef {
        if let Some(net) = given.or(self.network.as_ref()) {
            return net.clone();
        }
        let help = "build a networking::Vpc and call ctx.use_network(&vpc), or give the component .network(&vpc)";
        self.stack.problem(address, "no network to run in", help);
        VpcRef::missing()
    }

    /// Adds a block the stack's own code builds (as [`Stack::add`]), tagged, owned and
    /// provider-scoped like a component's.
    pub fn add(&mut self, resource: Resource) -> Ref {
        self.stack.add(resource)
    }

    /// Records a rename or regrouping (as [`Stack::moved`]).
    pub fn moved(&mut self, moved: Moved) {
        self.stack.moved(moved);
    }

    /// Adopts an existing object as the resource behind `handle` (as [`Stack::adopt`]).
    pub fn adopt(&mut self, handle: &Ref, id: impl Into<Expression>) {
        self.stack.adopt(handle, id);
    }

    /// Adopts one existing object per instance (as [`Stack::adopt_each`]).
    pub fn adopt_each(&mut self, handle: &Ref, ids: impl Into<Expression>) {
        self.stack.adopt_each(handle, ids);
    }

    /// Acknowledges an intended broadening security change (as [`Stack::approve`]).
    pub fn approve(&mut self, approval: Approval) {
        self.stack.approve(approval);
    }

    /// Stops declaring a resource on purpose (as [`Stack::remove`]).
    pub fn remove(&mut self, removed: Removed) {
        self.stack.remove(removed);
    }

    /// Adds a provider configuration (as [`Stack::provider`]).
    pub fn provider(&mut self, provider: Provider) -> ProviderRef {
        self.stack.provider(provider)
    }

    /// Declares an input variable (as [`Stack::variable`]).
    pub fn variable(&mut self, variable: Variable) -> Expr<Any> {
        self.stack.variable(variable)
    }

    /// Adds an output (as [`Stack::output`]).
    pub fn output(&mut self, output: Output) {
        self.stack.output(output);
    }

    /// Publishes `value` for the other stacks of this environment (as [`Stack::export`]).
    pub fn export<T: ValueType>(&mut self, export: Export<T>, value: impl Into<Expr<T>>, description: &str) {
        self.stack.export(export, value, description);
    }

    /// Reads `export` from its stack's state in this environment (as [`Stack::import`]).
    pub fn import<T>(&mut self, export: Export<T>) -> Expr<T> {
        self.stack.import(export)
    }

    /// Sets attribute `path` of a block a component added (as [`Stack::amend`]); prefer the
    /// component's setter where it has one.
    pub fn amend(&mut self, target: &Ref, path: &str, value: impl Into<Expression>) {
        self.stack.amend(target, path, value);
    }

    /// Replaces nested block `path` of a block a component added (as [`Stack::amend_block`]).
    pub fn amend_block(&mut self, target: &Ref, path: &str, body: Body) {
        self.stack.amend_block(target, path, body);
    }

    /// Removes attribute or nested block `path` of a block a component added (as
    /// [`Stack::unset`]).
    pub fn unset(&mut self, target: &Ref, path: &str) {
        self.stack.unset(target, path);
    }

    /// Records a problem of the block at `address` (as [`Stack::problem`]).
    pub fn problem(&mut self, address: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        self.stack.problem(address, message, help);
    }

    /// Records a problem of attribute `attribute` of the block at `address` (as
    /// [`Stack::problem_at`]).
    pub fn problem_at(
        &mut self,
        address: impl Into<String>,
        attribute: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.stack.problem_at(address, attribute, message, help);
    }

    /// Waives a policy finding (as [`Stack::waive`]).
    pub fn waive(&mut self, waiver: Waiver) {
        self.stack.waive(waiver);
    }

    /// Runs `build` with every block it adds recorded as part of `component` (what `summary`,
    /// `graph` and `lint` group by). A component built inside another belongs to the outer one.
    pub fn within<T>(&mut self, component: &'static str, build: impl FnOnce(&mut Self) -> T) -> T {
        let previous = self.stack.replace_component(Some(component));
        let out = build(self);
        self.stack.replace_component(previous);
        out
    }

    /// Runs `build` with tag `name` = `value` on every taggable resource it adds, such as the
    /// cost-allocation tag `Component = storage` (seed 003). Nested calls add their tags.
    pub fn tagged<T>(&mut self, name: &str, value: &str, build: impl FnOnce(&mut Self) -> T) -> T {
        let mut tags = self.stack.replace_tags(Vec::new());
        let previous = tags.clone();
        tags.retain(|(k, _)| k != name);
        tags.push((name.to_owned(), value.to_owned()));
        self.stack.replace_tags(tags);
        let out = build(self);
        self.stack.replace_tags(previous);
        out
    }

    /// Runs `build` with every block of `provider`'s provider that it adds configured by
    /// `provider` (an aliased configuration), unless the block names one itself: any
    /// component, built through a second configuration.
    pub fn with_provider<T>(&mut self, provider: &ProviderRef, build: impl FnOnce(&mut Self) -> T) -> T {
        let previous = self.stack.replace_provider(Some(provider.clone()));
        let out = build(self);
        self.stack.replace_provider(previous);
        out
    }

    /// Adds an aws provider configuration for `region`, aliased `alias`, with the settings of
    /// the stack's default one (its account guard and default tags), and returns the handle
    /// [`in_region`](Self::in_region) takes.
    pub fn aws_region(&mut self, alias: &str, region: &'static str) -> ProviderRef {
        let default = self.stack.providers.iter().find(|p| p.name() == "aws" && p.alias_name().is_none());
        let provider = default.cloned().unwrap_or_else(|| Provider::new("aws")).set("region", region).alias(alias);
        self.stack.provider(provider)
    }

    /// Runs `build` in another AWS region: its aws blocks use `provider` (an aws configuration
    /// aliased for `region`), [`account`](Self::account) names `region`, and the context's key
    /// and network are set aside — both are regional — so components in there take ones built
    /// in that region (`.kms_key(..)`, or [`use_key`](Self::use_key) inside), or report that
    /// they have none.
    ///
    /// ```
    /// use tfsynth::modules::{Account, Context, kms::Key};
    /// use tfsynth::prelude::*;
    ///
    /// let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
    /// ctx.provider(Provider::aws("us-east-1"));
    /// let dr = ctx.provider(Provider::aws("us-west-2").alias("dr"));
    /// let key = ctx.in_region(&dr, "us-west-2", |ctx| Key::new("dr", "demo-dr", "Backups in us-west-2").build(ctx));
    /// let stack = ctx.finish();
    /// validate(&stack)?;
    /// assert!(render(&stack, Format::Hcl).contains("provider                = aws.dr"));
    /// # let _ = key;
    /// # Ok::<(), tfsynth::Error>(())
    /// ```
    pub fn in_region<T>(
        &mut self,
        provider: &ProviderRef,
        region: &'static str,
        build: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let account = self.account;
        self.account.region = region;
        let key = self.key.take();
        let network = self.network.take();
        let out = self.with_provider(provider, build);
        self.account = account;
        self.key = key;
        self.network = network;
        out
    }

    /// Runs `build`, which builds what was keyed `from` under the key `to`, and records a
    /// `moved` block for every resource it adds whose name carries the new key (`to`,
    /// `to_*`), `count`/`for_each` instances included: Terraform keeps the objects instead of
    /// destroying them and creating empty ones.
    ///
    /// ```
    /// use tfsynth::modules::prelude::*;
    ///
    /// let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
    /// ctx.provider(Provider::aws("us-east-1"));
    /// // Was `Key::new("main", …)`.
    /// ctx.renamed("main", "data", |ctx| Key::new("data", "demo", "Demo data").build(ctx));
    /// let hcl = render(&ctx.finish(), Format::Hcl);
    /// assert!(hcl.contains("moved {\n  from = aws_kms_key.main\n  to   = aws_kms_key.data\n}"));
    /// assert!(hcl.contains("moved {\n  from = aws_kms_alias.main\n  to   = aws_kms_alias.data\n}"));
    /// ```
    pub fn renamed<T>(&mut self, from: &str, to: &str, build: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.stack.blocks.len();
        let out = build(self);
        let moves: Vec<Moved> = self.stack.blocks[before..]
            .iter()
            .filter(|r| r.kind() == Kind::Managed)
            .filter_map(|r| {
                let rest = r.address().name.strip_prefix(to)?;
                (rest.is_empty() || rest.starts_with('_')).then(|| {
                    let old = Address::new(r.address().ty.clone(), format!("{from}{rest}"));
                    Moved::between(old, r.address().clone())
                })
            })
            .collect();
        if moves.is_empty() {
            let help = format!("build the component with key `{to}` inside the closure");
            self.stack.problem(format!("renamed {from} -> {to}"), "builds no resource under the new key", help);
        }
        for m in moves {
            self.stack.moved(m);
        }
        out
    }

    /// The finished stack. In a production stack whose context does not
    /// [allow teardown](Self::allow_teardown), every resource that holds data (a database, a
    /// bucket, a key, a log group…) not built [`destroyable`](Resource::destroyable) gets
    /// `lifecycle { prevent_destroy = true }`, so `terraform plan` itself refuses to destroy or
    /// replace it.
    pub fn finish(mut self) -> Stack {
        if self.stack.tier() == Tier::Production && self.teardown.is_none() {
            self.stack.hold_data_back();
        }
        self.stack
    }
}

impl Deref for Context {
    type Target = Stack;

    fn deref(&self) -> &Stack {
        &self.stack
    }
}
