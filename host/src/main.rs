//! The `flora-mcp` binary: parse the command line and hand over to [`flora_mcp::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = flora_mcp::cli::Cli::from_process();
    match flora_mcp::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("flora-mcp: {err:#}");
            ExitCode::FAILURE
        }
    }
}
