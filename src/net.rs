//! The browser's side of the gateway: calls sent with `fetch` (gloo-net)
//! through the proxy, the window's timer and clock, and the loading
//! functions the views call, each [`tenantscope_core`]'s through [`Browser`].

use tenantscope_catalog::{Route, Service};

use crate::api::{about_from, offered_pairs, token_headers, About, Answer, ApiError, ApiResponse, Credentials, Gateway, Invalid};
use crate::domain::paging::Progress;
use crate::domain::Instant;
use crate::services::iam;
use crate::services::ServiceState;
use crate::session::{account, introspect, lists_via, resolve_via, Connection, Discovery, Fetch, Session};

/// The current time, from the browser's clock.
pub fn now() -> Instant {
    Instant::from_millis(js_sys::Date::now() as i64)
}

/// An answer's body as read: its text, and the text as JSON (`None`: the
/// body could not be read).
type Body = futures::future::LocalBoxFuture<'static, Option<(String, Result<serde_json::Value, String>)>>;

/// How an answer's body is read.
type Read = fn(gloo_net::http::Response) -> Body;

/// The browser: the gateway's calls (abandoned when the signal, if any,
/// aborts), the window's timer and clock.
pub struct Browser<'a> {
    gateway: &'a Gateway,
    signal: Option<&'a web_sys::AbortSignal>,
    read: Read,
}

impl<'a> Browser<'a> {
    /// For the first page load's calls (the token's lookup): its answers
    /// are few and small, read by [`parse_with_js`], with no parser in its wasm.
    fn page(gateway: &'a Gateway) -> Browser<'a> {
        Browser { gateway, signal: None, read: read_text }
    }

    /// For the console's calls, abandoned when `signal` aborts. Its answers
    /// are read by serde_json's parser, which the console's code holds
    /// already (for the history): a page of 200 quotas is read several
    /// times faster than by walking `JSON.parse`'s objects, and the next
    /// pages wait for it.
    pub fn console(gateway: &'a Gateway, signal: Option<&'a web_sys::AbortSignal>) -> Browser<'a> {
        Browser { gateway, signal, read: read_bytes }
    }
}

impl Fetch for Browser<'_> {
    fn get(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>> {
        call(self.gateway, route, region, param, query, String::new(), self.signal, self.read)
    }

    fn post(&self, route: Route, region: &str, body: String) -> impl std::future::Future<Output = Result<ApiResponse, ApiError>> {
        call(self.gateway, route, region, None, &[], body, self.signal, self.read)
    }

    async fn sleep(&self, ms: u32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let scheduled =
                web_sys::window().and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.min(i32::MAX as u32) as i32).ok());
            if scheduled.is_none() {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    fn now(&self) -> Instant {
        now()
    }

    fn offered(&self) -> impl std::future::Future<Output = Vec<(Service, String)>> {
        offered(self.gateway)
    }
}

