//! The deployer's settings: an optional `config.json` beside `index.html`
//! (the proxy URL, the default region, the thresholds, the default
//! language), fetched by `index.html`'s script beside the wasm and read
//! once before the page is drawn. They replace the built-in
//! defaults; the person's own choices in Settings still win over them
//! ([`crate::settings::Settings::read_over`]).
//!
//! A missing `config.json` is normal (every default applies). A malformed
//! one is reported on the page, field by field; the fields that are right
//! still apply, the others keep their defaults.

#[cfg(test)]
use serde_json::Value;

use crate::domain::Thresholds;
use crate::i18n::Lang;
use crate::settings::{self, Settings};

/// Where the page looks for it: beside `index.html`, relative, so that the
/// site works at any path.
pub const FILE: &str = "config.json";

/// The fields it may set; each `None` keeps the built-in default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `"proxy"`: the proxy's API base (`https://proxy.example.com/api`).
    pub proxy: Option<String>,
    /// `"region"`: the region the session form starts with.
    pub region: Option<String>,
    /// `"thresholds"`: `{"critical_days": 7, "warning_days": 30}`.
    pub thresholds: Option<Thresholds>,
    /// `"lang"`: `"en"`, `"zh-CN"` or `"pt-BR"`, before the browser's.
    pub lang: Option<Lang>,
}

/// What is wrong with `config.json` (worded by `format::config_error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// It is not a JSON object.
    NotAnObject,
    /// It could not be fetched (an HTTP status other than 404, or none).
    Unreadable(Option<u16>),
    /// A field it does not know (a typo?).
    Unknown(String),
    /// A field whose value it cannot take.
    Field(Field),
}

/// The field a [`ConfigError::Field`] is about, each with its own rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Proxy,
    Region,
    Thresholds,
    Lang,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Proxy, Field::Region, Field::Thresholds, Field::Lang];

    pub const fn key(self) -> &'static str {
        match self {
            Field::Proxy => "proxy",
            Field::Region => "region",
            Field::Thresholds => "thresholds",
            Field::Lang => "lang",
        }
    }
}

/// What was read: the fields that apply, and what was wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigRead {
    pub deployment: Deployment,
    pub errors: Vec<ConfigError>,
}

/// A JSON value as `config.json` holds it, handed over from the page's own
/// `JSON.parse` (serde_json's parser would cost the first load about 7 KiB
/// of brotli; only the native tests use it, [`parse`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Text(String),
    Number(f64),
    Object(Vec<(String, Raw)>),
    /// Anything else: null, a boolean, an array.
    Other,
}

