//! The bad-input matrix, end to end through the command line: each mistake exits non-zero with
//! one error naming the stack, the environment, the block address and the attribute, and writes
//! nothing.

use std::path::Path;
use std::process::ExitCode;

use tfsynth::modules::database::Postgres;
use tfsynth::modules::networking::{Peer, Port, SecurityGroup, SubnetLayout, Vpc};
use tfsynth::modules::storage::{AccessLogs, Bucket, Encryption};
use tfsynth::modules::{Account, KmsKey, kms};
use tfsynth::prelude::*;
use tfsynth::stacks::Env;

const ACCOUNT: Account = Account { id: "123456789012", region: "us-east-1" };
const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn base(env: Env) -> (Stack, KmsKey) {
    let mut stack = Stack::new("bad", env.name());
    stack.provider(Provider::aws(ACCOUNT.region));
    let key = kms::Key::new("main", "bad", "test key").for_log_groups().build(&mut stack, &ACCOUNT);
    (stack, key)
}

fn duplicate_names(env: Env) -> Stack {
    let (mut stack, _) = base(env);
    stack.add(Resource::new("aws_sqs_queue", "jobs").set("name", "a"));
    stack.add(Resource::new("aws_sqs_queue", "jobs").set("name", "b"));
    stack
}

fn reference_to_another_stack(env: Env) -> Stack {
    let mut other = Stack::new("other", env.name());
    let queue = other.add(Resource::new("aws_sqs_queue", "theirs").set("name", "theirs"));
    let (mut stack, _) = base(env);
    stack.add(Resource::new("aws_sns_topic", "alerts").set("name", "alerts").set("kms_master_key_id", queue.arn()));
    stack
}

fn overlapping_cidrs(env: Env) -> Stack {
    let (mut stack, key) = base(env);
    let layout = SubnetLayout::Explicit {
        public: vec!["10.0.0.0/24", "10.0.1.0/24"],
        private: vec!["10.0.1.0/24", "10.0.2.0/24"],
        database: vec![],
    };
    Vpc::new("bad", "10.0.0.0/16", &AZS[..2]).layout(layout).build(&mut stack, &ACCOUNT, &key);
    stack
}

fn out_of_range_cidrs(env: Env) -> Stack {
    let (mut stack, key) = base(env);
    let layout = SubnetLayout::Explicit {
        public: vec!["10.0.0.0/24", "10.1.0.0/24"],
        private: vec!["10.0.2.0/24", "10.0.3.0/24"],
        database: vec![],
    };
    Vpc::new("bad", "10.0.0.0/16", &AZS[..2]).layout(layout).build(&mut stack, &ACCOUNT, &key);
    stack
}

fn too_few_azs(env: Env) -> Stack {
    let (mut stack, key) = base(env);
    Vpc::new("bad", "10.0.0.0/16", &AZS[..1]).build(&mut stack, &ACCOUNT, &key);
    stack
}

fn database(env: Env, db: Postgres) -> Stack {
    let (mut stack, key) = base(env);
    let net = Vpc::new("bad", "10.0.0.0/16", &AZS).database_subnets().build(&mut stack, &ACCOUNT, &key);
    let app = SecurityGroup::new(&mut stack, &net.vpc_id, "app", "app", "application");
    db.build(&mut stack, &ACCOUNT, &net, &key, &[&app]);
    stack
}

fn invalid_instance_class(env: Env) -> Stack {
    database(env, Postgres::new("app", "15", "r6g.large"))
}

fn invalid_engine_version(env: Env) -> Stack {
    database(env, Postgres::new("app", "fifteen", "db.r6g.large"))
}

fn empty_required_name(env: Env) -> Stack {
    let (mut stack, key) = base(env);
    Bucket::new("data", "").encryption(Encryption::Kms(key)).access_logs(AccessLogs::Off("test")).build(&mut stack);
    stack
}

fn port_out_of_range(env: Env) -> Stack {
    let (mut stack, key) = base(env);
    let net = Vpc::new("bad", "10.0.0.0/16", &AZS).build(&mut stack, &ACCOUNT, &key);
    let sg = SecurityGroup::new(&mut stack, &net.vpc_id, "web", "web", "web servers");
    sg.allow_in(&mut stack, Port::tcp(0), Peer::Cidr("10.0.0.0/8"), "nothing listens on port 0");
    stack
}

fn secret_as_literal(env: Env) -> Stack {
    let (mut stack, _) = base(env);
    stack.add(
        Resource::new("aws_db_instance", "legacy")
            .set("identifier", "legacy")
            .set("engine", "postgres")
            .set("instance_class", "db.t4g.micro")
            .set("allocated_storage", 20)
            .set("username", "app")
            .set("password", "hunter2-in-the-config"),
    );
    stack
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
        address: "aws_subnet.private",
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
];

fn registry() -> Registry<Env> {
    Registry::new(
        CASES
            .iter()
            .map(|c| StackDef { name: c.name, description: c.message, build: c.build, settings: None })
            .collect(),
    )
}

fn run(registry: &Registry<Env>, args: &[&str]) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code =
        tfsynth::cli::run_with(registry, std::iter::once("tfsynth").chain(args.iter().copied()), &mut out, &mut err);
    (code, String::from_utf8(out).expect("utf-8"), String::from_utf8(err).expect("utf-8"))
}

fn files_under(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir).into_iter().flatten().filter(|e| e.file_type().is_file()).count()
}

#[test]
fn each_mistake_is_one_clear_error_and_writes_nothing() {
    let registry = registry();
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
    assert_eq!(files_under(out.path()), 0, "a failed synth wrote files");
}

#[test]
fn unknown_environment_and_stack_are_usage_errors() {
    let registry = registry();
    let (code, _, err) = run(&registry, &["synth", "prod"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("unknown environment `prod`; known environments: development, staging, production"), "{err}");
    let (code, _, err) = run(&registry, &["synth", "production", "--stack", "nope"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("unknown stack `nope`; known stacks: duplicate-names"), "{err}");
}

#[test]
fn an_out_path_that_is_a_file_fails_and_is_left_alone() {
    let registry =
        Registry::new(vec![StackDef { name: "ok", description: "valid", build: |env| base(env).0, settings: None }]);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("out");
    std::fs::write(&file, "user data").expect("write");
    let (code, _, err) = run(&registry, &["synth", "production", "--out", file.to_str().expect("utf-8")]);
    assert_eq!(code, ExitCode::from(1));
    assert!(err.contains("exists and is not a folder; choose another --out"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "user data");
}

#[test]
#[cfg(unix)]
fn a_read_only_out_folder_fails_with_its_path() {
    use std::os::unix::fs::PermissionsExt;
    let registry =
        Registry::new(vec![StackDef { name: "ok", description: "valid", build: |env| base(env).0, settings: None }]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(out.join("probe"), "").is_ok() {
        // Running as root, which ignores permissions: /proc is read-only for everyone.
        out = "/proc/tfsynth-read-only".into();
    }
    let (code, _, err) = run(&registry, &["synth", "production", "--out", out.to_str().expect("utf-8")]);
    std::fs::set_permissions(dir.path().join("out"), std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    assert_eq!(code, ExitCode::from(1), "{err}");
    assert!(err.starts_with(&format!("error: {}", out.display())), "the error names the folder: {err}");
}
