//! How the views say things, in the language in force ([`crate::i18n`]):
//! here what the page says before a connection opens (errors and their
//! hints, regions, the token's lifetime, dates in the chosen zone), in
//! [`console`] the words of packages, usage, urgency and paging, whose texts
//! come with the console's (`lang/*.console.json`, see
//! [`crate::i18n::PAGE_SOURCES`]). Pure, so that the words are tested
//! natively; only the local calendar date asks the browser (for the
//! person's time zone).

mod billing;
mod console;

pub use billing::*;
pub use console::*;

use tenantscope_catalog::Service;

use crate::api::{ApiError, Invalid, TokenError};
use crate::domain::time::offset_label;
use crate::domain::time::MS_PER_DAY;
use crate::domain::{Instant, Zone};
use crate::i18n::{self, t, tf};

/// The product name in the page's language, as Huawei Cloud's own pages
/// name it (企业主机安全, 数据安全中心…); the exports keep
/// [`Service::title`], the English.
pub fn service(service: Service) -> &'static str {
    match service {
        Service::Iam => t("Identity and Access Management"),
        Service::Projectman => t("CodeArts Req"),
        Service::Testplan => t("CodeArts TestPlan"),
        Service::Codecheck => t("CodeArts Check"),
        Service::Metastudio => t("MetaStudio"),
        Service::Dsc => t("Data Security Center"),
        Service::Hss => t("Host Security Service"),
        Service::Bss => t("Billing Center"),
    }
}

/// A region as the form and the session line show it: `华北-北京四
/// (cn-north-4)` in Chinese where Huawei Cloud's Chinese pages name it,
/// else the English name (`CN North-Beijing4 (cn-north-4)`) or the bare id.
pub fn region(region: &tenantscope_catalog::Region) -> String {
    match i18n::region_name(region.id) {
        Some(name) => format!("{name} ({})", region.id),
        None => region.label(),
    }
}

/// `text` ending a sentence: a full stop added unless it has one (or
/// another end: `?`, `!`, `。`), so that "…must be updated." does not
/// become "…must be updated..".
pub fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '?', '!', '。', '？', '！', '…']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// What is wrong with the deployer's `config.json`, and what to write.
pub fn config_error(e: &crate::deployment::ConfigError) -> String {
    use crate::deployment::{ConfigError, Field};
    match e {
        ConfigError::NotAnObject => t("It is not a JSON object: write it as {\"proxy\": \"https://proxy.example.com/api\"}.").into(),
        ConfigError::Unreadable(Some(status)) => tf("It could not be read (HTTP {0}).", &[status]),
        ConfigError::Unreadable(None) => t("It could not be read (no answer).").into(),
        ConfigError::Unknown(name) => tf("\"{0}\" is not a field it knows; the fields are proxy, region, thresholds and lang.", &[name]),
        ConfigError::Field(Field::Proxy) => t("\"proxy\" must be a path on this site (/api) or an http(s) URL such as https://proxy.example.com/api.").into(),
        ConfigError::Field(Field::Region) => t("\"region\" must be a region id such as cn-north-4.").into(),
        ConfigError::Field(Field::Thresholds) => {
            t("\"thresholds\" must be {\"critical_days\": 7, \"warning_days\": 30}: whole days, critical at least 1 and below warning, warning at most 3650.")
                .into()
        }
        ConfigError::Field(Field::Lang) => t("\"lang\" must be \"en\", \"zh-CN\" or \"pt-BR\".").into(),
    }
}

/// Why the page is in English when another language was chosen (the
/// language's file beside the page could not be fetched).
pub fn texts_error(e: &crate::i18n::TextsError) -> String {
    let why = match e.status {
        Some(status) => tf("HTTP {0}", &[&status]),
        None => t("no answer").into(),
    };
    tf("The {0} texts could not be fetched from this site ({1}), so the page is in English. Check the network connection and reload.", &[&e.lang.label(), &why])
}

