//! The console's words: package states, urgency, usage figures, codes
//! made readable, periods and billing, paging and coverage notes. Its texts
//! are in `lang/*.console.json`, fetched with the console's code.

use tenantscope_catalog::Service;

use super::{date_time, duration, error, local_date, service, short_error};
use crate::domain::overview::Relative;
use crate::domain::paging::{Progress, Stop};
use crate::domain::{Attention, Expiry, Instant, Lifecycle, NextAction, NextStep, Package, Period, PeriodUnit, Source, Status, Thresholds, Urgency};
use crate::i18n::{self, plural, t, tf};
use crate::services::hss::{Reach, Reading};
use crate::services::Paging;
use crate::services::{code_table, code_words, labelled, metastudio, Facts, Loaded};
use crate::session::Coverage;

pub fn status(status: Status) -> &'static str {
    match status {
        Status::Active => t("Active"),
        Status::Frozen => t("Frozen"),
        Status::Closed => t("Closed"),
        Status::Expired => t("Expired"),
        Status::Unknown => t("Status not reported"),
    }
}

pub fn urgency(urgency: Urgency, thresholds: Thresholds) -> String {
    match urgency {
        Urgency::Expired => t("Expired").into(),
        // Made from the thresholds the person set, like the counts are.
        Urgency::Critical => plural(thresholds.critical_days.into(), "Expires within {0} day", "Expires within {0} days"),
        Urgency::Warning => plural(thresholds.warning_days.into(), "Expires within {0} day", "Expires within {0} days"),
        Urgency::Ok => plural(thresholds.warning_days.into(), "Expires after {0} day", "Expires after {0} days"),
        Urgency::Never => t("Never expires").into(),
        Urgency::Unknown => t("No expiry date given").into(),
    }
}

/// Why a package has no expiry date, when its billing mode says: a
/// yearly/monthly package's date is kept by billing (HSS gives -1, DSC
/// none), which may not have been read, or may not know it.
pub fn no_date_why(p: &Package) -> Option<&'static str> {
    let yearly_monthly = p.billing_mode.as_deref().is_some_and(|m| matches!(m.to_ascii_lowercase().as_str(), "packet_cycle" | "periodic" | "prepaid"));
    let no_record = p.billed.is_some_and(|b| !b.known());
    (p.expiry == Expiry::Unknown && yearly_monthly).then(|| {
        if no_record {
            t("yearly/monthly: billing has no record of it either")
        } else {
            t("yearly/monthly: the date is kept by billing")
        }
    })
}

/// The readable name of a service's code in the page's language: its
/// table's name, else one made of the code's own words ([`code_words`]).
pub fn code_label(service: Service, code: &str) -> Option<String> {
    match code_table(service, code) {
        Some(label) => Some(labelled(service, t(label))),
        None => code_words(service, code).map(|words| labelled(service, &words)),
    }
}

/// A category as shown: its readable name where the service's documents
/// give the code's meaning (MetaStudio business types), else as it came.
pub fn category(code: &str) -> String {
    metastudio::business_label(code).map_or_else(|| code.to_string(), |l| t(l).to_string())
}

/// The name people know a package by: the name the service gives, else the
/// readable name of its code, else the code as it came.
pub fn name(package: &Package) -> String {
    package.label.clone().or_else(|| code_label(package.service, &package.name)).unwrap_or_else(|| package.name.clone())
}

/// A unit code in words: every MetaStudio `unit` (seed 002, the SDK's
/// enum: NUM, MIN, HOUR, CHANNEL, GB, MILLION_WORDS, TEN_THOUSAND_WORDS,
/// TIME) and DSC's measure units ([`dsc::measure_unit`]; an id no page
/// names, `unit #30`, says so). Other codes in lower case, as they came.
/// `count`: the figure it follows, for the singular ("1 channel"); `None`
/// for a label ("channels").
pub fn unit(code: &str, count: Option<f64>) -> String {
    let one = count.is_some_and(|n| n.fract() == 0.0 && n >= 0.0 && i18n::singular(n as u64));
    if let Some(id) = code.strip_prefix("unit #").filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())) {
        return tf("unit not named by the service (#{0})", &[&id]);
    }
    match code.to_ascii_uppercase().as_str() {
        "GB" | "MB" | "TB" => code.to_ascii_uppercase(),
        "MBIT/S" => "Mbit/s".into(),
        "MIN" => t("min").into(),
        "HOUR" if one => t("hour").into(),
        "HOUR" => t("hours").into(),
        "CHANNEL" if one => t("channel").into(),
        "CHANNEL" => t("channels").into(),
        "NUM" | "COUNT" if one => t("item").into(),
        "NUM" | "COUNT" => t("items").into(),
        // Times a thing was done (次): generations, calls.
        "TIME" if one => t("use").into(),
        "TIME" => t("uses").into(),
        "TEN_THOUSAND_WORDS" => t("× 10,000 characters").into(),
        "MILLION_WORDS" => t("× 1,000,000 characters").into(),
        _ => code.to_ascii_lowercase().replace('_', " "),
    }
}

