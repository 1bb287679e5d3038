//! `--demo`: a [`Fetch`] answered in process by the demo tenant
//! ([`tenantscope_demo::respond`]), with no network, account or
//! environment: each call built as [`crate::net`] would send it (the same
//! path, query and headers), handed to the demo instead of a host.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use tenantscope_catalog::Route;
use tenantscope_core::api::{parse_json, Answer, ApiError, ApiResponse, Credentials, Gateway, Token};
use tenantscope_core::domain::Instant;
use tenantscope_core::load::Fetch;

use crate::net::{now_ms, target};

/// What errors name as the host that answered.
pub const DEMO_HOST: &str = "demo";

/// The demo tenant's credentials: its token.
pub fn credentials() -> Credentials {
    Credentials::IamToken(Token::parse(tenantscope_demo::DEMO_TOKEN).expect("the demo token is a token"))
}

/// The demo tenant's calls of one session.
pub struct Demo<'a> {
    pub gateway: &'a Gateway,
}

impl Demo<'_> {
    fn call(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)], body: &str) -> Result<ApiResponse, ApiError> {
        // The URL a direct call would have, for its path and query.
        let (url, path, _) = target(Some("http://demo"), route, region, param, query)?;
        let gateway = Gateway { proxy: DEMO_HOST.into(), credentials: self.gateway.credentials.clone() };
        let now = now_ms();
        let headers = gateway.auth_headers(route, param, query, body, now)?;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                map.insert(name, value);
            }
        }
        let query = url.split_once('?').map(|(_, q)| q);
        let call = tenantscope_demo::Call { route, region, param, path: &path, query, headers: &map, body: body.as_bytes() };
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let reply = tenantscope_demo::respond(&call, at);
        let json = parse_json(&reply.body);
        gateway.read(route, Answer { status: reply.status.as_u16(), request_id: None, text: reply.body, json })
    }
}

impl Fetch for Demo<'_> {
    async fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
        self.call(route, region, param, query, "")
    }

    async fn post(&self, route: Route, region: &str, body: String) -> Result<ApiResponse, ApiError> {
        self.call(route, region, None, &[], &body)
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }

    fn now(&self) -> Instant {
        Instant::from_millis(now_ms())
    }
}
