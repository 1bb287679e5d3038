//! CodeArts projects, `GET /v4/projects` on projectman (ListProjectsV4):
//! the 32-character project ids that TestPlan (`service_id`) and Check
//! (`project_id`) need (docs/huawei-apis.md §3).

use serde_json::Value;
use tenantscope_catalog::Service;

use super::read::root;
use crate::api::ApiError;

/// A CodeArts project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeartsProject {
    pub id: String,
    pub name: String,
}

pub fn projects(body: &Value) -> Result<Vec<CodeartsProject>, ApiError> {
    let mut out = Vec::new();
    for p in root(Service::Projectman, body)?.list(&["projects"])? {
        if let Some(id) = p.text(&["project_id"])? {
            out.push(CodeartsProject { id, name: p.text(&["project_name"])?.unwrap_or_default() });
        }
    }
    Ok(out)
}