fn number(n: f64) -> String {
    // Integer arithmetic only: float formatting (`{:.2}`) costs the wasm
    // bundle about 10 KiB.
    if !n.is_finite() {
        return "?".into();
    }
    if n.fract() == 0.0 || n.abs() >= 1e15 {
        // Saturates past ±9.2e18, which is as good as any figure there.
        return i18n::number(n.round() as i64);
    }
    let cents = (n.abs() * 100.0).round() as i64;
    let sign = if n < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}{}{}{:02}", i18n::number(cents / 100), i18n::decimal_point(), cents % 100)
}

/// `37 / 50 min (74%)`, `50 min`, or empty when the service gives no
/// figures. A package lapsed at `now` says what was used, with no share:
/// `expired: 33 of 1,000 were used` (what is left of it cannot be used).
pub fn usage(package: &Package, now: Instant) -> String {
    // ASCII only: units are codes such as `MIN` or `GB`, and the full Unicode
    // case tables would cost the wasm bundle over 10 KiB.
    // The unit follows the total where there is one ("0 / 1 item").
    let unit = package.unit.as_deref().map(|u| format!(" {}", self::unit(u, package.total.or(package.used)))).unwrap_or_default();
    let lapsed = package.lapsed(now);
    let text = match (package.used, package.total, &package.used_unit, lapsed) {
        // Two units: both figures, no share.
        (Some(used), Some(total), Some(used_unit), _) => {
            tf("{0} used; size {1}", &[&format!("{} {}", number(used), self::unit(used_unit, Some(used))), &format!("{}{unit}", number(total))])
        }
        (Some(used), Some(total), None, Some(state)) => {
            let args: [&dyn std::fmt::Display; 2] = [&number(used), &format!("{}{unit}", number(total))];
            return match state {
                Status::Frozen => tf("frozen: {0} of {1} used", &args),
                Status::Closed => tf("closed: {0} of {1} were used", &args),
                _ => tf("expired: {0} of {1} were used", &args),
            };
        }
        (Some(used), Some(total), None, None) => {
            let percent = package.usage_ratio().map(|r| format!(" ({}%)", (r * 100.0).round() as i64)).unwrap_or_default();
            format!("{} / {}{unit}{percent}", number(used), number(total))
        }
        (None, Some(total), _, _) => format!("{}{unit}", number(total)),
        (Some(used), None, _, _) => tf("{0} used{1}", &[&number(used), &unit]),
        (None, None, _, _) => String::new(),
    };
    match lapsed {
        Some(_) if text.is_empty() => text,
        Some(Status::Frozen) => tf("frozen: {0}", &[&text]),
        Some(Status::Closed) => tf("closed: {0}", &[&text]),
        Some(_) => tf("expired: {0}", &[&text]),
        None => text,
    }
}

/// JSON text indented for reading. The browser's `JSON.stringify` does it,
/// which keeps a JSON serializer out of the wasm bundle; text that is not
/// JSON is shown as it came.
pub fn pretty_json(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::JSON::parse(text)
            .ok()
            .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &wasm_bindgen::JsValue::NULL, &2.into()).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| text.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_string()
    }
}

/// `expires 2026-01-02`, `never expires`, `no expiry date given`.
pub fn expiry(expiry: Expiry) -> String {
    match expiry {
        Expiry::At(at) => tf("expires {0}", &[&local_date(at)]),
        Expiry::Never => t("never expires").into(),
        Expiry::Unknown => t("no expiry date given").into(),
    }
}

