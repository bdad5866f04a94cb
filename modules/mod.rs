//! Reusable components, built only from the engine's prelude. Each is
//! `X::new(key, required…).option(…).build(&mut ctx) -> XRef`: `key` names its blocks, the
//! [`Context`] carries the stack, account, KMS key and network, the defaults are the secure
//! choice, and the `XRef` it returns is what the next component takes.

mod account;
mod context;
mod environment;
mod foundation;
mod lifetime;

pub mod alarms;
pub mod audit;
pub mod budgets;
pub mod cache;
pub mod ci_identity;
pub mod compute;
pub mod container_registry;
pub mod dashboards;
pub mod database;
pub mod dns;
pub mod edge;
pub mod events;
pub mod firewall;
pub mod functions;
pub mod iam;
pub mod kms;
pub mod kubernetes;
pub mod load_balancing;
pub mod logs;
pub mod networking;
pub mod prelude;
pub mod secrets;
pub mod storage;
pub mod tables;

pub use account::{Account, AccountId, is_service_id};
pub use context::Context;
pub use foundation::Foundation;
pub use lifetime::{Deletion, Retention};
