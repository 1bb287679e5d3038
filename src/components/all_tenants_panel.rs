//! One service's packages across every open tab, under "All tenants".

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::components::{PackageTable, Tenant};
use crate::domain::query::View;
use crate::domain::table::Owners;
use crate::domain::{Instant, Package, Thresholds};
use crate::format;
use crate::i18n::{t, tf};
use crate::session::Coverage;

/// What the tabs have read of one service, put together.
#[derive(Clone, Debug, PartialEq)]
struct Across {
    packages: Vec<Package>,
    owners: Owners,
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
    tenants: Signal<Vec<Tenant>>,
    /// Search, filters (the tenant filter too) and sort.
    view: Signal<View>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
) -> impl IntoView {
    let title = format::service(service);
    // Copied once per answer that arrives, not per keystroke.
    let across = Memo::new(move |_| {
        let list = tenants.get();
        let mut across = Across { packages: Vec::new(), owners: Owners::default(), at: Instant::from_millis(0), left_out: None };
        let mut coverage = Vec::new();
        for (i, tenant) in list.iter().enumerate() {
            let label = super::tab_label(i, tenant);
            let Some(load) = tenant.loads.iter().find(|l| l.service == service) else { continue };
            let read = load.with_packages(|p, at| {
                across.packages.extend_from_slice(p);
                across.owners.tab_of.extend(std::iter::repeat_n(i, p.len()));
                across.at = across.at.max(at);
            });
            let covered = load.coverage();
            if read.is_none() || covered != Coverage::Whole {
                coverage.push((service, label.clone(), covered));
            }
            across.owners.labels.push(label);
            across.owners.regions.push(tenant.region().unwrap_or_default());
        }
        across.left_out = format::coverage_note(&coverage);
        across
    });
    let body = move || {
        let Across { packages, owners, at, left_out } = across.get();
        let count = packages.len();
        let gaps = left_out.is_some();
        let packages = StoredValue::new(std::sync::Arc::<[_]>::from(packages));
        let owners = StoredValue::new(owners);
        let selected = Memo::new(move |_| {
            let t = thresholds.get();
            view.with(|v| {
                let picked = packages.with_value(|p| v.select(p, format::name, at, t));
                owners.with_value(|o| picked.into_iter().filter(|&i| o.tab(i).is_some_and(|tab| v.shows_tab(tab, o.region(i).unwrap_or_default()))).collect::<Vec<_>>())
            })
        });
        let shown_line = move || {
            let (matching, filtered) = (selected.try_with(Vec::len).unwrap_or(0), view.try_with(View::is_filtered).unwrap_or(false));
            match (matching, filtered) {
                (0, true) => t("No package matches the filters.").to_string(),
                (0, false) if !gaps => t("No tab reports packages of this service.").to_string(),
                (n, true) => tf("{0} match the filters.", &[&n]),
                _ => String::new(),
            }
        };
        let emptied = move || (selected.try_with(Vec::is_empty).unwrap_or(false) && view.try_with(View::is_filtered).unwrap_or(false)).then_some("");
        let any = move || selected.try_with(|s| !s.is_empty()).unwrap_or(false);
        let sort = RwSignal::new(None);
        view! {
            <div data-state="ready" data-emptied=emptied>
                <p class="count">{tf("{0} packages across the tabs", &[&count])}</p>
                {left_out.map(|line| view! { <p class="notice notice-warn" data-state="left-out">{line}</p> })}
                <p class="muted shown" aria-live="polite">{shown_line}</p>
                <Show when=any>
                    <PackageTable service packages selected view sort at thresholds owners />
                </Show>
            </div>
        }
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