/// A package's one state, worded once: `Expired 2026-10-22, 40 days ago`,
/// `Expires 2026-12-07, in 5 days`, `Never expires`, `No expiry date
/// given` (with why, where the billing mode says). Expired by the
/// service's word with no date (or one that never comes), or with a date
/// still ahead, says so: never "never".
pub fn state(p: &Package, now: Instant, thresholds: Thresholds) -> String {
    let said_expired = p.urgency(now, thresholds) == Urgency::Expired;
    match p.expiry {
        Expiry::At(at) if at <= now => match Relative::between(at, now) {
            Relative::Ago(days) => plural(days.unsigned_abs(), "Expired {1}, {0} day ago", "Expired {1}, {0} days ago").replace("{1}", &date_time(at)),
            _ => tf("Expired {0}, today", &[&date_time(at)]),
        },
        Expiry::At(at) if said_expired => tf("Expired, the service says (its date, {0}, is still ahead)", &[&date_time(at)]),
        Expiry::At(at) => match Relative::between(at, now) {
            Relative::In(days) => plural(days.unsigned_abs(), "Expires {1}, in {0} day", "Expires {1}, in {0} days").replace("{1}", &date_time(at)),
            _ => tf("Expires {0}", &[&date_time(at)]),
        },
        Expiry::Never | Expiry::Unknown if said_expired => t("Expired, the service says (it gives no date)").into(),
        Expiry::Never => t("Never expires").into(),
        Expiry::Unknown => match no_date_why(p) {
            Some(why) => tf("No expiry date given ({0})", &[&why]),
            None => t("No expiry date given").into(),
        },
    }
}

/// The table's "days left": `in 5 days`, `today`, `expired 3 days ago`,
/// `never expires`, `no expiry date given`. Expired by the service's word
/// (with no date, one that never comes, or one still ahead) says so.
pub fn days_left(p: &Package, now: Instant, thresholds: Thresholds) -> String {
    let said_expired = p.urgency(now, thresholds) == Urgency::Expired;
    match p.expiry {
        Expiry::At(at) if at <= now => relative(Relative::between(at, now)),
        Expiry::At(_) | Expiry::Never | Expiry::Unknown if said_expired => t("the service says it has expired").into(),
        Expiry::At(at) => days_from(at, now),
        Expiry::Never => t("never expires").into(),
        Expiry::Unknown => t("no expiry date given").into(),
    }
}

/// What the service's status word adds to [`state`], when it says
/// something the date does not: `None` when the two agree.
pub fn status_note(p: &Package, now: Instant) -> Option<&'static str> {
    // (Expired by the service's word while the date is ahead is said in `state`.)
    let past = p.expiry.instant().is_some_and(|at| at <= now);
    (p.status == Status::Active && past).then(|| t("the service still reports it active"))
}

/// `expires in 5 days`, `expired today`, `expired 3 days ago`.
pub fn relative(relative: Relative) -> String {
    match relative {
        Relative::In(days) => plural(days.unsigned_abs(), "expires in {0} day", "expires in {0} days"),
        Relative::Today => t("expired today").into(),
        Relative::Ago(days) => plural(days.unsigned_abs(), "expired {0} day ago", "expired {0} days ago"),
    }
}

/// How long ago something was loaded: `updated just now`, `updated 3 min ago`.
pub fn updated(ms_ago: i64) -> String {
    if ms_ago < 60_000 {
        t("updated just now").into()
    } else {
        tf("updated {0} ago", &[&duration(ms_ago)])
    }
}

/// The lifecycle stage of a CodeArts Check package, where it matters.
pub fn lifecycle(lifecycle: &Lifecycle) -> Option<&'static str> {
    Some(match lifecycle {
        Lifecycle::NotYetEffective => t("Not yet in effect"),
        Lifecycle::InEffect => return None,
        Lifecycle::Deleted => t("Deleted"),
        Lifecycle::Retention => t("Retention period: frozen, data kept for now"),
        Lifecycle::Grace => t("Grace period: expired but still usable"),
        Lifecycle::FrozenForViolation => t("Frozen for violation"),
        Lifecycle::Other(_) => t("Stage not documented"),
    })
}

/// `in 5 days`, `today`, `3 days ago`: how far `at` is from `now`.
pub fn days_from(at: Instant, now: Instant) -> String {
    match Relative::between(at, now) {
        Relative::In(days) => plural(days.unsigned_abs(), "in {0} day", "in {0} days"),
        Relative::Today => t("today").into(),
        Relative::Ago(days) => plural(days.unsigned_abs(), "{0} day ago", "{0} days ago"),
    }
}

