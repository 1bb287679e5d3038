//! What the overview derives from the packages of every open tenant: counts
//! by urgency and by status, the expiry warnings in the order a person deals
//! with them (grouped, identical rows merged; what lapses apart from what
//! renews by itself), and how far away an expiry is in whole days.

use super::package::{Attention, Expiry, Package, Status, Thresholds, Urgency};
use super::time::{Instant, MS_PER_DAY};

/// How many packages there are of each urgency and each status, in the order
/// of [`Urgency::ALL`] and [`Status::ALL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_urgency: [usize; 6],
    pub by_status: [usize; 5],
    /// Frozen or closed, by status or lifecycle ([`Package::attention`]),
    /// counted apart from urgency, which is a matter of time only.
    pub frozen_or_closed: usize,
    /// Of `by_urgency`, those billing says renew automatically.
    pub renewing: [usize; 6],
    /// HSS quotas that lapsed while bound to a host ([`Package::unprotected`]).
    pub unprotected: usize,
    /// Used up or over quota while in use ([`Package::used_up`]).
    pub used_up: usize,
    /// At their pace, run out before they expire ([`Package::runs_out`]).
    pub runs_out: usize,
}

impl Counts {
    pub fn of<'a>(packages: impl IntoIterator<Item = &'a Package>, now: Instant, thresholds: Thresholds) -> Counts {
        let mut counts = Counts::default();
        for p in packages {
            let urgency = p.urgency(now, thresholds) as usize;
            counts.by_urgency[urgency] += 1;
            counts.renewing[urgency] += usize::from(p.renews());
            counts.by_status[p.status as usize] += 1;
            counts.frozen_or_closed += usize::from(p.attention().is_some());
            counts.unprotected += usize::from(p.unprotected(now));
            counts.used_up += usize::from(p.used_up(now));
            counts.runs_out += usize::from(p.runs_out(now).is_some());
        }
        counts
    }

    pub fn urgency(&self, urgency: Urgency) -> usize {
        self.by_urgency[urgency as usize]
    }

    /// Of `urgency`, those that lapse unless somebody acts (all but the
    /// ones that renew automatically): the alarm.
    pub fn lapsing(&self, urgency: Urgency) -> usize {
        self.by_urgency[urgency as usize] - self.renewing[urgency as usize]
    }

    /// Those that renew automatically within the warning threshold.
    pub fn renewing_soon(&self) -> usize {
        self.renewing[Urgency::Critical as usize] + self.renewing[Urgency::Warning as usize]
    }

    pub fn status(&self, status: Status) -> usize {
        self.by_status[status as usize]
    }

    pub fn total(&self) -> usize {
        self.by_status.iter().sum()
    }
}

/// Whole days between `now` and an expiry, as people say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relative {
    /// Expires in this many days (1 or more; partial days count as a day,
    /// so "in 7 days" is exactly what the 7-day threshold calls critical).
    In(i64),
    /// Expired less than a day ago.
    Today,
    /// Expired this many whole days ago (1 or more).
    Ago(i64),
}

impl Relative {
    pub fn between(at: Instant, now: Instant) -> Relative {
        let left = at.since(now);
        if left > 0 {
            // Ceiling division on a positive number.
            Relative::In((left - 1) / MS_PER_DAY + 1)
        } else {
            match left.saturating_neg() / MS_PER_DAY {
                0 => Relative::Today,
                days => Relative::Ago(days),
            }
        }
    }
}

/// One line of the expiry warnings: which tenant (tab), and which package.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warning<'a> {
    pub tenant: usize,
    pub package: &'a Package,
    pub urgency: Urgency,
    /// Frozen or closed, whatever the date.
    pub attention: Option<Attention>,
    /// Expired by the service's word, with no date or a later one.
    pub said_expired: bool,
}

