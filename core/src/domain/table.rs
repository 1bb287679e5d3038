//! The dense package table of a service panel: its columns, the order a
//! column header sorts by, and which rows of a long list are drawn (the
//! table is windowed: only the rows in sight, plus a margin, are in the
//! page, so thousands of HSS quotas scroll smoothly).

use std::ops::Range;

use super::package::{Package, Thresholds, Urgency};
use super::time::Instant;

/// Up to this many packages pass the filters, a panel shows cards (every
/// detail at once); more, the table. A warning row narrows its panel to one
/// package, so it opens on that package's card.
pub const CARDS_UP_TO: usize = 8;

/// A column a header sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Under "All tenants": the tab a package was read in.
    Tenant,
    /// Under "All tenants": the region of that tab.
    Region,
    Name,
    /// HSS: the host; the others: the category (type) the service gives.
    Place,
    /// Used over total, as a share.
    Usage,
    /// The expiry date; "days left" sorts the same way.
    Expiry,
    Id,
}

impl Column {
    pub const fn key(self) -> &'static str {
        match self {
            Column::Tenant => "tenant",
            Column::Region => "region",
            Column::Name => "name",
            Column::Place => "place",
            Column::Usage => "usage",
            Column::Expiry => "expiry",
            Column::Id => "id",
        }
    }
}

/// A header's sort: a column, and whether it goes from the largest (latest,
/// fullest, Z) down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSort {
    pub column: Column,
    pub descending: bool,
}

impl TableSort {
    /// What clicking `column`'s header makes of the sort in force: the
    /// column ascending, or the other way when it is already sorted by it
    /// (usage starts fullest first, as the view's "usage" sort does).
    pub fn toggled(current: Option<TableSort>, column: Column) -> TableSort {
        match current {
            Some(s) if s.column == column => TableSort { column, descending: !s.descending },
            _ => TableSort { column, descending: column == Column::Usage },
        }
    }
}

/// What the second column shows for a service's packages: the host when
/// any package names one (HSS), else the category when any has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Host,
    Category,
}

impl Place {
    pub fn of(packages: &[Package]) -> Option<Place> {
        if packages.iter().any(|p| p.host.is_some()) {
            Some(Place::Host)
        } else if packages.iter().any(|p| p.category.is_some()) {
            Some(Place::Category)
        } else {
            None
        }
    }

    pub fn value(self, p: &Package) -> Option<&str> {
        match self {
            Place::Host => p.host.as_deref(),
            Place::Category => p.category.as_deref(),
        }
    }
}

/// Whose each package of a table across tabs is ("All tenants"): its owner,
/// the tabs it was seen in ([`super::across`]: a package several tabs read
/// is one row), and each owner's name and region as the columns show them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnerNames {
    /// By package index: its owner's index (in tab order: the owners of one
    /// tab each are the tabs themselves).
    pub tab_of: Vec<usize>,
    /// By owner: its tabs' labels as the tab bar names them, in one line
    /// ("2. alice · cn-east-3", or "1. alice · cn-north-4, 3. alice · cn-east-3").
    pub labels: Vec<String>,
    /// By owner: its tabs' regions' ids, each once ("cn-north-4").
    pub regions: Vec<String>,
}

impl OwnerNames {
    /// The owners of merged packages, by `owners` (the tabs of each), each
    /// tab named by `labels` and placed by `regions` (by tab index).
    pub fn of(owners: &super::across::Owners, labels: &[String], regions: &[String]) -> OwnerNames {
        let region = |tabs: &[usize]| {
            let mut ids: Vec<&str> = Vec::new();
            for r in tabs.iter().filter_map(|&t| regions.get(t)).filter(|r| !r.is_empty()) {
                if !ids.contains(&r.as_str()) {
                    ids.push(r);
                }
            }
            ids.join(super::across::SEPARATOR)
        };
        OwnerNames {
            tab_of: owners.of.clone(),
            labels: owners.seen_in.iter().map(|tabs| super::across::names(tabs, labels)).collect(),
            regions: owners.seen_in.iter().map(|tabs| region(tabs)).collect(),
        }
    }

    /// The owner of package `i`.
    pub fn owner(&self, i: usize) -> Option<usize> {
        self.tab_of.get(i).copied()
    }

