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
    /// The first segment after `/api/` is not one of the service keys.
    UnknownService,
    /// The region is not one where the service is offered.
    RegionNotOffered,
    /// The path or query contains something no documented route has.
    InvalidPath,
    /// A valid path that is not one of the routes the console uses.
    RouteNotAllowed,
    /// Another method than the route's own (GET, or POST for billing's
    /// query: `post`), and CORS preflight.
    MethodNotAllowed { post: bool },
    /// The upstream could not be reached (DNS, connect, TLS, reset).
    UpstreamUnreachable,
    /// The upstream took longer than the proxy's timeout.
    UpstreamTimeout,
    /// The upstream answered something that is not JSON (an HTML error page,
    /// for instance); it is not passed through.
    UpstreamNotJson,
    /// The upstream answered with a redirect, which is never followed.
    UpstreamRedirect,
    /// The upstream's answer is larger than the body cap.
    UpstreamTooLarge,
    /// The client spent its rate-limit tokens; `Retry-After` says when to come back.
    RateLimited { retry_after_secs: u64 },
    /// Every upstream slot stayed busy for the queue wait.
    Busy,
    /// An `Origin` that is neither the page's own nor an allowed one, or a
    /// preflight asking for a method or header that is not relayed.
    OriginNotAllowed,
    /// A `Host` that is not a loopback name or an allowed host (DNS rebinding guard).
    HostNotAllowed,
    /// The request's headers are larger than the cap.
    HeadersTooLarge,
    /// This client already has as many upstream calls in flight as it may.
    ClientBusy,
    /// The upstream answered an interim (1xx) or upgrade (101) status: only
    /// final answers are relayed.
    UpstreamBadStatus,
    /// A header that must come once came twice (`Host`, a credential).
    DuplicateHeader,
    /// The request target is longer than any the proxy serves.
    UriTooLong,
    /// An `Authorization` header of another scheme than SDK-HMAC-SHA256
    /// (Basic, Bearer, ...): the proxy relays no other credential there.
    UnsupportedAuthorization,
    /// Both an `X-Auth-Token` and an `Authorization` header: a request is
    /// authenticated by a token or by an access-key signature, not both.
    TokenAndSignature,
    /// A request body that is not labelled JSON (`application/json`,
    /// optionally with `charset=utf-8`), on the route that takes one.
    UnsupportedMediaType,
    /// A request body larger than [`crate::body::MAX_REQUEST_BODY`], by its
    /// `Content-Length` or as it arrives.
    BodyTooLarge,
    /// A request body that did not arrive whole within the header timeout.
    BodyTimeout,
    /// A request body that broke off (the client reset the stream or closed
    /// the connection before its end).
    BodyIncomplete,
}

