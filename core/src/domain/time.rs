//! Instants (UTC, millisecond precision) and the calendar arithmetic the
//! console needs, without a date crate (they are large in wasm; the views
//! format for the person's time zone through the browser).
//!
//! Parsing accepts every timestamp form the five services use
//! (docs/huawei-apis.md §2): epoch milliseconds as number or numeric string,
//! RFC 3339 with `Z` or an offset and any fraction, IAM's
//! `2023-06-28T08:56:33.710000Z`, and `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DD`.

use std::fmt;

/// Where the page shows dates and times: the browser's own zone, or a fixed
/// offset from UTC. Huawei Cloud's own pages show Beijing time (UTC+8), so
/// that one is a click away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Browser,
    /// Minutes east of UTC.
    Fixed(i32),
}

impl Zone {
    /// Beijing time, as Huawei Cloud's consoles and bills show it.
    pub const HUAWEI_CLOUD: Zone = Zone::Fixed(480);
    pub const UTC: Zone = Zone::Fixed(0);
    pub const ALL: [Zone; 3] = [Zone::Browser, Zone::HUAWEI_CLOUD, Zone::UTC];

    pub fn key(self) -> String {
        match self {
            Zone::Browser => "browser".into(),
            Zone::Fixed(minutes) => offset_label(minutes),
        }
    }

    /// A saved key; anything else is the browser's zone.
    pub fn from_key(key: &str) -> Zone {
        Zone::ALL.into_iter().find(|z| z.key() == key).unwrap_or_default()
    }
}

