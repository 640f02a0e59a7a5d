//! `--dry-run`: plan requests and print them as JSON. Pure: no runtime,
//! no network, no credentials.

use super::batch::{self, Members, Reply, Request};
use super::exit::{Exit, Failure};
use super::input::Rules;
use super::progress::Progress;
use super::request::Target;
use super::target;
use falcon_harness::operation::Host;
use falcon_harness::plan::PlanOptions;
use falcon_harness::{split, RequestPlan};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::io::{BufReader, Read, Write};

/// The base URLs of the two hosts, computed once.
#[derive(Debug, Clone)]
pub struct Bases {
    api: String,
    container: String,
}

impl Bases {
    /// From `--base-url` and `--cloud`.
    pub fn new(base_url: Option<&str>, cloud: Option<&str>) -> Result<Bases, Failure> {
        Ok(Bases {
            api: target::base_url(base_url, cloud, Host::Api)?,
            container: target::base_url(base_url, cloud, Host::ContainerRegistry)?,
        })
    }

    /// The base URL of `host`.
    pub fn of(&self, host: Host) -> &str {
        match host {
            Host::Api => &self.api,
            Host::ContainerRegistry => &self.container,
        }
    }
}

/// The requests of one call, serializable: one plan as
/// `RequestPlan::to_json` describes it, or for a long id list that is
/// split, every request: `{"split": N, "requests": [plan, ..]}`.
struct Plans<'a> {
    plans: &'a [RequestPlan],
    bases: &'a Bases,
}

impl Serialize for Plans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bases = self.bases;
        match self.plans {
            [one] => one.view(bases.of(one.host)).serialize(s),
            many => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("split", &many.len())?;
                let views: Vec<_> = many.iter().map(|p| p.view(bases.of(p.host))).collect();
                m.serialize_entry("requests", &views)?;
                m.end()
            }
        }
    }
}

/// Plans one call, split (or, with `split` off, refused) when a list is
/// longer than the operation accepts.
fn plans(
    target: &Target,
    args: &Value,
    opts: &PlanOptions,
    split: bool,
) -> Result<Vec<RequestPlan>, falcon_harness::Error> {
    split::split(target.plan(args, opts)?, split)
}

/// The plan of one call as JSON (see `RequestPlan::to_json`); a split
/// shows every request: `{"split": N, "requests": [plan, ..]}`.
pub fn plan_json(
    target: &Target,
    args: &Value,
    opts: &PlanOptions,
    split: bool,
    bases: &Bases,
) -> Result<Value, falcon_harness::Error> {
    let plans = plans(target, args, opts, split)?;
    let view = Plans {
        plans: &plans,
        bases,
    };
    Ok(serde_json::to_value(view).unwrap_or_default())
}

/// What a dry-run batch does with each line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Planner options.
    pub plan: PlanOptions,
    /// Split long id lists (off: an argument error).
    pub split: bool,
    /// Only this shard's lines.
    pub shard: Option<super::shard::Shard>,
}

/// One line's plan, as the real run would send it: its member CID must
/// be one.
fn line_plans(req: &Request, opts: &Options) -> Result<Vec<RequestPlan>, falcon_harness::Error> {
    let plans = plans(&req.target, &req.args, &opts.plan, opts.split)?;
    if let Some(cid) = &req.member_cid {
        falcon_harness::check_member_cid(req.target.name(), cid)?;
    }
    Ok(plans)
}

/// Plans every line of a batch, in order: `{"id", "line", "plan"}` or an
/// error line.
pub fn batch<R: Read, W: Write>(
    input: R,
    out: &mut W,
    opts: &Options,
    rules: &Rules,
    bases: &Bases,
) -> std::io::Result<batch::Summary> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    batch::run_sync(
        &mut input,
        out,
        rules,
        opts.shard,
        |req: Request| match line_plans(&req, opts) {
            Ok(plans) => {
                let mut m = Members::with_capacity(512);
                m.field(
                    "plan",
                    &Plans {
                        plans: &plans,
                        bases,
                    },
                );
                Reply::with_members(m, Exit::Ok)
            }
            Err(e) => Reply::from_error(&e),
        },
        &mut Progress::batch_on_stderr(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plans_a_seed_operation() {
        let bases = Bases::new(None, Some("us-2")).unwrap();
        let op = falcon_harness::catalog::operation("QueryIncidents").unwrap();
        let j = plan_json(
            &Target::Op(op),
            &json!({"limit": 5}),
            &PlanOptions::default(),
            true,
            &bases,
        )
        .unwrap();
        assert_eq!(
            j["url"],
            "https://api.us-2.crowdstrike.com/incidents/queries/incidents/v1?limit=5"
        );
    }

    #[test]
    fn batch_plans_in_order_with_error_lines() {
        let bases = Bases::new(Some("http://127.0.0.1:9"), None).unwrap();
        let input = concat!(
            "{\"id\": \"a\", \"op\": \"QueryIncidents\", \"args\": {\"limit\": 1}}\n",
            "{\"id\": \"b\", \"op\": \"QueryIncidents\", \"args\": {\"limt\": 1}}\n",
            "{\"id\": \"c\", \"op\": \"GetIncidents\", \"args\": {\"ids\": [\"x\"]}}\n",
        );
        let mut out = Vec::new();
        let opts = Options {
            split: true,
            ..Options::default()
        };
        let s = batch(input.as_bytes(), &mut out, &opts, &Rules::default(), &bases).unwrap();
        assert_eq!((s.lines, s.failed, s.exit), (3, 1, Exit::Usage));
        let lines: Vec<Value> = out
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(
            lines[0]["plan"]["url"],
            "http://127.0.0.1:9/incidents/queries/incidents/v1?limit=1"
        );
        assert_eq!(lines[1]["id"], "b");
        assert_eq!(lines[1]["error"]["kind"], "argument");
        assert_eq!(lines[2]["plan"]["body"], json!({"ids": ["x"]}));
    }
}
