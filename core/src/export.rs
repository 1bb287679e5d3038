//! The three exports of what a session loaded (everything, or what the
//! filters show): JSON (the stable `tenantscope.export.v5` format,
//! documented in docs/exports.md: v1's fields, then those added
//! in v2, v3, v4 and v5), CSV with the same package columns for people in a
//! spreadsheet (in the order they read them, under readable headers, keys
//! in the page's English words, dates a spreadsheet reads), and an
//! iCalendar file of the coming dates: one event per service, day and what
//! happens then (expires, renews automatically, or CodeArts Check's next
//! step), with reminders only for what lapses.
//!
//! Across tabs each package is in the file once ([`crate::domain::across`]),
//! its `seen_in` naming every tab that read it; an export of one tab has
//! `seen_in` null (an empty CSV cell). No credential is ever written: a
//! tab's account key (an access key ID) is not an export field.
//!
//! Pure text building, tested natively. JSON is written by hand rather than
//! with serde's `Serialize`: the format is small and fixed, and the derive
//! plus serializer cost the wasm bundle more than this module does.

use std::fmt::Write as _;

use tenantscope_catalog::Service;

use crate::domain::json;
use crate::domain::overview::{warnings, Relative, Warning};
use crate::domain::{Attention, BillingStatus, Instant, Lifecycle, NextAction, Package, Period, PeriodUnit, Renewal, Source, Status, Thresholds, Urgency};
use crate::history::{Change, Changes};
use crate::services::bss::BillingState;

/// The `schema` value of every JSON export in this format. v1's promise
/// stands: fields are only ever added under a new value.
pub const JSON_SCHEMA: &str = "tenantscope.export.v5";

/// The package columns of the JSON objects, in order: v1's twelve, then
/// v2's, v3's and v4's. The CSV has the same columns in another order
/// ([`CSV_COLUMNS`]).
pub const COLUMNS: [&str; 43] = [
    "service",
    "id",
    "name",
    "status",
    "raw_status",
    "used",
    "total",
    "unit",
    "in_use",
    "starts_at",
    "expires_at",
    "urgency",
    // v2
    "label",
    "category",
    "enterprise_project",
    "host",
    "host_id",
    "billing_mode",
    "lifecycle",
    "next_action",
    "next_action_at",
    "period",
    "source",
    "owner_tenant",
    "cross_tenant",
    "has_license",
    "quantity",
    "run_time",
    "used_unit",
    "shared_quota",
    "tags",
    "parent",
    "renew_url",
    "attention",
    // v3
    "days_left",
    "region",
    "account",
    // v4
    "renewal",
    "expires_from",
    "billing_status",
    "seen_in",
    // v5
    "runs_out_at",
    "pace_per_day",
];

/// The CSV's columns in the order people read them, each a JSON key of
/// [`COLUMNS`] (every one exactly once: checked when the crate compiles)
/// and its header: what the package is and where, its state
/// and date, its usage, then the details, and the codes and IDs last. The
/// JSON keeps [`COLUMNS`]' order and keys.
pub const CSV_COLUMNS: [(&str, &str); COLUMNS.len()] = [
    ("service", "Service"),
    ("label", "Name"),
    ("region", "Region"),
    ("account", "Account"),
    ("status", "Status"),
    ("urgency", "Urgency"),
    ("expires_at", "Expires (UTC)"),
    ("days_left", "Days left"),
    ("renewal", "Renewal"),
    ("used", "Used"),
    ("total", "Total"),
    ("unit", "Unit"),
    ("used_unit", "Used unit"),
    ("runs_out_at", "Runs out around (UTC)"),
    ("pace_per_day", "Used per day"),
    ("in_use", "In use"),
    ("host", "Host"),
    ("attention", "Frozen or closed"),
    ("next_action", "Next action"),
    ("next_action_at", "Next action at (UTC)"),
    ("lifecycle", "Lifecycle stage"),
    ("billing_status", "Billing status"),
    ("expires_from", "Expiry from"),
    ("starts_at", "Starts (UTC)"),
    ("billing_mode", "Billing mode"),
    ("period", "Period"),
    ("quantity", "Quantity bought"),
    ("run_time", "Check time this month"),
    ("category", "Category"),
    ("enterprise_project", "Enterprise project"),
    ("tags", "Tags"),
    ("shared_quota", "Shared quota"),
    ("source", "Source"),
    ("parent", "Part of"),
    ("owner_tenant", "Owner tenant"),
    ("cross_tenant", "Shared across tenants"),
    ("has_license", "Has licence"),
    ("renew_url", "Renew link"),
    ("seen_in", "Seen in"),
    ("id", "Resource ID"),
    ("name", "Name (code)"),
    ("raw_status", "Status as reported"),
    ("host_id", "Host ID"),
];

/// The CSV's header row, [`CSV_COLUMNS`]' headers: for people reading it
/// in a spreadsheet (the JSON keeps the stable keys). Times are UTC, as
/// `YYYY-MM-DD HH:MM:SS`, which spreadsheets read as dates.
pub const CSV_HEADERS: [&str; COLUMNS.len()] = {
    let mut headers = [""; COLUMNS.len()];
    let mut i = 0;
    while i < headers.len() {
        headers[i] = CSV_COLUMNS[i].1;
        i += 1;
    }
    headers
};

/// Each CSV column's place in a row ([`COLUMNS`] order). Made when the
/// crate compiles, which fails if a CSV column is not a JSON key or names
/// one twice (41 distinct keys of 41: none is missing).
const CSV_ORDER: [usize; COLUMNS.len()] = {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut order = [0; COLUMNS.len()];
    let mut taken = [false; COLUMNS.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = 0;
        while j < COLUMNS.len() && !same(CSV_COLUMNS[i].0, COLUMNS[j]) {
            j += 1;
        }
        assert!(j < COLUMNS.len(), "a CSV column that is not a JSON key");
        assert!(!taken[j], "a JSON key twice among the CSV columns");
        taken[j] = true;
        order[i] = j;
        i += 1;
    }
    order
};

/// What an export holds: everything loaded, or what the filters show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Everything,
    /// The packages the view's filters keep; `filters` is the view's URL
    /// hash (`service=hss&urgency=critical`), which restores it.
    Shown { filters: String },
}

/// Whose packages these are. Never holds a credential.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tenant {
    pub domain: Option<String>,
    pub user: Option<String>,
    pub region: Option<String>,
    pub project_id: Option<String>,
    pub codearts_project_id: Option<String>,
}

/// A service that failed to load, as the export reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceError {
    pub service: Service,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub request_id: Option<String>,
    /// When a refresh failed and the packages exported for this service are
    /// the last good ones: when those were received.
    pub kept_from: Option<Instant>,
}

impl Tenant {
    /// What every one of `tenants` shares (the export across tabs names
    /// these once; a value that differs is left out, each package naming
    /// its own region and account).
    pub fn common(tenants: &[&Tenant]) -> Tenant {
        let same = |f: fn(&Tenant) -> &Option<String>| {
            let first = tenants.first().map(|t| f(t).clone()).unwrap_or_default();
            first.filter(|v| tenants.iter().all(|t| f(t).as_ref() == Some(v)))
        };
        Tenant {
            domain: same(|t| &t.domain),
            user: same(|t| &t.user),
            region: same(|t| &t.region),
            project_id: same(|t| &t.project_id),
            codearts_project_id: same(|t| &t.codearts_project_id),
        }
    }
}

/// Whether billing's word is in the export: `read` only when every tab
/// exported had its billing read; `error` what failed (across tabs, each
/// failure after its tab's region or subproject, as `errors` name them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillingRead {
    pub read: bool,
    pub error: Option<String>,
}

