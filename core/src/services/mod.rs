//! One module per service: what it is asked (route, query, page plan) and
//! how it is read: its wire model (tolerant of every
//! variant in docs/huawei-apis.md §2) and its mapping to [`Package`]s.
//! Nothing here panics on any input: unreadable bodies become
//! [`ApiError::Decode`](crate::api::ApiError) naming the service and field.
//! This module holds what every service's reading shares: [`Loaded`] (a
//! reading), [`Facts`] (what one tells beyond its packages), reading one
//! call ([`once`]) or every page ([`read_pages`]), and the English names of
//! codes ([`english_label`]).

pub mod bss;
pub mod codecheck;
pub mod dsc;
pub mod hss;
pub mod iam;
pub mod metastudio;
pub mod projectman;
pub mod read;
pub mod testplan;

use std::sync::Arc;

use serde_json::Value;
use tenantscope_catalog::Service;

use crate::api::{ApiError, ApiResponse};
use crate::domain::paging::{self, PageFailure, PagePlan, Paged, Progress, Stop};
use crate::domain::{Instant, Package, Status};
use crate::load::{Fetch, Session};

/// The common status of a service's status word, in any case and with the
/// `QUOTA_STATUS_` prefix some HSS docs show. Unknown words are `Unknown`
/// (the raw word is kept beside it).
pub fn status_word(raw: Option<&str>) -> Status {
    let Some(raw) = raw else { return Status::Unknown };
    let word = raw.trim().to_ascii_lowercase();
    let word = word.strip_prefix("quota_status_").unwrap_or(&word);
    match word {
        "normal" | "active" | "effective" | "in_use" => Status::Active,
        "freeze" | "frozen" => Status::Frozen,
        "close" | "closed" | "deleted" => Status::Closed,
        "expired" | "expire" => Status::Expired,
        _ => Status::Unknown,
    }
}

/// A time sent as epoch seconds or milliseconds (number or numeric string)
/// or as a datetime string.
pub fn epoch_or_datetime(value: &Value) -> Option<Instant> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).and_then(Instant::from_epoch),
        Value::String(s) => Instant::parse(s),
        _ => None,
    }
}

/// What a reading of one service tells beyond its packages, owned by that
/// service's module (HSS: the tenant-wide counts, the enterprise projects
/// read). A sixth service with facts of its own adds a variant here.
// One per reading, inside its `Loaded`: a box would cost an allocation and
// save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Facts {
    Hss(hss::Reading),
    /// TestPlan: the CodeArts project read, given or the first found.
    Testplan {
        codearts_project: String,
    },
}

impl Facts {
    /// The CodeArts project TestPlan read, given or found.
    pub fn codearts_project(&self) -> Option<&str> {
        match self {
            Facts::Testplan { codearts_project } => Some(codearts_project),
            Facts::Hss(_) => None,
        }
    }

    /// Why the reading covers less than the tenant holds, when it does (HSS:
    /// the default enterprise project only): in words, and the refusal that
    /// narrowed it.
    pub fn narrowed(&self) -> Option<(&'static str, &crate::api::ApiError)> {
        match self {
            Facts::Hss(r) => r.narrowed(),
            Facts::Testplan { .. } => None,
        }
    }
}

/// One service's packages, with the answers as received for the drawer.
/// Cheap to clone: a resource hands out a clone to each reader, and a
/// deep copy of a few thousand packages and their answers on every read
/// held up the draw after the last answer (bench/network.mjs).
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub packages: Arc<[Package]>,
    /// What the reading tells beyond its packages, owned by the service's
    /// module (`services::Facts`).
    pub facts: Option<Facts>,
    /// Paged services: the total the service reports.
    pub total: Option<u64>,
    /// Paged services: how the reading went.
    pub paging: Option<Paging>,
    pub answers: Arc<[ApiResponse]>,
    pub received_at: Instant,
    /// Set when a refresh failed and these are the last good answers, kept
    /// on screen (and in the overview and exports) with the failure.
    pub stale: Option<ApiError>,
}

