//! A whole tenant read at once, as a face with no screen needs it (the
//! command line, an exporter): every package service of a [`Session`]
//! loaded (at once, each its own pages), then billing for every resource id
//! they listed, laid over their packages as the console lays it over a
//! tab's. What the console does with signals and resources over time, one
//! round of it, awaited to the end.
//!
//! Also which packages need somebody within a window of days
//! ([`needs_attention`]): the console's "Act now" reasons
//! ([`crate::domain::act`]) with the window as the critical threshold, and
//! what lapsed within the window.

use tenantscope_catalog::{Service, PACKAGE_COUNT};

use crate::api::{ApiError, Credentials};
use crate::domain::across::Account;
use crate::domain::act::{self, Reason};
use crate::domain::paging::Progress;
use crate::domain::{Instant, Package, Thresholds, Urgency};
use crate::load::{Fetch, Session};
use crate::services::bss::{self, BillingState};
use crate::services::{Facts, Loaded, ServiceState};
use crate::session::{load, offers};

/// One session read whole: each package service's answer as loaded, the
/// billing reading, and the services' states with billing laid over their
/// packages (what the console's panels, overview and exports show).
#[derive(Clone, Debug)]
pub struct Reading {
    pub session: Session,
    /// In [`Service::PACKAGES`] order, as the services answered.
    pub loaded: [(Service, Result<ServiceState, ApiError>); PACKAGE_COUNT],
    pub billing: BillingState,
    /// In [`Service::PACKAGES`] order, billing's word laid over the packages.
    pub services: [(Service, Result<ServiceState, ApiError>); PACKAGE_COUNT],
}

/// The state of one service for `session`: loaded where it is offered.
/// `progress` hears how many pages of a paged service have been read.
pub async fn service_state<N: Fetch>(net: &N, service: Service, session: &Session, progress: impl FnMut(Progress)) -> Result<ServiceState, ApiError> {
    if offers(net, service, &session.region).await {
        load(net, service, session, progress).await.map(ServiceState::Loaded)
    } else {
        Ok(ServiceState::NotOffered(session.region.clone()))
    }
}

/// Reads every package service of `session` through `net`, all at once
/// (each reads its own pages with the paging's bound; the chained ones
/// started first, [`crate::services::load_order`]), then billing once
/// they have all answered, for every resource id they listed, asking the
/// billing sites of the session's region in order.
pub async fn read<N: Fetch>(net: &N, session: Session) -> Reading {
    let order = crate::services::load_order();
    let mut states: Vec<_> =
        order.into_iter().zip(futures::future::join_all(order.map(|service| service_state(net, service, &session, |_| {}))).await).collect();
    let loaded: [(Service, Result<ServiceState, ApiError>); PACKAGE_COUNT] = Service::PACKAGES.map(|service| {
        let state = states.iter().position(|(s, _)| *s == service).map(|at| states.swap_remove(at).1);
        (service, state.unwrap_or(Ok(ServiceState::Waiting)))
    });
    let answered: Vec<Option<Result<ServiceState, ApiError>>> = loaded.iter().map(|(_, s)| Some(s.clone())).collect();
    let billing = match bss::ids_of(&answered) {
        Some(ids) => match bss::load(net, tenantscope_catalog::billing_sites(&session.region), &ids).await {
            Ok(read) => BillingState::Read(std::sync::Arc::new(read)),
            Err(e) => BillingState::after_failure(&BillingState::Waiting, e),
        },
        None => BillingState::Waiting,
    };
    let services = loaded.clone().map(|(service, state)| (service, billed(state, &billing)));
    Reading { session, loaded, billing, services }
}

/// A service's state with billing's reading (current or not) laid over its
/// packages, as the console's tab lays it.
pub fn billed(state: Result<ServiceState, ApiError>, billing: &BillingState) -> Result<ServiceState, ApiError> {
    match (state, billing.billing()) {
        (Ok(ServiceState::Loaded(loaded)), Some(read)) => Ok(ServiceState::Loaded(Loaded { packages: read.apply(&loaded.packages), ..loaded })),
        (state, _) => state,
    }
}

impl Reading {
    /// Each service's reading, billing laid over it (the services that
    /// failed or are not offered have none).
    pub fn loads(&self) -> impl Iterator<Item = (Service, &Loaded)> {
        self.services.iter().filter_map(|(service, state)| match state {
            Ok(ServiceState::Loaded(loaded)) => Some((*service, loaded)),
            _ => None,
        })
    }

