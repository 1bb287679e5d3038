//! Data Security Center, `GET /v1/{project_id}/period/product/specification`
//! (ShowSpecification): its packages, one per order.
//!
//! The top key is `orderInfo` (seen live by Terraform), `orderInfos` (SDK,
//! older docs) or `order_infos` (docs 2025-07+); every field comes in
//! camelCase or snake_case (note `all_resourcenames`); `period_type`,
//! `resource_size` and `resource_size_measure_id` as number or string;
//! `product_info` as object or array (docs/huawei-apis.md §2.4). The API has
//! no expiry date, so urgency is `unknown`.

use serde_json::Value;
use tenantscope_catalog::Service;

use super::read::{root, Obj};
use crate::api::ApiError;
use crate::domain::{Package, Period, PeriodUnit};

/// The packages of one answer.
pub fn packages(body: &Value) -> Result<Vec<Package>, ApiError> {
    let top = root(Service::Dsc, body)?;
    let orders = top.list(&["order_infos", "orderInfos", "orderInfo"])?;
    orders.iter().enumerate().map(|(i, o)| package(i, o)).collect()
}

fn package(index: usize, order: &Obj) -> Result<Package, ApiError> {
    // An order names one product; an array (ae-ad-1 docs) is read by its
    // first entry.
    let info = order.obj(&["product_info", "productInfo"])?;
    let (mut name, mut used, mut total, mut category) = (None, None, None, None);
    if let Some(info) = &info {
        category = info.text(&["resource_type", "resourceType"])?;
        name = info
            .text(&["resource_spec_code", "resourceSpecCode"])?
            .or(category.clone())
            .or(info.text(&["product_spec_desc", "productSpecDesc"])?);
        used = info.num(&["usage_value", "usageValue"])?;
        total = info.num(&["resource_size", "resourceSize"])?;
    }
    let name = name.unwrap_or_else(|| "DSC order".into());
    let id = order.text(&["resource_id", "resourceId"])?.unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Dsc, id, name);
    p.used = used;
    p.total = total;
    p.category = category;
    p.billing_mode = Some("packet_cycle".into());
    // period_type: 2 month, 3 year (Go SDK model_period_order_request.go).
    let count = order.int(&["period_num", "periodNum"])?.and_then(|n| u32::try_from(n).ok());
    p.period = order.int(&["period_type", "periodType"])?.map(|t| Period {
        unit: match t {
            2 => PeriodUnit::Month,
            3 => PeriodUnit::Year,
            other => PeriodUnit::Other(other),
        },
        count,
    });
    Ok(p)
}
