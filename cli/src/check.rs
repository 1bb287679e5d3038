//! `tenantscope check`: one reading ([`crate::reading`]: credentials from
//! the environment, the sessions they open, each read whole), then the
//! output in the format asked and the exit status.

use clap::{Args, Parser, Subcommand, ValueEnum};
use tenantscope_catalog::Service;
use tenantscope_core::api::ApiError;
use tenantscope_core::domain::{Instant, Thresholds};
use tenantscope_core::export::Sessions;
use tenantscope_core::services::{Facts, ServiceState};
use tenantscope_core::tenant::Reading;

use crate::reading::{problems, ReadArgs};

/// Nothing lapses within the window, and everything was read.
pub const EXIT_OK: i32 = 0;
/// Something lapses (or needs somebody) within the window.
pub const EXIT_LAPSES: i32 = 1;
/// A service, billing or the session could not be read; or the
/// credentials or flags are missing or wrong.
pub const EXIT_UNREAD: i32 = 2;

const EXIT_HELP: &str = concat!(
    crate::reading::credentials_help!(),
    "\n\nExit status:
  0  nothing lapses within --fail-within days, and every service and billing was read
  1  something lapses or needs somebody within --fail-within days
  2  a service, billing or the session could not be read, or the credentials or
     flags are missing or wrong (stderr says which and why, one line each).
     2 wins over 1: a check that could not read everything cannot say nothing lapses."
);

/// tenantscope: the packages, quotas and expiry dates of a Huawei Cloud tenant.
#[derive(Debug, Parser)]
#[command(name = "tenantscope", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every package service and billing, list what lapses within
    /// --fail-within days, and exit 0, 1 or 2 (see below).
    Check(CheckArgs),
    /// Serve /metrics for Prometheus (OpenMetrics), read every --interval
    /// in the background: a scrape never calls Huawei Cloud.
    Exporter(crate::exporter::ExporterArgs),
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// What lapses, aligned, and a summary line.
    Table,
    /// The console's JSON export (`tenantscope.export.v5`).
    Json,
    /// The console's CSV export.
    Csv,
    /// The console's calendar of coming dates (UTC days).
    Ics,
    /// OpenMetrics text: expiry, usage, whether each service was read.
    Openmetrics,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_HELP)]
pub struct CheckArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when something lapses or needs somebody within this many
    /// days [default: 30, the console's warning threshold].
    #[arg(long, value_name = "DAYS")]
    pub fail_within: Option<u32>,
    /// The critical threshold in the exports [default: 7].
    #[arg(long, value_name = "DAYS")]
    pub critical_days: Option<u32>,
    /// The warning threshold in the exports [default: 30].
    #[arg(long, value_name = "DAYS")]
    pub warning_days: Option<u32>,
}

impl CheckArgs {
    /// The window `--fail-within` sets.
    pub fn window(&self) -> u32 {
        self.fail_within.unwrap_or(Thresholds::default().warning_days)
    }

    /// The thresholds the exports carry.
    pub fn thresholds(&self) -> Result<Thresholds, String> {
        let d = Thresholds::default();
        let t = Thresholds { critical_days: self.critical_days.unwrap_or(d.critical_days), warning_days: self.warning_days.unwrap_or(d.warning_days) };
        if t.critical_days > t.warning_days {
            return Err(format!("--critical-days ({}) is more than --warning-days ({})", t.critical_days, t.warning_days));
        }
        Ok(t)
    }
}

/// What a check prints and how it exits.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    /// One line each, no credential in any.
    pub stderr: Vec<String>,
    pub code: i32,
}

impl Outcome {
    fn refused(why: String) -> Outcome {
        Outcome { stdout: String::new(), stderr: vec![why], code: EXIT_UNREAD }
    }
}

/// Runs a check: `env` reads the environment (ignored with `--demo`).
pub async fn run(args: &CheckArgs, env: impl Fn(&str) -> Option<String>) -> Outcome {
    let thresholds = match args.thresholds() {
        Ok(t) => t,
        Err(why) => return Outcome::refused(why),
    };
    let (transport, credentials) = match crate::reading::open(&args.read, env) {
        Ok(opened) => opened,
        Err(why) => return Outcome::refused(why),
    };
    let (connections, tabs) = match crate::reading::read_all(&args.read, &transport, credentials).await {
        Ok(read) => read,
        Err(why) => return Outcome::refused(why),
    };
    let regions: Vec<&str> = connections.iter().map(|c| c.region.as_str()).collect();
    let now = Instant::from_millis(crate::net::now_ms());
    output(args, thresholds, &regions, &tabs, now)
}

