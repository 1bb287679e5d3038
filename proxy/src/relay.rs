//! The relay: turns `/api/{service}/{region}/{path}?{query}` into a call to the
//! one host the catalogue gives for that service and region, forwarding only
//! the headers the APIs need and only the headers the console needs back.
//!
//! The destination is never taken from the request: the service key and the
//! region select a row of `tenantscope_catalog`, the path must be one of the
//! documented routes made of plain segments, and the operator's
//! `--upstream-base` is the only other destination there is.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Uri};
use tenantscope_catalog::{is_valid_segment, Route, Service};

use crate::error::ProxyError;

/// Request headers forwarded upstream; every other header is dropped
/// (cookies, the client's Host, X-Forwarded-*, hop-by-hop headers...).
/// The last four are those of AK/SK-signed requests (docs/huawei-apis.md §4).
pub const FORWARDED_REQUEST_HEADERS: [&str; 8] = [
    "x-auth-token",
    "x-subject-token",
    "accept",
    "content-type",
    "authorization",
    "x-sdk-date",
    "x-project-id",
    "x-security-token",
];

/// Response headers passed back to the browser; every other one is dropped
/// (Set-Cookie, WWW-Authenticate, the upstream's own CORS headers...).
pub const RETURNED_RESPONSE_HEADERS: [&str; 4] = ["content-type", "content-length", "x-request-id", "retry-after"];

/// One validated API call: which route of which service in which region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    pub region: String,
    pub route: Route,
    pub param: Option<String>,
    /// The concrete upstream path, rebuilt from the route and its parameter.
    pub path: String,
    pub query: Option<String>,
}

impl Target {
    /// Parses the proxy URI. The order of checks gives each mistake its own
    /// answer: unknown service, malformed segment, region, then route.
    pub fn parse(uri: &Uri) -> Result<Target, ProxyError> {
        let rest = uri.path().strip_prefix("/api/").ok_or(ProxyError::RouteNotAllowed)?;
        let mut parts = rest.splitn(3, '/');
        let service = Service::from_key(parts.next().unwrap_or_default()).ok_or(ProxyError::UnknownService)?;
        let region = parts.next().unwrap_or_default();
        let path = parts.next().unwrap_or_default();
        if !is_valid_segment(region) || !path.split('/').all(is_valid_segment) {
            return Err(ProxyError::InvalidPath);
        }
        if !service.offered_in(region) {
            return Err(ProxyError::RegionNotOffered);
        }
        let (route, param) = Route::recognize(service, path).ok_or(ProxyError::RouteNotAllowed)?;
        let query = uri.query().filter(|q| !q.is_empty());
        if query.is_some_and(|q| !is_plain_query(q)) {
            return Err(ProxyError::InvalidPath);
        }
        Ok(Target {
            service,
            region: region.to_string(),
            route,
            param: param.map(str::to_string),
            path: route.path(param).ok_or(ProxyError::InvalidPath)?,
            query: query.map(str::to_string),
        })
    }

    /// The upstream URL: the catalogue's host, or the operator's base URL.
    pub fn upstream_url(&self, base: Option<&str>) -> Result<String, ProxyError> {
        let origin = match base {
            Some(base) => base.trim_end_matches('/').to_string(),
            None => format!("https://{}", self.service.host(&self.region).ok_or(ProxyError::RegionNotOffered)?),
        };
        Ok(match &self.query {
            Some(q) => format!("{origin}{}?{q}", self.path),
            None => format!("{origin}{}", self.path),
        })
    }
}

/// The query is forwarded as received, so it may only hold the characters a
/// query of these APIs needs: unreserved characters, `=`, `&`, `,` and
/// percent-escapes (never `%00` or other control characters).
fn is_plain_query(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) if v >= 0x20 && v != 0x7f => i += 3,
                    _ => return false,
                }
            }
            b if b.is_ascii_alphanumeric() || b"-_.~=&,:+".contains(&b) => i += 1,
            _ => return false,
        }
    }
    true
}

/// The HTTP client for upstream calls: pooled keep-alive connections
/// (HTTP/2 where the host offers it), no redirects, bounded waits.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: Option<String>,
}

