//! Query strings: each route's parameters read into its own struct with
//! `serde_urlencoded` (the decoder behind axum's `Query`), the integer and
//! list parameters those structs hold, and the paging window the long lists
//! are cut with.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// The parameters `T` of a raw query string (without `?`), read with
/// `serde_urlencoded`: form decoding (`+` is a space, `%XX` a byte, a
/// malformed escape is kept as it is and invalid UTF-8 is replaced, never
/// refused; any other byte, a space, `#` or non-ASCII text from a direct
/// caller, is read as it is), unknown keys ignored, and of a key given more
/// than once the first wins. `T`'s fields are `Option`s of text or [`Int`],
/// which accept any value, so reading never fails; a value a route refuses
/// is its own answer.
pub(super) fn params<T: DeserializeOwned + Default>(raw: Option<&str>) -> T {
    let raw = raw.unwrap_or_default();
    // serde_urlencoded refuses a repeated field: keep each key's first
    // piece. The form parser yields one pair per non-empty `&`-piece, in
    // order (WHATWG URL, application/x-www-form-urlencoded parsing), so the
    // pieces and the decoded keys line up.
    let pieces = raw.split('&').filter(|piece| !piece.is_empty());
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(raw) else { return T::default() };
    let mut seen = HashSet::new();
    let first: Vec<&str> = pieces.zip(&pairs).filter(|(_, (key, _))| seen.insert(key)).map(|(piece, _)| piece).collect();
    serde_urlencoded::from_str(&first.join("&")).unwrap_or_default()
}

/// An integer parameter as sent: a decimal `i64` (Rust's `parse`: an
/// optional sign, digits), or `Err` for any other text. Kept apart from
/// the other fields so that one bad value neither hides the others nor
/// fails the whole query: each route checks its parameters in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Int(Result<i64, ()>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Int, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Int(text.parse().map_err(drop)))
    }
}

/// An integer parameter: `default` when absent, `Err` when present but not a
/// decimal integer within `range`.
pub(super) fn bounded(value: Option<Int>, range: RangeInclusive<i64>, default: i64) -> Result<i64, ()> {
    match value {
        None => Ok(default),
        Some(Int(number)) => number.ok().filter(|n| range.contains(n)).ok_or(()),
    }
}

/// The values of a comma-separated list parameter, trimmed, without empty
/// ones (none when absent).
pub(super) fn list(value: Option<&str>) -> Vec<&str> {
    value.into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty()).collect()
}

/// The `[offset, offset + limit)` window of `items`, clipped to its length.
pub(super) fn page<T>(items: &[T], offset: i64, limit: i64) -> &[T] {
    let start = usize::try_from(offset).unwrap_or(0).min(items.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(items.len());
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use tenantscope_catalog::Route;

    use super::super::support::{call, call_ok};
    use super::*;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    struct Sample {
        text: Option<String>,
        number: Option<Int>,
    }

    fn sample(raw: &str) -> Sample {
        params(Some(raw))
    }

    #[test]
    fn params_are_form_decoded_first_wins_unknown_ignored() {
        let text = |raw: &str| sample(raw).text;
        assert_eq!(text("text=a%2Cb+c%2"), Some("a,b c%2".into()));
        assert_eq!(text("text=%zz%4&text=second"), Some("%zz%4".into()));
        assert_eq!(text("t%65xt=x"), Some("x".into()));
        assert_eq!(text("text=%FF"), Some("\u{FFFD}".into()));
        assert_eq!(text("text"), Some(String::new()));
        assert_eq!(text("text=a=b"), Some("a=b".into()));
        // Bytes no URI holds read as they are.
        assert_eq!(text("text=a b#c\0\u{1F600}"), Some("a b#c\0\u{1F600}".into()));
        assert_eq!(text("other=1&&=&text=%26"), Some("&".into()));
        assert_eq!(sample(""), Sample::default());
        assert_eq!(sample("&&&"), Sample::default());
        assert_eq!(sample("number=12&number=x").number, Some(Int(Ok(12))));
        assert_eq!(sample("number=x&number=12").number, Some(Int(Err(()))));
        for bad in ["", "x", "1e2", "+10", "1%20", "99999999999999999999"] {
            assert_eq!(sample(&format!("number={bad}")).number, Some(Int(Err(()))), "{bad}");
        }
        assert_eq!(sample("number=%2B10").number, Some(Int(Ok(10))));
        assert_eq!(sample("number=-0").number, Some(Int(Ok(0))));
        assert_eq!(bounded(sample("number=%31%30").number, 1..=10, 5), Ok(10));
        assert_eq!(bounded(None, 1..=10, 5), Ok(5));
        assert_eq!(bounded(Some(Int(Ok(11))), 1..=10, 5), Err(()));
        assert_eq!(list(Some(" a ,,b,")), ["a", "b"]);
        assert!(list(None).is_empty());
    }

    #[test]
    fn odd_queries_never_panic() {
        let queries = [
            "%",
            "%%",
            "%zz",
            "%+1",
            "=",
            "&&&",
            "==&=",
            "limit",
            "limit=%FF%FE",
            "resource_source=%C3%28",
            "limit=+10",
            "limit=-0",
            "offset=9223372036854775808",
            "limit=1&limit=abc",
            "resource_source=PURCHASED&limit=%31%30",
            "a=b=c",
            "offset=\u{1F600}",
            "limit=\0",
        ];
        for route in Route::ALL {
            for query in queries {
                let (status, body) = call(route, query);
                assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{route:?}?{query}: {status}");
                assert!(body.is_object(), "{route:?}?{query}");
            }
        }
        assert_eq!(call_ok(Route::MetastudioResources, "resource_source=PURCHASED&limit=%31%30")["resources"].as_array().unwrap().len(), 10);
    }
}
