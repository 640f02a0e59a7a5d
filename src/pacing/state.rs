//! The pure pacing state machine of one CID: given the time and what the
//! server said, how long a new request must wait.
//!
//! The model is the one the Falcon API enforces: a budget of
//! `X-RateLimit-Limit` requests per minute, replenished continuously, of
//! which `X-RateLimit-Remaining` is left after the request a reply answers.
//! The state keeps an estimate of this client's part of the budget left
//! now: it starts from the server's figure, less the requests the server
//! may not have counted yet (every one sent after the one that figure
//! answers, and every earlier one still unanswered: requests can overtake
//! each other on the way), and grows at the replenish rate.
//!
//! Other clients of the same CID (other processes or machines) show in how
//! the server's figure moves: it drops by more than this client's requests
//! explain, or rises when they stop. The state measures their rate and
//! this client's own (requests per second, averaged over about a quarter
//! of a second) and takes its share of the budget: of the figure, less a
//! small reserve that absorbs the error of the measurement, and of the
//! replenish rate. The share is what the others leave of the replenish
//! rate, or, when together they want more than the budget gives, this
//! client's part of the spending (leaning a little towards equal parts, so
//! two clients wanting all they can get end up with half each instead of
//! one starving the other). When the others stop, the figure shows it
//! within a few replies and the share goes back up to the whole budget.
//! A 429's `X-RateLimit-RetryAfter` blocks every request until then.
//!
//! Before the first reply nothing is known, so only one request (a probe)
//! is in flight; a reply without rate-limit headers turns pacing off for
//! the CID until one with them arrives.

use super::inflight::InFlight;
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

