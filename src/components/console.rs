//! What the page shows once a connection is open: the tabs, the overview
//! across them, the filters, and each tab's session line, exports and
//! service panels, with the loads they read.
//!
//! This is most of the app's code, and none of it is needed before a token
//! is inspected, so it is split out of the first page load: [`console`] is a
//! split point (scripts/build-wasm), fetched the first time it is called, or
//! earlier when the token field is focused or a token is pasted
//! (`App`'s `chunk`). Its styles and texts come with it ([`fetch`],
//! `lang/*.console.json`).
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use tenantscope_catalog::Service;

use crate::components::history_view::{HistorySettings, Since};
use crate::components::{tab_label, AccessKeyForm, AllTenantsPanel, ExportBar, Filters, JumpLinks, Overview, SessionBar, Shared, TabBar, TabLoad, TabView};
use crate::domain::query::Facets;
use crate::i18n::t;

/// The console's code could not be fetched from the site (offline, or the
/// site was redeployed meanwhile). Calling [`console`] again retries.
#[derive(Debug, Clone, Copy)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> NotLoaded {
        NotLoaded
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The stylesheet `path` (beside the page) added, once; resolves when it
    /// applies (`tenantscopeStyle` in `site/index.html`).
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = tenantscopeStyle)]
    fn add_style(path: &str) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// The console's code and its stylesheet (`console.css`: the first load
/// carries only the page's styles), fetched once both are needed; `Err`
/// when either could not be, and calling again tries again.
pub async fn fetch() -> Result<(), NotLoaded> {
    let style = async {
        let promise = add_style("console.css").map_err(|_| NotLoaded)?;
        wasm_bindgen_futures::JsFuture::from(promise).await.map(drop).map_err(|_| NotLoaded)
    };
    let (code, style) = futures::join!(preload_console(), style);
    code.map_err(NotLoaded::from)?;
    style
}

/// What the page draws from the console's code.
#[derive(Clone, Copy)]
pub enum Part {
    /// The [`Console`] of the open tabs.
    Console,
    /// The sign-in with access keys ([`AccessKeyForm`]), which comes with
    /// the console's code as the signing does.
    KeyForm { proxy: Signal<String>, on_open_all: Callback<Vec<crate::session::Connection>>, on_forget: Callback<()> },
    /// The history's part of the settings ([`HistorySettings`]).
    History,
}

/// `part` of the console, from code loaded on first use (one split point
/// for both parts: each costs the first load a loader of its own).
/// `fallible`: a failed fetch is an `Err`, where the default would panic.
#[leptos::wasm_split::wasm_split(console, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_console))]
pub fn console(shared: Shared, part: Part) -> Result<AnyView, NotLoaded> {
    Ok(match part {
        Part::Console => view! { <Console shared /> }.into_any(),
        Part::KeyForm { proxy, on_open_all, on_forget } => view! { <AccessKeyForm proxy on_open_all on_forget lang=shared.lang /> }.into_any(),
        Part::History => view! { <HistorySettings /> }.into_any(),
    })
}

/// Every open tab: the tab bar, the overview across the tabs, the filters,
/// and the open tab's session. Each tab (and in it each service) loads,
/// refreshes and fails on its own.
#[component]
pub fn Console(
    /// The tabs, the view and the clocks, from the page.
    shared: Shared,
) -> impl IntoView {
    // The loads of every tab, as each tab's view registers them: they are
    // created and disposed of with that view, so nothing reads them after
    // the tab is closed.
    let registry = RwSignal::new(Vec::<TabLoad>::new());
    let Shared { tabs, view, thresholds, minute, lang, .. } = shared;
    // In tab order.
    let tenants = Signal::derive(move || {
        let ids: Vec<u32> = tabs.with(|l| l.iter().map(|t| t.id).collect());
        registry.with(|r| ids.iter().filter_map(|id| r.iter().find(|t| t.id == *id).copied()).collect::<Vec<_>>())
    });
    // What the data-driven filters offer: the values of every loaded package.
    let facets = Memo::new(move |_| {
        let list = tenants.get();
        let mut facets = Facets::default();
        for t in &list {
            for l in &t.loads {
                // Read in place: no copy of thousands of quotas.
                l.with_packages(|p, _| facets.add(p));
            }
        }
        facets.sorted()
    });
    let facets: Signal<Facets> = facets.into();
    // The tenant filter's choices: the tabs, under "All tenants" only.
    let labels = Memo::new(move |_| {
        if !shared.all_tenants() {
            return Vec::new();
        }
        tenants.with(|list| list.iter().enumerate().map(|(i, t)| tab_label(i, t)).collect::<Vec<_>>())
    });
    // The region filter's choices: the tabs' regions, each once.
    let regions = Memo::new(move |_| {
        if !shared.all_tenants() {
            return Vec::new();
        }
        let mut regions: Vec<String> = Vec::new();
        for t in tenants.get() {
            if let Some(region) = t.region().filter(|r| !regions.contains(r)) {
                regions.push(region);
            }
        }
        regions
    });
    let only = Memo::new(move |_| view.with(|v| v.service));
    let view_signal: Signal<_> = view.into();
    // Whether this browser refused a tab its history: said once, not per tab.
    let history_refused = move || tenants.with(|list| list.iter().any(|t| t.since.try_with(|s| matches!(s, Some(Since::Refused))).unwrap_or(false)));
    // The tabs' loads start first; all that reads them is drawn a frame later.
    let drawn = super::next_frame();
    view! {
        <Show when=move || drawn.get()>
            <TabBar shared tenants />
            <SessionBar shared tenants />
            {move || { lang.get(); history_refused().then(super::history_view::refused_note) }}
            {move || { lang.get(); view! { <JumpLinks view /> } }}
            <Overview tenants thresholds minute lang view />
            // Worded in the language and from the thresholds: redrawn when either changes.
            {move || { lang.get(); let thresholds = thresholds.get(); view! { <Filters view facets thresholds tenants=labels.into() regions /> } }}
            <Show when=move || shared.all_tenants()>
                {move || { lang.get(); view! {
                    <p class="muted all-tenants-note">{t("Every tab's packages, the tab and its region named in the first columns. Pick a tab for its session and charts.")}</p>
                    <ExportBar tenants view=view_signal thresholds />
                    <div class="panels panels-across">
                        {move || {
                            let only = only.get();
                            Service::PACKAGES.iter().copied().filter(|s| only.is_none_or(|o| o == *s)).map(|service| view! {
                                <AllTenantsPanel service tenants view=view_signal thresholds />
                            }).collect_view()
                        }}
                    </div>
                } }}
            </Show>
        </Show>
        <For each=move || tabs.get() key=|tab| tab.id let:tab>
            <TabView tab shared registry />
        </For>
    }
}
