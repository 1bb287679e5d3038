//! The API gateway: the one place that builds proxy URLs and request headers,
//! holds the credentials, talks to gloo-net, and turns every failure into one
//! typed, cloneable [`ApiError`]. Components call [`Gateway::get`] and never
//! see a URL, a header or gloo-net.

use std::fmt;

use serde_json::Value;
use tenantscope_catalog::{Route, Service};


/// The longest token the services accept (`X-Auth-Token` is documented as
/// 1–100000 characters in the TestPlan and Check API pages).
pub const MAX_TOKEN_LEN: usize = 100_000;

/// Pause before retrying a call that failed for a transient reason.
pub const RETRY_MS: u32 = 500;
/// Pause before retrying a throttled call.
pub const THROTTLE_BACKOFF_MS: u32 = 3_000;

/// CodeArts Check's "network busy, try later" (`CC.00000000`, HTTP 400 in
/// seed 001).
const BUSY: &str = "CC.00000000";

/// Whether `code` is API Gateway's error `number`, in either spelling
/// (`APIG.0307` or `APIGW.0307`, docs/huawei-apis.md §6).
fn gateway_code(code: &str, number: &str) -> bool {
    code.strip_prefix("APIGW.").or_else(|| code.strip_prefix("APIG.")) == Some(number)
}

/// An IAM token. It can be sent, never shown: `Debug` prints a placeholder
/// and there is no `Display`, so it cannot slip into a log or a message.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks a pasted token before it is ever sent.
    pub fn parse(raw: &str) -> Result<Token, TokenError> {
        if raw.is_empty() {
            return Err(TokenError::Empty);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TokenError::Whitespace);
        }
        if raw.chars().count() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        Ok(Token(raw.to_string()))
    }

    /// The token itself: for the request headers and, when the person opts
    /// in, "Remember in this tab" (settings::remember). Nowhere else.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Why a pasted token was refused (worded by `format::token_error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Empty,
    Whitespace,
    TooLong,
}

/// How requests are authenticated. Today an IAM token; AK/SK signing
/// (SDK-HMAC-SHA256) will be another variant, so views never care which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    IamToken(Token),
}

impl Credentials {
    /// The headers that authenticate a request of `route`.
    fn headers(&self, route: Route) -> Vec<(&'static str, String)> {
        match self {
            Credentials::IamToken(token) => {
                let mut headers = vec![("X-Auth-Token", token.secret().to_string())];
                // Token introspection asks about the token itself (IAM API iam_30_0004).
                if route == Route::IamToken {
                    headers.push(("X-Subject-Token", token.secret().to_string()));
                }
                headers
            }
        }
    }
}

/// Why a call could not even be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// An id that no route accepts (letters, digits, `-` and `_` only).
    BadId(Service),
    /// No region chosen.
    NoRegion,
    /// TestPlan is asked per CodeArts project, and none is known.
    NeedsCodeartsProject,
    /// The token names no project and none was typed.
    NotScoped,
    /// IAM and ProjectMan hold no packages.
    NoPackages(Service),
}

/// Everything that can go wrong with a call, cloneable so that views can keep
/// and show it. Plain values: no wording (that is `format::error` and
/// `format::hint`), and never a credential.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request could not be built.
    Invalid(Invalid),
    /// The proxy could not be reached at all (down, a wrong URL, or a CORS
    /// refusal: the browser does not say which).
    Network { proxy: String },
    /// Something answered at the proxy URL, but not as a tenantscope proxy
    /// does: an error status, or an HTML page, where the proxy (and the
    /// Huawei Cloud APIs behind it, whose answers it checks) always sends
    /// JSON. A static host's 404 page, or its index.html for every path.
    NotAProxy { proxy: String, status: u16 },
    /// An HTTP error status, from the service or from the proxy itself.
    Http { status: u16, error_code: Option<String>, error_msg: Option<String>, request_id: Option<String> },
    /// A successful status whose body is not the JSON that was expected.
    Decode { service: Service, detail: String },
    /// A successful status whose body says the call failed (TestPlan
    /// `"status": "failed"`, seed 000), with the body as received.
    Failed { service: Service, body: String },
}

