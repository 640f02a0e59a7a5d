//! The pure pacing state machine of one CID: given the time and what the
//! server said, how long a new request must wait.
//!
//! The model is the one the Falcon API enforces: a budget of
//! `X-RateLimit-Limit` requests per minute, replenished continuously, of
//! which `X-RateLimit-Remaining` is left after the request a reply answers.
//! The state keeps an estimate of the budget left now: it starts from the
//! server's figure, less the requests the server may not have counted yet
//! (every one sent after the one that figure answers, and every earlier
//! one still unanswered: requests can overtake each other on the way), and
//! grows at the replenish rate
//! less what other clients of the same CID appear to spend (measured from
//! how the server's figure moves). A 429's `X-RateLimit-RetryAfter` blocks
//! every request until then.
//!
//! Before the first reply nothing is known, so only one request (a probe)
//! is in flight; a reply without rate-limit headers turns pacing off for
//! the CID until one with them arrives.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Identifies a sent request to the state (admission order).
pub type Ticket = u64;

/// What a new request must do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send it; report its reply (or its failure) with this ticket.
    Go(Ticket),
    /// Ask again after this long.
    Wait(Duration),
    /// Ask again when the outstanding probe is answered or abandoned.
    AwaitReply,
}

/// The rate-limit headers of one reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Observation {
    /// `X-RateLimit-Limit`: requests per minute.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: left after this request.
    pub remaining: Option<u64>,
    /// The reply was 429.
    pub refused: bool,
    /// How long a 429 asks to wait (from `X-RateLimit-RetryAfter`).
    pub retry_after: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// No reply yet; at most one probe in flight.
    Unknown { probe: Option<Ticket> },
    /// Replies carry no rate-limit headers: no pacing.
    Unpaced,
    /// Paced by the server's figures.
    Paced,
}

/// A server figure kept to measure other clients' spending.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Anchor {
    ticket: Ticket,
    at: Instant,
    remaining: f64,
}

/// The shortest span over which other clients' spending is measured.
const MEASURE_SPAN: Duration = Duration::from_millis(250);
/// Weight of a new measurement of other clients' spending.
const SMOOTHING: f64 = 0.5;
/// This CID's clients keep at least this share of the replenish rate.
const MIN_SHARE: f64 = 0.05;

/// The pacing state of one CID. Pure: every method takes the time.
#[derive(Debug, Clone, PartialEq)]
pub struct PaceState {
    mode: Mode,
    /// Requests per minute (from the last reply that said).
    limit: f64,
    /// Estimated budget left at `at`.
    tokens: f64,
    at: Instant,
    next_ticket: Ticket,
    /// Sent and not answered yet.
    outstanding: BTreeSet<Ticket>,
    anchor: Option<Anchor>,
    /// Other clients' spending, requests per second (smoothed).
    foreign: f64,
    blocked_until: Option<Instant>,
}

impl PaceState {
    /// A state that knows nothing yet.
    pub fn new(now: Instant) -> PaceState {
        PaceState {
            mode: Mode::Unknown { probe: None },
            limit: 0.0,
            tokens: 0.0,
            at: now,
            next_ticket: 0,
            outstanding: BTreeSet::new(),
            anchor: None,
            foreign: 0.0,
            blocked_until: None,
        }
    }