/// The packages that need attention (expired, within the warning
/// threshold, or frozen or closed whatever their date), sorted by expiry
/// with the expired first. Packages the service
/// calls expired but that have no date, or a later one, come first of all:
/// the service's word is the more recent news.
pub fn warnings<'a>(tenants: impl IntoIterator<Item = (usize, &'a [Package])>, now: Instant, thresholds: Thresholds) -> Vec<Warning<'a>> {
    let list: Vec<Warning<'a>> = tenants
        .into_iter()
        .flat_map(|(tenant, packages)| packages.iter().map(move |package| (tenant, package)))
        .filter_map(|(tenant, package)| {
            let urgency = package.urgency(now, thresholds);
            let attention = package.attention();
            let said_expired = urgency == Urgency::Expired && package.expiry.instant().is_none_or(|at| at > now);
            (attention.is_some() || matches!(urgency, Urgency::Expired | Urgency::Critical | Urgency::Warning)).then_some(Warning {
                tenant,
                package,
                urgency,
                attention,
                said_expired,
            })
        })
        .collect();
    super::sorted(list, |w| {
        let at = w.package.expiry.instant();
        (if w.said_expired { i64::MIN } else { super::expiry_key(false, at) }, w.package.name.clone())
    })
}

/// Warnings of identical packages (same tab, service, name, date, state and
/// next step), shown as one row with their count: MetaStudio lists one
/// resource per purchase, so thirteen identical packs would be thirteen rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Merged<'a> {
    pub first: Warning<'a>,
    pub count: usize,
}

/// The warnings as the overview shows them: HSS quotas that lapsed while
/// still bound to a host (that host has lost its protection), most urgent
/// of all; what lapses soon unless somebody acts, soonest first; what is
/// frozen or closed but not past its date; what has expired, most recent
/// first (the service's own word, with no date or a later one, first of
/// all), which the overview collapses behind its count; and, quietly apart,
/// what renews automatically soon, with its date.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grouped<'a> {
    pub unprotected: Vec<Merged<'a>>,
    pub upcoming: Vec<Merged<'a>>,
    pub frozen_or_closed: Vec<Merged<'a>>,
    pub expired: Vec<Merged<'a>>,
    pub renewing: Vec<Merged<'a>>,
}

impl Grouped<'_> {
    /// Packages in all (a merged row counts each of its packages).
    pub fn packages(&self) -> usize {
        [&self.unprotected, &self.upcoming, &self.frozen_or_closed, &self.expired, &self.renewing].iter().flat_map(|g| g.iter()).map(|m| m.count).sum()
    }
}

/// [`warnings`], grouped and merged for the overview, at `now`.
pub fn grouped<'a>(list: &[Warning<'a>], now: Instant) -> Grouped<'a> {
    let mut grouped = Grouped::default();
    let (unprotected, list): (Vec<&Warning>, Vec<&Warning>) = list.iter().partition(|w| w.package.unprotected(now));
    // One row per host: each is a server to protect again.
    for w in unprotected {
        push_merged(&mut grouped.unprotected, *w, true);
    }
    // `warnings` puts the expired first (the service's word, then by date);
    // the expired group reads them from the most recent back.
    let (expired, rest): (Vec<&Warning>, Vec<&Warning>) = list.into_iter().partition(|w| w.urgency == Urgency::Expired);
    for w in rest {
        let group = match (w.attention, w.package.renews()) {
            (Some(_), _) => &mut grouped.frozen_or_closed,
            // A date that billing renews by itself is no alarm.
            (None, true) => &mut grouped.renewing,
            (None, false) => &mut grouped.upcoming,
        };
        push_merged(group, *w, false);
    }
    // The service's word first (no date, or a later one), then the dated
    // ones from the most recent back.
    let (said, dated): (Vec<&Warning>, Vec<&Warning>) = expired.into_iter().partition(|w| w.said_expired);
    for w in said.into_iter().chain(dated.into_iter().rev()) {
        push_merged(&mut grouped.expired, *w, false);
    }
    grouped
}

fn push_merged<'a>(group: &mut Vec<Merged<'a>>, w: Warning<'a>, by_host: bool) {
    let same = |a: &Warning, b: &Warning| {
        a.tenant == b.tenant
            && a.urgency == b.urgency
            && a.attention == b.attention
            && a.package.service == b.package.service
            && a.package.name == b.package.name
            && a.package.expiry == b.package.expiry
            && a.package.next == b.package.next
            && a.package.lifecycle == b.package.lifecycle
            && a.package.billed == b.package.billed
            && (!by_host || (a.package.host == b.package.host && a.package.host_id == b.package.host_id))
    };
    match group.last_mut() {
        Some(last) if same(&last.first, &w) => last.count += 1,
        _ => group.push(Merged { first: w, count: 1 }),
    }
}

