//! The `tfsynth` binary: the repository's stacks behind the command line.

use std::process::ExitCode;

fn main() -> ExitCode {
    tfsynth::cli::run(&tfsynth::stacks::registry(), std::env::args_os())
}
