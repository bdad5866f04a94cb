//! A minimal stack through the whole pipeline — validation, policy, rendering — printed to
//! stdout: `cargo run --example minimal [json|hcl]`.

use std::process::ExitCode;

use tfsynth::prelude::*;

fn main() -> ExitCode {
    let format = match std::env::args().nth(1).as_deref() {
        Some("hcl") => Format::Hcl,
        _ => Format::Json,
    };
    let mut stack = Stack::new("minimal", "development").with_tier(Tier::Development);
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
    let sse = Body::new().block("apply_server_side_encryption_by_default", Body::new().set("sse_algorithm", "AES256"));
    stack.add(
        Resource::new("aws_s3_bucket_server_side_encryption_configuration", "logs")
            .set("bucket", bucket.id())
            .block("rule", sse),
    );
    stack.output(Output::new("bucket", bucket.id()).description("The log bucket"));
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