impl BillingRead {
    /// Of the tabs exported: each one's billing reading and, across tabs,
    /// its place (region or subproject) to name a failure by. Read only
    /// when there is a tab and every one was read; the failures in tab
    /// order, `; ` between them.
    pub fn of<'a>(tabs: impl IntoIterator<Item = (Option<&'a str>, &'a BillingState)>) -> BillingRead {
        let (mut any, mut read, mut failed) = (false, true, Vec::new());
        for (place, state) in tabs {
            any = true;
            match state {
                BillingState::Read(_) => {}
                BillingState::Waiting => read = false,
                // The last reading is exported, its failed refresh said.
                BillingState::Failed(error) | BillingState::Stale(_, error) => {
                    read = false;
                    failed.push(match place {
                        Some(place) => format!("{place}: {}", error.summary()),
                        None => error.summary(),
                    });
                }
            }
        }
        BillingRead { read: read && any, error: (!failed.is_empty()).then(|| failed.join("; ")) }
    }
}

/// Everything one export holds.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    pub generated_at: Instant,
    /// Whose packages these are (across tabs: what they share).
    pub tenant: &'a Tenant,
    /// Across tabs, by package index: whose package each is, for its region
    /// and account; empty when every package is [`Self::tenant`]'s.
    pub tenant_of: &'a [&'a Tenant],
    /// Across tabs, by package index: the tabs it was seen in, as the tab
    /// bar names them; empty in an export of one tab (`seen_in` null).
    pub seen_in: &'a [Vec<String>],
    /// Whether billing was read for the packages.
    pub billing: &'a BillingRead,
    pub thresholds: Thresholds,
    pub packages: &'a [Package],
    pub errors: &'a [ServiceError],
    pub scope: &'a Scope,
    /// What changed since the last look, for an export of one tab whose
    /// account and place were looked at before.
    pub since: Option<&'a Changes>,
}

/// `tenantscope-20261122-084317Z.json`: sortable, and safe on every file system.
pub fn file_name(at: Instant, extension: &str) -> String {
    format!("tenantscope-{}.{extension}", basic_datetime(at).replace('T', "-"))
}

/// `20261122T084317Z`, the iCalendar UTC form.
fn basic_datetime(at: Instant) -> String {
    at.rfc3339().replace(['-', ':'], "")
}

/// One value of a package row: `None` is absent (`null` in JSON, an empty
/// CSV cell).
enum Cell {
    Text(Option<String>),
    /// An instant: RFC 3339 in JSON, `YYYY-MM-DD HH:MM:SS` (UTC) in CSV.
    Time(Option<Instant>),
    Number(Option<f64>),
    Flag(Option<bool>),
    /// Texts: an array in JSON, joined by [`LIST_SEPARATOR`] in CSV.
    List(Option<Vec<String>>),
    /// A stable key in JSON, words in CSV ([`Word::csv_words`]).
    Word(Option<Word>),
    /// The readable name in English (JSON `label`, `null` without one); in
    /// CSV, as on the page, the code (the second) when there is no other.
    Name(Option<String>, String),
}

/// A value the JSON gives as a stable key and the CSV in the words the
/// page's English uses for it (`critical` is "Expires within 7 days").
/// The CSV is in English like its headers, whatever the page's language:
/// these are not the i18n texts, which follow the language shown.
enum Word {
    Service(Service),
    Status(Status),
    Urgency(Urgency),
    /// As the service names it; the modes the page words, in its words.
    BillingMode(String),
    Lifecycle(Lifecycle),
    NextAction(NextAction),
    Period(Period),
    Source(Source),
    /// MetaStudio's business type, Check's and DSC's resource type.
    Category(String),
    /// HSS `shared_quota`.
    Shared(String),
    Attention(Attention),
    Renewal(Renewal),
    BillingStatus(BillingStatus),
}

impl Word {
    /// The JSON's key, as `tenantscope.export.v5` documents it.
    fn key(&self) -> String {
        match self {
            Word::Service(service) => service.key().into(),
            Word::Status(status) => status.key().into(),
            Word::Urgency(urgency) => urgency.key().into(),
            Word::BillingMode(raw) | Word::Category(raw) | Word::Shared(raw) => raw.clone(),
            Word::Lifecycle(stage) => stage.key(),
            Word::NextAction(action) => action.key(),
            Word::Period(period) => {
                let n = period.count.unwrap_or(1);
                match period.unit {
                    PeriodUnit::Month => format!("{n} month"),
                    PeriodUnit::Year => format!("{n} year"),
                    PeriodUnit::Other(code) => format!("{n} type-{code}"),
                }
            }
            Word::Source(source) => source.key(),
            Word::Attention(Attention::Frozen) => "frozen".into(),
            Word::Attention(Attention::Closed) => "closed".into(),
            Word::Renewal(renewal) => renewal.key().into(),
            Word::BillingStatus(status) => status.key(),
        }
    }

    /// The words the page's English uses (`src/format/`: the urgency as the
    /// filter and the table say it, with the report's thresholds, billing's
    /// policy and status, Check's stage and next step...); a code the page
    /// shows as it came stays as it came. Where the page has one word for
    /// undocumented codes, the code follows it, so that nothing is lost.
    fn csv_words(&self, thresholds: Thresholds) -> String {
        let days = |n: u32| if n == 1 { "1 day".to_string() } else { format!("{n} days") };
        let word = |w: &str| w.to_string();
        match self {
            Word::Service(service) => word(service.title()),
            Word::Status(status) => word(match status {
                Status::Active => "Active",
                Status::Frozen => "Frozen",
                Status::Closed => "Closed",
                Status::Expired => "Expired",
                Status::Unknown => "Status not reported",
            }),
            Word::Urgency(urgency) => match urgency {
                Urgency::Expired => word("Expired"),
                Urgency::Critical => format!("Expires within {}", days(thresholds.critical_days)),
                Urgency::Warning => format!("Expires within {}", days(thresholds.warning_days)),
                Urgency::Ok => format!("Expires after {}", days(thresholds.warning_days)),
                Urgency::Never => word("Never expires"),
                Urgency::Unknown => word("No expiry date given"),
            },
            Word::BillingMode(mode) => match mode.to_ascii_lowercase().as_str() {
                "packet_cycle" | "periodic" | "prepaid" => word("Yearly/monthly"),
                "on_demand" | "postpaid" => word("Pay-per-use"),
                "one_time" => word("One-time"),
                _ => mode.clone(),
            },
            Word::Lifecycle(stage) => match stage {
                Lifecycle::NotYetEffective => word("Not yet in effect"),
                // The page says nothing of it; a cell says it.
                Lifecycle::InEffect => word("In effect"),
                Lifecycle::Deleted => word("Deleted"),
                Lifecycle::Retention => word("Retention period: frozen, data kept for now"),
                Lifecycle::Grace => word("Grace period: expired but still usable"),
                Lifecycle::FrozenForViolation => word("Frozen for violation"),
                Lifecycle::Other(code) => format!("Stage not documented ({code})"),
            },
            Word::NextAction(action) => match action {
                NextAction::GracePeriod => word("enters its grace period"),
                NextAction::PayPerUse => word("turns pay-per-use"),
                NextAction::DeletedAtExpiry | NextAction::Deleted => word("deleted"),
                NextAction::Frozen => word("frozen"),
                NextAction::Other(code) => format!("changes state (next action {code} not documented)"),
            },
            Word::Period(period) => match (period.count, period.unit) {
                (Some(1), PeriodUnit::Month) => word("1 month"),
                (Some(n), PeriodUnit::Month) => format!("{n} months"),
                (Some(1), PeriodUnit::Year) => word("1 year"),
                (Some(n), PeriodUnit::Year) => format!("{n} years"),
                (Some(n), PeriodUnit::Other(code)) => format!("{n} periods of type {code}"),
                (None, PeriodUnit::Month) => word("an unstated number of months"),
                (None, PeriodUnit::Year) => word("an unstated number of years"),
                (None, PeriodUnit::Other(code)) => format!("an unstated number of periods of type {code}"),
            },
            Word::Source(source) => match source {
                Source::Purchased => word("Purchased"),
                Source::Allocated => word("Allocated by an administrator"),
                Source::ProviderAllocated => word("Allocated by a service provider"),
                Source::Other(raw) => raw.clone(),
            },
            // English already (the texts are marked for translation only).
            Word::Category(code) => word(crate::services::metastudio::business_label(code).unwrap_or(code)),
            Word::Shared(value) => match value.to_ascii_lowercase().as_str() {
                "shared" => word("Shared quota"),
                "unshared" => word("Not shared"),
                _ => value.clone(),
            },
            Word::Attention(Attention::Frozen) => word("Frozen"),
            Word::Attention(Attention::Closed) => word("Closed"),
            Word::Renewal(renewal) => word(match renewal {
                Renewal::AutoRenew => "renews automatically",
                Renewal::GracePeriod => "goes into its grace period",
                Renewal::PayPerUse => "turns pay-per-use",
                Renewal::Delete => "is deleted",
                Renewal::Freeze => "is frozen",
                Renewal::DeleteAfterRetention => "is deleted after its retention period",
            }),
            Word::BillingStatus(status) => match status {
                BillingStatus::Initialising => word("initialising"),
                BillingStatus::InUse => word("in use"),
                BillingStatus::Closed => word("closed"),
                BillingStatus::Frozen => word("frozen"),
                BillingStatus::Expired => word("expired"),
                BillingStatus::Freezing => word("freezing"),
                BillingStatus::Unfreezing => word("unfreezing"),
                BillingStatus::Closing => word("closing"),
                BillingStatus::Other(n) => format!("status {n}"),
            },
        }
    }
}

