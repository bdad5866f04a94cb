//! DynamoDB tables: on-demand capacity, point-in-time recovery, encrypted with the customer key,
//! protected from deletion unless a reason is given.
//!
//! ```
//! use tfsynth::modules::tables::{KeyType, Table};
//! use tfsynth::modules::{Account, Context, kms};
//! use tfsynth::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").build(&mut ctx);
//! ctx.use_key(&key);
//! let table = Table::new("backups", "demo-backup-metadata", "backup_id", KeyType::String).ttl("retention_until").build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains("point_in_time_recovery"));
//! # let _ = table;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::kms::KeyRef;
use super::{Context, Deletion};
use crate::prelude::*;

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `S`.
    String,
    /// `N`.
    Number,
    /// `B`.
    Binary,
}

impl KeyType {
    fn code(self) -> &'static str {
        match self {
            KeyType::String => "S",
            KeyType::Number => "N",
            KeyType::Binary => "B",
        }
    }
}

/// A table, for the services that read and write it.
#[derive(Debug, Clone)]
pub struct TableRef {
    /// The table ARN.
    pub arn: Expr<String>,
    /// The table name.
    pub name: Expr<String>,
    /// The table itself.
    pub resource: Ref,
}

/// A table under construction.
#[derive(Debug, Clone)]
#[must_use = "a table does nothing until built into a stack"]
pub struct Table {
    key: String,
    name: String,
    partition: (String, KeyType),
    sort: Option<(String, KeyType)>,
    ttl: Option<String>,
    deletion: Deletion,
    kms_key: Option<KeyRef>,
}

impl Table {
    /// Table `key` called `name` with partition key `partition` of type `ty`.
    pub fn new(key: impl Into<String>, name: impl Into<String>, partition: impl Into<String>, ty: KeyType) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            partition: (partition.into(), ty),
            sort: None,
            ttl: None,
            deletion: Deletion::Protected,
            kms_key: None,
        }
    }

    /// A sort key.
    pub fn sort_key(mut self, name: impl Into<String>, ty: KeyType) -> Self {
        self.sort = Some((name.into(), ty));
        self
    }

    /// Items expire at the epoch seconds in attribute `attribute`.
    pub fn ttl(mut self, attribute: impl Into<String>) -> Self {
        self.ttl = Some(attribute.into());
        self
    }

    /// Whether the table is protected from deletion.
    pub fn deletion(mut self, deletion: Deletion) -> Self {
        self.deletion = deletion;
        self
    }

    /// The key to encrypt with instead of the context's.
    pub fn kms_key(mut self, key: &KeyRef) -> Self {
        self.kms_key = Some(key.clone());
        self
    }

    /// Adds the table.
    pub fn build(self, ctx: &mut Context) -> TableRef {
        ctx.within("tables", |ctx| {
            let at = format!("aws_dynamodb_table.{}", self.key);
            let key = ctx.key_for(&at, self.kms_key.as_ref());
            if self.sort.as_ref().is_some_and(|(s, _)| *s == self.partition.0) {
                ctx.problem_at(&at, "range_key", "the sort key is the partition key", "choose another attribute");
            }
            let attributes = std::iter::once(&self.partition)
                .chain(self.sort.as_ref())
                .map(|(name, ty)| Body::new().set("name", name.as_str()).set("type", ty.code()));
            let mut table = Resource::new("aws_dynamodb_table", &self.key)
                .set("name", self.name.as_str())
                .set("billing_mode", "PAY_PER_REQUEST")
                .set("hash_key", self.partition.0.as_str())
                .set_opt("range_key", self.sort.as_ref().map(|(s, _)| s.as_str()))
                .set("deletion_protection_enabled", self.deletion.is_protected())
                .blocks("attribute", attributes)
                .block("point_in_time_recovery", Body::new().set("enabled", true))
                .block("server_side_encryption", Body::new().set("enabled", true).set("kms_key_arn", key.arn));
            if let Some(reason) = self.deletion.reason() {
                table = table.destroyable(reason);
            }
            if let Some(attribute) = &self.ttl {
                table = table.block("ttl", Body::new().set("attribute_name", attribute.as_str()).set("enabled", true));
            }
            let table = ctx.add(table);
            TableRef { arn: table.arn(), name: table.id(), resource: table }
        })
    }
}
