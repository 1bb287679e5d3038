//! Where log lines go: stderr, through `tracing-appender`'s non-blocking
//! writer, so a request does not pay a `write` system call for its access
//! line, nor wait when stderr is slow (a full pipe, a stalled journal): the
//! line goes to a channel that one writer thread empties.
//!
//! The channel holds 128,000 lines; past that, lines are dropped and counted
//! rather than requests slowed (the crate's "lossy" mode, its default). The
//! [`WorkerGuard`] that [`init`] returns writes what is left when it drops,
//! at the end of `main`; on a crash, what the thread had not written yet is lost.

use tracing_appender::non_blocking::WorkerGuard;

/// Installs the global subscriber: level from `RUST_LOG` (default `info`),
/// colours only on a terminal. Keep the guard until the process ends.
pub fn init() -> WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(writer)
        .init();
    guard
}
