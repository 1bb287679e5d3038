use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::domain::query::{Facets, Sort, View, FROZEN_OR_CLOSED, RUNS_OUT, USED_UP};
use crate::domain::{Status, Thresholds, Urgency};
use crate::format;
use crate::i18n::t;

/// Search, filters by service, status and urgency, by enterprise project,
/// category and source where the loaded packages have any, and the sort
/// order of the package lists. They live in the URL hash (never the token),
/// so a view can be bookmarked.
#[component]
pub fn Filters(
    /// The view state, shared with the panels and the URL hash.
    view: RwSignal<View>,
    /// The values the loaded packages offer for the data-driven filters.
    facets: Signal<Facets>,
    /// The urgency thresholds, which the urgency choices are worded from.
    thresholds: Thresholds,
    /// Under "All tenants", the tabs' labels (the tenant filter's choices);
    /// empty otherwise, and the filter is not shown.
    tenants: Signal<Vec<String>>,
    /// Under "All tenants", the regions of the tabs, in tab order, each
    /// once (the region filter's choices, shown when there are two or more).
    #[prop(optional, into)]
    regions: Signal<Vec<String>>,
) -> impl IntoView {
    let all = || vec![(String::new(), t("All").to_string())];
    let services = Service::PACKAGES.iter().map(|s| (s.key().to_string(), format::service(*s).to_string()));
    let statuses = Status::ALL.iter().map(|s| (s.key().to_string(), format::status(*s).to_string()));
    let urgencies = Urgency::ALL.iter().map(|u| (u.key().to_string(), format::urgency(*u, thresholds))).chain([
        (FROZEN_OR_CLOSED.to_string(), t("Frozen or closed").to_string()),
        (USED_UP.to_string(), t("Used up or over quota").to_string()),
        (RUNS_OUT.to_string(), t("Run out before they expire").to_string()),
    ]);
    let sorts = Sort::ALL.iter().map(|s| {
        let label = match s {
            Sort::Expiry => t("Expiry, soonest first"),
            Sort::Usage => t("Usage, fullest first"),
            Sort::Name => t("Name"),
            Sort::Renewal => t("What lapses first"),
        };
        (s.key().to_string(), label.to_string())
    });
    view! {
        <div class="filters" role="search" aria-label=t("Filter the packages")>
            <label class="field field-search">
                <span>{t("Search")}</span>
                <input type="search" id="search" placeholder=t("Name, ID, host…") prop:value=move || view.with(|v| v.text.clone())
                    on:input=move |ev| view.update(|v| v.text = event_target_value(&ev)) />
            </label>
            {move || {
                let labels = tenants.get();
                (!labels.is_empty()).then(|| {
                    let options = all().into_iter().chain(labels.into_iter().enumerate().map(|(i, l)| ((i + 1).to_string(), l))).collect();
                    choice(t("Tenant"), "filter-tenant", options,
                        Signal::derive(move || view.with(|v| v.tenant.map(|t| (t + 1).to_string()).unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.tenant = k.parse::<usize>().ok().and_then(|t| t.checked_sub(1)))))
                })
            }}
            {move || {
                let mut regions = regions.get();
                // A region chosen (or bookmarked) stays offered, to be undone.
                if let Some(r) = view.with(|v| v.region.clone()).filter(|r| !regions.contains(r)) {
                    regions.push(r);
                }
                (regions.len() > 1 || (regions.len() == 1 && view.with(|v| v.region.is_some()))).then(|| {
                    let named = regions.into_iter().map(|id| {
                        let name = tenantscope_catalog::region_by_id(&id).map(format::region).unwrap_or_else(|| id.clone());
                        (id, name)
                    });
                    choice(t("Region"), "filter-region", all().into_iter().chain(named).collect(),
                        Signal::derive(move || view.with(|v| v.region.clone().unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.region = Some(k).filter(|k| !k.is_empty()))))
                })
            }}
            {choice(t("Service"), "filter-service", all().into_iter().chain(services).collect(),
                Signal::derive(move || view.with(|v| v.service.map(|s| s.key().to_string()).unwrap_or_default())),
                Callback::new(move |k: String| view.update(|v| v.service = Service::from_key(&k))))}
            {choice(t("Status"), "filter-status", all().into_iter().chain(statuses).collect(),
                Signal::derive(move || view.with(|v| v.status.map(|s| s.key().to_string()).unwrap_or_default())),
                Callback::new(move |k: String| view.update(|v| v.status = Status::ALL.into_iter().find(|s| s.key() == k))))}
            {choice(t("Urgency"), "filter-urgency", all().into_iter().chain(urgencies).collect(),
                Signal::derive(move || view.with(|v| match v.urgency {
                    Some(u) => u.key().to_string(),
                    None if v.frozen_or_closed => FROZEN_OR_CLOSED.to_string(),
                    None if v.used_up => USED_UP.to_string(),
                    None if v.runs_out => RUNS_OUT.to_string(),
                    None => String::new(),
                })),
                Callback::new(move |k: String| view.update(|v| {
                    v.frozen_or_closed = k == FROZEN_OR_CLOSED;
                    v.used_up = k == USED_UP;
                    v.runs_out = k == RUNS_OUT;
                    v.urgency = Urgency::ALL.into_iter().find(|u| u.key() == k);
                })))}
            {move || {
                let f = facets.get();
                let plain = |values: &[String]| all().into_iter().chain(values.iter().map(|v| (v.clone(), v.clone()))).collect::<Vec<_>>();
                let sources = all().into_iter().chain(f.sources.iter().map(|(k, s)| (k.clone(), format::source(s)))).collect::<Vec<_>>();
                view! {
                    {(!f.enterprise_projects.is_empty()).then(|| choice(t("Enterprise project"), "filter-ep", plain(&f.enterprise_projects),
                        Signal::derive(move || view.with(|v| v.enterprise_project.clone().unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.enterprise_project = Some(k).filter(|k| !k.is_empty())))))}
                    {(!f.categories.is_empty()).then(|| choice(t("Category"), "filter-category",
                        all().into_iter().chain(f.categories.iter().map(|c| (c.clone(), format::category(c)))).collect(),
                        Signal::derive(move || view.with(|v| v.category.clone().unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.category = Some(k).filter(|k| !k.is_empty())))))}
                    {(!f.sources.is_empty()).then(|| choice(t("Source"), "filter-source", sources,
                        Signal::derive(move || view.with(|v| v.source.clone().unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.source = Some(k).filter(|k| !k.is_empty())))))}
                    // Once billing has said how packages renew.
                    {(!f.renewals.is_empty()).then(|| choice(t("Renewal"), "filter-renewal",
                        all().into_iter().chain(f.renewals.iter().map(|r| (r.key().to_string(), format::renewal_word(*r).to_string()))).collect(),
                        Signal::derive(move || view.with(|v| v.renewal.map(|r| r.key().to_string()).unwrap_or_default())),
                        Callback::new(move |k: String| view.update(|v| v.renewal = crate::domain::Renewal::from_key(&k)))))}
                }
            }}
            {choice(t("Sort by"), "sort", sorts.collect(),
                Signal::derive(move || view.with(|v| v.sort.key().to_string())),
                Callback::new(move |k: String| view.update(|v| v.sort = Sort::from_key(&k).unwrap_or_default())))}
            <Show when=move || view.with(View::is_filtered)>
                <button type="button" on:click=move |_| view.update(|v| *v = v.cleared())>
                    {t("Clear filters")}
                </button>
            </Show>
        </div>
    }
}

/// One labelled select; every one of the filters is drawn by this one view.
fn choice(label: &'static str, id: &'static str, options: Vec<(String, String)>, value: Signal<String>, set: Callback<String>) -> impl IntoView {
    view! {
        // Labelled by `for`: a label around a select would name it with
        // every option's text too.
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| set.run(event_target_value(&ev))>
                {options.into_iter().map(|(key, text)| {
                    let selected = key.clone();
                    view! { <option value=key prop:selected=move || value.with(|v| *v == selected)>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
