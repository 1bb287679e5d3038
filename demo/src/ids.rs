//! Dates and ids: the day every demo date is counted from, the formats the
//! services write dates in, and ids derived from an index.

use time::macros::format_description;
use time::{Duration, OffsetDateTime, Time, UtcOffset};

// ---------------------------------------------------------------------------
// Dates

/// The UTC midnight of the current day: every demo date is counted from it.
#[derive(Clone, Copy)]
pub(super) struct Today(OffsetDateTime);

impl Today {
    pub(super) fn of(now: OffsetDateTime) -> Today {
        Today(now.to_offset(UtcOffset::UTC).replace_time(Time::MIDNIGHT))
    }

    /// `days` from today, `seconds` after midnight UTC.
    pub(super) fn at(self, days: i64, seconds: i64) -> OffsetDateTime {
        self.0.checked_add(Duration::days(days) + Duration::seconds(seconds)).unwrap_or(self.0)
    }

    /// When a package bought to lapse `days` from today lapses: 23:59:59
    /// Beijing time, i.e. 15:59:59 UTC.
    pub(super) fn expiry(self, days: i64) -> OffsetDateTime {
        self.at(days, 15 * 3600 + 59 * 60 + 59)
    }
}

pub(super) fn epoch_ms(t: OffsetDateTime) -> i64 {
    t.unix_timestamp() * 1000 + i64::from(t.millisecond())
}

/// `2021-01-10T08:43:17Z` (MetaStudio, CodeArts Check; seeds 001, 002).
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

/// `2023-06-28T08:56:33.710000Z` (IAM token times, §3).
pub(super) fn iam_time(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z")).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Deterministic ids

/// SplitMix64: a fixed mixing of a number, to derive ids from an index.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn id_bits(salt: u64, index: usize) -> (u64, u64) {
    let seed = mix(salt) ^ index as u64;
    (mix(seed), mix(seed ^ 0x5555_5555_5555_5555))
}

/// 32 lowercase hex digits, like Huawei resource and order ids.
pub(super) fn hex32(salt: u64, index: usize) -> String {
    let (hi, lo) = id_bits(salt, index);
    format!("{hi:016x}{lo:016x}")
}

/// A version-4 UUID with dashes, like HSS resource and host ids.
pub(super) fn uuid(salt: u64, index: usize) -> String {
    let (hi, lo) = id_bits(salt, index);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffff_ffff_ffff)
}

// Salts, one per kind of id.
pub(super) const SALT_TESTPLAN: u64 = 1;
pub(super) const SALT_CODECHECK: u64 = 2;
pub(super) const SALT_METASTUDIO: u64 = 3;
pub(super) const SALT_METASTUDIO_ORDER: u64 = 4;
pub(super) const SALT_DSC: u64 = 5;
pub(super) const SALT_HSS: u64 = 6;
pub(super) const SALT_HSS_HOST: u64 = 7;
pub(super) const SALT_BSS: u64 = 8;
