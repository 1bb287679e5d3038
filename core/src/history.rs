//! A tab's figures over time: snapshots of its packages, which ones a
//! browser keeps ([`to_drop`]), what changed since the last look
//! ([`changes`]), each package's readings and forecast laid over its
//! reading ([`Index`], [`Index::lay`]), and the history as a file
//! (`tenantscope.history.v1`, [`file`]) or read back from one, or from any
//! earlier JSON export (v1 onward, [`import`]).
//!
//! A snapshot holds no credential: an account is its IAM domain name, or,
//! without one (access keys), its project's id ([`account_key`]).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value;
use tenantscope_catalog::Service;

use crate::domain::forecast::{forecast, pace, Reading, Trend};
use crate::domain::json;
use crate::domain::time::MS_PER_DAY;
use crate::domain::{clamped, order, sorted, Date, Instant, Package, Renewal, Status};
use crate::services::{Loaded, ServiceState};

/// The `schema` of a history file.
pub const HISTORY_SCHEMA: &str = "tenantscope.history.v1";
/// At most one snapshot of a tab an hour.
pub const MIN_GAP_MS: i64 = 3_600_000;
/// Older than this, one snapshot a day is kept.
pub const THIN_AFTER_DAYS: i64 = 30;
/// Older than this, none is kept.
pub const KEEP_DAYS: i64 = 400;
/// What the history may take in a browser; the oldest go first beyond it.
/// Enough for 400 days of a tenant of several hundred packages looked at
/// every hour (bench/history-size.mjs measures the demo tenant's).
pub const MAX_BYTES: u64 = 96 * 1024 * 1024;
/// A tab reads at most one snapshot of each place this often (the latest):
/// the pace needs no more, and a month of hourly looks stays quick to read.
pub const READ_GAP_MS: i64 = 6 * 3_600_000;

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
    match domain {
        Some(domain) if !domain.is_empty() => domain.to_string(),
        _ => format!("project:{project_id}"),
    }
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
        Point {
            service: p.service,
            id: p.id.clone(),
            // As the JSON export's `label` names it, so that an imported
            // export's points and a tab's own are named alike.
            name: crate::services::english_name(p).unwrap_or_else(|| p.name.clone()),
            used: p.used,
            total: p.total,
            unit: p.unit.clone(),
            expires_at: p.expiry.instant(),
            status: p.status,
            renewal: p.renewal(),
        }
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
    /// Of those, the ones read in full within less than the tenant holds,
    /// by the service's own account (HSS: the default enterprise project
    /// only, [`Coverage::Narrowed`](crate::session::Coverage::Narrowed)):
    /// compared only with a look narrowed as well, where the rest would
    /// otherwise read as gone, or as new.
    pub narrowed: Vec<Service>,
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
        let (mut services, mut points) = (Vec::new(), Vec::new());
        for (service, packages) in read {
            if !services.contains(&service) {
                services.push(service);
            }
            points.extend(packages.iter().map(Point::of));
        }
        Snapshot { at, origin, services, narrowed: Vec::new(), points }
    }

    /// The snapshot of what a tab shows now. Only the services read in full
    /// are compared: not one whose refresh failed and shows older answers,
    /// nor one with pages that could not be read (what those held would
    /// read as gone since the last look, and as new at the next). The
    /// packages a service read in part are kept all the same: each is a
    /// true reading of its usage, for its pace.
    pub fn of_states(at: Instant, origin: Origin, states: &[(Service, Option<Result<ServiceState, crate::api::ApiError>>)]) -> Snapshot {
        let fresh = states.iter().filter_map(|(service, state)| match state {
            Some(Ok(ServiceState::Loaded(l))) if l.stale.is_none() => Some((*service, l)),
            _ => None,
        });
        let (whole, partial): (Vec<_>, Vec<_>) = fresh.partition(|(_, l)| !l.is_incomplete());
        let narrowed =
            whole.iter().filter(|(_, l)| l.facts.as_ref().and_then(crate::services::Facts::narrowed).is_some()).map(|(service, _)| *service).collect();
        let mut snapshot = Snapshot::of(at, origin, whole.into_iter().map(|(service, l)| (service, &l.packages[..])));
        snapshot.narrowed = narrowed;
        snapshot.points.extend(partial.into_iter().flat_map(|(_, l)| l.packages.iter().map(Point::of)));
        snapshot
    }

    /// The snapshot as one stored record: compact JSON,
    /// `{"at":ms,"account":…,"place":…,"services":[…],"narrowed":[…] (only when some service is),"points":[[service,
    /// id, name, used, total, unit, expires ms, status, renewal],…]}`,
    /// `null` for what is absent (and for a figure that is not a finite number).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128 + self.points.len() * 96);
        let _ = write!(out, "{{\"at\":{},\"account\":", self.at.millis());
        json::string(&mut out, &self.origin.account);
        out.push_str(",\"place\":");
        json::string(&mut out, &self.origin.place);
        let keys = |out: &mut String, field: &str, services: &[Service]| {
            let _ = write!(out, ",\"{field}\":[");
            for (i, service) in services.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::string(out, service.key());
            }
            out.push(']');
        };
        keys(&mut out, "services", &self.services);
        // Only when some service is: most records have none.
        if !self.narrowed.is_empty() {
            keys(&mut out, "narrowed", &self.narrowed);
        }
        out.push_str(",\"points\":[");
        for (i, p) in self.points.iter().enumerate() {
            out.push_str(if i == 0 { "[" } else { ",[" });
            json::string(&mut out, p.service.key());
            out.push(',');
            json::string(&mut out, &p.id);
            out.push(',');
            json::string(&mut out, &p.name);
            out.push(',');
            json_number(&mut out, p.used);
            out.push(',');
            json_number(&mut out, p.total);
            out.push(',');
            match &p.unit {
                Some(unit) => json::string(&mut out, unit),
                None => out.push_str("null"),
            }
            match p.expires_at {
                Some(at) => {
                    let _ = write!(out, ",{},", at.millis());
                }
                None => out.push_str(",null,"),
            }
            json::string(&mut out, p.status.key());
            out.push(',');
            match p.renewal {
                Some(renewal) => json::string(&mut out, renewal.key()),
                None => out.push_str("null"),
            }
            out.push(']');
        }
        out.push_str("]}");
        out
    }

    /// A record [`Self::to_json`] wrote. A point of a service or status
    /// this version does not know (a newer one wrote it) is left out, as is
    /// a renewal key it does not know; a record of the wrong shape is
    /// [`Refused::Malformed`], naming the field.
    pub fn from_json(record: &Value) -> Result<Snapshot, Refused> {
        let malformed = |what: &str| Refused::Malformed(what.to_string());
        let Value::Object(fields) = record else {
            return Err(malformed("record"));
        };
        let at = fields.get("at").and_then(integer).ok_or_else(|| malformed("at"))?;
        let account = fields.get("account").and_then(Value::as_str).ok_or_else(|| malformed("account"))?;
        let place = fields.get("place").and_then(Value::as_str).ok_or_else(|| malformed("place"))?;
        let Some(Value::Array(listed)) = fields.get("services") else {
            return Err(malformed("services"));
        };
        let services = services_of(listed).ok_or_else(|| malformed("services"))?;
        // Absent before the field was: read as whole.
        let narrowed = match fields.get("narrowed") {
            None => Vec::new(),
            Some(Value::Array(listed)) => services_of(listed).ok_or_else(|| malformed("narrowed"))?,
            Some(_) => return Err(malformed("narrowed")),
        };
        let Some(Value::Array(stored)) = fields.get("points") else {
            return Err(malformed("points"));
        };
        let mut points = Vec::with_capacity(stored.len());
        for (n, point) in stored.iter().enumerate() {
            if let Some(point) = read_point(point).ok_or_else(|| Refused::Malformed(format!("points[{n}]")))? {
                points.push(point);
            }
        }
        let origin = Origin { account: account.to_string(), place: place.to_string() };
        Ok(Snapshot { at: Instant::from_millis(at), origin, services, narrowed, points })
    }
}

