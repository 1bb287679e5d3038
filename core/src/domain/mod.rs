//! The package and quota domain: pure logic, tested natively with no browser.
//! Every service's answer becomes [`Package`]s with a common status, usage,
//! expiry and urgency; the overview, charts and list views derive from them.

pub mod across;
pub mod act;
pub mod chart;
pub mod forecast;
pub mod json;
pub mod overview;
pub mod package;
pub mod paging;
pub mod query;
pub mod table;
pub mod time;

/// What every list of the console is ordered by: a number, then text.
pub type Key = (i64, String);

/// The stable order of `keys`: positions sorted by key, ties by position.
/// Every sort in the console goes through this one function because each
/// `sort_by` instantiation costs the wasm bundle about 3 KiB.
pub fn order(keys: Vec<Key>) -> Vec<usize> {
    let mut keyed: Vec<(Key, usize)> = keys.into_iter().zip(0..).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// `items` sorted by `key` (stable).
pub fn sorted<T>(items: Vec<T>, key: impl Fn(&T) -> Key) -> Vec<T> {
    let positions = order(items.iter().map(key).collect());
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    positions.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect()
}

/// An instant's milliseconds clamped to ±2^60 (±36 million years), so that
/// keys can place whole groups before or after every date.
pub fn clamped(at: Instant) -> i64 {
    at.millis().clamp(-(1 << 60), 1 << 60)
}

/// Where a package goes in "soonest expiry first": expired ones first by
/// date (undated ones, which the service calls expired, before them), then
/// by date, then those without a date.
pub fn expiry_key(expired: bool, at: Option<Instant>) -> i64 {
    match (expired, at) {
        (true, None) => i64::MIN,
        (true, Some(at)) => clamped(at) - (1 << 62),
        (false, Some(at)) => clamped(at),
        (false, None) => i64::MAX,
    }
}

pub use package::{
    Attention, Billed, BillingStatus, Expiry, ExpirySource, Lifecycle, NextAction, NextStep, Package, Period, PeriodUnit, Renewal, Source, Status, Thresholds,
    Urgency,
};
pub use time::{Date, Instant, Zone};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_stable_order_for_every_list() {
        let keys = vec![(2, "b".to_string()), (1, "z".into()), (2, "a".into()), (1, "z".into())];
        assert_eq!(order(keys), [1, 3, 2, 0]);
        assert_eq!(sorted(vec!["cc", "a", "bb"], |s| (s.len() as i64, String::new())), ["a", "cc", "bb"]);
        assert!(order(Vec::new()).is_empty());
    }

    #[test]
    fn expiry_keys_put_expired_first_and_undated_last() {
        let at = |ms| Some(Instant::from_millis(ms));
        let mut keys = [
            expiry_key(false, None),
            expiry_key(false, at(i64::MAX)),
            expiry_key(false, at(5)),
            expiry_key(true, at(i64::MAX)),
            expiry_key(true, at(-5)),
            expiry_key(true, None),
        ];
        let before = keys;
        keys.sort();
        assert_eq!(keys, [before[5], before[4], before[3], before[2], before[1], before[0]]);
    }
}
