//! CodeArts Check, `GET /v4/tenant/tenant-package-status`
//! (ShowTenantPackageStatus): its packages.
//!
//! No SDK has this API, so the docs are the only source
//! (docs/upstream/codecheck-ShowTenantPackageStatus.zh.txt): main resources in
//! camelCase, other resources in camelCase with `amount` as a string, and a
//! `tips` countdown for the main package. Snake-case spellings are accepted
//! too (docs/huawei-apis.md §2.2). The doc's table says `supportedLanguage`,
//! its example `supportedLanguages`; neither is needed for packages.

use serde_json::Value;
use tenantscope_catalog::Service;

use super::read::root;
use super::status_word;
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Lifecycle, Package};

/// The packages of one answer: one per distinct resource across the main and
/// other resource lists. `received_at` is when the answer arrived: the main
/// package's expiry is counted from it (`tips.next_action_remain_day`).
pub fn packages(body: &Value, received_at: Instant) -> Result<Vec<Package>, ApiError> {
    let top = root(Service::Codecheck, body)?;
    let Some(status) = top.obj(&["result"])? else { return Ok(Vec::new()) };
    let tips = status.obj(&["tips"])?;
    let remain_days = match &tips {
        Some(t) => t.int(&["next_action_remain_day"])?,
        None => None,
    };
    let lifecycle = match &tips {
        Some(t) => t.int(&["status"])?.map(Lifecycle::from_code),
        None => None,
    };
    // Free edition: execution minutes used this month; other editions -1.
    let minutes_used = status.num(&["duration"])?.filter(|d| *d >= 0.0);

    let mut packages: Vec<Package> = Vec::new();
    for (i, main) in status.list(&["main_resource_list"])?.iter().enumerate() {
        let name = main
            .text(&["resourceSpecCode", "resource_spec_code"])?
            .or(main.text(&["resourceType", "resource_type"])?)
            .unwrap_or_else(|| "CodeArts package".into());
        let id = main.text(&["resourceId", "resource_id"])?.unwrap_or_else(|| format!("{name}#main{i}"));
        let mut p = Package::new(Service::Codecheck, id, name);
        p.raw_status = main.text(&["status"])?;
        p.status = status_word(p.raw_status.as_deref());
        // chargeType: 0 on demand, 1 yearly/monthly.
        p.billing_mode = match main.int(&["chargeType", "charge_type"])? {
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
    for (i, other) in status.list(&["other_resource_list"])?.iter().enumerate() {
        let name = other
            .text(&["specCode", "spec_code", "resourceSpecCode"])?
            .or(other.text(&["resourceType", "resource_type"])?)
            .unwrap_or_else(|| "CodeArts package".into());
        let resource_id = other.text(&["resourceId", "resource_id"])?;
        // The same spec code in both lists is one package (the documented
        // example lists the main combo package again among the others).
        let index = match packages.iter().position(|p| p.name == name) {
            Some(index) => index,
            None => {
                let id = resource_id.clone().unwrap_or_else(|| format!("{name}#other{i}"));
                packages.push(Package::new(Service::Codecheck, id, name));
                packages.len() - 1
            }
        };
        let p = &mut packages[index];
        if let Some(id) = resource_id {
            p.id = id;
        }
        if p.raw_status.is_none() {
            p.raw_status = other.text(&["resourceStatus", "resource_status", "status"])?;
            p.status = status_word(p.raw_status.as_deref());
        }
        if p.total.is_none() {
            p.total = other.num(&["amount"])?;
        }
        if p.starts_at.is_none() {
            p.starts_at = other.text(&["createTime", "create_time"])?.as_deref().and_then(Instant::parse);
        }
    }
    Ok(packages)
}
