//! CloudFront in front of a private S3 bucket (origin access control) and, for `/api/*`, a load
//! balancer: HTTPS only with TLS 1.2+, security headers, compression, SPA error pages.
//!
//! ```
//! use tfsynth::modules::{Account, edge::Distribution, kms, storage::{AccessLogs, Bucket, Encryption}};
//! use tfsynth::prelude::*;
//!
//! let account = Account { id: "123456789012", region: "us-east-1" };
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws(account.region));
//! let key = kms::Key::new("main", "demo", "demo").for_service("cloudfront.amazonaws.com").build(&mut stack, &account);
//! let site = Bucket::new("site", "demo-site-123456789012")
//!     .encryption(Encryption::Kms(key.clone()))
//!     .access_logs(AccessLogs::Off("a demo"))
//!     .allow(Distribution::read_statement(&account, "demo-site-123456789012"))
//!     .build(&mut stack);
//! let cdn = Distribution::new("demo.example.com", Expr::from("arn:aws:acm:us-east-1:123456789012:certificate/x"))
//!     .build(&mut stack, &site, None);
//! validate(&stack)?;
//! # let _ = cdn;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::Account;
use super::iam::Statement;
use super::storage::BucketRef;
use crate::prelude::*;

/// AWS managed cache and header policies.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// What the distribution gives the stack.
#[derive(Debug, Clone)]
pub struct Cdn {
    /// The distribution's domain name, for alias records.
    pub domain_name: Expr<String>,
    /// The hosted zone of that name, for alias records.
    pub zone_id: Expr<String>,
    /// The distribution ARN.
    pub arn: Expr<String>,
}

/// A distribution under construction.
#[derive(Debug, Clone)]
#[must_use = "a distribution does nothing until built into a stack"]
pub struct Distribution {
    alias: String,
    certificate_arn: Expr<String>,
    web_acl: Option<Expr<String>>,
    price_class: &'static str,
}

impl Distribution {
    /// A distribution serving `alias` with `certificate_arn` (an ACM certificate in us-east-1).
    pub fn new(alias: impl Into<String>, certificate_arn: impl Into<Expr<String>>) -> Self {
        Self {
            alias: alias.into(),
            certificate_arn: certificate_arn.into(),
            web_acl: None,
            price_class: "PriceClass_100",
        }
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

    /// Adds the distribution and its origin access control; `/api/*` goes to `api_origin` (a
    /// load balancer DNS name) when given.
    pub fn build(self, stack: &mut Stack, bucket: &BucketRef, api_origin: Option<&Expr<String>>) -> Cdn {
        let oac = stack.add(
            Resource::new("aws_cloudfront_origin_access_control", "site")
                .set("name", format!("{}-s3", self.alias.replace('.', "-")))
                .set("origin_access_control_origin_type", "s3")
                .set("signing_behavior", "always")
                .set("signing_protocol", "sigv4"),
        );
        let headers = security_headers(stack, &self.alias);
        let s3_origin = Body::new()
            .set("origin_id", "s3")
            .set("domain_name", bucket.regional_domain_name.clone())
            .set("origin_access_control_id", oac.id());
        let behavior = |origin: &str, cache: &str| {
            Body::new()
                .set("target_origin_id", origin)
                .set("viewer_protocol_policy", "redirect-to-https")
                .set("compress", true)
                .set("cache_policy_id", cache)
                .set("response_headers_policy_id", headers.clone())
        };
        let viewer = Body::new()
            .set("acm_certificate_arn", self.certificate_arn.clone())
            .set("ssl_support_method", "sni-only")
            .set("minimum_protocol_version", "TLSv1.2_2021");
        let mut d = Resource::new("aws_cloudfront_distribution", "site")
            .set("enabled", true)
            .set("is_ipv6_enabled", true)
            .set("http_version", "http2and3")
            .set("comment", self.alias.as_str())
            .set("aliases", vec![self.alias.as_str()])
            .set("default_root_object", "index.html")
            .set("price_class", self.price_class)
            .set_opt("web_acl_id", self.web_acl.clone())
            .block("origin", s3_origin);
        if let Some(api) = api_origin {
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
        d = d.block(
            "default_cache_behavior",
            behavior("s3", CACHING_OPTIMIZED)
                .set("allowed_methods", vec!["GET", "HEAD"])
                .set("cached_methods", vec!["GET", "HEAD"]),
        );
        if api_origin.is_some() {
            let methods = vec!["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
            let api = behavior("api", CACHING_DISABLED)
                .set("path_pattern", "/api/*")
                .set("allowed_methods", methods)
                .set("cached_methods", vec!["GET", "HEAD"])
                .set("origin_request_policy_id", ALL_VIEWER_EXCEPT_HOST);
            d = d.block("ordered_cache_behavior", api);
        }
        // A single-page app answers unknown paths with its index page.
        for code in [403, 404] {
            d = d.block(
                "custom_error_response",
                Body::new().set("error_code", code).set("response_code", 200).set("response_page_path", "/index.html"),
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
        let d = stack.add(d);
        Cdn { domain_name: d.attr("domain_name").typed(), zone_id: d.attr("hosted_zone_id").typed(), arn: d.arn() }
    }
}

/// Security headers on every response: HSTS for two years with preload, no MIME sniffing, no
/// framing, a strict referrer policy.
fn security_headers(stack: &mut Stack, alias: &str) -> Expr<String> {
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
        Resource::new("aws_cloudfront_response_headers_policy", "security")
            .set("name", format!("{}-security-headers", alias.replace('.', "-")))
            .block("security_headers_config", config),
    );
    policy.id()
}
