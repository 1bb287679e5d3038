//! Keeps the history's snapshots ([`crate::history`]) in this browser's
//! IndexedDB, and nowhere else: one database (`tenantscope`) with one
//! store of records, each a snapshot's compact JSON keyed by its account,
//! time and place ([`key`]: one account's snapshots are one key range, in
//! time order), and a second store of each record's size under the same
//! key, so that keeping decisions and the size shown never read the records.
//!
//! IndexedDB is reached through `js_sys::Reflect` rather than `web-sys`'s
//! `Idb*` bindings: each binding adds its own function to the JavaScript
//! glue every page load fetches, while these calls reuse glue the page
//! already has. A browser that refuses IndexedDB (some private windows)
//! gives [`Refused`], and the console goes on without a history. Whether
//! the history is kept at all is its own switch in localStorage ([`on`]).

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::domain::Instant;
use crate::history::{self, Kept, Origin, Snapshot};

const DB: &str = "tenantscope";
const RECORDS: &str = "snapshots";
const SIZES: &str = "sizes";

/// The browser refused IndexedDB, or a request on it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused;

impl From<JsValue> for Refused {
    fn from(_: JsValue) -> Refused {
        Refused
    }
}

thread_local! {
    /// The database once opened (or refused): opened once a page.
    static OPENED: RefCell<Option<Result<JsValue, Refused>>> = const { RefCell::new(None) };
    /// Notified whenever snapshots are added or dropped, for the size shown.
    static CHANGED: leptos::prelude::ArcTrigger = leptos::prelude::ArcTrigger::new();
    /// Notified when the person changed the history (an import, Forget).
    static REPLACED: leptos::prelude::ArcTrigger = leptos::prelude::ArcTrigger::new();
    /// How many times the history was forgotten on this page.
    static FORGETS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A mark of the history's forgets so far: a snapshot read before a
/// Forget is not kept after it ([`save`]).
pub fn mark() -> u32 {
    FORGETS.with(std::cell::Cell::get)
}

/// Tracks every change of the history: a reader of [`usage`] that calls
/// this first reads it again after every save or forget.
pub fn track() {
    use leptos::prelude::Track;
    CHANGED.with(|t| t.track());
}

/// Tracks what the person changed (an import, Forget), not a tab's own
/// snapshots: a tab reads its history again then.
pub fn track_replaced() {
    use leptos::prelude::Track;
    REPLACED.with(|t| t.track());
}

fn changed(replaced: bool) {
    use leptos::prelude::Notify;
    CHANGED.with(|t| t.notify());
    if replaced {
        REPLACED.with(|t| t.notify());
    }
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, Refused> {
    Ok(Reflect::get(target, &JsValue::from_str(name))?)
}

/// `target.name(...args)`, with up to two arguments.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, Refused> {
    let f: Function = get(target, name)?.dyn_into().map_err(|_| Refused)?;
    Ok(match args {
        [] => f.call0(target)?,
        [a] => f.call1(target, a)?,
        [a, b, ..] => f.call2(target, a, b)?,
    })
}

/// The result of an IndexedDB request, once it succeeds.
async fn done(request: JsValue) -> Result<JsValue, Refused> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |ev: JsValue| {
            let result = get(&ev, "target").and_then(|t| get(&t, "result")).unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let failed = Closure::once_into_js(move |_: JsValue| {
            let _ = reject.call0(&JsValue::NULL);
        });
        let _ = Reflect::set(&request, &"onsuccess".into(), &ok);
        let _ = Reflect::set(&request, &"onerror".into(), &failed);
    });
    Ok(JsFuture::from(promise).await?)
}

/// The database, opened (and made, the first time) once a page.
async fn db() -> Result<JsValue, Refused> {
    if let Some(opened) = OPENED.with(|o| o.borrow().clone()) {
        return opened;
    }
    let opened = open().await;
    OPENED.with(|o| *o.borrow_mut() = Some(opened.clone()));
    opened
}

async fn open() -> Result<JsValue, Refused> {
    // Reading `indexedDB` itself throws in some private windows.
    let factory = get(&js_sys::global(), "indexedDB")?;
    if factory.is_undefined() || factory.is_null() {
        return Err(Refused);
    }
    let request = call(&factory, "open", &[DB.into(), 1.into()])?;
    let upgrade = Closure::once_into_js(move |ev: JsValue| {
        let Ok(db) = get(&ev, "target").and_then(|t| get(&t, "result")) else { return };
        let _ = call(&db, "createObjectStore", &[RECORDS.into()]);
        let _ = call(&db, "createObjectStore", &[SIZES.into()]);
    });
    Reflect::set(&request, &"onupgradeneeded".into(), &upgrade)?;
    done(request).await
}

