use leptos::prelude::*;

use tenantscope_catalog::Service;
use wasm_bindgen::JsCast;

use crate::components::history_view::Since;
use crate::components::{drawn, tr, Fold, TabLoad};
use crate::domain::across::{self, Account};
use crate::domain::act::{act_now, Act, Reason};
use crate::domain::overview::{grouped, upcoming, warnings, Counts, Merged, Relative};
use crate::domain::query::{View, FROZEN_OR_CLOSED, RUNS_OUT, USED_UP};
use crate::domain::{Instant, Lifecycle, Package, Status, Thresholds, Urgency};
use crate::format;
use crate::i18n::{t, tf, Lang};
use crate::render::{self, WarningGroups, WarningRow};
use crate::services::bss::BillingState;
use crate::session::Coverage;

/// How many rows each group of warnings lists before "and N more": the
/// box shows about ten, and the groups are drawn anew as each service
/// arrives, so more rows lengthen the draw after the last answer
/// (bench/network.mjs).
const WARNINGS_SHOWN: usize = 25;
/// The timeline's span.
const TIMELINE_DAYS: i64 = 90;

/// For the open tab, or under "All tenants" across every tab, and every
/// service: packages by urgency and by status in
/// large figures, each a button that sets the matching filter; the expiry
/// warnings, soonest first, then the frozen or closed, then the expired
/// (collapsed, most recent first), identical rows merged, each row a button
/// that shows its package in its panel; and a timeline of the next 90 days.
/// Redrawn when data arrives, a threshold changes, or a minute passes; the
/// page title says what expires within the critical threshold.
#[component]
pub fn Overview(
    /// The open tabs' loads.
    tenants: Signal<Vec<TabLoad>>,
    /// The urgency thresholds.
    thresholds: Signal<Thresholds>,
    /// The clock to the minute.
    minute: Signal<Instant>,
    /// The language.
    lang: Signal<Lang>,
    /// The view state, which the figures and warning rows set.
    view: RwSignal<View>,
) -> impl IntoView {
    // Which tab the overview is of: a memo, so that typing a search (which
    // changes the view too) does not redraw the overview.
    let scope =
        Memo::new(move |_| view.with(|v| View { all_tenants: v.all_tenants, tab: v.tab, tenant: v.tenant, region: v.region.clone(), ..View::default() }));
    // What changed since the last look of the open tab (not under "All
    // tenants": each tab's account and place has its own).
    let since = Memo::new(move |_| {
        lang.get();
        let s = scope.get();
        let list = tenants.get();
        if s.all_tenants && list.len() > 1 {
            return None;
        }
        let tab = list.get(s.tab.min(list.len().saturating_sub(1)))?;
        let name = |line: &crate::history::Line| {
            let load = tab.loads.iter().find(|l| l.service == line.service)?;
            load.with_packages(|packages, _| packages.iter().find(|p| p.id == line.id).map(format::name)).flatten()
        };
        Some(match tab.since.try_get().flatten()? {
            Since::Refused => return None,
            Since::First => render::since(None, name),
            Since::Changes(changes) => render::since(Some(&changes), name),
        })
    });
    let parts = Memo::new(move |_| {
        lang.get();
        let (now, thresholds) = (minute.get(), thresholds.get());
        let list = tenants.get();
        // The open tab's packages, or under "All tenants" every tab's, each
        // warning saying whose it is.
        let scope = scope.get();
        let all = scope.all_tenants && list.len() > 1;
        let open = scope.tab.min(list.len().saturating_sub(1));
        // Under "All tenants", the tenant and region filters narrow it: a
        // package stays when any tab it was seen in passes.
        let passes: Vec<bool> =
            list.iter().enumerate().map(|(i, t)| if all { scope.shows_tab(i, &t.region().unwrap_or_default()) } else { i == open }).collect();
        // Each tab as the tab bar names it (under "All tenants"), and whose
        // account it reads.
        let labels: Vec<String> = list.iter().enumerate().map(|(i, t)| if all { crate::components::tab_label(i, t) } else { String::new() }).collect();
        let accounts: Vec<Account> = list.iter().map(super::all_tenants_panel::account).collect();
        // (tab, packages of one service), for every service loaded so far,
        // of the open tab or of every tab: one the filters leave out may
        // have seen a package of one they keep. Shared, not copied: this
        // runs again as each service arrives.
        let mut read: Vec<(usize, std::sync::Arc<[Package]>)> = Vec::new();
        // What the figures leave out, and why, said beside them.
        let mut coverage = Vec::new();
        for (i, t) in list.iter().enumerate().filter(|(i, _)| all || *i == open) {
            read.extend(t.loads.iter().filter_map(|l| l.packages().map(|p| (i, p))));
            if passes[i] {
                coverage.extend(t.loads.iter().map(|l| (l.service, labels[i].clone(), l.coverage())));
            }
        }
        let mut left_out = format::coverage_note(&coverage).unwrap_or_default();
        // Billing that could not be read is said beside the figures it
        // leaves without dates and policies (a tab's own note is further
        // down, and out of sight across tabs).
        // (A tab whose session did not open has no billing to wait for: its
        // failure is said with its services'.)
        let states: Vec<(usize, BillingState)> =
            list.iter().enumerate().filter(|(i, t)| passes[*i] && t.region().is_some()).map(|(i, t)| (i, t.billing())).collect();
        // What Act now and the warnings rest on, and how much of each was
        // read: the services, and billing, whose dates and renewal policies
        // decide what lapses. Until all are read whole, finding nothing is
        // no all-clear.
        let mut seen = coverage.clone();
        seen.extend(states.iter().map(|(i, s)| {
            let read = match s {
                BillingState::Waiting => Coverage::Loading,
                BillingState::Read(_) => Coverage::Whole,
                BillingState::Stale(_, e) => Coverage::Stale(e.clone()),
                BillingState::Failed(e) => Coverage::Failed(e.clone()),
            };
            (Service::Bss, labels[*i].clone(), read)
        }));
        let unsure = format::act_unsure(&seen);
        let failed: Vec<(String, &crate::api::ApiError)> = states
            .iter()
            .filter_map(|(i, s)| match s {
                BillingState::Failed(e) => Some((labels[*i].clone(), e)),
                _ => None,
            })
            .collect();
        // One tab: the whole note, with what would work; across tabs, the
        // tabs by name and why (each tab's overview says the rest).
        let line = match (all, &failed[..]) {
            (false, [(_, e)]) => format::billing_note(&BillingState::Failed((*e).clone()), list.get(open).is_some_and(TabLoad::signs)),
            _ => format::billing_left_out(&failed),
        };
        // A failed refresh of billing: its last reading stands, said so.
        let stale = states.iter().find(|(_, s)| matches!(s, BillingState::Stale(..))).and_then(|(_, s)| format::billing_note(s, false));
        for line in [line, stale].into_iter().flatten() {
            left_out = if left_out.is_empty() { line } else { format!("{left_out} {line}") };
        }
        // `waiting` while any tab's billing is read, else `failed` if any
        // could not be, else `read`.
        let billing = if states.iter().any(|(_, s)| *s == BillingState::Waiting) {
            "waiting"
        } else if failed.is_empty() {
            "read"
        } else {
            "failed"
        };
        if !read.iter().any(|(i, _)| passes[*i]) {
            return None;
        }
        // Every package once, naming every tab it was seen in.
        let mut uniques = across::merge(read.iter().map(|(i, p)| (*i, &accounts[*i], &p[..])));
        uniques.retain(|u| u.seen_in.iter().any(|&i| passes[i]));
        let owners = across::Owners::of(&uniques);
        let counts = Counts::of(uniques.iter().map(|u| u.package), now, thresholds);
        // Identical rows merge within one owner (the same tabs).
        let list = warnings(uniques.iter().zip(&owners.of).map(|(u, &o)| (o, std::slice::from_ref(u.package))), now, thresholds);
        let groups = grouped(&list, now);
        let rows = |merged: &[Merged]| -> (Vec<WarningRow>, usize) {
            let shown = merged.iter().take(WARNINGS_SHOWN).map(|m| warning_row(m, &owners.seen_in[m.first.tenant], &labels, now)).collect();
            (shown, merged.len().saturating_sub(WARNINGS_SHOWN))
        };
        let (unprotected_rows, upcoming_rows, frozen_rows) = (rows(&groups.unprotected), rows(&groups.upcoming), rows(&groups.frozen_or_closed));
        let packages_in = |group: &[Merged]| group.iter().map(|m| m.count).sum::<usize>();
        let renewing_packages = packages_in(&groups.renewing);
        let warnings_html = render::warnings(
            &WarningGroups {
                unprotected: (&unprotected_rows.0, unprotected_rows.1),
                upcoming: (&upcoming_rows.0, upcoming_rows.1),
                frozen_or_closed: (&frozen_rows.0, frozen_rows.1),
            },
            thresholds,
            unsure.is_none(),
            counts.by_urgency[Urgency::Unknown as usize],
        );
        let folded = |key: &'static str, group: &[Merged], summary: String| {
            let (rows, more) = rows(group);
            Folded { key, summary, rows, more }
        };
        let expired =
            folded("expired", &groups.expired, crate::i18n::plural(packages_in(&groups.expired) as u64, "Expired: {0} package", "Expired: {0} packages"));
        let renewing = folded(
            "renewing",
            &groups.renewing,
            crate::i18n::plural(renewing_packages as u64, "Renews automatically: {0} package", "Renews automatically: {0} packages"),
        );
        // What renews by itself needs nobody.
        let need_attention = groups.packages() - renewing_packages;
        let points: Vec<_> =
            upcoming(uniques.iter().map(|u| u.package), now, TIMELINE_DAYS).into_iter().map(|(p, at)| (p.urgency(now, thresholds), at)).collect();
        // The alarm: hosts without protection, then what lapses (not what
        // renews by itself).
        let lapsing = match counts.lapsing(Urgency::Critical) {
            0 => None,
            n if thresholds.critical_days == 1 => Some(tf("{0} lapsing within {1} day", &[&n, &1])),
            n => Some(tf("{0} lapsing within {1} days", &[&n, &thresholds.critical_days])),
        };
        let bare = (counts.unprotected > 0).then(|| crate::i18n::plural(counts.unprotected as u64, "{0} host unprotected", "{0} hosts unprotected"));
        let title = [bare, lapsing].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        // Act now: what needs a person, ranked; the services that could not
        // be read first (what they hold is not known), and billing (without
        // it, what lapses on a date billing keeps is not on the list).
        let acts: Vec<render::ActRow> = act_now(&uniques, now, thresholds).iter().map(|a| act_row(a, &labels, now)).collect();
        let failed: Vec<String> = seen
            .iter()
            .filter_map(|(service, label, c)| match c {
                Coverage::Failed(e) => Some((service, label, tf("could not be read: {0}", &[&format::short_error(e)]))),
                Coverage::Stale(e) => Some((service, label, tf("not up to date, the refresh failed: {0}", &[&format::short_error(e)]))),
                _ => None,
            })
            .map(|(service, label, why)| match label.as_str() {
                "" => format!("{} {why}", format::service(*service)),
                tab => format!("{} · {tab} {why}", format::service(*service)),
            })
            .collect();
        Some(Parts {
            act: render::act_now(&acts, &failed, thresholds.critical_days, unsure.as_deref(), counts.by_urgency[Urgency::Unknown as usize]),
            acts: (acts, failed),
            figures: render::figures(&counts, thresholds, billing == "read"),
            warnings: warnings_html,
            expired,
            renewing,
            timeline: render::timeline(&points, now, TIMELINE_DAYS, thresholds),
            total: counts.total(),
            need_attention,
            left_out,
            title,
            billing,
        })
    });
    // The page title says what needs attention, so a background tab shows
    // it; set when it changes only (setting it costs the browser a few
    // milliseconds, and the parts change with every service's answer), and
    // in a task after the one that draws the page, which it does not hold up.
    let title = Memo::new(move |_| parts.try_with(|p| p.as_ref().map(|p| p.title.clone()).unwrap_or_default()).unwrap_or_default());
    Effect::new(move |_| {
        let title = title.get();
        let page = if title.is_empty() { "tenantscope".to_string() } else { format!("{title} — tenantscope") };
        set_timeout(move || document().set_title(&page), std::time::Duration::ZERO);
    });
    // The figures' and rows' buttons (`data-filter`), by delegation: a
    // figure shows its packages, a row its package in its panel (under "All
    // tenants", in the panel across tabs, narrowed to the row's tab). The
    // tab, "All tenants" and the sort stay; the other filters are replaced.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("[data-filter]").ok().flatten()) else {
            return;
        };
        let (filter, value) = (button.get_attribute("data-filter").unwrap_or_default(), button.get_attribute("data-value").unwrap_or_default());
        let service = button.get_attribute("data-service").and_then(|k| Service::from_key(&k));
        let tab = button.get_attribute("data-tab").and_then(|t| t.parse::<usize>().ok());
        view.update(|v| {
            let mut next = v.cleared();
            // The region filter stays: the rows shown are all in it.
            next.region = v.region.clone();
            match (v.all_tenants, tab) {
                (true, Some(tab)) => next.tenant = Some(tab),
                (true, None) => next.tenant = v.tenant,
                (false, tab) => next.tab = tab.unwrap_or(v.tab),
            }
            match filter.as_str() {
                "urgency" => next.urgency = Urgency::ALL.into_iter().find(|u| u.key() == value),
                "attention" => {
                    next.frozen_or_closed = value == FROZEN_OR_CLOSED;
                    next.used_up = value == USED_UP;
                    next.runs_out = value == RUNS_OUT;
                }
                "renewal" => next.renewal = crate::domain::Renewal::from_key(&value),
                "status" => next.status = Status::ALL.into_iter().find(|s| s.key() == value),
                "package" => {
                    next.service = service;
                    next.text = value.clone();
                }
                _ => return,
            }
            *v = next;
        });
        // To the packages: the panel of the row's service, or the filters.
        let target = match service {
            Some(s) if filter == "package" => format!(r#".panels .panel[data-service="{}"]"#, s.key()),
            _ => ".filters".to_string(),
        };
        request_animation_frame(move || {
            if let Some(el) = document().query_selector(&target).ok().flatten() {
                el.scroll_into_view();
            }
        });
    };
    let part = move |f: fn(&Parts) -> String| move || parts.try_with(|p| p.as_ref().map(f).unwrap_or_default()).unwrap_or_default();
    // The parts with controls in them, drawn keeping the keyboard's focus.
    let html = move |f: fn(&Parts) -> String| Signal::derive(part(f));
    // The folds' bodies, drawn only while open.
    let act_more = Signal::derive(move || parts.try_with(|p| p.as_ref().map(|p| render::act_more(&p.acts.0, &p.acts.1))).flatten().unwrap_or_default());
    let act_all = move || parts.try_with(|p| p.as_ref().map(|p| p.acts.0.len() + p.acts.1.len())).flatten().unwrap_or(0);
    let folded = move |f: fn(&Parts) -> &Folded| {
        let summary = Signal::derive(move || parts.try_with(|p| p.as_ref().map(|p| f(p).summary.clone())).flatten().unwrap_or_default());
        let body = Signal::derive(move || {
            let t = thresholds.get();
            parts.try_with(|p| p.as_ref().map(|p| render::folded_warnings(f(p).key, &f(p).rows, f(p).more, t))).flatten().unwrap_or_default()
        });
        let shown = move || parts.try_with(|p| p.as_ref().is_some_and(|p| !f(p).rows.is_empty())).unwrap_or(false);
        (summary, body, shown)
    };
    let (expired_summary, expired_body, expired_shown) = folded(|p| &p.expired);
    let (renewing_summary, renewing_body, renewing_shown) = folded(|p| &p.renewing);
    view! {
        <Show when=move || parts.try_with(Option::is_some).unwrap_or(false)>
            // What needs a person, first thing: ranked, nothing scrolls in a box.
            <section class="act-now" aria-labelledby="act-now-title" on:click=on_click>
                <h2 id="act-now-title">{tr(lang, "Act now")}</h2>
                <div use:drawn=html(|p| p.act.clone())></div>
                <Show when=move || { act_all() > render::ACT_SHOWN }>
                    <Fold class="act-more" summary=Signal::derive(move || tf("All {0}", &[&act_all()])) body=act_more />
                </Show>
            </section>
            <Show when=move || since.try_with(Option::is_some).unwrap_or(false)>
                <div class="since-wrap" on:click=on_click use:drawn=Signal::derive(move || since.try_get().flatten().unwrap_or_default())></div>
            </Show>
            <section class="overview" aria-labelledby="overview-title" on:click=on_click data-billing=move || parts.try_with(|p| p.as_ref().map(|p| p.billing)).flatten()>
                <h2 id="overview-title">{tr(lang, "Overview")}</h2>
                <p class="muted">{part(|p| tf("{0} packages; {1} need attention.", &[&p.total, &p.need_attention]))}</p>
                {move || {
                    let left_out = part(|p| p.left_out.clone())();
                    (!left_out.is_empty()).then(|| view! { <p class="notice notice-warn coverage" data-state="left-out">{left_out}</p> })
                }}
                <div use:drawn=html(|p| p.figures.clone())></div>
                <div class="overview-grid">
                    <div>
                        <h3>{tr(lang, "Expiry warnings")}</h3>
                        // Scrolls: focusable so that keys can scroll it too.
                        <div class="table-wrap" tabindex="0" role="region" aria-label=tr(lang, "Expiry warnings")>
                            <div use:drawn=html(|p| p.warnings.clone())></div>
                            <Show when=expired_shown>
                                <Fold class="expired-group" summary=expired_summary body=expired_body />
                            </Show>
                            <Show when=renewing_shown>
                                <Fold class="renewing-group" summary=renewing_summary body=renewing_body />
                            </Show>
                        </div>
                    </div>
                    <div>
                        <h3>{tr(lang, "Upcoming expiries, next 90 days")}</h3>
                        <div use:drawn=html(|p| p.timeline.clone())></div>
                    </div>
                </div>
            </section>
        </Show>
    }
}

