use super::{Nesting, Schema, Type};
use crate::model::Kind;

#[test]
fn vendored_schema_is_complete() {
    let schema = Schema::aws();
    assert_eq!(schema.version(), "5.100.0");
    assert!(schema.type_names(Kind::Managed).count() > 1500);
    assert!(schema.type_names(Kind::Data).count() > 600);
    assert!(schema.provider().attributes.contains_key("region"));
}

#[test]
fn block_schema_keeps_types_flags_and_nesting() {
    let schema = Schema::aws();
    let vpc = schema.block(Kind::Managed, "aws_vpc").expect("aws_vpc");
    assert_eq!(vpc.attributes["cidr_block"].ty, Type::String);
    assert!(vpc.attributes["arn"].is_read_only());
    assert_eq!(vpc.attributes["tags"].ty, Type::Map(Box::new(Type::String)));
    let service = schema.block(Kind::Managed, "aws_ecs_service").expect("aws_ecs_service");
    assert!(service.attributes["name"].required);
    let breaker = &service.blocks["deployment_circuit_breaker"];
    assert_eq!((breaker.nesting, breaker.max()), (Nesting::List, Some(1)));
    assert!(schema.block(Kind::Data, "aws_iam_policy_document").is_some());
    assert!(schema.block(Kind::Managed, "aws_region").is_none());
}

#[test]
fn corrupt_files_are_rejected() {
    assert!(Schema::load(b"not gzip").is_err());
}
