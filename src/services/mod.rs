//! One module per service: what it is asked (route, query, page plan) and
//! how it is read: its wire model (tolerant of every
//! variant in docs/huawei-apis.md §2) and its mapping to [`Package`]s.
//! Nothing here panics on any input: unreadable bodies become
//! [`ApiError::Decode`](crate::api::ApiError) naming the service and field.

pub mod bss;
pub mod codecheck;
pub mod dsc;
pub mod hss;
pub mod iam;
pub mod metastudio;
pub mod projectman;
pub mod read;
pub mod testplan;

use serde_json::Value;
use tenantscope_catalog::Service;

use crate::domain::{Instant, Status};

/// The common status of a service's status word, in any case and with the
/// `QUOTA_STATUS_` prefix some HSS docs show. Unknown words are `Unknown`
/// (the raw word is kept beside it).
pub fn status_word(raw: Option<&str>) -> Status {
    let Some(raw) = raw else { return Status::Unknown };
    let word = raw.trim().to_ascii_lowercase();
    let word = word.strip_prefix("quota_status_").unwrap_or(&word);
    match word {
        "normal" | "active" | "effective" | "in_use" => Status::Active,
        "freeze" | "frozen" => Status::Frozen,
        "close" | "closed" | "deleted" => Status::Closed,
        "expired" | "expire" => Status::Expired,
        _ => Status::Unknown,
    }
}

/// A time sent as epoch seconds or milliseconds (number or numeric string)
/// or as a datetime string.
pub fn epoch_or_datetime(value: &Value) -> Option<Instant> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).and_then(Instant::from_epoch),
        Value::String(s) => Instant::parse(s),
        _ => None,
    }
}

/// What a reading of one service tells beyond its packages, owned by that
/// service's module (HSS: the tenant-wide counts, the enterprise projects
/// read). A sixth service with facts of its own adds a variant here.
// One per reading, inside its `Loaded`: a box would cost an allocation and
// save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Facts {
    Hss(hss::Reading),
    /// TestPlan: the CodeArts project read, given or the first found.
    Testplan {
        codearts_project: String,
    },
}

impl Facts {
    /// Why the reading covers less than the tenant holds, in words, when
    /// it does (HSS: the default enterprise project only).
    pub fn narrowed(&self) -> Option<&'static str> {
        match self {
            Facts::Hss(r) => r.narrowed(),
            Facts::Testplan { .. } => None,
        }
    }
}

/// The charts particular to `service`, each with its table, or `None`
/// where the service has none of its own (the panel then draws usage).
pub fn charts(service: Service, packages: &[crate::domain::Package], shown: &[usize], facts: Option<&Facts>, complete: bool) -> Option<String> {
    match service {
        Service::Hss => Some(hss::charts(packages, shown, facts, complete)),
        _ => None,
    }
}

/// The notice particular to `service`'s reading, if any (HSS: read for the
/// default enterprise project only, and why).
pub fn notice(service: Service, loaded: &crate::session::Loaded) -> Option<String> {
    match (service, &loaded.facts) {
        (Service::Hss, Some(Facts::Hss(r))) => r.notice(),
        _ => None,
    }
}

/// Huawei Cloud's own hosts, for links a service sends (the renewal link of
/// seed 001's example is on `account.huawei.com`).
const LINK_HOSTS: [&str; 6] = ["huaweicloud.com", "myhuaweicloud.com", "huaweicloud.cn", "myhuaweicloud.cn", "myhuaweicloud.eu", "account.huawei.com"];

/// `url` when it is an `https://` link to a Huawei Cloud host on the default
/// port, with no user part: the only links a card opens.
pub fn renew_link(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '\\' | '"' | '<' | '>' | '`')) {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if host.contains(['@', ':']) {
        return None;
    }
    LINK_HOSTS.iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_words() {
        assert_eq!(status_word(Some("normal")), Status::Active);
        assert_eq!(status_word(Some("QUOTA_STATUS_FREEZE")), Status::Frozen);
        assert_eq!(status_word(Some("Expired")), Status::Expired);
        assert_eq!(status_word(Some("close")), Status::Closed);
        assert_eq!(status_word(Some("pending_payment")), Status::Unknown);
        assert_eq!(status_word(None), Status::Unknown);
    }

    #[test]
    fn times_in_every_form() {
        let want = Instant::parse("2025-12-31T23:59:59Z");
        assert_eq!(epoch_or_datetime(&json!(1767225599000_i64)), want);
        assert_eq!(epoch_or_datetime(&json!("1767225599000")), want);
        assert_eq!(epoch_or_datetime(&json!(1767225599000.0)), want);
        assert_eq!(epoch_or_datetime(&json!("2025-12-31 23:59:59")), want);
        assert_eq!(epoch_or_datetime(&json!(true)), None);
        assert_eq!(epoch_or_datetime(&json!(-1)), None);
    }
}