/// Between the texts of a list in a CSV cell.
pub const LIST_SEPARATOR: &str = "; ";

/// `2026-11-22 08:43:17`: the UTC time as spreadsheets read a date and time.
fn spreadsheet_time(at: Instant) -> String {
    at.rfc3339().trim_end_matches('Z').replacen('T', " ", 1)
}

/// Whole days to an expiry, as the page says them: 3 for "in 3 days", 0
/// for today, -40 for "40 days ago".
fn days_left(at: Instant, now: Instant) -> i64 {
    match Relative::between(at, now) {
        Relative::In(days) => days,
        Relative::Today => 0,
        Relative::Ago(days) => -days,
    }
}

impl Report<'_> {
    /// Whose package `n` is.
    fn owner(&self, n: usize) -> &Tenant {
        self.tenant_of.get(n).copied().unwrap_or(self.tenant)
    }

    /// Package `n`'s values in [`COLUMNS`] order.
    fn row(&self, n: usize, p: &Package) -> Vec<Cell> {
        let text = |t: &str| Cell::Text(Some(t.to_string()));
        let tags =
            (!p.tags.is_empty()).then(|| p.tags.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect::<Vec<_>>().join(";"));
        vec![
            Cell::Word(Some(Word::Service(p.service))),
            text(&p.id),
            text(&p.name),
            Cell::Word(Some(Word::Status(p.status))),
            Cell::Text(p.raw_status.clone()),
            Cell::Number(p.used),
            Cell::Number(p.total),
            Cell::Text(p.unit.clone()),
            Cell::Flag(p.in_use),
            Cell::Time(p.starts_at),
            Cell::Time(p.expiry.instant()),
            Cell::Word(Some(Word::Urgency(p.urgency(self.generated_at, self.thresholds)))),
            // v2
            Cell::Name(crate::services::english_name(p), p.name.clone()),
            Cell::Word(p.category.clone().map(Word::Category)),
            Cell::Text(p.enterprise_project.clone()),
            Cell::Text(p.host.clone()),
            Cell::Text(p.host_id.clone()),
            Cell::Word(p.billing_mode.clone().map(Word::BillingMode)),
            Cell::Word(p.lifecycle.clone().map(Word::Lifecycle)),
            Cell::Word(p.next.map(|n| Word::NextAction(n.action))),
            Cell::Time(p.next.map(|n| n.at)),
            Cell::Word(p.period.map(Word::Period)),
            Cell::Word(p.source.clone().map(Word::Source)),
            Cell::Text(p.owner_tenant.clone()),
            Cell::Flag(p.cross_tenant),
            Cell::Flag(p.has_license),
            Cell::Number(p.quantity),
            Cell::Number(p.run_time),
            Cell::Text(p.used_unit.clone()),
            Cell::Word(p.shared.clone().map(Word::Shared)),
            Cell::Text(tags),
            Cell::Text(p.parent.clone()),
            Cell::Text(p.renew_url.clone()),
            Cell::Word(p.attention().map(Word::Attention)),
            // v3
            Cell::Number(p.expiry.instant().map(|at| days_left(at, self.generated_at) as f64)),
            Cell::Text(self.owner(n).region.clone()),
            Cell::Text(self.owner(n).domain.clone()),
            // v4
            Cell::Word(p.renewal().map(Word::Renewal)),
            Cell::Text(p.expires_from().map(|e| e.key().to_string())),
            Cell::Word(p.billed.and_then(|b| b.status).map(Word::BillingStatus)),
            Cell::List(self.seen_in.get(n).cloned()),
            // v5: at its pace, from the history the face keeps.
            Cell::Time(p.trend.as_ref().and_then(|t| t.forecast.runs_out_at())),
            Cell::Number(p.trend.as_ref().and_then(|t| t.forecast.pace()).map(|pace| pace.per_day)),
        ]
    }

    /// The warnings as the page shows them: expired, within the warning
    /// threshold, or frozen or closed, soonest first.
    fn attention(&self) -> Vec<Warning<'_>> {
        warnings([(0, self.packages)], self.generated_at, self.thresholds)
    }

    /// The `tenantscope.export.v5` JSON document, keys in the documented order.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.packages.len() * 320);
        out.push_str("{\"schema\":");
        json::string(&mut out, JSON_SCHEMA);
        out.push_str(",\"generated_at\":");
        json::string(&mut out, &self.generated_at.rfc3339());
        out.push_str(",\"tenant\":{");
        let t = self.tenant;
        let tenant =
            [("domain", &t.domain), ("user", &t.user), ("region", &t.region), ("project_id", &t.project_id), ("codearts_project_id", &t.codearts_project_id)];
        for (i, (key, value)) in tenant.into_iter().enumerate() {
            json_key(&mut out, i, key);
            json_text(&mut out, value.as_deref());
        }
        let _ = write!(
            out,
            "}},\"thresholds_days\":{{\"critical\":{},\"warning\":{}}},\"packages\":[",
            self.thresholds.critical_days, self.thresholds.warning_days
        );
        for (n, package) in self.packages.iter().enumerate() {
            out.push_str(if n == 0 { "{" } else { ",{" });
            for (i, (key, cell)) in COLUMNS.iter().zip(self.row(n, package)).enumerate() {
                json_key(&mut out, i, key);
                match cell {
                    Cell::Text(text) | Cell::Name(text, _) => json_text(&mut out, text.as_deref()),
                    Cell::Word(word) => json_text(&mut out, word.map(|w| w.key()).as_deref()),
                    Cell::Time(at) => json_text(&mut out, at.map(Instant::rfc3339).as_deref()),
                    Cell::Number(Some(n)) if n.is_finite() => out.push_str(&number(n)),
                    Cell::Flag(Some(flag)) => out.push_str(if flag { "true" } else { "false" }),
                    Cell::List(Some(list)) => {
                        out.push('[');
                        for (k, text) in list.iter().enumerate() {
                            if k > 0 {
                                out.push(',');
                            }
                            json::string(&mut out, text);
                        }
                        out.push(']');
                    }
                    Cell::Number(_) | Cell::Flag(None) | Cell::List(None) => out.push_str("null"),
                }
            }
            out.push('}');
        }
        out.push_str("],\"attention\":[");
        for (n, w) in self.attention().iter().enumerate() {
            let p = w.package;
            out.push_str(if n == 0 { "{" } else { ",{" });
            let fields: [(&str, Option<String>); 8] = [
                ("service", Some(p.service.key().to_string())),
                ("id", Some(p.id.clone())),
                ("name", Some(p.name.clone())),
                ("urgency", Some(w.urgency.key().to_string())),
                ("state", w.attention.map(|a| if a == Attention::Frozen { "frozen".to_string() } else { "closed".to_string() })),
                ("expires_at", p.expiry.instant().map(Instant::rfc3339)),
                ("next_action", p.next.map(|x| format!("{} {}", x.action.key(), x.at.rfc3339()))),
                // v4: what billing says happens, as the page sets what
                // renews by itself apart from what lapses.
                ("renewal", p.renewal().map(|r| r.key().to_string())),
            ];
            for (i, (key, value)) in fields.iter().enumerate() {
                json_key(&mut out, i, key);
                json_text(&mut out, value.as_deref());
            }
            // v4: an HSS quota expired while still bound to a host.
            let _ = write!(out, ",\"unprotected\":{}", p.unprotected(self.generated_at));
            out.push('}');
        }
        out.push_str("],\"errors\":[");
        for (n, error) in self.errors.iter().enumerate() {
            out.push_str(if n == 0 { "{\"service\":" } else { ",{\"service\":" });
            json::string(&mut out, error.service.key());
            out.push_str(",\"http_status\":");
            match error.http_status {
                Some(status) => {
                    let _ = write!(out, "{status}");
                }
                None => out.push_str("null"),
            }
            out.push_str(",\"error_code\":");
            json_text(&mut out, error.error_code.as_deref());
            out.push_str(",\"error_msg\":");
            json_text(&mut out, error.error_msg.as_deref());
            out.push_str(",\"request_id\":");
            json_text(&mut out, error.request_id.as_deref());
            out.push_str(",\"kept_from\":");
            json_text(&mut out, error.kept_from.map(Instant::rfc3339).as_deref());
            out.push('}');
        }
        // v3: what the export holds.
        out.push_str("],\"scope\":{\"what\":");
        match self.scope {
            Scope::Everything => out.push_str("\"everything\",\"filters\":null"),
            Scope::Shown { filters } => {
                out.push_str("\"shown\",\"filters\":");
                json::string(&mut out, filters);
            }
        }
        // v4: whether billing's word is in it.
        let _ = write!(out, "}},\"billing\":{{\"read\":{},\"error\":", self.billing.read);
        json_text(&mut out, self.billing.error.as_deref());
        // v5: what changed since the last look.
        out.push_str("},\"since\":");
        match self.since {
            None => out.push_str("null"),
            Some(changes) => since_json(&mut out, changes),
        }
        out.push_str("}\n");
        out
    }

    /// The packages as CSV (RFC 4180: comma-separated, CRLF line ends, quoted
    /// where needed), the readable header row first, the columns in
    /// [`CSV_COLUMNS`]' order. Absent values are empty cells; the service is
    /// named, and keys are in the page's English words ([`Word::csv_words`]).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(256 + self.packages.len() * 260);
        // A byte-order mark: without it Excel reads UTF-8 as the system's
        // code page, and Chinese names come out as mojibake.
        out.push('\u{FEFF}');
        out.push_str(&CSV_HEADERS.join(","));
        out.push_str("\r\n");
        for (n, package) in self.packages.iter().enumerate() {
            let mut row: Vec<Option<Cell>> = self.row(n, package).into_iter().map(Some).collect();
            for (i, &column) in CSV_ORDER.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match row[column].take() {
                    Some(Cell::Text(Some(text)) | Cell::Name(Some(text), _) | Cell::Name(None, text)) => csv_text(&mut out, &text),
                    Some(Cell::Word(Some(word))) => csv_text(&mut out, &word.csv_words(self.thresholds)),
                    Some(Cell::Time(Some(at))) => out.push_str(&spreadsheet_time(at)),
                    Some(Cell::Number(Some(n))) if n.is_finite() => out.push_str(&number(n)),
                    Some(Cell::Flag(Some(flag))) => out.push_str(if flag { "true" } else { "false" }),
                    Some(Cell::List(Some(list))) => csv_text(&mut out, &list.join(LIST_SEPARATOR)),
                    _ => {}
                }
            }
            out.push_str("\r\n");
        }
        out
    }

    /// An iCalendar file (RFC 5545) of the coming dates: one all-day event
    /// per service, day and what happens then ([`Happens`]), listing its
    /// packages, for dates after the export only. What lapses (expires, or
    /// CodeArts Check's next step: frozen, deleted...) has a reminder at
    /// both thresholds; what billing renews automatically has none. A next
    /// step on the day the package expires is its expiry's event alone.
    /// `utc_offset_minutes` places the day in the person's time zone (east
    /// of UTC is positive).
    pub fn to_ics(&self, utc_offset_minutes: i32) -> String {
        let stamp = basic_datetime(self.generated_at);
        let mut out = String::new();
        let line = ics_line;
        line(&mut out, "BEGIN:VCALENDAR");
        line(&mut out, "VERSION:2.0");
        line(&mut out, "PRODID:-//tenantscope//expiry calendar//EN");
        line(&mut out, "CALSCALE:GREGORIAN");
        line(&mut out, "METHOD:PUBLISH");
        line(&mut out, "X-WR-CALNAME:Huawei Cloud package expiry");
        let local = |at: Instant| Instant::from_millis(at.millis().saturating_add(i64::from(utc_offset_minutes) * 60_000)).date();
        // (service, local day, what happens) → the packages then, in order.
        let mut days: Vec<Day<'_>> = Vec::new();
        fn add<'p>(days: &mut Vec<Day<'p>>, key: DayKey, entry: (usize, &'p Package, Instant)) {
            match days.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(entry),
                None => days.push((key, vec![entry])),
            }
        }
        for (n, p) in self.packages.iter().enumerate() {
            let expires = p.expiry.instant();
            if let Some(at) = expires.filter(|at| *at > self.generated_at) {
                let happens = if p.renews() { Happens::Renews } else { Happens::Expires };
                add(&mut days, (p.service, local(at), happens), (n, p, at));
            }
            // CodeArts Check's next step, when it is not the expiry's day.
            if let Some(step) = p.next.filter(|s| s.at > self.generated_at && expires.is_none_or(|at| local(at) != local(s.at))) {
                add(&mut days, (p.service, local(step.at), Happens::Step(step.action)), (n, p, step.at));
            }
        }
        days.sort_by_key(|((service, day, happens), _)| (day.days_from_epoch(), *service as usize, happens.rank()));
        // Events are named by their project, so that a calendar imported
        // again replaces its own; across tabs by the projects together
        // (FNV-1a of their IDs), so that two accounts' never collide.
        let project = match (&self.tenant.project_id, self.tenant_of.is_empty()) {
            (Some(id), _) => id.clone(),
            (None, false) => {
                let mut ids: Vec<&str> = self.tenant_of.iter().filter_map(|t| t.project_id.as_deref()).collect();
                ids.sort_unstable();
                ids.dedup();
                let hash = ids.join(",").bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
                format!("all-{hash:016x}")
            }
            (None, true) => "-".to_string(),
        };
        let project = project.as_str();
        // The alarms, further first; one when both thresholds are the same.
        let mut alarms = vec![self.thresholds.warning_days, self.thresholds.critical_days];
        alarms.dedup();
        for ((service, day, happens), list) in &days {
            let next = crate::domain::Date::from_days(day.days_from_epoch() + 1);
            let (one, many) = happens.words();
            let title = match list.as_slice() {
                [(_, p, _)] => format!("{} {one}: {}", service.title(), p.name),
                _ => format!("{}: {} packages {many}", service.title(), list.len()),
            };
            let mut details = String::new();
            for (i, (n, p, at)) in list.iter().enumerate() {
                if i == 50 {
                    let _ = write!(details, "\n…and {} more", list.len() - 50);
                    break;
                }
                let _ = write!(details, "{}{} (ID {}), {one} {}", if i > 0 { "\n" } else { "" }, p.name, p.id, at.rfc3339());
                // Across tabs, in which region.
                if let (false, Some(region)) = (self.tenant_of.is_empty(), &self.owner(*n).region) {
                    let _ = write!(details, ", in {region}");
                }
                if let (Some(used), Some(total)) = (p.used, p.total) {
                    let unit = p.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
                    let _ = write!(details, "; used {} / {}{unit}", number(used), number(total));
                }
            }
            // An expiry keeps the UID it has always had.
            let uid = match happens.key() {
                None => format!("{}-{}-{project}@tenantscope", service.key(), day.basic()),
                Some(key) => format!("{}-{}-{key}-{project}@tenantscope", service.key(), day.basic()),
            };
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{}", ics_text(&uid)));
            line(&mut out, &format!("DTSTAMP:{stamp}"));
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day.basic()));
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", next.basic()));
            line(&mut out, &format!("SUMMARY:{}", ics_text(&title)));
            line(&mut out, &format!("DESCRIPTION:{}", ics_text(&details)));
            line(&mut out, "TRANSP:TRANSPARENT");
            // Reminders are for what lapses.
            for days_before in alarms.iter().filter(|_| *happens != Happens::Renews) {
                line(&mut out, "BEGIN:VALARM");
                line(&mut out, "ACTION:DISPLAY");
                line(&mut out, &format!("TRIGGER:-P{days_before}D"));
                line(&mut out, &format!("DESCRIPTION:{}", ics_text(&format!("{title} (in {days_before} days)"))));
                line(&mut out, "END:VALARM");
            }
            line(&mut out, "END:VEVENT");
        }
        line(&mut out, "END:VCALENDAR");
        out
    }
}