/// A transaction on both stores, and the two stores in it.
async fn stores(write: bool) -> Result<(JsValue, JsValue), Refused> {
    let db = db().await?;
    let names = Array::of1(&RECORDS.into());
    Reflect::set(&names, &1.into(), &SIZES.into())?;
    let tx = call(&db, "transaction", &[names.into(), (if write { "readwrite" } else { "readonly" }).into()])?;
    Ok((call(&tx, "objectStore", &[RECORDS.into()])?, call(&tx, "objectStore", &[SIZES.into()])?))
}

/// A record's key: `{account}\u{1}{at}\u{1}{place}`, `at` in milliseconds
/// padded to 13 digits, so that keys sort by account, then time. Text
/// keys, not arrays: neither an IAM domain name, a project id nor a
/// region has a control character.
fn key(origin: &Origin, at: Instant) -> JsValue {
    format!("{}\u{1}{:013}\u{1}{}", origin.account, at.millis().max(0), origin.place).into()
}

/// One account's keys from `from` on.
fn range(account: &str, from: Instant) -> Result<JsValue, Refused> {
    let key_range = get(&js_sys::global(), "IDBKeyRange")?;
    // `\u{2}` sorts after every `\u{1}…` of the account, and before another account's.
    call(&key_range, "bound", &[format!("{account}\u{1}{:013}", from.millis().max(0)).into(), format!("{account}\u{2}").into()])
}

/// A stored key back as (origin, at).
fn parse_key(key: &JsValue) -> Option<(Origin, Instant)> {
    let key = key.as_string()?;
    let mut parts = key.split('\u{1}');
    let (account, at, place) = (parts.next()?, parts.next()?, parts.next()?);
    Some((Origin { account: account.into(), place: place.into() }, Instant::from_millis(at.parse().ok()?)))
}

/// Every kept snapshot's key and size, oldest first within an account.
async fn stored() -> Result<Vec<(JsValue, Kept)>, Refused> {
    let (_, sizes) = stores(false).await?;
    let keys: Array = done(call(&sizes, "getAllKeys", &[])?).await?.dyn_into().map_err(|_| Refused)?;
    let bytes: Array = done(call(&sizes, "getAll", &[])?).await?.dyn_into().map_err(|_| Refused)?;
    Ok(keys
        .iter()
        .zip(bytes.iter())
        .filter_map(|(k, b)| {
            let (origin, at) = parse_key(&k)?;
            Some((k, Kept { origin, at, bytes: b.as_f64().unwrap_or(0.0) as u64 }))
        })
        .collect())
}

/// How much the history takes: bytes and snapshots.
pub async fn usage() -> Result<(u64, usize), Refused> {
    let kept = stored().await?;
    Ok((kept.iter().map(|(_, k)| k.bytes).sum(), kept.len()))
}

/// Keeps `snapshots` (one a tab an hour, unless `imported`: a file's are
/// kept as dated), then drops what [`history::to_drop`] says, unless the
/// history was forgotten since `read` (a [`mark`] taken when they were
/// read). Returns how many were added.
pub async fn save(snapshots: &[Snapshot], imported: bool, read: u32) -> Result<usize, Refused> {
    // What is kept already, for the hourly rule (a file's are kept as dated).
    let list: Vec<Kept> = if imported { Vec::new() } else { stored().await?.into_iter().map(|(_, k)| k).collect() };
    let mut added = 0;
    {
        let (records, sizes) = stores(true).await?;
        // Checked after the last await before the writes: a Forget's
        // clearing asked meanwhile would otherwise be followed by these.
        if mark() != read {
            return Ok(0);
        }
        let mut requests = Vec::new();
        for s in snapshots {
            if !imported && !history::due(&list, &s.origin, s.at) {
                continue;
            }
            let record = s.to_json();
            let key = key(&s.origin, s.at);
            requests.push(call(&records, "put", &[record.as_str().into(), key.clone()])?);
            requests.push(call(&sizes, "put", &[(record.len() as f64).into(), key])?);
            added += 1;
        }
        for r in requests {
            done(r).await?;
        }
    }
    let now = crate::net::now();
    let all = stored().await?;
    let list: Vec<Kept> = all.iter().map(|(_, k)| k.clone()).collect();
    let drop = history::to_drop(&list, now, history::MAX_BYTES);
    if !drop.is_empty() {
        let (records, sizes) = stores(true).await?;
        let mut requests = Vec::new();
        for i in drop {
            if let Some((key, _)) = all.get(i) {
                requests.push(call(&records, "delete", std::slice::from_ref(key))?);
                requests.push(call(&sizes, "delete", std::slice::from_ref(key))?);
            }
        }
        for r in requests {
            done(r).await?;
        }
    }
    changed(imported);
    Ok(added)
}

