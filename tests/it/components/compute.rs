//! ECS clusters, services and tasks, their containers and repositories.

use super::*;

#[test]
fn services_run_private_hardened_and_least_privileged() {
    let (mut ctx, _) = networked("apps");
    let token = Secret::new("token", "apps/token").rotation(Rotation::AtSource("issued elsewhere")).build(&mut ctx);
    let cluster = cluster(&mut ctx);
    let container = Container::new("api", "example/api:1.0").port(8000).secret("TOKEN", &token).env("WORKERS", 4_u16);
    Service::new("api", &cluster, container)
        .capacity(Capacity::Spot)
        .autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)))
        .build(&mut ctx);
    let doc = valid(ctx);
    let cluster = resource(&doc, "aws_ecs_cluster", "main");
    assert_eq!(cluster["setting"][0], json!({"name": "containerInsights", "value": "enabled"}));
    let svc = resource(&doc, "aws_ecs_service", "api");
    assert_eq!(svc["network_configuration"][0]["assign_public_ip"], false);
    assert_eq!(svc["network_configuration"][0]["security_groups"], json!(["${aws_security_group.api_service.id}"]));
    assert_eq!(svc["deployment_circuit_breaker"][0], json!({"enable": true, "rollback": true}));
    assert_eq!(svc["lifecycle"]["ignore_changes"], json!(["desired_count"]));
    assert_eq!(svc["capacity_provider_strategy"][0]["capacity_provider"], "FARGATE_SPOT");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "api")["container_definitions"].as_str().unwrap().to_owned();
    for part in [
        "readonlyRootFilesystem = true",
        "user = \"1000\"",
        "privileged = false",
        "valueFrom = aws_secretsmanager_secret.token.arn",
        // ECS takes environment values as strings only.
        "name = \"WORKERS\", value = \"4\"",
    ] {
        assert!(definition.contains(part), "{part} missing from {definition}");
    }
    let execution =
        resource(&doc, "aws_iam_role_policy", "api_execution_execution")["policy"].as_str().unwrap().to_owned();
    assert!(
        execution.contains("secretsmanager:GetSecretValue")
            && execution.contains("aws_secretsmanager_secret.token.arn"),
        "{execution}"
    );
    let task = resource(&doc, "aws_iam_role_policy", "api_task_task")["policy"].as_str().unwrap().to_owned();
    assert!(!task.contains("secretsmanager"), "the task role cannot read secrets: {task}");
}

#[test]
fn services_behind_a_load_balancer_open_their_port_to_it_only() {
    let (mut ctx, _) = networked("apps");
    let (lb, blue, _) = alb(&mut ctx);
    let cluster = cluster(&mut ctx);
    let container = Container::new("api", "example/api:1.0")
        .port(8000)
        .health(HealthCheck::http(8000, "/health").interval(60).timeout(15).start_period(30).retries(3));
    Service::new("api", &cluster, container)
        .name("apps-api")
        .behind(&lb, &blue)
        .health_check_grace_period(120)
        .autoscale(Scaling::new(1, 3).target(Target::RequestsPerTarget(500.0)))
        .build(&mut ctx);
    let doc = valid(ctx);
    let svc = resource(&doc, "aws_ecs_service", "api");
    assert_eq!(svc["name"], "apps-api");
    assert_eq!(svc["health_check_grace_period_seconds"], 120);
    assert_eq!(svc["depends_on"], json!(["aws_lb_listener.main_https"]));
    let ingress = resource(&doc, "aws_vpc_security_group_ingress_rule", "api_service_in_8000_main_alb");
    assert_eq!(ingress["referenced_security_group_id"], "${aws_security_group.main_alb.id}");
    let egress = resource(&doc, "aws_vpc_security_group_egress_rule", "main_alb_out_8000_api_service");
    assert_eq!(egress["referenced_security_group_id"], "${aws_security_group.api_service.id}");
    let label = &resource(&doc, "aws_appautoscaling_policy", "api_requests")["target_tracking_scaling_policy_configuration"]
        [0]["predefined_metric_specification"][0]["resource_label"];
    assert_eq!(label, "${aws_lb.main.arn_suffix}/${aws_lb_target_group.blue.arn_suffix}");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "api")["container_definitions"].as_str().unwrap().to_owned();
    assert!(definition.contains("interval = 60, timeout = 15, retries = 3, startPeriod = 30"), "{definition}");
}

