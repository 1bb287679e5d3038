//! A connection to one tenant: what the person entered, completed by asking
//! IAM and CodeArts what the token can see, and the loading of each service's
//! packages through the gateway.

use tenantscope_catalog::{Route, Service};

use crate::api::{ApiError, ApiResponse, Gateway};
use crate::domain::{Instant, Package};
use crate::services::hss::QuotaStats;
use crate::services::{codecheck, dsc, hss, iam, metastudio, projectman, testplan};

/// What the form submitted. Empty IDs are discovered from the token.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub gateway: Gateway,
    pub region: String,
    pub project_id: String,
    pub codearts_project_id: String,
}

/// A connection with every ID known.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub gateway: Gateway,
    pub region: String,
    pub project_id: String,
    /// `None` when it was not entered and could not be discovered (CodeArts
    /// is not offered in every region).
    pub codearts_project_id: Option<String>,
    pub user: Option<String>,
    pub domain: Option<String>,
}

/// Fills in what the person left empty: the project (and its region) from
/// token introspection, the CodeArts project from the project list.
pub async fn resolve(connection: Connection) -> Result<Context, ApiError> {
    let Connection { gateway, mut region, mut project_id, codearts_project_id } = connection;
    let (mut user, mut domain) = (None, None);
    if project_id.trim().is_empty() {
        // Own-token introspection needs no permission (IAM API iam_30_0004).
        let answer = gateway.get(Route::IamToken, "global", None, &[("nocatalog", "true")]).await?;
        let info = iam::token_info(&answer.body)?;
        // A project-scoped token names its region as the project name (§3).
        let Some(id) = info.project_id else {
            return Err(ApiError::Invalid {
                what: "This token is not scoped to a project: enter a Project ID, or use a project-scoped token.".into(),
            });
        };
        project_id = id;
        if let Some(name) = info.project_name.filter(|n| tenantscope_catalog::region_by_id(n).is_some()) {
            region = name;
        }
        user = info.user;
        domain = info.domain;
    }
    let codearts_project_id = match codearts_project_id.trim() {
        "" if Service::Projectman.offered_in(&region) => {
            let answer = gateway.get(Route::CodeartsProjects, &region, None, &[("offset", "0"), ("limit", "100")]).await;
            // Not fatal: only TestPlan needs it, and its panel says so.
            answer.ok().and_then(|a| projectman::projects(&a.body).ok()).and_then(|p| p.into_iter().next()).map(|p| p.id)
        }
        "" => None,
        id => Some(id.to_string()),
    };
    Ok(Context { gateway, region, project_id: project_id.trim().to_string(), codearts_project_id, user, domain })
}

/// One service's packages, with the answers as received for the drawer.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub packages: Vec<Package>,
    /// HSS: the tenant-wide quota counts.
    pub stats: Option<QuotaStats>,
    /// Paged services: the total the service reports.
    pub total: Option<u64>,
    pub answers: Vec<ApiResponse>,
    pub received_at: Instant,
}

/// The current time, from the browser's clock.
pub fn now() -> Instant {
    Instant::from_millis(js_sys::Date::now() as i64)
}

/// What one service's panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceState {
    /// No session is open.
    Idle,
    /// The service is not offered in the session's region.
    NotOffered(String),
    Loaded(Loaded),
}

/// The state of one service for the session `ctx`, loading it if there is
/// one and the service is offered in its region.
pub async fn service_state(service: Service, ctx: Option<Context>) -> Result<ServiceState, ApiError> {
    match ctx {
        None => Ok(ServiceState::Idle),
        Some(ctx) if !service.offered_in(&ctx.region) => Ok(ServiceState::NotOffered(ctx.region)),
        Some(ctx) => load(service, &ctx).await.map(ServiceState::Loaded),
    }
}

/// Loads one service's packages.
pub async fn load(service: Service, ctx: &Context) -> Result<Loaded, ApiError> {
    let project = Some(ctx.project_id.as_str());
    let codearts = ctx.codearts_project_id.as_deref();
    let gateway = &ctx.gateway;
    let region = ctx.region.as_str();
    let single = |answer: ApiResponse, packages: Vec<Package>| Loaded {
        packages,
        stats: None,
        total: None,
        answers: vec![answer],
        received_at: now(),
    };
    match service {
        Service::Testplan => {
            let id = codearts.ok_or_else(|| ApiError::Invalid {
                what: "CodeArts TestPlan needs a CodeArts project: enter its ID in the form.".into(),
            })?;
            let answer = gateway.get(Route::TestplanPackages, region, Some(id), &[]).await?;
            let packages = testplan::packages(&answer.body)?;
            Ok(single(answer, packages))
        }
        Service::Codecheck => {
            let query: Vec<(&str, &str)> = codearts.map(|id| ("project_id", id)).into_iter().collect();
            let answer = gateway.get(Route::CodecheckPackages, region, None, &query).await?;
            let packages = codecheck::packages(&answer.body, now())?;
            Ok(single(answer, packages))
        }
        Service::Metastudio => {
            let query = [("resource_source", metastudio::RESOURCE_SOURCES), ("limit", "100"), ("offset", "0")];
            let answer = gateway.get(Route::MetastudioResources, region, project, &query).await?;
            let (packages, total) = metastudio::page(&answer.body)?;
            Ok(Loaded { total, ..single(answer, packages) })
        }
        Service::Dsc => {
            let answer = gateway.get(Route::DscSpecification, region, project, &[]).await?;
            let packages = dsc::packages(&answer.body)?;
            Ok(single(answer, packages))
        }
        Service::Hss => {
            let answer = gateway.get(Route::HssQuotas, region, project, &[("limit", "200"), ("offset", "0")]).await?;
            let (packages, stats) = hss::page(&answer.body)?;
            Ok(Loaded { total: stats.total, stats: Some(stats), ..single(answer, packages) })
        }
        Service::Iam | Service::Projectman => {
            Err(ApiError::Invalid { what: format!("{} holds no packages", service.title()) })
        }
    }
}
