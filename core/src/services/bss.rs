//! Billing Center (BSS), `POST /v2/orders/suscriptions/resources/query`
//! (ListPayPerUseCustomerResources, sic): the expiry date, renewal policy
//! and status of every yearly/monthly resource the five services listed
//! (docs/huawei-apis.md §7). Asked once the services have answered, for
//! their resource ids, 50 a call (Go SDK `QueryResourcesReq`); what it says
//! is laid over each package ([`apply`]), never in place of what the
//! service said when billing knows nothing of a package.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use super::epoch_or_datetime;
use super::once;
use super::read::{root, Obj};
use crate::api::ApiError;
use crate::domain::time::MS_PER_DAY;
use crate::domain::{Billed, BillingStatus, Expiry, Instant, Package, Renewal};
use crate::load::Fetch;

impl BillingState {
    /// What a failed reading leaves: the last reading, out of date, where
    /// there was one; else the failure alone.
    pub fn after_failure(last: &BillingState, error: ApiError) -> BillingState {
        match last {
            BillingState::Read(billing) | BillingState::Stale(billing, _) => BillingState::Stale(billing.clone(), error),
            _ => BillingState::Failed(error),
        }
    }

    /// The reading laid over the packages, current or not.
    pub fn billing(&self) -> Option<&Arc<Billing>> {
        match self {
            BillingState::Read(billing) | BillingState::Stale(billing, _) => Some(billing),
            _ => None,
        }
    }
}

/// Resource ids per call: the request model's bound (Go SDK
/// `model_query_resources_req.go`: "最多支持50个").
pub const IDS_PER_CALL: usize = 50;

/// What billing says of one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub expires_at: Option<Instant>,
    pub renewal: Option<Renewal>,
    pub status: Option<BillingStatus>,
}

/// A record, by the resource id it is of.
pub type Found = (String, Record);

/// What billing said of a tab's resources: its records by resource id, and
/// the site (pseudo-region) that answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Billing {
    pub site: &'static str,
    pub records: HashMap<String, Record>,
    /// The ids it was asked about: one of them without a record is one
    /// billing does not know; any other was not asked (a package a later
    /// refresh brought, before billing is asked again).
    pub asked: std::collections::HashSet<String>,
}

impl Billing {
    /// `packages` with what billing says laid over each it knows; one it
    /// was asked about and has no record of is marked so (an empty
    /// [`Billed`]), its figures the service's.
    pub fn apply(&self, packages: &[Package]) -> Arc<[Package]> {
        packages
            .iter()
            .map(|p| match resource_of(p) {
                Some(id) => match self.records.get(id) {
                    Some(r) => apply(p, r),
                    None if self.asked.contains(id) => Package { billed: Some(Billed::default()), ..p.clone() },
                    None => p.clone(),
                },
                None => p.clone(),
            })
            .collect()
    }
}

/// The resource id billing knows a package by: the id the service gave
/// (none for a stand-in a reader made up), without the `#part` a reader
/// adds to keep the products of one order apart (DSC: one order, one
/// billing record, several products).
pub fn resource_of(p: &Package) -> Option<&str> {
    let id = crate::domain::across::resource_id(p)?;
    Some(id.split_once('#').map_or(id, |(resource, _)| resource))
}

/// The resource ids to ask billing about once every service has answered
/// (`None` while one has not): each package's [`resource_of`].
pub fn ids_of(states: &[Option<Result<super::ServiceState, ApiError>>]) -> Option<Vec<String>> {
    use super::ServiceState;
    let mut ids = Vec::new();
    for state in states {
        match state.as_ref()? {
            Ok(ServiceState::Waiting) => return None,
            Ok(ServiceState::Loaded(loaded)) => ids.extend(loaded.packages.iter().filter_map(|p| resource_of(p).map(str::to_string))),
            _ => {}
        }
    }
    Some(ids)
}

