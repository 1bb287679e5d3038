//! The three exports built from the fixture answers of all five services:
//! the JSON read back and checked against the documented schema, the CSV
//! read back with an RFC 4180 reader and compared with the JSON, and the
//! calendar checked line by line.

use serde_json::Value;
use tenantscope::domain::{Billed, BillingStatus, Expiry, Instant, NextAction, NextStep, Package, Renewal, Status, Thresholds};
use tenantscope::export::{file_name, BillingRead, Report, Scope, ServiceError, Tenant, COLUMNS, CSV_COLUMNS, CSV_HEADERS, JSON_SCHEMA};
use tenantscope::services::{codecheck, dsc, hss, metastudio, testplan};
use tenantscope_catalog::Service;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

const NOW: &str = "2026-11-22T08:00:00Z";

fn now() -> Instant {
    Instant::parse(NOW).unwrap()
}

/// Every service's packages from its fixtures, plus the awkward cases.
fn packages() -> Vec<Package> {
    let mut all = Vec::new();
    all.extend(testplan::packages(&fixture("testplan.epoch.json")).unwrap());
    all.extend(codecheck::packages(&fixture("codecheck.doc.json"), now()).unwrap());
    all.extend(metastudio::page(&fixture("metastudio.doc.json")).unwrap().0);
    all.extend(dsc::packages(&fixture("dsc.doc.json")).unwrap());
    all.extend(hss::page(&fixture("hss.doc.json")).unwrap().0);
    // Text that CSV, JSON and iCalendar must each escape, and a formula.
    all.push(Package {
        name: "=cmd|' /C calc'!A0, \"quoted\";\nnext line \\ 中文".into(),
        raw_status: Some("@odd".into()),
        used: Some(1.5),
        total: Some(f64::NAN),
        unit: Some("min".into()),
        in_use: Some(false),
        status: Status::Active,
        expiry: Expiry::At(now().plus_days(7)),
        ..Package::new(Service::Metastudio, "id,with\"quote", "")
    });
    all.push(Package { expiry: Expiry::Never, ..Package::new(Service::Hss, "never", "hss.version.basic") });
    all.extend(billed());
    all
}

/// What billing says, and CodeArts Check's next steps: a quota billing
/// renews automatically (billing's date), one it deletes at expiry (the
/// service's date), a free edition frozen in three days with no expiry
/// date, and a package deleted on the day it expires.
fn billed() -> Vec<Package> {
    let at = now().plus_days(10);
    let renews = Billed { expires_at: Some(at), renewal: Some(Renewal::AutoRenew), status: Some(BillingStatus::InUse), service_date: None };
    let lapses = Billed { expires_at: None, renewal: Some(Renewal::Delete), status: Some(BillingStatus::Other(9)), service_date: None };
    let frozen = NextStep { action: NextAction::Frozen, at: now().plus_days(3) };
    let deleted = NextStep { action: NextAction::DeletedAtExpiry, at: now().plus_days(5) };
    vec![
        Package { expiry: Expiry::At(at), billed: Some(renews), ..Package::new(Service::Hss, "renews", "hss.version.premium") },
        Package { expiry: Expiry::At(at), billed: Some(lapses), ..Package::new(Service::Hss, "lapses", "hss.version.wtp") },
        Package { next: Some(frozen), ..Package::new(Service::Codecheck, "free", "codearts.china.free") },
        Package { expiry: Expiry::At(deleted.at), next: Some(deleted), ..Package::new(Service::Codecheck, "basic", "codearts.china.basic") },
    ]
}

fn errors() -> Vec<ServiceError> {
    vec![ServiceError {
        service: Service::Dsc,
        http_status: Some(403),
        error_code: Some("DSC.00000403".into()),
        error_msg: Some("No permission \"dsc:order:get\"".into()),
        request_id: Some("req-1".into()),
        kept_from: None,
    }]
}

fn tenant() -> Tenant {
    Tenant {
        domain: Some("acme".into()),
        user: Some("ops".into()),
        region: Some("cn-north-4".into()),
        project_id: Some("0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25".into()),
        codearts_project_id: None,
    }
}

fn with_report<T>(f: impl FnOnce(&Report) -> T) -> T {
    let (packages, errors, tenant) = (packages(), errors(), tenant());
    let (scope, billing) = (Scope::Everything, BillingRead { read: true, error: None });
    let report = Report {
        generated_at: now(),
        tenant: &tenant,
        tenant_of: &[],
        seen_in: &[],
        billing: &billing,
        thresholds: Thresholds::default(),
        packages: &packages,
        errors: &errors,
        scope: &scope,
        since: None,
    };
    f(&report)
}

