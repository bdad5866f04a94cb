//! Refactoring against the emulator: a stack applied, then changed as its next pull request
//! would change it, and planned against the state the apply left.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;
use tfsynth::modules::kms::Key;
use tfsynth::modules::logs::LogGroup;
use tfsynth::modules::{Account, Context, Retention};
use tfsynth::prelude::*;
use tfsynth::tools::emulator::Emulator;
use tfsynth::tools::workspace::Workspace;

use super::{create_bucket, terraform};

const ACCOUNT: Account = Account::new("123456789012", "us-east-1");

fn emulator() -> Emulator {
    Emulator::start(ACCOUNT.id.as_str(), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// A stack of `tier` built through a context: a key and what `build` adds.
fn components(tier: Tier, build: impl FnOnce(&mut Context)) -> Stack {
    let mut stack = Stack::new("evolve", "development").with_tier(tier);
    stack.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(stack, ACCOUNT);
    build(&mut ctx);
    ctx.finish()
}

/// A key (`key`) that log groups may use, and a log group encrypted with it.
fn key_and_logs(ctx: &mut Context, key: &str, logs: &str) {
    let k = Key::new(key, "evolve", "Evolve").for_log_groups().build(ctx);
    ctx.use_key(&k);
    LogGroup::new("app", logs).retention(Retention::Days(7, "a test")).build(ctx);
}

/// `(address, actions, previous address)` of every planned change.
fn actions(plan: &[Value]) -> Vec<(String, String, Option<String>)> {
    plan.iter()
        .map(|c| {
            let actions: Vec<&str> =
                c["change"]["actions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            (
                c["address"].as_str().unwrap_or_default().to_owned(),
                actions.join(","),
                c["previous_address"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn a_rename_keeps_its_objects_and_one_without_it_replaces_them() {
    let emulator = emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::new(dir.path(), &emulator, Some(terraform().plugin_dir()));
    let before = components(Tier::Development, |ctx| key_and_logs(ctx, "main", "/evolve/app"));
    ws.apply(&before).unwrap_or_else(|e| panic!("{e}"));

    // Renamed with the component's old key: every object moves, nothing is created or destroyed.
    let renamed = components(Tier::Development, |ctx| {
        ctx.renamed("main", "data", |ctx| key_and_logs(ctx, "data", "/evolve/app"));
    });
    let plan = actions(&ws.plan(&renamed).unwrap_or_else(|e| panic!("{e}")));
    let moved: Vec<&(String, String, Option<String>)> = plan.iter().filter(|(_, _, from)| from.is_some()).collect();
    assert_eq!(
        moved.iter().map(|(to, _, from)| (from.as_deref().unwrap_or_default(), to.as_str())).collect::<Vec<_>>(),
        // In terraform's order, by address.
        [("aws_kms_alias.main", "aws_kms_alias.data"), ("aws_kms_key.main", "aws_kms_key.data")],
        "{plan:?}"
    );
    assert!(plan.iter().all(|(_, a, _)| !a.contains("create") && !a.contains("delete")), "{plan:?}");

    // The same rename without it: terraform would replace the key (the review's unit tests and
    // `check`'s show it is caught before then).
    let bare = components(Tier::Development, |ctx| key_and_logs(ctx, "data", "/evolve/app"));
    let plan = actions(&ws.plan(&bare).unwrap_or_else(|e| panic!("{e}")));
    assert!(plan.contains(&("aws_kms_key.main".into(), "delete".into(), None)), "{plan:?}");
    assert!(plan.contains(&("aws_kms_key.data".into(), "create".into(), None)), "{plan:?}");
}

/// Sends an EC2 query action to the emulator (moto checks no signature) and returns the answer.
fn ec2(port: u16, query: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to moto");
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{query}",
        query.len()
    )
    .expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("response");
    assert!(answer.starts_with("HTTP/1.1 200"), "{query}: {answer}");
    answer
}

#[test]
fn existing_objects_are_adopted_and_plan_empty() {
    let emulator = emulator();
    // Made out of band: a VPC and two buckets.
    let answer = ec2(emulator.port, "Action=CreateVpc&CidrBlock=10.77.0.0%2F16&Version=2016-11-15");
    let vpc_id = answer.split("<vpcId>").nth(1).and_then(|rest| rest.split('<').next()).expect("a VPC id").to_owned();
    for bucket in ["evolve-adopted", "evolve-adopted-logs"] {
        create_bucket(emulator.port, bucket);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::new(dir.path(), &emulator, Some(terraform().plugin_dir()));
    let adopting = |with_imports: bool| {
        let mut stack = Stack::new("adopt", "development").with_tier(Tier::Development);
        stack.provider(Provider::aws(ACCOUNT.region));
        let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.77.0.0/16"));
        let buckets = stack.add(
            Resource::new("aws_s3_bucket", "data")
                .for_each(Expression::from_iter([("data", "evolve-adopted"), ("logs", "evolve-adopted-logs")]))
                .set("bucket", each_value()),
        );
        if with_imports {
            stack.adopt(&vpc, vpc_id.as_str());
            stack.adopt_each(
                &buckets,
                Expression::from_iter([("data", "evolve-adopted"), ("logs", "evolve-adopted-logs")]),
            );
        }
        stack
    };
    let plan = ws.plan(&adopting(true)).unwrap_or_else(|e| panic!("{e}"));
    let imported: Vec<&str> =
        plan.iter().filter(|c| c["change"]["importing"].is_object()).filter_map(|c| c["address"].as_str()).collect();
    assert_eq!(imported, ["aws_s3_bucket.data[\"data\"]", "aws_s3_bucket.data[\"logs\"]", "aws_vpc.main"], "{plan:#?}");
    let creates: Vec<&Value> = plan.iter().filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"])).collect();
    assert!(creates.is_empty(), "adopting changes nothing: {creates:#?}");
    ws.apply(&adopting(true)).unwrap_or_else(|e| panic!("{e}"));
    // Adopted, the import blocks can go: nothing to do.
    let after = actions(&ws.plan(&adopting(false)).unwrap_or_else(|e| panic!("{e}")));
    assert!(after.iter().all(|(_, a, _)| a == "no-op"), "{after:?}");
}

#[test]
fn a_production_stack_refuses_to_replace_what_holds_data() {
    let emulator = emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::new(dir.path(), &emulator, Some(terraform().plugin_dir()));
    ws.apply(&components(Tier::Production, |ctx| key_and_logs(ctx, "main", "/evolve/app")))
        .unwrap_or_else(|e| panic!("{e}"));
    // A new name replaces a log group: terraform plan itself refuses.
    let renamed_group = components(Tier::Production, |ctx| key_and_logs(ctx, "main", "/evolve/application"));
    let error = ws.plan(&renamed_group).expect_err("prevent_destroy refuses the replacement");
    assert!(error.contains("Instance cannot be destroyed"), "{error}");
    assert!(error.contains("aws_cloudwatch_log_group.app"), "{error}");
}

/// A sample of the table of arguments that replace what holds data, against terraform's own
/// plan: each changed argument plans a delete and a create of its resource.
#[test]
fn the_replacement_table_agrees_with_terraform() {
    let emulator = emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = Workspace::new(dir.path(), &emulator, Some(terraform().plugin_dir()));
    let sample = |suffix: &str| {
        let mut stack = Stack::new("sample", "development").with_tier(Tier::Development);
        stack.provider(Provider::aws(ACCOUNT.region));
        stack.add(Resource::new("aws_s3_bucket", "data").set("bucket", format!("sample-data{suffix}")));
        stack.add(Resource::new("aws_cloudwatch_log_group", "app").set("name", format!("/sample/app{suffix}")));
        stack.add(
            Resource::new("aws_secretsmanager_secret", "token")
                .set("name", format!("sample/token{suffix}"))
                .set("recovery_window_in_days", 0),
        );
        let key = if suffix.is_empty() { "id" } else { "pk" };
        stack.add(
            Resource::new("aws_dynamodb_table", "items")
                .set("name", "sample-items")
                .set("billing_mode", "PAY_PER_REQUEST")
                .set("hash_key", key)
                .block("attribute", Body::new().set("name", key).set("type", "S")),
        );
        stack
    };
    ws.apply(&sample("")).unwrap_or_else(|e| panic!("{e}"));
    let plan = actions(&ws.plan(&sample("-2")).unwrap_or_else(|e| panic!("{e}")));
    for (address, argument) in [
        ("aws_s3_bucket.data", "bucket"),
        ("aws_cloudwatch_log_group.app", "name"),
        ("aws_secretsmanager_secret.token", "name"),
        ("aws_dynamodb_table.items", "hash_key"),
    ] {
        let ty = address.split('.').next().unwrap_or_default();
        assert_eq!(
            tfsynth::schema::stateful::replacing(ty, [argument]),
            [argument],
            "the table says {argument} replaces"
        );
        let action = plan.iter().find(|(a, _, _)| a == address).map(|(_, a, _)| a.as_str());
        assert_eq!(action, Some("delete,create"), "{address}: terraform replaces it when {argument} changes: {plan:?}");
    }
}
