//! ECR repositories: immutable tags, scan on push, KMS encryption, and a lifecycle policy that
//! keeps the last N images.
//!
//! ```
//! use tfsynth::modules::{Account, kms, registry::repository};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").build(&mut stack, &account);
//! let repo = repository(&mut stack, "app", "demo-app", &key, 10);
//! validate(&stack)?;
//! # let _ = repo;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::KmsKey;
use crate::prelude::*;

/// Adds repository `name` keeping the newest `keep` images; returns its URL.
pub fn repository(stack: &mut Stack, key: &str, name: &str, kms: &KmsKey, keep: u16) -> Expr<String> {
    if keep == 0 {
        stack.problem(
            format!("aws_ecr_lifecycle_policy.{key}"),
            "keeps no image",
            "keep at least the image that runs, e.g. 10",
        );
    }
    let repo = stack.add(
        Resource::new("aws_ecr_repository", key)
            .set("name", name)
            // A tag always names the same image, so a deployment cannot change under the same tag.
            .set("image_tag_mutability", "IMMUTABLE")
            .block("image_scanning_configuration", Body::new().set("scan_on_push", true))
            .block(
                "encryption_configuration",
                Body::new().set("encryption_type", "KMS").set("kms_key", kms.arn.clone()),
            ),
    );
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
    stack.add(
        Resource::new("aws_ecr_lifecycle_policy", key)
            .set("repository", repo.attr("name"))
            .set("policy", jsonencode(Expression::from_iter([("rules", Expression::List(vec![rule]))]))),
    );
    repo.attr("repository_url").typed()
}
