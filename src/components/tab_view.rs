use leptos::prelude::*;
use tenantscope_catalog::Service;

use crate::api::ApiError;
use crate::components::{history_view, ErrorCard, ExportBar, ServiceLoad, ServicePanel, Shared, Tab, TabLoad};
use crate::domain::Instant;
use crate::format;
use crate::i18n::{t, tf};
use crate::net::{resolve, service_state, Browser};
use crate::services::bss::{self, BillingState};
use crate::services::ServiceState;
use crate::session::{keep_last_good, Session};

/// Whether a service's state changed: for a reading, by identity (its
/// packages and answers are shared, and comparing thousands of packages
/// field by field on every recomputation would cost more than the draw).
fn changed(old: Option<&Option<Result<ServiceState, ApiError>>>, new: Option<&Option<Result<ServiceState, ApiError>>>) -> bool {
    match (old, new) {
        (Some(Some(Ok(ServiceState::Loaded(a)))), Some(Some(Ok(ServiceState::Loaded(b))))) => {
            !(std::sync::Arc::ptr_eq(&a.packages, &b.packages) && std::sync::Arc::ptr_eq(&a.answers, &b.answers) && a.stale == b.stale)
        }
        (old, new) => old != new,
    }
}

/// One tab: its connection resolved to a session, and each service's
/// packages loaded for it. The loads live as long as this view, so closing
/// the tab drops its token and data; they register in `registry` for the
/// overview and the tab bar. Shown while the tab is open: who and where,
/// the token's life, Refresh, exports and the service panels (those the
/// service filter lets through).
#[component]
pub fn TabView(
    /// The tab's connection.
    tab: Tab,
    /// The tabs, the view, the clocks and the thresholds.
    shared: Shared,
    /// Every tab's loads, for the views across tabs.
    registry: RwSignal<Vec<TabLoad>>,
) -> impl IntoView {
    let Tab { id, connection, refresh } = tab;
    // Its hints for a refused call differ (a signature, not a token).
    let signed = connection.gateway.credentials.signs();
    let Shared { view, thresholds, auto_refresh, lang, .. } = shared;
    // Not `LocalResource`s, which wait a task before their first poll: an
    // `AsyncDerived` polls its future at once, so a session the form has
    // looked up already is resolved as the tab is made, and its services'
    // first requests are sent from here, before the tab is drawn.
    let again = Trigger::new();
    let context = AsyncDerived::new_unsync(move || {
        again.track();
        resolve(connection.clone())
    });
    // Closing the tab abandons what it is still loading.
    let abort = StoredValue::new_local(web_sys::AbortController::new().ok());
    on_cleanup(move || {
        abort.try_with_value(|c| c.as_ref().map(web_sys::AbortController::abort));
    });
    // Which round of loading (first load, each Refresh and auto-refresh)
    // each service last answered: billing is asked once a round, when all
    // five have answered it.
    let round = move || refresh.get().wrapping_add(auto_refresh.get());
    let answered = RwSignal::new([None::<u32>; tenantscope_catalog::PACKAGE_COUNT]);
    // Which round each service last finished reading, and the services
    // finished but not yet shown (each one's resume): drawing a service
    // holds up the reading of the others' answers, so a service finished
    // while others are loading is shown with the round's last one, or
    // 100 ms after the first one waiting, whichever comes first
    // (bench/network.mjs).
    let finished = StoredValue::new([None::<u32>; tenantscope_catalog::PACKAGE_COUNT]);
    let to_draw = StoredValue::new_local(Vec::<js_sys::Function>::new());
    // Made, and so started, in [`crate::services::load_order`]: the same
    // order when the session arrives later (what subscribes first to it
    // hears of it first).
    let started = crate::services::load_order().map(|service| {
        let progress = RwSignal::new(None);
        let k = Service::PACKAGES.iter().position(|s| *s == service).unwrap_or(0);
        // The last good answers: a refresh that fails keeps them on screen.
        let last_good = StoredValue::new(None);
        let data = AsyncDerived::new_unsync(move || {
            let this_round = round();
            // Read now, not awaited: awaiting would also subscribe, and the
            // session's arrival would then start a second load beside the
            // first. Until it arrives there is nothing to load.
            let ctx = context.get();
            async move {
                let ctx = match ctx {
                    Some(ctx) => ctx?,
                    None => return Ok(ServiceState::Waiting),
                };
                let signal = abort.try_with_value(|c| c.as_ref().map(web_sys::AbortController::signal)).flatten();
                let state = service_state(service, &ctx, signal.as_ref(), move |p| {
                    progress.try_set(Some(p));
                })
                .await;
                let (state, last) = keep_last_good(state, last_good.try_get_value().flatten());
                last_good.try_set_value(last);
                finished.try_update_value(|f| f[k] = Some(this_round));
                let round_done = finished.try_with_value(|f| f.iter().all(|r| *r == Some(this_round))).unwrap_or(true);
                // Every service waiting is let go at once, so that they are
                // drawn together, the overview once.
                let release = move || {
                    for resume in to_draw.try_update_value(std::mem::take).unwrap_or_default() {
                        let _ = resume.call0(&wasm_bindgen::JsValue::UNDEFINED);
                    }
                };
                crate::net::parked(|resume| {
                    let first = to_draw.try_update_value(|h| {
                        h.push(resume);
                        h.len() == 1
                    });
                    if round_done {
                        release();
                    } else if first == Some(true) {
                        set_timeout(release, std::time::Duration::from_millis(100));
                    }
                })
                .await;
                progress.try_set(None);
                answered.try_update(|a| a[k] = Some(this_round));
                state
            }
        });
        (service, data, progress)
    });
    // In the catalogue's order, as they are shown.
    let fetched = Service::PACKAGES.map(|service| started.into_iter().find(|(s, _, _)| *s == service).unwrap_or(started[0]));
    // The account's history, read once the session starts: the last look
    // and the readings of the forecasts' window. Read again each round (its
    // pace then counts the last round's snapshot), and after an import or
    // Forget. A `LocalResource`, which waits a task: the services' first
    // requests, sent as their loads are made, go before the database opens.
    let kept = LocalResource::new(move || {
        round();
        crate::store::track_replaced();
        let ctx = context.get();
        let on = crate::store::on();
        async move {
            let ctx = ctx?.ok()?;
            if !on {
                return None;
            }
            Some(history_view::read(&ctx, crate::net::now()).await)
        }
    });
    // Billing, once every service has answered this round (the panels do
    // not wait for it), for every resource id they listed. Until then the
    // last reading stays, so that a Refresh does not blank its dates.
    let last_billing = StoredValue::new(BillingState::Waiting);
    let billing = LocalResource::new(move || {
        let this_round = round();
        let done = answered.get().iter().all(|r| *r == Some(this_round));
        let ids = done.then(|| bss::ids_of(&fetched.map(|(_, data, _)| data.get_untracked()))).flatten();
        let ctx = context.get();
        async move {
            let (Some(ids), Some(Ok(ctx))) = (ids, ctx) else { return last_billing.try_get_value().unwrap_or(BillingState::Waiting) };
            let signal = abort.try_with_value(|c| c.as_ref().map(web_sys::AbortController::signal)).flatten();
            let net = Browser::console(&ctx.gateway, signal.as_ref());
            // Asked in a task of its own, once the round's last service is
            // drawn: writing a dozen requests would hold the drawing up.
            crate::net::later().await;
            let state = match bss::load(&net, tenantscope_catalog::billing_sites(&ctx.region), &ids).await {
                Ok(read) => BillingState::Read(std::sync::Arc::new(read)),
                Err(e) => BillingState::after_failure(&last_billing.try_get_value().unwrap_or(BillingState::Waiting), e),
            };
            last_billing.try_set_value(state.clone());
            // The round is read: kept as a snapshot (at most one an hour),
            // billing's dates and renewal included; once the page has drawn
            // it, not before (nothing waits for the history).
            if crate::store::on() {
                // A Forget between this reading and its keeping drops it.
                let (billing, origin, read) = (state.clone(), history_view::origin(&ctx), crate::store::mark());
                set_timeout(
                    move || {
                        let states: Vec<_> = fetched
                            .iter()
                            .map(|(service, data, _)| (*service, data.try_get_untracked().flatten().map(|s| crate::tenant::billed(s, &billing))))
                            .collect();
                        let snapshot = crate::history::Snapshot::of_states(crate::net::now(), origin, &states);
                        // Closed meanwhile, or nothing read in full: nothing to
                        // keep (a snapshot takes its hour's place, and one that
                        // compares nothing would be the next look's last).
                        if snapshot.services.is_empty() {
                            return;
                        }
                        leptos::task::spawn_local(async move {
                            let _ = crate::store::save(&[snapshot], false, read).await;
                        });
                    },
                    std::time::Duration::from_millis(500),
                );
            }
            state
        }
    });
    // Billing as the packages see it: it notifies them only when it changes
    // (the resource settles again, on the same reading, as each service answers).
    let billed = Memo::new(move |_| billing.get());
    // The history as the packages see it: read, or nothing to lay.
    let trends = Memo::new_with_compare(
        move |_| kept.get().flatten().and_then(Result::ok),
        |a, b| match (a, b) {
            (Some(Some(a)), Some(Some(b))) => !std::sync::Arc::ptr_eq(a, b),
            (a, b) => a.map(Option::is_some) != b.map(Option::is_some),
        },
    );
    // Each service's state with billing's word laid over its packages, and
    // the history's.
    let loads = fetched.map(|(service, raw, progress)| {
        let data = Memo::new_with_compare(
            move |_| {
                let state = raw.get()?;
                let state = match billed.get() {
                    Some(billing) => crate::tenant::billed(state, &billing),
                    None => state,
                };
                // Each package with a usage and a total given its trend.
                Some(match (trends.get(), state) {
                    (Some(history), Ok(ServiceState::Loaded(l))) => {
                        let at = l.received_at;
                        Ok(history.index.lay(ServiceState::Loaded(l), at))
                    }
                    (_, state) => state,
                })
            },
            changed,
        );
        ServiceLoad { service, data, progress }
    });
    // What changed since the last look: once every service answered and
    // billing settled (its dates would otherwise read as changes).
    let since = Memo::new(move |_| {
        let history = match kept.get().flatten()? {
            Ok(history) => history,
            Err(_) => return Some(history_view::Since::Refused),
        };
        if matches!(billed.get(), None | Some(BillingState::Waiting)) {
            return None;
        }
        let states: Vec<_> = loads.iter().map(|l| (l.service, l.data.get())).collect();
        if states.iter().any(|(_, s)| s.is_none()) {
            return None;
        }
        let at = states
            .iter()
            .filter_map(|(_, s)| match s {
                Some(Ok(ServiceState::Loaded(l))) => Some(l.received_at),
                _ => None,
            })
            .max()?;
        Some(history_view::since(&history, &crate::history::Snapshot::of_states(at, history.origin.clone(), &states)))
    });
    let tenant = TabLoad { id, session: context, again, loads, refresh, billing: billed, since };
    registry.update(|r| r.push(tenant));
    on_cleanup(move || registry.update(|r| r.retain(|t| t.id != id)));

    let active = Memo::new(move |_| {
        let at = shared.active_index();
        !shared.all_tenants() && shared.tabs.with(|l| l.get(at).map(|t| t.id)) == Some(id)
    });
    // The service filter hides the other panels (a memo: typing a search
    // redraws the panels' lists, not the panels).
    let only = Memo::new(move |_| view.with(|v| v.service));
    // Made once for the tab: a signal made in the views below would be
    // disposed of with them, while their last updates may still read it.
    let view: Signal<_> = view.into();
    // Its loads have started above; its panels are drawn a frame later.
    let drawn = super::next_frame();
    view! {
        <Show when=move || drawn.get() && active.get()>
            // Drawn anew in another language; the loads stay.
            {move || { lang.get(); view! {
            <div class="tenant" role="tabpanel" aria-labelledby=format!("tab-{id}")>
                // Not a <Transition>: it would wait for every load the
                // session line reads before showing any panel.
                {move || match context.get() {
                    // The session line is the [`SessionBar`]'s, at the top.
                    None => ().into_any(),
                    Some(Ok(_)) => view! {
                        // While billing is read (a failure is said beside
                        // the overview's figures).
                        {move || (tenant.billing() == BillingState::Waiting).then(|| {
                            view! { <p class="muted billing-note" data-billing="waiting" role="status">{format::billing_note(&BillingState::Waiting, signed)}</p> }
                        })}
                        <ExportBar tenants=Signal::stored(vec![tenant]) thresholds view />
                        <div class="panels">
                            {move || {
                                let only = only.get();
                                loads.into_iter().filter(|l| only.is_none_or(|s| s == l.service)).map(|load| view! {
                                    <ServicePanel load view thresholds signed />
                                }).collect_view()
                            }}
                        </div>
                    }.into_any(),
                    Some(Err(error)) => view! {
                        <ErrorCard error title=t("The session could not start").to_string() service=None signed />
                        <p><button type="button" on:click=move |_| tenant.reload()>{t("Try again")}</button></p>
                    }.into_any(),
                }}
            </div>
            } }}
        </Show>
    }
}