/// What a calendar event says happens to its packages on its day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Happens {
    /// The package lapses unless somebody renews it (or billing's policy is
    /// not known).
    Expires,
    /// Billing renews it automatically: no alarm.
    Renews,
    /// CodeArts Check's next step of its main package.
    Step(NextAction),
}

impl Happens {
    /// How a title says it of one package, and of several.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Happens::Expires => ("expires", "expire"),
            Happens::Renews => ("renews automatically", "renew automatically"),
            Happens::Step(NextAction::Frozen) => ("frozen", "frozen"),
            Happens::Step(NextAction::Deleted | NextAction::DeletedAtExpiry) => ("deleted", "deleted"),
            Happens::Step(NextAction::GracePeriod) => ("enters its grace period", "enter their grace period"),
            Happens::Step(NextAction::PayPerUse) => ("turns pay-per-use", "turn pay-per-use"),
            Happens::Step(NextAction::Other(_)) => ("takes its next step", "take their next step"),
        }
    }

    /// What tells the event's UID apart from an expiry's on the same day
    /// (`None`: an expiry's, the UID of v3).
    fn key(self) -> Option<String> {
        match self {
            Happens::Expires => None,
            Happens::Renews => Some("renews".into()),
            Happens::Step(action) => Some(action.key()),
        }
    }

    /// The order of a day's events of one service.
    fn rank(self) -> i64 {
        match self {
            Happens::Expires => 0,
            Happens::Renews => 1,
            Happens::Step(_) => 2,
        }
    }
}

