//! Every fixture answer read into packages: the official examples verbatim
//! and each variant of docs/huawei-apis.md §2 and §6.

use serde_json::Value;
use tenantscope::api::ApiError;
use tenantscope::domain::{Expiry, Instant, Lifecycle, NextAction, Package, PeriodUnit, Status, Thresholds, Urgency};
use tenantscope::services::{codecheck, dsc, hss, iam, metastudio, projectman, testplan};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn at(text: &str) -> Instant {
    Instant::parse(text).unwrap()
}

fn find<'a>(packages: &'a [Package], id: &str) -> &'a Package {
    packages.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no package {id} in {packages:#?}"))
}

#[test]
fn testplan_doc_example() {
    let packages = testplan::packages(&fixture("testplan.doc.json")).unwrap();
    assert_eq!(packages.len(), 2);
    let echo = find(&packages, "4f8da8d94d344547a212aed7613e99e2");
    assert_eq!(echo.name, "codearts.testplan.china.echotest");
    assert_eq!((echo.status, echo.raw_status.as_deref()), (Status::Active, Some("normal")));
    assert_eq!((echo.used, echo.total), (Some(0.0), Some(0.0)));
    assert_eq!(echo.expiry, Expiry::Unknown);
    // The second item has no resource_id: it still gets a distinct id.
    assert_ne!(packages[1].id, packages[0].id);
    assert_eq!(packages[1].name, "codearts.testplan.china.pro");
}

#[test]
fn testplan_bare_array_and_epochs() {
    let packages = testplan::packages(&fixture("testplan.bare-array.json")).unwrap();
    assert_eq!(packages.len(), 2);
    let pro = &packages[0];
    assert_eq!(pro.status, Status::Frozen);
    assert_eq!(pro.expiry, Expiry::At(at("2026-12-01T00:00:00Z")));
    assert_eq!(pro.starts_at, Some(at("2025-01-01T00:00:00Z")));
    assert_eq!((pro.used, pro.total), (Some(12.5), Some(50.0)));
    let closed = &packages[1];
    assert_eq!((closed.status, closed.total, closed.used), (Status::Closed, Some(5.0), None));

    let packages = testplan::packages(&fixture("testplan.epoch.json")).unwrap();
    assert_eq!(packages[0].expiry, Expiry::At(at("2025-12-31T23:59:59Z")));
    assert_eq!(packages[0].usage_ratio(), Some(0.74));
}

#[test]
fn codecheck_doc_example() {
    let received = at("2025-07-08T15:00:00Z");
    let packages = codecheck::packages(&fixture("codecheck.doc.json"), received).unwrap();
    // The enterprise combo is in both lists: one package.
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["codearts.china.enterprise", "devcloud.codecheck.sec.professional", "codearts.extension.concurrency.check"]);
    let main = &packages[0];
    assert_eq!(main.id, "5988b33d03f44c8f91141512xxxxxxxx");
    // `amount` is how many seats were bought, not a usage total.
    assert_eq!((main.quantity, main.total), (Some(20.0), None));
    assert_eq!(main.next.map(|n| n.action), Some(NextAction::GracePeriod));
    assert!(main.renew_url.as_deref().is_some_and(|u| u.starts_with("https://account.huawei.com/usercenter/")));
    assert_eq!(main.expiry, Expiry::At(codecheck::day_count_date(received, 32)));
    assert_eq!(main.expiry, Expiry::At(at("2025-08-09T15:59:59Z")), "the end of the 32nd day after 2025-07-08 23:00 UTC+8");
    assert_eq!(main.lifecycle, Some(Lifecycle::InEffect));
    assert_eq!(main.billing_mode.as_deref(), Some("packet_cycle"));
    assert_eq!(main.starts_at, Some(at("2024-07-26T08:31:53Z")));
    assert_eq!(main.used, None, "duration -1 means not a free edition");
    let security = &packages[1];
    assert_eq!((security.status, security.quantity), (Status::Active, Some(1.0)));
    assert_eq!(security.expiry, Expiry::Unknown);
}

