//! Where a call goes: the `/api/...` path read into one route of the
//! catalogue ([`Target`], or [`TargetRef`] borrowing from the request), and
//! the upstream URI made from it ([`upstream_url`], and [`Origins`], which
//! makes the same URI from parts kept once per host).
//!
//! The destination is never taken from the request: the service key and the
//! region select a row of `tenantscope_catalog`, the path is rebuilt from one
//! of the documented route templates and decoded, validated segments
//! ([`tenantscope_catalog::parse_api_call`]), and the operator's
//! `--upstream-base` is the only other destination there is.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use axum::http::uri::{Authority, PathAndQuery, Scheme};
use axum::http::{HeaderValue, Uri};
use bytes::Bytes;
use tenantscope_catalog::{parse_api_call_ref, ApiCall, ApiCallRef, PathError, Service};

use crate::config::{service_host, ServiceHost};
use crate::error::ProxyError;

/// One validated API call: which route of which service in which region.
pub type Target = ApiCall;

impl From<PathError> for ProxyError {
    fn from(e: PathError) -> ProxyError {
        match e {
            PathError::UnknownService => ProxyError::UnknownService,
            PathError::InvalidPath => ProxyError::InvalidPath,
            PathError::RegionNotOffered => ProxyError::RegionNotOffered,
            PathError::RouteNotAllowed => ProxyError::RouteNotAllowed,
        }
    }
}

/// Parses the proxy URI (`/api/...`). The order of checks gives each mistake
/// its own answer: unknown service, malformed segment or query, region, route.
/// A region is offered where the catalogue or an operator's `--service-host`
/// names a host.
pub fn parse_target(uri: &Uri, hosts: &[ServiceHost]) -> Result<Target, ProxyError> {
    Ok(parse_target_ref(uri, hosts)?.to_owned())
}

/// One validated API call, borrowing from the request's URI (what a
/// request parses: no copy of what needed no decoding).
pub type TargetRef<'a> = ApiCallRef<'a>;

/// [`parse_target`], borrowing from `uri`.
pub fn parse_target_ref<'a>(uri: &'a Uri, hosts: &[ServiceHost]) -> Result<TargetRef<'a>, ProxyError> {
    let rest = uri.path().strip_prefix("/api/").ok_or(ProxyError::RouteNotAllowed)?;
    let offered = |service, region: &str| hosts.iter().any(|h| h.service == service && h.region == region) || catalogue_offers(service, region);
    Ok(parse_api_call_ref(rest, uri.query(), offered)?)
}

/// What the relay reads of a call, owned ([`Target`]) or borrowed ([`TargetRef`]).
pub trait Call {
    fn service(&self) -> Service;
    fn region(&self) -> &str;
    fn query(&self) -> Option<&str>;
    /// Appends the upstream path (without the query).
    fn push_path(&self, out: &mut String);
    fn path_len(&self) -> usize;
}

impl Call for ApiCall {
    fn service(&self) -> Service {
        self.service
    }
    fn region(&self) -> &str {
        &self.region
    }
    fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }
    fn push_path(&self, out: &mut String) {
        out.push_str(&self.path);
    }
    fn path_len(&self) -> usize {
        self.path.len()
    }
}

impl Call for ApiCallRef<'_> {
    fn service(&self) -> Service {
        self.service
    }
    fn region(&self) -> &str {
        &self.region
    }
    fn query(&self) -> Option<&str> {
        self.query
    }
    fn push_path(&self, out: &mut String) {
        ApiCallRef::push_path(self, out);
    }
    fn path_len(&self) -> usize {
        self.route.template().len() + self.param.as_ref().map_or(0, |p| p.len())
    }
}

/// [`Service::offered_in`], whose answer (a host name made with `format!`)
/// is kept when it is yes: the catalogue is fixed, and the regions where
/// some service is offered are few, so the set stays small whatever
/// regions requests name.
fn catalogue_offers(service: Service, region: &str) -> bool {
    static OFFERED: OnceLock<RwLock<HashMap<Box<str>, u32, Fnv>>> = OnceLock::new();
    let bit = 1u32 << service_index(service);
    let offered = OFFERED.get_or_init(Default::default);
    if offered.read().ok().and_then(|o| o.get(region).copied()).is_some_and(|services| services & bit != 0) {
        return true;
    }
    if !service.offered_in(region) {
        return false;
    }
    if let Ok(mut o) = offered.write() {
        *o.entry(region.into()).or_default() |= bit;
    }
    true
}

/// FNV-1a, for the maps keyed by region whose keys are only regions the
/// catalogue or the operator offers (a fixed, small set: a request's region
/// is looked up, never inserted unless offered), so a hash that any request
/// can predict costs nothing there; it is a quarter of SipHash's cost on a
/// region id (the maps keyed by client address keep std's keyed hash).
#[derive(Clone, Copy)]
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// `service`'s place in [`Service::ALL`].
fn service_index(service: Service) -> usize {
    Service::ALL.iter().position(|s| *s == service).unwrap_or(0)
}