impl ApiError {
    /// Whether the service said its network is busy (CodeArts Check's 400
    /// `CC.00000000`, seed 001): it passes.
    pub fn is_busy(&self) -> bool {
        matches!(self, ApiError::Http { error_code: Some(code), .. } if code == BUSY)
    }

    /// A stable, unworded summary for files (the exports): `network /api`,
    /// `decode hss: field ...`, `failed testplan`, `invalid no_region`.
    pub fn summary(&self) -> String {
        match self {
            ApiError::Invalid(why) => format!("invalid {why:?}"),
            ApiError::Network { proxy } => format!("network {proxy}"),
            ApiError::NotAProxy { proxy, status } => format!("not-a-proxy {proxy} {status}"),
            ApiError::Http { status, error_code, error_msg, .. } => {
                format!("http {status} {} {}", error_code.as_deref().unwrap_or("-"), error_msg.as_deref().unwrap_or(""))
            }
            ApiError::Decode { service, detail } => format!("decode {}: {detail}", service.key()),
            ApiError::Failed { service, .. } => format!("failed {}", service.key()),
        }
    }

    /// Whether the token itself was refused (HTTP 401, or API Gateway's
    /// APIG.0301 / APIG.0307, docs/huawei-apis.md §6): nothing else will
    /// work with it either.
    pub fn is_auth(&self) -> bool {
        match self {
            ApiError::Http { status: 401, .. } => true,
            ApiError::Http { error_code: Some(code), .. } => gateway_code(code, "0301") || gateway_code(code, "0307"),
            _ => false,
        }
    }

    /// How long to wait before retrying the call that failed with this error,
    /// in milliseconds, or `None` when retrying cannot help: a refused token,
    /// a missing permission, bad parameters or a route the region lacks.
    pub fn retry_delay(&self) -> Option<u32> {
        match self {
            // Throttled (HTTP 429, or API Gateway's APIG.0308 / APIGW.0308,
            // "retry after 2-5 s", docs/huawei-apis.md §6): back off first.
            ApiError::Http { status: 429, .. } => Some(THROTTLE_BACKOFF_MS),
            ApiError::Http { error_code: Some(code), .. } if gateway_code(code, "0308") => Some(THROTTLE_BACKOFF_MS),
            // CodeArts Check's documented 400 "network busy, try later"
            // (seed 001) passes like a throttle.
            ApiError::Http { error_code: Some(code), .. } if code == BUSY => Some(THROTTLE_BACKOFF_MS),
            ApiError::Http { status, .. } if *status >= 500 => Some(RETRY_MS),
            ApiError::Http { .. } | ApiError::Invalid(_) | ApiError::Failed { .. } | ApiError::NotAProxy { .. } => None,
            // A dropped connection or a cut-off body may well be transient.
            ApiError::Network { .. } | ApiError::Decode { .. } => Some(RETRY_MS),
        }
    }

    /// Reads an error body in any of the shapes of docs/huawei-apis.md §6:
    /// `error_code`/`error_msg`, `code`/`message`, or nested one level (as
    /// in Keystone's `{"error": {"code": 401, "message": ...}}`); codes may
    /// be numbers.
    pub fn from_body(status: u16, body: &str, request_id: Option<String>) -> ApiError {
        let value: Option<Value> = parse_json(body).ok();
        let (error_code, error_msg) = value.as_ref().map(error_fields).unwrap_or_default();
        ApiError::Http { status, error_code, error_msg, request_id }
    }
}

fn error_fields(value: &Value) -> (Option<String>, Option<String>) {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let pick = |obj: &serde_json::Map<String, Value>| {
        let code = obj.get("error_code").or_else(|| obj.get("code")).and_then(text);
        let msg = obj.get("error_msg").or_else(|| obj.get("message")).and_then(text);
        (code, msg)
    };
    let Some(obj) = value.as_object() else { return (None, None) };
    match pick(obj) {
        (None, None) => obj.values().filter_map(Value::as_object).map(pick).find(|f| *f != (None, None)).unwrap_or_default(),
        found => found,
    }
}

