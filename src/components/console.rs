//! What a session shows once it is open: the session line, the overview,
//! the exports and one panel per service, with the loads they read.
//!
//! This is most of the app's code, and none of it is needed before a token
//! is inspected, so it is split out of the first page load: [`console`] is a
//! split point (scripts/build-wasm), fetched the first time it is called, or
//! earlier by [`preload_console`] when the token field is focused.
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use tenantscope_catalog::Service;

use crate::components::{ExportBar, Overview, ServiceLoad, ServicePanel};
use crate::domain::{Instant, Thresholds};
use crate::format;
use crate::session::{service_state, Context};

/// The console's code could not be fetched from the site (offline, or the
/// site was redeployed meanwhile). Calling [`console`] again retries.
#[derive(Debug, Clone, Copy)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> NotLoaded {
        NotLoaded
    }
}

/// The [`Console`] of an open session, from code loaded on first use.
/// `fallible`: a failed fetch is an `Err`, where the default would panic.
#[leptos::wasm_split::wasm_split(console, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_console))]
pub fn console(
    ctx: Context,
    clock: Signal<Instant>,
    minute: Signal<Instant>,
    thresholds: Signal<Thresholds>,
) -> Result<AnyView, NotLoaded> {
    Ok(view! { <Console ctx clock minute thresholds /> }.into_any())
}

/// Everything about one open session: who and where, how long the token
/// lives, the overview, exports and the five service panels. Each service
/// loads, refreshes and fails on its own.
#[component]
pub fn Console(
    /// The resolved session.
    ctx: Context,
    /// The page's clock, by the second (token countdown).
    clock: Signal<Instant>,
    /// The same clock by the minute (urgency, "updated N min ago").
    minute: Signal<Instant>,
    /// When an expiry counts as critical or as a warning.
    thresholds: Signal<Thresholds>,
) -> impl IntoView {
    let context = Signal::stored(Some(ctx.clone()));
    let loads = Service::PACKAGES.map(|service| {
        let progress = RwSignal::new(None);
        let ctx = ctx.clone();
        let data = LocalResource::new(move || {
            let ctx = ctx.clone();
            async move {
                let state = service_state(service, &ctx, move |p| progress.set(Some(p))).await;
                progress.set(None);
                state
            }
        });
        ServiceLoad { service, data, progress }
    });
    view! {
        <SessionLine ctx clock minute loads />
        <Overview loads thresholds minute />
        <ExportBar context loads thresholds />
        <div class="panels">
            {loads.into_iter().map(|load| view! {
                <ServicePanel load thresholds />
            }).collect_view()}
        </div>
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
