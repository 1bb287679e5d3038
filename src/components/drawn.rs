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
/// its name with another card's, whose place is then the one taken), in
/// place: the page does not scroll to it. What has no name (a card focused
/// by a click on its text) is left to fall.
fn redraw(el: &Element, html: &str) {
    // The document's focus, not `:focus`, which a page in a background tab
    // or window does not match (an auto-refresh lands there too).
    let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()).filter(|f| el.contains(Some(f)));
    let name = focused.and_then(|f| name(&f));
    el.set_inner_html(html);
    if let Some(next) = name.and_then(|n| el.query_selector(&n).ok().flatten()).and_then(|c| c.dyn_into::<HtmlElement>().ok()) {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = next.focus_with_options(&options);
    }
}

/// What names a control across two drawings, as a CSS selector: its tag,
/// its link and the attributes that say what it acts on (the ID it copies,
/// the filter it sets, the package, tab and service it shows); not its text,
/// which may say "Copied", nor its class, which may carry an urgency. None
/// when it has none of them.
fn name(el: &Element) -> Option<String> {
    let mut name = el.tag_name().to_ascii_lowercase();
    let mut named = false;
    for attr in ["href", "data-copy", "data-filter", "data-value", "data-tab", "data-service"] {
        if let Some(value) = el.get_attribute(attr) {
            named = true;
            name.push('[');
            name.push_str(attr);
            name.push_str("=\"");
            // A CSS string: quotes and backslashes escaped, control
            // characters by their code point.
            for c in value.chars() {
                match c {
                    '"' | '\\' => {
                        name.push('\\');
                        name.push(c);
                    }
                    c if c.is_control() => name.push_str(&format!("\\{:x} ", u32::from(c))),
                    c => name.push(c),
                }
            }
            name.push_str("\"]");
        }
    }
    named.then_some(name)
}
