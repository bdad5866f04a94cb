//! `cargo bench`: what synthesis costs, against the cost of loading the vendored schema,
//! measured in the same run so the ratio holds on a noisy machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tfsynth::prelude::*;
use tfsynth::schema::Schema;
use tfsynth::stacks::{Env, registry};

/// Runs `f` `n` times and returns the sorted durations.
fn sample(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(name: &str, times: &[Duration], baseline: Duration) -> Duration {
    let median = times[times.len() / 2];
    println!(
        "{name:<34} median {:>9.3} ms  min {:>9.3} ms  max {:>9.3} ms  ratio to schema load {:>6.3}",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        median.as_secs_f64() / baseline.as_secs_f64(),
    );
    median
}

fn main() {
    let registry = registry();
    let schema_times = sample(30, || {
        black_box(Schema::load_vendored().expect("vendored schema"));
    });
    let baseline = schema_times[schema_times.len() / 2];
    report("schema load + index", &schema_times, baseline);
    // Warm the per-type parse cache, as one synth run does after its first stack.
    validate(&registry.build("takeoff", Env::Production).expect("stack")).expect("valid");

    let build = sample(200, || {
        black_box(registry.build("takeoff", Env::Production).expect("stack"));
    });
    report("takeoff/production build", &build, baseline);
    let stack = registry.build("takeoff", Env::Production).expect("stack");
    let check = sample(200, || validate(black_box(&stack)).expect("valid"));
    report("takeoff/production validate", &check, baseline);
    for format in Format::ALL {
        let times = sample(200, || {
            black_box(render(&stack, format));
        });
        report(&format!("takeoff/production render {}", format.name()), &times, baseline);
    }
    let whole = sample(200, || {
        let s = registry.build("takeoff", Env::Production).expect("stack");
        validate(&s).expect("valid");
        black_box(render(&s, Format::Json));
    });
    report("takeoff/production build+validate+json", &whole, baseline);
}
