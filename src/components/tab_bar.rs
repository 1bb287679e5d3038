use leptos::prelude::*;

use crate::components::{tr, Shared, TabLoad};
use crate::i18n::{t, tf};

/// The open tabs, one per connection: pick one to see it, close it to drop
/// its token and everything it loaded; and first, "All tenants", whose
/// overview spans every tab. Hidden while only one is open.
#[component]
pub fn TabBar(
    /// The tabs and the view (which tab is open).
    shared: Shared,
    /// The tabs' loads, in tab order (for their names).
    tenants: Signal<Vec<TabLoad>>,
) -> impl IntoView {
    let Shared { tabs, view, lang, .. } = shared;
    let close = move |index: usize| {
        tabs.update(|list| {
            if index < list.len() {
                list.remove(index);
            }
        });
        // The keyboard's place: the tab that takes the closed one's place
        // (or the one before it), once drawn.
        let next = tabs.with_untracked(|l| l.get(index).or(l.last()).map(|t| format!("tab-{}", t.id)));
        if let Some(next) = next {
            request_animation_frame(move || {
                if let Some(e) = document().get_element_by_id(&next).and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
                    let _ = e.focus();
                }
            });
        }
        // The tabs after the closed one move one place left, the open one
        // too; closing the open one opens the one that takes its place (or
        // the one before, at the end), where the focus goes.
        let len = tabs.with_untracked(Vec::len);
        view.update(|v| {
            if v.tab > index {
                v.tab -= 1;
            }
            v.tab = v.tab.min(len.saturating_sub(1));
            // The tenant filter follows its tab, and goes with it.
            v.tenant = match v.tenant {
                Some(t) if t == index => None,
                Some(t) if t > index => Some(t - 1),
                other => other,
            };
        });
    };
    let entries = move || {
        lang.get();
        let all = shared.all_tenants();
        let active = if all { usize::MAX } else { shared.active_index() };
        tabs.get()
            .into_iter()
            .enumerate()
            .map(|(i, tab)| {
                let id = tab.id;
                // Who and where once the session is known; until then what
                // was asked for.
                // Numbered: two tabs may be the same account.
                let region = tab.connection.region;
                let label = move || {
                    let known = tenants.try_with(|t| t.iter().find(|t| t.id == id).and_then(|tenant| distinct_label(tenant, t))).flatten();
                    format!("{}. {}", i + 1, known.unwrap_or_else(|| tf("{0} (opening…)", &[&region])))
                };
                let selected = i == active;
                view! {
                    <span class="tab" class:tab-active=selected>
                        // Delete closes the focused tab: a tab list may hold
                        // tabs only (WAI-ARIA; axe's aria-required-children),
                        // so the × beside it is for the mouse and out of the
                        // keyboard's and screen readers' way.
                        <button type="button" role="tab" aria-selected=selected.to_string() id=format!("tab-{id}")
                            aria-keyshortcuts="Delete" aria-description=t("Delete closes this tab")
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Delete" && !ev.repeat() { ev.prevent_default(); close(i) }
                            on:click=move |_| view.update(|v| {
                                v.tab = i;
                                v.all_tenants = false;
                            })>{label.clone()}</button>
                        <button type="button" class="tab-close" tabindex="-1" aria-hidden="true"
                            title=move || tf("Close {0}", &[&label()]) on:click=move |_| close(i)>"×"</button>
                    </span>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || tabs.with(|l| l.len() > 1)>
            <nav class="tabs" role="tablist" aria-label=tr(lang, "Open tenants")>
                {move || {
                    lang.get();
                    let selected = shared.all_tenants();
                    // The tabs of one sign-in with access keys are the
                    // account's regions.
                    let regions = tabs.with(|l| l.iter().all(|t| t.connection.gateway.credentials.signs()));
                    let name = if regions { t("All regions") } else { t("All tenants") };
                    view! {
                        <span class="tab tab-all" class:tab-active=selected>
                            <button type="button" role="tab" aria-selected=selected.to_string() id="tab-all"
                                on:click=move |_| view.update(|v| v.all_tenants = true)>{name}</button>
                        </span>
                    }
                }}
                {entries}
            </nav>
        </Show>
    }
}

/// What `tenant` is called in the tab bar: its [`TabLoad::label`], and where
/// another of `all` has the same label but another CodeArts project, its
/// CodeArts project (the name where the form knew it), which is then what
/// tells them apart.
fn distinct_label(tenant: &TabLoad, all: &[TabLoad]) -> Option<String> {
    let label = tenant.label()?;
    // Known on both sides and different: a tab whose TestPlan has not
    // answered yet is not told apart by a project it may share.
    let id = tenant.codearts_id();
    let twin =
        all.iter().any(|t| t.id != tenant.id && t.label().as_ref() == Some(&label) && id.is_some() && t.codearts_id().is_some_and(|other| Some(other) != id));
    Some(match tenant.codearts().filter(|_| twin) {
        Some(codearts) => format!("{label} · {codearts}"),
        None => label,
    })
}
