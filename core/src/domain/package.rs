//! The one normalized model every service's answer becomes: a [`Package`]
//! with a common status, usage and expiry, and the urgency derived from them.

use tenantscope_catalog::Service;

use super::time::{Instant, MS_PER_DAY};

/// A package's state, common to all services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    Frozen,
    Closed,
    Expired,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::Active, Status::Frozen, Status::Closed, Status::Expired, Status::Unknown];

    /// The stable key used in exports.
    pub const fn key(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Frozen => "frozen",
            Status::Closed => "closed",
            Status::Expired => "expired",
            Status::Unknown => "unknown",
        }
    }
}

/// When a package ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expiry {
    At(Instant),
    /// It does not end: a pay-per-use HSS quota (`expire_time: -1`,
    /// `charging_mode: on_demand`). Never said of a yearly/monthly one.
    Never,
    /// No date is given: a yearly/monthly package whose service leaves the
    /// date to billing (HSS `-1`, DSC) and billing did not give one, or an
    /// unreadable value.
    Unknown,
}

impl Expiry {
    pub fn instant(self) -> Option<Instant> {
        match self {
            Expiry::At(at) => Some(at),
            _ => None,
        }
    }
}

/// How soon a package needs attention, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// The expiry has passed, or the service says it expired.
    Expired,
    /// Expires within the critical threshold (7 days by default).
    Critical,
    /// Expires within the warning threshold (30 days by default).
    Warning,
    Ok,
    /// The service says it never expires.
    Never,
    /// No expiry date is known.
    Unknown,
}

impl Urgency {
    pub const ALL: [Urgency; 6] = [Urgency::Expired, Urgency::Critical, Urgency::Warning, Urgency::Ok, Urgency::Never, Urgency::Unknown];

    pub const fn key(self) -> &'static str {
        match self {
            Urgency::Expired => "expired",
            Urgency::Critical => "critical",
            Urgency::Warning => "warning",
            Urgency::Ok => "ok",
            Urgency::Never => "never",
            Urgency::Unknown => "unknown",
        }
    }
}

/// The two urgency thresholds, in days (settings; defaults 7 and 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub critical_days: u32,
    pub warning_days: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { critical_days: 7, warning_days: 30 }
    }
}

/// CodeArts Check's lifecycle stage of the main package (`tips.status`;
/// values from the sibling CodeArts Pipeline API, docs/huawei-apis.md §2.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lifecycle {
    NotYetEffective,
    InEffect,
    Deleted,
    /// Retention period: frozen, data kept for a while.
    Retention,
    /// Grace period: expired but still usable.
    Grace,
    FrozenForViolation,
    Other(i64),
}

impl Lifecycle {
    pub fn from_code(code: i64) -> Lifecycle {
        match code {
            1 => Lifecycle::NotYetEffective,
            2 => Lifecycle::InEffect,
            3 => Lifecycle::Deleted,
            4 => Lifecycle::Retention,
            5 => Lifecycle::Grace,
            99 => Lifecycle::FrozenForViolation,
            other => Lifecycle::Other(other),
        }
    }
}

/// What CodeArts Check will do to the main package next (`tips.next_action`,
/// seed 001: 0 grace period at expiry, 1 turns pay-per-use at expiry, 2
/// deleted at expiry, 4 frozen (from the grace period), 5 deleted (from the
/// retention period)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NextAction {
    GracePeriod,
    PayPerUse,
    DeletedAtExpiry,
    Frozen,
    Deleted,
    Other(i64),
}

impl NextAction {
    pub fn from_code(code: i64) -> NextAction {
        match code {
            0 => NextAction::GracePeriod,
            1 => NextAction::PayPerUse,
            2 => NextAction::DeletedAtExpiry,
            4 => NextAction::Frozen,
            5 => NextAction::Deleted,
            other => NextAction::Other(other),
        }
    }

    /// The stable key used in exports.
    pub fn key(self) -> String {
        match self {
            NextAction::GracePeriod => "grace_period".into(),
            NextAction::PayPerUse => "pay_per_use".into(),
            NextAction::DeletedAtExpiry => "deleted_at_expiry".into(),
            NextAction::Frozen => "frozen".into(),
            NextAction::Deleted => "deleted".into(),
            NextAction::Other(n) => format!("other_{n}"),
        }
    }
}

/// The next step of a package's lifecycle and when it comes
/// (`next_action_remain_day` counts whole days to it from the day the
/// answer arrived; `at` is the end of that day, see
/// `services::codecheck::day_count_date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NextStep {
    pub action: NextAction,
    pub at: Instant,
}