#[test]
fn codecheck_singular_and_snake_case() {
    let received = at("2026-01-01T00:00:00Z");
    let packages = codecheck::packages(&fixture("codecheck.singular-snake.json"), received).unwrap();
    assert_eq!(packages.len(), 3, "{packages:#?}");
    let free = &packages[0];
    assert_eq!(free.name, "codearts.china.free");
    assert_eq!(free.status, Status::Frozen);
    assert_eq!(free.lifecycle, Some(Lifecycle::Grace));
    // In the grace period the countdown runs to what comes next, not to expiry.
    assert_eq!(free.expiry, Expiry::Unknown);
    assert_eq!(free.next.map(|n| n.at), Some(codecheck::day_count_date(received, 3)));
    assert_eq!(free.run_time, Some(120.0));
    assert_eq!((free.used, free.unit.as_deref()), (None, None));
    assert_eq!(free.billing_mode.as_deref(), Some("on_demand"));
    // An empty other resource still becomes a package rather than an error.
    assert_eq!(packages[2].name, "CodeArts package");
    assert!(codecheck::packages(&serde_json::json!({}), received).unwrap().is_empty());
}

#[test]
fn metastudio_doc_and_variants() {
    let (packages, total) = metastudio::page(&fixture("metastudio.doc.json")).unwrap();
    assert_eq!(total, Some(1));
    let p = &packages[0];
    assert_eq!(p.id, "f488337c31c8e4622f1590735b134c65");
    assert_eq!(p.name, "Interaction.basic.channel");
    assert_eq!(p.category.as_deref(), Some("LIVE_2D"));
    assert_eq!(p.billing_mode.as_deref(), Some("ONE_TIME"));
    assert_eq!((p.total, p.unit.as_deref()), (Some(1.0), Some("CHANNEL")));
    assert_eq!(p.expiry, Expiry::At(at("2021-01-10T08:43:17Z")));
    assert_eq!(p.status, Status::Unknown, "no status in the example");

    let (packages, total) = metastudio::page(&fixture("metastudio.variants.json")).unwrap();
    assert_eq!(total, Some(160));
    assert_eq!(packages[0].status, Status::Frozen);
    assert_eq!(packages[0].expiry, Expiry::At(at("2026-01-10T08:43:17Z")));
    assert_eq!(packages[0].usage_ratio(), Some(1.4), "over-use is kept: the card shows it as more than 100%");
    assert_eq!(packages[1].category.as_deref(), Some("NEW_BUSINESS_TYPE"), "unknown enums are kept");
    assert_eq!(packages[1].expiry, Expiry::Unknown);
}

#[test]
fn dsc_every_top_key_and_casing() {
    let packages = dsc::packages(&fixture("dsc.doc.json")).unwrap();
    let p = &packages[0];
    assert_eq!((p.name.as_str(), p.total), ("base_professional", Some(30.0)));
    assert_eq!(p.period.map(|x| (x.unit, x.count)), Some((PeriodUnit::Month, Some(1))));
    assert_eq!(p.urgency(at("2026-01-01T00:00:00Z"), Thresholds::default()), Urgency::Unknown);

    let camel = dsc::packages(&fixture("dsc.orderInfos-camel.json")).unwrap();
    assert_eq!((camel[0].id.as_str(), camel[0].name.as_str()), ("r-camel", "DB_professional"));
    assert_eq!(camel[0].period.map(|x| (x.unit, x.count)), Some((PeriodUnit::Year, Some(2))));
    assert_eq!((camel[0].used, camel[0].total), (Some(3.0), None), "\"xx\" is no size");

    let tf = dsc::packages(&fixture("dsc.orderInfo-tf.json")).unwrap();
    assert_eq!(tf[0].name, "hws.resource.type.dsc.obs");

    let snake = dsc::packages(&fixture("dsc.snake-strings.json")).unwrap();
    assert_eq!((snake[0].total, snake[0].used), (Some(30.0), Some(12.0)));
    assert_eq!(snake[0].period.map(|x| (x.unit, x.count)), Some((PeriodUnit::Month, Some(6))));
}