/// How a tab's billing reading stands.
#[derive(Clone, Debug, PartialEq)]
pub enum BillingState {
    /// Waiting for the services, or for billing's answers.
    Waiting,
    Read(Arc<Billing>),
    /// A refresh of billing failed: the last reading stays laid over the
    /// packages, said to be out of date, with why.
    Stale(Arc<Billing>, ApiError),
    /// Billing could not be read: every package keeps the service's
    /// figures, and one note says what is missing and why.
    Failed(ApiError),
}

/// The request body of one call: `ids`, main and attached resources, the
/// records from `offset` on, as many as ids were asked.
pub fn request_body(ids: &[&str], offset: usize) -> String {
    let ids: Vec<Value> = ids.iter().map(|id| Value::String((*id).to_string())).collect();
    serde_json::json!({ "resource_ids": ids, "only_main_resource": 0, "offset": offset, "limit": ids.len().max(1) }).to_string()
}

/// Pages one batch of ids may take at the most: attached resources can
/// make more records than ids, but not without end.
const PAGES_PER_BATCH: usize = 10;

/// The records of one answer (`data[]` of `OrderInstanceV2`), by resource
/// id, and `total_count`. Codes come as numbers or numeric strings; dates as
/// UTC `yyyy-MM-ddTHH:mm:ssZ` or epoch values.
pub fn records(body: &Value) -> Result<(Vec<Found>, Option<u64>), ApiError> {
    let top = root(Service::Bss, body)?;
    let total = top.int(&["total_count"])?.and_then(|n| u64::try_from(n).ok());
    let mut out = Vec::new();
    for item in top.list(&["data"])? {
        let Some(id) = item.text(&["resource_id"])? else { continue };
        out.push((id, record(&item)?));
    }
    Ok((out, total))
}

fn record(item: &Obj) -> Result<Record, ApiError> {
    Ok(Record {
        expires_at: item.raw(&["expire_time"]).and_then(epoch_or_datetime),
        renewal: item.int(&["expire_policy"])?.and_then(Renewal::from_code),
        status: item.int(&["status"])?.map(BillingStatus::from_code),
    })
}

/// `p` with billing's word laid over it: billing's date is the expiry when
/// it gives one (the service's kept beside it when more than a day apart),
/// the renewal policy, and billing's status where the service gives none.
pub fn apply(p: &Package, r: &Record) -> Package {
    let mut p = p.clone();
    let service_date = p.expiry.instant();
    // Past its expiry by the service's word (CodeArts Check's grace or
    // retention period, seed 001), billing's date is what comes next (its
    // deletion), not the expiry: the package stays expired.
    let past_expiry = p.lifecycle.as_ref().is_some_and(crate::domain::Lifecycle::past_expiry);
    if let Some(at) = r.expires_at.filter(|_| !past_expiry) {
        p.expiry = Expiry::At(at);
    }
    let differs = match (service_date, r.expires_at) {
        (Some(own), Some(billed)) => (own.millis() - billed.millis()).abs() > MS_PER_DAY,
        _ => false,
    };
    if p.status == crate::domain::Status::Unknown {
        if let Some(status) = r.status {
            p.status = status.status();
        }
    }
    p.billed = Some(Billed { expires_at: r.expires_at, renewal: r.renewal, status: r.status, service_date: service_date.filter(|_| differs) });
    p
}

/// Whether a refusal may mean the account lives on another site (an
/// unknown account or a site that does not know the route), so that the
/// next site is asked; a throttle, an outage or an unreadable answer is not.
fn other_site(error: &ApiError) -> bool {
    matches!(error, ApiError::Http { status: 401 | 403 | 404, .. })
}

/// Whether the refusal names a permission: the most useful error to show.
fn names_permission(error: &ApiError) -> bool {
    match error {
        ApiError::Http { status: 403, error_msg, .. } => error_msg.as_deref().is_some_and(|m| m.contains(':') || m.to_ascii_lowercase().contains("permission")),
        _ => false,
    }
}

