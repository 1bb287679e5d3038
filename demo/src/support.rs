//! What the unit tests of every file share (test builds only): a fixed
//! instant, the demo's headers, and calls of [`respond`] (a GET, or a POST
//! of billing's with [`post`]) with their replies.

use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;
use tenantscope_catalog::Route;
use time::macros::datetime;
use time::{Date, Month, OffsetDateTime, Time};

use super::{Answer, Call, Reply, DEMO_CODEARTS_PROJECT_ID, DEMO_PROJECT_ID, DEMO_REGION, DEMO_TOKEN};

/// The demo's answer to `route` called with no body, in its usual region
/// (billing's at the account's site, `global`).
pub(super) fn respond(route: Route, param: Option<&str>, path: &str, query: Option<&str>, headers: &HeaderMap, now: OffsetDateTime) -> Reply {
    let region = if route == Route::BssResources { tenantscope_catalog::BILLING_CN } else { DEMO_REGION };
    super::respond(&Call { route, region, param, path, query, headers, body: b"" }, now)
}

/// The demo's answer to billing's POST of `body` at `site`.
pub(super) fn post(site: &str, body: &[u8], headers: &HeaderMap) -> Reply {
    let route = Route::BssResources;
    super::respond(&Call { route, region: site, param: None, path: route.template(), query: None, headers, body }, NOW)
}

pub(super) const NOW: OffsetDateTime = datetime!(2025-07-08 14:36:32.123456 UTC);

pub(super) fn headers(token: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(token) = token {
        let value = HeaderValue::from_str(token).unwrap();
        headers.insert("x-auth-token", value.clone());
        headers.insert("x-subject-token", value);
    }
    headers
}

pub(super) fn param(route: Route) -> Option<&'static str> {
    match route {
        Route::TestplanPackages => Some(DEMO_CODEARTS_PROJECT_ID),
        r if r.template().contains('{') => Some(DEMO_PROJECT_ID),
        _ => None,
    }
}

/// The upstream path of a call of `route` with [`param`]'s parameter: the
/// route template filled in, as the proxy rebuilds it and the console signs it.
pub(super) fn path(route: Route) -> String {
    let template = route.template();
    match (template.find('{'), template.find('}'), param(route)) {
        (Some(open), Some(close), Some(value)) => format!("{}{value}{}", &template[..open], &template[close + 1..]),
        _ => template.to_string(),
    }
}

/// A reply's status and JSON body; no header.
pub(super) fn parsed(reply: Reply) -> Answer {
    assert_eq!(reply.retry_after, None, "{reply:?}");
    let body = serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body));
    (reply.status, body)
}

pub(super) fn call_at(route: Route, query: &str, now: OffsetDateTime) -> Answer {
    let query = (!query.is_empty()).then_some(query);
    parsed(respond(route, param(route), &path(route), query, &headers(Some(DEMO_TOKEN)), now))
}

pub(super) fn call(route: Route, query: &str) -> Answer {
    call_at(route, query, NOW)
}

/// The reply to `token` (also the subject token), unparsed.
pub(super) fn reply(route: Route, query: &str, token: &str) -> Reply {
    let query = (!query.is_empty()).then_some(query);
    respond(route, param(route), &path(route), query, &headers(Some(token)), NOW)
}

pub(super) fn call_ok(route: Route, query: &str) -> Value {
    let (status, body) = call(route, query);
    assert_eq!(status, StatusCode::OK, "{route:?}?{query}: {body}");
    body
}

pub(super) fn strings<'a>(items: &'a [Value], key: &str) -> Vec<&'a str> {
    items.iter().map(|item| item[key].as_str().unwrap()).collect()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` strictly (the crate has no
/// `time` parsing feature).
pub(super) fn parse_utc(text: &str) -> Option<OffsetDateTime> {
    let text = text.strip_suffix('Z')?;
    let (date, clock) = text.split_once('T')?;
    let num = |s: &str| s.parse::<i64>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
    let mut d = date.split('-');
    let (year, month, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let (hms, micros) = match clock.split_once('.') {
        Some((hms, frac)) if frac.len() == 6 => (hms, num(frac)?),
        Some(_) => return None,
        None => (clock, 0),
    };
    let mut c = hms.split(':');
    let (h, m, s) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
    let date = Date::from_calendar_date(year as i32, Month::try_from(month as u8).ok()?, day as u8).ok()?;
    let time = Time::from_hms_micro(h as u8, m as u8, s as u8, micros as u32).ok()?;
    Some(date.with_time(time).assume_utc())
}
