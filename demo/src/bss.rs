//! Billing Center (BSS), `POST /v2/orders/suscriptions/resources/query`
//! (ListPayPerUseCustomerResources, Huawei's spelling): what billing knows
//! of the demo account's yearly/monthly resources, asked for by resource id.
//!
//! This file owns the account's billing records: which package of which
//! service billing knows, when its subscription ends, what happens then
//! (`expire_policy`) and how it stands (`status`). The ids and the
//! services' own dates are read from the other demo modules' answers (and
//! HSS's quotas), so a record always names a package exactly as the
//! console reads it. The records cover every policy and status, the
//! yearly/monthly HSS quotas whose date HSS leaves out (`-1`), a package
//! whose service gives another date than billing, and packages billing
//! does not know (MetaStudio's, pay-per-use HSS quotas, another tenant's
//! TestPlan package, Check's free edition).
//!
//! The account lives on the Chinese mainland site (`global`); the other
//! sites refuse it, as a gateway refuses a token or key it did not issue,
//! and the console asks the next one. The account is the same from every
//! project, so every tab gets the same answer for the same ids.
//!
//! Shapes are those of docs/huawei-apis.md §7 (the Go SDK's
//! `model_query_resources_req.go` and `model_order_instance_v2.go`): a body
//! `{resource_ids, only_main_resource, status_list, offset, limit, ...}`,
//! an answer `{total_count, data: [OrderInstanceV2]}`.

use http::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::auth::{
    bad_request, error, Mode, AP_SOUTHEAST_1_PROJECT_ID, AP_SOUTHEAST_3_PROJECT_ID, CN_EAST_3_PROJECT_ID, DEMO_PROJECT_ID, DEMO_REGION, HONG_KONG_REGION,
};
use super::codecheck::codecheck_packages;
use super::dsc::dsc_specification;
use super::hss::{hss_quota, HSS_FINANCE_TOTAL, HSS_TOTAL};
use super::ids::{hex32, rfc3339, Today, SALT_BSS};
use super::projects::CODEARTS_PROJECTS;
use super::query::params;
use super::testplan::testplan_packages;
use super::{ok, Answer, Site};

/// Resource ids a call may ask for (docs/huawei-apis.md §7: at most 50).
pub(super) const MAX_IDS: usize = 50;

/// `limit`'s default and largest value (docs/huawei-apis.md §7: default
/// 10; an older request model says at most 500).
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 500;

// `expire_policy` (docs/huawei-apis.md §7, OrderInstanceV2): 0 grace period
// at expiry, 1 turns pay-per-use, 2 deleted at expiry, 3 renews
// automatically, 4 frozen, 5 deleted after the retention period. Only 3
// renews.
const GRACE: u8 = 0;
const PAY_PER_USE: u8 = 1;
const DELETE: u8 = 2;
const RENEW: u8 = 3;
const FREEZE: u8 = 4;
const DELETE_AFTER_RETENTION: u8 = 5;

// `status` (the same model): 2 in use, 3 closed, 4 frozen, 5 expired.
const IN_USE: u8 = 2;
const CLOSED: u8 = 3;
const FROZEN: u8 = 4;
const EXPIRED: u8 = 5;

/// The retention period that follows a grace period or freezing, in days
/// (docs/huawei-apis.md §7: grace and retention lengths depend on the
/// customer's level, 7/15 or 15/15 days; the demo's account has 15).
const RETENTION_DAYS: i64 = 15;

/// When billing says a subscription ends.
#[derive(Clone, Copy)]
enum Ends {
    /// `days` from today, at 23:59:59 Beijing time.
    InDays(i64),
    /// The service's own date.
    AsService,
}

/// What billing says of one package: when it ends, how long a term it
/// was bought for (its effective time is that long before), the policy
/// at expiry and the status.
#[derive(Clone, Copy)]
struct Plan {
    ends: Ends,
    term_days: i64,
    policy: u8,
    status: u8,
}

const fn plan(ends: Ends, term_days: i64, policy: u8, status: u8) -> Option<Plan> {
    Some(Plan { ends, term_days, policy, status })
}

