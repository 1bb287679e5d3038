//! Host Security Service, `GET /v5/{project_id}/billing/quotas-detail`
//! (ListQuotasDetail): its wire model, its packages (one per quota) and the
//! quota statistics the answer carries. Pages of 10–200 (`limit`);
//! `total_num` is the total. `expire_time` is epoch milliseconds, -1 for
//! never; statuses come in lower case or as `QUOTA_STATUS_*` /
//! `USED_STATUS_*` (docs/huawei-apis.md §2.5).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, List, Num, Text};
use super::status_word;
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Package};

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    total_num: Num,
    #[serde(default)]
    normal_num: Num,
    #[serde(default)]
    expired_num: Num,
    #[serde(default)]
    freeze_num: Num,
    #[serde(default)]
    used_num: Num,
    #[serde(default)]
    idle_num: Num,
    #[serde(default)]
    packet_cycle_num: Num,
    #[serde(default)]
    on_demand_num: Num,
    #[serde(default)]
    quota_statistics_list: List<VersionCount>,
    #[serde(default)]
    data_list: List<Quota>,
}

#[derive(Debug, Deserialize)]
struct VersionCount {
    #[serde(default)]
    version: Text,
    #[serde(default)]
    total_num: Num,
}

#[derive(Debug, Deserialize)]
struct Quota {
    #[serde(default)]
    resource_id: Text,
    #[serde(default)]
    version: Text,
    #[serde(default)]
    quota_status: Text,
    #[serde(default)]
    used_status: Text,
    #[serde(default)]
    host_name: Text,
    #[serde(default)]
    charging_mode: Text,
    #[serde(default)]
    expire_time: Num,
    #[serde(default)]
    create_time: Num,
}

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

fn count(n: Num) -> Option<u64> {
    n.int().and_then(|n| u64::try_from(n).ok())
}

/// One page: its packages and the statistics (the same on every page).
pub fn page(body: &Value) -> Result<(Vec<Package>, QuotaStats), ApiError> {
    let a: Answer = decode(Service::Hss, body)?;
    let stats = QuotaStats {
        total: count(a.total_num),
        normal: count(a.normal_num),
        expired: count(a.expired_num),
        frozen: count(a.freeze_num),
        used: count(a.used_num),
        idle: count(a.idle_num),
        packet_cycle: count(a.packet_cycle_num),
        on_demand: count(a.on_demand_num),
        by_version: a
            .quota_statistics_list
            .0
            .into_iter()
            .filter_map(|v| Some((v.version.owned()?, count(v.total_num)?)))
            .collect(),
    };
    let packages = a.data_list.0.into_iter().enumerate().map(|(i, q)| package(i, q)).collect();
    Ok((packages, stats))
}

fn package(index: usize, q: Quota) -> Package {
    let name = q.version.owned().unwrap_or_else(|| "hss.version.unknown".into());
    let id = q.resource_id.owned().unwrap_or_else(|| format!("{name}#{index}"));
    let mut p = Package::new(Service::Hss, id, name);
    p.raw_status = q.quota_status.owned();
    p.status = status_word(p.raw_status.as_deref());
    p.in_use = q.used_status.get().and_then(|s| {
        match s.to_ascii_lowercase().strip_prefix("used_status_").unwrap_or(&s.to_ascii_lowercase()) {
            "used" => Some(true),
            "idle" => Some(false),
            _ => None,
        }
    });
    p.host = q.host_name.owned();
    p.billing_mode = q.charging_mode.owned();
    p.starts_at = q.create_time.int().and_then(Instant::from_epoch);
    p.expiry = match q.expire_time.int() {
        Some(-1) => Expiry::Never,
        Some(ms) => Instant::from_epoch(ms).map_or(Expiry::Unknown, Expiry::At),
        None => Expiry::Unknown,
    };
    p
}

/// The readable name of an HSS edition (`version`), where it is known.
pub fn edition_label(version: &str) -> Option<&'static str> {
    Some(match version {
        "hss.version.basic" => "Basic",
        "hss.version.advanced" => "Professional",
        "hss.version.enterprise" => "Enterprise",
        "hss.version.premium" => "Premium",
        "hss.version.wtp" => "Web Tamper Protection",
        "hss.version.container.enterprise" => "Container Edition",
        _ => return None,
    })
}
