use super::compact::Tables;
use super::encode::encode;
use super::{Fields, Nesting, Schema, Type};
use crate::model::{Kind, Resource};

#[test]
fn vendored_schema_is_complete() {
    let schema = Schema::aws();
    assert_eq!(schema.version(), "5.100.0");
    assert!(schema.type_names(Kind::Managed).count() > 1500);
    assert!(schema.type_names(Kind::Data).count() > 600);
    assert!(schema.provider().attributes.contains_key("region"));
    // Every type is found by name through the hash table.
    for kind in [Kind::Managed, Kind::Data] {
        assert!(schema.type_names(kind).all(|name| schema.has_type(kind, name)));
    }
}

#[test]
fn block_schema_keeps_types_flags_and_nesting() {
    let schema = Schema::aws();
    let vpc = schema.block(Kind::Managed, "aws_vpc").expect("aws_vpc");
    assert_eq!(vpc.attributes.get("cidr_block").expect("cidr_block").ty, Type::String);
    assert!(vpc.attributes.get("arn").expect("arn").is_read_only());
    assert_eq!(vpc.attributes.get("tags").expect("tags").ty, Type::Map(&Type::String));
    let service = schema.block(Kind::Managed, "aws_ecs_service").expect("aws_ecs_service");
    assert!(service.attributes.get("name").expect("name").required);
    let breaker = service.blocks.get("deployment_circuit_breaker").expect("deployment_circuit_breaker");
    assert_eq!((breaker.nesting, breaker.max()), (Nesting::List, Some(1)));
    assert!(breaker.block().attributes.get("rollback").expect("rollback").required);
    assert!(schema.block(Kind::Data, "aws_iam_policy_document").is_some());
    assert!(schema.block(Kind::Managed, "aws_region").is_none());
    assert!(schema.block(Kind::Data, "terraform_remote_state").is_some());
}

const SMALL: &str = concat!(
    "#tfsynth-schema aws hashicorp/aws 1.2.3\n",
    "p\taws\t{\"a\":{\"region\":[\"string\",\"o\"]},\"b\":{}}\n",
    "r\taws_thing\t{\"a\":{\"zone\":[\"string\",\"rc\"],\"id\":[\"string\",\"c\"],\"size\":[\"number\",\"os\"],",
    "\"ports\":[[\"list\",\"number\"],\"o\"],\"secret_wo\":[\"string\",\"ow\"],",
    "\"limits\":[[\"list\",[\"object\",{\"cpu\":\"number\"}]],\"o\",[\"list\",0,2,{\"a\":{\"cpu\":[\"number\",\"r\"]}}]]},",
    "\"b\":{\"rule\":[\"set\",1,3,{\"a\":{\"region\":[\"string\",\"r\"]},\"b\":{}}]}}\n",
    "e\taws_token\t{\"a\":{\"token\":[\"string\",\"cs\"]}}\n",
);

/// The tables of `SMALL`, with the type list its type source names.
fn small() -> &'static Tables {
    let e = encode(SMALL).expect("encodes");
    assert_eq!((e.name.as_str(), e.source.as_str(), e.version.as_str()), ("aws", "hashicorp/aws", "1.2.3"));
    let types = "&[\n    Type::String,\n    Type::List(&Type::Object(Fields(&[(\"cpu\", Type::Number)]))),\n    Type::Number,\n    Type::List(&Type::Number),\n    Type::Dynamic,\n]\n";
    assert_eq!(e.type_source, types);
    let leak = |bytes: Vec<u8>| -> &'static [u8] { bytes.leak() };
    Box::leak(Box::new(Tables {
        names: e.names.leak(),
        attributes: leak(e.attributes),
        nested: leak(e.nested),
        blocks: leak(e.blocks),
        types: leak(e.types),
        slots: leak(e.slots),
        type_list: &[
            Type::String,
            Type::List(&Type::Object(Fields(&[("cpu", Type::Number)]))),
            Type::Number,
            Type::List(&Type::Number),
            Type::Dynamic,
        ],
    }))
}

