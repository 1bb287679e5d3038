//! The sign-in with access keys: key ID, secret key and the
//! optional security token of temporary keys; every region of the account
//! opened at once. With the wording only signed calls need (a refused
//! signature, an unknown key, a clock that is off), so that it all comes
//! with the console's code and texts, not the first page load.

use leptos::prelude::*;

use crate::api::{is_bad_signature, AccessKeys, ApiError, Credentials, Gateway, KeyError};
use crate::components::tr;
use crate::format;
use crate::i18n::{plural, t, tf, Lang};
use crate::net::account_projects;
use crate::session::{plan_regions, region_connections, Connection, RegionPlan, Skipped};
use crate::settings;

/// The keys of the sign-in in use, and the account's projects they listed.
#[derive(Clone, Debug)]
struct Held {
    gateway: Gateway,
    keys: AccessKeys,
    plan: RegionPlan,
}

/// What the last sign-in met.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Checking,
    Opened { key_id: String, plan: RegionPlan, clock_ms: i64 },
    Failed(ApiError),
}

/// Access keys instead of a token. The account's projects come from IAM
/// (`GET /v3/auth/projects`, signed), and "Inspect all regions" opens one
/// tab per project in every region where a package service is offered,
/// then the view across them. Every call is signed in the browser; the
/// secret key lives in memory only: never stored (not even with "Remember
/// in this tab"), never shown back (the field is emptied once the keys are
/// in use), and Forget wipes it with every tab signed with it.
#[component]
pub fn AccessKeyForm(
    /// The proxy's API base, from the settings.
    proxy: Signal<String>,
    /// Called with one connection per project to inspect, to open as tabs
    /// in place of those signed with keys before.
    on_open_all: Callback<Vec<Connection>>,
    /// Called when the keys are forgotten: the tabs signed with them close.
    on_forget: Callback<()>,
    /// The language.
    lang: Signal<Lang>,
) -> impl IntoView {
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let security_token = RwSignal::new(String::new());
    // The keys in use once a sign-in worked, in memory until Forget (the
    // tabs' gateways hold them too), with the account's projects as IAM
    // listed them (the choices): the secret fields are then empty, and
    // another choice of projects needs no secret typed again.
    let held = RwSignal::new(None::<Held>);
    let in_use = move || held.with(Option::is_some);
    // The project to open ("": every one).
    let chosen = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Outcome>);
    // A sign-in that another one (or Forget) overtook: its answer is dropped.
    let attempt = StoredValue::new(0u32);
    // Opens the chosen projects of `plan` with the keys held.
    let open_chosen = move || {
        let pick = chosen.get_untracked();
        let Some((plan, connections, key_id, clock_ms)) = held.with_untracked(|h| {
            let Held { gateway, keys, plan } = h.as_ref()?;
            let plan = RegionPlan { inspect: plan.inspect.iter().filter(|(_, p)| pick.is_empty() || p.id == pick).cloned().collect(), ..plan.clone() };
            let connections = region_connections(gateway, keys, &plan);
            Some((plan, connections, keys.access_key_id.clone(), keys.sign_in.offset_ms()))
        }) else {
            return;
        };
        outcome.set(Some(Outcome::Opened { key_id, plan, clock_ms }));
        on_open_all.run(connections);
    };
    let sign_in = move || {
        let typed = (key_id.get_untracked(), secret.get_untracked(), security_token.get_untracked());
        // The keys in use, for another choice of projects.
        let same_keys = held.with_untracked(|h| h.as_ref().is_some_and(|h| h.keys.access_key_id == typed.0.trim()));
        if typed.1.is_empty() && same_keys {
            problem.set(None);
            return open_chosen();
        }
        let keys = match AccessKeys::parse(&typed.0, &typed.1, &typed.2) {
            Ok(keys) => keys,
            Err(KeyError::NoSecret) if untrack(in_use) => {
                return problem.set(Some(t("The secret access key is not kept in the form once in use: enter it again to sign in again.").into()))
            }
            Err(e) => return problem.set(Some(key_error(e).to_string())),
        };
        let proxy = match settings::proxy_url(&proxy.get_untracked()) {
            Ok(url) => url,
            Err(e) => return problem.set(Some(tf("{0} (Settings, Proxy URL)", &[&e]))),
        };
        problem.set(None);
        outcome.set(Some(Outcome::Checking));
        attempt.update_value(|n| *n += 1);
        let this = attempt.get_value();
        leptos::task::spawn_local(async move {
            let gateway = Gateway::new(proxy, Credentials::AccessKeys(keys.clone()));
            let answer = account_projects(&gateway).await;
            // (`try_`: the form may be gone by then.)
            if attempt.try_get_value() != Some(this) {
                return;
            }
            match answer {
                Ok(projects) => {
                    let plan = plan_regions(&projects);
                    // From here the form holds the keys in memory only: the
                    // fields are emptied.
                    held.set(Some(Held { gateway, keys, plan }));
                    secret.set(String::new());
                    security_token.set(String::new());
                    // New keys: every project, and the new list to choose from.
                    chosen.set(String::new());
                    open_chosen();
                }
                // What was typed stays, to be corrected.
                Err(e) => outcome.set(Some(Outcome::Failed(e))),
            }
        });
    };
    let forget = move |_| {
        attempt.update_value(|n| *n += 1);
        for field in [key_id, secret, security_token, chosen] {
            field.set(String::new());
        }
        held.set(None);
        outcome.set(None);
        problem.set(None);
        on_forget.run(());
    };
    let status = move || {
        lang.get();
        Some(match outcome.get()? {
            Outcome::Checking => t("Signing in: listing the account's projects…").to_string(),
            Outcome::Opened { key_id, plan, clock_ms } => opened(&key_id, &plan, clock_ms),
            Outcome::Failed(e) => {
                let hint = hint(&e, None, true);
                tf("The access keys could not sign in: {0} {1}", &[&format::sentence(&format::error(&e)), &hint])
            }
        })
    };
    let failed = move || outcome.with(|o| matches!(o, Some(Outcome::Failed(_)))).then_some("");
    let input = |field: RwSignal<String>| move |ev| field.set(event_target_value(&ev));

    view! {
        <form class="session session-keys" autocomplete="off" on:submit=move |ev| { ev.prevent_default(); sign_in() }>
            <label class="field">
                <span>{tr(lang, "Access key ID")}</span>
                <input id="access-key-id" name="access-key-id" spellcheck="false" autocomplete="off" placeholder="HPUA…"
                    aria-describedby="keys-status" prop:value=move || key_id.get() on:input=input(key_id) />
            </label>
            <label class="field">
                <span>{tr(lang, "Secret access key")}</span>
                // Masked, and never written back: the field shows only what
                // is typed, and is emptied once the keys are in use.
                // Not a password to keep: `one-time-code` and the managers'
                // own opt-outs, so that no browser offers to save it.
                <input type="password" id="secret-key" name="secret-key" spellcheck="false" autocomplete="one-time-code" data-lpignore="true" data-1p-ignore=""
                    placeholder=move || { lang.get(); if in_use() { t("in memory until Forget") } else { "" } }
                    prop:value=move || secret.get() on:input=input(secret) />
            </label>
            <label class="field field-token">
                <span>{tr(lang, "Security token (temporary keys only)")}</span>
                <input type="password" id="security-token" name="security-token" spellcheck="false" autocomplete="one-time-code" data-lpignore="true" data-1p-ignore=""
                    placeholder=tr(lang, "optional") prop:value=move || security_token.get() on:input=input(security_token) />
            </label>
            // The account's projects, once listed: all of them, or one.
            {move || held.with(|h| h.as_ref().map(|h| h.plan.clone())).filter(|plan| plan.inspect.len() > 1).map(|plan| {
                lang.get();
                let all = plural(plan.inspect.len() as u64, "All regions ({0} project)", "All regions ({0} projects)");
                view! {
                    <div class="field">
                        <label for="keys-project">{t("Projects")}</label>
                        <select id="keys-project" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="" prop:selected=move || chosen.with(String::is_empty)>{all}</option>
                            {plan.inspect.into_iter().map(|(region, p)| {
                                let name = match tenantscope_catalog::region_by_id(&region) {
                                    Some(r) if p.name == region => format::region(r),
                                    _ => p.name.clone(),
                                };
                                let id = p.id.clone();
                                view! { <option value=p.id prop:selected=move || chosen.with(|c| *c == id)>{name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            })}
            <p class="muted keys-advice">{tr(lang, "Prefer temporary access keys (with their security token): they expire on their own within hours, so keys left behind in a browser soon stop working.")}</p>
            <div class="actions">
                <button type="submit" class="primary">{move || { lang.get(); if chosen.with(String::is_empty) { t("Inspect all regions") } else { t("Inspect") } }}</button>
                <button type="button" on:click=forget>{tr(lang, "Forget keys")}</button>
            </div>
            <p class="muted">{tr(lang, "The keys sign each call here, in the browser: the secret access key is never sent, stored or shown again.")}</p>
            <p class="discovery" id="keys-status" role="status" aria-live="polite" data-failed=failed>{status}</p>
            {move || problem.get().map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
        </form>
    }
}

/// What a sign-in opened, and what it left out and why.
fn opened(key_id: &str, plan: &RegionPlan, clock_ms: i64) -> String {
    let mut line = match plan.inspect.as_slice() {
        [] => tf("Signed in with {0}, but none of the account's projects is in a region where these services are offered.", &[&key_id]),
        [(_, one)] => tf("Signed in with {0}: {1} opened.", &[&key_id, &one.name]),
        more => tf("Signed in with {0}: {1} projects opened, one tab each.", &[&key_id, &more.len()]),
    };
    let skipped: Vec<String> = plan
        .skipped
        .iter()
        .map(|(name, why)| {
            let why = match why {
                Skipped::NotARegion => t("not a region"),
                Skipped::NothingOffered => t("none of the five services is offered there"),
                Skipped::Disabled => t("disabled"),
            };
            tf("{0} ({1})", &[name, &why])
        })
        .collect();
    if !skipped.is_empty() {
        line.push(' ');
        line.push_str(&tf("Not inspected: {0}.", &[&skipped.join(", ")]));
    }
    if let Some(clock) = clock_note(clock_ms) {
        line.push(' ');
        line.push_str(&clock);
    }
    line
}

/// What is wrong with the keys as typed, and what to do.
pub(crate) fn key_error(e: KeyError) -> &'static str {
    match e {
        KeyError::NoKeyId => t("Enter the access key ID (My Credentials, Access Keys, in the Huawei Cloud console)."),
        KeyError::BadKeyId => t("An access key ID has letters and digits only: check what was pasted."),
        KeyError::LooksLikeSecret => t("That looks like a secret access key (40 characters): the access key ID is the shorter one, 20 characters."),
        KeyError::NoSecret => t("Enter the secret access key that belongs to this key ID."),
        KeyError::Whitespace => t("The secret key or security token contains spaces or line breaks: copy the value alone."),
        KeyError::TooLong => t("The keys are longer than Huawei Cloud's: check what was pasted."),
    }
}

/// What to do about an authentication failure of a signed call: the
/// gateway's codes (docs/huawei-apis.md §6: APIGW.0303 for a signature it
/// cannot verify, from a wrong secret or a clock off by more than 15
/// minutes; APIG(W).0301 for a key it does not know). `None` otherwise.
pub(crate) fn signed_hint(e: &ApiError) -> Option<&'static str> {
    if is_bad_signature(e) {
        return Some(t("The signature was refused: check that the secret access key belongs to this key ID, and that this computer's clock is right."));
    }
    match e {
        ApiError::Http { status: 401, .. } => {
            Some(t("The access key ID is not known (or was deleted): check it; temporary keys also need their security token, and expire."))
        }
        _ => None,
    }
}

/// What to do about `error` of `service`: for a signed call, the hint of
/// [`signed_hint`] where it has one, else [`format::hint`].
pub(crate) fn hint(error: &ApiError, service: Option<tenantscope_catalog::Service>, signed: bool) -> String {
    signed.then(|| signed_hint(error)).flatten().map_or_else(|| format::hint(error, service), str::to_string)
}

/// The clock line, when the browser's clock is more than a minute off the
/// proxy's (calls are signed with the corrected time meanwhile).
pub(crate) fn clock_note(offset_ms: i64) -> Option<String> {
    // Whole minutes, rounded: the offset is measured to about a second.
    let minutes = (offset_ms.unsigned_abs() + 30_000) / 60_000;
    // The offset is the proxy's clock less the browser's.
    (minutes >= 1).then(|| match offset_ms > 0 {
        true => tf("This computer's clock is {0} min behind: calls are signed with the corrected time, but set the clock right.", &[&minutes]),
        false => tf("This computer's clock is {0} min ahead: calls are signed with the corrected time, but set the clock right.", &[&minutes]),
    })
}
