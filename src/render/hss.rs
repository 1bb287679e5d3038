//! HSS's own charts (its quotas in use, by edition and state, by
//! enterprise project), drawn from what its reading holds.

use tenantscope_catalog::Service;

use crate::domain::chart::states_by_name;
use crate::domain::query::groups;
use crate::domain::Package;
use crate::format;
use crate::i18n::{t, tf, tx};
use crate::render;
use crate::services::hss::QuotaStats;
use crate::services::Facts;

/// HSS's own charts: quotas in use (the tenant-wide counts when every page
/// agreed on them), and quotas by edition and state as bar gauges.
pub fn charts(packages: &[Package], shown: &[usize], facts: Option<&Facts>, complete: bool) -> String {
    let mut html = String::new();
    // The packages shown (by index: a filter keystroke copies none).
    let each = || shown.iter().filter_map(|&i| packages.get(i));
    let in_use = each().filter(|p| p.in_use == Some(true)).count() as u64;
    // The tenant-wide counts when every page agreed on them and nothing is
    // filtered out (`facts` is `None` for a filtered view); else the packages'.
    let stats = match facts {
        Some(Facts::Hss(r)) => r.stats.as_ref(),
        _ => None,
    };
    let (used, idle) = match stats {
        Some(QuotaStats { used: Some(u), idle: Some(i), .. }) if complete => (*u, *i),
        _ => (in_use, (each().count() as u64).saturating_sub(in_use)),
    };
    // The counts are the network's: no sum or product of them may overflow.
    let total = used.saturating_add(idle);
    let share = (u128::from(used) * 100 + u128::from(total / 2)).checked_div(u128::from(total)).unwrap_or(0);
    html.push_str(&render::donut_with(
        t("Quotas in use"),
        &[(t("In use"), used, "s-used"), (t("Idle"), idle, "s-left")],
        Some((format!("{used} / {total}"), tf("in use ({0}%)", &[&share]))),
    ));
    // Per edition, how many are normal, expired and frozen, in words beside the bar.
    let rows: Vec<render::Gauge> = states_by_name(each())
        .into_iter()
        .map(|(name, c)| {
            let words = [(c[0], tx("{0} normal")), (c[1], tx("{0} expired")), (c[2], tx("{0} frozen"))];
            let figures: Vec<String> = words.iter().filter(|(n, _)| *n > 0).map(|(n, w)| tf(w, &[n])).collect();
            render::Gauge { label: format::code_label(Service::Hss, &name).unwrap_or(name), values: c.to_vec(), figures: figures.join(", ") }
        })
        .collect();
    html.push_str(&render::gauges(t("Quotas by edition"), &[(t("Normal"), "s-ok"), (t("Expired"), "s-bad"), (t("Frozen"), "s-frozen")], &rows));
    html
}

/// The finer split, by enterprise project too, folded away beneath the
/// charts (the gauges say most of it): its summary, and the table drawn
/// when it is opened.
pub fn drawer() -> render::Drawer {
    (t("By edition, enterprise project and status"), |packages, shown| render::groups(&groups(packages, shown)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::hss::{Reach, Reading};

    #[test]
    fn tenant_wide_counts_at_their_largest_draw_without_overflow() {
        let stats = QuotaStats { used: Some(u64::MAX), idle: Some(u64::MAX), ..QuotaStats::default() };
        let facts = Facts::Hss(Reading { stats: Some(stats), scope: Reach::AllProjects });
        let html = charts(&[], &[], Some(&facts), true);
        assert!(html.contains("Quotas in use"), "{html}");
    }
}
