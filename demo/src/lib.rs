//! The demo tenant: answers to every API route the console uses, for the
//! token [`DEMO_TOKEN`], with no network. The proxy serves them with
//! `--demo`; this crate has no server of its own (no axum, hyper or tokio):
//! [`respond`] takes a [`Call`] and gives a [`Reply`], and the caller makes
//! it a response.
//!
//! Two more tokens make it fail the way the console must be able to show, so
//! browser tests can drive each error state:
//!
//! - [`DEMO_EXPIRED_TOKEN`]: every route, introspection included, refuses the
//!   token as expired (HTTP 401, API Gateway's `APIG.0307`).
//! - [`DEMO_FAULTS_TOKEN`]: IAM (introspect it with itself as
//!   `X-Subject-Token`), the CodeArts project list and TestPlan answer as for
//!   `demo`; the other services fail, one fault each: CodeArts Check sends a
//!   cut-off JSON body with HTTP 200, MetaStudio is not published (404
//!   `APIG.0101`), DSC refuses permission (403), and HSS throttles the page
//!   at offset 200 (429 `APIG.0308`, `Retry-After: 1`) while its other pages
//!   answer.
//!
//! - [`DEMO_LIMITED_TOKEN`]: a smaller account without enterprise projects:
//!   HSS refuses `enterprise_project_id=all_granted_eps` (403) and answers
//!   for the default enterprise project without it; TestPlan answers
//!   `"status": "failed"`; billing refuses it for want of
//!   `billing:subscription:view` (403 `CBC.0151`).
//!
//! Any other token is refused as unreadable (401 `APIG.0301`).
//!
//! A request with an `Authorization` header is access-key signed
//! (SDK-HMAC-SHA256, docs/huawei-apis.md §4) and is verified as API Gateway
//! verifies it (`signed`), token or no token (the proxy refuses the two
//! together before the demo sees them). Two key pairs are known:
//!
//! - permanent: [`DEMO_ACCESS_KEY_ID`] `DEMOACCESSKEYID00000`, secret
//!   [`DEMO_SECRET_ACCESS_KEY`] `demo-secret-access-key`;
//! - temporary: [`DEMO_TEMP_ACCESS_KEY_ID`] `DEMOTEMPACCESSKEY000`, secret
//!   [`DEMO_TEMP_SECRET_ACCESS_KEY`] `demo-temporary-secret`, accepted only
//!   with `X-Security-Token: demo-security-token` ([`DEMO_SECURITY_TOKEN`])
//!   among the signed headers.
//!
//! The signature is recomputed over the route's method, the upstream path
//! (the route template filled in, as the proxy rebuilds it), the query as
//! received (decoded into pairs), the signed headers' received values and
//! the body (empty for a GET; billing's JSON as received, so a body changed
//! after signing fails); `x-sdk-date` must be signed and within 15 minutes
//! of the demo's clock either way, and every signed header present. An unreadable header
//! or an unknown access key is 401 `APIGW.0301`; a date off, a header
//! missing or a signature that does not verify (a query or path changed
//! after signing, a wrong secret) 401 `APIGW.0303`. The browser cannot set
//! `Host`, so the console does not sign it. A verified request is answered
//! as [`DEMO_TOKEN`] is; token introspection, having no token in hand,
//! answers as Keystone does without `X-Subject-Token` (400), or for the
//! demo token as subject.
//!
//! This crate owns the sample tenant: its ids (domain, user, IAM and CodeArts
//! projects), its IAM token and project list, the packages and quotas of
//! the five services, and what billing says of them. Bodies are shaped
//! like the official response examples (`docs/upstream/`, summarised in
//! `docs/huawei-apis.md` §2–§3, billing's in §7) and errors like
//! the gateway's and the services' (§6), so the console reads the demo exactly
//! as it reads a real tenant.
//!
//! This file holds [`respond`], [`Reply`] and the dispatch by route; the rest
//! is one file each: `auth` (identities, tokens, errors, the faults of
//! [`DEMO_FAULTS_TOKEN`]), `signed` (the key pairs and the signature's
//! verification), `query` (query strings read with `serde_urlencoded`,
//! integer and list parameters, paging), `ids` (dates and ids), `iam` (the
//! IAM token and projects), `projects` (CodeArts projects), the
//! services' answers in `testplan`, `codecheck`, `metastudio`, `dsc` and
//! `hss`, and billing's in `bss` (the one route with a body, read there);
//! a route that reads its query declares its parameters beside its
//! answer. `support` is the unit tests' shared harness. The router-level
//! tests are in `proxy/tests/demo.rs` (the proxy's crate).
//!
//! Nothing here is random, and nothing is remembered between calls: the same
//! request always gets the same answer (HSS's throttle looks at the offset,
//! not at a counter). The long lists (160 MetaStudio resources, 420 HSS
//! quotas) are generated from each item's index, and every date is counted in
//! days from the UTC midnight of `now`: the pages fetched on one day agree with
//! each other, and at any time there is something already expired, something
//! expiring within 7 days, within 30 days, later, and an HSS quota that never
//! expires.

