//! What the person is looking at: search text, filters and sort, and which
//! tenant tab is open. It lives in the URL hash so that a view can be
//! bookmarked (never the token: nothing here can hold one). Also the
//! grouping that keeps thousands of HSS quotas readable.

use tenantscope_catalog::Service;

use super::package::{Package, Renewal, Source, Status, Thresholds, Urgency};
use super::time::Instant;

/// How a package list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Soonest expiry first; expired first of all, undated last.
    #[default]
    Expiry,
    /// Fullest first.
    Usage,
    Name,
    /// What lapses first (deleted, frozen, grace period, pay-per-use), then
    /// what billing gave no policy for, then what renews automatically;
    /// soonest expiry first within each.
    Renewal,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Expiry, Sort::Usage, Sort::Name, Sort::Renewal];

    pub const fn key(self) -> &'static str {
        match self {
            Sort::Expiry => "expiry",
            Sort::Usage => "usage",
            Sort::Name => "name",
            Sort::Renewal => "renewal",
        }
    }

    pub fn from_key(key: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The urgency filter's value (and hash value) for [`View::frozen_or_closed`].
pub const FROZEN_OR_CLOSED: &str = "frozen-or-closed";
/// The urgency filter's value (and hash value) for [`View::used_up`].
pub const USED_UP: &str = "used-up";
/// The urgency filter's value (and hash value) for [`View::runs_out`].
pub const RUNS_OUT: &str = "runs-out";

/// The view's state, as kept in the URL hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The open tenant tab (0-based).
    pub tab: usize,
    /// The "All tenants" tab (with two tabs or more): the overview and one
    /// table per service span every tab, instead of one tab's panels. In
    /// the hash as `tab=all`.
    pub all_tenants: bool,
    /// Under "All tenants": one tab's packages only (0-based); in the hash
    /// as `tenant=N` (1-based). A tab's own view ignores it.
    pub tenant: Option<usize>,
    /// Under "All tenants": the packages of the tabs in one region only
    /// (a region id); in the hash as `region=cn-north-4`.
    pub region: Option<String>,
    pub text: String,
    pub service: Option<Service>,
    pub status: Option<Status>,
    pub urgency: Option<Urgency>,
    /// Only packages frozen or closed, by status or lifecycle stage
    /// ([`Package::attention`]); in the hash as `urgency=frozen-or-closed`,
    /// since the urgency filter offers it.
    pub frozen_or_closed: bool,
    /// Only packages used up or over quota ([`Package::used_up`]); in the
    /// hash as `urgency=used-up`.
    pub used_up: bool,
    /// Only packages that at their pace run out before they expire
    /// ([`Package::runs_out`]); in the hash as `urgency=runs-out`.
    pub runs_out: bool,
    /// HSS: one enterprise project (its name or id, as the cards show it).
    pub enterprise_project: Option<String>,
    /// One category (MetaStudio business type, Check resource type…).
    pub category: Option<String>,
    /// One source, by [`Source::key`] (MetaStudio `resource_source`).
    pub source: Option<String>,
    /// One renewal policy, by billing's word ([`Renewal::key`]).
    pub renewal: Option<Renewal>,
    pub sort: Sort,
}

/// Where a renewal policy goes in [`Sort::Renewal`]: the harshest lapse
/// first, no policy known next, automatic renewal last.
fn renewal_rank(renewal: Option<Renewal>) -> i64 {
    match renewal {
        Some(Renewal::Delete) => 0,
        Some(Renewal::DeleteAfterRetention) => 1,
        Some(Renewal::Freeze) => 2,
        Some(Renewal::GracePeriod) => 3,
        Some(Renewal::PayPerUse) => 4,
        None => 5,
        Some(Renewal::AutoRenew) => 6,
    }
}

/// The values the data-driven filters offer: those the loaded packages have.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets {
    pub enterprise_projects: Vec<String>,
    pub categories: Vec<String>,
    /// Key and source.
    pub sources: Vec<(String, Source)>,
    /// The renewal policies billing gave, in [`Renewal::ALL`]'s order.
    pub renewals: Vec<Renewal>,
}