#[test]
fn hss_doc_example_and_upper_case() {
    let (packages, stats) = hss::page(&fixture("hss.doc.json")).unwrap();
    assert_eq!(stats.total, Some(60));
    assert_eq!(stats.by_version, vec![("hss.version.basic".to_string(), 8)]);
    let p = &packages[0];
    // The example is yearly/monthly with -1: HSS gives no date, billing keeps it.
    assert_eq!((p.expiry, p.in_use, p.status), (Expiry::Unknown, Some(true), Status::Active));
    assert_eq!(p.host.as_deref(), Some("zhangxiaodong2"));
    assert_eq!(hss::edition_label(&p.name), Some("Web Tamper Protection"));

    let (packages, stats) = hss::page(&fixture("hss.upper-case.json")).unwrap();
    assert_eq!((stats.expired, stats.frozen, stats.on_demand), (Some(1), Some(1), Some(1)));
    let now = at("2026-06-01T00:00:00Z");
    let q1 = find(&packages, "q1");
    assert_eq!((q1.status, q1.in_use), (Status::Expired, Some(false)));
    assert_eq!(q1.expiry, Expiry::At(at("2025-12-31T23:59:59Z")));
    assert_eq!(q1.urgency(now, Thresholds::default()), Urgency::Expired);
    let q2 = find(&packages, "q2");
    assert_eq!((q2.status, q2.in_use), (Status::Frozen, Some(true)));
    assert_eq!(q2.urgency(now, Thresholds::default()), Urgency::Ok);
    let q3 = find(&packages, "q3");
    assert_eq!((q3.expiry, q3.urgency(now, Thresholds::default())), (Expiry::Never, Urgency::Never), "pay-per-use: no end");
}

/// Seed 004: `expire_time` -1 is "no expiry time given"; Terraform's
/// `huaweicloud_hss_quotas`: the field "is valid when the quota is a trial
/// quota". Only a pay-per-use quota has no end; a yearly/monthly one's date
/// is kept by billing.
#[test]
fn hss_minus_one_never_expires_only_when_pay_per_use() {
    use tenantscope::format;
    let quota = |mode: Option<&str>, status: &str| {
        let mut q = serde_json::json!({ "resource_id": "q", "version": "hss.version.enterprise", "quota_status": status, "expire_time": -1 });
        if let Some(mode) = mode {
            q["charging_mode"] = mode.into();
        }
        hss::page(&serde_json::json!({ "data_list": [q] })).unwrap().0.remove(0)
    };
    let now = at("2026-06-01T00:00:00Z");
    let t = Thresholds::default();
    for mode in ["on_demand", "ON_DEMAND", "postPaid"] {
        let p = quota(Some(mode), "normal");
        assert_eq!((p.expiry, p.urgency(now, t)), (Expiry::Never, Urgency::Never), "{mode}");
    }
    for mode in [Some("packet_cycle"), Some("PACKET_CYCLE"), Some("barter"), None] {
        let p = quota(mode, "normal");
        assert_eq!((p.expiry, p.urgency(now, t)), (Expiry::Unknown, Urgency::Unknown), "{mode:?}");
        let state = format::state(&p, now, t);
        assert!(state.starts_with("No expiry date given") && !state.contains("ever"), "{mode:?}: {state}");
        assert_eq!(format::days_left(&p, now, t), "no expiry date given");
    }
    // Yearly/monthly: the why, in words.
    assert_eq!(format::state(&quota(Some("packet_cycle"), "normal"), now, t), "No expiry date given (yearly/monthly: the date is kept by billing)");
    assert_eq!(format::urgency(Urgency::Unknown, t), "No expiry date given");
}

