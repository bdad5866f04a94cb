//! Property tests of the renderers over generated expressions: every string (quotes,
//! backslashes, newlines, unicode, template and heredoc markers, control characters), nested
//! lists and objects, numbers at the edges, and references. Both renderings must parse back —
//! JSON with serde_json, HCL with hcl-rs — to the same values, literals as literals and
//! references as references.
//!
//! Template escapes are decoded by [`decode_literal`], which follows Terraform (checked with
//! `terraform console`: `"$$${x}"` is `$${x}`); hcl-rs 0.20's template parser reads `$$${` as
//! `${` (and `$%%{` as `%{`), so it is used for structure, not for decoding escapes. Its HCL
//! parser keeps that misreading in the parsed text, so an HCL literal with a `$` or `%` right
//! before a marker is left to the terraform round trip in `tests/language.rs`.

use std::str::FromStr;

use proptest::prelude::*;
use tfsynth::prelude::*;

/// Strings built from the pieces that break naive escapers, mixed with arbitrary text.
fn awkward_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("${".to_owned()),
        Just("%{".to_owned()),
        Just("$${".to_owned()),
        Just("%%{".to_owned()),
        Just("$".to_owned()),
        Just("}".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\\n".to_owned()),
        Just("\n".to_owned()),
        Just("\r\t".to_owned()),
        Just("<<EOF\n".to_owned()),
        Just("EOT".to_owned()),
        Just("\u{1}\u{1b}\u{7f}\u{85}".to_owned()),
        Just("é日本🦀".to_owned()),
        Just("#".to_owned()),
        Just("=".to_owned()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// Plain data: what a literal attribute can hold.
fn literal() -> impl Strategy<Value = Expression> {
    let leaf = prop_oneof![
        Just(Expression::Null),
        any::<bool>().prop_map(Expression::from),
        any::<i64>().prop_map(Expression::from),
        any::<u64>().prop_map(Expression::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Expression::from),
        awkward_string().prop_map(Expression::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expression::List),
            prop::collection::vec((awkward_string(), inner), 0..4)
                .prop_map(|entries| entries.into_iter().collect::<Expression>()),
        ]
    })
}

/// A stack whose one resource holds `value` in `value`, next to a reference and a template.
fn stack_with(value: Expression, text: String) -> Stack {
    let mut stack = Stack::new("props", "test");
    let name = stack.variable(Variable::new("name", "string"));
    let target = stack.add(Resource::new("aws_s3_bucket", "target").set("bucket", "b"));
    stack.add(
        Resource::new("aws_s3_bucket", "subject")
            .set("value", value)
            .set("reference", target.arn())
            .set("template", template![text, name]),
    );
    stack
}

/// The text of a template with no interpolation or directive, as Terraform reads it: `$${`
/// and `%%{` are escapes, `${"$"}` (any run of `$`) interpolates those characters (the
/// renderer writes it before an interpolation), any other `${` or `%{` opens a sequence.
fn decode_literal(raw: &str) -> Option<String> {
    let mut text = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let dollars = rest.strip_prefix("${\"").map_or(0, |r| r.len() - r.trim_start_matches('$').len());
        if dollars > 0 && rest[3 + dollars..].starts_with("\"}") {
            text.push_str(&rest[3..3 + dollars]);
            rest = &rest[3 + dollars + 2..];
        } else if rest.starts_with("$${") || rest.starts_with("%%{") {
            text.push(c);
            text.push('{');
            rest = &rest[3..];
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            return None;
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(text)
}

/// Compares a parsed JSON value with the literal it was rendered from.
fn json_matches(got: &serde_json::Value, want: &Expression) -> bool {
    match (got, want) {
        (serde_json::Value::Null, Expression::Null) => true,
        (serde_json::Value::Bool(a), Expression::Bool(b)) => a == b,
        (serde_json::Value::Number(a), Expression::Number(b)) => a == b,
        (serde_json::Value::String(a), Expression::String(b)) => decode_literal(a).as_deref() == Some(b.as_str()),
        (serde_json::Value::Array(a), Expression::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_matches(x, y))
        }
        // Object keys are not templates in Terraform JSON: they come back verbatim.
        (serde_json::Value::Object(a), Expression::Object(b)) => {
            a.len() == b.len() && b.iter().all(|(k, v)| a.get(k.as_ref()).is_some_and(|x| json_matches(x, v)))
        }
        _ => false,
    }
}