/// A calendar event's key: one service on one day, and what happens.
type DayKey = (Service, crate::domain::Date, Happens);

/// One event's packages: (index, package, date) of each.
type Day<'p> = (DayKey, Vec<(usize, &'p Package, Instant)>);

/// The shortest text that reads back as the same finite number (`37`,
/// `0.5`): whole numbers as integers, others by serde_json's shortest
/// float formatting (which the JSON export links in already).
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        (n as i64).to_string()
    } else {
        serde_json::Number::from_f64(n).map(|n| n.to_string()).unwrap_or_default()
    }
}

/// `since`'s object: when the last look was, each change, its kind's key
/// and what moved, and the services not compared.
fn since_json(out: &mut String, changes: &Changes) {
    out.push_str("{\"at\":");
    json::string(out, &changes.since.rfc3339());
    out.push_str(",\"changes\":[");
    for (n, line) in changes.lines.iter().enumerate() {
        out.push_str(if n == 0 { "{\"service\":" } else { ",{\"service\":" });
        json::string(out, line.service.key());
        out.push_str(",\"id\":");
        json::string(out, &line.id);
        out.push_str(",\"name\":");
        json::string(out, &line.name);
        out.push_str(",\"change\":");
        let time = |at: Option<Instant>| at.map_or_else(|| "null".to_string(), |at| format!("\"{}\"", at.rfc3339()));
        let amount = |n: Option<f64>| n.filter(|n| n.is_finite()).map_or_else(|| "null".to_string(), number);
        json::string(out, line.change.key());
        let _ = match &line.change {
            Change::Renewed { from, to } => write!(out, ",\"from\":{},\"to\":{}", time(*from), time(Some(*to))),
            Change::Attention(status) => write!(out, ",\"status\":\"{}\"", status.key()),
            Change::Jumped { from, to, usual_per_day } => {
                write!(out, ",\"from\":{},\"to\":{},\"usual_per_day\":{}", amount(Some(*from)), amount(Some(*to)), amount(*usual_per_day))
            }
            Change::Added | Change::Gone | Change::Expired => Ok(()),
        };
        out.push('}');
    }
    out.push_str("],\"not_compared\":[");
    for (n, service) in changes.uncompared.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        json::string(out, service.key());
    }
    out.push_str("]}");
}

fn json_key(out: &mut String, index: usize, key: &str) {
    if index > 0 {
        out.push(',');
    }
    json::string(out, key);
    out.push(':');
}

fn json_text(out: &mut String, text: Option<&str>) {
    match text {
        Some(text) => json::string(out, text),
        None => out.push_str("null"),
    }
}