#[test]
fn json_follows_the_documented_schema() {
    let text = with_report(|r| r.to_json());
    let doc: Value = serde_json::from_str(&text).expect("the export is valid JSON");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    // serde_json's map is sorted unless preserve_order: compare as sets, then
    // the order in the text itself.
    let mut top = keys(&doc);
    top.sort();
    assert_eq!(top, ["attention", "billing", "errors", "generated_at", "packages", "schema", "scope", "since", "tenant", "thresholds_days"]);
    let order = [
        "\"schema\"",
        "\"generated_at\"",
        "\"tenant\"",
        "\"thresholds_days\"",
        "\"packages\"",
        "\"attention\"",
        "\"errors\"",
        "\"scope\"",
        "\"billing\":{\"read\"",
        "\"since\":null",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "top-level keys out of order: {positions:?}");

    assert_eq!(doc["schema"], JSON_SCHEMA);
    assert_eq!(doc["generated_at"], NOW);
    assert_eq!(doc["tenant"]["region"], "cn-north-4");
    assert_eq!(doc["tenant"]["codearts_project_id"], Value::Null);
    assert_eq!(doc["thresholds_days"], serde_json::json!({"critical": 7, "warning": 30}));

    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), self::packages().len());
    for p in packages {
        let mut k = keys(p);
        let mut expected: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        k.sort();
        expected.sort();
        assert_eq!(k, expected);
        let service = p["service"].as_str().unwrap();
        assert!(["testplan", "codecheck", "metastudio", "dsc", "hss"].contains(&service), "{service}");
        for key in ["starts_at", "expires_at"] {
            if let Some(at) = p[key].as_str() {
                assert!(at.ends_with('Z') && Instant::parse(at).is_some(), "{key}: {at}");
            }
        }
    }
    let odd = packages.iter().find(|p| p["id"] == "id,with\"quote").unwrap();
    assert_eq!(odd["name"], "=cmd|' /C calc'!A0, \"quoted\";\nnext line \\ 中文");
    assert_eq!(odd["total"], Value::Null, "NaN becomes null");
    assert_eq!(odd["used"], 1.5);
    assert_eq!(odd["in_use"], false);
    assert_eq!(odd["urgency"], "critical", "exactly 7 days is critical");
    // v3: days left as the page counts them, and where and whose.
    assert_eq!((odd["days_left"].clone(), odd["region"].clone(), odd["account"].clone()), (Value::from(7), Value::from("cn-north-4"), Value::from("acme")));
    assert_eq!(doc["scope"], serde_json::json!({"what": "everything", "filters": null}));
    let never = packages.iter().find(|p| p["id"] == "never").unwrap();
    assert_eq!((never["expires_at"].clone(), never["urgency"].clone()), (Value::Null, Value::from("never")));
    assert!(packages.iter().any(|p| p["service"] == "dsc" && p["urgency"] == "unknown"));

    // v2: what each package is, beyond v1's fields.
    assert_eq!(doc["schema"], "tenantscope.export.v5");
    let combo = packages.iter().find(|p| p["name"] == "codearts.china.enterprise").unwrap();
    assert_eq!(combo["label"], "CodeArts Enterprise");
    assert_eq!(combo["quantity"], 20.0);
    assert_eq!(combo["lifecycle"], "in_effect");
    assert_eq!(combo["next_action"], "grace_period");
    assert!(combo["renew_url"].as_str().is_some_and(|u| u.starts_with("https://account.huawei.com/")));
    let dsc = packages.iter().find(|p| p["service"] == "dsc").unwrap();
    assert_eq!(dsc["period"], "1 month");
    let hss = packages.iter().find(|p| p["service"] == "hss" && p["host_id"].is_string()).unwrap();
    assert_eq!(hss["tags"], "Service=HSS");
    assert_eq!(hss["shared_quota"], "shared");
    // The warnings as the page shows them, the near expiry among them.
    let attention = doc["attention"].as_array().unwrap();
    assert!(attention.iter().any(|w| w["id"] == "id,with\"quote" && w["urgency"] == "critical"), "{attention:?}");
    assert!(attention.iter().all(|w| w["id"] != "never"));
    // v4: each warning says what billing says happens, and whether a host lost its protection.
    let of = |id: &str| attention.iter().find(|w| w["id"] == id).unwrap_or_else(|| panic!("{id} not among {attention:?}"));
    assert_eq!((&of("renews")["renewal"], &of("lapses")["renewal"]), (&Value::from("auto_renew"), &Value::from("delete")));
    assert!(attention.iter().all(|w| w["unprotected"].is_boolean()));
    assert_eq!(doc["errors"][0]["kept_from"], Value::Null);

    assert_eq!(doc["errors"][0]["http_status"], 403);
    assert_eq!(doc["errors"][0]["error_msg"], "No permission \"dsc:order:get\"");

    // v4: what billing says of each package, and whether it was read.
    let v4 = |id: &str| {
        let p = packages.iter().find(|p| p["id"] == id).unwrap();
        [&p["renewal"], &p["expires_from"], &p["billing_status"], &p["seen_in"]].map(Value::clone)
    };
    assert_eq!(v4("renews"), [Value::from("auto_renew"), "billing".into(), "in_use".into(), Value::Null]);
    assert_eq!(v4("lapses"), [Value::from("delete"), "service".into(), "other_9".into(), Value::Null]);
    assert_eq!(v4("never"), [Value::Null, Value::Null, Value::Null, Value::Null], "no date, billing not heard");
    assert_eq!(v4("id,with\"quote")[1], "service");
    // One tab's export: no tabs named.
    assert!(packages.iter().all(|p| p["seen_in"].is_null()));
    assert_eq!(doc["billing"], serde_json::json!({"read": true, "error": null}));
}