/// The upstream URL: the operator's host or the catalogue's, or the
/// operator's base URL for everything.
pub fn upstream_url(target: &Target, base: Option<&str>, hosts: &[ServiceHost]) -> Result<String, ProxyError> {
    let origin = match base {
        Some(base) => base.trim_end_matches('/').to_string(),
        None => format!("https://{}", service_host(hosts, target.service, &target.region).ok_or(ProxyError::RegionNotOffered)?),
    };
    Ok(match &target.query {
        Some(q) => format!("{origin}{}?{q}", target.path),
        None => format!("{origin}{}", target.path),
    })
}

/// Where calls go, made once: the operator's base URL, or the scheme and
/// authority of each service's host in each region, kept the first time
/// that host is called (the catalogue and `--service-host` are fixed for
/// the process, so a host never changes).
pub(super) struct Origins {
    /// `--upstream-base`: scheme, authority, and a path prefix without its
    /// trailing `/`; `Err` when it is not a URL `http::Uri` reads.
    base: Option<Result<Base, ()>>,
    hosts: Vec<ServiceHost>,
    /// Region to the authority of each service there (by `Service::ALL` index).
    known: RwLock<HashMap<Box<str>, [Option<Authority>; SERVICES], Fnv>>,
}

const SERVICES: usize = Service::ALL.len();

struct Base {
    scheme: Scheme,
    authority: Authority,
    prefix: Box<str>,
    /// For an `http://` base, the `Host` header hyper-util would make for
    /// every call (`host`, or `host:port` for a port other than 80), made
    /// once: a `format!` and a header value per call otherwise. Only
    /// there: plain HTTP is always HTTP/1 here (no TLS, so no ALPN), whereas
    /// an HTTP/2 upstream gets `:authority` and no `Host`.
    host_header: Option<HeaderValue>,
}

impl Base {
    fn parse(base: &str) -> Option<Base> {
        let uri: Uri = base.parse().ok()?;
        let scheme = match uri.scheme_str()? {
            s if s.eq_ignore_ascii_case("https") => Scheme::HTTPS,
            s if s.eq_ignore_ascii_case("http") => Scheme::HTTP,
            _ => return None,
        };
        // Lower case, as a URL parser would have it (Host header, SNI).
        let authority = Authority::try_from(uri.authority()?.as_str().to_ascii_lowercase()).ok()?;
        let prefix = uri.path().trim_end_matches('/').into();
        let host_header = (scheme == Scheme::HTTP)
            .then(|| match authority.port_u16() {
                Some(port) if port != 80 => HeaderValue::from_str(&format!("{}:{port}", authority.host())),
                _ => HeaderValue::from_str(authority.host()),
            })
            .and_then(Result::ok);
        Some(Base { scheme, authority, prefix, host_header })
    }
}

impl Origins {
    pub(super) fn new(base: Option<&str>, hosts: Vec<ServiceHost>) -> Origins {
        let base = base.map(|b| Base::parse(b.trim_end_matches('/')).ok_or(()));
        Origins { base, hosts, known: RwLock::new(HashMap::default()) }
    }

    /// The authority of `service`'s host in `region`.
    fn authority(&self, service: Service, region: &str) -> Result<Authority, ProxyError> {
        let index = service_index(service);
        if let Some(known) = self.known.read().ok().and_then(|k| k.get(region).and_then(|a| a[index].clone())) {
            return Ok(known);
        }
        let host = service_host(&self.hosts, service, region).ok_or(ProxyError::RegionNotOffered)?;
        let authority = Authority::try_from(host).map_err(|_| ProxyError::UpstreamUnreachable)?;
        if let Ok(mut known) = self.known.write() {
            known.entry(region.into()).or_default()[index] = Some(authority.clone());
        }
        Ok(authority)
    }

    /// The `Host` header of every call, where it is made once ([`Base`]).
    pub(super) fn host_header(&self) -> Option<&HeaderValue> {
        self.base.as_ref()?.as_ref().ok()?.host_header.as_ref()
    }

