//! Who the demo tenant is and whom it answers: its identities (account,
//! user, IAM and CodeArts project ids), the tokens that pick its behaviour
//! ([`Mode`]), the gateway's and the services' errors, and the faults of
//! [`DEMO_FAULTS_TOKEN`].

use http::{header, HeaderMap, StatusCode};
use serde_json::json;
use tenantscope_catalog::Route;

use super::hss::HssQuery;
use super::query::params;
use super::signed;
use super::{Answer, Reply};

/// The token the demo tenant answers normally (as `X-Auth-Token`, and as
/// `X-Subject-Token` for token introspection).
pub const DEMO_TOKEN: &str = "demo";
/// A token the demo tenant refuses as expired on every route, introspection
/// included: HTTP 401, `APIG.0307` "The token must be updated.".
pub const DEMO_EXPIRED_TOKEN: &str = "demo-expired";
/// A token for the demo tenant with one fault per service (see the module
/// doc); like [`DEMO_TOKEN`], introspected with itself as `X-Subject-Token`.
pub const DEMO_FAULTS_TOKEN: &str = "demo-faults";
/// A token for a smaller demo account without enterprise projects: HSS
/// refuses `enterprise_project_id=all_granted_eps` (403) and answers for the
/// default enterprise project without it, and TestPlan answers
/// `"status": "failed"`; the other services answer as for [`DEMO_TOKEN`].
/// Introspected with itself as `X-Subject-Token`.
pub const DEMO_LIMITED_TOKEN: &str = "demo-limited";
/// The demo tenant's IAM project in [`DEMO_REGION`] (project-scoped token).
pub const DEMO_PROJECT_ID: &str = "0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25";
/// The first of the demo tenant's CodeArts projects (TestPlan `service_id`,
/// Check `project_id`).
pub const DEMO_CODEARTS_PROJECT_ID: &str = "5d2f8a1b9c4e4f7a8b3c6e0d1a2f4b97";
/// The region the demo token is scoped to.
pub const DEMO_REGION: &str = "cn-north-4";
/// The demo account (IAM domain) name.
pub const DEMO_DOMAIN_NAME: &str = "northwind-demo";
/// The IAM user the demo token belongs to.
pub const DEMO_USER_NAME: &str = "demo-operator";

/// The account id; package APIs call it the tenant id.
pub(super) const DEMO_DOMAIN_ID: &str = "7c1e4b9a2d6f4a0e9b3c8d5f1a2e6b40";
pub(super) const DEMO_USER_ID: &str = "e83f5a0c7b1d4c2a9f6e0b8d3a7c5e19";
pub(super) const CN_EAST_3_PROJECT_ID: &str = "3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03";
pub(super) const AP_SOUTHEAST_3_PROJECT_ID: &str = "a2d7e0b4c9f14a6e8b5d3c1f7e0a9b62";
/// The demo's project in [`HONG_KONG_REGION`].
pub(super) const AP_SOUTHEAST_1_PROJECT_ID: &str = "c4e81f3a7b2d4096a5e0d9b3f6c1a874";
/// A region where the catalogue offers HSS and DSC but not TestPlan,
/// CodeArts Check or MetaStudio (guarded by a test in `mod.rs`), so the
/// console's "All regions" view meets a region with some services only.
pub(super) const HONG_KONG_REGION: &str = "ap-southeast-1";
pub(super) const FINANCE_PROJECT_ID: &str = "6e0c3a9f1b5d47e2a8c4f0b6d2e9a1c7";

// ---------------------------------------------------------------------------
// Authentication and errors (docs/huawei-apis.md §6)

/// How the accepted token asks the demo tenant to behave.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// [`DEMO_TOKEN`]: every service answers.
    Normal,
    /// [`DEMO_FAULTS_TOKEN`]: one fault per service ([`fault`]).
    Faults,
    /// [`DEMO_LIMITED_TOKEN`]: no enterprise projects, a failing TestPlan.
    Limited,
}

