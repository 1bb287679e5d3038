use leptos::prelude::*;
use tenantscope_catalog::REGIONS;

use crate::api::{Credentials, Gateway, Token};
use crate::session::Connection;
use crate::settings::Settings;

/// The session form: IAM token, region, project IDs and proxy URL. Inspect
/// checks the token and hands a [`Connection`] up; Forget clears the token.
/// The token lives only in this component's memory.
#[component]
pub fn SessionForm(
    /// Called with the connection to open.
    on_inspect: Callback<Connection>,
    /// Called when the token is forgotten.
    on_forget: Callback<()>,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    let region = RwSignal::new("cn-north-4".to_string());
    let project_id = RwSignal::new(String::new());
    let codearts = RwSignal::new(String::new());
    let proxy = RwSignal::new(Settings::load().proxy);
    let problem = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Token::parse(&token.get_untracked()) {
            Err(e) => problem.set(Some(e.to_string())),
            Ok(t) => {
                problem.set(None);
                let proxy_url = proxy.get_untracked().trim().to_string();
                Settings { proxy: proxy_url.clone(), ..Settings::load() }.save();
                on_inspect.run(Connection {
                    gateway: Gateway { proxy: proxy_url, credentials: Credentials::IamToken(t) },
                    region: region.get_untracked(),
                    project_id: project_id.get_untracked(),
                    codearts_project_id: codearts.get_untracked(),
                });
            }
        }
    };
    let forget = move |_| {
        token.set(String::new());
        problem.set(None);
        on_forget.run(());
    };

    view! {
        <form class="session" on:submit=submit autocomplete="off">
            <label class="field field-token">
                <span>"IAM token"</span>
                <input type="password" name="token" id="token" spellcheck="false" autocomplete="off"
                    placeholder="MII…" bind:value=token />
            </label>
            <label class="field">
                <span>"Region"</span>
                <select id="region" name="region" prop:value=move || region.get()
                    on:change=move |ev| region.set(event_target_value(&ev))>
                    {REGIONS.iter().map(|r| view! { <option value=r.id>{r.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Project ID"</span>
                <input id="project-id" name="project-id" placeholder="from the token" bind:value=project_id />
            </label>
            <label class="field">
                <span>"CodeArts project"</span>
                <input id="codearts-project" name="codearts-project" placeholder="first one found" bind:value=codearts />
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
