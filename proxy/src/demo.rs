//! The demo tenant: the proxy's own answers to every API route the console
//! uses, for the token [`DEMO_TOKEN`], with no network.
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
//!   `"status": "failed"`.
//!
//! Any other token is refused as unreadable (401 `APIG.0301`).
//!
//! This module owns the sample tenant: its ids (domain, user, IAM and CodeArts
//! projects), its IAM token and project list, and the packages and quotas of
//! the five services. Bodies are shaped like the official response examples
//! (`docs/upstream/`, summarised in `docs/huawei-apis.md` §2–§3) and errors like
//! the gateway's and the services' (§6), so the console reads the demo exactly
//! as it reads a real tenant.
//!
//! Nothing here is random, and nothing is remembered between calls: the same
//! request always gets the same answer (HSS's throttle looks at the offset,
//! not at a counter). The long lists (160 MetaStudio resources, 420 HSS
//! quotas) are generated from each item's index, and every date is counted in
//! days from the UTC midnight of `now`: the pages fetched on one day agree with
//! each other, and at any time there is something already expired, something
//! expiring within 7 days, within 30 days, later, and an HSS quota that never
//! expires.

use std::ops::RangeInclusive;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tenantscope_catalog::Route;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, Time, UtcOffset};

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
const DEMO_DOMAIN_ID: &str = "7c1e4b9a2d6f4a0e9b3c8d5f1a2e6b40";
const DEMO_USER_ID: &str = "e83f5a0c7b1d4c2a9f6e0b8d3a7c5e19";
const CN_EAST_3_PROJECT_ID: &str = "3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03";
const AP_SOUTHEAST_3_PROJECT_ID: &str = "a2d7e0b4c9f14a6e8b5d3c1f7e0a9b62";
const FINANCE_PROJECT_ID: &str = "6e0c3a9f1b5d47e2a8c4f0b6d2e9a1c7";

/// A status and a JSON body, as the services answer.
type Answer = (StatusCode, Value);

/// What [`respond`] sends: a status and JSON text, or a fault that no
/// [`Value`] can carry (a cut-off body, a `Retry-After` header).
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    status: StatusCode,
    body: String,
    /// Seconds, sent as `Retry-After`.
    retry_after: Option<u32>,
}

impl From<Answer> for Reply {
    fn from((status, body): Answer) -> Reply {
        Reply { status, body: body.to_string(), retry_after: None }
    }
}

impl IntoResponse for Reply {
    /// The status, the body and `Retry-After`; the caller labels the body.
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Answers one API call of the demo tenant. `param` is the route's one path
/// parameter (project id / service id) if any; `query` is the raw query string
/// without '?'. `now` is the current instant (tests pass a fixed one). The
/// `X-Auth-Token` in `headers` picks the behaviour (see the module doc).
pub fn respond(
    route: Route,
    param: Option<&str>,
    query: Option<&str>,
    headers: &HeaderMap,
    now: time::OffsetDateTime,
) -> Reply {
    let mode = match authenticate(route, headers) {
        Ok(mode) => mode,
        Err(refusal) => return refusal.into(),
    };
    // The sample tenant has the same packages whichever project is named.
    let _ = param;
    let query = Query::parse(query.unwrap_or_default());
    if mode == Mode::Faults {
        if let Some(fault) = fault(route, &query) {
            return fault;
        }
    }
    let today = Today::of(now);
    let answer = match route {
        Route::IamToken => ok(iam_token(now)),
        Route::IamProjects => ok(iam_projects()),
        Route::CodeartsProjects => ok(codearts_projects(&query)),
        // Seed 000: `status` is `ok` or `failed`; a failed answer carries no
        // packages (the shape of the failure is not documented beyond that).
        Route::TestplanPackages if mode == Mode::Limited => ok(json!({ "status": "failed", "result": [] })),
        Route::TestplanPackages => ok(testplan_packages(today)),
        Route::CodecheckPackages => ok(codecheck_packages(&query, today)),
        Route::MetastudioResources => metastudio_resources(&query, today),
        Route::DscSpecification => ok(dsc_specification()),
        Route::HssQuotas => hss_quotas(&query, today, mode == Mode::Limited),
    };
    answer.into()
}

fn ok(body: Value) -> Answer {
    (StatusCode::OK, body)
}

// ---------------------------------------------------------------------------
// Authentication and errors (docs/huawei-apis.md §6)

/// How the accepted token asks the demo tenant to behave.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// [`DEMO_TOKEN`]: every service answers.
    Normal,
    /// [`DEMO_FAULTS_TOKEN`]: one fault per service ([`fault`]).
    Faults,
    /// [`DEMO_LIMITED_TOKEN`]: no enterprise projects, a failing TestPlan.
    Limited,
}

