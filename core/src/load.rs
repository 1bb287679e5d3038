//! What loading needs and works on: the [`Fetch`] a face supplies (calls,
//! a timer, a clock) and the [`Session`] a connection resolved to (every ID
//! known). Below the services, which read through it, and the session
//! module, which resolves to it.

use tenantscope_catalog::{Route, Service};

use crate::api::{ApiError, ApiResponse, Gateway};
use crate::domain::Instant;

/// A connection with every ID known.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub gateway: Gateway,
    pub region: String,
    pub project_id: String,
    /// `None` when it was not entered and could not be discovered (CodeArts
    /// is not offered in every region).
    pub codearts_project_id: Option<String>,
    /// Its name, where the form knew it ([`Connection::codearts_name`]).
    pub codearts_name: Option<String>,
    pub user: Option<String>,
    pub domain: Option<String>,
    /// The project's name where it is not its region's own: a subproject
    /// (`cn-north-4_finance`, IAM's `{region}_{name}`).
    pub project: Option<String>,
    /// When the token stops working, where IAM said.
    pub expires_at: Option<Instant>,
}

impl Session {
    /// Where it is: its subproject (whose name says its region too), else
    /// its region.
    pub fn place(&self) -> String {
        self.project.clone().unwrap_or_else(|| self.region.clone())
    }

    /// Who and where, as a tab is named: `acme · cn-north-4`.
    pub fn label(&self) -> String {
        match self.domain.as_ref().or(self.user.as_ref()) {
            Some(who) => format!("{who} · {}", self.place()),
            None => self.place(),
        }
    }
}

/// What the loading needs of the outside world: calls through the proxy,
/// a timer and a clock. The browser's sends through the proxy, the command line's to Huawei Cloud directly; native tests answer
/// from the fixtures, so that the orchestration (retries, fallbacks, which
/// query each service is asked) is tested without a browser.
pub trait Fetch {
    fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>>;
    /// One POST of the JSON `body` to `route` in `region` (billing's query,
    /// the one route that takes a body). A fetcher that serves no billing
    /// answers that it is not there.
    fn post(&self, route: Route, region: &str, body: String) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>> {
        let _ = (region, body);
        async move { Err(ApiError::Http { status: 405, error_code: None, error_msg: Some(format!("{} is not served here", route.template())), request_id: None }) }
    }
    fn sleep(&self, ms: u32) -> impl std::future::Future<Output = ()>;
    fn now(&self) -> Instant;
    /// Regions where the proxy's operator made a service offered beyond the
    /// catalogue (the proxy's `GET /offered`); none unless a fetcher knows better.
    fn offered(&self) -> impl std::future::Future<Output = Vec<(Service, String)>> {
        async { Vec::new() }
    }
}
