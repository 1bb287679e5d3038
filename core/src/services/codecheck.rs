//! CodeArts Check, `GET /v4/tenant/tenant-package-status`
//! (ShowTenantPackageStatus): its packages.
//!
//! No SDK has this API, so the docs are the only source
//! (docs/upstream/codecheck-ShowTenantPackageStatus.zh.txt): main resources in
//! camelCase, other resources in camelCase with `amount` as a string, and a
//! `tips` countdown for the main package. Snake-case spellings are accepted
//! too (docs/huawei-apis.md §2.2). The doc's table says `supportedLanguage`,
//! its example `supportedLanguages`; neither is needed for packages.

use serde_json::Value;
use tenantscope_catalog::{Route, Service};

use super::read::root;
use super::{once, single, Loaded};
use super::{renew_link, status_word};
use crate::api::ApiError;
use crate::domain::{Expiry, Instant, Lifecycle, NextAction, NextStep, Package};
use crate::load::{Fetch, Session};
use crate::tx;

/// How it names its codes ([`super::Names`]).
pub const NAMES: super::Names = super::Names { table: label, prefixes: &["codearts.china.", "codearts.intl."], words_lead: "CodeArts ", lead: "" };

/// One request ([`super::Chain`]).
pub const CHAIN: super::Chain = super::Chain::One;

/// Reads the tenant's packages, for the session's CodeArts project when it
/// has one (`project_id`).
pub async fn load<N: Fetch>(net: &N, ctx: &Session) -> Result<Loaded, ApiError> {
    let query: Vec<(&str, &str)> = ctx.codearts_project_id.as_deref().map(|id| ("project_id", id)).into_iter().collect();
    let answer = once(net, || net.get(Route::CodecheckPackages, &ctx.region, None, &query)).await?;
    let received_at = net.now();
    let packages = packages(&answer.body, received_at)?;
    Ok(single(answer, packages, received_at))
}

