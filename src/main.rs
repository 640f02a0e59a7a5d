//! The `falcon-harness` command-line tool.
fn main() {
    println!("{} operations", falcon_harness::catalog::len());
}
