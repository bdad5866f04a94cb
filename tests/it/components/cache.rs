//! Redis on ElastiCache.

use super::*;

#[test]
fn cache_defaults_are_secure() {
    let (mut ctx, _) = networked("cache");
    let app = app_group(&mut ctx);
    Redis::new("main", "app-production", "cache.r6g.large").clients(&[&app]).build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    for (field, want) in [
        ("at_rest_encryption_enabled", json!(true)),
        ("transit_encryption_enabled", json!(true)),
        ("kms_key_id", json!("${aws_kms_key.main.arn}")),
        ("multi_az_enabled", json!(true)),
        ("automatic_failover_enabled", json!(true)),
        ("num_cache_clusters", json!(2)),
        ("user_group_ids", json!(["${aws_elasticache_user_group.main.id}"])),
        ("snapshot_window", json!("03:00-05:00")),
        ("maintenance_window", json!("sun:05:30-sun:06:30")),
    ] {
        assert_eq!(group[field], want, "{field}");
    }
    assert!(group.get("auth_token").is_none());
    assert_eq!(resource(&doc, "aws_elasticache_user", "main_default")["access_string"], "off -@all");
    assert_eq!(resource(&doc, "aws_elasticache_user", "main_app")["authentication_mode"], json!([{"type": "iam"}]));
}

#[test]
fn cache_setters_reach_the_group() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "ai-prism-prod", "cache.r6g.large")
        .availability(Availability::MultiAz { replicas: 2 })
        .description("AI-Prism sessions and queues")
        .snapshot_retention(7)
        .snapshot_window("01:00-02:00")
        .maintenance_window("Sat:05:00-Sat:06:00")
        .parameter("timeout", "300")
        .build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!(group["num_cache_clusters"], 3);
    assert_eq!(group["description"], "AI-Prism sessions and queues");
    assert_eq!(group["snapshot_window"], "01:00-02:00");
    assert_eq!(group["maintenance_window"], "sat:05:00-sat:06:00");
    let params = resource(&doc, "aws_elasticache_parameter_group", "main")["parameter"].clone();
    assert_eq!(
        params,
        json!([{"name": "maxmemory-policy", "value": "volatile-lru"}, {"name": "timeout", "value": "300"}])
    );
}

#[test]
fn cache_auth_token_lives_in_secrets_manager() {
    let (mut ctx, _) = networked("cache");
    let reason = "a legacy worker speaks only AUTH; the token is kept in the Terraform state";
    Redis::new("main", "app-production", "cache.r6g.large")
        .auth(Auth::Token { variable: "redis_auth_token", reason })
        .build(&mut ctx);
    let doc = valid(ctx);
    assert!(doc["variable"]["redis_auth_token"]["description"].as_str().is_some_and(|d| d.contains(reason)));
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!(group["auth_token"], "${var.redis_auth_token}");
    assert!(group.get("user_group_ids").is_none());
    assert_eq!(doc["variable"]["redis_auth_token"]["sensitive"], true);
    assert_eq!(
        resource(&doc, "aws_secretsmanager_secret", "main_cache_auth_token")["name"],
        "app-production/auth-token"
    );
}

#[test]
fn a_role_is_granted_iam_access_to_the_cache_in_one_call() {
    let (mut ctx, _) = networked("cache");
    let cache = Redis::new("main", "app-production", "cache.r6g.large").build(&mut ctx);
    let role =
        tfsynth::modules::iam::Role::for_service("worker", "app-worker", "ecs-tasks.amazonaws.com").build(&mut ctx);
    cache.grant_connect(&mut ctx, &role);
    let doc = valid(ctx);
    let grant = resource(&doc, "aws_iam_role_policy", "main_connect_worker");
    assert_eq!(grant["role"], "${aws_iam_role.worker.id}");
    let policy = grant["policy"].as_str().expect("policy");
    assert!(
        policy.contains("elasticache:Connect")
            && policy.contains("aws_elasticache_replication_group.main.arn")
            && policy.contains("aws_elasticache_user.main_app.arn"),
        "{policy}"
    );
}

#[test]
fn cache_auth_token_needs_a_reason_that_names_the_state() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "app-production", "cache.r6g.large")
        .auth(Auth::Token { variable: "redis_auth_token", reason: "the worker is old" })
        .build(&mut ctx);
    let problem = only_problem(&ctx.finish());
    assert!(problem.contains("auth_token: the AUTH token opt-out does not acknowledge the state"), "{problem}");
}

#[test]
fn cache_single_node_has_no_failover() {
    let (mut ctx, _) = networked("cache");
    Redis::new("main", "app-dev", "cache.t4g.micro").availability(Availability::SingleNode).build(&mut ctx);
    let doc = valid(ctx);
    let group = resource(&doc, "aws_elasticache_replication_group", "main");
    assert_eq!((&group["multi_az_enabled"], &group["automatic_failover_enabled"]), (&json!(false), &json!(false)));
    assert_eq!(group["num_cache_clusters"], 1);
}

#[test]
fn cache_mistakes_are_reported() {
    let cases: Vec<(Redis, &str)> = vec![
        (
            Redis::new("main", "app", "cache.r6g.large").availability(Availability::MultiAz { replicas: 0 }),
            "0 replicas with Multi-AZ",
        ),
        (Redis::new("main", "app", "r6g.large"), "node type `r6g.large` is not of the form cache.<family>.<size>"),
        (Redis::new("main", "a".repeat(41), "cache.r6g.large"), "is not valid"),
        (Redis::new("main", "app", "cache.r6g.large").snapshot_window("3am"), "snapshot window `3am`"),
    ];
    for (cache, want) in cases {
        let (mut ctx, _) = networked("cache");
        cache.build(&mut ctx);
        let message = only_problem(&ctx.finish());
        assert!(message.contains("aws_elasticache_replication_group.main") && message.contains(want), "{message}");
    }
}
