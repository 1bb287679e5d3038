//! How fast a package's usage grows and when it reaches its total: the pace
//! (a least-squares line over the last [`WINDOW_DAYS`] days of readings,
//! started anew after a drop, which is a new period) and the run-out date
//! it gives. Pure arithmetic on (time, used) points; where the points come
//! from is [`crate::history`]'s business.

use std::sync::Arc;

use super::time::{Instant, MS_PER_DAY};
use super::{clamped, sorted};

/// How many days of readings the pace is drawn from.
pub const WINDOW_DAYS: i64 = 30;

/// One reading of a package's usage.
pub type Reading = (Instant, f64);

/// The usage's pace: units a day, from the readings since `from` (the
/// window's start, or the last reset within it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
    pub per_day: f64,
    pub from: Instant,
    /// How many readings the line was drawn through.
    pub points: usize,
}

/// Why there is no pace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoPace {
    /// Fewer than two readings (since the last reset).
    OnePoint,
    /// The readings span less than a day.
    UnderADay,
}

/// What the pace says of a package with a total.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Forecast {
    /// At this pace it reaches its total at `at` (in the future).
    RunsOut { at: Instant, pace: Pace },
    /// Used up already (used at or over its total): nothing to forecast.
    UsedUp { pace: Pace },
    /// Flat or falling: at this pace it never reaches its total.
    Steady { pace: Pace },
    /// No pace yet, and why.
    Unknown(NoPace),
}

