//! Host Security Service, `GET /v5/{project_id}/billing/quotas-detail`
//! (ListQuotasDetail): its packages (one per quota) and the quota statistics
//! the answer carries. Pages of 10–200 (`limit`); `total_num` is the total.
//! `expire_time` is epoch seconds or milliseconds, or -1 when HSS gives no
//! date ("-1表示没有到期时间"): it knows the date of a trial quota only
//! (Terraform's `huaweicloud_hss_quotas`: "valid when the quota is a trial
//! quota"), and seed 004's own example is a yearly/monthly quota with -1,
//! whose date billing keeps. So -1 is "never" for a pay-per-use quota
//! alone ([`expiry`]). Statuses come in lower case or as `QUOTA_STATUS_*` /
//! `USED_STATUS_*` (docs/huawei-apis.md §2.5, §7).

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use super::read::{root, Obj};
use super::status_word;
use super::Facts;
use super::{read_pages, Loaded, PageAnswer};
use crate::api::ApiError;
use crate::domain::paging::{PagePlan, Progress};
use crate::domain::{Expiry, Instant, Package, Status};
use crate::load::{Fetch, Session};
use crate::tx;

/// How it names its codes ([`super::Names`]).
pub const NAMES: super::Names = super::Names { table: edition_label, prefixes: &["hss.version."], words_lead: "", lead: "HSS " };

/// The counts the answer gives for the whole tenant, for the charts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuotaStats {
    pub total: Option<u64>,
    pub normal: Option<u64>,
    pub expired: Option<u64>,
    pub frozen: Option<u64>,
    pub used: Option<u64>,
    pub idle: Option<u64>,
    pub packet_cycle: Option<u64>,
    pub on_demand: Option<u64>,
    /// Quotas per edition (`version`), as listed.
    pub by_version: Vec<(String, u64)>,
}

fn count(o: &Obj, key: &'static str) -> Result<Option<u64>, ApiError> {
    Ok(o.int(&[key])?.and_then(|n| u64::try_from(n).ok()))
}

/// Pages of 10–200 (`limit`, docs/upstream/hss-*.txt), at most 100 of them.
pub const PAGES: PagePlan = PagePlan { limit: 200, max_pages: 100 };

/// Its next pages wait for its first ([`super::Chain`]).
pub const CHAIN: super::Chain = super::Chain::Paged;

/// Reads every page of the project's quotas in every enterprise project
/// (seed 004: the default is project 0 alone); an account that refuses that
/// is read for the default one, and the reading says so ([`Reach`]).
pub async fn load<N: Fetch>(net: &N, ctx: &Session, mut progress: impl FnMut(Progress)) -> Result<Loaded, ApiError> {
    let page = |all: bool| {
        move |offset: u64| async move {
            let (limit, offset) = (PAGES.limit.to_string(), offset.to_string());
            let mut query = vec![("limit", limit.as_str()), ("offset", offset.as_str())];
            if all {
                query.push(("enterprise_project_id", ALL_ENTERPRISE_PROJECTS));
            }
            let answer = net.get(Route::HssQuotas, &ctx.region, Some(&ctx.project_id), &query).await?;
            // Its quotas are read once the next pages are asked.
            let (items, stats) = counts(&answer.body)?;
            let total = stats.total;
            let facts = Some(Facts::Hss(Reading { stats: Some(stats), scope: Reach::AllProjects }));
            Ok(PageAnswer { packages: Vec::new(), items, unread: Some(quotas), total, facts, answer })
        }
    };
    let (loaded, scope) = match read_pages(net, PAGES, page(true), &mut progress).await {
        Ok(loaded) => (loaded, Reach::AllProjects),
        Err(refused) if Reach::falls_back(&refused) => (read_pages(net, PAGES, page(false), &mut progress).await?, Reach::DefaultOnly(refused)),
        Err(other) => return Err(other),
    };
    let stats = match loaded.facts {
        Some(Facts::Hss(Reading { stats, .. })) => stats,
        _ => None,
    };
    Ok(Loaded { facts: Some(Facts::Hss(Reading { stats, scope })), ..loaded })
}

/// The `enterprise_project_id` that asks for every enterprise project the
/// caller may see (seed 004; without it the default project `0` only).
pub const ALL_ENTERPRISE_PROJECTS: &str = "all_granted_eps";

/// What a reading of HSS tells beyond its quotas.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The tenant-wide counts of the first page.
    pub stats: Option<QuotaStats>,
    pub scope: Reach,
}

impl Reading {
    /// Why the reading covers less than the tenant holds, if it does: in
    /// words, and the refusal that narrowed it.
    pub fn narrowed(&self) -> Option<(&'static str, &crate::api::ApiError)> {
        match &self.scope {
            Reach::DefaultOnly(refused) => Some((tx("default enterprise project only"), refused)),
            Reach::AllProjects => None,
        }
    }
}

/// Which enterprise projects a reading covers.
#[derive(Clone, Debug, PartialEq)]
pub enum Reach {
    /// Every enterprise project the token may see.
    AllProjects,
    /// The default enterprise project only: asking for all of them was
    /// refused with this error.
    DefaultOnly(crate::api::ApiError),
}

