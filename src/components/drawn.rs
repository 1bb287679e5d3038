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
    let effect = RenderEffect::new(move |last: Option<String>| {
        let Some(next) = html.try_get() else { return last.unwrap_or_default() };
        if last.as_deref() != Some(next.as_str()) {
            redraw(&el, &next);
        }
        next
    });
    on_cleanup(move || drop(effect));
}

/// Sets `el`'s HTML; a control inside it that had the focus hands it to the
/// control of the same name in the new HTML (the `n`th of that name, when
/// several share it, as a service's Renew links do).
fn redraw(el: &Element, html: &str) {
    let focused = el.query_selector(":focus").ok().flatten();
    let mark = focused.map(|f| {
        let name = name(&f);
        // Which of its namesakes it is: found by a mark, as the page's
        // elements have no identity to compare here.
        let _ = f.set_attribute(MARK, "");
        let nth = namesakes(el, &name).position(|c| c.has_attribute(MARK)).unwrap_or(0);
        (name, nth)
    });
    el.set_inner_html(html);
    if let Some((name, nth)) = mark {
        if let Some(next) = namesakes(el, &name).nth(nth).and_then(|c| c.dyn_into::<HtmlElement>().ok()) {
            let _ = next.focus();
        }
    }
}

/// Marks the focused control while its place is counted.
const MARK: &str = "data-focus-mark";

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

/// The controls in `el` named `name`, in the page's order.
fn namesakes(el: &Element, name: &str) -> impl Iterator<Item = Element> {
    let list = el.query_selector_all(name).ok();
    let len = list.as_ref().map_or(0, web_sys::NodeList::length);
    (0..len).filter_map(move |i| list.as_ref()?.item(i)?.dyn_into::<Element>().ok())
}