impl Lifecycle {
    /// The stable key used in exports.
    pub fn key(&self) -> String {
        match self {
            Lifecycle::NotYetEffective => "opening".into(),
            Lifecycle::InEffect => "in_effect".into(),
            Lifecycle::Deleted => "deleted".into(),
            Lifecycle::Retention => "retention_period".into(),
            Lifecycle::Grace => "grace_period".into(),
            Lifecycle::FrozenForViolation => "frozen_for_violation".into(),
            Lifecycle::Other(n) => format!("other_{n}"),
        }
    }

    /// Whether the stage comes after the package's expiry (seed 001: the
    /// grace and retention periods follow it; deleted is past both).
    pub fn past_expiry(&self) -> bool {
        matches!(self, Lifecycle::Grace | Lifecycle::Retention | Lifecycle::Deleted)
    }
}

/// A state that needs a person whatever the date: the package cannot be
/// used (frozen) or is gone (closed, deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attention {
    Frozen,
    Closed,
}

/// Where a package came from, when the service says (MetaStudio
/// `resource_source`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Purchased,
    /// Allocated to this account by an administrator (`ADMIN_ALLOCATED`).
    Allocated,
    /// Allocated by a service provider (`SP_ALLOCATED`).
    ProviderAllocated,
    Other(String),
}

impl Source {
    /// MetaStudio's `resource_source` word.
    pub fn from_word(word: &str) -> Source {
        match word.to_ascii_uppercase().as_str() {
            "PURCHASED" => Source::Purchased,
            "ADMIN_ALLOCATED" => Source::Allocated,
            "SP_ALLOCATED" => Source::ProviderAllocated,
            _ => Source::Other(word.to_string()),
        }
    }

    /// The stable key used in exports and the URL hash.
    pub fn key(&self) -> String {
        match self {
            Source::Purchased => "purchased".into(),
            Source::Allocated => "admin_allocated".into(),
            Source::ProviderAllocated => "sp_allocated".into(),
            Source::Other(word) => word.to_ascii_lowercase(),
        }
    }
}

/// An order's subscription period (DSC `period_type` / `period_num`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub unit: PeriodUnit,
    pub count: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    Month,
    Year,
    /// A `period_type` without a documented meaning, kept as it came.
    Other(i64),
}

/// What happens to a yearly/monthly package at its expiry, by billing's
/// word (BSS `expire_policy`, docs/huawei-apis.md §7: "only 3 means
/// auto-renewal").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Renewal {
    /// 3: renewed automatically; the one policy under which nothing lapses.
    AutoRenew,
    /// 0: goes into its grace period.
    GracePeriod,
    /// 1: turns pay-per-use.
    PayPerUse,
    /// 2: deleted at expiry.
    Delete,
    /// 4: frozen.
    Freeze,
    /// 5: deleted after the retention period.
    DeleteAfterRetention,
}

impl Renewal {
    pub const ALL: [Renewal; 6] =
        [Renewal::AutoRenew, Renewal::GracePeriod, Renewal::PayPerUse, Renewal::Delete, Renewal::Freeze, Renewal::DeleteAfterRetention];

    /// BSS `expire_policy`; `None` for a code no document names.
    pub fn from_code(code: i64) -> Option<Renewal> {
        Some(match code {
            0 => Renewal::GracePeriod,
            1 => Renewal::PayPerUse,
            2 => Renewal::Delete,
            3 => Renewal::AutoRenew,
            4 => Renewal::Freeze,
            5 => Renewal::DeleteAfterRetention,
            _ => return None,
        })
    }

    /// The stable key used in exports and the URL hash.
    pub const fn key(self) -> &'static str {
        match self {
            Renewal::AutoRenew => "auto_renew",
            Renewal::GracePeriod => "grace_period",
            Renewal::PayPerUse => "pay_per_use",
            Renewal::Delete => "delete",
            Renewal::Freeze => "freeze",
            Renewal::DeleteAfterRetention => "delete_after_retention",
        }
    }

    pub fn from_key(key: &str) -> Option<Renewal> {
        Renewal::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// Billing's status of a resource (BSS `status`). The answer's model
/// (`OrderInstanceV2`) names 2 in use, 3 closed, 4 frozen, 5 expired; the
/// older request model also names 1 initialising, 5 grace period, 6
/// freezing, 7 unfreezing, 8 closing. Both are read: 5 is "expired" (the
/// answer's word; a grace period comes after expiry, so the two agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BillingStatus {
    Initialising,
    InUse,
    Closed,
    Frozen,
    Expired,
    Freezing,
    Unfreezing,
    Closing,
    Other(i64),
}

