//! MetaStudio (docs/huawei-apis.md §2.3, seed 002): 160 package resources,
//! paged and filtered by `resource_source` as the real API does.

use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::bad_request;
use super::ids::{hex32, rfc3339, Today, SALT_METASTUDIO, SALT_METASTUDIO_ORDER};
use super::query::{bounded, list, page, Int};
use super::{ok, Answer, Site};

/// The query parameters of `GET /v1/{project_id}/tenants/resources` (see
/// [`metastudio_resources`]).
#[derive(Deserialize, Default)]
pub(super) struct MetastudioQuery {
    /// Comma-separated: `PURCHASED`, `ADMIN_ALLOCATED`, `SP_ALLOCATED`.
    resource_source: Option<String>,
    limit: Option<Int>,
    offset: Option<Int>,
}

const METASTUDIO_TOTAL: usize = 160;

/// One kind of MetaStudio package. The first three resource types are
/// documented (§2.3), `Interaction.basic.channel` is seed 002's example; the
/// others follow the same naming.
struct MetastudioKind {
    resource_type: &'static str,
    business_type: &'static str,
    /// Only Flexus packages have sub-resources (§2.3).
    sub_resource_type: Option<&'static str>,
    charging_mode: &'static str,
    unit: &'static str,
    amount: u32,
}

const fn kind(
    resource_type: &'static str,
    business_type: &'static str,
    sub_resource_type: Option<&'static str>,
    charging_mode: &'static str,
    unit: &'static str,
    amount: u32,
) -> MetastudioKind {
    MetastudioKind { resource_type, business_type, sub_resource_type, charging_mode, unit, amount }
}

// On-demand packages are absent on purpose: the API does not list their usage
// (ListTenantResources: "按需套餐包用量本接口无法查询").
const METASTUDIO_KINDS: [MetastudioKind; 12] = [
    kind("hws.resource.type.metastudio.avatarmodeling.number", "MODELING_2D", None, "ONE_TIME", "NUM", 5),
    kind("hws.resource.type.metastudio.modeling.avatarlive.channel", "LIVE_2D", None, "PERIODIC", "CHANNEL", 1),
    kind("hws.resource.type.metastudio.modeling.enterpriselivepackage", "LIVE_2D", None, "PERIODIC", "CHANNEL", 5),
    kind("hws.resource.type.metastudio.voiceclone.number", "VOICE_CLONE", None, "ONE_TIME", "NUM", 3),
    kind("hws.resource.type.metastudio.video.duration", "VIDEO_2D", None, "ONE_TIME", "MIN", 600),
    kind("hws.resource.type.metastudio.ttsc.words", "SYNTHETICS_SOUND", None, "PERIODIC", "TEN_THOUSAND_WORDS", 500),
    kind("hws.resource.type.metastudio.asset.storage", "ASSET_MANAGER", None, "PERIODIC", "GB", 100),
    kind("Interaction.basic.channel", "LIVE_2D", None, "ONE_TIME", "CHANNEL", 1),
    kind("hws.resource.type.metastudio.flexus.package", "FLEXUS_2D", Some("voice_clone_flexus"), "PERIODIC", "NUM", 2),
    kind("hws.resource.type.metastudio.flexus.package", "FLEXUS_2D", Some("modeling_count_2d_model_flexus"), "PERIODIC", "NUM", 2),
    kind("hws.resource.type.metastudio.flexus.package", "FLEXUS_2D", Some("video_time_flexus_2d_model"), "PERIODIC", "MIN", 300),
    kind("hws.resource.type.metastudio.interaction.channel", "CHAT_2D", None, "PERIODIC", "CHANNEL", 2),
];

/// Days from today to each resource's expiry, picked by index.
const METASTUDIO_EXPIRY_DAYS: [i64; 13] = [-12, 3, 9, 21, 28, 47, 88, 140, 190, 260, 330, 365, -40];

/// The one resource used beyond its amount.
const METASTUDIO_OVERUSED: usize = 41;

fn metastudio_resource(i: usize, today: Today) -> Value {
    let kind = &METASTUDIO_KINDS[i % METASTUDIO_KINDS.len()];
    let admin = i % 16 == 15;
    let days = METASTUDIO_EXPIRY_DAYS[(i * 7) % METASTUDIO_EXPIRY_DAYS.len()];
    let amount = f64::from(kind.amount);
    let usage = if i == METASTUDIO_OVERUSED {
        amount * 1.2
    } else {
        let share = ((i * 37) % 100) as f64 / 100.0;
        (amount * share * 10.0).round() / 10.0
    };
    let mut item = json!({
        "resource_id": hex32(SALT_METASTUDIO, i),
        // Only orders of purchase lists carry an order id (seed 002).
        "order_id": if admin { String::new() } else { hex32(SALT_METASTUDIO_ORDER, i) },
        "resource_expire_time": rfc3339(today.expiry(days)),
        "resource_type": kind.resource_type,
        "business_type": kind.business_type,
        "is_sub_resource": kind.sub_resource_type.is_some(),
        "charging_mode": kind.charging_mode,
        "resource_source": if admin { "ADMIN_ALLOCATED" } else { "PURCHASED" },
        "amount": kind.amount,
        "usage": usage,
        // 1: frozen.
        "status": u8::from(i % 29 == 11),
        "unit": kind.unit,
    });
    if let (Some(sub), Some(fields)) = (kind.sub_resource_type, item.as_object_mut()) {
        fields.insert("sub_resource_type".into(), sub.into());
    }
    item
}

