//! Output that can be trusted: the same bytes from separate processes (each with its own hash
//! seed), and no secret value in any committed snapshot.

use std::process::Command;

use stacks::Env;
use tfsynth::prelude::Environment;

fn synth_stdout(env: &str, format: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
        .args(["synth", env, "--format", format, "--stdout"])
        .output()
        .expect("run tfsynth");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.is_empty());
    out.stdout
}

#[test]
fn separate_processes_write_identical_bytes() {
    for env in Env::ALL {
        for format in ["json", "hcl"] {
            let first = synth_stdout(env.name(), format);
            let second = synth_stdout(env.name(), format);
            assert!(first == second, "{} {format}: two processes rendered different bytes", env.name());
        }
    }
}

/// Argument names whose value must never be a literal in configuration.
const SECRET_NAMES: [&str; 8] =
    ["password", "master_password", "auth_token", "secret_string", "access_key", "secret_key", "private_key", "token"];

fn walk_for_literal_secrets(value: &serde_json::Value, path: &str, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if SECRET_NAMES.contains(&k.as_str()) && v.as_str().is_some_and(|s| !s.starts_with("${")) {
                    found.push(here.clone());
                }
                walk_for_literal_secrets(v, &here, found);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_for_literal_secrets(v, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// An AWS access key id: `AKIA` or `ASIA` and sixteen upper-case letters or digits.
fn has_access_key_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

#[test]
fn no_snapshot_holds_a_secret_value() {
    let dir = super::common::repo("snapshots");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("snapshots folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("snapshot text");
        let name = path.display();
        assert!(!has_access_key_id(&text), "{name} holds an AWS access key id");
        assert!(!text.contains("PRIVATE KEY-----"), "{name} holds a private key");
        if path.to_string_lossy().ends_with("-json.snap") {
            let body = text.splitn(3, "---\n").nth(2).expect("insta header");
            let doc: serde_json::Value = serde_json::from_str(body).expect("snapshot JSON");
            let mut found = Vec::new();
            walk_for_literal_secrets(&doc, "", &mut found);
            assert!(found.is_empty(), "{name}: literal secret values at {found:?}");
            checked += 1;
        }
    }
    let expected = stacks::registry().stacks().len() * stacks::Env::ALL.len();
    assert_eq!(checked, expected, "every stack x environment has a JSON snapshot");
}

#[test]
fn the_secret_checks_catch_what_they_look_for() {
    assert!(has_access_key_id("key = \"AKIAIOSFODNN7EXAMPLE\""));
    assert!(!has_access_key_id("AKIA-not-a-key"));
    let mut found = Vec::new();
    let doc =
        serde_json::json!({"resource": {"aws_db_instance": {"db": {"password": "hunter2", "auth_token": "${var.t}"}}}});
    walk_for_literal_secrets(&doc, "", &mut found);
    assert_eq!(found, [".resource.aws_db_instance.db.password"]);
}
