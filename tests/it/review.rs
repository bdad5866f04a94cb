//! Security changes lead every review: `diff`, `summary --against` (and `plan`, in
//! `plan.rs`); `--fail-on broadening` stops at what no approval covers; stacks added or
//! removed are reviewed like any other change.

use std::process::ExitCode;

use stacks::Env;
use tfsynth::prelude::*;

use super::common::run;

/// What a version of the fixture changes from the first.
#[derive(Clone, Copy, Default)]
struct Shop {
    /// The database's instance class.
    class: &'static str,
    /// Where HTTPS is admitted from.
    https_from: &'static str,
    /// The actions the app's policy allows on its bucket.
    actions: &'static [&'static str],
    /// Whether the stack approves its rule's exposure.
    approved: bool,
}

const BEFORE: Shop =
    Shop { class: "db.r6g.large", https_from: "10.0.0.0/16", actions: &["s3:GetObject"], approved: false };

fn shop(env: Env, v: Shop) -> Stack {
    let mut s = Stack::new("shop", env.name()).with_tier(env.tier());
    s.provider(Provider::aws("us-east-1"));
    s.add(
        Resource::new("aws_db_instance", "main")
            .set("identifier", "shop")
            .set("engine", "postgres")
            .set("instance_class", v.class)
            .set("allocated_storage", 20)
            .set("storage_encrypted", true)
            .set("kms_key_id", "arn:aws:kms:us-east-1:123456789012:key/shop")
            .set("deletion_protection", true)
            .set("backup_retention_period", 7),
    );
    let sg = s.add(Resource::new("aws_security_group", "web").set("description", "shop web").set("vpc_id", "vpc-1"));
    s.add(
        Resource::new("aws_vpc_security_group_ingress_rule", "https")
            .set("security_group_id", sg.id())
            .set("description", "HTTPS")
            .set("cidr_ipv4", v.https_from)
            .set("ip_protocol", "tcp")
            .set("from_port", 443)
            .set("to_port", 443),
    );
    let statement = Expression::from_iter([
        ("Effect", Expression::from("Allow")),
        ("Action", Expression::from(v.actions.to_vec())),
        ("Resource", Expression::from("arn:aws:s3:::shop-data/*")),
    ]);
    let document = jsonencode(Expression::from_iter([
        ("Version", Expression::from("2012-10-17")),
        ("Statement", Expression::List(vec![statement])),
    ]));
    s.add(
        Resource::new("aws_iam_role_policy", "app").set("role", "shop-app").set("name", "data").set("policy", document),
    );
    if v.approved {
        s.approve(Approval::new(
            "aws_vpc_security_group_ingress_rule.https",
            "the shop opens to customers on launch day",
        ));
    }
    s
}

/// A version of the fixture.
type Build = fn(Env) -> Stack;

fn registry(build: Build) -> Registry<Env> {
    Registry::new(vec![StackDef { name: "shop", description: "a shop", build, settings: None }])
}