/// What the overview draws, from every package counted once.
#[derive(Clone, Debug, PartialEq)]
struct Parts {
    /// Act now's first lines, and every line with the failed services'
    /// (for its fold).
    act: String,
    acts: (Vec<render::ActRow>, Vec<String>),
    figures: String,
    /// The warnings in sight, then the two folded groups.
    warnings: String,
    expired: Folded,
    renewing: Folded,
    timeline: String,
    total: usize,
    need_attention: usize,
    /// What the figures leave out, and why.
    left_out: String,
    /// The page title's words.
    title: String,
    /// `waiting`, `read` or `failed`.
    billing: &'static str,
}

/// A folded group of warnings: its summary, its rows and how many more.
#[derive(Clone, Debug, PartialEq)]
struct Folded {
    key: &'static str,
    summary: String,
    rows: Vec<WarningRow>,
    more: usize,
}

/// One line of the act-now list: why in words, what, where, when and what
/// to do.
fn act_row(a: &Act, labels: &[String], now: Instant) -> render::ActRow {
    let p = a.package;
    let why = match a.reason {
        Reason::Unprotected => tf("Host {0} unprotected: its quota expired", &[&format::host(p)]),
        Reason::Frozen => t("Frozen: renew or unfreeze it").to_string(),
        Reason::Closed => t("Closed: buy it again if it is still needed").to_string(),
        // Billing's word where it gave one ("is deleted on …").
        Reason::Lapses => format::renewal(p, now).map_or_else(|| t("Lapses unless renewed").to_string(), |words| tf("Lapses: {0}", &[&words])),
        Reason::UsedUp => match p.usage_ratio() {
            Some(r) if r > 1.0 => tf("Over its quota: {0}", &[&format::usage(p, now)]),
            _ => tf("Used up: {0}", &[&format::usage(p, now)]),
        },
        Reason::RunsOut => format::forecast(p).map_or_else(|| t("Runs out at its pace").to_string(), |(_, words)| words),
    };
    // The date that matters: the next step where the service gives one.
    let at = match a.reason {
        Reason::RunsOut => p.runs_out(now),
        _ => p.next.map(|n| n.at).or(p.expiry.instant()),
    };
    let place = match across::names(a.seen_in, labels) {
        tabs if tabs.is_empty() => format::service(p.service).to_string(),
        tabs => format!("{} · {tabs}", format::service(p.service)),
    };
    render::ActRow {
        reason: a.reason,
        name: format::name(p),
        place,
        why,
        at,
        when: at.map(|at| format::relative(Relative::between(at, now))).unwrap_or_default(),
        renew: p.renew_url.clone(),
        service: p.service.key(),
        find: p.id.clone(),
        tab: a.seen_in.first().copied().unwrap_or_default(),
    }
}

