//! A deterministic simulation of clients, each with its own
//! [`PaceState`], spending one budget at a server that enforces it the way
//! Falcon does (a budget per minute, replenished continuously, the figure
//! left on every reply, 429 when spent). Time is simulated in steps of a
//! millisecond; requests take a pseudo-random 1 to 4 ms each way (by
//! default), so requests and replies overtake each other.

use super::super::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const STEP: Duration = Duration::from_millis(1);

/// One client: a pacer and the commands it still has to send.
pub struct Client {
    pub state: PaceState,
    /// Commands not sent yet (a refused one is sent again).
    pub todo: usize,
    /// The most requests on their way at once.
    pub concurrency: usize,
    on_way: usize,
    next_try: Instant,
    /// When each of its requests was accepted by the server.
    pub accepted: Vec<Instant>,
    /// 429s after its first reply.
    pub refused: usize,
    replied: bool,
    /// It is not scheduled during these spans (from, to).
    pub paused: Vec<(Instant, Instant)>,
}

impl Client {
    pub fn new(t0: Instant, todo: usize) -> Client {
        Client {
            state: PaceState::new(t0),
            todo,
            concurrency: 64,
            on_way: 0,
            next_try: t0,
            accepted: Vec::new(),
            refused: 0,
            replied: false,
            paused: Vec::new(),
        }
    }

    /// Requests accepted in `[from, to)`.
    pub fn accepted_between(&self, from: Instant, to: Instant) -> usize {
        self.accepted
            .iter()
            .filter(|t| **t >= from && **t < to)
            .count()
    }

    /// When its last request was accepted.
    pub fn done_at(&self) -> Option<Instant> {
        (self.todo == 0 && self.on_way == 0)
            .then(|| self.accepted.last().copied())
            .flatten()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// A request reaches the server.
    Arrive { client: usize, ticket: Ticket },
    /// Its reply reaches the client: remaining, or refused.
    Reply {
        client: usize,
        ticket: Ticket,
        remaining: Option<u64>,
    },
}

/// The server's budget and the clients spending it.
pub struct Sim {
    now: Instant,
    limit: u64,
    budget: f64,
    budget_at: Instant,
    pub clients: Vec<Client>,
    events: BinaryHeap<Reverse<(Instant, u64, Event)>>,
    seq: u64,
    rng: u64,
    /// Each way takes from `latency.0` to `latency.1` ms.
    pub latency: (u64, u64),
    /// Another consumer, not paced: it spends `rate` requests a second
    /// from `from` to `to` (refused ones are lost).
    pub other: Option<Other>,
}

/// A consumer of the budget that sends at a fixed rate.
pub struct Other {
    pub from: Instant,
    pub to: Instant,
    pub rate: f64,
    sent: f64,
    /// Its requests the server accepted, and refused.
    pub accepted: usize,
    pub refused: usize,
    pub refused_at: Vec<Instant>,
}

impl Other {
    pub fn new(from: Instant, to: Instant, rate: f64) -> Other {
        Other {
            from,
            to,
            rate,
            sent: 0.0,
            accepted: 0,
            refused: 0,
            refused_at: Vec::new(),
        }
    }
}

impl Sim {
    /// A server allowing `limit` a minute, its budget full at `t0`.
    pub fn new(t0: Instant, limit: u64, clients: Vec<Client>) -> Sim {
        Sim {
            now: t0,
            limit,
            budget: limit as f64,
            budget_at: t0,
            clients,
            events: BinaryHeap::new(),
            seq: 0,
            rng: 0x2545_f491_4f6c_dd1d,
            latency: (1, 4),
            other: None,
        }
    }

    fn latency(&mut self) -> Duration {
        // xorshift: deterministic.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let (low, high) = self.latency;
        Duration::from_millis(low + self.rng % (high - low + 1))
    }

    fn schedule(&mut self, at: Instant, e: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, e)));
    }

    /// The server spends one request: the figure left, or refused.
    fn spend(&mut self) -> Option<u64> {
        let rate = self.limit as f64 / 60.0;
        let dt = self.now.duration_since(self.budget_at).as_secs_f64();
        self.budget = (self.budget + dt * rate).min(self.limit as f64);
        self.budget_at = self.now;
        if self.budget < 1.0 {
            return None;
        }
        self.budget -= 1.0;
        Some(self.budget.floor() as u64)
    }

    fn handle(&mut self, e: Event) {
        match e {
            Event::Arrive { client, ticket } => {
                let remaining = self.spend();
                if remaining.is_some() {
                    let now = self.now;
                    self.clients[client].accepted.push(now);
                }
                let at = self.now + self.latency();
                self.schedule(
                    at,
                    Event::Reply {
                        client,
                        ticket,
                        remaining,
                    },
                );
            }
            Event::Reply {
                client,
                ticket,
                remaining,
            } => {
                let limit = self.limit;
                let now = self.now;
                let c = &mut self.clients[client];
                c.on_way -= 1;
                let seen = match remaining {
                    Some(r) => Observation {
                        limit: Some(limit),
                        remaining: Some(r),
                        ..Observation::default()
                    },
                    None => {
                        if c.replied {
                            c.refused += 1;
                        }
                        c.todo += 1;
                        Observation {
                            limit: Some(limit),
                            remaining: Some(0),
                            refused: true,
                            retry_after: Some(Duration::from_secs(1)),
                        }
                    }
                };
                c.replied = true;
                c.state.observe(ticket, now, seen);
                // A reply wakes the client's waiters.
                c.next_try = now;
            }
        }
    }

    fn send(&mut self, client: usize) {
        let now = self.now;
        loop {
            let c = &mut self.clients[client];
            if c.todo == 0 || c.on_way >= c.concurrency || c.next_try > now {
                return;
            }
            if c.paused.iter().any(|(from, to)| now >= *from && now < *to) {
                return;
            }
            match c.state.admit(now) {
                Decision::Go(ticket) => {
                    c.todo -= 1;
                    c.on_way += 1;
                    let at = now + self.latency();
                    self.schedule(at, Event::Arrive { client, ticket });
                }
                Decision::Wait(d) => {
                    c.next_try = now + d.max(STEP);
                    return;
                }
                Decision::AwaitReply => {
                    c.next_try = now + Duration::from_millis(250);
                    return;
                }
            }
        }
    }

    fn other_spends(&mut self) {
        let Some(mut o) = self.other.take() else {
            return;
        };
        if self.now >= o.from && self.now < o.to {
            let due = (self.now - o.from).as_secs_f64() * o.rate;
            while o.sent + 1.0 <= due {
                o.sent += 1.0;
                match self.spend() {
                    Some(_) => o.accepted += 1,
                    None => {
                        o.refused += 1;
                        o.refused_at.push(self.now);
                    }
                }
            }
        }
        self.other = Some(o);
    }

    /// Runs until `until`, or until every client is done.
    pub fn run_until(&mut self, until: Instant) {
        while self.now < until {
            while let Some(Reverse((at, _, e))) = self.events.peek().copied() {
                if at > self.now {
                    break;
                }
                self.events.pop();
                self.handle(e);
            }
            for i in 0..self.clients.len() {
                self.send(i);
            }
            self.other_spends();
            if self.events.is_empty()
                && self.clients.iter().all(|c| c.todo == 0)
                && self.other.as_ref().is_none_or(|o| self.now >= o.to)
            {
                return;
            }
            self.now += STEP;
        }
    }
}