/// `GET /v1/{project_id}/tenants/resources`: `resource_source` is required
/// and filters; `limit` 1–100 (default 10) and `offset` 0–2147483647 page;
/// `count` is the number of matching resources, not of the page.
pub(super) fn metastudio_resources(query: &MetastudioQuery, today: Today, site: Site) -> Answer {
    const CODE: &str = "MSS.00000003";
    let sources = list(query.resource_source.as_deref());
    if sources.is_empty() {
        return bad_request(CODE, "Invalid parameter: resource_source is required");
    }
    let Ok(limit) = bounded(query.limit, 1..=100, 10) else {
        return bad_request(CODE, "Invalid parameter: limit");
    };
    let Ok(offset) = bounded(query.offset, 0..=2_147_483_647, 0) else {
        return bad_request(CODE, "Invalid parameter: offset");
    };
    let matching: Vec<Value> = site
        .indices(0..METASTUDIO_TOTAL)
        .map(|i| metastudio_resource(i, today))
        .filter(|item| item["resource_source"].as_str().is_some_and(|s| sources.contains(&s)))
        .collect();
    ok(json!({ "resources": page(&matching, offset, limit), "count": matching.len() }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use http::StatusCode;
    use tenantscope_catalog::Route;

    use super::super::support::{call, call_ok, parse_utc, strings};
    use super::*;

    #[test]
    fn metastudio_requires_resource_source_and_documented_paging() {
        let required = json!({ "error_code": "MSS.00000003", "error_msg": "Invalid parameter: resource_source is required" });
        for query in ["", "limit=10", "resource_source=", "resource_source=,"] {
            assert_eq!(call(Route::MetastudioResources, query), (StatusCode::BAD_REQUEST, required.clone()), "{query}");
        }
        for (query, name) in [("limit=101", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"), ("offset=2147483648", "offset")] {
            let (status, body) = call(Route::MetastudioResources, &format!("resource_source=PURCHASED&{query}"));
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(body["error_code"], "MSS.00000003");
            assert_eq!(body["error_msg"], format!("Invalid parameter: {name}"));
        }
    }

    #[test]
    fn metastudio_pages_cover_the_count() {
        let mut ids = Vec::new();
        for offset in [0, 100] {
            let body = call_ok(Route::MetastudioResources, &format!("resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset={offset}"));
            assert_eq!(body["count"], 160);
            ids.extend(strings(body["resources"].as_array().unwrap(), "resource_id").into_iter().map(String::from));
        }
        assert_eq!(ids.len(), 160);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 160);

        let purchased = call_ok(Route::MetastudioResources, "resource_source=PURCHASED&limit=100&offset=100");
        let admin = call_ok(Route::MetastudioResources, "resource_source=ADMIN_ALLOCATED&limit=100");
        let (p, a) = (purchased["count"].as_u64().unwrap(), admin["count"].as_u64().unwrap());
        assert_eq!(p + a, 160);
        assert!((8..=12).contains(&a), "about ten allocated: {a}");
        assert_eq!(purchased["resources"].as_array().unwrap().len() as u64, p - 100);
        assert!(strings(purchased["resources"].as_array().unwrap(), "resource_source").iter().all(|s| *s == "PURCHASED"));
        // An encoded comma is a comma; the default page is ten.
        let both = call_ok(Route::MetastudioResources, "resource_source=PURCHASED%2CADMIN_ALLOCATED");
        assert_eq!(both["count"], 160);
        assert_eq!(both["resources"].as_array().unwrap().len(), 10);
        assert_eq!(call_ok(Route::MetastudioResources, "resource_source=SP_ALLOCATED")["count"], 0);
    }

    #[test]
    fn metastudio_items_have_the_documented_fields() {
        let body = call_ok(Route::MetastudioResources, "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100");
        let mut items = body["resources"].as_array().unwrap().clone();
        items.extend(
            call_ok(Route::MetastudioResources, "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=100")["resources"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        let units = ["NUM", "MIN", "HOUR", "CHANNEL", "GB", "MILLION_WORDS", "TEN_THOUSAND_WORDS", "TIME"];
        for item in &items {
            let expire = item["resource_expire_time"].as_str().unwrap();
            assert!(parse_utc(expire).is_some() && !expire.contains('.'), "{expire}");
            assert!(units.contains(&item["unit"].as_str().unwrap()));
            assert!(matches!(item["charging_mode"].as_str(), Some("PERIODIC" | "ONE_TIME" | "ON_DEMAND")));
            assert!(matches!(item["status"].as_i64(), Some(0 | 1)));
            assert!(item["amount"].is_number() && item["usage"].is_number() && item["is_sub_resource"].is_boolean());
            assert_eq!(item["is_sub_resource"].as_bool(), Some(item.get("sub_resource_type").is_some()));
        }
        let over = items.iter().filter(|i| i["usage"].as_f64() > i["amount"].as_f64()).count();
        assert_eq!(over, 1);
        let frozen = items.iter().filter(|i| i["status"] == 1).count();
        assert!((1..=10).contains(&frozen), "{frozen}");
        assert!(items.iter().any(|i| i.get("sub_resource_type").is_some()));
    }
}
