//! IAM: token introspection (`GET /v3/auth/tokens`, iam_30_0004) and the
//! project list (`GET /v3/auth/projects`, iam_06_0003). Catalog, domain and
//! project are optional: a domain-scoped token has no project
//! (docs/huawei-apis.md §3).

use serde_json::Value;
use tenantscope_catalog::Service;

use super::read::{root, Obj};
use crate::api::ApiError;
use crate::domain::Instant;

/// What IAM says about a token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenInfo {
    pub expires_at: Option<Instant>,
    pub issued_at: Option<Instant>,
    pub user: Option<String>,
    /// The account (IAM domain) name.
    pub domain: Option<String>,
    /// The project of a project-scoped token.
    pub project_id: Option<String>,
    /// A system project is named by its region id, e.g. `cn-north-4`.
    pub project_name: Option<String>,
}

fn domain_name(o: &Option<Obj>) -> Result<Option<String>, ApiError> {
    match o {
        Some(o) => match o.obj(&["domain"])? {
            Some(d) => d.text(&["name"]),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

pub fn token_info(body: &Value) -> Result<TokenInfo, ApiError> {
    let top = root(Service::Iam, body)?;
    let Some(token) = top.obj(&["token"])? else {
        return Err(ApiError::Decode { service: Service::Iam, detail: "field `token` is missing".into() });
    };
    let user = token.obj(&["user"])?;
    let project = token.obj(&["project"])?;
    let domain = match token.obj(&["domain"])? {
        Some(d) => d.text(&["name"])?,
        None => None,
    };
    Ok(TokenInfo {
        expires_at: token.text(&["expires_at"])?.as_deref().and_then(Instant::parse),
        issued_at: token.text(&["issued_at"])?.as_deref().and_then(Instant::parse),
        user: match &user {
            Some(u) => u.text(&["name"])?,
            None => None,
        },
        domain: domain_name(&user)?.or(domain).or(domain_name(&project)?),
        project_id: match &project {
            Some(p) => p.text(&["id"])?,
            None => None,
        },
        project_name: match &project {
            Some(p) => p.text(&["name"])?,
            None => None,
        },
    })
}

/// An IAM project the token may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub enabled: bool,
}

pub fn projects(body: &Value) -> Result<Vec<Project>, ApiError> {
    let mut out = Vec::new();
    for p in root(Service::Iam, body)?.list(&["projects"])? {
        if let Some(id) = p.text(&["id"])? {
            out.push(Project { id, name: p.text(&["name"])?.unwrap_or_default(), enabled: p.flag(&["enabled"])?.unwrap_or(true) });
        }
    }
    Ok(out)
}