#[test]
fn services_reach_each_other_through_service_connect() {
    let (mut ctx, _) = networked("apps");
    let cluster = cluster(&mut ctx);
    let ai = Service::new("ai", &cluster, Container::new("ai", "example/ai:1.0").port(5001))
        .name("cvd-ai")
        .discoverable()
        .build(&mut ctx);
    assert_eq!(ai.endpoint.as_deref(), Some("http://cvd-ai:5001"));
    let app = Container::new("app", "example/app:1.0").env("AI_URL", ai.endpoint.clone().unwrap());
    let app = Service::new("app", &cluster, app).name("cvd-app").calls(&ai).build(&mut ctx);
    assert_eq!(render_expression(app.arn.expression()), "aws_ecs_service.app.id");
    assert_eq!(render_expression(app.security_group.id.expression()), "aws_security_group.app_service.id");
    let doc = valid(ctx);
    assert_eq!(
        resource(&doc, "aws_ecs_cluster", "main")["service_connect_defaults"][0]["namespace"],
        "${aws_service_discovery_http_namespace.main.arn}"
    );
    let server = &resource(&doc, "aws_ecs_service", "ai")["service_connect_configuration"][0];
    assert_eq!(server["service"][0]["discovery_name"], "cvd-ai");
    assert_eq!(server["service"][0]["client_alias"][0], json!({"port": 5001, "dns_name": "cvd-ai"}));
    let client = &resource(&doc, "aws_ecs_service", "app")["service_connect_configuration"][0];
    assert_eq!(client["enabled"], true);
    assert!(client.get("service").is_none(), "a caller only joins the namespace");
    let rule = resource(&doc, "aws_vpc_security_group_ingress_rule", "ai_service_in_5001_app_service");
    assert_eq!(rule["referenced_security_group_id"], "${aws_security_group.app_service.id}");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "ai")["container_definitions"].as_str().unwrap().to_owned();
    assert!(definition.contains("name = \"ai\", appProtocol = \"http\""), "{definition}");
}

#[test]
fn service_mistakes_are_reported() {
    fn check(build: impl Fn(&ClusterRef) -> Service, want: &str) {
        let (mut ctx, _) = networked("apps");
        let cluster = cluster(&mut ctx);
        build(&cluster).build(&mut ctx);
        let found = messages(ctx);
        assert!(found.iter().any(|m| m.contains(want)), "{want}: {found:#?}");
    }
    fn api(c: &ClusterRef) -> Service {
        Service::new("api", c, Container::new("api", "x"))
    }
    check(|c| api(c).size(256, 4096), "256 CPU units with 4096 MiB is not a Fargate size");
    check(|c| api(c).deployment(150, 120), "deployment bounds 150/120 are not valid");
    check(
        |c| api(c).desired(5).autoscale(Scaling::new(1, 3).target(Target::Cpu(70.0))),
        "the desired count 5 is outside 1..3",
    );
    check(
        |c| api(c).desired(2).autoscale(Scaling::new(10, 2).target(Target::Cpu(70.0))),
        "aws_appautoscaling_target.api: min 10 is above max 2",
    );
    check(|c| api(c).autoscale(Scaling::new(2, 4).target(Target::Cpu(170.0))), "CPU target 170 % is outside 0-100");
    check(|c| api(c).autoscale(Scaling::new(2, 4).target(Target::Memory(0.0))), "memory target 0 % is outside 0-100");
    check(|c| api(c).autoscale(Scaling::new(2, 4)), "autoscaling without a target");
    check(
        |c| {
            api(c).autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)).schedule(Schedule {
                name: "night",
                expression: "22:00",
                timezone: "UTC",
                min: 1,
                max: 2,
            }))
        },
        "schedule `night`: `22:00` is not a schedule expression",
    );
    check(|c| api(c).discoverable(), "discoverable without a port or a Service Connect namespace");
}

#[test]
fn credentials_never_go_into_the_environment() {
    let cases: [(Container, &str); 4] = [
        (
            Container::new("api", "x").env("ANTHROPIC_API_KEY", "sk-ant-api03-secret"),
            "container_definitions.api.environment.ANTHROPIC_API_KEY: environment variable `ANTHROPIC_API_KEY` looks like a credential, in plain text",
        ),
        (
            Container::new("api", "x").env("DATABASE_URL", "postgresql://cvd_admin:hunter2@db.internal:5432/cvd"),
            "environment variable `DATABASE_URL` is a URL with a password in it",
        ),
        (
            Container::new("api", "x")
                .env("REDIS_URL", template!["redis://:", var("token").typed::<String>(), "@cache:6379"]),
            "environment variable `REDIS_URL` is a URL with a password in it",
        ),
        (Container::new("api", "x").user("root"), "the container runs as root"),
    ];
    for (container, want) in cases {
        let (mut ctx, _) = networked("apps");
        ctx.variable(Variable::new("token", "string").sensitive());
        let cluster = cluster(&mut ctx);
        Service::new("api", &cluster, container).build(&mut ctx);
        let message = only_problem(&ctx.finish());
        assert!(message.contains("aws_ecs_task_definition.api") && message.contains(want), "{want}: {message}");
        if want.contains("credential") || want.contains("password") {
            assert!(message.contains(".secret(NAME, &secret)"), "{message}");
        }
    }
}

