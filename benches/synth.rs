//! `cargo bench`: what each stage of synthesis costs, printed as the Markdown tables of
//! BENCHMARKS.md. Every figure is a median over fresh samples with min and max, and the ratios
//! compare against baselines measured in the same run, so they hold on a noisy machine.
//!
//! `cargo bench -- <section>…` runs only the sections named: `stages`, `per-stack`, `process`,
//! `warm-scale`, `scale`.
//!
//! The scale series runs each size in a child process (this binary, re-run with
//! `TFSYNTH_BENCH_SCALE=<resources>:<json|hcl|floor>`) so its peak memory is its own. The
//! process section re-runs it too (`TFSYNTH_BENCH_BUILDERS=<start|build>`), for what the stack
//! builders alone cost a fresh process.

mod synthetic;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use stacks::{Env, registry};
use tfsynth::policy::{Date, lint};
use tfsynth::prelude::*;
use tfsynth::render::json::document;
use tfsynth::schema::Schema;

// The allocator the `tfsynth` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SCALE_ENV: &str = "TFSYNTH_BENCH_SCALE";
/// The process section fails when `synth production` takes more than this many times process
/// start: a regression guard, not a target (it measures 3.1× to 4.9× on a 2-core machine, and
/// the ratio is as noisy as process start itself; BENCHMARKS.md).
const REGRESSION_GUARD: f64 = 5.0;
const BUILDERS_ENV: &str = "TFSYNTH_BENCH_BUILDERS";

/// Median, min and max of a set of samples.
#[derive(Clone, Copy)]
struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut times: Vec<Duration>) -> Stats {
        times.sort();
        Stats { median: times[times.len() / 2], min: times[0], max: times[times.len() - 1] }
    }

    fn row(&self, name: &str, ratio: Option<f64>) {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let ratio = ratio.map_or_else(String::new, |r| format!("{r:.2}×"));
        println!("| {name} | {:.3} | {:.3} | {:.3} | {ratio} |", ms(self.median), ms(self.min), ms(self.max));
    }

    fn ratio(&self, baseline: &Stats) -> f64 {
        self.median.as_secs_f64() / baseline.median.as_secs_f64()
    }
}

