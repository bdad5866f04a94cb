//! CloudFront in front of a private S3 bucket (origin access control) and, for chosen paths,
//! an API origin such as a load balancer: HTTPS only with TLS 1.2+, security headers,
//! compression, and error pages (a single-page app's by default).
//!
//! ```
//! use tfsynth::modules::{Account, Context, edge::Distribution, kms, storage::{AccessLogs, Bucket}};
//! use tfsynth::prelude::*;
//!
//! let account = Account::new("123456789012", "us-east-1");
//! let mut ctx = Context::new(Stack::new("demo", "production"), account);
//! ctx.provider(Provider::aws("us-east-1"));
//! let key = kms::Key::new("main", "demo", "demo").for_service("cloudfront.amazonaws.com").build(&mut ctx);
//! ctx.use_key(&key);
//! let site = Bucket::new("site", "demo-site-123456789012")
//!     .access_logs(AccessLogs::Off("a demo"))
//!     .allow(Distribution::read_statement(&account, "demo-site-123456789012"))
//!     .build(&mut ctx);
//! let cdn = Distribution::new("site", &site, "arn:aws:acm:us-east-1:123456789012:certificate/x")
//!     .aliases(&["demo.example.com", "www.demo.example.com"])
//!     .error_page(404, 404, "/404.html")
//!     .build(&mut ctx);
//! let stack = ctx.finish();
//! validate(&stack)?;
//! assert!(render(&stack, Format::Hcl).contains(r#"response_page_path = "/404.html""#));
//! # let _ = cdn;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use std::collections::BTreeMap;

use super::iam::Statement;
use super::storage::BucketRef;
use super::{Account, Context};
use crate::prelude::*;

/// AWS managed cache and header policies.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// What the distribution gives the stack.
#[derive(Debug, Clone)]
pub struct DistributionRef {
    /// The distribution's domain name, for alias records.
    pub domain_name: Expr<String>,
    /// The hosted zone of that name, for alias records.
    pub zone_id: Expr<String>,
    /// The distribution ARN.
    pub arn: Expr<String>,
    /// The distribution itself.
    pub resource: Ref,
}

/// An error response: requests failing with `code` get `path` with `response_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ErrorPage {
    code: u16,
    response_code: u16,
    path: String,
}

/// A distribution under construction.
#[derive(Debug, Clone)]
#[must_use = "a distribution does nothing until built into a stack"]
pub struct Distribution {
    key: String,
    bucket: BucketRef,
    aliases: Vec<String>,
    certificate_arn: Expr<String>,
    web_acl: Option<Expr<String>>,
    price_class: &'static str,
    default_root_object: String,
    error_pages: Vec<ErrorPage>,
    custom_errors: bool,
    api: Option<(Expr<String>, Vec<&'static str>)>,
    default_ttl: Option<u32>,
    path_ttls: Vec<(String, u32)>,
}

impl Distribution {
    /// Distribution `key` serving `bucket` with `certificate_arn` (an ACM certificate in
    /// us-east-1), answering unknown paths with `/index.html` as a single-page app does.
    pub fn new(key: impl Into<String>, bucket: &BucketRef, certificate_arn: impl Into<Expr<String>>) -> Self {
        let spa = |code| ErrorPage { code, response_code: 200, path: "/index.html".into() };
        Self {
            key: key.into(),
            bucket: bucket.clone(),
            aliases: Vec::new(),
            certificate_arn: certificate_arn.into(),
            web_acl: None,
            price_class: "PriceClass_100",
            default_root_object: "index.html".into(),
            error_pages: vec![spa(403), spa(404)],
            custom_errors: false,
            api: None,
            default_ttl: None,
            path_ttls: Vec::new(),
        }
    }

