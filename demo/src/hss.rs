//! Host Security Service (docs/huawei-apis.md §2.5, seed 004): 480 quotas
//! in two enterprise projects, paged with their counts.

use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{bad_request, error};
use super::ids::{epoch_ms, uuid, Today, SALT_HSS, SALT_HSS_HOST};
use super::query::{bounded, page, Int};
use super::{ok, Answer, Site};

/// The query parameters of `GET /v5/{project_id}/billing/quotas-detail`
/// the demo reads (see [`hss_quotas`]).
#[derive(Deserialize, Default)]
pub(super) struct HssQuery {
    limit: Option<Int>,
    offset: Option<Int>,
    enterprise_project_id: Option<String>,
}

impl HssQuery {
    /// `limit`: 10–200, default 10.
    fn limit(&self) -> Result<i64, ()> {
        bounded(self.limit, 10..=200, 10)
    }

    /// `offset`: 0–2000000, default 0.
    pub(super) fn offset(&self) -> Result<i64, ()> {
        bounded(self.offset, 0..=2_000_000, 0)
    }
}

/// Quotas in the default enterprise project (`0`).
pub(super) const HSS_TOTAL: usize = 420;
/// Quotas in the second enterprise project, seen only with
/// `enterprise_project_id=all_granted_eps` or its own id (seed 004).
pub(super) const HSS_FINANCE_TOTAL: usize = 60;
/// The second enterprise project.
const HSS_FINANCE_EP_ID: &str = "5b1e9c0a-7d3f-4e2a-9c6b-0f8d1e4a7b35";
const HSS_FINANCE_EP_NAME: &str = "finance";

/// Editions, weighted by how often a tenant buys them; picked by index.
const HSS_VERSIONS: [&str; 20] = [
    "hss.version.basic",
    "hss.version.basic",
    "hss.version.basic",
    "hss.version.basic",
    "hss.version.advanced",
    "hss.version.advanced",
    "hss.version.advanced",
    "hss.version.advanced",
    "hss.version.advanced",
    "hss.version.enterprise",
    "hss.version.enterprise",
    "hss.version.enterprise",
    "hss.version.enterprise",
    "hss.version.enterprise",
    "hss.version.enterprise",
    "hss.version.premium",
    "hss.version.premium",
    "hss.version.wtp",
    "hss.version.wtp",
    "hss.version.container.enterprise",
];

/// The order of `quota_statistics_list`.
const HSS_VERSION_ORDER: [&str; 6] =
    ["hss.version.basic", "hss.version.advanced", "hss.version.enterprise", "hss.version.premium", "hss.version.wtp", "hss.version.container.enterprise"];

/// Days from today to the expiry of yearly/monthly quotas still in effect.
const HSS_EXPIRY_DAYS: [i64; 17] = [2, 5, 9, 16, 23, 29, 38, 52, 75, 103, 131, 164, 198, 245, 287, 330, 361];

const HSS_HOST_ROLES: [&str; 5] = ["web", "db", "api", "batch", "k8s-node"];

/// One HSS quota (QuotaResourcesResponseInfo).
pub(super) struct Quota {
    pub(super) index: usize,
    pub(super) version: &'static str,
    pub(super) on_demand: bool,
    /// Epoch ms; `-1` never expires.
    pub(super) expire_time: i64,
    pub(super) create_time: i64,
    pub(super) quota_status: &'static str,
    pub(super) used: bool,
}

