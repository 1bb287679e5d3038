//! Access-key signed requests (SDK-HMAC-SHA256, docs/huawei-apis.md §4),
//! verified as API Gateway verifies them: the demo tenant's key pairs, and
//! [`verify`], which recomputes the signature with the console's own signer
//! (`tenantscope-sign`) from the request as the upstream would receive it:
//! the route's method, the path the proxy rebuilt, the query exactly as
//! sent, the signed headers' values, and the body's bytes (empty for a
//! GET; billing's JSON, whose SHA-256 the signature covers). So a path,
//! query or body changed on the way, a clock more than 15 minutes off or a
//! header left out of the signature fails here as it would at the gateway.
//!
//! The error codes are the gateway's (§6: `APIGW.0301` for credentials it
//! cannot read or does not know, `APIGW.0303` for a signature that does not
//! verify); where §6 gives no wording, the messages are illustrative (each
//! is marked).

use http::{HeaderMap, HeaderValue, StatusCode};
use tenantscope_sign::{parse_authorization, parse_sdk_date, query_pairs, Request};

use super::auth::error;
use super::Answer;

/// The demo tenant's permanent access key id (with [`DEMO_SECRET_ACCESS_KEY`]).
pub const DEMO_ACCESS_KEY_ID: &str = "DEMOACCESSKEYID00000";
/// The secret of [`DEMO_ACCESS_KEY_ID`].
pub const DEMO_SECRET_ACCESS_KEY: &str = "demo-secret-access-key";
/// The demo tenant's temporary access key id (with
/// [`DEMO_TEMP_SECRET_ACCESS_KEY`]): accepted only with
/// `X-Security-Token: `[`DEMO_SECURITY_TOKEN`], signed.
pub const DEMO_TEMP_ACCESS_KEY_ID: &str = "DEMOTEMPACCESSKEY000";
/// The secret of [`DEMO_TEMP_ACCESS_KEY_ID`].
pub const DEMO_TEMP_SECRET_ACCESS_KEY: &str = "demo-temporary-secret";
/// The security token of the temporary key pair.
pub const DEMO_SECURITY_TOKEN: &str = "demo-security-token";

/// How far `X-Sdk-Date` may be from the gateway's clock, either way.
const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// A key pair the demo knows: its secret, and whether it is temporary
/// (then it needs its security token, signed).
struct Key {
    secret: &'static str,
    temporary: bool,
}

fn key(access_key: &str) -> Option<Key> {
    match access_key {
        DEMO_ACCESS_KEY_ID => Some(Key { secret: DEMO_SECRET_ACCESS_KEY, temporary: false }),
        DEMO_TEMP_ACCESS_KEY_ID => Some(Key { secret: DEMO_TEMP_SECRET_ACCESS_KEY, temporary: true }),
        _ => None,
    }
}

/// Checks the `Authorization` signature of a `method` call of `path?query`
/// (the upstream path, the raw query without `?`) with `body`, received
/// with `headers` at `now`; `Err` is the gateway's 401.
pub(super) fn verify(
    authorization: &HeaderValue,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    now: time::OffsetDateTime,
) -> Result<(), Answer> {
    // Illustrative wording (§6 gives the code and its prefix only).
    let Some(auth) = authorization.to_str().ok().and_then(parse_authorization) else {
        return Err(iam_401("the Authorization header is not a readable SDK-HMAC-SHA256 signature"));
    };
    let Some(key) = key(auth.access_key) else {
        // Illustrative wording. Nothing the request sent is echoed: an
        // answer body is no place for a caller's text.
        return Err(iam_401("the access key is not known"));
    };
    let signed: Vec<&str> = auth.signed_headers.split(';').collect();
    if !signed.contains(&"x-sdk-date") {
        // Illustrative wording.
        return Err(app_401("x-sdk-date must be signed"));
    }
    let mut values: Vec<(&str, &str)> = Vec::with_capacity(signed.len());
    for &name in &signed {
        match headers.get(name).map(HeaderValue::to_str) {
            Some(Ok(value)) => values.push((name, value)),
            // Illustrative wording; the name is the caller's, not echoed.
            _ => return Err(app_401("a signed header is missing from the request")),
        }
    }
    let date = values.iter().find(|(n, _)| *n == "x-sdk-date").map_or("", |(_, v)| *v);
    let Some(at) = parse_sdk_date(date) else {
        // Illustrative wording.
        return Err(app_401("the request time (X-Sdk-Date) is not a valid time"));
    };
    if (at - now.unix_timestamp()).abs() > MAX_SKEW_SECONDS {
        // Illustrative wording.
        return Err(app_401("the request time (X-Sdk-Date) is off by more than 15 minutes"));
    }
    if key.temporary {
        let token = values.iter().find(|(n, _)| *n == "x-security-token").map(|(_, v)| *v);
        match token {
            Some(token) if token.trim() == DEMO_SECURITY_TOKEN => {}
            // Illustrative wording.
            Some(_) => return Err(iam_401("decrypt security token fail")),
            None => return Err(iam_401("a temporary access key needs its X-Security-Token, signed")),
        }
    }
    let Some(pairs) = query_pairs(query.unwrap_or("")) else { return Err(signature_fail()) };
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let request = Request { method, path, query: &pairs, headers: &values, body };
    let expected = tenantscope_sign::signature(key.secret, &tenantscope_sign::string_to_sign(date, &tenantscope_sign::canonical_request(&request)));
    if !same(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(signature_fail());
    }
    Ok(())
}

