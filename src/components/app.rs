use leptos::prelude::*;

use crate::components::console::{console, NotLoaded};
use crate::components::{ErrorCard, SessionForm};
use crate::domain::Instant;
use crate::session::{now, resolve, Connection, Context};
use crate::settings::Settings;

/// The page: the session form, and once a token is inspected, what it turned
/// out to be and the [`Console`](crate::components::console::Console) of the
/// session (loaded on first use, see [`crate::components::console`]).
#[component]
pub fn App() -> impl IntoView {
    // The submitted connection; `None` before Inspect and after Forget.
    let connection = RwSignal::new(None::<Connection>);
    let resolved = LocalResource::new(move || {
        let connection = connection.get();
        async move {
            match connection {
                Some(c) => Some(resolve(c).await),
                None => None,
            }
        }
    });
    let context: Signal<Option<Context>> =
        Signal::derive(move || resolved.get().flatten().and_then(Result::ok));
    // A paste opens the session at once, so Inspect often repeats it (with
    // the IDs the session found, now shown in the form): a session that is
    // open and serves the connection is kept (Refresh reloads it); one that
    // failed, is still resolving or differs is opened anew.
    let open = move |c: Connection| {
        let kept = resolved.with_untracked(|r| matches!(r, Some(Some(Ok(ctx))) if ctx.serves(&c)));
        if !kept {
            connection.set(Some(c));
        }
    };
    // One clock for the page (the token countdown); what only changes by
    // the minute (urgency in the overview) follows a memo of it.
    let clock = RwSignal::new(now());
    let minute = Memo::new(move |_| Instant::from_millis(clock.get().millis() / 60_000 * 60_000));
    let _ = set_interval_with_handle(move || clock.set(now()), std::time::Duration::from_secs(1));
    let thresholds = Signal::stored(Settings::load().thresholds);

    view! {
        <header class="topbar">
            <h1>"tenantscope"</h1>
            <p class="tagline">"Packages, quotas and expiry dates of a Huawei Cloud tenant"</p>
        </header>
        <main>
            <SessionForm context on_inspect=Callback::new(open)
                on_forget=Callback::new(move |()| connection.set(None)) />
            <Transition fallback=|| view! { <p class="session-line" data-state="loading">"Checking the token…"</p> }>
                {move || Suspend::new(async move {
                    match resolved.await {
                        None => view! { <p class="session-line" data-state="idle">"Paste a token and press Inspect."</p> }.into_any(),
                        Some(Ok(ctx)) => match console(ctx, clock.into(), minute.into(), thresholds).await {
                            Ok(view) => view,
                            Err(NotLoaded) => view! {
                                <div class="error-card" role="alert" data-state="error">
                                    <p class="error-title"><span class="badge badge-bad">"Error"</span> " The console could not be loaded"</p>
                                    <p class="error-hint">"Its code is fetched from this site on first use, and that failed. Check the network connection and try again."</p>
                                    <p><button type="button" on:click=move |_| resolved.refetch()>"Try again"</button></p>
                                </div>
                            }.into_any(),
                        },
                        Some(Err(error)) => view! { <ErrorCard error title="The session could not start".to_string() service=None /> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

