//! The external tools tfsynth drives: the Terraform CLI with its offline provider mirror, and
//! checkov. Each can be pointed elsewhere with an environment variable, so a machine with
//! another layout still works.

// Without `test-tools` only the command line uses this module (or nothing, without `cli`); the
// rest serves tfsynth's tests, which turn the feature on.
#![cfg_attr(
    not(feature = "test-tools"),
    allow(
        dead_code,
        unused_imports,
        clippy::struct_field_names,
        reason = "the tests' drivers, public with test-tools"
    )
)]

pub mod emulator;
mod plan;
mod state;
mod terraform;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use plan::{FolderPlan, LOCK_FILE, PLAN_FILE, apply_saved, changed_attributes, lock_providers, plan_folder};
pub use state::{local_remote_states, placeholder_state, state_file};
pub use terraform::{TEST_PROVIDER_BIN_ENV, TEST_PROVIDER_ENV, Terraform, aws_aliases, mock_override, test_provider};

/// Environment variable naming the terraform binary (default: `terraform` on `PATH`).
pub const TERRAFORM_ENV: &str = "TFSYNTH_TERRAFORM";
/// Environment variable naming the folder that holds `registry.terraform.io`.
pub const PLUGIN_DIR_ENV: &str = "TFSYNTH_PLUGIN_DIR";
/// Environment variable naming the checkov binary (default: `checkov` on `PATH`).
pub const CHECKOV_ENV: &str = "TFSYNTH_CHECKOV";

/// The checkov command to run: [`CHECKOV_ENV`] or `checkov`, with the settings that keep it
/// offline and quiet.
pub fn checkov_command() -> Command {
    let mut cmd = Command::new(std::env::var_os(CHECKOV_ENV).unwrap_or_else(|| "checkov".into()));
    cmd.env("BC_SKIP_MAPPING", "TRUE").env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true");
    cmd
}

/// Whether checkov can be started at all.
pub fn checkov_available() -> bool {
    checkov_command().arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Environment variable naming the check-jsonschema binary (default: `check-jsonschema` on
/// `PATH`), which validates generated workflows.
pub const CHECK_JSONSCHEMA_ENV: &str = "TFSYNTH_CHECK_JSONSCHEMA";

/// The check-jsonschema command: [`CHECK_JSONSCHEMA_ENV`] or `check-jsonschema`.
pub fn check_jsonschema_command() -> Command {
    Command::new(std::env::var_os(CHECK_JSONSCHEMA_ENV).unwrap_or_else(|| "check-jsonschema".into()))
}

/// Folders probed for a filesystem mirror when [`PLUGIN_DIR_ENV`] is not set.
const MIRROR_CANDIDATES: &[&str] =
    &["/opt/tf-plugins", "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins"];

/// The terraform command to run: [`TERRAFORM_ENV`] or `terraform`.
pub fn terraform_command() -> Command {
    Command::new(std::env::var_os(TERRAFORM_ENV).unwrap_or_else(|| "terraform".into()))
}

/// [`terraform_command`] in `dir`, unattended and with no checkpoint calls.
pub fn terraform_in(dir: &Path) -> Command {
    let mut cmd = terraform_command();
    cmd.current_dir(dir).env("TF_IN_AUTOMATION", "1").env("CHECKPOINT_DISABLE", "1");
    cmd
}

/// Whether the terraform command can be started at all.
pub fn terraform_available() -> bool {
    terraform_command().arg("version").output().is_ok_and(|o| o.status.success())
}

/// The folder holding `registry.terraform.io/hashicorp/aws`, if one is found.
///
/// [`PLUGIN_DIR_ENV`] wins; otherwise the usual mirror locations and the user's
/// `~/.terraform.d/plugins` are probed.
pub fn plugin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(PLUGIN_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".terraform.d/plugins"));
    MIRROR_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .chain(home)
        .find(|dir| dir.join("registry.terraform.io/hashicorp/aws").is_dir())
}
