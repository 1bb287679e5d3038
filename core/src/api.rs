//! The API gateway: the one place that builds proxy URLs and request headers,
//! holds the credentials, signs, and turns every failure into one typed,
//! cloneable [`ApiError`]. How a call travels is a face's: the browser's
//! [`Fetch`](crate::session::Fetch) sends it with `fetch`, the command
//! line's with its own client; both read the answer with [`Gateway::read`].

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

/// A secret access key or a security token: signed with or sent, never
/// shown. `Debug` prints a placeholder and there is no `Display`; nothing
/// stores it (settings::remember keeps tokens only).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The longest access key ID or secret access key accepted (Huawei Cloud's
/// are 20 and 40 characters).
pub const MAX_KEY_LEN: usize = 128;

/// A "key ID" this long is a secret key pasted in the wrong field.
const SECRET_LIKE: usize = 32;

/// An access key pair, optionally temporary (with its security token),
/// that signs every call in the browser (SDK-HMAC-SHA256, docs/huawei-apis.md
/// §4): the secret key never leaves this type, only signatures made with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeys {
    pub access_key_id: String,
    secret_key: Secret,
    security_token: Option<Secret>,
    /// The IAM project regional calls are made in, sent as `X-Project-Id`
    /// as the SDKs do (`None` for the account-wide IAM calls).
    pub project_id: Option<String>,
    /// What the keys' copies (one per region project) share: the proxy's
    /// clock, so one measurement serves them all, and the cap on calls.
    pub sign_in: SignIn,
}

/// Signed calls of one sign-in in flight at once, across all its regions.
/// A tab reads up to 5 services of 10 pages each at once
/// ([`crate::domain::paging::IN_FLIGHT`]); All regions opens one tab per
/// region at once, which would put several times that on the proxy (its
/// default burst is 200 calls per client, `--rate-burst`) and on the
/// account's API Gateway throttle (APIG.0308) together.
pub const SIGNED_IN_FLIGHT: usize = 12;

/// Why access keys were refused before any call (worded by
/// `components::access_key_form::key_error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    NoKeyId,
    /// Letters and digits only.
    BadKeyId,
    /// As long as a secret key (Huawei's are 40 characters, key IDs 20):
    /// most likely pasted in the wrong field, and a key ID is shown in
    /// errors (the gateway's own messages name it).
    LooksLikeSecret,
    NoSecret,
    /// Whitespace or control characters in the secret key or the security token.
    Whitespace,
    TooLong,
}