/// The first line under the tab bar, where the sign-in folds to: the open
/// tab's [`SessionLine`] (or that its session is starting or failed), the
/// number of tabs under "All tenants"; and Edit, which opens the sign-in.
#[component]
pub fn SessionBar(
    /// The tabs, the view, the clocks and the sign-in.
    shared: Shared,
    /// The tabs' loads, in tab order.
    tenants: Signal<Vec<TabLoad>>,
) -> impl IntoView {
    let Shared { clock, minute, next_refresh, sign_in, lang, .. } = shared;
    // The open tab's loads, once registered; a change of tab redraws the line.
    let open = Memo::new_with_compare(
        move |_| {
            if shared.all_tenants() {
                return None;
            }
            let at = shared.active_index();
            let id = shared.tabs.with(|l| l.get(at).map(|t| t.id))?;
            tenants.with(|list| list.iter().find(|t| t.id == id).copied())
        },
        |old, new| old.map(|o| o.map(|t| t.id)) != new.map(|n| n.map(|t| t.id)),
    );
    let edit = move |_| {
        sign_in.update(|open| *open = !*open);
        if !sign_in.get_untracked() {
            return;
        }
        // The token field, once shown.
        request_animation_frame(|| {
            if let Some(field) = document().get_element_by_id("token").and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
                let _ = field.focus();
            }
        });
    };
    let edit_button = move || {
        view! {
            <button type="button" class="edit-sign-in" aria-controls="sign-in" aria-expanded=move || sign_in.get().to_string()
                on:click=edit>{move || if sign_in.get() { t("Done") } else { t("Edit") }}</button>
        }
    };
    view! {
        {move || { lang.get(); match open.get() {
            None => view! {
                <div class="session-bar">
                    <p class="session-line" data-state="across">{tf("{0} tabs open", &[&shared.tabs.with(Vec::len).to_string()])}</p>
                    {edit_button()}
                </div>
            }.into_any(),
            Some(tenant) => match tenant.session.get() {
                Some(Ok(ctx)) => view! { <SessionLine ctx tenant clock minute next_refresh edit=edit_button() /> }.into_any(),
                state => view! {
                    <div class="session-bar">
                        <p class="session-line" data-state=if state.is_none() { "loading" } else { "failed" }>
                            {if state.is_none() { t("Checking the token…") } else { t("The session could not start") }}
                        </p>
                        {edit_button()}
                    </div>
                }.into_any(),
            },
        } }}
    }
}