#[test]
fn encoded_tables_read_back_in_place() {
    let tables = small();
    let thing = tables.find_type(1, "aws_thing").expect("aws_thing");
    assert_eq!(thing.attributes.keys().collect::<Vec<_>>(), ["id", "limits", "ports", "secret_wo", "size", "zone"]);
    let secret = thing.attributes.get("secret_wo").expect("secret_wo");
    assert!(secret.write_only && secret.optional && secret.nested.is_none());
    let limits = thing.attributes.get("limits").expect("limits");
    let (nesting, fields) = limits.nested.expect("a nested_type attribute keeps its attributes");
    assert_eq!(nesting, Nesting::List);
    assert!(fields.get("cpu").expect("cpu").required);
    assert_eq!(limits.ty.object_elements().map(|f| f.keys().collect::<Vec<_>>()), Some(vec!["cpu"]));
    let token = tables.find_type(3, "aws_token").expect("the ephemeral resource");
    assert!(token.attributes.get("token").expect("token").sensitive);
    let size = thing.attributes.get("size").expect("size");
    assert!(size.optional && size.sensitive && !size.required && size.ty == Type::Number);
    assert_eq!(thing.attributes.get("ports").expect("ports").ty, Type::List(&Type::Number));
    assert!(thing.attributes.get("id").expect("id").is_read_only());
    assert!(thing.attributes.get("missing").is_none());
    let rule = thing.blocks.get("rule").expect("rule");
    assert_eq!((rule.nesting, rule.min_items, rule.max()), (Nesting::Set, 1, Some(3)));
    // The nested block is identical to the provider's but for a flag, so it is its own block.
    assert!(rule.block().attributes.get("region").expect("region").required);
    assert!(tables.find_type(0, "aws").is_some());
    assert!(tables.find_type(2, "terraform_remote_state").is_some());
    assert!(tables.find_type(2, "aws_thing").is_none());
    assert!(tables.find_type(3, "aws_thing").is_none());
    assert!(tables.find_type(1, "aws_other").is_none());
}

#[test]
fn malformed_schema_text_is_refused() {
    let refused = |text: &str| encode(text).err().unwrap_or_default();
    assert_eq!(refused(""), "empty schema file");
    assert_eq!(refused("not a schema\n"), "not a tfsynth schema file");
    assert!(refused("#tfsynth-schema aws 1\n").contains("want `#tfsynth-schema <name> <source> <version>`"));
    let header = "#tfsynth-schema aws hashicorp/aws 1\n";
    assert!(refused(&format!("{header}x\taws\t{{}}\n")).contains("unknown schema line kind `x`"));
    assert!(refused(&format!("{header}r\taws_thing\n")).contains("malformed schema line 2"));
    assert!(refused(&format!("{header}r\taws_thing\t{{\"a\":{{}}}}\n")).contains("no provider block"));
    assert!(refused(&format!("{header}p\taws\t{{\"a\":\n")).starts_with("p aws: "));
}

#[test]
fn every_vendored_provider_is_found_by_its_types() {
    let names: Vec<&str> = Schema::all().iter().map(Schema::name).collect();
    assert_eq!(names, ["archive", "aws", "helm", "kubernetes", "null", "random", "time", "tls"]);
    for schema in Schema::all() {
        for kind in [Kind::Managed, Kind::Data, Kind::Ephemeral] {
            for ty in schema.type_names(kind) {
                let block = match kind {
                    Kind::Managed => Resource::new(ty, "x"),
                    Kind::Data => Resource::data(ty, "x"),
                    Kind::Ephemeral => Resource::ephemeral(ty, "x"),
                };
                let found = Schema::for_type(kind, ty, block.provider_name()).map(Schema::name);
                assert_eq!(found, Some(schema.name()), "{ty}");
            }
        }
    }
    // The provider meta-argument decides, as it does for Terraform; built-in types are found
    // where they are vendored.
    let mut stack = crate::model::Stack::new("s", "e");
    let aliased = stack.provider(crate::model::Provider::aws("us-east-1").alias("other"));
    let block = Resource::new("random_password", "x").provider(&aliased);
    assert_eq!(block.provider_name(), "aws");
    assert_eq!(Schema::for_type(Kind::Managed, "random_password", "aws").map(Schema::name), Some("aws"));
    let remote = Resource::data("terraform_remote_state", "x");
    assert_eq!(
        Schema::for_type(Kind::Data, "terraform_remote_state", remote.provider_name()).map(Schema::name),
        Some("aws")
    );
    assert!(Schema::named("random").expect("random").has_type(Kind::Ephemeral, "random_password"));
    // helm 3 configures its cluster with nested attributes (`kubernetes = { exec = {...} }`).
    let helm = Schema::named("helm").expect("helm").provider();
    let (nesting, kubernetes) = helm.attributes.get("kubernetes").and_then(|a| a.nested).expect("kubernetes");
    assert_eq!(nesting, Nesting::Single);
    let (_, exec) = kubernetes.get("exec").and_then(|a| a.nested).expect("exec");
    assert!(exec.get("command").expect("command").required);
    let db = Schema::aws().block(Kind::Managed, "aws_db_instance").expect("aws_db_instance");
    assert!(db.attributes.get("password_wo").expect("password_wo").write_only);
    assert!(!db.attributes.get("password").expect("password").write_only);
}

#[test]
fn a_version_constraint_follows_the_vendored_version() {
    assert_eq!(Schema::aws().version_constraint(), "~> 5.100");
    assert_eq!(Schema::named("time").expect("time").version_constraint(), "~> 0.14.0");
}