thread_local! {
    /// The zone dates and times are shown in (Settings); see [`set_zone`].
    static ZONE: std::cell::Cell<Zone> = const { std::cell::Cell::new(Zone::Browser) };
}

/// Sets the zone in force (the settings do, before the views redraw).
pub fn set_zone(zone: Zone) {
    ZONE.with(|z| z.set(zone));
}

/// The zone in force.
pub fn zone() -> Zone {
    ZONE.with(std::cell::Cell::get)
}

/// Minutes east of UTC of the zone in force at `at` (the browser's zone
/// moves with daylight saving time).
pub fn offset_at(at: Instant) -> i32 {
    match zone() {
        Zone::Fixed(minutes) => minutes,
        Zone::Browser => browser_offset(at),
    }
}

/// The browser's own offset at `at` (natively, in tests: UTC).
pub fn browser_offset(at: Instant) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        // getTimezoneOffset is minutes west of UTC.
        -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.millis() as f64)).get_timezone_offset() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = at;
        0
    }
}

/// `at` moved to the zone in force, as a UTC instant whose fields read as local.
fn shifted(at: Instant) -> Instant {
    Instant::from_millis(at.millis().saturating_add(i64::from(offset_at(at)) * 60_000))
}

/// The calendar date of an instant in the chosen time zone (`YYYY-MM-DD`).
pub fn local_date(at: Instant) -> String {
    let d = shifted(at).date();
    i18n::date(d.year, d.month, d.day)
}

/// The time of day of an instant in the chosen time zone (`14:02`).
pub fn local_time(at: Instant) -> String {
    let ms = shifted(at).millis().rem_euclid(MS_PER_DAY);
    format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60)
}

/// Date, time and zone: `2026-12-05 23:59 UTC+8`. An expiry is a moment,
/// and the day it falls on depends on where one is.
pub fn date_time(at: Instant) -> String {
    format!("{} {} {}", local_date(at), local_time(at), offset_label(offset_at(at)))
}

/// A duration in words, to the minute: `2 h 05 min`, `42 min`, `3 days`.
pub fn duration(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    match (minutes / 60, minutes % 60) {
        (h, _) if h >= 48 => tf("{0} days", &[&(ms / MS_PER_DAY)]),
        (0, m) => tf("{0} min", &[&m]),
        (h, m) => tf("{0} h {1} min", &[&h, &format_args!("{m:02}")]),
    }
}

/// How much life a token has left: a state for colour (`ok`, `warn` in its
/// last hour, `expired`) and the words.
pub fn lifetime(expires_at: Instant, now: Instant) -> (&'static str, String) {
    let left = expires_at.since(now);
    if left <= 0 {
        ("expired", tf("Token expired {0} ago: paste a new token.", &[&duration(-left)]))
    } else if left <= 3_600_000 {
        ("warn", tf("Token expires in {0}: get a new one soon.", &[&duration(left)]))
    } else {
        ("ok", tf("Token valid for {0}.", &[&duration(left)]))
    }
}

/// What went wrong, in words: the gateway's typed errors worded here, the
/// one place they are.
pub fn error(error: &ApiError) -> String {
    match error {
        ApiError::Invalid(why) => match why {
            Invalid::BadId(service) => tf("{0} needs a valid ID (letters, digits, '-' and '_').", &[&self::service(*service)]),
            Invalid::NoRegion => t("Choose a region.").into(),
            Invalid::NeedsCodeartsProject => t("CodeArts TestPlan needs a CodeArts project: enter its ID in the form.").into(),
            Invalid::NotScoped => t("This token is not scoped to a project: enter a Project ID, or use a project-scoped token.").into(),
            Invalid::NoPackages(service) => tf("{0} holds no packages", &[&self::service(*service)]),
            Invalid::NoSigner => t("The console's code that signs with access keys could not be loaded from this site: nothing was sent.").into(),
        },
        ApiError::Network { proxy } => tf("The proxy at {0} could not be reached. Is tenantscope-proxy running?", &[proxy]),
        ApiError::NotAProxy { proxy, status } => tf("What answers at {0} is not a tenantscope proxy (HTTP {1}, and not the proxy's JSON).", &[proxy, status]),
        ApiError::Http { status, error_code, error_msg, .. } => {
            let mut text = format!("HTTP {status}");
            if let Some(code) = error_code {
                text.push(' ');
                text.push_str(code);
            }
            if let Some(msg) = error_msg {
                text.push_str(": ");
                text.push_str(msg);
            }
            text
        }
        ApiError::Decode { service, detail } => tf("{0} answered with unreadable data: {1}", &[&self::service(*service), detail]),
        ApiError::Failed { service, .. } => tf("{0} answered that the request failed (status \"failed\").", &[&self::service(*service)]),
    }
}