/// The package services a record lists (one this version does not know is
/// left out); none when an entry is not a string.
fn services_of(listed: &[Value]) -> Option<Vec<Service>> {
    let mut services = Vec::new();
    for service in listed {
        if let Some(service) = package_service(service.as_str()?) {
            if !services.contains(&service) {
                services.push(service);
            }
        }
    }
    Some(services)
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
    let after = Instant::from_millis(now.millis().saturating_sub(MIN_GAP_MS));
    !kept.iter().any(|k| &k.origin == origin && k.at > after && k.at <= now)
}

/// Which of `kept` (positions) to drop at `now`: those older than
/// [`KEEP_DAYS`]; beyond [`THIN_AFTER_DAYS`], all but the last of each
/// origin's UTC day; then the oldest until the rest fit in `max_bytes`.
pub fn to_drop(kept: &[Kept], now: Instant, max_bytes: u64) -> Vec<usize> {
    let too_old = now.plus_days(-KEEP_DAYS);
    let thin_before = now.plus_days(-THIN_AFTER_DAYS);
    let mut drop: Vec<bool> = kept.iter().map(|k| k.at < too_old).collect();
    // Beyond the thinning age, the latest of each origin's UTC day stays.
    let mut latest: HashMap<(&Origin, Date), usize> = HashMap::new();
    for (i, k) in kept.iter().enumerate() {
        if k.at >= thin_before || drop.get(i).copied().unwrap_or(true) {
            continue;
        }
        let day = (&k.origin, k.at.date());
        let loser = match latest.get(&day).copied() {
            Some(j) if kept.get(j).is_some_and(|other| other.at > k.at) => i,
            Some(j) => {
                latest.insert(day, i);
                j
            }
            None => {
                latest.insert(day, i);
                continue;
            }
        };
        if let Some(d) = drop.get_mut(loser) {
            *d = true;
        }
    }
    // Then the oldest, until the rest fit.
    let mut bytes: u64 = kept.iter().zip(&drop).filter(|(_, d)| !**d).fold(0, |sum, (k, _)| sum.saturating_add(k.bytes));
    if bytes > max_bytes {
        for i in order(kept.iter().map(|k| (clamped(k.at), String::new())).collect()) {
            if bytes <= max_bytes {
                break;
            }
            if let (Some(k), Some(d)) = (kept.get(i), drop.get_mut(i)) {
                if !*d {
                    *d = true;
                    bytes = bytes.saturating_sub(k.bytes);
                }
            }
        }
    }
    drop.iter().enumerate().filter(|(_, d)| **d).map(|(i, _)| i).collect()
}

/// Which of `kept` (positions, oldest first) a tab of `origin` reads at
/// `now`: of its account's snapshots from `from` on, every place's latest
/// of each [`READ_GAP_MS`] (account-wide packages are seen from every
/// place), and `origin`'s last look ([`last_look`]) wherever it is.
pub fn to_read(kept: &[Kept], origin: &Origin, from: Instant, now: Instant) -> Vec<usize> {
    let mut latest: std::collections::HashMap<(&Origin, i64), usize> = std::collections::HashMap::new();
    for (i, k) in kept.iter().enumerate() {
        if k.origin.account != origin.account || k.at < from || k.at > now {
            continue;
        }
        let slot = latest.entry((&k.origin, k.at.millis().div_euclid(READ_GAP_MS))).or_insert(i);
        if kept[*slot].at < k.at {
            *slot = i;
        }
    }
    let last =
        kept.iter().enumerate().filter(|(_, k)| k.origin == *origin && k.at.millis() <= now.millis() - MIN_GAP_MS).max_by_key(|(_, k)| k.at).map(|(i, _)| i);
    let mut read: Vec<usize> = latest.into_values().chain(last).collect();
    read = crate::domain::sorted(read, |&i| (crate::domain::clamped(kept[i].at), String::new()));
    read.dedup();
    read
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

impl Change {
    /// The stable key of its kind, in the exports and the page's markup.
    pub const fn key(&self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Gone => "gone",
            Change::Renewed { .. } => "renewed",
            Change::Expired => "expired",
            Change::Attention(_) => "attention",
            Change::Jumped { .. } => "jumped",
        }
    }
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
    /// The services read in full at one of the two looks only (failed,
    /// pages missing, or a refresh that showed older answers), or narrowed
    /// at one look only: what changed in them is not known, and nothing is
    /// said of them.
    pub uncompared: Vec<Service>,
}

/// The changes from `last` to `now` (both of one origin), comparing only
/// services read in full in both, and to the same reach; `index` gives the
/// usual pace before the last look.
pub fn changes(last: &Snapshot, now: &Snapshot, index: &Index) -> Changes {
    let compared = |service: &Service| {
        last.services.contains(service) && now.services.contains(service) && last.narrowed.contains(service) == now.narrowed.contains(service)
    };
    let before: HashMap<(Service, &str), &Point> = last.points.iter().rev().filter(|p| compared(&p.service)).map(|p| ((p.service, p.id.as_str()), p)).collect();
    let current: HashSet<(Service, &str)> = now.points.iter().map(|p| (p.service, p.id.as_str())).collect();
    let elapsed_days = now.at.since(last.at) as f64 / MS_PER_DAY as f64;
    let mut lines = Vec::new();
    let mut seen: HashSet<(Service, &str)> = HashSet::new();
    for p in now.points.iter().filter(|p| compared(&p.service)) {
        if !seen.insert((p.service, p.id.as_str())) {
            continue;
        }
        let line = |change| Line { service: p.service, id: p.id.clone(), name: p.name.clone(), change };
        let Some(l) = before.get(&(p.service, p.id.as_str())) else {
            lines.push(line(Change::Added));
            continue;
        };
        if let (Some(from), Some(to)) = (l.expires_at, p.expires_at) {
            if to.since(from) > MS_PER_DAY {
                lines.push(line(Change::Renewed { from: Some(from), to }));
            }
        }
        let expired_now = p.status == Status::Expired || p.expires_at.is_some_and(|at| at <= now.at);
        let expired_then = l.status == Status::Expired || l.expires_at.is_some_and(|at| at <= last.at);
        if expired_now && !expired_then {
            lines.push(line(Change::Expired));
        }
        if matches!(p.status, Status::Frozen | Status::Closed) && p.status != l.status {
            lines.push(line(Change::Attention(p.status)));
        }
        if let Some(jump) = jumped(l, p, index, last.at, elapsed_days) {
            lines.push(line(jump));
        }
    }
    for l in last.points.iter().filter(|l| compared(&l.service) && !current.contains(&(l.service, l.id.as_str()))) {
        if seen.insert((l.service, l.id.as_str())) {
            lines.push(Line { service: l.service, id: l.id.clone(), name: l.name.clone(), change: Change::Gone });
        }
    }
    let lines = sorted(lines, |l| (change_rank(&l.change) * 1024 + l.service as i64, format!("{}\u{0}{}", l.name, l.id)));
    let mut uncompared: Vec<Service> = last.services.iter().chain(&now.services).filter(|s| !compared(s)).copied().collect();
    uncompared.sort_unstable();
    uncompared.dedup();
    Changes { since: last.at, lines, uncompared }
}

/// Where a change goes in [`Changes::lines`]: [`Change`]'s order.
fn change_rank(change: &Change) -> i64 {
    match change {
        Change::Added => 0,
        Change::Gone => 1,
        Change::Renewed { .. } => 2,
        Change::Expired => 3,
        Change::Attention(_) => 4,
        Change::Jumped { .. } => 5,
    }
}

