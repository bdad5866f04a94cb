//! A synthetic stack of any size for the scale benchmarks: units of twelve resources shaped like
//! real infrastructure (security groups with nested rules, IAM roles with `jsonencode` policies,
//! encrypted private buckets, log groups, instances with nested blocks, target groups and
//! attachments), every unit referring to its own resources and to the unit before it. It passes
//! the policy gate, so `tfsynth synth` would write it.

use tfsynth::prelude::*;

/// Resources per unit.
pub const UNIT: usize = 12;

/// A valid stack of `resources` resources (rounded down to whole units, at least one).
pub fn stack(resources: usize) -> Stack {
    let mut stack = Stack::new("synthetic", "production");
    stack.provider(Provider::aws("us-east-1").default_tags([("Project", "synthetic")]));
    let vpc_id = stack.variable(
        Variable::new("vpc_id", "string").description("The VPC the units run in").default("vpc-0123456789abcdef0"),
    );
    let subnets = stack.variable(Variable::new("subnet_ids", "list(string)").description("Private subnets").default([
        "subnet-0000000000000000a",
        "subnet-0000000000000000b",
        "subnet-0000000000000000c",
    ]));
    let key = stack.add(
        Resource::new("aws_kms_key", "shared").set("description", "Synthetic logs").set("enable_key_rotation", true),
    );
    let mut previous_sg: Option<Ref> = None;
    for i in 0..(resources / UNIT).max(1) {
        let name = |what: &str| format!("{what}_{i:06}");
        let tags = || Expression::from_iter([("Name", format!("synthetic-{i}")), ("Unit", i.to_string())]);
        let mut ingress = Body::new()
            .set("from_port", 443)
            .set("to_port", 443)
            .set("protocol", "tcp")
            .set("cidr_blocks", ["10.0.0.0/8"])
            .set("description", "HTTPS from the VPC");
        if let Some(prev) = &previous_sg {
            ingress = ingress.set("security_groups", Expression::List(vec![prev.id().into()]));
        }
        let sg = stack.add(
            Resource::new("aws_security_group", name("sg"))
                .set("name", format!("synthetic-{i}"))
                .set("description", "Synthetic unit")
                .set("vpc_id", vpc_id.clone())
                .block("ingress", ingress)
                .block(
                    "egress",
                    Body::new()
                        .set("from_port", 0)
                        .set("to_port", 0)
                        .set("protocol", "-1")
                        .set("cidr_blocks", ["10.0.0.0/8"]),
                )
                .set("tags", tags()),
        );
        let bucket = stack.add(
            Resource::new("aws_s3_bucket", name("bucket")).set("bucket", format!("synthetic-{i}")).set("tags", tags()),
        );
        stack.add(
            Resource::new("aws_s3_bucket_server_side_encryption_configuration", name("encryption"))
                .set("bucket", bucket.id())
                .block(
                    "rule",
                    Body::new().block(
                        "apply_server_side_encryption_by_default",
                        Body::new().set("sse_algorithm", "aws:kms").set("kms_master_key_id", key.arn()),
                    ),
                ),
        );
        stack.add(
            Resource::new("aws_s3_bucket_public_access_block", name("public_access"))
                .set("bucket", bucket.id())
                .set("block_public_acls", true)
                .set("block_public_policy", true)
                .set("ignore_public_acls", true)
                .set("restrict_public_buckets", true),
        );
        stack.add(
            Resource::new("aws_s3_bucket_versioning", name("versioning"))
                .set("bucket", bucket.id())
                .block("versioning_configuration", Body::new().set("status", "Enabled")),
        );
        let assume = jsonencode(serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}],
        }));
        let role = stack.add(
            Resource::new("aws_iam_role", name("role"))
                .set("name", format!("synthetic-{i}"))
                .set("assume_role_policy", assume)
                .set("tags", tags()),
        );
        let objects = template![bucket.arn(), "/*"];
        let policy = jsonencode(Expression::from_iter([
            ("Version", Expression::from("2012-10-17")),
            (
                "Statement",
                Expression::List(vec![Expression::from_iter([
                    ("Effect", Expression::from("Allow")),
                    ("Action", Expression::from(["s3:GetObject", "s3:PutObject"])),
                    ("Resource", Expression::List(vec![objects.into()])),
                ])]),
            ),
        ]));
        stack.add(
            Resource::new("aws_iam_role_policy", name("policy"))
                .set("name", "objects")
                .set("role", role.id())
                .set("policy", policy),
        );
        let profile = stack.add(
            Resource::new("aws_iam_instance_profile", name("profile"))
                .set("name", format!("synthetic-{i}"))
                .set("role", role.attr("name")),
        );
        stack.add(
            Resource::new("aws_cloudwatch_log_group", name("logs"))
                .set("name", template!["/synthetic/", format!("{i}"), "/", role.attr("name").typed::<String>()])
                .set("retention_in_days", 365)
                .set("kms_key_id", key.arn()),
        );
        let server = stack.add(
            Resource::new("aws_instance", name("server"))
                .set("ami", "ami-0123456789abcdef0")
                .set("instance_type", if i % 2 == 0 { "t3.small" } else { "m6i.large" })
                .set("subnet_id", subnets.clone().index(i % 3))
                .set("vpc_security_group_ids", Expression::List(vec![sg.id().into()]))
                .set("iam_instance_profile", profile.attr("name"))
                .set("monitoring", true)
                .set("ebs_optimized", true)
                .block("metadata_options", Body::new().set("http_tokens", "required").set("http_endpoint", "enabled"))
                .block("root_block_device", Body::new().set("encrypted", true).set("volume_size", 20 + i % 10))
                .set("tags", tags()),
        );
        let target_group = stack.add(
            Resource::new("aws_lb_target_group", name("tg"))
                .set("name", format!("synthetic-{i}"))
                .set("port", 8080)
                .set("protocol", "HTTP")
                .set("vpc_id", vpc_id.clone())
                .block(
                    "health_check",
                    Body::new().set("path", "/health").set("matcher", "200").set("interval", 15).set("timeout", 5),
                ),
        );
        stack.add(
            Resource::new("aws_lb_target_group_attachment", name("attachment"))
                .set("target_group_arn", target_group.arn())
                .set("target_id", server.id())
                .set("port", 8080),
        );
        previous_sg = Some(sg);
    }
    stack
}
