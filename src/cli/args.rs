//! The arguments as clap parses them: close to the flags, checked for shape only. Names are
//! resolved against the registry in [`request`](super::request).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tfsynth",
    version,
    about = "Synthesize typed Rust stack definitions into Terraform JSON or HCL",
    after_help = "Examples:\n  tfsynth synth production\n  tfsynth check\n  tfsynth diff staging production --stack takeoff"
)]
pub(super) struct Args {
    /// Print only errors on standard error.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: unchanged files, waived findings, full line diffs.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Colour the results: on a terminal unless `NO_COLOR` is set (auto), always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Build, validate, lint and render stacks for one environment, then write them to the output folder.
    #[command(
        after_help = "Examples:\n  tfsynth synth production\n  tfsynth synth staging --stack takeoff --format hcl\n  tfsynth synth development --stdout\n  tfsynth synth production --prune"
    )]
    Synth(SynthArgs),
    /// Compare every stack × environment × format with the committed snapshots; exit 3 on drift.
    #[command(after_help = "Examples:\n  tfsynth check\n  tfsynth check --stack takeoff --snapshots snapshots")]
    Check(CheckArgs),
    /// Show what differs, block by block and attribute by attribute, between two environments
    /// or against a folder written by `tfsynth synth --out`.
    #[command(
        after_help = "Examples:\n  tfsynth diff staging production --stack takeoff\n  tfsynth diff production --against baseline/ --exit-code\n  tfsynth diff staging production --format json"
    )]
    Diff(DiffArgs),
    /// A report per stack for a PR comment: resources by component and type, settings, policy.
    #[command(
        after_help = "Examples:\n  tfsynth summary production > summary.md\n  tfsynth summary production --against baseline/ > summary.md\n  tfsynth summary staging --format json"
    )]
    Summary(SummaryArgs),
    /// The dependency graph between resources, from the typed references, grouped by component.
    #[command(
        after_help = "Examples:\n  tfsynth graph production --stack svg-ai\n  tfsynth graph production --stack takeoff --format dot | dot -Tsvg > takeoff.svg"
    )]
    Graph(GraphArgs),
    /// Run the policy rules; exit 3 on an unwaived finding or an expired waiver.
    #[command(after_help = "Examples:\n  tfsynth lint production\n  tfsynth lint staging --stack cvd --format json")]
    Lint(LintArgs),
    /// Synthesize, then run `terraform init` and `plan` in every stack folder — in dependency
    /// order, in parallel where the stacks allow — and report what each plan does. Exit 0: no
    /// changes, 3: changes, 1: a stack failed (README, "Exit codes").
    #[command(
        after_help = "Examples:\n  tfsynth plan production\n  tfsynth plan staging --stack takeoff --jobs 2 --format json\n\nCredentials, backends and provider installation are terraform's own (TFSYNTH_PLUGIN_DIR: install from that mirror)."
    )]
    Plan(PlanArgs),
    /// Apply exactly the plans `tfsynth plan --save` kept: synthesize again, refuse a stack
    /// whose configuration is not the one planned (or has no saved plan), then `terraform
    /// apply` the saved plan file, a stack at a time in dependency order.
    #[command(
        after_help = "Examples:\n  tfsynth plan production --stack takeoff --save planned\n  tfsynth apply production --stack takeoff --saved planned"
    )]
    Apply(ApplyArgs),
    /// Synthesize, then write (or refresh) each stack folder's provider lock file,
    /// `.terraform.lock.hcl`, with `terraform providers lock`: the versions and checksums that
    /// `plan` installs, `plan --save` keeps and `apply` installs again, read-only.
    #[command(
        after_help = "Examples:\n  tfsynth lock production --plugin-dir /opt/tf-plugins\n  tfsynth lock staging --stack takeoff --platform linux_amd64 --platform darwin_arm64"
    )]
    Lock(LockArgs),
    /// Write a CI pipeline for every stack × environment in dependency order: an Atlantis
    /// configuration or a GitHub Actions workflow.
    #[command(
        after_help = "Examples:\n  tfsynth pipeline --format atlantis --output atlantis.yaml\n  tfsynth pipeline --format github --output .github/workflows/infrastructure.yml\n  tfsynth pipeline --into examples/ci"
    )]
    Pipeline(PipelineArgs),
    /// Apply stacks against moto, a local AWS emulator, plan again (it must be empty) and
    /// destroy (nothing may be left): a pre-merge smoke test of references, ordering,
    /// read-back and teardown.
    #[command(
        after_help = "Examples:\n  tfsynth apply-test development\n  tfsynth apply-test development --stack takeoff --format json\n\nNeeds moto[server] for the Python in TFSYNTH_MOTO_PYTHON (default python3)."
    )]
    ApplyTest(ApplyTestArgs),
    /// Read a Terraform root module (a folder of `*.tf` files) and write it as a stack module
    /// of Rust — builder calls and typed references — saying what did not carry over exactly;
    /// with `--verify`, plan both offline and compare what they would do (exit 3 when they
    /// differ).
    #[command(
        after_help = "Examples:\n  tfsynth convert infra/production --stack legacy\n  tfsynth convert infra/production --stack legacy --out stacks/legacy --verify"
    )]
    Convert(ConvertArgs),
    /// List the stacks and environments.
    #[command(after_help = "Example:\n  tfsynth list")]
    List,
    /// List the vendored providers: source, version, and how many resources, data sources and
    /// ephemeral resources each schema holds.
    #[command(after_help = "Examples:\n  tfsynth providers\n  tfsynth providers --format json")]
    Providers {
        /// Markdown table or JSON.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
        format: SummaryFormat,
    },
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  tfsynth completions bash > /etc/bash_completion.d/tfsynth")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The arguments of `tfsynth synth`.
#[derive(Debug, clap::Args)]
pub(super) struct SynthArgs {
    /// The environment, e.g. production (see `tfsynth list`).
    pub env: String,
    /// Only these stacks (repeat the flag; default: every stack).
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// The output syntax.
    #[arg(long, value_enum, default_value_t = SyntaxArg::Json)]
    pub format: SyntaxArg,
    /// The output folder; files go to <out>/<stack>/<env>/.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Print to standard output instead of writing files.
    #[arg(long, conflicts_with_all = ["out", "prune", "allow_unowned_files"])]
    pub stdout: bool,
    /// Delete files tfsynth wrote earlier that no stack produces any more, and temporary files
    /// of interrupted runs (they are only reported without it).
    #[arg(long)]
    pub prune: bool,
    /// Write into a folder that is not empty although tfsynth did not write it; its files are
    /// left alone.
    #[arg(long)]
    pub allow_unowned_files: bool,
}

