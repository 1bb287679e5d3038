use std::sync::Arc;

use leptos::prelude::*;
use tenantscope_catalog::Service;

use super::all_tenants_panel::account_of;
use crate::components::{ServiceLoad, TabLoad};
use crate::domain::across::{merge, Account};
use crate::domain::query::View;
use crate::domain::{Package, Thresholds};
use crate::download;
use crate::export::{file_name, BillingRead, Report, Scope, ServiceError, Tenant};
use crate::i18n::{t, tf};
use crate::net::now;
use crate::services::bss::BillingState;
use crate::services::ServiceState;
use crate::session::Session;

/// Export buttons: everything loaded so far, or (when filters are set) what
/// the filters show, as JSON, CSV or a calendar of the coming dates.
/// Services that failed are listed in the JSON's `errors`, billing's
/// reading in its `billing`. Of one tab, or under "All tenants" of every
/// tab: then each package is in the file once, naming its first tab's
/// region and account and every tab it was seen in, and each error its
/// tab's region.
#[component]
pub fn ExportBar(
    /// The tabs whose packages are exported (one, in a tab's own view), in
    /// tab order.
    tenants: Signal<Vec<TabLoad>>,
    /// The urgency thresholds in use (exported with the packages).
    thresholds: Signal<Thresholds>,
    /// The filters, for "what is shown".
    view: Signal<View>,
) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    // "What is shown" or everything; offered only while a filter is set.
    let shown_only = RwSignal::new(true);
    let filtered = move || view.with(View::is_filtered);
    let export = move |format: &'static str| {
        let all: Vec<TabLoad> = tenants.get_untracked();
        let tabs: Vec<(usize, TabLoad, Session)> = all.iter().enumerate().filter_map(|(i, t)| Some((i, *t, t.ready()?))).collect();
        if tabs.is_empty() {
            return;
        }
        let across = all.len() > 1 || view.with_untracked(|v| v.all_tenants);
        let owners: Vec<Tenant> = tabs.iter().map(|(_, t, ctx)| tenant(ctx, &t.loads)).collect();
        // Each tab as the tab bar names it, and whose account it reads (a
        // key in memory only: never written in the file).
        let labels: Vec<String> = tabs.iter().map(|(i, t, _)| crate::components::tab_label(*i, t)).collect();
        let accounts: Vec<Account> = tabs.iter().map(|(_, _, ctx)| account_of(ctx)).collect();
        // Files are for scripts and other tools as much as for people: what
        // they say is the services' own words and stable keys
        // (`ApiError::summary`, English labels), whatever the page's language.
        // (index in `tabs`, one service's packages), shared until merged.
        let mut read: Vec<(usize, Arc<[Package]>)> = Vec::new();
        // Each error with its tab's index and region (for the filters).
        let mut errors: Vec<(ServiceError, usize, String)> = Vec::new();
        for (n, (i, tab, ctx)) in tabs.iter().enumerate() {
            let (mut lists, mut found) = (Vec::new(), Vec::new());
            collect(&tab.loads, &mut lists, &mut found);
            read.extend(lists.into_iter().map(|p| (n, p)));
            // Across tabs, an error says whose it is (the format has no
            // field for it): the region, or the subproject.
            errors.extend(found.into_iter().map(|mut e| {
                if across {
                    e.error_msg = Some(format!("{}: {}", ctx.place(), e.error_msg.as_deref().unwrap_or("")));
                }
                (e, *i, ctx.region.clone())
            }));
        }
        // Each package once, the first tab's copy, with every tab that read it.
        let uniques = merge(read.iter().map(|(n, p)| (*n, &accounts[*n], &p[..])));
        let mut packages: Vec<Package> = uniques.iter().map(|u| u.package.clone()).collect();
        let mut seen_in: Vec<Vec<usize>> = uniques.into_iter().map(|u| u.seen_in).collect();
        // A tab whose session is not open has nothing in the file: say so,
        // for each service, rather than leave it out unsaid.
        for (i, t) in all.iter().enumerate().filter(|(_, t)| t.ready().is_none()) {
            let why = match t.session.get_untracked() {
                Some(Err(e)) => format!("tab {}: the session could not start: {}", i + 1, e.summary()),
                _ => format!("tab {}: the session is still opening", i + 1),
            };
            for service in Service::PACKAGES {
                let error = ServiceError { service, http_status: None, error_code: None, error_msg: Some(why.clone()), request_id: None, kept_from: None };
                errors.push((error, i, String::new()));
            }
        }
        let generated_at = now();
        let thresholds_now = thresholds.get_untracked();
        // The tabs in the file (their packages, errors and billing).
        let mut exported: Vec<bool> = vec![true; all.len()];
        let scope = match view.get_untracked() {
            v if v.is_filtered() && shown_only.get_untracked() => {
                // The same tests the panels apply (the tab is not a filter;
                // under "All tenants", the tenant and region filters are,
                // and keep a package when any tab it was seen in passes).
                let passes = |n: usize| tabs.get(n).is_some_and(|(i, _, ctx)| v.shows_tab(*i, &ctx.region));
                let keep: Vec<bool> = packages
                    .iter()
                    .zip(&seen_in)
                    .map(|(p, tabs)| tabs.iter().any(|&n| passes(n)) && v.matches(p, &crate::format::name(p), generated_at, thresholds_now))
                    .collect();
                let mut kept = keep.iter();
                packages.retain(|_| *kept.next().unwrap_or(&false));
                let mut kept = keep.iter();
                seen_in.retain(|_| *kept.next().unwrap_or(&false));
                // The errors of the tabs the filters leave out go with them.
                errors.retain(|(_, i, region)| v.shows_tab(*i, region));
                for (i, t) in all.iter().enumerate() {
                    exported[i] = v.shows_tab(i, &t.region().unwrap_or_default());
                }
                Scope::Shown { filters: View { tab: 0, ..v }.to_hash() }
            }
            _ => Scope::Everything,
        };
        let errors: Vec<ServiceError> = errors.into_iter().map(|(e, _, _)| e).collect();
        // An export of one tab says what changed since its last look.
        let since = match &all[..] {
            [one] if !across => match one.since.try_get_untracked().flatten() {
                Some(crate::components::history_view::Since::Changes(changes)) => Some(changes),
                _ => None,
            },
            _ => None,
        };
        // Billing's reading of every tab in the file, a failure named by its
        // tab's place across tabs.
        let states: Vec<(Option<String>, BillingState)> = all
            .iter()
            .zip(&exported)
            .filter(|(_, e)| **e)
            .map(|(t, _)| (t.session.try_with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).map(Session::place)).flatten().filter(|_| across), t.billing()))
            .collect();
        let billing = BillingRead::of(states.iter().map(|(place, state)| (place.as_deref(), state)));
        let refs: Vec<&Tenant> = owners.iter().collect();
        let tenant = Tenant::common(&refs);
        // Across tabs, each package's region and account are its first tab's.
        let (tenant_of, seen_in): (Vec<&Tenant>, Vec<Vec<String>>) = if across {
            let first = |tabs: &Vec<usize>| tabs.first().and_then(|&n| owners.get(n)).unwrap_or(&tenant);
            let named = |tabs: &Vec<usize>| tabs.iter().filter_map(|&n| labels.get(n).cloned()).collect();
            (seen_in.iter().map(first).collect(), seen_in.iter().map(named).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        let report = Report {
            generated_at,
            tenant: &tenant,
            tenant_of: &tenant_of,
            seen_in: &seen_in,
            billing: &billing,
            thresholds: thresholds_now,
            packages: &packages,
            errors: &errors,
            scope: &scope,
            since: since.as_ref(),
        };
        let (text, mime, label) = match format {
            "json" => (report.to_json(), "application/json", "JSON"),
            "csv" => (report.to_csv(), "text/csv;charset=utf-8", "CSV"),
            // The days fall in the zone the page shows (Settings).
            _ => (report.to_ics(crate::format::offset_at(generated_at)), "text/calendar;charset=utf-8", "calendar"),
        };
        let label = if label == "calendar" { t("calendar") } else { label };
        let saved = download::save(&file_name(generated_at, format), mime, &text);
        notice.set(Some(if saved {
            tf("Exported {0} as {1}.", &[&crate::format::count(packages.len(), None), &label])
        } else {
            t("The browser refused the download: allow downloads for this page and try again.").into()
        }));
    };
    let disabled = move || tenants.with(|l| l.iter().all(|t| t.ready().is_none()));
    view! {
        <div class="export-bar" role="group" aria-label=t("Export")>
            {move || filtered().then(|| view! {
                <label class="field field-inline">
                    <span>{t("Export")}</span>
                    <select id="export-scope" on:change=move |ev| shown_only.set(event_target_value(&ev) == "shown")>
                        <option value="shown" prop:selected=move || shown_only.get()>{t("what the filters show")}</option>
                        <option value="everything" prop:selected=move || !shown_only.get()>{t("everything loaded")}</option>
                    </select>
                </label>
            })}
            <button type="button" prop:disabled=disabled on:click=move |_| export("json")>{t("Export JSON")}</button>
            <button type="button" prop:disabled=disabled on:click=move |_| export("csv")>{t("Export CSV")}</button>
            <button type="button" prop:disabled=disabled on:click=move |_| export("ics")>{t("Export calendar")}</button>
            <span class="muted" role="status">{move || notice.get()}</span>
        </div>
    }
}

/// Whose packages a tab's are, as the export names it.
fn tenant(ctx: &Session, loads: &[ServiceLoad]) -> Tenant {
    Tenant {
        domain: ctx.domain.clone(),
        user: ctx.user.clone(),
        region: Some(ctx.region.clone()),
        project_id: Some(ctx.project_id.clone()),
        codearts_project_id: crate::components::codearts_read(ctx.codearts_project_id.as_deref(), loads),
    }
}

/// A tab's packages (each service's, shared) and failures, as loaded so far.
fn collect(loads: &[ServiceLoad], packages: &mut Vec<Arc<[Package]>>, errors: &mut Vec<ServiceError>) {
    for ServiceLoad { service, data, .. } in loads {
        let service = *service;
        match data.get_untracked() {
            Some(Ok(ServiceState::Loaded(loaded))) => {
                // What the reading leaves out makes the export incomplete:
                // say so.
                errors.extend(ServiceError::of_reading(service, &loaded));
                packages.push(loaded.packages.clone());
            }
            Some(Err(error)) => errors.push(ServiceError::of(service, &error)),
            _ => {}
        }
    }
}
