//! MetaStudio, `GET /v1/{project_id}/tenants/resources` (ListTenantResources):
//! its packages, one per resource. Pages of up to 100 (`limit` 1–100);
//! `count` is the total, a float in the SDK model (docs/huawei-apis.md §2.3).

use serde_json::Value;
use tenantscope_catalog::Service;

use super::read::{root, Obj};
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Package, Status};

/// `resource_source` is required (400 without it); these are all its values.
pub const RESOURCE_SOURCES: &str = "PURCHASED,SP_ALLOCATED,ADMIN_ALLOCATED";

/// One page: its packages and the total the service reports.
pub fn page(body: &Value) -> Result<(Vec<Package>, Option<u64>), ApiError> {
    let top = root(Service::Metastudio, body)?;
    let total = top.num(&["count"])?.filter(|c| *c >= 0.0).map(|c| c as u64);
    let packages = top.list(&["resources"])?.iter().enumerate().map(|(i, r)| package(i, r)).collect::<Result<_, _>>()?;
    Ok((packages, total))
}

fn package(index: usize, r: &Obj) -> Result<Package, ApiError> {
    let name = r.text(&["resource_type"])?.unwrap_or_else(|| "MetaStudio resource".into());
    let id = r.text(&["resource_id"])?.unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Metastudio, id, name);
    let status = r.int(&["status"])?;
    p.raw_status = status.map(|s| s.to_string());
    // 0 normal, 1 frozen (SDK model_resource_item_info.go).
    p.status = match status {
        Some(0) => Status::Active,
        Some(1) => Status::Frozen,
        _ => Status::Unknown,
    };
    p.used = r.num(&["usage"])?;
    p.total = r.num(&["amount"])?;
    p.unit = r.text(&["unit"])?;
    p.category = r.text(&["business_type"])?;
    p.billing_mode = r.text(&["charging_mode"])?;
    p.expiry = r.text(&["resource_expire_time"])?.as_deref().and_then(Instant::parse).map_or(Expiry::Unknown, Expiry::At);
    Ok(p)
}
