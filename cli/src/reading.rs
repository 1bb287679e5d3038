//! What `tenantscope check` and `tenantscope exporter` share: the flags
//! that say what to read ([`ReadArgs`]), credentials from the environment,
//! the sessions they open (one, or every project of the account with
//! `--all-regions`), each read whole ([`tenantscope_core::tenant::read`]),
//! and the failures of a reading in words, one line each.

use clap::Args;
use tenantscope_core::api::{AccessKeys, ApiError, ApiResponse, Credentials, Gateway, Invalid, KeyError, Token, TokenError};
use tenantscope_core::domain::Instant;
use tenantscope_core::load::Fetch;
use tenantscope_core::services::bss::BillingState;
use tenantscope_core::services::{iam, ServiceState};
use tenantscope_core::session::{account, introspect, plan_regions, region_connections, resolve_via, Connection};
use tenantscope_core::tenant::{read, Reading};

use crate::demo::Demo;
use crate::net::{Direct, Upstream, CALL_TIMEOUT};

/// Where credentials come from, for a subcommand's `--help`.
macro_rules! credentials_help {
    () => {
        "\
Credentials (from the environment only, never a flag):
  HUAWEICLOUD_TOKEN              an IAM token (project-scoped), or
  CLOUD_SDK_AK, CLOUD_SDK_SK     an access key pair (each call signed),
  CLOUD_SDK_SECURITY_TOKEN       with temporary keys, their security token.
  --demo needs none."
    };
}
pub(crate) use credentials_help;

/// The environment variables credentials are read from.
pub const ENV_TOKEN: &str = "HUAWEICLOUD_TOKEN";
pub const ENV_AK: &str = "CLOUD_SDK_AK";
pub const ENV_SK: &str = "CLOUD_SDK_SK";
pub const ENV_SECURITY_TOKEN: &str = "CLOUD_SDK_SECURITY_TOKEN";

/// What to read and how: the flags `check` and `exporter` share.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The region (e.g. cn-north-4). With a token, defaults to the token's
    /// own; with access keys, required unless --all-regions.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The IAM project. With a token, defaults to the token's; with access
    /// keys, to the project named after --region.
    #[arg(long, value_name = "ID", conflicts_with = "all_regions")]
    pub project_id: Option<String>,
    /// The CodeArts project TestPlan is read in (default: the first found).
    #[arg(long, value_name = "ID")]
    pub codearts_project: Option<String>,
    /// With access keys: every enabled project of the account in a region
    /// where a service is offered, each package counted once.
    #[arg(long)]
    pub all_regions: bool,
    /// Send every call to this base URL instead of the Huawei Cloud hosts,
    /// keeping path and query (as the proxy's --upstream-base).
    #[arg(long, value_name = "URL", value_parser = crate::net::parse_base)]
    pub upstream_base: Option<String>,
    /// Read the built-in demo tenant, in process: no network, no account,
    /// no environment.
    #[arg(long, conflicts_with = "upstream_base")]
    pub demo: bool,
}

/// Where calls go and with what: the demo tenant and its token, or
/// Huawei Cloud (or `--upstream-base`) with the credentials the
/// environment (`env`) holds (not read with `--demo`).
pub fn open(args: &ReadArgs, env: impl Fn(&str) -> Option<String>) -> Result<(Transport, Credentials), String> {
    if args.demo {
        return Ok((Transport::Demo, crate::demo::credentials()));
    }
    let credentials = credentials(env)?;
    Ok((Transport::Direct(Upstream::new(args.upstream_base.clone(), CALL_TIMEOUT)), credentials))
}

/// One reading of everything: the connections opened, and each one's
/// reading (or why its session could not start), in the same order; or
/// why no connection could be opened.
pub type ReadAll = Result<(Vec<Connection>, Vec<Result<Reading, ApiError>>), String>;

/// One reading of everything `args` names ([`ReadAll`]).
pub async fn read_all(args: &ReadArgs, transport: &Transport, credentials: Credentials) -> ReadAll {
    let connections = connections(args, transport, credentials).await?;
    let tabs = futures::future::join_all(connections.iter().map(|c| async move {
        let net = transport.session(&c.gateway);
        let session = resolve_via(&net, c.clone()).await?;
        Ok(read(&net, session).await)
    }))
    .await;
    Ok((connections, tabs))
}

