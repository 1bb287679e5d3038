//! One service's packages across every open tab, under "All tenants", and
//! whose account a tab reads (for counting each package once across tabs).

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::Credentials;
use crate::components::{PackageTable, TabLoad};
use crate::domain::across::{self, Account};
use crate::domain::query::View;
use crate::domain::table::OwnerNames;
use crate::domain::{Instant, Package, Thresholds};
use crate::format;
use crate::i18n::{plural, t, tf};
use crate::session::{Coverage, Session};

/// Whose account a tab reads: its access keys' or its token's domain
/// ([`Account`]), read in place (no copy of the session and its
/// credentials); unknown while the session opens.
pub(super) fn account(tenant: &TabLoad) -> Account {
    tenant.session.try_with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).map(account_of)).flatten().unwrap_or(Account::Unknown)
}

/// The account of an open session.
pub(super) fn account_of(ctx: &Session) -> Account {
    let key_id = match &ctx.gateway.credentials {
        Credentials::AccessKeys(keys) => Some(keys.access_key_id.as_str()),
        Credentials::IamToken(_) => None,
    };
    Account::of(key_id, ctx.domain.as_deref())
}

/// What the tabs have read of one service, put together: each package
/// once, whichever tabs read it.
#[derive(Clone, Debug, PartialEq)]
struct Across {
    packages: std::sync::Arc<[Package]>,
    owners: OwnerNames,
    /// By owner (as `owners` has them): its tabs.
    seen_in: Vec<Vec<usize>>,
    /// By tab: its region's id (for the region filter).
    regions: Vec<String>,
    /// The latest answer's time (urgency is counted from it; the answers of
    /// the tabs are seconds apart).
    at: Instant,
    /// The tabs whose packages are missing or partial, and why.
    left_out: Option<String>,
}

/// One service's packages from every open tab, in one table whose first
/// column names the tab, filtered (the tenant filter too), sorted and
/// windowed as a tab's own table is. Tabs still loading, failed or where
/// the service is not offered are named above it, so a tab left out never
/// reads as a tab with nothing. Always a table, never cards: the tenant
/// column is the point of the view.
#[component]
pub fn AllTenantsPanel(
    /// Whose packages.
    service: Service,
    /// Every tab's loads, in tab order.
    tenants: Signal<Vec<TabLoad>>,
    /// Search, filters (the tenant filter too) and sort.
    view: Signal<View>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
) -> impl IntoView {
    let title = format::service(service);
    // Copied once per answer that arrives, not per keystroke.
    let across = Memo::new(move |_| {
        let list = tenants.get();
        let (mut read, mut labels, mut regions, mut coverage) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut at = Instant::from_millis(0);
        for (i, tenant) in list.iter().enumerate() {
            let label = super::tab_label(i, tenant);
            if let Some(load) = tenant.loads.iter().find(|l| l.service == service) {
                let loaded = load.with_loaded(|l| (l.packages.clone(), l.received_at));
                let covered = load.coverage();
                if loaded.is_none() || covered != Coverage::Whole {
                    coverage.push((service, label.clone(), covered));
                }
                if let Some((packages, received_at)) = loaded {
                    read.push((i, account(tenant), packages));
                    at = at.max(received_at);
                }
            }
            labels.push(label);
            regions.push(tenant.region().unwrap_or_default());
        }
        // Each package once, the first tab's copy, naming every tab that read it.
        let uniques = across::merge(read.iter().map(|(i, account, p)| (*i, account, &p[..])));
        let owners = across::Owners::of(&uniques);
        Across {
            packages: uniques.iter().map(|u| u.package.clone()).collect::<Vec<_>>().into(),
            owners: OwnerNames::of(&owners, &labels, &regions),
            seen_in: owners.seen_in,
            regions,
            at,
            left_out: format::coverage_note(&coverage),
        }
    });
    // What the table is drawn from, by arrival: an answer redraws the rows
    // and lines, not the table, so an open card, the scroll, a header sort
    // and the keyboard's place stay.
    let packages = Memo::new(move |_| across.with(|a| a.packages.clone()));
    let owners = Memo::new(move |_| across.with(|a| a.owners.clone()));
    let at = Memo::new(move |_| across.with(|a| a.at));
    let selected = Memo::new(move |_| {
        let (t, at) = (thresholds.get(), at.get());
        across.with(|a| {
            view.with(|v| {
                let picked = v.select(&a.packages, format::name, at, t);
                // The tenant and region filters keep a package when any tab
                // it was seen in passes.
                let passes = |tab: usize| v.shows_tab(tab, a.regions.get(tab).map_or("", String::as_str));
                picked
                    .into_iter()
                    .filter(|&i| a.owners.owner(i).and_then(|n| a.seen_in.get(n)).is_some_and(|tabs| tabs.iter().any(|&tab| passes(tab))))
                    .collect::<Vec<_>>()
            })
        })
    });
    let sort = RwSignal::new(None);
    let count = move || across.try_with(|a| a.packages.len()).unwrap_or(0) as u64;
    let left_out = move || across.try_with(|a| a.left_out.clone()).flatten();
    let shown_line = move || {
        let (matching, filtered) = (selected.try_with(Vec::len).unwrap_or(0), view.try_with(View::is_filtered).unwrap_or(false));
        match (matching, filtered) {
            (0, true) => t("No package matches the filters.").to_string(),
            (0, false) if left_out().is_none() => t("No tab reports packages of this service.").to_string(),
            (n, true) => tf("{0} match the filters.", &[&n]),
            _ => String::new(),
        }
    };
    let emptied = move || (selected.try_with(Vec::is_empty).unwrap_or(false) && view.try_with(View::is_filtered).unwrap_or(false)).then_some("");
    let any = move || selected.try_with(|s| !s.is_empty()).unwrap_or(false);
    let body = view! {
        <div data-state="ready" data-emptied=emptied>
            <p class="count">{move || plural(count(), "{0} package across the tabs", "{0} packages across the tabs")}</p>
            {move || left_out().map(|line| view! { <p class="notice notice-warn" data-state="left-out">{line}</p> })}
            <p class="muted shown" aria-live="polite">{shown_line}</p>
            <Show when=any>
                <PackageTable service packages=packages.into() selected view sort at=at.into() thresholds owners=owners.into() />
            </Show>
        </div>
    };
    view! {
        <section class="panel panel-across" data-service=service.key() aria-label=title tabindex="-1">
            <div class="panel-head">
                <h2>{title}</h2>
            </div>
            {body}
        </section>
    }
}
