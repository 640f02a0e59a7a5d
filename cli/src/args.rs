//! The command line, parsed with clap. Everything is a flag (not a
//! subcommand) so that `falcon-harness OP ARGS` works as it reads.

use clap::{ArgAction, ArgGroup, Parser, ValueEnum};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

const AFTER_HELP: &str = "\
ARGS is key=value pairs (text, converted by the argument's declared type),
key:=json pairs (a raw JSON value), or one JSON object, @FILE (a file
holding one) or - (read it from stdin). A key given twice makes a list.
Operation parameters are not flags: give `--limit 5` in ARGS, as limit=5 or
'{\"limit\": 5}'. A body field nested one or two levels down may be given
flat (value=20 for action_parameters[].value) or by its dotted path
(action_parameters.value=20); --describe OP shows each field's flat key.

--override METHOD,/ROUTE calls a route the table does not describe (as the
Python SDK's override): OP may be left out, and ARGS hold \"parameters\"
(query), \"body\" (JSON), \"headers\", \"data\" / \"files\" (a form) and
\"content_type\". In --batch, a line {\"override\": \"METHOD,/ROUTE\", \"args\": {..}}
does the same.

Arguments are checked by default: an unknown key, a wrong type or an empty
list element is an error and nothing is sent. --lenient drops unknown keys
and sends other values exactly as given, each with a warning on stderr.

Exit codes:
  0  the API answered 2xx or 304 (or nothing was sent: --dry-run, --list ...)
  1  the API answered with an error status (the result is still printed)
  2  usage or argument error (message on stderr, nothing sent)
  3  transport, time-out, reply-too-large or authentication failure
  4  --all printed what it got, but the API has more (the offset window,
     --max-pages, a failure after the first page, or a server repeating a
     page; stderr says which)
  (--batch exits with the highest code of any of its lines)

Examples:
  falcon-harness QueryDevicesByFilter limit=5 --body
  falcon-harness QueryDevicesByFilter '{\"limit\": 5}' --body
  falcon-harness --dry-run GetDeviceDetailsV2 '{\"ids\": [\"HOST_ID\"]}'
  falcon-harness --dry-run PerformActionV2 action_name=contain ids=HOST_ID
  falcon-harness --override 'GET,/devices/queries/devices/v1' parameters:='{\"limit\": 1}'
  echo '{\"op\": \"QueryDevicesByFilter\", \"args\": {\"limit\": 1}}' | falcon-harness --batch
  echo '{\"override\": \"GET,/devices/queries/devices/v1\"}' | falcon-harness --batch
  falcon-harness QueryDevicesByFilter '{\"limit\": 5000}' --all --jsonl > host_ids.jsonl
  falcon-harness --describe QueryDevicesByFilter
  falcon-harness fake --port 8080 --fixtures DIR   (a fake Falcon API; see fake --help)";

/// `falcon-harness`: call any CrowdStrike Falcon API operation by its
/// operation ID with JSON arguments.
#[derive(Debug, Parser)]
#[command(
    name = "falcon-harness",
    version,
    about = "Call any CrowdStrike Falcon API operation by its operation ID with JSON arguments",
    after_help = AFTER_HELP,
    group(ArgGroup::new("info").args(["list", "describe"]))
)]
pub struct Args {
    /// Operation ID (or an alias, or its snake_case name).
    #[arg(value_name = "OP", index = 1)]
    pub op: Option<String>,

    /// Arguments: key=value / key:=json pairs, or one JSON object, @FILE,
    /// or - for stdin [default: {}].
    #[arg(value_name = "ARGS", index = 2, requires = "op")]
    pub args: Vec<String>,

    /// A manual request, "METHOD,/route" (falconpy's override): no table
    /// entry needed; OP may be left out. ARGS take "parameters" (query),
    /// "body", "headers", "data", "files" and "content_type" [default: OP's
    /// route].
    #[arg(long = "override", value_name = "METHOD,/ROUTE", conflicts_with_all = ["batch", "all"])]
    pub override_route: Option<String>,

    /// Print only the response body.
    #[arg(long)]
    pub body: bool,

    /// Write a binary (or any) response body to FILE [default: stdout].
    #[arg(short = 'o', long, value_name = "FILE", conflicts_with = "batch")]
    pub output: Option<PathBuf>,

    /// Print the planned request as JSON; sends nothing, needs no credentials.
    #[arg(long)]
    pub dry_run: bool,

