//! The console's side of the history ([`crate::history`], kept by
//! [`crate::store`]): what a tab read of its account's history when its
//! session started ([`TabHistory`]), what changed since the last look
//! ([`Since`]), and the history's part of the settings
//! ([`HistorySettings`]: its size, Forget, Import, Export).

use std::sync::Arc;

use leptos::prelude::*;

use crate::domain::forecast::WINDOW_DAYS;
use crate::domain::time::MS_PER_DAY;
use crate::domain::Instant;
use crate::history::{self, Changes, Index, Origin, Refused as FileRefused, Snapshot};
use crate::i18n::{plural, plural_with, t, tf};
use crate::load::Session;
use crate::store::{self, Refused};

/// Where a session's snapshots are kept: its account and place.
pub fn origin(session: &Session) -> Origin {
    Origin { account: history::account_key(session.domain.as_deref(), &session.project_id), place: session.place() }
}

/// What a tab read of its account's history when its session started: the
/// snapshots of the forecasts' window and the last look.
pub struct TabHistory {
    pub origin: Origin,
    pub snapshots: Vec<Snapshot>,
    pub index: Index,
}

/// Reads the history for `session` at `now`.
pub async fn read(session: &Session, now: Instant) -> Result<Arc<TabHistory>, Refused> {
    let origin = origin(session);
    let from = Instant::from_millis(now.millis() - (WINDOW_DAYS + 1) * MS_PER_DAY);
    let snapshots = store::load(&origin, from, now).await?;
    let index = Index::new(&snapshots);
    Ok(Arc::new(TabHistory { origin, snapshots, index }))
}

/// What changed since the last look of a tab's account and place.
#[derive(Clone, Debug, PartialEq)]
pub enum Since {
    /// The browser refused to keep a history (the console says so once).
    Refused,
    /// No earlier look in this browser: the history starts now.
    First,
    Changes(Changes),
}

/// The changes of a tab from its history to `now`'s snapshot.
pub fn since(history: &TabHistory, now: &Snapshot) -> Since {
    match history::last_look(&history.snapshots, &history.origin, now.at) {
        Some(last) => Since::Changes(history::changes(last, now, &history.index)),
        None => Since::First,
    }
}

/// Says once a page that this browser refused to keep a history.
pub fn refused_note() -> impl IntoView {
    view! {
        <p class="notice history-note" role="status" data-state="history-refused">
            {t("This browser does not let the page keep a history (a private window?): what changed since your last look and run-out forecasts are not shown. Everything else works.")}
        </p>
    }
}

/// The history's part of the settings: whether it is kept (in this
/// browser only), its size, and Forget, Import and Export.
#[component]
pub fn HistorySettings() -> impl IntoView {
    let keep = RwSignal::new(store::on());
    let on = move || keep.get();
    // Read again after every change, this page's tabs' snapshots too.
    let usage = LocalResource::new(move || {
        store::track();
        store::usage()
    });
    let status = RwSignal::new(None::<(&'static str, String)>);
    let forget = move |_| {
        leptos::task::spawn_local(async move {
            let done = store::forget().await;
            status.set(Some(match done {
                Ok(()) => ("forgotten", t("History forgotten.").to_string()),
                Err(Refused) => ("refused", t("This browser refused: nothing was changed.").to_string()),
            }));
        });
    };
    let export = move |_| {
        leptos::task::spawn_local(async move {
            let now = crate::net::now();
            let words = match store::all().await {
                Ok(snapshots) => {
                    let name = crate::export::file_name(now, "json").replace("tenantscope-", "tenantscope-history-");
                    if crate::download::save(&name, "application/json", &history::file(&snapshots, now)) {
                        ("exported", plural(snapshots.len() as u64, "{0} snapshot exported.", "{0} snapshots exported."))
                    } else {
                        ("refused", t("The browser refused the download; nothing was lost.").to_string())
                    }
                }
                Err(Refused) => ("refused", t("This browser refused: nothing was changed.").to_string()),
            };
            status.set(Some(words));
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target() else { return };
        let files = store::picked_files(&input);
        leptos::task::spawn_local(async move {
            let (mut snapshots, mut refused) = (Vec::new(), Vec::new());
            for (name, text) in files {
                let Some(text) = text.await else {
                    refused.push(tf("{0}: could not be read", &[&name]));
                    continue;
                };
                let read = serde_json::from_str::<serde_json::Value>(&text).map_err(|e| FileRefused::NotJson(e.to_string())).and_then(|v| history::import(&v));
                match read {
                    Ok(mut s) => snapshots.append(&mut s),
                    Err(why) => refused.push(format!("{name}: {}", crate::format::history_refused(&why))),
                }
            }
            let saved = if snapshots.is_empty() { Ok(0) } else { store::save(&snapshots, true, store::mark()).await };
            status.set(Some(match (saved, refused.is_empty()) {
                (Err(Refused), _) => ("refused", t("This browser refused: nothing was changed.").to_string()),
                (Ok(n), true) => ("imported", plural(n as u64, "{0} snapshot added.", "{0} snapshots added.")),
                (Ok(n), false) => {
                    ("refused", plural_with(n as u64, "{0} snapshot added; not read: {1}", "{0} snapshots added; not read: {1}", &[&refused.join("; ")]))
                }
            }));
        });
    };
    view! {
        <fieldset class="settings-group history-settings">
            <legend>{t("History")}</legend>
            <label class="check">
                <input type="checkbox" id="history-keep" prop:checked=on
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        store::switch(on);
                        keep.set(on);
                    } />
                {t("Keep a history of the figures in this browser")}
            </label>
            <p class="muted">{t("Kept in this browser only, never sent anywhere, never with a token or key.")} " "
                {move || match usage.get() {
                    None => view! { <span data-history-size="">{t("Reading…")}</span> }.into_any(),
                    Some(Ok((bytes, count))) => view! {
                        <span data-history-size=bytes.to_string() data-history-count=count.to_string()>
                            {plural_with(count as u64, "{1} in {0} snapshot", "{1} in {0} snapshots", &[&crate::format::bytes(bytes)])}
                        </span>
                    }.into_any(),
                    Some(Err(Refused)) => view! { <span data-history-size="">{t("This browser does not let the page keep a history.")}</span> }.into_any(),
                }}
                {move || (!on()).then(|| view! { <span>" " {t("Not kept while switched off; what is kept stays until forgotten.")}</span> })}
            </p>
            <div class="history-actions">
                <button type="button" id="history-forget" on:click=forget>{t("Forget history")}</button>
                <button type="button" id="history-export" on:click=export>{t("Export history")}</button>
                <input type="file" id="history-import" accept=".json,application/json" multiple on:change=import />
                <label for="history-import" class="file-button">{t("Import history")}</label>
            </div>
            {move || status.get().map(|(state, words)| view! { <p class="history-status" role="status" data-state=state>{words}</p> })}
        </fieldset>
    }
}
