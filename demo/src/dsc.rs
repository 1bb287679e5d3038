//! Data Security Center (docs/huawei-apis.md §2.4, seed 003): the three
//! orders of the product specification.

use serde_json::{json, Value};

use super::auth::DEMO_DOMAIN_ID;
use super::ids::{hex32, SALT_DSC};
use super::Site;

/// One DSC order: an edition or an expansion package (TF resource_huaweicloud_dsc_instance.go, §2.4).
struct DscOrder {
    spec_code: &'static str,
    resource_type: &'static str,
    name: &'static str,
    description: &'static str,
    /// 2: months, 3: years.
    period_type: u8,
    period_num: u32,
    /// Databases, or GB of OBS scan volume.
    size: u32,
    /// Seed 003: 14 count, 15 Mbit/s, 17 GB; its own example edition has 30,
    /// which no published table names (docs/huawei-apis.md §2.4).
    size_measure_id: u32,
    /// What has been used, in `usage_measure_id`.
    usage: f64,
    usage_measure_id: u32,
}

const DSC_ORDERS: [DscOrder; 3] = [
    DscOrder {
        spec_code: "base_professional",
        resource_type: "hws.resource.type.dsc.base",
        name: "DSC Professional Edition",
        description: "Professional edition",
        period_type: 3,
        period_num: 1,
        size: 30,
        size_measure_id: 30,
        usage: 12.0,
        usage_measure_id: 14,
    },
    DscOrder {
        spec_code: "DB_standard",
        resource_type: "hws.resource.type.dsc.db",
        name: "DSC Database Expansion Package",
        description: "1 database instance per package",
        period_type: 2,
        period_num: 6,
        size: 5,
        size_measure_id: 14,
        usage: 3.0,
        usage_measure_id: 14,
    },
    DscOrder {
        spec_code: "OBS_standard",
        resource_type: "hws.resource.type.dsc.obs",
        name: "DSC OBS Expansion Package",
        description: "1 TB OBS scan volume per package",
        period_type: 2,
        period_num: 1,
        size: 1024,
        size_measure_id: 17,
        usage: 380.5,
        usage_measure_id: 17,
    },
];

/// `GET /v1/{project_id}/period/product/specification`, current doc shape
/// (`order_infos`, snake_case, `period_type` a number as in the example).
/// The API gives no expiry date, only the period. DSC is bought per region
/// (its route names the project): cn-north-4 holds the three orders, the
/// other regions an edition of their own (another id), so that two tabs in
/// two regions show two different regions.
pub(super) fn dsc_specification(site: Site) -> Value {
    let orders: Vec<(usize, &DscOrder)> = match site {
        Site::Main => DSC_ORDERS.iter().enumerate().collect(),
        Site::Shanghai => vec![(10_000, &DSC_ORDERS[0])],
        Site::Singapore => vec![(20_000, &DSC_ORDERS[0])],
        Site::HongKong => vec![(30_000, &DSC_ORDERS[1])],
    };
    let order_infos: Vec<Value> = orders
        .into_iter()
        .map(|(i, order)| {
            json!({
                "tenant_id": DEMO_DOMAIN_ID,
                "period_type": order.period_type,
                "period_num": order.period_num,
                "resource_id": hex32(SALT_DSC, i),
                "product_info": {
                    "all_resourcenames": [order.name],
                    "cloud_service_type": "hws.service.type.sdg",
                    "display_id": format!("dsc.{}", order.spec_code.to_ascii_lowercase()),
                    "product_id": format!("OFFI{}", 740_586_375_358_963_717_u64 + i as u64),
                    "product_spec_desc": order.description,
                    "resource_name": order.name,
                    "resource_size": order.size,
                    "resource_size_measure_id": order.size_measure_id,
                    "resource_spec_code": order.spec_code,
                    "resource_type": order.resource_type,
                    // The docs give no values for usage_factor; illustrative.
                    "usage_factor": "Duration",
                    "usage_measure_id": order.usage_measure_id,
                    "usage_value": order.usage,
                },
            })
        })
        .collect();
    json!({ "order_infos": order_infos })
}

#[cfg(test)]
mod tests {
    use tenantscope_catalog::Route;

    use super::super::support::call_ok;

    #[test]
    fn another_region_has_an_edition_of_its_own() {
        let main = super::dsc_specification(super::Site::Main);
        let east = super::dsc_specification(super::Site::Shanghai);
        let ids =
            |v: &serde_json::Value| v["order_infos"].as_array().unwrap().iter().map(|o| o["resource_id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&main).len(), 3);
        assert_eq!(ids(&east).len(), 1);
        assert!(!ids(&main).contains(&ids(&east)[0]), "the same order in two regions");
        assert_ne!(ids(&east), ids(&super::dsc_specification(super::Site::Singapore)));
    }

    #[test]
    fn dsc_has_three_snake_case_orders() {
        let body = call_ok(Route::DscSpecification, "");
        let orders = body["order_infos"].as_array().unwrap();
        let specs: Vec<&str> = orders.iter().map(|o| o["product_info"]["resource_spec_code"].as_str().unwrap()).collect();
        assert_eq!(specs, ["base_professional", "DB_standard", "OBS_standard"]);
        for o in orders {
            assert!(matches!(o["period_type"].as_i64(), Some(2 | 3)), "{o}");
            assert!(o["period_num"].is_i64());
            let info = &o["product_info"];
            assert_eq!(info["cloud_service_type"], "hws.service.type.sdg");
            assert!(info["all_resourcenames"].is_array());
            assert!(info["usage_value"].is_f64());
            assert!(info["resource_size"].is_i64() && info["resource_size_measure_id"].is_i64());
        }
        assert_eq!(orders[1]["product_info"]["resource_type"], "hws.resource.type.dsc.db");
    }
}