/// The credentials the environment (`env`) holds: access keys
/// (`CLOUD_SDK_AK`, `CLOUD_SDK_SK`, optionally `CLOUD_SDK_SECURITY_TOKEN`)
/// or a token (`HUAWEICLOUD_TOKEN`), not both. The message never holds a
/// value.
pub fn credentials(env: impl Fn(&str) -> Option<String>) -> Result<Credentials, String> {
    let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let set_one = format!("set {ENV_TOKEN} (an IAM token), or {ENV_AK} and {ENV_SK} (an access key pair; {ENV_SECURITY_TOKEN} too for temporary keys)");
    let (token, ak, sk) = (get(ENV_TOKEN), get(ENV_AK), get(ENV_SK));
    match (token, ak, sk) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(format!("both a token and access keys are set: {set_one}, not both")),
        (Some(token), None, None) => Token::parse(token.trim()).map(Credentials::IamToken).map_err(|e| {
            let why = match e {
                TokenError::Empty => "is empty",
                TokenError::Whitespace => "holds whitespace or control characters",
                TokenError::TooLong => "is longer than any token",
            };
            format!("{ENV_TOKEN} {why}: {set_one}")
        }),
        (None, Some(ak), Some(sk)) => {
            let st = get(ENV_SECURITY_TOKEN).unwrap_or_default();
            AccessKeys::parse(&ak, &sk, &st).map(Credentials::AccessKeys).map_err(|e| {
                let why = match e {
                    KeyError::NoKeyId => format!("{ENV_AK} is empty"),
                    KeyError::BadKeyId => format!("{ENV_AK} is not an access key ID (letters and digits only)"),
                    KeyError::LooksLikeSecret => format!("{ENV_AK} is as long as a secret key: are {ENV_AK} and {ENV_SK} swapped?"),
                    KeyError::NoSecret => format!("{ENV_SK} is empty"),
                    KeyError::Whitespace => format!("{ENV_SK} or {ENV_SECURITY_TOKEN} holds whitespace or control characters"),
                    KeyError::TooLong => format!("{ENV_AK}, {ENV_SK} or {ENV_SECURITY_TOKEN} is too long"),
                };
                format!("{why}: {set_one}")
            })
        }
        (None, Some(_), None) => Err(format!("{ENV_AK} is set without {ENV_SK}: {set_one}")),
        (None, None, Some(_)) => Err(format!("{ENV_SK} is set without {ENV_AK}: {set_one}")),
        (None, None, None) => Err(format!("no credentials: {set_one}, or try --demo")),
    }
}

/// How calls travel: to Huawei Cloud (or `--upstream-base`), or to the
/// demo tenant in process.
// One per run (an exporter keeps its one): a box would save nothing.
#[allow(clippy::large_enum_variant)]
pub enum Transport {
    Direct(Upstream),
    Demo,
}

impl Transport {
    pub fn session<'a>(&'a self, gateway: &'a Gateway) -> Net<'a> {
        match self {
            Transport::Direct(upstream) => Net::Direct(upstream.session(gateway)),
            Transport::Demo => Net::Demo(Demo { gateway }),
        }
    }
}

/// One session's calls, whichever way they travel.
pub enum Net<'a> {
    Direct(Direct<'a>),
    Demo(Demo<'a>),
}

impl Fetch for Net<'_> {
    async fn get(&self, route: tenantscope_catalog::Route, region: &str, param: Option<&str>, query: &[(&str, &str)]) -> Result<ApiResponse, ApiError> {
        match self {
            Net::Direct(n) => n.get(route, region, param, query).await,
            Net::Demo(n) => n.get(route, region, param, query).await,
        }
    }

    async fn post(&self, route: tenantscope_catalog::Route, region: &str, body: String) -> Result<ApiResponse, ApiError> {
        match self {
            Net::Direct(n) => n.post(route, region, body).await,
            Net::Demo(n) => n.post(route, region, body).await,
        }
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
    }

    fn now(&self) -> Instant {
        Instant::from_millis(crate::net::now_ms())
    }
}

