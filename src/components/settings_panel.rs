use leptos::prelude::*;

use crate::components::tr;
use crate::domain::Zone;
use crate::i18n::{self, tf, Lang};
use crate::settings::{self, Settings, Theme, AUTO_REFRESH_CHOICES};

/// Settings, kept in localStorage (never the token): the person's own (the
/// language, the two urgency thresholds, the theme and auto-refresh) and,
/// apart, the deployment's (the proxy URL). A value
/// that does not check out is kept as typed, with what to do, and not
/// applied.
#[component]
pub fn SettingsPanel(
    /// The settings in force.
    settings: RwSignal<Settings>,
    /// Set when the panel is first opened: the history's part comes with
    /// the console's code.
    opened: RwSignal<bool>,
    /// The history's part (whether to keep it, its size, Forget, Import,
    /// Export), from the console's code.
    history: ViewFn,
) -> impl IntoView {
    let lang = Signal::derive(move || settings.with(|s| s.lang));
    let initial = settings.get_untracked();
    let proxy = RwSignal::new(initial.proxy.clone());
    let critical = RwSignal::new(initial.thresholds.critical_days.to_string());
    let warning = RwSignal::new(initial.thresholds.warning_days.to_string());
    let problem = RwSignal::new(None::<&'static str>);

    let apply_proxy = move || match settings::proxy_url(&proxy.get_untracked()) {
        Ok(url) => {
            problem.set(None);
            settings.update(|s| s.proxy = url);
        }
        Err(e) => problem.set(Some(e)),
    };
    let apply_thresholds = move || match settings::thresholds(&critical.get_untracked(), &warning.get_untracked()) {
        Ok(t) => {
            problem.set(None);
            settings.update(|s| s.thresholds = t);
        }
        Err(e) => problem.set(Some(e)),
    };
    let text = |field: RwSignal<String>| move |ev| field.set(event_target_value(&ev));
    let pick_zone = move |ev| {
        let zone = Zone::from_key(&event_target_value(&ev));
        // Read as the views redraw, like the language.
        crate::format::set_zone(zone);
        settings.update(|s| s.zone = zone);
    };
    let pick_lang = move |ev| {
        let lang = Lang::from_key(&event_target_value(&ev)).unwrap_or_default();
        // Its texts first (a file beside the page); until they are in, and
        // if they fail, the page keeps its language.
        leptos::task::spawn_local(async move {
            match i18n::load(lang).await {
                Ok(()) => {
                    // The formatting functions read it as the views redraw.
                    i18n::set_lang(lang);
                    problem.set(None);
                    settings.update(|s| s.lang = lang);
                }
                Err(_) => {
                    problem.set(Some(i18n::t("The texts of that language could not be fetched from this site. Check the network connection and try again.")))
                }
            }
        });
    };

    view! {
        <details class="settings" on:toggle=move |_| if !opened.get_untracked() { opened.set(true) }>
            <summary>{tr(lang, "Settings")}</summary>
            <div class="settings-body">
                <fieldset class="settings-group">
                <legend>{tr(lang, "Yours, kept in this browser")}</legend>
                <label class="field">
                    <span>{tr(lang, "Language")}</span>
                    <select id="lang" on:change=pick_lang>
                        {Lang::ALL.map(|l| view! {
                            <option value=l.key() lang=l.key() prop:selected=move || lang.get() == l>{l.label()}</option>
                        }).into_iter().collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{tr(lang, "Time zone")}</span>
                    <select id="zone" on:change=pick_zone>
                        {Zone::ALL.map(|zone| view! {
                            <option value=zone.key() prop:selected=move || settings.with(|s| s.zone == zone)>
                                {move || { lang.get(); zone_label(zone) }}
                            </option>
                        }).into_iter().collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{tr(lang, "Critical within (days)")}</span>
                    <input id="critical-days" type="number" min="1" inputmode="numeric" prop:value=move || critical.get()
                        on:input=text(critical) on:change=move |_| apply_thresholds() />
                </label>
                <label class="field">
                    <span>{tr(lang, "Warning within (days)")}</span>
                    <input id="warning-days" type="number" min="2" inputmode="numeric" prop:value=move || warning.get()
                        on:input=text(warning) on:change=move |_| apply_thresholds() />
                </label>
                <label class="field">
                    <span>{tr(lang, "Theme")}</span>
                    <select id="theme" on:change=move |ev| settings.update(|s| s.theme = Theme::from_key(&event_target_value(&ev)))>
                        {Theme::ALL.map(|theme| view! {
                            <option value=theme.key() prop:selected=move || settings.with(|s| s.theme == theme)>
                                {move || { lang.get(); theme.label() }}
                            </option>
                        }).into_iter().collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{tr(lang, "Auto-refresh")}</span>
                    <select id="auto-refresh" on:change=move |ev| {
                        let minutes = event_target_value(&ev).parse().unwrap_or(0);
                        settings.update(|s| s.auto_refresh_minutes = minutes)
                    }>
                        {AUTO_REFRESH_CHOICES.map(|m| view! {
                            <option value=m.to_string() prop:selected=move || settings.with(|s| s.auto_refresh_minutes == m)>
                                {move || { lang.get(); if m == 0 { i18n::t("Off").to_string() } else { tf("Every {0} min", &[&m]) } }}
                            </option>
                        }).into_iter().collect_view()}
                    </select>
                </label>
                </fieldset>
                // The history's (keep it, its size, Forget, Import, Export)
                // come with the console's code.
                {move || opened.get().then(|| history.run())}
                // Where the proxy runs is the deployment's business, not a
                // preference: apart, so nobody changes it by accident.
                <fieldset class="settings-group">
                <legend>{tr(lang, "Deployment")}</legend>
                <label class="field">
                    <span>{tr(lang, "Proxy URL")}</span>
                    <input id="proxy" name="proxy" prop:value=move || proxy.get() on:input=text(proxy)
                        on:change=move |_| apply_proxy() />
                </label>
                </fieldset>
                {move || problem.get().map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
            </div>
        </details>
    }
}

/// A zone as the settings offer it: the browser's with its offset now,
/// Huawei Cloud's (UTC+8), UTC.
fn zone_label(zone: Zone) -> String {
    match zone {
        Zone::Browser => {
            let offset = crate::format::browser_offset(crate::net::now());
            tf("This browser's ({0})", &[&crate::domain::time::offset_label(offset)])
        }
        Zone::HUAWEI_CLOUD => i18n::t("UTC+8, as Huawei Cloud's pages show it").to_string(),
        _ => i18n::t("UTC").to_string(),
    }
}