impl Forecast {
    /// When it runs out, if it does at this pace.
    pub fn runs_out_at(&self) -> Option<Instant> {
        match self {
            Forecast::RunsOut { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// Its pace, units a day, where there is one.
    pub fn pace(&self) -> Option<Pace> {
        match self {
            Forecast::RunsOut { pace, .. } | Forecast::UsedUp { pace } | Forecast::Steady { pace } => Some(*pace),
            Forecast::Unknown(_) => None,
        }
    }
}

/// A package's readings over time (oldest first, the current one last) and
/// the forecast drawn from them: what its card charts and says.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub readings: Arc<[Reading]>,
    pub forecast: Forecast,
}

/// The pace of `readings` (any order) at `now`: the least-squares slope
/// over those within [`WINDOW_DAYS`] before `now`, counting only those
/// after the last drop (usage that falls starts a new period). Readings
/// that are not finite numbers are left out.
pub fn pace(readings: &[Reading], now: Instant) -> Result<Pace, NoPace> {
    let start = now.plus_days(-WINDOW_DAYS);
    let window: Vec<Reading> = readings.iter().copied().filter(|&(at, used)| at >= start && at <= now && used.is_finite()).collect();
    let window = if window.windows(2).all(|w| matches!(w, [a, b] if a.0 <= b.0)) { window } else { sorted(window, |r| (clamped(r.0), String::new())) };
    // A drop starts a new period: only what follows the last one counts.
    let from = window.windows(2).rposition(|w| matches!(w, [a, b] if b.1 < a.1)).map_or(0, |i| i + 1);
    let counted = window.get(from..).unwrap_or(&[]);
    let (Some(&(first, _)), Some(&(last, _))) = (counted.first(), counted.last()) else {
        return Err(NoPace::OnePoint);
    };
    if counted.len() < 2 {
        return Err(NoPace::OnePoint);
    }
    if last.since(first) < MS_PER_DAY {
        return Err(NoPace::UnderADay);
    }
    // Days since the first reading, so that the sums stay small.
    let day = |at: Instant| at.since(first) as f64 / MS_PER_DAY as f64;
    let n = counted.len() as f64;
    let mean_x = counted.iter().map(|&(at, _)| day(at)).sum::<f64>() / n;
    let mean_y = counted.iter().map(|&(_, used)| used).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for &(at, used) in counted {
        let dx = day(at) - mean_x;
        sxy += dx * (used - mean_y);
        sxx += dx * dx;
    }
    // At least a day apart, so `sxx` is positive.
    Ok(Pace { per_day: sxy / sxx, from: first, points: counted.len() })
}

/// The latest instant a run-out date may be (the end of year 9999): later
/// is no date anybody needs, and at this pace it is steady.
const LATEST_MS: f64 = 253_402_300_799_999.0;

/// The forecast for a package using `used` of `total` with `readings`, at `now`.
pub fn forecast(used: f64, total: f64, readings: &[Reading], now: Instant) -> Forecast {
    let pace = match pace(readings, now) {
        Ok(pace) => pace,
        Err(why) => return Forecast::Unknown(why),
    };
    if used >= total {
        return Forecast::UsedUp { pace };
    }
    if pace.per_day.is_nan() || pace.per_day <= 0.0 {
        return Forecast::Steady { pace };
    }
    let at = now.millis() as f64 + (total - used) / pace.per_day * MS_PER_DAY as f64;
    if at.is_finite() && at <= LATEST_MS {
        // Within ±year 9999, so the conversion is exact enough and in range.
        Forecast::RunsOut { at: Instant::from_millis(at.round() as i64), pace }
    } else {
        Forecast::Steady { pace }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Instant = Instant::from_millis(1_800_000_000_000);
    const HOUR: i64 = 3_600_000;

    /// A reading `days` before [`NOW`] (fractions allowed).
    fn ago(days: f64, used: f64) -> Reading {
        (Instant::from_millis(NOW.millis() - (days * MS_PER_DAY as f64) as i64), used)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn steady_growth_runs_out_on_the_line() {
        // 10 a day for ten days, 100 used now, of 200: ten more days.
        let readings: Vec<Reading> = (0..=10).map(|d| ago(f64::from(10 - d), f64::from(d) * 10.0)).collect();
        let pace = pace(&readings, NOW).unwrap();
        assert!(close(pace.per_day, 10.0), "{pace:?}");
        assert_eq!(pace.points, 11);
        assert_eq!(pace.from, ago(10.0, 0.0).0);
        let f = forecast(100.0, 200.0, &readings, NOW);
        assert_eq!(f.runs_out_at(), Some(NOW.plus_days(10)));
        assert_eq!(f.pace(), Some(pace));
    }

    #[test]
    fn order_does_not_matter() {
        let mut readings: Vec<Reading> = (0..=10).map(|d| ago(f64::from(10 - d), f64::from(d) * 10.0)).collect();
        readings.reverse();
        readings.swap(2, 7);
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 10.0), "{p:?}");
        assert_eq!(p.from, ago(10.0, 0.0).0);
    }

    #[test]
    fn a_reset_starts_a_new_period() {
        // 100 a day up to 500, then a drop to 0 and 5 a day since.
        let readings = [ago(10.0, 100.0), ago(8.0, 300.0), ago(6.0, 500.0), ago(4.0, 0.0), ago(2.0, 10.0), ago(0.0, 20.0)];
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 5.0), "{p:?}");
        assert_eq!(p.points, 3);
        assert_eq!(p.from, ago(4.0, 0.0).0);
    }

