//! The `tfplugin6.Provider` service: each method the tool answers, routed by its gRPC path.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use tfsynth::model::Kind;
use tfsynth::schema::{BlockSchema, Schema};
use tokio::sync::Notify;
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::{Request, Response, Status};

use crate::protocol::{
    ConfigRequest, Diagnostic, Diagnostics1, Diagnostics2, Diagnostics3, DynamicValue, Empty, GetFunctionsResponse,
    GetProviderSchemaResponse, OpenEphemeralResourceResponse, PlanResourceChangeRequest, PlanResourceChangeResponse,
    ReadResourceRequest, ServerCapabilities, StateResponse, StopProviderResponse,
};
use crate::values::{decode, encode, fill, planned};

/// The provider: one vendored schema, and a signal for go-plugin's `Shutdown`.
#[derive(Clone)]
pub struct Provider {
    schema: &'static Schema,
    stop: Arc<Notify>,
}

impl Provider {
    pub fn new(schema: &'static Schema) -> Self {
        Self { schema, stop: Arc::new(Notify::new()) }
    }

    /// Resolves when terraform asks the plugin to exit.
    pub fn stopped(&self) -> impl Future<Output = ()> + use<> {
        let stop = Arc::clone(&self.stop);
        async move { stop.notified().await }
    }

    fn block(&self, kind: Kind, ty: &str) -> Result<BlockSchema, Diagnostic> {
        self.schema.block(kind, ty).ok_or_else(|| {
            Diagnostic::error(
                format!("{} has no {} `{ty}`", self.schema.source(), kind.describe()),
                "the tfsynth test provider serves the vendored schema only",
            )
        })
    }

    fn schema_response(&self) -> GetProviderSchemaResponse {
        let types = |kind| {
            self.schema
                .type_names(kind)
                .filter_map(|ty| Some((ty.to_owned(), crate::schema::schema(self.schema.block(kind, ty)?))))
                .collect()
        };
        GetProviderSchemaResponse {
            provider: Some(crate::schema::schema(self.schema.provider())),
            resource_schemas: types(Kind::Managed),
            data_source_schemas: types(Kind::Data),
            ephemeral_resource_schemas: types(Kind::Ephemeral),
            diagnostics: Vec::new(),
            server_capabilities: Some(ServerCapabilities { plan_destroy: false, get_provider_schema_optional: true }),
        }
    }

    /// Plans a create, an update (the proposed state as it stands) or a destroy.
    fn plan(&self, req: &PlanResourceChangeRequest) -> PlanResourceChangeResponse {
        let result = self.block(Kind::Managed, &req.type_name).and_then(|block| {
            let proposed = decode(req.proposed_new_state.as_ref())?;
            Ok(planned(block, proposed))
        });
        match result {
            Ok(state) => PlanResourceChangeResponse { planned_state: Some(encode(&state)), diagnostics: Vec::new() },
            Err(d) => PlanResourceChangeResponse { planned_state: None, diagnostics: vec![d] },
        }
    }

    /// A data source's or ephemeral resource's result: its configuration with every computed
    /// attribute filled with a placeholder.
    fn read(&self, kind: Kind, req: &ConfigRequest) -> Result<DynamicValue, Diagnostic> {
        let block = self.block(kind, &req.type_name)?;
        let config = decode(req.config.as_ref())?;
        Ok(encode(&fill(block, config, &req.type_name)))
    }
}

impl tonic::server::NamedService for Provider {
    const NAME: &'static str = "tfplugin6.Provider";
}

/// A unary method: a function from the request message to the response message.
struct Unary<F>(F);

impl<Req, Resp, F> Service<Request<Req>> for Unary<F>
where
    F: FnMut(Req) -> Resp,
{
    type Response = Response<Resp>;
    type Error = Status;
    type Future = std::future::Ready<Result<Response<Resp>, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Req>) -> Self::Future {
        std::future::ready(Ok(Response::new((self.0)(req.into_inner()))))
    }
}

/// Answers `req` with `f`, decoding and encoding the messages with prost.
fn unary<Req, Resp>(
    req: http::Request<Body>,
    f: impl FnMut(Req) -> Resp + Send + 'static,
) -> BoxFuture<http::Response<Body>, Infallible>
where
    Req: prost::Message + Default + Send + 'static,
    Resp: prost::Message + Send + 'static,
{
    Box::pin(async move {
        let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::<Resp, Req>::default());
        Ok(grpc.unary(Unary(f), req).await)
    })
}

impl Service<http::Request<Body>> for Provider {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let p = self.clone();
        let diagnostics = |d: Result<DynamicValue, Diagnostic>| d.err().into_iter().collect::<Vec<_>>();
        match req.uri().path().trim_start_matches("/tfplugin6.Provider/") {
            "GetProviderSchema" => unary(req, move |_: Empty| p.schema_response()),
            "ValidateProviderConfig" => unary(req, |_: Empty| Diagnostics2::default()),
            "ValidateResourceConfig"
            | "ValidateDataResourceConfig"
            | "ValidateEphemeralResourceConfig"
            | "ConfigureProvider"
            | "CloseEphemeralResource" => unary(req, |_: ConfigRequest| Diagnostics1::default()),
            "PlanResourceChange" => unary(req, move |r: PlanResourceChangeRequest| p.plan(&r)),
            "ReadResource" => {
                unary(req, |r: ReadResourceRequest| StateResponse { state: r.current_state, diagnostics: Vec::new() })
            }
            "ReadDataSource" => unary(req, move |r: ConfigRequest| {
                let read = p.read(Kind::Data, &r);
                StateResponse { diagnostics: diagnostics(read.clone()), state: read.ok() }
            }),
            "OpenEphemeralResource" => unary(req, move |r: ConfigRequest| {
                let read = p.read(Kind::Ephemeral, &r);
                OpenEphemeralResourceResponse { diagnostics: diagnostics(read.clone()), result: read.ok() }
            }),
            // Diagnostics sit at field 2 of these responses and at 3 of ApplyResourceChange's.
            "UpgradeResourceState" | "ImportResourceState" => {
                unary(req, |_: Empty| Diagnostics2 { diagnostics: vec![plans_only()] })
            }
            "ApplyResourceChange" => unary(req, |_: Empty| Diagnostics3 { diagnostics: vec![plans_only()] }),
            "GetFunctions" => unary(req, |_: Empty| GetFunctionsResponse::default()),
            // Cancels operations in flight: there are none.
            "StopProvider" => unary(req, |_: Empty| StopProviderResponse::default()),
            // go-plugin's controller: terraform asks the plugin to exit when it is done with
            // it, and waits two seconds for that before killing it.
            "/plugin.GRPCController/Shutdown" => unary(req, move |_: Empty| {
                p.stop.notify_one();
                Empty {}
            }),
            // GetMetadata, GetResourceIdentitySchemas and the rest: terraform falls back or
            // does without them.
            _ => Box::pin(
                async move { Ok(Status::unimplemented("not served by the tfsynth test provider").into_http()) },
            ),
        }
    }
}

/// What the tool says when asked for more than validating and planning new resources.
fn plans_only() -> Diagnostic {
    Diagnostic::error(
        "the tfsynth test provider only validates and plans new resources",
        "it serves the vendored schema; reading state back and applying need the real provider",
    )
}
