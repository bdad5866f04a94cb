//! ACME's infrastructure: environments of its own (`dev` and `prod`), one stack built from
//! tfsynth's components, and tfsynth's command line (`synth`, `check`, `diff`, `lint`, ...).
//!
//! `cargo run -- synth prod` writes `out/shop/prod/main.tf.json`.

use std::process::ExitCode;

use tfsynth::modules::database::Postgres;
use tfsynth::modules::kms::Key;
use tfsynth::modules::networking::{NatGateways, Vpc};
use tfsynth::modules::{Account, Deletion, Foundation, Retention};
use tfsynth::prelude::*;

/// ACME's environments. Production is called `prod` here; its tier says it is production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Dev,
    Prod,
}

impl Environment for Stage {
    const ALL: &'static [Self] = &[Stage::Dev, Stage::Prod];

    fn name(self) -> &'static str {
        match self {
            Stage::Dev => "dev",
            Stage::Prod => "prod",
        }
    }

    fn tier(self) -> Tier {
        match self {
            Stage::Dev => Tier::Development,
            Stage::Prod => Tier::Production,
        }
    }
}

/// The shop: a network and its database, smaller and deletable in dev.
fn shop(stage: Stage) -> Stack {
    let dev = stage == Stage::Dev;
    let name = format!("shop-{}", stage.name());
    let mut ctx =
        Foundation::new("shop", stage, Account::new("210987654321", "eu-west-1")).tag("Team", "checkout").build();
    let key = Key::new("main", &name, "Shop data").for_log_groups().build(&mut ctx);
    ctx.use_key(&key);
    let logs = if dev { Retention::Days(14, "dev logs are for debugging") } else { Retention::OneYear };
    let net = Vpc::new("main", &name, "10.60.0.0/16", &["eu-west-1a", "eu-west-1b"])
        .nat(if dev { NatGateways::Single } else { NatGateways::PerAz })
        .database_subnets()
        .flow_log_retention(logs)
        .build(&mut ctx);
    ctx.use_network(&net);
    let db = Postgres::new("orders", format!("{name}-orders"), "16", if dev { "db.t4g.micro" } else { "db.r6g.large" })
        .database("orders", "shop_admin")
        .multi_az(!dev)
        .deletion(if dev { Deletion::Unprotected("dev data is synthetic") } else { Deletion::Protected })
        .log_retention(logs)
        .build(&mut ctx);
    // The escape hatch, for what the component has no setter for.
    ctx.amend(&db.resource, "performance_insights_retention_period", if dev { 7 } else { 31 });
    ctx.output(Output::new("orders_endpoint", db.endpoint).sensitive());
    ctx.finish()
}

fn main() -> ExitCode {
    let registry = Registry::new(vec![StackDef {
        name: "shop",
        description: "Checkout: network and orders database",
        build: shop,
        settings: None,
    }]);
    tfsynth::cli::run(&registry, std::env::args_os())
}

#[cfg(test)]
mod tests {
    use tfsynth::testing::{Template, absent, json, object_like};

    use super::{Stage, shop};

    #[test]
    fn production_keeps_the_orders_database() {
        let prod = Template::from_stack(&shop(Stage::Prod));
        prod.has(
            "aws_db_instance",
            object_like(json!({"identifier": "shop-prod-orders", "multi_az": true, "deletion_protection": true, "lifecycle": {"prevent_destroy": true}})),
        );
        let dev = Template::from_stack(&shop(Stage::Dev));
        dev.has("aws_db_instance", object_like(json!({"identifier": "shop-dev-orders", "lifecycle": absent()})));
        dev.count("aws_nat_gateway", object_like(json!({"for_each": absent()})), 1);
    }
}