/// Literal text hcl-rs 0.20 reads back wrongly from correct HCL (see the module docs): a `$`
/// or `%` right before a template marker, whose escaped form hcl-rs shortens by one character
/// (Terraform reads `"$%%{"` as `$%{`; hcl-rs as `%{`).
fn hcl_rs_misreads(literal: &str) -> bool {
    ["$${", "%%{", "$%{", "%${"].iter().any(|p| literal.contains(p))
}

/// Compares a parsed HCL expression with the literal it was rendered from.
fn hcl_matches(got: &hcl::Expression, want: &Expression) -> bool {
    use hcl::Expression as H;
    match (got, want) {
        (H::Null, Expression::Null) => true,
        (H::Bool(a), Expression::Bool(b)) => a == b,
        (H::Number(a), Expression::Number(b)) => match (b.as_i64(), b.as_u64()) {
            (Some(i), _) => a.as_i64() == Some(i),
            (None, Some(u)) => a.as_u64() == Some(u),
            _ => a.as_f64() == b.as_f64(),
        },
        (H::String(a), Expression::String(b)) => a == b || hcl_rs_misreads(b),
        (H::TemplateExpr(t), Expression::String(b)) => {
            hcl_rs_misreads(b) || decode_literal(&t.to_string()).as_deref() == Some(b.as_str())
        }
        (H::Array(a), Expression::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| hcl_matches(x, y)),
        (H::Object(a), Expression::Object(b)) => {
            a.len() == b.len()
                && b.iter().all(|(k, v)| {
                    a.iter().any(|(key, x)| {
                        let key = match key {
                            hcl::ObjectKey::Identifier(i) => Some(i.to_string()),
                            hcl::ObjectKey::Expression(e) => match e {
                                H::String(s) => Some(s.clone()),
                                H::TemplateExpr(t) => decode_literal(&t.to_string()),
                                _ => None,
                            },
                            _ => None,
                        };
                        (hcl_rs_misreads(k) || key.as_deref() == Some(k.as_ref())) && hcl_matches(x, v)
                    })
                })
        }
        _ => false,
    }
}