    /// List the operations of one COLLECTION [default: every collection].
    #[arg(
        long,
        value_name = "COLLECTION",
        num_args = 0..=1,
        conflicts_with_all = ["op", "describe", "batch", "completions"]
    )]
    pub list: Option<Option<String>>,

    /// Describe an operation: parameters, their location and type, body fields.
    #[arg(long, value_name = "OP", conflicts_with_all = ["op", "batch", "completions"])]
    pub describe: Option<String>,

    /// With --list or --describe: print JSON instead of a table.
    #[arg(long, requires = "info")]
    pub json: bool,

    /// Read JSON Lines from stdin, each {"id"?: .., "op": .., "args": {..}};
    /// print one JSON line per input line, in input order.
    #[arg(long, conflicts_with_all = ["op", "completions"])]
    pub batch: bool,

    /// With --batch: how many requests are in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// With --batch: answer only the lines of shard K of N (1 <= K <= N):
    /// lines with a member_cid by a stable hash of the CID, others by line
    /// number. Run N copies, K = 1..N, over the same input [default: every
    /// line].
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,

    /// Do not wait for the rate limit (by default requests wait for the
    /// CID's budget instead of being refused with 429).
    #[arg(long)]
    pub no_pacing: bool,

    /// Do not split an id list longer than the operation accepts into
    /// several requests; refuse it as an argument error instead.
    #[arg(long)]
    pub no_split: bool,

    /// Follow pagination and print every page's resources as one JSON
    /// array, written as the pages arrive.
    #[arg(long, conflicts_with_all = ["batch", "output"])]
    pub all: bool,

    /// With --all: stop after N pages (exit 4 when the API has more).
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pages: u32,

    /// With --all: print one resource per line (JSON Lines) instead of an
    /// array, so a pipe sees each page's resources as they arrive.
    #[arg(long, requires = "all")]
    pub jsonl: bool,

    /// Drop unknown arguments and send values as given (not type-checked),
    /// each with a warning, instead of refusing them.
    #[arg(long)]
    pub lenient: bool,

    /// The most bytes of one input: ARGS, @FILE, stdin or a --batch line.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_INPUT,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_input_bytes: u64,

    // Help text: the region names of the endpoint table.
    #[arg(long, env = "FALCON_CLOUD", value_name = "REGION", help = cloud_help())]
    pub cloud: Option<String>,

    /// Base URL of the API (overrides --cloud), e.g. http://127.0.0.1:8080;
    /// plain http only to loopback [default: the cloud's URL].
    #[arg(long, env = "FALCON_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Time limit of a request in seconds, token, retries and waits
    /// included (with --all, of each page) [default: 300].
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Time limit of one attempt of a request, in seconds [default: 120].
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub attempt_timeout: Option<Duration>,

    /// The most bytes of one reply held in memory, counted after
    /// decoding (-o FILE streams and is not limited).
    #[arg(long, value_name = "BYTES",
          default_value_t = falcon_harness::body_limit::DEFAULT_MAX_REPLY_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_reply_bytes: u64,

    /// Act for this child CID (Flight Control) [default: the API client's own CID].
    #[arg(long, env = "FALCON_MEMBER_CID", value_name = "CID")]
    pub member_cid: Option<String>,

    /// API client ID.
    #[arg(long, env = "FALCON_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// API client secret (prefer the environment variable).
    #[arg(
        long,
        env = "FALCON_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        value_parser = parse_secret
    )]
    pub client_secret: Option<Secret>,

    /// Log to stderr: -v one line per request (operation, status,
    /// attempts, time), -vv each attempt, -vvv everything; secrets are
    /// redacted. Colour only on a terminal and without NO_COLOR [default: off].
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,

    /// No notes (deprecated operations, legacy names) and no warnings on
    /// stderr; errors are still printed.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print a completion script for SHELL: it completes flags, operation
    /// IDs, collections, regions and file names after @.
    #[arg(long, value_name = "SHELL")]
    pub completions: Option<Shell>,
}

impl Args {
    /// How user input is read: the size limit and strict or lenient.
    pub fn input_rules(&self) -> crate::input::Rules {
        crate::input::Rules {
            max_bytes: self.max_input_bytes,
            lenient: self.lenient,
        }
    }
}