impl Facets {
    pub fn of<'a>(packages: impl IntoIterator<Item = &'a Package>) -> Facets {
        let mut f = Facets::default();
        f.add(packages);
        f.sorted()
    }

    /// Adds the values of `packages` not offered yet.
    pub fn add<'a>(&mut self, packages: impl IntoIterator<Item = &'a Package>) {
        let f = self;
        for p in packages {
            if let Some(ep) = p.enterprise_project.as_ref().filter(|ep| !f.enterprise_projects.contains(ep)) {
                f.enterprise_projects.push(ep.clone());
            }
            if let Some(c) = p.category.as_ref().filter(|c| !f.categories.contains(c)) {
                f.categories.push(c.clone());
            }
            if let Some(s) = &p.source {
                let key = s.key();
                if !f.sources.iter().any(|(k, _)| *k == key) {
                    f.sources.push((key, s.clone()));
                }
            }
            if let Some(r) = p.renewal().filter(|r| !f.renewals.contains(r)) {
                f.renewals.push(r);
            }
        }
    }

    /// The text values in order, for the selects.
    pub fn sorted(mut self) -> Facets {
        self.enterprise_projects.sort_unstable();
        self.categories.sort_unstable();
        self.renewals.sort_unstable();
        self
    }
}

impl View {
    /// Whether `package` passes the filters. Text matches, ignoring ASCII
    /// case, the name, its readable label, the id, the host and its id, the
    /// category, the enterprise project, the owner tenant, HSS's shared
    /// quota word, and tag keys and values.
    pub fn matches(&self, package: &Package, label: &str, now: Instant, thresholds: Thresholds) -> bool {
        if self.service.is_some_and(|s| s != package.service) || self.status.is_some_and(|s| s != package.status) {
            return false;
        }
        if self.enterprise_project.as_ref().is_some_and(|ep| package.enterprise_project.as_ref() != Some(ep)) {
            return false;
        }
        if self.category.as_ref().is_some_and(|c| package.category.as_ref() != Some(c)) {
            return false;
        }
        if self.source.as_ref().is_some_and(|key| package.source.as_ref().map(Source::key).as_ref() != Some(key)) {
            return false;
        }
        if self.urgency.is_some_and(|u| u != package.urgency(now, thresholds)) {
            return false;
        }
        if self.frozen_or_closed && package.attention().is_none() {
            return false;
        }
        if self.used_up && !package.used_up(now) {
            return false;
        }
        if self.runs_out && package.runs_out(now).is_none() {
            return false;
        }
        if self.renewal.is_some_and(|r| package.renewal() != Some(r)) {
            return false;
        }
        let needle = self.text.trim();
        needle.is_empty()
            || [
                Some(package.name.as_str()),
                Some(label),
                Some(package.id.as_str()),
                package.host.as_deref(),
                package.host_id.as_deref(),
                package.category.as_deref(),
                package.enterprise_project.as_deref(),
                package.owner_tenant.as_deref(),
                package.shared.as_deref(),
            ]
            .into_iter()
            .flatten()
            .chain(package.tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
            .any(|hay| contains_ignoring_ascii_case(hay, needle))
    }

    /// The indices of the `packages` that pass the filters, in the view's
    /// order. `label` gives a package's readable name.
    pub fn select(&self, packages: &[Package], label: impl Fn(&Package) -> String, now: Instant, thresholds: Thresholds) -> Vec<usize> {
        // The readable names only where a search or the sort by name reads
        // them: making a few thousand is most of this otherwise.
        let named = !self.text.trim().is_empty() || self.sort == Sort::Name;
        let labels: Vec<String> = if named { packages.iter().map(&label).collect() } else { vec![String::new(); packages.len()] };
        let picked: Vec<usize> = (0..packages.len()).filter(|&i| self.matches(&packages[i], &labels[i], now, thresholds)).collect();
        let key = |i: usize| -> super::Key {
            let p = &packages[i];
            match self.sort {
                Sort::Expiry => (super::expiry_key(p.urgency(now, thresholds) == Urgency::Expired, p.expiry.instant()), String::new()),
                // Fullest first (in millionths); packages without figures last.
                Sort::Usage => (p.usage_ratio().map_or(i64::MAX, |r| -((r * 1e6) as i64)), String::new()),
                Sort::Name => (0, labels[i].to_ascii_lowercase()),
                Sort::Renewal => {
                    let expiry = super::expiry_key(p.urgency(now, thresholds) == Urgency::Expired, p.expiry.instant());
                    // The expiry key as text that sorts as the number does.
                    (renewal_rank(p.renewal()), format!("{:020}", (i128::from(expiry) - i128::from(i64::MIN)) as u64))
                }
            }
        };
        let keys = picked.iter().map(|&i| key(i)).collect();
        super::order(keys).into_iter().map(|k| picked[k]).collect()
    }

    /// Whether any filter is set (the sort is not a filter).
    pub fn is_filtered(&self) -> bool {
        !self.text.trim().is_empty()
            || self.service.is_some()
            || self.status.is_some()
            || self.urgency.is_some()
            || self.frozen_or_closed
            || self.used_up
            || self.runs_out
            || self.enterprise_project.is_some()
            || self.category.is_some()
            || self.source.is_some()
            || self.renewal.is_some()
            || (self.all_tenants && (self.tenant.is_some() || self.region.is_some()))
    }

    /// Whether tab `tab`, in `region`, passes the tenant and region filters
    /// ("All tenants").
    pub fn shows_tab(&self, tab: usize, region: &str) -> bool {
        !self.all_tenants || (self.tenant.is_none_or(|t| t == tab) && self.region.as_deref().is_none_or(|r| r == region))
    }

    /// The view with its filters cleared: the tab, "All tenants" and the
    /// sort stay.
    pub fn cleared(&self) -> View {
        View { tab: self.tab, all_tenants: self.all_tenants, sort: self.sort, ..View::default() }
    }

    /// The hash that restores this view, without the `#`: only what differs
    /// from the default, e.g. `tab=2&service=hss&q=web%20tamper`.
    pub fn to_hash(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.all_tenants {
            parts.push("tab=all".to_string());
            if let Some(t) = self.tenant {
                parts.push(format!("tenant={}", t + 1));
            }
            if let Some(r) = &self.region {
                parts.push(format!("region={}", encode(r)));
            }
        } else if self.tab > 0 {
            parts.push(format!("tab={}", self.tab + 1));
        }
        if !self.text.is_empty() {
            parts.push(format!("q={}", encode(&self.text)));
        }
        if let Some(s) = self.service {
            parts.push(format!("service={}", s.key()));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.key()));
        }
        if let Some(u) = self.urgency {
            parts.push(format!("urgency={}", u.key()));
        } else if self.frozen_or_closed {
            parts.push(format!("urgency={FROZEN_OR_CLOSED}"));
        } else if self.used_up {
            parts.push(format!("urgency={USED_UP}"));
        } else if self.runs_out {
            parts.push(format!("urgency={RUNS_OUT}"));
        }
        if let Some(ep) = &self.enterprise_project {
            parts.push(format!("ep={}", encode(ep)));
        }
        if let Some(c) = &self.category {
            parts.push(format!("category={}", encode(c)));
        }
        if let Some(s) = &self.source {
            parts.push(format!("source={}", encode(s)));
        }
        if let Some(r) = self.renewal {
            parts.push(format!("renewal={}", r.key()));
        }
        if self.sort != Sort::default() {
            parts.push(format!("sort={}", self.sort.key()));
        }
        parts.join("&")
    }

    /// The view a hash asks for. Whatever cannot be read is left at its
    /// default: a hand-edited or old bookmark still opens.
    pub fn from_hash(hash: &str) -> View {
        let mut view = View::default();
        for pair in hash.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "tab" if value == "all" => view.all_tenants = true,
                "tab" => view.tab = value.parse::<usize>().ok().and_then(|t| t.checked_sub(1)).unwrap_or(0),
                "tenant" => view.tenant = value.parse::<usize>().ok().and_then(|t| t.checked_sub(1)),
                "region" if !value.is_empty() => view.region = Some(value),
                "q" => view.text = value,
                "service" => view.service = Service::from_key(&value).filter(|s| Service::PACKAGES.contains(s)),
                "status" => view.status = Status::ALL.into_iter().find(|s| s.key() == value),
                "urgency" if value == FROZEN_OR_CLOSED => view.frozen_or_closed = true,
                "urgency" if value == USED_UP => view.used_up = true,
                "urgency" if value == RUNS_OUT => view.runs_out = true,
                "urgency" => view.urgency = Urgency::ALL.into_iter().find(|u| u.key() == value),
                "ep" if !value.is_empty() => view.enterprise_project = Some(value),
                "category" if !value.is_empty() => view.category = Some(value),
                "source" if !value.is_empty() => view.source = Some(value),
                "renewal" => view.renewal = Renewal::from_key(&value),
                "sort" => view.sort = Sort::from_key(&value).unwrap_or_default(),
                _ => {}
            }
        }
        view
    }
}

