//! Settings that persist in localStorage: the proxy URL, the time zone, the urgency
//! thresholds, the theme, the language and the auto-refresh interval. Never the token:
//! it stays in memory unless the person opts in to "Remember in this tab",
//! and then only in sessionStorage ([`remember`]).

use crate::domain::{Thresholds, Zone};
use crate::i18n::{t, Lang};

/// Where the proxy's API lives when nothing else is set: the page's own
/// origin, as served by `tenantscope-proxy --static`.
pub const DEFAULT_PROXY: &str = "/api";

/// Light, dark, or whatever the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub const fn key(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => t("Follow the system"),
            Theme::Light => t("Light"),
            Theme::Dark => t("Dark"),
        }
    }

    pub fn from_key(key: &str) -> Theme {
        Theme::ALL.into_iter().find(|t| t.key() == key).unwrap_or_default()
    }
}

/// The region the session form starts with when nothing else is set.
pub const DEFAULT_REGION: &str = "cn-north-4";

/// Everything the person can set, and the region the form starts with
/// (set by the deployer's `config.json` only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub proxy: String,
    pub region: String,
    pub thresholds: Thresholds,
    pub theme: Theme,
    /// Minutes between automatic refreshes; 0 for never.
    pub auto_refresh_minutes: u32,
    pub lang: Lang,
    /// The time zone dates and times are shown in.
    pub zone: Zone,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            proxy: DEFAULT_PROXY.into(),
            region: DEFAULT_REGION.into(),
            thresholds: Thresholds::default(),
            theme: Theme::System,
            auto_refresh_minutes: 0,
            lang: Lang::En,
            zone: Zone::Browser,
        }
    }
}

/// The choices offered for auto-refresh, in minutes (0: off).
pub const AUTO_REFRESH_CHOICES: [u32; 5] = [0, 5, 15, 30, 60];

/// Checks two thresholds typed by hand: whole days, critical at least 1 and
/// below warning, warning at most ten years.
pub fn thresholds(critical: &str, warning: &str) -> Result<Thresholds, &'static str> {
    let (Ok(critical_days), Ok(warning_days)) = (critical.trim().parse::<u32>(), warning.trim().parse::<u32>()) else {
        return Err(t("Enter the thresholds as whole numbers of days."));
    };
    if critical_days == 0 || critical_days >= warning_days || warning_days > 3650 {
        return Err(t("The critical threshold must be at least 1 day and below the warning threshold (at most 3650 days)."));
    }
    Ok(Thresholds { critical_days, warning_days })
}

/// Checks a proxy URL typed by hand: a path on this site (`/api`) or an
/// http(s) URL, without spaces. A trailing `/` is dropped.
pub fn proxy_url(text: &str) -> Result<String, &'static str> {
    let url = text.trim().trim_end_matches('/');
    let scheme_ok = url.starts_with('/') || url.starts_with("https://") || url.starts_with("http://");
    if url.is_empty() || !scheme_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains(['?', '#']) {
        return Err(t("Enter the proxy's API base as a path on this site (/api) or a URL such as https://proxy.example.com/api."));
    }
    Ok(url.to_string())
}

const PREFIX: &str = "tenantscope.";
const KEYS: [&str; 7] = ["proxy", "critical", "warning", "theme", "refresh", "lang", "zone"];