    /// The replenish rate available to this client, per second.
    fn rate(&self) -> f64 {
        let full = self.limit / 60.0;
        (full - self.foreign).max(full * MIN_SHARE)
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * self.rate()).min(self.limit);
        self.at = self.at.max(now);
    }

    /// Whether a request may go now; [`Decision::Go`] counts it as sent.
    pub fn admit(&mut self, now: Instant) -> Decision {
        if let Some(until) = self.blocked_until {
            if until > now {
                return Decision::Wait(until - now);
            }
            self.blocked_until = None;
        }
        match self.mode {
            Mode::Unknown { probe: Some(_) } => return Decision::AwaitReply,
            Mode::Unknown { probe: None } => {
                self.mode = Mode::Unknown {
                    probe: Some(self.next_ticket),
                };
            }
            Mode::Unpaced => {}
            Mode::Paced => {
                self.refill(now);
                if self.tokens < 1.0 {
                    let secs = (1.0 - self.tokens) / self.rate();
                    // At least a millisecond, at most a minute: the
                    // estimate is refreshed by every reply anyway.
                    let wait = Duration::from_secs_f64(secs.clamp(1e-3, 60.0));
                    return Decision::Wait(wait);
                }
                self.tokens -= 1.0;
            }
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.outstanding.insert(ticket);
        Decision::Go(ticket)
    }

    /// Records the reply to request `ticket`.
    pub fn observe(&mut self, ticket: Ticket, now: Instant, seen: Observation) {
        self.outstanding.remove(&ticket);
        if let Mode::Unknown { probe: Some(p) } = self.mode {
            if p == ticket {
                self.mode = Mode::Unknown { probe: None };
            }
        }
        if let Some(limit) = seen.limit.filter(|l| *l > 0) {
            self.limit = limit as f64;
        }
        if seen.refused {
            let wait = seen.retry_after.unwrap_or(Duration::from_secs(1));
            let until = now.checked_add(wait).unwrap_or(now);
            self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
            self.tokens = 0.0;
            self.at = until;
            self.anchor = None;
            if self.limit > 0.0 {
                self.mode = Mode::Paced;
            }
            return;
        }
        let Some(remaining) = seen.remaining.filter(|_| self.limit > 0.0) else {
            if matches!(self.mode, Mode::Unknown { .. }) {
                self.mode = Mode::Unpaced;
            }
            return;
        };
        self.mode = Mode::Paced;
        let remaining = (remaining as f64).min(self.limit);
        self.measure_foreign(ticket, now, remaining);
        // Requests the figure may not count: every later one, and the
        // earlier ones still on their way. (An early one counted already
        // is counted twice: the estimate errs low, and the next reply
        // corrects it.)
        let later = self.next_ticket.saturating_sub(ticket + 1);
        let earlier = self.outstanding.range(..ticket).count() as u64;
        // Others spending the same budget get their share of what is left.
        let share = self.rate() / (self.limit / 60.0);
        self.tokens = remaining * share - (later + earlier) as f64;
        self.at = now;
    }

    /// Updates the estimate of other clients' spending from how the
    /// server's figure moved since the anchor.
    fn measure_foreign(&mut self, ticket: Ticket, now: Instant, remaining: f64) {
        let Some(a) = self.anchor else {
            self.anchor = Some(Anchor {
                ticket,
                at: now,
                remaining,
            });
            return;
        };
        let span = now.saturating_duration_since(a.at);
        if span < MEASURE_SPAN {
            return;
        }
        let secs = span.as_secs_f64();
        let ours = ticket.saturating_sub(a.ticket) as f64;
        let full = self.limit / 60.0;
        // Without others the figure would be this (the budget is capped,
        // so a full budget hides spending: then no measurement).
        let expected = a.remaining + secs * full - ours;
        if expected < self.limit {
            let sample = ((expected - remaining) / secs).clamp(0.0, full);
            self.foreign = SMOOTHING * sample + (1.0 - SMOOTHING) * self.foreign;
        }
        self.anchor = Some(Anchor {
            ticket,
            at: now,
            remaining,
        });
    }

    /// Records that request `ticket` got no reply (a transport failure).
    pub fn abandon(&mut self, ticket: Ticket) {
        self.outstanding.remove(&ticket);
        if self.mode
            == (Mode::Unknown {
                probe: Some(ticket),
            })
        {
            self.mode = Mode::Unknown { probe: None };
        }
    }

    /// Requests per minute, once a reply said.
    pub fn limit(&self) -> Option<u64> {
        (self.limit > 0.0).then_some(self.limit as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(limit: u64, remaining: u64) -> Observation {
        Observation {
            limit: Some(limit),
            remaining: Some(remaining),
            ..Observation::default()
        }
    }

    fn go(s: &mut PaceState, now: Instant) -> Ticket {
        match s.admit(now) {
            Decision::Go(t) => t,
            other => panic!("expected to go, got {other:?}"),
        }
    }

    #[test]
    fn one_probe_until_the_first_reply() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let probe = go(&mut s, t0);
        assert_eq!(s.admit(t0), Decision::AwaitReply);
        s.abandon(probe);
        let probe = go(&mut s, t0);
        assert_eq!(s.admit(t0), Decision::AwaitReply);
        s.observe(probe, t0, seen(120, 119));
        // The budget the server named, all at once.
        for _ in 0..119 {
            go(&mut s, t0);
        }
        assert!(matches!(s.admit(t0), Decision::Wait(_)));
    }

    #[test]
    fn waits_for_the_replenish_rate() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let p = go(&mut s, t0);
        s.observe(p, t0, seen(600, 0)); // 10 per second
        let Decision::Wait(w) = s.admit(t0) else {
            panic!()
        };
        assert!((w.as_secs_f64() - 0.1).abs() < 1e-6, "{w:?}");
        let t1 = t0 + Duration::from_millis(100);
        go(&mut s, t1);
        assert!(matches!(s.admit(t1), Decision::Wait(_)));
        // Never more than the limit accumulates.
        let later = t1 + Duration::from_secs(3600);
        for _ in 0..600 {
            go(&mut s, later);
        }
        assert!(matches!(s.admit(later), Decision::Wait(_)));
    }

    #[test]
    fn uncounted_requests_count_against_the_figure() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let p = go(&mut s, t0);
        s.observe(p, t0, seen(60, 10));
        let a = go(&mut s, t0);
        let b = go(&mut s, t0);
        let c = go(&mut s, t0);
        // The reply to `b` says 8 left; `c` is later, `a` still on its way.
        s.observe(b, t0, seen(60, 8));
        assert_eq!(s.tokens, 6.0);
        // `a` arrived first after all: its reply says 9; `b` and `c` are
        // later (one counted twice: the estimate errs low).
        s.observe(a, t0, seen(60, 9));
        assert_eq!(s.tokens, 7.0);
        s.observe(c, t0, seen(60, 7));
        assert_eq!(s.tokens, 7.0);
        assert!(s.outstanding.is_empty());
    }

    #[test]
    fn trusts_the_server_when_others_spend_the_budget() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let p = go(&mut s, t0);
        s.observe(p, t0, seen(6000, 5000));
        // Someone else spent 4,000 meanwhile.
        let a = go(&mut s, t0);
        s.observe(a, t0, seen(6000, 999));
        for _ in 0..999 {
            go(&mut s, t0);
        }
        assert!(matches!(s.admit(t0), Decision::Wait(_)));
    }

    #[test]
    fn measures_other_clients_spending() {
        // 60 per second; another client spends 30 per second, so the
        // figure drops by 30 a second more than our own requests explain.
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let mut remaining = 1000u64;
        let mut now = t0;
        for step in 0..6 {
            let t = go(&mut s, now);
            s.observe(t, now, seen(3600, remaining));
            now += Duration::from_secs(1);
            // +60 replenished, -30 by the other client, -1 by ours
            remaining = remaining + 60 - 30 - 1;
            assert!(step < 6);
        }
        assert!((s.foreign - 30.0).abs() < 3.0, "{}", s.foreign);
        assert!((s.rate() - 30.0).abs() < 3.0);
    }

    #[test]
    fn a_429_blocks_until_retry_after() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let p = go(&mut s, t0);
        s.observe(p, t0, seen(60, 30));
        let a = go(&mut s, t0);
        s.observe(
            a,
            t0,
            Observation {
                limit: Some(60),
                remaining: Some(0),
                refused: true,
                retry_after: Some(Duration::from_secs(2)),
            },
        );
        assert_eq!(s.admit(t0), Decision::Wait(Duration::from_secs(2)));
        let t2 = t0 + Duration::from_secs(2);
        // Then the replenish rate (1 per second) from zero.
        assert!(matches!(s.admit(t2), Decision::Wait(_)));
        go(&mut s, t2 + Duration::from_secs(1));
    }

    #[test]
    fn replies_without_headers_turn_pacing_off() {
        let t0 = Instant::now();
        let mut s = PaceState::new(t0);
        let p = go(&mut s, t0);
        s.observe(p, t0, Observation::default());
        for _ in 0..10_000 {
            go(&mut s, t0);
        }
        assert_eq!(s.limit(), None);
    }
}