    /// Every package read, billing laid over it, service by service.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.loads().flat_map(|(_, l)| l.packages.iter())
    }

    /// The services that could not be read, and why.
    pub fn failures(&self) -> impl Iterator<Item = (Service, &ApiError)> {
        self.services.iter().filter_map(|(service, state)| state.as_ref().err().map(|e| (*service, e)))
    }

    /// Whose packages these are, for counting each once across sessions.
    pub fn account(&self) -> Account {
        let key_id = match &self.session.gateway.credentials {
            Credentials::AccessKeys(keys) => Some(keys.access_key_id.as_str()),
            Credentials::IamToken(_) => None,
        };
        Account::of(key_id, self.session.domain.as_deref())
    }

    /// The CodeArts project read: the one given, else the one TestPlan
    /// found and read.
    pub fn codearts_read(&self) -> Option<String> {
        self.session.codearts_project_id.clone().or_else(|| {
            self.loads().find(|(s, _)| *s == Service::Testplan).and_then(|(_, l)| l.facts.as_ref().and_then(Facts::codearts_project).map(str::to_string))
        })
    }

    /// Where the session is, as an error across sessions names it.
    pub fn place(&self) -> String {
        self.session.place()
    }

    /// What the console calls the session's tab: who and where.
    pub fn label(&self) -> String {
        self.session.label()
    }
}

