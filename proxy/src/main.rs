//! Parses the flags, reads the TLS files, binds, serves until SIGINT/SIGTERM. Everything else is in the library.

use clap::{CommandFactory, Parser};

// mimalloc: glibc's malloc/free was the largest single cost per request in
// the profile (about 63 allocations a request); mimalloc's thread-local free
// lists cost less (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tenantscope_proxy::config::{Args, Config};
use tenantscope_proxy::server::serve_config;

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    if let Err(message) = args.check() {
        Args::command().error(clap::error::ErrorKind::MissingRequiredArgument, message).exit();
    }
    let files = raise_open_files_limit();
    // One thread runs everything when there is one CPU to use (--threads 1,
    // or 0 on a machine, container quota or taskset of one CPU): no wake-ups
    // between threads, no work stealing. Otherwise a worker per CPU, or N.
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let mut runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if args.threads > 0 {
            builder.worker_threads(args.threads);
        }
        builder
    };
    runtime.enable_all().build()?.block_on(run(args, files))
}

/// Raises the soft limit of open files to the hard one, which an
/// unprivileged process may do: every connection is a descriptor, and many
/// systems start a process at 1,024 whatever the hard limit allows. The
/// limits after, `None` where they cannot be read.
#[cfg(unix)]
fn raise_open_files_limit() -> Option<(libc::rlim_t, libc::rlim_t)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read and write only the struct given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
        // A hard limit of "unlimited" is more than Linux lets a soft one be
        // (fs.nr_open): then the soft limit stays as it was.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    Some((limit.rlim_cur, limit.rlim_max))
}

#[cfg(not(unix))]
fn raise_open_files_limit() -> Option<(u64, u64)> {
    None
}

async fn run(args: Args, files: Option<(impl std::fmt::Display, impl std::fmt::Display)>) -> std::io::Result<()> {
    // Written out when `run` returns, the bind's error included.
    let _log = tenantscope_proxy::logging::init();
    if let Some((soft, hard)) = files {
        tracing::info!(%soft, %hard, "open files limit");
    }
    let mut config = Config::from(&args);
    if let Some(files) = args.tls_files() {
        // Before binding: a certificate that cannot be used is a startup
        // error that names the file, not a listener that fails every handshake.
        match tenantscope_proxy::tls::Certificates::load(files) {
            Ok(certificates) => config.tls = Some(certificates),
            Err(message) => Args::command().error(clap::error::ErrorKind::ValueValidation, message).exit(),
        }
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let metrics_listener = match config.metrics_listen {
        Some(at) => Some(tokio::net::TcpListener::bind(at).await?),
        None => None,
    };
    let addr = listener.local_addr()?;
    // SIGHUP reloads the certificate (tls.rs, which listens for it too).
    // Taken from here on, before the URL is printed, in both modes: its
    // default action would end the process, and `systemctl reload` or a
    // certificate hook must be harmless without TLS as well.
    #[cfg(unix)]
    let _hangup = tokio::spawn(hangup(tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?, config.tls.is_some()));
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, demo = args.demo, static_dir = ?args.static_dir, host_guard = config.guard_host, "listening");
    println!("tenantscope-proxy listening on {scheme}://{addr}");
    serve_config(listener, metrics_listener, config, shutdown()).await;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(unix)]
async fn hangup(mut signal: tokio::signal::unix::Signal, tls: bool) {
    while signal.recv().await.is_some() {
        if !tls {
            tracing::info!("SIGHUP: no TLS certificate to reload");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
