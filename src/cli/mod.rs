//! The command line: clap parses the arguments, names are resolved against the registry
//! (unknown ones are usage errors, exit 2), then one function per command does the work.
//! Results go to standard output, messages and errors to standard error.

mod commands;
mod report;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::registry::{Environment, Registry};

/// Exit code for invalid stacks, policy failures, drift and failed writes.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage errors: bad flags, unknown environment or stack, a missing folder.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "tfsynth",
    version,
    about = "Synthesize typed Rust stack definitions into Terraform JSON or HCL",
    after_help = "Examples:\n  tfsynth synth production\n  tfsynth check\n  tfsynth diff staging production --stack takeoff"
)]
struct Args {
    /// Print only errors on standard error.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: unchanged files, waived findings.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build, validate, lint and render stacks for one environment, then write them to the output folder.
    #[command(
        after_help = "Examples:\n  tfsynth synth production\n  tfsynth synth staging --stack takeoff --format hcl\n  tfsynth synth development --stdout\n  tfsynth synth production --prune"
    )]
    Synth(SynthArgs),
    /// Compare every stack × environment × format with the committed snapshots; exit 1 on drift.
    #[command(after_help = "Examples:\n  tfsynth check\n  tfsynth check --stack takeoff --snapshots snapshots")]
    Check(CheckArgs),
    /// Show what differs, block by block and attribute by attribute, between two environments
    /// or against a folder written by `tfsynth synth --out`.
    #[command(
        after_help = "Examples:\n  tfsynth diff staging production --stack takeoff\n  tfsynth diff production --against baseline/\n  tfsynth diff staging production --format json"
    )]
    Diff(DiffArgs),
    /// A report per stack for a PR comment: resources by component and type, settings, policy.
    #[command(
        after_help = "Examples:\n  tfsynth summary production > summary.md\n  tfsynth summary staging --format json"
    )]
    Summary(SummaryArgs),
    /// The dependency graph between resources, from the typed references.
    #[command(
        after_help = "Examples:\n  tfsynth graph production --stack svg-ai\n  tfsynth graph production --stack takeoff --format dot | dot -Tsvg > takeoff.svg"
    )]
    Graph(GraphArgs),
    /// Run the policy rules; exit 1 on an unwaived finding or an expired waiver.
    #[command(after_help = "Examples:\n  tfsynth lint production\n  tfsynth lint staging --stack cvd --format json")]
    Lint(LintArgs),
    /// List the stacks and environments.
    #[command(after_help = "Example:\n  tfsynth list")]
    List,
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  tfsynth completions bash > /etc/bash_completion.d/tfsynth")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The arguments of `tfsynth synth`.
#[derive(Debug, clap::Args)]
struct SynthArgs {
    /// The environment, e.g. production (see `tfsynth list`).
    env: String,
    /// Only this stack (default: every stack).
    #[arg(long)]
    stack: Option<String>,
    /// The output syntax.
    #[arg(long, value_enum, default_value_t = SyntaxArg::Json)]
    format: SyntaxArg,
    /// The output folder; files go to <out>/<stack>/<env>/.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Print to standard output instead of writing files.
    #[arg(long)]
    stdout: bool,
    /// Delete files in the output folder that no stack produces any more (they are only
    /// reported without it).
    #[arg(long, conflicts_with = "stdout")]
    prune: bool,
}

/// The arguments of `tfsynth check`.
#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The folder of committed snapshots.
    #[arg(long, default_value = "snapshots")]
    snapshots: PathBuf,
    /// Only this stack.
    #[arg(long)]
    stack: Option<String>,
}

/// The arguments of `tfsynth diff`.
#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// The environment on the left (or the only one, with --against).
    env: String,
    /// The environment on the right.
    #[arg(required_unless_present = "against", conflicts_with = "against")]
    other: Option<String>,
    /// Compare the environment with the JSON files of this folder (<dir>/<stack>/<env>/main.tf.json).
    #[arg(long)]
    against: Option<PathBuf>,
    /// Only this stack.
    #[arg(long)]
    stack: Option<String>,
    /// Text for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// The arguments of `tfsynth summary`.
#[derive(Debug, clap::Args)]
struct SummaryArgs {
    /// The environment.
    env: String,
    /// Markdown for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
    format: SummaryFormat,
}

/// The arguments of `tfsynth graph`.
#[derive(Debug, clap::Args)]
struct GraphArgs {
    /// The environment.
    env: String,
    /// Only this stack.
    #[arg(long)]
    stack: Option<String>,
    /// Mermaid (renders in GitHub Markdown) or Graphviz dot.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

/// The arguments of `tfsynth lint`.
#[derive(Debug, clap::Args)]
struct LintArgs {
    /// The environment.
    env: String,
    /// Only this stack.
    #[arg(long)]
    stack: Option<String>,
    /// Text for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SyntaxArg {
    Json,
    Hcl,
}

/// How `diff` and `lint` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

/// Where output goes and how it looks.
struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    color: bool,
    quiet: bool,
    verbose: bool,
}

impl Console<'_> {
    /// A message on standard error, unless `--quiet`.
    fn note(&mut self, message: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(self.err, "{message}");
        }
    }
}

/// Whether to colour output: on a terminal, unless `NO_COLOR` is set to anything non-empty.
pub fn use_color(is_terminal: bool, no_color: Option<OsString>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Runs the command line against `registry` and returns the process exit code. Results go to
/// standard output (coloured on a terminal unless `NO_COLOR` is set), messages and errors to
/// standard error.
pub fn run<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> ExitCode {
    let color = use_color(std::io::stdout().is_terminal(), std::env::var_os("NO_COLOR"));
    run_inner(registry, args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock(), color)
}

/// As [`run`], with results written to `out` and messages and errors to `err`, uncoloured.
pub fn run_with<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    run_inner(registry, args, out, err, false)
}

fn run_inner<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> ExitCode {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // Help and version are results (exit 0); usage errors are errors (exit 2).
            let _ = if e.use_stderr() { write!(err, "{}", e.render()) } else { write!(out, "{}", e.render()) };
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    let mut console = Console { out, err, color, quiet: args.quiet, verbose: args.verbose };
    match commands::execute(registry, args.command, &mut console) {
        Ok(code) => code,
        Err(Failure::Usage(e)) => {
            let _ = writeln!(console.err, "error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Run(e)) => {
            let _ = writeln!(console.err, "error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Why a command stopped: the user's input (exit 2) or the stacks and the disk (exit 1).
enum Failure {
    Usage(Error),
    Run(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::UnknownEnvironment { .. } | Error::UnknownStack { .. } => Failure::Usage(e),
            other => Failure::Run(other),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn colour_only_on_terminals_without_no_color() {
        assert!(super::use_color(true, None));
        assert!(super::use_color(true, Some("".into())));
        assert!(!super::use_color(true, Some("1".into())));
        assert!(!super::use_color(false, None));
    }
}
