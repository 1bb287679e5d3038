//! A tab's figures over time: snapshots of its packages, which ones a
//! browser keeps ([`to_drop`]), what changed since the last look
//! ([`changes`]), each package's readings and forecast laid over its
//! reading ([`Index`], [`Index::lay`]), and the history as a file
//! (`tenantscope.history.v1`, [`file`]) or read back from one, or from any
//! earlier JSON export (v1 onward, [`import`]).
//!
//! A snapshot holds no credential: an account is its IAM domain name, or,
//! without one (access keys), its project's id ([`account_key`]).

use serde_json::Value;
use tenantscope_catalog::Service;

use crate::domain::forecast::{Reading, Trend};
use crate::domain::{Instant, Package, Renewal, Status};
use crate::services::ServiceState;

/// The `schema` of a history file.
pub const HISTORY_SCHEMA: &str = "tenantscope.history.v1";
/// At most one snapshot of a tab an hour.
pub const MIN_GAP_MS: i64 = 3_600_000;
/// Older than this, one snapshot a day is kept.
pub const THIN_AFTER_DAYS: i64 = 30;
/// Older than this, none is kept.
pub const KEEP_DAYS: i64 = 400;
/// What the history may take in a browser; the oldest go first beyond it.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Whose and where a snapshot is: a tab's account and place (region or
/// subproject, as [`crate::load::Session::place`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub account: String,
    pub place: String,
}

/// The account a history is kept under: the IAM domain name, else
/// `project:{project_id}` (never a key).
pub fn account_key(domain: Option<&str>, project_id: &str) -> String {
    let _ = (domain, project_id);
    todo!()
}

/// One package's figures in a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub service: Service,
    pub id: String,
    /// Its readable name (the label, else the code): what a line about a
    /// package that is gone calls it.
    pub name: String,
    pub used: Option<f64>,
    pub total: Option<f64>,
    pub unit: Option<String>,
    pub expires_at: Option<Instant>,
    pub status: Status,
    pub renewal: Option<Renewal>,
}

impl Point {
    pub fn of(p: &Package) -> Point {
        let _ = p;
        todo!()
    }
}

/// A tab's packages at one time.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub at: Instant,
    pub origin: Origin,
    /// The services read in full: only these are compared (a service that
    /// failed, or a filtered export, says nothing of what is gone).
    pub services: Vec<Service>,
    pub points: Vec<Point>,
}

/// Why a file or a stored record was not read, for the face to word.
#[derive(Clone, Debug, PartialEq)]
pub enum Refused {
    /// Not JSON at all (the parser's message).
    NotJson(String),
    /// JSON, but neither a tenantscope export nor a history file.
    NotOurs,
    /// A `schema` this version does not know (a newer one).
    UnknownSchema(String),
    /// Ours, but a field is not what the format says: which.
    Malformed(String),
    /// Nothing in it to keep (no package with an account to keep it under).
    Empty,
}

impl Snapshot {
    /// A snapshot at `at` of the services read in full, each with its packages.
    pub fn of<'a>(at: Instant, origin: Origin, read: impl IntoIterator<Item = (Service, &'a [Package])>) -> Snapshot {
        let _ = (at, origin, read.into_iter().count());
        todo!()
    }

    /// The snapshot as one stored record: compact JSON.
    pub fn to_json(&self) -> String {
        todo!()
    }

    /// A record [`Self::to_json`] wrote.
    pub fn from_json(record: &Value) -> Result<Snapshot, Refused> {
        let _ = record;
        todo!()
    }
}

/// A stored snapshot's key and size: what keeping decisions need.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    pub origin: Origin,
    pub at: Instant,
    pub bytes: u64,
}

/// Whether a snapshot of `origin` is taken at `now`: none was in the hour before.
pub fn due(kept: &[Kept], origin: &Origin, now: Instant) -> bool {
    let _ = (kept, origin, now);
    todo!()
}

/// Which of `kept` (positions) to drop at `now`: those older than
/// [`KEEP_DAYS`]; beyond [`THIN_AFTER_DAYS`], all but the last of each
/// origin's UTC day; then the oldest until the rest fit in `max_bytes`.
pub fn to_drop(kept: &[Kept], now: Instant, max_bytes: u64) -> Vec<usize> {
    let _ = (kept, now, max_bytes);
    todo!()
}

/// What changed for one package since the last look.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Not in the last look.
    Added,
    /// In the last look, not now.
    Gone,
    /// Its expiry moved later.
    Renewed { from: Option<Instant>, to: Instant },
    /// Expired since.
    Expired,
    /// Frozen or closed since (its status now).
    Attention(Status),
    /// Used more since than its usual pace would have: `from` → `to`, and
    /// the usual pace a day when there was one.
    Jumped { from: f64, to: f64, usual_per_day: Option<f64> },
}

/// One line of "since your last look".
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub service: Service,
    pub id: String,
    pub name: String,
    pub change: Change,
}

/// What changed between the last look and now, grouped in [`Change`]'s
/// order (new, gone, renewed, expired, frozen or closed, jumped), each
/// group by service and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Changes {
    /// When the last look was.
    pub since: Instant,
    pub lines: Vec<Line>,
}

/// The changes from `last` to `now` (both of one origin), comparing only
/// services read in full in both; `index` gives the usual pace before the
/// last look.
pub fn changes(last: &Snapshot, now: &Snapshot, index: &Index) -> Changes {
    let _ = (last, now, index);
    todo!()
}

/// The last look for `origin` at `now`: its newest snapshot at least
/// [`MIN_GAP_MS`] old.
pub fn last_look<'a>(snapshots: &'a [Snapshot], origin: &Origin, now: Instant) -> Option<&'a Snapshot> {
    let _ = (snapshots, origin, now);
    todo!()
}

/// Every package's readings across snapshots of one account (any place:
/// account-wide packages are seen from every region), by (service, id).
#[derive(Clone, Debug, Default)]
pub struct Index {
    by_package: std::collections::HashMap<(Service, String), Vec<Reading>>,
}

impl Index {
    pub fn new(snapshots: &[Snapshot]) -> Index {
        let _ = snapshots;
        todo!()
    }

    /// The readings of one package, oldest first.
    pub fn readings(&self, service: Service, id: &str) -> &[Reading] {
        self.by_package.get(&(service, id.to_string())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `state` with each package that has a usage and a total given its
    /// [`Trend`]: its readings, the current one (at `now`) last, and the
    /// forecast from them.
    pub fn lay(&self, state: ServiceState, now: Instant) -> ServiceState {
        let _ = now;
        state
    }
}

/// The history as one JSON file (`tenantscope.history.v1`).
pub fn file(snapshots: &[Snapshot], generated_at: Instant) -> String {
    let _ = (snapshots, generated_at);
    todo!()
}

/// The snapshots in a history file, or in an earlier JSON export of any
/// schema version (one snapshot per account and place it holds, at its
/// `generated_at`).
pub fn import(file: &Value) -> Result<Vec<Snapshot>, Refused> {
    let _ = file;
    todo!()
}
