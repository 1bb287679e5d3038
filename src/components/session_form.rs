use leptos::prelude::*;
use tenantscope_catalog::REGIONS;

use crate::api::{ApiError, Credentials, Gateway, Token};
use crate::components::tr;
use crate::format;
use crate::i18n::{t, tf, Lang};
use crate::net::{introspect_token, lists, now};
use crate::session::{Connection, Discovery};
use crate::settings;

/// The session form: IAM token, region, project and CodeArts project. It
/// is in step with the open tab: while the field holds that tab's token, the
/// region and projects are the tab's unless typed anew (in that tab). A
/// pasted token is looked up at once (who, which account and project, how
/// long it lives, which projects it can choose from) and fills the fields,
/// which stay editable: what is typed wins. With no tab open, a paste also
/// opens one. Inspect opens the connection in the open tab, "Inspect in new
/// tab" beside it, unless the lookup found the token refused: then the form
/// says so once and opens nothing. Forget clears the token everywhere. The token lives only
/// in memory unless "Remember in this tab" is ticked.
#[component]
pub fn SessionForm(
    /// The proxy's API base, from the settings.
    proxy: Signal<String>,
    /// The region the form starts with (the deployment's, else cn-north-4).
    default_region: Signal<String>,
    /// "Remember in this tab": keep the open connections in sessionStorage.
    remembering: RwSignal<bool>,
    /// Whether a tab is open.
    has_tabs: Signal<bool>,
    /// Whether the form was opened again with a tab open (its Edit): else
    /// it is folded away then, and its choices are asked once it is in use.
    editing: Signal<bool>,
    /// The open tab (its id and connection), which the form follows.
    open_tab: Signal<Option<(u32, Connection)>>,
    /// Called with the connection to open, and whether in a new tab.
    on_open: Callback<(Connection, bool)>,
    /// Called when the token is forgotten.
    on_forget: Callback<()>,
    /// Called when a token is about to be entered (the field focused, a
    /// token pasted): the console's code is fetched meanwhile.
    on_console: Callback<()>,
    /// Whether the proxy runs the demo tenant: then, until a tab is open,
    /// a button opens it without typing (its token is `demo`).
    #[prop(optional, into)]
    demo: Signal<bool>,
    /// The language.
    lang: Signal<Lang>,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    // What was typed by hand, and in which tab (`None`: none open); `None`
    // shows the open tab's, else what the token said.
    let region_typed = RwSignal::new(None::<(Option<u32>, String)>);
    let project_typed = RwSignal::new(None::<(Option<u32>, String)>);
    let codearts_typed = RwSignal::new(None::<(Option<u32>, String)>);
    let tab_id = move || open_tab.with(|t| t.as_ref().map(|(id, _)| *id));
    // Typed in the tab open now: typing in one tab leaves the others as they are.
    let typed_here = move |field: RwSignal<Option<(Option<u32>, String)>>| {
        let here = tab_id();
        field.with(|f| f.as_ref().filter(|(at, _)| *at == here).map(|(_, v)| v.clone()))
    };
    let region = Signal::derive(move || typed_here(region_typed));
    let project = Signal::derive(move || typed_here(project_typed));
    let codearts = Signal::derive(move || typed_here(codearts_typed));
    // The open tab's connection, while the field holds its token.
    let tab_value = move |f: fn(&Connection) -> &String| {
        let current = Token::parse(&token.get()).ok()?;
        open_tab.with(|t| {
            t.as_ref()
                .filter(|(_, c)| matches!(&c.gateway.credentials, Credentials::IamToken(tok) if *tok == current))
                .map(|(_, c)| f(c).clone())
                .filter(|v| !v.is_empty())
        })
    };
    let problem = RwSignal::new(None::<String>);
    // The token last looked up, and what was found for it.
    let probe = RwSignal::new(None::<Token>);
    // The lookup of the form's choices (the account's projects, the
    // CodeArts projects), waiting for the form to be in use.
    let choices_later = StoredValue::new_local(None::<futures::channel::oneshot::Sender<()>>);
    let found = RwSignal::new(None::<Result<Discovery, ApiError>>);
    // The token a tab was last opened with: that tab says what its session
    // met, so the form does not say a refusal a second time.
    let opened_with = RwSignal::new(None::<Token>);
    // Only what was found for the token in the field counts.
    let discovery = move || {
        let current = Token::parse(&token.get()).ok();
        if probe.with(|p| p.is_none() || *p != current) {
            return None;
        }
        found.get()
    };
    let found_with = move |f: fn(Discovery) -> Option<String>| discovery().and_then(Result::ok).and_then(f);
    let region_value = move || {
        region
            .get()
            .or_else(|| tab_value(|c| &c.region))
            .or_else(|| found_with(|d| d.info.project_name.filter(|n| tenantscope_catalog::region_by_id(n).is_some())))
            .unwrap_or_else(|| default_region.get())
    };
    // The chosen region's project (system projects are named by their
    // region: the form follows the region), else the token's own.
    let project_value = move || {
        project
            .get()
            // The tab's project while its region is shown; a region picked
            // anew brings that region's project.
            .or_else(|| region.get().is_none().then(|| tab_value(|c| &c.project_id)).flatten())
            .or_else(|| {
                let d = discovery().and_then(Result::ok)?;
                let region = region_value();
                d.projects.iter().find(|p| p.name == region).map(|p| p.id.clone()).or(d.info.project_id)
            })
            .unwrap_or_default()
    };
    // What the connection is opened with: typed, or the open tab's. The
    // first of the token's CodeArts projects is only shown: TestPlan finds
    // the same one itself, and a tab opened before the list came must read
    // as the same connection after it came.
    let codearts_given = move || codearts.get().or_else(|| region.get().is_none().then(|| tab_value(|c| &c.codearts_project_id)).flatten());
    // The name of the CodeArts project the tab reads, where the list has
    // it: the one given, else the first (TestPlan's own choice), while the
    // form shows the region the list is of.
    let codearts_name = move || {
        let d = discovery().and_then(Result::ok)?;
        let given = codearts_given();
        let listed_here = d.info.project_name.as_deref() == Some(region_value().as_str());
        d.codearts.into_iter().find(|p| given.as_ref().map_or(listed_here, |g| *g == p.id)).map(|p| p.name)
    };
    let codearts_value = move || codearts_given().or_else(|| found_with(|d| d.codearts.into_iter().next().map(|p| p.id))).unwrap_or_default();

    // The lookup found the token refused (by every IAM it asked).
    let refused = move || discovery().is_some_and(|d| d.as_ref().err().is_some_and(ApiError::is_auth));
    // Nothing at the proxy URL answers like the proxy: every call would fail alike.
    let no_proxy = move || discovery().is_some_and(|d| matches!(d, Err(ApiError::NotAProxy { .. })));
    let open = move |in_new_tab: bool| match Token::parse(&token.get_untracked()) {
        Err(e) => problem.set(Some(format::token_error(e).to_string())),
        // A tab would only say it again (an expired token's error appeared
        // twice), and Inspect would replace what the open tab shows: the
        // form keeps the one error, and the field takes the focus for a new token.
        Ok(_) if untrack(refused) => {
            problem.set(None);
            if let Some(field) = document().get_element_by_id("token").and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
                let _ = field.focus();
            }
        }
        // Nor a tab whose every panel would say what the form says already.
        Ok(_) if untrack(no_proxy) => problem.set(None),
        Ok(t) => {
            let proxy = match settings::proxy_url(&proxy.get_untracked()) {
                Ok(url) => url,
                Err(e) => return problem.set(Some(tf("{0} (Settings, Proxy URL)", &[&e]))),
            };
            problem.set(None);
            // Read once, for this click: nothing here subscribes.
            let connection = untrack(|| Connection {
                gateway: Gateway::new(proxy, Credentials::IamToken(t.clone())),
                region: region_value(),
                project_id: project_value(),
                codearts_project_id: codearts_given().unwrap_or_default(),
                codearts_name: codearts_name(),
                known: discovery().and_then(Result::ok).map(|d| d.info),
            });
            opened_with.set(Some(t));
            // What was typed is the new tab's connection now.
            for field in [region_typed, project_typed, codearts_typed] {
                field.set(None);
            }
            on_open.run((connection, in_new_tab));
        }
    };
    // Looks the token up unless it already was; `then_open`: open a tab
    // with what was found if none is open by then (a paste on an empty page).
    let look_up = move |raw: &str, then_open: bool| {
        let Ok(t) = Token::parse(raw) else { return };
        let Ok(proxy) = settings::proxy_url(&proxy.get_untracked()) else { return open(false) };
        if probe.with_untracked(|p| p.as_ref() == Some(&t)) {
            return;
        }
        probe.set(Some(t.clone()));
        found.set(None);
        choices_later.set_value(None);
        let gateway = Gateway::new(proxy, Credentials::IamToken(t.clone()));
        let region = region.get_untracked().unwrap_or_else(|| default_region.get_untracked());
        leptos::task::spawn_local(async move {
            // Another token was pasted meanwhile: this answer is not for it.
            let current = || probe.with_untracked(|p| p.as_ref() == Some(&t));
            let asked = introspect_token(&gateway, &region);
            // The console comes while the token is looked up (a paste may
            // come without a focus, from a script or a password manager),
            // asked after the token: fetching a chunk holds the page's
            // thread for a moment.
            on_console.run(());
            let (info, at) = match asked.await {
                Ok(known) => known,
                Err(e) => {
                    if current() {
                        found.set(Some(Err(e)));
                    }
                    return;
                }
            };
            if !current() {
                return;
            }
            // The tab opens as soon as the token is known: its services
            // need only the project (TestPlan asks for its CodeArts project
            // itself). The lists fill the form's choices when they come.
            let known = Some(Ok(Discovery { info: info.clone(), projects: Vec::new(), codearts: Vec::new() }));
            if then_open && !has_tabs.get_untracked() {
                // The tab's first requests go before the form, folding
                // away, is drawn with what was found: `open` reads it
                // untracked, and the form hears of it a task later.
                found.update_untracked(|f| *f = known);
                open(false);
                set_timeout(move || found.notify(), std::time::Duration::ZERO);
            } else {
                found.set(known);
            }
            // The choices are asked when the form is in sight, not while
            // the tab just opened asks what it needs: it asks its CodeArts
            // project itself, and over HTTP/1.1 two lists beside its first
            // pages would take two of the browser's six connections.
            if has_tabs.get_untracked() && !editing.get_untracked() {
                let (shown, wait) = futures::channel::oneshot::channel::<()>();
                choices_later.set_value(Some(shown));
                // Dropped unsent: another token, or forgotten.
                if wait.await.is_err() {
                    return;
                }
            }
            let lists = lists(gateway, info, at, region).await;
            if current() {
                found.set(Some(Ok(lists)));
            }
        });
    };
    // The form in use (Edit focuses the token field): the choices it
    // waited for.
    let choices_wanted = move || {
        if let Some(shown) = choices_later.try_update_value(Option::take).flatten() {
            let _ = shown.send(());
        }
    };
    let forget = move |_| {
        token.set(String::new());
        probe.set(None);
        found.set(None);
        choices_later.set_value(None);
        for field in [region_typed, project_typed, codearts_typed] {
            field.set(None);
        }
        problem.set(None);
        on_forget.run(());
    };
    let typed = move |field: RwSignal<Option<(Option<u32>, String)>>| move |ev| field.set(Some((tab_id(), event_target_value(&ev))));
    let checking = move || probe.with(Option::is_some) && found.with(Option::is_none);

    view! {
        <form class="session" autocomplete="off" on:submit=move |ev| { ev.prevent_default(); open(false) }>
            <label class="field field-token">
                <span>{tr(lang, "IAM token")}</span>
                <input type="password" name="token" id="token" spellcheck="false" autocomplete="off" placeholder="MII…"
                    aria-describedby="token-status" aria-invalid=move || refused().then_some("true")
                    // The console is fetched while the token is being
                    // pasted (a failure shows when it is needed); after the
                    // token's lookup when the paste comes with the focus.
                    on:focus=move |_| {
                        choices_wanted();
                        set_timeout(move || on_console.run(()), std::time::Duration::ZERO)
                    }
                    prop:value=move || token.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        // More than one character at once is a paste.
                        let pasted = value.len() > token.with_untracked(String::len) + 1;
                        token.set(value.clone());
                        if pasted {
                            look_up(&value, true);
                        }
                    }
                    on:change=move |ev| look_up(&event_target_value(&ev), false) />
            </label>
            // Labelled by `for`: a label around a select would name it with
            // every option's text too.
            <div class="field field-region">
                <label for="region">{tr(lang, "Region")}</label>
                <select id="region" name="region" on:change=typed(region_typed)>
                    {REGIONS.iter().map(|r| view! {
                        <option value=r.id prop:selected=move || region_value() == r.id>{move || { lang.get(); format::region(r) }}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="field">
                <span>{tr(lang, "Project ID")}</span>
                <input id="project-id" name="project-id" list="project-choices" placeholder=tr(lang, "from the token")
                    prop:value=project_value on:input=typed(project_typed) />
            </label>
            <label class="field">
                <span>{tr(lang, "CodeArts project")}</span>
                <input id="codearts-project" name="codearts-project" list="codearts-choices" placeholder=tr(lang, "first one found")
                    prop:value=codearts_value on:input=typed(codearts_typed) />
            </label>
            <datalist id="project-choices">
                {move || discovery().and_then(Result::ok).map(|d| d.projects.into_iter().map(|p| view! {
                    <option value=p.id>{p.name}</option>
                }).collect_view())}
            </datalist>
            <datalist id="codearts-choices">
                {move || discovery().and_then(Result::ok).map(|d| d.codearts.into_iter().map(|p| view! {
                    <option value=p.id>{p.name}</option>
                }).collect_view())}
            </datalist>
            <div class="actions">
                <button type="submit" class="primary">{tr(lang, "Inspect")}</button>
                <Show when=move || has_tabs.get()>
                    <button type="button" on:click=move |_| open(true)>{tr(lang, "Inspect in new tab")}</button>
                </Show>
                <button type="button" on:click=forget>{tr(lang, "Forget token")}</button>
                <Show when=move || demo.get() && !has_tabs.get()>
                    <button type="button" class="try-demo" on:click=move |_| {
                        token.set("demo".into());
                        look_up("demo", true);
                    }>{tr(lang, "Try the demo tenant")}</button>
                </Show>
            </div>
            <label class="check">
                <input type="checkbox" id="remember" prop:checked=move || remembering.get()
                    on:change=move |ev| remembering.set(event_target_checked(&ev)) />
                " " {tr(lang, "Remember in this tab (kept in sessionStorage until the tab closes)")}
            </label>
            <p class="discovery" id="token-status" role="status" aria-live="polite" data-refused=move || refused().then_some("")>
                {move || match (lang.get(), discovery()).1 {
                    _ if checking() => t("Checking the token…").to_string(),
                    Some(Ok(d)) => who(&d),
                    // The error's own words end a sentence already ("…must be updated.").
                    // A tab opened with this token says it in its own error card.
                    Some(Err(e)) if e.is_auth() && opened_with.with(|o| o.is_some() && *o == Token::parse(&token.get()).ok()) => String::new(),
                    Some(Err(e)) => tf("The token could not be looked up: {0} {1}", &[&format::sentence(&format::error(&e)), &format::hint(&e, None)]),
                    None => String::new(),
                }}
            </p>
            {move || problem.get().map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
        </form>
    }
}

/// What a token said about itself, in one line.
fn who(d: &Discovery) -> String {
    let i = &d.info;
    let mut line = match (&i.user, &i.domain) {
        (Some(u), Some(a)) => tf("Token of {0} in account {1}", &[u, a]),
        (Some(u), None) => tf("Token of {0}", &[u]),
        _ => t("Token accepted").to_string(),
    };
    if let Some(p) = &i.project_name {
        line.push_str(&tf(", project {0}", &[p]));
    }
    line.push_str(". ");
    if let Some(at) = i.expires_at {
        line.push_str(&format::lifetime(at, now()).1);
    }
    line
}
