//! Everything a stack author needs, in one import — the engine's prelude, the account,
//! context and lifetime types, and every component:
//!
//! ```
//! use tfsynth::modules::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = Key::new("main", "demo", "Demo data").build(&mut ctx);
//! ctx.use_key(&key);
//! let logs = Bucket::for_access_logs("logs", "demo-logs-123456789012").build(&mut ctx);
//! Bucket::new("data", "demo-data-123456789012").access_logs(AccessLogs::To(logs)).build(&mut ctx);
//! validate(&ctx.finish())?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

pub use super::alarms::*;
pub use super::audit::*;
pub use super::budgets::*;
pub use super::cache::*;
pub use super::ci_identity::*;
pub use super::compute::*;
pub use super::container_registry::*;
pub use super::dashboards::*;
pub use super::database::*;
pub use super::dns::*;
pub use super::edge::*;
pub use super::events::*;
pub use super::firewall::*;
pub use super::functions::*;
pub use super::iam::*;
pub use super::kms::*;
pub use super::kubernetes::*;
pub use super::load_balancing::*;
pub use super::logs::*;
pub use super::networking::*;
pub use super::secrets::*;
pub use super::storage::*;
pub use super::tables::*;
pub use super::{Account, AccountId, Context, Deletion, Foundation, Retention};
pub use crate::prelude::*;
// Named twice (an ECS cluster, an Aurora cluster): the ECS one, as stacks name it; Aurora's
// is `database::Cluster`.
pub use super::compute::Cluster;
