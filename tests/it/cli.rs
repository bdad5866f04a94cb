//! The `tfsynth` command line: what it prints where, its exit codes, and the bad-input matrix:
//! each mistake exits non-zero with one error naming the stack, the environment, the block and
//! the attribute, with advice, and writes nothing.

use std::io::Read;
use std::process::{Command, ExitCode, Stdio};

use stacks::{Env, registry};
use tfsynth::modules::database::Postgres;
use tfsynth::modules::networking::{Peer, Port, SecurityGroup, SubnetLayout, Vpc};
use tfsynth::modules::storage::{AccessLogs, Bucket};
use tfsynth::modules::{Account, Context, kms};
use tfsynth::prelude::*;

use super::common::{outputs, run, synth, text, tfsynth, tree};

#[test]
fn synth_writes_every_stack_for_the_environment() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("utf-8 path");
    let run = tfsynth(&["synth", "production", "--out", dir, "--format", "hcl"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let written = std::fs::read_to_string(out.path().join("takeoff/production/main.tf")).expect("written");
    assert_eq!(written, synth("takeoff", Env::Production, Format::Hcl));
    assert!(text(&run.stderr).contains(&format!("wrote {dir}/takeoff/production/main.tf")), "{}", text(&run.stderr));
    assert!(run.stdout.is_empty(), "messages go to stderr");
    let mut expected = outputs("production", Format::Hcl);
    expected.extend([".tfsynth-manifest.json".to_owned(), ".tfsynth.lock".to_owned()]);
    expected.sort();
    assert_eq!(tree(out.path()), expected);
}

#[test]
fn synth_is_byte_identical_across_runs_and_prints_with_stdout() {
    let first = tfsynth(&["synth", "staging", "--stdout"]);
    let second = tfsynth(&["synth", "staging", "--stdout"]);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
    let one = tfsynth(&["synth", "development", "--stack", "takeoff", "--stdout", "--format", "hcl"]);
    assert!(one.status.success(), "{}", text(&one.stderr));
    assert_eq!(text(&one.stdout), synth("takeoff", Env::Development, Format::Hcl));
}

#[test]
fn list_shows_stacks_and_environments() {
    let run = tfsynth(&["list"]);
    assert!(run.status.success());
    let stdout = text(&run.stdout);
    assert!(stdout.contains("environments: development, staging, production"), "{stdout}");
    assert!(stdout.contains("takeoff"), "{stdout}");
    // The descriptions start in one column, however long the longest name.
    let columns: std::collections::BTreeSet<usize> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .map(|l| {
            let name = l.find(' ').unwrap_or(l.len());
            name + l[name..].find(|c: char| c != ' ').unwrap_or(0)
        })
        .collect();
    assert_eq!(columns.len(), 1, "{stdout}");
}

#[test]
fn unknown_names_are_usage_errors_with_a_suggestion() {
    let out = tempfile::tempdir().expect("temp dir");
    // Every registered stack is listed, in registry order.
    let known: Vec<&str> = registry().stacks().iter().map(|s| s.name).collect();
    let listed = format!("unknown stack `takeof` (did you mean `takeoff`?); known stacks: {}", known.join(", "));
    let cases: [(&[&str], &str); 9] = [
        (&["synth", "staging", "--stack", "takeof"], &listed),
        (
            &["synth", "prod"],
            "unknown environment `prod` (did you mean `production`?); known environments: development, staging, production",
        ),
        (&["synth", "staging", "--stack", "takof"], "unknown stack `takof` (did you mean `takeoff`?)"),
        (&["diff", "prod", "staging"], "unknown environment `prod`"),
        (&["summary", "prod"], "unknown environment `prod`"),
        (&["graph", "prod"], "unknown environment `prod`"),
        (&["lint", "prod"], "unknown environment `prod`"),
        (&["lint", "production", "--stack", "nope"], "unknown stack `nope`;"),
        (&["check", "--stack", "nope"], "unknown stack `nope`;"),
    ];
    for (args, message) in cases {
        let run = Command::new(env!("CARGO_BIN_EXE_tfsynth")).args(args).current_dir(out.path()).output().expect("run");
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", text(&run.stderr));
        assert!(text(&run.stderr).contains(message), "{args:?}: {}", text(&run.stderr));
        assert!(run.stdout.is_empty(), "{args:?} printed results");
    }
    assert!(tree(out.path()).is_empty(), "a usage error wrote files");
}

#[test]
fn echoed_names_are_cut_and_escaped() {
    let long = format!("prod\u{1b}[31m{}", "x".repeat(200));
    let run = tfsynth(&["synth", &long]);
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run.stderr);
    assert!(err.contains("unknown environment `prod\\u{1b}[31mxxx"), "{err}");
    assert!(!err.contains('\u{1b}'), "a control character reached the terminal");
    assert!(err.lines().next().unwrap_or("").len() < 200, "{err}");
}

