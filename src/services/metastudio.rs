//! MetaStudio, `GET /v1/{project_id}/tenants/resources` (ListTenantResources):
//! its wire model and its packages, one per resource. Pages of up to 100
//! (`limit` 1–100); `count` is the total, sent as a float by the SDK model
//! (docs/huawei-apis.md §2.3).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Num, Text};
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Package, Status};

/// `resource_source` is required (400 without it); these are all its values.
pub const RESOURCE_SOURCES: &str = "PURCHASED,SP_ALLOCATED,ADMIN_ALLOCATED";

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    resources: List<Resource>,
    #[serde(default)]
    count: Num,
}

#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(default)]
    resource_id: Text,
    #[serde(default)]
    resource_type: Text,
    #[serde(default)]
    business_type: Text,
    #[serde(default)]
    charging_mode: Text,
    #[serde(default)]
    resource_expire_time: Text,
    #[serde(default)]
    amount: Num,
    #[serde(default)]
    usage: Num,
    /// 0 normal, 1 frozen.
    #[serde(default)]
    status: Num,
    #[serde(default)]
    unit: Text,
}

/// One page: its packages and the total the service reports.
pub fn page(body: &Value) -> Result<(Vec<Package>, Option<u64>), ApiError> {
    let answer: Answer = decode(Service::Metastudio, body)?;
    let total = answer.count.get().filter(|c| *c >= 0.0).map(|c| c as u64);
    let packages = answer.resources.0.into_iter().enumerate().map(|(i, r)| package(i, r)).collect();
    Ok((packages, total))
}

fn package(index: usize, r: Resource) -> Package {
    let name = r.resource_type.owned().unwrap_or_else(|| "MetaStudio resource".into());
    let id = r.resource_id.owned().unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Metastudio, id, name);
    p.raw_status = r.status.int().map(|s| s.to_string());
    p.status = match r.status.int() {
        Some(0) => Status::Active,
        Some(1) => Status::Frozen,
        _ => Status::Unknown,
    };
    p.used = r.usage.get();
    p.total = r.amount.get();
    p.unit = r.unit.owned();
    p.category = r.business_type.owned();
    p.billing_mode = r.charging_mode.owned();
    p.expiry = r.resource_expire_time.get().and_then(Instant::parse).map_or(Expiry::Unknown, Expiry::At);
    p
}