/// The packages with an expiry date inside the next `days` days (or already
/// past, but at most `days` back), sorted by date: the timeline's points.
pub fn upcoming<'a>(packages: impl IntoIterator<Item = &'a Package>, now: Instant, days: i64) -> Vec<(&'a Package, Instant)> {
    let end = now.plus_days(days);
    let list: Vec<(&Package, Instant)> = packages
        .into_iter()
        .filter_map(|p| match p.expiry {
            Expiry::At(at) if at > now && at <= end => Some((p, at)),
            _ => None,
        })
        .collect();
    super::sorted(list, |(p, at)| (at.millis(), p.name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Service;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);
    const HOUR: i64 = 3_600_000;

    fn expiring(name: &str, ms_from_now: i64) -> Package {
        Package { expiry: Expiry::At(Instant::from_millis(NOW.millis() + ms_from_now)), ..Package::new(Service::Hss, name, name) }
    }

    #[test]
    fn relative_days_round_up_ahead_and_down_behind() {
        let rel = |ms: i64| Relative::between(Instant::from_millis(NOW.millis() + ms), NOW);
        assert_eq!(rel(1), Relative::In(1));
        assert_eq!(rel(MS_PER_DAY), Relative::In(1));
        assert_eq!(rel(MS_PER_DAY + 1), Relative::In(2));
        assert_eq!(rel(7 * MS_PER_DAY), Relative::In(7));
        assert_eq!(rel(0), Relative::Today);
        assert_eq!(rel(-23 * HOUR), Relative::Today);
        assert_eq!(rel(-MS_PER_DAY), Relative::Ago(1));
        assert_eq!(rel(-3 * MS_PER_DAY - HOUR), Relative::Ago(3));
        // Far ends saturate instead of overflowing.
        assert!(matches!(Relative::between(Instant::from_millis(i64::MIN), Instant::from_millis(i64::MAX)), Relative::Ago(_)));
    }

    #[test]
    fn counts_add_up_by_urgency_and_status() {
        let mut frozen = expiring("f", 3 * MS_PER_DAY);
        frozen.status = Status::Frozen;
        let packages = [
            expiring("a", -MS_PER_DAY),
            expiring("b", 2 * MS_PER_DAY),
            frozen,
            expiring("c", 20 * MS_PER_DAY),
            expiring("d", 200 * MS_PER_DAY),
            Package { expiry: Expiry::Never, status: Status::Active, ..Package::new(Service::Hss, "n", "n") },
            Package::new(Service::Dsc, "u", "u"),
        ];
        let counts = Counts::of(&packages, NOW, Thresholds::default());
        assert_eq!(counts.by_urgency, [1, 2, 1, 1, 1, 1]);
        assert_eq!(counts.status(Status::Frozen), 1);
        assert_eq!(counts.status(Status::Active), 1);
        assert_eq!(counts.status(Status::Unknown), 5);
        assert_eq!(counts.total(), 7);
        // Thresholds are settings: a 1-day critical threshold moves "b" out.
        let tight = Counts::of(&packages, NOW, Thresholds { critical_days: 1, warning_days: 30 });
        assert_eq!(tight.urgency(Urgency::Critical), 0);
        assert_eq!(tight.urgency(Urgency::Warning), 3);
    }

    #[test]
    fn used_up_counts_what_is_in_use_at_or_over_its_quota() {
        let with = |id: &str, used: f64, total: f64, expires_in: i64| Package { used: Some(used), total: Some(total), ..expiring(id, expires_in) };
        let packages = [
            with("full", 50.0, 50.0, 40 * MS_PER_DAY),
            with("over", 120.0, 100.0, 40 * MS_PER_DAY),
            with("nearly", 49.0, 50.0, 40 * MS_PER_DAY),
            // Expired: its figures are history, and it counts as expired.
            with("expired-full", 50.0, 50.0, -MS_PER_DAY),
        ];
        assert_eq!(Counts::of(&packages, NOW, Thresholds::default()).used_up, 2);
    }

    #[test]
    fn runs_out_counts_what_its_pace_empties_before_it_expires() {
        use crate::domain::forecast::{Forecast, Pace, Trend};
        let pace = Pace { per_day: 1.0, from: NOW, points: 2 };
        let with = |id: &str, runs_out_in: i64, expires_in: i64| {
            let forecast = Forecast::RunsOut { at: Instant::from_millis(NOW.millis() + runs_out_in), pace };
            let trend = Some(std::sync::Arc::new(Trend { readings: vec![(NOW, 1.0)].into(), forecast }));
            Package { used: Some(1.0), total: Some(10.0), trend, ..expiring(id, expires_in) }
        };
        let packages = [
            with("first", 5 * MS_PER_DAY, 40 * MS_PER_DAY),
            // It expires before it would run out.
            with("expires-first", 50 * MS_PER_DAY, 40 * MS_PER_DAY),
            // Expired already: what it would do is history.
            with("expired", MS_PER_DAY, -MS_PER_DAY),
            with("never-expires", 9 * MS_PER_DAY, 0),
            expiring("no-trend", 40 * MS_PER_DAY),
        ];
        let mut packages = packages.to_vec();
        packages[3].expiry = Expiry::Never;
        assert_eq!(Counts::of(&packages, NOW, Thresholds::default()).runs_out, 2);
    }

    #[test]
    fn warnings_put_the_expired_first_then_by_date() {
        let mut said = Package::new(Service::Testplan, "s", "said-expired");
        said.status = Status::Expired;
        let one = [expiring("later", 20 * MS_PER_DAY), expiring("soon", 2 * MS_PER_DAY), expiring("fine", 90 * MS_PER_DAY)];
        let two = [expiring("gone", -5 * MS_PER_DAY), said, Package { expiry: Expiry::Never, ..Package::new(Service::Hss, "n", "n") }];
        let list = warnings([(0, &one[..]), (1, &two[..])], NOW, Thresholds::default());
        let names: Vec<(&str, usize)> = list.iter().map(|w| (w.package.name.as_str(), w.tenant)).collect();
        assert_eq!(names, [("said-expired", 1), ("gone", 1), ("soon", 0), ("later", 0)]);
        assert_eq!(list[2].urgency, Urgency::Critical);
    }

    #[test]
    fn frozen_and_closed_need_attention_whatever_their_date() {
        use crate::domain::Lifecycle;
        let mut frozen = expiring("frozen-later", 200 * MS_PER_DAY);
        frozen.status = Status::Frozen;
        let mut closed = Package::new(Service::Testplan, "c", "closed-undated");
        closed.status = Status::Closed;
        let mut violation = expiring("violation", 100 * MS_PER_DAY);
        violation.lifecycle = Some(Lifecycle::FrozenForViolation);
        let fine = expiring("fine", 200 * MS_PER_DAY);
        let packages = [frozen, closed, violation, fine];
        let list = warnings([(0, &packages[..])], NOW, Thresholds::default());
        let names: Vec<(&str, Option<Attention>)> = list.iter().map(|w| (w.package.name.as_str(), w.attention)).collect();
        assert_eq!(names, [("violation", Some(Attention::Frozen)), ("frozen-later", Some(Attention::Frozen)), ("closed-undated", Some(Attention::Closed)),]);
        // Urgency stays a matter of time; the state is counted apart.
        let counts = Counts::of(&packages, NOW, Thresholds::default());
        assert_eq!((counts.frozen_or_closed, counts.urgency(Urgency::Ok)), (3, 3));
    }

    #[test]
    fn grouped_puts_upcoming_first_then_frozen_then_expired_newest_first() {
        let mut said = Package::new(Service::Testplan, "s", "said-expired");
        said.status = Status::Expired;
        let mut frozen = expiring("frozen-later", 200 * MS_PER_DAY);
        frozen.status = Status::Frozen;
        let mut frozen_past = expiring("frozen-past", -2 * MS_PER_DAY);
        frozen_past.status = Status::Frozen;
        let packages = [
            expiring("long-gone", -56 * MS_PER_DAY),
            expiring("later", 20 * MS_PER_DAY),
            said,
            frozen,
            expiring("yesterday", -MS_PER_DAY - HOUR),
            expiring("soon", 2 * MS_PER_DAY),
            frozen_past,
            expiring("fine", 90 * MS_PER_DAY),
        ];
        let list = warnings([(0, &packages[..])], NOW, Thresholds::default());
        let g = grouped(&list, NOW);
        let names = |rows: &[Merged]| rows.iter().map(|m| m.first.package.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&g.upcoming), ["soon", "later"]);
        assert_eq!(names(&g.frozen_or_closed), ["frozen-later"]);
        assert_eq!(names(&g.expired), ["said-expired", "yesterday", "frozen-past", "long-gone"]);
        assert_eq!(g.packages(), 7);
    }

    #[test]
    fn what_renews_by_itself_is_apart_from_what_lapses_and_a_bare_host_comes_first() {
        use crate::domain::{Billed, Renewal};
        let billed = |p: Package, renewal| Package {
            billed: Some(Billed { expires_at: p.expiry.instant(), renewal: Some(renewal), status: None, service_date: None }),
            ..p
        };
        let renews = billed(expiring("renews", 3 * MS_PER_DAY), Renewal::AutoRenew);
        let lapses = billed(expiring("lapses", 3 * MS_PER_DAY), Renewal::GracePeriod);
        let unknown = expiring("unknown-policy", 5 * MS_PER_DAY);
        // An HSS quota bound to a host whose billing says it expired.
        let mut bare = Package { in_use: Some(true), ..expiring("bare-host", -2 * MS_PER_DAY) };
        bare.service = Service::Hss;
        let idle = Package { in_use: Some(false), ..bare.clone() };
        let idle = Package { name: "idle-expired".into(), ..idle };
        let packages = [renews, lapses, unknown, bare, idle];
        let list = warnings([(0, &packages[..])], NOW, Thresholds::default());
        let g = grouped(&list, NOW);
        let names = |rows: &[Merged]| rows.iter().map(|m| m.first.package.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&g.unprotected), ["bare-host"]);
        assert_eq!(names(&g.upcoming), ["lapses", "unknown-policy"], "an unknown policy is treated as lapsing");
        assert_eq!(names(&g.renewing), ["renews"]);
        assert_eq!(names(&g.expired), ["idle-expired"]);
        assert_eq!(g.packages(), 5);
        // Urgency stays a matter of time: both count as critical; the alarm is what lapses.
        let counts = Counts::of(&packages, NOW, Thresholds::default());
        assert_eq!((counts.urgency(Urgency::Critical), counts.lapsing(Urgency::Critical), counts.renewing_soon()), (3, 2, 1));
        assert_eq!(counts.unprotected, 1);
        // Two bare hosts are two rows, whatever else they share.
        let on = |host: &str| Package { host: Some(host.into()), ..packages[3].clone() };
        let two = [on("ecs-1"), on("ecs-2"), on("ecs-2")];
        let list = warnings([(0, &two[..])], NOW, Thresholds::default());
        let rows: Vec<usize> = grouped(&list, NOW).unprotected.iter().map(|m| m.count).collect();
        assert_eq!(rows, [1, 2]);
    }

    #[test]
    fn identical_warnings_merge_into_one_row_with_their_count() {
        let mut packages: Vec<Package> = (0..13).map(|i| Package { id: format!("id-{i}"), ..expiring("voice-pack", 3 * MS_PER_DAY) }).collect();
        packages.push(expiring("voice-pack", 4 * MS_PER_DAY));
        packages.push(Package { id: "other".into(), ..expiring("other-pack", 3 * MS_PER_DAY) });
        let list = warnings([(0, &packages[..]), (1, &packages[..1])], NOW, Thresholds::default());
        let g = grouped(&list, NOW);
        let rows: Vec<(&str, usize, usize)> = g.upcoming.iter().map(|m| (m.first.package.name.as_str(), m.first.tenant, m.count)).collect();
        // Another tab's identical package is its own row; so is another day.
        assert_eq!(rows, [("other-pack", 0, 1), ("voice-pack", 0, 13), ("voice-pack", 1, 1), ("voice-pack", 0, 1)]);
        assert_eq!(g.packages(), 16);
    }

    #[test]
    fn upcoming_keeps_the_next_days_in_date_order() {
        let packages = [
            expiring("c", 89 * MS_PER_DAY),
            expiring("a", HOUR),
            expiring("past", -HOUR),
            expiring("b", 90 * MS_PER_DAY),
            expiring("beyond", 90 * MS_PER_DAY + 1),
        ];
        let names: Vec<&str> = upcoming(&packages, NOW, 90).iter().map(|(p, _)| p.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "b"]);
    }
}
