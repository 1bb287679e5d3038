//! The session's orchestration, natively: which query each service is
//! asked, retries of transient failures, HSS's enterprise-project fallback,
//! TestPlan's `"status": "failed"`, and a failed refresh that keeps the
//! last good answers. The network is a [`Fetch`] that answers from the
//! fixtures and records every call and every pause.

use std::cell::RefCell;

use futures::executor::block_on;
use serde_json::Value;
use tenantscope::api::{ApiError, ApiResponse, Credentials, Gateway, Token, THROTTLE_BACKOFF_MS};
use tenantscope::domain::Instant;
use tenantscope::services::hss::Reach;
use tenantscope::services::ServiceState;
use tenantscope::services::{Facts, Loaded};
use tenantscope::session::{keep_last_good, load, Fetch, Session};
use tenantscope_catalog::{Route, Service};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(text: &str) -> Result<ApiResponse, ApiError> {
    let body: Value = serde_json::from_str(text).unwrap();
    Ok(ApiResponse { body, text: text.to_string(), request_id: None })
}

fn http(status: u16, code: &str) -> Result<ApiResponse, ApiError> {
    Err(ApiError::Http { status, error_code: Some(code.into()), error_msg: None, request_id: None })
}

type Answer = Box<dyn Fn(Route, &[(&str, &str)], usize) -> Result<ApiResponse, ApiError>>;
/// A call as made: its route and query.
type Call = (Route, Vec<(String, String)>);

/// Answers each call with `answer(route, query, how many calls so far)`.
struct Fake {
    answer: Answer,
    calls: RefCell<Vec<Call>>,
    sleeps: RefCell<Vec<u32>>,
}

impl Fake {
    fn new(answer: impl Fn(Route, &[(&str, &str)], usize) -> Result<ApiResponse, ApiError> + 'static) -> Fake {
        Fake { answer: Box::new(answer), calls: RefCell::default(), sleeps: RefCell::default() }
    }
}

impl Fetch for Fake {
    async fn get(&self, route: Route, _region: &str, _param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
        let n = self.calls.borrow().len();
        self.calls.borrow_mut().push((route, query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()));
        (self.answer)(route, query, n)
    }
    async fn sleep(&self, ms: u32) {
        self.sleeps.borrow_mut().push(ms);
    }
    fn now(&self) -> Instant {
        Instant::from_millis(1_752_000_000_000)
    }
}

fn ctx() -> Session {
    Session {
        gateway: Gateway::new("/api".into(), Credentials::IamToken(Token::parse("t").unwrap())),
        region: "cn-north-4".into(),
        project_id: "p".into(),
        codearts_project_id: Some("c".into()),
        codearts_name: None,
        user: None,
        domain: None,
        project: None,
        expires_at: None,
    }
}

fn has(query: &[(&str, &str)], key: &str, value: &str) -> bool {
    query.iter().any(|(k, v)| *k == key && *v == value)
}

#[test]
fn hss_asks_for_every_enterprise_project() {
    let net = Fake::new(|_, query, _| {
        assert!(has(query, "enterprise_project_id", "all_granted_eps"), "{query:?}");
        ok(&fixture("hss.doc.json"))
    });
    let loaded = block_on(load(&net, Service::Hss, &ctx(), |_| {})).unwrap();
    assert!(matches!(&loaded.facts, Some(Facts::Hss(r)) if r.scope == Reach::AllProjects && r.stats.is_some()), "{:?}", loaded.facts);
    assert!(!loaded.packages.is_empty());
}

#[test]
fn hss_falls_back_to_the_default_enterprise_project_and_says_so() {
    let net =
        Fake::new(|_, query, _| if has(query, "enterprise_project_id", "all_granted_eps") { http(403, "HSS.0004") } else { ok(&fixture("hss.doc.json")) });
    let loaded = block_on(load(&net, Service::Hss, &ctx(), |_| {})).unwrap();
    assert!(matches!(&loaded.facts, Some(Facts::Hss(r)) if matches!(r.scope, Reach::DefaultOnly(ApiError::Http { status: 403, .. }))), "{:?}", loaded.facts);
    assert!(!loaded.packages.is_empty());
    let calls = net.calls.borrow();
    assert!(calls.iter().all(|(route, _)| *route == Route::HssQuotas));
    assert!(!calls.last().unwrap().1.iter().any(|(k, _)| k == "enterprise_project_id"), "the fallback asks for the default");
}

#[test]
fn a_refused_token_is_not_a_reason_to_fall_back() {
    let net = Fake::new(|_, _, _| http(401, "APIG.0307"));
    assert!(matches!(block_on(load(&net, Service::Hss, &ctx(), |_| {})), Err(ApiError::Http { status: 401, .. })));
    assert_eq!(net.calls.borrow().len(), 1, "no retry, no fallback");
}