impl BillingStatus {
    pub fn from_code(code: i64) -> BillingStatus {
        match code {
            1 => BillingStatus::Initialising,
            2 => BillingStatus::InUse,
            3 => BillingStatus::Closed,
            4 => BillingStatus::Frozen,
            5 => BillingStatus::Expired,
            6 => BillingStatus::Freezing,
            7 => BillingStatus::Unfreezing,
            8 => BillingStatus::Closing,
            other => BillingStatus::Other(other),
        }
    }

    /// The stable key used in exports.
    pub fn key(self) -> String {
        match self {
            BillingStatus::Initialising => "initialising".into(),
            BillingStatus::InUse => "in_use".into(),
            BillingStatus::Closed => "closed".into(),
            BillingStatus::Frozen => "frozen".into(),
            BillingStatus::Expired => "expired".into(),
            BillingStatus::Freezing => "freezing".into(),
            BillingStatus::Unfreezing => "unfreezing".into(),
            BillingStatus::Closing => "closing".into(),
            BillingStatus::Other(n) => format!("other_{n}"),
        }
    }

    /// The common status it means, where the service gives none.
    pub fn status(self) -> Status {
        match self {
            BillingStatus::InUse | BillingStatus::Unfreezing | BillingStatus::Initialising => Status::Active,
            BillingStatus::Frozen | BillingStatus::Freezing => Status::Frozen,
            BillingStatus::Closed | BillingStatus::Closing => Status::Closed,
            BillingStatus::Expired => Status::Expired,
            BillingStatus::Other(_) => Status::Unknown,
        }
    }
}

impl Billed {
    /// Whether billing has a record of the package (not only was read).
    pub fn known(&self) -> bool {
        self.expires_at.is_some() || self.renewal.is_some() || self.status.is_some()
    }
}

/// Where a package's expiry date comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpirySource {
    Service,
    Billing,
}

impl ExpirySource {
    /// The stable key used in exports.
    pub const fn key(self) -> &'static str {
        match self {
            ExpirySource::Service => "service",
            ExpirySource::Billing => "billing",
        }
    }
}

/// What billing says of one package, once billing was read for its tab:
/// the record's fields, all `None` (the default) when billing has no
/// record of the package.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Billed {
    /// Billing's expiry date; when given it is the package's `expiry`.
    pub expires_at: Option<Instant>,
    pub renewal: Option<Renewal>,
    pub status: Option<BillingStatus>,
    /// The service's own date when billing's is more than a day away from
    /// it: both are shown, and the urgency uses billing's.
    pub service_date: Option<Instant>,
}

/// One package, quota or order of any service.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub service: Service,
    pub id: String,
    pub name: String,
    pub status: Status,
    /// The service's own word for the status, as received.
    pub raw_status: Option<String>,
    pub used: Option<f64>,
    pub total: Option<f64>,
    /// The unit of `total` (and of `used`, unless `used_unit` says otherwise).
    pub unit: Option<String>,
    /// The unit of `used` when it is not `unit` (DSC `usage_measure_id`):
    /// then no share of the total is made.
    pub used_unit: Option<String>,
    /// The readable name the service gives (DSC `resource_name`), shown
    /// instead of the code in `name`.
    pub label: Option<String>,
    /// Whether the quota is bound to something (HSS `used_status`).
    pub in_use: Option<bool>,
    pub starts_at: Option<Instant>,
    pub expiry: Expiry,
    /// Billing mode as the service names it (`packet_cycle`, `ONE_TIME`...).
    pub billing_mode: Option<String>,
    /// A grouping the service gives: MetaStudio `business_type`, HSS category.
    pub category: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub period: Option<Period>,
    /// HSS: the host the quota protects.
    pub host: Option<String>,
    /// CodeArts Check: the next step of the main package and its date.
    pub next: Option<NextStep>,
    /// Where to renew it (`https://` on a Huawei Cloud host only).
    pub renew_url: Option<String>,
    /// How many were bought (CodeArts Check `amount`: seats, concurrency):
    /// a count, not a usage figure.
    pub quantity: Option<f64>,
    /// CodeArts Check free edition: this month's check time (`duration`);
    /// the document names no unit.
    pub run_time: Option<f64>,
    /// HSS: the enterprise project (its name, else its id).
    pub enterprise_project: Option<String>,
    /// The tenant that owns the package, when the service names it.
    pub owner_tenant: Option<String>,
    /// TestPlan `package_user`: the package is shared from another tenant.
    pub cross_tenant: Option<bool>,
    /// TestPlan `has_license`.
    pub has_license: Option<bool>,
    pub source: Option<Source>,
    /// A sub-resource's package (MetaStudio Flexus `resource_type`).
    pub parent: Option<String>,
    /// HSS `host_id`.
    pub host_id: Option<String>,
    /// HSS `shared_quota` (`shared` / `unshared`), as received.
    pub shared: Option<String>,
    /// HSS `tags`, as key and value.
    pub tags: Vec<(String, String)>,
    /// What billing says of it: `None` until billing is read (and for a
    /// package with no resource id of its own, which billing is not asked
    /// about); see [`Billed`].
    pub billed: Option<Billed>,
    /// Its readings over time and the forecast from them, where a history
    /// was kept and it has a usage and a total (see [`crate::history`]).
    pub trend: Option<std::sync::Arc<super::forecast::Trend>>,
}