mod auth;
mod bss;
mod codecheck;
mod dsc;
mod hss;
mod iam;
mod ids;
mod metastudio;
mod projects;
mod query;
mod signed;
#[cfg(test)]
mod support;
mod testplan;

use http::{header, HeaderMap, StatusCode};
use serde_json::{json, Value};
use tenantscope_catalog::Route;

use auth::{authenticate, fault, Mode};
pub use auth::{
    DEMO_CODEARTS_PROJECT_ID, DEMO_DOMAIN_NAME, DEMO_EXPIRED_TOKEN, DEMO_FAULTS_TOKEN, DEMO_LIMITED_TOKEN, DEMO_PROJECT_ID, DEMO_REGION, DEMO_TOKEN,
    DEMO_USER_NAME,
};
use bss::bss_resources;
use codecheck::codecheck_packages;
use dsc::dsc_specification;
use hss::hss_quotas;
use iam::{iam_projects, iam_token};
use ids::Today;
use metastudio::metastudio_resources;
use projects::codearts_projects;
use query::params;
pub use signed::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, DEMO_SECURITY_TOKEN, DEMO_TEMP_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY};
use testplan::testplan_packages;

/// A status and a JSON body, as the services answer.
type Answer = (StatusCode, Value);

/// What [`respond`] sends: a status and JSON text, or a fault that no
/// [`Value`] can carry (a cut-off body, a `Retry-After` header). The caller
/// sends the status, the body (labelled as JSON) and, when set, the
/// `Retry-After` header.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    /// The body: JSON text, except for a fault's cut-off body.
    pub body: String,
    /// Seconds, to be sent as `Retry-After`.
    pub retry_after: Option<u32>,
}

impl From<Answer> for Reply {
    fn from((status, body): Answer) -> Reply {
        Reply { status, body: body.to_string(), retry_after: None }
    }
}

/// One API call as the demo tenant receives it.
pub struct Call<'a> {
    pub route: Route,
    /// The region (or billing's site, a pseudo-region) of the call.
    pub region: &'a str,
    /// The route's one path parameter (project id / service id), if any.
    pub param: Option<&'a str>,
    /// The upstream path: the route template filled in with `param`, what
    /// a signature covers.
    pub path: &'a str,
    /// The raw query string, without '?'.
    pub query: Option<&'a str>,
    /// The `Authorization` signature or the `X-Auth-Token` here picks the
    /// behaviour (see the module doc).
    pub headers: &'a HeaderMap,
    /// The request body: empty for a GET, billing's JSON for its POST.
    pub body: &'a [u8],
}

