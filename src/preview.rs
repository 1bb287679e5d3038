//! A first, lenient reading of each service's answer as plain rows (name,
//! status, usage, expiry), read straight from the JSON with every documented
//! field-name variant (docs/huawei-apis.md §2). It never panics: a missing or
//! oddly typed field leaves its cell empty.

use serde_json::{Map, Value};
use tenantscope_catalog::Service;

/// One package, quota or order as a plain row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub status: String,
    pub usage: String,
    pub expires: String,
}

/// The rows of one answer, and the total the service reports when it pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    pub rows: Vec<Row>,
    pub total: Option<u64>,
}

pub fn preview(service: Service, body: &Value) -> Preview {
    match service {
        Service::Testplan => testplan(body),
        Service::Codecheck => codecheck(body),
        Service::Metastudio => metastudio(body),
        Service::Dsc => dsc(body),
        Service::Hss => hss(body),
        Service::Iam | Service::Projectman => Preview { rows: Vec::new(), total: None },
    }
}

/// The first of `keys` present as a string or number, as text.
fn text(obj: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| obj.get(*k))
        .find_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

fn number(obj: &Map<String, Value>, keys: &[&str]) -> Option<f64> {
    keys.iter().filter_map(|k| obj.get(*k)).find_map(|v| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn objects<'a>(value: Option<&'a Value>) -> impl Iterator<Item = &'a Map<String, Value>> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object)
}

fn usage(used: Option<f64>, total: Option<f64>, unit: &str) -> String {
    let fmt = |n: f64| if n.fract() == 0.0 { format!("{n:.0}") } else { format!("{n:.2}") };
    match (used, total) {
        (Some(u), Some(t)) => format!("{} / {} {unit}", fmt(u), fmt(t)).trim_end().to_string(),
        (None, Some(t)) => format!("{} {unit}", fmt(t)).trim_end().to_string(),
        _ => String::new(),
    }
}

/// An expiry given as epoch milliseconds (number or numeric string) or as a
/// datetime string; `-1` means never (HSS).
fn expiry(value: Option<&Value>) -> String {
    let millis = match value {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(ms) => Some(ms),
            Err(_) => return s.chars().take(10).collect(),
        },
        _ => None,
    };
    match millis {
        Some(-1) => "never".into(),
        Some(ms) if ms > 0 => date_of_epoch_ms(ms),
        _ => String::new(),
    }
}

