//! The `terraform` block: version constraints, required providers and the state backend.

use crate::expr::Expression;
use crate::schema::Schema;

use indexmap::IndexMap;

use super::{Item, Kind, Stack};

/// A provider requirement: `aws = { source = "hashicorp/aws", version = "~> 5.0" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredProvider {
    /// Registry source, e.g. `hashicorp/aws`.
    pub source: String,
    /// Version constraint, e.g. `~> 5.100`.
    pub version: String,
}

impl RequiredProvider {
    /// A provider from the registry: `source` such as `hashicorp/random`, `version` a
    /// constraint such as `~> 3.6`.
    pub fn new(source: impl Into<String>, version: impl Into<String>) -> Self {
        Self { source: source.into(), version: version.into() }
    }

    /// `hashicorp/aws` at `version`, e.g. `~> 5.100`.
    pub fn aws(version: impl Into<String>) -> Self {
        Self::new("hashicorp/aws", version)
    }
}

/// An S3 state backend, encrypted and locked with a lock file next to the state (Terraform
/// 1.10+; the DynamoDB lock table it replaces is deprecated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Backend {
    /// State bucket name.
    pub bucket: String,
    /// Object key of this stack's state, e.g. `production/terraform.tfstate`.
    pub key: String,
    /// Bucket region.
    pub region: String,
    /// Server-side encryption of the state object.
    pub encrypt: bool,
    /// Whether a run holds a lock file (`<key>.tflock`) while it works on the state.
    pub use_lockfile: bool,
}

impl S3Backend {
    /// An encrypted S3 backend with lock-file locking.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>, region: impl Into<String>) -> Self {
        Self { bucket: bucket.into(), key: key.into(), region: region.into(), encrypt: true, use_lockfile: true }
    }

    /// No locking: two runs may write the state at once. Only for throwaway sandboxes.
    pub fn unlocked(mut self) -> Self {
        self.use_lockfile = false;
        self
    }

    /// `encrypt = false`. State holds secrets; only for throwaway sandboxes.
    pub fn unencrypted(mut self) -> Self {
        self.encrypt = false;
        self
    }

    /// The backend's arguments in the order Terraform documents them.
    pub fn arguments(&self) -> Vec<(&'static str, Expression)> {
        let mut args = vec![
            ("bucket", self.bucket.clone().into()),
            ("key", self.key.clone().into()),
            ("region", self.region.clone().into()),
            ("encrypt", self.encrypt.into()),
        ];
        if self.use_lockfile {
            args.push(("use_lockfile", true.into()));
        }
        args
    }
}

/// The contents of the `terraform` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerraformSettings {
    /// `required_version`, e.g. `>= 1.5.0`.
    pub required_version: Option<String>,
    /// `required_providers`, by local name.
    pub required_providers: IndexMap<String, RequiredProvider>,
    /// The state backend; `None` keeps local state.
    pub backend: Option<S3Backend>,
}

/// Terraform versions that features of a configuration need.
const EPHEMERAL_RESOURCES: (u32, u32) = (1, 10);
const WRITE_ONLY_ARGUMENTS: (u32, u32) = (1, 11);

impl TerraformSettings {
    /// The settings as rendered for `stack`: `required_providers` gains every vendored
    /// provider the stack uses and does not name itself (source and a constraint from the
    /// vendored version), and `required_version` is raised to what the stack's features need
    /// (ephemeral blocks 1.10, write-only arguments 1.11).
    pub(crate) fn for_stack(&self, stack: &Stack) -> TerraformSettings {
        let mut out = self.clone();
        let mut used: Vec<&str> = stack.providers.iter().map(|p| p.name.as_str()).collect();
        used.extend(stack.blocks.iter().map(super::Resource::provider_name));
        used.sort_unstable();
        used.dedup();
        for name in used {
            if let (false, Some(schema)) = (out.required_providers.contains_key(name), Schema::named(name)) {
                out.required_providers
                    .insert(name.to_owned(), RequiredProvider::new(schema.source(), schema.version_constraint()));
            }
        }
        let needed = if stack.blocks.iter().any(writes_only) {
            Some(WRITE_ONLY_ARGUMENTS)
        } else if stack.blocks.iter().any(|r| r.kind == Kind::Ephemeral) {
            Some(EPHEMERAL_RESOURCES)
        } else {
            None
        };
        if let Some(needed) = needed {
            out.required_version = Some(raised(out.required_version.as_deref(), needed));
        }
        out
    }
}

/// Whether a block sets a write-only argument (at its top level, where the providers put
/// them). Providers name them `*_wo`, so only such names are looked up in the schema: a render
/// does not pay a lookup per block.
fn writes_only(r: &super::Resource) -> bool {
    let mut candidates =
        r.body.items().filter(|(name, item)| name.ends_with("_wo") && matches!(item, Item::Attribute(_)));
    candidates.any(|(name, _)| r.schema().and_then(|s| s.attributes.get(name)).is_some_and(|a| a.write_only))
}

