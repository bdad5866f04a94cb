//! A component of your own, built from generic resources and still schema-checked: an SQS queue
//! with a dead-letter queue, both encrypted, with the redrive wired by reference.
//!
//! `cargo run --example custom_component [json|hcl]`

use std::process::ExitCode;

use tfsynth::prelude::*;

/// What the component gives the rest of the stack.
struct Queue {
    url: Expr<String>,
    arn: Expr<String>,
}

/// A queue whose messages move to a dead-letter queue after `max_receives` failed attempts.
fn queue_with_dead_letters(stack: &mut Stack, name: &str, max_receives: u8) -> Queue {
    let dead = stack.add(
        Resource::new("aws_sqs_queue", format!("{name}_dead_letters"))
            .set("name", format!("{name}-dead-letters"))
            .set("sqs_managed_sse_enabled", true)
            .set("message_retention_seconds", 1_209_600),
    );
    let redrive = jsonencode(Expression::from_iter([
        ("deadLetterTargetArn", Expression::from(dead.arn())),
        ("maxReceiveCount", Expression::from(max_receives)),
    ]));
    let queue = stack.add(
        Resource::new("aws_sqs_queue", name)
            .set("name", name)
            .set("sqs_managed_sse_enabled", true)
            .set("visibility_timeout_seconds", 60)
            .set("redrive_policy", redrive),
    );
    Queue { url: queue.attr("url").typed(), arn: queue.arn() }
}

fn main() -> ExitCode {
    let format = if std::env::args().nth(1).as_deref() == Some("hcl") { Format::Hcl } else { Format::Json };
    let mut stack = Stack::new("custom", "development").with_tier(Tier::Development);
    stack.provider(Provider::aws("us-east-1"));
    let jobs = queue_with_dead_letters(&mut stack, "jobs", 5);
    stack.output(Output::new("jobs_url", jobs.url).description("Where producers send jobs"));
    stack.output(Output::new("jobs_arn", jobs.arn).description("For IAM policies"));
    match synth(&stack, format) {
        Ok(file) => {
            print!("{}", file.contents);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
