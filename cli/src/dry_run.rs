//! `--dry-run`: plan requests and print them as JSON. Pure: no runtime,
//! no network, no credentials.

use super::batch::{self, Reply, Request};
use super::exit::{Exit, Failure};
use super::input::Rules;
use super::progress::Progress;
use super::target;
use falcon_harness::operation::{Host, Operation};
use falcon_harness::plan::PlanOptions;
use falcon_harness::router;
use serde_json::{Map, Value};
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

/// The plan of one call as JSON (`RequestPlan::to_json`).
pub fn plan_json(
    op: &'static Operation,
    args: &Value,
    opts: &PlanOptions,
    bases: &Bases,
) -> Result<Value, falcon_harness::Error> {
    let plan = router::plan(op, args, opts)?;
    Ok(plan.to_json(bases.of(plan.host)))
}

/// Plans every line of a batch, in order: `{"id", "line", "plan"}` or an
/// error line.
pub fn batch<R: Read, W: Write>(
    input: R,
    out: &mut W,
    opts: &PlanOptions,
    rules: &Rules,
    bases: &Bases,
) -> std::io::Result<batch::Summary> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    batch::run_sync(
        &mut input,
        out,
        rules,
        |req: Request| match plan_json(req.op, &req.args, opts, bases) {
            Ok(plan) => {
                let mut m = Map::with_capacity(1);
                m.insert("plan".into(), plan);
                Reply::new(m, Exit::Ok)
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
        let j = plan_json(op, &json!({"limit": 5}), &PlanOptions::default(), &bases).unwrap();
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
        let s = batch(
            input.as_bytes(),
            &mut out,
            &PlanOptions::default(),
            &Rules::default(),
            &bases,
        )
        .unwrap();
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