/// One CSV text cell. Quoted when it holds a comma, quote or line break
/// (RFC 4180 §2). A cell that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or carriage return: OWASP "CSV injection")
/// gets a leading apostrophe; the data comes from the network.
fn csv_text(out: &mut String, text: &str) {
    let guarded = matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'));
    let quoted = guarded || text.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

/// An iCalendar TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma
/// escaped, line breaks as `\n`, other control characters dropped.
fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so that no line exceeds 75 octets (RFC 5545
/// §3.1): continuation lines start with a space, and a UTF-8 character is
/// never split.
fn ics_line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// What the export of sessions read whole ([`crate::tenant::read`]) holds,
/// built as the console builds the export of its tabs (each session a tab,
/// in order; `Err` a session that could not start): each package once
/// across sessions ([`crate::domain::across`]), every failure, billing's
/// reading. [`Self::report`] lends the [`Report`] to write.
#[derive(Clone, Debug, Default)]
pub struct Sessions {
    pub tenant: Tenant,
    /// By session that started: whose packages they are.
    pub owners: Vec<Tenant>,
    /// Across sessions, by package: its owner's index in `owners`.
    pub tenant_of: Vec<usize>,
    pub seen_in: Vec<Vec<String>>,
    pub billing: BillingRead,
    pub packages: Vec<Package>,
    pub errors: Vec<ServiceError>,
    pub scope: Scope,
}

impl Sessions {
    /// The export of `tabs`, everything read. Across several (more than
    /// one), each package names its first session's region and account and
    /// every session it was seen in (`1. acme · cn-north-4`), and each
    /// failure its session's place.
    pub fn of(tabs: &[Result<crate::tenant::Reading, crate::api::ApiError>]) -> Sessions {
        use crate::domain::across::{merge, Account};
        use crate::services::ServiceState;
        let across = tabs.len() > 1;
        let ready: Vec<(usize, &crate::tenant::Reading)> = tabs.iter().enumerate().filter_map(|(i, t)| Some((i, t.as_ref().ok()?))).collect();
        let owners: Vec<Tenant> = ready
            .iter()
            .map(|(_, r)| Tenant {
                domain: r.session.domain.clone(),
                user: r.session.user.clone(),
                region: Some(r.session.region.clone()),
                project_id: Some(r.session.project_id.clone()),
                codearts_project_id: r.codearts_read(),
            })
            .collect();
        let labels: Vec<String> = ready.iter().map(|(i, r)| format!("{}. {}", i + 1, r.label())).collect();
        let accounts: Vec<Account> = ready.iter().map(|(_, r)| r.account()).collect();
        let mut read: Vec<(usize, &[Package])> = Vec::new();
        let mut errors: Vec<ServiceError> = Vec::new();
        for (n, (_, reading)) in ready.iter().enumerate() {
            let mut found = Vec::new();
            for (service, state) in &reading.services {
                match state {
                    Ok(ServiceState::Loaded(loaded)) => {
                        found.extend(ServiceError::of_reading(*service, loaded));
                        read.push((n, &loaded.packages[..]));
                    }
                    Err(error) => found.push(ServiceError::of(*service, error)),
                    _ => {}
                }
            }
            errors.extend(found.into_iter().map(|mut e| {
                if across {
                    e.error_msg = Some(format!("{}: {}", reading.place(), e.error_msg.as_deref().unwrap_or("")));
                }
                e
            }));
        }
        let uniques = merge(read.iter().map(|(n, p)| (*n, &accounts[*n], *p)));
        let packages: Vec<Package> = uniques.iter().map(|u| u.package.clone()).collect();
        let seen_in: Vec<Vec<usize>> = uniques.into_iter().map(|u| u.seen_in).collect();
        // A session that could not start has nothing in the file: said for
        // each service.
        for (i, tab) in tabs.iter().enumerate() {
            if let Err(e) = tab {
                let why = format!("tab {}: the session could not start: {}", i + 1, e.summary());
                errors.extend(Service::PACKAGES.map(|service| ServiceError {
                    service,
                    http_status: None,
                    error_code: None,
                    error_msg: Some(why.clone()),
                    request_id: None,
                    kept_from: None,
                }));
            }
        }
        let states: Vec<(Option<String>, BillingState)> = tabs
            .iter()
            .map(|t| match t {
                Ok(r) => (across.then(|| r.place()), r.billing.clone()),
                Err(_) => (None, BillingState::Waiting),
            })
            .collect();
        let billing = BillingRead::of(states.iter().map(|(place, state)| (place.as_deref(), state)));
        let tenant = Tenant::common(&owners.iter().collect::<Vec<_>>());
        let (tenant_of, seen_in) = if across {
            (
                seen_in.iter().map(|tabs| tabs.first().copied().unwrap_or(0)).collect(),
                seen_in.iter().map(|tabs| tabs.iter().map(|&n| labels[n].clone()).collect()).collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Sessions { tenant, owners, tenant_of, seen_in, billing, packages, errors, scope: Scope::Everything }
    }

    /// `f` of the report of these sessions at `generated_at`.
    pub fn report<R>(&self, generated_at: Instant, thresholds: Thresholds, f: impl FnOnce(&Report) -> R) -> R {
        let tenant_of: Vec<&Tenant> = self.tenant_of.iter().map(|&n| self.owners.get(n).unwrap_or(&self.tenant)).collect();
        f(&Report {
            generated_at,
            tenant: &self.tenant,
            tenant_of: &tenant_of,
            seen_in: &self.seen_in,
            billing: &self.billing,
            thresholds,
            packages: &self.packages,
            errors: &self.errors,
            scope: &self.scope,
            since: None,
        })
    }
}

impl ServiceError {
    /// What a reading of `service` leaves out, as the export reports it:
    /// the failed refresh whose older answers these are (with when they
    /// were received), each page that could not be read, and the refusal
    /// that narrowed it (HSS: the default enterprise project only), whose
    /// packages are not known either.
    pub fn of_reading(service: Service, loaded: &crate::services::Loaded) -> Vec<ServiceError> {
        let mut errors = Vec::new();
        if let Some(error) = &loaded.stale {
            errors.push(ServiceError { kept_from: Some(loaded.received_at), ..ServiceError::of(service, error) });
        }
        let failures = loaded.paging.iter().flat_map(|p| p.failures.iter());
        errors.extend(
            failures.map(|f| ServiceError {
                error_msg: Some(format!("page at offset {}: {}", f.offset, f.error.summary())),
                ..ServiceError::of(service, &f.error)
            }),
        );
        if let Some((words, refused)) = loaded.facts.as_ref().and_then(crate::services::Facts::narrowed) {
            errors.push(ServiceError { error_msg: Some(format!("{words}: {}", refused.summary())), ..ServiceError::of(service, refused) });
        }
        errors
    }

    /// `service`'s failure as the export reports it: an HTTP answer's
    /// fields, or the failure's summary.
    pub fn of(service: Service, error: &crate::api::ApiError) -> ServiceError {
        match error {
            crate::api::ApiError::Http { status, error_code, error_msg, request_id } => ServiceError {
                service,
                http_status: Some(*status),
                error_code: error_code.clone(),
                error_msg: error_msg.clone(),
                request_id: request_id.clone(),
                kept_from: None,
            },
            other => ServiceError { service, http_status: None, error_code: None, error_msg: Some(other.summary()), request_id: None, kept_from: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Expiry;

    #[test]
    fn csv_cells_are_quoted_and_guarded() {
        let cell = |text: &str| {
            let mut out = String::new();
            csv_text(&mut out, text);
            out
        };
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1+2"), "\"'-1+2\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("中文"), "中文");
    }

    #[test]
    fn json_strings_escape_controls() {
        let mut out = String::new();
        json::string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\"");
    }

    #[test]
    fn ics_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let text = format!("SUMMARY:{}", "测".repeat(40));
        ics_line(&mut out, &text);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, text);
        assert_eq!(ics_text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn file_names_sort_and_carry_no_colons() {
        assert_eq!(file_name(Instant::from_millis(1_795_337_000_000), "csv"), "tenantscope-20261122-084320Z.csv");
    }

    #[test]
    fn urgency_uses_the_reports_own_time() {
        let now = Instant::from_millis(1_800_000_000_000);
        let p = Package { expiry: Expiry::At(now.plus_days(3)), status: Status::Active, ..Package::new(Service::Hss, "q", "n") };
        let tenant = Tenant::default();
        let scope = Scope::Everything;
        let billing = BillingRead::default();
        let report = Report {
            generated_at: now,
            tenant: &tenant,
            tenant_of: &[],
            seen_in: &[],
            billing: &billing,
            thresholds: Thresholds::default(),
            packages: &[p],
            errors: &[],
            scope: &scope,
            since: None,
        };
        // In words in the CSV, with the days left beside it (the date is
        // the service's; no renewal, billing status or tabs known).
        let cells = |r: &Report| {
            let (headers, rows) = csv_rows(&r.to_csv());
            ["Urgency", "Days left", "Renewal", "Expiry from", "Billing status", "Seen in"]
                .map(|h| rows[0][headers.iter().position(|x| x == h).unwrap()].clone())
        };
        assert_eq!(cells(&report), ["Expires within 7 days", "3", "", "service", "", ""]);
        assert!(report.to_json().contains("\"urgency\":\"critical\""));
        let later = Report { generated_at: now.plus_days(5), ..report };
        assert_eq!(cells(&later), ["Expired", "-2", "", "service", "", ""]);
        assert!(later.to_json().contains("\"urgency\":\"expired\""));
        // With the thresholds the person set, as the page says them.
        let set = Report { thresholds: Thresholds { critical_days: 1, warning_days: 14 }, ..report };
        assert_eq!(cells(&set)[0], "Expires within 14 days");
        assert_eq!(Urgency::Critical.key(), "critical");
    }

    /// The header row and the rows of a CSV without quoted cells.
    fn csv_rows(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let csv = csv.strip_prefix('\u{FEFF}').expect("a byte-order mark first");
        let mut lines = csv.split("\r\n").map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let headers = lines.next().unwrap();
        (headers, lines.filter(|l| l.len() > 1).collect())
    }

    /// `f` of a report of one tab (cn-north-4, account acme) at `now`.
    fn one_tab(now: Instant, packages: &[Package], f: impl FnOnce(&Report) -> String) -> String {
        let (tenant, scope, billing) =
            (Tenant { region: Some("cn-north-4".into()), domain: Some("acme".into()), ..Tenant::default() }, Scope::Everything, BillingRead::default());
        f(&Report {
            generated_at: now,
            tenant: &tenant,
            tenant_of: &[],
            seen_in: &[],
            billing: &billing,
            thresholds: Thresholds::default(),
            packages,
            errors: &[],
            scope: &scope,
            since: None,
        })
    }

    #[test]
    fn v5_gives_each_package_its_run_out_date_and_pace_and_the_changes_since_the_last_look() {
        use crate::domain::forecast::{Forecast, NoPace, Pace, Trend};
        use crate::history::{Change, Changes, Line};
        let now = Instant::from_millis(1_800_000_000_000);
        let trend = |forecast| Some(std::sync::Arc::new(Trend { readings: vec![(now, 40.0)].into(), forecast }));
        let pace = Pace { per_day: 2.5, from: now, points: 3 };
        let running = Package {
            used: Some(40.0),
            total: Some(100.0),
            trend: trend(Forecast::RunsOut { at: now.plus_days(24), pace }),
            ..Package::new(Service::Metastudio, "m-1", "n")
        };
        let young = Package { trend: trend(Forecast::Unknown(NoPace::OnePoint)), ..Package::new(Service::Metastudio, "m-2", "n") };
        let changes = Changes {
            since: now.plus_days(-2),
            lines: vec![
                Line {
                    service: Service::Hss,
                    id: "q-1".into(),
                    name: "HSS \"pro\"".into(),
                    change: Change::Renewed { from: Some(now), to: now.plus_days(365) },
                },
                Line { service: Service::Metastudio, id: "m-1".into(), name: "n".into(), change: Change::Jumped { from: 10.0, to: 40.0, usual_per_day: None } },
            ],
            uncompared: vec![Service::Dsc],
        };
        let json = one_tab(now, &[running, young], |r| Report { since: Some(&changes), ..*r }.to_json());
        let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(doc["schema"], "tenantscope.export.v5");
        assert_eq!(doc["packages"][0]["runs_out_at"], now.plus_days(24).rfc3339());
        assert_eq!(doc["packages"][0]["pace_per_day"], 2.5);
        assert!(doc["packages"][1]["runs_out_at"].is_null() && doc["packages"][1]["pace_per_day"].is_null());
        assert_eq!(doc["since"]["at"], now.plus_days(-2).rfc3339());
        let first = &doc["since"]["changes"][0];
        assert_eq!(
            (first["change"].as_str(), first["name"].as_str(), first["to"].as_str()),
            (Some("renewed"), Some("HSS \"pro\""), Some(&*now.plus_days(365).rfc3339()))
        );
        assert_eq!((&doc["since"]["changes"][1]["from"], &doc["since"]["changes"][1]["usual_per_day"]), (&serde_json::json!(10), &serde_json::Value::Null));
        assert_eq!(doc["since"]["not_compared"], serde_json::json!(["dsc"]));
        // Without a last look: null.
        assert!(serde_json::from_str::<serde_json::Value>(&one_tab(now, &[], |r| r.to_json())).unwrap()["since"].is_null());
    }

    #[test]
    fn csv_opens_with_what_people_read_first() {
        let now = Instant::from_millis(1_800_000_000_000);
        let p = Package { expiry: Expiry::At(now.plus_days(3)), status: Status::Active, ..Package::new(Service::Hss, "q-1", "hss.version.enterprise") };
        let (headers, rows) = csv_rows(&one_tab(now, &[p], |r| r.to_csv()));
        assert_eq!(
            headers[..12],
            ["Service", "Name", "Region", "Account", "Status", "Urgency", "Expires (UTC)", "Days left", "Renewal", "Used", "Total", "Unit"],
            "{headers:?}"
        );
        // The readable name is column 2; the code and the ID come later.
        assert_eq!(rows[0][..4], ["Host Security Service", "HSS Enterprise", "cn-north-4", "acme"], "{rows:?}");
        let at = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h} in {headers:?}"));
        assert!(at("Name (code)") > at("Unit") && at("Resource ID") > at("Unit"), "{headers:?}");
        assert_eq!((rows[0][at("Name (code)")].as_str(), rows[0][at("Resource ID")].as_str()), ("hss.version.enterprise", "q-1"));
    }

    #[test]
    fn csv_says_urgency_status_and_billing_in_the_pages_words() {
        use crate::domain::{Billed, NextStep};
        let now = Instant::from_millis(1_800_000_000_000);
        let billed = Billed { expires_at: Some(now.plus_days(3)), renewal: Some(Renewal::AutoRenew), status: Some(BillingStatus::InUse), service_date: None };
        let packages = [
            Package {
                expiry: Expiry::At(now.plus_days(3)),
                status: Status::Active,
                billed: Some(billed),
                ..Package::new(Service::Hss, "soon", "hss.version.enterprise")
            },
            Package { expiry: Expiry::At(now.plus_days(20)), status: Status::Frozen, ..Package::new(Service::Hss, "month", "hss.version.basic") },
            Package { expiry: Expiry::At(now.plus_days(90)), ..Package::new(Service::Hss, "later", "hss.version.basic") },
            Package { expiry: Expiry::At(now.plus_days(-2)), status: Status::Expired, ..Package::new(Service::Hss, "gone", "hss.version.basic") },
            Package { expiry: Expiry::Never, ..Package::new(Service::Hss, "never", "hss.version.basic") },
            Package {
                next: Some(NextStep { action: NextAction::GracePeriod, at: now.plus_days(4) }),
                lifecycle: Some(Lifecycle::InEffect),
                billing_mode: Some("packet_cycle".into()),
                ..Package::new(Service::Codecheck, "check", "codearts.china.basic")
            },
        ];
        let (headers, rows) = csv_rows(&one_tab(now, &packages, |r| r.to_csv()));
        let at = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h} in {headers:?}"));
        let column = |h: &str| rows.iter().map(|r| r[at(h)].as_str()).collect::<Vec<_>>();
        assert_eq!(
            column("Urgency"),
            ["Expires within 7 days", "Expires within 30 days", "Expires after 30 days", "Expired", "Never expires", "No expiry date given"]
        );
        assert_eq!(column("Status")[..5], ["Active", "Frozen", "Status not reported", "Expired", "Status not reported"]);
        assert_eq!((column("Renewal")[0], column("Billing status")[0], column("Expiry from")[0]), ("renews automatically", "in use", "billing"));
        assert_eq!(
            (column("Next action")[5], column("Lifecycle stage")[5], column("Billing mode")[5]),
            ("enters its grace period", "In effect", "Yearly/monthly")
        );
        // The JSON keeps the keys.
        let json = one_tab(now, &packages, |r| r.to_json());
        assert!(
            json.contains("\"urgency\":\"critical\"") && json.contains("\"renewal\":\"auto_renew\",\"expires_from\":\"billing\",\"billing_status\":\"in_use\""),
            "{json}"
        );
        assert!(json.contains("\"billing_mode\":\"packet_cycle\",\"lifecycle\":\"in_effect\",\"next_action\":\"grace_period\""), "{json}");
    }

    #[test]
    fn every_json_column_is_one_csv_column() {
        let mut keys: Vec<&str> = CSV_COLUMNS.iter().map(|(key, _)| *key).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut json = COLUMNS.to_vec();
        json.sort_unstable();
        assert_eq!(keys, json, "each JSON key once among the CSV columns");
        let mut headers = CSV_HEADERS.to_vec();
        headers.sort_unstable();
        headers.dedup();
        assert_eq!(headers.len(), COLUMNS.len(), "a header twice");
        for (i, (key, header)) in CSV_COLUMNS.iter().enumerate() {
            assert_eq!((COLUMNS[CSV_ORDER[i]], CSV_HEADERS[i]), (*key, *header));
        }
        // The file's header row is that one.
        let empty = one_tab(Instant::from_millis(0), &[], |r| r.to_csv());
        assert_eq!(empty, format!("\u{FEFF}{}\r\n", CSV_HEADERS.join(",")));
    }

    #[test]
    fn csv_has_each_json_value_under_its_header() {
        use crate::domain::{Billed, NextStep};
        use serde_json::Value;
        let now = Instant::from_millis(1_800_000_000_000);
        let billed = Billed { expires_at: Some(now.plus_days(40)), renewal: Some(Renewal::Freeze), status: Some(BillingStatus::Closing), service_date: None };
        // Every field set, each value told apart from the others.
        let full = Package {
            status: Status::Active,
            raw_status: Some("normal".into()),
            used: Some(3.0),
            total: Some(30.0),
            unit: Some("GB".into()),
            used_unit: Some("MB".into()),
            in_use: Some(true),
            starts_at: Some(now.plus_days(-100)),
            expiry: Expiry::At(now.plus_days(40)),
            billing_mode: Some("on_demand".into()),
            category: Some("VOICE_CLONE".into()),
            lifecycle: Some(Lifecycle::Grace),
            period: Some(Period { count: Some(6), unit: PeriodUnit::Year }),
            host: Some("web-1".into()),
            next: Some(NextStep { action: NextAction::Frozen, at: now.plus_days(2) }),
            renew_url: Some("https://example.com/renew".into()),
            quantity: Some(2.0),
            run_time: Some(1.5),
            enterprise_project: Some("finance".into()),
            owner_tenant: Some("t-9".into()),
            cross_tenant: Some(false),
            has_license: Some(true),
            source: Some(Source::Allocated),
            parent: Some("p-1".into()),
            host_id: Some("h-1".into()),
            shared: Some("unshared".into()),
            tags: vec![("env".into(), "prod".into())],
            billed: Some(billed),
            ..Package::new(Service::Dsc, "r-1", "base_professional")
        };
        let bare = Package::new(Service::Metastudio, "r-2", "some.code");
        let packages = [full, bare];
        let seen_in = [vec!["1. acme · cn-north-4".to_string(), "2. acme · cn-east-3".to_string()], vec![]];
        let (tenant, scope, billing) =
            (Tenant { region: Some("cn-north-4".into()), domain: Some("acme".into()), ..Tenant::default() }, Scope::Everything, BillingRead::default());
        let report = Report {
            generated_at: now,
            tenant: &tenant,
            tenant_of: &[],
            seen_in: &seen_in,
            billing: &billing,
            thresholds: Thresholds::default(),
            packages: &packages,
            errors: &[],
            scope: &scope,
            since: None,
        };
        let (headers, rows) = csv_rows(&report.to_csv());
        assert_eq!(headers, CSV_HEADERS);
        let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
        // The columns the CSV words: present exactly where the JSON has a key.
        let worded = [
            "service",
            "status",
            "urgency",
            "billing_mode",
            "lifecycle",
            "next_action",
            "period",
            "source",
            "category",
            "shared_quota",
            "attention",
            "renewal",
            "billing_status",
        ];
        for (row, json) in rows.iter().zip(doc["packages"].as_array().unwrap()) {
            assert_eq!(row.len(), COLUMNS.len());
            for (cell, (key, header)) in row.iter().zip(CSV_COLUMNS) {
                let value = &json[key];
                let expected = match value {
                    _ if worded.contains(&key) => {
                        assert_eq!(cell.is_empty(), value.is_null(), "{header}: {cell:?} for {value}");
                        continue;
                    }
                    // The name people know it by: else the code, as the page shows it.
                    Value::Null if key == "label" => json["name"].as_str().unwrap().to_string(),
                    Value::Null => String::new(),
                    Value::String(s) if key.ends_with("_at") => s.trim_end_matches('Z').replacen('T', " ", 1),
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.as_f64().unwrap().to_string(),
                    Value::Array(list) => list.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join(LIST_SEPARATOR),
                    other => other.to_string(),
                };
                assert_eq!(cell, &expected, "{header} ({key})");
            }
        }
        let at = |h: &str| headers.iter().position(|x| x == h).unwrap();
        let words = ["Service", "Billing mode", "Category", "Lifecycle stage", "Period", "Source", "Shared quota", "Next action", "Renewal", "Billing status"]
            .map(|h| rows[0][at(h)].as_str());
        assert_eq!(
            words,
            [
                "Data Security Center",
                "Pay-per-use",
                "Voice cloning",
                "Grace period: expired but still usable",
                "6 years",
                "Allocated by an administrator",
                "Not shared",
                "frozen",
                "is frozen",
                "closing"
            ]
        );
        assert_eq!((rows[1][at("Name")].as_str(), rows[1][at("Urgency")].as_str()), ("some.code", "No expiry date given"));
    }
}
