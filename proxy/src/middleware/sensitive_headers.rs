//! Credential headers marked sensitive as soon as a request arrives
//! (tower-http's `SetSensitiveRequestHeadersLayer`): a `Debug` print of the
//! request or its headers shows `Sensitive` instead of the token, and
//! hyper's HTTP/2 encoder never puts them in its compression table, towards
//! the upstream included (the relay forwards the marked values).

use std::sync::Arc;

use axum::http::HeaderName;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

/// The request headers that carry a credential (docs/huawei-apis.md §4, §5).
pub const CREDENTIALS: [&str; 4] = ["x-auth-token", "x-subject-token", "authorization", "x-security-token"];

pub fn layer() -> SetSensitiveRequestHeadersLayer {
    let names: Arc<[HeaderName]> = CREDENTIALS.iter().map(|n| HeaderName::from_static(n)).collect();
    SetSensitiveRequestHeadersLayer::from_shared(names)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{HeaderValue, Request, Response};
    use tower::{service_fn, ServiceBuilder, ServiceExt};

    #[tokio::test]
    async fn credentials_are_marked_sensitive_and_others_not() {
        let seen = ServiceBuilder::new().layer(super::layer()).service(service_fn(|request: Request<Body>| async move {
            let marks: Vec<(String, bool)> = request.headers().iter().map(|(name, value)| (name.to_string(), value.is_sensitive())).collect();
            Ok::<_, std::convert::Infallible>(Response::new(format!("{marks:?}")))
        }));
        let mut request = Request::new(Body::empty());
        for name in super::CREDENTIALS.iter().chain(&["accept"]) {
            request.headers_mut().insert(*name, HeaderValue::from_static("value"));
        }
        let marks = seen.oneshot(request).await.unwrap().into_body();
        for name in super::CREDENTIALS {
            assert!(marks.contains(&format!("(\"{name}\", true)")), "{name}: {marks}");
        }
        assert!(marks.contains("(\"accept\", false)"), "{marks}");
        assert!(!format!("{:?}", HeaderValue::from_static("x")).contains("Sensitive"));
    }
}
