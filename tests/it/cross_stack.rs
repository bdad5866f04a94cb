//! Typed cross-stack references: a producer's exports become outputs, a consumer's imports a
//! `terraform_remote_state` pointed at the producer's backend; the graph is checked and
//! ordered, and a consumer plans against its producer's state with real terraform.

use stacks::{Env, registry};
use tfsynth::modules::Account;
use tfsynth::pipeline::synthesize;
use tfsynth::prelude::*;

use super::common::{document, run};

const VPC: Export<String> = Export::new("net", "vpc_id");
const SUBNETS: Export<List<String>> = Export::new("net", "subnet_ids");

fn base(name: &str, env: Env) -> Stack {
    let mut stack = Stack::new(name, env.name()).with_tier(env.tier());
    stack.provider(Provider::aws(Account::new("123456789012", "us-east-1").region));
    stack.terraform().backend =
        Some(S3Backend::new("acme-state", format!("{name}/{}/terraform.tfstate", env.name()), "us-east-1"));
    stack
}

fn net(env: Env) -> Stack {
    let mut stack = base("net", env);
    let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    stack.export(VPC, vpc.id(), "The VPC");
    stack.export(SUBNETS, Expr::from(vec![Expr::from("subnet-1")]), "Subnets");
    stack
}

fn app(env: Env) -> Stack {
    let mut stack = base("app", env);
    let vpc = stack.import(VPC);
    stack.add(Resource::new("aws_security_group", "app").set("name", "app").set("vpc_id", vpc));
    stack
}

fn def(name: &'static str, build: fn(Env) -> Stack) -> StackDef<Env> {
    StackDef { name, description: name, build, settings: None }
}