    /// The tabs package `i` was seen in, named in one line.
    pub fn label(&self, i: usize) -> Option<&str> {
        self.owner(i).and_then(|t| self.labels.get(t)).map(String::as_str)
    }

    /// The region (or regions) of the tabs package `i` was seen in.
    pub fn region(&self, i: usize) -> Option<&str> {
        self.owner(i).and_then(|t| self.regions.get(t)).map(String::as_str).filter(|r| !r.is_empty())
    }
}

/// `indices` (into `packages`) in the order of `sort`; `label` gives the
/// readable name, `owners` (across tabs) the tab of each. Packages without the value sorted on (no figures, no
/// host) stay last in both directions; ties keep the order they came in.
pub fn sort(
    packages: &[Package],
    indices: &[usize],
    sort: TableSort,
    label: impl Fn(&Package) -> String,
    owners: Option<&OwnerNames>,
    now: Instant,
    thresholds: Thresholds,
) -> Vec<usize> {
    let place = Place::of(packages);
    // (has no value, number, text) for each index.
    let key = |i: usize, p: &Package| -> Option<super::Key> {
        match sort.column {
            // In tab order, as the tab bar has them (a package seen in tabs
            // 1 and 3 after those of tab 1 alone).
            Column::Tenant => owners.and_then(|o| o.owner(i)).map(|t| (t as i64, String::new())),
            Column::Region => owners.and_then(|o| o.region(i)).map(|r| (0, r.to_string())),
            Column::Name => Some((0, label(p).to_ascii_lowercase())),
            Column::Place => place.and_then(|pl| pl.value(p)).map(|v| (0, v.to_ascii_lowercase())),
            Column::Usage => p.usage_ratio().map(|r| ((r * 1e6) as i64, String::new())),
            Column::Expiry => {
                let expired = p.urgency(now, thresholds) == Urgency::Expired;
                (expired || p.expiry.instant().is_some()).then(|| (super::expiry_key(expired, p.expiry.instant()), String::new()))
            }
            Column::Id => Some((0, p.id.clone())),
        }
    };
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for &i in indices {
        let Some(p) = packages.get(i) else { continue };
        match key(i, p) {
            Some(k) => present.push((i, k)),
            None => missing.push(i),
        }
    }
    let order = super::order(present.iter().map(|(_, k)| k.clone()).collect());
    let mut out: Vec<usize> = Vec::with_capacity(indices.len());
    if sort.descending {
        // Runs of equal keys in reverse, each run in the order it came (the
        // view's: soonest expiry first among packages of one name).
        let mut end = order.len();
        while end > 0 {
            let mut start = end - 1;
            while start > 0 && present[order[start - 1]].1 == present[order[end - 1]].1 {
                start -= 1;
            }
            out.extend(order[start..end].iter().map(|&k| present[k].0));
            end = start;
        }
    } else {
        out.extend(order.iter().map(|&k| present[k].0));
    }
    out.append(&mut missing);
    out
}

/// The rows to draw of a table of `len` rows, `row` pixels each, scrolled
/// `top` pixels down a viewport `height` pixels high: those in sight and
/// `margin` more on each side.
pub fn window(top: f64, height: f64, row: f64, len: usize, margin: usize) -> Range<usize> {
    if len == 0 {
        return 0..0;
    }
    let row = if row.is_finite() && row >= 1.0 { row } else { 1.0 };
    let (top, height) = (top.max(0.0), height.max(row));
    let first = ((top / row) as usize).min(len - 1);
    let seen = (height / row).ceil() as usize + 1;
    first.saturating_sub(margin)..(first + seen + margin).min(len)
}

