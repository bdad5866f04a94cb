//! Every vendored provider through the generic builder: listed by `tfsynth providers`,
//! validated against its own schema (with suggestions), required with its vendored version,
//! rendered in both syntaxes and planned by real terraform — hashicorp/aws from the mirror,
//! the others through the schema-serving test provider — with JSON and HCL planning the same.
//! Ephemeral values go only where nothing is stored, and nothing generated reaches the plan.

use tfsynth::prelude::*;

use super::common::{only_problem, text, tfsynth};

/// A stack of the test environment with one configuration of provider `name`.
fn stack_with(provider: Provider) -> Stack {
    let mut s = Stack::new("providers", "development").with_tier(Tier::Development);
    s.provider(Provider::aws("us-east-1"));
    if provider.name() != "aws" {
        s.provider(provider);
    }
    s
}

/// One resource of each vendored provider other than aws, built with the generic builder, and
/// the provider configuration it needs; with an argument misspelt and what is suggested.
struct Case {
    provider: fn() -> Provider,
    block: fn() -> Resource,
    misspelt: (&'static str, &'static str),
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            provider: || Provider::new("random"),
            block: || Resource::new("random_id", "suffix").set("byte_length", 8),
            misspelt: ("byte_lenght", "byte_length"),
        },
        Case {
            provider: || Provider::new("tls"),
            block: || Resource::new("tls_private_key", "signing").set("algorithm", "ED25519"),
            misspelt: ("algoritm", "algorithm"),
        },
        Case {
            provider: || Provider::new("null"),
            block: || Resource::new("null_resource", "marker").set("triggers", Expression::from_iter([("v", "1")])),
            misspelt: ("trigers", "triggers"),
        },
        Case {
            provider: || Provider::new("time"),
            block: || Resource::new("time_rotating", "key").set("rotation_days", 30),
            misspelt: ("rotation_dayz", "rotation_days"),
        },
        Case {
            provider: || Provider::new("archive"),
            block: || {
                Resource::data("archive_file", "bundle")
                    .set("type", "zip")
                    .set("output_path", "bundle.zip")
                    .set("source_content", "print('hi')")
                    .set("source_content_filename", "main.py")
            },
            misspelt: ("output_pth", "output_path"),
        },
        Case {
            provider: || Provider::new("kubernetes").set("host", "https://k8s.example").set("token", "t"),
            block: || {
                Resource::new("kubernetes_namespace_v1", "apps").block(
                    "metadata",
                    Body::new().set("name", "apps").set("labels", Expression::from_iter([("team", "a")])),
                )
            },
            misspelt: ("wait_for_default_service_acount", "wait_for_default_service_account"),
        },
        Case {
            // helm 3 takes the cluster as a nested attribute, and `set` as a list of objects.
            provider: || {
                Provider::new("helm")
                    .set("kubernetes", Expression::from_iter([("host", "https://k8s.example"), ("token", "t")]))
            },
            block: || {
                let set = Expression::List(vec![Expression::from_iter([("name", "replicas"), ("value", "2")])]);
                Resource::new("helm_release", "argo")
                    .set("name", "argo-cd")
                    .set("chart", "argo-cd")
                    .set("repository", "https://argoproj.github.io/argo-helm")
                    .set("version", "7.7.0")
                    .set("set", set)
            },
            misspelt: ("chrt", "chart"),
        },
    ]
}

