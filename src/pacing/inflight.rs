//! Which of this client's requests a reply's `X-RateLimit-Remaining` does
//! not count yet.
//!
//! Requests overtake each other on the way to the server and on the way
//! back, so a reply's figure may miss requests sent before it, and count
//! requests sent after it. Every request sent after the one a reply
//! answers is assumed uncounted, and so is every earlier one still on its
//! way. An earlier one that was on its way together with it and was
//! answered meanwhile was counted before it when its own figure was
//! higher; with a figure as low or lower the server counted it after (or
//! the budget grew in between): it is uncounted too. The estimate errs
//! low rather than high, and the next reply corrects it.

use super::state::Ticket;
use std::collections::VecDeque;

/// The mark of a request that is no longer on its way.
const LANDED: u64 = u64::MAX;

/// The figure of a reply that had none (or was refused): above every
/// figure (each is finite), so never "as low or lower".
const NO_FIGURE: f64 = f64::INFINITY;

/// This client's requests on their way, and the recent replies of those
/// that overlapped them.
///
/// Tickets are handed out in order and each is sent once, so the requests
/// on their way are a window of tickets from the oldest unanswered one:
/// one slot per ticket (`None` once answered), and the oldest's count of
/// replies before it is the smallest of all (a later request saw at least
/// as many). Every step is constant time but the two counts over the
/// requests overlapping a reply.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct InFlight {
    /// From ticket `first_sent` on: how many replies had arrived when it
    /// was sent, or [`LANDED`] once it is answered or abandoned. The front
    /// is never [`LANDED`].
    sent: VecDeque<u64>,
    first_sent: Ticket,
    /// How many slots of `sent` are `Some`.
    on_way: usize,
    /// Replies in arrival order from number `first_answer` on: the ticket
    /// and its figure ([`NO_FIGURE`]: no figure, or refused). Sixteen
    /// bytes a reply, and a count over them needs no branch.
    answers: VecDeque<(Ticket, f64)>,
    first_answer: u64,
}

impl InFlight {
    /// Records that `ticket` (the newest, one past the previous) is sent.
    pub fn send(&mut self, ticket: Ticket) {
        let answers_before = self.first_answer + self.answers.len() as u64;
        if self.sent.is_empty() {
            self.first_sent = ticket;
        } else if ticket != self.first_sent + self.sent.len() as u64 {
            // Not the next ticket: nothing hands those out.
            debug_assert!(false, "ticket {ticket} sent out of order");
            return;
        }
        self.sent.push_back(answers_before);
        self.on_way += 1;
    }

    /// The slot of `ticket`, if it is in the window.
    fn slot(&self, ticket: Ticket) -> Option<usize> {
        let i = usize::try_from(ticket.checked_sub(self.first_sent)?).ok()?;
        (i < self.sent.len()).then_some(i)
    }

    /// Takes `ticket` off the way; its count of replies before it, when it
    /// was on its way.
    fn land(&mut self, ticket: Ticket) -> Option<u64> {
        let slot = self.slot(ticket)?;
        let sent = std::mem::replace(&mut self.sent[slot], LANDED);
        if sent == LANDED {
            return None;
        }
        self.on_way -= 1;
        while self.sent.front() == Some(&LANDED) {
            self.sent.pop_front();
            self.first_sent += 1;
        }
        Some(sent)
    }

    /// Records the reply to `ticket` with its figure (`None`: no figure,
    /// or refused); returns how many of this client's requests other than
    /// `ticket` that figure may not count, given `next` is the next ticket
    /// to be handed out.
    pub fn answer(&mut self, ticket: Ticket, figure: Option<f64>, next: Ticket) -> u64 {
        let later = next.saturating_sub(ticket + 1);
        let earlier_on_way = match self.slot(ticket) {
            // A range of the deque is counted slice by slice (its
            // iterator folds over each of its two slices in turn), so the
            // count is a plain loop.
            Some(i) => self.sent.range(..i).filter(|&&x| x != LANDED).count() as u64,
            // Every one still on its way is earlier (or it was never sent).
            None if ticket >= self.first_sent => self.on_way as u64,
            None => 0,
        };
        let sent = self.land(ticket);
        let answered_meanwhile = match (sent, figure) {
            (Some(before), Some(fig)) => {
                // The replies since it was sent: at many in flight they
                // are many, and each is counted by a compare and an add.
                let since =
                    (before.saturating_sub(self.first_answer) as usize).min(self.answers.len());
                self.answers
                    .range(since..)
                    .map(|&(t, f)| usize::from((t < ticket) & (f <= fig)))
                    .sum::<usize>() as u64
            }
            _ => 0,
        };
        self.answers
            .push_back((ticket, figure.unwrap_or(NO_FIGURE)));
        self.prune();
        later + earlier_on_way + answered_meanwhile
    }

