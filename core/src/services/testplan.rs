//! CodeArts TestPlan, `GET /v1/projects/{service_id}/package/status`
//! (ShowEchoTestPackageUsing): its packages, one per item.
//!
//! The body is `{"status","result":[...]}` in current docs and a bare array
//! in older docs and SDKs; times are epoch milliseconds (number or string)
//! or datetime strings (docs/huawei-apis.md §2.1).

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use super::projectman;
use super::read::{root, root_list, Obj};
use super::{epoch_or_datetime, status_word, Facts};
use super::{once, single, Loaded};
use crate::api::{ApiError, Invalid};
use crate::domain::{Expiry, Package};
use crate::load::{Fetch, Session};
use crate::tx;

/// How it names its codes ([`super::Names`]).
pub const NAMES: super::Names =
    super::Names { table: label, prefixes: &["codearts.testplan.china.", "codearts.testplan.intl.", "codearts.testplan."], words_lead: "TestPlan ", lead: "" };

/// Its packages wait for the CodeArts project list, unless the project
/// was given ([`super::Chain`]).
pub const CHAIN: super::Chain = super::Chain::Then;

/// Reads the packages of the session's CodeArts project (`service_id`):
/// the one given, else the first of the region's list, asked here so that
/// the other services need not wait for it.
pub async fn load<N: Fetch>(net: &N, ctx: &Session) -> Result<Loaded, ApiError> {
    let id = codearts_project(net, ctx).await?.ok_or(ApiError::Invalid(Invalid::NeedsCodeartsProject))?;
    let id = id.as_str();
    let answer = once(net, || net.get(Route::TestplanPackages, &ctx.region, Some(id), &[])).await?;
    let packages = packages(&answer.body).map_err(|e| match e {
        ApiError::Failed { service, .. } => ApiError::Failed { service, body: answer.text.clone() },
        other => other,
    })?;
    let mut loaded = single(answer, packages, net.now());
    loaded.facts = Some(Facts::Testplan { codearts_project: id.to_string() });
    Ok(loaded)
}

/// The packages of one answer. `"status": "failed"` (seed 000: `ok` or
/// `failed`) is a failure of the service, however the rest reads; its body
/// is filled in by the caller, which has the text.
pub fn packages(body: &Value) -> Result<Vec<Package>, ApiError> {
    let items = if body.is_array() {
        root_list(Service::Testplan, body)?
    } else {
        let top = root(Service::Testplan, body)?;
        if top.text(&["status"])?.is_some_and(|s| s.eq_ignore_ascii_case("failed")) {
            return Err(ApiError::Failed { service: Service::Testplan, body: String::new() });
        }
        top.list(&["result"])?
    };
    items.iter().enumerate().map(|(i, item)| package(i, item)).collect()
}

fn package(index: usize, item: &Obj) -> Result<Package, ApiError> {
    let name = item.text(&["spec_code"])?.unwrap_or_else(|| "TestPlan package".into());
    // Items without resource_id exist in the documented example: fall back to
    // the spec code and position so that ids stay distinct.
    let id = item.text(&["resource_id"])?.unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Testplan, id, name);
    // normal / freeze / close (doc: 套餐状态).
    p.raw_status = item.text(&["resource_status"])?;
    p.status = status_word(p.raw_status.as_deref());
    p.used = item.num(&["resource_used"])?;
    p.total = item.num(&["original_amount"])?;
    p.starts_at = item.raw(&["start_time"]).and_then(epoch_or_datetime);
    p.expiry = item.raw(&["expiration_time"]).and_then(epoch_or_datetime).map_or(Expiry::Unknown, Expiry::At);
    // 是否跨租户: false this tenant, true another tenant's package (seed 000).
    p.cross_tenant = item.flag(&["package_user"])?;
    p.has_license = item.flag(&["has_license"])?;
    p.owner_tenant = item.text(&["tenant_id"])?;
    Ok(p)
}

/// The readable name (English, for [`t`] where it is shown) of a TestPlan spec code, where it is known (seed 000's
/// example; the `.intl.` spelling of the international site).
pub fn label(code: &str) -> Option<&'static str> {
    Some(match code {
        "codearts.testplan.china.echotest" | "codearts.testplan.intl.echotest" => tx("TestPlan dial-testing package"),
        "codearts.testplan.china.pro" | "codearts.testplan.intl.pro" => tx("TestPlan Professional"),
        "codearts.extension.concurrency.ticc" => tx("TestPlan concurrency extension"),
        _ => return None,
    })
}

/// The session's CodeArts project: the one given, else the first of the
/// region's CodeArts project list (`None` when CodeArts is not offered
/// there, there is none, or listing them is not allowed; TestPlan's panel
/// then says what to enter; an error when the list failed as TestPlan
/// would: the proxy, the token, a throttle). Only TestPlan waits for it.
pub async fn codearts_project<N: Fetch>(net: &N, ctx: &Session) -> Result<Option<String>, ApiError> {
    if let Some(id) = &ctx.codearts_project_id {
        return Ok(Some(id.clone()));
    }
    if !Service::Projectman.offered_in(&ctx.region) {
        return Ok(None);
    }
    match net.get(Route::CodeartsProjects, &ctx.region, None, &[("offset", "0"), ("limit", "100")]).await {
        Ok(a) => Ok(projectman::projects(&a.body).ok().and_then(|p| p.into_iter().next()).map(|p| p.id)),
        // The proxy, the token or the network failed: TestPlan would fail
        // alike, and that is what to say, not that a project is missing.
        Err(e) if e.is_auth() || e.retry_delay().is_some() || matches!(e, ApiError::NotAProxy { .. }) => Err(e),
        // No right to list them: a project named in the form still works.
        Err(_) => Ok(None),
    }
}
