//! The package and quota domain: pure logic, tested natively with no browser.
//! Every service's answer becomes [`Package`]s with a common status, usage,
//! expiry and urgency.

pub mod package;
pub mod paging;
pub mod time;

pub use package::{Expiry, Lifecycle, Package, Period, PeriodUnit, Status, Thresholds, Urgency};
pub use time::{Date, Instant};
