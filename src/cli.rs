//! The command line, in two layers: clap parses raw arguments, [`Request`] is the resolved,
//! validated request that alone touches the engine.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::registry::{Environment, Registry};
use crate::render::Format;
use crate::synth::{remove_empty_folders, stale_files, synthesize, write_all};

/// Exit code for invalid stacks and failed writes.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage errors: bad flags, unknown environment or stack.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "tfsynth", version, about = "Synthesize typed Rust stack definitions into Terraform JSON or HCL")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build, validate and render stacks for one environment, then write them to the output folder.
    #[command(
        after_help = "Examples:\n  tfsynth synth production\n  tfsynth synth staging --stack takeoff --format hcl\n  tfsynth synth development --stdout\n  tfsynth synth production --prune"
    )]
    Synth {
        /// The environment, e.g. production (see `tfsynth list`).
        env: String,
        /// Only this stack (default: every stack).
        #[arg(long)]
        stack: Option<String>,
        /// The output syntax.
        #[arg(long, value_enum, default_value_t = FormatArg::Json)]
        format: FormatArg,
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
    },
    /// List the stacks and environments.
    #[command(after_help = "Example:\n  tfsynth list")]
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Json,
    Hcl,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Json => Format::Json,
            FormatArg::Hcl => Format::Hcl,
        }
    }
}

/// A resolved request: environment and stack names checked against the registry.
enum Request<E> {
    Synth { env: E, stack: Option<String>, format: Format, target: Target, prune: bool },
    List,
}

enum Target {
    Folder(PathBuf),
    Stdout,
}

fn resolve<E: Environment>(args: Args, registry: &Registry<E>) -> Result<Request<E>, Error> {
    Ok(match args.command {
        Command::Synth { env, stack, format, out, stdout, prune } => {
            let env = E::parse(&env)?;
            if let Some(name) = &stack {
                registry.get(name)?;
            }
            let target = if stdout { Target::Stdout } else { Target::Folder(out) };
            Request::Synth { env, stack, format: format.into(), target, prune }
        }
        Command::List => Request::List,
    })
}

/// Runs the command line against `registry` and returns the process exit code. Results go to
/// standard output, messages and errors to standard error.
pub fn run<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> ExitCode {
    run_with(registry, args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
}

/// As [`run`], with results written to `out` and messages and errors to `err`.
pub fn run_with<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // Help and version are results (exit 0); usage errors are errors (exit 2).
            let _ = if e.use_stderr() { write!(err, "{}", e.render()) } else { write!(out, "{}", e.render()) };
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    let request = match resolve(args, registry) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match execute(registry, request, out, err) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn execute<E: Environment>(
    registry: &Registry<E>,
    request: Request<E>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let io = |source| Error::Io { path: "<stdout>".into(), source };
    match request {
        Request::List => {
            let envs: Vec<&str> = E::ALL.iter().map(|e| e.name()).collect();
            writeln!(out, "environments: {}", envs.join(", ")).map_err(io)?;
            writeln!(out, "stacks:").map_err(io)?;
            for s in registry.stacks() {
                writeln!(out, "  {:<12} {}", s.name, s.description).map_err(io)?;
            }
        }
        Request::Synth { env, stack, format, target, prune } => {
            let files = synthesize(registry, env, stack.as_deref(), format)?;
            match target {
                Target::Stdout => {
                    for (i, f) in files.iter().enumerate() {
                        if files.len() > 1 {
                            let sep = if i == 0 { "" } else { "\n" };
                            writeln!(out, "{sep}==> {} <==", f.relative_path().display()).map_err(io)?;
                        }
                        write!(out, "{}", f.contents).map_err(io)?;
                    }
                }
                Target::Folder(dir) => {
                    write_all(&dir, &files)?;
                    for f in &files {
                        let _ = writeln!(err, "wrote {}", dir.join(f.relative_path()).display());
                    }
                    for path in stale_files(registry, &dir)? {
                        if prune {
                            std::fs::remove_file(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
                            let _ = writeln!(err, "removed {} (no stack produces it)", path.display());
                        } else {
                            let _ = writeln!(
                                err,
                                "warning: {} is not produced by any stack; delete it or run with --prune",
                                path.display()
                            );
                        }
                    }
                    if prune {
                        remove_empty_folders(&dir);
                    }
                }
            }
        }
    }
    Ok(())
}
