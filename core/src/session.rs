//! A connection to one tenant: what the person entered, completed by asking
//! IAM and CodeArts what the token can see, and the loading of each service's
//! packages through the gateway.

use tenantscope_catalog::{Route, Service};

use crate::api::{ApiError, Credentials, Gateway, Invalid, Token};
use crate::domain::paging::Progress;
pub use crate::load::{Fetch, Session};
use crate::services::{iam, projectman, Facts, Loaded, ServiceState};

/// A connection as "Remember in this tab" keeps it: token, region,
/// project and CodeArts project.
pub type Entry = [String; 4];

/// What the form submitted. Empty IDs are discovered from the token.
#[derive(Clone, Debug)]
pub struct Connection {
    pub gateway: Gateway,
    pub region: String,
    pub project_id: String,
    pub codearts_project_id: String,
    /// The CodeArts project's name, where the form knew it (never
    /// remembered): it tells tabs of one account and region apart.
    pub codearts_name: Option<String>,
    /// What IAM said about the token when the form looked it up: opening
    /// the connection then need not ask again.
    pub known: Option<iam::TokenInfo>,
}

/// One connection whatever name the form knew for its CodeArts project: a
/// tab opened before the form's lists came is the same after they came.
impl PartialEq for Connection {
    fn eq(&self, other: &Connection) -> bool {
        (&self.gateway, &self.region, &self.project_id, &self.codearts_project_id, &self.known)
            == (&other.gateway, &other.region, &other.project_id, &other.codearts_project_id, &other.known)
    }
}

impl Connection {
    /// The connection as "Remember in this tab" keeps it; `None` for
    /// access keys, which are never stored (issue 17: the secret key lives
    /// in memory only).
    pub fn to_entry(&self) -> Option<Entry> {
        #[allow(irrefutable_let_patterns)]
        let Credentials::IamToken(token) = &self.gateway.credentials
        else {
            return None;
        };
        Some([token.secret().to_string(), self.region.clone(), self.project_id.clone(), self.codearts_project_id.clone()])
    }

    /// A remembered connection, through `proxy`; `None` when the stored
    /// token would not be accepted (storage edited by hand).
    pub fn from_entry(entry: &Entry, proxy: &str) -> Option<Connection> {
        let [token, region, project_id, codearts_project_id] = entry.clone();
        let token = Token::parse(&token).ok()?;
        Some(Connection {
            gateway: Gateway::new(proxy.to_string(), Credentials::IamToken(token)),
            region,
            project_id,
            codearts_project_id,
            codearts_name: None,
            known: None,
        })
    }
}

/// Whether `service` is offered in `region`: by the catalogue, else by a
/// host the proxy's operator set (`GET /api/offered`, asked only then, so
/// that a service the catalogue offers starts without waiting for it).
pub async fn offers<N: Fetch>(net: &N, service: Service, region: &str) -> bool {
    service.offered_in(region) || net.offered().await.iter().any(|(s, r)| *s == service && r == region)
}

/// Asks IAM about the token (own-token introspection needs no permission,
/// IAM API iam_30_0004): first at the global IAM host of `region`'s cloud,
/// then at the other cloud's (a token of the EU sovereign cloud is unknown
/// to `iam.myhuaweicloud.com`, and one from the `.com` cloud to the EU's),
/// then at `region`'s own IAM host. Returns where it answered (for the
/// project list: a global pseudo-region, or `None` for `region`'s own), or
/// the first failure once every host refused.
pub async fn introspect<N: Fetch>(net: &N, region: &str) -> Result<(iam::TokenInfo, Option<&'static str>), ApiError> {
    let home = tenantscope_catalog::iam_home(region);
    let other = if home == "global" { tenantscope_catalog::GLOBAL_EU } else { "global" };
    let mut hosts: Vec<&str> = vec![home, other];
    if Service::Iam.offered_in(region) && tenantscope_catalog::is_valid_segment(region) {
        hosts.push(region);
    }
    let mut first = None;
    for at in hosts {
        match net.get(Route::IamToken, at, None, &[("nocatalog", "true")]).await {
            Ok(answer) => {
                let info = iam::token_info(&answer.body)?;
                let at = [home, other].into_iter().find(|g| *g == at);
                return Ok((info, at));
            }
            // Only a refusal, or a host that does not know the route, is a
            // reason to ask another IAM; a network failure is not.
            Err(e) if e.is_auth() || matches!(e, ApiError::Http { status: 404, .. }) => {
                first.get_or_insert(e);
            }
            Err(e) => return Err(first.unwrap_or(e)),
        }
    }
    Err(first.unwrap_or(ApiError::Network { proxy: String::new() }))
}