/// What a tab reads of its history at `now` ([`history::to_read`]): a
/// few of its account's snapshots a day from `from` on, and the last look
/// of `origin`; only their keys are read to choose.
pub async fn load(origin: &Origin, from: Instant, now: Instant) -> Result<Vec<Snapshot>, Refused> {
    let (_, sizes) = stores(false).await?;
    let keys: Array = done(call(&sizes, "getAllKeys", &[range(&origin.account, Instant::from_millis(0))?])?).await?.dyn_into().map_err(|_| Refused)?;
    let keys: Vec<(JsValue, Kept)> = keys.iter().filter_map(|k| parse_key(&k).map(|(origin, at)| (k, Kept { origin, at, bytes: 0 }))).collect();
    let list: Vec<Kept> = keys.iter().map(|(_, k)| k.clone()).collect();
    let read = history::to_read(&list, origin, from, now);
    if read.is_empty() {
        return Ok(Vec::new());
    }
    // A transaction of its own: the first may have ended while the keys were awaited.
    let (records, _) = stores(false).await?;
    let requests: Vec<JsValue> =
        read.iter().filter_map(|&i| keys.get(i)).map(|(key, _)| call(&records, "get", std::slice::from_ref(key))).collect::<Result<_, _>>()?;
    let mut values = Vec::with_capacity(requests.len());
    for r in requests {
        values.push(done(r).await?);
    }
    Ok(records_of(values))
}

/// The files picked in a file input (`target` of its change event), each
/// its name and its text once read; the input is emptied, so picking the
/// same file again reads it again.
pub fn picked_files(target: &JsValue) -> Vec<(String, impl std::future::Future<Output = Option<String>>)> {
    let files = get(target, "files").unwrap_or(JsValue::UNDEFINED);
    let count = get(&files, "length").ok().and_then(|n| n.as_f64()).unwrap_or(0.0) as u32;
    let picked = (0..count)
        .filter_map(|i| Reflect::get(&files, &i.into()).ok())
        .map(|file| {
            let name = get(&file, "name").ok().and_then(|n| n.as_string()).unwrap_or_default();
            let text = call(&file, "text", &[]).ok().and_then(|p| p.dyn_into::<Promise>().ok());
            (name, async move { JsFuture::from(text?).await.ok()?.as_string() })
        })
        .collect();
    let _ = Reflect::set(target, &"value".into(), &"".into());
    picked
}

/// Every snapshot kept.
pub async fn all() -> Result<Vec<Snapshot>, Refused> {
    let (records, _) = stores(false).await?;
    let values: Array = done(call(&records, "getAll", &[])?).await?.dyn_into().map_err(|_| Refused)?;
    Ok(records_of(values.iter()))
}

/// The records that read, as snapshots. Read with serde_json, not the
/// browser's `JSON.parse`: a month of hourly snapshots is millions of
/// values, each a call across to JavaScript the other way.
fn records_of(values: impl IntoIterator<Item = JsValue>) -> Vec<Snapshot> {
    values.into_iter().filter_map(|v| v.as_string()).filter_map(|text| Snapshot::from_json(&serde_json::from_str(&text).ok()?).ok()).collect()
}

/// Forgets the whole history.
pub async fn forget() -> Result<(), Refused> {
    FORGETS.with(|f| f.set(f.get().wrapping_add(1)));
    let (records, sizes) = stores(true).await?;
    let (a, b) = (call(&records, "clear", &[])?, call(&sizes, "clear", &[])?);
    done(a).await?;
    done(b).await?;
    changed(true);
    Ok(())
}

/// The localStorage key of the one setting the history has: `off` when
/// the person switched it off (it is on unless they did).
const SWITCH: &str = "tenantscope.history";

/// Whether each tab's figures are kept (new tabs follow a change).
pub fn on() -> bool {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    storage.and_then(|s| s.get_item(SWITCH).ok().flatten()).as_deref() != Some("off")
}

/// Switches the history on or off for the tabs opened from now on; what
/// is kept stays until forgotten.
pub fn switch(on: bool) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if on { s.remove_item(SWITCH) } else { s.set_item(SWITCH, "off") };
    }
}