    /// Records that `ticket` got no reply.
    pub fn abandon(&mut self, ticket: Ticket) {
        self.land(ticket);
        self.answers.push_back((ticket, NO_FIGURE));
        self.prune();
    }

    /// How many are on their way.
    pub fn len(&self) -> usize {
        self.on_way
    }

    /// Whether nothing is on its way.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.on_way == 0
    }

    /// Forgets the replies no request on its way can have overlapped: the
    /// oldest on its way saw the fewest replies before it.
    fn prune(&mut self) {
        let keep_from = match self.sent.front() {
            Some(&before) => before,
            None => self.first_answer + self.answers.len() as u64,
        };
        while self.first_answer < keep_from && self.answers.pop_front().is_some() {
            self.first_answer += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as first written, over a map of the requests on their
    /// way (every step linear in their number): the reference.
    #[derive(Default)]
    struct Model {
        outstanding: std::collections::BTreeMap<Ticket, u64>,
        answers: Vec<(Ticket, Option<f64>)>,
    }

    impl Model {
        fn send(&mut self, ticket: Ticket) {
            self.outstanding.insert(ticket, self.answers.len() as u64);
        }
        fn answer(&mut self, ticket: Ticket, figure: Option<f64>, next: Ticket) -> u64 {
            let later = next.saturating_sub(ticket + 1);
            let earlier = self.outstanding.range(..ticket).count() as u64;
            let meanwhile = match (self.outstanding.remove(&ticket), figure) {
                (Some(before), Some(fig)) => self.answers[before as usize..]
                    .iter()
                    .filter(|(t, f)| *t < ticket && f.is_some_and(|f| f <= fig))
                    .count() as u64,
                _ => 0,
            };
            self.answers.push((ticket, figure));
            later + earlier + meanwhile
        }
        fn abandon(&mut self, ticket: Ticket) {
            self.outstanding.remove(&ticket);
            self.answers.push((ticket, None));
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(256))]

        /// Any order of sends, replies (to requests on their way, answered
        /// already, or never sent) and failures: the same counts as the
        /// reference, and only the requests on their way are kept.
        #[test]
        fn the_window_counts_as_the_reference(
            steps in proptest::collection::vec((0u8..4, 0u64..12, proptest::option::of(0u8..6)), 0..200)
        ) {
            let (mut f, mut m, mut next) = (InFlight::default(), Model::default(), 0u64);
            for (kind, pick, figure) in steps {
                let figure = figure.map(f64::from);
                // Mostly a request on its way; sometimes any ticket.
                let on_way: Vec<Ticket> = m.outstanding.keys().copied().collect();
                let ticket = if on_way.is_empty() || pick >= 10 {
                    next.saturating_sub(pick % 8)
                } else {
                    on_way[pick as usize % on_way.len()]
                };
                match kind {
                    0 | 1 => {
                        f.send(next);
                        m.send(next);
                        next += 1;
                    }
                    2 => proptest::prop_assert_eq!(
                        f.answer(ticket, figure, next),
                        m.answer(ticket, figure, next)
                    ),
                    _ => {
                        f.abandon(ticket);
                        m.abandon(ticket);
                    }
                }
                proptest::prop_assert_eq!(f.len(), m.outstanding.len());
                proptest::prop_assert!(f.sent.len() <= (next - f.first_sent) as usize);
                proptest::prop_assert!(f.sent.front() != Some(&LANDED));
            }
        }
    }

    #[test]
    fn later_and_unanswered_earlier_requests_are_uncounted() {
        let mut f = InFlight::default();
        for t in 0..3 {
            f.send(t);
        }
        // 1's reply: 2 is later, 0 still on its way.
        assert_eq!(f.answer(1, Some(8.0), 3), 2);
        // 0's reply: 1 and 2 are later.
        assert_eq!(f.answer(0, Some(9.0), 3), 2);
        // 2's reply: 1 (figure 8) and 0 (9) were counted before it (7).
        assert_eq!(f.answer(2, Some(7.0), 3), 0);
        assert!(f.is_empty());
        assert!(f.answers.is_empty(), "nothing left to overlap");
    }

    #[test]
    fn an_earlier_request_counted_after_is_uncounted() {
        let mut f = InFlight::default();
        f.send(0);
        f.send(1);
        // The server counts 1 (9 left), then 0 (8 left); 0's reply comes
        // back first.
        assert_eq!(f.answer(0, Some(8.0), 2), 1);
        assert_eq!(f.answer(1, Some(9.0), 2), 1);
    }

    #[test]
    fn requests_sent_after_a_reply_did_not_overlap_it() {
        let mut f = InFlight::default();
        f.send(0);
        assert_eq!(f.answer(0, Some(5.0), 1), 0);
        f.send(1);
        // 0 was answered before 1 was sent: counted whatever its figure.
        assert_eq!(f.answer(1, Some(5.0), 2), 0);
        f.send(2);
        f.abandon(2);
        assert!(f.is_empty());
    }
}
