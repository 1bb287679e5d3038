//! CodeArts projects, `GET /v4/projects` on projectman (ListProjectsV4):
//! the 32-character project ids that TestPlan (`service_id`) and Check
//! (`project_id`) need (docs/huawei-apis.md §3).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Num, Text};
use crate::api::ApiError;

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    projects: List<Item>,
    #[serde(default)]
    #[allow(dead_code)]
    total: Num,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    project_id: Text,
    #[serde(default)]
    project_name: Text,
}

/// A CodeArts project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeartsProject {
    pub id: String,
    pub name: String,
}

pub fn projects(body: &Value) -> Result<Vec<CodeartsProject>, ApiError> {
    let answer: Answer = decode(Service::Projectman, body)?;
    Ok(answer
        .projects
        .0
        .into_iter()
        .filter_map(|p| Some(CodeartsProject { id: p.project_id.owned()?, name: p.project_name.owned().unwrap_or_default() }))
        .collect())
}
