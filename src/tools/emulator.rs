//! Applying a stack against moto, a local AWS emulator: start it on 127.0.0.1 (with the
//! stack's account and the hosted zones its settings name), point the provider at it, apply,
//! plan again (it must be empty), destroy (nothing may be left). What moto cannot do is data:
//! [`GAPS`], a versioned table; [`prepare`] leaves out the types moto cannot create and
//! ignores the attributes it reads back wrong, and reports which entries it used.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::expr::{Address, Expression, Root};
use crate::model::{Kind, Stack};
use crate::schema::{Schema, Type};

/// Environment variable naming the Python that has moto installed (default `python3`).
pub const MOTO_PYTHON_ENV: &str = "TFSYNTH_MOTO_PYTHON";

/// The versioned table of moto's gaps.
pub const GAPS: &str = include_str!("emulator_gaps.json");

/// One gap of the emulator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub struct Gap {
    /// The resource type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Attributes moto reads back wrong: ignored after apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Attributes moto rejects valid values of: left for moto to choose, and ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
    /// For a type left out: resources that refer to it are left out too, where no
    /// placeholder can stand in (an id another call checks).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cascade: bool,
    /// What moto does, and where that was confirmed.
    pub gap: String,
}

impl Gap {
    /// Whether the type is left out of the emulated apply.
    pub fn excludes(&self) -> bool {
        self.attributes.is_empty() && self.unset.is_empty()
    }
}

#[derive(Deserialize)]
struct Table {
    moto: String,
    gaps: Vec<Gap>,
}

/// The moto version the table was made with, and its entries.
pub fn gaps() -> Result<(String, Vec<Gap>), String> {
    let table: Table = serde_json::from_str(GAPS).map_err(|e| format!("the emulator gap table: {e}"))?;
    Ok((table.moto, table.gaps))
}

/// Starts moto and creates the hosted zones with their literal ids (an account already has
/// them); the server is stopped, by its process id, when this is dropped.
const LAUNCHER: &str = r#"
import json, sys, time
from moto.server import ThreadedMotoServer
from moto.rds.models import DBInstance
from moto.route53.models import route53_backends
# New RDS instances get rds-ca-rsa2048-g1 from AWS; moto's older default made the provider
# modify and reboot each one after creating it (two more waits, about 2 minutes each).
create_instance = DBInstance.__init__
def create_with_current_ca(self, *args, **kwargs):
    kwargs.setdefault("ca_certificate_identifier", "rds-ca-rsa2048-g1")
    create_instance(self, *args, **kwargs)