/// The packages of one answer: the main resources, each joined to at most
/// one other resource of its spec code (the documented example lists the
/// main combo package again among the others, with its id and seat count),
/// and every other resource as a package of its own, keyed by `resourceId`.
/// `received_at` is when the answer arrived: the main package's countdown
/// (`tips.next_action_remain_day`, whole days) is counted from its day
/// ([`day_count_date`]).
pub fn packages(body: &Value, received_at: Instant) -> Result<Vec<Package>, ApiError> {
    let top = root(Service::Codecheck, body)?;
    let Some(status) = top.obj(&["result"])? else { return Ok(Vec::new()) };
    let tips = status.obj(&["tips"])?;
    let (remain_days, lifecycle, action, url) = match &tips {
        Some(t) => (
            t.int(&["next_action_remain_day"])?,
            t.int(&["status"])?.map(Lifecycle::from_code),
            t.int(&["next_action"])?.map(NextAction::from_code),
            t.text(&["next_action_url"])?,
        ),
        None => (None, None, None, None),
    };
    let countdown = remain_days.map(|d| day_count_date(received_at, d));
    // Seed 001: next_action 4 (frozen) applies in the grace period and 5
    // (deleted) in the retention period; without a `status` they say which
    // stage the package is in, after its expiry.
    let lifecycle = lifecycle.or(match action {
        Some(NextAction::Frozen) => Some(Lifecycle::Grace),
        Some(NextAction::Deleted) => Some(Lifecycle::Retention),
        _ => None,
    });
    // Seed 001: free edition, this month's check time; other editions -1.
    let run_time = status.num(&["duration"])?.filter(|d| *d >= 0.0);

    let mut packages: Vec<Package> = Vec::new();
    let mains = status.list(&["main_resource_list"])?;
    for (i, main) in mains.iter().enumerate() {
        let name = main
            .text(&["resourceSpecCode", "resource_spec_code"])?
            .or(main.text(&["resourceType", "resource_type"])?)
            .unwrap_or_else(|| "CodeArts package".into());
        let id = main.text(&["resourceId", "resource_id"])?.unwrap_or_else(|| format!("{name}#main{i}"));
        let mut p = Package::new(Service::Codecheck, id, name);
        p.category = main.text(&["resourceType", "resource_type"])?;
        // normal / freeze / close (失效: lapsed), seed 001.
        p.raw_status = main.text(&["status"])?;
        p.status = status_word(p.raw_status.as_deref());
        // chargeType: 0 on demand, 1 yearly/monthly.
        p.billing_mode = match main.int(&["chargeType", "charge_type"])? {
            Some(0) => Some("on_demand".into()),
            Some(1) => Some("packet_cycle".into()),
            _ => None,
        };
        p.lifecycle = lifecycle.clone();
        // The countdown runs to the next action. In effect (or not said),
        // that is the expiry; in the grace or retention period the package
        // has expired already and it runs to freezing or deletion.
        let expired_already = lifecycle.as_ref().is_some_and(Lifecycle::past_expiry);
        p.expiry = match countdown {
            Some(at) if !expired_already => Expiry::At(at),
            _ => Expiry::Unknown,
        };
        p.next = match (action, countdown) {
            (Some(action), Some(at)) => Some(NextStep { action, at }),
            _ => None,
        };
        p.renew_url = url.as_deref().and_then(renew_link);
        p.run_time = run_time;
        packages.push(p);
    }
    let main_count = packages.len();
    let mut joined = vec![false; main_count];
    for (i, other) in status.list(&["other_resource_list"])?.iter().enumerate() {
        let name = other
            .text(&["specCode", "spec_code", "resourceSpecCode"])?
            .or(other.text(&["resourceType", "resource_type"])?)
            .unwrap_or_else(|| "CodeArts package".into());
        let resource_id = other.text(&["resourceId", "resource_id"])?;
        let index = match (0..main_count).find(|&m| !joined[m] && packages[m].name == name) {
            Some(m) => {
                joined[m] = true;
                if let Some(id) = resource_id {
                    packages[m].id = id;
                }
                m
            }
            None => {
                let id = resource_id.unwrap_or_else(|| format!("{name}#other{i}"));
                packages.push(Package::new(Service::Codecheck, id, name));
                packages.len() - 1
            }
        };
        let p = &mut packages[index];
        if p.category.is_none() {
            p.category = other.text(&["resourceType", "resource_type"])?;
        }
        if p.raw_status.is_none() {
            p.raw_status = other.text(&["resourceStatus", "resource_status", "status"])?;
            p.status = status_word(p.raw_status.as_deref());
        }
        // 数量: a count bought (seats, parallel jobs), a string in the seed.
        p.quantity = other.num(&["amount"])?;
        p.owner_tenant = other.text(&["tenantId", "tenant_id"])?;
        if p.starts_at.is_none() {
            p.starts_at = other.text(&["createTime", "create_time"])?.as_deref().and_then(Instant::parse);
        }
    }
    Ok(packages)
}

/// The date `days` whole days after `received_at`, as a date: the end of
/// that day (23:59:59) in Beijing time (UTC+8).
///
/// `next_action_remain_day` counts days, not hours, so the instant it
/// names is only known to the day; adding whole days to the answer's
/// arrival made the date move on every refresh. Beijing time because it
/// is the day Huawei Cloud counts in: its consoles and bills show UTC+8,
/// and a yearly/monthly period ends at 23:59:59 of its last day (e.g.
/// "2023/07/08 15:50:04 ~ 2024/07/08 23:59:59" in its billing examples).
/// The end of the day, not its start: with 0 days left the package is
/// still in effect (seed 001, status 2) until the day is over. Answers
/// read at any time of one Beijing day give the same date, and the next
/// day's answer, one day less, gives it again.
pub fn day_count_date(received_at: Instant, days: i64) -> Instant {
    use crate::domain::time::MS_PER_DAY;
    const BEIJING: i64 = 8 * 3_600_000;
    let day = received_at.millis().saturating_add(BEIJING).div_euclid(MS_PER_DAY);
    let next_midnight = day.saturating_add(days).saturating_add(1).saturating_mul(MS_PER_DAY);
    Instant::from_millis(next_midnight.saturating_sub(BEIJING).saturating_sub(1000))
}

