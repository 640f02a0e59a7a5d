//! The pacing state machine, step by step.

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
    // The budget the server named, all at once, less the cushion.
    for _ in 0..117 {
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
                                    // One request, and the cushion of 2 the figure is never spent to.
    let Decision::Wait(w) = s.admit(t0) else {
        panic!()
    };
    assert!((w.as_secs_f64() - 0.3).abs() < 1e-6, "{w:?}");
    let t1 = t0 + Duration::from_millis(300);
    go(&mut s, t1);
    assert!(matches!(s.admit(t1), Decision::Wait(_)));
    // Never more than the limit accumulates.
    let later = t1 + Duration::from_secs(3600);
    for _ in 0..598 {
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
    // `a` and `b` were on their way with `c`; their figures say the
    // server counted them before it.
    s.observe(c, t0, seen(60, 7));
    assert_eq!(s.tokens, 7.0);
    assert!(s.flight.is_empty());
}

#[test]
fn replies_that_overtake_each_other_coming_back() {
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let p = go(&mut s, t0);
    s.observe(p, t0, seen(60, 10));
    let a = go(&mut s, t0);
    let b = go(&mut s, t0);
    // The server counts `b` (9 left), then `a` (8 left); `a`'s reply
    // comes back first.
    s.observe(a, t0, seen(60, 8));
    assert_eq!(s.tokens, 7.0);
    // `b`'s figure does not count `a`, which is no longer on its way:
    // it was when `b` was sent, so it counts against the figure.
    s.observe(b, t0, seen(60, 9));
    assert_eq!(s.tokens, 8.0);
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
    for _ in 0..997 {
        go(&mut s, t0);
    }
    assert!(matches!(s.admit(t0), Decision::Wait(_)));
}

/// Sends a request every 50 ms, each answered at once, to a server
/// allowing 3,600 a minute (3 per 50 ms), where other clients spend
/// `others` per 50 ms; `remaining` is the server's figure.
fn every_50_ms(s: &mut PaceState, now: &mut Instant, remaining: &mut u64, others: u64, n: usize) {
    for _ in 0..n {
        let t = go(s, *now);
        *remaining -= 1;
        s.observe(t, *now, seen(3600, *remaining));
        *now += Duration::from_millis(50);
        *remaining = (*remaining + 3).saturating_sub(others).min(3600);
    }
}

#[test]
fn measures_other_clients_spending() {
    // Another client sends one request for each of ours: 20 a second
    // each, of 60.
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let (mut now, mut remaining) = (t0, 1000);
    every_50_ms(&mut s, &mut now, &mut remaining, 1, 200);
    assert!((s.others - 20.0).abs() < 1.0, "{}", s.others);
    assert!((s.ours - 20.0).abs() < 1.0, "{}", s.ours);
    // It takes what the other leaves: 40 a second, two thirds of the
    // figure.
    let rate = s.rate(s.share());
    assert!((rate - 40.0).abs() < 1.0, "{rate}");
    let last = remaining as f64 - 3.0 + 1.0;
    assert!((s.tokens - last * 2.0 / 3.0).abs() < 1.0, "{}", s.tokens);
    // The cushion, and half a request for the other's one request for
    // each of ours on its way lately, fading.
    let reserve = s.reserve(now, s.share());
    assert!(reserve > 2.0 && reserve < 3.0, "{reserve}");
    assert!(s.reserve(now + Duration::from_secs(10), s.share()) - CUSHION < 1e-3);
}

#[test]
fn takes_the_whole_budget_once_the_others_stop() {
    // Other clients spend twice as much as this one, the whole budget
    // together (the figure stays low), then stop: within 20 replies (a second)
    // of figures that show it, this client's share is the whole budget
    // again.
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let (mut now, mut remaining) = (t0, 100);
    every_50_ms(&mut s, &mut now, &mut remaining, 2, 100);
    assert!(s.share() < 0.6, "{}", s.share());
    every_50_ms(&mut s, &mut now, &mut remaining, 0, 20);
    assert!(s.share() > 0.95, "{}", s.share());
    let rate = s.rate(s.share());
    assert!(rate > 57.0, "{rate}");
}

#[test]
fn a_single_client_measures_no_others() {
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let (mut now, mut remaining) = (t0, 1000);
    every_50_ms(&mut s, &mut now, &mut remaining, 0, 200);
    assert!(s.others < 0.5, "{}", s.others);
    assert_eq!(s.share(), 1.0);
    assert!(s.reserve(now, s.share()) - CUSHION < 1e-3);
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
    // Then the replenish rate (1 per second) from zero, above the cushion.
    assert!(matches!(s.admit(t2), Decision::Wait(_)));
    assert!(matches!(
        s.admit(t2 + Duration::from_millis(2_900)),
        Decision::Wait(_)
    ));
    go(&mut s, t2 + Duration::from_secs(3));
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

mod sim;

#[test]
fn takes_the_budget_an_unpaced_client_leaves_and_all_once_it_stops() {
    // 20 a second; another client sends 16 a second, not paced, for 5 s.
    let t0 = Instant::now();
    let mut s = sim::Sim::new(t0, 1200, vec![sim::Client::new(t0, 100_000)]);
    let stop = t0 + Duration::from_secs(5);
    s.other = Some(sim::Other::new(t0, stop, 16.0));
    s.run_until(t0 + Duration::from_secs(8));
    let at = |ms| t0 + Duration::from_millis(ms);
    let c = &s.clients[0];
    let other = s.other.as_ref().unwrap();
    assert_eq!(c.refused, 0);
    // Once this one has measured the other (its first burst takes the
    // whole budget), the other is left its part.
    let late = other.refused_at.iter().filter(|t| **t >= at(2_000));
    assert_eq!(late.count(), 0, "{:?}", other.refused_at);
    // While the other sends, this one takes what it leaves (4 a second) ...
    let shared = c.accepted_between(at(2_000), at(5_000));
    assert!((9..=15).contains(&shared), "{shared}");
    // ... and half a second after it stops, the whole budget.
    let alone = c.accepted_between(at(5_500), at(7_500));
    assert!(alone >= 38, "{alone}");
}

#[test]
fn pacers_share_a_budget_and_the_last_takes_it_all() {
    // Clients with 64 requests on their way each and the same number of
    // commands need 1,200 + 20 x 10 (or 20) requests against a budget of
    // 1,200 a minute: at least 10 s (20 s). Whichever got more of the full
    // budget at the start ends first; the others take its part then. No
    // 429 once a client has seen a reply, and the last command within 5 %
    // of the least time the budget allows (simulated time: no timing).
    for (clients, secs, latency) in [(2, 10, (1, 4)), (3, 10, (5, 20)), (8, 20, (1, 4))] {
        let t0 = Instant::now();
        let each = (1200 + 20 * secs) / clients;
        let clients: Vec<sim::Client> = (0..clients).map(|_| sim::Client::new(t0, each)).collect();
        let mut s = sim::Sim::new(t0, 1200, clients);
        s.latency = latency;
        s.run_until(t0 + Duration::from_secs(120));
        let done: Vec<f64> = s
            .clients
            .iter()
            .map(|c| (c.done_at().expect("done") - t0).as_secs_f64())
            .collect();
        let refused: usize = s.clients.iter().map(|c| c.refused).sum();
        assert_eq!(refused, 0, "{done:?}");
        let last = done.iter().copied().fold(0.0, f64::max);
        let least = ((each * s.clients.len()) as f64 - 1200.0) / 20.0;
        assert!(last < least * 1.05, "{last} s for {least} s: {done:?}");
    }
}