/// TestPlan's packages, by their place in its answer (demo/testplan.rs).
const TESTPLAN_PLANS: [Option<Plan>; 4] = [
    // The dial-testing package: billing's term ends a week after the date
    // TestPlan gives (more than a day apart: the console shows both).
    plan(Ends::InDays(32), 365, GRACE, IN_USE),
    // Another tenant's package, shared with this one: not this account's
    // to bill.
    None,
    plan(Ends::AsService, 365, DELETE, IN_USE),
    // Lapsed and frozen at expiry.
    plan(Ends::AsService, 365, FREEZE, FROZEN),
];

/// CodeArts Check's other resources, by CodeArts project (the variants of
/// demo/codecheck.rs) and place in `other_resource_list`.
const CODECHECK_PLANS: [&[Option<Plan>]; 3] = [
    &[
        // The security package renews.
        plan(Ends::InDays(277), 365, RENEW, IN_USE),
        // The enterprise combo (the main resource takes this id) turns
        // pay-per-use at expiry, on the date of the service's countdown.
        plan(Ends::InDays(25), 365, PAY_PER_USE, IN_USE),
        // The two concurrency packs, monthly: one deleted at expiry, one
        // entering its grace period.
        plan(Ends::InDays(9), 30, DELETE, IN_USE),
        plan(Ends::InDays(21), 30, GRACE, IN_USE),
    ],
    // The combo in its grace period, frozen in 12 days (Check's countdown):
    // billing gives the date it is deleted at, after the retention period.
    &[plan(Ends::InDays(12 + RETENTION_DAYS), 365, DELETE_AFTER_RETENTION, EXPIRED)],
    // The free edition has no resource id: billing knows nothing of it.
    &[],
];

/// DSC's orders in each region (cn-north-4, cn-east-3, ap-southeast-3,
/// ap-southeast-1: [`SITES`]), by their place in its answer (demo/dsc.rs).
const DSC_PLANS: [&[Option<Plan>]; 4] = [
    &[plan(Ends::InDays(143), 365, RENEW, IN_USE), plan(Ends::InDays(11), 180, GRACE, IN_USE), plan(Ends::InDays(3), 30, DELETE, IN_USE)],
    &[plan(Ends::InDays(200), 365, RENEW, IN_USE)],
    &[plan(Ends::InDays(40), 365, GRACE, IN_USE)],
    &[plan(Ends::InDays(-9), 180, GRACE, EXPIRED)],
];

/// The demo's regions, in the order of [`DSC_PLANS`].
const SITES: [Site; 4] = [Site::Main, Site::Shanghai, Site::Singapore, Site::HongKong];

/// The yearly/monthly HSS quotas of cn-north-4 that HSS gives no date
/// (`expire_time` -1), by index (demo/hss.rs), with what billing says:
/// some renew within 7 days, others lapse within 7 or 30 days under each
/// policy that does not renew, and one bound to a server has expired.
const HSS_UNDATED: [(usize, i64, u8, u8); 9] = [
    // Bound to a server (`ecs-api-013`), which has lost its protection.
    (13, -4, GRACE, EXPIRED),
    (61, 2, FREEZE, IN_USE),
    (110, 3, RENEW, IN_USE),
    (158, 6, RENEW, IN_USE),
    (207, 12, GRACE, IN_USE),
    (255, 5, DELETE, IN_USE),
    (304, 26, DELETE_AFTER_RETENTION, IN_USE),
    (352, 19, GRACE, IN_USE),
    (401, 340, RENEW, IN_USE),
];

/// What billing says of HSS quota `q`: nothing for a pay-per-use one; for
/// a yearly/monthly one, the date HSS gives (or, where it gives none, the
/// table above, or a renewal within a month in the other regions), the
/// policy, and the status its quota status and date make.
fn hss_plan(q: &super::hss::Quota, days_ago: impl Fn(i64) -> i64) -> Option<(Ends, u8, u8)> {
    if q.on_demand {
        return None;
    }
    let i = q.index;
    if q.expire_time == -1 {
        return Some(match HSS_UNDATED.iter().find(|u| u.0 == i) {
            Some(&(_, days, policy, status)) => (Ends::InDays(days), policy, status),
            None => (Ends::InDays(10 + (i % 20) as i64), RENEW, IN_USE),
        });
    }
    let (policy, status) = match q.quota_status {
        "freeze" => (FREEZE, FROZEN),
        // Lapsed: in the grace period first, then closed once the grace
        // and retention periods are over.
        "expired" if days_ago(q.expire_time) > 2 * RETENTION_DAYS => (DELETE_AFTER_RETENTION, CLOSED),
        "expired" => (GRACE, EXPIRED),
        _ => ([RENEW, RENEW, RENEW, GRACE, DELETE, FREEZE][i % 6], IN_USE),
    };
    Some((Ends::AsService, policy, status))
}

