//! What the seeds ask for, checked in the stacks that build them (each stack's doc table
//! lists the element and its line in the seed).

use serde_json::{Value, json};
use stacks::Env;
use tfsynth::prelude::*;

use super::common::synth;

fn doc(stack: &str, env: Env) -> Value {
    serde_json::from_str(&synth(stack, env, Format::Json)).expect("JSON")
}

/// Every resource of type `ty` in `doc`, by name.
fn all<'a>(doc: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    doc["resource"][ty].as_object().map(|m| m.iter().collect()).unwrap_or_default()
}

#[test]
fn ai_prism_has_the_vpn_gateway_its_parameters_and_the_api_host() {
    let prod = doc("ai-prism", Env::Production);
    assert_eq!(prod["resource"]["aws_vpn_gateway"]["main"]["vpc_id"], "${aws_vpc.main.id}");
    let names: Vec<&str> = all(&prod, "aws_ssm_parameter").iter().map(|(_, p)| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["/ai-prism/prod/database/host", "/ai-prism/prod/redis/endpoint"]);
    let hosts: Vec<&str> = all(&prod, "aws_route53_record")
        .iter()
        .filter(|(_, r)| r["alias"].is_array())
        .map(|(_, r)| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["ai-prism.example.com", "api.ai-prism.example.com"]);
    let staging = doc("ai-prism", Env::Staging);
    assert!(
        all(&staging, "aws_ssm_parameter")
            .iter()
            .all(|(_, p)| p["name"].as_str().unwrap().starts_with("/ai-prism/staging/"))
    );
    // The API's pods may read their hierarchy and decrypt it through SSM only.
    let operators = doc("ai-prism-operators", Env::Production);
    let policy = operators["resource"]["aws_iam_role_policy"]["api_read_configuration"]["policy"].as_str().unwrap();
    assert!(policy.contains("arn:aws:ssm:us-east-1:777788889999:parameter/ai-prism/prod/*"), "{policy}");
    assert!(policy.contains(r#""kms:ViaService" = "ssm.us-east-1.amazonaws.com""#), "{policy}");
}

#[test]
fn takeoff_keeps_metrics_off_the_internet_and_deploys_through_github() {
    let prod = doc("takeoff", Env::Production);
    let rules = all(&prod, "aws_lb_listener_rule");
    let refused: Vec<&Value> = rules
        .iter()
        .filter(|(_, r)| r["action"][0]["type"] == "fixed-response")
        .map(|(_, r)| &r["condition"][0]["path_pattern"][0]["values"])
        .collect();
    assert_eq!(refused, [&json!(["/metrics", "/metrics/*"])]);
    assert!(rules.iter().all(|(_, r)| { r["action"][0]["type"] != "forward" || !r.to_string().contains("/metrics") }));
    let scrape = all(&prod, "aws_vpc_security_group_ingress_rule")
        .into_iter()
        .find(|(_, r)| r["cidr_ipv4"] == "10.0.0.0/16")
        .expect("an ingress rule from the VPC");
    assert_eq!((&scrape.1["from_port"], &scrape.1["to_port"]), (&json!(8000), &json!(8000)));
    let deploy = prod["resource"]["aws_iam_role"]["deploy"]["assume_role_policy"].as_str().unwrap();
    assert!(deploy.contains("data.terraform_remote_state.ci.outputs.github_oidc_provider_arn"), "{deploy}");
    assert!(deploy.contains("repo:company/takeoff:environment:production"), "{deploy}");
    let key = prod["resource"]["aws_kms_key"]["main"]["policy"].as_str().unwrap();
    assert!(key.contains("ecs.amazonaws.com"), "{key}");
}

#[test]
fn cvd_reads_its_replicas_in_production_under_the_seed_s_task_families() {
    let secrets = |env| {
        let d = doc("cvd", env);
        let def = d["resource"]["aws_ecs_task_definition"]["app"].clone();
        (def["family"].as_str().unwrap().to_owned(), def["container_definitions"].as_str().unwrap().to_owned())
    };
    let (family, containers) = secrets(Env::Production);
    assert_eq!(family, "cvd-app-prod");
    assert!(containers.contains("DATABASE_READ_REPLICA_URL"), "{containers}");
    let (family, containers) = secrets(Env::Staging);
    assert_eq!(family, "cvd-app-staging");
    assert!(!containers.contains("DATABASE_READ_REPLICA_URL"), "staging has no replica: {containers}");
}

#[test]
fn svg_ai_caches_pages_scripts_and_images_for_the_seed_s_lifetimes() {
    let prod = doc("svg-ai", Env::Production);
    let cdn = &prod["resource"]["aws_cloudfront_distribution"]["site"];
    let ttl = |policy: &str| -> Option<u64> {
        let key = policy.strip_prefix("${aws_cloudfront_cache_policy.")?.strip_suffix(".id}")?;
        prod["resource"]["aws_cloudfront_cache_policy"][key]["max_ttl"].as_u64()
    };
    let caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
    assert_eq!(cdn["default_cache_behavior"][0]["cache_policy_id"], caching_disabled);
    let by_path: Vec<(&str, Option<u64>)> = cdn["ordered_cache_behavior"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let policy = b["cache_policy_id"].as_str().unwrap();
            (b["path_pattern"].as_str().unwrap(), if policy == caching_disabled { Some(0) } else { ttl(policy) })
        })
        .collect();
    for (path, seconds) in [("*.html", 0), ("*.js", 86_400), ("*.css", 86_400), ("*.png", 604_800), ("*.svg", 604_800)]
    {
        assert!(by_path.contains(&(path, Some(seconds))), "{path}: {by_path:?}");
    }
}

#[test]
fn every_production_stack_holds_its_data_back_from_destroy() {
    let registry = stacks::registry();
    for def in registry.stacks() {
        let stack = registry.build(def.name, Env::Production).expect("builds");
        for r in stack.resources() {
            if tfsynth::schema::stateful::stateful(&r.address().ty).is_none() {
                continue;
            }
            assert!(
                r.lifecycle().prevent_destroy || r.destroy_reason().is_some(),
                "{}: {} holds data but may be destroyed without a reason",
                def.name,
                r.address()
            );
        }
    }
}

#[test]
fn the_ci_stack_gives_the_workflow_its_roles_and_nothing_more() {
    use tfsynth::testing::{Template, array_with, json, object_like};
    let registry = stacks::registry();
    for &env in <Env as Environment>::ALL {
        let t = Template::from_stack(&registry.build("ci", env).expect("ci builds"));
        let trusts = |subjects: serde_json::Value| {
            json!({"Statement": array_with(vec![object_like(json!({
                "Principal": {"Federated": "${aws_iam_openid_connect_provider.github.arn}"},
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subjects}},
            }))])})
        };
        let plan =
            json!(["repo:company/infrastructure:pull_request", "repo:company/infrastructure:ref:refs/heads/main"]);
        t.has(
            "aws_iam_role",
            object_like(json!({"name": tfsynth::modules::ci_identity::PLAN_ROLE, "assume_role_policy": trusts(plan)})),
        );
        let apply = json!([format!("repo:company/infrastructure:environment:{}", env.name())]);
        t.has(
            "aws_iam_role",
            object_like(
                json!({"name": tfsynth::modules::ci_identity::apply_role(env.name()), "assume_role_policy": trusts(apply)}),
            ),
        );
        // The plan role writes lock files and nothing else; administration is the apply role's.
        t.has(
            "aws_iam_role_policy_attachment",
            object_like(
                json!({"role": "${aws_iam_role.plan.name}", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
            ),
        );
        t.has("aws_iam_role_policy", object_like(json!({"policy": {"Statement": [{"Sid": "StateLocks", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::*-terraform-state/*.tflock"}]}})));
        // The apply role manages the services of the environment's stacks in this account,
        // and reads and writes exactly their state objects (no other environment's): no
        // administrator.
        t.count("aws_iam_role_policy_attachment", object_like(json!({"role": "${aws_iam_role.apply.name}"})), 0);
        let account = stacks::ci::settings(env).account;
        let here: Vec<Stack> = registry
            .stacks()
            .iter()
            .map(|d| registry.build(d.name, env).expect("builds"))
            .filter(|s| s.account_id() == Some(account.id.as_str()))
            .collect();
        assert!(here.len() > 1, "the environment's stacks deploy to the ci stack's account");
        let mut objects: Vec<String> = here
            .iter()
            .filter_map(|s| s.terraform_settings().backend.clone())
            .flat_map(|b| {
                [format!("arn:aws:s3:::{}/{}", b.bucket, b.key), format!("arn:aws:s3:::{}/{}.tflock", b.bucket, b.key)]
            })
            .collect();
        objects.sort();
        let mut services: Vec<String> = here
            .iter()
            .flat_map(|s| s.blocks().iter().filter(|b| b.provider_name() == "aws").map(|b| b.address().ty.clone()))
            .map(|ty| {
                tfsynth::modules::ci_identity::service_of(&ty)
                    .unwrap_or_else(|| panic!("{ty}: no IAM service"))
                    .to_owned()
            })
            .filter(|s| s != "iam" && s != "s3")
            .map(|s| format!("{s}:*"))
            .collect();
        services.sort();
        services.dedup();
        t.has(
            "aws_iam_role_policy",
            object_like(json!({"role": "${aws_iam_role.apply.name}", "policy": {"Statement": array_with(vec![
                object_like(json!({"Sid": "ManageStackServices", "Action": services, "Resource": "*"})),
                object_like(json!({"Sid": "StateObjects", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": objects})),
            ])}})),
        );
        let access = stacks::ci::access(env, &account, tfsynth::modules::ci_identity::ApplyAccess::new());
        assert_eq!(access.unknown_types().count(), 0, "{:?}", access.unknown_types().collect::<Vec<_>>());
    }
}
