//! The fixed catalogue of what tenantscope talks to: the eight Huawei Cloud
//! services (the five that hold packages, IAM, CodeArts Req and billing), the regions each one is offered in, the HTTPS host of each
//! service in each region, and the few API routes the console calls.
//!
//! Both the browser app (region select, URL building) and the proxy (host
//! allow-list, route allow-list, demo dispatch) read this one table, so a host
//! can never be chosen by a request: it is looked up here or refused.
//!
//! Sources are in `docs/huawei-apis.md` (copied from the research notes), §1 for
//! hosts and regions, §2–§3 for routes.

use std::borrow::Cow;
use std::fmt;

/// A Huawei Cloud service the console calls, by its proxy route key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Iam,
    Projectman,
    Testplan,
    Codecheck,
    Metastudio,
    Dsc,
    Hss,
    /// Billing Center (BSS): expiry and renewal policy of yearly/monthly
    /// resources, one global host per site (docs/huawei-apis.md §7).
    Bss,
}

/// How many services hold packages ([`Service::PACKAGES`]).
pub const PACKAGE_COUNT: usize = 5;

impl Service {
    /// Every service the proxy relays.
    pub const ALL: [Service; 8] =
        [Service::Iam, Service::Projectman, Service::Testplan, Service::Codecheck, Service::Metastudio, Service::Dsc, Service::Hss, Service::Bss];

    /// The services that hold subscription packages, in display order.
    /// Adding one is a module in `core/src/services/`, an entry here and its
    /// name in the app (docs/development.md, "Adding a sixth service").
    pub const PACKAGES: [Service; PACKAGE_COUNT] = [Service::Testplan, Service::Codecheck, Service::Metastudio, Service::Dsc, Service::Hss];

    /// The key used in proxy routes (`/api/{key}/{region}/...`) and exports.
    pub const fn key(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Projectman => "projectman",
            Service::Testplan => "testplan",
            Service::Codecheck => "codecheck",
            Service::Metastudio => "metastudio",
            Service::Dsc => "dsc",
            Service::Hss => "hss",
            Service::Bss => "bss",
        }
    }

    pub fn from_key(key: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The product name people know the service by.
    /// The IAM action its routes need, where Huawei documents one: CodeArts
    /// Check's ShowTenantPackageStatus names `codeartscheck::getConfig`
    /// (docs/huawei-apis.md §2.2); the others name none.
    pub const fn iam_action(self) -> Option<&'static str> {
        match self {
            Service::Codecheck => Some("codeartscheck::getConfig"),
            _ => None,
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Service::Iam => "Identity and Access Management",
            Service::Projectman => "CodeArts Req",
            Service::Testplan => "CodeArts TestPlan",
            Service::Codecheck => "CodeArts Check",
            Service::Metastudio => "MetaStudio",
            Service::Dsc => "Data Security Center",
            Service::Hss => "Host Security Service",
            Service::Bss => "Billing Center",
        }
    }

    /// The HTTPS host of this service for `region`, or `None` when the service
    /// is not offered there. IAM also answers for the pseudo-region `global`.
    pub fn host(self, region: &str) -> Option<String> {
        let known = region_by_id(region).is_some();
        match self {
            Service::Iam => match region {
                "global" => Some("iam.myhuaweicloud.com".into()),
                // The EU sovereign cloud's own global IAM host (Huawei's EU IAM
                // documents, iam_30_0004: GET https://iam.myhuaweicloud.eu/v3/auth/tokens).
                GLOBAL_EU => Some("iam.myhuaweicloud.eu".into()),
                "eu-west-101" => Some("iam.eu-west-101.myhuaweicloud.eu".into()),
                r if known => Some(format!("iam.{r}.myhuaweicloud.com")),
                _ => None,
            },
            Service::Projectman => offered(PROJECTMAN_REGIONS, region, |r| format!("projectman-ext.{r}.myhuaweicloud.com")),
            Service::Testplan => match region {
                // EU sovereign cloud: https://support.huaweicloud.com/eu/api-testman/cloudtest_03_0000.html
                "eu-west-101" => Some("cloudtest-ext.eu-west-101.myhuaweicloud.eu".into()),
                // cn-east-2: the docs say `.com` although the Go SDK says `.cn`.
                r => offered(TESTPLAN_REGIONS, r, |r| format!("cloudtest-ext.{r}.myhuaweicloud.com")),
            },
            Service::Codecheck => match region {
                "eu-west-101" => Some("check.eu-west-101.myhuaweicloud.eu".into()),
                // Current docs (api-codecheck/codecheck_api_0000): tasks in cn-north-1 are
                // served by the cn-north-4 host, those in cn-east-2, cn-east-3 and
                // cn-southwest-2 by the cn-south-1 host, each with that region's token.
                "cn-north-1" => Some("codearts-check.cn-north-4.myhuaweicloud.com".into()),
                "cn-east-2" | "cn-east-3" | "cn-southwest-2" => Some("codearts-check.cn-south-1.myhuaweicloud.com".into()),
                r => offered(CODECHECK_REGIONS, r, |r| format!("codearts-check.{r}.myhuaweicloud.com")),
            },
            Service::Metastudio => offered(METASTUDIO_REGIONS, region, |r| format!("metastudio.{r}.myhuaweicloud.com")),
            // DSC's API host is `sdg.`, not `dsc.` (Go SDK dsc/v1/region).
            Service::Dsc => offered(DSC_REGIONS, region, |r| format!("sdg.{r}.myhuaweicloud.com")),
            Service::Hss => match region {
                "eu-west-101" => Some("hss.eu-west-101.myhuaweicloud.eu".into()),
                r => offered(HSS_REGIONS, r, |r| format!("hss.{r}.myhuaweicloud.com")),
            },
            // One global endpoint per site, asked under a pseudo-region
            // ([`BILLING_SITES`]; docs/huawei-apis.md §7).
            Service::Bss => match region {
                BILLING_CN => Some("bss.myhuaweicloud.com".into()),
                BILLING_INTL => Some("bss-intl.myhuaweicloud.com".into()),
                GLOBAL_EU => Some("bss.myhuaweicloud.eu".into()),
                _ => None,
            },
        }
    }

    /// Whether the service is offered in `region`.
    pub fn offered_in(self, region: &str) -> bool {
        self.host(region).is_some()
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Whether `host` may be set as a service's host by an operator: a DNS name
/// of lowercase letters, digits and `-` in each label, under one of Huawei
/// Cloud's API domains. The scheme is always `https://`, the port the
/// default: neither can be given.
pub fn is_huawei_cloud_host(host: &str) -> bool {
    const DOMAINS: [&str; 4] = [".myhuaweicloud.com", ".myhuaweicloud.cn", ".myhuaweicloud.eu", ".huaweicloud.com"];
    let labels_ok = host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    labels_ok && DOMAINS.iter().any(|d| host.ends_with(d) && host.len() > d.len())
}

/// IAM's pseudo-region for the EU sovereign cloud's global host (and
/// billing's, on that site).
pub const GLOBAL_EU: &str = "global-eu";

/// Billing's pseudo-region for the Chinese mainland site
/// (`bss.myhuaweicloud.com`).
pub const BILLING_CN: &str = "global";
/// Billing's pseudo-region for the international site
/// (`bss-intl.myhuaweicloud.com`).
pub const BILLING_INTL: &str = "global-intl";
/// Every billing site, by pseudo-region.
pub const BILLING_SITES: [&str; 3] = [BILLING_CN, BILLING_INTL, GLOBAL_EU];

/// The billing sites to ask about an account whose projects are in
/// `region`, most likely first: the EU site for the EU sovereign cloud's
/// regions (it is a cloud of its own, with its own IAM); otherwise the
/// Chinese mainland site for `cn-` regions and the international site for
/// the rest, then the other of the two (the international site offers some
/// `cn-` regions too, so the region alone cannot tell).
pub fn billing_sites(region: &str) -> &'static [&'static str] {
    if iam_home(region) == GLOBAL_EU {
        &[GLOBAL_EU]
    } else if region.starts_with("cn-") {
        &[BILLING_CN, BILLING_INTL]
    } else {
        &[BILLING_INTL, BILLING_CN]
    }
}