/// Resolves when the function `park` is given is called (by whoever `park`
/// hands it to).
pub async fn parked(park: impl FnOnce(js_sys::Function)) {
    let mut park = Some(park);
    let promise = js_sys::Promise::new(&mut |resume, _| {
        if let Some(park) = park.take() {
            park(resume);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves in a later task of the page's (a timer of 0 ms): what the
/// current one started (drawing, say) is done first.
pub async fn later() {
    parked(|resume| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resume, 0);
        }
    })
    .await;
}

/// Fills in what the person left empty: the project (and its region) from
/// token introspection. The CodeArts project, when not given, is left to
/// [`crate::services::testplan::codearts_project`]: only TestPlan needs it.
pub async fn resolve(connection: Connection) -> Result<Session, ApiError> {
    let gateway = connection.gateway.clone();
    resolve_via(&Browser::console(&gateway, None), connection).await
}

/// Once the token is known to be good ([`introspect_token`]; `at`: where
/// it was found), its projects and, in the token's region (else `region`),
/// its CodeArts projects, to fill in the form. Failures leave a list empty:
/// the lists are a convenience.
pub async fn lists(gateway: Gateway, info: iam::TokenInfo, at: Option<&'static str>, region: String) -> Discovery {
    lists_via(&Browser::page(&gateway), info, at, region).await
}

/// [`account`] through the browser.
pub async fn account_projects(gateway: &Gateway) -> Result<Vec<iam::Project>, ApiError> {
    account(&Browser::console(gateway, None)).await
}

/// [`introspect`] through the browser.
pub async fn introspect_token(gateway: &Gateway, region: &str) -> Result<(iam::TokenInfo, Option<&'static str>), ApiError> {
    introspect(&Browser::page(gateway), region).await
}

/// The state of one service for the session `ctx`, loading it if the
/// service is offered in its region. `progress` hears how many pages of a
/// paged service have been read; `signal` abandons the calls in flight.
pub async fn service_state(
    service: Service,
    ctx: &Session,
    signal: Option<&web_sys::AbortSignal>,
    progress: impl FnMut(Progress),
) -> Result<ServiceState, ApiError> {
    crate::tenant::service_state(&Browser::console(&ctx.gateway, signal), service, ctx, progress).await
}

/// One call of `route` (its method: GET with an empty `body`, POST),
/// abandoned when `signal` aborts (a closed tab stops what it was loading),
/// its answer read by `read`.
#[allow(clippy::too_many_arguments)]
async fn call(
    gateway: &Gateway,
    route: Route,
    region: &str,
    param: Option<&str>,
    query: &[(&str, &str)],
    body: String,
    signal: Option<&web_sys::AbortSignal>,
    read: Read,
) -> Result<ApiResponse, ApiError> {
    let (url, path) = gateway.target(route, region, param, query)?;
    match &gateway.credentials {
        Credentials::IamToken(token) => send(gateway, &url, route, token_headers(token, route), &body, signal, read).await.0,
        Credentials::AccessKeys(_) => {
            let query: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            // Signed in the console chunk, which holds the signing code
            // (SHA-256, HMAC: 8 KiB of brotli the first page load has no
            // room for, and needs only once keys are entered).
            match signer(gateway.clone(), route, url, path, query, body, signal.cloned()).await {
                Ok(answer) => answer.await,
                Err(_) => Err(ApiError::Invalid(Invalid::NoSigner)),
            }
        }
    }
}

/// [`signed_call`], from the console chunk (a split point, fetched on
/// first use like the console itself) so that the signing code comes with
/// it, not with the first page load.
#[leptos::wasm_split::wasm_split(console, wasm_split_path = ::leptos::wasm_split, fallible)]
fn signer(
    gateway: Gateway,
    route: Route,
    url: String,
    path: String,
    query: Vec<(String, String)>,
    body: String,
    signal: Option<web_sys::AbortSignal>,
) -> Result<futures::future::LocalBoxFuture<'static, Result<ApiResponse, ApiError>>, leptos::wasm_split::SplitLoaderError> {
    Ok(Box::pin(async move { signed_call(&gateway, route, &url, &path, &query, &body, signal.as_ref()).await }))
}