/// [`resolve`] through `net`.
pub async fn resolve_via<N: Fetch>(net: &N, connection: Connection) -> Result<Session, ApiError> {
    let Connection { gateway, mut region, mut project_id, codearts_project_id, codearts_name, known } = connection;
    // The form may have asked already.
    let asked = match known {
        Some(info) => Ok(Some(info)),
        // Access keys have no token to introspect: the account's project
        // list named the project (and its region) already ([`account`]).
        None if gateway.credentials.signs() => Ok(None),
        None => introspect(net, &region).await.map(|(info, _)| Some(info)),
    };
    let info = match asked {
        Ok(info) => info,
        // Without it the IDs typed in still work: a token of a cloud or
        // region no IAM host here knows may still be accepted by the
        // services (issue 13: every region reachable).
        Err(_) if !project_id.trim().is_empty() => None,
        Err(e) => return Err(e),
    };
    let (user, domain, expires_at) = match &info {
        Some(i) => (i.user.clone(), i.domain.clone(), i.expires_at),
        None => (None, None, None),
    };
    // The subproject's name, when the project is the one IAM named (a token
    // scoped to a subproject may be opened in its region's main project).
    let project = info
        .as_ref()
        .filter(|i| project_id.trim().is_empty() || i.project_id.as_deref() == Some(project_id.trim()))
        .and_then(|i| i.project_name.clone())
        .filter(|n| n.starts_with(&format!("{region}_")));
    if project_id.trim().is_empty() {
        // A project-scoped token names its region as the project name (§3).
        let Some(id) = info.as_ref().and_then(|i| i.project_id.clone()) else {
            return Err(ApiError::Invalid(Invalid::NotScoped));
        };
        project_id = id;
        if let Some(name) = info.and_then(|i| i.project_name).filter(|n| tenantscope_catalog::region_by_id(n).is_some()) {
            region = name;
        }
    }
    // Typed, or found by the form; else TestPlan looks it up on its own
    // ([`codearts_project`]), so that nothing else waits for the list.
    let codearts_project_id = Some(codearts_project_id.trim().to_string()).filter(|id| !id.is_empty());
    Ok(Session { gateway, region, project_id: project_id.trim().to_string(), codearts_project_id, codearts_name, user, domain, project, expires_at })
}

/// What a token says about itself, and the projects it can choose from:
/// found as soon as a token is pasted, to fill in the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Discovery {
    pub info: iam::TokenInfo,
    /// The account's IAM projects (empty when the token may not list them).
    pub projects: Vec<iam::Project>,
    /// The CodeArts projects in the token's region (empty when there are
    /// none, CodeArts is not offered there, or the list was refused).
    pub codearts: Vec<projectman::CodeartsProject>,
}

/// [`lists`] through `net`.
pub async fn lists_via<N: Fetch>(net: &N, info: iam::TokenInfo, at: Option<&'static str>, region: String) -> Discovery {
    let region = info.project_name.clone().filter(|n| tenantscope_catalog::region_by_id(n).is_some()).unwrap_or(region);
    // The project list from the IAM that knew the token.
    let iam_at = at.unwrap_or(region.as_str());
    // One after the other, the CodeArts projects first: the tab opened
    // with the token asks its services' first pages meanwhile, and over
    // HTTP/1.1 a browser has six connections to the proxy. Two lists beside
    // them would hold one of those pages back by a round trip; the account's
    // projects (the form's choices only) wait for the first.
    let codearts = match Service::Projectman.offered_in(&region) {
        true => {
            net.get(Route::CodeartsProjects, &region, None, &[("offset", "0"), ("limit", "100")]).await.ok().and_then(|a| projectman::projects(&a.body).ok())
        }
        false => None,
    };
    let projects = net.get(Route::IamProjects, iam_at, None, &[]).await.ok().and_then(|a| iam::projects(&a.body).ok());
    Discovery { info, projects: projects.unwrap_or_default(), codearts: codearts.unwrap_or_default() }
}

/// The account's IAM projects, as access keys see them (`GET
/// /v3/auth/projects`, signed, at the global IAM).
pub async fn account<N: Fetch>(net: &N) -> Result<Vec<iam::Project>, ApiError> {
    let answer = net.get(Route::IamProjects, "global", None, &[]).await?;
    iam::projects(&answer.body)
}