/// Whether usage rose from `last` to `now` more than it usually does: more
/// than twice the usual pace (from the readings up to the last look) over
/// the time between, plus 1% of the total; without a usual pace, by a
/// quarter of the total at least (without a total, never).
fn jumped(last: &Point, now: &Point, index: &Index, last_at: Instant, elapsed_days: f64) -> Option<Change> {
    let (from, to) = (last.used?, now.used?);
    if !(from.is_finite() && to.is_finite()) || to <= from {
        return None;
    }
    let rise = to - from;
    let total = now.total.or(last.total).filter(|t| t.is_finite() && *t > 0.0);
    let usual = pace(index.readings(now.service, &now.id), last_at).ok();
    let jumped = match usual {
        // A flat or falling pace allows no growth, not less than none.
        Some(usual) => rise > 2.0 * usual.per_day.max(0.0) * elapsed_days.max(0.0) + 0.01 * total.unwrap_or(0.0),
        None => total.is_some_and(|total| rise >= 0.25 * total),
    };
    jumped.then(|| Change::Jumped { from, to, usual_per_day: usual.map(|u| u.per_day) })
}

/// The last look for `origin` at `now`: its newest snapshot at least
/// [`MIN_GAP_MS`] old.
pub fn last_look<'a>(snapshots: &'a [Snapshot], origin: &Origin, now: Instant) -> Option<&'a Snapshot> {
    let latest = Instant::from_millis(now.millis().saturating_sub(MIN_GAP_MS));
    snapshots.iter().filter(|s| &s.origin == origin && s.at <= latest).max_by_key(|s| s.at)
}

/// Every package's readings across snapshots of one account (any place:
/// account-wide packages are seen from every region), by (service, id).
#[derive(Clone, Debug, Default)]
pub struct Index {
    by_package: std::collections::HashMap<(Service, String), Vec<Reading>>,
}

impl Index {
    pub fn new(snapshots: &[Snapshot]) -> Index {
        let mut by_package: HashMap<(Service, String), Vec<Reading>> = HashMap::new();
        for snapshot in snapshots {
            for p in &snapshot.points {
                if let Some(used) = p.used.filter(|u| u.is_finite()) {
                    by_package.entry((p.service, p.id.clone())).or_default().push((snapshot.at, used));
                }
            }
        }
        for readings in by_package.values_mut() {
            // Snapshots come oldest first as a rule: sorted only when not.
            if !readings.windows(2).all(|w| matches!(w, [a, b] if a.0 <= b.0)) {
                *readings = sorted(std::mem::take(readings), |r| (clamped(r.0), String::new()));
            }
            // One reading an instant: the last given.
            let mut kept: Vec<Reading> = Vec::with_capacity(readings.len());
            for &reading in readings.iter() {
                match kept.last_mut() {
                    Some(last) if last.0 == reading.0 => *last = reading,
                    _ => kept.push(reading),
                }
            }
            *readings = kept;
        }
        Index { by_package }
    }

    /// The readings of one package, oldest first.
    pub fn readings(&self, service: Service, id: &str) -> &[Reading] {
        self.by_package.get(&(service, id.to_string())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `state` with each package that has a usage and a total given its
    /// [`Trend`]: its readings, the current one (at `now`) last, and the
    /// forecast from them.
    pub fn lay(&self, state: ServiceState, now: Instant) -> ServiceState {
        let ServiceState::Loaded(loaded) = state else {
            return state;
        };
        let packages: Arc<[Package]> = loaded.packages.iter().map(|p| self.laid(p, now)).collect();
        ServiceState::Loaded(Loaded { packages, ..loaded })
    }

    /// `p` with its trend, where it has a usage and a total in one unit.
    fn laid(&self, p: &Package, now: Instant) -> Package {
        let (Some(used), Some(total)) = (p.used, p.total) else {
            return p.clone();
        };
        // A lapsed package's figures are history: nothing runs out.
        if total.is_nan() || total <= 0.0 || p.used_unit.is_some() || p.lapsed(now).is_some() {
            return p.clone();
        }
        let earlier = self.readings(p.service, &p.id);
        let earlier = earlier.get(..earlier.partition_point(|r| r.0 < now)).unwrap_or(&[]);
        let mut readings = Vec::with_capacity(earlier.len() + 1);
        readings.extend_from_slice(earlier);
        readings.push((now, used));
        let forecast = forecast(used, total, &readings, now);
        Package { trend: Some(Arc::new(Trend { readings: readings.into(), forecast })), ..p.clone() }
    }
}

/// The history as one JSON file (`tenantscope.history.v1`).
pub fn file(snapshots: &[Snapshot], generated_at: Instant) -> String {
    let mut out = String::with_capacity(96 + snapshots.iter().map(|s| 128 + s.points.len() * 96).sum::<usize>());
    out.push_str("{\"schema\":");
    json::string(&mut out, HISTORY_SCHEMA);
    out.push_str(",\"generated_at\":");
    json::string(&mut out, &generated_at.rfc3339());
    out.push_str(",\"snapshots\":[");
    for (i, snapshot) in snapshots.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&snapshot.to_json());
    }
    out.push_str("]}\n");
    out
}

/// The snapshots in a history file, or in an earlier JSON export of any
/// schema version (one snapshot per account and place it holds, at its
/// `generated_at`).
pub fn import(file: &Value) -> Result<Vec<Snapshot>, Refused> {
    let Value::Object(fields) = file else {
        return Err(Refused::NotOurs);
    };
    let Some(schema) = fields.get("schema").and_then(Value::as_str) else {
        return Err(Refused::NotOurs);
    };
    if schema == HISTORY_SCHEMA {
        let Some(Value::Array(records)) = fields.get("snapshots") else {
            return Err(Refused::Malformed("snapshots".into()));
        };
        let mut snapshots = Vec::with_capacity(records.len());
        for (n, record) in records.iter().enumerate() {
            snapshots.push(Snapshot::from_json(record).map_err(|why| match why {
                Refused::Malformed(what) if what == "record" => Refused::Malformed(format!("snapshots[{n}]")),
                Refused::Malformed(what) => Refused::Malformed(format!("snapshots[{n}].{what}")),
                other => other,
            })?);
        }
        return if snapshots.is_empty() { Err(Refused::Empty) } else { Ok(snapshots) };
    }
    if EXPORT_SCHEMAS.contains(&schema) {
        return from_export(fields);
    }
    Err(if schema.starts_with("tenantscope.") { Refused::UnknownSchema(schema.to_string()) } else { Refused::NotOurs })
}

/// The JSON exports read: every version so far (each only adds fields).
const EXPORT_SCHEMAS: [&str; 5] = ["tenantscope.export.v1", "tenantscope.export.v2", "tenantscope.export.v3", "tenantscope.export.v4", "tenantscope.export.v5"];