impl AccessKeys {
    /// Checks what was typed: the key ID, the secret key, and the security
    /// token of temporary credentials (empty: permanent keys).
    pub fn parse(access_key_id: &str, secret_key: &str, security_token: &str) -> Result<AccessKeys, KeyError> {
        let access_key_id = access_key_id.trim();
        if access_key_id.is_empty() {
            return Err(KeyError::NoKeyId);
        }
        if !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(KeyError::BadKeyId);
        }
        if (SECRET_LIKE..=MAX_KEY_LEN).contains(&access_key_id.len()) {
            return Err(KeyError::LooksLikeSecret);
        }
        if secret_key.is_empty() {
            return Err(KeyError::NoSecret);
        }
        let bad = |s: &str| s.chars().any(|c| c.is_whitespace() || c.is_control());
        if bad(secret_key) || bad(security_token.trim()) {
            return Err(KeyError::Whitespace);
        }
        if access_key_id.len() > MAX_KEY_LEN || secret_key.len() > MAX_KEY_LEN || security_token.len() > MAX_TOKEN_LEN {
            return Err(KeyError::TooLong);
        }
        let security_token = Some(security_token.trim()).filter(|t| !t.is_empty()).map(|t| Secret(t.to_string()));
        Ok(AccessKeys {
            access_key_id: access_key_id.to_string(),
            secret_key: Secret(secret_key.to_string()),
            security_token,
            project_id: None,
            sign_in: SignIn::default(),
        })
    }

    /// The same keys, making regional calls in `project_id`.
    pub fn in_project(&self, project_id: &str) -> AccessKeys {
        AccessKeys { project_id: Some(project_id.to_string()).filter(|p| !p.is_empty()), ..self.clone() }
    }

    /// [`Self::signed_headers`] at `now_ms` by the browser's clock,
    /// corrected by the proxy's as measured so far.
    pub(crate) fn headers_at(&self, route: Route, path: &str, query: &[(&str, &str)], body: &str, now_ms: i64) -> Vec<(&'static str, String)> {
        self.signed_headers(route, path, query, body, (now_ms + self.sign_in.offset_ms()).div_euclid(1000))
    }

    /// The headers of a signed call of `route` to `path` and `query`
    /// (decoded, as the upstream receives them: the proxy forwards both,
    /// and a POST's `body`, byte for byte), at `epoch_seconds` by the
    /// corrected clock. The body's hash is signed (empty for a GET).
    pub(crate) fn signed_headers(&self, route: Route, path: &str, query: &[(&str, &str)], body: &str, epoch_seconds: i64) -> Vec<(&'static str, String)> {
        let date = tenantscope_sign::sdk_date(epoch_seconds);
        let mut headers: Vec<(&'static str, String)> = vec![("X-Sdk-Date", date.clone())];
        // IAM's and billing's calls are the account's, not a project's.
        if let Some(project) = self.project_id.as_ref().filter(|_| !matches!(route.service(), Service::Iam | Service::Bss)) {
            headers.push(("X-Project-Id", project.clone()));
        }
        if let Some(token) = &self.security_token {
            headers.push(("X-Security-Token", token.0.clone()));
        }
        // `Host` is not signed: the browser cannot set it, and the proxy
        // sends the catalogue's host (or its operator's --upstream-base or
        // --service-host), which the page need not know. The gateway checks
        // the headers the signature names, with `x-sdk-date` required
        // (docs/huawei-apis.md §4; the Go SDK's own vector signs no host);
        // the demo tenant verifies the same way (proxy/src/demo).
        let signed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let request = tenantscope_sign::Request { method: route.method(), path, query, headers: &signed, body: body.as_bytes() };
        let authorization = tenantscope_sign::authorization(&self.access_key_id, &self.secret_key.0, &date, &request);
        headers.push(("Authorization", authorization));
        headers
    }
}

/// How requests are authenticated: an IAM token, or access keys that sign
/// each call. Views never care which; the gateway alone reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    IamToken(Token),
    AccessKeys(AccessKeys),
}

impl Credentials {
    /// Whether calls are signed with access keys.
    pub fn signs(&self) -> bool {
        match self {
            Credentials::IamToken(_) => false,
            Credentials::AccessKeys(_) => true,
        }
    }
}

/// A token's headers for a call of `route`.
pub fn token_headers(token: &Token, route: Route) -> Vec<(&'static str, String)> {
    let mut headers = vec![("X-Auth-Token", token.secret().to_string())];
    // Token introspection asks about the token itself (IAM API iam_30_0004).
    if route == Route::IamToken {
        headers.push(("X-Subject-Token", token.secret().to_string()));
    }
    headers
}

/// What one sign-in's copies of the keys share (a `Gateway` clone each, one
/// per region project):
/// - how far the proxy's clock is ahead of the browser's, in milliseconds,
///   measured from the `Date` of its answers: the gateway refuses a
///   signature dated more than 15 minutes off (docs/huawei-apis.md §4), so
///   signatures are dated by the proxy's time;
/// - the places for calls in flight, [`SIGNED_IN_FLIGHT`] across regions.
#[derive(Clone)]
pub struct SignIn(std::sync::Arc<Inner>);

struct Inner {
    offset_ms: std::sync::atomic::AtomicI64,
    in_flight: async_lock::Semaphore,
}

impl Default for SignIn {
    fn default() -> SignIn {
        SignIn(std::sync::Arc::new(Inner { offset_ms: Default::default(), in_flight: async_lock::Semaphore::new(SIGNED_IN_FLIGHT) }))
    }
}

