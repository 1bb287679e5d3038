use leptos::prelude::*;
use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;

use crate::components::{clipboard, copy_clicked, drawn, ErrorCard, Fold, PackageTable, ServiceLoad};
use crate::domain::chart::usage_by_name;
use crate::domain::query::View;
use crate::domain::table::CARDS_UP_TO;
use crate::domain::{Package, Thresholds};
use crate::format;
use crate::i18n::{t, tf};
use crate::render;
use crate::services;
use crate::services::Loaded;
use crate::services::ServiceState;

/// One service's packages: a skeleton and the pages read while it loads,
/// its own error card when it fails, then its charts and the packages that
/// pass the filters, in the view's order: as cards when there are a few
/// (up to [`CARDS_UP_TO`]), else as a table drawn a window at a time; a
/// note when some pages could not be read, and the raw answers in a drawer.
#[component]
pub fn ServicePanel(
    /// The service's load, which fails and refreshes on its own.
    load: ServiceLoad,
    /// Search, filters and sort.
    view: Signal<View>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
    /// Whether the tab's calls are signed with access keys (for the hints).
    #[prop(optional)]
    signed: bool,
) -> impl IntoView {
    let ServiceLoad { service, data, progress } = load;
    let title = format::service(service);
    // What the panel's structure follows: the kind of state, not the
    // reading. A refresh, or billing's word laid over the packages, redraws
    // the reading's lines and packages, not the panel: a header sort, an
    // open card, the table's scroll, the raw drawer and the keyboard's place
    // stay.
    let shape = Memo::new(move |_| {
        data.try_with(|d| match d {
            None | Some(Ok(ServiceState::Waiting)) => Shape::Loading,
            Some(Ok(ServiceState::NotOffered(region))) => Shape::NotOffered(region.clone()),
            Some(Ok(ServiceState::Loaded(_))) => Shape::Loaded,
            Some(Err(e)) => Shape::Failed(e.clone()),
        })
        .unwrap_or(Shape::Loading)
    });
    // The packages as they stand, billing's word included.
    let packages = Memo::new_with_compare(
        move |_| {
            data.try_with(|d| match d {
                Some(Ok(ServiceState::Loaded(l))) => l.packages.clone(),
                _ => std::sync::Arc::from([]),
            })
            .unwrap_or_else(|| std::sync::Arc::from([]))
        },
        |a, b| !matches!((a, b), (Some(a), Some(b)) if std::sync::Arc::ptr_eq(a, b)),
    );
    view! {
        <section class="panel" data-service=service.key() aria-label=title tabindex="-1">
            <div class="panel-head">
                <h2>{title}</h2>
                <span class="progress" role="status" aria-live="polite">{move || progress.try_get().flatten().map(format::progress)}</span>
            </div>
            // The failure is rendered here rather than thrown to an
            // <ErrorBoundary>: with Leptos 0.8.23 an `Err` from a `Suspend`
            // inside <Transition><ErrorBoundary> rendered nothing at all on
            // the first load (seen in tests/browser/paging.test.mjs; compare
            // leptos-rs/leptos#2957 and #3851).
            {move || match shape.get() {
                Shape::Loading => view! { <Skeleton /> }.into_any(),
                Shape::NotOffered(region) => view! { <p class="muted" data-state="not-offered">{tf("Not offered in {0}.", &[&region])}</p> }.into_any(),
                Shape::Loaded => loaded_view(load, packages.into(), view, thresholds, signed),
                Shape::Failed(error) => view! { <ErrorCard error title=title.to_string() service=Some(service) signed /> }.into_any(),
            }}
        </section>
    }
}

/// What a panel's structure follows: the kind of its service's state.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Loading,
    NotOffered(String),
    Loaded,
    Failed(crate::api::ApiError),
}

