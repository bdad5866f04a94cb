//! The command line, in two layers (as ripgrep does): clap parses the arguments (`args`),
//! `request` resolves the environment, stacks and formats against the registry once, then one
//! function per command does the work (`commands`). Results go to standard output, messages
//! and errors to standard error; a closed standard output ends the command quietly.

mod apply_test;
mod args;
mod commands;
mod convert;
mod pipelines;
mod plan;
mod report;
mod request;
mod saved;

pub use pipelines::{PINNED_ACTIONS, PinnedAction};

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::error::Error;
use crate::pipeline::{Environment, Registry};
use args::{Args, Color};

/// Where output goes and how it looks.
struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    color: bool,
    verbosity: Verbosity,
    /// Standard error is a terminal: progress is a status line rewritten in place.
    progress: bool,
}

impl Console<'_> {
    /// An error on standard error, even with `--quiet`.
    fn error(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "error: {message}");
    }

    /// A message on standard error, unless `--quiet`.
    fn note(&mut self, message: impl std::fmt::Display) {
        if self.verbosity != Verbosity::Quiet {
            let _ = writeln!(self.err, "{message}");
        }
    }
}

/// How much goes to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    /// Errors only (`--quiet`).
    Quiet,
    /// Errors and messages.
    Normal,
    /// Also unchanged details, waived findings and full diffs (`--verbose`).
    Verbose,
}

/// How a command ended: the process exit code, one meaning each (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: done, and nothing to report.
    Success = 0,
    /// 1: something failed: an invalid stack, a policy finding that stops `synth`, a failed
    /// write, a terraform run or emulated apply that failed, a change `check` finds would
    /// destroy a resource holding data.
    Failure = 1,
    /// 2: the command line is wrong: an unknown flag, environment or stack, an unusable
    /// baseline folder.
    Usage = 2,
    /// 3: the answer is "yes": the snapshots drifted (`check`), the renderings differ
    /// (`diff --exit-code`), the plan has changes (`plan`), unwaived findings (`lint`).
    Found = 3,
    /// 4: a security change broadens something without an approval in code
    /// (`--fail-on broadening`).
    Unapproved = 4,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}

/// Why a command stopped early.
enum Failure {
    /// An error, with its exit code.
    Error(Error),
    /// Standard output was closed (`tfsynth graph production | head -1`): not an error.
    Closed,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

impl From<std::io::Error> for Failure {
    /// A failed write to standard output.
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Error(Error::io("<stdout>", e))
        }
    }
}

/// Whether to colour output: always, never, or on a terminal unless `NO_COLOR` is set to
/// anything non-empty.
fn use_color(choice: Color, is_terminal: bool, no_color: Option<OsString>) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// The command line's definition: its subcommands, flags and help (for man pages, or a test
/// that every command is covered).
pub fn command() -> clap::Command {
    <Args as clap::CommandFactory>::command()
}

/// Runs the command line against `registry` and returns the process exit code: a [`Status`].
pub fn run<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> ExitCode {
    let terminal = (std::io::stdout().is_terminal(), std::io::stderr().is_terminal());
    run_inner(registry, args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock(), Some(terminal))
}

/// As [`run`], with results written to `out` and messages and errors to `err`, uncoloured
/// unless `--color always`.
pub fn run_with<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    run_inner(registry, args, out, err, None)
}

/// `terminal`: whether standard output and standard error are terminals (`None`: not the
/// process's own).
fn run_inner<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Option<(bool, bool)>,
) -> ExitCode {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // Help and version are results (exit 0); usage errors are errors (exit 2).
            let _ = if e.use_stderr() { write!(err, "{}", e.render()) } else { write!(out, "{}", e.render()) };
            return if e.use_stderr() { Status::Usage } else { Status::Success }.into();
        }
    };
    let (stdout_terminal, stderr_terminal) = terminal.unwrap_or((false, false));
    let color = use_color(args.color, stdout_terminal, std::env::var_os("NO_COLOR"));
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, true) => Verbosity::Verbose,
        (false, false) => Verbosity::Normal,
    };
    let mut console = Console { out, err, color, verbosity, progress: stderr_terminal };
    match commands::execute(registry, args.command, &mut console) {
        Ok(status) => status.into(),
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Error(e)) => {
            let _ = writeln!(console.err, "error: {e}");
            if e.is_usage() { Status::Usage } else { Status::Failure }.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::args::Color;

    #[test]
    fn colour_follows_the_choice_and_no_color() {
        assert!(super::use_color(Color::Auto, true, None));
        assert!(super::use_color(Color::Auto, true, Some("".into())));
        assert!(!super::use_color(Color::Auto, true, Some("1".into())));
        assert!(!super::use_color(Color::Auto, false, None));
        assert!(super::use_color(Color::Always, false, Some("1".into())));
        assert!(!super::use_color(Color::Never, true, None));
    }
}