impl Package {
    /// A package with only its identity known; the normalizers fill the rest.
    pub fn new(service: Service, id: impl Into<String>, name: impl Into<String>) -> Package {
        Package {
            service,
            id: id.into(),
            name: name.into(),
            status: Status::Unknown,
            raw_status: None,
            used: None,
            total: None,
            unit: None,
            used_unit: None,
            label: None,
            in_use: None,
            starts_at: None,
            expiry: Expiry::Unknown,
            billing_mode: None,
            category: None,
            lifecycle: None,
            period: None,
            host: None,
            next: None,
            renew_url: None,
            quantity: None,
            run_time: None,
            enterprise_project: None,
            owner_tenant: None,
            cross_tenant: None,
            has_license: None,
            source: None,
            parent: None,
            host_id: None,
            shared: None,
            tags: Vec::new(),
            billed: None,
            trend: None,
        }
    }

    /// Where the expiry date comes from: billing, the service, or nowhere
    /// (no date).
    pub fn expires_from(&self) -> Option<ExpirySource> {
        match (self.expiry, self.billed.and_then(|b| b.expires_at)) {
            (Expiry::At(at), Some(billed)) if at == billed => Some(ExpirySource::Billing),
            (Expiry::At(_), _) => Some(ExpirySource::Service),
            _ => None,
        }
    }

    /// What happens at expiry, by billing's word (`None`: unknown).
    pub fn renewal(&self) -> Option<Renewal> {
        self.billed.and_then(|b| b.renewal)
    }

    /// Whether the package renews by itself (billing says so): then its
    /// date is no alarm, and reminders are for what lapses.
    pub fn renews(&self) -> bool {
        self.renewal() == Some(Renewal::AutoRenew)
    }

    /// Whether the package has lapsed at `now`, and how: frozen or closed
    /// (by its status or stage), or expired (by its status, its stage past
    /// expiry, or its date). Its figures are then what was used, with
    /// nothing left to use, and it needs a person for what it is, not for
    /// its usage.
    pub fn lapsed(&self, now: Instant) -> Option<Status> {
        let expired =
            self.status == Status::Expired || self.lifecycle.as_ref().is_some_and(Lifecycle::past_expiry) || self.expiry.instant().is_some_and(|at| at <= now);
        match self.attention() {
            Some(Attention::Frozen) => Some(Status::Frozen),
            Some(Attention::Closed) => Some(Status::Closed),
            None => expired.then_some(Status::Expired),
        }
    }

    /// Used up, or over its quota, while still in use (a lapsed package's
    /// figures are history: it needs a person for what it is).
    pub fn used_up(&self, now: Instant) -> bool {
        self.lapsed(now).is_none() && self.usage_ratio().is_some_and(|r| r >= 1.0)
    }

    /// An HSS quota that has expired (by [`Self::lapsed`], or billing's
    /// status) but is still bound to a host: that host has lost its
    /// protection. (A frozen one is listed as frozen.)
    pub fn unprotected(&self, now: Instant) -> bool {
        let expired = self.lapsed(now) == Some(Status::Expired) || self.billed.is_some_and(|b| b.status == Some(BillingStatus::Expired));
        self.service == Service::Hss && self.in_use == Some(true) && expired && self.attention().is_none()
    }

    /// How urgent the package is at `now`. A package counts as expiring
    /// "within N days" while less than N × 24 h remain.
    pub fn urgency(&self, now: Instant, thresholds: Thresholds) -> Urgency {
        // In the grace or retention period the package has expired already;
        // its countdown runs to freezing or deletion (seed 001, `tips`).
        if self.status == Status::Expired || self.lifecycle.as_ref().is_some_and(Lifecycle::past_expiry) {
            return Urgency::Expired;
        }
        match self.expiry {
            Expiry::Never => Urgency::Never,
            Expiry::Unknown => Urgency::Unknown,
            Expiry::At(at) => {
                let left = at.since(now);
                if left <= 0 {
                    Urgency::Expired
                } else if left <= i64::from(thresholds.critical_days) * MS_PER_DAY {
                    Urgency::Critical
                } else if left <= i64::from(thresholds.warning_days) * MS_PER_DAY {
                    Urgency::Warning
                } else {
                    Urgency::Ok
                }
            }
        }
    }

