//! Data Security Center, `GET /v1/{project_id}/period/product/specification`
//! (ShowSpecification): its wire model and its packages, one per order.
//!
//! The top key is `orderInfo` (seen live by Terraform), `orderInfos` (SDK,
//! older docs) or `order_infos` (docs 2025-07+); every field comes in
//! camelCase or snake_case (note `all_resourcenames`); `period_type`,
//! `resource_size` and `resource_size_measure_id` as number or string;
//! `product_info` as object or array (docs/huawei-apis.md §2.4). The API has
//! no expiry date, so urgency is `unknown`.

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Num, Text};
use crate::api::ApiError;
use crate::domain::{Package, Period, PeriodUnit};

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default, rename = "order_infos", alias = "orderInfos", alias = "orderInfo")]
    orders: List<Order>,
}

#[derive(Debug, Deserialize)]
struct Order {
    #[serde(default, alias = "resourceId")]
    resource_id: Text,
    /// 2 month, 3 year (Go SDK model_period_order_request.go).
    #[serde(default, alias = "periodType")]
    period_type: Num,
    #[serde(default, alias = "periodNum")]
    period_num: Num,
    #[serde(default, alias = "productInfo")]
    product_info: List<ProductInfo>,
}

#[derive(Debug, Default, Deserialize)]
struct ProductInfo {
    #[serde(default, alias = "resourceSpecCode")]
    resource_spec_code: Text,
    #[serde(default, alias = "resourceType")]
    resource_type: Text,
    #[serde(default, alias = "resourceSize")]
    resource_size: Num,
    #[serde(default, alias = "usageValue")]
    usage_value: Num,
    #[serde(default, alias = "productSpecDesc")]
    product_spec_desc: Text,
}

/// The packages of one answer.
pub fn packages(body: &Value) -> Result<Vec<Package>, ApiError> {
    let answer: Answer = decode(Service::Dsc, body)?;
    Ok(answer.orders.0.into_iter().enumerate().map(|(i, o)| package(i, o)).collect())
}

fn package(index: usize, order: Order) -> Package {
    // An order names one product; an array (seen in the ae-ad-1 docs) is read
    // by its first entry.
    let info = order.product_info.0.into_iter().next().unwrap_or_default();
    let name = info
        .resource_spec_code
        .owned()
        .or_else(|| info.resource_type.owned())
        .or_else(|| info.product_spec_desc.owned())
        .unwrap_or_else(|| "DSC order".into());
    let id = order.resource_id.owned().unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Dsc, id, name);
    p.used = info.usage_value.get();
    p.total = info.resource_size.get();
    p.category = info.resource_type.owned();
    p.billing_mode = Some("packet_cycle".into());
    p.period = order.period_type.int().map(|t| Period {
        unit: match t {
            2 => PeriodUnit::Month,
            3 => PeriodUnit::Year,
            other => PeriodUnit::Other(other),
        },
        count: order.period_num.int().and_then(|n| u32::try_from(n).ok()),
    });
    p
}
