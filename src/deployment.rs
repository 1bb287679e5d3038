//! The deployer's settings: an optional `config.json` beside `index.html`
//! (the proxy URL, the default region, the thresholds, the default
//! language), read once before the page is drawn. They replace the built-in
//! defaults; the person's own choices in Settings still win over them
//! ([`crate::settings::Settings::read_over`]).
//!
//! A missing `config.json` is normal (every default applies). A malformed
//! one is reported on the page, field by field; the fields that are right
//! still apply, the others keep their defaults.

use serde_json::{Map, Value};

use crate::domain::Thresholds;
use crate::i18n::Lang;
use crate::settings;

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
pub struct Loaded {
    pub deployment: Deployment,
    pub errors: Vec<ConfigError>,
}

/// Reads `config.json`'s text.
pub fn parse(text: &str) -> Loaded {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => read(&fields),
        _ => Loaded { deployment: Deployment::default(), errors: vec![ConfigError::NotAnObject] },
    }
}

fn read(fields: &Map<String, Value>) -> Loaded {
    let mut loaded = Loaded::default();
    for (name, value) in fields {
        let Some(field) = Field::ALL.into_iter().find(|f| f.key() == name) else {
            loaded.errors.push(ConfigError::Unknown(name.clone()));
            continue;
        };
        let d = &mut loaded.deployment;
        let ok = match field {
            Field::Proxy => value.as_str().and_then(|p| settings::proxy_url(p).ok()).map(|p| d.proxy = Some(p)),
            Field::Region => {
                value.as_str().filter(|r| tenantscope_catalog::region_by_id(r).is_some()).map(|r| d.region = Some(r.to_string()))
            }
            Field::Thresholds => thresholds(value).map(|t| d.thresholds = Some(t)),
            // Exactly a key the page offers: a deployer's typo is said, not guessed.
            Field::Lang => value.as_str().and_then(|l| Lang::ALL.into_iter().find(|x| x.key() == l)).map(|l| d.lang = Some(l)),
        };
        if ok.is_none() {
            loaded.errors.push(ConfigError::Field(field));
        }
    }
    loaded
}

/// `{"critical_days": 7, "warning_days": 30}`, by the rule of the settings.
fn thresholds(value: &Value) -> Option<Thresholds> {
    let days = |key: &str| value.get(key).and_then(Value::as_u64).map(|d| d.to_string());
    let t = settings::thresholds(&days("critical_days")?, &days("warning_days")?).ok()?;
    // Nothing else in it.
    (value.as_object()?.len() == 2).then_some(t)
}

/// Fetches and reads `config.json` (a missing one is no error).
pub async fn load() -> Loaded {
    match gloo_net::http::Request::get(FILE).send().await {
        Ok(r) if r.status() == 404 => Loaded::default(),
        Ok(r) if r.ok() => match r.text().await {
            Ok(text) => parse(&text),
            Err(_) => Loaded { errors: vec![ConfigError::Unreadable(Some(r.status()))], ..Loaded::default() },
        },
        Ok(r) => Loaded { errors: vec![ConfigError::Unreadable(Some(r.status()))], ..Loaded::default() },
        Err(_) => Loaded { errors: vec![ConfigError::Unreadable(None)], ..Loaded::default() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_read() {
        let l = parse(r#"{"proxy": "https://proxy.example.com/api/", "region": "ap-southeast-3", "thresholds": {"critical_days": 3, "warning_days": 14}, "lang": "zh-CN"}"#);
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
        assert_eq!(parse("{}"), Loaded::default());
    }

    #[test]
    fn each_wrong_field_is_named_and_the_right_ones_still_apply() {
        let l = parse(r#"{"proxy": "proxy.example.com", "region": "mars-1", "thresholds": {"critical_days": 30, "warning_days": 7}, "lang": "zh", "proxy_url": "/api", "extra": 1}"#);
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
        for odd in [r#"{"thresholds": {"critical_days": 7, "warning_days": 30, "x": 1}}"#, r#"{"thresholds": {"critical_days": -1, "warning_days": 30}}"#, r#"{"proxy": 8080}"#, r#"{"lang": null}"#] {
            assert_eq!(parse(odd).errors.len(), 1, "{odd}");
        }
    }

    #[test]
    fn what_is_not_an_object_is_said_so() {
        for text in ["", "[]", "\"/api\"", "{\"proxy\": ", "<html>404</html>"] {
            assert_eq!(parse(text), Loaded { deployment: Deployment::default(), errors: vec![ConfigError::NotAnObject] }, "{text}");
        }
    }
}