    /// The names the distribution answers to; each must be on the certificate.
    pub fn aliases<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.aliases.extend(names.iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Answers requests failing with `code` with `path` and `response_code`; the first call
    /// replaces the single-page-app defaults.
    pub fn error_page(mut self, code: u16, response_code: u16, path: impl Into<String>) -> Self {
        if !self.custom_errors {
            self.error_pages.clear();
            self.custom_errors = true;
        }
        self.error_pages.retain(|p| p.code != code);
        self.error_pages.push(ErrorPage { code, response_code, path: path.into() });
        self
    }

    /// The object served for `/` (default `index.html`).
    pub fn default_root_object(mut self, object: impl Into<String>) -> Self {
        self.default_root_object = object.into();
        self
    }

    /// Sends requests for `paths` (e.g. `/api/*`) to an HTTPS origin such as a load balancer,
    /// uncached, with the viewer's headers.
    pub fn api_origin(mut self, domain_name: impl Into<Expr<String>>, paths: &[&'static str]) -> Self {
        self.api = Some((domain_name.into(), paths.to_vec()));
        self
    }

    /// Caches what no path rule matches (`/`, the pages) for at most `seconds`; 0 sends every
    /// request to the bucket. By default AWS's `CachingOptimized` policy (a day, up to a year
    /// when the object says so).
    pub fn cache_for(mut self, seconds: u32) -> Self {
        self.default_ttl = Some(seconds);
        self
    }

    /// Caches objects matching each of `patterns` (e.g. `*.js`) for at most `seconds`; 0
    /// sends every request to the bucket. Objects' own `Cache-Control: max-age` can only
    /// shorten it.
    pub fn cache_paths(mut self, patterns: &[&str], seconds: u32) -> Self {
        self.path_ttls.extend(patterns.iter().map(|p| ((*p).to_owned(), seconds)));
        self
    }

    /// The price class (default `PriceClass_100`: North America and Europe).
    pub fn price_class(mut self, class: &'static str) -> Self {
        self.price_class = class;
        self
    }

    /// A `CLOUDFRONT`-scope web ACL (created in us-east-1) to attach.
    pub fn web_acl(mut self, arn: Expr<String>) -> Self {
        self.web_acl = Some(arn);
        self
    }

    /// The bucket-policy statement that lets this account's distributions read `bucket_name`.
    pub fn read_statement(account: &Account, bucket_name: &str) -> Statement {
        Statement::allow(["s3:GetObject"])
            .sid("CloudFrontRead")
            .service("cloudfront.amazonaws.com")
            .on(format!("arn:aws:s3:::{bucket_name}/*"))
            .when("StringLike", "AWS:SourceArn", format!("arn:aws:cloudfront::{}:distribution/*", account.id))
    }

    /// Adds the distribution, its origin access control and its security headers policy.
    pub fn build(self, ctx: &mut Context) -> DistributionRef {
        ctx.within("edge", |ctx| self.add(ctx))
    }

    fn add(self, ctx: &mut Context) -> DistributionRef {
        let k = self.key.as_str();
        let at = format!("aws_cloudfront_distribution.{k}");
        if self.aliases.is_empty() {
            ctx.problem_at(
                &at,
                "aliases",
                "the distribution answers to no name",
                "give it .aliases(&[\"www.example.com\"])",
            );
        }
        let label = self.aliases.first().map_or_else(|| k.to_owned(), |a| a.replace('.', "-"));
        let oac = ctx.add(
            Resource::new("aws_cloudfront_origin_access_control", k)
                .set("name", format!("{label}-s3"))
                .set("origin_access_control_origin_type", "s3")
                .set("signing_behavior", "always")
                .set("signing_protocol", "sigv4"),
        );
        let headers = security_headers(ctx, k, &label);
        let s3_origin = Body::new()
            .set("origin_id", "s3")
            .set("domain_name", self.bucket.regional_domain_name.clone())
            .set("origin_access_control_id", oac.id());
        let viewer = Body::new()
            .set("acm_certificate_arn", self.certificate_arn.clone())
            .set("ssl_support_method", "sni-only")
            .set("minimum_protocol_version", "TLSv1.2_2021");
        let mut d = Resource::new("aws_cloudfront_distribution", k)
            .set("enabled", true)
            .set("is_ipv6_enabled", true)
            .set("http_version", "http2and3")
            .set("comment", label.as_str())
            .set("aliases", self.aliases.clone())
            .set("default_root_object", self.default_root_object.as_str())
            .set("price_class", self.price_class)
            .set_opt("web_acl_id", self.web_acl.clone())
            .block("origin", s3_origin);
        if let Some((api, _)) = &self.api {
            let custom = Body::new()
                .set("http_port", 80)
                .set("https_port", 443)
                .set("origin_protocol_policy", "https-only")
                .set("origin_ssl_protocols", vec!["TLSv1.2"]);
            d = d.block(
                "origin",
                Body::new()
                    .set("origin_id", "api")
                    .set("domain_name", api.clone())
                    .block("custom_origin_config", custom),
            );
        }
        d = self.behaviors(ctx, &label, d, &headers);
        for page in &self.error_pages {
            d = d.block(
                "custom_error_response",
                Body::new()
                    .set("error_code", page.code)
                    .set("response_code", page.response_code)
                    .set("response_page_path", page.path.as_str()),
            );
        }
        d = d
            .block("restrictions", Body::new().block("geo_restriction", Body::new().set("restriction_type", "none")))
            .block("viewer_certificate", viewer)
            .skip_check("CKV_AWS_374", "the service is offered worldwide")
            .skip_check(
                "CKV_AWS_310",
                "the S3 origin is regional and highly available; no second origin exists to fail over to",
            )
            .skip_check(
                "CKV_AWS_86",
                "standard logs need ACL-enabled buckets, which bucket-owner-enforced ownership forbids",
            );
        if self.web_acl.is_none() {
            d = d
                .skip_check(
                    "CKV_AWS_68",
                    "no CLOUDFRONT-scope web ACL given; the API behind it is protected by the ALB's",
                )
                .skip_check("CKV2_AWS_47", "no CLOUDFRONT-scope web ACL given");
        }
        let d = ctx.add(d);
        DistributionRef {
            domain_name: d.attr("domain_name").typed(),
            zone_id: d.attr("hosted_zone_id").typed(),
            arn: d.arn(),
            resource: d,
        }
    }
}

impl Distribution {
    /// The default behaviour (the bucket, cached), one per API path (uncached), then one per
    /// cached path pattern.
    fn behaviors(&self, ctx: &mut Context, label: &str, d: Resource, headers: &Expr<String>) -> Resource {
        let behavior = |origin: &str, cache: Expr<String>| {
            Body::new()
                .set("target_origin_id", origin)
                .set("viewer_protocol_policy", "redirect-to-https")
                .set("compress", true)
                .set("cache_policy_id", cache)
                .set("response_headers_policy_id", headers.clone())
        };
        let read = |b: Body| b.set("allowed_methods", vec!["GET", "HEAD"]).set("cached_methods", vec!["GET", "HEAD"]);
        let mut policies = BTreeMap::new();
        let default = match self.default_ttl {
            Some(seconds) => self.ttl_policy(ctx, &mut policies, label, seconds),
            None => Expr::from(CACHING_OPTIMIZED),
        };
        let mut d = d.block("default_cache_behavior", read(behavior("s3", default)));
        for path in self.api.iter().flat_map(|(_, paths)| paths) {
            let methods = vec!["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
            let api = behavior("api", Expr::from(CACHING_DISABLED))
                .set("path_pattern", *path)
                .set("allowed_methods", methods)
                .set("cached_methods", vec!["GET", "HEAD"])
                .set("origin_request_policy_id", ALL_VIEWER_EXCEPT_HOST);
            d = d.block("ordered_cache_behavior", api);
        }
        for (pattern, seconds) in &self.path_ttls {
            let policy = self.ttl_policy(ctx, &mut policies, label, *seconds);
            d = d.block("ordered_cache_behavior", read(behavior("s3", policy)).set("path_pattern", pattern.as_str()));
        }
        d
    }

    /// A cache policy keeping objects at most `seconds` (AWS's `CachingDisabled` for 0), keyed
    /// on the path alone, compressed; one per duration.
    fn ttl_policy(
        &self,
        ctx: &mut Context,
        made: &mut BTreeMap<u32, Expr<String>>,
        label: &str,
        seconds: u32,
    ) -> Expr<String> {
        if seconds == 0 {
            return Expr::from(CACHING_DISABLED);
        }
        if let Some(id) = made.get(&seconds) {
            return id.clone();
        }
        let none = |what: &str| Body::new().set(format!("{what}_behavior"), "none");
        let key_parts = Body::new()
            .set("enable_accept_encoding_gzip", true)
            .set("enable_accept_encoding_brotli", true)
            .block("cookies_config", none("cookie"))
            .block("headers_config", none("header"))
            .block("query_strings_config", none("query_string"));
        let policy = ctx.add(
            Resource::new("aws_cloudfront_cache_policy", format!("{}_ttl_{seconds}", self.key))
                .set("name", format!("{label}-ttl-{seconds}"))
                .set("comment", format!("At most {seconds} s, keyed on the path"))
                .set("min_ttl", 0)
                .set("default_ttl", seconds)
                .set("max_ttl", seconds)
                .block("parameters_in_cache_key_and_forwarded_to_origin", key_parts),
        );
        made.entry(seconds).or_insert(policy.id()).clone()
    }
}

/// Security headers on every response: HSTS for two years with preload, no MIME sniffing, no
/// framing, a strict referrer policy.
fn security_headers(stack: &mut Context, key: &str, label: &str) -> Expr<String> {
    let hsts = Body::new()
        .set("access_control_max_age_sec", 63_072_000)
        .set("include_subdomains", true)
        .set("preload", true)
        .set("override", true);
    let config = Body::new()
        .block("strict_transport_security", hsts)
        .block("content_type_options", Body::new().set("override", true))
        .block("frame_options", Body::new().set("frame_option", "DENY").set("override", true))
        .block(
            "referrer_policy",
            Body::new().set("referrer_policy", "strict-origin-when-cross-origin").set("override", true),
        )
        .block("xss_protection", Body::new().set("protection", true).set("mode_block", true).set("override", true));
    let policy = stack.add(
        Resource::new("aws_cloudfront_response_headers_policy", format!("{key}_security"))
            .set("name", format!("{label}-security-headers"))
            .block("security_headers_config", config),
    );
    policy.id()
}