/// A successful answer: the JSON body, the text as received (for the Raw
/// JSON drawer) and the cloud's request id.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    pub body: Value,
    pub text: String,
    pub request_id: Option<String>,
}

/// Where requests go and how they are authenticated.
#[derive(Clone, Debug, PartialEq)]
pub struct Gateway {
    /// The proxy's API base, such as `/api` (same origin) or
    /// `https://proxy.example.com/api`.
    pub proxy: String,
    pub credentials: Credentials,
}

impl Gateway {
    /// The proxy URL of one call. Query values are percent-encoded here.
    pub fn url(
        &self,
        route: Route,
        region: &str,
        param: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let path = route.path(param).ok_or(ApiError::Invalid(Invalid::BadId(route.service())))?;
        if !tenantscope_catalog::is_valid_segment(region) {
            return Err(ApiError::Invalid(Invalid::NoRegion));
        }
        let mut url = format!("{}/{}/{region}{path}", self.proxy.trim_end_matches('/'), route.service().key());
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&encode_query_value(value));
        }
        Ok(url)
    }

    /// One GET through the proxy.
    pub async fn get(
        &self,
        route: Route,
        region: &str,
        param: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<ApiResponse, ApiError> {
        self.get_until(route, region, param, query, None).await
    }

    /// One GET through the proxy, abandoned when `signal` aborts (a closed
    /// tab stops what it was loading).
    pub async fn get_until(
        &self,
        route: Route,
        region: &str,
        param: Option<&str>,
        query: &[(&str, &str)],
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<ApiResponse, ApiError> {
        let url = self.url(route, region, param, query)?;
        // Past the browser's HTTP cache: an answer read with a token must
        // never be stored, and the cache would hold a second request for
        // the same URL (the form's and a tab's CodeArts project list) until
        // the first is answered, a round trip lost (bench/network.mjs).
        let mut request = gloo_net::http::Request::get(&url)
            .header("Accept", "application/json")
            .cache(web_sys::RequestCache::NoStore)
            .abort_signal(signal);
        for (name, value) in self.credentials.headers(route) {
            request = request.header(name, &value);
        }
        let response = request.send().await.map_err(|_| ApiError::Network { proxy: self.proxy.clone() })?;
        let status = response.status();
        let request_id = response.headers().get("x-request-id");
        let text = response.text().await.map_err(|_| ApiError::Network { proxy: self.proxy.clone() })?;
        let parsed = parse_json(&text);
        if not_a_proxy(status, &text, parsed.is_ok()) {
            return Err(ApiError::NotAProxy { proxy: self.proxy.clone(), status });
        }
        if !(200..300).contains(&status) {
            return Err(ApiError::from_body(status, &text, request_id));
        }
        let body = parsed.map_err(|e| ApiError::Decode {
            service: route.service(),
            detail: format!("not JSON ({e})"),
        })?;
        Ok(ApiResponse { body, text, request_id })
    }
}

impl Gateway {
    /// Where the proxy's operator set a service's host for a region the
    /// catalogue lacks (`GET {proxy}/offered`, the proxy's `--service-host`):
    /// (service, region) pairs. Empty when the proxy does not say (an older
    /// proxy, a failure): the catalogue alone then decides.
    pub async fn offered(&self) -> Vec<(Service, String)> {
        let url = format!("{}/offered", self.proxy.trim_end_matches('/'));
        let Ok(response) = gloo_net::http::Request::get(&url).header("Accept", "application/json").send().await else {
            return Vec::new();
        };
        if !response.ok() {
            return Vec::new();
        }
        let text = response.text().await.unwrap_or_default();
        parse_json(&text).map(|v| offered_pairs(&v)).unwrap_or_default()
    }
}

/// What the proxy says of itself (`GET {proxy}/about`), for the first
/// visit: where a token would go, before one is pasted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    pub version: String,
    /// It runs the demo tenant (`--demo`): it answers every call itself.
    pub demo: bool,
    /// Every host it relays a request to (none for the demo), as it says.
    pub relays_to: Vec<String>,
}

