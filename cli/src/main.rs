//! The `falcon-harness` command-line tool: parses the arguments and hands
//! them to [`falcon_harness_cli::run`] (`falcon-harness fake ...` to
//! [`falcon_harness_cli::fake::main`]).
fn main() -> std::process::ExitCode {
    let argv: Vec<_> = std::env::args_os().skip(1).collect();
    if falcon_harness_cli::fake::wanted(&argv) {
        return falcon_harness_cli::fake::main(&argv).into();
    }
    falcon_harness_cli::run(falcon_harness_cli::misuse::parse()).into()
}