/// Runs `f` `n` times and returns the timings.
fn sample(n: usize, mut f: impl FnMut()) -> Stats {
    Stats::of(
        (0..n)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn header(title: &str, last: &str) {
    println!("\n### {title}\n\n| measurement | median ms | min ms | max ms | {last} |\n|---|---:|---:|---:|---:|");
}

fn main() {
    if let Ok(job) = std::env::var(SCALE_ENV) {
        scale_child(&job);
        return;
    }
    if let Ok(job) = std::env::var(BUILDERS_ENV) {
        builders_child(&job);
        return;
    }
    // `cargo bench -- process scale` runs only the sections named (all without a name).
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|o| o == section);
    let out = tempfile::tempdir().expect("temporary folder");
    if wanted("stages") {
        stages(out.path());
    }
    if wanted("per-stack") {
        per_stack();
    }
    if wanted("process") {
        process(out.path());
    }
    if wanted("warm-scale") {
        warm_scale(out.path());
    }
    if wanted("scale") {
        scale();
    }
}

/// Render + write of the synthetic stack in this (warm) process against the floor at the
/// same size, and how each grows with size.
fn warm_scale(out: &Path) {
    header("Scale, warm (in process): render + write against the floor", "ratio to floor");
    let path = out.join("scale.tf");
    let mut growth: Vec<(usize, [Duration; 3])> = Vec::new();
    for (resources, runs) in [(1_000, 30), (10_000, 10), (100_000, 5)] {
        let stack = synthetic::stack(resources);
        validate(&stack).expect("valid");
        let value = document(&stack);
        let floor = sample(runs, || {
            std::fs::write(&path, serde_json::to_vec_pretty(black_box(&value)).expect("json")).expect("write");
        });
        let json = sample(runs, || std::fs::write(&path, render(black_box(&stack), Format::Json)).expect("write"));
        let hcl = sample(runs, || std::fs::write(&path, render(black_box(&stack), Format::Hcl)).expect("write"));
        floor.row(&format!("{resources} resources: floor"), Some(1.0));
        json.row(&format!("{resources} resources: render json + write"), Some(json.ratio(&floor)));
        hcl.row(&format!("{resources} resources: render hcl + write"), Some(hcl.ratio(&floor)));
        growth.push((resources, [floor.median, json.median, hcl.median]));
    }
    println!("\n| warm, time for 10× the resources | floor | json | hcl |\n|---|---:|---:|---:|");
    for pair in growth.windows(2) {
        let [(a, small), (b, large)] = pair else { continue };
        let r = |i: usize| large[i].as_secs_f64() / small[i].as_secs_f64();
        println!("| {a} → {b} | {:.2}× | {:.2}× | {:.2}× |", r(0), r(1), r(2));
    }
}

/// Each stage of one stack (takeoff, production), and the serde_json floor.
fn stages(out: &Path) {
    let registry = registry();
    header("Stages: takeoff, production", "ratio to floor");
    let stack = registry.build("takeoff", Env::Production).expect("stack");
    let lookups = sample(300, || {
        for r in stack.resources() {
            black_box(Schema::aws().block(r.kind(), black_box(&r.address().ty)));
        }
    });
    lookups.row("vendored schema: look up every resource's type", None);
    let path = out.join("stage.tf.json");
    let value = document(&stack);
    let floor = sample(300, || {
        let bytes = serde_json::to_vec_pretty(black_box(&value)).expect("json");
        std::fs::write(&path, bytes).expect("write");
    });
    sample(300, || {
        black_box(registry.build("takeoff", Env::Production).expect("stack"));
    })
    .row("build the model", None);
    sample(300, || validate(black_box(&stack)).expect("valid")).row("validate", None);
    sample(300, || {
        black_box(lint(black_box(&stack), Date::today()));
    })
    .row("lint (policy rules)", None);
    for format in Format::ALL {
        let render_only = sample(300, || {
            black_box(render(&stack, format));
        });
        render_only.row(&format!("render {}", format.name()), Some(render_only.ratio(&floor)));
        let written = sample(300, || std::fs::write(&path, render(black_box(&stack), format)).expect("write"));
        written.row(&format!("render {} + write", format.name()), Some(written.ratio(&floor)));
    }
    floor.row("**floor**: serde_json pretty-print of the built `Value` + write", Some(1.0));
}

/// Build + validate + render for every stack in production.
fn per_stack() {
    let registry = registry();
    header("Per stack, production: build + validate + lint + render", "resources");
    for def in registry.stacks() {
        let stack = registry.build(def.name, Env::Production).expect("stack");
        validate(&stack).expect("valid");
        let resources = stack.resources().count();
        for format in Format::ALL {
            sample(200, || {
                let stack = registry.build(def.name, Env::Production).expect("stack");
                validate(&stack).expect("valid");
                assert!(lint(&stack, Date::today()).passes());
                black_box(render(&stack, format));
            })
            .row(&format!("{} {}", def.name, format.name()), None);
        }
        println!("| ({} resources) | | | | {resources} |", def.name);
    }
}

/// The `tfsynth` process end to end, files written to a fresh folder each run.
fn process(out: &Path) {
    let exe = env!("CARGO_BIN_EXE_tfsynth");
    header("The `tfsynth` process, end to end", "ratio to process start");
    let bench = std::env::current_exe().expect("bench binary");
    let time = |command: &mut Command| {
        let begin = Instant::now();
        let status = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run the process");
        assert!(status.success(), "{command:?} failed");
        begin.elapsed()
    };
    // Interleaved, so a noisy moment of the machine falls on every row alike.
    let (mut start, mut json, mut hcl, mut unwritten) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut bench_start, mut builders) = (Vec::new(), Vec::new());
    for n in 0..60 {
        let run = |args: &[&str]| time(Command::new(exe).args(args));
        start.push(run(&["--version"]));
        for (format, times) in [("json", &mut json), ("hcl", &mut hcl)] {
            let dir = out.join(format!("{format}-{n}"));
            times.push(run(&["synth", "production", "--format", format, "--out", dir.to_str().expect("utf-8 path")]));
        }
        // The same synthesis printed, not written: what the rows above owe to the disk, whose
        // cost depends on what it deleted lately (see BENCHMARKS.md).
        unwritten.push(run(&["synth", "production", "--stdout"]));
        bench_start.push(time(Command::new(&bench).env(BUILDERS_ENV, "start")));
        builders.push(time(Command::new(&bench).env(BUILDERS_ENV, "build")));
    }
    let start = Stats::of(start);
    start.row("process start: `tfsynth --version`", Some(1.0));
    let rows = [("--format json` (all stacks, written)", json), ("--format hcl` (all stacks, written)", hcl)];
    let mut regressed = Vec::new();
    for (what, times) in rows.into_iter().chain([("--stdout` (JSON, not written)", unwritten)]) {
        let stats = Stats::of(times);
        let ratio = stats.ratio(&start);
        stats.row(&format!("`tfsynth synth production {what}"), Some(ratio));
        if ratio > REGRESSION_GUARD {
            regressed.push(format!("`synth production {what} took {ratio:.2}× process start"));
        }
    }
    // A bound on any synth: the builders' own cost in a fresh process, with no checks,
    // rendering or files, added to `tfsynth --version`.
    let (bench_start, builders) = (Stats::of(bench_start), Stats::of(builders));
    bench_start.row("this bench binary's start, no work", None);
    builders.row("this bench binary building every production stack, nothing else", None);
    let bound = start.median.as_secs_f64() + builders.median.as_secs_f64() - bench_start.median.as_secs_f64();
    println!(
        "| **bound**: process start + the builders alone (the two rows above) | {:.3} | | | {:.2}× |",
        bound * 1e3,
        bound / start.median.as_secs_f64()
    );
    assert!(
        regressed.is_empty(),
        "regression guard ({REGRESSION_GUARD}× process start) exceeded: {}",
        regressed.join("; ")
    );
}

