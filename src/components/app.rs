use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::components::{ErrorCard, ExportBar, Overview, ServiceLoad, ServicePanel, SessionForm};
use crate::domain::Instant;
use crate::format;
use crate::session::{now, resolve, service_state, Connection, Context};
use crate::settings::Settings;

/// The whole console: the session form, what the token turned out to be, and
/// one panel per service. Each panel loads and fails on its own.
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
    // Each service loads, refreshes and fails on its own. The loads live
    // here, above the panels, so that views across services can read them.
    let loads = Service::PACKAGES.map(|service| {
        let progress = RwSignal::new(None);
        let data = LocalResource::new(move || {
            let ctx = context.get();
            async move {
                let state = service_state(service, ctx, move |p| progress.set(Some(p))).await;
                progress.set(None);
                state
            }
        });
        ServiceLoad { service, data, progress }
    });

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
            <SessionForm context on_inspect=Callback::new(move |c| connection.set(Some(c)))
                on_forget=Callback::new(move |()| connection.set(None)) />
            <Transition fallback=|| view! { <p class="session-line" data-state="loading">"Checking the token…"</p> }>
                {move || Suspend::new(async move {
                    match resolved.await {
                        None => view! { <p class="session-line" data-state="idle">"Paste a token and press Inspect."</p> }.into_any(),
                        Some(Ok(ctx)) => view! { <SessionLine ctx clock=clock.into() minute=minute.into() loads /> }.into_any(),
                        Some(Err(error)) => view! { <ErrorCard error title="The session could not start".to_string() service=None /> }.into_any(),
                    }
                })}
            </Transition>
            <Overview loads thresholds minute=minute.into() />
            <ExportBar context loads thresholds />
            <div class="panels">
                {loads.into_iter().map(|load| view! {
                    <ServicePanel load thresholds />
                }).collect_view()}
            </div>
        </main>
    }
}

/// Who and where the session is, how long its token still lives, how old
/// the answers are, and Refresh.
#[component]
fn SessionLine(ctx: Context, clock: Signal<Instant>, minute: Signal<Instant>, loads: [ServiceLoad; 5]) -> impl IntoView {
    // When the oldest of the answers shown was received.
    let updated = move || {
        let at = loads.iter().filter_map(|l| l.with_packages(|_, at| at)).min()?;
        Some(format::updated(minute.get().millis().max(at.millis()) - at.millis()))
    };
    let refresh = move |_| loads.iter().for_each(|l| l.data.refetch());
    let expires_at = ctx.expires_at;
    let life = move || expires_at.map(|at| format::lifetime(at, clock.get()));
    let who = match (ctx.user, ctx.domain) {
        (Some(u), Some(d)) => format!("{u} @ {d} · "),
        (Some(u), None) => format!("{u} · "),
        _ => String::new(),
    };
    let region = tenantscope_catalog::region_by_id(&ctx.region).map(|r| r.label()).unwrap_or(ctx.region);
    let codearts = ctx.codearts_project_id.map(|c| format!(" · CodeArts project {c}")).unwrap_or_default();
    view! {
        <p class="session-line" data-state="ready">
            {who} {region} " · project " <code>{ctx.project_id}</code> {codearts}
        </p>
        <p class="token-life" data-state=move || life().map(|l| l.0)>{move || life().map(|l| l.1)}</p>
        <p class="updated muted">{updated} " " <button type="button" on:click=refresh>"Refresh"</button></p>
    }
}