/// One record of billing's answer (OrderInstanceV2).
struct Record {
    /// The order instance (subscription) id's index.
    instance: usize,
    resource_id: String,
    name: String,
    region: &'static str,
    project: &'static str,
    service_type: &'static str,
    resource_type: String,
    spec: String,
    effective: OffsetDateTime,
    expires: OffsetDateTime,
    policy: u8,
    status: u8,
}

impl Record {
    fn to_json(&self, today: Today) -> Value {
        json!({
            "id": hex32(SALT_BSS, self.instance),
            "resource_id": self.resource_id,
            "resource_name": self.name,
            "region_code": self.region,
            "service_type_code": self.service_type,
            "resource_type_code": self.resource_type,
            "resource_spec_code": self.spec,
            "project_id": self.project,
            "is_main_resource": 1,
            "status": self.status,
            "effective_time": rfc3339(self.effective),
            "expire_time": rfc3339(self.expires),
            "expire_policy": self.policy,
            "update_time": rfc3339(today.at(-(1 + (self.instance % 9) as i64), 3 * 3600 + 12 * 60 + 40)),
        })
    }
}

/// The instant of an epoch-ms date of a service's answer.
fn from_ms(ms: i64, today: Today) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(today.at(0, 0))
}

/// The region and IAM project of each of the demo's regions.
fn place(site: Site) -> (&'static str, &'static str) {
    match site {
        Site::Main => (DEMO_REGION, DEMO_PROJECT_ID),
        Site::Shanghai => ("cn-east-3", CN_EAST_3_PROJECT_ID),
        Site::Singapore => ("ap-southeast-3", AP_SOUTHEAST_3_PROJECT_ID),
        Site::HongKong => (HONG_KONG_REGION, AP_SOUTHEAST_1_PROJECT_ID),
    }
}

/// Every record billing holds for the account on `today`.
fn account(today: Today) -> Vec<Record> {
    let mut records = Vec::new();
    let dated = |ends: Ends, service: OffsetDateTime| match ends {
        Ends::InDays(days) => today.expiry(days),
        Ends::AsService => service,
    };

    // The CodeArts services are the account's, in the demo's region. Their
    // service and resource type codes are illustrative where the services'
    // documents give none (TestPlan's).
    let testplan = testplan_packages(today);
    for (k, (package, plan)) in testplan["result"].as_array().into_iter().flatten().zip(TESTPLAN_PLANS).enumerate() {
        let (Some(plan), Some(id)) = (plan, package["resource_id"].as_str()) else { continue };
        let expires = dated(plan.ends, from_ms(package["expiration_time"].as_i64().unwrap_or_default(), today));
        let spec = package["spec_code"].as_str().unwrap_or_default();
        records.push(Record {
            instance: k,
            resource_id: id.to_string(),
            name: spec.to_string(),
            region: DEMO_REGION,
            project: DEMO_PROJECT_ID,
            service_type: "hws.service.type.cloudtest",
            resource_type: "hws.resource.type.cloudtest.package".into(),
            spec: spec.to_string(),
            effective: expires - time::Duration::days(plan.term_days),
            expires,
            policy: plan.policy,
            status: plan.status,
        });
    }
    for (variant, plans) in CODECHECK_PLANS.iter().enumerate() {
        let query = params(Some(&format!("project_id={}", CODEARTS_PROJECTS[variant].id)));
        let status = codecheck_packages(&query, today);
        for (k, (other, plan)) in status["result"]["other_resource_list"].as_array().into_iter().flatten().zip(plans.iter()).enumerate() {
            let (Some(plan), Some(id)) = (plan, other["resourceId"].as_str()) else { continue };
            let expires = dated(plan.ends, today.expiry(0));
            let text = |key: &str| other[key].as_str().unwrap_or_default().to_string();
            records.push(Record {
                instance: 10 + 10 * variant + k,
                resource_id: id.to_string(),
                name: text("specCode"),
                region: DEMO_REGION,
                project: DEMO_PROJECT_ID,
                service_type: "hws.service.type.devcloud",
                resource_type: text("resourceType"),
                spec: text("specCode"),
                effective: expires - time::Duration::days(plan.term_days),
                expires,
                policy: plan.policy,
                status: plan.status,
            });
        }
    }
    // DSC and HSS are bought per region: each region's own.
    for (s, (site, dsc_plans)) in SITES.into_iter().zip(DSC_PLANS).enumerate() {
        let (region, project) = place(site);
        let orders = dsc_specification(site);
        for (k, (order, plan)) in orders["order_infos"].as_array().into_iter().flatten().zip(dsc_plans).enumerate() {
            let (Some(plan), Some(id)) = (plan, order["resource_id"].as_str()) else { continue };
            let expires = dated(plan.ends, today.expiry(0));
            let info = &order["product_info"];
            let text = |key: &str| info[key].as_str().unwrap_or_default().to_string();
            records.push(Record {
                instance: 100 + 10 * s + k,
                resource_id: id.to_string(),
                name: text("resource_name"),
                region,
                project,
                service_type: "hws.service.type.sdg",
                resource_type: text("resource_type"),
                spec: text("resource_spec_code"),
                effective: expires - time::Duration::days(plan.term_days),
                expires,
                policy: plan.policy,
                status: plan.status,
            });
        }
        let quotas = match site {
            Site::Main => 0..HSS_TOTAL + HSS_FINANCE_TOTAL,
            other => other.indices(0..HSS_TOTAL),
        };
        let now_ms = today.at(0, 0).unix_timestamp() * 1000;
        for q in quotas.map(|i| hss_quota(i, today)) {
            let Some((ends, policy, status)) = hss_plan(&q, |ms| (now_ms - ms) / 86_400_000) else { continue };
            let expires = dated(ends, from_ms(q.expire_time, today));
            records.push(Record {
                instance: 100_000 + q.index,
                resource_id: q.resource_id(),
                name: q.host_name().unwrap_or_else(|| format!("hss-quota-{:03}", q.index)),
                region,
                project,
                service_type: "hws.service.type.hss",
                resource_type: "hws.resource.type.hss.quota".into(),
                spec: q.version.to_string(),
                effective: from_ms(q.create_time, today),
                expires,
                policy,
                status,
            });
        }
    }
    records
}

