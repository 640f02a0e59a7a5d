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
    for _ in 0..999 {
        go(&mut s, t0);
    }
    assert!(matches!(s.admit(t0), Decision::Wait(_)));
}

#[test]
fn measures_other_clients_spending() {
    // 60 per second; another client sends one request for each of
    // ours, so the figure drops by twice what ours explain.
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let mut remaining = 1000u64;
    let mut now = t0;
    for _ in 0..200 {
        let t = go(&mut s, now);
        s.observe(t, now, seen(3600, remaining));
        now += Duration::from_millis(50);
        // +3 replenished, -1 by the other client, -1 by ours
        remaining = remaining + 3 - 2;
    }
    assert!((s.ratio - 1.0).abs() < 0.05, "{}", s.ratio);
    assert!((s.rate() - 30.0).abs() < 1.0, "{}", s.rate());
    // Half of the last figure; a reserve of 2 + 2 x 1, and one for the
    // one request on its way lately, fading.
    let last = (remaining - 1) as f64;
    assert!((s.tokens - last / 2.0).abs() < 0.5, "{}", s.tokens);
    let reserve = s.reserve(now);
    assert!(reserve > 4.0 && reserve < 5.0, "{reserve}");
    assert!(s.reserve(now + Duration::from_secs(10)) - 4.0 < 1e-3);
}

#[test]
fn a_single_client_measures_no_others() {
    let t0 = Instant::now();
    let mut s = PaceState::new(t0);
    let mut remaining = 1000u64;
    let mut now = t0;
    for _ in 0..200 {
        let t = go(&mut s, now);
        s.observe(t, now, seen(3600, remaining));
        now += Duration::from_millis(50);
        // +3 replenished, -1 by ours
        remaining += 2;
    }
    assert!(s.ratio < NOISE, "{}", s.ratio);
    assert_eq!(s.reserve(now), 0.0);
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
