//! CodeArts TestPlan, `GET /v1/projects/{service_id}/package/status`
//! (ShowEchoTestPackageUsing): its wire model and its packages.
//!
//! The body is `{"status","result":[...]}` in current docs and a bare array
//! in older docs and SDKs; times are epoch milliseconds (number or string)
//! or datetime strings (docs/huawei-apis.md §2.1).

use serde::Deserialize;
use serde_json::Value;
use tenantscope_catalog::Service;

use super::lenient::{decode, decode_any, Flag, List, Num, Text};
use super::{epoch_or_datetime, status_word};
use crate::api::ApiError;
use crate::domain::{Expiry, Package};

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    result: List<Item>,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    resource_id: Text,
    #[serde(default)]
    spec_code: Text,
    #[serde(default)]
    resource_status: Text,
    #[serde(default)]
    resource_used: Num,
    #[serde(default)]
    original_amount: Num,
    #[serde(default)]
    expiration_time: Option<Value>,
    #[serde(default)]
    start_time: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    package_user: Flag,
}

/// The packages of one answer.
pub fn packages(body: &Value) -> Result<Vec<Package>, ApiError> {
    let items = if body.is_array() {
        decode_any::<List<Item>>(Service::Testplan, body)?.0
    } else {
        decode::<Envelope>(Service::Testplan, body)?.result.0
    };
    Ok(items.into_iter().enumerate().map(|(i, item)| package(i, item)).collect())
}

fn package(index: usize, item: Item) -> Package {
    let name = item.spec_code.owned().unwrap_or_else(|| "TestPlan package".into());
    // Items without resource_id exist in the documented example: fall back to
    // the spec code and position so ids stay distinct.
    let id = item.resource_id.owned().unwrap_or_else(|| format!("{name}#{index}"));
    let raw_status = item.resource_status.owned();
    let mut p = Package::new(Service::Testplan, id, name);
    // normal / freeze / close (doc: 套餐状态).
    p.status = status_word(raw_status.as_deref());
    p.raw_status = raw_status;
    p.used = item.resource_used.get();
    p.total = item.original_amount.get();
    p.starts_at = item.start_time.as_ref().and_then(epoch_or_datetime);
    p.expiry = item.expiration_time.as_ref().and_then(epoch_or_datetime).map_or(Expiry::Unknown, Expiry::At);
    p
}
