//! IAM (docs/huawei-apis.md §3): the demo token introspected, and the
//! account's projects.

use serde_json::{json, Value};
use time::{Duration, OffsetDateTime, UtcOffset};

use super::auth::{
    AP_SOUTHEAST_1_PROJECT_ID, AP_SOUTHEAST_3_PROJECT_ID, CN_EAST_3_PROJECT_ID, DEMO_DOMAIN_ID, DEMO_DOMAIN_NAME, DEMO_PROJECT_ID, DEMO_REGION, DEMO_USER_ID,
    DEMO_USER_NAME, FINANCE_PROJECT_ID, HONG_KONG_REGION,
};
use super::ids::iam_time;

fn domain() -> Value {
    json!({ "name": DEMO_DOMAIN_NAME, "id": DEMO_DOMAIN_ID })
}

/// `GET /v3/auth/tokens`: a project-scoped password token issued two hours
/// ago, valid 24 h (iam_30_0004; GoSDK model_token_result.go).
pub(super) fn iam_token(now: OffsetDateTime) -> Value {
    let now = now.to_offset(UtcOffset::UTC);
    let issued = now.checked_sub(Duration::hours(2)).unwrap_or(now);
    let expires = issued.checked_add(Duration::hours(24)).unwrap_or(issued);
    json!({
        "token": {
            "expires_at": iam_time(expires),
            "issued_at": iam_time(issued),
            "methods": ["password"],
            "project": { "name": DEMO_REGION, "id": DEMO_PROJECT_ID, "domain": domain() },
            "user": {
                "name": DEMO_USER_NAME,
                "id": DEMO_USER_ID,
                "domain": domain(),
                "password_expires_at": "",
            },
            "roles": [
                { "name": "te_admin", "id": "0" },
                { "name": "op_fine_grained", "id": "0" },
            ],
            "catalog": [],
        }
    })
}

/// `GET /v3/auth/projects` (iam_06_0003): system projects are named by their
/// region and belong to the account; a custom sub-project hangs below its
/// region's project.
pub(super) fn iam_projects() -> Value {
    let projects = [
        (DEMO_PROJECT_ID, "cn-north-4", DEMO_DOMAIN_ID, ""),
        (CN_EAST_3_PROJECT_ID, "cn-east-3", DEMO_DOMAIN_ID, ""),
        (AP_SOUTHEAST_3_PROJECT_ID, "ap-southeast-3", DEMO_DOMAIN_ID, ""),
        (AP_SOUTHEAST_1_PROJECT_ID, HONG_KONG_REGION, DEMO_DOMAIN_ID, ""),
        (FINANCE_PROJECT_ID, "cn-north-4_finance", DEMO_PROJECT_ID, "Finance department workloads"),
    ];
    let projects: Vec<Value> = projects
        .into_iter()
        .map(|(id, name, parent_id, description)| {
            json!({
                "id": id,
                "name": name,
                "domain_id": DEMO_DOMAIN_ID,
                "parent_id": parent_id,
                "enabled": true,
                "is_domain": false,
                "description": description,
                "links": { "self": format!("https://iam.myhuaweicloud.com/v3/projects/{id}") },
            })
        })
        .collect();
    json!({
        "links": { "self": "https://iam.myhuaweicloud.com/v3/auth/projects" },
        "projects": projects,
    })
}

#[cfg(test)]
mod tests {
    use tenantscope_catalog::Route;

    use super::super::support::{call_ok, parse_utc, NOW};
    use super::*;

    #[test]
    fn iam_token_times_have_six_fraction_digits_and_last_a_day() {
        let body = call_ok(Route::IamToken, "nocatalog=true");
        let token = &body["token"];
        let issued_text = token["issued_at"].as_str().unwrap();
        let expires_text = token["expires_at"].as_str().unwrap();
        assert_eq!(issued_text, "2025-07-08T12:36:32.123456Z");
        for text in [issued_text, expires_text] {
            assert_eq!(text.len(), "2023-06-28T08:56:33.710000Z".len(), "{text}");
            assert_eq!(text.split_once('.').map(|(_, f)| f.len()), Some(7), "{text}");
        }
        let issued = parse_utc(issued_text).unwrap();
        let expires = parse_utc(expires_text).unwrap();
        assert_eq!(expires - issued, Duration::hours(24));
        assert_eq!(NOW - issued, Duration::hours(2));

        assert_eq!(token["project"]["id"], DEMO_PROJECT_ID);
        assert_eq!(token["project"]["name"], DEMO_REGION);
        assert_eq!(token["project"]["domain"]["name"], DEMO_DOMAIN_NAME);
        assert_eq!(token["user"]["name"], DEMO_USER_NAME);
        assert_eq!(token["user"]["password_expires_at"], "");
        assert_eq!(token["methods"], json!(["password"]));
        assert_eq!(token["catalog"], json!([]));
        assert!(token["roles"].as_array().is_some_and(|r| !r.is_empty()));
    }

    #[test]
    fn iam_projects_are_named_by_region_with_a_sub_project() {
        let body = call_ok(Route::IamProjects, "");
        assert_eq!(body["links"]["self"], "https://iam.myhuaweicloud.com/v3/auth/projects");
        let projects = body["projects"].as_array().unwrap();
        let by_name = |name: &str| projects.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(by_name("cn-north-4")["id"], DEMO_PROJECT_ID);
        assert_eq!(by_name("cn-north-4")["parent_id"], DEMO_DOMAIN_ID);
        assert_eq!(by_name("cn-north-4_finance")["parent_id"], DEMO_PROJECT_ID);
        by_name("cn-east-3");
        by_name("ap-southeast-3");
        assert_eq!(by_name(HONG_KONG_REGION)["id"], AP_SOUTHEAST_1_PROJECT_ID);
        assert_eq!(projects.len(), 5);
        for p in projects {
            for key in ["id", "name", "domain_id", "parent_id", "enabled", "is_domain", "description", "links"] {
                assert!(p.get(key).is_some(), "{key} missing in {p}");
            }
            assert_eq!(p["links"]["self"], format!("https://iam.myhuaweicloud.com/v3/projects/{}", p["id"].as_str().unwrap()));
        }
    }
}