#[test]
fn billing_is_read_only_when_every_tab_exported_was() {
    use std::sync::Arc;
    use tenantscope::api::ApiError;
    use tenantscope::services::bss::{Billing, BillingState};
    let read = BillingState::Read(Arc::new(Billing { site: "global", records: Default::default(), asked: Default::default() }));
    let refused = BillingState::Failed(ApiError::Http { status: 403, error_code: Some("CBC.0150".into()), error_msg: Some("denied".into()), request_id: None });
    assert_eq!(BillingRead::of([(None, &read)]), BillingRead { read: true, error: None });
    assert_eq!(BillingRead::of([(None, &BillingState::Waiting)]), BillingRead { read: false, error: None });
    // Across tabs each failure after its tab's place; one unread tab is enough.
    let both = BillingRead::of([(Some("cn-north-4"), &read), (Some("cn-east-3"), &refused), (Some("cn-north-4_finance"), &refused)]);
    assert!(!both.read);
    let error = both.error.unwrap();
    assert!(error.starts_with("cn-east-3: ") && error.contains("; cn-north-4_finance: ") && error.contains("403"), "{error}");
    assert_eq!(BillingRead::of([]), BillingRead { read: false, error: None }, "no tab, nothing read");
    // In the file.
    let (tenant, scope, billing) = (Tenant::default(), Scope::Everything, BillingRead { read: false, error: Some("cn-east-3: http 403".into()) });
    let report = Report {
        generated_at: now(),
        tenant: &tenant,
        tenant_of: &[],
        seen_in: &[],
        billing: &billing,
        thresholds: Thresholds::default(),
        packages: &[],
        errors: &[],
        scope: &scope,
        since: None,
    };
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(doc["billing"], serde_json::json!({"read": false, "error": "cn-east-3: http 403"}));
}

/// An RFC 4180 reader, strict: CRLF record ends, quotes doubled inside
/// quoted fields, nothing after a closing quote but a separator.
/// The records of a CSV export, which opens with a byte-order mark.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').expect("the CSV opens with a byte-order mark (Excel reads it as UTF-8 then)");
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    assert!(matches!(chars.peek(), Some(',' | '\r') | None), "text after a closing quote");
                }
                c => field.push(c),
            }
        } else {
            match c {
                '"' if field.is_empty() => quoted = true,
                '"' => panic!("a quote inside an unquoted field"),
                ',' => record.push(std::mem::take(&mut field)),
                '\r' => {
                    assert_eq!(chars.next(), Some('\n'), "CR without LF");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                '\n' => panic!("a bare LF ends a record"),
                c => field.push(c),
            }
        }
    }
    assert!(field.is_empty() && record.is_empty(), "the last record has no CRLF");
    records
}