/// `UTC`, `UTC+8`, `UTC-3`, `UTC+5:30`.
pub fn offset_label(minutes_east: i32) -> String {
    if minutes_east == 0 {
        return "UTC".into();
    }
    let sign = if minutes_east < 0 { '-' } else { '+' };
    let (h, m) = (minutes_east.unsigned_abs() / 60, minutes_east.unsigned_abs() % 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(i64);

pub const MS_PER_DAY: i64 = 86_400_000;

/// Numbers below this are taken as epoch seconds, above as milliseconds:
/// 10^11 ms is March 1973, 10^11 s is the year 5138, so no real expiry date
/// is ambiguous.
const SECONDS_LIMIT: i64 = 100_000_000_000;

/// The latest instant accepted (year 9999): anything later is a garbage value.
const MAX_MS: i64 = 253_402_300_799_999;

impl Instant {
    pub const fn from_millis(ms: i64) -> Instant {
        Instant(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// An epoch timestamp in seconds or milliseconds (see [`SECONDS_LIMIT`]).
    /// Zero, negative and absurd values are not instants (HSS uses -1 for
    /// "never", handled by its caller).
    pub fn from_epoch(value: i64) -> Option<Instant> {
        match value {
            v if v <= 0 => None,
            v if v < SECONDS_LIMIT => Some(Instant(v * 1000)),
            v if v <= MAX_MS => Some(Instant(v)),
            _ => None,
        }
    }

    /// A UTC civil date and time; `None` when any field is out of range.
    pub fn from_civil(date: Date, hour: u32, minute: u32, second: u32, millis: u32) -> Option<Instant> {
        if hour > 23 || minute > 59 || second > 60 || millis > 999 || !date.is_valid() {
            return None;
        }
        // A leap second is read as the last second of its minute.
        let second = second.min(59);
        let days = date.days_from_epoch();
        Some(Instant(days * MS_PER_DAY + i64::from(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)))
    }

    /// Parses a timestamp in any of the forms of the module doc.
    pub fn parse(text: &str) -> Option<Instant> {
        let text = text.trim();
        if let Ok(n) = text.parse::<i64>() {
            return Instant::from_epoch(n);
        }
        parse_datetime(text)
    }

    /// The UTC calendar date.
    pub fn date(self) -> Date {
        Date::from_days(self.0.div_euclid(MS_PER_DAY))
    }

    /// RFC 3339 in UTC, to the second: `2026-11-22T08:43:17Z`.
    pub fn rfc3339(self) -> String {
        let d = self.date();
        let ms = self.0.rem_euclid(MS_PER_DAY);
        let (h, m, s) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60);
        format!("{d}T{h:02}:{m:02}:{s:02}Z")
    }

    pub fn plus_days(self, days: i64) -> Instant {
        Instant(self.0.saturating_add(days.saturating_mul(MS_PER_DAY)))
    }

    /// Milliseconds from `earlier` to `self` (negative when `self` is earlier).
    pub fn since(self, earlier: Instant) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub const fn new(year: i32, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    pub fn is_valid(self) -> bool {
        (1..=12).contains(&self.month) && self.day >= 1 && self.day <= days_in_month(self.year, self.month)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil, public
    /// domain: http://howardhinnant.github.io/date_algorithms.html).
    pub fn days_from_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_from_epoch`] (civil_from_days, same source).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// `20261122`, the form of iCalendar's DATE values.
    pub fn basic(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A cursor over ASCII digits and separators.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let (head, rest) = (self.0.get(..n)?, &self.0[n..]);
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = rest;
        Some(head.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.0.first() == Some(&byte);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }

    fn eat_any(&mut self, bytes: &[u8]) -> Option<u8> {
        let b = *self.0.first()?;
        bytes.contains(&b).then(|| {
            self.0 = &self.0[1..];
            b
        })
    }
}

fn parse_datetime(text: &str) -> Option<Instant> {
    let mut c = Cursor(text.as_bytes());
    let year = c.digits(4)? as i32;
    let date = if c.eat(b'-') {
        let month = c.digits(2)?;
        c.eat(b'-').then_some(())?;
        Date::new(year, month, c.digits(2)?)
    } else {
        return None;
    };
    if c.0.is_empty() {
        return Instant::from_civil(date, 0, 0, 0, 0);
    }
    c.eat_any(b"Tt ")?;
    let hour = c.digits(2)?;
    c.eat(b':').then_some(())?;
    let minute = c.digits(2)?;
    let second = if c.eat(b':') { c.digits(2)? } else { 0 };
    let mut millis = 0;
    if c.eat(b'.') || c.eat(b',') {
        let count = c.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        // Keep milliseconds; finer digits (IAM sends microseconds) are dropped.
        let take = count.min(3);
        millis = c.digits(take)? * 10u32.pow(3 - take as u32);
        c.digits(count - take)?;
    }
    let local = Instant::from_civil(date, hour, minute, second, millis)?;
    // No zone at all (`2025-03-01 10:00:00`): read as UTC.
    let offset_minutes: i64 = match c.eat_any(b"Zz+-") {
        None if c.0.is_empty() => 0,
        None => return None,
        Some(b'Z' | b'z') => 0,
        Some(sign) => {
            let h = c.digits(2)?;
            let has_colon = c.eat(b':');
            let m = if has_colon || !c.0.is_empty() { c.digits(2)? } else { 0 };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = i64::from(h * 60 + m);
            if sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
    };
    if !c.0.is_empty() {
        return None;
    }
    Some(Instant(local.0 - offset_minutes * 60_000))
}

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn zones_have_keys_and_labels() {
        assert_eq!(offset_label(480), "UTC+8");
        assert_eq!(offset_label(-180), "UTC-3");
        assert_eq!(offset_label(330), "UTC+5:30");
        assert_eq!(offset_label(0), "UTC");
        for zone in Zone::ALL {
            assert_eq!(Zone::from_key(&zone.key()), zone);
        }
        assert_eq!(Zone::from_key("nonsense"), Zone::Browser);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        Instant::parse(text).map(Instant::rfc3339)
    }

    #[test]
    fn parses_every_service_form() {
        assert_eq!(at("2021-01-10T08:43:17Z").as_deref(), Some("2021-01-10T08:43:17Z"));
        assert_eq!(at("2023-06-28T08:56:33.710000Z").as_deref(), Some("2023-06-28T08:56:33Z"));
        assert_eq!(Instant::parse("2023-06-28T08:56:33.710000Z").unwrap().millis() % 1000, 710);
        assert_eq!(at("2021-01-10T16:43:17+08:00").as_deref(), Some("2021-01-10T08:43:17Z"));
        assert_eq!(at("2021-01-10T08:43:17-0230").as_deref(), Some("2021-01-10T11:13:17Z"));
        assert_eq!(at("2021-01-10 08:43:17").as_deref(), Some("2021-01-10T08:43:17Z"));
        assert_eq!(at("2021-01-10").as_deref(), Some("2021-01-10T00:00:00Z"));
        assert_eq!(at("1767225599000").as_deref(), Some("2025-12-31T23:59:59Z"));
        assert_eq!(at("1767225599").as_deref(), Some("2025-12-31T23:59:59Z"));
        assert_eq!(at(" 2021-01-10T08:43Z ").as_deref(), Some("2021-01-10T08:43:00Z"));
    }

    #[test]
    fn refuses_invalid_dates() {
        for bad in [
            "",
            "-1",
            "0",
            "abc",
            "2021-02-29",
            "2021-13-01",
            "2021-00-10",
            "2021-01-32",
            "2021-01-10T24:00:00Z",
            "2021-01-10T08:60:00Z",
            "2021-01-10T08:43:17+25:00",
            "2021-01-10T08:43:17Q",
            "2021-01-10T08:43:17.Z",
            "21-01-10",
            "2021/01/10",
            "2021-01-10T08",
            "9".repeat(30).as_str(),
            "99999999999999999",
        ] {
            assert_eq!(Instant::parse(bad), None, "{bad:?}");
        }
        assert!(Instant::parse("2024-02-29").is_some());
        assert!(Instant::parse("2000-02-29").is_some());
        assert!(Instant::parse("1900-02-29").is_none());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 11_016, 20_000, 2_932_896] {
            let d = Date::from_days(days);
            assert!(d.is_valid(), "{d:?}");
            assert_eq!(d.days_from_epoch(), days);
        }
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::new(2000, 2, 29).days_from_epoch(), 11_016);
        assert_eq!(Date::new(2026, 11, 22).basic(), "20261122");
    }

    #[test]
    fn epoch_units() {
        assert_eq!(Instant::from_epoch(-1), None);
        assert_eq!(Instant::from_epoch(0), None);
        assert_eq!(Instant::from_epoch(1_700_000_000), Some(Instant(1_700_000_000_000)));
        assert_eq!(Instant::from_epoch(1_700_000_000_000), Some(Instant(1_700_000_000_000)));
        assert_eq!(Instant::from_epoch(i64::MAX), None);
        assert_eq!(Instant(0).plus_days(i64::MAX).millis(), i64::MAX);
    }
}