/// One row of the warnings: how far away (or why it is listed), what comes
/// next, and where it lives: its service and, under "All tenants", every
/// tab it was seen in (`seen_in`, named by `labels`).
fn warning_row(m: &Merged, seen_in: &[usize], labels: &[String], now: Instant) -> WarningRow {
    let (w, p) = (m.first, m.first.package);
    let at = p.expiry.instant();
    // Expired by the service's word, with no date or a later one.
    let mut phrase = match (at, w.urgency) {
        (Some(at), _) if !w.said_expired => format::relative(Relative::between(at, now)),
        // Expired by its lifecycle stage (grace or retention period).
        (_, Urgency::Expired) if p.lifecycle.as_ref().is_some_and(Lifecycle::past_expiry) => {
            p.lifecycle.as_ref().and_then(format::lifecycle).unwrap_or_default().to_string()
        }
        (_, Urgency::Expired) => t("the service says it has expired").into(),
        _ => String::new(),
    };
    // Frozen or closed whatever the date, and what comes next
    // (CodeArts Check: frozen, deleted, or pay-per-use at expiry).
    // A lapsed quota still bound to a host names the host; billing's
    // policy says what happens at expiry.
    let host = p.unprotected(now).then(|| tf("still bound to host {0}", &[&format::host(p)]));
    let extra =
        [host, w.attention.map(|a| format::attention(a).to_string()), format::renewal(p, now), p.next.map(|n| tf("next: {0}", &[&format::next_step(n, now)]))];
    for part in extra.into_iter().flatten() {
        if !phrase.is_empty() {
            phrase.push_str("; ");
        }
        phrase.push_str(&part);
    }
    let place = match across::names(seen_in, labels) {
        tabs if tabs.is_empty() => format::service(p.service).to_string(),
        tabs => format!("{} · {tabs}", format::service(p.service)),
    };
    // A merged row finds all of its packages by their shared name.
    let find = if m.count > 1 { p.name.clone() } else { p.id.clone() };
    WarningRow {
        urgency: w.urgency,
        at,
        place,
        name: format::name(p),
        phrase,
        count: m.count,
        service: p.service.key(),
        find,
        tab: seen_in.first().copied().unwrap_or_default(),
    }
}