/// One run of the process section's bound: `start` does nothing; `build` builds every
/// production stack, spread over the cores the way `synth` spreads them, and drops them.
fn builders_child(job: &str) {
    match job {
        "start" => {}
        "build" => {
            let registry = registry();
            let stacks = registry.stacks();
            let next = std::sync::atomic::AtomicUsize::new(0);
            let workers = std::thread::available_parallelism().map_or(1, usize::from).min(stacks.len());
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    scope.spawn(|| {
                        while let Some(def) = stacks.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                            black_box((def.build)(Env::Production));
                        }
                    });
                }
            });
        }
        other => panic!("unknown {BUILDERS_ENV} job {other}"),
    }
}

/// The synthetic stack at 1k, 10k and 100k resources, each run in its own process.
fn scale() {
    let exe = std::env::current_exe().expect("bench binary");
    let sizes = [(1_000, 7), (10_000, 5), (100_000, 5)];
    println!("\n### Scale: synthetic stack, one process per run\n");
    println!("| resources | stage | median ms | min ms | max ms | peak RSS MiB | ratio to floor |");
    println!("|---:|---|---:|---:|---:|---:|---:|");
    let mut medians: Vec<(usize, &str, Duration)> = Vec::new();
    for (resources, runs) in sizes {
        let mut results: Vec<(String, Vec<Duration>, u64)> = Vec::new();
        for mode in ["floor", "json", "hcl"] {
            for _ in 0..runs {
                let output = Command::new(&exe)
                    .env(SCALE_ENV, format!("{resources}:{mode}"))
                    .output()
                    .expect("run the scale child");
                assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
                for line in String::from_utf8_lossy(&output.stdout).lines() {
                    let mut f = line.split('\t');
                    let (Some(stage), Some(nanos), Some(peak)) = (f.next(), f.next(), f.next()) else { continue };
                    let nanos: u64 = nanos.parse().expect("nanoseconds");
                    let peak: u64 = peak.parse().expect("kibibytes");
                    let name = format!("{mode}: {stage}");
                    match results.iter_mut().find(|(n, _, _)| *n == name) {
                        Some((_, times, p)) => {
                            times.push(Duration::from_nanos(nanos));
                            *p = (*p).max(peak);
                        }
                        None => results.push((name, vec![Duration::from_nanos(nanos)], peak)),
                    }
                }
            }
        }
        let floor =
            results.iter().find(|(n, _, _)| n == "floor: serialize + write").map(|(_, t, _)| Stats::of(t.clone()));
        for (name, times, peak) in results {
            let stats = Stats::of(times);
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            let ratio = match (&floor, name.ends_with("alone: render + write")) {
                (Some(f), true) => format!("{:.2}×", stats.ratio(f)),
                _ => String::new(),
            };
            println!(
                "| {resources} | {name} | {:.1} | {:.1} | {:.1} | {} | {ratio} |",
                ms(stats.median),
                ms(stats.min),
                ms(stats.max),
                peak / 1024
            );
            let stage = ["json: total", "hcl: total", "json: alone: render + write", "hcl: alone: render + write"]
                .into_iter()
                .find(|s| *s == name);
            if let Some(stage) = stage {
                medians.push((resources, stage, stats.median));
            }
        }
    }
    println!("\n### Growth: time for 10× the resources\n\n| stage | 1k → 10k | 10k → 100k |\n|---|---:|---:|");
    for stage in ["json: total", "hcl: total", "json: alone: render + write", "hcl: alone: render + write"] {
        let t = |n: usize| medians.iter().find(|(r, s, _)| *r == n && *s == stage).map(|(_, _, d)| d.as_secs_f64());
        if let (Some(a), Some(b), Some(c)) = (t(1_000), t(10_000), t(100_000)) {
            println!("| {stage} | {:.2}× | {:.2}× |", b / a, c / b);
        }
    }
}