/// `YYYY-MM-DD` (UTC) of an epoch instant in milliseconds.
pub fn date_of_epoch_ms(ms: i64) -> String {
    // Days to civil date: Howard Hinnant's algorithm (public domain,
    // http://howardhinnant.github.io/date_algorithms.html#civil_from_days).
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn testplan(body: &Value) -> Preview {
    // Current docs wrap the list in {"status","result"}; older ones return a bare array.
    let list = if body.is_array() { Some(body) } else { body.get("result") };
    let rows = objects(list)
        .map(|o| Row {
            id: text(o, &["resource_id"]),
            name: text(o, &["spec_code"]),
            status: text(o, &["resource_status"]),
            usage: usage(number(o, &["resource_used"]), number(o, &["original_amount"]), ""),
            expires: expiry(o.get("expiration_time")),
        })
        .collect();
    Preview { rows, total: None }
}

fn codecheck(body: &Value) -> Preview {
    let result = body.get("result").unwrap_or(body);
    let remain = result.get("tips").and_then(|t| t.get("next_action_remain_day")).and_then(Value::as_i64);
    let main = objects(result.get("main_resource_list")).map(|o| Row {
        id: text(o, &["resourceId", "resource_id"]),
        name: text(o, &["resourceSpecCode", "resource_spec_code", "specCode"]),
        status: text(o, &["status", "resourceStatus"]),
        usage: String::new(),
        expires: remain.map(|d| format!("in {d} days")).unwrap_or_default(),
    });
    let other = objects(result.get("other_resource_list")).map(|o| Row {
        id: text(o, &["resourceId", "resource_id"]),
        name: text(o, &["specCode", "resourceSpecCode", "spec_code"]),
        status: text(o, &["resourceStatus", "status", "resource_status"]),
        usage: usage(None, number(o, &["amount"]), ""),
        expires: String::new(),
    });
    let mut rows: Vec<Row> = Vec::new();
    // The same package may be listed as main and other resource: show it once.
    for row in main.chain(other) {
        if !rows.iter().any(|r| r.name == row.name && !r.name.is_empty()) {
            rows.push(row);
        }
    }
    Preview { rows, total: None }
}

fn metastudio(body: &Value) -> Preview {
    let rows = objects(body.get("resources"))
        .map(|o| Row {
            id: text(o, &["resource_id"]),
            name: text(o, &["resource_type"]),
            status: match number(o, &["status"]) {
                Some(s) if s == 0.0 => "normal".into(),
                Some(s) if s == 1.0 => "frozen".into(),
                _ => text(o, &["status"]),
            },
            usage: usage(number(o, &["usage"]), number(o, &["amount"]), &text(o, &["unit"])),
            expires: expiry(o.get("resource_expire_time")),
        })
        .collect();
    Preview { rows, total: body.get("count").and_then(Value::as_f64).map(|c| c as u64) }
}

fn dsc(body: &Value) -> Preview {
    let orders = ["order_infos", "orderInfos", "orderInfo"].iter().find_map(|k| body.get(*k));
    let rows = objects(orders)
        .map(|o| {
            let info = o.get("product_info").or_else(|| o.get("productInfo"));
            let info = match info {
                Some(Value::Array(items)) => items.first().and_then(Value::as_object),
                Some(v) => v.as_object(),
                None => None,
            };
            let empty = Map::new();
            let info = info.unwrap_or(&empty);
            let period = match text(o, &["period_type", "periodType"]).as_str() {
                "2" => "month",
                "3" => "year",
                _ => "period",
            };
            let num = text(o, &["period_num", "periodNum"]);
            Row {
                id: text(o, &["resource_id", "resourceId"]),
                name: {
                    let spec = text(info, &["resource_spec_code", "resourceSpecCode"]);
                    if spec.is_empty() { text(info, &["resource_type", "resourceType"]) } else { spec }
                },
                status: if num.is_empty() { String::new() } else { format!("{num} {period}(s)") },
                usage: usage(
                    number(info, &["usage_value", "usageValue"]),
                    number(info, &["resource_size", "resourceSize"]),
                    "",
                ),
                expires: String::new(),
            }
        })
        .collect();
    Preview { rows, total: None }
}

fn hss(body: &Value) -> Preview {
    let rows = objects(body.get("data_list"))
        .map(|o| Row {
            id: text(o, &["resource_id"]),
            name: text(o, &["version"]),
            status: format!("{} · {}", text(o, &["quota_status"]), text(o, &["used_status"])),
            usage: text(o, &["host_name"]),
            expires: expiry(o.get("expire_time")),
        })
        .collect();
    Preview { rows, total: body.get("total_num").and_then(Value::as_u64) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn epoch_dates() {
        assert_eq!(date_of_epoch_ms(0), "1970-01-01");
        assert_eq!(date_of_epoch_ms(951_782_400_000), "2000-02-29");
        assert_eq!(date_of_epoch_ms(1_767_225_599_000), "2025-12-31");
        assert_eq!(date_of_epoch_ms(-86_400_000), "1969-12-31");
    }

    #[test]
    fn testplan_both_shapes() {
        let item = json!({"spec_code":"codearts.testplan.china.pro","resource_status":"normal","resource_used":3,"original_amount":50,"expiration_time":1767225599000_i64});
        for body in [json!({"status":"ok","result":[item.clone()]}), json!([item])] {
            let p = preview(Service::Testplan, &body);
            assert_eq!(p.rows.len(), 1);
            assert_eq!(p.rows[0].usage, "3 / 50");
            assert_eq!(p.rows[0].expires, "2025-12-31");
        }
        let s = preview(Service::Testplan, &json!([{"expiration_time":"2025-03-01 10:00:00"}]));
        assert_eq!(s.rows[0].expires, "2025-03-01");
    }

    #[test]
    fn codecheck_dedups_main_and_other() {
        let body = json!({"result":{"main_resource_list":[{"resourceSpecCode":"codearts.china.enterprise","status":"normal"}],
            "other_resource_list":[{"specCode":"codearts.china.enterprise","amount":"20"},{"specCode":"devcloud.codecheck.sec.professional","resourceStatus":"normal","amount":"1"}],
            "tips":{"next_action_remain_day":25}}});
        let p = preview(Service::Codecheck, &body);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].expires, "in 25 days");
        assert_eq!(p.rows[1].usage, "1");
    }

    #[test]
    fn dsc_every_casing() {
        for body in [
            json!({"order_infos":[{"period_type":"2","period_num":1,"product_info":{"resource_spec_code":"base_professional"}}]}),
            json!({"orderInfos":[{"periodType":2,"periodNum":1,"productInfo":[{"resourceSpecCode":"base_professional"}]}]}),
            json!({"orderInfo":[{"periodType":2,"periodNum":1,"productInfo":{"resourceSpecCode":"base_professional"}}]}),
        ] {
            let p = preview(Service::Dsc, &body);
            assert_eq!(p.rows[0].name, "base_professional", "{body}");
            assert_eq!(p.rows[0].status, "1 month(s)", "{body}");
        }
    }

    #[test]
    fn hss_and_metastudio_totals() {
        let hss_body = json!({"total_num":420,"data_list":[{"version":"hss.version.wtp","quota_status":"normal","used_status":"used","expire_time":-1}]});
        let p = preview(Service::Hss, &hss_body);
        assert_eq!((p.total, p.rows[0].expires.as_str()), (Some(420), "never"));
        let ms = json!({"count":160.0,"resources":[{"resource_type":"x","status":1,"usage":2.5,"amount":10,"unit":"HOUR","resource_expire_time":"2021-01-10T08:43:17Z"}]});
        let p = preview(Service::Metastudio, &ms);
        assert_eq!(p.total, Some(160));
        assert_eq!(p.rows[0], Row { id: String::new(), name: "x".into(), status: "frozen".into(), usage: "2.50 / 10 HOUR".into(), expires: "2021-01-10".into() });
    }

    #[test]
    fn garbage_never_panics() {
        for body in [json!(null), json!(42), json!("x"), json!({"result":7}), json!({"data_list":[1,null,{}]}), json!({"order_infos":{"a":1}})] {
            for s in Service::PACKAGES {
                let _ = preview(s, &body);
            }
        }
    }
}