/// Other clients' spending is measured over windows of at least this
/// many requests (this client's, and the budget replenished meanwhile:
/// the figure's error is about one request at each end) ...
const MEASURE_EVENTS: f64 = 16.0;
/// ... or, when there are fewer, over at least this span.
const MEASURE_SPAN: Duration = Duration::from_secs(1);
/// The rates are averaged over about this span: quick to see other
/// clients start, and as quick to see them stop.
const RATE_SPAN: Duration = Duration::from_millis(250);
/// Part of the replenish rate added to this client's rate when its part
/// of the spending is reckoned: a client with a small part takes a little
/// more, one with a large part a little less, so the parts drift towards
/// equal instead of one client starving (and learning of the budget
/// others leave only a request every few seconds).
const LEVELLING: f64 = 0.1;
/// This client keeps at least this share of the budget.
const MIN_SHARE: f64 = 0.05;
/// Requests of the figure never spent (this client's share of them): the
/// figure's error, and a cushion for clients too slow to be told from
/// that error. Spent once, not per second.
const CUSHION: f64 = 2.0;
/// The most other clients' spending counts for in the reserve.
const MAX_RATIO: f64 = 8.0;
/// How fast the memory of many requests on their way fades.
const PEAK_HALF_LIFE: Duration = Duration::from_millis(250);

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
    flight: InFlight,
    anchor: Option<Anchor>,
    /// Other clients' requests per second (smoothed).
    others: f64,
    /// This client's requests per second over the same spans (smoothed).
    ours: f64,
    /// The most requests on their way lately, as of `peak_at`.
    peak: f64,
    peak_at: Instant,
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
            flight: InFlight::default(),
            anchor: None,
            others: 0.0,
            ours: 0.0,
            peak: 0.0,
            peak_at: now,
            blocked_until: None,
        }
    }

    /// This client's share of the budget: what other clients leave of
    /// the replenish rate, or when they want more than that, its part of
    /// the spending (see [`LEVELLING`]).
    fn share(&self) -> f64 {
        let per_s = self.limit / 60.0;
        if per_s <= 0.0 {
            return 1.0;
        }
        let lean = LEVELLING * per_s;
        let part = (self.ours + lean) / (self.ours + self.others + lean);
        let left = 1.0 - self.others / per_s;
        part.max(left).clamp(MIN_SHARE, 1.0)
    }

    /// The replenish rate available to this client with its `share`,
    /// per second.
    fn rate(&self, share: f64) -> f64 {
        self.limit / 60.0 * share
    }

    /// What is left out of the server's figure: the [`CUSHION`], and
    /// what other clients may have on their way.
    fn reserve(&self, now: Instant, share: f64) -> f64 {
        CUSHION + self.others_on_way(now, share)
    }

    /// What other clients may have on their way, with this client's
    /// `share`: about their requests per request of this one for each of
    /// this client's requests on its way lately. Another client can have
    /// sent requests a while ago that reach the server only now.
    fn others_on_way(&self, now: Instant, share: f64) -> f64 {
        let ratio = ((1.0 - share) / share).min(MAX_RATIO);
        // Alone on the budget: no peak to work out (a power of two).
        if ratio == 0.0 {
            return 0.0;
        }
        ratio * self.peak(now)
    }

    /// The most requests this client had on their way lately (halving
    /// every [`PEAK_HALF_LIFE`]).
    fn peak(&self, now: Instant) -> f64 {
        let dt = now.saturating_duration_since(self.peak_at).as_secs_f64();
        self.peak * 0.5f64.powf(dt / PEAK_HALF_LIFE.as_secs_f64())
    }

    /// Adds what `rate` (per second) replenished since the last time.
    fn refill(&mut self, now: Instant, rate: f64) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(self.limit);
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
                // The share, worked out once: nothing here changes it.
                let share = self.share();
                let rate = self.rate(share);
                self.refill(now, rate);
                let held = self.reserve(now, share) * share;
                if self.tokens - held < 1.0 {
                    let secs = (1.0 - self.tokens + held) / rate;
                    // At least a millisecond, at most a minute: the
                    // estimate is refreshed by every reply anyway. What
                    // others may have on their way fades: ask again as it
                    // does.
                    let most = if self.others_on_way(now, share) > 0.01 {
                        PEAK_HALF_LIFE.as_secs_f64()
                    } else {
                        60.0
                    };
                    let wait = Duration::from_secs_f64(secs.clamp(1e-3, most));
                    return Decision::Wait(wait);
                }
                self.tokens -= 1.0;
            }
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.flight.send(ticket);
        let on_way = self.flight.len() as f64;
        // The peak only fades: at or above its last height, no need to
        // work out how far (a power of two).
        if on_way >= self.peak || on_way >= self.peak(now) {
            (self.peak, self.peak_at) = (on_way, now);
        }
        Decision::Go(ticket)
    }

    /// Records the reply to request `ticket`.
    pub fn observe(&mut self, ticket: Ticket, now: Instant, seen: Observation) {
        if let Mode::Unknown { probe: Some(p) } = self.mode {
            if p == ticket {
                self.mode = Mode::Unknown { probe: None };
            }
        }
        if let Some(limit) = seen.limit.filter(|l| *l > 0) {
            self.limit = limit as f64;
        }
        let figure = seen
            .remaining
            .filter(|_| self.limit > 0.0 && !seen.refused)
            .map(|r| (r as f64).min(self.limit));
        let uncounted = self.flight.answer(ticket, figure, self.next_ticket);
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
        let Some(remaining) = figure else {
            if matches!(self.mode, Mode::Unknown { .. }) {
                self.mode = Mode::Unpaced;
            }
            return;
        };
        self.mode = Mode::Paced;
        self.measure_others(ticket, now, remaining);
        // This client's share of what is left: the figure split by the
        // ratio, less the requests the figure may not count (see
        // `inflight`). Its share of the reserve is held back when it
        // sends (the reserve fades).
        self.tokens = remaining * self.share() - uncounted as f64;
        self.at = now;
    }

    /// Updates the rates of other clients' requests and this one's from
    /// how the server's figure moved since the anchor.
    fn measure_others(&mut self, ticket: Ticket, now: Instant, remaining: f64) {
        let here = Anchor {
            ticket,
            at: now,
            remaining,
        };
        let Some(a) = self.anchor.filter(|a| a.ticket < ticket) else {
            if self.anchor.is_none() {
                self.anchor = Some(here);
            }
            return;
        };
        let ours = (ticket - a.ticket) as f64;
        let span = now.saturating_duration_since(a.at);
        let replenished = span.as_secs_f64() * self.limit / 60.0;
        if ours + replenished < MEASURE_EVENTS && span < MEASURE_SPAN {
            return;
        }
        self.anchor = Some(here);
        // Without others the figure would be this; the budget is capped,
        // so one that may have filled up hides spending: no measurement.
        let before = a.remaining + replenished;
        if before >= self.limit {
            return;
        }
        // Signed: a figure's error (requests counted out of order, the
        // figure rounded down) is made up by the next window's.
        let others = before - ours - remaining;
        let secs = span.as_secs_f64().max(1e-3);
        let (others, ours) = (others / secs, ours / secs);
        // Averaged over time, not over windows: a short window (many
        // requests at once) counts for little.
        let weight = 1.0 - (-secs / RATE_SPAN.as_secs_f64()).exp();
        self.others = (weight * others + (1.0 - weight) * self.others).max(0.0);
        self.ours = weight * ours + (1.0 - weight) * self.ours;
    }

    /// Records that request `ticket` got no reply (a transport failure).
    pub fn abandon(&mut self, ticket: Ticket) {
        self.flight.abandon(ticket);
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
mod tests;