/// The body of a call, read tolerantly: `resource_ids` a list of strings
/// (other items skipped), `offset` and `limit` numbers or numeric strings.
struct Query {
    ids: Vec<String>,
    offset: usize,
    limit: usize,
}

/// Why a body was refused, for billing's 400.
type Refusal = &'static str;

impl Query {
    fn read(body: &[u8]) -> Result<Query, Refusal> {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
            return Err("Invalid parameter: the request body is not a JSON object.");
        };
        let ids: Vec<String> = match body.get("resource_ids") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => ids.iter().filter_map(|id| id.as_str().map(str::to_string)).collect(),
            Some(_) => return Err("Invalid parameter: resource_ids must be a list."),
        };
        if ids.len() > MAX_IDS {
            return Err("Invalid parameter: resource_ids holds more than 50 ids.");
        }
        let number = |key: &str, default: usize| -> Result<usize, Refusal> {
            let value = match body.get(key) {
                None | Some(Value::Null) => return Ok(default),
                Some(Value::String(text)) => text.trim().parse::<usize>().ok(),
                Some(other) => other.as_u64().and_then(|n| usize::try_from(n).ok()),
            };
            value.ok_or(if key == "offset" { "Invalid parameter: offset." } else { "Invalid parameter: limit." })
        };
        let offset = number("offset", 0)?;
        let limit = number("limit", DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err("Invalid parameter: limit.");
        }
        Ok(Query { ids, offset, limit })
    }
}

