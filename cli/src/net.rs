//! The command line's [`Fetch`]: each call straight to Huawei Cloud, at
//! `https://{Service::host(region)}{path}?{query}` (IAM's and billing's
//! pseudo-regions too), with the headers the proxy would send upstream: a
//! token's ([`token_headers`]) or an access-key signature
//! ([`tenantscope_core::api::signed`], over the upstream path, `Host` not
//! signed, dated by the `Date` of the answers). `--upstream-base` sends
//! every call to that base instead, path and query kept, as the proxy's
//! `relay::upstream_url` maps it. Answers are read with [`Gateway::read`],
//! the gateway naming the host called, so that an error says which.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tenantscope_catalog::Route;
use tenantscope_core::api::{encode_query_value, parse_json, token_headers, Answer, ApiError, ApiResponse, Credentials, Gateway, Invalid};
use tenantscope_core::domain::Instant;
use tenantscope_core::load::Fetch;

/// How long one call may take, connection, answer and body together.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Every call's `User-Agent`.
const USER_AGENT: &str = concat!("tenantscope-cli/", env!("CARGO_PKG_VERSION"));

type Client = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The client every session of a run shares (pooled connections), and
/// where calls go.
#[derive(Clone)]
pub struct Upstream {
    client: Client,
    /// `--upstream-base`: every call to this base URL (no trailing `/`).
    base: Option<String>,
    timeout: Duration,
}

impl Upstream {
    pub fn new(base: Option<String>, timeout: Duration) -> Upstream {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .expect("ring offers TLS 1.2 and 1.3")
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https);
        Upstream { client, base: base.map(|b| b.trim_end_matches('/').to_string()), timeout }
    }

    /// The calls of a session signing or sending `gateway`'s credentials.
    pub fn session<'a>(&'a self, gateway: &'a Gateway) -> Direct<'a> {
        Direct { upstream: self, gateway }
    }
}

/// Checks an `--upstream-base` as the proxy does: `http://` or `https://`,
/// no query, fragment, space or user part; without the trailing `/`.
pub fn parse_base(s: &str) -> Result<String, String> {
    let ok = (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(['?', '#', ' ', '@']);
    if ok {
        Ok(s.trim_end_matches('/').to_string())
    } else {
        Err("expected an http:// or https:// base URL without query, fragment or userinfo".into())
    }
}

/// The query string of a call, as the console's gateway writes it (values
/// percent-encoded; the proxy forwards it as received).
pub fn query_string(query: &[(&str, &str)]) -> String {
    query.iter().map(|(k, v)| format!("{k}={}", encode_query_value(v))).collect::<Vec<_>>().join("&")
}

/// Where a call of `route` in `region` goes: (the URL, the upstream path
/// signed, the host or base named in errors).
pub fn target(base: Option<&str>, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<(String, String, String), ApiError> {
    let path = route.path(param).ok_or(ApiError::Invalid(Invalid::BadId(route.service())))?;
    if !tenantscope_catalog::is_valid_segment(region) {
        return Err(ApiError::Invalid(Invalid::NoRegion));
    }
    let (origin, named) = match base {
        Some(base) => (base.to_string(), base.to_string()),
        None => {
            let host = route.service().host(region).ok_or_else(|| ApiError::Http {
                status: 404,
                error_code: None,
                error_msg: Some(format!("{} is not offered in {region}", route.service().key())),
                request_id: None,
            })?;
            (format!("https://{host}"), host)
        }
    };
    let query = query_string(query);
    let url = if query.is_empty() { format!("{origin}{path}") } else { format!("{origin}{path}?{query}") };
    Ok((url, path, named))
}

/// The local clock, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// One session's calls, sent directly.
pub struct Direct<'a> {
    upstream: &'a Upstream,
    gateway: &'a Gateway,
}

impl Direct<'_> {
    async fn call(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)], body: String) -> Result<ApiResponse, ApiError> {
        let (url, path, named) = target(self.upstream.base.as_deref(), route, region, param, query)?;
        // Errors name the host (or base) that failed.
        let gateway = Gateway { proxy: named, credentials: self.gateway.credentials.clone() };
        match &gateway.credentials {
            Credentials::IamToken(token) => self.send(&gateway, &url, route, token_headers(token, route), &body).await.0,
            Credentials::AccessKeys(keys) => {
                tenantscope_core::api::signed(keys, route, &path, query, &body, now_ms, |headers| self.send(&gateway, &url, route, headers, &body)).await
            }
        }
    }

    /// One call with the headers that authenticate it: the answer, and its
    /// `Date` in milliseconds.
    async fn send(
        &self,
        gateway: &Gateway,
        url: &str,
        route: Route,
        headers: Vec<(&'static str, String)>,
        body: &str,
    ) -> (Result<ApiResponse, ApiError>, Option<i64>) {
        let mut request = hyper::Request::builder().method(route.method()).uri(url).header("Accept", "application/json").header("User-Agent", USER_AGENT);
        if route.method() == "POST" {
            request = request.header("Content-Type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let Ok(request) = request.body(Full::new(Bytes::from(body.to_string()))) else {
            return (Err(ApiError::Network { proxy: format!("{}: the request could not be built", gateway.proxy) }), None);
        };
        let exchange = async {
            let response = self.upstream.client.request(request).await.map_err(|e| root_cause(&e))?;
            let (parts, incoming) = response.into_parts();
            let bytes = incoming.collect().await.map_err(|e| root_cause(&e))?.to_bytes();
            Ok::<_, String>((parts, bytes))
        };
        let (parts, bytes) = match tokio::time::timeout(self.upstream.timeout, exchange).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(why)) => return (Err(ApiError::Network { proxy: format!("{}: {why}", gateway.proxy) }), None),
            Err(_) => {
                let after = format!("{}: no answer within {} s", gateway.proxy, self.upstream.timeout.as_secs());
                return (Err(ApiError::Network { proxy: after }), None);
            }
        };
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let date =
            header("date").and_then(|d| httpdate::parse_http_date(&d).ok()).and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_millis() as i64);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = parse_json(&text);
        (gateway.read(route, Answer { status: parts.status.as_u16(), request_id: header("x-request-id"), text, json }), date)
    }
}

