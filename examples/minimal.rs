//! A minimal stack printed to stdout: `cargo run --example minimal [json|hcl]`.

use std::process::ExitCode;

use tfsynth::prelude::*;

fn main() -> ExitCode {
    let format = match std::env::args().nth(1).as_deref() {
        Some("hcl") => Format::Hcl,
        _ => Format::Json,
    };
    let mut stack = Stack::new("minimal", "development");
    stack.provider(Provider::aws("us-east-1").default_tags([("ManagedBy", "tfsynth")]));
    let bucket = stack.add(Resource::new("aws_s3_bucket", "logs").set("bucket_prefix", "minimal-logs-"));
    stack.add(
        Resource::new("aws_s3_bucket_public_access_block", "logs")
            .set("bucket", bucket.id())
            .set("block_public_acls", true)
            .set("block_public_policy", true)
            .set("ignore_public_acls", true)
            .set("restrict_public_buckets", true),
    );
    stack.output(Output::new("bucket", bucket.id()).description("The log bucket"));
    if let Err(e) = validate(&stack) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    print!("{}", render(&stack, format));
    ExitCode::SUCCESS
}
