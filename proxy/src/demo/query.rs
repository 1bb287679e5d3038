//! Query strings: the parser and its form-style percent-decoding, and the
//! paging window the long lists are cut with.

use std::ops::RangeInclusive;

/// A decoded query string. The first occurrence of a key wins.
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    pub(super) fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Query(pairs)
    }

    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// An integer parameter: `default` when absent, `Err` when present but
    /// not a decimal integer within `range`.
    pub(super) fn bounded(&self, key: &str, range: RangeInclusive<i64>, default: i64) -> Result<i64, ()> {
        match self.get(key) {
            None => Ok(default),
            Some(text) => text.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or(()),
        }
    }

    /// The values of a comma-separated list parameter (empty when absent).
    pub(super) fn list(&self, key: &str) -> Vec<&str> {
        self.get(key).into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty()).collect()
    }
}

/// Form-style decoding (`+` is a space, `%XX` a byte); malformed escapes are
/// kept as they are and invalid UTF-8 is replaced, never refused.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' => bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok().and_then(|h| u8::from_str_radix(h, 16).ok())),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `[offset, offset + limit)` window of `items`, clipped to its length.
pub(super) fn page<T>(items: &[T], offset: i64, limit: i64) -> &[T] {
    let start = usize::try_from(offset).unwrap_or(0).min(items.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(items.len());
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use tenantscope_catalog::Route;

    use super::super::support::{call, call_ok};
    use super::*;

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
        assert_eq!(percent_decode("a%2Cb+c%2"), "a,b c%2");
        assert_eq!(
            call_ok(Route::MetastudioResources, "resource_source=PURCHASED&limit=%31%30")["resources"]
                .as_array()
                .unwrap()
                .len(),
            10
        );
    }
}