fn loaded_view(load: ServiceLoad, packages: Signal<std::sync::Arc<[Package]>>, view: Signal<View>, thresholds: Signal<Thresholds>, signed: bool) -> AnyView {
    let service = load.service;
    // The reading's own lines, drawn from the reading in hand. Memos: what
    // is laid over the packages later (billing's word, the history's pace)
    // changes the reading but not these, which are then not worded again.
    let count = Memo::new(move |_| load.with_loaded(|l| format::count(l.packages.len(), l.total)).unwrap_or_default());
    let note = Memo::new(move |_| load.with_loaded(|l| l.paging.as_ref().and_then(|p| format::paging_note(p, l.packages.len(), l.total))).flatten());
    let note = move || note.get().map(|note| view! { <p class="notice notice-warn" role="alert"><strong>{t("Incomplete: ")}</strong>{note}</p> });
    // A refresh failed: these are the last good answers, with their age.
    let stale = Memo::new(move |_| {
        load.with_loaded(|l| {
            let (error, at) = (l.stale.as_ref()?, l.received_at);
            let line = tf("As of {0} {1}: the refresh failed: {2}", &[&format::local_date(at), &format::local_time(at), &format::error(error)]);
            Some((line, super::hint(error, Some(service), signed)))
        })
        .flatten()
    });
    let stale = move || {
        stale.get().map(|(line, hint)| view! { <p class="notice notice-warn" role="alert" data-state="stale"><strong>{t("Not up to date. ")}</strong>{line} " " {hint}</p> })
    };
    // What the service's own module has to say of this reading (HSS: the
    // default enterprise project only).
    let scope = Memo::new(move |_| load.with_loaded(|l| crate::format::notice(service, l)).flatten());
    let scope = move || scope.get().map(|line| view! { <p class="notice notice-warn" data-scope="default-only">{line}</p> });
    // When the reading was received (urgency is counted from it); kept
    // through the instant the panel is being put away.
    let at = Memo::new(move |last: Option<&crate::domain::Instant>| {
        load.with_loaded(|l| l.received_at).or(last.copied()).unwrap_or(crate::domain::Instant::from_millis(0))
    });
    // The answers as received, laid out only when the drawer is opened:
    // indenting a few hundred KiB of JSON on arrival would hold up the
    // panel's first draw (bench/network.mjs, render after the last answer).
    let raw_open = RwSignal::new(false);
    // By the reading, not billing's word laid over it.
    let answers = Memo::new_with_compare(
        move |_| load.with_loaded(|l| l.answers.clone()),
        |a, b| !matches!((a, b), (Some(Some(a)), Some(Some(b))) if std::sync::Arc::ptr_eq(a, b)),
    );
    let raw = move || {
        answers.try_get().flatten().map(|a| a.iter().map(|a| (a.request_id.clone(), format::pretty_json(&a.text))).collect::<Vec<_>>()).unwrap_or_default()
    };
    // The indices of the packages that pass the filters, in the view's
    // order (soonest expiry first unless another sort is picked).
    let selected = Memo::new(move |_| {
        let t = thresholds.get();
        let at = at.get();
        view.with(|v| packages.with(|p| v.select(p, format::name, at, t)))
    });
    // A few are cards; more, the table. A memo, so that typing a search
    // redraws the table's rows, not the table.
    let as_table = Memo::new(move |_| selected.with(Vec::len) > CARDS_UP_TO);
    // The `try_` reads: when the view is switched away (another tab, or new
    // data), these closures can run once more after what they read has been
    // disposed of; they then draw nothing rather than panic.
    let cards = move || {
        let (t, at) = (thresholds.get(), at.try_get().unwrap_or(crate::domain::Instant::from_millis(0)));
        selected.try_with(|s| packages.try_with(|p| render::cards(p, s, at, t))).flatten().unwrap_or_default()
    };
    // The table's header sort, kept here so that it outlives the table
    // when a filter leaves only cards.
    let sort = RwSignal::new(None);
    // The charts follow the filters: drawn from the packages that pass them.
    // By index: a keystroke copies no package. Unfiltered, the service's
    // own tenant-wide figures may be used.
    let charts = Memo::new(move |_| {
        let (filtered, at) = (view.with(View::is_filtered), at.get());
        selected.with(|s| {
            packages.with(|p| {
                if filtered {
                    charts(service, p, s, None, true, at)
                } else {
                    let complete = |l: &Loaded| l.paging.as_ref().is_none_or(|p| p.failures.is_empty());
                    load.with_loaded(|l| charts(service, p, s, l.facts.as_ref(), complete(l), at)).unwrap_or_default()
                }
            })
        })
    });
    let shown_line = move || {
        let (matching, filtered) = (selected.try_with(Vec::len).unwrap_or(0), view.try_with(View::is_filtered).unwrap_or(false));
        match (matching, filtered) {
            (0, true) => t("No package matches the filters.").to_string(),
            (0, false) => t("This service reports no packages.").to_string(),
            (n, true) => tf("{0} match the filters.", &[&n]),
            _ => String::new(),
        }
    };
    // A panel the filters empty collapses to its name and that line.
    let emptied = move || (selected.try_with(Vec::is_empty).unwrap_or(false) && view.try_with(View::is_filtered).unwrap_or(false)).then_some("");
    view! {
        <div data-state="ready" data-emptied=emptied>
            <p class="count">{count}</p>
            {stale}
            {scope}
            {note}
            <div class="charts" inner_html=move || charts.get()></div>
            {render::service_drawer(service).map(|(summary, draw)| {
                let body = Signal::derive(move || selected.try_with(|s| packages.try_with(|p| draw(p, s))).flatten().unwrap_or_default());
                view! { <Fold class="groups-drawer" summary=Signal::stored(summary.to_string()) body /> }
            })}
            <p class="muted shown" aria-live="polite">{shown_line}</p>
            <Show when=move || as_table.try_get().unwrap_or(false)
                fallback=move || view! { <ul class="cards" use:drawn=Signal::derive(cards) on:click=copy_clicked></ul> }>
                <PackageTable service packages selected view sort at=at.into() thresholds />
            </Show>
            <details class="raw" on:toggle=move |ev| {
                let open = ev.target().and_then(|d| js_sys::Reflect::get(&d, &"open".into()).ok()).and_then(|o| o.as_bool());
                raw_open.set(open.unwrap_or(false));
            }>
                <summary>{t("Raw JSON")}</summary>
                {move || raw_open.get().then(|| raw().into_iter().map(|(id, text)| {
                    let copy = text.clone();
                    view! {
                        <p class="muted">
                            {id.map(|id| view! { {t("Request ID")} " " <code>{id}</code> " " })}
                            <button type="button" class="link" on:click=move |ev| {
                                clipboard(&copy);
                                if let Some(b) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                                    b.set_text_content(Some(t("Copied")));
                                }
                            }>{t("Copy JSON")}</button>
                        </p>
                        <pre>{text}</pre>
                    }
                }).collect_view())}
            </details>
        </div>
    }
    .into_any()
}