/// The gateway checks `X-Auth-Token` before any service sees the call; IAM's
/// introspection also needs the token to look at, `X-Subject-Token`, and
/// finds only the token in hand.
fn authenticate(route: Route, headers: &HeaderMap) -> Result<Mode, Answer> {
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
    if route == Route::IamToken {
        match headers.get("x-subject-token") {
            None => {
                return Err(keystone_error(
                    StatusCode::BAD_REQUEST,
                    "Bad Request",
                    "Expecting to find X-Subject-Token in headers.",
                ))
            }
            Some(subject) if subject != token => {
                return Err(keystone_error(StatusCode::NOT_FOUND, "Not Found", "Could not find token."))
            }
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

fn bad_request(code: &str, msg: &str) -> Answer {
    (StatusCode::BAD_REQUEST, json!({ "error_code": code, "error_msg": msg }))
}

/// The services' and the gateway's error shape, `{"error_code", "error_msg"}`
/// (docs/huawei-apis.md §6).
fn error(status: StatusCode, code: &str, msg: &str) -> Answer {
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
fn fault(route: Route, query: &Query) -> Option<Reply> {
    match route {
        Route::IamToken | Route::IamProjects | Route::CodeartsProjects | Route::TestplanPackages => None,
        // HTTP 200 labelled JSON, but the §2.2 body (docs/huawei-apis.md)
        // stops short: the console must report it as unreadable, not as an
        // empty tenant.
        Route::CodecheckPackages => {
            Some(Reply { status: StatusCode::OK, body: CODECHECK_CUT_OFF.to_string(), retry_after: None })
        }
        Route::MetastudioResources => Some(error(StatusCode::NOT_FOUND, "APIG.0101", API_NOT_PUBLISHED).into()),
        Route::DscSpecification => Some(error(StatusCode::FORBIDDEN, "dsc.00000403", DSC_NO_PERMISSION).into()),
        // §6 advises retrying after 2-5 s; the demo asks for one second.
        Route::HssQuotas => (query.bounded("offset", 0..=2_000_000, 0) == Ok(HSS_THROTTLED_OFFSET)).then(|| Reply {
            retry_after: Some(1),
            ..error(StatusCode::TOO_MANY_REQUESTS, "APIG.0308", THROTTLED).into()
        }),
    }
}

// ---------------------------------------------------------------------------
// Query strings

/// A decoded query string. The first occurrence of a key wins.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Query(pairs)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// An integer parameter: `default` when absent, `Err` when present but
    /// not a decimal integer within `range`.
    fn bounded(&self, key: &str, range: RangeInclusive<i64>, default: i64) -> Result<i64, ()> {
        match self.get(key) {
            None => Ok(default),
            Some(text) => text.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or(()),
        }
    }

    /// The values of a comma-separated list parameter (empty when absent).
    fn list(&self, key: &str) -> Vec<&str> {
        self.get(key).into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty()).collect()
    }
}

/// Form-style decoding (`+` is a space, `%XX` a byte); malformed escapes are
/// kept as they are and invalid UTF-8 is replaced, never refused.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' => bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok().and_then(|h| u8::from_str_radix(h, 16).ok())),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `[offset, offset + limit)` window of `items`, clipped to its length.
fn page<T>(items: &[T], offset: i64, limit: i64) -> &[T] {
    let start = usize::try_from(offset).unwrap_or(0).min(items.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(items.len());
    &items[start..end]
}

// ---------------------------------------------------------------------------
// Dates

/// The UTC midnight of the current day: every demo date is counted from it.
#[derive(Clone, Copy)]
struct Today(OffsetDateTime);

impl Today {
    fn of(now: OffsetDateTime) -> Today {
        Today(now.to_offset(UtcOffset::UTC).replace_time(Time::MIDNIGHT))
    }

    /// `days` from today, `seconds` after midnight UTC.
    fn at(self, days: i64, seconds: i64) -> OffsetDateTime {
        self.0.checked_add(Duration::days(days) + Duration::seconds(seconds)).unwrap_or(self.0)
    }

    /// When a package bought to lapse `days` from today lapses: 23:59:59
    /// Beijing time, i.e. 15:59:59 UTC.
    fn expiry(self, days: i64) -> OffsetDateTime {
        self.at(days, 15 * 3600 + 59 * 60 + 59)
    }
}

fn epoch_ms(t: OffsetDateTime) -> i64 {
    t.unix_timestamp() * 1000 + i64::from(t.millisecond())
}

/// `2021-01-10T08:43:17Z` (MetaStudio, CodeArts Check; seeds 001, 002).
fn rfc3339(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

/// `2023-06-28T08:56:33.710000Z` (IAM token times, §3).
fn iam_time(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Deterministic ids

/// SplitMix64: a fixed mixing of a number, to derive ids from an index.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn id_bits(salt: u64, index: usize) -> (u64, u64) {
    let seed = mix(salt) ^ index as u64;
    (mix(seed), mix(seed ^ 0x5555_5555_5555_5555))
}

/// 32 lowercase hex digits, like Huawei resource and order ids.
fn hex32(salt: u64, index: usize) -> String {
    let (hi, lo) = id_bits(salt, index);
    format!("{hi:016x}{lo:016x}")
}

/// A version-4 UUID with dashes, like HSS resource and host ids.
fn uuid(salt: u64, index: usize) -> String {
    let (hi, lo) = id_bits(salt, index);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

// Salts, one per kind of id.
const SALT_TESTPLAN: u64 = 1;
const SALT_CODECHECK: u64 = 2;
const SALT_METASTUDIO: u64 = 3;
const SALT_METASTUDIO_ORDER: u64 = 4;
const SALT_DSC: u64 = 5;
const SALT_HSS: u64 = 6;
const SALT_HSS_HOST: u64 = 7;

// ---------------------------------------------------------------------------
// IAM (§3)

fn domain() -> Value {
    json!({ "name": DEMO_DOMAIN_NAME, "id": DEMO_DOMAIN_ID })
}

/// `GET /v3/auth/tokens`: a project-scoped password token issued two hours
/// ago, valid 24 h (iam_30_0004; GoSDK model_token_result.go).
fn iam_token(now: OffsetDateTime) -> Value {
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
fn iam_projects() -> Value {
    let projects = [
        (DEMO_PROJECT_ID, "cn-north-4", DEMO_DOMAIN_ID, ""),
        (CN_EAST_3_PROJECT_ID, "cn-east-3", DEMO_DOMAIN_ID, ""),
        (AP_SOUTHEAST_3_PROJECT_ID, "ap-southeast-3", DEMO_DOMAIN_ID, ""),
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

// ---------------------------------------------------------------------------
// CodeArts projects (§3, ProjectMan ListProjectsV4)

/// A CodeArts project as ListProjectsV4 lists it (§3).
struct CodeartsProject {
    id: &'static str,
    num_id: i64,
    name: &'static str,
    description: &'static str,
    /// `scrum` or `xboard`.
    kind: &'static str,
    /// Epoch ms.
    created: i64,
}

const CODEARTS_PROJECTS: [CodeartsProject; 3] = [
    CodeartsProject {
        id: DEMO_CODEARTS_PROJECT_ID,
        num_id: 3_841_207,
        name: "storefront",
        description: "Web shop and its delivery pipeline",
        kind: "scrum",
        created: 1_689_310_225_000,
    },
    CodeartsProject {
        id: "9a4e2c7f0d1b48e6a5c3f7b2d0e8a146",
        num_id: 3_902_518,
        name: "mobile-app",
        description: "iOS and Android clients",
        kind: "scrum",
        created: 1_701_254_870_000,
    },
    CodeartsProject {
        id: "c0f7b3e9a25d4c18b6e4a0d9f3c7e251",
        num_id: 4_017_736,
        name: "ops-board",
        description: "Operations kanban",
        kind: "xboard",
        created: 1_718_003_412_000,
    },
];

/// `GET /v4/projects`: three projects, paged by `offset` and `limit`
/// (1–1000); unreadable values fall back to the first page of 10.
fn codearts_projects(query: &Query) -> Value {
    let projects: Vec<Value> = CODEARTS_PROJECTS
        .iter()
        .map(|p| {
            json!({
                "project_num_id": p.num_id,
                "project_id": p.id,
                "project_name": p.name,
                "description": p.description,
                "created_time": p.created,
                "updated_time": p.created + 41 * 86_400_000,
                "project_type": p.kind,
                "creator": {
                    "user_num_id": 2_487_113,
                    "user_id": DEMO_USER_ID,
                    "user_name": DEMO_USER_NAME,
                    "domain_id": DEMO_DOMAIN_ID,
                    "domain_name": DEMO_DOMAIN_NAME,
                    "nick_name": "Demo Operator",
                },
            })
        })
        .collect();
    let offset = query.bounded("offset", 0..=i64::MAX, 0).unwrap_or(0);
    let limit = query.bounded("limit", 1..=1000, 10).unwrap_or(10);
    json!({ "projects": page(&projects, offset, limit), "total": projects.len() })
}

// ---------------------------------------------------------------------------
// CodeArts TestPlan (§2.1, seed 000)

/// `GET /v1/projects/{service_id}/package/status`, current doc shape
/// `{"status","result"}` with epoch-millisecond times.
fn testplan_packages(today: Today) -> Value {
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

// ---------------------------------------------------------------------------
// CodeArts Check (§2.2, seed 001)

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
fn codecheck_packages(query: &Query, today: Today) -> Value {
    let variant = match query.get("project_id") {
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

// ---------------------------------------------------------------------------
// MetaStudio (§2.3, seed 002)

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
    kind(
        "hws.resource.type.metastudio.flexus.package",
        "FLEXUS_2D",
        Some("modeling_count_2d_model_flexus"),
        "PERIODIC",
        "NUM",
        2,
    ),
    kind(
        "hws.resource.type.metastudio.flexus.package",
        "FLEXUS_2D",
        Some("video_time_flexus_2d_model"),
        "PERIODIC",
        "MIN",
        300,
    ),
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
fn metastudio_resources(query: &Query, today: Today) -> Answer {
    const CODE: &str = "MSS.00000003";
    let sources = query.list("resource_source");
    if sources.is_empty() {
        return bad_request(CODE, "Invalid parameter: resource_source is required");
    }
    let Ok(limit) = query.bounded("limit", 1..=100, 10) else {
        return bad_request(CODE, "Invalid parameter: limit");
    };
    let Ok(offset) = query.bounded("offset", 0..=2_147_483_647, 0) else {
        return bad_request(CODE, "Invalid parameter: offset");
    };
    let matching: Vec<Value> = (0..METASTUDIO_TOTAL)
        .map(|i| metastudio_resource(i, today))
        .filter(|item| item["resource_source"].as_str().is_some_and(|s| sources.contains(&s)))
        .collect();
    ok(json!({ "resources": page(&matching, offset, limit), "count": matching.len() }))
}

// ---------------------------------------------------------------------------
// DSC (§2.4, seed 003)

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
/// The API gives no expiry date, only the period.
fn dsc_specification() -> Value {
    let order_infos: Vec<Value> = DSC_ORDERS
        .iter()
        .enumerate()
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

// ---------------------------------------------------------------------------
// HSS (§2.5, seed 004)

/// Quotas in the default enterprise project (`0`).
const HSS_TOTAL: usize = 420;
/// Quotas in the second enterprise project, seen only with
/// `enterprise_project_id=all_granted_eps` or its own id (seed 004).
const HSS_FINANCE_TOTAL: usize = 60;
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
const HSS_VERSION_ORDER: [&str; 6] = [
    "hss.version.basic",
    "hss.version.advanced",
    "hss.version.enterprise",
    "hss.version.premium",
    "hss.version.wtp",
    "hss.version.container.enterprise",
];

/// Days from today to the expiry of yearly/monthly quotas still in effect.
const HSS_EXPIRY_DAYS: [i64; 17] = [2, 5, 9, 16, 23, 29, 38, 52, 75, 103, 131, 164, 198, 245, 287, 330, 361];

const HSS_HOST_ROLES: [&str; 5] = ["web", "db", "api", "batch", "k8s-node"];

/// One HSS quota (QuotaResourcesResponseInfo).
struct Quota {
    index: usize,
    version: &'static str,
    on_demand: bool,
    /// Epoch ms; `-1` never expires.
    expire_time: i64,
    create_time: i64,
    quota_status: &'static str,
    used: bool,
}

fn hss_quota(i: usize, today: Today) -> Quota {
    let on_demand = i % 10 == 9;
    let never_expires = on_demand || i % 97 == 13;
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
    fn to_json(&self) -> Value {
        let i = self.index;
        let tags = match i % 3 {
            0 => json!([]),
            1 => json!([{ "key": "env", "value": "prod" }]),
            _ => json!([{ "key": "env", "value": "test" }, { "key": "owner", "value": "secops" }]),
        };
        let mut item = json!({
            "resource_id": uuid(SALT_HSS, i),
            "version": self.version,
            "quota_status": self.quota_status,
            "used_status": if self.used { "used" } else { "idle" },
            "charging_mode": if self.on_demand { "on_demand" } else { "packet_cycle" },
            "tags": tags,
            "expire_time": self.expire_time,
            "create_time": self.create_time,
            "shared_quota": if i % 3 == 0 { "shared" } else { "unshared" },
            "enterprise_project_id": if i < HSS_TOTAL { "0" } else { HSS_FINANCE_EP_ID },
            "enterprise_project_name": if i < HSS_TOTAL { "default" } else { HSS_FINANCE_EP_NAME },
        });
        // Only a quota bound to a server names it.
        if let (true, Some(fields)) = (self.used, item.as_object_mut()) {
            fields.insert("host_id".into(), uuid(SALT_HSS_HOST, i).into());
            let role = HSS_HOST_ROLES[i % HSS_HOST_ROLES.len()];
            fields.insert("host_name".into(), format!("ecs-{role}-{i:03}").into());
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
fn hss_quotas(query: &Query, today: Today, limited: bool) -> Answer {
    let Ok(limit) = query.bounded("limit", 10..=200, 10) else {
        return bad_request("HSS.1001", "Invalid parameter: limit");
    };
    let Ok(offset) = query.bounded("offset", 0..=2_000_000, 0) else {
        return bad_request("HSS.1001", "Invalid parameter: offset");
    };
    let range = match query.get("enterprise_project_id") {
        None | Some("0") => 0..HSS_TOTAL,
        // The code is illustrative: seed 004 lists no error codes.
        Some("all_granted_eps") if limited => {
            return error(StatusCode::FORBIDDEN, "HSS.0004", "Enterprise project management is not enabled for this account.")
        }
        Some("all_granted_eps") => 0..HSS_TOTAL + HSS_FINANCE_TOTAL,
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

    use axum::http::HeaderValue;
    use time::macros::datetime;
    use time::{Date, Month};

    use super::*;

    const NOW: OffsetDateTime = datetime!(2025-07-08 14:36:32.123456 UTC);

    fn headers(token: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let value = HeaderValue::from_str(token).unwrap();
            headers.insert("x-auth-token", value.clone());
            headers.insert("x-subject-token", value);
        }
        headers
    }

    fn param(route: Route) -> Option<&'static str> {
        match route {
            Route::TestplanPackages => Some(DEMO_CODEARTS_PROJECT_ID),
            r if r.template().contains('{') => Some(DEMO_PROJECT_ID),
            _ => None,
        }
    }

    /// A reply's status and JSON body; no header.
    fn parsed(reply: Reply) -> Answer {
        assert_eq!(reply.retry_after, None, "{reply:?}");
        let body = serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body));
        (reply.status, body)
    }

    fn call_at(route: Route, query: &str, now: OffsetDateTime) -> Answer {
        let query = (!query.is_empty()).then_some(query);
        parsed(respond(route, param(route), query, &headers(Some(DEMO_TOKEN)), now))
    }

    fn call(route: Route, query: &str) -> Answer {
        call_at(route, query, NOW)
    }

    /// The reply to `token` (also the subject token), unparsed.
    fn reply(route: Route, query: &str, token: &str) -> Reply {
        let query = (!query.is_empty()).then_some(query);
        respond(route, param(route), query, &headers(Some(token)), NOW)
    }

    fn call_ok(route: Route, query: &str) -> Value {
        let (status, body) = call(route, query);
        assert_eq!(status, StatusCode::OK, "{route:?}?{query}: {body}");
        body
    }

    fn strings<'a>(items: &'a [Value], key: &str) -> Vec<&'a str> {
        items.iter().map(|item| item[key].as_str().unwrap()).collect()
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` strictly (the crate has no
    /// `time` parsing feature).
    fn parse_utc(text: &str) -> Option<OffsetDateTime> {
        let text = text.strip_suffix('Z')?;
        let (date, clock) = text.split_once('T')?;
        let num = |s: &str| s.parse::<i64>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
        let mut d = date.split('-');
        let (year, month, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
        let (hms, micros) = match clock.split_once('.') {
            Some((hms, frac)) if frac.len() == 6 => (hms, num(frac)?),
            Some(_) => return None,
            None => (clock, 0),
        };
        let mut c = hms.split(':');
        let (h, m, s) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
        let date = Date::from_calendar_date(year as i32, Month::try_from(month as u8).ok()?, day as u8).ok()?;
        let time = Time::from_hms_micro(h as u8, m as u8, s as u8, micros as u32).ok()?;
        Some(date.with_time(time).assume_utc())
    }

    #[test]
    fn demo_ids_are_valid_path_segments() {
        for id in [DEMO_PROJECT_ID, DEMO_CODEARTS_PROJECT_ID, DEMO_DOMAIN_ID, DEMO_USER_ID] {
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
            for (token, expected) in
                [(None, &missing), (Some("MIIwrong"), &decrypt), (Some("Demo"), &decrypt), (Some(""), &decrypt)]
            {
                let answer = parsed(respond(route, param(route), Some("limit=10"), &headers(token), NOW));
                assert_eq!(answer, (StatusCode::UNAUTHORIZED, expected.clone()), "{route:?} with {token:?}");
            }
        }
    }

    #[test]
    fn introspection_needs_the_demo_subject_token() {
        let mut h = HeaderMap::new();
        h.insert("x-auth-token", HeaderValue::from_static("demo"));
        let (status, body) = parsed(respond(Route::IamToken, None, None, &h, NOW));
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], 400);

        h.insert("x-subject-token", HeaderValue::from_static("MIIother"));
        let answer = parsed(respond(Route::IamToken, None, None, &h, NOW));
        let not_found = json!({ "error": { "code": 404, "message": "Could not find token.", "title": "Not Found" } });
        assert_eq!(answer, (StatusCode::NOT_FOUND, not_found));

        // Other routes do not look at the subject token.
        assert_eq!(respond(Route::IamProjects, None, None, &h, NOW).status, StatusCode::OK);
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
            let answer = parsed(respond(Route::IamToken, None, None, &h, NOW));
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
            assert_eq!(respond(Route::IamToken, None, None, &h, NOW).status, StatusCode::NOT_FOUND, "{auth}");
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
        let at_200 =
            ["limit=200&offset=200", "offset=200", "limit=5&offset=200", "offset=200&offset=0", "offset=%320%30"];
        for query in at_200 {
            let first = reply(Route::HssQuotas, query, DEMO_FAULTS_TOKEN);
            assert_eq!((first.status, first.retry_after), (StatusCode::TOO_MANY_REQUESTS, Some(1)), "{query}");
            assert_eq!(serde_json::from_str::<Value>(&first.body).unwrap(), throttled, "{query}");
            // Nothing is counted: the same request, the same answer.
            assert_eq!(reply(Route::HssQuotas, query, DEMO_FAULTS_TOKEN), first, "{query}");
        }
        let elsewhere =
            ["", "limit=200&offset=0", "limit=200&offset=400", "limit=10&offset=190", "offset=0&offset=200"];
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
        for p in projects {
            for key in ["id", "name", "domain_id", "parent_id", "enabled", "is_domain", "description", "links"] {
                assert!(p.get(key).is_some(), "{key} missing in {p}");
            }
            assert_eq!(
                p["links"]["self"],
                format!("https://iam.myhuaweicloud.com/v3/projects/{}", p["id"].as_str().unwrap())
            );
        }
    }

    #[test]
    fn codearts_projects_page_and_start_with_the_demo_project() {
        let body = call_ok(Route::CodeartsProjects, "offset=0&limit=100");
        assert_eq!(body["total"], 3);
        let projects = body["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 3);
        assert_eq!(projects[0]["project_id"], DEMO_CODEARTS_PROJECT_ID);
        for p in projects {
            assert!(p["created_time"].is_i64() && p["updated_time"].is_i64());
            assert!(matches!(p["project_type"].as_str(), Some("scrum" | "xboard")));
            assert_eq!(p["creator"]["domain_name"], DEMO_DOMAIN_NAME);
        }
        let second = call_ok(Route::CodeartsProjects, "offset=1&limit=1");
        assert_eq!(second["projects"].as_array().unwrap().len(), 1);
        assert_eq!(second["projects"][0]["project_id"], projects[1]["project_id"]);
        assert_eq!(second["total"], 3);
        assert_eq!(call_ok(Route::CodeartsProjects, "offset=7&limit=5")["projects"], json!([]));
    }

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
    fn dsc_has_three_snake_case_orders() {
        let body = call_ok(Route::DscSpecification, "");
        let orders = body["order_infos"].as_array().unwrap();
        let specs: Vec<&str> =
            orders.iter().map(|o| o["product_info"]["resource_spec_code"].as_str().unwrap()).collect();
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
        let statistics: u64 =
            body["quota_statistics_list"].as_array().unwrap().iter().map(|s| s["total_num"].as_u64().unwrap()).sum();
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
    fn the_limited_accounts_testplan_says_failed() {
        let (status, body) = parsed(reply(Route::TestplanPackages, "", DEMO_LIMITED_TOKEN));
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("failed")));
        assert_eq!(parsed(reply(Route::IamToken, "nocatalog=true", DEMO_LIMITED_TOKEN)).0, StatusCode::OK);
    }

    #[test]
    fn codecheck_shows_each_seed_state_by_codearts_project() {
        let tips = |project: &str| call_ok(Route::CodecheckPackages, &format!("project_id={project}"))["result"].clone();
        let first = tips(DEMO_CODEARTS_PROJECT_ID);
        assert_eq!((first["tips"]["status"].as_i64(), first["tips"]["next_action"].as_i64()), (Some(2), Some(1)));
        let concurrency = first["other_resource_list"].as_array().unwrap().iter()
            .filter(|o| o["specCode"] == "codearts.extension.concurrency.check").count();
        assert_eq!(concurrency, 2, "two packs of one spec code");
        let grace = tips(CODEARTS_PROJECTS[1].id);
        assert_eq!((grace["tips"]["status"].as_i64(), grace["tips"]["next_action"].as_i64()), (Some(5), Some(4)));
        let free = tips(CODEARTS_PROJECTS[2].id);
        assert_eq!((free["duration"].as_i64(), free["tips"]["next_action"].as_i64()), (Some(135), Some(2)));
        assert_eq!(free["main_resource_list"][0]["resourceSpecCode"], "codearts.china.free");
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

    #[test]
    fn metastudio_requires_resource_source_and_documented_paging() {
        let required =
            json!({ "error_code": "MSS.00000003", "error_msg": "Invalid parameter: resource_source is required" });
        for query in ["", "limit=10", "resource_source=", "resource_source=,"] {
            assert_eq!(call(Route::MetastudioResources, query), (StatusCode::BAD_REQUEST, required.clone()), "{query}");
        }
        for (query, name) in [
            ("limit=101", "limit"),
            ("limit=0", "limit"),
            ("limit=ten", "limit"),
            ("offset=-1", "offset"),
            ("offset=2147483648", "offset"),
        ] {
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
            let body = call_ok(
                Route::MetastudioResources,
                &format!("resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset={offset}"),
            );
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
        assert!(strings(purchased["resources"].as_array().unwrap(), "resource_source")
            .iter()
            .all(|s| *s == "PURCHASED"));
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
            call_ok(Route::MetastudioResources, "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=100")
                ["resources"]
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

    /// Every expiry instant the demo reports for `now`, in epoch ms.
    fn expiries(now: OffsetDateTime) -> Vec<i64> {
        let mut all = Vec::new();
        let testplan = call_at(Route::TestplanPackages, "", now).1;
        all.extend(testplan["result"].as_array().unwrap().iter().map(|p| p["expiration_time"].as_i64().unwrap()));
        for offset in [0, 100] {
            let query = format!("resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset={offset}");
            let body = call_at(Route::MetastudioResources, &query, now).1;
            all.extend(
                strings(body["resources"].as_array().unwrap(), "resource_expire_time")
                    .into_iter()
                    .map(|t| epoch_ms(parse_utc(t).unwrap())),
            );
        }
        for offset in [0, 200, 400] {
            let body = call_at(Route::HssQuotas, &format!("limit=200&offset={offset}"), now).1;
            all.extend(body["data_list"].as_array().unwrap().iter().map(|q| q["expire_time"].as_i64().unwrap()));
        }
        all
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

    #[test]
    fn odd_queries_never_panic() {
        let queries = [
            "%",
            "%%",
            "%zz",
            "%+1",
            "=",
            "&&&",
            "==&=",
            "limit",
            "limit=%FF%FE",
            "resource_source=%C3%28",
            "limit=+10",
            "limit=-0",
            "offset=9223372036854775808",
            "limit=1&limit=abc",
            "resource_source=PURCHASED&limit=%31%30",
            "a=b=c",
            "offset=\u{1F600}",
            "limit=\0",
        ];
        for route in Route::ALL {
            for query in queries {
                let (status, body) = call(route, query);
                assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{route:?}?{query}: {status}");
                assert!(body.is_object(), "{route:?}?{query}");
            }
        }
        assert_eq!(percent_decode("a%2Cb+c%2"), "a,b c%2");
        assert_eq!(
            call_ok(Route::MetastudioResources, "resource_source=PURCHASED&limit=%31%30")["resources"]
                .as_array()
                .unwrap()
                .len(),
            10
        );
    }
}
