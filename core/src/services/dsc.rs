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
use tenantscope_catalog::{Route, Service};

use super::read::{root, Obj};
use super::{once, single, Loaded};
use crate::api::ApiError;
use crate::domain::{Package, Period, PeriodUnit};
use crate::load::{Fetch, Session};
use crate::tx;

/// How it names its codes ([`super::Names`]).
pub const NAMES: super::Names = super::Names { table: label, prefixes: &["hws.resource.type.dsc."], words_lead: "", lead: "" };

/// One request ([`super::Chain`]).
pub const CHAIN: super::Chain = super::Chain::One;

/// Reads the project's orders.
pub async fn load<N: Fetch>(net: &N, ctx: &Session) -> Result<Loaded, ApiError> {
    let answer = once(net, || net.get(Route::DscSpecification, &ctx.region, Some(&ctx.project_id), &[])).await?;
    let packages = packages(&answer.body)?;
    Ok(single(answer, packages, net.now()))
}

/// The packages of one answer: one per product of each order (an order's
/// `product_info` is one object in most docs, an array in the ae-ad-1 docs;
/// every element is read).
pub fn packages(body: &Value) -> Result<Vec<Package>, ApiError> {
    let top = root(Service::Dsc, body)?;
    let orders = top.list(&["order_infos", "orderInfos", "orderInfo"])?;
    let mut packages = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        let products = order.list(&["product_info", "productInfo"])?;
        if products.is_empty() {
            packages.push(package(i, 0, 1, order, None)?);
        }
        for (j, info) in products.iter().enumerate() {
            packages.push(package(i, j, products.len(), order, Some(info))?);
        }
    }
    Ok(packages)
}

/// The unit a `*_measure_id` names (seed 003: 14 count, 15 Mbit/s, 17 GB;
/// Huawei's BSS measurement units, ListMeasureUnits: 10 GB, 11 MB;
/// docs/huawei-apis.md §2.4). Unknown ids keep their number.
pub fn measure_unit(id: i64) -> String {
    match id {
        10 | 17 => "GB".into(),
        11 => "MB".into(),
        14 => "count".into(),
        15 => "Mbit/s".into(),
        other => format!("unit #{other}"),
    }
}

fn package(index: usize, part: usize, parts: usize, order: &Obj, info: Option<&Obj>) -> Result<Package, ApiError> {
    let (mut name, mut label, mut used, mut total, mut category) = (None, None, None, None, None);
    let (mut size_unit, mut used_unit) = (None, None);
    if let Some(info) = info {
        category = info.text(&["resource_type", "resourceType"])?;
        name = info.text(&["resource_spec_code", "resourceSpecCode"])?.or(category.clone()).or(info.text(&["product_spec_desc", "productSpecDesc"])?);
        // The readable names, when given (seed 003: resource_name,
        // all_resourcenames).
        label = info.text(&["resource_name", "resourceName"])?;
        if label.is_none() {
            let names = info.texts(&["all_resourcenames", "allResourcenames", "allResourceNames"])?;
            label = (!names.is_empty()).then(|| names.join(", "));
        }
        used = info.num(&["usage_value", "usageValue"])?;
        total = info.num(&["resource_size", "resourceSize"])?;
        size_unit = info.int(&["resource_size_measure_id", "resourceSizeMeasureId"])?.map(measure_unit);
        used_unit = info.int(&["usage_measure_id", "usageMeasureId"])?.map(measure_unit);
    }
    let name = name.unwrap_or_else(|| "DSC order".into());
    let id = order.text(&["resource_id", "resourceId"])?.unwrap_or_else(|| format!("{name}#{index}"));
    // Several products of one order share its id: keep them apart.
    let id = if parts > 1 { format!("{id}#{part}") } else { id };
    let mut p = Package::new(Service::Dsc, id, name);
    p.label = label;
    p.used = used;
    p.total = total;
    // Without a usage unit of its own, usage is read in the size's unit.
    p.used_unit = used_unit.filter(|u| Some(u) != size_unit.as_ref());
    p.unit = size_unit;
    p.category = category;
    p.owner_tenant = order.text(&["tenant_id", "tenantId"])?;
    p.billing_mode = Some("packet_cycle".into());
    // period_type: 2 month, 3 year (Go SDK model_period_order_request.go).
    // Without period_num (or with one out of range) the count is unknown:
    // the period is its unit alone, no count made up.
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

/// The readable name (English, for [`t`] where it is shown) of a DSC spec code, where it is known (seed 003's
/// example and the demo's, docs/huawei-apis.md §2.4).
pub fn label(code: &str) -> Option<&'static str> {
    Some(match code {
        "base_standard" => tx("DSC Standard edition"),
        "base_professional" => tx("DSC Professional edition"),
        "DB_standard" => tx("Database scan, Standard"),
        "DB_professional" => tx("Database scan, Professional"),
        "OBS_standard" => tx("OBS scan, Standard"),
        "OBS_professional" => tx("OBS scan, Professional"),
        _ => return None,
    })
}