    /// The upstream URI of `target`: what [`upstream_url`] says, without
    /// parsing it.
    pub(super) fn uri(&self, target: &impl Call) -> Result<Uri, ProxyError> {
        let (scheme, authority, prefix) = match &self.base {
            Some(Ok(base)) => (base.scheme.clone(), base.authority.clone(), &*base.prefix),
            // A base URL no request can be sent to (reqwest said so at send).
            Some(Err(())) => return Err(ProxyError::UpstreamUnreachable),
            None => (Scheme::HTTPS, self.authority(target.service(), target.region())?, ""),
        };
        let query = target.query();
        let mut path = String::with_capacity(prefix.len() + target.path_len() + query.map_or(0, |q| q.len() + 1));
        path.push_str(prefix);
        target.push_path(&mut path);
        if let Some(q) = query {
            path.push('?');
            path.push_str(q);
        }
        let mut parts = axum::http::uri::Parts::default();
        parts.scheme = Some(scheme);
        parts.authority = Some(authority);
        parts.path_and_query = Some(PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| ProxyError::UpstreamUnreachable)?);
        Uri::from_parts(parts).map_err(|_| ProxyError::UpstreamUnreachable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Route;

    fn parse(uri: &str) -> Result<Target, ProxyError> {
        parse_target(&uri.parse::<Uri>().unwrap(), &[])
    }

    #[test]
    fn builds_the_catalogue_host() {
        let t = parse("/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0").unwrap();
        assert_eq!(t.route, Route::HssQuotas);
        assert_eq!(upstream_url(&t, None, &[]).unwrap(), "https://hss.cn-north-4.myhuaweicloud.com/v5/0123abc/billing/quotas-detail?limit=200&offset=0");
        assert_eq!(upstream_url(&t, Some("http://127.0.0.1:9/"), &[]).unwrap(), "http://127.0.0.1:9/v5/0123abc/billing/quotas-detail?limit=200&offset=0");
    }

    #[test]
    fn an_operators_host_serves_its_region() {
        let hosts = [
            ServiceHost { service: tenantscope_catalog::Service::Hss, region: "xx-test-1".into(), host: "hss.xx-test-1.myhuaweicloud.com".into() },
            ServiceHost { service: tenantscope_catalog::Service::Hss, region: "cn-north-4".into(), host: "hss-alt.cn-north-4.myhuaweicloud.com".into() },
        ];
        let uri = |u: &str| u.parse::<Uri>().unwrap();
        assert_eq!(parse("/api/hss/xx-test-1/v5/p/billing/quotas-detail").err(), Some(ProxyError::RegionNotOffered));
        let t = parse_target(&uri("/api/hss/xx-test-1/v5/p/billing/quotas-detail"), &hosts).unwrap();
        assert_eq!(upstream_url(&t, None, &hosts).unwrap(), "https://hss.xx-test-1.myhuaweicloud.com/v5/p/billing/quotas-detail");
        let t = parse_target(&uri("/api/hss/cn-north-4/v5/p/billing/quotas-detail"), &hosts).unwrap();
        assert_eq!(upstream_url(&t, None, &hosts).unwrap(), "https://hss-alt.cn-north-4.myhuaweicloud.com/v5/p/billing/quotas-detail");
        // Another service in that region is still not offered.
        assert_eq!(parse_target(&uri("/api/dsc/xx-test-1/v1/p/period/product/specification"), &hosts).err(), Some(ProxyError::RegionNotOffered));
    }

    #[test]
    fn the_uri_is_the_url_unparsed() {
        let hosts =
            [ServiceHost { service: tenantscope_catalog::Service::Hss, region: "cn-north-4".into(), host: "hss-alt.cn-north-4.myhuaweicloud.com".into() }];
        let calls = [
            "/api/hss/cn-north-4/v5/0123abc/billing/quotas-detail?limit=200&offset=0",
            "/api/dsc/cn-north-4/v1/p/period/product/specification",
            "/api/iam/global/v3/auth/projects",
            "/api/iam/global-eu/v3/auth/tokens?nocatalog=true",
        ];
        let bases = [None, Some("http://127.0.0.1:9/"), Some("http://127.0.0.1:9"), Some("https://gateway.example:8443/prefix/")];
        for host_list in [&hosts[..], &[]] {
            for base in bases {
                let origins = Origins::new(base, host_list.to_vec());
                for call in calls {
                    let t = parse_target(&call.parse::<Uri>().unwrap(), host_list).unwrap();
                    let uri = origins.uri(&t).unwrap();
                    assert_eq!(uri.to_string(), upstream_url(&t, base, host_list).unwrap(), "{call} {base:?}");
                    // Twice: the second from the kept authority.
                    assert_eq!(origins.uri(&t).unwrap(), uri);
                }
            }
        }
        // The Host header made once, as hyper-util makes it (host, and the
        // port unless the scheme's default); none where it may be HTTP/2.
        for (base, host) in [
            ("http://127.0.0.1:9/", Some("127.0.0.1:9")),
            ("HTTP://LocalHost:80/x", Some("localhost")),
            ("http://[::1]:8080", Some("[::1]:8080")),
            ("http://gateway.example", Some("gateway.example")),
            ("https://gateway.example:8443/prefix/", None),
        ] {
            let origins = Origins::new(Some(base), vec![]);
            assert_eq!(origins.host_header().map(|h| h.to_str().unwrap()), host, "{base}");
        }
        assert!(Origins::new(None, hosts.to_vec()).host_header().is_none());
        let upper = Origins::new(Some("HTTP://LocalHost:8080"), vec![]);
        let t = parse("/api/iam/global/v3/auth/projects").unwrap();
        assert_eq!(upper.uri(&t).unwrap().to_string(), "http://localhost:8080/v3/auth/projects");
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
            ("/apix/iam/global/v3/auth/tokens", RouteNotAllowed),
        ];
        for (uri, expected) in cases {
            assert_eq!(parse(uri).err(), Some(expected), "{uri}");
        }
    }
}
