//! Fetching a language's file (`lang/zh-CN.json` beside the page) and
//! keeping its texts. The fetch and `JSON.parse` are the page script's
//! (`tenantscopeTexts` in `site/index.html`), as for config.json: a JSON
//! parser in the first-load wasm would cost about 7 KiB.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{install, is_loaded, Lang};

#[wasm_bindgen]
extern "C" {
    /// `path` fetched and parsed; resolves to `[english, translation, …]`,
    /// rejects with the HTTP status (a number) or an error.
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = tenantscopeTexts)]
    fn fetch_texts(path: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Why a language's texts could not be loaded (worded where it is shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextsError {
    pub lang: Lang,
    /// The HTTP status, or none when nothing answered (or the file was not
    /// an object of texts).
    pub status: Option<u16>,
}

/// Where `lang`'s file is, relative to the page.
pub fn path(lang: Lang) -> String {
    format!("lang/{}.json", lang.key())
}

/// Makes `lang` showable: fetches its file unless it is English or already
/// loaded. Nothing changes on failure.
pub async fn load(lang: Lang) -> Result<(), TextsError> {
    if is_loaded(lang) {
        return Ok(());
    }
    let fail = |status: Option<u16>| TextsError { lang, status };
    let promise = fetch_texts(&path(lang)).map_err(|_| fail(None))?;
    let flat: js_sys::Array = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| fail(e.as_f64().map(|s| s as u16)))?
        .dyn_into()
        .map_err(|_| fail(None))?;
    let mut pairs = Vec::with_capacity(flat.length() as usize / 2);
    let mut items = flat.iter();
    while let (Some(en), Some(tr)) = (items.next(), items.next()) {
        pairs.push((en.as_string().ok_or(fail(None))?, tr.as_string().ok_or(fail(None))?));
    }
    install(lang, pairs);
    Ok(())
}