/// A failure in words, for stderr: what failed and why, the host named
/// where the transport failed; never a credential.
pub fn describe(error: &ApiError) -> String {
    let mut out = match error {
        ApiError::Invalid(why) => match why {
            Invalid::BadId(service) => format!("an id that no {} route accepts", service.key()),
            Invalid::NoRegion => "no valid region: give --region".into(),
            Invalid::NeedsCodeartsProject => "no CodeArts project found: give --codearts-project".into(),
            Invalid::NotScoped => "the token names no project: give --project-id".into(),
            Invalid::NoPackages(service) => format!("{} holds no packages", service.key()),
            Invalid::NoSigner => "the access keys could not sign".into(),
        },
        ApiError::Network { proxy } => format!("could not reach {proxy}"),
        ApiError::NotAProxy { proxy, status } => format!("{proxy} answered HTTP {status} with something that is not JSON"),
        ApiError::Http { status, error_code, error_msg, request_id } => {
            let mut s = format!("HTTP {status}");
            for part in [error_code, error_msg].into_iter().flatten() {
                s.push(' ');
                s.push_str(part);
            }
            if let Some(id) = request_id {
                s.push_str(&format!(" (request {id})"));
            }
            s
        }
        ApiError::Decode { service, detail } => format!("{} sent an answer that does not read: {detail}", service.key()),
        ApiError::Failed { service, .. } => format!("{} answered that the call failed", service.key()),
    };
    if error.is_auth() {
        out.push_str(" (the credentials were refused)");
    }
    // A line each, whatever the service sent.
    out.replace(['\n', '\r'], " ")
}

/// Whether `args` can be read with `credentials` at all, before anything
/// is sent: what no answer would change.
pub fn precheck(args: &ReadArgs, credentials: &Credentials) -> Result<(), String> {
    match credentials {
        Credentials::IamToken(_) if args.all_regions => {
            Err("--all-regions needs access keys (CLOUD_SDK_AK, CLOUD_SDK_SK): a token is scoped to one project".into())
        }
        Credentials::AccessKeys(_) if !args.all_regions && args.region.as_deref().unwrap_or_default().is_empty() => {
            Err("with access keys, give --region (or --all-regions)".into())
        }
        _ => Ok(()),
    }
}

/// The connections a reading opens with `credentials`.
async fn connections(args: &ReadArgs, transport: &Transport, credentials: Credentials) -> Result<Vec<Connection>, String> {
    precheck(args, &credentials)?;
    let gateway = Gateway::new("huaweicloud".into(), credentials);
    let codearts = args.codearts_project.clone().unwrap_or_default();
    let project_id = args.project_id.clone().unwrap_or_default();
    let region = args.region.clone().unwrap_or_default();
    let one = |gateway: Gateway, region: String, project_id: String, known: Option<iam::TokenInfo>| Connection {
        gateway,
        region,
        project_id,
        codearts_project_id: codearts.clone(),
        codearts_name: None,
        known,
    };
    match gateway.credentials.clone() {
        Credentials::IamToken(_) if region.is_empty() => {
            // The token's own region, as introspection names its project.
            let net = transport.session(&gateway);
            let (info, _) = introspect(&net, "").await.map_err(|e| format!("the token could not be introspected: {}", describe(&e)))?;
            let Some(own) = info.project_name.clone().filter(|n| tenantscope_catalog::region_by_id(n).is_some()) else {
                return Err("the token names no region: give --region".into());
            };
            Ok(vec![one(gateway, own, project_id, Some(info))])
        }
        Credentials::IamToken(_) => Ok(vec![one(gateway, region, project_id, None)]),
        Credentials::AccessKeys(keys) => {
            if !project_id.is_empty() {
                let gateway = Gateway { credentials: Credentials::AccessKeys(keys.in_project(&project_id)), ..gateway };
                return Ok(vec![one(gateway, region, project_id, None)]);
            }
            let net = transport.session(&gateway);
            let projects = account(&net).await.map_err(|e| format!("the account's projects could not be listed: {}", describe(&e)))?;
            let mut plan = plan_regions(&projects);
            if !args.all_regions {
                plan.inspect.retain(|(r, p)| *r == region && p.name == region);
                if plan.inspect.is_empty() {
                    return Err(format!("the account has no enabled project named {region}: give --project-id"));
                }
            }
            if plan.inspect.is_empty() {
                return Err("no enabled project of the account is in a region where a service is offered".into());
            }
            let mut connections = region_connections(&gateway, &keys, &plan);
            for c in &mut connections {
                c.codearts_project_id = codearts.clone();
            }
            Ok(connections)
        }
    }
}