/// Where to ask IAM about a token meant for `region`: the global host of
/// that region's cloud (`global-eu` for the `.eu` regions, `global`
/// otherwise).
pub fn iam_home(region: &str) -> &'static str {
    if Service::Iam.host(region).is_some_and(|h| h.ends_with(".myhuaweicloud.eu")) {
        GLOBAL_EU
    } else {
        "global"
    }
}

fn offered(list: &[&str], region: &str, host: impl Fn(&str) -> String) -> Option<String> {
    list.contains(&region).then(|| host(region))
}

// Regions per service, from the Go SDK region files (docs/huawei-apis.md §1).
const TESTPLAN_REGIONS: &[&str] = &["cn-north-1", "cn-north-4", "cn-south-1", "cn-east-2", "cn-east-3", "la-north-2", "sa-brazil-1", "ap-southeast-3"];
const CODECHECK_REGIONS: &[&str] = &["cn-north-4", "cn-south-1", "la-north-2", "sa-brazil-1", "ap-southeast-3"];
const METASTUDIO_REGIONS: &[&str] = &["cn-north-4", "cn-east-3"];
const DSC_REGIONS: &[&str] = &[
    "cn-north-4",
    "cn-north-1",
    "cn-north-9",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "sa-brazil-1",
    "la-south-2",
    "af-south-1",
    "la-north-2",
    "tr-west-1",
    "eu-west-101",
];
const HSS_REGIONS: &[&str] = &[
    "cn-north-9",
    "cn-north-1",
    "cn-north-4",
    "cn-southwest-2",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "na-mexico-1",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "tr-west-1",
    "cn-north-2",
    "ae-ad-1",
    "me-east-1",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "cn-north-12",
    "cn-southwest-3",
    "cn-north-11",
    // Java and Python SDKs (3.1.212 / 3.1.211), not yet the Go SDK (docs/huawei-apis.md §1).
    "af-north-1",
    "ap-southeast-5",
];
const PROJECTMAN_REGIONS: &[&str] =
    &["cn-north-4", "cn-north-1", "cn-east-2", "cn-south-1", "cn-southwest-2", "cn-east-3", "ap-southeast-3", "la-north-2", "sa-brazil-1"];

/// A region a person can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub id: &'static str,
    /// The readable name, where a source gives one.
    pub name: Option<&'static str>,
}

impl Region {
    /// `"CN North-Beijing4 (cn-north-4)"`, or the bare id when no name is known.
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("{name} ({})", self.id),
            None => self.id.to_string(),
        }
    }
}

const fn region(id: &'static str, name: Option<&'static str>) -> Region {
    Region { id, name }
}