/// The readable name (English, for [`t`] where it is shown) of a CodeArts spec code, where it is known (seed 001's
/// example, and the editions of the same combo package).
pub fn label(code: &str) -> Option<&'static str> {
    Some(match code {
        "codearts.china.enterprise" | "codearts.intl.enterprise" => tx("CodeArts Enterprise"),
        "codearts.china.professional" | "codearts.intl.professional" => tx("CodeArts Professional"),
        "codearts.china.basic" | "codearts.intl.basic" => tx("CodeArts Basic"),
        "codearts.china.free" | "codearts.intl.free" => tx("CodeArts Free"),
        "devcloud.codecheck.sec.professional" => tx("Check security package, Professional"),
        "codearts.extension.concurrency.check" => tx("Check concurrency extension"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);

    fn answer(tips: Value, others: Value) -> Value {
        json!({ "result": {
            "duration": -1,
            "main_resource_list": [{ "chargeType": 1, "resourceSpecCode": "codearts.china.enterprise", "status": "normal" }],
            "other_resource_list": others,
            "tips": tips,
        }})
    }

    #[test]
    fn in_grace_the_package_has_expired_and_counts_down_to_freezing() {
        let tips = json!({ "status": 5, "next_action": 4, "next_action_remain_day": 12, "next_action_url": "https://account.huaweicloud.com/renew" });
        let p = &packages(&answer(tips, json!([])), NOW).unwrap()[0];
        assert_eq!(p.lifecycle, Some(Lifecycle::Grace));
        assert_eq!(p.expiry, Expiry::Unknown, "the countdown is not an expiry date");
        assert_eq!(p.next, Some(NextStep { action: NextAction::Frozen, at: day_count_date(NOW, 12) }));
        assert_eq!(p.urgency(NOW, Default::default()), crate::domain::Urgency::Expired);
        assert_eq!(p.renew_url.as_deref(), Some("https://account.huaweicloud.com/renew"));
    }

    #[test]
    fn in_effect_the_countdown_is_the_expiry_and_says_what_follows() {
        let tips = json!({ "status": 2, "next_action": 1, "next_action_remain_day": 32 });
        let p = &packages(&answer(tips, json!([])), NOW).unwrap()[0];
        assert_eq!(p.expiry, Expiry::At(day_count_date(NOW, 32)));
        assert_eq!(p.next.map(|n| n.action), Some(NextAction::PayPerUse));
        assert_eq!(p.urgency(NOW, Default::default()), crate::domain::Urgency::Ok);
    }

    #[test]
    fn in_effect_with_no_day_left_it_expires_today_not_expired_today() {
        // Seed 001: the count is days to the next action; status 2 is in effect.
        let tips = json!({ "status": 2, "next_action": 0, "next_action_remain_day": 0 });
        let p = &packages(&answer(tips, json!([])), NOW).unwrap()[0];
        let urgency = p.urgency(NOW, Default::default());
        assert_eq!(urgency, crate::domain::Urgency::Critical, "{p:?}");
        // Later the same day it is still in effect.
        let evening = Instant::from_millis(NOW.millis() + 3_600_000);
        assert_ne!(p.urgency(evening, Default::default()), crate::domain::Urgency::Expired);
    }

    #[test]
    fn frozen_or_deleted_next_without_a_stage_is_a_countdown_past_expiry() {
        // Seed 001: next_action 4 applies in the grace period, 5 in the retention period.
        for (action, stage) in [(4, Lifecycle::Grace), (5, Lifecycle::Retention)] {
            let tips = json!({ "next_action": action, "next_action_remain_day": 6 });
            let p = &packages(&answer(tips, json!([])), NOW).unwrap()[0];
            assert_eq!(p.expiry, Expiry::Unknown, "next_action {action}: the countdown runs to freezing or deletion");
            assert_eq!(p.lifecycle, Some(stage), "next_action {action}");
            assert_eq!(p.urgency(NOW, Default::default()), crate::domain::Urgency::Expired, "next_action {action}");
            assert!(p.next.is_some());
        }
        // At expiry (0, 1, 2) the countdown is the expiry.
        let tips = json!({ "next_action": 2, "next_action_remain_day": 6 });
        let p = &packages(&answer(tips, json!([])), NOW).unwrap()[0];
        assert!(matches!(p.expiry, Expiry::At(_)) && p.lifecycle.is_none(), "{p:?}");
    }

    #[test]
    fn a_date_from_a_day_count_is_the_end_of_that_day_in_beijing_time() {
        let tips = json!({ "status": 2, "next_action": 0, "next_action_remain_day": 13 });
        // 2026-12-01 in Beijing (UTC+8): 00:10, 09:30 and 23:50 local.
        let morning = Instant::parse("2026-11-30T16:10:00Z").unwrap();
        let noon = Instant::parse("2026-12-01T01:30:00Z").unwrap();
        let night = Instant::parse("2026-12-01T15:50:00Z").unwrap();
        let end = Instant::parse("2026-12-14T15:59:59Z").unwrap(); // 2026-12-14 23:59:59 UTC+8
        for received in [morning, noon, night] {
            let p = &packages(&answer(tips.clone(), json!([])), received).unwrap()[0];
            assert_eq!(p.expiry, Expiry::At(end), "received {received}");
            assert_eq!(p.next.map(|n| n.at), Some(end), "received {received}");
        }
        // The next Beijing day the service counts one day less: the same date.
        let tips = json!({ "status": 2, "next_action": 0, "next_action_remain_day": 12 });
        let p = &packages(&answer(tips, json!([])), Instant::parse("2026-12-01T16:05:00Z").unwrap()).unwrap()[0];
        assert_eq!(p.expiry, Expiry::At(end));
        // Odd counts do not overflow.
        for days in [i64::MAX, i64::MIN, -1] {
            let tips = json!({ "status": 2, "next_action": 0, "next_action_remain_day": days });
            assert!(packages(&answer(tips, json!([])), NOW).is_ok());
        }
    }

    #[test]
    fn every_other_resource_is_its_own_package() {
        let other = |spec: &str, id: &str, amount: &str| json!({ "specCode": spec, "resourceId": id, "resourceStatus": "normal", "amount": amount });
        let others = json!([
            other("codearts.china.enterprise", "main-id", "20"),
            other("codearts.extension.concurrency.check", "c1", "2"),
            other("codearts.extension.concurrency.check", "c2", "5"),
            other("codearts.china.enterprise", "second-combo", "3"),
        ]);
        let all = packages(&answer(json!({}), others), NOW).unwrap();
        let ids: Vec<(&str, Option<f64>)> = all.iter().map(|p| (p.id.as_str(), p.quantity)).collect();
        assert_eq!(ids, [("main-id", Some(20.0)), ("c1", Some(2.0)), ("c2", Some(5.0)), ("second-combo", Some(3.0))]);
        assert!(all.iter().all(|p| p.total.is_none() && p.used.is_none()), "an amount is a count bought, not usage");
    }

    #[test]
    fn the_free_editions_check_time_is_not_a_usage_figure() {
        let mut body = answer(json!({}), json!([]));
        body["result"]["duration"] = json!(135);
        let p = &packages(&body, NOW).unwrap()[0];
        assert_eq!(p.run_time, Some(135.0));
        assert_eq!((p.used, p.unit.as_deref()), (None, None));
    }

    #[test]
    fn only_huawei_cloud_https_links_become_renew_links() {
        for bad in [
            "http://account.huaweicloud.com/x",
            "https://evil.com/huaweicloud.com",
            "https://huaweicloud.com.evil.com/",
            "https://user@evil.com",
            "javascript:alert(1)",
            "https://evil.com\\@account.huaweicloud.com",
            "https://account.huaweicloud.com:444/",
        ] {
            let tips = json!({ "next_action_url": bad });
            assert_eq!(packages(&answer(tips, json!([])), NOW).unwrap()[0].renew_url, None, "{bad}");
        }
    }
}
