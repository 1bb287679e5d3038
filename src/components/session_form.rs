use leptos::prelude::*;
use tenantscope_catalog::REGIONS;

use crate::api::{Credentials, Gateway, Token};
use crate::format;
use crate::session::{discover, now, Connection, Discovery};

/// The session form: IAM token, region, project and CodeArts project.
/// A pasted token is looked up at once (who, which account, which project,
/// how long it lives) and fills the fields, which stay editable. Inspect
/// hands a [`Connection`] up; Forget clears the token everywhere. The token
/// lives only in memory unless "Remember in this tab" is ticked.
#[component]
pub fn SessionForm(
    /// The proxy's API base, from the settings.
    proxy: Signal<String>,
    /// "Remember in this tab": keep the open connections in sessionStorage.
    remembering: RwSignal<bool>,
    /// Whether a tab is open (then "Inspect in new tab" is offered).
    has_tabs: Signal<bool>,
    /// Called with the connection to open, and whether in a new tab.
    on_open: Callback<(Connection, bool)>,
    /// Called when the token is forgotten.
    on_forget: Callback<()>,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    // What was typed by hand wins over what the token said about itself.
    let region = RwSignal::new(None::<String>);
    let project = RwSignal::new(None::<String>);
    let codearts = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    // The token to look up: set when one is pasted or the field is left.
    let probe = RwSignal::new(None::<Token>);
    let discovery = LocalResource::new(move || {
        let probe = probe.get();
        let gateway = probe.map(|t| Gateway { proxy: proxy.get(), credentials: Credentials::IamToken(t) });
        let region = region.get_untracked().unwrap_or_else(|| "cn-north-4".into());
        async move {
            match gateway {
                Some(gateway) => Some(discover(gateway, region).await),
                None => None,
            }
        }
    });
    let found = move || discovery.get().flatten().and_then(Result::ok);
    let found_with = move |f: fn(&Discovery) -> Option<String>| found().as_ref().and_then(f);
    let region_value = move || {
        region.get().or_else(|| found_with(|d| d.info.project_name.clone().filter(|n| tenantscope_catalog::region_by_id(n).is_some())))
            .unwrap_or_else(|| "cn-north-4".into())
    };
    let project_value = move || project.get().or_else(|| found_with(|d| d.info.project_id.clone())).unwrap_or_default();
    let codearts_value = move || codearts.get().or_else(|| found_with(|d| d.codearts.first().map(|p| p.id.clone()))).unwrap_or_default();

    let look_up = move |raw: &str| {
        if let Ok(t) = Token::parse(raw) {
            if probe.with_untracked(|p| p.as_ref() != Some(&t)) {
                probe.set(Some(t));
            }
        }
    };
    let open = move |new_tab: bool| match Token::parse(&token.get_untracked()) {
        Err(e) => problem.set(Some(e.to_string())),
        Ok(t) => {
            problem.set(None);
            let gateway = Gateway { proxy: proxy.get_untracked().trim().to_string(), credentials: Credentials::IamToken(t) };
            let connection = Connection {
                gateway,
                region: region_value(),
                project_id: project_value(),
                codearts_project_id: codearts_value(),
            };
            on_open.run((connection, new_tab));
        }
    };
    let forget = move |_| {
        token.set(String::new());
        probe.set(None);
        for field in [region, project, codearts] {
            field.set(None);
        }
        problem.set(None);
        on_forget.run(());
    };
    let typed = |field: RwSignal<Option<String>>| move |ev| field.set(Some(event_target_value(&ev)));

    view! {
        <form class="session" autocomplete="off" on:submit=move |ev| { ev.prevent_default(); open(false) }>
            <label class="field field-token">
                <span>"IAM token"</span>
                <input type="password" name="token" id="token" spellcheck="false" autocomplete="off" placeholder="MII…"
                    prop:value=move || token.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        // More than one character at once is a paste.
                        let pasted = value.len() > token.with_untracked(String::len) + 1;
                        token.set(value.clone());
                        if pasted { look_up(&value) }
                    }
                    on:change=move |ev| look_up(&event_target_value(&ev)) />
            </label>
            <div class="field">
                <label for="region">"Region"</label>
                <select id="region" name="region" on:change=typed(region)>
                    {REGIONS.iter().map(|r| view! { <option value=r.id prop:selected=move || region_value() == r.id>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <label class="field">
                <span>"Project ID"</span>
                <input id="project-id" name="project-id" list="project-choices" placeholder="from the token"
                    prop:value=project_value on:input=typed(project) />
            </label>
            <label class="field">
                <span>"CodeArts project"</span>
                <input id="codearts-project" name="codearts-project" list="codearts-choices" placeholder="first one found"
                    prop:value=codearts_value on:input=typed(codearts) />
            </label>
            <datalist id="project-choices">
                {move || found().map(|d| d.projects.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view())}
            </datalist>
            <datalist id="codearts-choices">
                {move || found().map(|d| d.codearts.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view())}
            </datalist>
            <div class="actions">
                <button type="submit" class="primary">"Inspect"</button>
                <Show when=move || has_tabs.get()>
                    <button type="button" on:click=move |_| open(true)>"Inspect in new tab"</button>
                </Show>
                <button type="button" on:click=forget>"Forget token"</button>
            </div>
            <label class="check">
                <input type="checkbox" id="remember" prop:checked=move || remembering.get()
                    on:change=move |ev| remembering.set(event_target_checked(&ev)) />
                " Remember in this tab (kept in sessionStorage until the tab closes)"
            </label>
            <p class="discovery" role="status" aria-live="polite">
                {move || match discovery.get() {
                    None if probe.with(Option::is_some) => "Checking the token…".to_string(),
                    Some(Some(Ok(d))) => who(&d),
                    Some(Some(Err(e))) => format!("The token could not be looked up: {e}. {}", e.hint()),
                    _ => String::new(),
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
        (Some(u), Some(a)) => format!("Token of {u} in account {a}"),
        (Some(u), None) => format!("Token of {u}"),
        _ => "Token accepted".to_string(),
    };
    if let Some(p) = &i.project_name {
        line.push_str(&format!(", project {p}"));
    }
    line.push_str(". ");
    if let Some(at) = i.expires_at {
        line.push_str(&format::lifetime(at, now()).1);
    }
    line
}