/// Every region any of the services is offered in, in the order of the select.
pub const REGIONS: &[Region] = &[
    region("cn-north-4", Some("CN North-Beijing4")),
    region("cn-north-1", Some("CN North-Beijing1")),
    region("cn-north-2", None),
    region("cn-north-9", Some("CN North-Ulanqab1")),
    region("cn-north-11", None),
    region("cn-north-12", None),
    region("cn-east-3", Some("CN East-Shanghai1")),
    region("cn-east-2", Some("CN East-Shanghai2")),
    region("cn-east-4", None),
    region("cn-east-5", Some("CN East-Qingdao")),
    region("cn-south-1", Some("CN South-Guangzhou")),
    region("cn-south-2", Some("CN South-Shenzhen")),
    region("cn-south-4", None),
    region("cn-southwest-2", Some("CN Southwest-Guiyang1")),
    region("cn-southwest-3", None),
    region("ap-southeast-1", Some("CN-Hong Kong")),
    region("ap-southeast-2", Some("AP-Bangkok")),
    region("ap-southeast-3", Some("AP-Singapore")),
    region("ap-southeast-4", Some("AP-Jakarta")),
    region("ap-southeast-5", None),
    region("my-kualalumpur-1", None),
    region("af-south-1", Some("AF-Johannesburg")),
    region("af-north-1", None),
    region("la-south-2", Some("LA-Santiago")),
    region("sa-brazil-1", Some("LA-Sao Paulo1")),
    region("na-mexico-1", Some("LA-Mexico City1")),
    region("la-north-2", Some("LA-Mexico City2")),
    region("tr-west-1", Some("TR-Istanbul")),
    region("ae-ad-1", None),
    region("me-east-1", Some("ME-Riyadh")),
    region("ru-moscow-1", None),
    region("eu-west-101", Some("EU-Dublin")),
    region("eu-west-0", Some("EU-Paris")),
];

pub fn region_by_id(id: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.id == id)
}

/// An API route the console uses. Only these are relayed; anything else is
/// refused before any connection is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET /v3/auth/tokens`: token introspection (IAM API iam_30_0004).
    IamToken,
    /// `GET /v3/auth/projects`: projects the token may use (iam_06_0003).
    IamProjects,
    /// `GET /v4/projects`: CodeArts projects (ProjectMan ListProjectsV4).
    CodeartsProjects,
    /// `GET /v1/projects/{service_id}/package/status` (TestPlan ShowEchoTestPackageUsing).
    TestplanPackages,
    /// `GET /v4/tenant/tenant-package-status` (CodeArts Check ShowTenantPackageStatus).
    CodecheckPackages,
    /// `GET /v1/{project_id}/tenants/resources` (MetaStudio ListTenantResources).
    MetastudioResources,
    /// `GET /v1/{project_id}/period/product/specification` (DSC ShowSpecification).
    DscSpecification,
    /// `GET /v5/{project_id}/billing/quotas-detail` (HSS ListQuotasDetail).
    HssQuotas,
    /// `POST /v2/orders/suscriptions/resources/query` (sic; BSS
    /// ListPayPerUseCustomerResources): the yearly/monthly resources of
    /// the account, up to 50 ids a call. The one route relayed as POST.
    BssResources,
}

impl Route {
    pub const ALL: [Route; 9] = [
        Route::IamToken,
        Route::IamProjects,
        Route::CodeartsProjects,
        Route::TestplanPackages,
        Route::CodecheckPackages,
        Route::MetastudioResources,
        Route::DscSpecification,
        Route::HssQuotas,
        Route::BssResources,
    ];

    pub const fn service(self) -> Service {
        match self {
            Route::IamToken | Route::IamProjects => Service::Iam,
            Route::CodeartsProjects => Service::Projectman,
            Route::TestplanPackages => Service::Testplan,
            Route::CodecheckPackages => Service::Codecheck,
            Route::MetastudioResources => Service::Metastudio,
            Route::DscSpecification => Service::Dsc,
            Route::HssQuotas => Service::Hss,
            Route::BssResources => Service::Bss,
        }
    }

    /// The HTTP method: GET, but for billing's query, which takes a JSON
    /// body (POST).
    pub const fn method(self) -> &'static str {
        match self {
            Route::BssResources => "POST",
            _ => "GET",
        }
    }

    /// The path template; `{name}` marks the one parameter a route may have.
    /// Used in logs instead of the concrete path.
    pub const fn template(self) -> &'static str {
        match self {
            Route::IamToken => "/v3/auth/tokens",
            Route::IamProjects => "/v3/auth/projects",
            Route::CodeartsProjects => "/v4/projects",
            Route::TestplanPackages => "/v1/projects/{service_id}/package/status",
            Route::CodecheckPackages => "/v4/tenant/tenant-package-status",
            Route::MetastudioResources => "/v1/{project_id}/tenants/resources",
            Route::DscSpecification => "/v1/{project_id}/period/product/specification",
            Route::HssQuotas => "/v5/{project_id}/billing/quotas-detail",
            Route::BssResources => "/v2/orders/suscriptions/resources/query",
        }
    }

    /// Builds the concrete path, or `None` when the parameter is not a valid
    /// segment (or the route takes none and one was given, or the reverse).
    pub fn path(self, param: Option<&str>) -> Option<String> {
        let template = self.template();
        match (template.find('{'), param) {
            (None, None) => Some(template.to_string()),
            (Some(open), Some(value)) if is_valid_segment(value) => {
                let close = template[open..].find('}')? + open;
                Some(format!("{}{}{}", &template[..open], value, &template[close + 1..]))
            }
            _ => None,
        }
    }

    /// Matches a path (without query) against the routes of `service`.
    /// Returns the route and its parameter. The path must be made of valid
    /// segments only: see [`is_valid_segment`].
    pub fn recognize(service: Service, path: &str) -> Option<(Route, Option<&str>)> {
        let path = path.strip_prefix('/').unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        if !segments.iter().all(|s| is_valid_segment(s)) {
            return None;
        }
        Route::ALL.into_iter().filter(|r| r.service() == service).find_map(|route| {
            let pattern: Vec<&str> = route.template()[1..].split('/').collect();
            if pattern.len() != segments.len() {
                return None;
            }
            let mut param = None;
            for (p, s) in pattern.iter().zip(&segments) {
                if p.starts_with('{') {
                    param = Some(*s);
                } else if p != s {
                    return None;
                }
            }
            Some((route, param))
        })
    }
}