    /// Whether the package is frozen or closed, whatever its date: by its
    /// status word, or by its lifecycle stage (retention period and frozen
    /// for violation are frozen; deleted is closed).
    pub fn attention(&self) -> Option<Attention> {
        match (self.status, &self.lifecycle) {
            (Status::Closed, _) | (_, Some(Lifecycle::Deleted)) => Some(Attention::Closed),
            (Status::Frozen, _) | (_, Some(Lifecycle::Retention | Lifecycle::FrozenForViolation)) => Some(Attention::Frozen),
            _ => None,
        }
    }

    /// When, at its pace, it runs out before it expires (a package with no
    /// end date runs out first whenever it does), while it is still in
    /// use: the forecast of its [`Trend`](super::forecast::Trend).
    pub fn runs_out(&self, now: Instant) -> Option<Instant> {
        let at = self.trend.as_ref()?.forecast.runs_out_at()?;
        let before = self.expiry.instant().is_none_or(|expiry| at < expiry);
        (before && self.lapsed(now).is_none()).then_some(at)
    }

    /// Used as a share of total: at least 0, and above 1 when the service
    /// reports more used than bought.
    pub fn usage_ratio(&self) -> Option<f64> {
        if self.used_unit.is_some() {
            return None;
        }
        match (self.used, self.total) {
            (Some(used), Some(total)) if total > 0.0 && used.is_finite() && total.is_finite() => {
                // Not capped at 1: more used than bought is worth seeing.
                Some((used / total).max(0.0))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    fn expiring(ms_from_now: i64) -> Package {
        Package { expiry: Expiry::At(Instant::from_millis(NOW.millis() + ms_from_now)), ..Package::new(Service::Hss, "id", "n") }
    }

    #[test]
    fn urgency_thresholds_are_inclusive() {
        let t = Thresholds::default();
        let day = MS_PER_DAY;
        assert_eq!(expiring(-1).urgency(NOW, t), Urgency::Expired);
        assert_eq!(expiring(0).urgency(NOW, t), Urgency::Expired);
        assert_eq!(expiring(1).urgency(NOW, t), Urgency::Critical);
        assert_eq!(expiring(7 * day).urgency(NOW, t), Urgency::Critical);
        assert_eq!(expiring(7 * day + 1).urgency(NOW, t), Urgency::Warning);
        assert_eq!(expiring(30 * day).urgency(NOW, t), Urgency::Warning);
        assert_eq!(expiring(30 * day + 1).urgency(NOW, t), Urgency::Ok);
        let custom = Thresholds { critical_days: 3, warning_days: 60 };
        assert_eq!(expiring(5 * day).urgency(NOW, custom), Urgency::Warning);
        assert_eq!(expiring(45 * day).urgency(NOW, custom), Urgency::Warning);
    }

    #[test]
    fn the_services_word_wins() {
        let mut p = expiring(100 * MS_PER_DAY);
        p.status = Status::Expired;
        assert_eq!(p.urgency(NOW, Thresholds::default()), Urgency::Expired);
        let never = Package { expiry: Expiry::Never, ..Package::new(Service::Hss, "i", "n") };
        assert_eq!(never.urgency(NOW, Thresholds::default()), Urgency::Never);
        assert_eq!(Package::new(Service::Dsc, "i", "n").urgency(NOW, Thresholds::default()), Urgency::Unknown);
    }

    #[test]
    fn usage_is_clamped() {
        let with = |used, total| Package { used, total, ..Package::new(Service::Testplan, "i", "n") };
        assert_eq!(with(Some(37.0), Some(50.0)).usage_ratio(), Some(0.74));
        assert_eq!(with(Some(80.0), Some(50.0)).usage_ratio(), Some(1.6));
        assert_eq!(with(Some(-3.0), Some(50.0)).usage_ratio(), Some(0.0));
        assert_eq!(with(Some(3.0), Some(0.0)).usage_ratio(), None);
        assert_eq!(with(Some(f64::NAN), Some(5.0)).usage_ratio(), None);
        assert_eq!(with(None, Some(5.0)).usage_ratio(), None);
        let other_unit = Package { used_unit: Some("count".into()), ..with(Some(3.0), Some(50.0)) };
        assert_eq!(other_unit.usage_ratio(), None, "no share of figures in two units");
    }
}