/// What comes next to a package (CodeArts Check `tips.next_action`).
pub fn next_action(action: NextAction) -> &'static str {
    match action {
        NextAction::GracePeriod => t("enters its grace period"),
        NextAction::PayPerUse => t("turns pay-per-use"),
        NextAction::DeletedAtExpiry | NextAction::Deleted => t("deleted"),
        NextAction::Frozen => t("frozen"),
        NextAction::Other(_) => t("changes state (next action not documented)"),
    }
}

/// `frozen in 12 days (2026-12-13 23:59 UTC+8)`, counted as every other
/// day count is ([`Relative::between`]): its date is a day's end
/// ([`codecheck::day_count_date`]), not the answer's arrival plus whole
/// days, so no margin for the minute clock is needed, and an expiry at
/// the same instant reads the same number of days.
pub fn next_step(step: NextStep, now: Instant) -> String {
    tf("{0} {1} ({2})", &[&next_action(step.action), &days_from(step.at, now), &date_time(step.at)])
}

/// A frozen or closed state in words, for the warnings.
pub fn attention(attention: Attention) -> &'static str {
    match attention {
        Attention::Frozen => t("Frozen: cannot be used until it is renewed or unfrozen"),
        Attention::Closed => t("Closed: no longer in service"),
    }
}

/// Where a package came from (MetaStudio `resource_source`).
pub fn source(source: &Source) -> String {
    match source {
        Source::Purchased => t("Purchased").into(),
        Source::Allocated => t("Allocated by an administrator").into(),
        Source::ProviderAllocated => t("Allocated by a service provider").into(),
        Source::Other(raw) => raw.clone(),
    }
}

/// HSS `shared_quota` in words; other values as they came.
pub fn shared(value: &str) -> String {
    match value.to_ascii_lowercase().as_str() {
        "shared" => t("Shared quota").into(),
        "unshared" => t("Not shared").into(),
        _ => value.to_string(),
    }
}

/// A number as the language writes it (`2,000`, `2.000`, `1.5`).
pub fn amount(n: f64) -> String {
    number(n)
}

/// An order's period in words: `1 year`, `6 months`; without its count
/// (DSC's `period_num` absent), the unit alone: `an unstated number of
/// months`, never a count made up.
pub fn period(period: Period) -> String {
    let Some(n) = period.count.map(u64::from) else {
        return match period.unit {
            PeriodUnit::Month => t("an unstated number of months").into(),
            PeriodUnit::Year => t("an unstated number of years").into(),
            PeriodUnit::Other(code) => tf("an unstated number of periods of type {0}", &[&code]),
        };
    };
    match period.unit {
        PeriodUnit::Month => plural(n, "{0} month", "{0} months"),
        PeriodUnit::Year => plural(n, "{0} year", "{0} years"),
        PeriodUnit::Other(code) => i18n::plural_with(n, "{0} period of type {1}", "{0} periods of type {1}", &[&code]),
    }
}

/// A billing mode in words; modes without a documented meaning as they came.
pub fn billing(mode: &str) -> String {
    // charging_mode values: MetaStudio PERIODIC / ONE_TIME / ON_DEMAND, HSS
    // packet_cycle / on_demand (docs/huawei-apis.md §2.3, §2.5).
    match mode.to_ascii_lowercase().as_str() {
        "packet_cycle" | "periodic" | "prepaid" => t("Yearly/monthly").into(),
        "on_demand" | "postpaid" => t("Pay-per-use").into(),
        "one_time" => t("One-time").into(),
        _ => mode.to_string(),
    }
}

/// `Reading page 3 of 5…` while a paged service loads.
pub fn progress(progress: Progress) -> String {
    match progress.expected {
        Some(expected) => tf("Reading page {0} of {1}…", &[&progress.read.min(expected), &expected]),
        None => tf("Reading page {0}…", &[&progress.read]),
    }
}

/// `420 packages`, or `400 of 420 shown` when not all could be read.
pub fn count(shown: usize, total: Option<u64>) -> String {
    match total {
        Some(total) if total > shown as u64 => tf("{0} of {1} shown", &[&i18n::number(shown as i64), &i18n::number(total as i64)]),
        _ => plural(shown as u64, "{0} package", "{0} packages"),
    }
}

/// What the figures across services leave out, beside them: each service
/// (with its tab, when several are open) whose packages are missing or
/// partial, and why. `None` when every service is whole.
pub fn coverage_note(items: &[(Service, String, Coverage)]) -> Option<String> {
    gaps(items).map(|gaps| tf("Not in these figures, or only in part: {0}.", &[&gaps]))
}