/// Who and where the session is, how long its token still lives, how old
/// the answers are, Refresh, and `edit` (the sign-in's Edit).
#[component]
fn SessionLine(
    ctx: Session,
    tenant: TabLoad,
    clock: Signal<Instant>,
    minute: Signal<Instant>,
    next_refresh: Signal<Option<Instant>>,
    edit: impl IntoView + 'static,
) -> impl IntoView {
    let updated = move || tenant.updated_at().map(|at| format::updated(minute.get().millis().max(at.millis()) - at.millis()));
    // Auto-refresh, when on: when it runs next.
    let next = move || next_refresh.get().map(|at| format!(" · {}", tf("next refresh in {0}", &[&format::duration(at.since(clock.get()).max(60_000))])));
    let expires_at = ctx.expires_at;
    let life = move || expires_at.map(|at| format::lifetime(at, clock.get()));
    let who = match (ctx.user, ctx.domain) {
        (Some(u), Some(d)) => format!("{u} @ {d} · "),
        (Some(u), None) => format!("{u} · "),
        _ => String::new(),
    };
    let region = tenantscope_catalog::region_by_id(&ctx.region).map(format::region).unwrap_or(ctx.region);
    let codearts = move || tenant.codearts().map(|c| tf(" · CodeArts project {0}", &[&c])).unwrap_or_default();
    // A refresh that failed: what is shown is older than it looks. Said
    // once across the tab, with the oldest answers' time, and the token's
    // life no longer green.
    let stale = Memo::new(move |_| {
        let mut stale = tenant.loads.iter().filter_map(|l| l.with_loaded(|d| d.stale.clone().map(|e| (e, d.received_at))).flatten());
        let (error, mut at) = stale.next()?;
        at = stale.fold(at, |a, (_, b)| a.min(b));
        Some(tf("Not up to date: the last refresh failed ({0}); showing what was loaded at {1}.", &[&format::short_error(&error), &format::local_time(at)]))
    });
    view! {
        {move || stale.get().map(|line| view! {
            <p class="notice notice-warn stale-banner" role="alert" data-state="stale-tab">
                {line} " " <button type="button" on:click=move |_| tenant.reload()>{t("Retry")}</button>
            </p>
        })}
        <div class="session-bar">
            <p class="session-line" data-state="ready">
                {who} {region} <span class="session-ids">{t(" · project ")} <code>{ctx.project_id}</code> {codearts}</span>
            </p>
            <p class="token-life" data-state=move || if stale.with(Option::is_some) { Some("stale") } else { life().map(|l| l.0) }>{move || life().map(|l| l.1)}</p>
            <p class="updated muted">
                <span>{updated}</span><span class="next-refresh">{next}</span> " "
                <button type="button" on:click=move |_| tenant.reload()>{t("Refresh")}</button>
                {edit}
            </p>
        </div>
    }
}