/// What one service's panel shows.
// One per service and tab, and nearly always `Loaded`: a box would cost an
// allocation per reading and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceState {
    /// The tab's session is still being opened.
    Waiting,
    /// The service is not offered in the session's region.
    NotOffered(String),
    Loaded(Loaded),
}

/// How a paged service was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Paging {
    pub plan: PagePlan,
    pub progress: Progress,
    pub stop: Stop,
    /// Pages that failed twice; the packages of the others are kept.
    pub failures: Vec<PageFailure<ApiError>>,
}

/// What reads a page's packages from its answer.
pub(crate) type PageReader = fn(&serde_json::Value) -> Result<Vec<Package>, ApiError>;

/// One page of a paged service, as the page reader sees it.
pub(crate) struct PageAnswer {
    pub packages: Vec<Package>,
    /// Items on the page, read or not.
    pub items: usize,
    /// What reads its packages from the answer, until they are read
    /// ([`Paged::settle`]: once the next pages are asked).
    pub unread: Option<PageReader>,
    pub total: Option<u64>,
    /// What the page tells beyond its packages (HSS: the tenant-wide
    /// counts, the same on every page): the first page's is kept.
    pub facts: Option<Facts>,
    pub answer: ApiResponse,
}

impl Paged<ApiError> for PageAnswer {
    fn items(&self) -> usize {
        self.items
    }
    fn total(&self) -> Option<u64> {
        self.total
    }
    fn settle(&mut self) -> Result<(), ApiError> {
        if let Some(read) = self.unread.take() {
            self.packages = read(&self.answer.body)?;
        }
        Ok(())
    }
}

/// One call of a service that answers in one page, retried once when the
/// failure may pass (see [`ApiError::retry_delay`]).
pub(crate) async fn once<N: Fetch, F, Fut>(net: &N, call: F) -> Result<ApiResponse, ApiError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<ApiResponse, ApiError>>,
{
    paging::retried(call, ApiError::retry_delay, |ms| net.sleep(ms)).await
}

/// Reads every page of a paged service: `page(offset)` gets and parses one.
/// A package a later page repeats (pages overlap when the service's pages
/// are shorter than asked, then longer) is counted once, as the first page
/// had it; packages without a resource id of their own are all kept.
pub(crate) async fn read_pages<N: Fetch, F, Fut>(net: &N, plan: PagePlan, page: F, progress: impl FnMut(Progress)) -> Result<Loaded, ApiError>
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = Result<PageAnswer, ApiError>>,
{
    let outcome = paging::read_all(plan, page, ApiError::retry_delay, |ms| net.sleep(ms), progress).await?;
    let (mut packages, mut answers, mut facts) = (Vec::<Package>::new(), Vec::with_capacity(outcome.pages.len()), None);
    // Only what an earlier page had: rows one page lists under one id (a
    // package and its sub-resources, say) are the service's to list.
    let mut seen = std::collections::HashSet::new();
    for page in outcome.pages {
        facts = facts.or(page.facts);
        let mut this_page = Vec::new();
        for p in page.packages {
            let key = crate::domain::across::resource_id(&p).map(|id| (id.to_string(), p.name.clone()));
            if key.as_ref().is_none_or(|key| !seen.contains(key)) {
                this_page.extend(key);
                packages.push(p);
            }
        }
        seen.extend(this_page);
        answers.push(page.answer);
    }
    Ok(Loaded {
        packages: packages.into(),
        facts,
        total: outcome.total,
        paging: Some(Paging { plan, progress: outcome.progress, stop: outcome.stop, failures: outcome.failures }),
        answers: answers.into(),
        received_at: net.now(),
        stale: None,
    })
}

impl Loaded {
    /// Whether fewer packages were read than the service holds, as far as
    /// the answers tell.
    pub fn is_incomplete(&self) -> bool {
        let short = self.total.is_some_and(|t| t > self.packages.len() as u64);
        let failed = self.paging.as_ref().is_some_and(|p| !p.failures.is_empty());
        short || failed
    }
}

/// The answer of a service that answers in one call, as a [`Loaded`].
pub(crate) fn single(answer: ApiResponse, packages: Vec<Package>, received_at: Instant) -> Loaded {
    Loaded { packages: packages.into(), facts: None, total: None, paging: None, answers: Arc::new([answer]), received_at, stale: None }
}