/// A shell that completion scripts are generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// GNU Bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// A client secret from the command line or environment. Its `Debug`
/// output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `--cloud`'s help: the names `Cloud` parses, from the endpoint table.
fn cloud_help() -> String {
    let names: Vec<&str> = falcon_harness::Cloud::names().collect();
    format!(
        "Cloud region: {} (or a base URL) [default: auto]",
        names.join(", ")
    )
}

fn parse_secret(s: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret(s.to_string()))
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, got {s:?}"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!(
            "expected more than 0 and at most 86400 seconds, got {s}"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(v: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("falcon-harness").chain(v.iter().copied()))
    }

    #[test]
    fn command_is_well_formed() {
        Args::command().debug_assert();
    }

    #[test]
    fn op_and_args_are_positional() {
        let a = parse(&["--dry-run", "QueryIncidents", r#"{"limit":5}"#]).unwrap();
        assert!(a.dry_run);
        assert_eq!(a.op.as_deref(), Some("QueryIncidents"));
        assert_eq!(a.args, [r#"{"limit":5}"#]);
        let a = parse(&["QueryIncidents", "-", "--body"]).unwrap();
        assert_eq!(a.args, ["-"]);
        assert!(a.body);
        let a = parse(&["QueryIncidents", "limit=5", "filter=x"]).unwrap();
        assert_eq!(a.args, ["limit=5", "filter=x"]);
        let a = parse(&["--override", "GET,/x", "limit=5"]).unwrap();
        assert_eq!(a.override_route.as_deref(), Some("GET,/x"));
        assert_eq!(a.op.as_deref(), Some("limit=5"));
    }

    #[test]
    fn help_documents_pairs_nested_keys_and_override() {
        let help = Args::command().render_long_help().to_string();
        for words in [
            "key=value pairs",
            "key:=json",
            "action_parameters.value=20",
            "--override METHOD,/ROUTE calls a route",
            "{\"override\": \"METHOD,/ROUTE\", \"args\": {..}}",
            "--lenient drops unknown keys",
        ] {
            assert!(help.contains(words), "--help lacks {words:?}");
        }
    }

    #[test]
    fn list_takes_an_optional_collection() {
        assert_eq!(parse(&["--list"]).unwrap().list, Some(None));
        assert_eq!(
            parse(&["--list", "incidents", "--json"]).unwrap().list,
            Some(Some("incidents".into()))
        );
        assert!(parse(&["--list", "incidents", "QueryIncidents"]).is_err());
    }

    #[test]
    fn batch_conflicts_with_an_operation() {
        let e = parse(&["--batch", "QueryIncidents"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(parse(&["--batch", "--concurrency", "0"]).is_err());
        assert_eq!(
            parse(&["--batch", "--concurrency", "32"])
                .unwrap()
                .concurrency,
            32
        );
    }

    #[test]
    fn shard_is_k_of_n_and_needs_batch() {
        let a = parse(&["--batch", "--shard", "2/4"]).unwrap();
        assert_eq!(a.shard.map(|s| (s.index, s.count)), Some((2, 4)));
        for bad in ["0/4", "5/4", "x"] {
            let e = parse(&["--batch", "--shard", bad]).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("--shard"), "{e}");
        }
    }

    #[test]
    fn json_needs_list_or_describe() {
        assert!(parse(&["--json"]).is_err());
        assert!(parse(&["--json", "QueryIncidents"]).is_err());
        assert!(parse(&["--describe", "QueryIncidents", "--json"]).is_ok());
        assert!(parse(&["--all", "-o", "x", "QueryIncidents"]).is_err());
    }

    #[test]
    fn timeout_is_seconds() {
        let a = parse(&["--timeout", "1.5", "QueryIncidents"]).unwrap();
        assert_eq!(a.timeout, Some(Duration::from_millis(1500)));
        assert!(parse(&["--timeout", "0", "QueryIncidents"]).is_err());
        assert!(parse(&["--timeout", "soon", "QueryIncidents"]).is_err());
    }

    #[test]
    fn cloud_help_names_every_region() {
        let help = Args::command().render_long_help().to_string();
        for name in falcon_harness::Cloud::names() {
            assert!(help.contains(name), "--help lacks {name}");
        }
    }

    #[test]
    fn secret_is_redacted_in_debug() {
        let a = parse(&["--client-secret", "hunter2-xyz", "QueryIncidents"]).unwrap();
        assert_eq!(a.client_secret.as_ref().unwrap().expose(), "hunter2-xyz");
        assert!(!format!("{a:?}").contains("hunter2-xyz"));
    }
}