fn contains_ignoring_ascii_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` (and `+` as a space); malformed escapes stay as they are
/// and invalid UTF-8 becomes U+FFFD.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One group of a long list: the packages of one name, enterprise project
/// and status.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    pub enterprise_project: Option<String>,
    pub status: Status,
    pub count: usize,
    /// How many are bound to something (HSS `used_status`), where known.
    pub in_use: usize,
}

/// Groups `indices` of `packages` by name, enterprise project and status,
/// largest group first.
pub fn groups(packages: &[Package], indices: &[usize]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for &i in indices {
        let p = &packages[i];
        let in_use = usize::from(p.in_use == Some(true));
        match groups.iter_mut().find(|g| g.name == p.name && g.status == p.status && g.enterprise_project == p.enterprise_project) {
            Some(g) => {
                g.count += 1;
                g.in_use += in_use;
            }
            None => groups.push(Group { name: p.name.clone(), enterprise_project: p.enterprise_project.clone(), status: p.status, count: 1, in_use }),
        }
    }
    // Largest first, then by name and status.
    super::sorted(groups, |g| {
        let ep = g.enterprise_project.as_deref().unwrap_or_default();
        (-(g.count as i64), format!("{}\u{0}{ep}\u{0}{}", g.name, g.status as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Expiry;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    fn package(service: Service, name: &str, days: Option<i64>, used: Option<f64>) -> Package {
        Package {
            expiry: days.map_or(Expiry::Unknown, |d| Expiry::At(NOW.plus_days(d))),
            used,
            total: used.map(|_| 100.0),
            status: Status::Active,
            ..Package::new(service, format!("id-{name}"), name)
        }
    }

    fn names(view: &View, packages: &[Package]) -> Vec<String> {
        view.select(packages, |p| p.name.clone(), NOW, Thresholds::default()).into_iter().map(|i| packages[i].name.clone()).collect()
    }

    #[test]
    fn filters_search_and_sorts() {
        let mut frozen = package(Service::Hss, "Web Tamper", Some(3), Some(10.0));
        frozen.status = Status::Frozen;
        frozen.host = Some("web-01".into());
        let packages = [
            package(Service::Testplan, "beta", Some(40), Some(90.0)),
            package(Service::Dsc, "alpha", None, None),
            package(Service::Testplan, "gamma", Some(-2), Some(50.0)),
            frozen,
        ];
        let all = View::default();
        assert_eq!(names(&all, &packages), ["gamma", "Web Tamper", "beta", "alpha"]);
        assert_eq!(names(&View { sort: Sort::Usage, ..View::default() }, &packages), ["beta", "gamma", "Web Tamper", "alpha"]);
        assert_eq!(names(&View { sort: Sort::Name, ..View::default() }, &packages), ["alpha", "beta", "gamma", "Web Tamper"]);
        assert_eq!(names(&View { service: Some(Service::Testplan), ..View::default() }, &packages), ["gamma", "beta"]);
        assert_eq!(names(&View { status: Some(Status::Frozen), ..View::default() }, &packages), ["Web Tamper"]);
        assert_eq!(names(&View { urgency: Some(Urgency::Expired), ..View::default() }, &packages), ["gamma"]);
        assert_eq!(names(&View { frozen_or_closed: true, ..View::default() }, &packages), ["Web Tamper"]);
        assert!(View { frozen_or_closed: true, ..View::default() }.is_filtered());
        assert_eq!(names(&View { text: "WEB-0".into(), ..View::default() }, &packages), ["Web Tamper"]);
        assert_eq!(names(&View { text: " id-ALP ".into(), ..View::default() }, &packages), ["alpha"]);
        assert!(names(&View { text: "nothing".into(), ..View::default() }, &packages).is_empty());
        assert!(View { text: "x".into(), ..View::default() }.is_filtered());
        assert!(!View { sort: Sort::Name, ..View::default() }.is_filtered());
    }

    #[test]
    fn renewal_filters_and_sorts_what_lapses_first() {
        use crate::domain::{Billed, Renewal};
        let billed = |name: &str, days: i64, renewal: Option<Renewal>| Package {
            billed: renewal.map(|r| Billed { expires_at: None, renewal: Some(r), status: None, service_date: None }),
            ..package(Service::Hss, name, Some(days), None)
        };
        let packages = [
            billed("renews-soon", 2, Some(Renewal::AutoRenew)),
            billed("unknown", 20, None),
            billed("grace-later", 40, Some(Renewal::GracePeriod)),
            billed("deleted-late", 90, Some(Renewal::Delete)),
            billed("grace-soon", 5, Some(Renewal::GracePeriod)),
        ];
        let by_renewal = View { sort: Sort::Renewal, ..View::default() };
        assert_eq!(names(&by_renewal, &packages), ["deleted-late", "grace-soon", "grace-later", "unknown", "renews-soon"]);
        let renews = View { renewal: Some(Renewal::AutoRenew), ..View::default() };
        assert_eq!(names(&renews, &packages), ["renews-soon"]);
        assert!(renews.is_filtered());
        assert_eq!(renews.to_hash(), "renewal=auto_renew");
        assert_eq!(View::from_hash("#renewal=auto_renew&sort=renewal"), View { sort: Sort::Renewal, ..renews });
        assert_eq!(View::from_hash("#renewal=sometimes"), View::default(), "an unknown policy is no filter");
    }

    #[test]
    fn the_hash_round_trips_and_forgives() {
        let view = View {
            tab: 2,
            all_tenants: false,
            tenant: None,
            region: None,
            text: "web tamper & 100%/é".into(),
            service: Some(Service::Hss),
            status: Some(Status::Frozen),
            urgency: Some(Urgency::Critical),
            frozen_or_closed: false,
            used_up: false,
            runs_out: false,
            enterprise_project: None,
            category: None,
            source: None,
            renewal: None,
            sort: Sort::Usage,
        };
        let hash = view.to_hash();
        assert_eq!(hash, "tab=3&q=web%20tamper%20%26%20100%25%2F%C3%A9&service=hss&status=frozen&urgency=critical&sort=usage");
        assert_eq!(View::from_hash(&format!("#{hash}")), view);
        assert_eq!(View::default().to_hash(), "");
        let all = View { all_tenants: true, service: Some(Service::Hss), ..View::default() };
        assert_eq!(all.to_hash(), "tab=all&service=hss");
        assert_eq!(View::from_hash("#tab=all&service=hss"), all);
        // The tenant filter, under "All tenants" only.
        let second = View { tenant: Some(1), ..all.clone() };
        assert_eq!(second.to_hash(), "tab=all&tenant=2&service=hss");
        assert_eq!(View::from_hash("#tab=all&tenant=2&service=hss"), second);
        assert!(second.is_filtered() && second.shows_tab(1, "cn-north-4") && !second.shows_tab(0, "cn-north-4"));
        assert_eq!(second.cleared(), View { all_tenants: true, ..View::default() }, "clearing keeps the tab");
        let in_a_tab = View { tenant: Some(1), region: Some("cn-east-3".into()), ..View::default() };
        assert!(!in_a_tab.is_filtered() && in_a_tab.shows_tab(0, "cn-north-4"), "a tab's own view ignores them");
        // The region filter ("All regions"), with the tenant filter or alone.
        let east = View { region: Some("cn-east-3".into()), ..all.clone() };
        assert_eq!(east.to_hash(), "tab=all&region=cn-east-3&service=hss");
        assert_eq!(View::from_hash("#tab=all&region=cn-east-3&service=hss"), east);
        assert!(east.is_filtered() && east.shows_tab(4, "cn-east-3") && !east.shows_tab(0, "cn-north-4"));
        let both = View { tenant: Some(1), ..east.clone() };
        assert!(both.shows_tab(1, "cn-east-3") && !both.shows_tab(1, "cn-north-4") && !both.shows_tab(2, "cn-east-3"));
        assert_eq!(View::from_hash("#tab=all&region=").region, None);
        assert_eq!(east.cleared().region, None);
        assert_eq!(View::from_hash("#tab=all&tenant=0").tenant, None);
        let frozen = View { frozen_or_closed: true, ..View::default() };
        assert_eq!(frozen.to_hash(), "urgency=frozen-or-closed");
        assert_eq!(View::from_hash("#urgency=frozen-or-closed"), frozen);
        let used_up = View { used_up: true, ..View::default() };
        assert_eq!(used_up.to_hash(), "urgency=used-up");
        assert_eq!(View::from_hash("#urgency=used-up"), used_up);
        let runs_out = View { runs_out: true, ..View::default() };
        assert_eq!(runs_out.to_hash(), "urgency=runs-out");
        assert_eq!(View::from_hash("#urgency=runs-out"), runs_out);
        assert_eq!(View::from_hash(""), View::default());
        // Unknown keys and values, bad escapes, services without packages.
        let odd = View::from_hash("#tab=0&service=iam&status=gone&sort=up&q=%zz%4&x=1&&=");
        assert_eq!(odd, View { text: "%zz%4".into(), ..View::default() });
        assert_eq!(View::from_hash("q=a+b%ff").text, "a b\u{fffd}");
        assert_eq!(View::from_hash("tab=99999999999999999999999").tab, 0);
    }

    #[test]
    fn groups_by_name_and_status() {
        let mut packages: Vec<Package> = (0..5).map(|_| package(Service::Hss, "basic", None, None)).collect();
        packages[0].in_use = Some(true);
        packages[1].status = Status::Expired;
        packages.push(package(Service::Hss, "premium", None, None));
        let all: Vec<usize> = (0..packages.len()).collect();
        let g = groups(&packages, &all);
        assert_eq!(
            g.iter().map(|g| (g.name.as_str(), g.status, g.count, g.in_use)).collect::<Vec<_>>(),
            [("basic", Status::Active, 4, 1), ("basic", Status::Expired, 1, 0), ("premium", Status::Active, 1, 0),]
        );
        assert_eq!(groups(&packages, &[5]).len(), 1);
        // The same edition in two enterprise projects is two groups.
        packages[2].enterprise_project = Some("finance".into());
        assert_eq!(groups(&packages, &all).len(), 4);
    }

    #[test]
    fn enterprise_projects_tags_and_host_ids_filter_and_search() {
        let mut a = package(Service::Hss, "basic", None, None);
        a.enterprise_project = Some("finance".into());
        a.tags = vec![("Service".into(), "payments".into())];
        a.host_id = Some("71a15ecc-049f".into());
        let b = package(Service::Hss, "basic", None, None);
        let packages = vec![a, b];
        let pick = |view: View| view.select(&packages, |p| p.name.clone(), NOW, Thresholds::default());
        assert_eq!(pick(View { enterprise_project: Some("finance".into()), ..View::default() }), [0]);
        assert_eq!(pick(View { text: "PAYMENTS".into(), ..View::default() }), [0]);
        assert_eq!(pick(View { text: "71a15ecc".into(), ..View::default() }), [0]);
        let hash = View { enterprise_project: Some("fin ance".into()), ..View::default() }.to_hash();
        assert_eq!(View::from_hash(&hash).enterprise_project.as_deref(), Some("fin ance"));
        let facets = Facets::of(&packages);
        assert_eq!(facets.enterprise_projects, ["finance"]);
    }

    #[test]
    fn business_type_and_source_filter() {
        let mut a = package(Service::Metastudio, "m", None, None);
        a.category = Some("LIVE_2D".into());
        a.source = Some(Source::Allocated);
        let mut b = package(Service::Metastudio, "m", None, None);
        b.category = Some("VIDEO_2D".into());
        b.source = Some(Source::Purchased);
        let packages = vec![a, b];
        let pick = |view: View| view.select(&packages, |p| p.name.clone(), NOW, Thresholds::default());
        assert_eq!(pick(View { category: Some("VIDEO_2D".into()), ..View::default() }), [1]);
        assert_eq!(pick(View { source: Some("admin_allocated".into()), ..View::default() }), [0]);
        let view = View::from_hash("category=LIVE_2D&source=purchased");
        assert_eq!((view.category.as_deref(), view.source.as_deref()), (Some("LIVE_2D"), Some("purchased")));
        let facets = Facets::of(&packages);
        assert_eq!(facets.categories, ["LIVE_2D", "VIDEO_2D"]);
        assert_eq!(facets.sources.len(), 2);
    }
}
