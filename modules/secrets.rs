//! Secrets Manager secrets: KMS-encrypted, recoverable for 7 days, rotated by a Lambda when one
//! is given. Their values never pass through the configuration or the state: they are set by
//! rotation, out of band, or written write-only from a value the stack generates on each run
//! ([`Password`] → [`Secret::write_only`]), so no secret lands in a synthesized file or the
//! Terraform state.
//!
//! ```
//! use tfsynth::modules::{Account, Context, kms::Key, secrets::{Rotation, Secret}};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = Key::new("main", "demo", "Demo secrets").build(&mut ctx);
//! ctx.use_key(&key);
//! let api = Secret::new("partner", "demo/partner-token")
//!     .rotation(Rotation::AtSource("issued by the partner; rotated there"))
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains("recovery_window_in_days = 7"));
//! # let _ = api;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Context;
use super::kms::KeyRef;
use crate::prelude::*;

/// Where a secret's value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Secrets Manager.
    SecretsManager,
    /// Systems Manager Parameter Store (a `SecureString` or plain parameter).
    ParameterStore,
}

/// A secret, for the components that read it.
#[derive(Debug, Clone)]
pub struct SecretRef {
    /// The secret's (or parameter's) ARN.
    pub arn: Expr<String>,
    /// The keys of a JSON secret (empty for a plain one): readers must name one of them.
    pub json_keys: Vec<&'static str>,
    /// Where the value is kept, which decides the permission to read it.
    pub store: Store,
}

impl SecretRef {
    /// A plain secret that another resource manages.
    pub fn external(arn: Expr<String>) -> Self {
        Self { arn, json_keys: Vec::new(), store: Store::SecretsManager }
    }

