//! A connection to one tenant: what the person entered, completed by asking
//! IAM and CodeArts what the token can see, and the loading of each service's
//! packages through the gateway.

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use crate::api::{ApiError, ApiResponse, Gateway};
use crate::preview::{preview, Preview};

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
        let token = answer.body.get("token").unwrap_or(&Value::Null);
        let field = |path: &[&str]| {
            path.iter().try_fold(token, |v, k| v.get(*k)).and_then(Value::as_str).map(str::to_string)
        };
        // A project-scoped token names its region as the project name (§3).
        match (field(&["project", "id"]), field(&["project", "name"])) {
            (Some(id), Some(name)) => {
                project_id = id;
                if tenantscope_catalog::region_by_id(&name).is_some() {
                    region = name;
                }
            }
            _ => {
                return Err(ApiError::Invalid {
                    what: "This token is not scoped to a project: enter a Project ID, or use a project-scoped token.".into(),
                })
            }
        }
        user = field(&["user", "name"]);
        domain = field(&["user", "domain", "name"]).or_else(|| field(&["project", "domain", "name"]));
    }
    let codearts_project_id = match codearts_project_id.trim() {
        "" if Service::Projectman.offered_in(&region) => gateway
            .get(Route::CodeartsProjects, &region, None, &[("offset", "0"), ("limit", "100")])
            .await
            .ok()
            .and_then(|a| first_codearts_project(&a.body)),
        "" => None,
        id => Some(id.to_string()),
    };
    Ok(Context { gateway, region, project_id: project_id.trim().to_string(), codearts_project_id, user, domain })
}

fn first_codearts_project(body: &Value) -> Option<String> {
    body.get("projects")?.as_array()?.iter().find_map(|p| p.get("project_id")?.as_str().map(str::to_string))
}

/// One service's answer, read as rows, with the raw answer for the drawer.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub preview: Preview,
    pub response: ApiResponse,
}

/// Loads the first page of one service's packages.
pub async fn load(service: Service, ctx: &Context) -> Result<Loaded, ApiError> {
    let project = Some(ctx.project_id.as_str());
    let codearts = ctx.codearts_project_id.as_deref();
    let response = match service {
        Service::Testplan => {
            let id = codearts.ok_or_else(|| ApiError::Invalid {
                what: "CodeArts TestPlan needs a CodeArts project: enter its ID in the form.".into(),
            })?;
            ctx.gateway.get(Route::TestplanPackages, &ctx.region, Some(id), &[]).await?
        }
        Service::Codecheck => {
            let query: Vec<(&str, &str)> = codearts.map(|id| ("project_id", id)).into_iter().collect();
            ctx.gateway.get(Route::CodecheckPackages, &ctx.region, None, &query).await?
        }
        // `resource_source` is required by the API (400 without it); these are all its values.
        Service::Metastudio => {
            let query = [("resource_source", "PURCHASED,SP_ALLOCATED,ADMIN_ALLOCATED"), ("limit", "100"), ("offset", "0")];
            ctx.gateway.get(Route::MetastudioResources, &ctx.region, project, &query).await?
        }
        Service::Dsc => ctx.gateway.get(Route::DscSpecification, &ctx.region, project, &[]).await?,
        Service::Hss => {
            let query = [("limit", "200"), ("offset", "0")];
            ctx.gateway.get(Route::HssQuotas, &ctx.region, project, &query).await?
        }
        Service::Iam | Service::Projectman => {
            return Err(ApiError::Invalid { what: format!("{} holds no packages", service.title()) })
        }
    };
    Ok(Loaded { preview: preview(service, &response.body), response })
}
