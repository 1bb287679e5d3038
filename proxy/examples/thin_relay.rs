//! The benchmark's reference row (issue 14, "Speed against the limit"): the
//! thinnest correct relay for the proxy's route, to measure what a hyper
//! server plus a pooled hyper client costs with nothing else on top.
//!
//! `thin_relay LISTEN_ADDR UPSTREAM_BASE`, e.g.
//! `thin_relay 127.0.0.1:0 http://127.0.0.1:8081`: every GET is sent to
//! UPSTREAM_BASE with the same path and query, with only `x-auth-token` and
//! `accept`, over a keep-alive HTTP/1 pool; the answer's status,
//! content-type and body (streamed) come back. No checks, no logging, no
//! limits, no CORS headers. Prints `listening on http://ADDR` when ready
//! (what bench/run.mjs waits for).

use std::convert::Infallible;

use http_body_util::{combinators::BoxBody, BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, ACCEPT, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

type Body = BoxBody<Bytes, hyper::Error>;
type Upstream = Client<HttpConnector, Empty<Bytes>>;

const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

fn plain(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::new()).map_err(|e: Infallible| match e {}).boxed());
    *res.status_mut() = status;
    res
}

async fn relay(client: Upstream, base: &str, req: Request<Incoming>) -> Response<Body> {
    if req.method() != Method::GET {
        return plain(StatusCode::METHOD_NOT_ALLOWED);
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let Ok(uri) = format!("{base}{target}").parse::<Uri>() else {
        return plain(StatusCode::BAD_REQUEST);
    };
    let mut out = Request::get(uri).body(Empty::new()).expect("a GET with a parsed URI");
    for name in [X_AUTH_TOKEN, ACCEPT] {
        if let Some(v) = req.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    match client.request(out).await {
        Ok(up) => {
            let (parts, body) = up.into_parts();
            let mut res = Response::new(body.boxed());
            *res.status_mut() = parts.status;
            if let Some(ct) = parts.headers.get(CONTENT_TYPE) {
                res.headers_mut().insert(CONTENT_TYPE, ct.clone());
            }
            res
        }
        Err(_) => plain(StatusCode::BAD_GATEWAY),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: thin_relay LISTEN_ADDR UPSTREAM_BASE";
    let listen = args.next().expect(usage);
    let base: &'static str = args.next().expect(usage).trim_end_matches('/').to_owned().leak();
    let client: Upstream = Client::builder(TokioExecutor::new()).build_http();
    let listener = TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let client = client.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let client = client.clone();
                async move { Ok::<_, Infallible>(relay(client, base, req).await) }
            });
            let _ = auto::Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