/// A call signed with access keys ([`tenantscope_core::api::signed`]),
/// dated by the proxy's clock as the `Date` of its answers measures it.
pub async fn signed_call(
    gateway: &Gateway,
    route: Route,
    url: &str,
    path: &str,
    query: &[(String, String)],
    body: &str,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<ApiResponse, ApiError> {
    let Credentials::AccessKeys(keys) = &gateway.credentials else { return Err(ApiError::Invalid(Invalid::NotScoped)) };
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let clock = || js_sys::Date::now() as i64;
    // Only the console signs: its parser reads the answers.
    crate::api::signed(keys, route, path, &query, body, clock, |headers| send(gateway, url, route, headers, body, signal, read_bytes)).await
}

/// One call with the headers that authenticate it: the answer (read by
/// `read`), and the proxy's `Date` in milliseconds (exposed to the page by
/// its CORS headers).
async fn send(
    gateway: &Gateway,
    url: &str,
    route: Route,
    headers: Vec<(&'static str, String)>,
    body: &str,
    signal: Option<&web_sys::AbortSignal>,
    read: Read,
) -> (Result<ApiResponse, ApiError>, Option<i64>) {
    // Past the browser's HTTP cache: an answer read with a token must
    // never be stored, and the cache would hold a second request for
    // the same URL (the form's and a tab's CodeArts project list) until
    // the first is answered, a round trip lost (bench/network.mjs).
    let mut request = match route.method() {
        "POST" => gloo_net::http::Request::post(url).header("Content-Type", "application/json"),
        _ => gloo_net::http::Request::get(url),
    }
    .header("Accept", "application/json")
    .cache(web_sys::RequestCache::NoStore)
    .abort_signal(signal);
    for (name, value) in headers {
        request = request.header(name, &value);
    }
    let sent = match route.method() {
        "POST" => match request.body(body.to_string()) {
            Ok(request) => request.send().await,
            Err(_) => return (Err(gateway.unreachable()), None),
        },
        _ => request.send().await,
    };
    let Ok(response) = sent else { return (Err(gateway.unreachable()), None) };
    let date = response.headers().get("date").map(|d| js_sys::Date::parse(&d)).filter(|t| t.is_finite()).map(|t| t as i64);
    let status = response.status();
    let request_id = response.headers().get("x-request-id");
    let Some((text, json)) = read(response).await else { return (Err(gateway.unreachable()), date) };
    (gateway.read(route, Answer { status, request_id, text, json }), date)
}

/// Where the proxy's operator set a service's host for a region the
/// catalogue lacks (`GET {proxy}/offered`, the proxy's `--service-host`):
/// (service, region) pairs. Empty when the proxy does not say (an older
/// proxy, a failure): the catalogue alone then decides.
pub async fn offered(gateway: &Gateway) -> Vec<(Service, String)> {
    let url = format!("{}/offered", gateway.proxy.trim_end_matches('/'));
    let Ok(response) = gloo_net::http::Request::get(&url).header("Accept", "application/json").send().await else {
        return Vec::new();
    };
    if !response.ok() {
        return Vec::new();
    }
    let text = response.text().await.unwrap_or_default();
    parse_with_js(&text).map(|v| offered_pairs(&v)).unwrap_or_default()
}

/// Asks the proxy at `proxy` what it is. A proxy older than the route
/// answers its JSON 404: an [`ApiError::Http`], not [`ApiError::NotAProxy`].
pub async fn about(proxy: String) -> Result<About, ApiError> {
    let url = format!("{}/about", proxy.trim_end_matches('/'));
    let network = || ApiError::Network { proxy: proxy.clone() };
    let response = gloo_net::http::Request::get(&url).header("Accept", "application/json").send().await.map_err(|_| network())?;
    let status = response.status();
    let text = response.text().await.map_err(|_| network())?;
    about_from(&proxy, status, parse_with_js(&text))
}

/// An answer's text, and the text as read by [`parse_with_js`].
fn read_text(response: gloo_net::http::Response) -> Body {
    Box::pin(async move {
        let text = response.text().await.ok()?;
        let json = parse_with_js(&text);
        Some((text, json))
    })
}

/// An answer's bytes, copied into the module's memory at once (a text
/// would be copied a character at a time by the bindings' JavaScript,
/// which took longer than reading a page of quotas, in a trace of the
/// demo), and read by serde_json's parser ([`Browser::console`]).
fn read_bytes(response: gloo_net::http::Response) -> Body {
    Box::pin(async move {
        let bytes = response.binary().await.ok()?;
        // JSON is UTF-8 (RFC 8259 §8.1): other bytes are no JSON to read.
        Some(match String::from_utf8(bytes) {
            Ok(text) => {
                let json = crate::api::parse_json(&text);
                (text, json)
            }
            Err(_) => (String::new(), Err("not UTF-8".to_string())),
        })
    })
}

/// Reads JSON text with the browser's own `JSON.parse`, which keeps
/// serde_json's parser out of the first page load's wasm (3.9 KiB brotli);
/// the console's calls have it ([`Browser::console`]).
fn parse_with_js(text: &str) -> Result<serde_json::Value, String> {
    use wasm_bindgen::JsCast;
    let parsed =
        js_sys::JSON::parse(text).map_err(|e| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| "malformed".into()))?;
    Ok(from_js(&parsed))
}

/// A value `JSON.parse` made, as serde_json's tree. Whole numbers that fit
/// stay integers, as serde_json would read them.
fn from_js(v: &wasm_bindgen::JsValue) -> serde_json::Value {
    use wasm_bindgen::JsCast;
    if let Some(b) = v.as_bool() {
        serde_json::Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
            serde_json::Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        serde_json::Value::String(s)
    } else if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        serde_json::Value::Array(a.iter().map(|x| from_js(&x)).collect())
    } else if v.is_object() {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        serde_json::Value::Object(
            entries
                .iter()
                .filter_map(|pair| {
                    let pair: js_sys::Array = pair.unchecked_into();
                    Some((pair.get(0).as_string()?, from_js(&pair.get(1))))
                })
                .collect(),
        )
    } else {
        serde_json::Value::Null
    }
}
