//! How long things live: log retention, and whether data survives `terraform destroy`. Both
//! default to the safe choice; the other one carries the reason it is acceptable, which the
//! component writes next to the scanner check it then does not meet.

use serde::{Serialize, Serializer};

/// How long logs are kept. One year is what scanners expect (`CKV_AWS_338`); shorter needs a
/// reason, e.g. a development sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// 365 days.
    OneYear,
    /// A period given with the reason it is acceptable.
    Days(u16, &'static str),
}

impl Retention {
    /// The retention in days.
    pub fn days(self) -> u16 {
        match self {
            Retention::OneYear => 365,
            Retention::Days(d, _) => d,
        }
    }

    /// The reason logs are kept less than a year, if they are: the waiver of `CKV_AWS_338`.
    pub fn shorter_than_a_year(self) -> Option<&'static str> {
        match self {
            Retention::Days(d, reason) if d < 365 => Some(reason),
            _ => None,
        }
    }
}

impl Serialize for Retention {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Retention::OneYear => s.serialize_str("365 days"),
            Retention::Days(d, reason) => s.collect_str(&format_args!("{d} days ({reason})")),
        }
    }
}

/// Whether a database, load balancer or table survives `terraform destroy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Deletion protection on (and a final snapshot where there is one): the default.
    Protected,
    /// Deletable without a snapshot, with the reason it is acceptable (e.g. a sandbox).
    Unprotected(&'static str),
}

impl Deletion {
    /// Whether deletion protection is on.
    pub fn is_protected(self) -> bool {
        self == Deletion::Protected
    }

    /// The reason protection is off, if it is.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Deletion::Protected => None,
            Deletion::Unprotected(reason) => Some(reason),
        }
    }
}

impl Serialize for Deletion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Deletion::Protected => s.serialize_str("protected"),
            Deletion::Unprotected(reason) => s.collect_str(&format_args!("unprotected ({reason})")),
        }
    }
}
