//! The `falcon-harness` command-line tool: parses the arguments and hands
//! them to [`falcon_harness_cli::run`].
fn main() -> std::process::ExitCode {
    falcon_harness_cli::run(falcon_harness_cli::misuse::parse()).into()
}
