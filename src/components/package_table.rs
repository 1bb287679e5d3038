//! A service's packages as a dense, sortable, windowed table.

use leptos::prelude::*;
use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::components::{copy_clicked, drawn};
use crate::domain::query::{Sort, View};
use crate::domain::table::{self, Column, OwnerNames, Place, TableSort};
use crate::domain::{Instant, Package, Thresholds};
use crate::format;
use crate::i18n::t;
use crate::render::{self, Columns};

/// Rows drawn beyond those in sight, above and below, once the box has
/// scrolled.
const MARGIN: usize = 12;
/// Before then: a few. The first draw comes with the dashboard's last
/// answers, and every row drawn then holds the finished dashboard up
/// (bench/network.mjs).
const FIRST_MARGIN: usize = 3;

/// What the page says of the scroll box, in pixels (read from it).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Metrics {
    top: f64,
    height: f64,
    row: f64,
    header: f64,
}

/// Before anything is measured: the CSS's 2.25rem rows at 16 px.
const GUESS: Metrics = Metrics { top: 0.0, height: 512.0, row: 36.0, header: 36.0 };

/// One service's packages in a table: name, host or type, used / total with
/// a meter, expiry with its zone, days left in its urgency's colour, and
/// the ID. Only the rows in sight are in the page, so thousands scroll
/// smoothly. The headers sort (and again for the other way); until one is
/// clicked the rows keep the view's order. The table is one tab stop: the
/// arrow keys, Page Up/Down, Home and End move along the rows, Enter opens
/// the row's card beneath (with its Copy ID and Renew), Escape closes it.
#[component]
pub fn PackageTable(
    /// Whose packages.
    service: Service,
    /// Every package the service reported.
    /// A signal: billing's word arrives after the services' and is laid
    /// over the same packages, which redraws the rows, not the table.
    packages: Signal<std::sync::Arc<[Package]>>,
    /// The indices of those that pass the filters, in the view's order.
    selected: Memo<Vec<usize>>,
    /// The view (its sort: a header's sort holds while the view's does).
    view: Signal<View>,
    /// The header sort, with the view sort it was picked under; kept by the
    /// panel, so that it outlives the table when a filter leaves only cards.
    sort: RwSignal<Option<(Sort, TableSort)>>,
    /// When the answer was received (urgency is counted from it).
    at: Signal<Instant>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
    /// Under "All tenants": each package's tab, shown in a first column.
    #[prop(optional)]
    owners: Option<Signal<OwnerNames>>,
) -> impl IntoView {
    let place = Memo::new(move |_| packages.with(|p| Place::of(p)));
    // HSS always; the others once billing knows one of their packages.
    let billing = Memo::new(move |_| service == Service::Hss || packages.with(|p| p.iter().any(|p| p.billed.is_some_and(|b| b.known()))));
    let tenant = owners.is_some();
    let with_owners = move |f: &dyn Fn(Option<&OwnerNames>) -> Vec<usize>| match owners {
        Some(o) => o.with(|o| f(Some(o))),
        None => f(None),
    };
    // A header's sort, while the view's sort is still the one it was picked
    // under (picking another in the filters takes over).
    let by_header = Memo::new(move |_| sort.get().filter(|(s, _)| view.with(|v| v.sort == *s)).map(|(_, h)| h));
    let order = Memo::new(move |_| {
        let s = selected.get();
        match by_header.get() {
            None => s,
            Some(h) => {
                let (t, at) = (thresholds.get(), at.get());
                packages.with(|p| with_owners(&|o| table::sort(p, &s, h, format::name, o, at, t)))
            }
        }
    });
    let metrics = RwSignal::new(GUESS);
    // Not on a focus or a click: the rows drawn anew under the pointer
    // would lose the click.
    let scrolled = RwSignal::new(false);
    let row_px = Memo::new(move |_| metrics.get().row);
    // The rows in sight (a list that shrank under the scroll position is
    // seen from its end, as the browser will clamp it).
    let range = Memo::new(move |_| {
        let m = metrics.get();
        let len = order.with(Vec::len);
        let top = m.top.min((len as f64 * m.row + m.header - m.height).max(0.0));
        table::window(top, m.height, m.row, len, if scrolled.get() { MARGIN } else { FIRST_MARGIN })
    });
    // The row the keyboard is on (a position in `order`), and the package
    // whose card is open beneath: its index and its ID, as a new reading
    // may hold the packages otherwise (and an ID may stand for several: a
    // MetaStudio package's parts, one resource in two accounts).
    let active = RwSignal::new(0usize);
    let open = RwSignal::new(None::<(usize, String)>);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        let Some(el) = scroller.get_untracked() else { return };
        let row = el.query_selector("tr.row").ok().flatten().and_then(|r| r.dyn_into::<HtmlElement>().ok()).map(|r| r.offset_height() as f64);
        let header = el.query_selector("thead").ok().flatten().and_then(|r| r.dyn_into::<HtmlElement>().ok()).map(|r| r.offset_height() as f64);
        let next = Metrics {
            top: el.scroll_top() as f64,
            height: el.client_height() as f64,
            row: row.filter(|r| *r >= 1.0).unwrap_or(GUESS.row),
            header: header.unwrap_or(GUESS.header),
        };
        if metrics.get_untracked() != next {
            metrics.set(next);
        }
    };
    let body = move || {
        let (r, a, px, t, at) = (range.try_get()?, active.try_get()?, row_px.try_get()?, thresholds.try_get()?, at.try_get()?);
        let columns = Columns { tenant, place: place.try_get()?, billing: billing.try_get()?, prefix: service.key() };
        let draw = |owned: Option<&OwnerNames>| order.try_with(|o| packages.try_with(|p| render::rows(p, owned, o, r, px, a, columns, at, t))).flatten();
        match owners {
            Some(owners) => owners.try_with(|o| draw(Some(o))).flatten(),
            None => draw(None),
        }
    };
    let toggle = move |pos: usize| {
        if let Some(picked) = order.with_untracked(|o| o.get(pos).and_then(|&i| packages.with_untracked(|p| p.get(i).map(|p| (i, p.id.clone()))))) {
            open.update(|o| *o = if o.as_ref() == Some(&picked) { None } else { Some(picked) });
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Keys on the table itself: a header's button keeps its own.
        if ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_none_or(|e| e.tag_name() != "TABLE") {
            return;
        }
        let len = order.with_untracked(Vec::len);
        if len == 0 {
            return;
        }
        // Measured on a key, not on focus: a click focuses the table first,
        // and rows drawn anew between its press and its release would lose
        // it.
        measure();
        let m = metrics.get_untracked();
        let page = ((m.height - m.header) / m.row).floor().max(1.0) as usize;
        let now = active.get_untracked().min(len - 1);
        let next = match ev.key().as_str() {
            "ArrowDown" => (now + 1).min(len - 1),
            "ArrowUp" => now.saturating_sub(1),
            "PageDown" => (now + page).min(len - 1),
            "PageUp" => now.saturating_sub(page),
            "Home" => 0,
            "End" => len - 1,
            "Enter" | " " => {
                ev.prevent_default();
                toggle(now);
                return;
            }
            "Escape" => {
                open.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        active.set(next);
        if let Some(el) = scroller.get_untracked() {
            let top = table::scroll_to(next, el.scroll_top() as f64, el.client_height() as f64, m.row, m.header);
            el.set_scroll_top(top.round() as i32);
            measure();
        }
    };
    // A click on a row puts the keyboard there and opens its card; on its
    // Copy button, copies the ID.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        if target.has_attribute("data-copy") {
            copy_clicked(ev);
            return;
        }
        let Some(row) = target.closest("tr.row").ok().flatten() else { return };
        if let Some(pos) = row.get_attribute("aria-rowindex").and_then(|r| r.parse::<usize>().ok()).and_then(|r| r.checked_sub(2)) {
            active.set(pos);
            toggle(pos);
        }
    };
    let current = move || order.try_with(|o| o.get(active.try_get().unwrap_or(0)).map(|i| format!("row-{}-{i}", service.key()))).flatten();
    let rows = move || order.try_with(Vec::len).unwrap_or(0) + 1;
    // A sortable header: its order in words for assistive technology, and
    // an arrow beside it for the eye.
    let header = move |column: Column, label: &'static str| {
        let state = move || {
            let h = by_header.try_get().flatten();
            let own = match h {
                Some(h) => (h.column == column).then_some(h.descending),
                None => match (view.try_with(|v| v.sort).unwrap_or_default(), column) {
                    (Sort::Expiry, Column::Expiry) | (Sort::Name, Column::Name) => Some(false),
                    (Sort::Usage, Column::Usage) => Some(true),
                    _ => None,
                },
            };
            match own {
                Some(true) => ("descending", "▼"),
                Some(false) => ("ascending", "▲"),
                None => ("none", ""),
            }
        };
        view! {
            <th scope="col" class=format!("c-{}", column.key()) aria-sort=move || state().0>
                <button type="button" class="sort" on:click=move |_| {
                    let picked = TableSort::toggled(by_header.get_untracked(), column);
                    sort.set(Some((view.with_untracked(|v| v.sort), picked)));
                }>
                    {label}
                    <span class="sort-mark" aria-hidden="true">{move || state().1}</span>
                </button>
            </th>
        }
    };
    let place_header = move || {
        place.try_get().flatten().map(|p| match p {
            Place::Host => header(Column::Place, t("Host")),
            Place::Category => header(Column::Place, t("Type")),
        })
    };
    // The open row's card: one element while a card is open, drawn anew
    // (keeping the focus on its Copy ID) as billing's word arrives.
    let card = Memo::new(move |_| {
        let (at, t) = (at.get(), thresholds.get());
        open.with(|open| {
            let (i, id) = open.as_ref()?;
            packages.with(|p| {
                // Where it was, else the first shown of that ID.
                let i = Some(*i)
                    .filter(|&i| p.get(i).is_some_and(|p| p.id == *id))
                    .or_else(|| order.with(|o| o.iter().copied().find(|&i| p.get(i).is_some_and(|p| p.id == *id))))?;
                order.with(|o| o.contains(&i)).then(|| render::card(&p[i], at, t))
            })
        })
    });
    let card_html = Signal::derive(move || card.try_get().flatten().unwrap_or_default());
    view! {
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| {
            if !scrolled.get_untracked() {
                scrolled.set(true);
            }
            measure()
        }>
            <table class="rows" role="grid" tabindex="0" aria-rowcount=rows aria-activedescendant=current
                aria-label=format::service(service) on:keydown=on_key on:click=on_click>
                <thead>
                    <tr aria-rowindex="1">
                        {owners.is_some().then(|| header(Column::Tenant, t("Tenant")))}
                        {owners.is_some().then(|| header(Column::Region, t("Region")))}
                        {header(Column::Name, t("Name"))}
                        {place_header}
                        {header(Column::Usage, t("Usage"))}
                        {header(Column::Expiry, t("Expires"))}
                        <th scope="col" class="c-days">{t("Days left")}</th>
                        {move || billing.get().then(|| view! { <th scope="col" class="c-billing">{t("Billing")}</th> })}
                        {header(Column::Id, t("ID"))}
                    </tr>
                </thead>
                <tbody inner_html=body></tbody>
            </table>
        </div>
        <p class="muted table-keys">{t("In the table: arrow keys move, Enter opens the package's card.")}</p>
        <div aria-live="polite">
            <Show when=move || card.try_with(Option::is_some).unwrap_or(false)>
                <ul class="cards row-detail" use:drawn=card_html on:click=copy_clicked></ul>
            </Show>
        </div>
    }
}