#[test]
fn csv_holds_the_same_packages_as_json() {
    let (csv, json) = with_report(|r| (r.to_csv(), r.to_json()));
    let records = read_csv(&csv);
    // Readable headers, one per column.
    assert_eq!(records[0], CSV_HEADERS);
    assert_eq!(CSV_HEADERS.len(), COLUMNS.len());
    let doc: Value = serde_json::from_str(&json).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(records.len() - 1, packages.len());
    let titles = [
        ("testplan", "CodeArts TestPlan"),
        ("codecheck", "CodeArts Check"),
        ("metastudio", "MetaStudio"),
        ("dsc", "Data Security Center"),
        ("hss", "Host Security Service"),
    ];
    // The keys the CSV says in the page's English words (tested in
    // core/src/export.rs): there exactly where the JSON has one.
    let worded = [
        "status",
        "urgency",
        "billing_mode",
        "lifecycle",
        "next_action",
        "period",
        "source",
        "category",
        "shared_quota",
        "attention",
        "renewal",
        "billing_status",
    ];
    for (record, package) in records[1..].iter().zip(packages) {
        assert_eq!(record.len(), COLUMNS.len());
        // The CSV's own order: what people read first, the codes and IDs last.
        for (cell, (column, _)) in record.iter().zip(CSV_COLUMNS) {
            if worded.contains(&column) {
                assert_eq!(cell.is_empty(), package[column].is_null(), "column {column}: {cell:?}");
                continue;
            }
            // The name people know it by, else the code, as the page shows it.
            let value = if column == "label" && package[column].is_null() { &package["name"] } else { &package[column] };
            let expected = match value {
                Value::Null => String::new(),
                // The service by name; times as a spreadsheet reads them (UTC).
                Value::String(s) if column == "service" => titles.iter().find(|(k, _)| k == s).unwrap().1.to_string(),
                Value::String(s) if column.ends_with("_at") => s.trim_end_matches('Z').replacen('T', " ", 1),
                Value::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
                Value::String(s) => s.clone(),
                Value::Number(n) => n.as_f64().unwrap().to_string(),
                Value::Array(list) => list.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join("; "),
                other => other.to_string(),
            };
            assert_eq!(cell, &expected, "column {column}");
        }
    }
    let expires = CSV_HEADERS.iter().position(|h| *h == "Expires (UTC)").unwrap();
    assert!(records.iter().any(|r| r[expires].len() == 19 && r[expires].as_bytes()[10] == b' '), "no expiry as YYYY-MM-DD HH:MM:SS");
    // Service, then the readable name; the urgency in words.
    assert_eq!(records[0][..2], ["Service", "Name"]);
    let urgency = CSV_HEADERS.iter().position(|h| *h == "Urgency").unwrap();
    let odd = records.iter().find(|r| r.contains(&"id,with\"quote".to_string())).unwrap();
    assert_eq!(odd[urgency], "Expires within 7 days", "exactly 7 days is critical");
    // The formula is neutralized, the multi-line name kept whole.
    assert!(csv.contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\";\nnext line \\ 中文\""));
}

/// The event (`BEGIN:VEVENT` to `END:VEVENT`) of an unfolded calendar
/// whose summary is `summary`.
fn event<'a>(ics: &'a str, summary: &str) -> &'a str {
    let at = ics.find(&format!("SUMMARY:{summary}\r\n")).unwrap_or_else(|| panic!("no event {summary:?} in {ics}"));
    let start = ics[..at].rfind("BEGIN:VEVENT").unwrap();
    let end = at + ics[at..].find("END:VEVENT").unwrap();
    &ics[start..end]
}