/// A path segment the relay accepts: 1 to 256 ASCII letters, digits, `-` or
/// `_`. Every documented route and id fits (project ids are hex, CodeArts ids
/// 32-char UUIDs without dashes), and nothing that could change the meaning of
/// a URL (`.`, `%`, `@`, `\`, `;`, `:`, control characters) can get through.
pub fn is_valid_segment(segment: &str) -> bool {
    (1..=256).contains(&segment.len()) && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why [`parse_api_call`] refused a proxy path. No variant carries any part of
/// the input, so a refusal can be logged or answered without echoing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The first segment is not one of the service keys.
    UnknownService,
    /// A segment or the query is malformed: bad escapes, `.`/`..`, empty
    /// segments, characters no route has, a region that is not region-shaped.
    InvalidPath,
    /// A region-shaped name where the service is not offered.
    RegionNotOffered,
    /// Well-formed, but not one of the routes tenantscope relays.
    RouteNotAllowed,
}

/// One validated API call, as the proxy forwards it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCall {
    pub service: Service,
    /// A region where the service is offered (or `global` for IAM).
    pub region: String,
    pub route: Route,
    /// The route's one parameter (project id, CodeArts id), decoded and valid.
    pub param: Option<String>,
    /// The upstream path, rebuilt from the route template and `param`: only
    /// `/` and the characters of [`is_valid_segment`].
    pub path: String,
    /// The query as received, checked by [`is_plain_query`].
    pub query: Option<String>,
}

impl ApiCall {
    /// The HTTPS host of the call, from the catalogue.
    pub fn host(&self) -> Option<String> {
        self.service.host(&self.region)
    }
}

/// Parses what follows `/api/` in a proxy URL (`{service}/{region}/{path}`)
/// and its raw query. Every segment is percent-decoded strictly (two hex
/// digits, the result valid UTF-8, so overlong encodings fail) and must then be
/// a valid segment, so `..`, `.`, empty segments, encoded `/` or `\`, `%00`,
/// `@`, `;`, `:` and control characters are refused wherever they appear. The
/// upstream path is rebuilt from the route template, never copied.
pub fn parse_api_call(rest: &str, query: Option<&str>) -> Result<ApiCall, PathError> {
    parse_api_call_with(rest, query, |service, region| service.offered_in(region))
}

/// [`parse_api_call`] with `offered` deciding where a service is offered:
/// the catalogue, or the catalogue and the hosts an operator set for
/// regions it lacks (the proxy's `--service-host`).
pub fn parse_api_call_with(rest: &str, query: Option<&str>, offered: impl Fn(Service, &str) -> bool) -> Result<ApiCall, PathError> {
    parse_api_call_ref(rest, query, offered).map(|call| call.to_owned())
}

/// [`ApiCall`], borrowing from the parsed input: the region, parameter and
/// query are slices of it, copied only where a segment had to be
/// percent-decoded; the upstream path is written on demand ([`Self::path`],
/// [`Self::push_path`]). What the proxy parses once per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCallRef<'a> {
    pub service: Service,
    /// A region where the service is offered (or `global` for IAM).
    pub region: Cow<'a, str>,
    pub route: Route,
    /// The route's one parameter (project id, CodeArts id), decoded and valid.
    pub param: Option<Cow<'a, str>>,
    /// The query as received, checked by [`is_plain_query`].
    pub query: Option<&'a str>,
}

impl ApiCallRef<'_> {
    /// The upstream path, rebuilt from the route template and `param`: only
    /// `/` and the characters of [`is_valid_segment`].
    pub fn path(&self) -> String {
        let mut path = String::with_capacity(self.route.template().len() + self.param.as_ref().map_or(0, |p| p.len()));
        self.push_path(&mut path);
        path
    }

    /// Appends [`Self::path`] to `out`.
    pub fn push_path(&self, out: &mut String) {
        let template = self.route.template();
        // The parser only makes calls whose parameter matches the template's.
        match (param_span(self.route), &self.param) {
            (Some((open, close)), Some(value)) => {
                out.push_str(&template[..open]);
                out.push_str(value);
                out.push_str(&template[close + 1..]);
            }
            _ => out.push_str(template),
        }
    }

    /// The HTTPS host of the call, from the catalogue.
    pub fn host(&self) -> Option<String> {
        self.service.host(&self.region)
    }

    /// The same call, owning its parts.
    pub fn to_owned(&self) -> ApiCall {
        ApiCall {
            service: self.service,
            region: self.region.to_string(),
            route: self.route,
            param: self.param.as_deref().map(str::to_string),
            path: self.path(),
            query: self.query.map(str::to_string),
        }
    }
}

/// [`parse_api_call_with`] without copying what it need not: the same
/// checks in the same order, so the same answer and the same error.
pub fn parse_api_call_ref<'a>(rest: &'a str, query: Option<&'a str>, offered: impl Fn(Service, &str) -> bool) -> Result<ApiCallRef<'a>, PathError> {
    let (service, after) = rest.split_once('/').unwrap_or((rest, ""));
    let service = segment(service).ok_or(PathError::InvalidPath)?;
    let service = Service::from_key(&service).ok_or(PathError::UnknownService)?;
    let (region, tail) = match after.split_once('/') {
        Some((region, tail)) => (region, Some(tail)),
        None => (after, None),
    };
    let region = segment(region).ok_or(PathError::InvalidPath)?;
    // The segments after the region, each decoded and checked, joined by
    // `/` again: the input itself when nothing needed decoding.
    let joined = match tail {
        Some(tail) => Some(segments(tail).ok_or(PathError::InvalidPath)?),
        None => None,
    };
    let Some(joined) = joined.filter(|_| is_region_shaped(&region)) else {
        return Err(PathError::InvalidPath);
    };
    let query = query.filter(|q| !q.is_empty());
    if query.is_some_and(|q| !is_plain_query(q)) {
        return Err(PathError::InvalidPath);
    }
    if !offered(service, &region) {
        return Err(PathError::RegionNotOffered);
    }
    let (route, param) = recognize_joined(service, &joined).ok_or(PathError::RouteNotAllowed)?;
    let param = param.map(|at| match &joined {
        Cow::Borrowed(tail) => Cow::Borrowed(&tail[at]),
        Cow::Owned(decoded) => Cow::Owned(decoded[at].to_string()),
    });
    Ok(ApiCallRef { service, region, route, param, query })
}

