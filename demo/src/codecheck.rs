//! CodeArts Check (docs/huawei-apis.md §2.2, seed 001): the tenant's
//! package status, one state of the seed per CodeArts project.

use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{DEMO_DOMAIN_ID, DEMO_REGION};
use super::ids::{hex32, rfc3339, Today, SALT_CODECHECK};
use super::projects::CODEARTS_PROJECTS;

/// The query parameter of `GET /v4/tenant/tenant-package-status` (see
/// [`codecheck_packages`]).
#[derive(Deserialize, Default)]
pub(super) struct CodecheckQuery {
    /// The CodeArts project.
    project_id: Option<String>,
}

/// The languages of seed 001's example, in its order.
#[rustfmt::skip]
const CODECHECK_LANGUAGES: [&str; 20] = [
    "C#", "CSS", "C++", "PYTHON", "CANGJIE", "SCALA", "GO", "KOTLIN", "JAVASCRIPT", "SQL",
    "ARKTS", "RUST", "JAVA", "SHELL", "FORTRAN", "PHP", "LUA", "JSON", "HTML", "TYPESCRIPT",
];

/// `GET /v4/tenant/tenant-package-status`, exactly the seed 001 example's
/// shape: `supportedLanguages` (plural, as in the example), camelCase inside
/// `other_resource_list`, `amount` as a string, and the main package's
/// countdown in `tips`. The Check tenant differs by CodeArts project
/// (`project_id`), so that each state of seed 001 can be seen:
/// - the first project (and none): the enterprise combo, in effect, turning
///   pay-per-use at expiry in 25 days (`next_action` 1), with the combo's
///   seats, a security package and two concurrency packs of one spec code;
/// - the second: the same combo in its grace period (`status` 5), frozen in
///   12 days (`next_action` 4);
/// - the third: the free edition, with this month's check time
///   (`duration`), deleted at expiry (`next_action` 2).
pub(super) fn codecheck_packages(query: &CodecheckQuery, today: Today) -> Value {
    let variant = match query.project_id.as_deref() {
        Some(id) if id == CODEARTS_PROJECTS[1].id => 1,
        Some(id) if id == CODEARTS_PROJECTS[2].id => 2,
        _ => 0,
    };
    let updated = rfc3339(today.at(-12, 14 * 3600 + 36 * 60 + 32));
    // resourceType, specCode, amount, created (days ago)
    let others: &[(&str, &str, &str, i64)] = match variant {
        2 => &[],
        1 => &[("hws.resource.type.codearts.combo", "codearts.china.enterprise", "20", -400)],
        _ => &[
            ("hws.resource.type.codecheck.security", "devcloud.codecheck.sec.professional", "1", -88),
            ("hws.resource.type.codearts.combo", "codearts.china.enterprise", "20", -340),
            ("hws.resource.type.codearts.extension.concurrency", "codearts.extension.concurrency.check", "2", -21),
            ("hws.resource.type.codearts.extension.concurrency", "codearts.extension.concurrency.check", "5", -9),
        ],
    };
    let other_resource_list: Vec<Value> = others
        .iter()
        .enumerate()
        .map(|(i, &(resource_type, spec_code, amount, created))| {
            json!({
                "id": null,
                "tenantId": DEMO_DOMAIN_ID,
                "region": DEMO_REGION,
                "createTime": rfc3339(today.at(created, 6 * 3600 + 24 * 60 + 47)),
                "updateTime": updated,
                "serviceType": "hws.service.type.devcloud",
                "resourceType": resource_type,
                "specCode": spec_code,
                "resourceId": hex32(SALT_CODECHECK, i + 10 * variant),
                "resourceStatus": "normal",
                "amount": amount,
            })
        })
        .collect();
    // Seed 001 `tips`: status 2 in effect, 5 grace period; next_action 1
    // pay-per-use at expiry, 4 frozen, 2 deleted at expiry.
    let (spec_code, charge_type, duration, status, next_action, remain_day) = match variant {
        1 => ("codearts.china.enterprise", 1, -1, 5, 4, 12),
        2 => ("codearts.china.free", 0, 135, 2, 2, 30),
        _ => ("codearts.china.enterprise", 1, -1, 2, 1, 25),
    };
    json!({
        "result": {
            "duration": duration,
            "charge_type": "effective_business_service",
            "supportedLanguages": CODECHECK_LANGUAGES,
            "securityPackageOpenStatus": variant == 0,
            "tenantId": DEMO_DOMAIN_ID,
            "main_resource_list": [{
                "chargeType": charge_type,
                "resourceSpecCode": spec_code,
                "resourceType": "hws.resource.type.codearts.combo",
                "serviceType": "hws.service.type.devcloud",
                "status": "normal",
            }],
            "type": "charge_type",
            "other_resource_list": other_resource_list,
            "concurrencyPackageOpenStatus": variant == 0,
            "tips": {
                "next_action_url": format!(
                    "https://account.huawei.com/usercenter/?region={DEMO_REGION}&locale=zh-cn#/renewal?subscriptionId=&orderId=&isFrom=expense"
                ),
                "next_action": next_action,
                "next_action_remain_day": remain_day,
                "status": status,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use tenantscope_catalog::Route;

    use super::super::auth::DEMO_CODEARTS_PROJECT_ID;
    use super::super::support::{call_ok, parse_utc};
    use super::*;

    #[test]
    fn codecheck_follows_the_seed_example() {
        let body = call_ok(Route::CodecheckPackages, &format!("project_id={DEMO_CODEARTS_PROJECT_ID}"));
        let result = &body["result"];
        assert!(result["supportedLanguages"].as_array().is_some_and(|l| l.contains(&json!("RUST"))));
        assert!(result.get("supportedLanguage").is_none());
        assert_eq!(result["duration"], -1);
        assert_eq!(result["type"], "charge_type");
        let main = &result["main_resource_list"][0];
        for key in ["chargeType", "resourceSpecCode", "resourceType", "serviceType", "status"] {
            assert!(main.get(key).is_some(), "{key}");
        }
        let others = result["other_resource_list"].as_array().unwrap();
        assert!(!others.is_empty());
        for o in others {
            assert!(o["amount"].is_string(), "{o}");
            assert!(o["id"].is_null());
            assert!(parse_utc(o["createTime"].as_str().unwrap()).is_some());
            assert!(o.get("resourceStatus").is_some() && o.get("specCode").is_some());
        }
        assert_eq!(result["tips"]["next_action_remain_day"], 25);
        assert_eq!(result["tips"]["status"], 2);
        assert!(result["tips"]["next_action_url"].is_string());
    }

    #[test]
    fn codecheck_shows_each_seed_state_by_codearts_project() {
        let tips = |project: &str| call_ok(Route::CodecheckPackages, &format!("project_id={project}"))["result"].clone();
        let first = tips(DEMO_CODEARTS_PROJECT_ID);
        assert_eq!((first["tips"]["status"].as_i64(), first["tips"]["next_action"].as_i64()), (Some(2), Some(1)));
        let concurrency = first["other_resource_list"].as_array().unwrap().iter().filter(|o| o["specCode"] == "codearts.extension.concurrency.check").count();
        assert_eq!(concurrency, 2, "two packs of one spec code");
        let grace = tips(CODEARTS_PROJECTS[1].id);
        assert_eq!((grace["tips"]["status"].as_i64(), grace["tips"]["next_action"].as_i64()), (Some(5), Some(4)));
        let free = tips(CODEARTS_PROJECTS[2].id);
        assert_eq!((free["duration"].as_i64(), free["tips"]["next_action"].as_i64()), (Some(135), Some(2)));
        assert_eq!(free["main_resource_list"][0]["resourceSpecCode"], "codearts.china.free");
    }
}