/// One scale run: prints `stage<TAB>nanoseconds<TAB>peak RSS KiB` lines. `json` and `hcl` runs
/// first go end to end the way `tfsynth synth` does (build, then [`tfsynth::pipeline::synth`] —
/// validation and policy beside the rendering — and the output folder's write), so `total` and
/// its peak RSS are the pipeline's own; then they time each stage alone, on one thread.
fn scale_child(job: &str) {
    let (resources, mode) = job.split_once(':').expect("resources:mode");
    let resources: usize = resources.parse().expect("resource count");
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("main.tf");
    let report = |stage: &str, d: Duration| println!("{stage}\t{}\t{}", d.as_nanos(), peak_rss_kib());
    let total = Instant::now();
    let start = Instant::now();
    let stack = synthetic::stack(resources);
    let built = start.elapsed();
    let format = match mode {
        "floor" => {
            let start = Instant::now();
            let value = document(&stack);
            let built = start.elapsed();
            let start = Instant::now();
            std::fs::write(&path, serde_json::to_vec_pretty(&value).expect("json")).expect("write");
            report("serialize + write", start.elapsed());
            report("(building the Value, not part of the floor)", built);
            return;
        }
        "json" => Format::Json,
        "hcl" => Format::Hcl,
        other => panic!("unknown scale mode {other}"),
    };
    let start = Instant::now();
    let file = tfsynth::pipeline::synth(&stack, format).expect("the synthetic stack is valid");
    tfsynth::pipeline::write(&dir.path().join("out"), &[file], &tfsynth::pipeline::WriteOptions::default())
        .expect("write");
    let synthesized = start.elapsed();
    let total = total.elapsed();
    report("build", built);
    report("check + render + write", synthesized);
    report("total", total);
    let start = Instant::now();
    validate(&stack).expect("the synthetic stack is valid");
    report("alone: validate", start.elapsed());
    let start = Instant::now();
    black_box(lint(&stack, Date::today()));
    report("alone: lint", start.elapsed());
    let start = Instant::now();
    std::fs::write(&path, render(&stack, format)).expect("write");
    report("alone: render + write", start.elapsed());
}

/// The process's peak resident set, from /proc (0 where there is none).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches(" kB").to_owned()))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
