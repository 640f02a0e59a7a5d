//! Route matching: method and path back to the operation, with the
//! values of its path placeholders.

use super::decode::{err, DecodeError};
use crate::catalog;
use crate::operation::{Method, Operation};
use std::sync::OnceLock;

/// One segment of a route.
enum Seg {
    Lit(&'static str),
    Var(&'static str),
}

/// Every operation's route, split into segments.
fn routes() -> &'static [(&'static Operation, Vec<Seg>)] {
    static ROUTES: OnceLock<Vec<(&'static Operation, Vec<Seg>)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        catalog::operations()
            .map(|op| {
                let segs = op
                    .route()
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Seg::Var(name),
                            None => Seg::Lit(s),
                        },
                    )
                    .collect();
                (op, segs)
            })
            .collect()
    })
}

/// Path parameters by placeholder name, decoded.
pub type PathValues = Vec<(&'static str, String)>;

/// The operation serving `method` and `path` (percent-encoded), with its
/// path parameters decoded. Of several matching routes, the one with the
/// most literal segments wins (`/x/entities/queries` over `/x/{id}/queries`).
pub fn route(method: &str, path: &str) -> Result<(&'static Operation, PathValues), DecodeError> {
    let method = Method::parse(method).ok_or_else(|| err(format!("unknown method {method:?}")))?;
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static Operation, &[Seg])> = None;
    for (op, segs) in routes() {
        if op.method() != method || segs.len() != segments.len() {
            continue;
        }
        let mut literals = 0;
        let fits = segs.iter().zip(&segments).all(|(seg, got)| match seg {
            Seg::Lit(l) => {
                literals += 1;
                *l == *got
            }
            Seg::Var(_) => !got.is_empty(),
        });
        if fits && best.as_ref().map_or(true, |(n, _, _)| literals > *n) {
            best = Some((literals, op, segs));
        }
    }
    let Some((_, op, segs)) = best else {
        return Err(err(format!("no operation serves {method} {path}")));
    };
    let mut vars = Vec::new();
    for (seg, got) in segs.iter().zip(&segments) {
        if let Seg::Var(name) = seg {
            let text = percent_encoding::percent_decode_str(got)
                .decode_utf8()
                .map_err(|_| err(format!("path segment {got:?} is not UTF-8")))?;
            vars.push((*name, text.into_owned()));
        }
    }
    Ok((op, vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_routes_win_over_placeholders() {
        for op in catalog::operations() {
            let mut path = String::new();
            for (i, seg) in op.route().split('/').enumerate() {
                if i > 0 {
                    path.push('/');
                }
                path.push_str(if seg.starts_with('{') {
                    "zz%20value"
                } else {
                    seg
                });
            }
            let (found, vars) = route(op.method().as_str(), &path).unwrap();
            assert_eq!(found.id(), op.id());
            assert!(vars.iter().all(|(_, v)| v == "zz value"));
        }
        assert!(route("GET", "/no/such/route").is_err());
        assert!(route("BREW", "/incidents/queries/incidents/v1").is_err());
    }
}