#[test]
fn providers_lists_every_vendored_provider_with_its_version() {
    let run = tfsynth(&["providers"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let rows: Vec<String> = text(&run.stdout).lines().skip(2).map(str::to_owned).collect();
    assert_eq!(
        rows,
        [
            "| archive | hashicorp/archive | 2.8.0 | 1 | 1 | 0 |",
            "| aws | hashicorp/aws | 5.100.0 | 1526 | 609 | 7 |",
            "| helm | hashicorp/helm | 3.0.2 | 1 | 1 | 0 |",
            "| kubernetes | hashicorp/kubernetes | 2.38.0 | 82 | 26 | 0 |",
            "| null | hashicorp/null | 3.3.1 | 1 | 1 | 0 |",
            "| random | hashicorp/random | 3.7.2 | 8 | 0 | 1 |",
            "| time | hashicorp/time | 0.14.0 | 4 | 0 | 0 |",
            "| tls | hashicorp/tls | 4.1.0 | 4 | 2 | 0 |",
        ]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&tfsynth(&["providers", "--format", "json"]).stdout).expect("JSON");
    assert_eq!(json[5]["source"], "hashicorp/random");
    assert_eq!(json[5]["ephemeral_resources"], 1);
}

#[test]
fn a_misspelt_argument_of_any_provider_gets_a_suggestion() {
    for case in cases() {
        let mut s = stack_with((case.provider)());
        let (wrong, right) = case.misspelt;
        s.add((case.block)().set(wrong, "x"));
        let problem = only_problem(&s);
        assert!(
            problem.contains(&format!("unknown argument `{wrong}`"))
                && problem.contains(&format!("did you mean `{right}`?")),
            "{problem}"
        );
    }
}

#[test]
fn an_unknown_type_suggests_the_closest_across_providers() {
    let mut s = stack_with(Provider::new("random"));
    s.add(Resource::new("random_pasword", "db").set("length", 32));
    assert!(only_problem(&s).contains("did you mean `random_password`?"));
    // The prefix names a vendored provider that does not have the type: the closest across all.
    let mut s = stack_with(Provider::new("random"));
    s.add(Resource::new("aws_random_password", "db"));
    assert!(only_problem(&s).contains("unknown resource type `aws_random_password`"));
    let mut s = stack_with(Provider::new("randum"));
    assert!(
        only_problem(&s).contains("unknown provider `randum`") && only_problem(&s).contains("did you mean `random`?")
    );
    s = stack_with(Provider::new("random"));
    s.add(Resource::ephemeral("random_passwrd", "db").set("length", 32));
    assert!(only_problem(&s).contains("unknown ephemeral resource type `random_passwrd`"));
}

#[test]
fn a_nested_attribute_is_checked_like_a_block() {
    let mut s =
        stack_with(Provider::new("helm").set("kubernetes", Expression::from_iter([("hots", "https://k8s.example")])));
    s.add(
        Resource::new("helm_release", "argo")
            .set("name", "argo-cd")
            .set("chart", "argo-cd")
            .set("set", Expression::List(vec![Expression::from_iter([("value", "2")])])),
    );
    let all: Vec<String> = super::common::problems(&s).iter().map(ToString::to_string).collect();
    let all = all.join("\n");
    assert!(
        all.contains("provider.helm: kubernetes.hots: unknown attribute `hots`")
            && all.contains("did you mean `host`?"),
        "{all}"
    );
    assert!(all.contains("helm_release.argo: set[0].name: missing required argument"), "{all}");
}

#[test]
fn required_providers_lists_exactly_the_providers_used_at_their_vendored_versions() {
    let mut s = stack_with(Provider::new("random"));
    s.add(Resource::new("random_id", "suffix").set("byte_length", 8));
    s.add(Resource::new("null_resource", "marker"));
    let doc: serde_json::Value = serde_json::from_str(&render(&s, Format::Json)).expect("JSON");
    assert_eq!(
        doc["terraform"]["required_providers"],
        serde_json::json!({
            "aws": {"source": "hashicorp/aws", "version": "~> 5.100"},
            "null": {"source": "hashicorp/null", "version": "~> 3.3"},
            "random": {"source": "hashicorp/random", "version": "~> 3.7"},
        })
    );
    // A constraint the stack sets itself is kept.
    s.terraform().required_providers.insert("random".into(), RequiredProvider::new("hashicorp/random", "3.7.2"));
    let doc: serde_json::Value = serde_json::from_str(&render(&s, Format::Json)).expect("JSON");
    assert_eq!(doc["terraform"]["required_providers"]["random"]["version"], "3.7.2");
    assert!(doc["terraform"]["required_version"].is_null(), "no feature needs a version");
}

/// An ephemeral password written to a secret through `into` (its write-only argument, or
/// not), and the password's handle.
fn secret_stack(into: &str) -> (Stack, Ref) {
    let mut s = stack_with(Provider::new("random"));
    let password = s.add(Resource::ephemeral("random_password", "db").set("length", 32).set("special", false));
    let secret = s.add(Resource::new("aws_secretsmanager_secret", "db").set("name", "db"));
    let mut version = Resource::new("aws_secretsmanager_secret_version", "db")
        .set("secret_id", secret.id())
        .set(into.to_owned(), password.attr("result"));
    if into == "secret_string_wo" {
        version = version.set("secret_string_wo_version", 1);
    }
    s.add(version);
    (s, password)
}

#[test]
fn an_ephemeral_value_in_a_stored_attribute_is_refused_naming_both() {
    let problem = only_problem(&secret_stack("secret_string").0);
    for part in [
        "aws_secretsmanager_secret_version.db: secret_string",
        "takes the ephemeral value `ephemeral.random_password.db.result`",
        "write-only `secret_string_wo`",
    ] {
        assert!(problem.contains(part), "`{part}` missing from {problem}");
    }
    // A local holding it is ephemeral too, and an output may not take it.
    let (mut s, password) = secret_stack("secret_string_wo");
    let local = s.local("password", password.attr("result"));
    s.output(Output::new("leak", local));
    assert!(only_problem(&s).contains("output.leak: value: takes the ephemeral value `local.password`"));
}

#[test]
fn ephemeral_blocks_render_identically_and_raise_the_terraform_version() {
    let (s, _) = secret_stack("secret_string_wo");
    validate(&s).expect("valid");
    let json: serde_json::Value = serde_json::from_str(&render(&s, Format::Json)).expect("JSON");
    assert_eq!(json["ephemeral"]["random_password"]["db"]["length"], 32);
    assert_eq!(
        json["resource"]["aws_secretsmanager_secret_version"]["db"]["secret_string_wo"],
        "${ephemeral.random_password.db.result}"
    );
    assert_eq!(json["terraform"]["required_version"], ">= 1.11.0", "write-only arguments need 1.11");
    let hcl = render(&s, Format::Hcl);
    assert!(hcl.contains("ephemeral \"random_password\" \"db\" {"), "{hcl}");
    assert!(hcl.contains("secret_string_wo         = ephemeral.random_password.db.result"), "{hcl}");
}

#[cfg(not(skip_tools))]
mod with_terraform {
    use super::super::common::tools;
    use super::*;

    /// Plans both renderings of `s` together; the resource changes of each, JSON first.
    fn plan_both(s: &Stack) -> [Vec<serde_json::Value>; 2] {
        let files = Format::ALL.map(|f| vec![(f.file_name().to_owned(), render(s, f))]);
        tools::plan_formats(&files).unwrap_or_else(|e| panic!("{}: {e}", s.name()))
    }

    /// One stack holding a block of every vendored provider (one terraform run for all).
    #[test]
    fn every_vendored_provider_plans_in_both_syntaxes_identically() {
        let mut s = stack_with(Provider::new("random"));
        let mut blocks = Vec::new();
        for case in cases() {
            let provider = (case.provider)();
            if provider.name() != "random" {
                s.provider(provider);
            }
            blocks.push(s.add((case.block)()));
        }
        s.add(Resource::new("aws_sqs_queue", "jobs").set("name", "jobs").set("sqs_managed_sse_enabled", true));
        let [json, hcl] = plan_both(&s);
        assert_eq!(json, hcl, "the renderings plan differently");
        for block in blocks.iter().filter(|b| b.kind() == Kind::Managed) {
            let planned = json.iter().find(|c| c["address"] == block.path().as_str());
            assert!(planned.is_some_and(|c| c["change"]["actions"][0] == "create"), "{}: {json:#?}", block.path());
        }
    }

    #[test]
    fn a_generated_secret_reaches_neither_the_configuration_nor_the_plan() {
        let (s, _) = secret_stack("secret_string_wo");
        let [json, hcl] = plan_both(&s);
        assert_eq!(json, hcl);
        let version = json.iter().find(|c| c["address"] == "aws_secretsmanager_secret_version.db").expect("planned");
        let after = &version["change"]["after"];
        assert!(after["secret_string_wo"].is_null() && after["secret_string"].is_null(), "{after}");
        assert_eq!(after["secret_string_wo_version"], 1);
        // The test provider opens the ephemeral password as a marked placeholder: the marker
        // is in no planned value.
        let shown = serde_json::to_string(&json).expect("JSON");
        assert!(!shown.contains("tfsynth-test-provider:"), "a generated value reached the plan: {shown}");
    }
}

/// `vendor-schema` takes a `terraform providers schema -json` document and keeps what the
/// format carries: the provider block, ephemeral resources, nested-type attributes and the
/// write-only flag; a provider without a version named is refused.
#[test]
fn vendor_schema_keeps_everything_the_format_carries() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = serde_json::json!({"format_version": "1.0", "provider_schemas": {
    "registry.terraform.io/example/thing": {
        "provider": {"version": 0, "block": {"attributes": {"endpoint": {"type": "string", "optional": true, "description": "x"}}}},
        "resource_schemas": {"thing_box": {"version": 0, "block": {"attributes": {
            "id": {"type": "string", "computed": true},
            "secret_wo": {"type": "string", "optional": true, "write_only": true},
            "limits": {"optional": true, "nested_type": {"nesting_mode": "list", "attributes": {
                "cpu": {"type": "number", "required": true}}}}
        }}}},
        "ephemeral_resource_schemas": {"thing_token": {"version": 0, "block": {"attributes": {
            "value": {"type": "string", "computed": true, "sensitive": true}}}}}
    }}});
    let file = dir.path().join("schema.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = dir.path().join("vendored");
    let vendor = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vendor-schema"))
            .arg(&file)
            .args(extra)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run vendor-schema")
    };
    let refused = vendor(&[]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr)
            .contains("no version for registry.terraform.io/example/thing: add --version example/thing=<version>")
    );
    let run = vendor(&["--version", "example/thing=1.2.3"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut vendored = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(out.join("thing.schema.gz")).expect("vendored"))
        .read_to_string(&mut vendored)
        .expect("gzip text");
    let lines: Vec<&str> = vendored.lines().collect();
    assert_eq!(lines[0], "#tfsynth-schema thing example/thing 1.2.3");
    assert_eq!(lines[1], "p\tthing\t{\"a\":{\"endpoint\":[\"string\",\"o\"]}}");
    assert!(
        lines[2].starts_with("r\tthing_box\t") && lines[2].contains("\"secret_wo\":[\"string\",\"ow\"]"),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].contains("\"limits\":[[\"list\",[\"object\",{\"cpu\":\"number\"}]],\"o\",[\"list\",0,0,{\"a\":{\"cpu\":[\"number\",\"r\"]}}]]"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "e\tthing_token\t{\"a\":{\"value\":[\"string\",\"cs\"]}}");
}
