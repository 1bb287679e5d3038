//! Huawei Cloud's request signing with access keys, SDK-HMAC-SHA256
//! (docs/huawei-apis.md §4; the Go SDK's core/auth/signer/signer.go and the
//! API signing guide, api-sign-algorithm-003 and -005): the canonical
//! request, the string to sign, the signature and the `Authorization`
//! header. Pure: the caller gives the time, the request and the keys, so
//! that the published vectors are reproduced natively. The
//! secret key is only read here, never kept or returned.
//!
//! One crate for both sides: the console signs with it in the browser, and
//! the proxy's demo tenant verifies with it ([`parse_authorization`],
//! [`query_pairs`], [`parse_sdk_date`]) from the request as received, so a
//! path or query the proxy changed on the way fails there as it would at
//! the gateway.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm's name, first in the string to sign and the header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// A request as it is signed: what the upstream receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path, decoded (`/v1/{project}/vpcs`); each segment is encoded
    /// for the canonical URI.
    pub path: &'a str,
    /// The query, decoded, in any order; repeated keys allowed.
    pub query: &'a [(&'a str, &'a str)],
    /// The headers to sign, any case; `x-sdk-date` must be among them.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// `s` percent-encoded as the signer does: the unreserved characters of
/// RFC 3986 (`A–Z a–z 0–9 - _ . ~`) kept, every other byte `%XX` upper-case
/// (a space is `%20`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0').to_ascii_uppercase());
            out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0').to_ascii_uppercase());
        }
    }
    out
}

/// The canonical URI: each segment encoded, and a `/` at the end when the
/// path has none (the Go SDK's rule, which the gateway checks).
pub fn canonical_uri(path: &str) -> String {
    let mut uri = path.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query: sorted by key, then by value, each encoded,
/// `k=v` joined by `&` (empty when there is no query).
pub fn canonical_query(query: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = query.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    // Sorting the encoded pairs sorts by key, then value, as the Go SDK
    // does (it sorts the decoded keys; unreserved characters and `%XX`
    // order the same way for the ASCII keys these APIs use).
    // Unstable: equal pairs are the same text, and the unstable sort's
    // code is the smaller in the console's wasm chunk (as below).
    pairs.sort_unstable();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// The signed headers' names, lower-case, sorted and deduplicated, joined
/// by `;`.
pub fn signed_headers(headers: &[(&str, &str)]) -> String {
    let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(";")
}

/// `lower(name):trim(value)` for each header, sorted by name (values of a
/// repeated name sorted too), each line ending in `\n`.
fn canonical_headers(headers: &[(&str, &str)]) -> String {
    let mut lines: Vec<(String, &str)> = headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.trim())).collect();
    lines.sort_unstable();
    lines.iter().map(|(n, v)| format!("{n}:{v}\n")).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical request: method, URI, query, headers, signed headers and
/// the hex SHA-256 of the body, one per line.
pub fn canonical_request(r: &Request) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        r.method.to_ascii_uppercase(),
        canonical_uri(r.path),
        canonical_query(r.query),
        canonical_headers(r.headers),
        signed_headers(r.headers),
        hex(&Sha256::digest(r.body)),
    )
}

/// What is signed: the algorithm, the `X-Sdk-Date` (`20191115T033655Z`) and
/// the hex SHA-256 of the canonical request.
pub fn string_to_sign(sdk_date: &str, canonical: &str) -> String {
    format!("{ALGORITHM}\n{sdk_date}\n{}", hex(&Sha256::digest(canonical.as_bytes())))
}