/// The arguments of `tfsynth plan`.
#[derive(Debug, clap::Args)]
pub(super) struct PlanArgs {
    /// The environment, e.g. production (see `tfsynth list`).
    pub env: String,
    /// Only these stacks (repeat the flag; default: every stack).
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// The output folder the stacks are written to and planned in.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Stacks planned at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Markdown for a pull-request comment, JSON for tools.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
    pub format: SummaryFormat,
    /// Plan against the state as recorded, without reading the real resources
    /// (`terraform plan -refresh=false`).
    #[arg(long)]
    pub no_refresh: bool,
    /// Install providers from this filesystem mirror (the folder holding
    /// `registry.terraform.io`; default: `TFSYNTH_PLUGIN_DIR` if set, else terraform's own
    /// configuration).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// Write into a folder that is not empty although tfsynth did not write it.
    #[arg(long)]
    pub allow_unowned_files: bool,
    /// Exit with 4 when a security change of this kind has no approval in code
    /// (`Stack::approve`): a pipeline's gate on pull requests.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
    /// Keep each planned stack's plan for `tfsynth apply --saved`: `<DIR>/<stack>/<env>/` gets
    /// the plan file, its JSON, the provider lock file and the synthesized files' SHA-256.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

/// The arguments of `tfsynth apply`.
#[derive(Debug, clap::Args)]
pub(super) struct ApplyArgs {
    /// The environment, e.g. production.
    pub env: String,
    /// Only these stacks (repeat the flag; default: every stack), applied in dependency order.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// The folder `tfsynth plan --save` kept the reviewed plans in.
    #[arg(long, value_name = "DIR")]
    pub saved: PathBuf,
    /// The output folder the stacks are written to and applied in.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Install providers from this filesystem mirror (default: `TFSYNTH_PLUGIN_DIR` if set,
    /// else terraform's own configuration).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// Write into a folder that is not empty although tfsynth did not write it.
    #[arg(long)]
    pub allow_unowned_files: bool,
}

/// The arguments of `tfsynth convert`.
#[derive(Debug, clap::Args)]
pub(super) struct ConvertArgs {
    /// The folder of the root module.
    pub path: PathBuf,
    /// The stack's name, which is the module's too.
    #[arg(long)]
    pub stack: String,
    /// Where to write `mod.rs` (default: `stacks/<stack>`); an existing file is never replaced.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Plan the original and the converted stack offline and compare them.
    #[arg(long)]
    pub verify: bool,
    /// With `--verify`: install providers from this filesystem mirror (the folder holding
    /// `registry.terraform.io`; default: `TFSYNTH_PLUGIN_DIR` if set, else the registry).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
}

/// The arguments of `tfsynth lock`.
#[derive(Debug, clap::Args)]
pub(super) struct LockArgs {
    /// The environment, e.g. production.
    pub env: String,
    /// Only these stacks (repeat the flag; default: every stack).
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// The output folder the stacks are written to and locked in.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Read the providers' checksums from this filesystem mirror (the folder holding
    /// `registry.terraform.io`; default: `TFSYNTH_PLUGIN_DIR` if set, else the registry).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// A platform to record checksums for, e.g. `linux_amd64` (repeat; default: this
    /// machine's).
    #[arg(long = "platform", value_name = "OS_ARCH")]
    pub platforms: Vec<String>,
    /// Write into a folder that is not empty although tfsynth did not write it.
    #[arg(long)]
    pub allow_unowned_files: bool,
}

/// The arguments of `tfsynth pipeline`.
#[derive(Debug, clap::Args)]
pub(super) struct PipelineArgs {
    /// Atlantis (`atlantis.yaml`) or GitHub Actions (a workflow file).
    #[arg(long, value_enum, required_unless_present = "into")]
    pub format: Option<PipelineFormat>,
    /// Where to write it (default: standard output).
    #[arg(long, value_name = "FILE", conflicts_with = "into")]
    pub output: Option<PathBuf>,
    /// Write both, as `atlantis.yaml` and `infrastructure.yml`, into this folder: what `check
    /// --pipelines` compares with.
    #[arg(long, value_name = "DIR", conflicts_with = "format")]
    pub into: Option<PathBuf>,
    /// The folder the pipeline synthesizes into.
    #[arg(long, default_value = PIPELINE_OUT)]
    pub out: PathBuf,
    /// How the pipeline runs tfsynth.
    #[arg(long, default_value = PIPELINE_COMMAND)]
    pub command: String,
}

/// The folder a generated pipeline synthesizes into, unless `--out` says otherwise.
pub(super) const PIPELINE_OUT: &str = "out";
/// How a generated pipeline runs tfsynth, unless `--command` says otherwise.
pub(super) const PIPELINE_COMMAND: &str = "cargo run --release --locked --";

/// The arguments of `tfsynth apply-test`.
#[derive(Debug, clap::Args)]
pub(super) struct ApplyTestArgs {
    /// The environment, e.g. development.
    pub env: String,
    /// Only these stacks (and the stacks they import from).
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Markdown for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
    pub format: SummaryFormat,
    /// Install providers from this filesystem mirror (default: `TFSYNTH_PLUGIN_DIR` if set).
    #[arg(long, value_name = "DIR")]
    pub plugin_dir: Option<PathBuf>,
    /// Then run each stack again without each gap entry it used, and report the entries it
    /// no longer needs.
    #[arg(long)]
    pub try_without_gaps: bool,
    /// Work in this folder and keep it (configurations, states, moto's log) instead of a
    /// temporary one.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

/// The arguments of `tfsynth check`.
#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// The folder of committed snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// The folder of committed pipelines (`tfsynth pipeline --into DIR`), compared when it
    /// exists and every stack is checked.
    #[arg(long, value_name = "DIR", default_value = "examples/ci")]
    pub pipelines: PathBuf,
    /// Only these stacks.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
}

/// The arguments of `tfsynth diff`.
#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    /// The environment on the left (or the only one, with --against).
    pub env: String,
    /// The environment on the right.
    #[arg(required_unless_present = "against", conflicts_with = "against")]
    pub other: Option<String>,
    /// Compare the environment with the JSON files of this folder (<dir>/<stack>/<env>/main.tf.json).
    #[arg(long)]
    pub against: Option<PathBuf>,
    /// Only these stacks.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Text for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit with 3 when anything differs (README, "Exit codes").
    #[arg(long)]
    pub exit_code: bool,
    /// Exit with 4 when a security change of this kind has no approval in code
    /// (`Stack::approve`): a pipeline's gate on pull requests.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
}

