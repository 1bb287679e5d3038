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
    assert_eq!(
        names,
        ["codearts.china.enterprise", "devcloud.codecheck.sec.professional", "codearts.extension.concurrency.check"]
    );
    let main = &packages[0];
    assert_eq!(main.id, "5988b33d03f44c8f91141512xxxxxxxx");
    // `amount` is how many seats were bought, not a usage total.
    assert_eq!((main.quantity, main.total), (Some(20.0), None));
    assert_eq!(main.next.map(|n| n.action), Some(NextAction::GracePeriod));
    assert!(main.renew_url.as_deref().is_some_and(|u| u.starts_with("https://account.huawei.com/usercenter/")));
    assert_eq!(main.expiry, Expiry::At(received.plus_days(32)));
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
    assert_eq!(free.next.map(|n| n.at), Some(received.plus_days(3)));
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
    assert_eq!((p.expiry, p.in_use, p.status), (Expiry::Never, Some(true), Status::Active));
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
    assert_eq!((q3.expiry, q3.urgency(now, Thresholds::default())), (Expiry::Never, Urgency::Never));
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
        let body = fixture(name).to_string();
        match ApiError::from_body(status, &body, None) {
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
    assert_eq!(tenantscope::format::usage(base), "2 items used; size 100 Mbit/s");
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
    // Bars by name and unit; the frozen video minutes leave nothing.
    let rows = usage_by_name(&packages, at("2026-12-01T00:00:00Z"));
    let units: Vec<(&str, Option<&str>, [u64; 2])> = rows.iter().map(|(n, u, v)| (n.as_str(), u.as_deref(), *v)).collect();
    assert_eq!(units, [
        ("hws.resource.type.metastudio.flexus.package", Some("NUM"), [0, 1]),
        ("voice_clone_flexus", Some("NUM"), [1, 1]),
        ("video_time_flexus_2d_model", Some("MIN"), [12, 0]),
    ]);
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