impl SignIn {
    /// The clock offset measured so far (0 before any answer).
    pub fn offset_ms(&self) -> i64 {
        self.0.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn set_offset(&self, offset_ms: i64) {
        self.0.offset_ms.store(offset_ms, std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits for a free place; the call holds it until the guard drops.
    pub async fn enter(&self) -> async_lock::SemaphoreGuard<'_> {
        self.0.in_flight.acquire().await
    }
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignIn({} ms, {} free)", self.offset_ms(), self.0.in_flight.available_permits())
    }
}

/// A measurement and a queue, not part of what the keys are.
impl PartialEq for SignIn {
    fn eq(&self, _: &SignIn) -> bool {
        true
    }
}

impl Eq for SignIn {}

/// The offset of a clock whose answer said `server_ms` (an HTTP `Date`,
/// whole seconds, so the true time is up to a second later) to the
/// browser's, for a call sent at `sent_ms` and answered at `received_ms`:
/// the answer's time is taken as the middle of the round trip.
pub fn clock_offset(server_ms: i64, sent_ms: i64, received_ms: i64) -> i64 {
    server_ms + 500 - (sent_ms + received_ms) / 2
}

/// Whether an answer to a signed call refused the signature (API
/// Gateway's APIGW.0303, docs/huawei-apis.md §6).
pub fn is_bad_signature(e: &ApiError) -> bool {
    matches!(e, ApiError::Http { error_code: Some(code), .. } if gateway_code(code, "0303"))
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
    /// The code that signs with access keys could not be had (the browser
    /// fetches it from the site on first use): nothing was sent.
    NoSigner,
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
    pub fn from_body(status: u16, body: Option<&Value>, request_id: Option<String>) -> ApiError {
        let (error_code, error_msg) = body.map(error_fields).unwrap_or_default();
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
    pub fn new(proxy: String, credentials: Credentials) -> Gateway {
        Gateway { proxy, credentials }
    }

    /// The proxy URL of one call. Query values are percent-encoded here.
    pub fn url(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<String, ApiError> {
        self.target(route, region, param, query).map(|(url, _)| url)
    }

    /// The headers that authenticate one call at `now_ms` (what
    /// a face sends; signed, for access keys).
    pub fn auth_headers(
        &self,
        route: Route,
        param: Option<&str>,
        query: &[(&str, &str)],
        body: &str,
        now_ms: i64,
    ) -> Result<Vec<(&'static str, String)>, ApiError> {
        let path = route.path(param).ok_or(ApiError::Invalid(Invalid::BadId(route.service())))?;
        Ok(match &self.credentials {
            Credentials::IamToken(token) => token_headers(token, route),
            Credentials::AccessKeys(keys) => keys.headers_at(route, &path, query, body, now_ms),
        })
    }

    /// The proxy URL of one call and the upstream path it signs.
    pub fn target(&self, route: Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<(String, String), ApiError> {
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
        Ok((url, path))
    }

    /// Reads what came back for a call of `route`: the proxy's (or the
    /// API's) JSON on success, a typed error otherwise.
    pub fn read(&self, route: Route, answer: Answer) -> Result<ApiResponse, ApiError> {
        let Answer { status, request_id, text, json } = answer;
        if not_a_proxy(status, &text, json.is_ok()) {
            return Err(ApiError::NotAProxy { proxy: self.proxy.clone(), status });
        }
        if !(200..300).contains(&status) {
            return Err(ApiError::from_body(status, json.as_ref().ok(), request_id));
        }
        let body = json.map_err(|e| ApiError::Decode { service: route.service(), detail: format!("not JSON ({e})") })?;
        Ok(ApiResponse { body, text, request_id })
    }

    /// The network failure of this gateway.
    pub fn unreachable(&self) -> ApiError {
        ApiError::Network { proxy: self.proxy.clone() }
    }
}

/// An answer as a face's transport received it, its text parsed by the
/// face (the browser's own `JSON.parse` keeps serde_json's parser out of
/// the wasm bundle).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    /// The cloud's `X-Request-Id`.
    pub request_id: Option<String>,
    pub text: String,
    /// The text as JSON, or why it is not.
    pub json: Result<Value, String>,
}

/// A call signed with `keys`, dated by the proxy's clock as its answers'
/// `Date` measures it; a signature refused (APIGW.0303) by a clock found
/// off by minutes in that very answer is signed again once. `now` is the
/// local clock in milliseconds; `send` sends the call with the headers
/// given and returns the answer and its `Date` in milliseconds, if any.
pub async fn signed<F, Fut>(
    keys: &AccessKeys,
    route: Route,
    path: &str,
    query: &[(&str, &str)],
    body: &str,
    now: impl Fn() -> i64,
    send: F,
) -> Result<ApiResponse, ApiError>
where
    F: Fn(Vec<(&'static str, String)>) -> Fut,
    Fut: std::future::Future<Output = (Result<ApiResponse, ApiError>, Option<i64>)>,
{
    // Dated once a place is free (a signature waits for no one).
    let _place = keys.sign_in.enter().await;
    let mut again = true;
    loop {
        let before = keys.sign_in.offset_ms();
        let sent = now();
        let (answer, date) = send(keys.headers_at(route, path, query, body, sent)).await;
        if let Some(server) = date {
            keys.sign_in.set_offset(clock_offset(server, sent, now()));
        }
        match answer {
            Err(e) if again && is_bad_signature(&e) && (keys.sign_in.offset_ms() - before).abs() > 60_000 => again = false,
            answer => return answer,
        }
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

/// Reads the answer to `GET {proxy}/about` (its text as JSON, or why not).
pub fn about_from(proxy: &str, status: u16, json: Result<Value, String>) -> Result<About, ApiError> {
    let not_a_proxy = || ApiError::NotAProxy { proxy: proxy.into(), status };
    let Ok(body) = json else { return Err(not_a_proxy()) };
    if !(200..300).contains(&status) {
        return Err(ApiError::from_body(status, Some(&body), None));
    }
    if body.get("proxy").and_then(Value::as_str) != Some("tenantscope-proxy") {
        return Err(not_a_proxy());
    }
    let text_of = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let relays_to =
        body.get("relays_to").and_then(Value::as_array).map_or_else(Vec::new, |hosts| hosts.iter().filter_map(Value::as_str).map(str::to_string).collect());
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

/// Reads JSON text with serde_json (the browser reads with its own
/// `JSON.parse` instead, which keeps this parser out of the wasm bundle).
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Percent-encodes everything but unreserved characters and `,` (which the
/// APIs use to separate several values, e.g. `resource_source=A,B`).
pub fn encode_query_value(value: &str) -> String {
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
        Gateway::new("/api/".into(), Credentials::IamToken(Token::parse("MIIabc").unwrap()))
    }

    #[test]
    fn the_proxy_says_what_it_is() {
        let about = about_from(
            "/api",
            200,
            parse_json(
                r#"{"proxy":"tenantscope-proxy","version":"0.1.0","demo":false,"relays_to":["hss.cn-north-4.myhuaweicloud.com",7,"sdg.cn-east-3.myhuaweicloud.com"]}"#,
            ),
        );
        assert_eq!(
            about,
            Ok(About {
                version: "0.1.0".into(),
                demo: false,
                relays_to: vec!["hss.cn-north-4.myhuaweicloud.com".into(), "sdg.cn-east-3.myhuaweicloud.com".into()]
            })
        );
        let demo = about_from("/api", 200, parse_json(r#"{"proxy":"tenantscope-proxy","version":"0.1.0","demo":true,"relays_to":[]}"#)).unwrap();
        assert!(demo.demo && demo.relays_to.is_empty());
        // A static host's page, or some other JSON service at that URL.
        assert_eq!(about_from("/api", 404, parse_json("<html>Not found</html>")), Err(ApiError::NotAProxy { proxy: "/api".into(), status: 404 }));
        assert_eq!(about_from("/api", 200, parse_json("<!DOCTYPE html>")), Err(ApiError::NotAProxy { proxy: "/api".into(), status: 200 }));
        assert_eq!(about_from("/x", 200, parse_json(r#"{"name":"other"}"#)), Err(ApiError::NotAProxy { proxy: "/x".into(), status: 200 }));
        // A proxy from before the route: its own JSON 404.
        assert!(matches!(
            about_from("/api", 404, parse_json(r#"{"error_code":"TS.404","error_msg":"no such route"}"#)),
            Err(ApiError::Http { status: 404, .. })
        ));
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
            g.url(Route::MetastudioResources, "cn-north-4", Some("p1"), &[("resource_source", "PURCHASED,ADMIN_ALLOCATED"), ("limit", "100")]).unwrap(),
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
        let g = Gateway::new("/api".into(), c);
        assert_eq!(g.auth_headers(Route::HssQuotas, Some("p"), &[], "", 0).unwrap(), vec![("X-Auth-Token", "t0k".to_string())]);
        assert_eq!(g.auth_headers(Route::IamToken, None, &[], "", 0).unwrap().len(), 2);
    }

    #[test]
    fn reads_every_error_shape() {
        let cases = [
            (r#"{"error_code":"APIG.0301","error_msg":"decrypt token fail"}"#, Some("APIG.0301"), Some("decrypt token fail")),
            (r#"{"code":"CC.1","message":"busy"}"#, Some("CC.1"), Some("busy")),
            (
                r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#,
                Some("401"),
                Some("The request you have made requires authentication."),
            ),
            ("<html>bad gateway</html>", None, None),
            ("[1,2]", None, None),
            ("", None, None),
        ];
        for (body, code, msg) in cases {
            match ApiError::from_body(401, parse_json(body).ok().as_ref(), Some("rid".into())) {
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

    fn keys() -> AccessKeys {
        AccessKeys::parse("DEMOACCESSKEYID00000", "demo-secret-access-key", "").unwrap()
    }

    #[test]
    fn a_sign_ins_regions_share_one_cap() {
        let keys = keys();
        let copies: Vec<AccessKeys> = (0..SIGNED_IN_FLIGHT).map(|i| keys.in_project(&format!("p{i}"))).collect();
        let held: Vec<_> = copies.iter().map(|k| futures::executor::block_on(k.sign_in.enter())).collect();
        let other = keys.in_project("other");
        assert!(other.sign_in.0.in_flight.try_acquire().is_none(), "a region past the cap");
        let another = AccessKeys::parse("AK2", "sk", "").unwrap();
        assert!(another.sign_in.0.in_flight.try_acquire().is_some(), "another sign-in has its own");
        drop(held);
        assert!(keys.sign_in.0.in_flight.try_acquire().is_some());
    }

    #[test]
    fn access_key_rules() {
        assert_eq!(AccessKeys::parse(" ", "s", ""), Err(KeyError::NoKeyId));
        assert_eq!(AccessKeys::parse("AK-1", "s", ""), Err(KeyError::BadKeyId));
        assert_eq!(AccessKeys::parse("AK1", "", ""), Err(KeyError::NoSecret));
        assert_eq!(AccessKeys::parse("AK1", "s k", ""), Err(KeyError::Whitespace));
        assert_eq!(AccessKeys::parse("AK1", "sk", "to ken"), Err(KeyError::Whitespace));
        assert_eq!(AccessKeys::parse(&"A".repeat(MAX_KEY_LEN + 1), "sk", ""), Err(KeyError::TooLong));
        // A secret key in the key ID's field is not sent (errors name the key ID).
        assert_eq!(AccessKeys::parse("Fq1ahMsgAeCjeNwsmtJZmYIPk8wkeZzoKjhYdR2J", "sk", ""), Err(KeyError::LooksLikeSecret));
        assert!(AccessKeys::parse("HPUABD9ZCJI7SUUNRDLX", "sk", "").is_ok(), "a 20-character key ID");
        let k = AccessKeys::parse(" AK1 ", "sk", " st ").unwrap();
        assert_eq!(k.access_key_id, "AK1");
        assert_eq!(k.security_token, Some(Secret("st".into())));
        assert_eq!(keys().security_token, None);
    }

    #[test]
    fn secrets_never_print() {
        let k = AccessKeys::parse("AK1", "the-secret-key", "the-security-token").unwrap().in_project("p1");
        let g = Gateway::new("/api".into(), Credentials::AccessKeys(k));
        let printed = format!("{g:?}");
        assert!(!printed.contains("the-secret-key") && !printed.contains("the-security-token"), "{printed}");
        assert!(printed.contains("AK1"));
    }

    /// What the gateway sends verifies as the demo tenant (and the gateway)
    /// checks it: recomputed from the headers it names, over the path and
    /// query the upstream receives.
    #[test]
    fn signed_calls_carry_a_signature_of_what_the_upstream_receives() {
        let g = Gateway::new("/api".into(), Credentials::AccessKeys(keys().in_project("0b4a")));
        let query = [("resource_source", "PURCHASED,ADMIN_ALLOCATED"), ("limit", "100")];
        // 2026-12-03 05:30:00.750 UTC by the browser.
        let now_ms = 1_796_275_800_750;
        let headers = g.auth_headers(Route::MetastudioResources, Some("0b4a"), &query, "", now_ms).unwrap();
        let get = |n: &str| headers.iter().find(|(h, _)| *h == n).map(|(_, v)| v.clone());
        assert_eq!(get("X-Sdk-Date").as_deref(), Some("20261203T053000Z"));
        assert_eq!(get("X-Project-Id").as_deref(), Some("0b4a"));
        assert_eq!(get("X-Security-Token"), None);
        assert_eq!(get("X-Auth-Token"), None);
        let authorization = get("Authorization").unwrap();
        assert!(!authorization.contains("demo-secret-access-key"));
        let parsed = tenantscope_sign::parse_authorization(&authorization).unwrap();
        assert_eq!((parsed.access_key, parsed.signed_headers), ("DEMOACCESSKEYID00000", "x-project-id;x-sdk-date"));
        // The URL's query, decoded, is what was signed.
        let url = g.url(Route::MetastudioResources, "cn-north-4", Some("0b4a"), &query).unwrap();
        let received = tenantscope_sign::query_pairs(url.split_once('?').unwrap().1).unwrap();
        let received: Vec<(&str, &str)> = received.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signed = [("X-Project-Id", "0b4a"), ("X-Sdk-Date", "20261203T053000Z")];
        let r = tenantscope_sign::Request { method: "GET", path: "/v1/0b4a/tenants/resources", query: &received, headers: &signed, body: b"" };
        let expected = tenantscope_sign::authorization("DEMOACCESSKEYID00000", "demo-secret-access-key", "20261203T053000Z", &r);
        assert!(authorization == expected, "the signature differs from one made independently");
        // IAM's calls name no project; temporary keys send their token, signed.
        let temporary = AccessKeys::parse("AK2", "sk2", "st2").unwrap().in_project("0b4a");
        let headers = temporary.signed_headers(Route::IamProjects, "/v3/auth/projects", &[], "", 0);
        assert_eq!(headers[0], ("X-Sdk-Date", "19700101T000000Z".to_string()));
        assert!(headers[1] == ("X-Security-Token", "st2".to_string()), "the security token is not sent as given");
        // (Not printed on failure: a signed header stays out of test output.)
        assert!(headers[2].1.contains("SignedHeaders=x-sdk-date;x-security-token,"), "the security token is not signed");
    }

    #[test]
    fn signatures_are_dated_by_the_proxys_clock() {
        let g = Gateway::new("/api".into(), Credentials::AccessKeys(keys()));
        // The browser's clock 20 minutes behind: the proxy said 05:50:00
        // for a call sent at 05:29:59.800 and answered at 05:30:00.200.
        let at = |h: &str, m: i64, s: f64| 1_796_256_000_000 + (h.parse::<i64>().unwrap() * 3600 + m * 60) * 1000 + (s * 1000.0) as i64;
        let Credentials::AccessKeys(k) = &g.credentials else { unreachable!() };
        k.sign_in.set_offset(clock_offset(at("05", 50, 0.0), at("05", 29, 59.8), at("05", 30, 0.2)));
        assert_eq!(k.sign_in.offset_ms(), 20 * 60_000 + 500);
        let headers = g.auth_headers(Route::DscSpecification, Some("p"), &[], "", at("05", 31, 0.0)).unwrap();
        assert_eq!(headers[0].1, "20261203T055100Z");
        // Clones share the measurement; the measurement is not the connection.
        let in_project = k.in_project("p2");
        k.sign_in.set_offset(0);
        assert_eq!(in_project.sign_in.offset_ms(), 0);
        assert_eq!(Gateway::new("/api".into(), Credentials::AccessKeys(keys())), g);
    }

    #[test]
    fn bad_signatures_are_told_apart() {
        let e = |code: &str| ApiError::Http { status: 401, error_code: Some(code.into()), error_msg: None, request_id: None };
        assert!(is_bad_signature(&e("APIGW.0303")) && is_bad_signature(&e("APIG.0303")));
        assert!(!is_bad_signature(&e("APIGW.0301")));
        assert!(e("APIGW.0303").is_auth());
    }
}
