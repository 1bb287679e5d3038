//! HTML text drawn into an element (the cards, the overview's parts), drawn
//! anew when what it shows changes, with the keyboard's focus kept on it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A directive (`use:drawn=html`): draws `html` into the element, and again
/// whenever it changes. Drawn anew, its buttons and links are new elements:
/// where one of them had the keyboard's focus (a person tabbing through a
/// card as billing's dates arrive, or a refresh lands), the focus moves to
/// its namesake in the new HTML rather than falling back to the page's
/// start, where the next Tab or a screen reader would begin again.
pub fn drawn(el: Element, html: Signal<String>) {
    let mut last = None;
    let effect = RenderEffect::new(move |_| {
        html.try_with(|next| {
            if last.as_ref() != Some(next) {
                redraw(&el, next);
                last = Some(next.clone());
            }
        });
    });
    on_cleanup(move || drop(effect));
}

/// Sets `el`'s HTML; a control inside it that had the focus hands it to the
/// first control of the same name in the new HTML (a Renew link may share
/// its name with another card's, whose place is then the one taken).
fn redraw(el: &Element, html: &str) {
    let name = el.query_selector(":focus").ok().flatten().map(|f| name(&f));
    el.set_inner_html(html);
    if let Some(next) = name.and_then(|n| el.query_selector(&n).ok().flatten()).and_then(|c| c.dyn_into::<HtmlElement>().ok()) {
        let _ = next.focus();
    }
}

/// What names a control across two drawings, as a CSS selector: its tag,
/// its link and the attributes that say what it acts on (the ID it copies,
/// the filter it sets, the package, tab and service it shows); not its text,
/// which may say "Copied", nor its class, which may carry an urgency.
fn name(el: &Element) -> String {
    let mut name = el.tag_name().to_ascii_lowercase();
    for attr in ["href", "data-copy", "data-filter", "data-value", "data-tab", "data-service"] {
        if let Some(value) = el.get_attribute(attr) {
            let value = value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\a ");
            name.push_str(&format!("[{attr}=\"{value}\"]"));
        }
    }
    name
}
