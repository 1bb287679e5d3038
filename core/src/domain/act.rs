//! What needs a person now, ranked: the "Act now" list the console opens
//! with. Each package once (the packages counted once across tabs,
//! [`super::across`]), under the first reason that holds, most pressing
//! first: an HSS quota expired while bound to a host (the host is
//! unprotected), then what is frozen or closed, then what lapses within the
//! critical threshold unless somebody acts (not what renews by itself), then
//! what is used up or over its quota, then what at its pace runs out within
//! the critical threshold, before it expires (its [`Trend`](super::forecast::Trend),
//! from the history). Within a reason, the soonest date
//! first, then by name. Services that failed are the component's to add:
//! they are not packages.

use super::across::Unique;
use super::package::{Attention, Package, Thresholds, Urgency};
use super::time::Instant;

/// Why a package is on the list, in the list's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// An HSS quota expired while still bound to a host.
    Unprotected,
    Frozen,
    Closed,
    /// Lapses within the critical threshold, and does not renew by itself.
    Lapses,
    /// Used up, or more used than bought.
    UsedUp,
    /// At its pace, runs out within the critical threshold, before it expires.
    RunsOut,
}

impl Reason {
    /// The stable key used in the page's markup.
    pub const fn key(self) -> &'static str {
        match self {
            Reason::Unprotected => "unprotected",
            Reason::Frozen => "frozen",
            Reason::Closed => "closed",
            Reason::Lapses => "lapses",
            Reason::UsedUp => "used-up",
            Reason::RunsOut => "runs-out",
        }
    }
}

/// One line of the list: the package, why, and the tabs it was seen in.
#[derive(Clone, Debug, PartialEq)]
pub struct Act<'a> {
    pub reason: Reason,
    pub package: &'a Package,
    pub seen_in: &'a [usize],
}

/// The first reason that holds for `p` at `now`, if any.
pub fn reason(p: &Package, now: Instant, thresholds: Thresholds) -> Option<Reason> {
    if p.unprotected(now) {
        return Some(Reason::Unprotected);
    }
    match p.attention() {
        Some(Attention::Frozen) => return Some(Reason::Frozen),
        Some(Attention::Closed) => return Some(Reason::Closed),
        None => {}
    }
    if p.urgency(now, thresholds) == Urgency::Critical && !p.renews() {
        return Some(Reason::Lapses);
    }
    if p.used_up(now) {
        return Some(Reason::UsedUp);
    }
    let soon = now.millis() + i64::from(thresholds.critical_days) * super::time::MS_PER_DAY;
    p.runs_out(now).is_some_and(|at| at.millis() <= soon).then_some(Reason::RunsOut)
}