#[test]
fn check_busy_is_retried_after_a_throttles_pause() {
    let net = Fake::new(|_, _, n| if n == 0 { http(400, "CC.00000000") } else { ok(&fixture("codecheck.doc.json")) });
    let loaded = block_on(load(&net, Service::Codecheck, &ctx(), |_| {})).unwrap();
    assert!(!loaded.packages.is_empty());
    assert_eq!(*net.sleeps.borrow(), [THROTTLE_BACKOFF_MS]);
    assert_eq!(net.calls.borrow().len(), 2);
}

#[test]
fn testplan_failed_is_an_error_with_the_body() {
    let text = r#"{"status":"failed","result":[]}"#;
    let net = Fake::new(move |_, _, _| ok(text));
    match block_on(load(&net, Service::Testplan, &ctx(), |_| {})) {
        Err(ApiError::Failed { service: Service::Testplan, body }) => assert_eq!(body, text),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_refresh_keeps_the_last_good_answers() {
    let good = || block_on(load(&Fake::new(|_, _, _| ok(&fixture("dsc.doc.json"))), Service::Dsc, &ctx(), |_| {}));
    let down = || Err(ApiError::Network { proxy: "/api".into() });
    // A first load that fails is an error alone.
    let (state, last) = keep_last_good(down(), None);
    assert!(state.is_err() && last.is_none());
    // Loaded, then a refresh fails: the answers stay, marked.
    let (_, last) = keep_last_good(good().map(ServiceState::Loaded), None);
    let (state, last) = keep_last_good(down(), last);
    let Ok(ServiceState::Loaded(Loaded { stale: Some(ApiError::Network { .. }), packages, .. })) = state else { panic!("{state:?}") };
    assert!(!packages.is_empty());
    // The next good refresh replaces them, unmarked.
    let (state, _) = keep_last_good(good().map(ServiceState::Loaded), last);
    assert!(matches!(state, Ok(ServiceState::Loaded(Loaded { stale: None, .. }))));
}

fn connection(region: &str, project: &str) -> tenantscope::session::Connection {
    tenantscope::session::Connection {
        gateway: ctx().gateway,
        region: region.into(),
        project_id: project.into(),
        codearts_project_id: "c".into(),
        codearts_name: None,
        known: None,
    }
}

#[test]
fn an_eu_token_is_introspected_at_the_eu_cloud_first() {
    let regions = RefCell::new(Vec::new());
    struct Eu<'a>(&'a RefCell<Vec<String>>, Fake);
    impl Fetch for Eu<'_> {
        async fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
            self.0.borrow_mut().push(region.to_string());
            self.1.get(route, region, param, query).await
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            self.1.now()
        }
    }
    // Only the EU cloud's IAM knows the token.
    let net = Eu(&regions, Fake::new(|_, _, _| ok(&fixture("iam.token.json"))));
    let c = block_on(tenantscope::session::resolve_via(&net, connection("eu-west-101", ""))).unwrap();
    assert_eq!(regions.borrow()[0], "global-eu");
    assert!(c.user.is_some());
}

#[test]
fn a_token_the_global_iam_refuses_is_asked_again_elsewhere() {
    let net = Fake::new(|route, _, n| match (route, n) {
        (Route::IamToken, 0 | 1) => http(401, "APIG.0307"),
        _ => ok(&fixture("iam.token.json")),
    });
    let c = block_on(tenantscope::session::resolve_via(&net, connection("eu-west-101", ""))).unwrap();
    assert!(c.user.is_some(), "the regional IAM answered");
    assert_eq!(net.calls.borrow().len(), 3);
}

#[test]
fn typed_ids_work_when_every_iam_refuses_the_token() {
    let net = Fake::new(|_, _, _| http(401, "APIG.0307"));
    let c = block_on(tenantscope::session::resolve_via(&net, connection("eu-west-101", "p-typed"))).unwrap();
    assert_eq!((c.project_id.as_str(), c.region.as_str(), c.user), ("p-typed", "eu-west-101", None));
    // Without a project there is nothing to go on: the refusal is the answer.
    let net = Fake::new(|_, _, _| http(401, "APIG.0307"));
    assert!(block_on(tenantscope::session::resolve_via(&net, connection("eu-west-101", ""))).is_err());
}

#[test]
fn a_region_the_proxy_offers_beyond_the_catalogue_is_offered() {
    use tenantscope::session::offers;
    /// Offers HSS in eu-west-0 beyond the catalogue, and counts the asks.
    struct Offering(Fake, std::cell::Cell<u32>);
    impl Fetch for Offering {
        async fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
            self.0.get(route, region, param, query).await
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            self.0.now()
        }
        async fn offered(&self) -> Vec<(Service, String)> {
            self.1.set(self.1.get() + 1);
            vec![(Service::Hss, "eu-west-0".into())]
        }
    }
    let net = Offering(Fake::new(|_, _, _| ok(&fixture("iam.token.json"))), Default::default());
    // Issue 16: neither the session nor a service the catalogue offers
    // waits for the proxy's list.
    block_on(tenantscope::session::resolve_via(&net, connection("eu-west-0", "p-typed"))).unwrap();
    assert!(block_on(offers(&net, Service::Hss, "cn-north-4")));
    assert_eq!(net.1.get(), 0, "the proxy's list was asked for without need");
    assert!(block_on(offers(&net, Service::Hss, "eu-west-0")), "the operator's host makes HSS offered there");
    assert!(!block_on(offers(&net, Service::Dsc, "eu-west-0")));
    assert!(!Service::Hss.offered_in("eu-west-0"), "the catalogue alone does not offer it");
}

