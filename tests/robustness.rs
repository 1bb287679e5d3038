//! Property tests: no input, however malformed, panics a parser. Values are
//! built from the field names the services really use, so the generated
//! JSON reaches deep into every model instead of failing at the top.

use proptest::prelude::*;
use serde_json::{Map, Value};
use tenantscope::api::ApiError;
use tenantscope::domain::Instant;
use tenantscope::services::{codecheck, dsc, hss, iam, metastudio, projectman, testplan};

const KEYS: &[&str] = &[
    "result",
    "status",
    "resource_id",
    "spec_code",
    "resource_status",
    "resource_used",
    "original_amount",
    "expiration_time",
    "start_time",
    "duration",
    "supportedLanguage",
    "supportedLanguages",
    "main_resource_list",
    "other_resource_list",
    "tips",
    "next_action_remain_day",
    "resourceSpecCode",
    "specCode",
    "resourceId",
    "resourceStatus",
    "amount",
    "chargeType",
    "createTime",
    "resources",
    "count",
    "resource_type",
    "business_type",
    "charging_mode",
    "resource_expire_time",
    "usage",
    "unit",
    "orderInfo",
    "orderInfos",
    "order_infos",
    "periodType",
    "period_type",
    "periodNum",
    "period_num",
    "productInfo",
    "product_info",
    "resource_size",
    "resourceSize",
    "usage_value",
    "resource_spec_code",
    "data_list",
    "total_num",
    "quota_statistics_list",
    "version",
    "quota_status",
    "used_status",
    "expire_time",
    "create_time",
    "host_name",
    "token",
    "project",
    "user",
    "domain",
    "name",
    "id",
    "expires_at",
    "issued_at",
    "projects",
    "project_id",
    "project_name",
    "error",
    "error_code",
    "error_msg",
    "code",
    "message",
    "enabled",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(-1)),
        Just(Value::from(1_767_225_599_000_i64)),
        ".{0,12}".prop_map(Value::String),
        "[0-9]{1,20}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?".prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8)
                .prop_map(|pairs| { Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>()) }),
        ]
    })
}

fn every_parser(body: &Value) {
    let now = Instant::from_millis(1_800_000_000_000);
    let _ = testplan::packages(body);
    let _ = codecheck::packages(body, now);
    let _ = metastudio::page(body);
    let _ = dsc::packages(body);
    let _ = hss::page(body);
    let _ = iam::token_info(body);
    let _ = iam::projects(body);
    let _ = projectman::projects(body);
    let _ = ApiError::from_body(400, Some(body), None);
    // Wrapped the way the services wrap their lists, to reach the items.
    for key in ["result", "data_list", "resources", "order_infos", "orderInfo", "projects", "token"] {
        let wrapped = Value::Object(Map::from_iter([(key.to_string(), body.clone())]));
        let _ = testplan::packages(&wrapped);
        let _ = codecheck::packages(&wrapped, now);
        let _ = metastudio::page(&wrapped);
        let _ = dsc::packages(&wrapped);
        let _ = hss::page(&wrapped);
        let _ = iam::token_info(&wrapped);
        for p in [testplan::packages(&wrapped), dsc::packages(&wrapped)].into_iter().flatten().flatten() {
            let _ = p.usage_ratio();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(body in json()) {
        every_parser(&body);
    }

    #[test]
    fn arbitrary_text_never_panics_time_or_error_parsing(text in "\\PC{0,40}") {
        let _ = Instant::parse(&text);
        let _ = ApiError::from_body(500, tenantscope::api::parse_json(&text).ok().as_ref(), Some(text.clone()));
    }

    #[test]
    fn parsed_instants_round_trip(ms in 0_i64..253_402_300_799_000) {
        let instant = Instant::from_millis(ms - ms % 1000);
        prop_assert_eq!(Instant::parse(&instant.rfc3339()), Some(instant));
    }
}