/// What "All regions" inspects of an account: every enabled project whose
/// region (a subproject is named `{region}_{name}`) offers at least one of
/// the package services, as (region, project); the others are left out
/// without a request and named, with why.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionPlan {
    pub inspect: Vec<(String, iam::Project)>,
    pub skipped: Vec<(String, Skipped)>,
}

/// Why a project of the account is not inspected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Not a region the catalogue knows (IAM's own `MOS` project, say).
    NotARegion,
    /// None of the five services is offered in its region.
    NothingOffered,
    Disabled,
}

pub fn plan_regions(projects: &[iam::Project]) -> RegionPlan {
    let mut plan = RegionPlan::default();
    for p in projects {
        let region = p.name.split('_').next().unwrap_or_default();
        let why = if !p.enabled {
            Some(Skipped::Disabled)
        } else if tenantscope_catalog::region_by_id(region).is_none() {
            Some(Skipped::NotARegion)
        } else if !Service::PACKAGES.iter().any(|s| s.offered_in(region)) {
            Some(Skipped::NothingOffered)
        } else {
            None
        };
        match why {
            Some(why) => plan.skipped.push((p.name.clone(), why)),
            None => plan.inspect.push((region.to_string(), p.clone())),
        }
    }
    plan
}

/// The connections of a plan: one per project, signed with `keys` in that
/// project, sharing the keys' clock.
pub fn region_connections(gateway: &Gateway, keys: &crate::api::AccessKeys, plan: &RegionPlan) -> Vec<Connection> {
    plan.inspect
        .iter()
        .map(|(region, project)| Connection {
            gateway: Gateway { credentials: Credentials::AccessKeys(keys.in_project(&project.id)), ..gateway.clone() },
            region: region.clone(),
            project_id: project.id.clone(),
            codearts_project_id: String::new(),
            codearts_name: None,
            // What IAM's list said of it (the tab names a subproject by it).
            known: Some(iam::TokenInfo { project_id: Some(project.id.clone()), project_name: Some(project.name.clone()), ..Default::default() }),
        })
        .collect()
}

/// How much of a service's packages the figures across services hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Coverage {
    /// Still loading (or the session is being opened).
    Loading,
    /// Every package the service reported.
    Whole,
    /// Some: pages that failed, a cap, a list that changed while read.
    Incomplete,
    /// Less than the tenant holds, by the service's own account, in words
    /// (HSS: the default enterprise project only).
    Narrowed(&'static str),
    /// The last good answers, a refresh having failed with this.
    Stale(ApiError),
    /// None: the service failed with this.
    Failed(ApiError),
    /// None: the service is not offered in this region.
    NotOffered(String),
}

impl Coverage {
    /// The coverage of a load's result (`None` while it loads).
    pub fn of(state: Option<&Result<ServiceState, ApiError>>) -> Coverage {
        match state {
            None | Some(Ok(ServiceState::Waiting)) => Coverage::Loading,
            Some(Err(e)) => Coverage::Failed(e.clone()),
            Some(Ok(ServiceState::NotOffered(region))) => Coverage::NotOffered(region.clone()),
            Some(Ok(ServiceState::Loaded(l))) => match &l.stale {
                Some(e) => Coverage::Stale(e.clone()),
                None if l.is_incomplete() => Coverage::Incomplete,
                None => match l.facts.as_ref().and_then(Facts::narrowed) {
                    Some((why, _)) => Coverage::Narrowed(why),
                    None => Coverage::Whole,
                },
            },
        }
    }
}

/// What a panel shows after a load, given the last good answers `last`:
/// a failed refresh keeps them, marked with the failure; only a first load
/// that fails is an error alone. Returns the state and the new last good.
pub fn keep_last_good(state: Result<ServiceState, ApiError>, last: Option<Loaded>) -> (Result<ServiceState, ApiError>, Option<Loaded>) {
    match (state, last) {
        (Ok(ServiceState::Loaded(loaded)), _) => (Ok(ServiceState::Loaded(loaded.clone())), Some(loaded)),
        (Err(error), Some(last)) => (Ok(ServiceState::Loaded(Loaded { stale: Some(error), ..last.clone() })), Some(last)),
        (other, last) => (other, last),
    }
}