/// `POST /v2/orders/suscriptions/resources/query` at billing's `site`
/// (pseudo-region) with `body`: the records of the ids asked for (every
/// record when none is), in the order asked, `offset` and `limit` paging
/// them, `total_count` counting them all. `signed` says whether the call
/// was signed with access keys (the gateway's codes differ).
pub(super) fn bss_resources(site: &str, body: &[u8], mode: Mode, signed: bool, today: Today) -> Answer {
    if site != tenantscope_catalog::BILLING_CN {
        // The account is the Chinese mainland site's: another site's gateway
        // does not know its token or keys (docs/huawei-apis.md §6: APIG.0301
        // for a token, APIGW.0301 for a signature; §7: a 401 moves the
        // console to the next site; the wording is illustrative).
        let code = if signed { "APIGW.0301" } else { "APIG.0301" };
        return error(StatusCode::UNAUTHORIZED, code, "Incorrect IAM authentication information: the account is not known on this site");
    }
    if mode == Mode::Limited {
        // A project-scoped token may be refused (docs/huawei-apis.md §7,
        // Permission): the answer names the permission code it wanted, as
        // BSS's do. CBC.0151 is BSS's access refusal; the wording follows
        // §7's example with the current permission name.
        return error(StatusCode::FORBIDDEN, "CBC.0151", "Access denied. The correct permission code is billing:subscription:view");
    }
    // BSS's parameter error (CBC.0100); the code and wording are
    // illustrative (§7 gives none).
    let query = match Query::read(body) {
        Ok(query) => query,
        Err(refusal) => return bad_request("CBC.0100", refusal),
    };
    let account = account(today);
    let mut asked: Vec<&str> = Vec::with_capacity(query.ids.len());
    for id in &query.ids {
        if !asked.contains(&id.as_str()) {
            asked.push(id);
        }
    }
    let found: Vec<&Record> =
        if asked.is_empty() { account.iter().collect() } else { asked.iter().filter_map(|id| account.iter().find(|r| r.resource_id == *id)).collect() };
    let data: Vec<Value> = found.iter().skip(query.offset).take(query.limit).map(|r| r.to_json(today)).collect();
    ok(json!({ "total_count": found.len(), "data": data }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use http::HeaderMap;
    use tenantscope_catalog::{Route, BILLING_CN, BILLING_INTL, GLOBAL_EU};

    use super::super::auth::{DEMO_EXPIRED_TOKEN, DEMO_FAULTS_TOKEN, DEMO_LIMITED_TOKEN, DEMO_TOKEN};
    use super::super::ids::epoch_ms;
    use super::super::support::{call_ok, headers, parse_utc, parsed, post, NOW};
    use super::*;

    fn ask(ids: &[String]) -> Value {
        let body = json!({ "resource_ids": ids, "only_main_resource": 0, "offset": 0, "limit": ids.len().max(1) }).to_string();
        let (status, answer) = parsed(post(BILLING_CN, body.as_bytes(), &headers(Some(DEMO_TOKEN))));
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// Billing's records of `ids`, asked 50 at a time as the console asks,
    /// by resource id.
    fn billed(ids: &[String]) -> HashMap<String, Value> {
        let mut out = HashMap::new();
        for batch in ids.chunks(MAX_IDS) {
            let answer = ask(batch);
            let data = answer["data"].as_array().unwrap();
            assert_eq!(answer["total_count"].as_u64(), Some(data.len() as u64));
            for record in data {
                out.insert(record["resource_id"].as_str().unwrap().to_string(), record.clone());
            }
        }
        out
    }

    fn days_from_now(record: &Value) -> f64 {
        let at = parse_utc(record["expire_time"].as_str().unwrap()).unwrap();
        (epoch_ms(at) - epoch_ms(NOW)) as f64 / 86_400_000.0
    }

    fn hss_quotas() -> Vec<Value> {
        let mut quotas = Vec::new();
        for offset in [0, 200, 400] {
            let page = call_ok(Route::HssQuotas, &format!("limit=200&offset={offset}&enterprise_project_id=all_granted_eps"));
            quotas.extend(page["data_list"].as_array().unwrap().iter().cloned());
        }
        quotas
    }

    #[test]
    fn records_have_the_sdk_shape() {
        let all = parsed(post(BILLING_CN, b"{}", &headers(Some(DEMO_TOKEN)))).1;
        let data = all["data"].as_array().unwrap();
        assert_eq!(data.len(), DEFAULT_LIMIT, "every record, paged by the default limit");
        assert!(all["total_count"].as_u64().unwrap() > 400);
        for record in data {
            for key in ["id", "resource_id", "resource_name", "region_code", "service_type_code", "resource_type_code", "resource_spec_code", "project_id"] {
                assert!(record[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {record}");
            }
            assert_eq!(record["is_main_resource"], 1);
            for key in ["effective_time", "expire_time", "update_time"] {
                let text = record[key].as_str().unwrap();
                assert!(text.len() == 20 && parse_utc(text).is_some(), "{key}: {text}");
            }
            assert!(record["service_type_code"].as_str().unwrap().starts_with("hws.service.type."));
        }
    }

    #[test]
    fn every_policy_and_status_is_somewhere() {
        let all = parsed(post(BILLING_CN, br#"{"limit":500}"#, &headers(Some(DEMO_TOKEN)))).1;
        let total = all["total_count"].as_u64().unwrap() as usize;
        let mut records: Vec<Value> = all["data"].as_array().unwrap().clone();
        let rest = parsed(post(BILLING_CN, br#"{"limit":500,"offset":500}"#, &headers(Some(DEMO_TOKEN)))).1;
        records.extend(rest["data"].as_array().unwrap().iter().cloned());
        assert_eq!(records.len(), total);
        for policy in 0..=5 {
            assert!(records.iter().any(|r| r["expire_policy"] == policy), "policy {policy}");
        }
        for status in 2..=5 {
            assert!(records.iter().any(|r| r["status"] == status), "status {status}");
        }
        let ids: Vec<&str> = records.iter().map(|r| r["resource_id"].as_str().unwrap()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "one record per resource");
    }

    #[test]
    fn undated_yearly_hss_quotas_get_their_date_from_billing() {
        let quotas = hss_quotas();
        let undated: Vec<&Value> = quotas.iter().filter(|q| q["charging_mode"] == "packet_cycle" && q["expire_time"] == -1).collect();
        let ids: Vec<String> = undated.iter().map(|q| q["resource_id"].as_str().unwrap().to_string()).collect();
        let billed = billed(&ids);
        assert_eq!(billed.len(), undated.len(), "billing dates every undated yearly/monthly quota");
        let days = |q: &Value| days_from_now(&billed[q["resource_id"].as_str().unwrap()]);
        let policy = |q: &Value| billed[q["resource_id"].as_str().unwrap()]["expire_policy"].as_u64().unwrap() as u8;
        assert!(undated.iter().filter(|q| policy(q) == RENEW && (0.0..7.0).contains(&days(q))).count() >= 2, "renewing within 7 days");
        for window in [0.0..7.0, 7.0..30.0] {
            let lapsing: Vec<u8> = undated.iter().filter(|q| policy(q) != RENEW && window.contains(&days(q))).map(|q| policy(q)).collect();
            assert!(lapsing.len() >= 2, "lapsing in {window:?}: {lapsing:?}");
        }
        let lapsing: Vec<u8> = undated.iter().filter(|q| policy(q) != RENEW && (0.0..30.0).contains(&days(q))).map(|q| policy(q)).collect();
        for p in [GRACE, DELETE, FREEZE, DELETE_AFTER_RETENTION] {
            assert!(lapsing.contains(&p), "no quota lapsing within 30 days under policy {p}");
        }
        // A quota bound to a server that billing says has expired.
        let lost: Vec<&str> = undated
            .iter()
            .filter(|q| {
                let r = &billed[q["resource_id"].as_str().unwrap()];
                q["used_status"] == "used" && r["status"] == EXPIRED && days(q) < 0.0
            })
            .map(|q| q["host_name"].as_str().unwrap())
            .collect();
        // The one host the browser tests look for by name.
        assert_eq!(lost, ["ecs-batch-013"], "the bound quota billing says has expired");
    }

    #[test]
    fn dated_packages_keep_their_date_and_some_packages_are_unknown() {
        let quotas = hss_quotas();
        let ids: Vec<String> = quotas.iter().map(|q| q["resource_id"].as_str().unwrap().to_string()).collect();
        let billed = billed(&ids);
        for q in &quotas {
            let record = billed.get(q["resource_id"].as_str().unwrap());
            // Pay-per-use quotas are not billing's yearly/monthly resources.
            assert_eq!(record.is_some(), q["charging_mode"] == "packet_cycle", "{q}");
            let (Some(record), Some(ms)) = (record, q["expire_time"].as_i64().filter(|&t| t != -1)) else { continue };
            let at = epoch_ms(parse_utc(record["expire_time"].as_str().unwrap()).unwrap());
            assert!((at - ms).abs() < 1000, "billing's date is HSS's: {q} {record}");
            if q["quota_status"] == "freeze" {
                assert_eq!(record["status"], FROZEN, "{record}");
            }
        }
        // MetaStudio: billing knows none of its packages.
        let meta = call_ok(Route::MetastudioResources, "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=50&offset=0");
        let meta_ids: Vec<String> = meta["resources"].as_array().unwrap().iter().map(|r| r["resource_id"].as_str().unwrap().to_string()).collect();
        assert_eq!(ask(&meta_ids)["total_count"], 0);
    }

    #[test]
    fn the_codearts_and_dsc_packages_billing_knows() {
        let testplan = call_ok(Route::TestplanPackages, "");
        let packages = testplan["result"].as_array().unwrap();
        let ids: Vec<String> = packages.iter().map(|p| p["resource_id"].as_str().unwrap().to_string()).collect();
        let records = billed(&ids);
        // Another tenant's package is not billed here.
        assert_eq!(records.len(), 3);
        assert!(packages.iter().filter(|p| p["package_user"] == true).all(|p| !records.contains_key(p["resource_id"].as_str().unwrap())));
        // One date differs from TestPlan's own by more than a day.
        let apart = packages.iter().filter_map(|p| {
            let record = records.get(p["resource_id"].as_str().unwrap())?;
            let at = epoch_ms(parse_utc(record["expire_time"].as_str().unwrap()).unwrap());
            Some((at - p["expiration_time"].as_i64().unwrap()).abs())
        });
        assert_eq!(apart.filter(|&d| d > 86_400_000).count(), 1);

        // Check's combo in its grace period: billing gives its deletion date.
        let grace = call_ok(Route::CodecheckPackages, &format!("project_id={}", CODEARTS_PROJECTS[1].id));
        let id = grace["result"]["other_resource_list"][0]["resourceId"].as_str().unwrap().to_string();
        let record = billed_one(&id);
        assert_eq!((record["expire_policy"].as_u64(), record["status"].as_u64()), (Some(5), Some(5)));
        let freezes_in = grace["result"]["tips"]["next_action_remain_day"].as_i64().unwrap() as f64;
        assert!((days_from_now(&record) - freezes_in - RETENTION_DAYS as f64).abs() < 1.0, "{record}");
        // The combo in effect turns pay-per-use when Check says it does.
        let effect = call_ok(Route::CodecheckPackages, &format!("project_id={}", CODEARTS_PROJECTS[0].id));
        let combo = effect["result"]["other_resource_list"].as_array().unwrap().iter().find(|o| o["specCode"] == "codearts.china.enterprise").unwrap();
        let record = billed_one(combo["resourceId"].as_str().unwrap());
        assert_eq!(record["expire_policy"], PAY_PER_USE);
        assert!((days_from_now(&record) - effect["result"]["tips"]["next_action_remain_day"].as_f64().unwrap()).abs() < 1.0);

        // DSC: one order renews, others lapse.
        let dsc = call_ok(Route::DscSpecification, "");
        let ids: Vec<String> = dsc["order_infos"].as_array().unwrap().iter().map(|o| o["resource_id"].as_str().unwrap().to_string()).collect();
        let records = billed(&ids);
        let policies: Vec<u64> = ids.iter().map(|id| records[id]["expire_policy"].as_u64().unwrap()).collect();
        assert!(policies.contains(&3) && policies.iter().any(|&p| p != 3), "{policies:?}");
    }

    fn billed_one(id: &str) -> Value {
        let answer = ask(&[id.to_string()]);
        assert_eq!(answer["total_count"], 1, "{id}");
        answer["data"][0].clone()
    }

    #[test]
    fn only_the_mainland_site_knows_the_account() {
        let body = br#"{"resource_ids":[],"offset":0,"limit":1}"#;
        for site in [BILLING_INTL, GLOBAL_EU] {
            let (status, answer) = parsed(post(site, body, &headers(Some(DEMO_TOKEN))));
            assert_eq!((status, answer["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIG.0301")), "{site}");
            assert!(answer["error_msg"].as_str().unwrap().contains("not known on this site"));
        }
        assert_eq!(post(BILLING_CN, body, &headers(Some(DEMO_TOKEN))).status, StatusCode::OK);
    }

    #[test]
    fn the_limited_account_may_not_read_billing_and_the_others_answer_as_elsewhere() {
        let body = br#"{"resource_ids":["a"]}"#;
        let (status, answer) = parsed(post(BILLING_CN, body, &headers(Some(DEMO_LIMITED_TOKEN))));
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(answer, json!({ "error_code": "CBC.0151", "error_msg": "Access denied. The correct permission code is billing:subscription:view" }));
        assert_eq!(parsed(post(BILLING_CN, body, &headers(Some(DEMO_EXPIRED_TOKEN)))).1["error_code"], "APIG.0307");
        assert_eq!(post(BILLING_CN, body, &headers(Some(DEMO_FAULTS_TOKEN))), post(BILLING_CN, body, &headers(Some(DEMO_TOKEN))));
        assert_eq!(parsed(post(BILLING_CN, body, &HeaderMap::new())).1["error_code"], "APIG.0301");
    }

    #[test]
    fn bodies_are_read_tolerantly_and_refused_as_bss_refuses() {
        let token = headers(Some(DEMO_TOKEN));
        let quotas = hss_quotas();
        let id = quotas.iter().find(|q| q["charging_mode"] == "packet_cycle").unwrap()["resource_id"].as_str().unwrap().to_string();
        // Numbers as strings, unknown fields, an id twice, non-string items.
        let body = json!({ "resource_ids": [id, 7, null, id, "unknown"], "offset": "0", "limit": "5", "status_list": [2], "only_main_resource": 1 });
        let (status, answer) = parsed(post(BILLING_CN, body.to_string().as_bytes(), &token));
        assert_eq!((status, answer["total_count"].as_u64()), (StatusCode::OK, Some(1)), "{answer}");
        assert_eq!(answer["data"][0]["resource_id"], id.as_str());
        // 50 ids are answered; 51 are refused.
        let fifty: Vec<String> = quotas.iter().take(50).map(|q| q["resource_id"].as_str().unwrap().to_string()).collect();
        assert_eq!(parsed(post(BILLING_CN, json!({ "resource_ids": fifty, "limit": 50 }).to_string().as_bytes(), &token)).0, StatusCode::OK);
        let many: Vec<String> = (0..51).map(|i| format!("id{i}")).collect();
        for bad in [
            json!({ "resource_ids": many }).to_string(),
            "not json".to_string(),
            "[]".to_string(),
            "".to_string(),
            r#"{"resource_ids":"a"}"#.to_string(),
            r#"{"limit":0}"#.to_string(),
            r#"{"limit":501}"#.to_string(),
            r#"{"offset":-1}"#.to_string(),
            r#"{"limit":"x"}"#.to_string(),
        ] {
            let (status, answer) = parsed(post(BILLING_CN, bad.as_bytes(), &token));
            assert_eq!((status, answer["error_code"].as_str()), (StatusCode::BAD_REQUEST, Some("CBC.0100")), "{bad}");
        }
        // Paging the records of the ids asked.
        let six: Vec<String> = fifty[..6].to_vec();
        let page = parsed(post(BILLING_CN, json!({ "resource_ids": six, "offset": 1, "limit": 2 }).to_string().as_bytes(), &token)).1;
        let all = ask(&six);
        assert_eq!(page["total_count"], all["total_count"]);
        assert_eq!(page["data"].as_array().unwrap()[..], all["data"].as_array().unwrap()[1..3]);
    }

    #[test]
    fn every_region_asks_for_its_own_ids_and_gets_the_same_answer_everywhere() {
        use super::super::support::respond;
        let token = headers(Some(DEMO_TOKEN));
        for project in [CN_EAST_3_PROJECT_ID, AP_SOUTHEAST_3_PROJECT_ID, AP_SOUTHEAST_1_PROJECT_ID] {
            let path = Route::HssQuotas.template().replace("{project_id}", project);
            let page = parsed(respond(Route::HssQuotas, Some(project), &path, Some("limit=200"), &token, NOW)).1;
            let ids: Vec<String> = page["data_list"].as_array().unwrap().iter().map(|q| q["resource_id"].as_str().unwrap().to_string()).collect();
            let records = billed(&ids);
            assert!(!records.is_empty(), "{project}");
            assert!(records.values().all(|r| r["project_id"] == project), "{project}");
            let dsc_path = Route::DscSpecification.template().replace("{project_id}", project);
            let dsc = parsed(respond(Route::DscSpecification, Some(project), &dsc_path, None, &token, NOW)).1;
            let id = dsc["order_infos"][0]["resource_id"].as_str().unwrap();
            assert_eq!(billed_one(id)["project_id"], project);
        }
    }
}
