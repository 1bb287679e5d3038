//! Saves text as a file the person downloads, through a Blob URL: nothing
//! leaves the browser.

use wasm_bindgen::JsCast;

/// Offers `content` for download as `file_name`. Returns false when the
/// browser refused (the caller says so; nothing is lost).
pub fn save(file_name: &str, mime: &str, content: &str) -> bool {
    (|| {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let document = web_sys::window()?.document()?;
        let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        link.set_href(&url);
        link.set_download(file_name);
        link.click();
        // Revoked a little later: some browsers start the download after the click returns.
        leptos::prelude::set_timeout(move || drop(web_sys::Url::revoke_object_url(&url)), std::time::Duration::from_secs(10));
        Some(())
    })()
    .is_some()
}

/// Puts `text` on the clipboard. Returns whether the browser took the
/// request (the write itself completes later, or is refused silently).
pub fn copy(text: &str) -> bool {
    match web_sys::window() {
        Some(w) => {
            let _ = w.navigator().clipboard().write_text(text);
            true
        }
        None => false,
    }
}
