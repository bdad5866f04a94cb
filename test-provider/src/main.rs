//! `tfsynth-test-provider`: a test tool that speaks Terraform's plugin protocol (6) and serves
//! one of tfsynth's vendored provider schemas, so `terraform validate` and `terraform plan`
//! run against the real schema of a provider whose binary cannot be installed.
//!
//! Installed as `<plugin dir>/registry.terraform.io/<namespace>/<name>/<version>/<os_arch>/
//! terraform-provider-<name>_v<version>`, it serves the schema of the provider its file name
//! names. What it proves: terraform decoded every block, attribute and type of the
//! configuration against that schema. It is not the provider: every resource plans as a create
//! whose computed attributes are unknown, data sources and ephemeral resources read as
//! placeholders (`tfsynth-test-provider:<type>.<attribute>`), and nothing is ever applied.
//!
//! Terraform starts it with plugin TLS turned off (`TF_DISABLE_PLUGIN_TLS=1`, as the plugin
//! SDK's own test framework does): it serves plain gRPC on a Unix socket.

mod protocol;
mod schema;
mod service;
mod values;

use std::io::Write;
use std::process::ExitCode;

/// The cookie terraform sets for the plugins it starts (go-plugin's handshake).
const MAGIC_COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

fn main() -> ExitCode {
    let name = provider_name();
    let Some(schema) = name.as_deref().and_then(tfsynth::schema::Schema::named) else {
        eprintln!(
            "tfsynth-test-provider: no vendored schema for `{}`: install it as terraform-provider-<name>_v<version> for one of: {}",
            name.unwrap_or_default(),
            tfsynth::schema::Schema::all().iter().map(tfsynth::schema::Schema::name).collect::<Vec<_>>().join(", ")
        );
        return ExitCode::FAILURE;
    };
    if std::env::var(MAGIC_COOKIE.0).as_deref() != Ok(MAGIC_COOKIE.1) {
        eprintln!(
            "tfsynth-test-provider: this is a plugin for terraform (serving the vendored {} {} schema); terraform starts it",
            schema.source(),
            schema.version()
        );
        return ExitCode::FAILURE;
    }
    match serve(schema) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tfsynth-test-provider: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The provider this binary serves: `random` in `terraform-provider-random_v3.7.2`.
fn provider_name() -> Option<String> {
    let exe = std::env::args().next()?;
    let file = std::path::Path::new(&exe).file_name()?.to_str()?.to_owned();
    let rest = file.strip_prefix("terraform-provider-")?;
    Some(rest.split("_v").next().unwrap_or(rest).to_owned())
}

/// Listens on a Unix socket, tells terraform where (the handshake line), and serves until
/// terraform stops or kills the process.
fn serve(schema: &'static tfsynth::schema::Schema) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("tfsynth-test-provider-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let socket = dir.join("plugin.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = tokio::net::UnixListener::bind(&socket)?;
        // core protocol 1, plugin protocol 6, network, address, rpc kind.
        println!("1|6|unix|{}|grpc|", socket.display());
        std::io::stdout().flush()?;
        let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
        let provider = service::Provider::new(schema);
        let stop = provider.stopped();
        let server = tonic::transport::Server::builder().serve_with_incoming_shutdown(provider, incoming, stop);
        let result = server.await;
        let _ = std::fs::remove_dir_all(&dir);
        result.map_err(Into::into)
    })
}
