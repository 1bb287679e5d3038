use leptos::prelude::*;

use crate::components::{ErrorCard, ServiceLoad};
use crate::domain::{Instant, Package, Thresholds};
use crate::format;
use crate::session::{Loaded, ServiceState};

/// One service's packages: shows a skeleton and the pages read while its
/// answer loads, its own error card when it fails, a note when some pages
/// could not be read, and the raw answers in a drawer.
#[component]
pub fn ServicePanel(
    /// The service's load, which fails and refreshes on its own.
    load: ServiceLoad,
) -> impl IntoView {
    let ServiceLoad { service, data, progress } = load;
    let title = service.title();
    view! {
        <section class="panel" data-service=service.key() aria-label=title>
            <div class="panel-head">
                <h2>{title}</h2>
                <span class="progress" role="status" aria-live="polite">{move || progress.get().map(format::progress)}</span>
            </div>
            // The failure is rendered here rather than thrown to an
            // <ErrorBoundary>: with Leptos 0.8.23 an `Err` from a `Suspend`
            // inside <Transition><ErrorBoundary> rendered nothing at all on
            // the first load (seen in tests/browser/paging.test.mjs; compare
            // leptos-rs/leptos#2957 and #3851).
            <Transition fallback=|| view! { <Skeleton /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(state) => state_view(state),
                        Err(error) => view! { <ErrorCard error title=title.to_string() service=Some(service) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn state_view(state: ServiceState) -> AnyView {
    match state {
        ServiceState::Idle => view! { <p class="muted" data-state="idle">"No session yet."</p> }.into_any(),
        ServiceState::NotOffered(region) => {
            view! { <p class="muted" data-state="not-offered">"Not offered in " {region} "."</p> }.into_any()
        }
        ServiceState::Loaded(Loaded { packages, total, answers, received_at, paging, .. }) => {
            let count = format::count(packages.len(), total);
            let note = paging.as_ref().and_then(|p| format::paging_note(p, packages.len(), total));
            let raw: Vec<(Option<String>, String)> = answers
                .iter()
                .map(|a| (a.request_id.clone(), format::pretty_json(&a.text)))
                .collect();
            view! {
                <div data-state="ready">
                    <p class="count">{count}</p>
                    {note.map(|note| view! { <p class="notice notice-warn" role="alert"><strong>"Incomplete: "</strong>{note}</p> })}
                    <ul class="rows">
                        {packages.into_iter().map(|p| package_row(p, received_at)).collect_view()}
                    </ul>
                    <details class="raw">
                        <summary>"Raw JSON"</summary>
                        {raw.into_iter().map(|(id, text)| view! {
                            {id.map(|id| view! { <p class="muted">"Request ID " <code>{id}</code></p> })}
                            <pre>{text}</pre>
                        }).collect_view()}
                    </details>
                </div>
            }
            .into_any()
        }
    }
}

fn package_row(p: Package, now: Instant) -> impl IntoView {
    let urgency = p.urgency(now, Thresholds::default());
    view! {
        <li class="row" data-urgency=urgency.key()>
            <span class="row-name">{format::name(&p)}</span>
            <span class="row-status">{format::status(p.status)}</span>
            <span class="row-usage">{format::usage(&p)}</span>
            <span class="row-expires">
                {format::expiry(p.expiry)}
                <span class=format!("urgency urgency-{}", urgency.key())>{format::urgency(urgency)}</span>
            </span>
        </li>
    }
}

/// Grey placeholder lines while a panel loads.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="skeleton" data-state="loading" aria-busy="true" aria-label="Loading">
            <span></span><span></span><span></span>
        </div>
    }
}