/// The arguments of `tfsynth summary`.
#[derive(Debug, clap::Args)]
pub(super) struct SummaryArgs {
    /// The environment.
    pub env: String,
    /// Only these stacks.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Markdown for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
    pub format: SummaryFormat,
    /// Lead with what changed since this folder (written by `tfsynth synth --out`), the
    /// inventory collapsed below.
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,
    /// Exit with 4 when a security change of this kind has no approval in code
    /// (`Stack::approve`): a pipeline's gate on pull requests.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
}

/// The arguments of `tfsynth graph`.
#[derive(Debug, clap::Args)]
pub(super) struct GraphArgs {
    /// The environment.
    pub env: String,
    /// Only these stacks.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Mermaid (renders in GitHub Markdown) or Graphviz dot.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// The arguments of `tfsynth lint`.
#[derive(Debug, clap::Args)]
pub(super) struct LintArgs {
    /// The environment.
    pub env: String,
    /// Only these stacks.
    #[arg(long = "stack", value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Text for people, JSON for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum SyntaxArg {
    Json,
    Hcl,
}

/// How `diff` and `lint` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    Text,
    Json,
}

/// Which security changes `--fail-on` stops at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FailOn {
    /// A change that opens or weakens something, unless approved in code.
    Broadening,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum SummaryFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum PipelineFormat {
    /// `atlantis.yaml`.
    Atlantis,
    /// The GitHub Actions workflow that plans pull requests and applies main.
    Github,
    /// The scheduled GitHub Actions workflow that looks for drift.
    GithubDrift,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum GraphFormat {
    Mermaid,
    Dot,
}
