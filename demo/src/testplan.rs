//! CodeArts TestPlan (docs/huawei-apis.md §2.1, seed 000): the packages of
//! the demo's CodeArts projects.

use serde_json::{json, Value};

use super::auth::DEMO_DOMAIN_ID;
use super::ids::{epoch_ms, hex32, Today, SALT_TESTPLAN};

/// `GET /v1/projects/{service_id}/package/status`, current doc shape
/// `{"status","result"}` with epoch-millisecond times.
pub(super) fn testplan_packages(today: Today) -> Value {
    // spec_code, resource_status, used, amount, started (days), expires (days), package_user
    let packages = [
        ("codearts.testplan.china.echotest", "normal", 1260, 5000, -340, 25, false),
        ("codearts.testplan.china.pro", "normal", 18, 50, -160, 205, true),
        ("codearts.extension.concurrency.ticc", "normal", 2, 5, -361, 4, false),
        // Lapsed six days ago and now frozen (retention period).
        ("codearts.testplan.china.echotest", "freeze", 5000, 5000, -371, -6, false),
    ];
    let result: Vec<Value> = packages
        .into_iter()
        .enumerate()
        .map(|(i, (spec_code, status, used, amount, started, expires, package_user))| {
            json!({
                "spec_code": spec_code,
                "resource_status": status,
                "tenant_id": DEMO_DOMAIN_ID,
                "resource_id": hex32(SALT_TESTPLAN, i),
                "resource_used": used,
                "original_amount": amount,
                "package_user": package_user,
                "has_license": true,
                "expiration_time": epoch_ms(today.expiry(expires)),
                "start_time": epoch_ms(today.at(started, 2 * 3600 + 17 * 60 + 5)),
            })
        })
        .collect();
    json!({ "status": "ok", "result": result })
}

#[cfg(test)]
mod tests {
    use tenantscope_catalog::Route;

    use super::super::support::call_ok;

    #[test]
    fn testplan_has_the_current_doc_shape() {
        let body = call_ok(Route::TestplanPackages, "");
        assert_eq!(body["status"], "ok");
        let result = body["result"].as_array().unwrap();
        assert_eq!(result.len(), 4);
        for p in result {
            assert!(p["expiration_time"].is_i64() && p["start_time"].is_i64(), "{p}");
            assert!(p["expiration_time"].as_i64() > Some(1_000_000_000_000), "milliseconds: {p}");
            assert_eq!(p["resource_id"].as_str().unwrap().len(), 32);
            assert!(matches!(p["resource_status"].as_str(), Some("normal" | "freeze" | "close")));
            assert!(p["spec_code"].as_str().unwrap().starts_with("codearts."));
            assert!(p["has_license"].is_boolean() && p["package_user"].is_boolean());
            assert!(p["resource_used"].is_number() && p["original_amount"].is_number());
        }
    }
}
