//! Route53 and ACM: certificates validated through DNS records in a hosted zone, and alias
//! records pointing names at load balancers or CloudFront.
//!
//! ```
//! use tfsynth::modules::dns::{AliasRecord, Certificate, ZoneId};
//! use tfsynth::modules::{Account, Context};
//! use tfsynth::prelude::*;
//!
//! const ZONE: ZoneId = ZoneId::new("Z0123456789EXAMPLE");
//! let mut ctx = Context::new(Stack::new("demo", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let cert = Certificate::new("site", "example.com", &ZONE).alternative_names(&["www.example.com"]).build(&mut ctx);
//! AliasRecord::new("www", &ZONE, "www.example.com")
//!     .to("d111111abcdef8.cloudfront.net", "Z2FDTNDATAQYW2")
//!     .build(&mut ctx);
//! let bad = ZoneId::new("example.com");
//! AliasRecord::new("bad", &bad, "x.example.com").to("d1.cloudfront.net", "Z2FDTNDATAQYW2").build(&mut ctx);
//! let message = validate(&ctx.finish()).unwrap_err().to_string();
//! assert!(message.contains("aws_route53_record.bad: `example.com` is not a hosted zone id"));
//! # let _ = cert;
//! ```

use serde::{Serialize, Serializer};

use super::Context;
use super::edge::DistributionRef;
use super::load_balancing::AlbRef;
use crate::prelude::*;

/// A Route53 hosted zone id: a literal one (checked where it is used) or an expression, e.g.
/// a zone another stack exports.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneId {
    /// An id written in the settings, e.g. `Z0123456789EXAMPLE`.
    Literal(&'static str),
    /// An id known at plan time.
    Expression(Expr<String>),
}

impl ZoneId {
    /// The zone `id`.
    pub const fn new(id: &'static str) -> Self {
        ZoneId::Literal(id)
    }

    /// The id as an expression.
    pub fn expr(&self) -> Expr<String> {
        match self {
            ZoneId::Literal(id) => Expr::from(*id),
            ZoneId::Expression(e) => e.clone(),
        }
    }

    /// What is wrong with a literal id, if anything.
    pub fn problem(&self) -> Option<String> {
        let ZoneId::Literal(id) = self else { return None };
        let ok = id.starts_with('Z')
            && (2..=32).contains(&id.len())
            && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        (!ok).then(|| format!("`{id}` is not a hosted zone id"))
    }

    fn check(&self, stack: &mut Context, address: &str) {
        if let Some(problem) = self.problem() {
            stack.problem(address, problem, "use the id Route53 shows, e.g. Z0123456789EXAMPLE");
        }
    }
}

impl From<Expr<String>> for ZoneId {
    fn from(e: Expr<String>) -> Self {
        ZoneId::Expression(e)
    }
}

impl Serialize for ZoneId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ZoneId::Literal(id) => s.serialize_str(id),
            ZoneId::Expression(e) => s.serialize_str(&render_expression(e.expression())),
        }
    }
}

/// A validated certificate, for listeners and distributions.
#[derive(Debug, Clone)]
pub struct CertificateRef {
    /// The ARN of the certificate once validated: users wait for validation.
    pub arn: Expr<String>,
    /// The certificate itself.
    pub resource: Ref,
}

/// A DNS-validated ACM certificate under construction.
#[derive(Debug, Clone)]
#[must_use = "a certificate does nothing until built into a stack"]
pub struct Certificate {
    key: String,
    domain: String,
    zone: ZoneId,
    alternative_names: Vec<String>,
}

impl Certificate {
    /// Certificate `key` for `domain`, validated through records in `zone`.
    pub fn new(key: impl Into<String>, domain: impl Into<String>, zone: &ZoneId) -> Self {
        Self { key: key.into(), domain: domain.into(), zone: zone.clone(), alternative_names: Vec::new() }
    }

