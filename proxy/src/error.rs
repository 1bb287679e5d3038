//! Errors of the proxy itself, as opposed to errors relayed from Huawei Cloud.
//!
//! They use the same body shape as the cloud's gateway (`error_code` /
//! `error_msg`, docs/huawei-apis.md §6) so the console reads both the same way;
//! the `PROXY.` prefix tells them apart. Messages never contain request
//! headers, query values or anything else a caller sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A failure of the proxy, with the status it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// The first segment after `/api/` is not one of the seven service keys.
    UnknownService,
    /// The region is not one where the service is offered.
    RegionNotOffered,
    /// The path or query contains something no documented route has.
    InvalidPath,
    /// A valid path that is not one of the routes the console uses.
    RouteNotAllowed,
    /// Anything but GET (and CORS preflight).
    MethodNotAllowed,
    /// The upstream could not be reached (DNS, connect, TLS, reset).
    UpstreamUnreachable,
    /// The upstream took longer than the proxy's timeout.
    UpstreamTimeout,
    /// The upstream answered something that is not JSON (an HTML error page,
    /// for instance); it is not passed through.
    UpstreamNotJson,
    /// The upstream answered with a redirect, which is never followed.
    UpstreamRedirect,
}

impl ProxyError {
    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::UnknownService | ProxyError::RegionNotOffered | ProxyError::RouteNotAllowed => {
                StatusCode::NOT_FOUND
            }
            ProxyError::InvalidPath => StatusCode::BAD_REQUEST,
            ProxyError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProxyError::UpstreamUnreachable | ProxyError::UpstreamNotJson | ProxyError::UpstreamRedirect => {
                StatusCode::BAD_GATEWAY
            }
            ProxyError::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The stable code, documented in the README.
    pub fn code(&self) -> &'static str {
        match self {
            ProxyError::UnknownService => "PROXY.0001",
            ProxyError::RegionNotOffered => "PROXY.0002",
            ProxyError::InvalidPath => "PROXY.0003",
            ProxyError::RouteNotAllowed => "PROXY.0004",
            ProxyError::MethodNotAllowed => "PROXY.0005",
            ProxyError::UpstreamUnreachable => "PROXY.0006",
            ProxyError::UpstreamTimeout => "PROXY.0007",
            ProxyError::UpstreamNotJson => "PROXY.0008",
            ProxyError::UpstreamRedirect => "PROXY.0009",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            ProxyError::UnknownService => {
                "Unknown service: use one of iam, projectman, testplan, codecheck, metastudio, dsc, hss"
            }
            ProxyError::RegionNotOffered => "This service is not offered in this region",
            ProxyError::InvalidPath => {
                "Invalid path or query: segments may hold only letters, digits, '-' and '_'"
            }
            ProxyError::RouteNotAllowed => "This API route is not relayed by tenantscope-proxy",
            ProxyError::MethodNotAllowed => "Only GET is relayed",
            ProxyError::UpstreamUnreachable => "The Huawei Cloud endpoint could not be reached",
            ProxyError::UpstreamTimeout => "The Huawei Cloud endpoint did not answer in time",
            ProxyError::UpstreamNotJson => "The Huawei Cloud endpoint answered with something that is not JSON",
            ProxyError::UpstreamRedirect => "The Huawei Cloud endpoint answered with a redirect, which is not followed",
        }
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error_code": self.code(), "error_msg": self.message() });
        let mut response = (self.status(), body.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self == ProxyError::MethodNotAllowed {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
        }
        response
    }
}