/// Loads one service's packages, every page of them, through `net`
/// ([`crate::services::load`], which dispatches to the service's module).
pub async fn load<N: Fetch>(net: &N, service: Service, ctx: &Session, progress: impl FnMut(Progress)) -> Result<Loaded, ApiError> {
    crate::services::load(net, service, ctx, progress).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiResponse;
    use crate::domain::Instant;

    #[test]
    fn a_remembered_connection_comes_back_as_it_was() {
        let c = Connection {
            gateway: Gateway::new("/api".into(), Credentials::IamToken(Token::parse("MIIa").unwrap())),
            region: "ap-southeast-3".into(),
            project_id: "p1".into(),
            codearts_project_id: String::new(),
            codearts_name: None,
            known: None,
        };
        let entry = c.to_entry().unwrap();
        assert_eq!(entry[0], "MIIa");
        assert_eq!(Connection::from_entry(&entry, "/api"), Some(c.clone()));
        // Storage edited by hand: a token the form would refuse is dropped.
        let edited = ["MII a".to_string(), "cn-north-4".into(), String::new(), String::new()];
        assert_eq!(Connection::from_entry(&edited, "/api"), None);
        // Access keys are never remembered.
        let keys = crate::api::AccessKeys::parse("AK1", "sk", "").unwrap();
        let signed = Connection { gateway: Gateway::new("/api".into(), Credentials::AccessKeys(keys)), ..c.clone() };
        assert_eq!(signed.to_entry(), None);
    }

    #[test]
    fn every_region_project_of_the_account_is_planned() {
        let p = |name: &str, enabled| iam::Project { id: format!("id-{name}"), name: name.into(), enabled };
        let projects = [p("cn-north-4", true), p("cn-north-4_finance", true), p("MOS", true), p("ap-southeast-3", true), p("cn-east-3", false)];
        let plan = plan_regions(&projects);
        let inspected: Vec<(&str, &str)> = plan.inspect.iter().map(|(r, p)| (r.as_str(), p.id.as_str())).collect();
        assert_eq!(inspected, [("cn-north-4", "id-cn-north-4"), ("cn-north-4", "id-cn-north-4_finance"), ("ap-southeast-3", "id-ap-southeast-3")]);
        assert_eq!(plan.skipped, [("MOS".to_string(), Skipped::NotARegion), ("cn-east-3".to_string(), Skipped::Disabled)]);
        // A region where none of the five is offered is left out too.
        if let Some(bare) = tenantscope_catalog::REGIONS.iter().find(|r| !Service::PACKAGES.iter().any(|s| s.offered_in(r.id))) {
            assert_eq!(plan_regions(&[p(bare.id, true)]).skipped, [(bare.id.to_string(), Skipped::NothingOffered)]);
        }
        let keys = crate::api::AccessKeys::parse("AK1", "sk", "").unwrap();
        let gateway = Gateway::new("/api".into(), Credentials::AccessKeys(keys.clone()));
        let connections = region_connections(&gateway, &keys, &plan);
        assert_eq!(connections.len(), 3);
        assert_eq!(connections[1].gateway.credentials, Credentials::AccessKeys(keys.in_project("id-cn-north-4_finance")));
        assert_eq!((connections[1].region.as_str(), connections[1].project_id.as_str()), ("cn-north-4", "id-cn-north-4_finance"));
        // No token to introspect: the session starts from what IAM's list
        // said, and names the subproject.
        let ctx = futures::executor::block_on(resolve_via(&Nothing, connections[1].clone())).unwrap();
        assert_eq!((ctx.region.as_str(), ctx.project.as_deref()), ("cn-north-4", Some("cn-north-4_finance")));
        let ctx = futures::executor::block_on(resolve_via(&Nothing, connections[0].clone())).unwrap();
        assert_eq!(ctx.project, None, "a region's own project is named by the region");
        // A token scoped to the subproject, opened in the region's main
        // project: the tab is not named after the subproject.
        let main = Connection { project_id: "id-cn-north-4".into(), ..connections[1].clone() };
        let ctx = futures::executor::block_on(resolve_via(&Nothing, main)).unwrap();
        assert_eq!(ctx.project, None);
    }

    /// A network that must not be asked.
    struct Nothing;

    impl Fetch for Nothing {
        async fn get(&self, route: Route, _: &str, _: Option<&str>, _: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
            panic!("{route:?} asked")
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            Instant::from_millis(0)
        }
    }
}
