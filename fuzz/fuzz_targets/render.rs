//! Fuzzes the validator and both renderers with arbitrary stacks: strings of any bytes, nested
//! data, numbers at the edges, references, templates and calls. Nothing may panic, and every
//! stack the validator accepts must render to JSON that serde_json parses and HCL that hcl-rs
//! parses, deterministically.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tfsynth::prelude::*;

#[derive(Arbitrary, Debug)]
enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Big(u64),
    Float(f64),
    Text(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
    /// A reference to an earlier resource's attribute.
    Ref(u8, String),
    Variable,
    Template(Vec<(String, bool)>),
    Call(String, Vec<Value>),
    JsonEncode(Box<Value>),
}

impl Value {
    fn expression(self, earlier: &[Ref], name: &Expr<String>) -> Expression {
        match self {
            Value::Null => Expression::Null,
            Value::Bool(b) => b.into(),
            Value::Int(i) => i.into(),
            Value::Big(u) => u.into(),
            Value::Float(f) => f.into(),
            Value::Text(s) => s.into(),
            Value::List(items) => Expression::List(items.into_iter().map(|v| v.expression(earlier, name)).collect()),
            Value::Object(entries) => {
                Expression::Object(entries.into_iter().map(|(k, v)| (k, v.expression(earlier, name))).collect())
            }
            Value::Ref(i, attr) if !earlier.is_empty() => earlier[usize::from(i) % earlier.len()].attr(&attr).into(),
            Value::Ref(..) | Value::Variable => name.clone().into(),
            Value::Template(parts) => tfsynth::expr::template(parts.into_iter().flat_map(|(text, interpolate)| {
                let mut pieces = vec![text.into_part()];
                if interpolate {
                    pieces.push(name.clone().into_part());
                }
                pieces
            }))
            .into(),
            Value::Call(function, args) => {
                call::<Any>(&function, args.into_iter().map(|v| v.expression(earlier, name))).into()
            }
            Value::JsonEncode(v) => jsonencode(v.expression(earlier, name)).into(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    resources: Vec<(String, Vec<(u8, Value)>)>,
}

/// Arguments of `aws_sqs_queue` of each type, so some stacks pass validation.
const ARGUMENTS: [&str; 6] = ["name", "tags", "delay_seconds", "fifo_queue", "policy", "redrive_policy"];

fuzz_target!(|input: Input| {
    let mut stack = Stack::new("fuzz", "production");
    stack.provider(Provider::aws("us-east-1"));
    let name: Expr<String> = stack.variable(Variable::new("name", "string")).typed();
    let mut earlier = Vec::new();
    for (resource, arguments) in input.resources.into_iter().take(8) {
        let mut r = Resource::new("aws_sqs_queue", resource);
        for (argument, value) in arguments.into_iter().take(8) {
            r = r.set(ARGUMENTS[usize::from(argument) % ARGUMENTS.len()], value.expression(&earlier, &name));
        }
        earlier.push(stack.add(r));
    }
    let valid = validate(&stack).is_ok();
    for format in Format::ALL {
        let text = render(&stack, format);
        if !valid {
            continue;
        }
        assert_eq!(text, render(&stack, format), "rendering is not deterministic");
        match format {
            Format::Json => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .expect("valid stacks render to JSON serde_json parses");
            }
            Format::Hcl => {
                if let Err(e) = hcl::parse(&text) {
                    panic!("valid stack rendered to HCL hcl-rs cannot parse: {e}\n{text}");
                }
            }
        }
    }
});
