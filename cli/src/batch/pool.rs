//! The lines in flight of an async batch, between the engine (which
//! reads lines and writes output, see [`in_order`](super::in_order)) and
//! up to `concurrency` long-lived workers, each of which takes a line's
//! raw bytes, parses it, calls the handler and leaves the output line in
//! the line's slot.
//!
//! One lock guards it all: the lines waiting for a worker, the workers
//! waiting for a line, and one slot per line in flight in input order.
//! A line costs a worker's wake-up (none when a worker is free and
//! looking) and the engine's only when it is the oldest line in flight,
//! the one the engine waits for; no task, channel or one-shot per line.

use super::{output_line, OutputLine, Reply};
use crate::exit::Exit;
use crate::lines::Line;
use futures_util::FutureExt;
use serde_json::Value;
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// What a line's work gives back: its output line and the warnings to
/// print beside it (printed by the engine, so in input order), or
/// nothing for a blank line or another shard's line.
pub type Done = Option<(OutputLine, Vec<String>)>;

/// The work done for one line by a worker.
pub trait Work: Send + Sync + 'static {
    /// Line `line` (1-based), as read; once parsed, its buffer goes to
    /// `spare` when [`lines::reusable`].
    fn run(
        &self,
        line: usize,
        read: Line,
        spare: &mut Option<Vec<u8>>,
    ) -> impl Future<Output = Done> + Send;
}

/// The shared part.
struct Shared<W> {
    work: W,
    state: Mutex<State>,
}

impl<W> Shared<W> {
    /// The state, locked (a panic elsewhere does not stop the batch: the
    /// state is consistent between any two of its steps).
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
struct State {
    /// Lines read and not yet taken by a worker.
    waiting: VecDeque<(usize, Line)>,
    /// The workers looking for a line (by number), with their wakers.
    idle: Vec<(usize, Waker)>,
    /// Per worker, whether it is in `idle` (a worker polled while in it
    /// is not put in twice).
    parked: Vec<bool>,
    /// One slot per line in flight, oldest first: `None` until done.
    slots: VecDeque<Option<Done>>,
    /// The line number of `slots[0]`.
    first: usize,
    /// Buffers of lines done with, for the engine to read lines into
    /// (fewer allocations, and none freed on another thread); small ones
    /// only, at most one per line in flight.
    spare: Vec<Vec<u8>>,
    /// The engine, when it waits for `slots[0]`.
    engine: Option<Waker>,
    /// No more lines: idle workers end.
    closed: bool,
}

/// The engine's handle on the lines in flight; dropping it ends the
/// workers once they finish the line they are on.
pub struct Pool<W: Work> {
    shared: Arc<Shared<W>>,
    concurrency: usize,
    /// Lines pushed and not yet given back by [`Pool::poll_done`] (as
    /// `slots.len()`, without the lock).
    in_flight: usize,
}

impl<W: Work> Pool<W> {
    /// A pool of up to `concurrency` workers (started as lines come).
    pub fn new(work: W, concurrency: usize) -> Pool<W> {
        let state = State {
            first: 1,
            ..State::default()
        };
        Pool {
            shared: Arc::new(Shared {
                work,
                state: Mutex::new(state),
            }),
            concurrency: concurrency.max(1),
            in_flight: 0,
        }
    }

    /// Whether another line may be read: fewer than `concurrency` lines
    /// are in flight (being worked on, or done and not yet taken).
    pub fn has_room(&self) -> bool {
        self.in_flight < self.concurrency
    }

    /// Whether no line is in flight.
    pub fn is_empty(&self) -> bool {
        self.in_flight == 0
    }

    /// Hands line `line` (the next in input order) to a worker; returns
    /// a buffer to read a later line into, if one is spare.
    pub fn push(&mut self, line: usize, read: Line) -> Option<Vec<u8>> {
        self.in_flight += 1;
        let mut s = self.shared.state();
        let spare = s.spare.pop();
        debug_assert_eq!(s.first + s.slots.len(), line);
        s.slots.push_back(None);
        s.waiting.push_back((line, read));
        if let Some((id, waker)) = s.idle.pop() {
            s.parked[id] = false;
            drop(s);
            waker.wake();
        } else if s.parked.len() < self.concurrency {
            let id = s.parked.len();
            s.parked.push(false);
            drop(s);
            tokio::spawn(worker(self.shared.clone(), id));
        }
        spare
    }

