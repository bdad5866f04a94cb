//! Producer state for planning a consumer without the producer's real state: a local state
//! file holding placeholder values of the types the producer exports, and the override that
//! points the consumer's `terraform_remote_state` data sources at it. What the cross-stack
//! tests and an offline `tfsynth plan` use; a real pipeline reads the producer's S3 state.

use serde_json::{Value, json};

use crate::model::{Kind, Stack};

/// The state file name an override points the imports from `producer` at.
pub fn state_file(producer: &str) -> String {
    format!("{producer}.tfstate")
}

/// A state file (format 4) whose outputs are `producer`'s exports with placeholder values:
/// `"<name>-example"` for strings (an ARN for names ending in `arn`, which the provider
/// checks), three of those for lists.
pub fn placeholder_state(producer: &Stack) -> String {
    let outputs: serde_json::Map<String, Value> = producer
        .exports()
        .iter()
        .map(|(name, ty)| {
            let ty: Value = serde_json::from_str(ty).unwrap_or_else(|_| json!("dynamic"));
            (name.clone(), json!({ "value": placeholder(name, &ty), "type": ty }))
        })
        .collect();
    let state = json!({
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": format!("tfsynth-placeholder-{}", producer.name()),
        "outputs": outputs,
        "resources": [],
        "check_results": null
    });
    serde_json::to_string_pretty(&state).unwrap_or_default()
}

fn placeholder(name: &str, ty: &Value) -> Value {
    match ty {
        Value::String(t) if t == "number" => json!(1),
        Value::String(t) if t == "bool" => json!(true),
        Value::Array(parts) if parts.first().is_some_and(|p| p == "list" || p == "set") => {
            let item = parts.get(1).cloned().unwrap_or_else(|| json!("string"));
            Value::Array(["a", "b", "c"].iter().map(|s| placeholder(&format!("{name}-{s}"), &item)).collect())
        }
        Value::Array(parts) if parts.first().is_some_and(|p| p == "map") => json!({}),
        _ if name.ends_with("arn") => json!(format!("arn:aws:placeholder:us-east-1:000000000000:{name}")),
        // Decoded by `base64decode` in the consumer (a cluster's certificate authority).
        _ if name.ends_with("base64") => json!("dGZzeW50aCBwbGFjZWhvbGRlcg=="),
        _ => json!(format!("{name}-example")),
    }
}

/// An override file (`*_override.tf.json`) pointing every `terraform_remote_state` of
/// `consumer` at [`state_file`] next to it; `None` when the stack imports nothing.
pub fn local_remote_states(consumer: &Stack) -> Option<String> {
    let states: serde_json::Map<String, Value> = consumer
        .blocks()
        .iter()
        .filter(|r| r.kind() == Kind::Data && r.address().ty == "terraform_remote_state")
        .map(|r| {
            let producer = consumer
                .imports()
                .iter()
                .find(|i| i.stack.replace('-', "_") == r.address().name)
                .map_or_else(|| r.address().name.clone(), |i| i.stack.clone());
            (r.address().name.clone(), json!({ "backend": "local", "config": { "path": state_file(&producer) } }))
        })
        .collect();
    (!states.is_empty()).then(|| {
        serde_json::to_string_pretty(&json!({ "data": { "terraform_remote_state": states } })).unwrap_or_default()
    })
}