DBInstance.__init__ = create_with_current_ca
port, account, zones = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
backend = route53_backends[account]["aws"]
for zone_id, name in zones:
    zone = backend.create_hosted_zone(name, private_zone=False)
    del backend.zones[zone.resource_id]
    zone.resource_id = zone_id
    backend.zones[zone_id] = zone
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Emulator {
    /// Starts moto for `account` with `zones` (id, name) on a free port of 127.0.0.1.
    pub fn start(account: &str, zones: &[(String, String)]) -> Result<Self, String> {
        Self::start_logging(account, zones, None)
    }

    /// As [`start`](Self::start), with moto's own messages written to `log`.
    pub fn start_logging(account: &str, zones: &[(String, String)], log: Option<&Path>) -> Result<Self, String> {
        let stderr = match log.map(std::fs::File::create) {
            Some(Ok(file)) => Stdio::from(file),
            _ => Stdio::null(),
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("a free port: {e}"))?
            .port();
        let python = std::env::var_os(MOTO_PYTHON_ENV).unwrap_or_else(|| "python3".into());
        let mut child = Command::new(&python)
            .args(["-c", LAUNCHER, &port.to_string(), account, &serde_json::to_string(zones).unwrap_or_default()])
            .env("MOTO_ACCOUNT_ID", account)
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("MOTO_ACM_VALIDATION_WAIT", "1")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| {
                format!(
                    "starting moto with {} ({e}): install moto[server] or set {MOTO_PYTHON_ENV}",
                    python.to_string_lossy()
                )
            })?;
        let ready = child.stdout.take().map(|out| BufReader::new(out).lines().next());
        let mut emulator = Emulator { child, port };
        match ready {
            Some(Some(Ok(line))) if line == "ready" => Ok(emulator),
            _ => {
                let status = emulator.child.try_wait().ok().flatten();
                Err(format!(
                    "moto did not start ({}): install moto[server] for {} or set {MOTO_PYTHON_ENV}",
                    status.map_or_else(|| "no answer".to_owned(), |s| s.to_string()),
                    python.to_string_lossy()
                ))
            }
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The services the stacks use, each pointed at the emulator.
const SERVICES: &[&str] = &[
    "acm",
    "appautoscaling",
    "autoscaling",
    "budgets",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "eks",
    "elasticache",
    "elb",
    "elbv2",
    "events",
    "firehose",
    "iam",
    "kms",
    "lambda",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
];

/// An override (`*_override.tf.json`) pointing the AWS provider (and its `aliases`) at
/// `endpoint` with test credentials, and the backend at a local state file.
pub fn override_file(endpoint: &str, aliases: &[&str]) -> String {
    let endpoints: serde_json::Map<String, Value> =
        SERVICES.iter().map(|s| ((*s).to_owned(), json!(endpoint))).collect();
    let provider = |alias: Option<&str>| {
        let mut p = json!({
            "access_key": "test",
            "secret_key": "test",
            "skip_credentials_validation": true,
            "skip_metadata_api_check": true,
            "skip_region_validation": true,
            "s3_use_path_style": true,
            "max_retries": 2,
            "endpoints": [endpoints.clone()]
        });
        if let Some(a) = alias {
            p["alias"] = a.into();
        }
        p
    };
    let providers: Vec<Value> = std::iter::once(None).chain(aliases.iter().copied().map(Some)).map(provider).collect();
    serde_json::to_string_pretty(&json!({"terraform": {"backend": {"local": {}}}, "provider": {"aws": providers}}))
        .unwrap_or_default()
}

/// A value of the attribute's type for a reference to a resource left out: what the stack
/// plans with instead.
fn placeholder(ty: &str, name: &str, path: &[String]) -> Expression {
    let attribute = path.first().map_or("id", String::as_str);
    let schema = Schema::aws().block(Kind::Managed, ty).and_then(|b| b.attributes.get(attribute));
    let text = if attribute.ends_with("arn") {
        format!("arn:aws:emulator-gap:us-east-1:000000000000:{ty}/{name}")
    } else {
        format!("emulator-gap-{ty}-{name}")
    };
    match schema.map(|a| a.ty) {
        Some(Type::List(_) | Type::Set(_) | Type::Tuple(_)) if path.len() == 1 => Expression::List(Vec::new()),
        Some(Type::Map(_) | Type::Object(_)) if path.len() == 1 => Expression::Object(Box::default()),
        Some(Type::Number) => Expression::from(0),
        Some(Type::Bool) => Expression::from(false),
        _ => Expression::from(text),
    }
}

/// A resource's (type, name): how `prepare` tracks the blocks it leaves out.
fn key(a: &Address) -> (String, String) {
    (a.ty.clone(), a.name.clone())
}

/// `stack` as the emulator can apply it: resources of types the gap table says moto cannot
/// create are left out (references to them become placeholders of the attribute's type, or,
/// for a cascading entry, the resources that refer to them are left out too), attributes moto
/// rejects valid values of are left unset, and the attributes it reads back wrong are ignored
/// after apply. Returns the gap entries used.
pub fn prepare(stack: &Stack, gaps: &[Gap]) -> (Stack, Vec<Gap>) {
    let mut out = stack.clone();
    let used: Vec<Gap> = gaps
        .iter()
        .filter(|g| stack.blocks.iter().any(|r| r.kind == Kind::Managed && r.address.ty == g.ty))
        .cloned()
        .collect();
    let excluded_types: BTreeSet<&str> = gaps.iter().filter(|g| g.excludes()).map(|g| g.ty.as_str()).collect();
    let cascading: BTreeSet<&str> = gaps.iter().filter(|g| g.excludes() && g.cascade).map(|g| g.ty.as_str()).collect();
    let refers_to = |r: &crate::model::Resource, set: &BTreeSet<(String, String)>| {
        let mut found = false;
        r.body.walk(&mut |e| {
            if let Expression::Traversal(t) = e
                && let Root::Resource(a) = &t.root
            {
                found |= set.contains(&key(a));
            }
        });
        found
    };
    // Left out: the blocks of excluded types, and what refers to a cascading one, until no more.
    let mut left_out: BTreeSet<(String, String)> = out
        .blocks
        .iter()
        .filter(|r| r.kind == Kind::Managed && excluded_types.contains(r.address.ty.as_str()))
        .map(|r| key(&r.address))
        .collect();
    loop {
        let cascade: BTreeSet<(String, String)> =
            left_out.iter().filter(|(ty, _)| cascading.contains(ty.as_str())).cloned().collect();
        let more: Vec<(String, String)> = out
            .blocks
            .iter()
            .filter(|r| r.kind == Kind::Managed && !left_out.contains(&key(&r.address)))
            .filter(|r| refers_to(r, &cascade))
            .map(|r| key(&r.address))
            .collect();
        if more.is_empty() {
            break;
        }
        left_out.extend(more);
    }
    out.retain_blocks(|r| r.kind != Kind::Managed || !left_out.contains(&key(&r.address)));
    let mut rewrite = |e: &Expression| -> Option<Expression> {
        let Expression::Traversal(t) = e else { return None };
        let Root::Resource(a) = &t.root else { return None };
        if !left_out.contains(&key(a)) {
            return None;
        }
        let path: Vec<String> = t
            .steps
            .iter()
            .filter_map(|s| match s {
                crate::expr::Step::Attr(name) => Some(name.to_string()),
                _ => None,
            })
            .collect();
        Some(placeholder(&a.ty, &a.name, &path))
    };
    for r in &mut out.blocks {
        r.body.rewrite(&mut rewrite);
        if let Some(repetition) = &mut r.repetition {
            repetition.rewrite(&mut rewrite);
        }
        r.depends_on.retain(|d| !matches!(&d.root, Root::Resource(a) if left_out.contains(&key(a))));
        for gap in gaps.iter().filter(|g| g.ty == r.address.ty && !g.excludes()) {
            for name in &gap.unset {
                r.body.items_mut().shift_remove(name);
            }
            r.lifecycle.ignore_changes.extend(gap.attributes.iter().chain(&gap.unset).cloned());
        }
    }
    for o in out.outputs.values_mut() {
        o.value.rewrite(&mut rewrite);
    }
    for v in out.locals.values_mut() {
        v.rewrite(&mut rewrite);
    }
    (out, used)
}

/// What one emulated cycle did to a stack.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Cycle {
    /// The gap entries used.
    pub gaps: Vec<Gap>,
    /// Resources the first plan would create.
    pub planned: usize,
    /// Resources in the state after apply.
    pub applied: usize,
    /// What the plan right after apply still wants to change (must be empty).
    pub second_plan: Vec<String>,
    /// Resources destroyed.
    pub destroyed: usize,
    /// Resources left in the state after destroy (must be empty).
    pub left: Vec<String>,
    /// Seconds the cycle took.
    pub seconds: f64,
    /// The first failure, if any.
    pub error: Option<String>,
}

impl Cycle {
    /// Applied, planned empty, destroyed everything.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.second_plan.is_empty() && self.left.is_empty() && self.applied > 0
    }
}