/// The innermost cause of a transport error (`connection refused`, a DNS
/// failure, a certificate refused), which says what happened; the URL and
/// headers are not in it.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl Fetch for Direct<'_> {
    fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>> {
        self.call(route, region, param, query, String::new())
    }

    fn post(&self, route: Route, region: &str, body: String) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>> {
        self.call(route, region, None, &[], body)
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }

    fn now(&self) -> Instant {
        Instant::from_millis(now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_go_to_the_catalogues_host_or_the_base() {
        let query = [("resource_source", "PURCHASED,ADMIN_ALLOCATED"), ("limit", "100"), ("search", "a b")];
        let (url, path, named) = target(None, Route::MetastudioResources, "cn-north-4", Some("p1"), &query).unwrap();
        assert_eq!(
            url,
            "https://metastudio.cn-north-4.myhuaweicloud.com/v1/p1/tenants/resources?resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&search=a%20b"
        );
        assert_eq!((path.as_str(), named.as_str()), ("/v1/p1/tenants/resources", "metastudio.cn-north-4.myhuaweicloud.com"));
        // IAM's and billing's pseudo-regions.
        assert_eq!(target(None, Route::IamToken, "global", None, &[]).unwrap().0, "https://iam.myhuaweicloud.com/v3/auth/tokens");
        assert_eq!(target(None, Route::IamToken, "global-eu", None, &[]).unwrap().0, "https://iam.myhuaweicloud.eu/v3/auth/tokens");
        assert_eq!(
            target(None, Route::BssResources, "global-intl", None, &[]).unwrap().0,
            "https://bss-intl.myhuaweicloud.com/v2/orders/suscriptions/resources/query"
        );
        // The base keeps path and query, whatever the region.
        let (url, _, named) = target(Some("http://127.0.0.1:9"), Route::HssQuotas, "cn-north-4", Some("p1"), &[("limit", "200")]).unwrap();
        assert_eq!((url.as_str(), named.as_str()), ("http://127.0.0.1:9/v5/p1/billing/quotas-detail?limit=200", "http://127.0.0.1:9"));
        // Nothing is sent where no host is, nor for an id no route accepts.
        assert!(matches!(target(None, Route::MetastudioResources, "ap-southeast-1", Some("p"), &[]), Err(ApiError::Http { status: 404, .. })));
        assert_eq!(target(None, Route::HssQuotas, "cn-north-4", Some("a/b"), &[]), Err(ApiError::Invalid(Invalid::BadId(tenantscope_catalog::Service::Hss))));
        assert_eq!(target(None, Route::HssQuotas, "cn-north-4.evil.com/x", Some("p"), &[]), Err(ApiError::Invalid(Invalid::NoRegion)));
    }

    #[test]
    fn bases_are_checked_as_the_proxy_checks_them() {
        assert_eq!(parse_base("http://127.0.0.1:8080/").as_deref(), Ok("http://127.0.0.1:8080"));
        assert!(parse_base("ftp://x").is_err() && parse_base("https://u@x").is_err() && parse_base("https://x/?a").is_err());
    }
}
