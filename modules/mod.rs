//! Reusable components built only from the engine's prelude.
//!
//! The typed components (networking, database, cache, compute, load balancing, firewall)
//! arrive with the components issue; until then stacks use the generic builder.