    /// More names the certificate covers.
    pub fn alternative_names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.alternative_names.extend(names.iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Adds the certificate, its validation records and the validation itself.
    pub fn build(self, ctx: &mut Context) -> CertificateRef {
        ctx.within("dns", |ctx| {
            let k = self.key.as_str();
            self.zone.check(ctx, &format!("aws_acm_certificate.{k}"));
            let cert = ctx.add(
                Resource::new("aws_acm_certificate", k)
                    .set("domain_name", self.domain.as_str())
                    .set("subject_alternative_names", self.alternative_names.clone())
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
            let records = ctx.add(
                Resource::new("aws_route53_record", format!("{k}_validation"))
                    .for_each(by_domain)
                    .set("allow_overwrite", true)
                    .set("zone_id", self.zone.expr())
                    .set("name", each_value().attr("name"))
                    .set("type", each_value().attr("type"))
                    .set("records", Expression::List(vec![each_value().attr("record").into()]))
                    .set("ttl", 60),
            );
            let validation = ctx.add(
                Resource::new("aws_acm_certificate_validation", k)
                    .set("certificate_arn", cert.arn())
                    .set("validation_record_fqdns", for_list("r", records.whole(), |r| r.attr("fqdn"))),
            );
            CertificateRef { arn: validation.attr("certificate_arn").typed(), resource: cert }
        })
    }
}

/// Something an alias record can point at: its DNS name and hosted zone.
pub trait AliasTarget {
    /// The DNS name and the zone it lives in.
    fn alias_target(&self) -> (Expr<String>, Expr<String>);
}

impl AliasTarget for AlbRef {
    fn alias_target(&self) -> (Expr<String>, Expr<String>) {
        (self.dns_name.clone(), self.zone_id.clone())
    }
}

impl AliasTarget for DistributionRef {
    fn alias_target(&self) -> (Expr<String>, Expr<String>) {
        (self.domain_name.clone(), self.zone_id.clone())
    }
}

/// An `A` alias record under construction.
#[derive(Debug, Clone)]
#[must_use = "a record does nothing until built into a stack"]
pub struct AliasRecord {
    key: String,
    zone: ZoneId,
    name: String,
    target: Option<(Expr<String>, Expr<String>)>,
}

impl AliasRecord {
    /// Record `key` for `name` in `zone`.
    pub fn new(key: impl Into<String>, zone: &ZoneId, name: impl Into<String>) -> Self {
        Self { key: key.into(), zone: zone.clone(), name: name.into(), target: None }
    }

    /// Points the name at a load balancer or distribution.
    pub fn target(mut self, target: &impl AliasTarget) -> Self {
        self.target = Some(target.alias_target());
        self
    }

    /// Points the name at `dns_name` in hosted zone `zone_id`.
    pub fn to(mut self, dns_name: impl Into<Expr<String>>, zone_id: impl Into<Expr<String>>) -> Self {
        self.target = Some((dns_name.into(), zone_id.into()));
        self
    }

    /// Adds the record, following the target's health.
    pub fn build(self, ctx: &mut Context) -> RecordRef {
        ctx.within("dns", |ctx| {
            let at = format!("aws_route53_record.{}", self.key);
            self.zone.check(ctx, &at);
            let (dns, zone) = self.target.unwrap_or_else(|| {
                ctx.problem(&at, "the record points nowhere", "give it a .target(&alb) or .target(&distribution)");
                (Expr::from(""), Expr::from(""))
            });
            let alias = Body::new().set("name", dns).set("zone_id", zone).set("evaluate_target_health", true);
            let record = ctx.add(
                Resource::new("aws_route53_record", &self.key)
                    .set("zone_id", self.zone.expr())
                    .set("name", self.name)
                    .set("type", "A")
                    .block("alias", alias),
            );
            RecordRef { fqdn: record.attr("fqdn").typed(), resource: record }
        })
    }
}

/// A DNS record, for what names it.
#[derive(Debug, Clone)]
pub struct RecordRef {
    /// The record's fully qualified name.
    pub fqdn: Expr<String>,
    /// The record itself.
    pub resource: Ref,
}

/// A public hosted zone, for the stacks that put records in it.
#[derive(Debug, Clone)]
pub struct ZoneRef {
    /// The zone id, what records and certificates take.
    pub id: ZoneId,
    /// The name servers to delegate to from the parent zone.
    pub name_servers: Expr<List<String>>,
    /// The zone itself.
    pub resource: Ref,
}

/// A public hosted zone under construction.
#[derive(Debug, Clone)]
#[must_use = "a zone does nothing until built into a stack"]
pub struct Zone {
    key: String,
    domain: String,
    comment: Option<String>,
}

impl Zone {
    /// Hosted zone `key` for `domain`, delegated to from its parent by the name servers it
    /// gets.
    pub fn new(key: impl Into<String>, domain: impl Into<String>) -> Self {
        Self { key: key.into(), domain: domain.into(), comment: None }
    }

    /// What the zone is for.
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    /// Adds the zone.
    pub fn build(self, ctx: &mut Context) -> ZoneRef {
        ctx.within("dns", |ctx| {
            let at = format!("aws_route53_zone.{}", self.key);
            let d = &self.domain;
            let labels_ok = d.split('.').all(|l| {
                (1..=63).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
            if !labels_ok || !d.contains('.') || d.len() > 253 {
                ctx.problem_at(&at, "name", format!("`{d}` is not a domain name"), "use lowercase labels separated by dots, e.g. apps.example.com");
            }
            let zone = ctx.add(
                Resource::new("aws_route53_zone", &self.key)
                    .set("name", self.domain)
                    .set_opt("comment", self.comment)
                    .skip_check("CKV2_AWS_38", "DNSSEC needs a key-signing key and a DS record at the parent registrar; it is enabled per zone once the parent supports it")
                    .skip_check("CKV2_AWS_39", "query logs go to us-east-1 only and are enabled when a query needs investigating; resolver logs cover the VPCs"),
            );
            ZoneRef { id: ZoneId::Expression(zone.id()), name_servers: zone.attr("name_servers").typed(), resource: zone }
        })
    }
}