impl Upstream {
    pub fn new(base: Option<String>) -> Upstream {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("tenantscope-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend is compiled in");
        Upstream { client, base }
    }

    pub async fn forward(&self, target: &Target, headers: &HeaderMap) -> Result<Response<Body>, ProxyError> {
        let url = target.upstream_url(self.base.as_deref())?;
        let mut request = self.client.get(url);
        for name in FORWARDED_REQUEST_HEADERS {
            for value in headers.get_all(name) {
                request = request.header(name, value);
            }
        }
        let upstream = request.send().await.map_err(|e| {
            if e.is_timeout() {
                ProxyError::UpstreamTimeout
            } else {
                ProxyError::UpstreamUnreachable
            }
        })?;

        let status = upstream.status();
        if status.is_redirection() {
            return Err(ProxyError::UpstreamRedirect);
        }
        let is_json = upstream
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
        if !is_json && upstream.content_length() != Some(0) {
            return Err(ProxyError::UpstreamNotJson);
        }
        let mut response = Response::builder().status(StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY));
        for name in RETURNED_RESPONSE_HEADERS {
            if let Some(value) = upstream.headers().get(name) {
                response = response.header(HeaderName::from_static(name), value.clone());
            }
        }
        response
            .body(Body::from_stream(upstream.bytes_stream()))
            .map_err(|_| ProxyError::UpstreamUnreachable)
    }
}

/// `X-Request-Id` for answers the proxy makes itself (demo tenant): 32 hex
/// digits, like the cloud's.
pub fn new_request_id() -> HeaderValue {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let (mut a, mut b) = (state.build_hasher(), state.build_hasher());
    a.write_u8(1);
    b.write_u8(2);
    HeaderValue::from_str(&format!("{:016x}{:016x}", a.finish(), b.finish())).expect("hex is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(uri: &str) -> Result<Target, ProxyError> {
        Target::parse(&uri.parse::<Uri>().unwrap())
    }

    #[test]
    fn builds_the_catalogue_host() {
        let t = parse("/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0").unwrap();
        assert_eq!(t.route, Route::HssQuotas);
        assert_eq!(
            t.upstream_url(None).unwrap(),
            "https://hss.cn-north-4.myhuaweicloud.com/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
        assert_eq!(
            t.upstream_url(Some("http://127.0.0.1:9/")).unwrap(),
            "http://127.0.0.1:9/v5/0123abc/billing/quotas-detail?limit=200&offset=0"
        );
    }

    #[test]
    fn refuses_with_the_right_error() {
        use ProxyError::*;
        let cases = [
            ("/api/ecs/cn-north-4/v1/p/cloudservers", UnknownService),
            ("/api/hss/evil.example.com/v5/p/billing/quotas-detail", InvalidPath),
            ("/api/hss/global/v5/p/billing/quotas-detail", RegionNotOffered),
            ("/api/metastudio/ap-southeast-3/v1/p/tenants/resources", RegionNotOffered),
            ("/api/hss/cn-north-4/v5/../billing/quotas-detail", InvalidPath),
            ("/api/hss/cn-north-4/v5/p%2f/billing/quotas-detail", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=%00", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=a%20b%0a", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/billing/quotas-detail?x=a$b(c)", InvalidPath),
            ("/api/hss/cn-north-4/v5/p/host-management/hosts", RouteNotAllowed),
            ("/api/iam/global/v3/users", RouteNotAllowed),
        ];
        for (uri, expected) in cases {
            assert_eq!(parse(uri), Err(expected), "{uri}");
        }
    }

    #[test]
    fn plain_queries_pass() {
        assert!(is_plain_query("resource_source=PURCHASED,ADMIN_ALLOCATED&limit=100&offset=0"));
        assert!(is_plain_query("expire=2021-01-10T08%3A43%3A17Z"));
        assert!(!is_plain_query("a=%4"));
        assert!(!is_plain_query("a=%7f"));
    }

    #[test]
    fn request_ids_differ() {
        assert_ne!(new_request_id(), new_request_id());
        assert_eq!(new_request_id().len(), 32);
    }
}