/// `tail` split at `/`, every segment decoded and checked with
/// [`decode_segment`], joined again; `tail` itself when it has no escape
/// (then each segment is checked as it is, in one pass).
fn segments(tail: &str) -> Option<Cow<'_, str>> {
    if tail.as_bytes().contains(&b'%') {
        let decoded: Vec<String> = tail.split('/').map(decode_segment).collect::<Option<_>>()?;
        return Some(Cow::Owned(decoded.join("/")));
    }
    let mut len = 0;
    for &b in tail.as_bytes() {
        if b == b'/' {
            if len == 0 {
                return None;
            }
            len = 0;
        } else if SEGMENT_BYTES[b as usize] {
            len += 1;
            if len > 256 {
                return None;
            }
        } else {
            return None;
        }
    }
    (len > 0).then_some(Cow::Borrowed(tail))
}

/// The bytes of [`is_valid_segment`], as a table.
const SEGMENT_BYTES: [bool; 256] = byte_set(b"-_");

/// The bytes of [`is_plain_query`], as a table.
const QUERY_BYTES: [bool; 256] = byte_set(b"-_.~=&,:+%");

/// ASCII letters and digits, and `extra`.
const fn byte_set(extra: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut b = 0;
    while b < 256 {
        set[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        set[extra[i] as usize] = true;
        i += 1;
    }
    set
}

/// Where `{` and `}` are in `route`'s template, if it has a parameter
/// (found once, at compile time).
fn param_span(route: Route) -> Option<(usize, usize)> {
    const fn span(template: &str) -> Option<(usize, usize)> {
        let bytes = template.as_bytes();
        let mut i = 0;
        let mut open = None;
        while i < bytes.len() {
            match (bytes[i], open) {
                (b'{', None) => open = Some(i),
                (b'}', Some(at)) => return Some((at, i)),
                _ => {}
            }
            i += 1;
        }
        None
    }
    const SPANS: [Option<(usize, usize)>; Route::ALL.len()] = {
        let mut spans = [None; Route::ALL.len()];
        let mut i = 0;
        while i < spans.len() {
            spans[i] = span(Route::ALL[i].template());
            i += 1;
        }
        spans
    };
    let at = Route::ALL.iter().position(|r| *r == route).unwrap_or(0);
    SPANS[at]
}

/// [`Route::recognize`] on segments already decoded, checked and joined by
/// `/`: the route and where its parameter is in `joined`. A template's
/// parameter matches exactly one segment: what lies between the text
/// before it and the text after it, with no `/`.
fn recognize_joined(service: Service, joined: &str) -> Option<(Route, Option<std::ops::Range<usize>>)> {
    Route::ALL.into_iter().filter(|r| r.service() == service).find_map(|route| {
        let template = route.template();
        let Some((open, close)) = param_span(route) else {
            return (joined == &template[1..]).then_some((route, None));
        };
        let (before, after) = (&template[1..open], &template[close + 1..]);
        let end = joined.len().checked_sub(after.len())?;
        let fits = end > before.len() && joined.starts_with(before) && joined.ends_with(after);
        (fits && !joined.as_bytes()[before.len()..end].contains(&b'/')).then_some((route, Some(before.len()..end)))
    })
}

/// [`decode_segment`], borrowing the segment when it has no escape to decode.
fn segment(raw: &str) -> Option<Cow<'_, str>> {
    if raw.as_bytes().contains(&b'%') {
        decode_segment(raw).map(Cow::Owned)
    } else {
        is_valid_segment(raw).then_some(Cow::Borrowed(raw))
    }
}

/// Percent-decodes one path segment strictly and checks the result with
/// [`is_valid_segment`]. `None` for a bad escape (`%4`, `%zz`), bytes that are
/// not UTF-8 (overlong forms such as `%c0%ae` included) or a decoded value
/// that is not a valid segment (`%2e%2e`, `%2f`, `%5c`, `%00`...).
pub fn decode_segment(raw: &str) -> Option<String> {
    let decoded = percent_decode_utf8(raw)?;
    is_valid_segment(&decoded).then_some(decoded)
}

// The one percent-decoder of the catalogue and the proxy: the API path
// segments above, the query check below and the proxy's static file paths
// (`proxy/src/site.rs`) all decode with it. Query parameters, form-decoded
// (`+` a space), are read by axum's `Query` (the demo tenant); nothing else
// in the proxy decodes by hand.
/// Percent-decodes `raw` strictly to UTF-8: `%` must be followed by two hex
/// digits and the bytes must be UTF-8 (overlong forms such as `%c0%ae` are
/// not), else `None`. Any other character is kept as it is (`+` too), and
/// nothing is checked of the result: see [`decode_segment`] for API segments.
pub fn percent_decode_utf8(raw: &str) -> Option<String> {
    String::from_utf8(percent_decode(raw)?).ok()
}

