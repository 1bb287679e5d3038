//! How fast a package's usage grows and when it reaches its total: the pace
//! (a least-squares line over the last [`WINDOW_DAYS`] days of readings,
//! started anew after a drop, which is a new period) and the run-out date
//! it gives. Pure arithmetic on (time, used) points; where the points come
//! from is [`crate::history`]'s business.

use std::sync::Arc;

use super::time::{Instant, MS_PER_DAY};

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
/// after the last drop (usage that falls starts a new period).
pub fn pace(readings: &[Reading], now: Instant) -> Result<Pace, NoPace> {
    let _ = (readings, now, MS_PER_DAY);
    todo!()
}

/// The forecast for a package using `used` of `total` with `readings`, at `now`.
pub fn forecast(used: f64, total: f64, readings: &[Reading], now: Instant) -> Forecast {
    let _ = (used, total, readings, now);
    todo!()
}