/// Issue 16: nothing but TestPlan waits for the CodeArts project list.
#[test]
fn only_testplan_asks_for_the_codearts_project_and_only_when_none_is_given() {
    // The session starts with no call beyond the token's introspection.
    let net = Fake::new(|route, _, _| match route {
        Route::IamToken => ok(&fixture("iam.token.json")),
        other => panic!("the session waited for {other:?}"),
    });
    let mut c = connection("cn-north-4", "");
    c.codearts_project_id = String::new();
    let session = block_on(tenantscope::session::resolve_via(&net, c)).unwrap();
    assert_eq!(session.codearts_project_id, None);
    assert_eq!(net.calls.borrow().len(), 1);

    // TestPlan asks for the list, then reads the first project's packages.
    let first = serde_json::from_str::<Value>(&fixture("projectman.projects.json")).unwrap()["projects"][0]["project_id"].as_str().unwrap().to_string();
    let params = RefCell::new(Vec::new());
    struct Param<'a>(&'a RefCell<Vec<Option<String>>>, Fake);
    impl Fetch for Param<'_> {
        async fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
            self.0.borrow_mut().push(param.map(str::to_string));
            self.1.get(route, region, param, query).await
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            self.1.now()
        }
    }
    let answer = |route, _: &[(&str, &str)], _| match route {
        Route::CodeartsProjects => ok(&fixture("projectman.projects.json")),
        Route::TestplanPackages => ok(&fixture("testplan.doc.json")),
        other => panic!("TestPlan asked {other:?}"),
    };
    let net = Param(&params, Fake::new(answer));
    let loaded = block_on(load(&net, Service::Testplan, &session, |_| {})).unwrap();
    let routes: Vec<Route> = net.1.calls.borrow().iter().map(|c| c.0).collect();
    assert_eq!(routes, [Route::CodeartsProjects, Route::TestplanPackages]);
    assert_eq!(params.borrow()[1].as_deref(), Some(first.as_str()));
    assert_eq!(loaded.facts, Some(Facts::Testplan { codearts_project: first }));

    // Given one, it asks for nothing else; the other services never ask.
    let net = Fake::new(answer);
    block_on(load(&net, Service::Testplan, &ctx(), |_| {})).unwrap();
    assert_eq!(net.calls.borrow().iter().map(|c| c.0).collect::<Vec<_>>(), [Route::TestplanPackages]);
    let net = Fake::new(|route, _, _| match route {
        Route::CodecheckPackages => ok(&fixture("codecheck.doc.json")),
        other => panic!("Check asked {other:?}"),
    });
    block_on(load(&net, Service::Codecheck, &session, |_| {})).unwrap();
    assert!(net.calls.borrow()[0].1.is_empty(), "no CodeArts project was given: the tenant's packages");
}

/// With the proxy down, TestPlan says the proxy is down; it said "enter a
/// CodeArts project in the form", blaming a field that was not the cause.
#[test]
fn testplan_says_why_its_codearts_project_list_failed() {
    let mut session = ctx();
    session.codearts_project_id = None;
    let down = Fake::new(|_, _, _| Err(ApiError::Network { proxy: "/api".into() }));
    let error = block_on(load(&down, Service::Testplan, &session, |_| {})).unwrap_err();
    assert_eq!(error, ApiError::Network { proxy: "/api".into() });
    // A refused token is said as such.
    let refused = Fake::new(|_, _, _| http(401, "APIGW.0301"));
    assert!(block_on(load(&refused, Service::Testplan, &session, |_| {})).unwrap_err().is_auth());
    // An account with no CodeArts project (or no right to list them) is
    // asked to name one.
    let none = Fake::new(|_, _, _| ok(r#"{"projects":[],"total":0}"#));
    let error = block_on(load(&none, Service::Testplan, &session, |_| {})).unwrap_err();
    assert_eq!(error, ApiError::Invalid(tenantscope::api::Invalid::NeedsCodeartsProject));
    let forbidden = Fake::new(|_, _, _| http(403, "PM.02175002"));
    let error = block_on(load(&forbidden, Service::Testplan, &session, |_| {})).unwrap_err();
    assert_eq!(error, ApiError::Invalid(tenantscope::api::Invalid::NeedsCodeartsProject));
}