/// What Act now says when it lists nothing but has not seen everything:
/// `items` are the services in view, and billing (its dates and renewal
/// policies decide what lapses), each with how much of it was read. Until
/// all of them are read whole (or not offered), finding nothing is not
/// "nothing needs you": the line says what is still being read, or what
/// could not be read in full. `None` when everything was read.
pub fn act_unsure(items: &[(Service, String, Coverage)]) -> Option<String> {
    let unread: Vec<_> = items.iter().filter(|(_, _, c)| !matches!(c, Coverage::NotOffered(_))).cloned().collect();
    let gaps = gaps(&unread)?;
    Some(if unread.iter().any(|(_, _, c)| *c == Coverage::Loading) {
        tf("Nothing found that needs you so far, but not everything is read yet: {0}.", &[&gaps])
    } else {
        tf("Nothing found that needs you, but not everything could be read: {0}.", &[&gaps])
    })
}

/// The services (with their tabs) not read whole, grouped by why:
/// `MetaStudio, Host Security Service (still loading); Data Security
/// Center (failed: HTTP 403)`. `None` when every one is whole.
fn gaps(items: &[(Service, String, Coverage)]) -> Option<String> {
    // Services that are left out for the same reason are named together.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (service, tab, coverage) in items {
        let why = match coverage {
            Coverage::Whole => continue,
            Coverage::Loading => t("still loading").to_string(),
            Coverage::Incomplete => t("incomplete").to_string(),
            Coverage::Narrowed(why) => t(why).to_string(),
            Coverage::Stale(e) => tf("last good answers, the refresh failed: {0}", &[&short_error(e)]),
            Coverage::Failed(e) => tf("failed: {0}", &[&short_error(e)]),
            Coverage::NotOffered(region) => tf("not offered in {0}", &[region]),
        };
        let name = if tab.is_empty() { self::service(*service).to_string() } else { format!("{} · {tab}", self::service(*service)) };
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, names)) => names.push(name),
            None => groups.push((why, vec![name])),
        }
    }
    let parts: Vec<String> = groups.into_iter().map(|(why, names)| tf("{0} ({1})", &[&names.join(", "), &why])).collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What a person should know about how a paged list was read: pages that
/// failed, a cap that cut it short, or a service that sent fewer than it
/// counted. `None` when everything was read.
pub fn paging_note(paging: &Paging, shown: usize, total: Option<u64>) -> Option<String> {
    let mut notes = Vec::new();
    if !paging.failures.is_empty() {
        let pages = paging.failures.len();
        let first = &paging.failures[0];
        let args: [&dyn std::fmt::Display; 3] = [&pages, &first.offset, &error(&first.error)];
        notes.push(if pages == 1 {
            tf("{0} page could not be read (first at offset {1}: {2}). The packages of the other pages are shown; refresh to try again.", &args)
        } else {
            tf("{0} pages could not be read (first at offset {1}: {2}). The packages of the other pages are shown; refresh to try again.", &args)
        });
    }
    match (paging.stop, total) {
        (Stop::Cap, Some(total)) => notes.push(tf(
            "The service counts {0}; the console reads at most {1} pages of {2}, so {3} are shown.",
            &[&total, &paging.plan.max_pages, &paging.plan.limit, &shown],
        )),
        (Stop::Cap, None) => notes.push(tf("The console stopped after {0} pages of {1}; there may be more.", &[&paging.plan.max_pages, &paging.plan.limit])),
        (Stop::EmptyPage | Stop::ShortPage, Some(total)) if total > shown as u64 && paging.failures.is_empty() => {
            notes.push(tf("The service counts {0} but sent {1}: the list may have changed while it was read.", &[&total, &shown]))
        }
        _ => {}
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// The notice particular to a service's reading, if any (HSS: read for
/// the default enterprise project only, and why).
pub fn notice(service: Service, loaded: &Loaded) -> Option<String> {
    match (service, &loaded.facts) {
        (Service::Hss, Some(Facts::Hss(Reading { scope: Reach::DefaultOnly(why), .. }))) => Some(tf(
            "Default enterprise project only: asking for every enterprise project was refused ({0}). Quotas in other enterprise projects are not counted.",
            &[&error(why)],
        )),
        _ => None,
    }
}

/// What a package's pace says, as its card and row show it: a stable key
/// for the markup and the words. `None` for a package without a trend, or
/// one used up already (its usage says so).
pub fn forecast(p: &Package) -> Option<(&'static str, String)> {
    use crate::domain::forecast::{Forecast, NoPace};
    let trend = p.trend.as_ref()?;
    let unit = p.unit.as_deref().map(|u| format!(" {}", self::unit(u, Some(2.0)))).unwrap_or_default();
    let pace = |per_day: f64| format!("{}{unit}", number(per_day));
    Some(match trend.forecast {
        Forecast::RunsOut { at, pace: p_ } => match p.expiry.instant() {
            Some(expiry) if at < expiry => (
                "runs-out-before-expiry",
                tf("At this pace ({0} a day), runs out around {1}, before it expires on {2}", &[&pace(p_.per_day), &local_date(at), &local_date(expiry)]),
            ),
            Some(expiry) => ("lasts", tf("At this pace ({0} a day), lasts past its expiry on {1}", &[&pace(p_.per_day), &local_date(expiry)])),
            None => ("runs-out", tf("At this pace ({0} a day), runs out around {1}", &[&pace(p_.per_day), &local_date(at)])),
        },
        Forecast::Steady { .. } => ("steady", t("Not used lately: at this pace it does not run out").to_string()),
        Forecast::UsedUp { .. } => return None,
        Forecast::Unknown(NoPace::OnePoint) => ("unknown", t("No forecast yet: it needs two readings, a day apart, kept by this browser").to_string()),
        Forecast::Unknown(NoPace::UnderADay) => ("unknown", t("No forecast yet: the readings kept span less than a day").to_string()),
    })
}

/// A size in bytes, rounded: `820 KB`, `12.4 MB`.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1_000_000.0 {
        format!("{} KB", number((n / 1000.0).ceil()))
    } else {
        format!("{} MB", number((n / 100_000.0).round() / 10.0))
    }
}