/// How a service names its codes, declared in its module (`NAMES`).
#[derive(Debug)]
pub struct Names {
    /// Its table of English names, where its documents or SDKs name a code
    /// (each marked with [`crate::tx`]: the faces translate it).
    pub table: fn(&str) -> Option<&'static str>,
    /// The prefixes every code of it shares, dropped to make words of a
    /// code its table lacks ([`code_words`]).
    pub prefixes: &'static [&'static str],
    /// What a name made of a code's words starts with (`TestPlan `).
    pub words_lead: &'static str,
    /// What every name of its codes starts with (`HSS `).
    pub lead: &'static str,
}

/// The one place each package service is listed besides the catalogue:
/// its module's [`Names`] (`None` for services that hold no packages).
pub fn names(service: Service) -> Option<&'static Names> {
    match service {
        Service::Testplan => Some(&testplan::NAMES),
        Service::Codecheck => Some(&codecheck::NAMES),
        Service::Metastudio => Some(&metastudio::NAMES),
        Service::Dsc => Some(&dsc::NAMES),
        Service::Hss => Some(&hss::NAMES),
        Service::Iam | Service::Projectman | Service::Bss => None,
    }
}

/// How a service's load follows one request with another, declared in its
/// module (`CHAIN`): a tab starts the chained ones first ([`load_order`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Chain {
    /// One request (and its retries).
    One,
    /// A first page, then every page its total calls for, asked once the
    /// first is parsed.
    Paged,
    /// A request that waits for a short answer (TestPlan's status for the
    /// CodeArts project list), asked as soon as it is read.
    Then,
}

/// The package services in the order their loads start: those with a next
/// request to make first, the quickest to make it first, else the
/// catalogue's order. Every first request leaves at once, but the answers
/// come in about the order they were asked, and each is read before the
/// next: so the next requests leave before the answers that end a load
/// are read.
pub fn load_order() -> [Service; tenantscope_catalog::PACKAGE_COUNT] {
    let mut order = Service::PACKAGES;
    order.sort_by_key(|s| std::cmp::Reverse(chain(*s)));
    order
}

fn chain(service: Service) -> Chain {
    match service {
        Service::Testplan => testplan::CHAIN,
        Service::Codecheck => codecheck::CHAIN,
        Service::Metastudio => metastudio::CHAIN,
        Service::Dsc => dsc::CHAIN,
        Service::Hss => hss::CHAIN,
        Service::Iam | Service::Projectman | Service::Bss => Chain::One,
    }
}

/// Loads one service's packages, every page of them, through `net`: the
/// dispatch to its module (the other place a service is listed).
pub async fn load<N: Fetch>(net: &N, service: Service, session: &Session, progress: impl FnMut(Progress)) -> Result<Loaded, ApiError> {
    match service {
        Service::Testplan => testplan::load(net, session).await,
        Service::Codecheck => codecheck::load(net, session).await,
        Service::Metastudio => metastudio::load(net, session, progress).await,
        Service::Dsc => dsc::load(net, session).await,
        Service::Hss => hss::load(net, session, progress).await,
        Service::Iam | Service::Projectman | Service::Bss => Err(ApiError::Invalid(crate::api::Invalid::NoPackages(service))),
    }
}

/// The English name a service's table gives a code.
pub fn code_table(service: Service, code: &str) -> Option<&'static str> {
    names(service).and_then(|n| (n.table)(code))
}

/// `label` as its service names its codes (`HSS Premium`).
pub fn labelled(service: Service, label: &str) -> String {
    let lead = names(service).map_or("", |n| n.lead);
    format!("{lead}{label}")
}

/// The readable name of a service's code in English, where the documents
/// or SDKs name it; `None` for an unknown code.
pub fn english_label(service: Service, code: &str) -> Option<String> {
    code_table(service, code).map(|label| labelled(service, label))
}