/// The signature: hex HMAC-SHA256 of the string to sign, keyed by the
/// secret key's bytes (no key derivation).
pub fn signature(secret_key: &str, to_sign: &str) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) else { return String::new() };
    mac.update(to_sign.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The `Authorization` header of `r`, dated `sdk_date` (which must be the
/// request's `x-sdk-date` header).
pub fn authorization(access_key: &str, secret_key: &str, sdk_date: &str, r: &Request) -> String {
    let to_sign = string_to_sign(sdk_date, &canonical_request(r));
    format!("{ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={}", signed_headers(r.headers), signature(secret_key, &to_sign))
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…,
/// SignedHeaders=…, Signature=…` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub access_key: &'a str,
    /// Lower-case names joined by `;`, as signed.
    pub signed_headers: &'a str,
    pub signature: &'a str,
}

/// Reads an `Authorization` header of this algorithm (`None` for any other
/// scheme or a part missing); the parts may come in any order.
pub fn parse_authorization(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let (mut access_key, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        match name {
            "Access" => access_key = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    Some(Authorization { access_key: access_key?, signed_headers: signed_headers?, signature: signature? })
}

/// `s` percent-decoded (`+` is a plus: the signer never writes a space as
/// `+`); `None` when a `%` is not followed by two hex digits or the bytes
/// are not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A raw query string (without `?`) as decoded pairs, for
/// [`canonical_query`]; a key without `=` has an empty value.
pub fn query_pairs(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// The `X-Sdk-Date` of a time in seconds since the Unix epoch, UTC:
/// `YYYYMMDDTHHMMSSZ`.
pub fn sdk_date(epoch_seconds: i64) -> String {
    let (days, secs) = (epoch_seconds.div_euclid(86_400), epoch_seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The seconds since the Unix epoch of an `X-Sdk-Date`; `None` when it is
/// not `YYYYMMDDTHHMMSSZ` with a real date and time.
pub fn parse_sdk_date(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = date.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, m, d, hh, mm, ss) = (num(0..4)?, num(4..6)?, num(6..8)?, num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || d < 1 || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // A day past the month's end (Feb 30) comes back as another date.
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official example (api-sign-algorithm-003/-005; docs/huawei-apis.md §4).
    #[test]
    fn the_official_vector() {
        let headers = [("Content-Type", "application/json"), ("Host", "service.region.example.com"), ("X-Sdk-Date", "20191115T033655Z")];
        let r = Request {
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: &[("marker", "13551d6b-755d-4757-b956-536f674975c0"), ("limit", "2")],
            headers: &headers,
            body: b"",
        };
        let canonical = canonical_request(&r);
        assert_eq!(
            canonical,
            "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n\
             content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n\
             content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(hex(&Sha256::digest(canonical.as_bytes())), "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a");
        let header = authorization("QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "20191115T033655Z", &r);
        assert_eq!(
            header,
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, \
             Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    /// The Go SDK's signer_test.go: only `x-sdk-date` signed (it leaves out
    /// the host, as the browser, which cannot set `Host`, must too).
    #[test]
    fn the_go_sdk_vectors() {
        let date = [("X-Sdk-Date", "20060102T150405Z")];
        let get = Request { method: "GET", path: "/path", query: &[("limit", "1")], headers: &date, body: b"" };
        assert!(authorization("AccessKey", "SecretKey", "20060102T150405Z", &get)
            .ends_with("SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"));
        let post = Request { method: "POST", path: "/path", query: &[("key", "value")], headers: &date, body: b"{\"Name\":\"test\",\"Id\":1}\n" };
        assert!(authorization("AccessKey", "SecretKey", "20060102T150405Z", &post)
            .ends_with("Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"));
    }

    #[test]
    fn paths_and_queries_are_encoded_segment_by_segment() {
        // Unicode and reserved characters, in a segment and in the query.
        assert_eq!(canonical_uri("/v1/项目/a b+c/"), "/v1/%E9%A1%B9%E7%9B%AE/a%20b%2Bc/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a~b-c_d.e"), "/a~b-c_d.e/");
        // Repeated keys sorted by value; empty values kept; `,` and `=` encoded.
        assert_eq!(
            canonical_query(&[("resource_source", "PURCHASED,SP_ALLOCATED"), ("b", ""), ("a", "2"), ("a", "1"), ("x y", "é=")]),
            "a=1&a=2&b=&resource_source=PURCHASED%2CSP_ALLOCATED&x%20y=%C3%A9%3D"
        );
        assert_eq!(canonical_query(&[]), "");
    }

    #[test]
    fn headers_are_trimmed_lowered_and_sorted() {
        let headers = [("X-Sdk-Date", " 20260101T000000Z "), ("X-Project-Id", "p1"), ("x-security-token", "t")];
        assert_eq!(signed_headers(&headers), "x-project-id;x-sdk-date;x-security-token");
        assert_eq!(canonical_headers(&headers), "x-project-id:p1\nx-sdk-date:20260101T000000Z\nx-security-token:t\n");
        // A different secret, or any byte of the request, changes the signature.
        let r = Request { method: "GET", path: "/v5/p1/billing/quotas-detail", query: &[("limit", "200")], headers: &headers, body: b"" };
        let a = authorization("AK", "SK", "20260101T000000Z", &r);
        assert_ne!(a, authorization("AK", "SK2", "20260101T000000Z", &r));
        assert_ne!(a, authorization("AK", "SK", "20260101T000000Z", &Request { query: &[("limit", "100")], ..r.clone() }));
        assert!(!a.contains("SK"), "the secret key is not in the header");
    }

    #[test]
    fn the_header_reads_back() {
        let h = "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-project-id;x-sdk-date, Signature=abc";
        assert_eq!(parse_authorization(h), Some(Authorization { access_key: "AK1", signed_headers: "x-project-id;x-sdk-date", signature: "abc" }));
        assert_eq!(parse_authorization("Bearer x"), None);
        assert_eq!(parse_authorization("SDK-HMAC-SHA256 Access=AK1, Signature=abc"), None);
        assert_eq!(parse_authorization("SDK-HMAC-SHA256X Access=AK1, SignedHeaders=a, Signature=abc"), None);
        let r = Request { method: "GET", path: "/v1/p/x", query: &[], headers: &[("X-Sdk-Date", "20260101T000000Z")], body: b"" };
        let signed = authorization("AK", "SK", "20260101T000000Z", &r);
        let read = parse_authorization(&signed).unwrap();
        assert_eq!((read.access_key, read.signed_headers), ("AK", "x-sdk-date"));
    }

    #[test]
    fn raw_queries_decode_to_what_was_signed() {
        let pairs = query_pairs("resource_source=PURCHASED,ADMIN_ALLOCATED&search=a%20b%26c&flag&x=%E9%A1%B9").unwrap();
        assert_eq!(
            pairs,
            [("resource_source", "PURCHASED,ADMIN_ALLOCATED"), ("search", "a b&c"), ("flag", ""), ("x", "项")].map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(query_pairs(""), Some(vec![]));
        assert_eq!(query_pairs("a=%4"), None);
        assert_eq!(query_pairs("a=%zz"), None);
        assert_eq!(query_pairs("a=%FF"), None);
        assert_eq!(decode("a+b"), Some("a+b".into()));
    }

    #[test]
    fn sdk_dates_both_ways() {
        assert_eq!(sdk_date(0), "19700101T000000Z");
        // The official vector's date, and the Go SDK's.
        assert_eq!(sdk_date(1_573_789_015), "20191115T033655Z");
        assert_eq!(sdk_date(1_136_214_245), "20060102T150405Z");
        assert_eq!(sdk_date(951_782_400), "20000229T000000Z");
        for t in [0, 1_573_789_015, 951_782_400, 4_102_444_799, 1_798_761_600] {
            assert_eq!(parse_sdk_date(&sdk_date(t)), Some(t), "{t}");
        }
        for bad in ["20190230T000000Z", "20191115T240000Z", "20191115 033655Z", "2019111T5033655Z", "20191315T033655Z", "2019-11-15T03:36Z", ""] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }
}
