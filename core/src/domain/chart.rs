//! Chart geometry, in whole numbers: the views draw SVG from these shares
//! and positions. Integers keep float formatting out of the wasm bundle
//! (about 10 KiB) and make the geometry exact to test.

use super::package::{Package, Status};
use super::time::{Instant, MS_PER_DAY};

/// Every chart is drawn on this many units: a donut's circle has
/// `pathLength="1000"`, a bar chart's view box is 1000 wide.
pub const SCALE: u32 = 1000;

/// Splits `SCALE` in proportion to `values` so that the parts add up to
/// exactly `SCALE` (largest remainder). All zeros give all zeros.
pub fn shares(values: &[u64]) -> Vec<u32> {
    let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
    if total == 0 {
        return vec![0; values.len()];
    }
    let scale = u128::from(SCALE);
    let mut parts: Vec<u32> = values.iter().map(|&v| (u128::from(v) * scale / total) as u32).collect();
    let mut left = SCALE - parts.iter().sum::<u32>();
    // Hand the units lost to rounding down to the largest remainders.
    let remainders = values.iter().map(|&v| (-((u128::from(v) * scale % total).min(i64::MAX as u128) as i64), String::new()));
    for i in super::order(remainders.collect()) {
        if left == 0 {
            break;
        }
        if values[i] > 0 {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

/// One arc of a donut, on a circle of `pathLength` [`SCALE`]: it starts
/// `offset` units along the circle and runs `len` units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    pub offset: u32,
    pub len: u32,
}

impl Arc {
    /// The circle's `stroke-dasharray`: the arc, then a gap for the rest.
    pub fn dasharray(self) -> String {
        format!("{} {}", self.len, SCALE - self.len)
    }

    /// The circle's `stroke-dashoffset`: negative moves the dash forward.
    pub fn dashoffset(self) -> String {
        format!("-{}", self.offset)
    }
}

/// The arcs of a donut of `values`, one per value, in order, end to end.
pub fn donut(values: &[u64]) -> Vec<Arc> {
    let mut offset = 0;
    shares(values)
        .into_iter()
        .map(|len| {
            let arc = Arc { offset, len };
            offset += len;
            arc
        })
        .collect()
}

/// One segment of a stacked bar: where it starts and how wide it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub x: u32,
    pub width: u32,
}

/// Stacked horizontal bars on a common scale: the longest row spans
/// [`SCALE`]. Each row's segments follow each other from 0.
pub fn stacked(rows: &[Vec<u64>]) -> Vec<Vec<Segment>> {
    let longest: u128 = rows.iter().map(|r| r.iter().map(|&v| u128::from(v)).sum::<u128>()).max().unwrap_or(0);
    rows.iter()
        .map(|row| {
            let mut x = 0;
            let mut sum = 0u128;
            row.iter()
                .map(|&v| {
                    // Rounding the running end, not each width, keeps the
                    // last segment's end exactly where the row's total falls.
                    sum += u128::from(v);
                    let end = (sum * u128::from(SCALE)).checked_div(longest).unwrap_or(0) as u32;
                    let segment = Segment { x, width: end - x };
                    x = end;
                    segment
                })
                .collect()
        })
        .collect()
}

/// A single bar's filled part, `0..=SCALE`, for a value against a total;
/// clamped however odd the numbers.
pub fn fill(value: f64, total: f64) -> u32 {
    if !(value.is_finite() && total.is_finite()) || total <= 0.0 || value <= 0.0 {
        return 0;
    }
    ((value / total).min(1.0) * f64::from(SCALE)).round() as u32
}

/// Where an instant falls on a timeline of `days` days from `now`, in
/// `0..=SCALE`; `None` outside it.
pub fn timeline_x(at: Instant, now: Instant, days: i64) -> Option<u32> {
    let span = i128::from(days.max(1)) * i128::from(MS_PER_DAY);
    let from_now = i128::from(at.since(now));
    (0..=span).contains(&from_now).then(|| (from_now * i128::from(SCALE) / span) as u32)
}

/// A chart's series of usage: per package name and unit (in the order they
/// first appear; figures in different units are never added together), the
/// amount used and the amount left, summed over the packages that give both
/// figures in one unit and rounded to whole units. Negative or odd figures
/// count as nothing, and more used than bought leaves nothing. A package
/// that has expired or is frozen or closed at `now` is left out: nothing
/// of it is left to use, and its used part alone would draw a full bar
/// ("33 used, 0 left (100%)" of a package that used 3%); its card says
/// what was used.
pub fn usage_by_name<'a>(packages: impl IntoIterator<Item = &'a Package>, now: Instant) -> Vec<(String, Option<String>, [u64; 2])> {
    let whole = |n: f64| if n.is_finite() && n > 0.0 { n.round().min(u64::MAX as f64) as u64 } else { 0 };
    let mut rows: Vec<(String, Option<String>, [u64; 2])> = Vec::new();
    for p in packages {
        let (Some(used), Some(total)) = (p.used, p.total) else { continue };
        if p.used_unit.is_some() {
            continue;
        }
        if p.lapsed(now).is_some() {
            continue;
        }
        let (used, total) = (whole(used), whole(total));
        let add = [used.min(total), total.saturating_sub(used)];
        match rows.iter_mut().find(|(name, unit, _)| *name == p.name && *unit == p.unit) {
            Some((_, _, sums)) => {
                sums[0] = sums[0].saturating_add(add[0]);
                sums[1] = sums[1].saturating_add(add[1]);
            }
            None => rows.push((p.name.clone(), p.unit.clone(), add)),
        }
    }
    rows
}

