//! ECR repositories: scanned on push, KMS-encrypted, immutable tags unless a reason is given,
//! and a lifecycle policy that keeps the last N images.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms, container_registry::{Repository, Tags}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "development"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").build(&mut ctx);
//! ctx.use_key(&key);
//! let repo = Repository::new("app", "demo-app")
//!     .keep_last(10)
//!     .tags(Tags::Mutable("development deploys the moving `main` tag"))
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains(r#"image_tag_mutability = "MUTABLE""#));
//! # let _ = repo;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use serde::{Serialize, Serializer};

use super::Context;
use super::kms::KeyRef;
use crate::prelude::*;

/// A repository, for the services that pull from it.
#[derive(Debug, Clone)]
pub struct RepositoryRef {
    /// The repository URL, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    pub url: Expr<String>,
    /// The repository ARN.
    pub arn: Expr<String>,
    /// The repository itself.
    pub resource: Ref,
}

/// Whether a tag can be moved to another image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    /// A tag always names the same image, so a deployment cannot change under it (the default).
    Immutable,
    /// Tags can be pushed again (a moving `main` tag), with the reason.
    Mutable(&'static str),
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tags::Immutable => s.serialize_str("immutable"),
            Tags::Mutable(reason) => s.collect_str(&format_args!("mutable ({reason})")),
        }
    }
}

/// A repository under construction.
#[derive(Debug, Clone)]
#[must_use = "a repository does nothing until built into a stack"]
pub struct Repository {
    key: String,
    name: String,
    keep: u16,
    tags: Tags,
    kms_key: Option<KeyRef>,
}

impl Repository {
    /// Repository `key` called `name`, keeping the newest 10 images with immutable tags.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self { key: key.into(), name: name.into(), keep: 10, tags: Tags::Immutable, kms_key: None }
    }

    /// How many of the newest images are kept.
    pub fn keep_last(mut self, images: u16) -> Self {
        self.keep = images;
        self
    }

    /// Whether tags can move.
    pub fn tags(mut self, tags: Tags) -> Self {
        self.tags = tags;
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the repository and its lifecycle policy.
    pub fn build(self, ctx: &mut Context) -> RepositoryRef {
        ctx.within("container registry", |ctx| {
            let (k, keep) = (self.key.as_str(), self.keep);
            let at = format!("aws_ecr_repository.{k}");
            let kms = ctx.key_for(&at, self.kms_key.as_ref());
            if keep == 0 {
                ctx.problem(
                    format!("aws_ecr_lifecycle_policy.{k}"),
                    "keeps no image",
                    "keep at least the image that runs, e.g. 10",
                );
            }
            let mut repo = Resource::new("aws_ecr_repository", k)
                .set_opt("force_delete", ctx.teardown().map(|_| true))
                .set("name", self.name.as_str())
                .set("image_tag_mutability", if self.tags == Tags::Immutable { "IMMUTABLE" } else { "MUTABLE" })
                .block("image_scanning_configuration", Body::new().set("scan_on_push", true))
                .block("encryption_configuration", Body::new().set("encryption_type", "KMS").set("kms_key", kms.arn));
            if let Tags::Mutable(reason) = self.tags {
                repo = repo.skip_check("CKV_AWS_51", reason);
            }
            let repo = ctx.add(repo);
            let rule = Expression::from_iter([
                ("rulePriority", Expression::from(1)),
                ("description", format!("Keep the last {keep} images").into()),
                (
                    "selection",
                    Expression::from_iter([
                        ("tagStatus", Expression::from("any")),
                        ("countType", "imageCountMoreThan".into()),
                        ("countNumber", keep.into()),
                    ]),
                ),
                ("action", Expression::from_iter([("type", "expire")])),
            ]);
            ctx.add(
                Resource::new("aws_ecr_lifecycle_policy", k)
                    .set("repository", repo.attr("name"))
                    .set("policy", jsonencode(Expression::from_iter([("rules", Expression::List(vec![rule]))]))),
            );
            RepositoryRef { url: repo.attr("repository_url").typed(), arn: repo.arn(), resource: repo }
        })
    }
}
