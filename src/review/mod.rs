//! The reviewer commands' engines: the snapshot drift check, block-level diffs, renames and
//! destroys, the dependency graph and the summary. Only the command line uses them.

pub(crate) mod diff;
pub(crate) mod drift;
pub(crate) mod graph;
pub(crate) mod plan;
pub(crate) mod refactor;
pub(crate) mod security;
pub(crate) mod summary;