/// The list, ranked.
pub fn act_now<'a>(uniques: &'a [Unique<'a>], now: Instant, thresholds: Thresholds) -> Vec<Act<'a>> {
    let list: Vec<Act<'a>> =
        uniques.iter().filter_map(|u| reason(u.package, now, thresholds).map(|reason| Act { reason, package: u.package, seen_in: &u.seen_in })).collect();
    super::sorted(list, |a| {
        let when = match a.reason {
            Reason::RunsOut => a.package.runs_out(now),
            _ => a.package.next.map(|n| n.at).or(a.package.expiry.instant()),
        };
        // The reason first (2^60 apart), then the date (within ±2^59).
        ((a.reason as i64) * (1 << 60) + (super::expiry_key(false, when) >> 4), a.package.name.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::MS_PER_DAY;
    use crate::domain::{Billed, Expiry, Renewal, Status};
    use tenantscope_catalog::Service;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    fn due(name: &str, days: i64) -> Package {
        Package { expiry: Expiry::At(Instant::from_millis(NOW.millis() + days * MS_PER_DAY)), status: Status::Active, ..Package::new(Service::Hss, name, name) }
    }

    #[test]
    fn the_list_puts_a_bare_host_first_then_frozen_closed_lapsing_and_used_up() {
        let bare = Package { in_use: Some(true), ..due("bare", -2) };
        let frozen = Package { status: Status::Frozen, ..due("frozen", 40) };
        let closed = Package { status: Status::Closed, ..due("closed", 90) };
        let later = due("lapses-later", 6);
        let sooner = due("lapses-sooner", 2);
        let renews = Package { billed: Some(Billed { renewal: Some(Renewal::AutoRenew), ..Billed::default() }), ..due("renews", 1) };
        let full = Package { used: Some(120.0), total: Some(100.0), ..due("used-up", 200) };
        let lapsed_full = Package { used: Some(100.0), total: Some(100.0), ..due("expired-full", -5) };
        let fine = due("fine", 200);
        let all = [fine, full, renews, later, closed, sooner, frozen, bare, lapsed_full];
        let uniques: Vec<Unique> = all.iter().map(|p| Unique { package: p, seen_in: vec![0] }).collect();
        let names: Vec<(&str, Reason)> = act_now(&uniques, NOW, Thresholds::default()).iter().map(|a| (a.package.name.as_str(), a.reason)).collect();
        assert_eq!(
            names,
            [
                ("bare", Reason::Unprotected),
                ("frozen", Reason::Frozen),
                ("closed", Reason::Closed),
                ("lapses-sooner", Reason::Lapses),
                ("lapses-later", Reason::Lapses),
                ("used-up", Reason::UsedUp),
            ],
            "what renews by itself, what is fine and what lapsed long ago need nobody now"
        );
    }

    #[test]
    fn a_package_is_listed_once_under_its_first_reason() {
        // Frozen and lapsing and used up: frozen.
        let p = Package { status: Status::Frozen, used: Some(10.0), total: Some(10.0), ..due("all", 2) };
        assert_eq!(reason(&p, NOW, Thresholds::default()), Some(Reason::Frozen));
        let uniques = [Unique { package: &p, seen_in: vec![0, 2] }];
        let list = act_now(&uniques, NOW, Thresholds::default());
        assert_eq!((list.len(), list[0].seen_in), (1, &[0, 2][..]));
    }

    /// A package with usage whose trend runs out `in_days` from now.
    fn running_out(name: &str, expires_in: i64, in_days: i64) -> Package {
        use crate::domain::forecast::{Forecast, Pace, Trend};
        let pace = Pace { per_day: 10.0, from: NOW, points: 3 };
        let at = Instant::from_millis(NOW.millis() + in_days * MS_PER_DAY);
        let trend = Trend { readings: vec![(NOW, 50.0)].into(), forecast: Forecast::RunsOut { at, pace } };
        Package { used: Some(50.0), total: Some(100.0), trend: Some(std::sync::Arc::new(trend)), ..due(name, expires_in) }
    }

    #[test]
    fn what_runs_out_before_it_expires_within_the_critical_threshold_is_listed_last() {
        let soon = running_out("runs-out-in-3", 60, 3);
        let later = running_out("runs-out-in-20", 60, 20);
        let after_expiry = running_out("expires-first", 2, 5);
        let full = Package { used: Some(100.0), total: Some(100.0), ..due("used-up", 200) };
        assert_eq!(reason(&soon, NOW, Thresholds::default()), Some(Reason::RunsOut));
        assert_eq!(reason(&later, NOW, Thresholds::default()), None, "beyond the critical threshold");
        // It expires (in 2 days) before it would run out (in 5): it lapses.
        assert_eq!(reason(&after_expiry, NOW, Thresholds::default()), Some(Reason::Lapses));
        let all = [soon, later, after_expiry, full];
        let uniques: Vec<Unique> = all.iter().map(|p| Unique { package: p, seen_in: vec![0] }).collect();
        let names: Vec<&str> = act_now(&uniques, NOW, Thresholds::default()).iter().map(|a| a.package.name.as_str()).collect();
        assert_eq!(names, ["expires-first", "used-up", "runs-out-in-3"]);
    }
}