#[test]
fn flags_that_conflict_are_usage_errors() {
    for (args, message) in [
        (&["synth", "production", "--format", "yaml"][..], "invalid value 'yaml'"),
        (&["synth", "production", "--stdout", "--out", "x"], "cannot be used with"),
        (&["synth", "production", "--stdout", "--prune"], "cannot be used with"),
        (&["synth", "production", "--color", "sometimes"], "invalid value 'sometimes'"),
        (&["frobnicate"], "unrecognized subcommand"),
    ] {
        let run = tfsynth(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(text(&run.stderr).contains(message), "{args:?}: {}", text(&run.stderr));
    }
    let help = tfsynth(&["synth", "--help"]);
    assert!(help.status.success() && text(&help.stdout).contains("tfsynth synth production"));
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    for args in [&["graph", "production"][..], &["synth", "production", "--stdout"], &["summary", "production"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Read one byte, then close the pipe as `head -c1` would: the rest cannot be written.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0_u8; 1];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let mut stderr = String::new();
        child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
        let status = child.wait().expect("wait");
        assert!(status.success(), "{args:?} exited {status} after its reader left: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

// The bad-input matrix.

const ACCOUNT: Account = Account::new("123456789012", "us-east-1");
const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn base(env: Env) -> Context {
    let mut stack = Stack::new("bad", env.name()).with_tier(env.tier());
    stack.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(stack, ACCOUNT);
    let key = kms::Key::new("main", "bad", "test key").for_log_groups().build(&mut ctx);
    ctx.use_key(&key);
    ctx
}

fn duplicate_names(env: Env) -> Stack {
    let mut ctx = base(env);
    ctx.add(Resource::new("aws_sqs_queue", "jobs").set("name", "a"));
    ctx.add(Resource::new("aws_sqs_queue", "jobs").set("name", "b"));
    ctx.finish()
}

fn reference_to_another_stack(env: Env) -> Stack {
    let mut other = Stack::new("other", env.name());
    let queue = other.add(Resource::new("aws_sqs_queue", "theirs").set("name", "theirs"));
    let mut ctx = base(env);
    ctx.add(Resource::new("aws_sns_topic", "alerts").set("name", "alerts").set("kms_master_key_id", queue.arn()));
    ctx.finish()
}

fn network(env: Env, layout: SubnetLayout, azs: &[&'static str]) -> Stack {
    let mut ctx = base(env);
    Vpc::new("main", "bad", "10.0.0.0/16", azs).layout(layout).build(&mut ctx);
    ctx.finish()
}

fn explicit(public: [&'static str; 2], private: [&'static str; 2]) -> SubnetLayout {
    SubnetLayout::Explicit { public: public.to_vec(), private: private.to_vec(), database: vec![] }
}

fn overlapping_cidrs(env: Env) -> Stack {
    network(env, explicit(["10.0.0.0/24", "10.0.1.0/24"], ["10.0.1.0/24", "10.0.2.0/24"]), &AZS[..2])
}

fn out_of_range_cidrs(env: Env) -> Stack {
    network(env, explicit(["10.0.0.0/24", "10.1.0.0/24"], ["10.0.2.0/24", "10.0.3.0/24"]), &AZS[..2])
}

fn too_few_azs(env: Env) -> Stack {
    network(env, SubnetLayout::Carved { newbits: 4 }, &AZS[..1])
}

fn database(env: Env, db: Postgres) -> Stack {
    let mut ctx = base(env);
    let net = Vpc::new("main", "bad", "10.0.0.0/16", &AZS).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    db.build(&mut ctx);
    ctx.finish()
}

fn invalid_instance_class(env: Env) -> Stack {
    database(env, Postgres::new("main", "app", "15", "r6g.large"))
}

fn invalid_engine_version(env: Env) -> Stack {
    database(env, Postgres::new("main", "app", "fifteen", "db.r6g.large"))
}

fn bad_maintenance_window(env: Env) -> Stack {
    database(env, Postgres::new("main", "app", "15", "db.r6g.large").maintenance_window("Sunday 4am"))
}

fn empty_required_name(env: Env) -> Stack {
    let mut ctx = base(env);
    Bucket::new("data", "").access_logs(AccessLogs::Off("test")).build(&mut ctx);
    ctx.finish()
}

fn port_out_of_range(env: Env) -> Stack {
    let mut ctx = base(env);
    let net = Vpc::new("main", "bad", "10.0.0.0/16", &AZS).build(&mut ctx);
    let sg = SecurityGroup::new("web", "web", "web servers").network(&net).build(&mut ctx);
    sg.allow_in(&mut ctx, Port::tcp(0), Peer::Cidr("10.0.0.0/8"), "nothing listens on port 0");
    ctx.finish()
}

fn secret_as_literal(env: Env) -> Stack {
    let mut ctx = base(env);
    ctx.add(
        Resource::new("aws_db_instance", "legacy")
            .set("identifier", "legacy")
            .set("engine", "postgres")
            .set("instance_class", "db.t4g.micro")
            .set("allocated_storage", 20)
            .set("username", "app")
            .set("password", "hunter2-in-the-config"),
    );
    ctx.finish()
}

fn malformed_account(env: Env) -> Stack {
    let mut stack = Stack::new("bad", env.name());
    stack.provider(Provider::aws("us-east-1"));
    Context::new(stack, Account::new("12345678901x", "us-east-1")).finish()
}

/// One case: the stack, and what its single error must say.
struct Case {
    name: &'static str,
    build: fn(Env) -> Stack,
    address: &'static str,
    attribute: Option<&'static str>,
    message: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "duplicate-names",
        build: duplicate_names,
        address: "aws_sqs_queue.jobs",
        attribute: None,
        message: "duplicate address",
    },
    Case {
        name: "cross-stack-reference",
        build: reference_to_another_stack,
        address: "aws_sns_topic.alerts",
        attribute: Some("kms_master_key_id"),
        message: "refers to `aws_sqs_queue.theirs` of another stack",
    },
    Case {
        name: "overlapping-cidrs",
        build: overlapping_cidrs,
        address: "aws_vpc.main",
        attribute: Some("cidr_block"),
        message: "overlap",
    },
    Case {
        name: "out-of-range-cidrs",
        build: out_of_range_cidrs,
        address: "aws_vpc.main",
        attribute: Some("cidr_block"),
        message: "10.1.0.0/24",
    },
    Case {
        name: "too-few-azs",
        build: too_few_azs,
        address: "aws_subnet.main_private",
        attribute: Some("availability_zone"),
        message: "1 availability zone(s) given",
    },
    Case {
        name: "instance-class",
        build: invalid_instance_class,
        address: "aws_db_instance.main",
        attribute: Some("instance_class"),
        message: "instance class `r6g.large` is not of the form db.<family>.<size>",
    },
    Case {
        name: "engine-version",
        build: invalid_engine_version,
        address: "aws_db_instance.main",
        attribute: Some("engine_version"),
        message: "engine version `fifteen` is not a PostgreSQL version",
    },
    Case {
        name: "maintenance-window",
        build: bad_maintenance_window,
        address: "aws_db_instance.main",
        attribute: Some("maintenance_window"),
        message: "maintenance window `sunday 4am` is not ddd:hh:mm-ddd:hh:mm",
    },
    Case {
        name: "empty-name",
        build: empty_required_name,
        address: "aws_s3_bucket.data",
        attribute: Some("bucket"),
        message: "bucket name `` is not valid",
    },
    Case {
        name: "port-out-of-range",
        build: port_out_of_range,
        address: "aws_vpc_security_group_ingress_rule.web_in_0_10_0_0_0_8",
        attribute: Some("from_port"),
        message: "port range 0-0 is not valid",
    },
    Case {
        name: "secret-literal",
        build: secret_as_literal,
        address: "aws_db_instance.legacy",
        attribute: Some("password"),
        message: "is a secret, and a literal here would sit in plain text",
    },
    Case {
        name: "account-id",
        build: malformed_account,
        address: "account",
        attribute: None,
        message: "account id `12345678901x` is not 12 digits",
    },
];

fn bad_registry() -> Registry<Env> {
    Registry::new(
        CASES
            .iter()
            .map(|c| StackDef { name: c.name, description: c.message, build: c.build, settings: None })
            .collect(),
    )
}

#[test]
fn each_mistake_is_one_clear_error_and_writes_nothing() {
    let registry = bad_registry();
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("utf-8 path");
    for case in CASES {
        let (code, stdout, stderr) = run(&registry, &["synth", "production", "--stack", case.name, "--out", dir]);
        assert_eq!(code, ExitCode::from(1), "{}: {stderr}", case.name);
        assert!(stdout.is_empty(), "{}: results on stdout: {stdout}", case.name);
        let located = match case.attribute {
            Some(attribute) => format!("bad/production: {}: {attribute}: ", case.address),
            None => format!("bad/production: {}: ", case.address),
        };
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: bad/")).collect();
        assert_eq!(errors.len(), 1, "{}: expected one error:\n{stderr}", case.name);
        assert!(errors[0].contains(&located), "{}: not located at {located}:\n{stderr}", case.name);
        assert!(errors[0].contains(case.message), "{}: message lacks {:?}:\n{stderr}", case.name, case.message);
        assert!(stderr.contains("help: "), "{}: no advice:\n{stderr}", case.name);
    }
    assert!(tree(out.path()).is_empty(), "a failed synth wrote files: {:?}", tree(out.path()));
}

#[test]
#[cfg(unix)]
fn a_read_only_out_folder_fails_with_its_path() {
    use std::os::unix::fs::PermissionsExt;
    let registry = Registry::new(vec![StackDef {
        name: "ok",
        description: "valid",
        build: |env| base(env).finish(),
        settings: None,
    }]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(out.join("probe"), "").is_ok() {
        // Running as root, which ignores permissions: /proc is read-only for everyone.
        std::fs::remove_file(out.join("probe")).expect("cleanup");
        out = "/proc/tfsynth-read-only".into();
    }
    let (code, _, err) = run(&registry, &["synth", "production", "--out", out.to_str().expect("utf-8")]);
    std::fs::set_permissions(dir.path().join("out"), std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    assert_eq!(code, ExitCode::from(1), "{err}");
    assert!(err.starts_with(&format!("error: {}", out.display())), "the error names the folder: {err}");
}