/// An expired quota with -1 says it expired and that no date is given,
/// whatever its billing mode: never "never".
#[test]
fn hss_minus_one_expired_says_expired_with_no_date() {
    use tenantscope::format;
    let now = at("2026-06-01T00:00:00Z");
    let t = Thresholds::default();
    for mode in ["packet_cycle", "on_demand"] {
        let body =
            serde_json::json!({ "data_list": [{ "resource_id": "q", "quota_status": "QUOTA_STATUS_EXPIRED", "charging_mode": mode, "expire_time": -1 }] });
        let p = hss::page(&body).unwrap().0.remove(0);
        assert_eq!((p.status, p.urgency(now, t)), (Status::Expired, Urgency::Expired), "{mode}");
        let (state, days) = (format::state(&p, now, t), format::days_left(&p, now, t));
        assert_eq!(state, "Expired, the service says (it gives no date)", "{mode}");
        assert_eq!(days, "the service says it has expired", "{mode}");
        let card = tenantscope::render::card(&p, now, t);
        assert!(!card.to_lowercase().contains("never"), "{mode}: {card}");
    }
    // Whatever read it: a date that never comes and a service that says
    // expired is worded as expired with no date.
    let never = Package { expiry: Expiry::Never, status: Status::Expired, ..Package::new(tenantscope_catalog::Service::Hss, "n", "n") };
    assert_eq!(format::state(&never, now, t), "Expired, the service says (it gives no date)");
    assert_eq!(format::days_left(&never, now, t), "the service says it has expired");
}

#[test]
fn iam_and_codearts_discovery() {
    let info = iam::token_info(&fixture("iam.token.json")).unwrap();
    assert_eq!(info.project_id.as_deref(), Some("0605767a3300d5762fb7c0186d9e1779"));
    assert_eq!(info.project_name.as_deref(), Some("cn-north-4"));
    assert_eq!((info.user.as_deref(), info.domain.as_deref()), (Some("alice"), Some("examplecorp")));
    assert_eq!(info.expires_at, Some(at("2023-06-29T08:56:33.710Z")));

    let domain_scoped = iam::token_info(&fixture("iam.token.domain-scoped.json")).unwrap();
    assert_eq!((domain_scoped.project_id, domain_scoped.domain.as_deref()), (None, Some("examplecorp")));

    let projects = iam::projects(&fixture("iam.projects.json")).unwrap();
    assert_eq!(projects.len(), 2);
    assert!(!projects[1].enabled);

    let codearts = projectman::projects(&fixture("projectman.projects.json")).unwrap();
    assert_eq!(codearts[0].id, "5d2f8a1b9c4e4f7a8b3c6e0d1a2f4b97");
}