impl Raw {
    fn text(&self) -> Option<&str> {
        match self {
            Raw::Text(t) => Some(t),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<&Raw> {
        match self {
            Raw::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Deployment {
    /// The defaults a deployment's `config.json` sets (the built-in ones
    /// where it sets nothing).
    pub fn settings(&self) -> Settings {
        let (d, mut s) = (self, Settings::default());
        if let Some(p) = &d.proxy {
            s.proxy.clone_from(p);
        }
        if let Some(r) = &d.region {
            s.region.clone_from(r);
        }
        if let Some(t) = d.thresholds {
            s.thresholds = t;
        }
        if let Some(l) = d.lang {
            s.lang = l;
        }
        s
    }

    /// The defaults in force on this page: the deployment's, and where it
    /// sets no language, the browser's (so that a language the person never
    /// picked is never stored as if picked).
    pub fn settings_here(&self) -> Settings {
        let (d, mut s) = (self, self.settings());
        if d.lang.is_none() {
            if let Some(lang) = web_sys::window().and_then(|w| w.navigator().language()).and_then(|l| Lang::from_key(&l)) {
                s.lang = lang;
            }
        }
        s
    }
}

/// Reads `config.json`'s value: an object of the fields above.
pub fn read(value: &Raw) -> ConfigRead {
    let Raw::Object(fields) = value else {
        return ConfigRead { deployment: Deployment::default(), errors: vec![ConfigError::NotAnObject] };
    };
    let mut loaded = ConfigRead::default();
    for (name, value) in fields {
        let Some(field) = Field::ALL.into_iter().find(|f| f.key() == name) else {
            loaded.errors.push(ConfigError::Unknown(name.clone()));
            continue;
        };
        let d = &mut loaded.deployment;
        let ok = match field {
            Field::Proxy => value.text().and_then(|p| settings::proxy_url(p).ok()).map(|p| d.proxy = Some(p)),
            Field::Region => value.text().filter(|r| tenantscope_catalog::region_by_id(r).is_some()).map(|r| d.region = Some(r.to_string())),
            Field::Thresholds => thresholds(value).map(|t| d.thresholds = Some(t)),
            // Exactly a key the page offers: a deployer's typo is said, not guessed.
            Field::Lang => value.text().and_then(|l| Lang::ALL.into_iter().find(|x| x.key() == l)).map(|l| d.lang = Some(l)),
        };
        if ok.is_none() {
            loaded.errors.push(ConfigError::Field(field));
        }
    }
    loaded
}

/// `{"critical_days": 7, "warning_days": 30}`, by the rule of the settings.
fn thresholds(value: &Raw) -> Option<Thresholds> {
    let days = |key: &str| match value.get(key) {
        Some(Raw::Number(n)) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e9 => Some((*n as u64).to_string()),
        _ => None,
    };
    let t = settings::thresholds(&days("critical_days")?, &days("warning_days")?).ok()?;
    // Nothing else in it.
    matches!(value, Raw::Object(f) if f.len() == 2).then_some(t)
}

/// `config.json` as fetched: its HTTP status (`Some(0)`: no answer; `None`:
/// never asked for) and its value (`None`: not JSON).
pub fn of_answer(status: Option<u16>, value: Option<&Raw>) -> ConfigRead {
    let error = |status| ConfigRead { errors: vec![ConfigError::Unreadable(status)], ..ConfigRead::default() };
    match (status, value) {
        (None | Some(404), _) => ConfigRead::default(),
        (Some(0), _) => error(None),
        (Some(200..=299), Some(value)) => read(value),
        (Some(200..=299), None) => ConfigRead { errors: vec![ConfigError::NotAnObject], ..ConfigRead::default() },
        (Some(other), _) => error(Some(other)),
    }
}

/// What the page's script fetched of `config.json` (`index.html` puts
/// `{status, value}` in `globalThis.tenantscopeConfig`; status 0: no
/// answer; no value: not JSON), read. A missing file is no error; neither
/// is a page without the script (then nothing is deployed).
pub fn from_page() -> ConfigRead {
    use wasm_bindgen::JsValue;
    let get = |of: &JsValue, key: &str| js_sys::Reflect::get(of, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined());
    let Some(fetched) = get(&js_sys::global(), "tenantscopeConfig") else { return ConfigRead::default() };
    let status = get(&fetched, "status").and_then(|s| s.as_f64()).map(|s| s as u16);
    let value = get(&fetched, "value").map(|v| raw(&v, 0));
    of_answer(status, value.as_ref())
}

/// A JS value as [`Raw`] (nested at most a few levels: config.json is flat).
fn raw(v: &wasm_bindgen::JsValue, depth: u8) -> Raw {
    use wasm_bindgen::JsCast;
    if let Some(t) = v.as_string() {
        Raw::Text(t)
    } else if let Some(n) = v.as_f64() {
        Raw::Number(n)
    } else if depth < 3 && v.is_object() && !js_sys::Array::is_array(v) && v.dyn_ref::<js_sys::Object>().is_some() {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        Raw::Object(
            entries
                .iter()
                .filter_map(|e| {
                    let pair: js_sys::Array = e.dyn_into().ok()?;
                    Some((pair.get(0).as_string()?, raw(&pair.get(1), depth + 1)))
                })
                .collect(),
        )
    } else {
        Raw::Other
    }
}

/// Reads `config.json`'s text with serde_json, for the native tests (the
/// page parses it with `JSON.parse`, [`from_page`]).
#[cfg(test)]
pub fn parse(text: &str) -> ConfigRead {
    fn raw(v: &Value) -> Raw {
        match v {
            Value::String(t) => Raw::Text(t.clone()),
            Value::Number(n) => n.as_f64().map_or(Raw::Other, Raw::Number),
            Value::Object(m) => Raw::Object(m.iter().map(|(k, v)| (k.clone(), raw(v))).collect()),
            _ => Raw::Other,
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => read(&raw(&v)),
        Err(_) => ConfigRead { errors: vec![ConfigError::NotAnObject], ..ConfigRead::default() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_read() {
        let l = parse(
            r#"{"proxy": "https://proxy.example.com/api/", "region": "ap-southeast-3", "thresholds": {"critical_days": 3, "warning_days": 14}, "lang": "zh-CN"}"#,
        );
        assert_eq!(l.errors, []);
        assert_eq!(
            l.deployment,
            Deployment {
                proxy: Some("https://proxy.example.com/api".into()),
                region: Some("ap-southeast-3".into()),
                thresholds: Some(Thresholds { critical_days: 3, warning_days: 14 }),
                lang: Some(Lang::ZhCn),
            }
        );
        assert_eq!(parse("{}"), ConfigRead::default());
    }

    #[test]
    fn each_wrong_field_is_named_and_the_right_ones_still_apply() {
        let l = parse(
            r#"{"proxy": "proxy.example.com", "region": "mars-1", "thresholds": {"critical_days": 30, "warning_days": 7}, "lang": "zh", "proxy_url": "/api", "extra": 1}"#,
        );
        assert_eq!(l.deployment, Deployment::default());
        // Every one, in no particular order.
        let mut errors = l.errors.clone();
        errors.sort_by_key(|e| format!("{e:?}"));
        assert_eq!(
            errors,
            [
                ConfigError::Field(Field::Lang),
                ConfigError::Field(Field::Proxy),
                ConfigError::Field(Field::Region),
                ConfigError::Field(Field::Thresholds),
                ConfigError::Unknown("extra".into()),
                ConfigError::Unknown("proxy_url".into()),
            ]
        );
        let l = parse(r#"{"region": "cn-east-3", "thresholds": {"critical_days": 7}}"#);
        assert_eq!(l.deployment.region.as_deref(), Some("cn-east-3"));
        assert_eq!(l.errors, [ConfigError::Field(Field::Thresholds)]);
        for odd in [
            r#"{"thresholds": {"critical_days": 7, "warning_days": 30, "x": 1}}"#,
            r#"{"thresholds": {"critical_days": -1, "warning_days": 30}}"#,
            r#"{"thresholds": {"critical_days": 2.5, "warning_days": 30}}"#,
            r#"{"proxy": 8080}"#,
            r#"{"lang": null}"#,
        ] {
            assert_eq!(parse(odd).errors.len(), 1, "{odd}");
        }
    }

    #[test]
    fn a_missing_file_is_normal_and_a_failed_fetch_is_said() {
        assert_eq!(of_answer(Some(404), None), ConfigRead::default());
        assert_eq!(of_answer(None, None), ConfigRead::default());
        assert_eq!(of_answer(Some(0), None).errors, [ConfigError::Unreadable(None)]);
        assert_eq!(of_answer(Some(403), None).errors, [ConfigError::Unreadable(Some(403))]);
        assert_eq!(of_answer(Some(200), None).errors, [ConfigError::NotAnObject], "not JSON");
        let region = Raw::Object(vec![("region".into(), Raw::Text("cn-east-3".into()))]);
        assert_eq!(of_answer(Some(200), Some(&region)).deployment.region.as_deref(), Some("cn-east-3"));
        assert_eq!(of_answer(Some(200), Some(&Raw::Other)).errors, [ConfigError::NotAnObject]);
    }

    #[test]
    fn what_is_not_an_object_is_said_so() {
        for text in ["", "[]", "\"/api\"", "{\"proxy\": ", "<html>404</html>"] {
            assert_eq!(parse(text), ConfigRead { deployment: Deployment::default(), errors: vec![ConfigError::NotAnObject] }, "{text}");
        }
    }
}