/// Answers one API call of the demo tenant. `now` is the current instant
/// (tests pass a fixed one; a signature's date is checked against it).
pub fn respond(call: &Call<'_>, now: time::OffsetDateTime) -> Reply {
    let Call { route, region, param, path, query, headers, body } = *call;
    let mode = match authenticate(route, path, query, headers, body, now) {
        Ok(mode) => mode,
        Err(refusal) => return refusal.into(),
    };
    // HSS, MetaStudio and DSC answer per region, by the project named.
    let site = Site::of(param);
    if mode == Mode::Faults {
        if let Some(fault) = fault(route, query) {
            return fault;
        }
    }
    let today = Today::of(now);
    let answer = match route {
        Route::IamToken => ok(iam_token(now)),
        Route::IamProjects => ok(iam_projects()),
        Route::CodeartsProjects => ok(codearts_projects(&params(query))),
        // Seed 000: `status` is `ok` or `failed`; a failed answer carries no
        // packages (the shape of the failure is not documented beyond that).
        Route::TestplanPackages if mode == Mode::Limited => ok(json!({ "status": "failed", "result": [] })),
        Route::TestplanPackages => ok(testplan_packages(today)),
        Route::CodecheckPackages => ok(codecheck_packages(&params(query), today)),
        Route::MetastudioResources => metastudio_resources(&params(query), today, site),
        Route::DscSpecification => ok(dsc_specification(site)),
        Route::HssQuotas => hss_quotas(&params(query), today, mode == Mode::Limited, site),
        Route::BssResources => bss_resources(region, body, mode, headers.contains_key(header::AUTHORIZATION), today),
    };
    answer.into()
}

/// Which of the sample tenant's regions a call is about, by the project id
/// it names: cn-north-4's project (and any other id) holds most packages;
/// the cn-east-3, ap-southeast-3 and ap-southeast-1 projects hold smaller
/// sets of their own (in ap-southeast-1 only HSS and DSC are offered),
/// so that two tabs in two regions show two different regions (HSS,
/// MetaStudio, DSC). The services that answer per CodeArts project
/// (TestPlan, Check) answer the same wherever that project is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Site {
    Main,
    Shanghai,
    Singapore,
    HongKong,
}

impl Site {
    fn of(param: Option<&str>) -> Site {
        match param {
            Some(auth::CN_EAST_3_PROJECT_ID) => Site::Shanghai,
            Some(auth::AP_SOUTHEAST_3_PROJECT_ID) => Site::Singapore,
            Some(auth::AP_SOUTHEAST_1_PROJECT_ID) => Site::HongKong,
            _ => Site::Main,
        }
    }

    /// The item indices of a list of `main` items in this region: the main
    /// region's own, or a smaller range of other indices (other ids, other
    /// dates) elsewhere.
    pub(crate) fn indices(self, main: std::ops::Range<usize>) -> std::ops::Range<usize> {
        match self {
            Site::Main => main,
            Site::Shanghai => 10_000..10_000 + main.len() / 4,
            Site::Singapore => 20_000..20_000 + main.len() / 12,
            Site::HongKong => 30_000..30_000 + main.len() / 20,
        }
    }
}

