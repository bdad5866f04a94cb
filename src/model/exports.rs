//! Values one stack publishes for the others of its environment, and the imports that read
//! them: an output in the producer, a `terraform_remote_state` data source in the consumer.
//! The pipeline connects the two (it knows the producer's backend) and checks the graph.

use std::fmt;
use std::marker::PhantomData;

use crate::expr::{Address, Expr, Expression, ValueType};

use super::{Arguments, Kind, Output, Ref, Resource, S3Backend, Stack};

/// A value of type `T` that stack `stack` exports as output `name`. Declare it once, next to
/// the producer, as a constant both stacks use:
///
/// ```
/// use tfsynth::prelude::*;
///
/// const VPC_ID: Export<String> = Export::new("platform", "vpc_id");
///
/// let mut platform = Stack::new("platform", "production");
/// platform.export(VPC_ID, Expr::from("vpc-0123"), "The shared VPC");
/// let mut app = Stack::new("app", "production");
/// let vpc_id: Expr<String> = app.import(VPC_ID);
/// assert_eq!(render_expression(vpc_id.expression()), "data.terraform_remote_state.platform.outputs.vpc_id");
/// ```
pub struct Export<T> {
    stack: &'static str,
    name: &'static str,
    value: PhantomData<fn() -> T>,
}

impl<T> Export<T> {
    /// The value `name` of stack `stack`.
    pub const fn new(stack: &'static str, name: &'static str) -> Self {
        Self { stack, name, value: PhantomData }
    }

    /// The producing stack.
    pub fn stack(&self) -> &'static str {
        self.stack
    }

    /// The output's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> Clone for Export<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Export<T> {}

impl<T> fmt::Debug for Export<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.stack, self.name)
    }
}

/// One value a stack reads from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The producing stack.
    pub stack: String,
    /// The output read.
    pub name: String,
    /// The producer's environment when it is not the consumer's (refused by the pipeline).
    pub environment: Option<String>,
}

/// The data source's name for producer `stack`.
fn remote_key(stack: &str) -> String {
    stack.replace('-', "_")
}

impl Stack {
    /// Publishes `value` as output `export.name()` for the other stacks of this environment.
    pub fn export<T: ValueType>(&mut self, export: Export<T>, value: impl Into<Expr<T>>, description: &str) {
        if export.stack != self.name() {
            let message = format!("exports `{export:?}`, which belongs to stack `{}`", export.stack);
            let help = format!("declare the export as Export::new(\"{}\", \"{}\")", self.name(), export.name);
            self.problem(format!("output.{}", export.name), message, help);
        }
        self.output(Output::new(export.name, value.into()).description(description));
        self.exports.push((export.name.to_owned(), T::json()));
    }

    /// Reads `export` from the state of its stack in this environment.
    pub fn import<T>(&mut self, export: Export<T>) -> Expr<T> {
        self.import_value(export, None)
    }

    /// Reads `export` from the state of its stack in another environment: refused by the
    /// pipeline, which names both stacks (environments share nothing).
    pub fn import_from<T>(&mut self, export: Export<T>, environment: &str) -> Expr<T> {
        self.import_value(export, Some(environment.to_owned()))
    }

    fn import_value<T>(&mut self, export: Export<T>, environment: Option<String>) -> Expr<T> {
        let key = remote_key(export.stack);
        let import = Import { stack: export.stack.to_owned(), name: export.name.to_owned(), environment };
        if !self.imports.contains(&import) {
            self.imports.push(import);
        }
        let state = if self.contains(Kind::Data, "terraform_remote_state", &key) {
            let mut address = Address::new("terraform_remote_state", key);
            address.stack = Some(self.id);
            Ref::new(Kind::Data, address)
        } else {
            // The backend is filled in by `connect`, once the producer is known.
            self.add(Resource::data("terraform_remote_state", &key).set("backend", "s3"))
        };
        state.attr("outputs").attr(export.name).typed()
    }

    /// The values this stack exports: each output's name and Terraform type (JSON syntax,
    /// e.g. `["list","string"]`).
    pub fn exports(&self) -> &[(String, String)] {
        &self.exports
    }

    /// The values this stack imports.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// Points the imports from `producer` at its state: its S3 backend, or its local state
    /// file in the output folder's layout when it keeps local state.
    pub fn connect(&mut self, producer: &str, backend: Option<&S3Backend>) {
        let key = remote_key(producer);
        let Some(block) = self
            .blocks
            .iter_mut()
            .find(|r| r.kind == Kind::Data && r.address.ty == "terraform_remote_state" && r.address.name == key)
        else {
            return;
        };
        let (kind, config): (&str, Expression) = if let Some(b) = backend {
            let config = [("bucket", b.bucket.as_str()), ("key", b.key.as_str()), ("region", b.region.as_str())];
            ("s3", config.into_iter().map(|(k, v)| (k, Expression::from(v))).collect())
        } else {
            let path = format!("../../{producer}/{}/terraform.tfstate", self.environment);
            ("local", Expression::from_iter([("path", Expression::from(path))]))
        };
        block.body.insert_attribute("backend".into(), kind.into());
        block.body.insert_attribute("config".into(), config);
        self.connected.push(producer.to_owned());
    }

    /// Producers whose imports were never connected (the stack was built outside a registry).
    pub(crate) fn unconnected(&self) -> impl Iterator<Item = &Import> {
        self.imports.iter().filter(|i| !self.connected.contains(&i.stack))
    }
}