/// What went wrong in a few words, where the service is already named.
pub fn short_error(e: &ApiError) -> String {
    match e {
        ApiError::Failed { .. } => t("it answered \"failed\"").into(),
        ApiError::Decode { .. } => t("unreadable answer").into(),
        ApiError::Network { .. } => t("the proxy could not be reached").into(),
        ApiError::NotAProxy { .. } => t("no tenantscope proxy at the proxy URL").into(),
        other => error(other),
    }
}

/// Why a pasted token was refused, and what to do.
pub fn token_error(error: TokenError) -> &'static str {
    match error {
        TokenError::Empty => t("Paste an IAM token first (the X-Subject-Token header of an IAM token response)."),
        TokenError::Whitespace => t("The token contains spaces, line breaks or control characters: copy the header value alone, without its name."),
        TokenError::TooLong => t("The token is longer than the 100,000 characters the services accept: check what was pasted."),
    }
}

/// What the person should do about a failure, whatever the service.
fn general_hint(error: &ApiError) -> &'static str {
    match error {
        ApiError::Invalid(Invalid::NoSigner) => t("Check the connection to this site and reload the page."),
        ApiError::Invalid(_) => t("Check the project IDs in the form."),
        ApiError::Network { .. } => t("Start tenantscope-proxy (see the README) or correct the proxy URL in the settings; a proxy on another origin than this page must allow it with --allow-origin."),
        ApiError::NotAProxy { .. } => t("Run tenantscope-proxy and set its API base (it ends in /api) in the settings, or in the site's config.json."),
        // The body is not kept for a failed read: say what to do without it.
        ApiError::Decode { .. } => t("The answer could not be read: refresh; if it persists, the service changed its format (report it to tenantscope)."),
        ApiError::Failed { .. } => t("Refresh; if it persists, quote the answer below to Huawei Cloud support."),
        e if e.is_busy() => t("The service says its network is busy: this passes, wait a few seconds and refresh."),
        ApiError::Http { status, error_code, .. } => match (status, error_code.as_deref()) {
            (401, _) | (_, Some("APIG.0307" | "APIGW.0307")) => {
                t("The token is invalid, expired or from another region: get a new project-scoped token for this region.")
            }
            (429, _) | (_, Some("APIG.0308" | "APIGW.0308")) => t("Throttled by Huawei Cloud: wait a few seconds and refresh."),
            (403, _) => t("The token's user lacks the permission to read this service's packages."),
            (404, _) => t("This service or route is not offered in this region."),
            (400, _) => t("The service refused the request parameters."),
            _ => t("Try again; if it persists, quote the request ID to Huawei Cloud support."),
        },
    }
}