#[test]
fn json_secrets_are_read_one_key_at_a_time() {
    let (mut ctx, _) = networked("apps");
    let db = Postgres::new("main", "apps", "15", "db.t4g.micro").build(&mut ctx);
    let ecs = cluster(&mut ctx);
    let container = Container::new("api", "x").secret("DATABASE_SECRET", &db.master_secret);
    Service::new("api", &ecs, container).build(&mut ctx);
    let message = only_problem(&ctx.finish());
    assert!(message.contains("`DATABASE_SECRET` would receive a whole JSON secret (username, password)"), "{message}");
    assert!(message.contains(".secret_key(\"DATABASE_SECRET\", &secret, \"password\")"), "{message}");

    let (mut ctx, _) = networked("apps");
    let db = Postgres::new("main", "apps", "15", "db.t4g.micro").build(&mut ctx);
    let ecs = cluster(&mut ctx);
    let container = Container::new("api", "x").secret_key("DATABASE_PASSWORD", &db.master_secret, "pasword");
    Service::new("api", &ecs, container).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("the secret has no JSON key `pasword`"));
}

#[test]
fn repositories_are_scanned_pruned_and_immutable_unless_a_reason_is_given() {
    let mut ctx = context("apps");
    Repository::new("api", "apps-api").keep_last(20).build(&mut ctx);
    Repository::new("dev", "apps-dev").tags(Tags::Mutable("development redeploys `main`")).build(&mut ctx);
    let doc = valid(ctx);
    let repo = resource(&doc, "aws_ecr_repository", "api");
    assert_eq!(repo["image_tag_mutability"], "IMMUTABLE");
    assert_eq!(repo["image_scanning_configuration"][0]["scan_on_push"], true);
    assert!(resource(&doc, "aws_ecr_lifecycle_policy", "api")["policy"].as_str().unwrap().contains("countNumber = 20"));
    let dev = resource(&doc, "aws_ecr_repository", "dev");
    assert_eq!(dev["image_tag_mutability"], "MUTABLE");
    assert!(dev["//"].as_str().unwrap().contains("checkov:skip=CKV_AWS_51:development redeploys `main`"));
}

/// A service's own security group lets its tasks pull their image and write logs (HTTPS
/// out); a shared group without any egress is a finding (TFS018) that names the fix.
#[test]
fn service_tasks_get_egress_or_a_finding() {
    let today = tfsynth::policy::Date::ymd(2026, 12, 7);
    let (mut ctx, net) = networked("apps");
    let cluster = cluster(&mut ctx);
    Service::new("api", &cluster, Container::new("api", "x").port(8000)).build(&mut ctx);
    let stack = ctx.finish();
    let doc = document(&stack);
    let rules = doc["resource"]["aws_vpc_security_group_egress_rule"].as_object().expect("egress rules");
    let https = rules.values().any(|r| {
        r["security_group_id"] == "${aws_security_group.api_service.id}"
            && r["from_port"] == 443
            && r["cidr_ipv4"] == "0.0.0.0/0"
    });
    assert!(https, "{rules:#?}");
    assert!(tfsynth::policy::lint(&stack, today).findings.is_empty());

    let (mut ctx, _) = networked("apps");
    let cluster = self::cluster(&mut ctx);
    let shared = SecurityGroup::new("tasks", "apps-tasks", "Tasks").network(&net).build(&mut ctx);
    Service::new("api", &cluster, Container::new("api", "x")).security_group(&shared).build(&mut ctx);
    let findings = tfsynth::policy::lint(&ctx.finish(), today).findings;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].rule.id(), findings[0].address.as_str()), ("TFS018", "aws_ecs_service.api"));
    assert!(findings[0].fix.contains("allow_out(ctx, Port::tcp(443), Peer::Internet"), "{}", findings[0].fix);
}

/// A function with no key anywhere is one problem naming both ways out (a context key or
/// `.kms_key(&key)`), and `.kms_key` alone is enough: the function's environment, dead-letter
/// queue and logs use the key given, and checkov's encryption checks see it.
#[test]
fn a_function_takes_its_key_from_the_context_or_its_setter() {
    let code = || Code::S3 { bucket: "apps-artifacts".into(), key: "stop.zip".into() };
    let mut s = Stack::new("apps", "production");
    s.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(s, ACCOUNT);
    Function::new("stop", "apps-stop", "python3.11", "index.handler", code()).outside_vpc("a test").build(&mut ctx);
    let found: Vec<String> = problems(&ctx.finish()).iter().map(ToString::to_string).collect();
    assert!(
        !found.is_empty()
            && found.iter().all(|p| p.contains("no KMS key to encrypt with") && p.contains(".kms_key(&key)")),
        "{found:#?}"
    );

    let mut s = Stack::new("apps", "production");
    s.provider(Provider::aws(ACCOUNT.region));
    let mut ctx = Context::new(s, ACCOUNT);
    let key = Key::new("fn", "apps", "Function data").for_log_groups().build(&mut ctx);
    Function::new("stop", "apps-stop", "python3.11", "index.handler", code())
        .outside_vpc("a test")
        .kms_key(&key)
        .build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_lambda_function", "stop")["kms_key_arn"], "${aws_kms_key.fn.arn}");
    assert_eq!(resource(&doc, "aws_sqs_queue", "stop_dead_letters")["kms_master_key_id"], "${aws_kms_key.fn.arn}");
}
