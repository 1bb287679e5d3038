use leptos::prelude::*;

use crate::components::{ExportBar, Filters, Overview, ServicePanel, SessionForm, SettingsPanel, TabBar, Tenant};
use crate::domain::query::View;
use crate::domain::Instant;
use crate::session::{now, Connection};
use crate::settings::{remember, Settings};

/// The whole console: settings, the session form, one tab per open tenant,
/// the overview across them, filters, exports and one panel per service of
/// the open tab. Each tab and each panel loads and fails on its own.
#[component]
pub fn App() -> impl IntoView {
    let owner = Owner::current().expect("App runs under the mount's owner");
    let settings = RwSignal::new(Settings::load());
    let view = RwSignal::new(View::from_hash(&location_hash()));
    let clock = RwSignal::new(now());
    // Derived once a minute: what only changes by the minute (urgency,
    // "updated N min ago") does not redraw every second.
    let minute = Memo::new(move |_| Instant::from_millis(clock.get().millis() / 60_000 * 60_000));
    let thresholds = Signal::derive(move || settings.with(|s| s.thresholds));

    let next_id = StoredValue::new(1u32);
    // Each tab's owner, by tab id: what disposes of its resources and token.
    let owners = StoredValue::new(Vec::<(u32, Owner)>::new());
    let open_tenant = move |owner: &Owner, connection: Connection| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        let (tenant, tab_owner) = Tenant::open(owner, id, connection);
        owners.update_value(|o| o.push((id, tab_owner)));
        tenant
    };

    // "Remember in this tab": the connections come back after a reload.
    let proxy = settings.with_untracked(|s| s.proxy.clone());
    let restored: Vec<Tenant> = remember::load()
        .into_iter()
        .filter_map(|entry| Connection::from_entry(&entry, &proxy))
        .map(|connection| open_tenant(&owner, connection))
        .collect();
    let remembering = RwSignal::new(!restored.is_empty());
    let tenants = RwSignal::new(restored);
    // Disposes of the tabs no longer open once the views that read them
    // have been redrawn: a disposed signal read by a view still on the page
    // would panic.
    let retire = move || {
        let open: Vec<u32> = tenants.with_untracked(|l| l.iter().map(|t| t.id).collect());
        let mut gone = Vec::new();
        owners.update_value(|all| {
            let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(all).into_iter().partition(|(id, _)| open.contains(id));
            *all = keep;
            gone = drop;
        });
        if !gone.is_empty() {
            set_timeout(move || drop(gone), std::time::Duration::ZERO);
        }
    };

    let active = Memo::new(move |_| {
        let len = tenants.with(Vec::len);
        view.with(|v| v.tab).min(len.saturating_sub(1))
    });
    // The service filter hides the other panels (a memo: typing a search
    // must not redraw the panels, only their lists).
    let only_service = Memo::new(move |_| view.with(|v| v.service));
    // The open tab changes only when another tab is picked or it is
    // replaced: opening a tab beside it does not redraw its panels.
    let current_id = Memo::new(move |_| tenants.with(|list| list.get(active.get()).map(|t| t.id)));
    let current = Signal::derive(move || {
        let id = current_id.get()?;
        tenants.with_untracked(|list| list.iter().find(|t| t.id == id).cloned())
    });

    // Side effects only: the URL hash, storage and the page's theme follow
    // the signals; nothing here writes a signal.
    Effect::new(move |_| {
        let hash = view.with(View::to_hash);
        if let Some(history) = window().history().ok() {
            let url = if hash.is_empty() { location_path() } else { format!("#{hash}") };
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
    Effect::new(move |_| {
        settings.with(Settings::save);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", settings.with(|s| s.theme.key()));
        }
    });
    Effect::new(move |_| {
        let entries: Vec<remember::Entry> = if remembering.get() {
            tenants.with(|list| list.iter().map(|t| t.connection.to_entry()).collect())
        } else {
            Vec::new()
        };
        remember::store(&entries);
    });
    // The hash changes when a bookmark or the back button says so.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| view.set(View::from_hash(&location_hash())));
    // One clock for the page; auto-refresh rides on it.
    let last_refresh = StoredValue::new(now());
    let _ = set_interval_with_handle(
        move || {
            let t = now();
            clock.set(t);
            let minutes = settings.with_untracked(|s| s.auto_refresh_minutes);
            if minutes > 0 && t.since(last_refresh.get_value()) >= i64::from(minutes) * 60_000 {
                last_refresh.set_value(t);
                tenants.with_untracked(|list| list.iter().for_each(Tenant::reload));
            }
        },
        std::time::Duration::from_secs(1),
    );

    let on_open = Callback::new(move |(connection, new_tab): (Connection, bool)| {
        let tenant = open_tenant(&owner, connection);
        let mut index = 0;
        tenants.update(|list| {
            let at = active.get_untracked();
            if new_tab || list.is_empty() {
                list.push(tenant);
                index = list.len() - 1;
            } else {
                list[at] = tenant;
                index = at;
            }
        });
        view.update(|v| v.tab = index);
        retire();
    });
    let on_forget = Callback::new(move |()| {
        tenants.set(Vec::new());
        remembering.set(false);
        view.update(|v| v.tab = 0);
        retire();
    });
    let on_close = Callback::new(move |index: usize| {
        tenants.update(|list| {
            if index < list.len() {
                list.remove(index);
            }
        });
        // The tabs after the closed one move one place left, the open one too.
        view.update(|v| {
            if v.tab > index || (v.tab == index && v.tab > 0) {
                v.tab -= 1;
            }
        });
        retire();
    });

    view! {
        <header class="topbar">
            <h1>"tenantscope"</h1>
            <p class="tagline">"Packages, quotas and expiry dates of Huawei Cloud tenants"</p>
            <SettingsPanel settings />
        </header>
        <main>
            <SessionForm proxy=Signal::derive(move || settings.with(|s| s.proxy.clone())) remembering
                has_tabs=Signal::derive(move || tenants.with(|l| !l.is_empty())) on_open on_forget />
            <TabBar tenants=tenants.into() active=active.into() clock=clock.into() minute=minute.into()
                on_select=Callback::new(move |i: usize| view.update(|v| v.tab = i)) on_close />
            <Overview tenants=tenants.into() thresholds minute=minute.into() />
            <Filters view />
            <ExportBar tenant=current thresholds />
            <div class="panels">
                {move || current.get().map(|tenant| {
                    let only = only_service.get();
                    tenant.loads.into_iter().filter(|l| only.is_none_or(|s| s == l.service)).map(|load| view! {
                        <ServicePanel load view=view.into() thresholds />
                    }).collect_view()
                })}
            </div>
        </main>
    }
}

fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

fn location_path() -> String {
    let l = window().location();
    format!("{}{}", l.pathname().unwrap_or_default(), l.search().unwrap_or_default())
}
