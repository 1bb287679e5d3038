//! A row of jump buttons at the top of the console.

use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::domain::query::View;
use crate::format;
use crate::i18n::t;

/// Jumps to the filters and to each service's panel shown, so that a
/// keyboard reaches what it wants in a few presses whatever lies between
/// (the overview's figures and warning rows are buttons of their own).
/// Buttons, not `#` links: the URL hash holds the view, and a fragment link
/// would replace it.
#[component]
pub fn JumpLinks(
    /// The view state: a service filter leaves only that service's panel.
    view: RwSignal<View>,
) -> impl IntoView {
    let jump = |selector: String| {
        move |_| {
            if let Some(el) = document().query_selector(&selector).ok().flatten() {
                el.scroll_into_view();
                if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    let _ = el.focus();
                }
            }
        }
    };
    view! {
        <nav class="jump-links" aria-label=t("Jump to")>
            <span class="muted">{t("Jump to:")}</span>
            <button type="button" class="link" on:click=jump("#search".into())>{t("Search and filters")}</button>
            {move || {
                // A tab's panels, or under "All tenants" those across the tabs.
                let only = view.with(|v| v.service);
                Service::PACKAGES
                    .iter()
                    .filter(|s| only.is_none_or(|o| o == **s))
                    .map(|s| view! {
                        <button type="button" class="link" on:click=jump(format!(r#".panel[data-service="{}"]"#, s.key()))>
                            {format::service(*s)}
                        </button>
                    })
                    .collect_view()
            }}
        </nav>
    }
}
