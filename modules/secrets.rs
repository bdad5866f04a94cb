//! Secrets Manager secrets: KMS-encrypted, recoverable for 7 days, rotated by a Lambda when one
//! is given. Their values never pass through the configuration: they are set by rotation or out
//! of band, so no secret lands in a synthesized file or the Terraform state.

use super::KmsKey;
use crate::prelude::*;

/// A secret, for the components that read it.
#[derive(Debug, Clone)]
pub struct SecretRef {
    /// The secret ARN.
    pub arn: Expr<String>,
}

impl SecretRef {
    /// A secret that another resource manages, e.g. RDS's managed master password.
    pub fn external(arn: Expr<String>) -> Self {
        Self { arn }
    }

    /// `valueFrom` for an ECS secret that reads one JSON key of this secret.
    pub fn json_key(&self, key: &str) -> Expr<String> {
        template![self.arn.clone(), format!(":{key}::")]
    }
}

/// How a secret is rotated.
#[derive(Debug, Clone)]
pub enum Rotation {
    /// By this Lambda, every `days` days.
    Lambda {
        /// The rotation function's ARN.
        arn: Expr<String>,
        /// Days between rotations.
        days: u16,
    },
    /// At its source (e.g. a third-party API key), with the reason.
    AtSource(&'static str),
}

/// Adds secret `key` called `name`, encrypted with `kms`.
pub fn secret(
    stack: &mut Stack,
    key: &str,
    name: impl Into<Expression>,
    description: &str,
    kms: &KmsKey,
    rotation: Rotation,
) -> SecretRef {
    let mut r = Resource::new("aws_secretsmanager_secret", key)
        .set("name", name)
        .set("description", description)
        .set("kms_key_id", kms.arn.clone())
        .set("recovery_window_in_days", 7);
    if let Rotation::AtSource(reason) = &rotation {
        r = r.skip_check("CKV2_AWS_57", *reason);
    }
    let secret = stack.add(r);
    if let Rotation::Lambda { arn, days } = rotation {
        stack.add(
            Resource::new("aws_secretsmanager_secret_rotation", key)
                .set("secret_id", secret.id())
                .set("rotation_lambda_arn", arn)
                .block("rotation_rules", Body::new().set("automatically_after_days", days)),
        );
    }
    SecretRef { arn: secret.arn() }
}