/// The output and exit status of a check's readings `tabs` (opened in
/// `regions`) at `now`.
pub fn output(args: &CheckArgs, thresholds: Thresholds, regions: &[&str], tabs: &[Result<Reading, ApiError>], now: Instant) -> Outcome {
    let sessions = Sessions::of(tabs);
    let stderr = problems(regions, tabs);
    let rows = crate::table::rows(&sessions, now, args.window());
    let read = sessions.errors.is_empty() && sessions.billing.read && stderr.is_empty();
    let code = if !read {
        EXIT_UNREAD
    } else if !rows.is_empty() {
        EXIT_LAPSES
    } else {
        EXIT_OK
    };
    let stdout = match args.format {
        Format::Table => {
            let mut out = if rows.is_empty() { String::new() } else { crate::table::render(&rows, now) };
            out.push_str(&summary(tabs, &sessions, rows.len(), args.window()));
            out.push('\n');
            out
        }
        Format::Json => sessions.report(now, thresholds, |r| r.to_json()),
        Format::Csv => sessions.report(now, thresholds, |r| r.to_csv()),
        Format::Ics => sessions.report(now, thresholds, |r| r.to_ics(0)),
        Format::Openmetrics => {
            let list: Vec<crate::metrics::Tab> =
                tabs.iter().zip(regions).map(|(reading, region)| crate::metrics::Tab { region, reading, down: false }).collect();
            crate::metrics::render(&list, &sessions)
        }
    };
    Outcome { stdout, stderr, code }
}

/// `3 of 612 packages need somebody within 30 days; billing read; 5 services read`.
fn summary(tabs: &[Result<Reading, ApiError>], sessions: &Sessions, lapsing: usize, days: u32) -> String {
    let mut read = 0;
    let mut failed = 0;
    let mut not_offered = 0;
    for reading in tabs.iter().flatten() {
        for (_, state) in &reading.services {
            match state {
                Ok(ServiceState::Loaded(l))
                    if l.paging.as_ref().is_none_or(|p| p.failures.is_empty()) && l.facts.as_ref().and_then(Facts::narrowed).is_none() =>
                {
                    read += 1
                }
                Ok(ServiceState::NotOffered(_)) => not_offered += 1,
                Ok(ServiceState::Waiting) => {}
                _ => failed += 1,
            }
        }
    }
    let unstarted = tabs.iter().filter(|t| t.is_err()).count();
    failed += unstarted * Service::PACKAGES.len();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "{} of {} need somebody within {}; billing {}; {} read",
        lapsing,
        plural(sessions.packages.len(), "package", "packages"),
        plural(days as usize, "day", "days"),
        if sessions.billing.read { "read" } else { "not read" },
        plural(read, "service", "services"),
    );
    if failed > 0 {
        s.push_str(&format!(", {failed} not"));
    }
    if not_offered > 0 {
        s.push_str(&format!(", {not_offered} not offered in the region"));
    }
    if tabs.len() > 1 {
        s.push_str(&format!(" ({} projects)", tabs.len()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_defaults_to_the_warning_threshold() {
        let cli = Cli::parse_from(["tenantscope", "check"]);
        let Command::Check(args) = cli.command else { unreachable!() };
        assert_eq!(args.window(), Thresholds::default().warning_days);
        assert_eq!(args.format, Format::Table);
        assert_eq!(args.thresholds(), Ok(Thresholds::default()));
        let Command::Check(args) = Cli::parse_from(["tenantscope", "check", "--critical-days", "40"]).command else { unreachable!() };
        assert!(args.thresholds().is_err());
        assert!(Cli::try_parse_from(["tenantscope", "check", "--all-regions", "--project-id", "p"]).is_err());
        assert!(Cli::try_parse_from(["tenantscope", "check", "--upstream-base", "ftp://x"]).is_err());
    }
}