/// A baseline folder written by `synth` from the first version.
fn baseline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, err) =
        run(&registry(|env| shop(env, BEFORE)), &["synth", "production", "-q", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    dir
}

#[test]
fn security_changes_lead_the_review_and_unapproved_broadening_fails_the_gate() {
    let base = baseline();
    let against = base.path().to_str().unwrap();
    let opened = registry(|env| shop(env, Shop { https_from: "0.0.0.0/0", ..BEFORE }));
    let (code, out, err) = run(&opened, &["diff", "production", "--against", against]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let first: Vec<&str> = out.lines().take(2).collect();
    assert_eq!(first[0], "Security changes:", "{out}");
    assert!(
        first[1].contains("broadening") && first[1].contains("shop: aws_vpc_security_group_ingress_rule.https: ingress 443 from 10.0.0.0/16 → 0.0.0.0/0 (the internet)"),
        "{out}"
    );
    let (_, json, _) = run(&opened, &["diff", "production", "--against", against, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc.as_object().and_then(|o| o.keys().next()).map(String::as_str), Some("security"));
    assert_eq!(doc["security"][0]["change"]["direction"], "broadening");

    // The gate: exit 4 without an approval, through with one (whose reason the review shows).
    let (code, _, err) = run(&opened, &["diff", "production", "--against", against, "--fail-on", "broadening"]);
    assert_eq!(code, ExitCode::from(4), "{err}");
    assert!(err.contains("1 broadening security change(s) without an approval"), "{err}");
    let approved = registry(|env| shop(env, Shop { https_from: "0.0.0.0/0", approved: true, ..BEFORE }));
    let (code, md, err) = run(&approved, &["summary", "production", "--against", against, "--fail-on", "broadening"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(md.contains("| broadening (approved) | shop | `aws_vpc_security_group_ingress_rule.https` |"), "{md}");
    assert!(md.contains("| the shop opens to customers on launch day |"), "{md}");

    // Narrowing goes below broadening; no change, no section.
    let (_, out, _) = run(&registry(|env| shop(env, BEFORE)), &["diff", "production", "--against", against]);
    assert!(!out.contains("Security changes"), "{out}");
}

#[test]
fn a_stack_added_or_removed_is_reviewed_like_any_change() {
    let base = baseline();
    let against = base.path().to_str().unwrap();
    // Added: the baseline has no rendering of it; everything it brings is new.
    let both = Registry::new(vec![
        StackDef { name: "shop", description: "a shop", build: |env| shop(env, BEFORE), settings: None },
        StackDef {
            name: "storefront",
            description: "a new stack",
            build: |env| shop(env, Shop { https_from: "0.0.0.0/0", ..BEFORE }),
            settings: None,
        },
    ]);
    let (code, out, err) = run(&both, &["diff", "production", "--against", against]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(
        out.contains(
            "storefront: aws_vpc_security_group_ingress_rule.https: ingress 443 from 0.0.0.0/0 (the internet) allowed"
        ),
        "{out}"
    );
    assert!(out.contains("  + aws_db_instance.main"), "{out}");
    let (_, md, _) = run(&both, &["summary", "production", "--against", against]);
    assert!(md.contains("**storefront**: "), "{md}");

    // Removed: the baseline's stack is gone from the code; its database would go with it.
    let other = Registry::new(vec![StackDef {
        name: "storefront",
        description: "the only stack left",
        build: |env| shop(env, BEFORE),
        settings: None,
    }]);
    let (code, out, err) = run(&other, &["diff", "production", "--against", against]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(err.contains("shop: `aws_db_instance.main` holds data and would be destroyed"), "{err}");
    assert!(out.contains("shop: aws_iam_role_policy.app: policy removed"), "{out}");
    let (_, md, _) = run(&other, &["summary", "production", "--against", against]);
    assert!(md.contains("### shop\n\nremoved: in the baseline, no longer in the code"), "{md}");
}

/// The three changes a reviewer must see on the first screen: a production database's class,
/// a rule opened to the internet, an IAM wildcard. Each output is pinned.
#[test]
fn the_reviewers_first_screen_is_pinned() {
    let base = baseline();
    let against = base.path().to_str().unwrap();
    let cases: [(&str, Build); 3] = [
        ("database_class", |env| shop(env, Shop { class: "db.r6g.xlarge", ..BEFORE })),
        ("internet_ingress", |env| shop(env, Shop { https_from: "0.0.0.0/0", ..BEFORE })),
        ("iam_wildcard", |env| shop(env, Shop { actions: &["s3:*"], ..BEFORE })),
    ];
    for (name, build) in cases {
        let (_, md, _) = run(&registry(build), &["summary", "production", "--against", against]);
        let screen: String = md.lines().take(14).collect::<Vec<_>>().join("\n").replace(against, "<baseline>");
        insta::assert_snapshot!(format!("review_{name}"), screen);
    }
}

/// A team's own rule, added to the registry, classifies in every review.
#[test]
fn a_registry_adds_its_own_rules() {
    use tfsynth::policy::security::{Area, Judgement, SecurityRule};
    fn bigger_is_wider(_: &str, old: Option<&serde_json::Value>, new: Option<&serde_json::Value>) -> Vec<Judgement> {
        let class = |v: Option<&serde_json::Value>| v.and_then(|b| b["instance_class"].as_str()).map(str::to_owned);
        match (class(old), class(new)) {
            (Some(a), Some(b)) if a != b => {
                vec![Judgement::broadening(format!("instance class {a} → {b}: a bigger bill"))]
            }
            _ => Vec::new(),
        }
    }
    let base = baseline();
    let rule = SecurityRule { id: "cost", area: Area::Data, types: &["aws_db_instance"], judge: bigger_is_wider };
    let bigger = registry(|env| shop(env, Shop { class: "db.r6g.xlarge", ..BEFORE })).with_security_rules(vec![rule]);
    let (code, md, _) =
        run(&bigger, &["summary", "production", "--against", base.path().to_str().unwrap(), "--fail-on", "broadening"]);
    assert_eq!(code, ExitCode::from(4));
    assert!(
        md.contains("| `aws_db_instance.main` | instance class db.r6g.large → db.r6g.xlarge: a bigger bill |"),
        "{md}"
    );
}
