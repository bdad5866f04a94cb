use serde_json::json;

use super::{Date, Rule, Waiver, lint};
use crate::model::{Arguments, Body, Resource, Stack};

const TODAY: Date = Date::ymd(2026, 11, 22);

fn fired(stack: &Stack) -> Vec<(Rule, String)> {
    lint(stack, TODAY).findings.into_iter().map(|f| (f.rule, f.address)).collect()
}

fn production() -> Stack {
    Stack::new("policy", "production")
}

#[test]
fn unencrypted_storage_fires() {
    let mut s = production();
    s.add(Resource::new("aws_ebs_volume", "data").set("size", 10));
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("retention_in_days", 30));
    let found = fired(&s);
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_ebs_volume.data".into())), "{found:?}");
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_cloudwatch_log_group.app".into())), "{found:?}");
}

#[test]
fn buckets_need_encryption_and_a_public_access_block() {
    let mut s = production();
    let bucket = s.add(Resource::new("aws_s3_bucket", "data").set("bucket", "d"));
    let found = fired(&s);
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_s3_bucket.data".into())), "{found:?}");
    assert!(found.contains(&(Rule::NotPublic, "aws_s3_bucket.data".into())), "{found:?}");
    s.add(Resource::new("aws_s3_bucket_server_side_encryption_configuration", "data").set("bucket", bucket.id()));
    let mut block = Resource::new("aws_s3_bucket_public_access_block", "data").set("bucket", bucket.id());
    for k in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
        block = block.set(k, true);
    }
    s.add(block);
    assert!(fired(&s).is_empty(), "{:?}", fired(&s));
}

#[test]
fn public_databases_fire() {
    let mut s = production();
    s.add(
        Resource::new("aws_db_instance", "db")
            .set("storage_encrypted", true)
            .set("deletion_protection", true)
            .set("backup_retention_period", 7)
            .set("publicly_accessible", true),
    );
    assert_eq!(fired(&s), [(Rule::NotPublic, "aws_db_instance.db".into())]);
}

#[test]
fn open_ingress_fires_except_web_ports_on_a_load_balancer() {
    let mut s = production();
    let lb_sg = s.add(Resource::new("aws_security_group", "lb"));
    let app_sg = s.add(Resource::new("aws_security_group", "app"));
    s.add(
        Resource::new("aws_lb", "web")
            .set("internal", true)
            .set("drop_invalid_header_fields", true)
            .set("enable_deletion_protection", true)
            .set("security_groups", vec![lb_sg.id()]),
    );
    let rule = |name: &str, sg: &crate::model::Ref, port: u16| {
        Resource::new("aws_vpc_security_group_ingress_rule", name)
            .set("security_group_id", sg.id())
            .set("cidr_ipv4", "0.0.0.0/0")
            .set("from_port", port)
            .set("to_port", port)
    };
    s.add(rule("https", &lb_sg, 443));
    s.add(rule("ssh", &lb_sg, 22));
    s.add(rule("app_https", &app_sg, 443));
    let found = fired(&s);
    assert_eq!(
        found,
        [
            (Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.ssh".into()),
            (Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.app_https".into())
        ]
    );
    let mut inline = production();
    inline.add(
        Resource::new("aws_security_group", "legacy").block(
            "ingress",
            Body::new().set("from_port", 5432).set("to_port", 5432).set("cidr_blocks", ["0.0.0.0/0"]),
        ),
    );
    assert_eq!(fired(&inline), [(Rule::OpenIngress, "aws_security_group.legacy".into())]);
}

#[test]
fn load_balancers_drop_bad_headers_have_a_waf_and_deletion_protection() {
    let mut s = production();
    s.add(Resource::new("aws_lb", "web"));
    let rules: Vec<Rule> = fired(&s).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rules, [Rule::AlbDropsInvalidHeaders, Rule::AlbHasWaf, Rule::DeletionProtection]);
    let mut staging = Stack::new("policy", "staging");
    staging.add(Resource::new("aws_lb", "web").set("drop_invalid_header_fields", true).set("internal", true));
    assert!(fired(&staging).is_empty(), "deletion protection is a production rule");
}

#[test]
fn backups_must_be_kept() {
    let mut s = production();
    s.add(
        Resource::new("aws_db_instance", "db")
            .set("storage_encrypted", true)
            .set("deletion_protection", true)
            .set("backup_retention_period", 1),
    );
    s.add(Resource::new("aws_elasticache_replication_group", "cache").set("at_rest_encryption_enabled", true));
    assert_eq!(
        fired(&s),
        [
            (Rule::BackupsRetained, "aws_db_instance.db".into()),
            (Rule::BackupsRetained, "aws_elasticache_replication_group.cache".into())
        ]
    );
}

#[test]
fn log_groups_need_retention() {
    let mut s = production();
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("kms_key_id", "arn:aws:kms:us-east-1:1:key/x"));
    assert_eq!(fired(&s), [(Rule::LogRetention, "aws_cloudwatch_log_group.app".into())]);
}

#[test]
fn iam_wildcards_fire() {
    let mut s = production();
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": ["*"]}]});
    let scoped = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]});
    s.add(Resource::new("aws_iam_policy", "admin").set("policy", crate::expr::jsonencode(admin)));
    s.add(Resource::new("aws_iam_policy", "scoped").set("policy", crate::expr::jsonencode(scoped)));
    assert_eq!(fired(&s), [(Rule::IamWildcard, "aws_iam_policy.admin".into())]);
}

#[test]
fn waivers_accept_findings_until_they_expire() {
    let mut s = production();
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("kms_key_id", "k"));
    s.waive(Waiver::new(
        Rule::LogRetention,
        "aws_cloudwatch_log_group.app",
        "audit keeps these",
        Date::ymd(2027, 1, 31),
    ));
    let report = lint(&s, TODAY);
    assert!(report.passes(), "{report:?}");
    assert_eq!(report.findings[0].waiver.as_ref().map(|w| w.reason.as_str()), Some("audit keeps these"));

    let later = lint(&s, Date::ymd(2027, 2, 1));
    assert!(!later.passes());
    let message = later.diagnostics(&s)[0].to_string();
    assert!(message.contains("waiver of TFS008 expired on 2027-01-31"), "{message}");
}

#[test]
fn a_waiver_that_matches_nothing_fails() {
    let mut s = production();
    s.waive(Waiver::new(Rule::AlbHasWaf, "aws_lb.gone", "old", Date::ymd(2027, 1, 1)));
    let report = lint(&s, TODAY);
    assert!(report.diagnostics(&s)[0].to_string().contains("waiver of TFS005 matches no finding"));
}
