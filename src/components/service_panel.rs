use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::components::ErrorCard;
use crate::preview::Row;
use crate::session::{load, Context, Loaded};

/// One service's packages: loads on its own, shows a skeleton while loading,
/// its own error card when it fails, and the raw answer in a drawer.
#[component]
pub fn ServicePanel(
    /// Which service this panel shows.
    service: Service,
    /// The resolved session, `None` before one is open.
    context: Signal<Option<Context>>,
) -> impl IntoView {
    let data = LocalResource::new(move || {
        let ctx = context.get();
        async move {
            match ctx {
                Some(ctx) if !service.offered_in(&ctx.region) => Ok(Panel::NotOffered(ctx.region)),
                Some(ctx) => load(service, &ctx).await.map(Panel::Loaded),
                None => Ok(Panel::Idle),
            }
        }
    });
    let title = service.title();
    view! {
        <section class="panel" data-service=service.key() aria-label=title>
            <h2>{title}</h2>
            <Transition fallback=|| view! { <Skeleton /> }>
                <ErrorBoundary fallback=move |errors| view! {
                    {move || errors.get().into_iter().next().map(|(_, e)| {
                        let error = e.downcast_ref::<ApiError>().cloned()
                            .unwrap_or_else(|| ApiError::Invalid { what: e.to_string() });
                        view! { <ErrorCard error title=title.to_string() /> }
                    })}
                }>
                    {move || Suspend::new(async move { data.await.map(panel_view) })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[derive(Clone)]
enum Panel {
    Idle,
    NotOffered(String),
    Loaded(Loaded),
}

fn panel_view(panel: Panel) -> AnyView {
    match panel {
        Panel::Idle => view! { <p class="muted" data-state="idle">"No session yet."</p> }.into_any(),
        Panel::NotOffered(region) => {
            view! { <p class="muted" data-state="not-offered">"Not offered in " {region} "."</p> }.into_any()
        }
        Panel::Loaded(Loaded { preview, response }) => {
            let count = match preview.total {
                Some(total) if total as usize > preview.rows.len() => {
                    format!("{} of {total} shown", preview.rows.len())
                }
                _ => format!("{} item(s)", preview.rows.len()),
            };
            let raw = serde_json::to_string_pretty(&response.body).unwrap_or_default();
            view! {
                <div data-state="ready">
                    <p class="count">{count}</p>
                    <ul class="rows">{preview.rows.into_iter().map(row_view).collect_view()}</ul>
                    <details class="raw">
                        <summary>"Raw JSON"</summary>
                        {response.request_id.map(|id| view! { <p class="muted">"Request ID " <code>{id}</code></p> })}
                        <pre>{raw}</pre>
                    </details>
                </div>
            }
            .into_any()
        }
    }
}

fn row_view(row: Row) -> impl IntoView {
    view! {
        <li class="row">
            <span class="row-name">{row.name}</span>
            <span class="row-status">{row.status}</span>
            <span class="row-usage">{row.usage}</span>
            <span class="row-expires">{(!row.expires.is_empty()).then(|| format!("expires {}", row.expires))}</span>
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