    #[test]
    fn flat_usage_is_steady() {
        let readings = [ago(5.0, 40.0), ago(3.0, 40.0), ago(0.0, 40.0)];
        match forecast(40.0, 100.0, &readings, NOW) {
            Forecast::Steady { pace } => assert_eq!(pace.per_day, 0.0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_pace_so_slow_it_passes_year_9999_is_steady() {
        let readings = [ago(2.0, 0.0), ago(0.0, 1e-12)];
        assert!(matches!(forecast(1e-12, 1e9, &readings, NOW), Forecast::Steady { .. }));
    }

    #[test]
    fn used_over_its_total_is_used_up() {
        let readings = [ago(2.0, 90.0), ago(0.0, 120.0)];
        match forecast(120.0, 100.0, &readings, NOW) {
            Forecast::UsedUp { pace } => assert!(close(pace.per_day, 15.0)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(forecast(100.0, 100.0, &readings, NOW), Forecast::UsedUp { .. }));
    }

    #[test]
    fn two_points_a_day_apart_are_enough() {
        let readings = [ago(1.0, 10.0), ago(0.0, 30.0)];
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 20.0));
        assert_eq!(p.points, 2);
        assert_eq!(forecast(30.0, 70.0, &readings, NOW).runs_out_at(), Some(NOW.plus_days(2)));
    }

    #[test]
    fn one_point_or_under_a_day_gives_no_pace() {
        assert_eq!(pace(&[], NOW), Err(NoPace::OnePoint));
        assert_eq!(pace(&[ago(0.0, 3.0)], NOW), Err(NoPace::OnePoint));
        assert_eq!(forecast(3.0, 10.0, &[ago(0.0, 3.0)], NOW), Forecast::Unknown(NoPace::OnePoint));
        let close_together = [(Instant::from_millis(NOW.millis() - 23 * HOUR), 1.0), (NOW, 3.0)];
        assert_eq!(pace(&close_together, NOW), Err(NoPace::UnderADay));
        assert_eq!(forecast(3.0, 10.0, &close_together, NOW), Forecast::Unknown(NoPace::UnderADay));
        // A drop just before now leaves one point of the new period.
        assert_eq!(pace(&[ago(5.0, 50.0), ago(0.0, 1.0)], NOW), Err(NoPace::OnePoint));
    }

    #[test]
    fn least_squares_not_the_endpoints() {
        // x = 0, 1, 2, 3 days; y = 0, 10, 10, 12: endpoints say 4 a day;
        // mean x 1.5, mean y 8: sxy = 12 - 1 + 1 + 6 = 18, sxx = 5, so 3.6.
        let readings = [ago(3.0, 0.0), ago(2.0, 10.0), ago(1.0, 10.0), ago(0.0, 12.0)];
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 3.6), "{p:?}");
        // Irregular spacing: x = 0, 0.5, 4 days; y = 0, 4, 8.
        let readings = [ago(4.0, 0.0), ago(3.5, 4.0), ago(0.0, 8.0)];
        let p = pace(&readings, NOW).unwrap();
        // mean x 1.5, mean y 4: sxy = (-1.5)(-4) + (-1)(0) + (2.5)(4) = 16, sxx = 2.25 + 1 + 6.25 = 9.5.
        assert!(close(p.per_day, 16.0 / 9.5), "{p:?}");
    }

    #[test]
    fn readings_older_than_the_window_or_after_now_are_left_out() {
        // A steep old period (before the window) and a reading from the
        // future would both change the slope.
        let readings = [ago(40.0, 0.0), ago(31.0, 900.0), ago(20.0, 1000.0), ago(10.0, 1010.0), ago(0.0, 1020.0), ago(-2.0, 5000.0)];
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 1.0), "{p:?}");
        assert_eq!(p.points, 3);
        assert_eq!(p.from, ago(20.0, 0.0).0);
        // Exactly 30 days old is within.
        assert_eq!(pace(&[ago(30.0, 0.0), ago(0.0, 30.0)], NOW).map(|p| p.points), Ok(2));
    }

    #[test]
    fn non_finite_values_are_ignored() {
        let readings = [ago(4.0, 0.0), ago(3.0, f64::NAN), ago(2.0, 20.0), ago(1.0, f64::INFINITY), ago(0.0, 40.0)];
        let p = pace(&readings, NOW).unwrap();
        assert!(close(p.per_day, 10.0), "{p:?}");
        assert_eq!(p.points, 3);
        // A NaN after a high reading is no drop either.
        assert_eq!(pace(&[ago(2.0, f64::NAN), ago(0.0, 1.0)], NOW), Err(NoPace::OnePoint));
        // And nothing panics on absurd figures.
        let _ = forecast(f64::NAN, f64::INFINITY, &[ago(2.0, -1e308), ago(0.0, 1e308)], NOW);
        let _ = forecast(0.0, 1.0, &[(Instant::from_millis(i64::MIN), 0.0), (Instant::from_millis(i64::MAX), 1.0)], Instant::from_millis(i64::MAX));
    }
}
