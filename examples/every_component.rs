//! Every component together, in production settings: the `showcase` stack
//! (`stacks/showcase/mod.rs` holds the code to copy from), built through the registry so its
//! imports from `platform` are connected to that stack's state.
//!
//! `cargo run --example every_component [json|hcl] [development|staging|production]`

use std::process::ExitCode;

use stacks::{Env, registry};
use tfsynth::prelude::*;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let format = if args.next().as_deref() == Some("hcl") { Format::Hcl } else { Format::Json };
    let env = match args.next().map(|name| Env::parse(&name)).transpose() {
        Ok(env) => env.unwrap_or(Env::Production),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let registry = registry();
    let showcase = registry.select(&["showcase"]).expect("showcase is registered");
    match tfsynth::pipeline::synthesize(&registry, &showcase, env, format) {
        Ok(files) => {
            print!("{}", files[0].contents);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
