//! `tenantscope`: see `tenantscope check --help`, `tenantscope exporter
//! --help` and docs/cli.md.

use std::io::Write as _;

use clap::Parser;
use tenantscope_cli::check::{run, Cli, Command};

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tenantscope: no runtime: {e}");
            std::process::exit(tenantscope_cli::check::EXIT_UNREAD);
        }
    };
    let env = |name: &str| std::env::var(name).ok();
    match cli.command {
        Command::Check(args) => {
            let outcome = runtime.block_on(run(&args, env));
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(outcome.stdout.as_bytes());
            let _ = stdout.flush();
            for line in &outcome.stderr {
                eprintln!("tenantscope: {line}");
            }
            std::process::exit(outcome.code);
        }
        Command::Exporter(args) => {
            let code = runtime.block_on(tenantscope_cli::exporter::run(&args, env));
            // The server's connections end with the runtime.
            drop(runtime);
            std::process::exit(code);
        }
    }
}