fn ok(body: Value) -> Answer {
    (StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    use super::ids::epoch_ms;
    use super::support::{call, call_at, parse_utc, parsed, reply, respond, strings, NOW};
    use super::*;

    /// Every expiry instant the demo reports for `now`, in epoch ms.
    fn expiries(now: OffsetDateTime) -> Vec<i64> {
        let mut all = Vec::new();
        let testplan = call_at(Route::TestplanPackages, "", now).1;
        all.extend(testplan["result"].as_array().unwrap().iter().map(|p| p["expiration_time"].as_i64().unwrap()));
        for offset in [0, 100] {
            let query = format!("resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset={offset}");
            let body = call_at(Route::MetastudioResources, &query, now).1;
            all.extend(strings(body["resources"].as_array().unwrap(), "resource_expire_time").into_iter().map(|t| epoch_ms(parse_utc(t).unwrap())));
        }
        for offset in [0, 200, 400] {
            let body = call_at(Route::HssQuotas, &format!("limit=200&offset={offset}"), now).1;
            all.extend(body["data_list"].as_array().unwrap().iter().map(|q| q["expire_time"].as_i64().unwrap()));
        }
        all
    }

    /// The Hong Kong project's region offers some of the five package
    /// services and not others (HSS among the offered), by the catalogue.
    #[test]
    fn the_hong_kong_region_offers_some_services_only() {
        use tenantscope_catalog::{Service, REGIONS};
        let region = auth::HONG_KONG_REGION;
        assert!(REGIONS.iter().any(|r| r.id == region));
        let offered = |s: Service| s.offered_in(region);
        assert!(offered(Service::Hss) && offered(Service::Dsc) && offered(Service::Iam));
        for service in [Service::Testplan, Service::Codecheck, Service::Metastudio] {
            assert!(!offered(service), "{service} is offered in {region}");
        }
        let hss = call(Route::HssQuotas, "limit=200&offset=0&enterprise_project_id=all_granted_eps");
        let here = |route: Route, query: &str| {
            parsed(respond(
                route,
                Some(auth::AP_SOUTHEAST_1_PROJECT_ID),
                &route.template().replace("{project_id}", auth::AP_SOUTHEAST_1_PROJECT_ID),
                Some(query),
                &super::support::headers(Some(DEMO_TOKEN)),
                NOW,
            ))
        };
        let (status, hong_kong) = here(Route::HssQuotas, "limit=200&offset=0&enterprise_project_id=all_granted_eps");
        assert_eq!((status, hong_kong["total_num"].as_u64()), (StatusCode::OK, Some(21)));
        let ids = |body: &Value| strings(body["data_list"].as_array().unwrap(), "resource_id").into_iter().map(String::from).collect::<Vec<_>>();
        assert!(ids(&hong_kong).iter().all(|id| !ids(&hss.1).contains(id)));
        let (status, dsc) = here(Route::DscSpecification, "");
        assert_eq!(status, StatusCode::OK);
        assert_ne!(dsc, call(Route::DscSpecification, "").1);
    }

    #[test]
    fn the_limited_accounts_testplan_says_failed() {
        let (status, body) = parsed(reply(Route::TestplanPackages, "", DEMO_LIMITED_TOKEN));
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("failed")));
        assert_eq!(parsed(reply(Route::IamToken, "nocatalog=true", DEMO_LIMITED_TOKEN)).0, StatusCode::OK);
    }

    #[test]
    fn there_is_always_something_urgent_and_something_not() {
        let day = Duration::days(1).whole_milliseconds() as i64;
        for now in [NOW, datetime!(2025-07-08 00:00:00 UTC), datetime!(2031-02-28 23:59:59.999999 UTC)] {
            let now_ms = epoch_ms(now);
            let left: Vec<i64> = expiries(now).into_iter().filter(|&t| t != -1).map(|t| t - now_ms).collect();
            assert!(left.iter().any(|&l| l < 0), "expired at {now}");
            assert!(left.iter().any(|&l| (0..7 * day).contains(&l)), "within 7 days at {now}");
            assert!(left.iter().any(|&l| (7 * day..30 * day).contains(&l)), "within 30 days at {now}");
            assert!(left.iter().any(|&l| l >= 30 * day), "later at {now}");
            assert!(expiries(now).contains(&-1), "never expires at {now}");
        }
    }

    #[test]
    fn the_same_page_is_the_same_all_day() {
        let morning = datetime!(2025-07-08 00:00:01 UTC);
        let night = datetime!(2025-07-08 23:59:59.5 UTC);
        let calls = [
            (Route::IamProjects, ""),
            (Route::CodeartsProjects, "offset=0&limit=100"),
            (Route::TestplanPackages, ""),
            (Route::CodecheckPackages, ""),
            (Route::MetastudioResources, "resource_source=PURCHASED&limit=100&offset=40"),
            (Route::DscSpecification, ""),
            (Route::HssQuotas, "limit=200&offset=200"),
        ];
        for (route, query) in calls {
            assert_eq!(call_at(route, query, morning), call_at(route, query, night), "{route:?}");
        }
        let tomorrow = datetime!(2025-07-09 00:00:01 UTC);
        let hss = "limit=10";
        assert_ne!(call_at(Route::HssQuotas, hss, morning), call_at(Route::HssQuotas, hss, tomorrow));
    }
}