/// Where to scroll so that row `index` is in sight, from `top`: unchanged
/// when it already is, else just enough.
pub fn scroll_to(index: usize, top: f64, height: f64, row: f64, header: f64) -> f64 {
    let (start, end) = (index as f64 * row, (index + 1) as f64 * row);
    // The sticky header covers the top `header` pixels of the viewport.
    if start < top {
        start
    } else if end > top + height - header {
        end - (height - header)
    } else {
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Expiry;
    use tenantscope_catalog::Service;

    fn package(id: &str, name: &str) -> Package {
        Package::new(Service::Hss, id, name)
    }

    fn day(n: i64) -> Instant {
        Instant::from_millis(n * crate::domain::time::MS_PER_DAY)
    }

    #[test]
    fn headers_sort_either_way_with_missing_values_last() {
        let mut ps = vec![package("c", "beta"), package("a", "Alpha"), package("b", "gamma"), package("d", "delta")];
        ps[0].host = Some("web-2".into());
        ps[1].host = Some("db-1".into());
        ps[3].host = Some("Web-1".into());
        ps[0].used = Some(5.0);
        ps[0].total = Some(10.0);
        ps[2].used = Some(9.0);
        ps[2].total = Some(10.0);
        ps[1].expiry = Expiry::At(day(30));
        ps[2].expiry = Expiry::At(day(10));
        ps[3].expiry = Expiry::At(day(1)); // expired at day 5
        let all = [0, 1, 2, 3];
        let by = |column, descending| sort(&ps, &all, TableSort { column, descending }, |p| p.name.clone(), None, day(5), Thresholds::default());
        assert_eq!(by(Column::Name, false), [1, 0, 3, 2]);
        assert_eq!(by(Column::Name, true), [2, 3, 0, 1]);
        assert_eq!(by(Column::Place, false), [1, 3, 0, 2], "hosts ignoring case, the one without last");
        assert_eq!(by(Column::Place, true), [0, 3, 1, 2], "still last the other way");
        assert_eq!(by(Column::Usage, true), [2, 0, 1, 3]);
        assert_eq!(by(Column::Usage, false), [0, 2, 1, 3]);
        assert_eq!(by(Column::Expiry, false), [3, 2, 1, 0], "expired first, undated last");
        assert_eq!(by(Column::Expiry, true), [1, 2, 3, 0]);
        assert_eq!(by(Column::Id, false), [1, 2, 0, 3]);
        // Ties keep the order they came in, either way.
        let same = [package("x", "Same"), package("y", "same"), package("z", "Other")];
        let tied =
            |descending| sort(&same, &[0, 1, 2], TableSort { column: Column::Name, descending }, |p| p.name.clone(), None, day(5), Thresholds::default());
        assert_eq!(tied(false), [2, 0, 1]);
        assert_eq!(tied(true), [0, 1, 2]);
        // Only the indices given, and none out of range.
        assert_eq!(
            sort(&ps, &[2, 9, 0], TableSort { column: Column::Name, descending: false }, |p| p.name.clone(), None, day(5), Thresholds::default()),
            [0, 2]
        );
    }

    #[test]
    fn across_tabs_the_tenant_column_sorts_in_tab_order() {
        let ps = vec![package("a", "x"), package("b", "y"), package("c", "z"), package("d", "w")];
        let owners =
            OwnerNames { tab_of: vec![1, 0, 1], labels: vec!["1. alice".into(), "2. bob".into()], regions: vec!["cn-north-4".into(), "cn-east-3".into()] };
        let by = |descending| {
            sort(&ps, &[0, 1, 2, 3], TableSort { column: Column::Tenant, descending }, |p| p.name.clone(), Some(&owners), day(5), Thresholds::default())
        };
        assert_eq!(by(false), [1, 0, 2, 3], "the tab's packages keep their order; one of no known tab last");
        assert_eq!(by(true), [0, 2, 1, 3]);
        assert_eq!(owners.label(2), Some("2. bob"));
        assert_eq!(owners.owner(2), Some(1));
        assert_eq!(owners.label(3), None);
        // By region: cn-east-3 (tab 2) before cn-north-4 (tab 1).
        let by_region =
            sort(&ps, &[0, 1, 2, 3], TableSort { column: Column::Region, descending: false }, |p| p.name.clone(), Some(&owners), day(5), Thresholds::default());
        assert_eq!(by_region, [0, 2, 1, 3]);
        assert_eq!(owners.region(1), Some("cn-north-4"));
        // Without owners (one tab's table) the column sorts nothing.
        assert_eq!(
            sort(&ps, &[2, 0], TableSort { column: Column::Tenant, descending: false }, |p| p.name.clone(), None, day(5), Thresholds::default()),
            [2, 0]
        );
    }

    #[test]
    fn a_package_seen_in_several_tabs_names_them_all_and_sorts_after_its_first_tab_alone() {
        use crate::domain::across::{merge, Account};
        let acme = Account::of(None, Some("acme"));
        // TestPlan answers per tenant: tabs 1 and 3 (cn-north-4, cn-east-3)
        // read the same package; tab 2 (cn-east-3) has its own.
        let (north, east) = ([package("t1", "pro")], [package("t2", "echo")]);
        let merged = merge([(0, &acme, &north[..]), (1, &acme, &east[..]), (2, &acme, &north[..])]);
        let ps: Vec<Package> = merged.iter().map(|u| u.package.clone()).collect();
        let labels = ["1. acme · cn-north-4", "2. acme · cn-east-3", "3. acme · cn-east-3"].map(String::from);
        let regions = ["cn-north-4", "cn-east-3", "cn-east-3"].map(String::from);
        let owners = OwnerNames::of(&crate::domain::across::Owners::of(&merged), &labels, &regions);
        assert_eq!(ps.len(), 2, "one row per package");
        assert_eq!(owners.label(0), Some("1. acme · cn-north-4, 3. acme · cn-east-3"));
        assert_eq!(owners.region(0), Some("cn-north-4, cn-east-3"));
        assert_eq!((owners.label(1), owners.region(1)), (Some("2. acme · cn-east-3"), Some("cn-east-3")));
        let by =
            |descending| sort(&ps, &[0, 1], TableSort { column: Column::Tenant, descending }, |p| p.name.clone(), Some(&owners), day(5), Thresholds::default());
        assert_eq!((by(false), by(true)), (vec![0, 1], vec![1, 0]), "tabs 1 and 3 before tab 2");
    }

    #[test]
    fn a_header_click_sorts_by_it_then_turns_it_round() {
        let name = TableSort::toggled(None, Column::Name);
        assert_eq!(name, TableSort { column: Column::Name, descending: false });
        assert_eq!(TableSort::toggled(Some(name), Column::Name), TableSort { column: Column::Name, descending: true });
        assert_eq!(TableSort::toggled(Some(name), Column::Usage), TableSort { column: Column::Usage, descending: true });
    }

    #[test]
    fn the_place_column_is_the_host_else_the_category() {
        let mut ps = vec![package("a", "x"), package("b", "y")];
        assert_eq!(Place::of(&ps), None);
        ps[0].category = Some("VIRTUAL_HUMAN".into());
        assert_eq!(Place::of(&ps), Some(Place::Category));
        ps[1].host = Some("web-1".into());
        assert_eq!(Place::of(&ps), Some(Place::Host));
        assert_eq!(Place::Host.value(&ps[0]), None);
    }

    #[test]
    fn the_window_holds_the_rows_in_sight_and_a_margin() {
        assert_eq!(window(0.0, 360.0, 36.0, 2000, 10), 0..21);
        assert_eq!(window(3600.0, 360.0, 36.0, 2000, 10), 90..121);
        // Scrolled past the end (the list shrank), and tiny lists.
        assert_eq!(window(1e9, 360.0, 36.0, 2000, 10), 1989..2000);
        assert_eq!(window(0.0, 360.0, 36.0, 3, 10), 0..3);
        assert_eq!(window(0.0, 360.0, 36.0, 0, 10), 0..0);
        // Nonsense from the page (nothing measured yet) never panics.
        assert_eq!(window(f64::NAN, f64::NAN, f64::NAN, 50, 5), 0..7);
        assert_eq!(window(-50.0, 0.0, 0.0, 50, 0), 0..2);
    }

    #[test]
    fn scrolling_to_a_row_moves_only_as_far_as_needed() {
        // A 360 px viewport under a 36 px sticky header, 36 px rows.
        assert_eq!(scroll_to(5, 0.0, 360.0, 36.0, 36.0), 0.0, "in sight");
        assert_eq!(scroll_to(9, 0.0, 360.0, 36.0, 36.0), 36.0, "just below: one row");
        assert_eq!(scroll_to(2, 720.0, 360.0, 36.0, 36.0), 72.0, "above: to its top");
        assert_eq!(scroll_to(1999, 0.0, 360.0, 36.0, 36.0), 2000.0 * 36.0 - 324.0);
    }
}