#[test]
fn calendar_has_one_event_per_service_day_and_what_happens_then() {
    let (ics, events, lapsing) = with_report(|r| {
        // The (service, day at UTC+8, what happens) of every date after the
        // export: an expiry (renewed or not), or a next step on another day.
        let day = |at: Instant| (at.millis() + 8 * 3_600_000).div_euclid(86_400_000);
        let mut events: Vec<(usize, i64, String)> = Vec::new();
        for p in r.packages {
            let expires = p.expiry.instant();
            if let Some(at) = expires.filter(|at| *at > now()) {
                events.push((p.service as usize, day(at), if p.renews() { "renews".into() } else { "expires".into() }));
            }
            if let Some(step) = p.next.filter(|s| s.at > now() && expires.is_none_or(|at| day(at) != day(s.at))) {
                events.push((p.service as usize, day(step.at), step.action.key()));
            }
        }
        events.sort();
        events.dedup();
        let lapsing = events.iter().filter(|e| e.2 != "renews").count();
        (r.to_ics(480), events.len(), lapsing)
    });
    assert!(events >= 2, "the fixtures have coming expiries: {events}");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let unfolded = ics.replace("\r\n ", "");
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), events);
    // An alarm at each threshold, for what lapses only.
    assert_eq!(unfolded.matches("BEGIN:VALARM").count(), 2 * lapsing);
    assert_eq!(unfolded.matches("TRIGGER:-P7D").count(), lapsing);
    assert_eq!(unfolded.matches("TRIGGER:-P30D").count(), lapsing);
    // What billing renews automatically is said so, with no reminder; what
    // lapses the same day is its own event, with its reminders.
    let renews = event(&unfolded, "Host Security Service renews automatically: hss.version.premium");
    assert!(!renews.contains("VALARM") && renews.contains("renews automatically 2026-12-02T08:00:00Z"), "{renews}");
    assert!(renews.contains("UID:hss-20261202-renews-0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25@tenantscope"), "{renews}");
    let lapses = event(&unfolded, "Host Security Service expires: hss.version.wtp");
    assert_eq!(lapses.matches("BEGIN:VALARM").count(), 2);
    // CodeArts Check's next step, with no expiry date: its own event.
    let frozen = event(&unfolded, "CodeArts Check frozen: codearts.china.free");
    assert!(frozen.contains("DTSTART;VALUE=DATE:20261125\r\n") && frozen.contains("TRIGGER:-P7D"), "{frozen}");
    assert!(frozen.contains("UID:codecheck-20261125-frozen-0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25@tenantscope"), "{frozen}");
    // A next step on the day of the expiry is the expiry's event alone.
    assert_eq!(unfolded.matches("(ID basic)").count(), 1, "{unfolded}");
    event(&unfolded, "CodeArts Check expires: codearts.china.basic");
    // 2026-11-29T08:00Z is 16:00 on the 29th at UTC+8: one whole day.
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20261129\r\nDTEND;VALUE=DATE:20261130\r\n"));
    assert!(unfolded.contains("UID:metastudio-20261129-0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25@tenantscope\r\n"), "{unfolded}");
    assert!(unfolded.contains("SUMMARY:MetaStudio expires: =cmd|' /C calc'!A0\\, \"quoted\"\\;\\nnext line \\\\ 中文\r\n"), "{unfolded}");
    assert!(!unfolded.contains("hss-never"), "a package that never expires has no event");
    // Nothing that has already expired.
    let past = unfolded.split("DTSTART;VALUE=DATE:").skip(1).filter(|e| &e[..8] < "20261122").count();
    assert_eq!(past, 0, "an event before the export's day");
    // At UTC-10 the same instant falls on the 28th.
    let west = with_report(|r| r.to_ics(-600)).replace("\r\n ", "");
    assert!(west.contains("DTSTART;VALUE=DATE:20261128\r\n"));
}

#[test]
fn calendar_merges_a_services_packages_of_one_day() {
    let at = now().plus_days(3);
    let packages: Vec<Package> = (0..103)
        .map(|i| Package { expiry: Expiry::At(at), ..Package::new(Service::Metastudio, format!("id-{i}"), "voice-pack") })
        .chain([Package { expiry: Expiry::At(at), ..Package::new(Service::Hss, "h", "hss.version.basic") }])
        .chain([Package { expiry: Expiry::At(now().plus_days(-3)), ..Package::new(Service::Hss, "gone", "old") }])
        .collect();
    let (tenant, scope) = (Tenant::default(), Scope::Everything);
    let report = Report {
        generated_at: now(),
        tenant: &tenant,
        tenant_of: &[],
        seen_in: &[],
        billing: &BillingRead::default(),
        thresholds: Thresholds { critical_days: 7, warning_days: 7 },
        packages: &packages,
        errors: &[],
        scope: &scope,
        since: None,
    };
    let ics = report.to_ics(0).replace("\r\n ", "");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "one event per service and day: {ics}");
    assert!(ics.contains("SUMMARY:MetaStudio: 103 packages expire\r\n"));
    assert!(ics.contains("…and 53 more"));
    // Both thresholds the same: one alarm each.
    assert_eq!(ics.matches("BEGIN:VALARM").count(), 2);
}

