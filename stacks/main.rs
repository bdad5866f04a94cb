//! The `tfsynth` binary: the repository's stacks behind the command line.

use std::process::ExitCode;

// Synthesis allocates many small strings and maps; mimalloc halves their cost (BENCHMARKS.md).
// `no_thp`: a short run touches little memory, and zeroing 2 MiB huge pages for it costs more.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tfsynth::cli::run(&stacks::registry(), std::env::args_os())
}