/// Reads what billing says of `ids` (each once), asking `sites` in order
/// until one answers the first call; the others' calls go to that site. A
/// call that fails fails the reading: half a billing is shown as none, with
/// why, rather than as dates for some.
pub async fn load<N: Fetch>(net: &N, sites: &[&'static str], ids: &[String]) -> Result<Billing, ApiError> {
    let mut unique: Vec<&str> = ids.iter().map(String::as_str).filter(|id| !id.is_empty()).collect();
    unique.sort_unstable();
    unique.dedup();
    let mut billing = Billing {
        site: sites.first().copied().unwrap_or(tenantscope_catalog::BILLING_CN),
        records: HashMap::new(),
        asked: unique.iter().map(|id| id.to_string()).collect(),
    };
    if unique.is_empty() {
        return Ok(billing);
    }
    let mut batches = unique.chunks(IDS_PER_CALL);
    let first = batches.next().unwrap_or_default();
    let mut refused: Option<ApiError> = None;
    let mut answered = None;
    for &site in sites {
        match ask(net, site, first).await {
            Ok(found) => {
                answered = Some((site, found));
                break;
            }
            Err(e) if other_site(&e) => {
                // Keep the refusal that says the most (one naming a permission).
                if refused.as_ref().is_none_or(|r| !names_permission(r) && names_permission(&e)) {
                    refused = Some(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    let Some((site, found)) = answered else {
        return Err(refused.unwrap_or(ApiError::Invalid(crate::api::Invalid::NoRegion)));
    };
    billing.site = site;
    billing.records.extend(found);
    for batch in batches {
        billing.records.extend(ask(net, site, batch).await?);
    }
    Ok(billing)
}

/// The records of `ids` at `site`: one call, and more while the answer's
/// `total_count` says records are left (attached resources count too);
/// each call retried once when the failure may pass.
async fn ask<N: Fetch>(net: &N, site: &str, ids: &[&str]) -> Result<Vec<Found>, ApiError> {
    let (mut found, mut offset) = (Vec::new(), 0);
    for _ in 0..PAGES_PER_BATCH {
        let body = request_body(ids, offset);
        let answer = once(net, || net.post(Route::BssResources, site, body.clone())).await?;
        let (page, total) = records(&answer.body)?;
        // By what the answer listed (a record without an id is skipped,
        // but it took its place in the paging).
        let listed = root(Service::Bss, &answer.body)?.list(&["data"])?.len();
        offset += listed;
        found.extend(page);
        if listed == 0 || total.is_none_or(|t| offset as u64 >= t) {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_in_either_shape() {
        let body = json!({"total_count": 2, "data": [
            {"resource_id": "q1", "expire_time": "2026-12-20T15:59:59Z", "expire_policy": 3, "status": 2},
            {"resource_id": "q2", "expire_time": 1797782399000_i64, "expire_policy": "0", "status": "5"},
            {"resource_name": "no id"},
        ]});
        let (found, total) = records(&body).unwrap();
        assert_eq!(total, Some(2));
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].1,
            Record { expires_at: Instant::parse("2026-12-20T15:59:59Z"), renewal: Some(Renewal::AutoRenew), status: Some(BillingStatus::InUse) }
        );
        assert_eq!((found[1].1.renewal, found[1].1.status), (Some(Renewal::GracePeriod), Some(BillingStatus::Expired)));
        assert!(records(&json!({"data": "x"})).is_err(), "an unreadable list is an error, not nothing");
        assert_eq!(records(&json!({})).unwrap().0, []);
    }

    #[test]
    fn billing_gives_the_date_the_service_left_out() {
        let mut hss = Package::new(Service::Hss, "q1", "hss.version.enterprise");
        hss.billing_mode = Some("packet_cycle".into());
        let at = Instant::parse("2026-12-20T15:59:59Z");
        let billed = apply(&hss, &Record { expires_at: at, renewal: Some(Renewal::AutoRenew), status: Some(BillingStatus::InUse) });
        assert_eq!(billed.expiry, Expiry::At(at.unwrap()));
        assert_eq!(billed.expires_from(), Some(crate::domain::ExpirySource::Billing));
        assert!(billed.renews());
        assert_eq!(billed.billed.unwrap().service_date, None);
        // Both give a date more than a day apart: billing's counts, the service's is kept.
        let own = at.unwrap().plus_days(-3);
        let dated = Package { expiry: Expiry::At(own), ..hss.clone() };
        let billed = apply(&dated, &Record { expires_at: at, renewal: Some(Renewal::Delete), status: None });
        assert_eq!((billed.expiry, billed.billed.unwrap().service_date), (Expiry::At(at.unwrap()), Some(own)));
        assert!(!billed.renews());
        // A day apart or less is the same date.
        let close = Package { expiry: Expiry::At(at.unwrap().plus_days(-1)), ..hss.clone() };
        assert_eq!(apply(&close, &Record { expires_at: at, renewal: None, status: None }).billed.unwrap().service_date, None);
        // Billing's status only where the service gives none.
        let billed = apply(&hss, &Record { expires_at: None, renewal: None, status: Some(BillingStatus::Frozen) });
        assert_eq!((billed.status, billed.expiry, billed.expires_from()), (crate::domain::Status::Frozen, Expiry::Unknown, None));
        let active = Package { status: crate::domain::Status::Active, ..hss };
        assert_eq!(apply(&active, &Record { expires_at: None, renewal: None, status: Some(BillingStatus::Frozen) }).status, crate::domain::Status::Active);
    }

    #[test]
    fn past_its_expiry_billings_date_is_what_comes_next() {
        let mut grace = Package::new(Service::Codecheck, "c1", "codearts.china.enterprise");
        grace.lifecycle = Some(crate::domain::Lifecycle::Grace);
        let deleted = Instant::parse("2027-01-02T15:59:59Z");
        let billed = apply(&grace, &Record { expires_at: deleted, renewal: Some(Renewal::DeleteAfterRetention), status: Some(BillingStatus::Expired) });
        assert_eq!(billed.expiry, Expiry::Unknown, "still expired, its deletion date is not an expiry");
        assert_eq!(billed.urgency(Instant::parse("2026-12-06T00:00:00Z").unwrap(), crate::domain::Thresholds::default()), crate::domain::Urgency::Expired);
        assert_eq!(billed.billed.unwrap().expires_at, deleted);
    }

    #[test]
    fn packages_billing_does_not_know_keep_the_services_figures() {
        let known = Package::new(Service::Hss, "q1", "n");
        let unknown = Package { expiry: Expiry::At(Instant::from_millis(5)), ..Package::new(Service::Dsc, "o9", "n") };
        let not_asked = Package::new(Service::Dsc, "new", "n");
        let asked = ["q1", "o9"].into_iter().map(str::to_string).collect();
        let billing = Billing {
            site: "global",
            records: HashMap::from([("q1".to_string(), Record { expires_at: None, renewal: Some(Renewal::Freeze), status: None })]),
            asked,
        };
        let out = billing.apply(&[known, unknown.clone(), not_asked.clone()]);
        assert_eq!(out[0].renewal(), Some(Renewal::Freeze));
        assert_eq!(out[1], Package { billed: Some(Billed::default()), ..unknown }, "the service's figures, marked as unknown to billing");
        assert!(out[0].billed.unwrap().known() && !out[1].billed.unwrap().known());
        assert_eq!(out[2], not_asked, "a package billing was not asked about is not said unknown to it");
    }

    /// Billing as a site answers it: `home` knows the account, the other
    /// sites refuse it as `refusal` says; every call is recorded.
    struct Sites {
        home: &'static str,
        refusal: ApiError,
        calls: std::cell::RefCell<Vec<(String, Vec<String>)>>,
    }

    impl Fetch for Sites {
        async fn get(&self, route: Route, _: &str, _: Option<&str>, _: &[(&str, &str)]) -> Result<crate::api::ApiResponse, ApiError> {
            panic!("{route:?} asked with GET")
        }
        async fn post(&self, route: Route, region: &str, body: String) -> Result<crate::api::ApiResponse, ApiError> {
            assert_eq!(route, Route::BssResources);
            let asked: Value = serde_json::from_str(&body).unwrap();
            let ids: Vec<String> = asked["resource_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            self.calls.borrow_mut().push((region.to_string(), ids.clone()));
            if region != self.home {
                return Err(self.refusal.clone());
            }
            // A `pair…` resource has an attached one (its disk): two records.
            let all: Vec<Value> = ids
                .iter()
                .filter(|id| !id.starts_with("unknown"))
                .flat_map(|id| {
                    let disk = id.starts_with("pair").then(|| json!({"resource_id": format!("{id}-disk"), "expire_policy": 0, "status": 2}));
                    std::iter::once(json!({"resource_id": id, "expire_policy": 3, "status": 2})).chain(disk)
                })
                .collect();
            let (offset, limit) = (asked["offset"].as_u64().unwrap() as usize, asked["limit"].as_u64().unwrap() as usize);
            let data: Vec<&Value> = all.iter().skip(offset).take(limit).collect();
            let text = json!({"total_count": all.len(), "data": data}).to_string();
            Ok(crate::api::ApiResponse { body: serde_json::from_str(&text).unwrap(), text, request_id: None })
        }
        async fn sleep(&self, _: u32) {}
        fn now(&self) -> Instant {
            Instant::from_millis(0)
        }
    }

    fn unknown_account() -> ApiError {
        ApiError::Http { status: 401, error_code: Some("CBC.0150".into()), error_msg: Some("account unknown on this site".into()), request_id: None }
    }

    #[test]
    fn every_id_is_asked_once_fifty_a_call_at_the_site_that_knows_the_account() {
        let net = Sites { home: "global", refusal: unknown_account(), calls: Default::default() };
        let mut ids: Vec<String> = (0..120).map(|i| format!("q{i:03}")).collect();
        ids.extend(["q000".to_string(), "unknown-1".to_string(), String::new()]);
        let read = futures::executor::block_on(load(&net, &["global-intl", "global"], &ids)).unwrap();
        assert_eq!(read.site, "global");
        assert_eq!(read.records.len(), 120, "billing's records, the unknown one left out");
        let calls = net.calls.borrow();
        let sizes: Vec<(&str, usize)> = calls.iter().map(|(site, ids)| (site.as_str(), ids.len())).collect();
        // The first batch at the other site first, then every batch at home.
        assert_eq!(sizes, [("global-intl", 50), ("global", 50), ("global", 50), ("global", 21)]);
        let asked: usize = calls[1..].iter().map(|(_, ids)| ids.len()).sum();
        assert_eq!(asked, 121, "each id once");
    }

    #[test]
    fn records_past_the_first_page_are_asked_for_until_the_total() {
        let net = Sites { home: "global", refusal: unknown_account(), calls: Default::default() };
        let ids = vec!["pair1".to_string(), "pair2".to_string()];
        let read = futures::executor::block_on(load(&net, &["global"], &ids)).unwrap();
        let mut found: Vec<&str> = read.records.keys().map(String::as_str).collect();
        found.sort_unstable();
        assert_eq!(found, ["pair1", "pair1-disk", "pair2", "pair2-disk"]);
        assert_eq!(net.calls.borrow().len(), 2, "a second page for the attached records");
    }

    #[test]
    fn a_refusal_everywhere_names_the_permission_when_one_site_did() {
        let permission = ApiError::Http {
            status: 403,
            error_code: Some("CBC.0151".into()),
            error_msg: Some("Access denied. The correct permission code is billing:subscription:view".into()),
            request_id: None,
        };
        let net = Sites { home: "nowhere", refusal: permission.clone(), calls: Default::default() };
        let ids = vec!["q1".to_string()];
        assert_eq!(futures::executor::block_on(load(&net, &["global", "global-intl"], &ids)), Err(permission));
        // An outage is not a reason to ask another site.
        let outage = ApiError::Http { status: 503, error_code: None, error_msg: None, request_id: None };
        let net = Sites { home: "nowhere", refusal: outage.clone(), calls: Default::default() };
        assert_eq!(futures::executor::block_on(load(&net, &["global", "global-intl"], &ids)), Err(outage));
        assert!(net.calls.borrow().iter().all(|(site, _)| site == "global"));
        // Nothing to ask: no call at all.
        let net = Sites { home: "global", refusal: unknown_account(), calls: Default::default() };
        assert!(futures::executor::block_on(load(&net, &["global"], &[])).unwrap().records.is_empty());
        assert!(net.calls.borrow().is_empty());
    }

    #[test]
    fn the_products_of_one_order_share_its_billing_record() {
        // DSC: one order of two products, read as `RID#0` and `RID#1`.
        let products = [Package::new(Service::Dsc, "RID#0", "base"), Package::new(Service::Dsc, "RID#1", "db")];
        assert_eq!(products.iter().map(resource_of).collect::<Vec<_>>(), [Some("RID"), Some("RID")]);
        let at = Instant::parse("2027-01-01T00:00:00Z");
        let billing = Billing {
            site: "global",
            records: HashMap::from([("RID".to_string(), Record { expires_at: at, renewal: Some(Renewal::AutoRenew), status: None })]),
            asked: Default::default(),
        };
        assert!(billing.apply(&products).iter().all(|p| p.expiry == Expiry::At(at.unwrap()) && p.renews()));
        // A stand-in id is asked about nothing.
        assert_eq!(resource_of(&Package::new(Service::Dsc, "base#3", "base")), None);
        let loaded = crate::services::Loaded {
            packages: products.to_vec().into(),
            facts: None,
            total: None,
            paging: None,
            answers: Arc::new([]),
            received_at: Instant::from_millis(0),
            stale: None,
        };
        let states = [Some(Ok(crate::services::ServiceState::Loaded(loaded))), Some(Err(ApiError::Network { proxy: String::new() }))];
        assert_eq!(ids_of(&states), Some(vec!["RID".to_string(), "RID".to_string()]));
        assert_eq!(ids_of(&[None]), None, "not before every service has answered");
        assert_eq!(ids_of(&[Some(Ok(crate::services::ServiceState::Waiting))]), None);
    }

    #[test]
    fn a_failed_refresh_keeps_the_last_reading_said_out_of_date() {
        let read = BillingState::Read(Arc::new(Billing::default()));
        let outage = ApiError::Network { proxy: "/api".into() };
        let stale = BillingState::after_failure(&read, outage.clone());
        assert!(matches!(&stale, BillingState::Stale(_, e) if *e == outage));
        assert!(stale.billing().is_some(), "the last reading stays laid over the packages");
        assert!(matches!(BillingState::after_failure(&stale, outage.clone()), BillingState::Stale(..)));
        assert_eq!(BillingState::after_failure(&BillingState::Waiting, outage.clone()), BillingState::Failed(outage));
    }

    #[test]
    fn a_request_asks_for_its_ids_and_no_more_than_fifty() {
        let body: Value = serde_json::from_str(&request_body(&["a", "b"], 0)).unwrap();
        assert_eq!(body, json!({"resource_ids": ["a", "b"], "only_main_resource": 0, "offset": 0, "limit": 2}));
        let next: Value = serde_json::from_str(&request_body(&["a", "b"], 2)).unwrap();
        assert_eq!(next["offset"], 2);
    }
}
