//! IAM: token introspection (`GET /v3/auth/tokens`, iam_30_0004) and the
//! project list (`GET /v3/auth/projects`, iam_06_0003). Catalog, domain and
//! project are optional: a domain-scoped token has no project
//! (docs/huawei-apis.md §3).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Text};
use crate::api::ApiError;
use crate::domain::Instant;

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    token: TokenBody,
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    #[serde(default)]
    expires_at: Text,
    #[serde(default)]
    issued_at: Text,
    #[serde(default)]
    user: Option<Named>,
    #[serde(default)]
    project: Option<Named>,
    #[serde(default)]
    domain: Option<Named>,
}

#[derive(Debug, Deserialize)]
struct Named {
    #[serde(default)]
    id: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    domain: Option<Box<Named>>,
}

/// What IAM says about a token.
#[derive(Clone, Debug, PartialEq)]
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

pub fn token_info(body: &Value) -> Result<TokenInfo, ApiError> {
    let t = decode::<TokenAnswer>(Service::Iam, body)?.token;
    let name = |n: &Option<Named>| n.as_ref().and_then(|n| n.name.owned());
    let domain = t
        .user
        .as_ref()
        .and_then(|u| u.domain.as_deref())
        .and_then(|d| d.name.owned())
        .or_else(|| name(&t.domain))
        .or_else(|| t.project.as_ref().and_then(|p| p.domain.as_deref()).and_then(|d| d.name.owned()));
    Ok(TokenInfo {
        expires_at: t.expires_at.get().and_then(Instant::parse),
        issued_at: t.issued_at.get().and_then(Instant::parse),
        user: name(&t.user),
        domain,
        project_id: t.project.as_ref().and_then(|p| p.id.owned()),
        project_name: name(&t.project),
    })
}

#[derive(Debug, Deserialize)]
struct ProjectsAnswer {
    #[serde(default)]
    projects: List<ProjectItem>,
}

#[derive(Debug, Deserialize)]
struct ProjectItem {
    #[serde(default)]
    id: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    enabled: Option<bool>,
}

/// An IAM project the token may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub enabled: bool,
}

pub fn projects(body: &Value) -> Result<Vec<Project>, ApiError> {
    let answer: ProjectsAnswer = decode(Service::Iam, body)?;
    Ok(answer
        .projects
        .0
        .into_iter()
        .filter_map(|p| {
            Some(Project { id: p.id.owned()?, name: p.name.owned().unwrap_or_default(), enabled: p.enabled.unwrap_or(true) })
        })
        .collect())
}
