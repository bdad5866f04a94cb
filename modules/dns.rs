//! Route53 and ACM: certificates validated through DNS records in a hosted zone, and alias
//! records pointing names at load balancers or CloudFront.
//!
//! ```
//! use tfsynth::modules::dns::{alias, certificate};
//! use tfsynth::prelude::*;
//!
//! let mut stack = Stack::new("demo", "production");
//! stack.provider(Provider::aws("us-east-1"));
//! let cert = certificate(&mut stack, "site", "example.com", &["www.example.com"], "Z0123456789EXAMPLE");
//! alias(&mut stack, "www", "Z0123456789EXAMPLE", "www.example.com", &Expr::from("d111111abcdef8.cloudfront.net"), &Expr::from("Z2FDTNDATAQYW2"));
//! validate(&stack)?;
//! # let _ = cert;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use crate::prelude::*;

/// Adds a DNS-validated ACM certificate for `domain` and `alternative_names` in hosted zone
/// `zone_id`, and returns the ARN of the *validated* certificate: listeners that use it wait
/// for validation.
pub fn certificate(
    stack: &mut Stack,
    key: &str,
    domain: &str,
    alternative_names: &[&str],
    zone_id: &str,
) -> Expr<String> {
    check_zone(stack, key, zone_id);
    let cert = stack.add(
        Resource::new("aws_acm_certificate", key)
            .set("domain_name", domain)
            .set("subject_alternative_names", alternative_names.to_vec())
            .set("validation_method", "DNS")
            .set("key_algorithm", "RSA_2048")
            // A replacement certificate is issued before the old one is released.
            .create_before_destroy(),
    );
    let options = cert.attr("domain_validation_options");
    let by_domain = for_object("dvo", options, |dvo| {
        let record = Expression::from_iter([
            ("name", dvo.clone().attr("resource_record_name")),
            ("record", dvo.clone().attr("resource_record_value")),
            ("type", dvo.clone().attr("resource_record_type")),
        ]);
        (dvo.attr("domain_name").typed(), Expr::<Any>::from(record))
    });
    let records = stack.add(
        Resource::new("aws_route53_record", format!("{key}_validation"))
            .for_each(by_domain)
            .set("allow_overwrite", true)
            .set("zone_id", zone_id)
            .set("name", each_value().attr("name"))
            .set("type", each_value().attr("type"))
            .set("records", Expression::List(vec![each_value().attr("record").into()]))
            .set("ttl", 60),
    );
    let validation = stack.add(
        Resource::new("aws_acm_certificate_validation", key)
            .set("certificate_arn", cert.arn())
            .set("validation_record_fqdns", for_list("r", records.whole(), |r| r.attr("fqdn"))),
    );
    validation.attr("certificate_arn").typed()
}

/// Adds an `A` alias record `name` in `zone_id` pointing at `target_dns` (in `target_zone`),
/// following the target's health.
pub fn alias(
    stack: &mut Stack,
    key: &str,
    zone_id: &str,
    name: &str,
    target_dns: &Expr<String>,
    target_zone: &Expr<String>,
) {
    check_zone(stack, key, zone_id);
    let alias = Body::new()
        .set("name", target_dns.clone())
        .set("zone_id", target_zone.clone())
        .set("evaluate_target_health", true);
    stack.add(
        Resource::new("aws_route53_record", key)
            .set("zone_id", zone_id)
            .set("name", name)
            .set("type", "A")
            .block("alias", alias),
    );
}

fn check_zone(stack: &mut Stack, key: &str, zone_id: &str) {
    let ok = zone_id.starts_with('Z')
        && (2..=32).contains(&zone_id.len())
        && zone_id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !ok {
        stack.problem(
            format!("aws_route53_record.{key}"),
            format!("`{zone_id}` is not a hosted zone id"),
            "use the id Route53 shows, e.g. Z0123456789EXAMPLE",
        );
    }
}