/// Why a history file was not read, and what to do.
pub fn history_refused(why: &crate::history::Refused) -> String {
    use crate::history::Refused;
    match why {
        Refused::NotJson(_) => t("not JSON; pick a tenantscope JSON export or history file").to_string(),
        Refused::NotOurs => t("not a tenantscope JSON export or history file").to_string(),
        Refused::UnknownSchema(schema) => tf("made by a newer tenantscope ({0}); update this site and try again", &[schema]),
        Refused::Malformed(what) => tf("damaged ({0}); export it again", &[what]),
        Refused::Empty => t("no package in it to keep").to_string(),
    }
}

/// One line of "since your last look", after the package's name: what
/// changed (the group's heading says which kind).
pub fn change(change: &crate::history::Change, unit: Option<&str>) -> String {
    use crate::history::Change;
    let unit = unit.map(|u| format!(" {}", self::unit(u, Some(2.0)))).unwrap_or_default();
    match change {
        Change::Added | Change::Gone | Change::Expired => String::new(),
        Change::Renewed { from: Some(from), to } => tf("{0} → {1}", &[&local_date(*from), &local_date(*to)]),
        Change::Renewed { from: None, to } => tf("now until {0}", &[&local_date(*to)]),
        Change::Attention(status) => self::status(*status).to_string(),
        Change::Jumped { from, to, usual_per_day: Some(usual) } => {
            tf("{0} → {1}{2}, usually {3} a day", &[&number(*from), &number(*to), &unit, &number(*usual)])
        }
        Change::Jumped { from, to, usual_per_day: None } => tf("{0} → {1}{2}", &[&number(*from), &number(*to), &unit]),
    }
}

