//! The `falcon-harness` command line: argument parsing ([`Args`]) and
//! [`run`], which does what the arguments ask and returns the exit code.
//! `src/main.rs` only parses and calls [`run`].

pub mod all;
pub mod args;
pub mod batch;
pub mod call;
pub mod completions;
pub mod describe;
pub mod dry_run;
pub mod exit;
pub mod fake;
pub mod input;
pub mod json_text;
pub mod lines;
pub mod logging;
pub mod misuse;
pub mod notes;
pub mod outfile;
pub mod output;
pub mod progress;
pub mod target;

pub use args::{Args, Shell};
pub use exit::{Exit, Failure};

use output::{print, print_json};
use std::io::Write;

/// Runs the command line and returns its exit code. Messages go to
/// stderr prefixed with `falcon-harness: `.
pub fn run(args: Args) -> Exit {
    match dispatch(&args) {
        Ok(exit) => exit,
        Err(f) => {
            let message = falcon_harness::escape::controls(&f.message);
            let _ = writeln!(std::io::stderr(), "falcon-harness: {message}");
            f.exit
        }
    }
}

fn dispatch(args: &Args) -> Result<Exit, Failure> {
    notes::set_quiet(args.quiet);
    if let Some(shell) = args.completions {
        print(completions::script(shell).as_bytes())?;
        return Ok(Exit::Ok);
    }
    if let Some(list) = &args.list {
        let ops = describe::operations_of(list.as_deref())?;
        if args.json {
            print_json(&describe::list_json(&ops))?;
        } else {
            print(describe::list_table(&ops).as_bytes())?;
        }
        return Ok(Exit::Ok);
    }
    if let Some(name) = &args.describe {
        let op = falcon_harness::catalog::resolve(name)
            .map_err(falcon_harness::Error::from)?
            .operation;
        if args.json {
            print_json(&describe::describe_json(op))?;
        } else {
            print(describe::describe_text(op).as_bytes())?;
        }
        return Ok(Exit::Ok);
    }
    let opts = falcon_harness::PlanOptions {
        lenient: args.lenient,
    };
    if args.batch {
        if args.dry_run {
            let bases = dry_run::Bases::new(args.base_url.as_deref(), args.cloud.as_deref())?;
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            let rules = args.input_rules();
            let summary = dry_run::batch(std::io::stdin().lock(), &mut out, &opts, &rules, &bases)
                .or_else(quiet_broken_pipe)?;
            return Ok(summary.exit);
        }
        logging::init(args.verbose);
        return call::batch(args);
    }
    if let Some(name) = &args.op {
        let op = resolve(name)?;
        if args.all && !falcon_harness::paginate::is_paged(op) {
            return Err(falcon_harness::paginate::not_paged(op).into());
        }
        let source = input::Source::parse(args.args.as_deref());
        let (value, warnings) =
            input::read_args(&source, std::io::stdin().lock(), &args.input_rules())?;
        notes::warn(&warnings);
        if args.dry_run {
            let bases = dry_run::Bases::new(args.base_url.as_deref(), args.cloud.as_deref())?;
            let plan = dry_run::plan_json(op, &value, &opts, &bases)?;
            print_json(&plan)?;
            return Ok(Exit::Ok);
        }
        logging::init(args.verbose);
        return call::single(args, op, value);
    }
    Err(Failure::usage(
        "nothing to do: give an operation ID (falcon-harness OP [ARGS]), --batch, --list, \
         --describe OP or --completions SHELL; see --help",
    ))
}

/// Resolves an operation name for a call; a deprecated operation or a
/// legacy name gets a note on stderr (see [`notes`]).
fn resolve(name: &str) -> Result<&'static falcon_harness::Operation, Failure> {
    let r = falcon_harness::catalog::resolve(name).map_err(falcon_harness::Error::from)?;
    notes::deprecation(&r);
    Ok(r.operation)
}

/// A reader that went away (`| head`) ends the output quietly.
fn quiet_broken_pipe<T: Default>(e: std::io::Error) -> Result<T, Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(T::default())
    } else {
        Err(Failure::broken(format!("batch: {e}")))
    }
}