impl ProxyError {
    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::UnknownService | ProxyError::RegionNotOffered | ProxyError::RouteNotAllowed => StatusCode::NOT_FOUND,
            ProxyError::InvalidPath => StatusCode::BAD_REQUEST,
            ProxyError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ProxyError::UpstreamUnreachable | ProxyError::UpstreamNotJson | ProxyError::UpstreamRedirect => StatusCode::BAD_GATEWAY,
            ProxyError::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            ProxyError::UpstreamTooLarge => StatusCode::BAD_GATEWAY,
            ProxyError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ProxyError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::OriginNotAllowed | ProxyError::HostNotAllowed => StatusCode::FORBIDDEN,
            ProxyError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProxyError::ClientBusy => StatusCode::TOO_MANY_REQUESTS,
            ProxyError::UpstreamBadStatus => StatusCode::BAD_GATEWAY,
            ProxyError::DuplicateHeader => StatusCode::BAD_REQUEST,
            ProxyError::UriTooLong => StatusCode::URI_TOO_LONG,
            ProxyError::UnsupportedAuthorization | ProxyError::TokenAndSignature => StatusCode::BAD_REQUEST,
            ProxyError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProxyError::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ProxyError::BodyIncomplete => StatusCode::BAD_REQUEST,
        }
    }

    /// The stable code, documented in docs/proxy.md.
    pub fn code(&self) -> &'static str {
        match self {
            ProxyError::UnknownService => "PROXY.0001",
            ProxyError::RegionNotOffered => "PROXY.0002",
            ProxyError::InvalidPath => "PROXY.0003",
            ProxyError::RouteNotAllowed => "PROXY.0004",
            ProxyError::MethodNotAllowed { .. } => "PROXY.0005",
            ProxyError::UpstreamUnreachable => "PROXY.0006",
            ProxyError::UpstreamTimeout => "PROXY.0007",
            ProxyError::UpstreamNotJson => "PROXY.0008",
            ProxyError::UpstreamRedirect => "PROXY.0009",
            ProxyError::UpstreamTooLarge => "PROXY.0010",
            ProxyError::RateLimited { .. } => "PROXY.0011",
            ProxyError::Busy => "PROXY.0012",
            ProxyError::OriginNotAllowed => "PROXY.0013",
            ProxyError::HostNotAllowed => "PROXY.0014",
            ProxyError::HeadersTooLarge => "PROXY.0015",
            ProxyError::ClientBusy => "PROXY.0016",
            ProxyError::UpstreamBadStatus => "PROXY.0017",
            ProxyError::DuplicateHeader => "PROXY.0018",
            ProxyError::UriTooLong => "PROXY.0019",
            ProxyError::UnsupportedAuthorization => "PROXY.0020",
            ProxyError::TokenAndSignature => "PROXY.0021",
            ProxyError::UnsupportedMediaType => "PROXY.0022",
            ProxyError::BodyTooLarge => "PROXY.0023",
            ProxyError::BodyTimeout => "PROXY.0024",
            ProxyError::BodyIncomplete => "PROXY.0025",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            ProxyError::UnknownService => "Unknown service: use one of iam, projectman, testplan, codecheck, metastudio, dsc, hss, bss",
            ProxyError::RegionNotOffered => "This service is not offered in this region",
            ProxyError::InvalidPath => "Invalid path or query: segments may hold only letters, digits, '-' and '_'",
            ProxyError::RouteNotAllowed => "This API route is not relayed by tenantscope-proxy",
            ProxyError::MethodNotAllowed { post: false } => "Only GET (and OPTIONS for CORS preflight) is accepted on this route",
            ProxyError::MethodNotAllowed { post: true } => "Only POST with a JSON body (and OPTIONS for CORS preflight) is accepted on this route",
            ProxyError::UpstreamUnreachable => "The Huawei Cloud endpoint could not be reached",
            ProxyError::UpstreamTimeout => "The Huawei Cloud endpoint did not answer in time",
            ProxyError::UpstreamNotJson => "The Huawei Cloud endpoint answered with something that is not JSON",
            ProxyError::UpstreamRedirect => "The Huawei Cloud endpoint answered with a redirect, which is not followed",
            ProxyError::UpstreamTooLarge => "The Huawei Cloud endpoint's answer is larger than the proxy relays",
            ProxyError::RateLimited { .. } => "Too many requests from this client: retry after the time in Retry-After",
            ProxyError::Busy => "The proxy has too many requests in flight: retry shortly",
            ProxyError::OriginNotAllowed => "This origin may not call the proxy (see --allow-origin)",
            ProxyError::HostNotAllowed => "This Host name is not served by the proxy (see --allowed-host)",
            ProxyError::HeadersTooLarge => "The request headers are too large",
            ProxyError::ClientBusy => "This client has too many requests in flight: retry shortly",
            ProxyError::UpstreamBadStatus => "The Huawei Cloud endpoint answered with an interim or upgrade status",
            ProxyError::DuplicateHeader => "A header that may appear once (Host, a token) appears more than once",
            ProxyError::UriTooLong => "The request target is too long",
            ProxyError::UnsupportedAuthorization => "Only SDK-HMAC-SHA256 access-key signatures are relayed in the Authorization header",
            ProxyError::TokenAndSignature => "Send a token (X-Auth-Token) or an access-key signature (Authorization), not both",
            ProxyError::UnsupportedMediaType => "The request body must be JSON, sent as Content-Type: application/json",
            ProxyError::BodyTooLarge => "The request body is larger than the proxy accepts (16 KiB)",
            ProxyError::BodyTimeout => "The request body did not arrive in time",
            ProxyError::BodyIncomplete => "The request body broke off before its end",
        }
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error_code": self.code(), "error_msg": self.message() });
        let mut response = (self.status(), body.to_string()).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        match self {
            ProxyError::MethodNotAllowed { post } => {
                let allow = if post { "POST, OPTIONS" } else { "GET, OPTIONS" };
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            ProxyError::RateLimited { retry_after_secs } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
            }
            ProxyError::Busy | ProxyError::ClientBusy => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}