/// A name made of a code's own words where no table names it, so that a
/// new code reads as words rather than as a code
/// (`hws.resource.type.metastudio.chat_2d.package` → `Chat 2D package`):
/// the prefixes every code of its service shares dropped, the rest split
/// at `.` `_` `-`, `2d`/`3d` and short upper-case words (`OBS`, `DB`) kept
/// as abbreviations, the first word capitalised. `None` for a text that
/// is not a code (spaces, anything but ASCII letters, digits and those
/// separators) or has no words left; the code itself stays beside the name
/// (the card's code line, the table's tooltip).
pub fn code_words(service: Service, code: &str) -> Option<String> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return None;
    }
    let (prefixes, lead) = names(service).map_or((&[][..], ""), |n| (n.prefixes, n.words_lead));
    let (rest, lead) = match prefixes.iter().find_map(|p| code.strip_prefix(p)) {
        Some(rest) => (rest, lead),
        None => (code.strip_prefix("hws.resource.type.").unwrap_or(code), ""),
    };
    // Upper-case words are abbreviations only beside lower-case ones
    // (`OBS_enterprise`); a code all in capitals (`VOICE_TRAINING`) is words.
    let mixed = rest.bytes().any(|b| b.is_ascii_lowercase());
    let mut words: Vec<String> = rest
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .map(|word| match word.to_ascii_lowercase() {
            d if d == "2d" || d == "3d" => d.to_ascii_uppercase(),
            _ if mixed && word.len() <= 4 && word.bytes().all(|b| b.is_ascii_uppercase()) => word.to_string(),
            lower => lower,
        })
        .collect();
    let first = words.first_mut()?;
    *first = format!("{}{}", first[..1].to_ascii_uppercase(), &first[1..]);
    Some(format!("{lead}{}", words.join(" ")))
}

/// The readable name in English, for the exports (files are for scripts
/// as much as for people); `None` when it is only the code.
pub fn english_name(package: &Package) -> Option<String> {
    package.label.clone().or_else(|| english_label(package.service, &package.name))
}

/// Huawei Cloud's own hosts, for links a service sends (the renewal link of
/// seed 001's example is on `account.huawei.com`).
const LINK_HOSTS: [&str; 6] = ["huaweicloud.com", "myhuaweicloud.com", "huaweicloud.cn", "myhuaweicloud.cn", "myhuaweicloud.eu", "account.huawei.com"];

/// `url` when it is an `https://` link to a Huawei Cloud host on the default
/// port, with no user part: the only links a card opens.
pub fn renew_link(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '\\' | '"' | '<' | '>' | '`')) {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if host.contains(['@', ':']) {
        return None;
    }
    LINK_HOSTS.iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loads_start_with_the_chained_services() {
        let order = load_order();
        assert!(Service::PACKAGES.iter().all(|s| order.contains(s)), "every package service once: {order:?}");
        assert!(order.windows(2).all(|w| chain(w[0]) >= chain(w[1])), "{order:?}");
        // Within a chain, the catalogue's order.
        assert_eq!(order, [Service::Testplan, Service::Metastudio, Service::Hss, Service::Codecheck, Service::Dsc]);
    }

    #[test]
    fn status_words() {
        assert_eq!(status_word(Some("normal")), Status::Active);
        assert_eq!(status_word(Some("QUOTA_STATUS_FREEZE")), Status::Frozen);
        assert_eq!(status_word(Some("Expired")), Status::Expired);
        assert_eq!(status_word(Some("close")), Status::Closed);
        assert_eq!(status_word(Some("pending_payment")), Status::Unknown);
        assert_eq!(status_word(None), Status::Unknown);
    }

    #[test]
    fn times_in_every_form() {
        let want = Instant::parse("2025-12-31T23:59:59Z");
        assert_eq!(epoch_or_datetime(&json!(1767225599000_i64)), want);
        assert_eq!(epoch_or_datetime(&json!("1767225599000")), want);
        assert_eq!(epoch_or_datetime(&json!(1767225599000.0)), want);
        assert_eq!(epoch_or_datetime(&json!("2025-12-31 23:59:59")), want);
        assert_eq!(epoch_or_datetime(&json!(true)), None);
        assert_eq!(epoch_or_datetime(&json!(-1)), None);
    }
}