/// Runs terraform in `dir`: the exit code, standard output, and both streams together.
pub(super) fn terraform_output(dir: &Path, args: &[&str]) -> Result<(i32, String, String), String> {
    let out = super::terraform_in(dir).args(args).output().map_err(|e| format!("running terraform: {e}"))?;
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    Ok((code, stdout, text))
}

fn terraform(dir: &Path, args: &[&str]) -> Result<(i32, String), String> {
    terraform_output(dir, args).map(|(code, _, text)| (code, text))
}

fn state_list(dir: &Path) -> Result<Vec<String>, String> {
    match terraform_output(dir, &["state", "list"])? {
        (0, stdout, _) => Ok(stdout.lines().map(str::to_owned).filter(|l| !l.is_empty()).collect()),
        (_, _, text) if text.contains("No state file") => Ok(Vec::new()),
        (_, _, text) => Err(text),
    }
}

/// The changes of a saved plan, as `address: actions`.
fn changes(dir: &Path, plan: &str) -> Result<Vec<String>, String> {
    let (code, shown, text) = terraform_output(dir, &["show", "-json", plan])?;
    if code != 0 {
        return Err(text);
    }
    let doc: Value = serde_json::from_str(&shown).map_err(|e| format!("terraform show -json: {e}"))?;
    Ok(doc["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["change"]["actions"] != json!(["no-op"]) && c["change"]["actions"] != json!(["read"]))
        .map(|c| {
            let actions: Vec<&str> =
                c["change"]["actions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let attributes = super::changed_attributes(&c["change"]);
            format!("{} ({}: {})", c["address"].as_str().unwrap_or_default(), actions.join(", "), attributes.join(", "))
        })
        .collect())
}

/// The first half of a cycle: initialise `dir` (from `mirror` if given), plan, apply, and
/// plan again, which must be empty. A failure is recorded in `cycle`.
pub fn up(dir: &Path, mirror: Option<&Path>, cycle: &mut Cycle) {
    let started = Instant::now();
    if let Err(e) = run_up(dir, mirror, cycle) {
        cycle.error = Some(e);
    }
    cycle.seconds += started.elapsed().as_secs_f64();
}

/// The second half: destroy what `dir`'s state holds; nothing may be left.
pub fn down(dir: &Path, cycle: &mut Cycle) {
    let started = Instant::now();
    let before = state_list(dir).map_or(0, |s| s.iter().filter(|a| !a.starts_with("data.")).count());
    // The second plan refreshed everything just now: a refresh before destroying would read
    // every resource again (a fifth of a stack's cycle in CPU).
    let destroy = terraform(dir, &["destroy", "-input=false", "-no-color", "-auto-approve", "-refresh=false"]);
    if let Ok((_, text)) = &destroy {
        keep_log(dir, "destroy", text);
    }
    match destroy {
        Ok((0, _)) => {}
        Ok((_, text)) => {
            cycle.error.get_or_insert_with(|| format!("terraform destroy failed:\n{}", tail(&text)));
        }
        Err(e) => {
            cycle.error.get_or_insert(e);
        }
    }
    match state_list(dir) {
        Ok(left) => {
            cycle.left = left.into_iter().filter(|a| !a.starts_with("data.")).collect();
            cycle.destroyed = before.saturating_sub(cycle.left.len());
        }
        Err(e) => {
            cycle.error.get_or_insert(e);
        }
    }
    cycle.seconds += started.elapsed().as_secs_f64();
}

fn run_up(dir: &Path, mirror: Option<&Path>, cycle: &mut Cycle) -> Result<(), String> {
    let plugins = mirror.map(|m| format!("-plugin-dir={}", m.display()));
    let mut init = vec!["init", "-input=false", "-no-color"];
    init.extend(plugins.as_deref());
    let step = |name: &str, (code, text): (i32, String), ok: &[i32]| -> Result<i32, String> {
        keep_log(dir, name, &text);
        if ok.contains(&code) { Ok(code) } else { Err(format!("terraform {name} failed:\n{}", tail(&text))) }
    };
    step("init", terraform(dir, &init)?, &[0])?;
    let (code, text) = terraform(dir, &["plan", "-input=false", "-no-color", "-out=first.plan"])?;
    // Read from the plan's summary line: `show -json` would start every provider again (about
    // two CPU-seconds a stack) only to count.
    cycle.planned = to_create(&text).unwrap_or_default();
    step("plan", (code, text), &[0])?;
    step("apply", terraform(dir, &["apply", "-input=false", "-no-color", "-auto-approve", "first.plan"])?, &[0])?;
    cycle.applied = state_list(dir)?.iter().filter(|a| !a.starts_with("data.")).count();
    let code = step(
        "second plan",
        terraform(dir, &["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=second.plan"])?,
        &[0, 2],
    )?;
    if code == 2 {
        cycle.second_plan = changes(dir, "second.plan")?;
    }
    Ok(())
}

/// What a first plan creates, from terraform's summary line (`Plan: 3 to add, …`; `No
/// changes.` is none). `None` when the text has neither.
fn to_create(text: &str) -> Option<usize> {
    if text.contains("No changes.") {
        return Some(0);
    }
    let summary = text.lines().find_map(|l| l.strip_prefix("Plan: "))?;
    summary.split(", ").find_map(|part| part.strip_suffix(" to add")?.parse().ok())
}

/// Keeps what terraform printed for a step as `<step>.log` in the stack's folder, for a look
/// at a kept work folder (`apply-test --work-dir`): which resources took how long, what failed.
pub(super) fn keep_log(dir: &Path, step: &str, text: &str) {
    // Only a record: the cycle's result does not depend on it.
    let _ = std::fs::write(dir.join(format!("{}.log", step.replace(' ', "-"))), text);
}

/// The end of terraform's output, where the error is.
pub(super) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// One stack's emulated cycle.
#[derive(Debug, Clone, Serialize)]
pub struct StackRun {
    /// The stack.
    pub stack: String,
    /// What happened.
    pub cycle: Cycle,
}

/// The account a stack's provider is limited to (`allowed_account_ids`), which the emulator
/// must answer as.
fn account(stack: &Stack) -> String {
    stack
        .providers()
        .iter()
        .find_map(|p| match p.body().attribute("allowed_account_ids") {
            Some(Expression::List(ids)) => ids.iter().find_map(|id| match id {
                Expression::String(s) => Some(s.clone()),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_else(|| "123456789012".to_owned())
}

/// Hosted zones a stack names by literal id, each named for the records put in it (their
/// longest common domain): created in the emulator before it applies.
fn zones(stack: &Stack) -> BTreeMap<String, String> {
    let mut names: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for r in &stack.blocks {
        let Some(Expression::String(id)) = r.body.attribute("zone_id") else { continue };
        let entry = names.entry(id.clone()).or_default();
        if let Some(Expression::String(name)) = r.body.attribute("name") {
            entry.push(name.trim_end_matches('.').split('.').rev().map(str::to_owned).collect());
        }
    }
    names
        .into_iter()
        .map(|(id, records)| {
            let common: Vec<String> = match records.split_first() {
                Some((first, rest)) => first
                    .iter()
                    .enumerate()
                    .take_while(|(i, label)| rest.iter().all(|r| r.get(*i) == Some(*label)))
                    .map(|(_, l)| l.clone())
                    .collect(),
                None => Vec::new(),
            };
            let name = if common.len() >= 2 {
                common.iter().rev().cloned().collect::<Vec<_>>().join(".")
            } else {
                format!("{}.emulator.example.com", id.to_ascii_lowercase())
            };
            (id, name)
        })
        .collect()
}

/// Writes `stack`, prepared for the emulator, into `dir` with the override pointing it at
/// `endpoint` and its imports at the producers' state files under `root`.
pub(super) fn write(dir: &Path, root: &Path, stack: &Stack, endpoint: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let aliases = super::aws_aliases(stack);
    let mut files = vec![
        ("main.tf.json".to_owned(), crate::render::render(stack, crate::render::Format::Json)),
        ("emulator_override.tf.json".to_owned(), override_file(endpoint, &aliases)),
    ];
    let states: serde_json::Map<String, Value> = stack
        .imports()
        .iter()
        .map(|i| {
            let path = root.join(&i.stack).join("terraform.tfstate");
            (i.stack.replace('-', "_"), json!({"backend": "local", "config": {"path": path.display().to_string()}}))
        })
        .collect();
    if !states.is_empty() {
        files.push((
            "remote_state_override.tf.json".into(),
            serde_json::to_string_pretty(&json!({"data": {"terraform_remote_state": states}})).unwrap_or_default(),
        ));
    }
    for (name, text) in files {
        std::fs::write(dir.join(&name), text).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Why `stack` cannot be applied against the emulator, if it cannot: it manages resources of a
/// provider other than aws (a cluster's `kubernetes` or `helm`), which moto does not emulate.
pub fn not_emulated(stack: &Stack) -> Option<String> {
    let providers: BTreeSet<&str> = stack
        .resources()
        .filter(|r| r.kind() == Kind::Managed && r.provider_name() != "aws")
        .map(crate::model::Resource::provider_name)
        .collect();
    (!providers.is_empty()).then(|| {
        let names: Vec<&str> = providers.into_iter().collect();
        format!("its {} resources need the real API (moto emulates AWS only)", names.join(" and "))
    })
}

/// Runs the cycle for `stacks` (built and connected, producers before their consumers), in
/// folders under `root`: stacks connected by imports share one emulator, producers applied
/// before and destroyed after their consumers; unconnected groups run in parallel.
pub fn run(
    stacks: &[(&str, &Stack)],
    edges: &[(&str, &str)],
    gaps: &[Gap],
    root: &Path,
    mirror: Option<&Path>,
) -> Vec<StackRun> {
    // Groups: stacks joined by an import, in the order given.
    let mut group_of: Vec<usize> = (0..stacks.len()).collect();
    for (consumer, producer) in edges {
        let (Some(c), Some(p)) =
            (stacks.iter().position(|(n, _)| n == consumer), stacks.iter().position(|(n, _)| n == producer))
        else {
            continue;
        };
        let (from, to) = (group_of[c], group_of[p]);
        group_of.iter_mut().filter(|g| **g == from).for_each(|g| *g = to);
    }
    let groups: BTreeSet<usize> = group_of.iter().copied().collect();
    let mut runs: Vec<StackRun> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|&g| {
                let members: Vec<(&str, &Stack)> =
                    stacks.iter().zip(&group_of).filter(|(_, gi)| **gi == g).map(|(s, _)| *s).collect();
                scope.spawn(move || run_group(&members, gaps, root, mirror))
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    runs.sort_by_key(|r| stacks.iter().position(|(n, _)| *n == r.stack));
    runs
}

/// One group on one emulator: each stack up in order, then down in reverse.
fn run_group(members: &[(&str, &Stack)], gaps: &[Gap], root: &Path, mirror: Option<&Path>) -> Vec<StackRun> {
    let zones: BTreeMap<String, String> = members.iter().flat_map(|(_, s)| zones(s)).collect();
    let zones: Vec<(String, String)> = zones.into_iter().collect();
    let log = root.join(format!("{}-moto.log", members[0].0));
    let emulator = match Emulator::start_logging(&account(members[0].1), &zones, Some(&log)) {
        Ok(e) => e,
        Err(error) => {
            return members
                .iter()
                .map(|(name, _)| StackRun {
                    stack: (*name).to_owned(),
                    cycle: Cycle { error: Some(error.clone()), ..Cycle::default() },
                })
                .collect();
        }
    };
    let mut runs = Vec::new();
    for (name, stack) in members {
        let (prepared, used) = prepare(stack, gaps);
        let mut cycle = Cycle { gaps: used, ..Cycle::default() };
        let dir = root.join(name);
        let producer_failed = runs
            .iter()
            .any(|r: &StackRun| r.cycle.error.is_some() && stack.imports().iter().any(|i| i.stack == r.stack));
        if producer_failed {
            cycle.error = Some("not applied: a stack it imports from failed".into());
        } else {
            match write(&dir, root, &prepared, &emulator.endpoint()) {
                Ok(()) => up(&dir, mirror, &mut cycle),
                Err(e) => cycle.error = Some(e),
            }
        }
        runs.push(StackRun { stack: (*name).to_owned(), cycle });
    }
    for run in runs.iter_mut().rev() {
        let dir = root.join(&run.stack);
        if dir.join("terraform.tfstate").is_file() {
            down(&dir, &mut run.cycle);
        }
    }
    drop(emulator);
    runs
}

#[cfg(test)]
mod tests {
    use super::to_create;

    #[test]
    fn the_first_plan_counts_what_its_summary_adds() {
        let plan = "  # aws_sqs_queue.q will be created\n\nPlan: 1 to import, 174 to add, 0 to change, 0 to destroy.\n";
        assert_eq!(to_create(plan), Some(174));
        assert_eq!(to_create("\nNo changes. Your infrastructure matches the configuration.\n"), Some(0));
        assert_eq!(to_create("Error: Invalid reference"), None);
    }
}
