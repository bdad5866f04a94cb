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
use crate::synth::{synthesize, write_all};

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
        after_help = "Examples:\n  tfsynth synth production\n  tfsynth synth staging --stack takeoff --format hcl\n  tfsynth synth development --stdout"
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
    Synth { env: E, stack: Option<String>, format: Format, target: Target },
    List,
}

enum Target {
    Folder(PathBuf),
    Stdout,
}

fn resolve<E: Environment>(args: Args, registry: &Registry<E>) -> Result<Request<E>, Error> {
    Ok(match args.command {
        Command::Synth { env, stack, format, out, stdout } => {
            let env = E::parse(&env)?;
            if let Some(name) = &stack {
                registry.get(name)?;
            }
            let target = if stdout { Target::Stdout } else { Target::Folder(out) };
            Request::Synth { env, stack, format: format.into(), target }
        }
        Command::List => Request::List,
    })
}

/// Runs the command line against `registry` and returns the process exit code.
pub fn run<E: Environment>(
    registry: &Registry<E>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> ExitCode {
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // clap prints help/version to stdout with exit 0, and usage errors to stderr with exit 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    let request = match resolve(args, registry) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match execute(registry, request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn execute<E: Environment>(registry: &Registry<E>, request: Request<E>) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    let io = |source| Error::Io { path: "<stdout>".into(), source };
    match request {
        Request::List => {
            let envs: Vec<&str> = E::ALL.iter().map(|e| e.name()).collect();
            writeln!(stdout, "environments: {}", envs.join(", ")).map_err(io)?;
            writeln!(stdout, "stacks:").map_err(io)?;
            for s in registry.stacks() {
                writeln!(stdout, "  {:<12} {}", s.name, s.description).map_err(io)?;
            }
        }
        Request::Synth { env, stack, format, target } => {
            let files = synthesize(registry, env, stack.as_deref(), format)?;
            match target {
                Target::Stdout => {
                    for (i, f) in files.iter().enumerate() {
                        if files.len() > 1 {
                            let sep = if i == 0 { "" } else { "\n" };
                            writeln!(stdout, "{sep}==> {} <==", f.relative_path().display()).map_err(io)?;
                        }
                        write!(stdout, "{}", f.contents).map_err(io)?;
                    }
                }
                Target::Folder(out) => {
                    write_all(&out, &files)?;
                    for f in &files {
                        eprintln!("wrote {}", out.join(f.relative_path()).display());
                    }
                }
            }
        }
    }
    Ok(())
}