/// What could not be read, one line each: a session that could not start,
/// a service, a page of one, billing. Named by place across sessions.
pub fn problems(regions: &[&str], tabs: &[Result<Reading, ApiError>]) -> Vec<String> {
    let across = tabs.len() > 1;
    let mut out = Vec::new();
    for (tab, region) in tabs.iter().zip(regions) {
        let reading = match tab {
            Ok(reading) => reading,
            Err(e) => {
                out.push(format!("{region}: the session could not start: {}", describe(e)));
                continue;
            }
        };
        let at = if across { format!("{}: ", reading.place()) } else { String::new() };
        for (service, state) in &reading.services {
            match state {
                Err(e) => out.push(format!("{at}{}: {}", service.key(), describe(e))),
                Ok(ServiceState::Loaded(loaded)) => {
                    for f in loaded.paging.iter().flat_map(|p| p.failures.iter()) {
                        out.push(format!("{at}{}: page at offset {}: {}", service.key(), f.offset, describe(&f.error)));
                    }
                    // Read within less than the tenant holds: the rest is
                    // not known, as a failed page's is not.
                    if let Some((words, refused)) = loaded.facts.as_ref().and_then(tenantscope_core::services::Facts::narrowed) {
                        out.push(format!("{at}{}: {words}: {}", service.key(), describe(refused)));
                    }
                }
                Ok(_) => {}
            }
        }
        match &reading.billing {
            BillingState::Read(_) => {}
            BillingState::Failed(e) | BillingState::Stale(_, e) => out.push(format!("{at}billing: {}", describe(e))),
            BillingState::Waiting => out.push(format!("{at}billing: not read")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn credentials_come_from_the_environment_only() {
        assert!(matches!(credentials(env(&[(ENV_TOKEN, "MIIabc")])), Ok(Credentials::IamToken(_))));
        let keys = credentials(env(&[(ENV_AK, "AK1"), (ENV_SK, "the-secret"), (ENV_SECURITY_TOKEN, "st")]));
        assert!(matches!(keys, Ok(Credentials::AccessKeys(_))));
        for (pairs, says) in [
            (&[][..], "no credentials"),
            (&[(ENV_AK, "AK1")][..], "without CLOUD_SDK_SK"),
            (&[(ENV_SK, "the-secret")][..], "without CLOUD_SDK_AK"),
            (&[(ENV_TOKEN, "MIIabc"), (ENV_AK, "AK1"), (ENV_SK, "the-secret")][..], "not both"),
            (&[(ENV_TOKEN, "MII abc")][..], "whitespace"),
            (&[(ENV_AK, "AK-1"), (ENV_SK, "the-secret")][..], "not an access key ID"),
        ] {
            let pairs: &'static [(&str, &str)] = Box::leak(pairs.to_vec().into_boxed_slice());
            let why = credentials(env(pairs)).unwrap_err();
            assert!(why.contains(says), "{why}");
            assert!(why.contains(ENV_TOKEN) && why.contains(ENV_AK), "names the variables to set: {why}");
            assert!(!why.contains("the-secret") && !why.contains("MII"), "{why}");
        }
    }

    #[test]
    fn failures_are_worded_on_one_line_without_credentials() {
        let e = ApiError::Http { status: 401, error_code: Some("APIG.0301".into()), error_msg: Some("bad\ntoken".into()), request_id: Some("r1".into()) };
        assert_eq!(describe(&e), "HTTP 401 APIG.0301 bad token (request r1) (the credentials were refused)");
        assert_eq!(
            describe(&ApiError::Network { proxy: "hss.cn-north-4.myhuaweicloud.com: no answer within 30 s".into() }),
            "could not reach hss.cn-north-4.myhuaweicloud.com: no answer within 30 s"
        );
    }
}