/// The quota of index `i`: `0..HSS_TOTAL` the default enterprise project
/// of cn-north-4, then the finance project's; the other regions' quotas
/// are other ranges ([`Site::indices`]).
pub(super) fn hss_quota(i: usize, today: Today) -> Quota {
    let on_demand = i % 10 == 9;
    // Yearly/monthly quotas whose date HSS does not give (`-1`): billing
    // knows it (demo/bss.rs).
    let never_expires = on_demand || i % 97 == 13 || i % 97 == 61;
    let lapsed = !never_expires && i % 41 == 5;
    let expire_time = if never_expires {
        -1
    } else if lapsed {
        epoch_ms(today.expiry(-(1 + (i % 60) as i64)))
    } else {
        epoch_ms(today.expiry(HSS_EXPIRY_DAYS[(i * 11) % HSS_EXPIRY_DAYS.len()]))
    };
    // A lapsed yearly/monthly quota is `expired`; a few are frozen (arrears).
    let quota_status = match (i % 53 == 7, lapsed) {
        (true, _) => "freeze",
        (false, true) => "expired",
        (false, false) => "normal",
    };
    Quota {
        index: i,
        version: HSS_VERSIONS[(i * 7) % HSS_VERSIONS.len()],
        on_demand,
        expire_time,
        create_time: epoch_ms(today.at(-(70 + ((i * 13) % 300) as i64), ((i * 997) % 86_400) as i64)),
        quota_status,
        used: quota_status != "expired" && (i * 7) % 10 < 7,
    }
}

impl Quota {
    /// The resource id, which billing knows the quota by too.
    pub(super) fn resource_id(&self) -> String {
        uuid(SALT_HSS, self.index)
    }

    /// The server the quota protects, when it is bound to one.
    pub(super) fn host_name(&self) -> Option<String> {
        let i = self.index;
        self.used.then(|| format!("ecs-{}-{i:03}", HSS_HOST_ROLES[i % HSS_HOST_ROLES.len()]))
    }

    fn to_json(&self) -> Value {
        let i = self.index;
        let finance = (HSS_TOTAL..HSS_TOTAL + HSS_FINANCE_TOTAL).contains(&i);
        let tags = match i % 3 {
            0 => json!([]),
            1 => json!([{ "key": "env", "value": "prod" }]),
            _ => json!([{ "key": "env", "value": "test" }, { "key": "owner", "value": "secops" }]),
        };
        let mut item = json!({
            "resource_id": self.resource_id(),
            "version": self.version,
            "quota_status": self.quota_status,
            "used_status": if self.used { "used" } else { "idle" },
            "charging_mode": if self.on_demand { "on_demand" } else { "packet_cycle" },
            "tags": tags,
            "expire_time": self.expire_time,
            "create_time": self.create_time,
            "shared_quota": if i % 3 == 0 { "shared" } else { "unshared" },
            "enterprise_project_id": if finance { HSS_FINANCE_EP_ID } else { "0" },
            "enterprise_project_name": if finance { HSS_FINANCE_EP_NAME } else { "default" },
        });
        // Only a quota bound to a server names it.
        if let (Some(host_name), Some(fields)) = (self.host_name(), item.as_object_mut()) {
            fields.insert("host_id".into(), uuid(SALT_HSS_HOST, i).into());
            fields.insert("host_name".into(), host_name.into());
        }
        item
    }
}

