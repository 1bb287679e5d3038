use leptos::prelude::*;

use crate::components::{ErrorCard, Tenant};
use crate::domain::Instant;
use crate::format;
use crate::session::Context;

/// The open tenants as tabs, and for the open one: who and where it is,
/// the token's remaining life, when it was updated, and Refresh.
#[component]
pub fn TabBar(
    /// The open tenants, in tab order.
    tenants: Signal<Vec<Tenant>>,
    /// The index of the open tab.
    active: Signal<usize>,
    /// The page's clock, ticking every second (the token countdown).
    clock: Signal<Instant>,
    /// The clock to the minute ("updated N min ago").
    minute: Signal<Instant>,
    /// Called with the index of the tab to open.
    on_select: Callback<usize>,
    /// Called with the index of the tab to close.
    on_close: Callback<usize>,
) -> impl IntoView {
    let tabs = move || {
        tenants.get().into_iter().enumerate().map(|(i, t)| {
            let selected = move || active.get() == i;
            let label = {
                let t = t.clone();
                move || t.label()
            };
            let close_label = {
                let t = t.clone();
                move || format!("Close {}", t.label())
            };
            view! {
                <span class="tab" class:tab-active=selected>
                    <button type="button" role="tab" aria-selected=move || selected().to_string()
                        on:click=move |_| on_select.run(i)>{label}</button>
                    <button type="button" class="tab-close" aria-label=close_label title="Close this tab"
                        on:click=move |_| on_close.run(i)>"×"</button>
                </span>
            }
        }).collect_view()
    };
    let current = move || tenants.with(|list| list.get(active.get()).cloned());
    view! {
        <Show when=move || tenants.with(|l| !l.is_empty())
            fallback=|| view! { <p class="session-line" data-state="idle">"Paste a token and press Inspect."</p> }>
            <nav class="tabs" role="tablist" aria-label="Open tenants">{tabs}</nav>
        </Show>
        {move || current().map(|tenant| {
            let context = tenant.context;
            view! {
                <Transition fallback=|| view! { <p class="session-line" data-state="loading">"Checking the token…"</p> }>
                    {move || {
                        let tenant = tenant.clone();
                        Suspend::new(async move {
                            match context.await {
                                Ok(ctx) => session_line(ctx, tenant, clock, minute),
                                Err(error) => view! {
                                    <ErrorCard error title="The session could not start".to_string() service=None />
                                }.into_any(),
                            }
                        })
                    }}
                </Transition>
            }
        })}
    }
}

/// Who and where the session is, how long its token lives, and Refresh.
fn session_line(ctx: Context, tenant: Tenant, clock: Signal<Instant>, minute: Signal<Instant>) -> AnyView {
    let who = match (ctx.user, ctx.domain) {
        (Some(u), Some(d)) => format!("{u} @ {d} · "),
        (Some(u), None) => format!("{u} · "),
        _ => String::new(),
    };
    let region = tenantscope_catalog::region_by_id(&ctx.region).map(|r| r.label()).unwrap_or(ctx.region);
    let codearts = ctx.codearts_project_id.map(|c| format!(" · CodeArts project {c}")).unwrap_or_default();
    let expires_at = ctx.expires_at;
    let life = move || expires_at.map(|at| format::lifetime(at, clock.get()));
    let updated = {
        let tenant = tenant.clone();
        move || tenant.updated_at().map(|at| format::updated(minute.get().millis().max(at.millis()) - at.millis()))
    };
    view! {
        <div class="session-bar">
            <p class="session-line" data-state="ready">
                {who} {region} " · project " <code>{ctx.project_id}</code> {codearts}
            </p>
            <p class="token-life" data-state=move || life().map(|l| l.0)>{move || life().map(|l| l.1)}</p>
            <p class="updated muted">
                <span>{updated}</span> " "
                <button type="button" on:click=move |_| tenant.reload()>"Refresh"</button>
            </p>
        </div>
    }
    .into_any()
}
