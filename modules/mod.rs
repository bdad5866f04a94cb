//! Reusable components, built only from the engine's prelude. Each takes a typed config whose
//! defaults are the secure choice and returns typed outputs for the next component.

mod account;
pub mod alarms;
pub mod cache;
pub mod compute;
pub mod database;
pub mod dns;
pub mod edge;
pub mod firewall;
pub mod iam;
pub mod kms;
pub mod load_balancing;
pub mod logs;
pub mod networking;
pub mod registry;
pub mod secrets;
pub mod storage;

pub use account::{Account, is_service_id};
pub use kms::KmsKey;
pub use logs::{LogGroup, Retention};