/// The service's charts, each with its table: those particular to a
/// service come from its module (HSS's quota charts), the others show usage
/// against amount where the service gives figures.
fn charts(service: Service, packages: &[Package], shown: &[usize], facts: Option<&services::Facts>, complete: bool, at: crate::domain::Instant) -> String {
    if let Some(own) = crate::render::service_charts(service, packages, shown, facts, complete) {
        return own;
    }
    let mut html = String::new();
    // One gauge per name and unit, labelled readably, with its unit: each
    // on its own scale, so that a small quota reads as well as a large one.
    let rows: Vec<render::Gauge> = usage_by_name(shown.iter().filter_map(|&i| packages.get(i)), at)
        .into_iter()
        .map(|(code, unit, [used, left])| {
            let name = format::code_label(service, &code).unwrap_or(code);
            // Figures without a unit say so, here once for the panel,
            // rather than leave a reader to guess users, minutes or runs.
            let label = match unit {
                Some(u) => format!("{name} ({})", format::unit(&u, None)),
                None => format!("{name} {}", t("(the service names no unit)")),
            };
            let whole = used.saturating_add(left);
            let share = if whole == 0 { 0 } else { (u128::from(used) * 100 + u128::from(whole) / 2) / u128::from(whole) };
            let figures = tf("{0} used, {1} left ({2}%)", &[&format::amount(used as f64), &format::amount(left as f64), &share]);
            render::Gauge { label, values: vec![used, left], figures }
        })
        .collect();
    if !rows.is_empty() {
        let title = if service == Service::Metastudio { t("Usage by resource type") } else { t("Usage against total") };
        html.push_str(&render::gauges(title, &[(t("Used"), "s-used"), (t("Left"), "s-left")], &rows));
    }
    html
}

/// Grey placeholder lines while a panel loads.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="skeleton" data-state="loading" aria-busy="true" aria-label=t("Loading")>
            <span></span><span></span><span></span>
        </div>
    }
}
