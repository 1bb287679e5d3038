use leptos::prelude::*;

use futures::FutureExt;

use crate::components::console::{self, console, NotLoaded, Part};
use crate::components::{tr, SessionForm, SettingsPanel, Shared, Tab, Welcome};
use crate::domain::query::View;
use crate::domain::Instant;
use crate::i18n::{self, Lang};
use crate::net::now;
use crate::session::Connection;
use crate::settings::{remember, Settings};

/// The page: settings, the session form, and once a connection is open the
/// [`Console`](crate::components::console::Console) of every open tab,
/// loaded on first use (see [`crate::components::console`]). The page keeps
/// the tabs as plain connections, the view in the URL hash, the settings in
/// localStorage and, when asked, the tabs in sessionStorage.
#[component]
pub fn App(
    /// The deployer's `config.json`, read before the page is drawn.
    #[prop(optional)]
    deployment: crate::deployment::ConfigRead,
    /// The chosen language's texts, when they could not be fetched (the
    /// page is then in English and says so).
    #[prop(default = None)]
    texts: Option<i18n::TextsError>,
) -> impl IntoView {
    let crate::deployment::ConfigRead { deployment, errors: config_errors } = deployment;
    // The deployment's defaults, under the person's own settings.
    let base = deployment.settings_here();
    let settings = RwSignal::new(Settings::load(base.clone()));
    // A memo: the first visit asks the proxy again only when its URL changes,
    // not when another setting does.
    let proxy: Signal<String> = Memo::new(move |_| settings.with(|s| s.proxy.clone())).into();
    // What the proxy says of itself, for the first visit (asked again when
    // the proxy URL changes).
    let about = LocalResource::new(move || crate::net::about(proxy.get()));
    let about = Signal::derive(move || about.get());
    let demo = Signal::derive(move || about.with(|a| matches!(a, Some(Ok(a)) if a.demo)));
    // Before anything is drawn; the settings panel sets them on change.
    i18n::set_lang(settings.with_untracked(|s| s.lang));
    crate::format::set_zone(settings.with_untracked(|s| s.zone));
    // What the text is drawn in: the language and the time zone. Views that
    // track `lang` redraw when either changes (a derived signal notifies on
    // every change of the memo it reads), and nothing else.
    let display = Memo::new(move |_| settings.with(|s| (s.lang, s.zone)));
    let lang = Signal::derive(move || display.with(|d| d.0));
    let view = RwSignal::new(View::from_hash(&location_hash()));
    // One clock for the page (the token countdown); what only changes by
    // the minute (urgency, "updated N min ago") follows a memo of it.
    let clock = RwSignal::new(now());
    let minute = Memo::new(move |_| Instant::from_millis(clock.get().millis() / 60_000 * 60_000));
    let auto_refresh = RwSignal::new(0u32);
    // When auto-refresh last ran (or the page opened), for "next in …".
    let last_refresh = RwSignal::new(now());
    let next_refresh = Signal::derive(move || {
        let minutes = settings.with(|s| s.auto_refresh_minutes);
        (minutes > 0).then(|| Instant::from_millis(last_refresh.get().millis() + i64::from(minutes) * 60_000))
    });

    let next_id = StoredValue::new(1u32);
    let new_tab = move |connection: Connection| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        Tab { id, connection, refresh: RwSignal::new(0) }
    };
    // "Remember in this tab": the connections come back after a reload.
    let proxy_now = settings.with_untracked(|s| s.proxy.clone());
    let restored: Vec<Tab> = remember::load().iter().filter_map(|entry| Connection::from_entry(entry, &proxy_now)).map(new_tab).collect();
    let remembering = RwSignal::new(!restored.is_empty());
    let tabs = RwSignal::new(restored);
    let sign_in = RwSignal::new(false);
    let shared = Shared {
        sign_in,
        tabs,
        view,
        clock: clock.into(),
        minute: minute.into(),
        // A memo: changing the theme or the proxy must not redraw every card.
        thresholds: Memo::new(move |_| settings.with(|s| s.thresholds)).into(),
        auto_refresh: auto_refresh.into(),
        next_refresh,
        lang,
    };

    // Side effects only: the URL hash, storage and the page's theme follow
    // the signals; nothing here writes a signal.
    // The hash as it reads: the URL is written when it changes only (a tab
    // opening updates the view without changing it, and writing the URL
    // costs the browser a few milliseconds).
    let hash = Memo::new(move |_| view.with(View::to_hash));
    Effect::new(move |_| {
        let hash = hash.get();
        if let Ok(history) = window().history() {
            let url = if hash.is_empty() { location_path() } else { format!("#{hash}") };
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
    Effect::new(move |_| {
        settings.with(|s| s.save(&base));
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", settings.with(|s| s.theme.key()));
            // The language shown: English when the chosen one's texts failed.
            settings.with(|s| s.lang);
            let _ = root.set_attribute("lang", i18n::lang().key());
        }
    });
    Effect::new(move |_| {
        let entries: Vec<remember::Entry> =
            if remembering.get() { tabs.with(|list| list.iter().filter_map(|t| t.connection.to_entry()).collect()) } else { Vec::new() };
        remember::store(&entries);
    });
    // A bookmark or the back button changes the hash.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| view.set(View::from_hash(&location_hash())));
    let _ = set_interval_with_handle(
        move || {
            let t = now();
            clock.set(t);
            let minutes = settings.with_untracked(|s| s.auto_refresh_minutes);
            if minutes > 0 && t.millis() - last_refresh.get_untracked().millis() >= i64::from(minutes) * 60_000 {
                last_refresh.set(t);
                auto_refresh.update(|n| *n += 1);
            }
        },
        std::time::Duration::from_secs(1),
    );

    let on_open = Callback::new(move |(connection, in_new_tab): (Connection, bool)| {
        let at = shared.active_index();
        let (len, same) = tabs.with_untracked(|l| (l.len(), l.get(at).is_some_and(|t| t.connection == connection)));
        // Under "All tenants" no tab is open: Inspect opens one beside them.
        if in_new_tab || len == 0 || view.with_untracked(|v| v.all_tenants) {
            tabs.update(|l| l.push(new_tab(connection)));
            view.update(|v| {
                v.tab = len;
                v.all_tenants = false;
            });
        } else if !same {
            // Inspect replaces the open tab; the same connection again
            // loads it again (a press always has a result to see).
            tabs.update(|l| l[at] = new_tab(connection));
        } else if let Some(tab) = tabs.with_untracked(|l| l.get(at).cloned()) {
            tab.refresh.update(|n| *n += 1);
        }
        sign_in.set(false);
    });
    // The tabs changed wholesale: the view starts afresh on the first tab
    // (across them when there are several), the tenant and region filters
    // with it.
    let reset_view = move || {
        let len = tabs.with_untracked(Vec::len);
        view.update(|v| {
            v.tab = 0;
            v.all_tenants = len > 1;
            v.tenant = None;
            v.region = None;
        });
    };
    let on_forget = Callback::new(move |()| {
        tabs.set(Vec::new());
        remembering.set(false);
        reset_view();
    });
    // The tabs signed with access keys give way to `connections` (token
    // tabs stay): one per project of the account on a sign-in, none when
    // the keys are forgotten.
    let signed_tabs = move |connections: Vec<Connection>| {
        tabs.update(|l| {
            l.retain(|t| !t.connection.gateway.credentials.signs());
            l.extend(connections.into_iter().map(new_tab));
        });
        reset_view();
    };
    let on_open_all = Callback::new(move |connections| {
        signed_tabs(connections);
        sign_in.set(false);
    });
    let on_forget_keys = Callback::new(move |()| signed_tabs(Vec::new()));
    // Which sign-in the form shows: a token, or access keys (whose form comes
    // with the console's code, fetched the first time it is picked).
    let with_keys = RwSignal::new(false);
    let keys_wanted = Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || with_keys.get());
    let has_tabs = Memo::new(move |_| tabs.with(|l| !l.is_empty()));
    // The tab the form is in step with: the open one (none under "All tenants").
    let open_tab = Memo::new(move |_| {
        if shared.all_tenants() {
            return None;
        }
        let at = shared.active_index();
        tabs.with(|l| l.get(at).map(|t| (t.id, t.connection.clone())))
    });
    let retry = RwSignal::new(0u32);
    // Why the texts of the language are (partly) in English: the page's
    // file failed before the page was drawn, or the console's later.
    let texts = RwSignal::new(texts);
    // The console's code and texts, fetched once a token is about to be
    // entered (the field focused, a token pasted: by the time it is looked
    // up, the console is drawn at once), a tab is open or access keys are
    // picked; Try again fetches them anew. Texts that fail leave the console
    // in English, saying so.
    // A memo: a first tab opened from the access-key form must not fetch
    // the chunk anew (the form would be drawn anew, losing what it says).
    // Opening the settings wants it too: the history's part is in it.
    let settings_opened = RwSignal::new(false);
    let console_asked = RwSignal::new(false);
    let on_console = Callback::new(move |()| console_asked.set(true));
    let console_wanted = Memo::new(move |_| console_asked.get() || has_tabs.get() || keys_wanted.get() || settings_opened.get());
    let chunk = LocalResource::new(move || {
        retry.track();
        let wanted = console_wanted.get();
        async move {
            if !wanted {
                return None;
            }
            let (code, words) = futures::join!(console::fetch(), i18n::load_console(i18n::lang()));
            if let Err(e) = words {
                texts.set(Some(e));
            }
            Some(code)
        }
    });

    let drawn = move |fetched: Option<Result<(), NotLoaded>>, part: Part| drawn(shared, retry, fetched, part);

    view! {
        <header class="topbar">
            <h1>"tenantscope"</h1>
            <p class="tagline">{tr(lang, "Packages, quotas and expiry dates of Huawei Cloud tenants")}</p>
            <SettingsPanel settings opened=settings_opened
                history=ViewFn::from(move || drawn(chunk.get().flatten(), Part::History)) />
        </header>
        <main>
            {(!config_errors.is_empty()).then(|| {
                let errors = StoredValue::new(config_errors);
                view! {
                    <div class="notice notice-warn config-error" role="alert" data-state="config-error">
                        <strong>{tr(lang, "This site's config.json has errors; the defaults apply where it is wrong:")}</strong>
                        <ul>{move || { lang.get(); errors.with_value(|e| e.iter().map(|e| view! { <li>{crate::format::config_error(e)}</li> }).collect_view()) }}</ul>
                    </div>
                }
            })}
            {move || texts.get().map(|e| view! {
                <div class="notice notice-warn texts-error" role="alert" data-state="texts-error">
                    {move || { lang.get(); crate::format::texts_error(&e) }}
                </div>
            })}
            // Folded once a tab is open: the tab's session line says who
            // and where, and its Edit opens this again. Both forms stay once
            // drawn, the one not picked, or all when folded, hidden by the
            // stylesheet: nothing typed is lost.
            <div id="sign-in" class="sign-in" class:with-keys=move || with_keys.get() class:folded=move || has_tabs.get() && !sign_in.get()>
                <div class="sign-in-mode" role="group" aria-label=tr(lang, "Sign in with")>
                    <button type="button" aria-pressed=move || (!with_keys.get()).to_string() on:click=move |_| with_keys.set(false)>{tr(lang, "IAM token")}</button>
                    <button type="button" aria-pressed=move || with_keys.get().to_string() on:click=move |_| with_keys.set(true)>{tr(lang, "Access keys")}</button>
                </div>
                <SessionForm proxy
                    default_region=Signal::derive(move || settings.with(|s| s.region.clone())) remembering lang demo
                    has_tabs=has_tabs.into() editing=sign_in.into() open_tab=open_tab.into() on_open on_forget on_console />
                {move || keys_wanted.get().then(|| drawn(chunk.get().flatten(), Part::KeyForm { proxy, on_open_all, on_forget: on_forget_keys }))}
            </div>
            {move || if !has_tabs.get() {
                view! { <Welcome proxy about lang region=Signal::derive(move || settings.with(|s| s.region.clone())) with_keys=with_keys.into() /> }.into_any()
            } else {
                // Not a <Transition>: it would wait for every load the
                // console reads (the overview reads them all) before showing
                // any of it. Once fetched, the split point answers at once.
                drawn(chunk.get().flatten(), Part::Console)
            }}
        </main>
    }
}

