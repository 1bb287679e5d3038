//! Parses the flags, binds, serves until SIGINT/SIGTERM. Everything else is in the library.

use clap::Parser;
use tenantscope_proxy::config::{Args, Config};
use tenantscope_proxy::server::{serve, ServeOptions};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(tenantscope_proxy::logging::BufferedStderr::new())
        .init();
    let args = Args::parse();
    let config = Config::from(&args);
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            tenantscope_proxy::logging::flush();
            return Err(e);
        }
    };
    let addr = listener.local_addr()?;
    tracing::info!(%addr, demo = args.demo, static_dir = ?args.static_dir, host_guard = config.guard_host, "listening");
    println!("tenantscope-proxy listening on http://{addr}");
    let options = ServeOptions::for_config(&config);
    serve(listener, tenantscope_proxy::app(config), options, shutdown()).await;
    tracing::info!("stopped");
    tenantscope_proxy::logging::flush();
    Ok(())
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