/// The heading of a group of "since your last look" lines.
pub fn change_group(key: &str) -> &'static str {
    match key {
        "added" => t("New"),
        "gone" => t("Gone"),
        "renewed" => t("Renewed"),
        "expired" => t("Expired since"),
        "attention" => t("Frozen or closed since"),
        _ => t("Used faster than usual"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::overview::Relative;
    use crate::i18n::{set_lang, Lang};
    use crate::services::{codecheck, english_name};
    use serde_json::json;

    /// The whole days `text` counts after "in " (`expires in 13 days`,
    /// `enters its grace period in 13 days (…)`).
    fn days_in(text: &str) -> Option<u64> {
        let (_, rest) = text.split_once("in ")?;
        rest.split(' ').next()?.parse().ok()
    }

    #[test]
    fn an_expiry_and_a_next_step_at_one_instant_count_the_same_days() {
        // A CodeArts Check package in effect whose next step comes at its expiry.
        let received = Instant::parse("2026-12-01T01:30:00Z").unwrap();
        let body = json!({ "result": { "main_resource_list": [{ "resourceSpecCode": "codearts.china.enterprise", "status": "normal" }],
            "tips": { "status": 2, "next_action": 0, "next_action_remain_day": 13 } } });
        let p = &codecheck::packages(&body, received).unwrap()[0];
        let (at, step) = (p.expiry.instant().unwrap(), p.next.unwrap());
        assert_eq!(at, step.at);
        let t = Thresholds::default();
        // Around each whole day before it, to the second and to the minute
        // (the page's clock is read to the minute).
        for days in 0..15 {
            for seconds in [-90, -60, -59, -30, -1, 0, 1, 30, 59, 60, 90] {
                let now = Instant::from_millis(at.millis() - days * crate::domain::time::MS_PER_DAY + seconds * 1000);
                let minute = Instant::from_millis(now.millis().div_euclid(60_000) * 60_000);
                for now in [now, minute] {
                    if now >= at {
                        continue;
                    }
                    let expires = relative(Relative::between(at, now));
                    let next = next_step(step, now);
                    let (state, left) = (state(p, now, t), days_left(p, now, t));
                    let n = days_in(&expires);
                    assert!(n.is_some(), "{expires}");
                    assert_eq!((days_in(&next), days_in(&state), days_in(&left)), (n, n, n), "at {now}: {expires}; next: {next}; {state}; {left}");
                }
            }
        }
    }

    #[test]
    fn no_expiry_date_given_is_said_in_words_everywhere() {
        let t = Thresholds::default();
        let now = Instant::from_millis(1_800_000_000_000);
        let p = Package::new(tenantscope_catalog::Service::Testplan, "i", "n");
        assert_eq!(urgency(Urgency::Unknown, t), "No expiry date given");
        assert_eq!(expiry(Expiry::Unknown), "no expiry date given");
        assert_eq!(state(&p, now, t), "No expiry date given");
        assert_eq!(days_left(&p, now, t), "no expiry date given");
        let yearly = Package { billing_mode: Some("packet_cycle".into()), ..p };
        assert_eq!(state(&yearly, now, t), "No expiry date given (yearly/monthly: the date is kept by billing)");
    }

    #[test]
    fn a_period_without_its_count_invents_none() {
        assert_eq!(period(Period { unit: PeriodUnit::Month, count: None }), "an unstated number of months");
        assert_eq!(period(Period { unit: PeriodUnit::Year, count: None }), "an unstated number of years");
        assert_eq!(period(Period { unit: PeriodUnit::Other(9), count: None }), "an unstated number of periods of type 9");
        assert_eq!(period(Period { unit: PeriodUnit::Month, count: Some(1) }), "1 month");
    }

    #[test]
    fn codes_no_table_names_are_worded_from_their_own_words() {
        use tenantscope_catalog::Service;
        let name_of = |service, code: &str| name(&Package::new(service, "i", code));
        assert_eq!(name_of(Service::Metastudio, "hws.resource.type.metastudio.chat_2d.package"), "Chat 2D package");
        assert_eq!(name_of(Service::Metastudio, "hws.resource.type.metastudio.video_3d.duration"), "Video 3D duration");
        assert_eq!(name_of(Service::Metastudio, "VOICE_TRAINING"), "Voice training");
        assert_eq!(name_of(Service::Dsc, "OBS_enterprise"), "OBS enterprise");
        assert_eq!(name_of(Service::Dsc, "mystery.code"), "Mystery code");
        assert_eq!(name_of(Service::Hss, "hss.version.container.premium"), "HSS Container premium");
        assert_eq!(name_of(Service::Testplan, "codearts.testplan.intl.ultimate"), "TestPlan Ultimate");
        assert_eq!(name_of(Service::Codecheck, "codearts.china.ultimate"), "CodeArts Ultimate");
        // Words as they came, and codes with nothing to word, stay as they are.
        assert_eq!(name_of(Service::Dsc, "DSC order"), "DSC order");
        assert_eq!(name_of(Service::Dsc, "数据库审计"), "数据库审计");
        assert_eq!(name_of(Service::Metastudio, "hws.resource.type.metastudio."), "hws.resource.type.metastudio.");
        assert_eq!(name_of(Service::Metastudio, "..._"), "..._");
        // The exports' readable name is a table's only: the code is in its own column.
        assert_eq!(english_name(&Package::new(Service::Metastudio, "i", "hws.resource.type.metastudio.chat_2d.package")), None);
    }

    #[test]
    fn a_unit_after_one_is_singular() {
        let mut p = Package::new(Service::Metastudio, "i", "x");
        (p.unit, p.used, p.total) = (Some("CHANNEL".into()), Some(0.0), Some(1.0));
        let now = Instant::from_millis(0);
        assert_eq!(usage(&p, now), "0 / 1 channel (0%)");
        p.total = Some(2.0);
        assert_eq!(usage(&p, now), "0 / 2 channels (0%)");
        (p.unit, p.total) = (Some("NUM".into()), Some(1.0));
        assert_eq!(usage(&p, now), "0 / 1 item (0%)");
        set_lang(Lang::PtBr);
        let pt = usage(&p, now);
        set_lang(Lang::En);
        assert_eq!(pt, "0 / 1 item (0%)");
        assert_eq!(unit("HOUR", Some(1.5)), "hours");
    }

    #[test]
    fn every_metastudio_unit_is_named_in_each_language() {
        let units = ["NUM", "MIN", "HOUR", "CHANNEL", "GB", "MILLION_WORDS", "TEN_THOUSAND_WORDS", "TIME"];
        let named = |lang| {
            set_lang(lang);
            let words: Vec<String> = units.iter().map(|u| unit(u, None)).chain([unit("unit #30", None), unit("unit #x", None)]).collect();
            set_lang(Lang::En);
            words
        };
        let (en, zh, pt) = (named(Lang::En), named(Lang::ZhCn), named(Lang::PtBr));
        assert_eq!(
            en,
            [
                "items",
                "min",
                "hours",
                "channels",
                "GB",
                "× 1,000,000 characters",
                "× 10,000 characters",
                "uses",
                "unit not named by the service (#30)",
                "unit #x"
            ]
        );
        assert_eq!(zh, ["个", "分钟", "小时", "路", "GB", "百万字", "万字", "次", "服务未命名的单位（#30）", "unit #x"]);
        assert_eq!(
            pt,
            [
                "itens",
                "min",
                "horas",
                "canais",
                "GB",
                "× 1.000.000 caracteres",
                "× 10.000 caracteres",
                "usos",
                "unidade não nomeada pelo serviço (#30)",
                "unit #x"
            ]
        );
    }

    #[test]
    fn a_forecast_says_whether_it_runs_out_before_it_expires() {
        use crate::domain::forecast::{Forecast, NoPace, Pace, Trend};
        let now = Instant::from_millis(1_800_000_000_000);
        let pace = Pace { per_day: 11.333, from: now, points: 3 };
        let with = |forecast, expiry| Package {
            used: Some(66.0),
            total: Some(100.0),
            unit: Some("GB".into()),
            expiry,
            trend: Some(std::sync::Arc::new(Trend { readings: vec![(now, 66.0)].into(), forecast })),
            ..Package::new(Service::Metastudio, "m", "n")
        };
        let runs_out = Forecast::RunsOut { at: now.plus_days(3), pace };
        let (key, words) = forecast(&with(runs_out, Expiry::At(now.plus_days(200)))).unwrap();
        assert_eq!(key, "runs-out-before-expiry");
        assert!(words.starts_with("At this pace (11.33 GB a day), runs out around ") && words.contains(", before it expires on "), "{words}");
        assert_eq!(forecast(&with(runs_out, Expiry::At(now.plus_days(2)))).unwrap().0, "lasts");
        assert_eq!(forecast(&with(runs_out, Expiry::Never)).unwrap().0, "runs-out");
        assert_eq!(forecast(&with(Forecast::Steady { pace }, Expiry::Never)).unwrap().0, "steady");
        assert_eq!(forecast(&with(Forecast::UsedUp { pace }, Expiry::Never)), None, "its usage says so");
        let (key, why) = forecast(&with(Forecast::Unknown(NoPace::OnePoint), Expiry::Never)).unwrap();
        assert_eq!((key, why.as_str()), ("unknown", "No forecast yet: it needs two readings, a day apart, kept by this browser"));
        assert_eq!(forecast(&Package::new(Service::Metastudio, "m", "n")), None);
    }
}