impl Settings {
    /// Reads settings from `get` (a storage lookup by key); whatever is
    /// missing or unreadable keeps its built-in default.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Settings {
        Settings::read_over(Settings::default(), get)
    }

    /// Reads the person's settings from `get` over `base` (the deployment's
    /// defaults): whatever is missing or unreadable keeps `base`'s value.
    pub fn read_over(base: Settings, get: impl Fn(&str) -> Option<String>) -> Settings {
        let mut s = base;
        if let Some(p) = get("proxy").filter(|p| !p.trim().is_empty()) {
            s.proxy = p;
        }
        if let (Some(c), Some(w)) = (get("critical"), get("warning")) {
            s.thresholds = thresholds(&c, &w).unwrap_or(s.thresholds);
        }
        if let Some(theme) = get("theme").and_then(|k| Theme::ALL.into_iter().find(|t| t.key() == k)) {
            s.theme = theme;
        }
        if let Some(m) = get("refresh").and_then(|m| m.parse().ok()).filter(|m| AUTO_REFRESH_CHOICES.contains(m)) {
            s.auto_refresh_minutes = m;
        }
        if let Some(l) = get("lang").and_then(|l| Lang::from_key(&l)) {
            s.lang = l;
        }
        if let Some(z) = get("zone").and_then(|k| Zone::ALL.into_iter().find(|z| z.key() == k)) {
            s.zone = z;
        }
        s
    }

    /// The key/value pairs [`Settings::read`] reads back.
    pub fn pairs(&self) -> [(&'static str, String); 7] {
        let values = [
            self.proxy.clone(),
            self.thresholds.critical_days.to_string(),
            self.thresholds.warning_days.to_string(),
            self.theme.key().to_string(),
            self.auto_refresh_minutes.to_string(),
            self.lang.key().to_string(),
            self.zone.key(),
        ];
        let mut i = 0;
        values.map(|v| {
            i += 1;
            (KEYS[i - 1], v)
        })
    }

    /// The person's saved settings over `base` ([`Deployment::settings_here`](crate::deployment::Deployment::settings_here)).
    pub fn load(base: Settings) -> Settings {
        let storage = local();
        Settings::read_over(base, |key| storage.as_ref().and_then(|s| s.get_item(&format!("{PREFIX}{key}")).ok().flatten()))
    }

    /// What [`Settings::save`] keeps of these over `base`: only what differs
    /// from it (the thresholds as a pair), so that what the person never
    /// changed follows the deployment's `config.json` when it changes.
    /// `None`: remove the key.
    pub fn changes(&self, base: &Settings) -> Vec<(&'static str, Option<String>)> {
        let (mine, theirs) = (self.pairs(), base.pairs());
        let thresholds_differ = self.thresholds != base.thresholds;
        mine.into_iter()
            .zip(theirs)
            .map(|((key, value), (_, default))| {
                let keep = match key {
                    "critical" | "warning" => thresholds_differ,
                    _ => value != default,
                };
                (key, keep.then_some(value))
            })
            .collect()
    }

    pub fn save(&self, base: &Settings) {
        if let Some(s) = local() {
            for (key, value) in self.changes(base) {
                // Storage may be full or disabled (private mode): the
                // settings then last for this page only, which is all that
                // is lost.
                let key = format!("{PREFIX}{key}");
                let _ = match value {
                    Some(v) => s.set_item(&key, &v),
                    None => s.remove_item(&key),
                };
            }
        }
    }
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// "Remember in this tab": the open connections, token included, kept in
/// sessionStorage, which the browser clears when the tab closes. Only when
/// the person ticks the box; unticking or "Forget token" removes it.
pub mod remember {
    const KEY: &str = "tenantscope.session";

    fn session() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    /// One remembered connection: token, region, project, CodeArts project.
    pub type Entry = [String; 4];

    /// Lines of tab-separated fields; neither tokens nor ids contain tabs or
    /// line breaks (tokens with whitespace are refused before use).
    pub fn encode(entries: &[Entry]) -> String {
        entries.iter().map(|e| e.join("\t")).collect::<Vec<_>>().join("\n")
    }

    pub fn decode(text: &str) -> Vec<Entry> {
        text.lines()
            .filter_map(|line| {
                let mut f = line.split('\t').map(str::to_string);
                Some([f.next()?, f.next()?, f.next()?, f.next()?]).filter(|e| !e[0].is_empty())
            })
            .collect()
    }

    pub fn load() -> Vec<Entry> {
        session().and_then(|s| s.get_item(KEY).ok().flatten()).map(|t| decode(&t)).unwrap_or_default()
    }

    /// Keeps `entries`, or removes the key when there are none.
    pub fn store(entries: &[Entry]) {
        if let Some(s) = session() {
            let _ = if entries.is_empty() { s.remove_item(KEY) } else { s.set_item(KEY, &encode(entries)) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_checked() {
        assert_eq!(thresholds(" 3 ", "14"), Ok(Thresholds { critical_days: 3, warning_days: 14 }));
        assert!(thresholds("0", "30").is_err());
        assert!(thresholds("30", "30").is_err());
        assert!(thresholds("7", "4000").is_err());
        assert!(thresholds("7.5", "30").is_err());
        assert!(thresholds("", "30").is_err());
    }

    #[test]
    fn proxy_urls_are_checked() {
        assert_eq!(proxy_url(" /api/ "), Ok("/api".to_string()));
        assert_eq!(proxy_url("https://p.example/api"), Ok("https://p.example/api".to_string()));
        assert!(proxy_url("").is_err());
        assert!(proxy_url("/").is_err());
        assert!(proxy_url("ftp://p.example").is_err());
        assert!(proxy_url("p.example/api").is_err());
        assert!(proxy_url("https://p.example/a pi").is_err());
        assert!(proxy_url("https://p.example/api?token=x").is_err());
    }

    #[test]
    fn settings_round_trip_and_forgive() {
        let s = Settings {
            proxy: "https://p.example/api".into(),
            region: DEFAULT_REGION.into(),
            thresholds: Thresholds { critical_days: 2, warning_days: 9 },
            theme: Theme::Dark,
            auto_refresh_minutes: 15,
            lang: Lang::PtBr,
            zone: Zone::HUAWEI_CLOUD,
        };
        let pairs = s.pairs();
        assert_eq!(Settings::read(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone())), s);
        assert_eq!(Settings::read(|_| None), Settings::default());
        let odd = Settings::read(|k| {
            Some(
                match k {
                    "critical" => "40",
                    "refresh" => "7",
                    "theme" => "neon",
                    "lang" => "klingon",
                    "zone" => "UTC+99",
                    _ => " ",
                }
                .to_string(),
            )
        });
        assert_eq!(odd, Settings::default());
    }

    #[test]
    fn the_deployments_defaults_give_way_to_the_persons_own() {
        let deployment = crate::deployment::parse(
            r#"{"proxy": "https://p.example/api", "region": "cn-east-3", "thresholds": {"critical_days": 3, "warning_days": 14}, "lang": "pt-BR"}"#,
        )
        .deployment;
        let base = deployment.settings();
        assert_eq!(
            (base.proxy.as_str(), base.region.as_str(), base.thresholds.critical_days, base.lang),
            ("https://p.example/api", "cn-east-3", 3, Lang::PtBr)
        );
        // Nothing of the person's own: the deployment's, and nothing to keep.
        assert_eq!(Settings::read_over(base.clone(), |_| None), base);
        assert!(base.changes(&base).iter().all(|(_, v)| v.is_none()));
        // The person's own win, and only they are kept.
        let mine = Settings { theme: Theme::Dark, lang: Lang::En, ..base.clone() };
        let kept: Vec<_> = mine.changes(&base).into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
        assert_eq!(kept, [("theme", "dark".to_string()), ("lang", "en".to_string())]);
        assert_eq!(Settings::read_over(base.clone(), |k| kept.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone())), mine);
        // Thresholds are kept as a pair.
        let warning = Settings { thresholds: Thresholds { critical_days: 3, warning_days: 60 }, ..base.clone() };
        let kept: Vec<_> = warning.changes(&base).into_iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k).collect();
        assert_eq!(kept, ["critical", "warning"]);
    }

    #[test]
    fn remembered_connections_round_trip() {
        let entries =
            vec![["tok1".to_string(), "cn-north-4".into(), "p1".into(), "".into()], ["tok2".to_string(), "ap-southeast-3".into(), "".into(), "c2".into()]];
        assert_eq!(remember::decode(&remember::encode(&entries)), entries);
        assert!(remember::decode("").is_empty());
        assert!(remember::decode("only\ttwo").is_empty());
        assert!(remember::decode("\ta\tb\tc").is_empty());
    }
}