/// A chart's series of states: per package name, how many are active,
/// expired and frozen (other states are left out), largest name first.
pub fn states_by_name<'a>(packages: impl IntoIterator<Item = &'a Package>) -> Vec<(String, [u64; 3])> {
    let mut rows: Vec<(String, [u64; 3])> = Vec::new();
    for p in packages {
        let Some(slot) = [Status::Active, Status::Expired, Status::Frozen].iter().position(|s| *s == p.status) else { continue };
        match rows.iter_mut().find(|(name, _)| *name == p.name) {
            Some((_, counts)) => counts[slot] += 1,
            None => {
                let mut counts = [0; 3];
                counts[slot] = 1;
                rows.push((p.name.clone(), counts));
            }
        }
    }
    super::sorted(rows, |(name, c)| (-((c[0] + c[1] + c[2]) as i64), name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantscope_catalog::Service;

    #[test]
    fn usage_series_sum_by_name_and_clamp() {
        let p = |name: &str, used: Option<f64>, total: Option<f64>| Package { used, total, ..Package::new(Service::Metastudio, "i", name) };
        let now = Instant::from_millis(1_800_000_000_000);
        let rows = usage_by_name(
            &[
                p("voice", Some(10.0), Some(50.0)),
                p("avatar", Some(70.0), Some(50.0)),
                p("voice", Some(2.4), Some(10.0)),
                p("voice", None, Some(10.0)),
                p("odd", Some(f64::NAN), Some(-3.0)),
            ],
            now,
        );
        let plain: Vec<(&str, [u64; 2])> = rows.iter().map(|(n, _, v)| (n.as_str(), *v)).collect();
        assert_eq!(plain, [("voice", [12, 48]), ("avatar", [50, 0]), ("odd", [0, 0])]);
        // Minutes are never added to counts, and an expired or frozen
        // package is left out.
        let with_unit = |unit: &str, used, total| Package { unit: Some(unit.into()), ..p("flexus", Some(used), Some(total)) };
        let mut frozen = with_unit("MIN", 5.0, 100.0);
        frozen.status = Status::Frozen;
        let mut expired = with_unit("MIN", 5.0, 100.0);
        expired.expiry = crate::domain::Expiry::At(now.plus_days(-1));
        let rows = usage_by_name(&[with_unit("MIN", 10.0, 60.0), with_unit("NUM", 1.0, 2.0), frozen, expired], now);
        assert_eq!(rows, [("flexus".to_string(), Some("MIN".to_string()), [10, 50]), ("flexus".to_string(), Some("NUM".to_string()), [1, 1]),]);
    }

    #[test]
    fn state_series_count_by_name_largest_first() {
        let p = |name: &str, status| Package { status, ..Package::new(Service::Hss, "i", name) };
        let rows = states_by_name(&[
            p("basic", Status::Active),
            p("premium", Status::Active),
            p("premium", Status::Expired),
            p("premium", Status::Frozen),
            p("basic", Status::Unknown),
        ]);
        assert_eq!(rows, [("premium".to_string(), [1, 1, 1]), ("basic".into(), [1, 0, 0])]);
    }

    #[test]
    fn shares_add_up_to_the_scale() {
        assert_eq!(shares(&[1, 1, 1]), [334, 333, 333]);
        assert_eq!(shares(&[3, 1]), [750, 250]);
        assert_eq!(shares(&[0, 5]), [0, 1000]);
        assert_eq!(shares(&[0, 0]), [0, 0]);
        assert_eq!(shares(&[]), Vec::<u32>::new());
        // A tiny value next to a huge one still sums exactly.
        let odd = shares(&[1, u64::MAX, 7]);
        assert_eq!(odd.iter().sum::<u32>(), SCALE);
        assert_eq!(odd[1], 1000);
    }

    #[test]
    fn donut_arcs_run_end_to_end() {
        let arcs = donut(&[420, 180]);
        assert_eq!(arcs, [Arc { offset: 0, len: 700 }, Arc { offset: 700, len: 300 }]);
        assert_eq!(arcs[1].dasharray(), "300 700");
        assert_eq!(arcs[1].dashoffset(), "-700");
    }

    #[test]
    fn stacked_bars_share_one_scale() {
        let bars = stacked(&[vec![2, 1, 1], vec![1, 0, 1], vec![0, 0, 0]]);
        assert_eq!(bars[0], [Segment { x: 0, width: 500 }, Segment { x: 500, width: 250 }, Segment { x: 750, width: 250 }]);
        assert_eq!(bars[1], [Segment { x: 0, width: 250 }, Segment { x: 250, width: 0 }, Segment { x: 250, width: 250 }]);
        assert_eq!(bars[2][2], Segment { x: 0, width: 0 });
        assert!(stacked(&[]).is_empty());
        assert_eq!(stacked(&[vec![0, 0]]), [vec![Segment { x: 0, width: 0 }; 2]]);
        assert_eq!(stacked(&[vec![], vec![3]]), [vec![], vec![Segment { x: 0, width: 1000 }]]);
    }

    #[test]
    fn fill_is_clamped() {
        assert_eq!(fill(37.0, 50.0), 740);
        assert_eq!(fill(70.0, 50.0), 1000);
        assert_eq!(fill(-1.0, 50.0), 0);
        assert_eq!(fill(1.0, 0.0), 0);
        assert_eq!(fill(f64::NAN, 1.0), 0);
        assert_eq!(fill(1.0, f64::INFINITY), 0);
    }

    #[test]
    fn timeline_positions() {
        let now = Instant::from_millis(1_800_000_000_000);
        assert_eq!(timeline_x(now, now, 90), Some(0));
        assert_eq!(timeline_x(now.plus_days(45), now, 90), Some(500));
        assert_eq!(timeline_x(now.plus_days(90), now, 90), Some(1000));
        assert_eq!(timeline_x(now.plus_days(91), now, 90), None);
        assert_eq!(timeline_x(now.plus_days(-1), now, 90), None);
        assert_eq!(timeline_x(Instant::from_millis(i64::MAX), Instant::from_millis(i64::MIN), 90), None);
    }
}