#[test]
fn error_bodies_in_every_shape() {
    let cases = [
        ("testplan.doc.401.json", 401, "DEV.00000003", "认证信息过期"),
        ("codecheck.doc.400.json", 400, "CC.00000000", "网络繁忙,请稍后再试"),
        ("codecheck.doc.401.json", 401, "CC.00000003", "认证信息过期"),
        ("metastudio.doc.400.json", 400, "MSS.00000003", "Invalid parameter"),
        ("dsc.doc.400.json", 400, "dsc.40000011", "Invalid parameter"),
        ("error.keystone.json", 401, "401", "The request you have made requires authentication."),
        ("error.code-message.json", 429, "APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute"),
        ("error.apig-request-id.json", 401, "APIG.0307", "The token must be updated."),
    ];
    for (name, status, code, msg) in cases {
        let body = fixture(name);
        match ApiError::from_body(status, Some(&body), None) {
            ApiError::Http { error_code, error_msg, .. } => {
                assert_eq!(error_code.as_deref(), Some(code), "{name}");
                assert_eq!(error_msg.as_deref(), Some(msg), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn unreadable_bodies_name_service_and_field() {
    let err = hss::page(&serde_json::json!({"data_list": [{"expire_time": {"ms": 1}}]})).unwrap_err();
    let text = tenantscope::format::error(&err);
    assert!(text.contains("Host Security Service") && text.contains("data_list[0].expire_time"), "{text}");
    let err = tenantscope::format::error(&metastudio::page(&serde_json::json!([])).unwrap_err());
    assert!(err.contains("MetaStudio") && err.contains("response body"), "{err}");
    let err = tenantscope::format::error(&testplan::packages(&serde_json::json!({"result": "none"})).unwrap_err());
    assert!(err.contains("`result`"), "{err}");
}

#[test]
fn dsc_units_periods_and_names() {
    let packages = dsc::packages(&fixture("dsc.units-names.json")).unwrap();
    assert_eq!(packages.len(), 3, "every element of a product_info array is a package");
    let db = &packages[0];
    assert_eq!((db.label.as_deref(), db.unit.as_deref(), db.used_unit.as_deref()), (Some("finance-db-scan"), Some("count"), None));
    assert_eq!(db.usage_ratio(), Some(0.6), "same unit on both sides: a share");
    assert_eq!(db.period.map(|p| (p.unit, p.count)), Some((PeriodUnit::Year, Some(1))));
    let obs = &packages[1];
    assert_eq!((obs.label.as_deref(), obs.unit.as_deref()), (Some("obs-scan-a, obs-scan-b"), Some("GB")));
    assert_eq!(obs.period.map(|p| (p.unit, p.count)), Some((PeriodUnit::Month, Some(6))));
    let base = &packages[2];
    assert_eq!((base.unit.as_deref(), base.used_unit.as_deref()), (Some("Mbit/s"), Some("count")));
    assert_eq!(base.usage_ratio(), None, "no percentage across two units");
    assert_ne!(obs.id, base.id, "two products of one order stay apart");
    assert_eq!(tenantscope::format::usage(base, at("2026-01-01T00:00:00Z")), "2 items used; size 100 Mbit/s");
}

#[test]
fn metastudio_sub_resources_sources_and_units() {
    use tenantscope::domain::chart::usage_by_name;
    use tenantscope::domain::Source;
    let (packages, _) = metastudio::page(&fixture("metastudio.flexus.json")).unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["hws.resource.type.metastudio.flexus.package", "voice_clone_flexus", "video_time_flexus_2d_model"]);
    assert_eq!(packages[1].parent.as_deref(), Some("hws.resource.type.metastudio.flexus.package"));
    assert_eq!(packages[2].source, Some(Source::Allocated));
    assert_eq!(packages[0].source, Some(Source::Purchased));
    assert_eq!(packages[0].category.as_deref(), Some("FLEXUS_2D"));
    // Bars by name and unit; the frozen video minutes are no bar at all
    // (a bar of 12 used and nothing left would read as full).
    let rows = usage_by_name(&packages, at("2026-12-01T00:00:00Z"));
    let units: Vec<(&str, Option<&str>, [u64; 2])> = rows.iter().map(|(n, u, v)| (n.as_str(), u.as_deref(), *v)).collect();
    assert_eq!(units, [("hws.resource.type.metastudio.flexus.package", Some("NUM"), [0, 1]), ("voice_clone_flexus", Some("NUM"), [1, 1]),]);
}

/// A lapsed package's figures are what was used, not a full bar: "expired:
/// 33 of 1,000 were used", never "33 used, 0 left (100%)".
#[test]
fn a_lapsed_package_is_no_full_bar_in_the_usage_chart() {
    use tenantscope::domain::chart::usage_by_name;
    let now = at("2026-12-01T00:00:00Z");
    let p = |id: &str, status, expiry| Package {
        used: Some(33.0),
        total: Some(1000.0),
        status,
        expiry,
        ..Package::new(tenantscope_catalog::Service::Testplan, id, "codearts.testplan.china.pro")
    };
    let lapsed = [
        p("e", Status::Expired, Expiry::Unknown),
        p("d", Status::Active, Expiry::At(at("2026-11-20T00:00:00Z"))),
        p("f", Status::Frozen, Expiry::Unknown),
        p("c", Status::Closed, Expiry::Unknown),
    ];
    assert_eq!(usage_by_name(&lapsed, now), [], "no bar made of lapsed packages");
    let live = p("a", Status::Active, Expiry::At(at("2027-01-20T00:00:00Z")));
    let mixed: Vec<Package> = lapsed.iter().cloned().chain([live]).collect();
    let rows = usage_by_name(&mixed, now);
    assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), [[33, 967]], "only the live package's figures");
}

/// DSC without `period_num`: the period's unit, and no number invented.
#[test]
fn dsc_without_a_period_count_invents_none() {
    let body = serde_json::json!({ "order_infos": [{ "period_type": 2, "resource_id": "r", "product_info": { "resource_spec_code": "base_standard" } }] });
    let p = &dsc::packages(&body).unwrap()[0];
    assert_eq!(p.period.map(|x| (x.unit, x.count)), Some((PeriodUnit::Month, None)));
    let card = tenantscope::render::card(p, at("2026-01-01T00:00:00Z"), Thresholds::default());
    assert!(!card.contains("1 month") && card.contains("ordered for an unstated number of months"), "{card}");
}

/// Codes and units no table names are worded from their own words, the
/// code kept beside them; every MetaStudio unit of seed 002 is named.
#[test]
fn codes_and_units_outside_the_tables_are_worded() {
    use tenantscope::format;
    let chat = Package {
        unit: Some("HOUR".into()),
        used: Some(1.0),
        total: Some(4.0),
        ..Package::new(tenantscope_catalog::Service::Metastudio, "m", "hws.resource.type.metastudio.chat_2d.package")
    };
    assert_eq!(format::name(&chat), "Chat 2D package");
    let card = tenantscope::render::card(&chat, at("2026-01-01T00:00:00Z"), Thresholds::default());
    assert!(card.contains("<code>hws.resource.type.metastudio.chat_2d.package</code>"), "the code stays beside the name: {card}");
    assert!(card.contains("1 / 4 hours (25%)"), "{card}");
    // Every unit of seed 002 (docs/huawei-apis.md §2.3), in words.
    let units: Vec<String> =
        ["NUM", "MIN", "HOUR", "CHANNEL", "GB", "MILLION_WORDS", "TEN_THOUSAND_WORDS", "TIME"].iter().map(|u| format::unit(u, None)).collect();
    assert_eq!(units, ["items", "min", "hours", "channels", "GB", "× 1,000,000 characters", "× 10,000 characters", "uses"]);
    // DSC's measure ids no page names.
    let dsc = &dsc::packages(&fixture("dsc.doc.json")).unwrap()[0];
    assert_eq!(dsc.unit.as_deref(), Some("unit #30"));
    assert_eq!(format::unit("unit #30", None), "unit not named by the service (#30)");
}

#[test]
fn times_without_a_zone_are_utc_for_every_service() {
    // docs/huawei-apis.md §2.6: the Go SDK's SdkTime reads these as UTC.
    let older = serde_json::json!([{ "spec_code": "s", "resource_id": "r", "start_time": "2025-01-02 03:04:05", "expiration_time": "2025-12-31T23:59:59" }]);
    let p = &testplan::packages(&older).unwrap()[0];
    assert_eq!(p.starts_at, Some(at("2025-01-02T03:04:05Z")));
    assert_eq!(p.expiry, Expiry::At(at("2025-12-31T23:59:59Z")));
    let check = serde_json::json!({ "result": { "other_resource_list": [{ "specCode": "x", "resourceId": "o", "createTime": "2025-04-11T06:24:47" }] } });
    assert_eq!(codecheck::packages(&check, at("2026-01-01T00:00:00Z")).unwrap()[0].starts_at, Some(at("2025-04-11T06:24:47Z")));
    let meta = serde_json::json!({ "count": 1, "resources": [{ "resource_id": "m", "resource_type": "t", "resource_expire_time": "2021-01-10 08:43:17" }] });
    assert_eq!(metastudio::page(&meta).unwrap().0[0].expiry, Expiry::At(at("2021-01-10T08:43:17Z")));
}
