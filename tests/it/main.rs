//! The integration tests: one binary (the crate links once), a module per area; the matrix of
//! every stack × environment × format is a binary of its own (`tests/matrix/`).
//!
//! Tests that run terraform or checkov fail with what to install when the tool is missing;
//! `TFSYNTH_SKIP_TOOLS=1 cargo test` compiles them out instead (never in CI), so no test
//! passes without running its tool.

mod cli;
mod commands;
mod common;
mod components;
mod convert;
mod cross_stack;
mod escape_hatch;
mod examples;
mod exit_codes;
mod generated_secrets;
mod hardening;
mod language;
mod layering;
mod output;
mod pipelines;
#[cfg(not(skip_tools))]
mod plan;
mod properties;
mod providers;
mod review;
mod seeds;
mod supporting;
mod synthetic;
mod validation;