/// Asks the proxy at `proxy` what it is. A proxy older than the route
/// answers its JSON 404: an [`ApiError::Http`], not [`ApiError::NotAProxy`].
pub async fn about(proxy: String) -> Result<About, ApiError> {
    let url = format!("{}/about", proxy.trim_end_matches('/'));
    let network = || ApiError::Network { proxy: proxy.clone() };
    let response = gloo_net::http::Request::get(&url).header("Accept", "application/json").send().await.map_err(|_| network())?;
    let status = response.status();
    let text = response.text().await.map_err(|_| network())?;
    about_from(&proxy, status, &text)
}

/// Reads the answer to `GET {proxy}/about`.
pub fn about_from(proxy: &str, status: u16, text: &str) -> Result<About, ApiError> {
    let not_a_proxy = || ApiError::NotAProxy { proxy: proxy.into(), status };
    let Ok(body) = parse_json(text) else { return Err(not_a_proxy()) };
    if !(200..300).contains(&status) {
        return Err(ApiError::from_body(status, text, None));
    }
    if body.get("proxy").and_then(Value::as_str) != Some("tenantscope-proxy") {
        return Err(not_a_proxy());
    }
    let text_of = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let relays_to = body.get("relays_to").and_then(Value::as_array).map_or_else(Vec::new, |hosts| {
        hosts.iter().filter_map(Value::as_str).map(str::to_string).collect()
    });
    Ok(About { version: text_of("version"), demo: body.get("demo").and_then(Value::as_bool) == Some(true), relays_to })
}

/// Whether an answer (its status, text, and whether the text is JSON) is
/// not a tenantscope proxy's: every answer of the proxy is JSON (its own
/// errors, and the upstream's, which it relays only when they look like
/// JSON), so an error that is not, or an HTML page, comes from something
/// else at that URL.
pub fn not_a_proxy(status: u16, text: &str, is_json: bool) -> bool {
    if is_json {
        return false;
    }
    !(200..300).contains(&status) || text.trim_start().starts_with('<')
}

/// The (service, region) pairs of the proxy's `/offered` answer; entries that
/// do not read are left out.
pub fn offered_pairs(body: &Value) -> Vec<(Service, String)> {
    let Some(list) = body.get("service_hosts").and_then(Value::as_array) else { return Vec::new() };
    list.iter()
        .filter_map(|h| {
            let service = Service::from_key(h.get("service")?.as_str()?)?;
            let region = h.get("region")?.as_str()?;
            tenantscope_catalog::is_region_shaped(region).then(|| (service, region.to_string()))
        })
        .collect()
}

/// Reads JSON text. In the browser its own `JSON.parse` does it, which
/// keeps serde_json's parser out of the wasm bundle (3.9 KiB brotli);
/// natively (tests) serde_json does.
pub fn parse_json(text: &str) -> Result<Value, String> {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let parsed = js_sys::JSON::parse(text).map_err(|e| {
            e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| "malformed".into())
        })?;
        Ok(from_js(&parsed))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// A value `JSON.parse` made, as serde_json's tree. Whole numbers that fit
/// stay integers, as serde_json would read them.
#[cfg(target_arch = "wasm32")]
fn from_js(v: &wasm_bindgen::JsValue) -> Value {
    use wasm_bindgen::JsCast;
    if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        Value::Array(a.iter().map(|x| from_js(&x)).collect())
    } else if v.is_object() {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        Value::Object(
            entries
                .iter()
                .filter_map(|pair| {
                    let pair: js_sys::Array = pair.unchecked_into();
                    Some((pair.get(0).as_string()?, from_js(&pair.get(1))))
                })
                .collect(),
        )
    } else {
        Value::Null
    }
}