/// Mounts the [`App`] once the texts of the language it will speak are
/// loaded: the stored choice, else the deployment's, else the browser's.
/// English needs no file; when the file fails, the page comes up in English
/// and says so.
pub fn mount(deployment: crate::deployment::ConfigRead) {
    let lang = Settings::load(deployment.deployment.settings_here()).lang;
    wasm_bindgen_futures::spawn_local(async move {
        let texts = i18n::load(lang).await.err();
        leptos::mount::mount_to_body(move || view! { <App deployment texts /> });
    });
}

/// A part of the console's code, once fetched: at once (the split point
/// answers at once then), else what is missing. One function for the three
/// places that draw a part, not a closure inlined into each.
#[inline(never)]
fn drawn(shared: Shared, retry: RwSignal<u32>, fetched: Option<Result<(), NotLoaded>>, part: Part) -> AnyView {
    let lang = shared.lang;
    match fetched {
        // The settings show their own fields meanwhile.
        None if matches!(part, Part::History) => ().into_any(),
        None => view! { <p class="session-line" data-state="loading">{tr(lang, "Loading the console…")}</p> }.into_any(),
        Some(Ok(())) => match console(shared, part).now_or_never() {
            Some(Ok(view)) => view,
            _ => not_loaded(lang, retry),
        },
        Some(Err(NotLoaded)) => not_loaded(lang, retry),
    }
}

/// The error card for a console whose code could not be fetched.
fn not_loaded(lang: Signal<Lang>, retry: RwSignal<u32>) -> AnyView {
    view! {
        <div class="error-card" role="alert" data-state="error">
            <p class="error-title"><span class="badge badge-bad">{tr(lang, "Error")}</span> " " {tr(lang, "The console could not be loaded")}</p>
            <p class="error-hint">{tr(lang, "Its code is fetched from this site on first use, and that failed. Check the network connection and try again.")}</p>
            <p><button type="button" on:click=move |_| retry.update(|n| *n += 1)>{tr(lang, "Try again")}</button></p>
        </div>
    }
    .into_any()
}

fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

fn location_path() -> String {
    let l = window().location();
    format!("{}{}", l.pathname().unwrap_or_default(), l.search().unwrap_or_default())
}