/// Equal bytes, in a time that depends on the lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut differ = u8::from(a.len() != b.len());
    for (x, y) in a.iter().zip(b) {
        differ |= x ^ y;
    }
    differ == 0
}

/// APIGW.0301: credentials the gateway cannot read or does not know.
fn iam_401(reason: &str) -> Answer {
    error(StatusCode::UNAUTHORIZED, "APIGW.0301", &format!("Incorrect IAM authentication information: {reason}"))
}

/// APIGW.0303: a signature that does not hold.
fn app_401(reason: &str) -> Answer {
    error(StatusCode::UNAUTHORIZED, "APIGW.0303", &format!("Incorrect app authentication information: {reason}"))
}

/// docs/huawei-apis.md §6: APIGW.0303 on a bad signature (the wording is
/// the gateway's).
fn signature_fail() -> Answer {
    app_401("verify aksk signature fail")
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tenantscope_catalog::Route;
    use tenantscope_sign::{authorization, query_pairs, sdk_date};

    use super::super::support::{headers, param, parsed, path, respond, NOW};
    use super::super::{Reply, DEMO_PROJECT_ID, DEMO_TOKEN};
    use super::*;

    /// A call of each route as the console makes it.
    const CALLS: [(Route, &str); 8] = [
        (Route::IamToken, "nocatalog=true"),
        (Route::IamProjects, ""),
        (Route::CodeartsProjects, "offset=0&limit=100"),
        (Route::TestplanPackages, ""),
        (Route::CodecheckPackages, "project_id=5d2f8a1b9c4e4f7a8b3c6e0d1a2f4b97"),
        (Route::MetastudioResources, "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0"),
        (Route::DscSpecification, ""),
        (Route::HssQuotas, "limit=200&offset=0&enterprise_project_id=all_granted_eps"),
    ];

    const PERMANENT: (&str, &str) = (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY);
    const TEMPORARY: (&str, &str) = (DEMO_TEMP_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY);

    /// What the console sends: `sent` (name, value, signed?) and the
    /// `Authorization` made with `tenantscope_sign::authorization` over
    /// `signed_path` and `signed_query` decoded, dated `date`.
    fn sign(signed_path: &str, signed_query: &str, (ak, sk): (&str, &str), date: &str, sent: &[(&str, &str, bool)]) -> HeaderMap {
        let pairs = query_pairs(signed_query).unwrap();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signed: Vec<(&str, &str)> = sent.iter().filter(|s| s.2).map(|&(n, v, _)| (n, v)).collect();
        let request = Request { method: "GET", path: signed_path, query: &pairs, headers: &signed, body: b"" };
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_str(&authorization(ak, sk, date, &request)).unwrap());
        for &(name, value, _) in sent {
            headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    /// The date `minutes` from [`NOW`].
    fn date(minutes: i64) -> String {
        sdk_date(NOW.unix_timestamp() + minutes * 60)
    }

    /// The headers the console signs with `key`: the date, the project for
    /// project routes, the security token for the temporary pair.
    fn console(route: Route, query: &str, key: (&str, &str)) -> HeaderMap {
        let date = date(0);
        let mut sent = vec![("X-Sdk-Date", date.as_str(), true)];
        if route.template().contains("{project_id}") {
            sent.push(("X-Project-Id", DEMO_PROJECT_ID, true));
        }
        if key == TEMPORARY {
            sent.push(("X-Security-Token", DEMO_SECURITY_TOKEN, true));
        }
        sign(&path(route), query, key, &date, &sent)
    }

    fn call(route: Route, query: &str, headers: &HeaderMap) -> Reply {
        respond(route, param(route), &path(route), (!query.is_empty()).then_some(query), headers, NOW)
    }

    fn refused(reply: Reply, code: &str) -> String {
        let (status, body) = parsed(reply);
        assert_eq!((status, body["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some(code)), "{body}");
        body["error_msg"].as_str().unwrap().to_string()
    }

    const SIGNATURE_FAIL: &str = "Incorrect app authentication information: verify aksk signature fail";

    #[test]
    fn the_right_signature_with_either_pair_is_answered_as_the_demo_token_on_every_route() {
        for key in [PERMANENT, TEMPORARY] {
            for (route, query) in CALLS {
                let signed = call(route, query, &console(route, query, key));
                if route == Route::IamToken {
                    // Nothing to introspect: no X-Subject-Token, as Keystone says.
                    let (status, body) = parsed(signed);
                    assert_eq!((status, &body["error"]["message"]), (StatusCode::BAD_REQUEST, &json!("Expecting to find X-Subject-Token in headers.")));
                    continue;
                }
                assert_eq!(signed.status, StatusCode::OK, "{} {route:?}?{query}: {}", key.0, signed.body);
                assert_eq!(signed, call(route, query, &headers(Some(DEMO_TOKEN))), "{route:?}?{query}");
            }
        }
        let (_, projects) = parsed(call(Route::IamProjects, "", &console(Route::IamProjects, "", PERMANENT)));
        let names: Vec<&str> = projects["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        for name in ["cn-north-4", "cn-east-3", "ap-southeast-3", "cn-north-4_finance"] {
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
    }

    #[test]
    fn a_wrong_secret_an_unknown_key_or_an_unreadable_header_is_refused() {
        for (route, query) in CALLS {
            let wrong = console(route, query, (DEMO_ACCESS_KEY_ID, "demo-secret-access-kez"));
            assert_eq!(refused(call(route, query, &wrong), "APIGW.0303"), SIGNATURE_FAIL, "{route:?}");
            // The other pair's secret.
            let swapped = console(route, query, (DEMO_ACCESS_KEY_ID, DEMO_TEMP_SECRET_ACCESS_KEY));
            assert_eq!(refused(call(route, query, &swapped), "APIGW.0303"), SIGNATURE_FAIL, "{route:?}");
            let unknown = console(route, query, ("UNKNOWNACCESSKEY0000", DEMO_SECRET_ACCESS_KEY));
            let message = refused(call(route, query, &unknown), "APIGW.0301");
            assert_eq!(message, "Incorrect IAM authentication information: the access key is not known");
        }
        for unreadable in
            ["SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000", "SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000, SignedHeaders=x-sdk-date", "Basic x", ""]
        {
            let mut h = console(Route::HssQuotas, "", PERMANENT);
            h.insert("authorization", HeaderValue::from_static(unreadable));
            let message = refused(call(Route::HssQuotas, "", &h), "APIGW.0301");
            assert!(message.starts_with("Incorrect IAM authentication information: "), "{message}");
        }
        // The signature is compared whole: a prefix or one more digit fails.
        let good = console(Route::DscSpecification, "", PERMANENT);
        let header = good["authorization"].to_str().unwrap().to_string();
        for bad in [&header[..header.len() - 1], &format!("{header}0"), &header.replace("Signature=", "Signature=0")] {
            let mut h = good.clone();
            h.insert("authorization", HeaderValue::from_str(bad).unwrap());
            assert_eq!(refused(call(Route::DscSpecification, "", &h), "APIGW.0303"), SIGNATURE_FAIL, "{bad}");
        }
    }

    #[test]
    fn the_date_must_be_within_15_minutes_of_now() {
        let route = Route::HssQuotas;
        let query = "limit=200&offset=0";
        for (minutes, accepted) in [(0, true), (14, true), (-14, true), (15, true), (-15, true), (16, false), (-16, false), (60 * 24, false)] {
            let d = date(minutes);
            let h = sign(&path(route), query, PERMANENT, &d, &[("x-sdk-date", &d, true)]);
            let reply = call(route, query, &h);
            if accepted {
                assert_eq!(reply.status, StatusCode::OK, "{minutes} min: {}", reply.body);
            } else {
                let message = refused(reply, "APIGW.0303");
                assert_eq!(message, "Incorrect app authentication information: the request time (X-Sdk-Date) is off by more than 15 minutes");
            }
        }
        for bad in ["20250708T146032Z", "2025-07-08T14:36:32Z", "20250708T143632"] {
            let h = sign(&path(route), query, PERMANENT, bad, &[("x-sdk-date", bad, true)]);
            refused(call(route, query, &h), "APIGW.0303");
        }
    }

    #[test]
    fn the_temporary_pair_needs_its_security_token_signed() {
        let (route, query) = (Route::DscSpecification, "");
        let d = date(0);
        let p = path(route);
        type Sent<'a> = &'a [(&'a str, &'a str, bool)];
        let cases: [(Sent, &str); 3] = [
            (&[("x-sdk-date", &d, true)], "APIGW.0301"),
            (&[("x-sdk-date", &d, true), ("x-security-token", DEMO_SECURITY_TOKEN, false)], "APIGW.0301"),
            (&[("x-sdk-date", &d, true), ("x-security-token", "demo-security-tokem", true)], "APIGW.0301"),
        ];
        for (sent, code) in cases {
            refused(call(route, query, &sign(&p, query, TEMPORARY, &d, sent)), code);
        }
        let ok = sign(&p, query, TEMPORARY, &d, &[("x-sdk-date", &d, true), ("x-security-token", DEMO_SECURITY_TOKEN, true)]);
        assert_eq!(call(route, query, &ok).status, StatusCode::OK);
        // Signed with one token and sent with another: the signature fails.
        let mut changed = ok.clone();
        changed.insert("x-security-token", HeaderValue::from_static("demo-security-token "));
        assert_eq!(call(route, query, &changed).status, StatusCode::OK, "values are trimmed, as signed");
        changed.insert("x-security-token", HeaderValue::from_static("demo-security-token2"));
        refused(call(route, query, &changed), "APIGW.0301");
    }

    #[test]
    fn what_was_signed_is_what_must_arrive() {
        let route = Route::MetastudioResources;
        let signed_query = "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0";
        let h = console(route, signed_query, PERMANENT);
        assert_eq!(call(route, signed_query, &h).status, StatusCode::OK);
        // The same pairs in another order, or encoded otherwise, are the same query.
        for same_query in ["offset=0&limit=100&resource_source=PURCHASED,ADMIN_ALLOCATED", "resource_source=PURCHASED%2CADMIN_ALLOCATED&limit=100&offset=0"] {
            assert_eq!(call(route, same_query, &h).status, StatusCode::OK, "{same_query}");
        }
        for changed in [
            "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=200&offset=0",
            "resource_source=PURCHASED&limit=100&offset=0",
            "resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0&x=1",
            "",
        ] {
            let reply = respond(route, param(route), &path(route), (!changed.is_empty()).then_some(changed), &h, NOW);
            assert_eq!(refused(reply, "APIGW.0303"), SIGNATURE_FAIL, "{changed}");
        }
        // Another path (another project) than the one signed.
        let elsewhere =
            respond(route, Some("3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03"), "/v1/3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03/tenants/resources", Some(signed_query), &h, NOW);
        assert_eq!(refused(elsewhere, "APIGW.0303"), SIGNATURE_FAIL);
        // A signed header changed on the way.
        let mut other_project = h.clone();
        other_project.insert("x-project-id", HeaderValue::from_static("3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03"));
        assert_eq!(refused(call(route, signed_query, &other_project), "APIGW.0303"), SIGNATURE_FAIL);
        // An unsigned header may change (it is not covered).
        let mut extra = h.clone();
        extra.insert("accept", HeaderValue::from_static("text/plain"));
        assert_eq!(call(route, signed_query, &extra).status, StatusCode::OK);
    }

    #[test]
    fn x_sdk_date_must_be_signed_and_every_signed_header_sent() {
        let (route, query) = (Route::HssQuotas, "limit=10");
        let d = date(0);
        let unsigned_date = sign(&path(route), query, PERMANENT, &d, &[("x-sdk-date", &d, false), ("x-project-id", DEMO_PROJECT_ID, true)]);
        let message = refused(call(route, query, &unsigned_date), "APIGW.0303");
        assert_eq!(message, "Incorrect app authentication information: x-sdk-date must be signed");
        let mut missing = sign(&path(route), query, PERMANENT, &d, &[("x-sdk-date", &d, true), ("x-project-id", DEMO_PROJECT_ID, true)]);
        assert_eq!(call(route, query, &missing).status, StatusCode::OK);
        missing.remove("x-project-id");
        let message = refused(call(route, query, &missing), "APIGW.0303");
        assert_eq!(message, "Incorrect app authentication information: a signed header is missing from the request");
        // The signature verifies the token path is not taken beside it: a
        // signed call with a wrong signature is refused even with the demo token.
        let mut both = sign(&path(route), query, PERMANENT, &d, &[("x-sdk-date", &d, true)]);
        both.insert("x-auth-token", HeaderValue::from_static(DEMO_TOKEN));
        both.insert("authorization", HeaderValue::from_static("SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000, SignedHeaders=x-sdk-date, Signature=00"));
        refused(call(route, query, &both), "APIGW.0303");
    }

    #[test]
    fn a_signed_introspection_finds_only_the_accounts_own_token() {
        let route = Route::IamToken;
        let d = date(0);
        let with_subject = |subject: &str| sign(&path(route), "", PERMANENT, &d, &[("x-sdk-date", &d, true), ("x-subject-token", subject, false)]);
        assert_eq!(call(route, "", &with_subject(DEMO_TOKEN)).status, StatusCode::OK);
        let (status, body) = parsed(call(route, "", &with_subject("MIIother")));
        assert_eq!((status, &body["error"]["message"]), (StatusCode::NOT_FOUND, &Value::from("Could not find token.")));
    }

    /// Billing's POST of `body` signed as the console signs it (method,
    /// path, no query, the date and the security token for the temporary
    /// pair; no project: billing's call is the account's), over `signed_body`.
    fn billing(key: (&str, &str), signed_body: &[u8]) -> HeaderMap {
        let route = Route::BssResources;
        let d = date(0);
        let mut sent: Vec<(&str, &str)> = vec![("X-Sdk-Date", &d)];
        if key == TEMPORARY {
            sent.push(("X-Security-Token", DEMO_SECURITY_TOKEN));
        }
        let request = Request { method: "POST", path: route.template(), query: &[], headers: &sent, body: signed_body };
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_str(&authorization(key.0, key.1, &d, &request)).unwrap());
        for (name, value) in sent {
            headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn a_signed_post_covers_its_method_and_body() {
        use super::super::support::post;
        let body = br#"{"resource_ids":["a","b"],"only_main_resource":0,"offset":0,"limit":2}"#;
        for key in [PERMANENT, TEMPORARY] {
            let signed = post("global", body, &billing(key, body));
            assert_eq!(signed.status, StatusCode::OK, "{}: {}", key.0, signed.body);
            assert_eq!(signed, post("global", body, &headers(Some(DEMO_TOKEN))));
            // A body changed after signing, by one byte or a space.
            for changed in [
                &br#"{"resource_ids":["a","c"],"only_main_resource":0,"offset":0,"limit":2}"#[..],
                br#"{"resource_ids":["a","b"],"only_main_resource":0,"offset":0,"limit":2} "#,
                b"",
            ] {
                assert_eq!(refused(post("global", changed, &billing(key, body)), "APIGW.0303"), SIGNATURE_FAIL, "{changed:?}");
            }
            // Signed as a GET (an empty body's hash) and sent as the POST.
            assert_eq!(refused(post("global", body, &billing(key, b"")), "APIGW.0303"), SIGNATURE_FAIL);
        }
        // Another site: the signature holds, the account is unknown there.
        let elsewhere = parsed(post("global-intl", body, &billing(PERMANENT, body)));
        assert_eq!((elsewhere.0, elsewhere.1["error_code"].as_str()), (StatusCode::UNAUTHORIZED, Some("APIGW.0301")));
    }

    #[test]
    fn signatures_compare_whole() {
        assert!(same(b"abc", b"abc") && same(b"", b""));
        for other in [&b"abd"[..], b"ab", b"abcd", b"", b"ABC"] {
            assert!(!same(b"abc", other), "{other:?}");
        }
    }
}