/// Percent-encodes everything but unreserved characters and `,` (which the
/// APIs use to separate several values, e.g. `resource_source=A,B`).
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway() -> Gateway {
        Gateway { proxy: "/api/".into(), credentials: Credentials::IamToken(Token::parse("MIIabc").unwrap()) }
    }

    #[test]
    fn the_proxy_says_what_it_is() {
        let about = about_from("/api", 200, r#"{"proxy":"tenantscope-proxy","version":"0.1.0","demo":false,"relays_to":["hss.cn-north-4.myhuaweicloud.com",7,"sdg.cn-east-3.myhuaweicloud.com"]}"#);
        assert_eq!(about, Ok(About { version: "0.1.0".into(), demo: false, relays_to: vec!["hss.cn-north-4.myhuaweicloud.com".into(), "sdg.cn-east-3.myhuaweicloud.com".into()] }));
        let demo = about_from("/api", 200, r#"{"proxy":"tenantscope-proxy","version":"0.1.0","demo":true,"relays_to":[]}"#).unwrap();
        assert!(demo.demo && demo.relays_to.is_empty());
        // A static host's page, or some other JSON service at that URL.
        assert_eq!(about_from("/api", 404, "<html>Not found</html>"), Err(ApiError::NotAProxy { proxy: "/api".into(), status: 404 }));
        assert_eq!(about_from("/api", 200, "<!DOCTYPE html>"), Err(ApiError::NotAProxy { proxy: "/api".into(), status: 200 }));
        assert_eq!(about_from("/x", 200, r#"{"name":"other"}"#), Err(ApiError::NotAProxy { proxy: "/x".into(), status: 200 }));
        // A proxy from before the route: its own JSON 404.
        assert!(matches!(about_from("/api", 404, r#"{"error_code":"TS.404","error_msg":"no such route"}"#), Err(ApiError::Http { status: 404, .. })));
    }

    #[test]
    fn what_does_not_answer_like_the_proxy_is_told_apart() {
        // A static host's 404 page, its index.html for every path.
        assert!(not_a_proxy(404, "<!DOCTYPE html><title>404</title>", false));
        assert!(not_a_proxy(200, "\n <!DOCTYPE html><html>", false));
        assert!(not_a_proxy(405, "Method Not Allowed", false));
        // The proxy's own errors and the services' are JSON; a 2xx that is
        // not JSON but not a page either is the service's unreadable answer.
        assert!(!not_a_proxy(404, r#"{"error_code":"PROXY.0004","error_msg":"no such route"}"#, true));
        assert!(!not_a_proxy(503, r#"{"error_code":"PROXY.0012"}"#, true));
        assert!(!not_a_proxy(200, "garbage", false));
        assert!(ApiError::NotAProxy { proxy: "/api".into(), status: 404 }.retry_delay().is_none());
    }

    #[test]
    fn the_proxys_offered_regions_are_read_leniently() {
        let body = serde_json::json!({ "service_hosts": [
            { "service": "hss", "region": "xx-test-1", "host": "hss.xx-test-1.myhuaweicloud.com" },
            { "service": "nope", "region": "xx-test-1" },
            { "service": "dsc", "region": "evil.example.com" },
            { "region": "xx-1" },
        ]});
        assert_eq!(offered_pairs(&body), [(Service::Hss, "xx-test-1".to_string())]);
        assert!(offered_pairs(&serde_json::json!([])).is_empty());
    }

    #[test]
    fn token_rules() {
        assert_eq!(Token::parse(""), Err(TokenError::Empty));
        assert_eq!(Token::parse("MII abc"), Err(TokenError::Whitespace));
        assert_eq!(Token::parse("MIIabc\n"), Err(TokenError::Whitespace));
        assert_eq!(Token::parse("MII\u{7}abc"), Err(TokenError::Whitespace));
        assert_eq!(Token::parse(&"a".repeat(MAX_TOKEN_LEN + 1)), Err(TokenError::TooLong));
        assert!(Token::parse(&"a".repeat(MAX_TOKEN_LEN)).is_ok());
    }

    #[test]
    fn token_never_prints() {
        let g = gateway();
        let printed = format!("{g:?}");
        assert!(!printed.contains("MIIabc"), "{printed}");
    }

    #[test]
    fn builds_proxy_urls() {
        let g = gateway();
        assert_eq!(
            g.url(Route::MetastudioResources, "cn-north-4", Some("p1"), &[("resource_source", "PURCHASED,ADMIN_ALLOCATED"), ("limit", "100")])
                .unwrap(),
            "/api/metastudio/cn-north-4/v1/p1/tenants/resources?resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100"
        );
        assert_eq!(g.url(Route::IamToken, "global", None, &[]).unwrap(), "/api/iam/global/v3/auth/tokens");
        assert_eq!(g.url(Route::HssQuotas, "cn-north-4", Some("a&b=c"), &[]).map_err(|_| ()), Err(()));
        assert!(g.url(Route::HssQuotas, "cn-north-4", Some(""), &[]).is_err());
        assert_eq!(
            g.url(Route::CodeartsProjects, "cn-north-4", None, &[("search", "a b&c")]).unwrap(),
            "/api/projectman/cn-north-4/v4/projects?search=a%20b%26c"
        );
    }

    #[test]
    fn credentials_headers() {
        let c = Credentials::IamToken(Token::parse("t0k").unwrap());
        assert_eq!(c.headers(Route::HssQuotas), vec![("X-Auth-Token", "t0k".to_string())]);
        assert_eq!(c.headers(Route::IamToken).len(), 2);
    }

    #[test]
    fn reads_every_error_shape() {
        let cases = [
            (r#"{"error_code":"APIG.0301","error_msg":"decrypt token fail"}"#, Some("APIG.0301"), Some("decrypt token fail")),
            (r#"{"code":"CC.1","message":"busy"}"#, Some("CC.1"), Some("busy")),
            (r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#, Some("401"), Some("The request you have made requires authentication.")),
            ("<html>bad gateway</html>", None, None),
            ("[1,2]", None, None),
            ("", None, None),
        ];
        for (body, code, msg) in cases {
            match ApiError::from_body(401, body, Some("rid".into())) {
                ApiError::Http { status, error_code, error_msg, request_id } => {
                    assert_eq!(status, 401);
                    assert_eq!(error_code.as_deref(), code, "{body}");
                    assert_eq!(error_msg.as_deref(), msg, "{body}");
                    assert_eq!(request_id.as_deref(), Some("rid"));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn refused_tokens_are_told_apart() {
        let e = |status, code: Option<&str>| ApiError::Http { status, error_code: code.map(Into::into), error_msg: None, request_id: None };
        assert!(e(401, None).is_auth());
        assert!(e(400, Some("APIGW.0307")).is_auth());
        assert!(e(403, Some("APIG.0301")).is_auth());
        assert!(!e(403, Some("DSC.0403")).is_auth());
        assert!(!ApiError::Network { proxy: "/api".into() }.is_auth());
    }

    #[test]
    fn only_transient_errors_are_retried() {
        let e = |status, code: Option<&str>| ApiError::Http { status, error_code: code.map(Into::into), error_msg: None, request_id: None };
        assert_eq!(e(429, None).retry_delay(), Some(THROTTLE_BACKOFF_MS));
        assert_eq!(e(400, Some("APIG.0308")).retry_delay(), Some(THROTTLE_BACKOFF_MS));
        assert_eq!(e(400, Some("APIGW.0308")).retry_delay(), Some(THROTTLE_BACKOFF_MS));
        assert_eq!(e(502, Some("PROXY.0003")).retry_delay(), Some(RETRY_MS));
        for status in [400, 401, 403, 404] {
            assert_eq!(e(status, None).retry_delay(), None, "{status}");
        }
        assert_eq!(ApiError::Network { proxy: "/api".into() }.retry_delay(), Some(RETRY_MS));
        // CodeArts Check's documented "network busy, try later" (seed 001).
        let busy = e(400, Some("CC.00000000"));
        assert_eq!(busy.retry_delay(), Some(THROTTLE_BACKOFF_MS));
        assert!(busy.is_busy());
        assert_eq!(e(400, Some("CC.00000003")).retry_delay(), None);
    }
}