/// `constraint` raised to at least `major.minor`: a `>= x.y[.z]` below it is replaced, any
/// other constraint keeps its terms and gains `>= major.minor.0`.
fn raised(constraint: Option<&str>, (major, minor): (u32, u32)) -> String {
    let floor = format!(">= {major}.{minor}.0");
    let Some(constraint) = constraint.map(str::trim).filter(|c| !c.is_empty()) else { return floor };
    if let Some((a, b, _)) = exact(constraint) {
        // A pinned version: kept when new enough (a pin below the floor fails `admits` first).
        if (a, b) >= (major, minor) {
            return constraint.to_owned();
        }
    }
    match constraint.strip_prefix(">=").and_then(version) {
        Some(((a, b, _), _)) if (a, b) >= (major, minor) => constraint.to_owned(),
        Some(_) => floor,
        None => format!("{constraint}, {floor}"),
    }
}

/// A version as `(major, minor, patch)` and how many of the three it spelled out; `None` for
/// anything else (a pre-release is not a version a pipeline pins).
fn version(text: &str) -> Option<((u32, u32, u32), usize)> {
    let parts: Vec<&str> = text.trim().trim_start_matches('v').split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut numbers = [0; 3];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        *slot = part.parse().ok()?;
    }
    Some(((numbers[0], numbers[1], numbers[2]), parts.len()))
}

/// The version a constraint pins, when it is one exact version (`1.11.4` or `= 1.11.4`).
fn exact(constraint: &str) -> Option<(u32, u32, u32)> {
    let text = constraint.trim();
    let text = text.strip_prefix('=').unwrap_or(text);
    version(text).filter(|(_, parts)| *parts == 3).map(|(v, _)| v)
}

/// Whether Terraform's `constraint` (e.g. `>= 1.10.0, < 2.0.0`, `~> 1.11`) admits `pinned`
/// (`1.11.4`); `None` when either cannot be read.
pub fn admits(constraint: &str, pinned: &str) -> Option<bool> {
    let (v, _) = version(pinned)?;
    let mut all = true;
    for term in constraint.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let op = ["~>", ">=", "<=", "!=", "=", ">", "<"].into_iter().find(|op| term.starts_with(op)).unwrap_or("=");
        let (bound, parts) = version(term.strip_prefix(op).unwrap_or(term))?;
        all &= match op {
            ">=" => v >= bound,
            "<=" => v <= bound,
            ">" => v > bound,
            "<" => v < bound,
            "!=" => v != bound,
            // `~> 1.11` allows 1.x from 1.11; `~> 1.11.4` allows 1.11.x from 1.11.4.
            "~>" => {
                let ceiling = if parts <= 2 { (bound.0 + 1, 0, 0) } else { (bound.0, bound.1 + 1, 0) };
                v >= bound && v < ceiling
            }
            _ => v == bound,
        };
    }
    Some(all)
}

#[cfg(test)]
mod tests {
    use super::{admits, raised};

    #[test]
    fn a_version_constraint_is_raised_only_as_far_as_needed() {
        assert_eq!(raised(None, (1, 11)), ">= 1.11.0");
        assert_eq!(raised(Some(">= 1.10.0"), (1, 11)), ">= 1.11.0");
        assert_eq!(raised(Some(">= 1.12"), (1, 11)), ">= 1.12");
        assert_eq!(raised(Some("~> 1.9"), (1, 10)), "~> 1.9, >= 1.10.0");
        assert_eq!(raised(Some("1.11.4"), (1, 11)), "1.11.4");
        assert_eq!(raised(Some("= 1.12.0"), (1, 10)), "= 1.12.0");
    }

    #[test]
    fn constraints_admit_versions_as_terraform_reads_them() {
        let cases = [
            (">= 1.10.0", "1.11.4", true),
            (">= 1.12", "1.11.4", false),
            ("1.11.4", "1.11.4", true),
            ("= 1.11.3", "1.11.4", false),
            ("~> 1.11", "1.99.0", true),
            ("~> 1.11", "2.0.0", false),
            ("~> 1.11.0", "1.11.4", true),
            ("~> 1.11.0", "1.12.0", false),
            (">= 1.5, < 1.11", "1.11.4", false),
            ("!= 1.11.4", "1.11.4", false),
            ("> 1.11.3, <= 1.11.4", "1.11.4", true),
        ];
        for (constraint, version, expected) in cases {
            assert_eq!(admits(constraint, version), Some(expected), "{constraint} admits {version}");
        }
        assert_eq!(admits(">= one", "1.11.4"), None);
    }
}
