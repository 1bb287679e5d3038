//! CodeArts projects (docs/huawei-apis.md §3, ProjectMan ListProjectsV4):
//! the three projects the TestPlan and Check answers are asked about.

use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{DEMO_CODEARTS_PROJECT_ID, DEMO_DOMAIN_ID, DEMO_DOMAIN_NAME, DEMO_USER_ID, DEMO_USER_NAME};
use super::query::{bounded, page, Int};

/// The query parameters of `GET /v4/projects` the demo reads (see
/// [`codearts_projects`]).
#[derive(Deserialize, Default)]
pub(super) struct ProjectsQuery {
    offset: Option<Int>,
    limit: Option<Int>,
}

/// A CodeArts project as ListProjectsV4 lists it (§3).
pub(super) struct CodeartsProject {
    pub(super) id: &'static str,
    num_id: i64,
    name: &'static str,
    description: &'static str,
    /// `scrum` or `xboard`.
    kind: &'static str,
    /// Epoch ms.
    created: i64,
}

pub(super) const CODEARTS_PROJECTS: [CodeartsProject; 3] = [
    CodeartsProject {
        id: DEMO_CODEARTS_PROJECT_ID,
        num_id: 3_841_207,
        name: "storefront",
        description: "Web shop and its delivery pipeline",
        kind: "scrum",
        created: 1_689_310_225_000,
    },
    CodeartsProject {
        id: "9a4e2c7f0d1b48e6a5c3f7b2d0e8a146",
        num_id: 3_902_518,
        name: "mobile-app",
        description: "iOS and Android clients",
        kind: "scrum",
        created: 1_701_254_870_000,
    },
    CodeartsProject {
        id: "c0f7b3e9a25d4c18b6e4a0d9f3c7e251",
        num_id: 4_017_736,
        name: "ops-board",
        description: "Operations kanban",
        kind: "xboard",
        created: 1_718_003_412_000,
    },
];

/// `GET /v4/projects`: three projects, paged by `offset` and `limit`
/// (1–1000); unreadable values fall back to the first page of 10.
pub(super) fn codearts_projects(query: &ProjectsQuery) -> Value {
    let projects: Vec<Value> = CODEARTS_PROJECTS
        .iter()
        .map(|p| {
            json!({
                "project_num_id": p.num_id,
                "project_id": p.id,
                "project_name": p.name,
                "description": p.description,
                "created_time": p.created,
                "updated_time": p.created + 41 * 86_400_000,
                "project_type": p.kind,
                "creator": {
                    "user_num_id": 2_487_113,
                    "user_id": DEMO_USER_ID,
                    "user_name": DEMO_USER_NAME,
                    "domain_id": DEMO_DOMAIN_ID,
                    "domain_name": DEMO_DOMAIN_NAME,
                    "nick_name": "Demo Operator",
                },
            })
        })
        .collect();
    let offset = bounded(query.offset, 0..=i64::MAX, 0).unwrap_or(0);
    let limit = bounded(query.limit, 1..=1000, 10).unwrap_or(10);
    json!({ "projects": page(&projects, offset, limit), "total": projects.len() })
}

#[cfg(test)]
mod tests {
    use tenantscope_catalog::Route;

    use super::super::support::call_ok;
    use super::*;

    #[test]
    fn codearts_projects_page_and_start_with_the_demo_project() {
        let body = call_ok(Route::CodeartsProjects, "offset=0&limit=100");
        assert_eq!(body["total"], 3);
        let projects = body["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 3);
        assert_eq!(projects[0]["project_id"], DEMO_CODEARTS_PROJECT_ID);
        for p in projects {
            assert!(p["created_time"].is_i64() && p["updated_time"].is_i64());
            assert!(matches!(p["project_type"].as_str(), Some("scrum" | "xboard")));
            assert_eq!(p["creator"]["domain_name"], DEMO_DOMAIN_NAME);
        }
        let second = call_ok(Route::CodeartsProjects, "offset=1&limit=1");
        assert_eq!(second["projects"].as_array().unwrap().len(), 1);
        assert_eq!(second["projects"][0]["project_id"], projects[1]["project_id"]);
        assert_eq!(second["total"], 3);
        assert_eq!(call_ok(Route::CodeartsProjects, "offset=7&limit=5")["projects"], json!([]));
    }
}
