//! The `falcon-harness` command-line tool: parses the arguments and hands
//! them to [`falcon_harness::cli::run`].
use clap::Parser;

fn main() -> std::process::ExitCode {
    falcon_harness::cli::run(falcon_harness::cli::Args::parse()).into()
}