    /// Moves the lines done at the head, in input order, into `out`;
    /// when the oldest line is not done, the engine is woken once it is.
    pub fn poll_done(&mut self, cx: &mut Context<'_>, out: &mut Vec<Done>) {
        let mut s = self.shared.state();
        while let Some(Some(_)) = s.slots.front() {
            if let Some(Some(done)) = s.slots.pop_front() {
                out.push(done);
            }
            s.first += 1;
            self.in_flight -= 1;
        }
        if !s.slots.is_empty() && !s.engine.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            s.engine = Some(cx.waker().clone());
        }
    }
}

impl<W: Work> Drop for Pool<W> {
    fn drop(&mut self) {
        let idle = {
            let mut s = self.shared.state();
            s.closed = true;
            s.waiting.clear();
            std::mem::take(&mut s.idle)
        };
        idle.into_iter().for_each(|(_, waker)| waker.wake());
    }
}

/// Worker `id`: takes lines until the pool is closed.
async fn worker<W: Work>(shared: Arc<Shared<W>>, id: usize) {
    loop {
        let next = poll_fn(|cx| {
            let mut s = shared.state();
            if let Some(next) = s.waiting.pop_front() {
                return Poll::Ready(Some(next));
            }
            if s.closed {
                return Poll::Ready(None);
            }
            if !s.parked[id] {
                s.parked[id] = true;
                s.idle.push((id, cx.waker().clone()));
            }
            Poll::Pending
        })
        .await;
        let Some((line, read)) = next else { return };
        // A panic on one line (a bug) answers that line and no other.
        let mut spare = None;
        let done = AssertUnwindSafe(shared.work.run(line, read, &mut spare))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Some((stopped(line), Vec::new())));
        let engine = {
            let mut s = shared.state();
            let Some(at) = line.checked_sub(s.first) else {
                return;
            };
            match s.slots.get_mut(at) {
                Some(slot) => *slot = Some(done),
                None => return,
            }
            if let Some(buf) = spare {
                s.spare.push(buf);
            }
            if at == 0 {
                s.engine.take()
            } else {
                None
            }
        };
        if let Some(engine) = engine {
            engine.wake();
        }
    }
}

/// The output line of a line whose work ended without an answer (a bug).
fn stopped(line: usize) -> OutputLine {
    let reply = Reply::error("internal", "a batch worker stopped", Exit::Failure);
    output_line(line, Value::Null, None, reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Answers a line with nothing after yielding once.
    struct Nothing;

    impl Work for Nothing {
        async fn run(&self, _line: usize, read: Line, spare: &mut Option<Vec<u8>>) -> Done {
            *spare = crate::lines::reusable(read);
            tokio::task::yield_now().await;
            None
        }
    }

    #[tokio::test]
    async fn lines_come_back_in_order_and_the_workers_end_with_the_pool() {
        let mut pool = Pool::new(Nothing, 3);
        let shared = Arc::downgrade(&pool.shared);
        for line in 1..=3 {
            assert!(pool.has_room());
            pool.push(line, Line::Text(b"{}".to_vec()));
        }
        assert!(!pool.has_room());
        let mut done = Vec::new();
        for _ in 0..1000 {
            poll_fn(|cx| {
                pool.poll_done(cx, &mut done);
                Poll::Ready(())
            })
            .await;
            if done.len() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(done.len(), 3);
        assert!(pool.is_empty() && pool.has_room());
        assert_eq!(
            pool.shared.state().parked.len(),
            3,
            "one worker per line in flight"
        );
        drop(pool);
        for _ in 0..1000 {
            if shared.upgrade().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("the workers did not end");
    }
}