    /// A JSON secret with `keys` that another resource manages, e.g. RDS's managed master
    /// password (`username`, `password`).
    pub fn external_json(arn: Expr<String>, keys: &[&'static str]) -> Self {
        Self { arn, json_keys: keys.to_vec(), store: Store::SecretsManager }
    }

    /// A Parameter Store parameter, read by ARN.
    pub fn parameter(arn: Expr<String>) -> Self {
        Self { arn, json_keys: Vec::new(), store: Store::ParameterStore }
    }

    /// Whether the secret holds a JSON document whose keys are read one at a time.
    pub fn is_json(&self) -> bool {
        !self.json_keys.is_empty()
    }

    /// `valueFrom` for an ECS secret that reads JSON key `key` of this secret.
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

/// A secret under construction.
#[derive(Debug, Clone)]
#[must_use = "a secret does nothing until built into a stack"]
pub struct Secret {
    key: String,
    name: Expression,
    description: String,
    rotation: Option<Rotation>,
    recovery_days: u8,
    json_keys: Vec<&'static str>,
    kms_key: Option<KeyRef>,
    write_only: Option<(Expr<String>, u32)>,
}

/// Why a secret the stack writes write-only needs no rotation function: bumping its version
/// writes a newly generated value.
const ROTATED_BY_VERSION: &str =
    "the stack writes a newly generated value write-only when its version is bumped; no rotation function";

impl Secret {
    /// Secret `key` called `name`. Rotation must be chosen: a Lambda, or a reason it happens
    /// at the source; until then the build reports it.
    pub fn new(key: impl Into<String>, name: impl Into<Expression>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            description: String::new(),
            rotation: None,
            recovery_days: 7,
            json_keys: Vec::new(),
            kms_key: None,
            write_only: None,
        }
    }

    /// What the secret is for.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// How the secret is rotated.
    pub fn rotation(mut self, rotation: Rotation) -> Self {
        self.rotation = Some(rotation);
        self
    }

    /// Days a deleted secret can be restored, 7-30 (7 by default).
    pub fn recovery_window(mut self, days: u8) -> Self {
        self.recovery_days = days;
        self
    }

    /// The secret holds a JSON document with these keys; readers name one.
    pub fn json(mut self, keys: &[&'static str]) -> Self {
        self.json_keys = keys.to_vec();
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Writes `value` into the secret write-only (`secret_string_wo`, Terraform 1.11+): it
    /// reaches Secrets Manager and nothing else — not the configuration, the plan or the state.
    /// `value` is typically built from a [`Generated`] value (ephemeral); Terraform writes it
    /// again only when `version` changes, so bump `version` to rotate. A secret written this
    /// way is rotated by its version unless another [`Rotation`] is chosen.
    pub fn write_only(mut self, value: impl Into<Expr<String>>, version: u32) -> Self {
        self.write_only = Some((value.into(), version));
        self.rotation.get_or_insert(Rotation::AtSource(ROTATED_BY_VERSION));
        self
    }

    /// Writes a JSON document of `entries` write-only (see [`write_only`](Self::write_only)),
    /// and declares its keys so readers name one: an application that wants one
    /// `DATABASE_URL` gets it assembled from the endpoint and a generated password.
    pub fn write_only_json(mut self, entries: &[(&'static str, Expr<String>)], version: u32) -> Self {
        self.json_keys = entries.iter().map(|(k, _)| *k).collect();
        let document: Expression = entries.iter().map(|(k, v)| (*k, Expression::from(v.clone()))).collect();
        self.write_only(jsonencode(document), version)
    }

    /// Adds the secret and its rotation.
    pub fn build(self, ctx: &mut Context) -> SecretRef {
        ctx.within("secrets", |ctx| {
            let address = format!("aws_secretsmanager_secret.{}", self.key);
            let kms = ctx.key_for(&address, self.kms_key.as_ref());
            if self.rotation.is_none() {
                let help = "choose Rotation::Lambda { arn, days }, or Rotation::AtSource(reason) for a value rotated where it is issued";
                ctx.problem(&address, "no rotation chosen", help);
            }
            if !(7..=30).contains(&self.recovery_days) {
                let message = format!("a recovery window of {} days is outside 7-30", self.recovery_days);
                ctx.problem_at(&address, "recovery_window_in_days", message, "use 7-30 days");
            }
            let mut r = Resource::new("aws_secretsmanager_secret", &self.key)
                .set("name", self.name)
                .set_opt("description", (!self.description.is_empty()).then_some(self.description))
                .set("kms_key_id", kms.arn)
                .set("recovery_window_in_days", self.recovery_days);
            if let Some(Rotation::AtSource(reason)) = &self.rotation {
                r = r.skip_check("CKV2_AWS_57", *reason);
            }
            let secret = ctx.add(r);
            if let Some((value, version)) = self.write_only {
                ctx.add(
                    Resource::new("aws_secretsmanager_secret_version", &self.key)
                        .set("secret_id", secret.id())
                        .set("secret_string_wo", value)
                        .set("secret_string_wo_version", version),
                );
            }
            if let Some(Rotation::Lambda { arn, days }) = self.rotation {
                ctx.add(
                    Resource::new("aws_secretsmanager_secret_rotation", &self.key)
                        .set("secret_id", secret.id())
                        .set("rotation_lambda_arn", arn)
                        .block("rotation_rules", Body::new().set("automatically_after_days", days)),
                );
            }
            SecretRef { arn: secret.arn(), json_keys: self.json_keys, store: Store::SecretsManager }
        })
    }
}

/// A Systems Manager parameter that the stack writes, such as a connection URL assembled
/// from other resources' attributes: a `SecureString` encrypted with the customer key, read
/// by tasks as a secret so the value never appears in a task definition.
#[derive(Debug, Clone)]
#[must_use = "a parameter does nothing until built into a stack"]
pub struct Parameter {
    key: String,
    name: String,
    value: Expr<String>,
    description: String,
    kms_key: Option<KeyRef>,
}

impl Parameter {
    /// Parameter `key` called `name` (a path such as `/cvd/production/redis-url`) holding `value`.
    pub fn new(key: impl Into<String>, name: impl Into<String>, value: impl Into<Expr<String>>) -> Self {
        Self { key: key.into(), name: name.into(), value: value.into(), description: String::new(), kms_key: None }
    }

    /// What the parameter is for.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the parameter.
    pub fn build(self, ctx: &mut Context) -> SecretRef {
        ctx.within("secrets", |ctx| {
            let at = format!("aws_ssm_parameter.{}", self.key);
            if !self.name.starts_with('/') || self.name.contains("//") || self.name.ends_with('/') {
                let message = format!("parameter name `{}` is not a path", self.name);
                ctx.problem_at(&at, "name", message, "use a path such as /project/environment/name");
            }
            let kms = ctx.key_for(&at, self.kms_key.as_ref());
            let parameter = ctx.add(
                Resource::new("aws_ssm_parameter", &self.key)
                    .set("name", self.name)
                    .set_opt("description", (!self.description.is_empty()).then_some(self.description))
                    .set("type", "SecureString")
                    .set("key_id", kms.arn)
                    .set("value", self.value),
            );
            SecretRef::parameter(parameter.arn())
        })
    }
}

/// A value the stack generates on every run — an ephemeral `random_password` — that is never
/// in the configuration, the plan or the state. It may go only into write-only arguments
/// ([`Secret::write_only`], a database's generated master password) or provider
/// configurations; anywhere else the stack fails to synthesize, naming both.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The value, ephemeral.
    pub value: Expr<String>,
}

/// A generated password under construction: `length` characters, letters and digits, and
/// special characters unless they are turned off.
#[derive(Debug, Clone)]
#[must_use = "a password does nothing until built into a stack"]
pub struct Password {
    key: String,
    length: u16,
    special: Option<&'static str>,
}

/// Special characters every consumer of a password takes: RDS refuses `/`, `@`, `"` and
/// spaces, URLs need `:`, `/`, `?`, `#`, `@` and `%` escaped.
const SAFE_SPECIAL: &str = "-_.~!*";

impl Password {
    /// Password `key` of `length` characters (16-128), with special characters safe in a URL
    /// and accepted by RDS.
    pub fn new(key: impl Into<String>, length: u16) -> Self {
        Self { key: key.into(), length, special: Some(SAFE_SPECIAL) }
    }

    /// Letters and digits only (for a signing key or a value pasted into a URL unescaped).
    pub fn without_special(mut self) -> Self {
        self.special = None;
        self
    }

    /// Adds the ephemeral `random_password`.
    pub fn build(self, ctx: &mut Context) -> Generated {
        ctx.within("secrets", |ctx| {
            let at = format!("ephemeral.random_password.{}", self.key);
            if !(16..=128).contains(&self.length) {
                let message = format!("a password of {} characters", self.length);
                ctx.problem_at(&at, "length", message, "generate 16-128 characters");
            }
            let password = Resource::ephemeral("random_password", &self.key)
                .set("length", self.length)
                .set("special", self.special.is_some())
                .set_opt("override_special", self.special);
            Generated { value: ctx.add(password).attr("result").typed() }
        })
    }
}