/// The snapshots an export holds, one per account and place, at its
/// `generated_at`. A package's account is its `account` (v3 on: its tab's
/// IAM domain name, `null` under access keys), else the tenant's domain,
/// else `project:` and the tenant's project id ([`account_key`]); its place
/// its `region` (v3 on), else the tenant's. The services compared later
/// are those read without an error, and none when the export is filtered
/// (`scope.what` other than `everything`) or merges tabs (a package seen
/// in several: it names only the first tab's region, so the others' would
/// seem to lack it).
fn from_export(fields: &serde_json::Map<String, Value>) -> Result<Vec<Snapshot>, Refused> {
    let malformed = |what: &str| Refused::Malformed(what.to_string());
    let at = fields.get("generated_at").and_then(Value::as_str).and_then(Instant::parse).ok_or_else(|| malformed("generated_at"))?;
    let tenant = match fields.get("tenant") {
        None | Some(Value::Null) => None,
        Some(Value::Object(tenant)) => Some(tenant),
        Some(_) => return Err(malformed("tenant")),
    };
    let tenant_text = |key: &str| tenant.and_then(|t| t.get(key)).and_then(Value::as_str).filter(|s| !s.is_empty());
    let Some(Value::Array(packages)) = fields.get("packages") else {
        return Err(malformed("packages"));
    };
    let failed: Vec<Service> = match fields.get("errors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(errors)) => errors.iter().filter_map(|e| e.get("service").and_then(Value::as_str).and_then(Service::from_key)).collect(),
        Some(_) => return Err(malformed("errors")),
    };
    let filtered = fields.get("scope").and_then(|s| s.get("what")).and_then(Value::as_str).is_some_and(|what| what != "everything");
    let merged = packages.iter().any(|p| p.get("seen_in").and_then(Value::as_array).is_some_and(|tabs| tabs.len() > 1));
    let services: Vec<Service> = if filtered || merged { Vec::new() } else { Service::PACKAGES.into_iter().filter(|s| !failed.contains(s)).collect() };
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut of_origin: HashMap<Origin, usize> = HashMap::new();
    for (n, package) in packages.iter().enumerate() {
        let Value::Object(p) = package else {
            return Err(Refused::Malformed(format!("packages[{n}]")));
        };
        let text = |key: &str| p.get(key).and_then(Value::as_str);
        let (Some(service), Some(id), Some(name)) = (text("service"), text("id"), text("name")) else {
            return Err(Refused::Malformed(format!("packages[{n}]")));
        };
        let (Some(service), Some(status)) = (package_service(service), text("status").and_then(status_of)) else {
            continue;
        };
        let account = match (text("account").filter(|a| !a.is_empty()).or(tenant_text("domain")), tenant_text("project_id")) {
            (Some(domain), _) => account_key(Some(domain), ""),
            (None, Some(project_id)) => account_key(None, project_id),
            (None, None) => continue,
        };
        let place = text("region").filter(|r| !r.is_empty()).or(tenant_text("region")).unwrap_or_default().to_string();
        let point = Point {
            service,
            id: id.to_string(),
            name: text("label").filter(|l| !l.is_empty()).unwrap_or(name).to_string(),
            used: p.get("used").and_then(Value::as_f64),
            total: p.get("total").and_then(Value::as_f64),
            unit: text("unit").map(str::to_string),
            expires_at: text("expires_at").and_then(Instant::parse),
            status,
            renewal: text("renewal").and_then(Renewal::from_key),
        };
        let origin = Origin { account, place };
        match of_origin.get(&origin).and_then(|&i| snapshots.get_mut(i)) {
            Some(snapshot) => snapshot.points.push(point),
            None => {
                of_origin.insert(origin.clone(), snapshots.len());
                snapshots.push(Snapshot { at, origin, services: services.clone(), narrowed: Vec::new(), points: vec![point] });
            }
        }
    }
    if snapshots.is_empty() {
        Err(Refused::Empty)
    } else {
        Ok(snapshots)
    }
}

/// A package service by its key (a service this version does not know,
/// or one without packages, is none).
fn package_service(key: &str) -> Option<Service> {
    Service::PACKAGES.into_iter().find(|s| s.key() == key)
}

fn status_of(key: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.key() == key)
}

/// A whole number, also when it came as a float (a value handed over from
/// JavaScript).
fn integer(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
}

/// One stored point: `None` when it is not of the record's shape,
/// `Some(None)` when it is but names a service or status this version does
/// not know (left out). Cells after the ninth (a later version's) are ignored.
fn read_point(value: &Value) -> Option<Option<Point>> {
    let Value::Array(cells) = value else {
        return None;
    };
    let [service, id, name, used, total, unit, expires_at, status, renewal, ..] = cells.as_slice() else {
        return None;
    };
    let (service, id, name, status) = (service.as_str()?, id.as_str()?, name.as_str()?, status.as_str()?);
    let number = |v: &Value| match v {
        Value::Null => Some(None),
        Value::Number(n) => Some(n.as_f64()),
        _ => None,
    };
    fn text(v: &Value) -> Option<Option<&str>> {
        match v {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.as_str())),
            _ => None,
        }
    }
    let (used, total, unit, renewal) = (number(used)?, number(total)?, text(unit)?, text(renewal)?);
    let expires_at = match expires_at {
        Value::Null => None,
        at => Some(Instant::from_millis(integer(at)?)),
    };
    let (Some(service), Some(status)) = (package_service(service), status_of(status)) else {
        return Some(None);
    };
    Some(Some(Point {
        service,
        id: id.to_string(),
        name: name.to_string(),
        used,
        total,
        unit: unit.map(str::to_string),
        expires_at,
        status,
        renewal: renewal.and_then(Renewal::from_key),
    }))
}

