//! The `fake-flora` binary: serves the fake on 127.0.0.1, prints one line with its base URL to
//! stdout, logs to stderr, and runs until SIGINT/SIGTERM (or stdin closes, if asked).

use clap::Parser;
use fake_flora::{Config, FakeFlora};
use std::io::Write;
use tokio::io::AsyncReadExt;

/// A local stand-in for the FLORA REST API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 (a free one if not given).
    #[arg(long)]
    port: Option<u16>,
    /// Exit when stdin reaches end of file (for supervisors that hold a pipe open).
    #[arg(long)]
    exit_on_stdin_close: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FAKE_FLORA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let fake = FakeFlora::start(Config {
        port: args.port,
        ..Config::default()
    })
    .await?;
    // Handlers go in before the line is printed: a supervisor may signal as soon as it reads it.
    let termination = Termination::install()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "fake-flora listening on {}", fake.base_url())?;
    stdout.flush()?;
    drop(stdout);

    tokio::select! {
        () = termination.wait() => tracing::info!("signal received, stopping"),
        () = stdin_closed(), if args.exit_on_stdin_close => {
            tracing::info!("stdin closed, stopping")
        }
    }
    fake.shutdown().await;
    Ok(())
}

/// SIGINT and (on Unix) SIGTERM, listened for from the moment of [`Termination::install`].
struct Termination {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Termination {
    fn install() -> anyhow::Result<Termination> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Termination {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Termination {})
        }
    }

    /// Resolves on the first signal.
    async fn wait(self) {
        #[cfg(unix)]
        {
            let Termination {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Resolves once stdin reaches end of file or fails.
async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0u8; 1024];
    while matches!(stdin.read(&mut buffer).await, Ok(n) if n > 0) {}
}