/// What to do about a failure of `service`: the general hint, made
/// specific where the service matters (the permission a 403 lacks).
pub fn hint(error: &ApiError, service: Option<Service>) -> String {
    match (error, service) {
        (ApiError::Http { status: 403, .. }, Some(service)) if !error.is_auth() => {
            let permission = match service.iam_action() {
                Some(action) => tf("the IAM action {0}", &[&action]),
                None => tf("a policy that allows reading {0} (for example its read-only system policy)", &[&self::service(service)]),
            };
            tf("The token's user lacks permission: ask an administrator to grant {0}, then refresh.", &[&permission])
        }
        (ApiError::Http { status: 404, .. }, Some(service)) => {
            tf("{0} is not offered in this region, or not enabled for this account: pick another region.", &[&self::service(service)])
        }
        _ => general_hint(error).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::overview::Relative;
    use crate::domain::paging::{Progress, Stop};
    use crate::domain::{Expiry, Lifecycle, NextAction, NextStep, Package, Period, PeriodUnit, Status, Thresholds, Urgency};
    use crate::services::Paging;
    use crate::session::Coverage;
    use tenantscope_catalog::Service;

    #[test]
    fn regions_and_services_in_chinese_where_huawei_cloud_names_them() {
        let r = |id| tenantscope_catalog::region_by_id(id).unwrap();
        crate::i18n::set_lang(crate::i18n::Lang::ZhCn);
        let zh =
            (region(r("cn-north-4")), region(r("af-north-1")), region(r("la-south-2")), service(Service::Hss), code_label(Service::Hss, "hss.version.premium"));
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert_eq!(zh.0, "华北-北京四 (cn-north-4)");
        assert_eq!(zh.1, "af-north-1", "no official Chinese name: as it is");
        assert_eq!(zh.2, "拉美-圣地亚哥 (la-south-2)");
        assert_eq!((zh.3, zh.4.as_deref()), ("企业主机安全", Some("HSS 旗舰版")));
        assert_eq!(region(r("cn-north-4")), "CN North-Beijing4 (cn-north-4)");
        assert_eq!(code_label(Service::Hss, "hss.version.premium").as_deref(), Some("HSS Premium"));
    }

    #[test]
    fn sentences_end_once() {
        assert_eq!(sentence("HTTP 401 APIG.0307: The token must be updated."), "HTTP 401 APIG.0307: The token must be updated.");
        assert_eq!(sentence("the proxy could not be reached"), "the proxy could not be reached.");
        assert_eq!(sentence("令牌已过期。"), "令牌已过期。");
    }

    #[test]
    fn dates_and_times_follow_the_chosen_zone() {
        let at = Instant::parse("2026-12-01T16:30:00Z").unwrap();
        set_zone(Zone::HUAWEI_CLOUD);
        let beijing = (date_time(at), local_date(at));
        set_zone(Zone::UTC);
        let utc = date_time(at);
        set_zone(Zone::Fixed(-180));
        let brasilia = date_time(at);
        set_zone(Zone::Browser);
        // A package ending 00:30 in Beijing ends the day before in UTC.
        assert_eq!(beijing, ("2026-12-02 00:30 UTC+8".to_string(), "2026-12-02".to_string()));
        assert_eq!(utc, "2026-12-01 16:30 UTC");
        assert_eq!(brasilia, "2026-12-01 13:30 UTC-3");
    }

    #[test]
    fn usage_figures() {
        let p = |used, total, unit: Option<&str>| Package { used, total, unit: unit.map(Into::into), ..Package::new(Service::Testplan, "i", "n") };
        let now = Instant::from_millis(1_800_000_000_000);
        assert_eq!(usage(&p(Some(37.0), Some(50.0), Some("MIN")), now), "37 / 50 min (74%)");
        assert_eq!(usage(&p(Some(70.0), Some(50.0), None), now), "70 / 50 (140%)");
        assert_eq!(usage(&p(Some(2.5), Some(0.0), None), now), "2.50 / 0");
        assert_eq!(usage(&p(None, Some(20.0), None), now), "20");
        assert_eq!(usage(&p(None, None, None), now), "");
        assert_eq!(usage(&p(Some(-0.125), Some(1e20), None), now), "-0.13 / 9,223,372,036,854,775,807 (0%)");
        assert_eq!(usage(&p(Some(0.004), Some(f64::INFINITY), None), now), "0.00 / ?");
        // Lapsed: what was used, no share of what cannot be used any more.
        let gone = |status| Package { status, ..p(Some(33.0), Some(1000.0), Some("MIN")) };
        assert_eq!(usage(&gone(Status::Expired), now), "expired: 33 of 1,000 min were used");
        assert_eq!(usage(&gone(Status::Frozen), now), "frozen: 33 of 1,000 min used");
        assert_eq!(usage(&gone(Status::Closed), now), "closed: 33 of 1,000 min were used");
        assert_eq!(usage(&Package { status: Status::Expired, ..p(None, Some(20.0), None) }, now), "expired: 20");
        let two_units = Package { status: Status::Frozen, used_unit: Some("COUNT".into()), ..p(Some(2.0), Some(100.0), Some("GB")) };
        assert_eq!(usage(&two_units, now), "frozen: 2 items used; size 100 GB");
    }

    #[test]
    fn names_and_words() {
        assert_eq!(name(&Package::new(Service::Hss, "i", "hss.version.premium")), "HSS Premium");
        // Readable names from the codes the documents name; unknown codes as they came.
        assert_eq!(name(&Package::new(Service::Dsc, "i", "base_professional")), "DSC Professional edition");
        assert_eq!(name(&Package::new(Service::Metastudio, "i", "hws.resource.type.metastudio.live_2d.package")), "2D livestream package");
        assert_eq!(name(&Package::new(Service::Testplan, "i", "codearts.testplan.intl.pro")), "TestPlan Professional");
        assert_eq!(name(&Package::new(Service::Dsc, "i", "mystery.code")), "Mystery code", "no table: its own words");
        let given = Package { label: Some("my-db-scan".into()), ..Package::new(Service::Dsc, "i", "DB_standard") };
        assert_eq!(name(&given), "my-db-scan", "the service's own name wins");
        crate::i18n::set_lang(crate::i18n::Lang::ZhCn);
        let zh = name(&Package::new(Service::Codecheck, "i", "codearts.china.enterprise"));
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert_eq!(zh, "CodeArts 企业版");
        assert_eq!(period(Period { unit: PeriodUnit::Year, count: Some(1) }), "1 year");
        assert_eq!(period(Period { unit: PeriodUnit::Month, count: Some(6) }), "6 months");
        assert_eq!(expiry(Expiry::At(Instant::parse("2026-01-02T10:00:00Z").unwrap())), "expires 2026-01-02");
        assert_eq!(urgency(Urgency::Critical, Thresholds::default()), "Expires within 7 days");
        // The labels follow the thresholds the person set.
        let set = Thresholds { critical_days: 14, warning_days: 60 };
        assert_eq!(urgency(Urgency::Critical, set), "Expires within 14 days");
        assert_eq!(urgency(Urgency::Warning, set), "Expires within 60 days");
        assert_eq!(urgency(Urgency::Ok, set), "Expires after 60 days");
        assert_eq!(urgency(Urgency::Critical, Thresholds { critical_days: 1, warning_days: 2 }), "Expires within 1 day");
        assert_eq!(status(Status::Unknown), "Status not reported");
    }

    #[test]
    fn time_words() {
        assert_eq!(relative(Relative::In(1)), "expires in 1 day");
        assert_eq!(relative(Relative::In(5)), "expires in 5 days");
        assert_eq!(relative(Relative::Today), "expired today");
        assert_eq!(relative(Relative::Ago(3)), "expired 3 days ago");
        assert_eq!(duration(-5), "0 min");
        assert_eq!(duration(42 * 60_000 + 59_999), "42 min");
        assert_eq!(duration(125 * 60_000), "2 h 05 min");
        assert_eq!(duration(47 * 3_600_000), "47 h 00 min");
        assert_eq!(duration(3 * MS_PER_DAY + 5), "3 days");
        assert_eq!(updated(59_999), "updated just now");
        let at = Instant::from_millis(10 * MS_PER_DAY);
        let before = |ms: i64| Instant::from_millis(at.millis() - ms);
        assert_eq!(lifetime(at, before(3 * 3_600_000)), ("ok", "Token valid for 3 h 00 min.".to_string()));
        assert_eq!(lifetime(at, before(3_600_000)), ("warn", "Token expires in 1 h 00 min: get a new one soon.".to_string()));
        assert_eq!(lifetime(at, before(59_000)).0, "warn");
        assert_eq!(lifetime(at, at), ("expired", "Token expired 0 min ago: paste a new token.".to_string()));
        assert_eq!(lifetime(at, Instant::from_millis(at.millis() + 5 * 60_000)).1, "Token expired 5 min ago: paste a new token.");
        assert_eq!(updated(3 * 60_000), "updated 3 min ago");
    }

    #[test]
    fn billing_lifecycle_and_hints() {
        assert_eq!(billing("packet_cycle"), "Yearly/monthly");
        assert_eq!(billing("ON_DEMAND"), "Pay-per-use");
        assert_eq!(billing("ONE_TIME"), "One-time");
        assert_eq!(billing("barter"), "barter");
        assert_eq!(lifecycle(&Lifecycle::InEffect), None);
        assert!(lifecycle(&Lifecycle::Grace).unwrap().starts_with("Grace period"));
        let http = |status| ApiError::Http { status, error_code: None, error_msg: None, request_id: None };
        assert!(hint(&http(403), Some(Service::Codecheck)).contains("codeartscheck::getConfig"));
        assert!(hint(&http(403), Some(Service::Hss)).contains("Host Security Service"));
        assert!(hint(&http(404), Some(Service::Metastudio)).starts_with("MetaStudio is not offered"));
        assert_eq!(hint(&http(429), Some(Service::Hss)), general_hint(&http(429)));
        assert_eq!(hint(&http(403), None), general_hint(&http(403)));
    }

    #[test]
    fn paging_words() {
        use crate::api::ApiError;
        use crate::domain::paging::PageFailure;
        use crate::services::hss::PAGES as HSS;
        assert_eq!(progress(Progress { read: 3, expected: Some(5) }), "Reading page 3 of 5…");
        assert_eq!(progress(Progress { read: 7, expected: None }), "Reading page 7…");
        assert_eq!(count(420, Some(420)), "420 packages");
        assert_eq!(count(1, None), "1 package");
        assert_eq!(count(400, Some(420)), "400 of 420 shown");
        let done = Paging { plan: HSS, progress: Progress { read: 3, expected: Some(3) }, stop: Stop::Total, failures: vec![] };
        assert_eq!(paging_note(&done, 420, Some(420)), None);
        let failed = Paging {
            failures: vec![PageFailure {
                offset: 200,
                error: ApiError::Http { status: 500, error_code: Some("HSS.0001".into()), error_msg: None, request_id: None },
            }],
            ..done.clone()
        };
        let note = paging_note(&failed, 220, Some(420)).unwrap();
        assert!(note.starts_with("1 page could not be read (first at offset 200: HTTP 500 HSS.0001)"), "{note}");
        let capped = Paging { stop: Stop::Cap, ..done.clone() };
        assert_eq!(
            paging_note(&capped, 20_000, Some(50_000)).unwrap(),
            "The service counts 50000; the console reads at most 100 pages of 200, so 20000 are shown."
        );
        let short = Paging { stop: Stop::ShortPage, ..done };
        assert!(paging_note(&short, 300, Some(420)).unwrap().contains("counts 420 but sent 300"));
        assert_eq!(paging_note(&short, 420, Some(420)), None);
    }

    #[test]
    fn a_countdown_reads_the_same_on_the_card_and_on_the_minute_clock() {
        // The date of a count of 12 days is the end of the 12th day
        // (Beijing time), whenever that day the answer arrived.
        let received = Instant::parse("2026-12-01T01:30:30Z").unwrap();
        let step = NextStep { action: NextAction::Frozen, at: crate::services::codecheck::day_count_date(received, 12) };
        let minute = Instant::from_millis(received.millis() / 60_000 * 60_000);
        // Ceiling of the time left, as every day count: 12 days and 14.5 hours.
        assert!(next_step(step, received).starts_with("frozen in 13 days (2026-12-13 15:59 UTC)"), "{}", next_step(step, received));
        assert_eq!(next_step(step, minute), next_step(step, received));
        assert!(next_step(step, received.plus_days(1)).starts_with("frozen in 12 days"));
    }

    #[test]
    fn errors_and_hints_say_what_to_do() {
        let e = |status, code: Option<&str>| ApiError::Http { status, error_code: code.map(Into::into), error_msg: None, request_id: None };
        assert!(general_hint(&e(401, Some("APIG.0301"))).contains("token"));
        assert!(general_hint(&e(401, Some("APIG.0307"))).contains("region"));
        assert!(general_hint(&e(429, None)).contains("Throttled"));
        assert!(general_hint(&e(400, Some("APIGW.0308"))).contains("Throttled"));
        assert!(general_hint(&e(400, Some("CC.00000000"))).contains("busy"));
        assert!(general_hint(&e(403, None)).contains("permission"));
        assert!(general_hint(&e(404, None)).contains("region"));
        assert!(error(&ApiError::Network { proxy: "/api".into() }).contains("/api"));
        assert_eq!(error(&e(403, Some("DSC.1"))), "HTTP 403 DSC.1");
        assert!(error(&ApiError::Invalid(Invalid::NeedsCodeartsProject)).contains("CodeArts project"));
        assert!(token_error(TokenError::Whitespace).contains("spaces"));
    }

    #[test]
    fn the_overview_names_what_its_figures_leave_out() {
        let e = ApiError::Http { status: 403, error_code: None, error_msg: None, request_id: None };
        let items = [
            (Service::Testplan, String::new(), Coverage::Whole),
            (Service::Metastudio, String::new(), Coverage::Failed(e.clone())),
            (Service::Dsc, String::new(), Coverage::NotOffered("la-south-2".into())),
            (Service::Hss, "2. acme".into(), Coverage::Incomplete),
            (Service::Hss, "3. acme".into(), Coverage::Narrowed("default enterprise project only")),
            (Service::Testplan, "3. acme".into(), Coverage::Failed(ApiError::Failed { service: Service::Testplan, body: String::new() })),
            (Service::Codecheck, String::new(), Coverage::Failed(e.clone())),
        ];
        let note = coverage_note(&items).unwrap();
        assert_eq!(note, "Not in these figures, or only in part: MetaStudio, CodeArts Check (failed: HTTP 403); Data Security Center (not offered in la-south-2); Host Security Service · 2. acme (incomplete); Host Security Service · 3. acme (default enterprise project only); CodeArts TestPlan · 3. acme (failed: it answered \"failed\").");
        assert_eq!(coverage_note(&items[..1]), None);
    }

    #[test]
    fn act_now_gives_no_all_clear_until_everything_is_read() {
        let e = ApiError::Http { status: 403, error_code: None, error_msg: None, request_id: None };
        let whole = [(Service::Testplan, String::new(), Coverage::Whole), (Service::Dsc, String::new(), Coverage::NotOffered("la-south-2".into()))];
        assert_eq!(act_unsure(&whole), None, "read whole, or not offered: nothing found is an all-clear");
        let loading = [
            (Service::Testplan, String::new(), Coverage::Whole),
            (Service::Hss, String::new(), Coverage::Loading),
            (Service::Bss, String::new(), Coverage::Loading),
            (Service::Metastudio, String::new(), Coverage::Incomplete),
        ];
        assert_eq!(
            act_unsure(&loading).unwrap(),
            "Nothing found that needs you so far, but not everything is read yet: Host Security Service, Billing Center (still loading); MetaStudio (incomplete)."
        );
        let failed = [(Service::Testplan, String::new(), Coverage::Whole), (Service::Bss, "2. acme".into(), Coverage::Failed(e))];
        assert_eq!(
            act_unsure(&failed).unwrap(),
            "Nothing found that needs you, but not everything could be read: Billing Center · 2. acme (failed: HTTP 403)."
        );
        let narrowed = [(Service::Hss, String::new(), Coverage::Narrowed("default enterprise project only"))];
        assert!(act_unsure(&narrowed).unwrap().ends_with("Host Security Service (default enterprise project only)."));
    }
}