/// `GET /v5/{project_id}/billing/quotas-detail`: `limit` 10–200 (default
/// 10) and `offset` 0–2000000 page `data_list`; the counts describe every
/// quota asked for. `enterprise_project_id` picks the enterprise project:
/// absent or `0` the default one (420 quotas, as the real API defaults),
/// the finance project's id its 60, `all_granted_eps` all 480; the
/// `limited` account has no enterprise projects and refuses the last.
pub(super) fn hss_quotas(query: &HssQuery, today: Today, limited: bool, site: Site) -> Answer {
    let Ok(limit) = query.limit() else {
        return bad_request("HSS.1001", "Invalid parameter: limit");
    };
    let Ok(offset) = query.offset() else {
        return bad_request("HSS.1001", "Invalid parameter: offset");
    };
    // Outside cn-north-4 there is only the default enterprise project.
    let elsewhere = site != Site::Main;
    let range = match query.enterprise_project_id.as_deref() {
        None | Some("0") => site.indices(0..HSS_TOTAL),
        // The code is illustrative: seed 004 lists no error codes.
        Some("all_granted_eps") if limited => {
            return error(StatusCode::FORBIDDEN, "HSS.0004", "Enterprise project management is not enabled for this account.")
        }
        Some("all_granted_eps") if elsewhere => site.indices(0..HSS_TOTAL),
        Some("all_granted_eps") => 0..HSS_TOTAL + HSS_FINANCE_TOTAL,
        Some(id) if id == HSS_FINANCE_EP_ID && elsewhere => 0..0,
        Some(id) if id == HSS_FINANCE_EP_ID && !limited => HSS_TOTAL..HSS_TOTAL + HSS_FINANCE_TOTAL,
        Some(_) => return bad_request("HSS.1001", "Invalid parameter: enterprise_project_id"),
    };
    let quotas: Vec<Quota> = range.map(|i| hss_quota(i, today)).collect();
    let count = |f: &dyn Fn(&Quota) -> bool| quotas.iter().filter(|q| f(q)).count();
    let statistics: Vec<Value> = HSS_VERSION_ORDER
        .iter()
        .map(|&version| (version, count(&|q| q.version == version)))
        .filter(|&(_, n)| n > 0)
        .map(|(version, n)| json!({ "version": version, "total_num": n }))
        .collect();
    let data_list: Vec<Value> = page(&quotas, offset, limit).iter().map(Quota::to_json).collect();
    ok(json!({
        "packet_cycle_num": count(&|q| !q.on_demand),
        "on_demand_num": count(&|q| q.on_demand),
        "used_num": count(&|q| q.used),
        "idle_num": count(&|q| !q.used),
        "normal_num": count(&|q| q.quota_status == "normal"),
        "expired_num": count(&|q| q.quota_status == "expired"),
        "freeze_num": count(&|q| q.quota_status == "freeze"),
        "total_num": quotas.len(),
        "quota_statistics_list": statistics,
        "data_list": data_list,
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use tenantscope_catalog::Route;

    use super::super::auth::DEMO_LIMITED_TOKEN;
    use super::super::support::{call, call_ok, parsed, reply, strings, NOW};
    use super::*;

    #[test]
    fn hss_pages_cover_every_quota_once() {
        let mut ids = Vec::new();
        let mut total = None;
        for offset in [0, 200, 400] {
            let body = call_ok(Route::HssQuotas, &format!("limit=200&offset={offset}"));
            total = body["total_num"].as_u64();
            ids.extend(strings(body["data_list"].as_array().unwrap(), "resource_id").into_iter().map(String::from));
        }
        assert_eq!(total, Some(420));
        assert_eq!(ids.len(), 420);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 420);
        assert_eq!(call_ok(Route::HssQuotas, "limit=200&offset=600")["data_list"], json!([]));
        // Defaults: the first ten.
        let first = call_ok(Route::HssQuotas, "");
        assert_eq!(strings(first["data_list"].as_array().unwrap(), "resource_id"), ids[..10].to_vec());
    }

    #[test]
    fn hss_counts_agree_with_the_quotas() {
        let mut quotas = Vec::new();
        for offset in [0, 200, 400] {
            let body = call_ok(Route::HssQuotas, &format!("limit=200&offset={offset}"));
            quotas.extend(body["data_list"].as_array().unwrap().iter().cloned());
        }
        let body = call_ok(Route::HssQuotas, "");
        let count = |key: &str, value: &str| quotas.iter().filter(|q| q[key] == value).count() as u64;
        assert_eq!(body["packet_cycle_num"].as_u64(), Some(count("charging_mode", "packet_cycle")));
        assert_eq!(body["on_demand_num"].as_u64(), Some(count("charging_mode", "on_demand")));
        assert_eq!(body["used_num"].as_u64(), Some(count("used_status", "used")));
        assert_eq!(body["idle_num"].as_u64(), Some(count("used_status", "idle")));
        assert_eq!(body["normal_num"].as_u64(), Some(count("quota_status", "normal")));
        assert_eq!(body["expired_num"].as_u64(), Some(count("quota_status", "expired")));
        assert_eq!(body["freeze_num"].as_u64(), Some(count("quota_status", "freeze")));
        assert!(body["expired_num"].as_u64() > Some(0) && body["freeze_num"].as_u64() > Some(0));
        let statistics: u64 = body["quota_statistics_list"].as_array().unwrap().iter().map(|s| s["total_num"].as_u64().unwrap()).sum();
        assert_eq!(statistics, 420);

        let now_ms = epoch_ms(NOW);
        for q in &quotas {
            let expire = q["expire_time"].as_i64().unwrap();
            assert!(q["create_time"].is_i64());
            assert_eq!(q["host_id"].is_string(), q["used_status"] == "used", "{q}");
            assert_eq!(q["host_name"].is_string(), q["used_status"] == "used", "{q}");
            if q["charging_mode"] == "on_demand" {
                assert_eq!(expire, -1, "{q}");
            } else if q["quota_status"] != "freeze" {
                let past = expire != -1 && expire < now_ms;
                assert_eq!(q["quota_status"] == "expired", past, "{q}");
            }
            let id = q["resource_id"].as_str().unwrap();
            assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        }
        let never = quotas.iter().filter(|q| q["charging_mode"] == "packet_cycle" && q["expire_time"] == -1).count();
        assert!(never > 0, "a yearly/monthly quota that never expires");
    }

    #[test]
    fn hss_reads_the_default_enterprise_project_unless_asked_for_all() {
        let total = |query: &str| call_ok(Route::HssQuotas, query)["total_num"].as_u64();
        assert_eq!(total("limit=200"), Some(420), "the real API's default: enterprise project 0");
        assert_eq!(total("limit=200&enterprise_project_id=0"), Some(420));
        assert_eq!(total("limit=200&enterprise_project_id=all_granted_eps"), Some(480));
        assert_eq!(total(&format!("limit=200&enterprise_project_id={HSS_FINANCE_EP_ID}")), Some(60));
        let last = call_ok(Route::HssQuotas, "limit=200&offset=400&enterprise_project_id=all_granted_eps");
        let names: HashSet<&str> = strings(last["data_list"].as_array().unwrap(), "enterprise_project_name").into_iter().collect();
        assert_eq!(names, HashSet::from(["default", "finance"]));
        // The limited account has no enterprise projects: all_granted_eps is refused, the default answers.
        let refused = parsed(reply(Route::HssQuotas, "limit=200&enterprise_project_id=all_granted_eps", DEMO_LIMITED_TOKEN));
        assert_eq!(refused.0, StatusCode::FORBIDDEN);
        let default = parsed(reply(Route::HssQuotas, "limit=200", DEMO_LIMITED_TOKEN));
        assert_eq!((default.0, default.1["total_num"].as_u64()), (StatusCode::OK, Some(420)));
    }

    #[test]
    fn hss_refuses_paging_outside_the_documented_limits() {
        let cases = [
            ("limit=5", "limit"),
            ("limit=201", "limit"),
            ("limit=abc", "limit"),
            ("limit=", "limit"),
            ("limit=1e2", "limit"),
            ("limit=99999999999999999999999", "limit"),
            ("offset=-1", "offset"),
            ("offset=2000001", "offset"),
            ("limit=10&offset=x", "offset"),
        ];
        for (query, name) in cases {
            let expected = json!({ "error_code": "HSS.1001", "error_msg": format!("Invalid parameter: {name}") });
            assert_eq!(call(Route::HssQuotas, query), (StatusCode::BAD_REQUEST, expected), "{query}");
        }
        assert_eq!(call(Route::HssQuotas, "limit=10&offset=2000000").0, StatusCode::OK);
    }
}
