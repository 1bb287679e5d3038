//! CodeArts Check, `GET /v4/tenant/tenant-package-status`
//! (ShowTenantPackageStatus): its wire model and its packages.
//!
//! No SDK has this API, so the docs are the only source
//! (docs/upstream/codecheck-ShowTenantPackageStatus.zh.txt): main resources in
//! camelCase, other resources in camelCase with `amount` as a string, and a
//! `tips` countdown for the main package. Snake-case spellings are accepted
//! too (docs/huawei-apis.md §2.2).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Num, Text};
use super::status_word;
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Lifecycle, Package};

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    result: Option<TenantPackageStatus>,
}

#[derive(Debug, Default, Deserialize)]
struct TenantPackageStatus {
    /// Free edition: execution minutes used this month; other editions -1.
    #[serde(default)]
    duration: Num,
    // The docs' table says `supportedLanguage`, their example `supportedLanguages`.
    #[serde(default, alias = "supportedLanguages")]
    #[allow(dead_code)]
    #[serde(rename = "supportedLanguage")]
    supported_languages: List<Text>,
    #[serde(default)]
    main_resource_list: List<MainResource>,
    #[serde(default)]
    other_resource_list: List<OtherResource>,
    #[serde(default)]
    tips: Option<Tips>,
}

#[derive(Debug, Deserialize)]
struct MainResource {
    #[serde(default, rename = "resourceId", alias = "resource_id")]
    resource_id: Text,
    #[serde(default, rename = "resourceSpecCode", alias = "resource_spec_code")]
    spec_code: Text,
    #[serde(default, rename = "resourceType", alias = "resource_type")]
    resource_type: Text,
    /// 0 on demand, 1 yearly/monthly.
    #[serde(default, rename = "chargeType", alias = "charge_type")]
    charge_type: Num,
    #[serde(default)]
    status: Text,
}

#[derive(Debug, Deserialize)]
struct OtherResource {
    #[serde(default, rename = "resourceId", alias = "resource_id")]
    resource_id: Text,
    #[serde(default, rename = "specCode", alias = "spec_code", alias = "resourceSpecCode")]
    spec_code: Text,
    #[serde(default, rename = "resourceType", alias = "resource_type")]
    resource_type: Text,
    #[serde(default, rename = "resourceStatus", alias = "resource_status", alias = "status")]
    status: Text,
    #[serde(default)]
    amount: Num,
    #[serde(default, rename = "createTime", alias = "create_time")]
    create_time: Text,
}

#[derive(Debug, Deserialize)]
struct Tips {
    #[serde(default)]
    status: Num,
    #[serde(default)]
    next_action_remain_day: Num,
}

/// The packages of one answer. `received_at` is when the answer arrived: the
/// main package's expiry is counted from it (`tips.next_action_remain_day`).
pub fn packages(body: &Value, received_at: Instant) -> Result<Vec<Package>, ApiError> {
    let status = decode::<Envelope>(Service::Codecheck, body)?.result.unwrap_or_default();
    let tips = status.tips.as_ref();
    let remain_days = tips.and_then(|t| t.next_action_remain_day.int());
    let lifecycle = tips.and_then(|t| t.status.int()).map(Lifecycle::from_code);
    let minutes_used = status.duration.get().filter(|d| *d >= 0.0);

    let mut packages: Vec<Package> = Vec::new();
    for (i, main) in status.main_resource_list.0.into_iter().enumerate() {
        let name = main.spec_code.owned().or_else(|| main.resource_type.owned()).unwrap_or_else(|| "CodeArts package".into());
        let id = main.resource_id.owned().unwrap_or_else(|| format!("{name}#main{i}"));
        let mut p = Package::new(Service::Codecheck, id, name);
        p.raw_status = main.status.owned();
        p.status = status_word(p.raw_status.as_deref());
        p.billing_mode = match main.charge_type.int() {
            Some(0) => Some("on_demand".into()),
            Some(1) => Some("packet_cycle".into()),
            _ => None,
        };
        p.expiry = remain_days.map_or(Expiry::Unknown, |d| Expiry::At(received_at.plus_days(d)));
        p.lifecycle = lifecycle.clone();
        if let Some(minutes) = minutes_used {
            p.used = Some(minutes);
            p.unit = Some("min".into());
        }
        packages.push(p);
    }
    for (i, other) in status.other_resource_list.0.into_iter().enumerate() {
        let name = other.spec_code.owned().or_else(|| other.resource_type.owned()).unwrap_or_else(|| "CodeArts package".into());
        // The same spec code in both lists is one package (the example lists
        // the main combo package again among the other resources).
        let index = match packages.iter().position(|p| p.name == name) {
            Some(index) => index,
            None => {
                let id = other.resource_id.owned().unwrap_or_else(|| format!("{name}#other{i}"));
                packages.push(Package::new(Service::Codecheck, id, name));
                packages.len() - 1
            }
        };
        let p = &mut packages[index];
        if let Some(id) = other.resource_id.owned() {
            p.id = id;
        }
        if p.raw_status.is_none() {
            p.raw_status = other.status.owned();
            p.status = status_word(p.raw_status.as_deref());
        }
        p.total = p.total.or(other.amount.get());
        p.starts_at = p.starts_at.or_else(|| other.create_time.get().and_then(Instant::parse));
    }
    Ok(packages)
}