/// Why `p` needs somebody within `days` days of `now`, if it does: the
/// console's "Act now" reasons with `days` as the critical threshold (an
/// HSS quota expired on a host, frozen, closed, lapsing within the window
/// without renewing by itself, used up), or, as [`Reason::Lapses`], a date
/// that passed within the last `days` days. What lapsed longer ago, what
/// renews by itself and what has no date needs nobody now.
pub fn needs_attention(p: &Package, now: Instant, days: u32) -> Option<Reason> {
    let window = Thresholds { critical_days: days, warning_days: days };
    act::reason(p, now, window).or_else(|| {
        let lapsed_lately =
            p.urgency(now, window) == Urgency::Expired && p.expiry.instant().is_some_and(|at| at <= now && at > now.plus_days(-i64::from(days)));
        lapsed_lately.then_some(Reason::Lapses)
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use tenantscope_catalog::Route;

    use super::*;
    use crate::api::{ApiResponse, Gateway, Token};
    use crate::domain::time::MS_PER_DAY;
    use crate::domain::{Billed, Expiry, Renewal, Status};

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    fn session(region: &str) -> Session {
        Session {
            gateway: Gateway::new("test".into(), Credentials::IamToken(Token::parse("t").unwrap())),
            region: region.into(),
            project_id: "p1".into(),
            codearts_project_id: Some("c1".into()),
            codearts_name: None,
            user: Some("u".into()),
            domain: Some("acme".into()),
            project: None,
            expires_at: None,
        }
    }

    /// Answers every route with one package each (HSS one quota, billing a
    /// date for it), or fails the routes named in `failing`; records calls.
    struct Fake {
        failing: Vec<Route>,
        calls: RefCell<Vec<(Route, String)>>,
    }

    impl Fake {
        fn new(failing: &[Route]) -> Fake {
            Fake { failing: failing.to_vec(), calls: RefCell::new(Vec::new()) }
        }
        fn answer(&self, route: Route, region: &str) -> Result<ApiResponse, ApiError> {
            self.calls.borrow_mut().push((route, region.to_string()));
            if self.failing.contains(&route) {
                return Err(ApiError::Http { status: 500, error_code: Some("X.500".into()), error_msg: None, request_id: None });
            }
            let body = match route {
                Route::HssQuotas => serde_json::json!({"total_num": 1, "data_list": [{"resource_id": "q1", "version": "hss.version.enterprise",
                    "quota_status": "normal", "used_status": "idle", "charging_mode": "packet_cycle", "expire_time": -1}]}),
                Route::BssResources => serde_json::json!({"total_count": 1, "data": [{"resource_id": "q1",
                    "expire_time": Instant::from_millis(NOW.millis() + 3 * MS_PER_DAY).rfc3339(), "expire_policy": 0, "status": 2}]}),
                _ => serde_json::json!({}),
            };
            Ok(ApiResponse { text: body.to_string(), body, request_id: None })
        }
    }

    impl Fetch for Fake {
        async fn get(&self, route: Route, region: &str, _: Option<&str>, _: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
            self.answer(route, region)
        }
        async fn post(&self, route: Route, region: &str, _: String) -> Result<ApiResponse, ApiError> {
            self.answer(route, region)
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            NOW
        }
    }

    #[test]
    fn every_service_then_billing_laid_over_the_packages() {
        let net = Fake::new(&[]);
        let reading = futures::executor::block_on(read(&net, session("cn-north-4")));
        let calls = net.calls.borrow().clone();
        // Billing last, once every service answered, at the region's first site.
        assert_eq!(calls.last(), Some(&(Route::BssResources, "global".to_string())), "{calls:?}");
        assert_eq!(calls.iter().filter(|(r, _)| *r == Route::BssResources).count(), 1);
        assert_eq!(reading.loaded.each_ref().map(|(s, _)| *s), Service::PACKAGES);
        let hss = reading.packages().find(|p| p.service == Service::Hss).expect("the HSS quota");
        assert_eq!(hss.expiry, Expiry::At(Instant::from_millis(NOW.millis() + 3 * MS_PER_DAY)), "billing's date");
        assert!(matches!(reading.billing, BillingState::Read(_)));
        // As loaded, the quota has no date: billing is laid over a copy.
        let raw = reading.loaded.iter().find(|(s, _)| *s == Service::Hss).unwrap();
        let Ok(ServiceState::Loaded(raw)) = &raw.1 else { panic!("{raw:?}") };
        assert_eq!(raw.packages[0].expiry, Expiry::Unknown);
        assert_eq!(reading.failures().count(), 0, "{:?}", reading.failures().collect::<Vec<_>>());
        assert_eq!(reading.label(), "acme · cn-north-4");
        assert_eq!(reading.codearts_read().as_deref(), Some("c1"));
    }

    #[test]
    fn a_failing_service_and_billing_are_said_and_the_rest_read() {
        let net = Fake::new(&[Route::DscSpecification, Route::BssResources]);
        let reading = futures::executor::block_on(read(&net, session("cn-north-4")));
        let failed: Vec<Service> = reading.failures().map(|(s, _)| s).collect();
        assert_eq!(failed, [Service::Dsc]);
        assert!(matches!(reading.billing, BillingState::Failed(ApiError::Http { status: 500, .. })), "{:?}", reading.billing);
        let hss = reading.packages().find(|p| p.service == Service::Hss).unwrap();
        assert_eq!((hss.expiry, hss.billed), (Expiry::Unknown, None), "the service's figures, billing's none");
    }

    #[test]
    fn a_service_not_offered_is_not_asked() {
        let net = Fake::new(&[]);
        // MetaStudio is offered in two regions only.
        let region = "ap-southeast-1";
        assert!(!Service::Metastudio.offered_in(region));
        let reading = futures::executor::block_on(read(&net, session(region)));
        assert!(!net.calls.borrow().iter().any(|(r, _)| r.service() == Service::Metastudio));
        let metastudio = &reading.services.iter().find(|(s, _)| *s == Service::Metastudio).unwrap().1;
        assert_eq!(metastudio, &Ok(ServiceState::NotOffered(region.into())));
        // The international site first outside cn- regions.
        assert_eq!(net.calls.borrow().last().map(|(_, site)| site.as_str()), Some("global-intl"));
    }

    #[test]
    fn what_needs_somebody_within_the_window() {
        let due = |days: i64| Package {
            expiry: Expiry::At(Instant::from_millis(NOW.millis() + days * MS_PER_DAY)),
            status: Status::Active,
            ..Package::new(Service::Hss, "id", "n")
        };
        assert_eq!(needs_attention(&due(3), NOW, 7), Some(Reason::Lapses));
        assert_eq!(needs_attention(&due(10), NOW, 7), None);
        assert_eq!(needs_attention(&due(10), NOW, 30), Some(Reason::Lapses));
        assert_eq!(needs_attention(&due(3), NOW, 0), None, "a window of 0 days: nothing lapses within it");
        // Lapsed within the window, not long ago.
        assert_eq!(needs_attention(&due(-2), NOW, 7), Some(Reason::Lapses));
        assert_eq!(needs_attention(&due(-40), NOW, 30), None);
        // What renews by itself is no alarm; frozen is, whatever its date.
        let renews = Package { billed: Some(Billed { renewal: Some(Renewal::AutoRenew), ..Billed::default() }), ..due(3) };
        assert_eq!(needs_attention(&renews, NOW, 7), None);
        assert_eq!(needs_attention(&Package { status: Status::Frozen, ..due(300) }, NOW, 7), Some(Reason::Frozen));
        let undated = Package::new(Service::Dsc, "d", "n");
        assert_eq!(needs_attention(&undated, NOW, 30), None);
    }

    #[test]
    fn the_export_of_several_sessions_counts_each_package_once() {
        use crate::export::{Sessions, JSON_SCHEMA};
        let net = Fake::new(&[Route::DscSpecification]);
        let one = futures::executor::block_on(read(&net, session("cn-north-4")));
        let two = futures::executor::block_on(read(&net, Session { project_id: "p2".into(), ..session("cn-north-4") }));
        // Alone: the session's own tenant, no seen_in, errors as they came.
        let alone = Sessions::of(&[Ok(one.clone())]);
        assert_eq!(alone.tenant.region.as_deref(), Some("cn-north-4"));
        assert_eq!(alone.tenant.codearts_project_id.as_deref(), Some("c1"));
        assert!(alone.seen_in.is_empty() && alone.tenant_of.is_empty());
        assert_eq!(alone.errors.len(), 1);
        assert_eq!((alone.errors[0].service, alone.errors[0].http_status), (Service::Dsc, Some(500)));
        assert!(alone.billing.read);
        let json = alone.report(NOW, Thresholds::default(), |r| r.to_json());
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["schema"], JSON_SCHEMA);
        // Across: one account's quota once, seen in both; each error named
        // by its place; a session that could not start said per service.
        let refused = ApiError::Http { status: 401, error_code: None, error_msg: None, request_id: None };
        let across = Sessions::of(&[Ok(one.clone()), Ok(two), Err(refused)]);
        let quotas = across.packages.iter().filter(|p| p.service == Service::Hss).count();
        assert_eq!(quotas, 1, "counted once");
        assert_eq!(across.seen_in[0], ["1. acme · cn-north-4", "2. acme · cn-north-4"]);
        assert_eq!(across.tenant_of, [0]);
        assert_eq!(across.errors[0].error_msg.as_deref(), Some("cn-north-4: "));
        let not_started: Vec<&crate::export::ServiceError> =
            across.errors.iter().filter(|e| e.error_msg.as_deref().is_some_and(|m| m.starts_with("tab 3:"))).collect();
        assert_eq!(not_started.len(), Service::PACKAGES.len());
        assert!(!across.billing.read, "a session without billing read");
        assert_eq!(across.tenant.project_id, None, "what the sessions do not share is left out");
    }

    #[test]
    fn the_export_says_what_a_narrowed_reading_left_out() {
        use crate::services::{hss, Facts};
        let net = Fake::new(&[]);
        let mut one = futures::executor::block_on(read(&net, session("cn-north-4")));
        let refused = ApiError::Http { status: 403, error_code: Some("HSS.1001".into()), error_msg: Some("no EP permission".into()), request_id: None };
        for (service, state) in one.services.iter_mut() {
            if let (Service::Hss, Ok(ServiceState::Loaded(l))) = (*service, state) {
                l.facts = Some(Facts::Hss(hss::Reading { stats: None, scope: hss::Reach::DefaultOnly(refused.clone()) }));
            }
        }
        let sessions = crate::export::Sessions::of(&[Ok(one)]);
        // Its quotas are exported, and the file says the rest are not known.
        assert!(sessions.packages.iter().any(|p| p.service == Service::Hss));
        let hss: Vec<_> = sessions.errors.iter().filter(|e| e.service == Service::Hss).collect();
        assert_eq!(hss.len(), 1, "{:?}", sessions.errors);
        assert_eq!((hss[0].http_status, hss[0].error_code.as_deref()), (Some(403), Some("HSS.1001")));
        assert!(hss[0].error_msg.as_deref().is_some_and(|m| m.starts_with("default enterprise project only: ")), "{:?}", hss[0].error_msg);
    }
}
