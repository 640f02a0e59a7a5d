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
pub mod members;
pub mod misuse;
pub mod notes;
pub mod outfile;
pub mod output;
pub mod pairs;
pub mod progress;
pub mod request;
pub mod shard;
pub mod target;

pub use args::{Args, Shell};
pub use exit::{Exit, Failure};
use falcon_harness::router::Call;
use serde_json::Value;

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
    if args.shard.is_some() && !args.batch {
        return Err(Failure::usage("--shard K/N needs --batch"));
    }
    if args.batch {
        if args.dry_run {
            let bases = dry_run::Bases::new(args.base_url.as_deref(), args.cloud.as_deref())?;
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            let options = dry_run::Options {
                plan: opts,
                split: !args.no_split,
                shard: args.shard,
            };
            let rules = args.input_rules();
            let summary =
                dry_run::batch(std::io::stdin().lock(), &mut out, &options, &rules, &bases)
                    .or_else(quiet_broken_pipe)?;
            return Ok(summary.exit);
        }
        logging::init(args.verbose);
        return call::batch(args);
    }
    if let Some((target, value)) = call_target(args)? {
        if args.dry_run {
            let bases = dry_run::Bases::new(args.base_url.as_deref(), args.cloud.as_deref())?;
            let plan = dry_run::plan_json(&target, &value, &opts, !args.no_split, &bases)?;
            print_json(&plan)?;
            return Ok(Exit::Ok);
        }
        logging::init(args.verbose);
        return call::single(args, &target, value);
    }
    Err(Failure::usage(
        "nothing to do: give an operation ID (falcon-harness OP [ARGS]), --batch, --list, \
         --describe OP or --completions SHELL; see --help",
    ))
}

/// The target of a single call and its arguments (ARGS read once):
/// `--override` (OP may be left out; a name given anyway is ignored, as
/// falconpy ignores it), or OP; a name that is no operation with an
/// `"override"` route among the arguments calls that route, as the
/// library's `command` does. `None` when the command line names no call.
fn call_target(args: &Args) -> Result<Option<(request::Target, Value)>, Failure> {
    let rest = args.args.iter().map(String::as_str);
    let rules = args.input_rules();
    let read = |op, words: &[&str]| {
        pairs::read_words(op, words, std::io::stdin().lock(), &rules).map(|(value, warnings)| {
            notes::warn(&warnings);
            value
        })
    };
    if let Some(route) = &args.override_route {
        let first = args.op.as_deref().filter(|w| pairs::is_args_word(w));
        let words: Vec<&str> = first.into_iter().chain(rest).collect();
        let value = read(None, &words)?;
        return Ok(Some((request::Target::Override(route.clone()), value)));
    }
    let Some(name) = &args.op else {
        return Ok(None);
    };
    let words: Vec<&str> = rest.collect();
    match falcon_harness::catalog::resolve(name) {
        Ok(r) => {
            notes::deprecation(&r);
            let op = r.operation;
            if args.all && !falcon_harness::paginate::is_paged(op) {
                return Err(falcon_harness::paginate::not_paged(op).into());
            }
            let value = read(Some(op), &words)?;
            Ok(Some((request::Target::Op(op), value)))
        }
        Err(unknown) => {
            // The arguments, read untyped, may carry an override route.
            let Ok(value) = read(None, &words) else {
                return Err(falcon_harness::Error::from(unknown).into());
            };
            match falcon_harness::router::resolve_call(name, &value) {
                Ok(Call::Override(route)) => {
                    Ok(Some((request::Target::Override(route.to_string()), value)))
                }
                Ok(Call::Operation(_)) | Err(_) => Err(falcon_harness::Error::from(unknown).into()),
            }
        }
    }
}

/// A reader that went away (`| head`) ends the output quietly.
fn quiet_broken_pipe<T: Default>(e: std::io::Error) -> Result<T, Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(T::default())
    } else {
        Err(Failure::broken(format!("batch: {e}")))
    }
}