#[test]
fn exports_of_nothing_are_still_well_formed() {
    let tenant = Tenant::default();
    let scope = Scope::Shown { filters: "service=hss&q=a\"b".into() };
    let report = Report {
        generated_at: now(),
        tenant: &tenant,
        tenant_of: &[],
        seen_in: &[],
        billing: &BillingRead::default(),
        thresholds: Thresholds::default(),
        packages: &[],
        errors: &[],
        scope: &scope,
        since: None,
    };
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(doc["packages"], serde_json::json!([]));
    assert_eq!(doc["tenant"]["domain"], Value::Null);
    assert_eq!(doc["scope"], serde_json::json!({"what": "shown", "filters": "service=hss&q=a\"b"}));
    assert_eq!(read_csv(&report.to_csv()), vec![CSV_HEADERS.to_vec()]);
    assert!(!report.to_ics(0).contains("VEVENT"));
    assert_eq!(file_name(now(), "ics"), "tenantscope-20261122-080000Z.ics");
}

#[test]
fn an_export_across_tabs_names_each_packages_region_and_account() {
    let north = tenant();
    let east = Tenant { region: Some("cn-east-3".into()), project_id: Some("p-east".into()), ..tenant() };
    let shared = Tenant::common(&[&north, &east]);
    assert_eq!(shared, Tenant { domain: Some("acme".into()), user: Some("ops".into()), ..Tenant::default() }, "what differs is left out");
    let at = now().plus_days(3);
    let packages: Vec<Package> =
        ["a", "b", "c"].iter().map(|id| Package { expiry: Expiry::At(at), ..Package::new(Service::Hss, *id, "hss.version.basic") }).collect();
    let scope = Scope::Everything;
    let owners = [&north, &east, &east];
    // Each package once, naming every tab that read it: "b" two tabs of
    // cn-east-3 (a project and its subproject), its first tab's region.
    let seen_in: Vec<Vec<String>> =
        vec![vec!["1. acme · cn-north-4".into()], vec!["2. acme · cn-east-3".into(), "3. acme · cn-east-3_dev".into()], vec!["2. acme · cn-east-3".into()]];
    let billing = BillingRead::default();
    let report = Report {
        generated_at: now(),
        tenant: &shared,
        tenant_of: &owners,
        seen_in: &seen_in,
        billing: &billing,
        thresholds: Thresholds::default(),
        packages: &packages,
        errors: &[],
        scope: &scope,
        since: None,
    };
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(doc["tenant"]["region"], Value::Null);
    assert_eq!(doc["tenant"]["domain"], "acme");
    let regions: Vec<&str> = doc["packages"].as_array().unwrap().iter().map(|p| p["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["cn-north-4", "cn-east-3", "cn-east-3"]);
    let csv = read_csv(&report.to_csv());
    let column = CSV_HEADERS.iter().position(|h| *h == "Region").unwrap();
    assert_eq!(csv.iter().skip(1).map(|row| row[column].as_str()).collect::<Vec<_>>(), ["cn-north-4", "cn-east-3", "cn-east-3"]);
    // v4: the tabs, as a list in JSON and in one cell in CSV.
    assert_eq!(doc["packages"][1]["seen_in"], serde_json::json!(["2. acme · cn-east-3", "3. acme · cn-east-3_dev"]));
    assert_eq!(doc["packages"][0]["seen_in"], serde_json::json!(["1. acme · cn-north-4"]));
    let column = CSV_HEADERS.iter().position(|h| *h == "Seen in").unwrap();
    assert_eq!(csv[2][column], "2. acme · cn-east-3; 3. acme · cn-east-3_dev");
    let ics = report.to_ics(0).replace("\r\n ", "");
    assert!(ics.contains(r"(ID a)\, expires 2026-11-25T08:00:00Z\, in cn-north-4\n"), "{ics}");
    assert!(ics.contains(r"(ID b)\, expires 2026-11-25T08:00:00Z\, in cn-east-3\n"), "{ics}");
    // Named by the projects together: another account's never replace these.
    let uid = |r: &Report| r.to_ics(0).replace("\r\n ", "").lines().find(|l| l.starts_with("UID:")).map(str::to_string).unwrap();
    let mine = uid(&report);
    assert!(mine.starts_with("UID:hss-20261125-all-") && mine.ends_with("@tenantscope"), "{mine}");
    let other = Tenant { project_id: Some("p-other".into()), ..east.clone() };
    let theirs = [&north, &other, &other];
    assert_ne!(uid(&Report { tenant_of: &theirs, ..report }), mine);
}
