//! The resource types that hold data, as data: what identifies each (so a rename is told
//! from a replacement) and which of its arguments make Terraform replace it (destroy, then
//! create empty) rather than update it in place. Sources: the AWS provider's `ForceNew`
//! arguments (v5.100); a sample is checked against terraform plans in the emulator tests.

/// One stateful resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stateful {
    /// The resource type.
    pub ty: &'static str,
    /// The argument naming the object in AWS, if it has one.
    pub identity: Option<&'static str>,
    /// Top-level arguments whose change replaces the object.
    pub replaced_by: &'static [&'static str],
}

/// Every stateful type.
pub const STATEFUL: &[Stateful] = &[
    Stateful {
        ty: "aws_db_instance",
        identity: Some("identifier"),
        replaced_by: &[
            "identifier",
            "engine",
            "storage_encrypted",
            "kms_key_id",
            "username",
            "db_name",
            "availability_zone",
            "character_set_name",
        ],
    },
    Stateful {
        ty: "aws_rds_cluster",
        identity: Some("cluster_identifier"),
        replaced_by: &[
            "cluster_identifier",
            "engine",
            "storage_encrypted",
            "kms_key_id",
            "database_name",
            "master_username",
        ],
    },
    Stateful {
        ty: "aws_elasticache_replication_group",
        identity: Some("replication_group_id"),
        replaced_by: &["replication_group_id", "at_rest_encryption_enabled", "kms_key_id", "subnet_group_name", "port"],
    },
    Stateful { ty: "aws_s3_bucket", identity: Some("bucket"), replaced_by: &["bucket", "object_lock_enabled"] },
    Stateful { ty: "aws_dynamodb_table", identity: Some("name"), replaced_by: &["name", "hash_key", "range_key"] },
    Stateful { ty: "aws_eks_cluster", identity: Some("name"), replaced_by: &["name", "role_arn"] },
    Stateful {
        ty: "aws_kms_key",
        identity: Some("description"),
        replaced_by: &["key_usage", "customer_master_key_spec", "multi_region"],
    },
    Stateful {
        ty: "aws_efs_file_system",
        identity: Some("creation_token"),
        replaced_by: &["creation_token", "encrypted", "kms_key_id", "performance_mode"],
    },
    Stateful { ty: "aws_cloudwatch_log_group", identity: Some("name"), replaced_by: &["name", "log_group_class"] },
    Stateful { ty: "aws_secretsmanager_secret", identity: Some("name"), replaced_by: &["name"] },
];

/// Arguments of a database or cache that AWS applies in place by restarting it (a failover
/// with Multi-AZ, downtime without).
pub const RESTARTS: &[&str] = &["instance_class", "node_type", "engine_version", "allocated_storage", "storage_type"];

/// The entry of `ty`, if it holds data.
pub fn stateful(ty: &str) -> Option<&'static Stateful> {
    STATEFUL.iter().find(|s| s.ty == ty)
}

/// The arguments among `paths` (attribute paths of a change, e.g. `tags.Name`) that replace a
/// resource of type `ty`.
pub fn replacing<'p>(ty: &str, paths: impl IntoIterator<Item = &'p str>) -> Vec<&'p str> {
    let Some(s) = stateful(ty) else { return Vec::new() };
    paths
        .into_iter()
        .filter(|p| {
            let root = p.split(['.', '[']).next().unwrap_or(p);
            s.replaced_by.contains(&root)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::model::Kind;
    use crate::schema::Schema;

    use super::{STATEFUL, replacing};

    /// One test per entry of the table: the type and each of its arguments exist in the
    /// vendored aws schema, and a change to each is marked a replacement.
    macro_rules! entry_tests {
        ($($name:ident => $ty:literal,)*) => {$(
            #[test]
            fn $name() {
                let entry = super::stateful($ty).expect("in the table");
                let schema = Schema::aws().block(Kind::Managed, $ty).expect("a type of the aws provider");
                for argument in entry.identity.iter().chain(entry.replaced_by) {
                    assert!(schema.attributes.get(argument).is_some(), "{}.{argument} is not an argument", $ty);
                }
                for argument in entry.replaced_by {
                    assert_eq!(replacing($ty, [*argument]), [*argument]);
                }
                assert!(replacing($ty, ["tags.Name"]).is_empty(), "tags never replace");
            }
        )*
            #[test]
            fn every_entry_has_a_test() {
                let tested = [$($ty),*];
                let table: Vec<&str> = STATEFUL.iter().map(|s| s.ty).collect();
                assert_eq!(table, tested);
            }
        };
    }

    entry_tests! {
        db_instance => "aws_db_instance",
        rds_cluster => "aws_rds_cluster",
        replication_group => "aws_elasticache_replication_group",
        bucket => "aws_s3_bucket",
        dynamodb_table => "aws_dynamodb_table",
        eks_cluster => "aws_eks_cluster",
        kms_key => "aws_kms_key",
        efs_file_system => "aws_efs_file_system",
        log_group => "aws_cloudwatch_log_group",
        secret => "aws_secretsmanager_secret",
    }

    #[test]
    fn nested_paths_replace_by_their_root_and_other_types_never() {
        assert_eq!(replacing("aws_db_instance", ["engine", "tags.Name", "identifier"]), ["engine", "identifier"]);
        assert!(replacing("aws_security_group", ["name"]).is_empty());
    }
}