impl Reach {
    /// Whether a refusal of [`ALL_ENTERPRISE_PROJECTS`] should fall back to
    /// the default project: a refusal of the parameter or of the permission
    /// for it (an account without enterprise projects), not of the token,
    /// a throttle or an outage.
    pub fn falls_back(error: &crate::api::ApiError) -> bool {
        matches!(error, crate::api::ApiError::Http { status: 400 | 403 | 404, .. }) && !error.is_auth()
    }
}

/// One page: its packages and the statistics (the same on every page).
pub fn page(body: &Value) -> Result<(Vec<Package>, QuotaStats), ApiError> {
    let (_, stats) = counts(body)?;
    Ok((quotas(body)?, stats))
}

/// How many quotas a page holds, and the tenant-wide counts it gives.
fn counts(body: &Value) -> Result<(usize, QuotaStats), ApiError> {
    let top = root(Service::Hss, body)?;
    let mut by_version = Vec::new();
    for v in top.list(&["quota_statistics_list"])? {
        if let (Some(version), Some(n)) = (v.text(&["version"])?, count(&v, "total_num")?) {
            by_version.push((version, n));
        }
    }
    let stats = QuotaStats {
        total: count(&top, "total_num")?,
        normal: count(&top, "normal_num")?,
        expired: count(&top, "expired_num")?,
        frozen: count(&top, "freeze_num")?,
        used: count(&top, "used_num")?,
        idle: count(&top, "idle_num")?,
        packet_cycle: count(&top, "packet_cycle_num")?,
        on_demand: count(&top, "on_demand_num")?,
        by_version,
    };
    Ok((top.count(&["data_list"])?, stats))
}

/// A page's quotas.
fn quotas(body: &Value) -> Result<Vec<Package>, ApiError> {
    root(Service::Hss, body)?.list(&["data_list"])?.iter().enumerate().map(|(i, q)| package(i, q)).collect()
}

fn package(index: usize, q: &Obj) -> Result<Package, ApiError> {
    let name = q.text(&["version"])?.unwrap_or_else(|| "hss.version.unknown".into());
    let id = q.text(&["resource_id"])?.unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Hss, id, name);
    p.raw_status = q.text(&["quota_status"])?;
    p.status = status_word(p.raw_status.as_deref());
    p.in_use = q.text(&["used_status"])?.and_then(|s| {
        let s = s.to_ascii_lowercase();
        match s.strip_prefix("used_status_").unwrap_or(&s) {
            "used" => Some(true),
            "idle" => Some(false),
            _ => None,
        }
    });
    p.host = q.text(&["host_name"])?;
    p.host_id = q.text(&["host_id"])?;
    p.shared = q.text(&["shared_quota"])?;
    // The name where it is given; the id ("0" is the default project).
    p.enterprise_project = q.text(&["enterprise_project_name"])?.or(q.text(&["enterprise_project_id"])?);
    for tag in q.list(&["tags"])? {
        if let Some(key) = tag.text(&["key"])? {
            p.tags.push((key, tag.text(&["value"])?.unwrap_or_default()));
        }
    }
    p.billing_mode = q.text(&["charging_mode"])?;
    p.starts_at = q.int(&["create_time"])?.and_then(Instant::from_epoch);
    p.expiry = expiry(q.int(&["expire_time"])?, p.billing_mode.as_deref(), p.status);
    Ok(p)
}

/// A quota's expiry from its `expire_time`, billing mode and status. -1
/// (no date given) never ends only for a pay-per-use quota still in
/// service; a yearly/monthly quota (`packet_cycle`), one of a mode not
/// said or not known, and one HSS calls expired have no date here
/// ([`Expiry::Unknown`]: billing's may be laid over it later).
pub fn expiry(expire_time: Option<i64>, charging_mode: Option<&str>, status: Status) -> Expiry {
    match expire_time {
        Some(-1) if pay_per_use(charging_mode) && status != Status::Expired => Expiry::Never,
        Some(-1) | None => Expiry::Unknown,
        Some(at) => Instant::from_epoch(at).map_or(Expiry::Unknown, Expiry::At),
    }
}

/// `on_demand` in any case (seed 004, the SDK's enum), or Terraform's
/// `postPaid` for it.
fn pay_per_use(charging_mode: Option<&str>) -> bool {
    charging_mode.is_some_and(|m| m.eq_ignore_ascii_case("on_demand") || m.eq_ignore_ascii_case("postpaid"))
}

/// The readable name of an HSS edition (`version`), where it is known;
/// in Chinese as HSS's own ListQuotasDetail reference names them (基础版,
/// 专业版, 企业版, 旗舰版, 网页防篡改版, 容器版).
pub fn edition_label(version: &str) -> Option<&'static str> {
    Some(match version {
        "hss.version.basic" => tx("Basic"),
        "hss.version.advanced" => tx("Professional"),
        "hss.version.enterprise" => tx("Enterprise"),
        "hss.version.premium" => tx("Premium"),
        "hss.version.wtp" => tx("Web Tamper Protection"),
        "hss.version.container.enterprise" => tx("Container Edition"),
        _ => return None,
    })
}