fn percent_decode(raw: &str) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A region id has the shape `xx-name-1`: lowercase ASCII letters first, then
/// letters, digits and at least one `-`; or it is IAM's `global`. IP literals
/// in any notation (`127.0.0.1`, `2130706433`, `0x7f000001`, `[::1]`) and
/// host names (`localhost`, `evil.example`) are not.
pub fn is_region_shaped(region: &str) -> bool {
    region == "global"
        || (region.len() <= 32
            && region.starts_with(|c: char| c.is_ascii_lowercase())
            && region.contains('-')
            && !region.ends_with('-')
            && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// The query is forwarded as received, so it may hold only what a query of
/// these APIs needs: at most 2048 bytes of unreserved characters, `=`, `&`,
/// `,`, `:`, `+` and percent-escapes that decode to UTF-8 text without
/// control characters (no `%00`, no overlong forms).
pub fn is_plain_query(query: &str) -> bool {
    let plain = query.len() <= 2048 && query.bytes().all(|b| QUERY_BYTES[b as usize]);
    // Without an escape the text is those characters, none of them a control.
    plain && (!query.contains('%') || percent_decode_utf8(query).is_some_and(|text| !text.chars().any(char::is_control)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_key_round_trips() {
        for s in Service::ALL {
            assert_eq!(Service::from_key(s.key()), Some(s));
        }
        assert_eq!(Service::from_key("ecs"), None);
    }

    #[test]
    fn hosts_follow_the_documented_table() {
        assert_eq!(Service::Dsc.host("cn-north-4").as_deref(), Some("sdg.cn-north-4.myhuaweicloud.com"));
        assert_eq!(Service::Hss.host("eu-west-101").as_deref(), Some("hss.eu-west-101.myhuaweicloud.eu"));
        assert_eq!(Service::Iam.host("global").as_deref(), Some("iam.myhuaweicloud.com"));
        assert_eq!(Service::Codecheck.host("cn-east-3").as_deref(), Some("codearts-check.cn-south-1.myhuaweicloud.com"));
        assert_eq!(Service::Metastudio.host("ap-southeast-3"), None);
        assert_eq!(Service::Hss.host("global"), None);
        // The EU cloud's global IAM, and the HSS regions of the Java and Python SDKs.
        assert_eq!(Service::Iam.host(GLOBAL_EU).as_deref(), Some("iam.myhuaweicloud.eu"));
        assert_eq!((iam_home("eu-west-101"), iam_home("cn-north-4")), (GLOBAL_EU, "global"));
        assert_eq!(Service::Hss.host("af-north-1").as_deref(), Some("hss.af-north-1.myhuaweicloud.com"));
        assert_eq!(Service::Hss.host("ap-southeast-5").as_deref(), Some("hss.ap-southeast-5.myhuaweicloud.com"));
        assert_eq!(Service::Hss.host(GLOBAL_EU), None);
        // Billing: one host per site (docs/huawei-apis.md §7), no region's own.
        assert_eq!(Service::Bss.host(BILLING_CN).as_deref(), Some("bss.myhuaweicloud.com"));
        assert_eq!(Service::Bss.host(BILLING_INTL).as_deref(), Some("bss-intl.myhuaweicloud.com"));
        assert_eq!(Service::Bss.host(GLOBAL_EU).as_deref(), Some("bss.myhuaweicloud.eu"));
        assert_eq!(Service::Bss.host("cn-north-4"), None);
        assert_eq!(billing_sites("eu-west-101"), [GLOBAL_EU]);
        assert_eq!(billing_sites("cn-north-4"), [BILLING_CN, BILLING_INTL]);
        assert_eq!(billing_sites("ap-southeast-1"), [BILLING_INTL, BILLING_CN]);
        assert!(BILLING_SITES.iter().all(|s| is_region_shaped(s)));
        assert_eq!(Route::BssResources.method(), "POST");
        assert!(Route::ALL.iter().all(|r| r.method() == "GET" || *r == Route::BssResources), "billing's query is the one POST");
        let call = parse_api_call("bss/global-intl/v2/orders/suscriptions/resources/query", None).unwrap();
        assert_eq!((call.route, call.host().as_deref()), (Route::BssResources, Some("bss-intl.myhuaweicloud.com")));
        for good in ["hss.af-north-1.myhuaweicloud.com", "cloudtest-ext.cn-east-2.myhuaweicloud.cn", "check.eu-west-101.myhuaweicloud.eu"] {
            assert!(is_huawei_cloud_host(good), "{good}");
        }
        for bad in [
            "myhuaweicloud.com",
            "evil.com",
            "hss.myhuaweicloud.com.evil.com",
            "127.0.0.1",
            "HSS.X.MYHUAWEICLOUD.COM",
            "a..myhuaweicloud.com",
            "-a.myhuaweicloud.com",
            "a.myhuaweicloud.com:444",
            "a_b.myhuaweicloud.com",
            "user@a.myhuaweicloud.com",
        ] {
            assert!(!is_huawei_cloud_host(bad), "{bad}");
        }
        // An operator's host makes a region the catalogue lacks a valid call.
        let offered = |s: Service, r: &str| s.offered_in(r) || (s == Service::Hss && r == "xx-test-1");
        assert!(parse_api_call_with("hss/xx-test-1/v5/p/billing/quotas-detail", None, offered).is_ok());
        assert_eq!(parse_api_call("hss/xx-test-1/v5/p/billing/quotas-detail", None).err(), Some(PathError::RegionNotOffered));
        assert_eq!(Service::Iam.host("evil.example.com"), None);
        assert_eq!(Service::Iam.host("cn-north-4.evil"), None);
    }

    #[test]
    fn every_region_of_every_service_is_in_the_select() {
        for list in [TESTPLAN_REGIONS, CODECHECK_REGIONS, METASTUDIO_REGIONS, DSC_REGIONS, HSS_REGIONS, PROJECTMAN_REGIONS] {
            for r in list {
                assert!(region_by_id(r).is_some(), "{r} missing from REGIONS");
            }
        }
        let mut ids: Vec<_> = REGIONS.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGIONS.len(), "a region is listed twice");
    }

    #[test]
    fn routes_recognize_their_own_paths() {
        for route in Route::ALL {
            let param = route.template().contains('{').then_some("0123456789abcdef0123456789abcdef");
            let path = route.path(param).unwrap();
            assert_eq!(Route::recognize(route.service(), &path), Some((route, param)), "{path}");
        }
    }

    #[test]
    fn routes_refuse_other_paths() {
        let bad = [
            "/v5/../billing/quotas-detail",
            "/v5/./billing/quotas-detail",
            "/v5//billing/quotas-detail",
            "/v5/a%2fb/billing/quotas-detail",
            "/v5/a@b/billing/quotas-detail",
            "/v5/a;b/billing/quotas-detail",
            "/v5/a\\b/billing/quotas-detail",
            "/v5/a\u{0}b/billing/quotas-detail",
            "/v5/p/billing/quotas-detail/",
            "/v5/p/billing/quotas",
            "/v3/auth/tokens",
        ];
        for path in bad {
            assert_eq!(Route::recognize(Service::Hss, path), None, "{path:?}");
        }
        assert_eq!(Route::recognize(Service::Iam, "/v5/p/billing/quotas-detail"), None);
    }

    #[test]
    fn path_refuses_bad_parameters() {
        assert_eq!(Route::HssQuotas.path(Some("../x")), None);
        assert_eq!(Route::HssQuotas.path(None), None);
        assert_eq!(Route::IamToken.path(Some("x")), None);
        assert_eq!(Route::HssQuotas.path(Some("p1")).as_deref(), Some("/v5/p1/billing/quotas-detail"));
    }

    #[test]
    fn api_calls_are_rebuilt_from_decoded_segments() {
        let call = parse_api_call("hss/cn-north-4/v5/p%61b/billing/quotas-detail", Some("limit=200&offset=0")).unwrap();
        assert_eq!(call.route, Route::HssQuotas);
        assert_eq!(call.param.as_deref(), Some("pab"));
        assert_eq!(call.path, "/v5/pab/billing/quotas-detail");
        assert_eq!(call.host().as_deref(), Some("hss.cn-north-4.myhuaweicloud.com"));
        assert_eq!(parse_api_call("iam/global/v3/auth/tokens", Some("")).unwrap().query, None);
    }

    #[test]
    fn percent_decoding_is_strict_and_only_decodes() {
        assert_eq!(percent_decode_utf8("a%2Fb+c%20%e2%82%AC.txt").as_deref(), Some("a/b+c \u{20ac}.txt"));
        assert_eq!(percent_decode_utf8("").as_deref(), Some(""));
        for bad in ["%", "%4", "a%zz", "%+1", "%-1", "%c0%ae", "%ff", "%e2%82"] {
            assert_eq!(percent_decode_utf8(bad), None, "{bad}");
        }
        // Decoding only: the API segment rules are decode_segment's.
        assert_eq!(percent_decode_utf8("%2e%2e").as_deref(), Some(".."));
        assert_eq!(decode_segment("%2e%2e"), None);
    }

    #[test]
    fn api_calls_refuse_confusing_input() {
        use PathError::*;
        let cases = [
            ("ecs/cn-north-4/v1/p/cloudservers", None, UnknownService),
            ("hss/127.0.0.1/v5/p/billing/quotas-detail", None, InvalidPath),
            ("hss/2130706433/v5/p/billing/quotas-detail", None, InvalidPath),
            ("hss/0x7f000001/v5/p/billing/quotas-detail", None, InvalidPath),
            ("hss/localhost/v5/p/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4%2f/v5/p/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/%2e%2e/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/%2E/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/a%5cb/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/a%00/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/%c0%ae%c0%ae/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/%e0%80%ae/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/a%4/billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5//billing/quotas-detail", None, InvalidPath),
            ("hss/cn-north-4/v5/p/billing/quotas-detail/", None, InvalidPath),
            ("hss/cn-north-4", None, InvalidPath),
            ("hss/cn-north-4/v5/p/billing/quotas-detail", Some("x=%00"), InvalidPath),
            ("hss/cn-north-4/v5/p/billing/quotas-detail", Some("x=%c0%af"), InvalidPath),
            ("hss/cn-north-4/v5/p/billing/quotas-detail", Some("x=%c2%85"), InvalidPath),
            ("hss/cn-north-4/v5/p/billing/quotas-detail", Some("x=a#b"), InvalidPath),
            ("hss/xx-nowhere-1/v5/p/billing/quotas-detail", None, RegionNotOffered),
            ("hss/cn-north-4/v5/p/host-management/hosts", None, RouteNotAllowed),
        ];
        for (rest, query, expected) in cases {
            assert_eq!(parse_api_call(rest, query), Err(expected), "{rest} {query:?}");
        }
    }

    #[test]
    fn borrowed_calls_copy_only_what_was_decoded() {
        let call = parse_api_call_ref("hss/cn-north-4/v5/p1/billing/quotas-detail", Some("limit=200&offset=0"), |s, r| s.offered_in(r)).unwrap();
        assert!(matches!(call.region, Cow::Borrowed("cn-north-4")));
        assert!(matches!(call.param, Some(Cow::Borrowed("p1"))));
        assert_eq!(call.query, Some("limit=200&offset=0"));
        assert_eq!(call.path(), "/v5/p1/billing/quotas-detail");
        assert_eq!(call.to_owned(), parse_api_call("hss/cn-north-4/v5/p1/billing/quotas-detail", Some("limit=200&offset=0")).unwrap());
        let decoded = parse_api_call_ref("hss/cn-north-4/v5/p%61b/billing/quotas-detail", None, |s, r| s.offered_in(r)).unwrap();
        assert!(matches!(decoded.param, Some(Cow::Owned(ref p)) if p == "pab"));
        let iam = parse_api_call_ref("iam/global/v3/auth/tokens", Some("nocatalog"), |s, r| s.offered_in(r)).unwrap();
        assert_eq!((iam.param.clone(), iam.path()), (None, "/v3/auth/tokens".to_string()));
    }

    /// The parser as it was before it borrowed: a `String` per segment,
    /// joined, then [`Route::recognize`].
    fn copying_parse(rest: &str, query: Option<&str>) -> Result<ApiCall, PathError> {
        let mut raw = rest.split('/');
        let service = decode_segment(raw.next().unwrap_or_default()).ok_or(PathError::InvalidPath)?;
        let service = Service::from_key(&service).ok_or(PathError::UnknownService)?;
        let region = decode_segment(raw.next().unwrap_or_default()).ok_or(PathError::InvalidPath)?;
        let segments: Vec<String> = raw.map(decode_segment).collect::<Option<_>>().ok_or(PathError::InvalidPath)?;
        if segments.is_empty() || !is_region_shaped(&region) {
            return Err(PathError::InvalidPath);
        }
        let query = query.filter(|q| !q.is_empty());
        if query.is_some_and(|q| !is_plain_query(q)) {
            return Err(PathError::InvalidPath);
        }
        if !service.offered_in(&region) {
            return Err(PathError::RegionNotOffered);
        }
        let joined = segments.join("/");
        let (route, param) = Route::recognize(service, &joined).ok_or(PathError::RouteNotAllowed)?;
        let path = route.path(param).ok_or(PathError::InvalidPath)?;
        Ok(ApiCall { service, region, route, param: param.map(str::to_string), path, query: query.map(str::to_string) })
    }

    #[test]
    fn the_borrowing_parser_answers_as_the_copying_one() {
        let services = ["hss", "iam", "dsc", "testplan", "h%73s", "ecs", "", "%zz"];
        let regions = ["cn-north-4", "global", "cn-north-%34", "xx-nowhere-1", "127.0.0.1", "", "%2e"];
        let tails = [
            None,
            Some(""),
            Some("v5/p/billing/quotas-detail"),
            Some("v5/p%61/billing/quotas-detail"),
            Some("v5/%70/billing/quotas-detail"),
            Some("v5//billing/quotas-detail"),
            Some("v5/p/billing/quotas-detail/"),
            Some("v5/p/q/billing/quotas-detail"),
            Some("v5/billing/quotas-detail"),
            Some("v5/p/billing/quotas-detai%6c"),
            Some("v5/%2e%2e/billing/quotas-detail"),
            Some("v5/a.b/billing/quotas-detail"),
            Some("v3/auth/tokens"),
            Some("v3/auth/projects"),
            Some("v3/auth/tokens/x"),
            Some("v1/p/period/product/specification"),
            Some("v1/projects/0123abc/package/status"),
            Some("v1/projects//package/status"),
        ];
        let long = "x".repeat(257);
        let queries = [None, Some(""), Some("limit=200&offset=0"), Some("x=%00"), Some("a=%41"), Some("x=a#b")];
        let mut compared = 0;
        for service in services {
            for region in regions {
                for tail in tails.iter().copied().chain([Some(&*format!("v5/{long}/billing/quotas-detail"))]) {
                    for query in queries {
                        let rest = match tail {
                            Some(tail) => format!("{service}/{region}/{tail}"),
                            None => format!("{service}/{region}"),
                        };
                        let borrowed = parse_api_call_ref(&rest, query, |s, r| s.offered_in(r)).map(|c| c.to_owned());
                        assert_eq!(borrowed, copying_parse(&rest, query), "{rest} {query:?}");
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 5000);
        for rest in ["hss", "hss/", "/hss/cn-north-4/v5/p/billing/quotas-detail", ""] {
            assert_eq!(parse_api_call(rest, None), copying_parse(rest, None), "{rest}");
        }
    }

    #[test]
    fn byte_tables_are_the_predicates() {
        for b in 0..=255u8 {
            assert_eq!(SEGMENT_BYTES[b as usize], b.is_ascii_alphanumeric() || b == b'-' || b == b'_', "{b}");
            assert_eq!(QUERY_BYTES[b as usize], b.is_ascii_alphanumeric() || b"-_.~=&,:+%".contains(&b), "{b}");
        }
        assert_eq!(param_span(Route::HssQuotas), Some((4, 15)));
        assert_eq!(param_span(Route::IamToken), None);
    }

    #[test]
    fn long_paths_are_checked_whole_then_refused() {
        use PathError::*;
        let long = "hss/cn-north-4/v5/p/billing/quotas-detail/a/b/c/d/e/f";
        assert_eq!(parse_api_call(long, None), Err(RouteNotAllowed));
        assert_eq!(parse_api_call(&format!("{long}/%2e"), None), Err(InvalidPath), "a bad segment past the eighth");
        assert_eq!(parse_api_call(&format!("{long}/g"), Some("x=%00")), Err(InvalidPath), "the query first");
        assert_eq!(parse_api_call("hss/xx-nowhere-1/a/b/c/d/e/f/g/h/i", None), Err(RegionNotOffered));
        assert_eq!(parse_api_call("hss/cn-north-4/v5/p/billing/quotas-detail/", None), Err(InvalidPath));
    }
}