#[test]
fn imports_become_remote_state_of_the_producers_backend() {
    let registry = Registry::new(vec![def("net", net), def("app", app)]);
    let built = tfsynth::pipeline::build(&registry, &registry.select(&["app"]).unwrap(), Env::Staging).expect("valid");
    assert_eq!(built.len(), 1, "the producer is built to connect the import, not returned");
    let doc = document(&built[0].stack);
    let state = &doc["data"]["terraform_remote_state"]["net"];
    assert_eq!(state["backend"], "s3");
    assert_eq!(state["config"]["key"], "net/staging/terraform.tfstate");
    assert_eq!(state["config"]["bucket"], "acme-state");
    assert_eq!(
        doc["resource"]["aws_security_group"]["app"]["vpc_id"],
        "${data.terraform_remote_state.net.outputs.vpc_id}"
    );
    let alone = registry.build("app", Env::Staging).expect("connected");
    assert_eq!(document(&alone), doc, "Registry::build connects imports as synth does");
    // Asked for together, the producer is finished first and the consumer connected from
    // what it offered: the same configuration, both returned in the registry's order.
    let both =
        tfsynth::pipeline::build(&registry, &registry.select(&["app", "net"]).unwrap(), Env::Staging).expect("valid");
    assert_eq!(both.iter().map(|b| b.name).collect::<Vec<_>>(), ["net", "app"]);
    assert_eq!(document(&both[1].stack), doc);
    validate(&alone).expect("valid");
    let producer = registry.build("net", Env::Staging).unwrap();
    assert_eq!(producer.exports()[1], ("subnet_ids".to_owned(), r#"["list","string"]"#.to_owned()));
    let (code, out, _) = run(&registry, &["list"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    assert!(out.contains("  app app (imports from net)") && out.contains("order: net → app"), "{out}");
}

#[test]
fn a_panic_in_a_stack_reaches_the_caller_with_its_message() {
    fn broken(_: Env) -> Stack {
        panic!("no subnets configured")
    }
    let registry = Registry::new(vec![def("net", net), def("broken", broken), def("app", app)]);
    // With the others, it panics on a worker thread; alone, on the caller's.
    for wanted in [&[][..], &["broken"]] {
        let stacks = registry.select(wanted).unwrap();
        let panic = std::panic::catch_unwind(|| synthesize(&registry, &stacks, Env::Staging, Format::Json))
            .expect_err("the panic is not swallowed");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"no subnets configured"), "{wanted:?}");
    }
}

#[test]
fn a_stack_built_alone_says_its_imports_are_unconnected() {
    let message = validate(&app(Env::Staging)).unwrap_err().to_string();
    assert!(
        message
            .contains("data.terraform_remote_state.net: imports `net.vpc_id`, but stack `net` was not built with it"),
        "{message}"
    );
}

fn problems_of(stacks: Vec<StackDef<Env>>, wanted: &str) -> String {
    let registry = Registry::new(stacks);
    let (code, _, err) = run(&registry, &["synth", "staging", "--stack", wanted, "--stdout"]);
    assert_eq!(code, std::process::ExitCode::from(1), "{err}");
    err
}

#[test]
fn an_unknown_producer_is_named_with_a_suggestion() {
    fn nett(env: Env) -> Stack {
        let mut s = net(env);
        s.add(Resource::new("aws_sqs_queue", "q").set("name", "q").set("sqs_managed_sse_enabled", true));
        s
    }
    let err = problems_of(vec![def("nett", nett), def("app", app)], "app");
    assert!(err.contains("`app` imports `net.vpc_id`, but there is no stack `net`"), "{err}");
    assert!(err.contains("did you mean `nett`?"), "{err}");
}

#[test]
fn a_value_the_producer_does_not_export_is_named_with_what_it_does() {
    fn reads_a_typo(env: Env) -> Stack {
        let mut stack = base("app", env);
        let id = stack.import(Export::<String>::new("net", "vpc_idd"));
        stack.add(Resource::new("aws_security_group", "app").set("name", "app").set("vpc_id", id));
        stack
    }
    let err = problems_of(vec![def("net", net), def("app", reads_a_typo)], "app");
    assert!(err.contains("`app` imports `net.vpc_idd`, which `net` does not export"), "{err}");
    assert!(err.contains("did you mean `vpc_id`?"), "{err}");
}

#[test]
fn a_reference_across_environments_is_refused() {
    fn from_production(env: Env) -> Stack {
        let mut stack = base("app", env);
        let id = stack.import_from(VPC, "production");
        stack.add(Resource::new("aws_security_group", "app").set("name", "app").set("vpc_id", id));
        stack
    }
    let err = problems_of(vec![def("net", net), def("app", from_production)], "app");
    assert!(err.contains("`app` (staging) imports `net.vpc_id` from production: environments share no state"), "{err}");
}

#[test]
fn a_cycle_names_every_stack_in_it() {
    const FROM_B: Export<String> = Export::new("b", "value");
    const FROM_A: Export<String> = Export::new("a", "value");
    fn a(env: Env) -> Stack {
        let mut s = base("a", env);
        let v = s.import(FROM_B);
        s.export(FROM_A, v, "from b");
        s
    }
    fn b(env: Env) -> Stack {
        let mut s = base("b", env);
        let v = s.import(FROM_A);
        s.export(FROM_B, v, "from a");
        s
    }
    let err = problems_of(vec![def("a", a), def("b", b)], "a");
    assert!(err.contains("stacks import from each other in a cycle: a → b → a"), "{err}");
}

#[test]
fn an_export_declared_for_another_stack_is_refused() {
    let mut stack = base("app", Env::Staging);
    stack.export(VPC, Expr::from("vpc-1"), "not mine");
    let message = validate(&stack).unwrap_err().to_string();
    assert!(message.contains("output.vpc_id: exports `net.vpc_id`, which belongs to stack `net`"), "{message}");
}

/// The seed stacks stand alone but for ai-prism's cluster, which its operators and workloads
/// stacks deploy onto; showcase imports the platform's network, key and zone.
#[test]
fn the_consumers_read_their_producers() {
    let registry = registry();
    for &env in Env::ALL {
        let mut edges = tfsynth::pipeline::stack_edges(&registry, env).expect("a sound graph");
        edges.sort_unstable();
        let want = [
            ("ai-prism-operators", "ai-prism"),
            ("ai-prism-workloads", "ai-prism"),
            ("ai-prism-workloads", "ai-prism-operators"),
            ("showcase", "platform"),
            ("takeoff", "ci"),
        ];
        assert_eq!(edges, want, "{}", env.name());
        let levels = tfsynth::pipeline::stack_levels(&registry, env).unwrap();
        assert_eq!(levels.last().unwrap(), &["ai-prism-workloads"], "the workloads wait for the operators");
        assert!(levels[1].contains(&"ai-prism-operators") && levels[1].contains(&"showcase"), "{levels:?}");
        assert!(
            levels[0].contains(&"ci") && levels[1].contains(&"takeoff"),
            "takeoff's deploy role trusts ci's provider"
        );
    }
}

#[cfg(not(skip_tools))]
#[test]
fn a_consumer_plans_against_its_producers_state() {
    use super::common::{stack_files, tools};
    let files = stack_files("showcase", Env::Production, Format::Json);
    assert!(
        files.iter().any(|(name, _)| name == "platform.tfstate"),
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let dir = tools::workspace(&files, &[]);
    let changes = tools::plan(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    // The placeholder outputs of the producer's state reach the consumer's resources.
    let group = changes.iter().find(|c| c["address"] == "aws_security_group.tasks").expect("tasks group planned");
    assert_eq!(group["change"]["after"]["vpc_id"], "vpc_id-example");
}
