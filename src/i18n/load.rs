//! Fetching a language's files (`lang/zh-CN.json` beside the page, and
//! `lang/zh-CN.console.json` once the console is wanted) and keeping their
//! texts. The fetch and `JSON.parse` are the page script's
//! (`tenantscopeTexts` in `site/index.html`), as for config.json: a JSON
//! parser in the first-load wasm would cost about 7 KiB.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{install, Lang};

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

/// A language's texts come in two files, as the code comes in two parts
/// (see [`super::PAGE_SOURCES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextFile {
    Page,
    Console,
}

thread_local! {
    /// The files loaded so far, and whether the console's are wanted (then
    /// a language picked later comes with them).
    static LOADED: RefCell<(Vec<(Lang, TextFile)>, bool)> = const { RefCell::new((Vec::new(), false)) };
}

/// Where `lang`'s file of `part` is, relative to the page.
fn path(lang: Lang, part: TextFile) -> String {
    match part {
        TextFile::Page => format!("lang/{}.json", lang.key()),
        TextFile::Console => format!("lang/{}.console.json", lang.key()),
    }
}

/// Makes `lang` showable: fetches the page's file unless it is English or
/// already loaded, and the console's too once the console was wanted.
/// Nothing changes on failure.
pub async fn load(lang: Lang) -> Result<(), TextsError> {
    load_part(lang, TextFile::Page).await?;
    if LOADED.with(|l| l.borrow().1) {
        load_part(lang, TextFile::Console).await?;
    }
    Ok(())
}

/// Fetches the console's texts of `lang` (with the console's code), and of
/// every language picked from now on.
pub async fn load_console(lang: Lang) -> Result<(), TextsError> {
    LOADED.with(|l| l.borrow_mut().1 = true);
    load_part(lang, TextFile::Console).await
}

async fn load_part(lang: Lang, part: TextFile) -> Result<(), TextsError> {
    if lang == Lang::En || LOADED.with(|l| l.borrow().0.contains(&(lang, part))) {
        return Ok(());
    }
    let fail = |status: Option<u16>| TextsError { lang, status };
    let promise = fetch_texts(&path(lang, part)).map_err(|_| fail(None))?;
    let flat: js_sys::Array =
        wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| fail(e.as_f64().map(|s| s as u16)))?.dyn_into().map_err(|_| fail(None))?;
    let mut pairs = Vec::with_capacity(flat.length() as usize / 2);
    let mut items = flat.iter();
    while let (Some(en), Some(tr)) = (items.next(), items.next()) {
        pairs.push((en.as_string().ok_or(fail(None))?, tr.as_string().ok_or(fail(None))?));
    }
    install(lang, pairs);
    LOADED.with(|l| l.borrow_mut().0.push((lang, part)));
    Ok(())
}