/// A number, or `null` when absent or not finite.
fn json_number(out: &mut String, n: Option<f64>) {
    match n.filter(|n| n.is_finite()) {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => {
            let _ = write!(out, "{}", n as i64);
        }
        Some(n) => match serde_json::Number::from_f64(n) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push_str("null"),
        },
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::forecast::{Forecast, NoPace};
    use crate::domain::{Billed, Expiry, Thresholds};
    use crate::export::{BillingRead, Report, Scope, ServiceError, Tenant};

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);
    const HOUR: i64 = MIN_GAP_MS;

    fn origin(account: &str, place: &str) -> Origin {
        Origin { account: account.into(), place: place.into() }
    }

    fn hours_ago(h: i64) -> Instant {
        Instant::from_millis(NOW.millis() - h * HOUR)
    }

    fn point(service: Service, id: &str, used: Option<f64>, total: Option<f64>) -> Point {
        Point { service, id: id.into(), name: format!("name {id}"), used, total, unit: None, expires_at: None, status: Status::Active, renewal: None }
    }

    fn snapshot(at: Instant, services: &[Service], points: Vec<Point>) -> Snapshot {
        Snapshot { at, origin: origin("acme", "cn-north-4"), services: services.to_vec(), narrowed: Vec::new(), points }
    }

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).expect("the test's JSON parses")
    }

    #[test]
    fn the_account_is_the_domain_else_the_project() {
        assert_eq!(account_key(Some("acme"), "0b4a"), "acme");
        assert_eq!(account_key(Some(""), "0b4a"), "project:0b4a");
        assert_eq!(account_key(None, "0b4a"), "project:0b4a");
    }

    #[test]
    fn a_point_holds_the_label_billings_renewal_and_the_date() {
        let at = NOW.plus_days(40);
        let mut p = Package {
            used: Some(3.0),
            total: Some(10.0),
            unit: Some("GB".into()),
            expiry: Expiry::At(at),
            status: Status::Frozen,
            billed: Some(Billed { renewal: Some(Renewal::AutoRenew), ..Billed::default() }),
            ..Package::new(Service::Dsc, "d1", "dsc.code")
        };
        let point = Point::of(&p);
        assert_eq!(point.name, "dsc.code");
        assert_eq!((point.used, point.total, point.unit.as_deref()), (Some(3.0), Some(10.0), Some("GB")));
        assert_eq!((point.expires_at, point.status, point.renewal), (Some(at), Status::Frozen, Some(Renewal::AutoRenew)));
        p.label = Some("DSC Standard".into());
        p.expiry = Expiry::Never;
        let point = Point::of(&p);
        assert_eq!((point.name.as_str(), point.expires_at), ("DSC Standard", None));
        let snapshot = Snapshot::of(NOW, origin("acme", "cn-north-4"), [(Service::Hss, &[][..]), (Service::Dsc, std::slice::from_ref(&p))]);
        assert_eq!(snapshot.services, [Service::Hss, Service::Dsc]);
        assert_eq!(snapshot.points, [point]);
    }

    #[test]
    fn a_snapshot_holds_the_services_read_in_full_only() {
        let p = |service, id: &str| Package::new(service, id, "code");
        let loaded = |packages: Vec<Package>, total: Option<u64>| Loaded {
            packages: packages.into(),
            facts: None,
            total,
            paging: None,
            answers: Arc::new([]),
            received_at: NOW,
            stale: None,
        };
        let (h, m, d) = (Service::Hss, Service::Metastudio, Service::Dsc);
        let refused = crate::api::ApiError::Http { status: 503, error_code: None, error_msg: None, request_id: None };
        let states = [
            (h, Some(Ok(ServiceState::Loaded(loaded(vec![p(h, "h1"), p(h, "h2")], Some(2)))))),
            // Pages missing: two of the three it counts.
            (m, Some(Ok(ServiceState::Loaded(loaded(vec![p(m, "m1"), p(m, "m2")], Some(3)))))),
            // A refresh that failed shows the last good answers.
            (d, Some(Ok(ServiceState::Loaded(Loaded { stale: Some(refused.clone()), ..loaded(vec![p(d, "d1")], None) })))),
            (Service::Codecheck, Some(Err(refused))),
            (Service::Testplan, None),
        ];
        let snapshot = Snapshot::of_states(NOW, origin("acme", "cn-north-4"), &states);
        assert_eq!(snapshot.services, [h]);
        // The packages read in part are kept, for their pace; not the stale.
        assert_eq!(snapshot.points.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["h1", "h2", "m1", "m2"]);
        // So a page that failed this time is not read as packages gone.
        let read = |packages| Some(Ok(ServiceState::Loaded(loaded(packages, Some(3)))));
        let last = Snapshot::of_states(
            NOW,
            origin("acme", "cn-north-4"),
            &[(m, read(vec![p(m, "m1"), p(m, "m2"), p(m, "m3")])), (h, read(vec![p(h, "h1"), p(h, "h2"), p(h, "h3")]))],
        );
        let since = changes(&last, &snapshot, &Index::default());
        // HSS, read in full both times, is compared; MetaStudio is named.
        assert_eq!(since.lines.iter().map(|l| (l.id.as_str(), l.change.key())).collect::<Vec<_>>(), [("h3", "gone")]);
        assert_eq!(since.uncompared, [m], "read in full at one look only");
        assert_eq!(changes(&snapshot, &snapshot, &Index::default()).uncompared, []);
    }

    #[test]
    fn a_narrowed_reading_is_compared_only_with_another() {
        use crate::services::{hss, Facts};
        let h = Service::Hss;
        let p = |id: &str| Package::new(h, id, "quota");
        let refused = crate::api::ApiError::Http { status: 403, error_code: None, error_msg: None, request_id: None };
        let read = |ids: &[&str], reach: hss::Reach| {
            let facts = Some(Facts::Hss(hss::Reading { stats: None, scope: reach }));
            let state = ServiceState::Loaded(Loaded {
                facts,
                ..match loaded(ids.iter().map(|id| p(id)).collect()) {
                    ServiceState::Loaded(l) => l,
                    _ => unreachable!(),
                }
            });
            Snapshot::of_states(NOW, origin("acme", "cn-north-4"), &[(h, Some(Ok(state)))])
        };
        let whole = read(&["default", "other"], hss::Reach::AllProjects);
        let narrowed = read(&["default"], hss::Reach::DefaultOnly(refused));
        assert_eq!((narrowed.services.as_slice(), narrowed.narrowed.as_slice()), ([h].as_slice(), [h].as_slice()));
        assert_eq!(whole.narrowed, []);
        // The other enterprise project's quota is not gone, nor new after.
        for (last, now) in [(&whole, &narrowed), (&narrowed, &whole)] {
            let since = changes(last, now, &Index::default());
            assert_eq!((since.lines.len(), since.uncompared.as_slice()), (0, [h].as_slice()));
        }
        // Two narrowed looks are compared.
        let fewer = Snapshot { points: Vec::new(), ..narrowed.clone() };
        let since = changes(&narrowed, &fewer, &Index::default());
        assert_eq!((since.lines.iter().map(|l| l.change.key()).collect::<Vec<_>>(), since.uncompared), (vec!["gone"], vec![]));
        // The record keeps it; one written before the field reads as whole.
        let record: Value = serde_json::from_str(&narrowed.to_json()).unwrap();
        assert_eq!(Snapshot::from_json(&record).unwrap().narrowed, [h]);
        let old: Value = serde_json::from_str(&whole.to_json()).unwrap();
        assert!(old.get("narrowed").is_none());
        assert_eq!(Snapshot::from_json(&old).unwrap().narrowed, []);
        let wrong: Value = serde_json::from_str(&narrowed.to_json().replace(r#""narrowed":["hss"]"#, r#""narrowed":"hss""#)).unwrap();
        assert_eq!(Snapshot::from_json(&wrong), Err(Refused::Malformed("narrowed".into())));
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let mut full = point(Service::Hss, "af4d-\"quoted\"\\", Some(12.5), Some(100.0));
        full.name = "主机安全 \u{1}\n\"企业版\"".into();
        full.unit = Some("台".into());
        full.expires_at = Some(NOW.plus_days(3));
        full.status = Status::Expired;
        full.renewal = Some(Renewal::DeleteAfterRetention);
        let bare = point(Service::Testplan, "t1", None, None);
        let s = Snapshot {
            at: NOW,
            origin: origin("ácme \"co\"", "cn-north-4_finance"),
            services: vec![Service::Testplan, Service::Hss],
            narrowed: vec![Service::Hss],
            points: vec![full, bare],
        };
        let record = s.to_json();
        assert!(record.starts_with("{\"at\":1800000000000,\"account\":"), "{record}");
        assert!(record.contains("[\"testplan\",\"t1\",\"name t1\",null,null,null,null,\"active\",null]"), "{record}");
        assert_eq!(Snapshot::from_json(&parsed(&record)), Ok(s));
    }

    #[test]
    fn a_figure_that_is_not_a_number_is_stored_as_null() {
        let s = snapshot(NOW, &[Service::Dsc], vec![point(Service::Dsc, "d", Some(f64::NAN), Some(f64::INFINITY))]);
        let back = Snapshot::from_json(&parsed(&s.to_json())).unwrap();
        assert_eq!((back.points[0].used, back.points[0].total), (None, None));
    }

    #[test]
    fn what_a_newer_version_adds_is_left_out_not_refused() {
        let record = json!({
            "at": 1_800_000_000_000.0_f64, "account": "acme", "place": "cn-north-4", "services": ["hss", "newsvc", "iam"],
            "points": [
                ["newsvc", "n1", "new", 1, 2, null, null, "active", null],
                ["hss", "h1", "kept", 1, 2, null, 1_800_000_000_000_i64, "active", "renew_monthly", "a tenth cell"],
                ["hss", "h2", "odd status", 1, 2, null, null, "hibernating", null]
            ],
            "later": true
        });
        let s = Snapshot::from_json(&record).unwrap();
        assert_eq!(s.at, NOW, "an integral float is an instant");
        assert_eq!(s.services, [Service::Hss]);
        assert_eq!(s.points.len(), 1);
        assert_eq!((s.points[0].id.as_str(), s.points[0].renewal, s.points[0].expires_at), ("h1", None, Some(NOW)));
    }

    #[test]
    fn a_record_of_the_wrong_shape_is_malformed() {
        let good = json!({"at": 1, "account": "a", "place": "p", "services": [], "points": [["hss", "h", "n", null, null, null, null, "active", null]]});
        assert!(Snapshot::from_json(&good).is_ok());
        let broken = |key: &str, value: Value| {
            let mut record = good.clone();
            record[key] = value;
            Snapshot::from_json(&record)
        };
        let malformed = |what: &str| Err(Refused::Malformed(what.into()));
        assert_eq!(broken("at", json!("yesterday")), malformed("at"));
        assert_eq!(broken("at", json!(1.5)), malformed("at"));
        assert_eq!(broken("account", json!(null)), malformed("account"));
        assert_eq!(broken("services", json!("hss")), malformed("services"));
        assert_eq!(broken("services", json!([3])), malformed("services"));
        assert_eq!(broken("points", json!({})), malformed("points"));
        assert_eq!(broken("points", json!([["hss", "h", "n", "12", null, null, null, "active", null]])), malformed("points[0]"));
        assert_eq!(broken("points", json!([["hss", "h", "n", null, null, null, null, "active", null], ["hss", "h"]])), malformed("points[1]"));
        assert_eq!(broken("points", json!([["hss", "h", "n", null, null, null, "soon", "active", null]])), malformed("points[0]"));
        assert_eq!(Snapshot::from_json(&json!([1, 2])), malformed("record"));
    }

    #[test]
    fn due_once_an_hour_per_origin() {
        let here = origin("acme", "cn-north-4");
        let kept = |at: Instant, o: &Origin| Kept { origin: o.clone(), at, bytes: 1 };
        assert!(due(&[], &here, NOW));
        let just_before = Instant::from_millis(NOW.millis() - HOUR + 1);
        assert!(!due(&[kept(just_before, &here)], &here, NOW));
        assert!(!due(&[kept(NOW, &here)], &here, NOW));
        assert!(due(&[kept(hours_ago(1), &here)], &here, NOW), "an hour old exactly is old enough");
        assert!(due(&[kept(just_before, &origin("acme", "ap-southeast-1"))], &here, NOW), "another place's snapshot does not count");
        assert!(due(&[kept(Instant::from_millis(NOW.millis() + 60_000), &here)], &here, NOW), "one from the future does not block");
    }

    #[test]
    fn the_oldest_go_then_one_a_day_then_the_oldest_beyond_the_size() {
        let (a, b) = (origin("acme", "cn-north-4"), origin("acme", "ap-southeast-1"));
        let day = |d: i64, h: i64| Instant::from_millis(Date::new(2026, 1, 1).days_from_epoch() * MS_PER_DAY + d * MS_PER_DAY + h * HOUR);
        let now = day(500, 12);
        let kept = vec![
            Kept { origin: a.clone(), at: day(99, 23), bytes: 10 }, // 0: 401 days old
            Kept { origin: a.clone(), at: day(101, 3), bytes: 10 }, // 1: thinned, 3 is later that day
            Kept { origin: a.clone(), at: day(101, 1), bytes: 10 }, // 2: thinned
            Kept { origin: a.clone(), at: day(101, 9), bytes: 10 }, // 3: the last of its day
            Kept { origin: b.clone(), at: day(101, 2), bytes: 10 }, // 4: another origin's day
            Kept { origin: a.clone(), at: day(102, 0), bytes: 10 }, // 5: the next day
            Kept { origin: a.clone(), at: day(490, 1), bytes: 10 }, // 6: recent: all kept
            Kept { origin: a.clone(), at: day(490, 2), bytes: 10 }, // 7
        ];
        let mut dropped = to_drop(&kept, now, u64::MAX);
        dropped.sort_unstable();
        assert_eq!(dropped, [0, 1, 2]);
        // Five remain (50 bytes); 30 fit: the two oldest of them go, 4 then 3.
        let mut dropped = to_drop(&kept, now, 30);
        dropped.sort_unstable();
        assert_eq!(dropped, [0, 1, 2, 3, 4]);
        assert_eq!(to_drop(&kept, now, 0).len(), kept.len());
        assert!(to_drop(&[], now, 0).is_empty());
    }

    #[test]
    fn the_last_look_is_at_least_an_hour_old() {
        let here = origin("acme", "cn-north-4");
        let elsewhere = Snapshot { origin: origin("acme", "ap-southeast-1"), ..snapshot(hours_ago(2), &[], Vec::new()) };
        let snapshots = vec![snapshot(hours_ago(30), &[], Vec::new()), snapshot(hours_ago(3), &[], Vec::new()), elsewhere, snapshot(NOW, &[], Vec::new())];
        assert_eq!(last_look(&snapshots, &here, NOW).map(|s| s.at), Some(hours_ago(3)));
        assert_eq!(last_look(&snapshots, &here, hours_ago(4)).map(|s| s.at), Some(hours_ago(30)));
        assert_eq!(last_look(&snapshots, &here, hours_ago(30)), None);
        assert_eq!(last_look(&snapshots, &origin("other", "cn-north-4"), NOW), None);
    }

    #[test]
    fn the_index_orders_readings_one_an_instant() {
        let p = |used| vec![point(Service::Testplan, "t", used, Some(10.0))];
        let snapshots = vec![
            snapshot(hours_ago(5), &[], p(Some(5.0))),
            snapshot(hours_ago(9), &[], p(Some(1.0))),
            snapshot(hours_ago(7), &[], p(None)),
            snapshot(hours_ago(6), &[], p(Some(f64::NAN))),
            Snapshot { origin: origin("acme", "ap-southeast-1"), ..snapshot(hours_ago(5), &[], p(Some(6.0))) },
        ];
        let index = Index::new(&snapshots);
        assert_eq!(index.readings(Service::Testplan, "t"), [(hours_ago(9), 1.0), (hours_ago(5), 6.0)]);
        assert!(index.readings(Service::Hss, "t").is_empty());
    }

    fn loaded(packages: Vec<Package>) -> ServiceState {
        ServiceState::Loaded(Loaded { packages: packages.into(), facts: None, total: None, paging: None, answers: Arc::new([]), received_at: NOW, stale: None })
    }

    #[test]
    fn a_growing_package_gets_its_run_out_date() {
        // 10 a day for five days, 50 used now of 100: five days more.
        let snapshots: Vec<Snapshot> = (1..=5)
            .map(|d| snapshot(NOW.plus_days(-d), &[Service::Testplan], vec![point(Service::Testplan, "t", Some(50.0 - 10.0 * d as f64), Some(100.0))]))
            .chain([snapshot(NOW.plus_days(1), &[], vec![point(Service::Testplan, "t", Some(99.0), Some(100.0))])])
            .collect();
        let index = Index::new(&snapshots);
        let growing = Package { used: Some(50.0), total: Some(100.0), ..Package::new(Service::Testplan, "t", "plan") };
        let no_total = Package { used: Some(50.0), ..Package::new(Service::Testplan, "u", "plan") };
        let two_units = Package { used: Some(50.0), total: Some(100.0), used_unit: Some("count".into()), ..Package::new(Service::Testplan, "t", "plan") };
        let fresh = Package { used: Some(1.0), total: Some(100.0), ..Package::new(Service::Testplan, "new", "plan") };
        // Expired: its figures are history, and nothing runs out.
        let lapsed = Package { status: Status::Expired, ..growing.clone() };
        let ServiceState::Loaded(laid) = index.lay(loaded(vec![growing, no_total, two_units, fresh, lapsed]), NOW) else {
            panic!("still loaded");
        };
        let trend = laid.packages[0].trend.as_ref().expect("a trend");
        assert_eq!(trend.readings.len(), 6, "five before now, now last; the later one left out");
        assert_eq!(trend.readings.last(), Some(&(NOW, 50.0)));
        assert_eq!(trend.forecast.runs_out_at(), Some(NOW.plus_days(5)));
        assert_eq!(laid.packages[1].trend, None);
        assert_eq!(laid.packages[2].trend, None);
        let fresh = laid.packages[3].trend.as_ref().expect("a trend of one reading");
        assert_eq!(fresh.forecast, Forecast::Unknown(NoPace::OnePoint));
        assert_eq!(laid.packages[4].trend, None);
        assert_eq!(index.lay(ServiceState::Waiting, NOW), ServiceState::Waiting);
    }

    fn kinds(changes: &Changes) -> Vec<(&str, &'static str)> {
        changes.lines.iter().map(|l| (l.id.as_str(), l.change.key())).collect()
    }

    #[test]
    fn changes_of_each_kind_in_order() {
        let then = NOW.plus_days(-2);
        let dated = |id: &str, at: Option<Instant>, status: Status| Point { expires_at: at, status, ..point(Service::Hss, id, None, None) };
        let both = [Service::Hss, Service::Testplan, Service::Dsc];
        let last = snapshot(
            then,
            &both,
            vec![
                dated("renewed", Some(NOW.plus_days(10)), Status::Active),
                dated("nudged", Some(NOW.plus_days(10)), Status::Active),
                dated("lapsed", Some(NOW.plus_days(-1)), Status::Active),
                dated("was-expired", Some(NOW.plus_days(-5)), Status::Active),
                dated("frozen", None, Status::Active),
                dated("still-frozen", None, Status::Frozen),
                dated("b-gone", None, Status::Active),
                dated("a-gone", None, Status::Active),
                point(Service::Testplan, "jump", Some(10.0), Some(100.0)),
                point(Service::Testplan, "creep", Some(10.0), Some(100.0)),
                point(Service::Testplan, "no-total", Some(10.0), None),
                point(Service::Dsc, "dsc-gone", None, None),
            ],
        );
        let now = snapshot(
            NOW,
            &both,
            vec![
                dated("renewed", Some(NOW.plus_days(375)), Status::Active),
                dated("nudged", Some(NOW.plus_days(10).plus_days(1)), Status::Active),
                dated("lapsed", Some(NOW.plus_days(-1)), Status::Active),
                dated("was-expired", Some(NOW.plus_days(-5)), Status::Expired),
                dated("frozen", None, Status::Frozen),
                dated("still-frozen", None, Status::Frozen),
                point(Service::Testplan, "jump", Some(40.0), Some(100.0)),
                point(Service::Testplan, "creep", Some(30.0), Some(100.0)),
                point(Service::Testplan, "no-total", Some(1000.0), None),
                dated("new", None, Status::Active),
                Point { service: Service::Dsc, ..point(Service::Dsc, "dsc-new", None, None) },
            ],
        );
        let changes = changes(&last, &now, &Index::default());
        assert_eq!(changes.since, then);
        assert_eq!(
            kinds(&changes),
            [
                // By service (DSC before HSS, the catalogue's order), then name.
                ("dsc-new", "added"),
                ("new", "added"),
                ("dsc-gone", "gone"),
                ("a-gone", "gone"),
                ("b-gone", "gone"),
                ("renewed", "renewed"),
                ("lapsed", "expired"),
                ("frozen", "attention"),
                ("jump", "jumped"),
            ]
        );
        let line = |id: &str| changes.lines.iter().find(|l| l.id == id).map(|l| &l.change);
        assert_eq!(line("renewed"), Some(&Change::Renewed { from: Some(NOW.plus_days(10)), to: NOW.plus_days(375) }));
        assert_eq!(line("frozen"), Some(&Change::Attention(Status::Frozen)));
        assert_eq!(line("jump"), Some(&Change::Jumped { from: 10.0, to: 40.0, usual_per_day: None }));
        assert_eq!(changes.lines.iter().find(|l| l.id == "a-gone").map(|l| l.name.as_str()), Some("name a-gone"));
    }

    #[test]
    fn a_service_read_on_one_side_only_is_not_compared() {
        let last = snapshot(NOW.plus_days(-1), &[Service::Hss, Service::Dsc], vec![point(Service::Hss, "h", None, None), point(Service::Dsc, "d", None, None)]);
        // DSC failed now: its package is not gone; TestPlan was not read then: nothing is new.
        let now = snapshot(NOW, &[Service::Hss, Service::Testplan], vec![point(Service::Testplan, "t", None, None)]);
        assert_eq!(kinds(&changes(&last, &now, &Index::default())), [("h", "gone")]);
    }

    #[test]
    fn a_jump_is_measured_against_the_usual_pace() {
        // 1 a day for ten days up to the last look, 100 in total.
        let last_at = NOW.plus_days(-2);
        let history: Vec<Snapshot> =
            (0..=10).map(|d| snapshot(last_at.plus_days(-d), &[], vec![point(Service::Testplan, "t", Some(50.0 - d as f64), Some(100.0))])).collect();
        let index = Index::new(&history);
        let last = snapshot(last_at, &[Service::Testplan], vec![point(Service::Testplan, "t", Some(50.0), Some(100.0))]);
        let now_at = |used| snapshot(NOW, &[Service::Testplan], vec![point(Service::Testplan, "t", Some(used), Some(100.0))]);
        // Two days at twice 1 a day, plus 1% of 100: 5 is allowed.
        assert!(changes(&last, &now_at(55.0), &index).lines.is_empty());
        let jumped = changes(&last, &now_at(55.5), &index);
        match jumped.lines.as_slice() {
            [Line { change: Change::Jumped { from, to, usual_per_day: Some(usual) }, .. }] => {
                assert_eq!((*from, *to), (50.0, 55.5));
                assert!((usual - 1.0).abs() < 1e-9, "{usual}");
            }
            other => panic!("{other:?}"),
        }
        // Without a usual pace, a quarter of the total.
        let empty = Index::default();
        assert!(changes(&last, &now_at(74.0), &empty).lines.is_empty());
        assert_eq!(kinds(&changes(&last, &now_at(75.0), &empty)), [("t", "jumped")]);
        // Less used is no jump.
        assert!(changes(&last, &now_at(1.0), &index).lines.is_empty());
    }

    /// A v4 export of `packages` by the export module itself.
    fn v4_export(tenant: &Tenant, packages: &[Package], errors: &[ServiceError], scope: &Scope) -> Value {
        let billing = BillingRead { read: true, error: None };
        let report = Report {
            generated_at: NOW,
            tenant,
            tenant_of: &[],
            seen_in: &[],
            billing: &billing,
            thresholds: Thresholds::default(),
            packages,
            errors,
            scope,
            since: None,
        };
        parsed(&report.to_json())
    }

    fn acme() -> Tenant {
        Tenant { domain: Some("acme".into()), region: Some("cn-north-4".into()), project_id: Some("0b4a".into()), ..Tenant::default() }
    }

    #[test]
    fn a_v4_export_is_one_snapshot_as_a_live_tab_takes_it() {
        let hss = Package {
            used: Some(2.0),
            total: Some(8.0),
            unit: Some("GB".into()),
            status: Status::Active,
            label: Some("主机安全".into()),
            expiry: Expiry::At(Instant::from_millis(1_810_000_000_000)),
            billed: Some(Billed { renewal: Some(Renewal::AutoRenew), ..Billed::default() }),
            ..Package::new(Service::Hss, "h1", "hss.version.enterprise")
        };
        let dsc = Package { status: Status::Expired, ..Package::new(Service::Dsc, "d1", "dsc") };
        let error = ServiceError { service: Service::Metastudio, http_status: Some(403), error_code: None, error_msg: None, request_id: None, kept_from: None };
        let file = v4_export(&acme(), &[hss.clone(), dsc.clone()], &[error], &Scope::Everything);
        let snapshots = import(&file).unwrap();
        let live = Snapshot::of(NOW, origin(&account_key(Some("acme"), "0b4a"), "cn-north-4"), [(Service::Hss, &[hss][..]), (Service::Dsc, &[dsc][..])]);
        assert_eq!(snapshots.len(), 1);
        assert_eq!(snapshots[0].origin, live.origin);
        assert_eq!(snapshots[0].at, NOW);
        assert_eq!(snapshots[0].points, live.points);
        assert_eq!(snapshots[0].services, [Service::Testplan, Service::Codecheck, Service::Dsc, Service::Hss], "all but the failed one");
    }

    #[test]
    fn access_keys_export_under_the_project() {
        let tenant = Tenant { domain: None, ..acme() };
        let file = v4_export(&tenant, &[Package::new(Service::Hss, "h1", "hss")], &[], &Scope::Everything);
        let snapshots = import(&file).unwrap();
        assert_eq!(snapshots[0].origin, origin(&account_key(None, "0b4a"), "cn-north-4"));
        let nobody = Tenant { domain: None, project_id: None, ..acme() };
        assert_eq!(import(&v4_export(&nobody, &[Package::new(Service::Hss, "h1", "hss")], &[], &Scope::Everything)), Err(Refused::Empty));
    }

    #[test]
    fn a_filtered_export_compares_no_service() {
        let scope = Scope::Shown { filters: "service=hss".into() };
        let snapshots = import(&v4_export(&acme(), &[Package::new(Service::Hss, "h1", "hss")], &[], &scope)).unwrap();
        assert!(snapshots[0].services.is_empty());
        assert_eq!(snapshots[0].points.len(), 1, "its figures still count");
    }

    #[test]
    fn a_v1_export_is_read() {
        let file = json!({
            "schema": "tenantscope.export.v1",
            "generated_at": "2027-01-15T08:00:00Z",
            "tenant": { "domain": "northwind", "user": "ops", "region": "cn-north-4", "project_id": "0b4a", "codearts_project_id": null },
            "thresholds_days": { "critical": 7, "warning": 30 },
            "packages": [
                { "service": "testplan", "id": "t1", "name": "testplan.basic", "status": "active", "raw_status": "1", "used": 37, "total": 50,
                  "unit": "seats", "in_use": null, "starts_at": null, "expires_at": "2027-03-01T00:00:00Z", "urgency": "ok" },
                { "service": "quantum", "id": "q1", "name": "later service", "status": "active", "used": null, "total": null },
                { "service": "dsc", "id": "d1", "name": "dsc.std", "status": "expired", "raw_status": null, "used": null, "total": null,
                  "unit": null, "in_use": null, "starts_at": null, "expires_at": null, "urgency": "expired" }
            ],
            "errors": [{ "service": "hss", "http_status": 500, "error_code": null, "error_msg": "x", "request_id": null }]
        });
        let snapshots = import(&file).unwrap();
        assert_eq!(snapshots.len(), 1);
        let s = &snapshots[0];
        assert_eq!(s.origin, origin("northwind", "cn-north-4"));
        assert_eq!(s.at, Instant::parse("2027-01-15T08:00:00Z").unwrap());
        assert_eq!(s.services, [Service::Testplan, Service::Codecheck, Service::Metastudio, Service::Dsc]);
        assert_eq!(s.points.len(), 2);
        let t = &s.points[0];
        assert_eq!((t.name.as_str(), t.used, t.total, t.unit.as_deref()), ("testplan.basic", Some(37.0), Some(50.0), Some("seats")));
        assert_eq!(t.expires_at, Instant::parse("2027-03-01T00:00:00Z"));
        assert_eq!((s.points[1].id.as_str(), s.points[1].status), ("d1", Status::Expired));
    }

    #[test]
    fn an_export_across_tabs_is_one_snapshot_per_account_and_place() {
        let package = |id: &str, region: &str, account: Value, seen_in: Value| {
            json!({ "service": "hss", "id": id, "name": "hss", "status": "active", "used": null, "total": null,
                    "region": region, "account": account, "seen_in": seen_in })
        };
        let file = |seen: Value| {
            json!({
                "schema": "tenantscope.export.v4", "generated_at": "2027-01-15T08:00:00Z",
                "tenant": { "domain": null, "region": null, "project_id": null },
                "packages": [
                    package("a", "cn-north-4", json!("acme"), json!(["1. acme · cn-north-4"])),
                    package("b", "ap-southeast-1", json!("acme"), seen),
                    package("c", "cn-north-4", json!("globex"), json!(["3. globex · cn-north-4"])),
                    package("d", "cn-north-4", json!(null), json!(["4. cn-north-4"])),
                    package("e", "cn-north-4", json!("acme"), json!(["1. acme · cn-north-4"]))
                ],
                "errors": [], "scope": { "what": "everything", "filters": null }
            })
        };
        let snapshots = import(&file(json!(["2. acme · ap-southeast-1"]))).unwrap();
        let found: Vec<(Origin, Vec<&str>)> = snapshots.iter().map(|s| (s.origin.clone(), s.points.iter().map(|p| p.id.as_str()).collect())).collect();
        assert_eq!(
            found,
            [(origin("acme", "cn-north-4"), vec!["a", "e"]), (origin("acme", "ap-southeast-1"), vec!["b"]), (origin("globex", "cn-north-4"), vec!["c"]),],
            "a package with no account and no project id is left out"
        );
        assert!(snapshots.iter().all(|s| s.services.len() == Service::PACKAGES.len()));
        // A package seen in two tabs names only the first one's region.
        let merged = import(&file(json!(["2. acme · ap-southeast-1", "1. acme · cn-north-4"]))).unwrap();
        assert!(merged.iter().all(|s| s.services.is_empty()));
    }

    #[test]
    fn a_history_file_reads_back() {
        let a = snapshot(hours_ago(30), &[Service::Hss], vec![point(Service::Hss, "h", Some(1.0), Some(4.0))]);
        let b = Snapshot { origin: origin("project:0b4a", "cn-north-4_finance"), ..snapshot(NOW, &[], vec![point(Service::Dsc, "d", None, None)]) };
        let text = file(&[a.clone(), b.clone()], NOW);
        let value = parsed(&text);
        assert_eq!(value["schema"], HISTORY_SCHEMA);
        assert_eq!(value["generated_at"], NOW.rfc3339());
        assert_eq!(import(&value), Ok(vec![a, b]));
    }

    #[test]
    fn what_is_not_ours_or_broken_is_refused() {
        assert_eq!(import(&json!([1, 2])), Err(Refused::NotOurs));
        assert_eq!(import(&json!({"packages": []})), Err(Refused::NotOurs));
        assert_eq!(import(&json!({"schema": "other.v1"})), Err(Refused::NotOurs));
        assert_eq!(import(&json!({"schema": 4})), Err(Refused::NotOurs));
        assert_eq!(import(&json!({"schema": "tenantscope.export.v9"})), Err(Refused::UnknownSchema("tenantscope.export.v9".into())));
        assert_eq!(import(&json!({"schema": "tenantscope.history.v2", "snapshots": []})), Err(Refused::UnknownSchema("tenantscope.history.v2".into())));
        let good = snapshot(NOW, &[], Vec::new()).to_json();
        let history = format!("{{\"schema\":\"{HISTORY_SCHEMA}\",\"snapshots\":[{good},{{\"at\":\"now\"}},{good}]}}");
        assert_eq!(import(&parsed(&history)), Err(Refused::Malformed("snapshots[1].at".into())));
        let history = format!("{{\"schema\":\"{HISTORY_SCHEMA}\",\"snapshots\":[{good},7]}}");
        assert_eq!(import(&parsed(&history)), Err(Refused::Malformed("snapshots[1]".into())));
        assert_eq!(import(&json!({"schema": HISTORY_SCHEMA, "snapshots": []})), Err(Refused::Empty));
        assert_eq!(import(&json!({"schema": HISTORY_SCHEMA})), Err(Refused::Malformed("snapshots".into())));
        let export = |packages: Value| json!({"schema": "tenantscope.export.v3", "generated_at": "2027-01-15T08:00:00Z", "tenant": null, "packages": packages});
        assert_eq!(import(&export(json!([]))), Err(Refused::Empty));
        assert_eq!(import(&export(json!("none"))), Err(Refused::Malformed("packages".into())));
        assert_eq!(import(&export(json!([{"service": "hss"}]))), Err(Refused::Malformed("packages[0]".into())));
        let undated = json!({"schema": "tenantscope.export.v2", "generated_at": "soon", "packages": []});
        assert_eq!(import(&undated), Err(Refused::Malformed("generated_at".into())));
    }

    #[test]
    fn a_tab_reads_a_reading_a_quarter_day_and_its_last_look() {
        let here = Origin { account: "acme".into(), place: "cn-north-4".into() };
        let there = Origin { account: "acme".into(), place: "cn-east-3".into() };
        let other = Origin { account: "globex".into(), place: "cn-north-4".into() };
        let now = Instant::from_millis(1_800_000_000_000 - 1_800_000_000_000 % READ_GAP_MS + 3 * 3_600_000);
        let at = |hours: i64| Instant::from_millis(now.millis() - hours * 3_600_000);
        let kept = |origin: &Origin, hours: i64| Kept { origin: origin.clone(), at: at(hours), bytes: 1 };
        // Hourly for two days here, one look there, another account's, and
        // a last look of this place 40 days back.
        let mut list: Vec<Kept> = (0..48).map(|h| kept(&here, h)).collect();
        list.extend([kept(&there, 5), kept(&other, 1), kept(&here, 40 * 24)]);
        let from = Instant::from_millis(now.millis() - 31 * MS_PER_DAY);
        let read = to_read(&list, &here, from, now);
        let hours: Vec<i64> = read.iter().map(|&i| (now.millis() - list[i].at.millis()) / 3_600_000).collect();
        // The latest of each quarter day here (now is 3 h into one), the
        // other place's look among them, and the last look (an hour back).
        assert_eq!(hours, [46, 40, 34, 28, 22, 16, 10, 5, 4, 1, 0]);
        assert!(read.iter().all(|&i| list[i].origin.account == "acme"));
        // A last look before the window is read too.
        assert_eq!(to_read(&[kept(&here, 40 * 24), kept(&here, 0)], &here, from, now), [0, 1]);
        assert_eq!(to_read(&[kept(&here, 0)], &here, from, now), [0]);
    }
}
