use leptos::prelude::*;
use tenantscope_catalog::REGIONS;

use crate::api::{Credentials, Gateway, Token};
use crate::components::console::preload_console;
use crate::session::{Connection, Context};
use crate::settings::{self, Settings};

/// The session form: IAM token, region, project IDs and proxy URL. Inspect
/// checks the token and hands a [`Connection`] up; so does pasting a token,
/// and what the session then learns from IAM (region, project, CodeArts
/// project) fills the fields it left empty. They stay editable: what is
/// typed wins. Forget clears the token. The token lives only in this
/// component's memory.
#[component]
pub fn SessionForm(
    /// The open session, once resolved: fills what was left empty.
    context: Signal<Option<Context>>,
    /// Called with the connection to open.
    on_inspect: Callback<Connection>,
    /// Called when the token is forgotten.
    on_forget: Callback<()>,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    // What was typed by hand; `None` shows what the session found.
    let region = RwSignal::new(None::<String>);
    let project_id = RwSignal::new(None::<String>);
    let codearts = RwSignal::new(None::<String>);
    // Only what was found for the token in the field counts.
    let found = move |f: fn(Context) -> Option<String>| {
        let current = Token::parse(&token.get()).ok().map(Credentials::IamToken);
        context.get().filter(|c| Some(&c.gateway.credentials) == current.as_ref()).and_then(f)
    };
    let region_value = move || region.get().or_else(|| found(|c| Some(c.region))).unwrap_or_else(|| "cn-north-4".into());
    let project_value = move || project_id.get().or_else(|| found(|c| Some(c.project_id))).unwrap_or_default();
    let codearts_value = move || codearts.get().or_else(|| found(|c| c.codearts_project_id)).unwrap_or_default();
    let proxy = RwSignal::new(Settings::load().proxy);
    let problem = RwSignal::new(None::<String>);

    let inspect = move || {
        match Token::parse(&token.get_untracked()) {
            Err(e) => problem.set(Some(e.to_string())),
            Ok(t) => {
                let proxy_url = match settings::proxy_url(&proxy.get_untracked()) {
                    Ok(url) => url,
                    Err(e) => return problem.set(Some(e.to_string())),
                };
                problem.set(None);
                Settings { proxy: proxy_url.clone(), ..Settings::load() }.save();
                on_inspect.run(Connection {
                    gateway: Gateway { proxy: proxy_url, credentials: Credentials::IamToken(t) },
                    region: region_value(),
                    project_id: project_value(),
                    codearts_project_id: codearts_value(),
                });
            }
        }
    };
    let typed = |field: RwSignal<Option<String>>| move |ev| field.set(Some(event_target_value(&ev)));
    let forget = move |_| {
        token.set(String::new());
        for field in [region, project_id, codearts] {
            field.set(None);
        }
        problem.set(None);
        on_forget.run(());
    };

    view! {
        <form class="session" on:submit=move |ev| { ev.prevent_default(); inspect() } autocomplete="off">
            <label class="field field-token">
                <span>"IAM token"</span>
                <input type="password" name="token" id="token" spellcheck="false" autocomplete="off" placeholder="MII…"
                    // The console's code is fetched while the token is
                    // being pasted; a failure shows when it is needed.
                    on:focus=|_| leptos::task::spawn_local(async { let _ = preload_console().await; })
                    prop:value=move || token.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        // More than one character at once is a paste: look
                        // the token up at once.
                        let pasted = value.len() > token.with_untracked(String::len) + 1;
                        token.set(value);
                        if pasted && Token::parse(&token.get_untracked()).is_ok() {
                            inspect();
                        }
                    } />
            </label>
            // Labelled by `for`: a label around a select would name it with
            // every option's text too.
            <div class="field">
                <label for="region">"Region"</label>
                <select id="region" name="region" on:change=typed(region)>
                    {REGIONS.iter().map(|r| view! {
                        <option value=r.id prop:selected=move || region_value() == r.id>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="field">
                <span>"Project ID"</span>
                <input id="project-id" name="project-id" placeholder="from the token" prop:value=project_value
                    on:input=typed(project_id) />
            </label>
            <label class="field">
                <span>"CodeArts project"</span>
                <input id="codearts-project" name="codearts-project" placeholder="first one found" prop:value=codearts_value
                    on:input=typed(codearts) />
            </label>
            <label class="field">
                <span>"Proxy URL"</span>
                <input id="proxy" name="proxy" bind:value=proxy />
            </label>
            <div class="actions">
                <button type="submit" class="primary">"Inspect"</button>
                <button type="button" on:click=forget>"Forget token"</button>
            </div>
            {move || problem.get().map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
        </form>
    }
}