/// The gateway checks the caller before any service sees the call: an
/// `Authorization` header means an access-key signature ([`signed::verify`];
/// a verified call is answered as for [`DEMO_TOKEN`]), otherwise
/// `X-Auth-Token`. IAM's introspection also needs the token to look at,
/// `X-Subject-Token`, and finds only the token in hand (a signed call has
/// none, so it finds only [`DEMO_TOKEN`], the account's own).
///
/// `path` is the upstream path, `query` the raw query and `body` the
/// request body, as a signature covers them.
pub(super) fn authenticate(route: Route, path: &str, query: Option<&str>, headers: &HeaderMap, body: &[u8], now: time::OffsetDateTime) -> Result<Mode, Answer> {
    let (mode, in_hand) = if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        signed::verify(authorization, route.method(), path, query, headers, body, now)?;
        (Mode::Normal, DEMO_TOKEN.as_bytes())
    } else {
        let Some(token) = headers.get("x-auth-token") else {
            return Err(gateway_401("x-auth-token not found"));
        };
        let mode = match token.as_bytes() {
            t if t == DEMO_TOKEN.as_bytes() => Mode::Normal,
            t if t == DEMO_FAULTS_TOKEN.as_bytes() => Mode::Faults,
            t if t == DEMO_LIMITED_TOKEN.as_bytes() => Mode::Limited,
            t if t == DEMO_EXPIRED_TOKEN.as_bytes() => return Err(gateway_token_expired()),
            _ => return Err(gateway_401("decrypt token fail")),
        };
        (mode, token.as_bytes())
    };
    if route == Route::IamToken {
        match headers.get("x-subject-token") {
            None => return Err(keystone_error(StatusCode::BAD_REQUEST, "Bad Request", "Expecting to find X-Subject-Token in headers.")),
            Some(subject) if subject.as_bytes() != in_hand => return Err(keystone_error(StatusCode::NOT_FOUND, "Not Found", "Could not find token.")),
            Some(_) => {}
        }
    }
    Ok(mode)
}

/// APIG.0301, the gateway's answer to a missing or unreadable token.
fn gateway_401(reason: &str) -> Answer {
    let msg = format!("Incorrect IAM authentication information: {reason}");
    (StatusCode::UNAUTHORIZED, json!({ "error_code": "APIG.0301", "error_msg": msg }))
}

/// IAM's Keystone-style error: `{"error": {"code", "message", "title"}}`.
fn keystone_error(status: StatusCode, title: &str, message: &str) -> Answer {
    (status, json!({ "error": { "code": status.as_u16(), "message": message, "title": title } }))
}

/// APIG.0307, the gateway's answer to an expired token, on every route.
fn gateway_token_expired() -> Answer {
    // docs/huawei-apis.md §6 (and §3): 401 APIG.0307 "The token must be
    // updated." for an expired token (or one scoped to another region).
    error(StatusCode::UNAUTHORIZED, "APIG.0307", "The token must be updated.")
}

pub(super) fn bad_request(code: &str, msg: &str) -> Answer {
    (StatusCode::BAD_REQUEST, json!({ "error_code": code, "error_msg": msg }))
}

/// The services' and the gateway's error shape, `{"error_code", "error_msg"}`
/// (docs/huawei-apis.md §6).
pub(super) fn error(status: StatusCode, code: &str, msg: &str) -> Answer {
    (status, json!({ "error_code": code, "error_msg": msg }))
}

// ---------------------------------------------------------------------------
// Faults, for DEMO_FAULTS_TOKEN

/// The offset of the one HSS page that is always throttled.
const HSS_THROTTLED_OFFSET: i64 = 200;

/// The CodeArts Check answer cut off inside a string: the start of the demo's
/// own body (keys in serde_json's order), as if the connection had dropped.
const CODECHECK_CUT_OFF: &str = concat!(
    r#"{"result":{"charge_type":"effective_business_service","concurrencyPackageOpenStatus":true,"duration":-1,"#,
    r#""main_resource_list":[{"chargeType":1,"resourceSpecCode":"codearts.chi"#,
);

