//! The escape hatch: setting, replacing and removing attributes and nested blocks of a block a
//! component added, checked against the provider schema and visible in every rendering.

use serde_json::json;
use stacks::Env;
use tfsynth::modules::database::Postgres;
use tfsynth::modules::load_balancing::{Alb, TargetGroup};
use tfsynth::modules::networking::Vpc;
use tfsynth::prelude::*;

use super::common::{context, document, only_problem, resource};

fn database() -> (tfsynth::modules::Context, tfsynth::modules::database::DatabaseRef) {
    let mut ctx = context("hatch");
    let net =
        Vpc::new("main", "hatch", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    let db = Postgres::new("main", "hatch", "15", "db.r6g.large").build(&mut ctx);
    (ctx, db)
}

#[test]
fn set_replace_and_remove_on_a_component_block() {
    let (mut ctx, db) = database();
    ctx.amend(&db.resource, "performance_insights_retention_period", 731);
    ctx.amend(&db.resource, "tags.Team", "data");
    ctx.unset(&db.resource, "max_allocated_storage");
    let tg = TargetGroup::new("api", "hatch-api", 8000).build(&mut ctx);
    Alb::new("main", "hatch", "arn:aws:acm:us-east-1:123456789012:certificate/x").default_target(&tg).build(&mut ctx);
    let health = Body::new().set("path", "/ready").set("matcher", "200-204").set("protocol", "HTTP");
    ctx.amend_block(&tg.resource, "health_check", health);
    ctx.amend(&tg.resource, "health_check.interval", 15);
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    let instance = resource(&doc, "aws_db_instance", "main");
    assert_eq!(instance["performance_insights_retention_period"], 731);
    assert_eq!(instance["tags"], json!({"Team": "data"}));
    assert!(instance.get("max_allocated_storage").is_none());
    assert_eq!(
        resource(&doc, "aws_lb_target_group", "api")["health_check"],
        json!([{"path": "/ready", "matcher": "200-204", "protocol": "HTTP", "interval": 15}])
    );
    // Reviewers see what the stack changed, next to the block.
    let hcl = render(&stack, Format::Hcl);
    assert!(hcl.contains("# amended: set performance_insights_retention_period"), "{hcl}");
    assert!(hcl.contains("# amended: removed max_allocated_storage"), "{hcl}");
    assert!(instance["//"].as_str().unwrap().contains("amended: set tags.Team"));
}

#[test]
fn a_misspelt_attribute_gets_the_schemas_suggestion() {
    let (mut ctx, db) = database();
    ctx.amend(&db.resource, "performance_insights_retention_perod", 731);
    let message = only_problem(&ctx.finish());
    assert!(
        message.contains("aws_db_instance.main: performance_insights_retention_perod: unknown argument"),
        "{message}"
    );
    assert!(message.contains("did you mean `performance_insights_retention_period`?"), "{message}");
}

#[test]
fn paths_that_lead_nowhere_are_reported_with_what_is_there() {
    let (mut ctx, db) = database();
    ctx.unset(&db.resource, "max_allocated_storag");
    let message = only_problem(&ctx.finish());
    assert!(message.contains("cannot amend: nothing named `max_allocated_storag` is there"), "{message}");
    assert!(message.contains("did you mean `max_allocated_storage`?"), "{message}");

    let mut ctx = context("hatch");
    let tg = TargetGroup::new("api", "hatch-api", 8000)
        .network(&Vpc::new("main", "hatch", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut ctx))
        .build(&mut ctx);
    ctx.amend(&tg.resource, "helth_check.interval", 10);
    ctx.amend(&tg.resource, "health_check[3].interval", 10);
    ctx.amend(&tg.resource, "health_check..interval", 10);
    let found: Vec<String> = super::common::problems(&ctx.finish()).iter().map(ToString::to_string).collect();
    assert!(found.iter().any(|m| m.contains("did you mean `health_check`?")), "{found:#?}");
    assert!(found.iter().any(|m| m.contains("`health_check[3]` is past the 1 blocks")), "{found:#?}");
    assert!(found.iter().any(|m| m.contains("`health_check..interval` is not an attribute path")), "{found:#?}");
}

/// The database, amended in production only.
fn hatch(env: Env) -> Stack {
    let (mut ctx, db) = database();
    if env == Env::Production {
        ctx.amend(&db.resource, "instance_class", "db.r6g.xlarge");
    }
    ctx.finish()
}

#[test]
fn amendments_show_in_diff_and_snapshots_as_changes() {
    let before = database().0.finish();
    let (mut ctx, db) = database();
    ctx.amend(&db.resource, "instance_class", "db.r6g.xlarge");
    let after = ctx.finish();
    let (old, new) = (document(&before), document(&after));
    assert_eq!(old["resource"]["aws_db_instance"]["main"]["instance_class"], "db.r6g.large");
    assert_eq!(new["resource"]["aws_db_instance"]["main"]["instance_class"], "db.r6g.xlarge");
    // `tfsynth diff` between an environment without and one with the amendment shows it.
    let registry =
        Registry::new(vec![StackDef { name: "hatch", description: "amended", build: hatch, settings: None }]);
    let (code, out, err) = super::common::run(&registry, &["diff", "staging", "production", "--color", "never"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    assert!(out.contains("~ aws_db_instance.main"), "{out}");
    assert!(out.contains(r#"instance_class: "db.r6g.large" -> "db.r6g.xlarge""#), "{out}");
}

/// Amending an attribute a component's setter sets works, and says which setter: in the
/// rendering reviewers read and as a `lint` hint.
#[test]
fn amending_what_a_setter_sets_names_the_setter() {
    let (mut ctx, db) = database();
    ctx.amend(&db.resource, "backup_retention_period", 30);
    ctx.amend(&db.resource, "tags.Team", "data");
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let hints: Vec<String> = stack.hints().iter().map(ToString::to_string).collect();
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert!(
        hints[0].contains("aws_db_instance.main: backup_retention_period: amended `backup_retention_period`, which the component sets with `Postgres::backup_retention`")
            && hints[0].contains("prefer `.backup_retention(..)`"),
        "{}",
        hints[0]
    );
    let hcl = render(&stack, Format::Hcl);
    assert!(hcl.contains("# amended: set backup_retention_period (which `Postgres::backup_retention` sets)"), "{hcl}");
    let registry = Registry::new(vec![StackDef {
        name: "hatch",
        description: "",
        build: |_: Env| {
            let (mut ctx, db) = database();
            ctx.amend(&db.resource, "backup_retention_period", 30);
            ctx.finish()
        },
        settings: None,
    }]);
    let (_, out, _) = super::common::run(&registry, &["lint", "production"]);
    assert!(out.contains("hint: hatch/production: aws_db_instance.main: backup_retention_period: amended"), "{out}");
}