fn hcl_attribute(body: &hcl::Body, name: &str) -> hcl::Expression {
    let block = body
        .blocks()
        .find(|b| b.identifier() == "resource" && b.labels().get(1).is_some_and(|l| l.as_str() == "subject"))
        .expect("the subject resource");
    block.body().attributes().find(|a| a.key() == name).expect("attribute").expr().clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_parses_back_to_the_same_values(value in literal(), text in awkward_string()) {
        let stack = stack_with(value.clone(), text.clone());
        let json = render(&stack, Format::Json);
        let doc: serde_json::Value = serde_json::from_str(&json).expect("serde_json parses the rendering");
        let subject = &doc["resource"]["aws_s3_bucket"]["subject"];
        prop_assert!(json_matches(&subject["value"], &value), "{}", subject["value"]);
        prop_assert_eq!(&subject["reference"], "${aws_s3_bucket.target.arn}");
        let template = subject["template"].as_str().expect("a string");
        prop_assert!(hcl::Template::from_str(template).is_ok(), "{template}");
        let literal = template.strip_suffix("${var.name}").and_then(decode_literal);
        prop_assert_eq!(literal, Some(text));
    }

    #[test]
    fn hcl_parses_back_to_the_same_values(value in literal(), text in awkward_string()) {
        let stack = stack_with(value.clone(), text.clone());
        let rendered = render(&stack, Format::Hcl);
        let body: hcl::Body = hcl::parse(&rendered).map_err(|e| TestCaseError::fail(format!("{e}\n{rendered}")))?;
        let got = hcl_attribute(&body, "value");
        prop_assert!(hcl_matches(&got, &value), "{got:?}\n{rendered}");
        let reference = hcl_attribute(&body, "reference");
        prop_assert!(matches!(reference, hcl::Expression::Traversal(_)), "{reference:?}");
        let hcl::Expression::TemplateExpr(t) = hcl_attribute(&body, "template") else {
            return Err(TestCaseError::fail("the template is not a template"));
        };
        if !hcl_rs_misreads(&text) {
            prop_assert!(hcl::Template::from_expr(&t).is_ok(), "{t}");
            let raw = t.to_string();
            prop_assert_eq!(raw.strip_suffix("${var.name}").and_then(decode_literal), Some(text));
        }
    }

    #[test]
    fn rendering_is_deterministic(value in literal(), text in awkward_string()) {
        for format in Format::ALL {
            let a = render(&stack_with(value.clone(), text.clone()), format);
            let b = render(&stack_with(value.clone(), text.clone()), format);
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn only_terraform_identifiers_are_accepted_as_names(name in "\\PC{0,12}") {
        let mut stack = Stack::new("props", "test");
        stack.add(Resource::new("aws_s3_bucket", name.clone()).set("bucket", "b"));
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        match validate(&stack) {
            Ok(()) => prop_assert!(valid, "accepted {name:?}"),
            Err(e) => {
                prop_assert!(!valid, "rejected {name:?}: {e}");
                let message = e.to_string();
                prop_assert!(message.contains("not a valid Terraform identifier") || message.contains("empty resource name"), "{message}");
            }
        }
    }
}

/// Object-typed attributes written as blocks (`ingress { ... }` of a security group, `route`
/// of a route table, `egress` of a network ACL) with random subsets of their optional fields:
/// both renderings pass terraform's validation and plan the same, because the JSON rendering
/// writes every field the object type declares.
#[cfg(not(skip_tools))]
mod object_blocks {
    use proptest::prelude::*;
    use tfsynth::prelude::*;

    use super::super::common::tools;

    /// Optional fields of a security-group rule, with a value each.
    fn rule_fields() -> impl Strategy<Value = Vec<(&'static str, Expression)>> {
        let optional: Vec<(&'static str, Expression)> = vec![
            ("description", "generated rule".into()),
            ("cidr_blocks", Expression::from(vec!["10.0.0.0/8"])),
            ("ipv6_cidr_blocks", Expression::from(Vec::<&str>::new())),
            ("prefix_list_ids", Expression::from(Vec::<&str>::new())),
            ("self", false.into()),
        ];
        proptest::sample::subsequence(optional, 0..=5)
    }

    fn route_fields() -> impl Strategy<Value = Vec<(&'static str, Expression)>> {
        let optional: Vec<(&'static str, Expression)> = vec![
            ("carrier_gateway_id", "".into()),
            ("core_network_arn", "".into()),
            ("egress_only_gateway_id", "".into()),
            ("local_gateway_id", "".into()),
            ("transit_gateway_id", "".into()),
            ("vpc_endpoint_id", "".into()),
        ];
        proptest::sample::subsequence(optional, 0..=6)
    }

    fn stack(rules: &[Vec<(&'static str, Expression)>], routes: &[Vec<(&'static str, Expression)>]) -> Stack {
        let mut stack = Stack::new("shapes", "test").with_tier(Tier::Development);
        stack.provider(Provider::aws("us-east-1"));
        let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
        let igw = stack.add(Resource::new("aws_internet_gateway", "main").set("vpc_id", vpc.id()));
        let mut sg = Resource::new("aws_security_group", "generated").set("vpc_id", vpc.id());
        for (i, fields) in rules.iter().enumerate() {
            let port = 1000 + u16::try_from(i).unwrap_or(0);
            let body =
                fields.iter().cloned().fold(
                    Body::new().set("from_port", port).set("to_port", port).set("protocol", "tcp"),
                    |b, (k, v)| b.set(k, v),
                );
            sg = sg.block(if i % 2 == 0 { "ingress" } else { "egress" }, body);
        }
        stack.add(sg);
        let mut table = Resource::new("aws_route_table", "generated").set("vpc_id", vpc.id());
        for (i, fields) in routes.iter().enumerate() {
            let body = fields.iter().cloned().fold(
                Body::new().set("cidr_block", format!("10.{}.0.0/16", 100 + i)).set("gateway_id", igw.id()),
                |b, (k, v)| b.set(k, v),
            );
            table = table.block("route", body);
        }
        stack.add(table);
        stack
    }

    proptest! {
        // Each case runs terraform twice; a few cases cover the field subsets well.
        #![proptest_config(ProptestConfig { cases: 4, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn json_and_hcl_of_object_blocks_plan_the_same(
            rules in prop::collection::vec(rule_fields(), 1..4),
            routes in prop::collection::vec(route_fields(), 1..3),
        ) {
            let stack = stack(&rules, &routes);
            validate(&stack).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let files = Format::ALL.map(|f| vec![(f.file_name().to_owned(), render(&stack, f))]);
            let [json, hcl] = tools::plan_formats(&files).map_err(TestCaseError::fail)?;
            prop_assert_eq!(json, hcl);
        }
    }
}