// docs/huawei-apis.md §6 gives the shape, `{error_code, error_msg}`, but does
// not list APIG.0101: this is the gateway's own wording (no full stop).
/// API Gateway's message for an API not published where it was called (404).
const API_NOT_PUBLISHED: &str = "The API does not exist or has not been published in the environment";

// docs/huawei-apis.md §6: APIG.0308's message, with a limit filled in.
/// API Gateway's message when it throttles a caller (429).
const THROTTLED: &str = "The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute";

// docs/huawei-apis.md §2.4 and §6: DSC errors are `{error_code, error_msg}`
// with codes like `dsc.40000011`; no 403 code is documented, so this one is
// illustrative.
/// DSC's refusal of a user without read permission (403).
const DSC_NO_PERMISSION: &str = "Permission denied: the user has no dsc read permission.";

/// The fault [`DEMO_FAULTS_TOKEN`] meets on `route`, or `None` where it is
/// answered as [`DEMO_TOKEN`] is. The gateway's refusals come before the
/// service reads the query, so only the HSS throttle looks at it (at the
/// offset alone: the same request always gets the same answer).
pub(super) fn fault(route: Route, query: Option<&str>) -> Option<Reply> {
    match route {
        // Billing answers as for the demo token: its refusals (another
        // site, the limited account's permission) are enough to show.
        Route::IamToken | Route::IamProjects | Route::CodeartsProjects | Route::TestplanPackages | Route::BssResources => None,
        // HTTP 200 labelled JSON, but the §2.2 body (docs/huawei-apis.md)
        // stops short: the console must report it as unreadable, not as an
        // empty tenant.
        Route::CodecheckPackages => Some(Reply { status: StatusCode::OK, body: CODECHECK_CUT_OFF.to_string(), retry_after: None }),
        Route::MetastudioResources => Some(error(StatusCode::NOT_FOUND, "APIG.0101", API_NOT_PUBLISHED).into()),
        Route::DscSpecification => Some(error(StatusCode::FORBIDDEN, "dsc.00000403", DSC_NO_PERMISSION).into()),
        // §6 advises retrying after 2-5 s; the demo asks for one second.
        Route::HssQuotas => (params::<HssQuery>(query).offset() == Ok(HSS_THROTTLED_OFFSET))
            .then(|| Reply { retry_after: Some(1), ..error(StatusCode::TOO_MANY_REQUESTS, "APIG.0308", THROTTLED).into() }),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use serde_json::Value;

    use super::super::support::{headers, param, parsed, path, reply, respond, NOW};
    use super::*;

    #[test]
    fn demo_ids_are_valid_path_segments() {
        for id in [DEMO_PROJECT_ID, DEMO_CODEARTS_PROJECT_ID, DEMO_DOMAIN_ID, DEMO_USER_ID, AP_SOUTHEAST_1_PROJECT_ID] {
            assert_eq!(id.len(), 32, "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{id}");
            assert!(tenantscope_catalog::is_valid_segment(id));
        }
        assert_eq!(DEMO_REGION, "cn-north-4");
        assert!(tenantscope_catalog::Service::Metastudio.offered_in(DEMO_REGION));
    }

    #[test]
    fn wrong_or_missing_token_gets_the_gateways_401_on_every_route() {
        let decrypt = json!({
            "error_code": "APIG.0301",
            "error_msg": "Incorrect IAM authentication information: decrypt token fail",
        });
        let missing = json!({
            "error_code": "APIG.0301",
            "error_msg": "Incorrect IAM authentication information: x-auth-token not found",
        });
        for route in Route::ALL {
            for (token, expected) in [(None, &missing), (Some("MIIwrong"), &decrypt), (Some("Demo"), &decrypt), (Some(""), &decrypt)] {
                let answer = parsed(respond(route, param(route), &path(route), Some("limit=10"), &headers(token), NOW));
                assert_eq!(answer, (StatusCode::UNAUTHORIZED, expected.clone()), "{route:?} with {token:?}");
            }
        }
    }

    #[test]
    fn introspection_needs_the_demo_subject_token() {
        let mut h = HeaderMap::new();
        h.insert("x-auth-token", HeaderValue::from_static("demo"));
        let (status, body) = parsed(respond(Route::IamToken, None, "/v3/auth/tokens", None, &h, NOW));
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], 400);

        h.insert("x-subject-token", HeaderValue::from_static("MIIother"));
        let answer = parsed(respond(Route::IamToken, None, "/v3/auth/tokens", None, &h, NOW));
        let not_found = json!({ "error": { "code": 404, "message": "Could not find token.", "title": "Not Found" } });
        assert_eq!(answer, (StatusCode::NOT_FOUND, not_found));

        // Other routes do not look at the subject token.
        assert_eq!(respond(Route::IamProjects, None, "/v3/auth/projects", None, &h, NOW).status, StatusCode::OK);
    }

    #[test]
    fn near_miss_tokens_are_unreadable() {
        let decrypt = json!({
            "error_code": "APIG.0301",
            "error_msg": "Incorrect IAM authentication information: decrypt token fail",
        });
        let near_misses = ["demo-", "demo-fault", "demo-faults2", "Demo-Faults", "demo-expired-", "DEMO-EXPIRED"];
        for token in near_misses {
            for route in Route::ALL {
                assert_eq!(parsed(reply(route, "", token)), (StatusCode::UNAUTHORIZED, decrypt.clone()), "{token}");
            }
        }
    }

    #[test]
    fn expired_token_is_refused_as_expired_on_every_route() {
        let expired = json!({ "error_code": "APIG.0307", "error_msg": "The token must be updated." });
        for route in Route::ALL {
            for query in ["", "limit=200&offset=200", "resource_source=PURCHASED", "nocatalog=true"] {
                let answer = parsed(reply(route, query, DEMO_EXPIRED_TOKEN));
                assert_eq!(answer, (StatusCode::UNAUTHORIZED, expired.clone()), "{route:?}?{query}");
            }
        }
        // The gateway refuses it before IAM looks for the subject token.
        let mut h = headers(Some(DEMO_EXPIRED_TOKEN));
        for subject in [Some(DEMO_TOKEN), None] {
            h.remove("x-subject-token");
            if let Some(subject) = subject {
                h.insert("x-subject-token", HeaderValue::from_static(subject));
            }
            let answer = parsed(respond(Route::IamToken, None, "/v3/auth/tokens", None, &h, NOW));
            assert_eq!(answer, (StatusCode::UNAUTHORIZED, expired.clone()), "{subject:?}");
        }
    }

    #[test]
    fn faults_token_answers_iam_codearts_projects_and_testplan_as_demo() {
        let calls = [
            (Route::IamToken, "nocatalog=true"),
            (Route::IamToken, ""),
            (Route::IamProjects, ""),
            (Route::CodeartsProjects, "offset=0&limit=100"),
            (Route::CodeartsProjects, "offset=1&limit=1"),
            (Route::TestplanPackages, ""),
        ];
        for (route, query) in calls {
            let faults = reply(route, query, DEMO_FAULTS_TOKEN);
            assert_eq!(faults.status, StatusCode::OK, "{route:?}?{query}");
            assert_eq!(faults, reply(route, query, DEMO_TOKEN), "{route:?}?{query}");
        }
        // Introspection finds only the token in hand.
        for (auth, subject) in [(DEMO_FAULTS_TOKEN, DEMO_TOKEN), (DEMO_TOKEN, DEMO_FAULTS_TOKEN)] {
            let mut h = headers(Some(auth));
            h.insert("x-subject-token", HeaderValue::from_static(subject));
            assert_eq!(respond(Route::IamToken, None, "/v3/auth/tokens", None, &h, NOW).status, StatusCode::NOT_FOUND, "{auth}");
        }
    }

    #[test]
    fn faults_token_gets_check_json_cut_off() {
        for query in ["", &format!("project_id={DEMO_CODEARTS_PROJECT_ID}")] {
            let cut = reply(Route::CodecheckPackages, query, DEMO_FAULTS_TOKEN);
            assert_eq!((cut.status, cut.retry_after), (StatusCode::OK, None), "{query}");
            assert_eq!(cut.body, CODECHECK_CUT_OFF);
            let error = serde_json::from_str::<Value>(&cut.body).unwrap_err();
            assert!(error.is_eof(), "{error}");
        }
        // The start of the demo's own answer.
        let whole = reply(Route::CodecheckPackages, "", DEMO_TOKEN).body;
        assert!(whole.len() > CODECHECK_CUT_OFF.len() && whole.starts_with(CODECHECK_CUT_OFF), "{whole}");
    }

    #[test]
    fn faults_token_gets_metastudio_404_and_dsc_403_whatever_the_query() {
        let not_published = json!({
            "error_code": "APIG.0101",
            "error_msg": "The API does not exist or has not been published in the environment",
        });
        let denied = json!({
            "error_code": "dsc.00000403",
            "error_msg": "Permission denied: the user has no dsc read permission.",
        });
        for query in ["", "resource_source=PURCHASED&limit=100&offset=0", "limit=0", "%zz"] {
            let metastudio = parsed(reply(Route::MetastudioResources, query, DEMO_FAULTS_TOKEN));
            assert_eq!(metastudio, (StatusCode::NOT_FOUND, not_published.clone()), "{query}");
            let dsc = parsed(reply(Route::DscSpecification, query, DEMO_FAULTS_TOKEN));
            assert_eq!(dsc, (StatusCode::FORBIDDEN, denied.clone()), "{query}");
        }
    }

    #[test]
    fn faults_token_throttles_only_the_hss_page_at_offset_200() {
        let throttled = json!({
            "error_code": "APIG.0308",
            "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute",
        });
        // The offset as the HSS pages read it: the first one, decoded.
        let at_200 = ["limit=200&offset=200", "offset=200", "limit=5&offset=200", "offset=200&offset=0", "offset=%320%30"];
        for query in at_200 {
            let first = reply(Route::HssQuotas, query, DEMO_FAULTS_TOKEN);
            assert_eq!((first.status, first.retry_after), (StatusCode::TOO_MANY_REQUESTS, Some(1)), "{query}");
            assert_eq!(serde_json::from_str::<Value>(&first.body).unwrap(), throttled, "{query}");
            // Nothing is counted: the same request, the same answer.
            assert_eq!(reply(Route::HssQuotas, query, DEMO_FAULTS_TOKEN), first, "{query}");
        }
        let elsewhere = ["", "limit=200&offset=0", "limit=200&offset=400", "limit=10&offset=190", "offset=0&offset=200"];
        for query in elsewhere.into_iter().chain(["limit=5", "offset=-200"]) {
            let faults = reply(Route::HssQuotas, query, DEMO_FAULTS_TOKEN);
            assert_eq!(faults, reply(Route::HssQuotas, query, DEMO_TOKEN), "{query}");
        }
        let (status, first_page) = parsed(reply(Route::HssQuotas, "limit=200&offset=0", DEMO_FAULTS_TOKEN));
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first_page["total_num"], 420);
        assert_eq!(first_page["data_list"].as_array().map(Vec::len), Some(200));
    }

    #[test]
    fn odd_queries_never_panic_with_the_fault_tokens() {
        let queries = ["%", "%zz", "=", "&&&", "offset", "offset=", "offset=9223372036854775808", "offset=\u{1F600}"];
        let expected = [200, 400, 401, 403, 404, 429];
        for token in [DEMO_EXPIRED_TOKEN, DEMO_FAULTS_TOKEN] {
            for route in Route::ALL {
                for query in queries {
                    let status = reply(route, query, token).status;
                    assert!(expected.contains(&status.as_u16()), "{token} {route:?}?{query}: {status}");
                }
            }
        }
    }
}
