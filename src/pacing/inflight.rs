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
use std::collections::{BTreeMap, VecDeque};

/// A request on its way.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sent {
    /// How many replies had arrived when it was sent.
    answers_before: u64,
}

/// This client's requests on their way, and the recent replies of those
/// that overlapped them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct InFlight {
    outstanding: BTreeMap<Ticket, Sent>,
    /// Replies in arrival order from number `first_answer` on: the ticket
    /// and its figure (`None`: no figure, or refused).
    answers: VecDeque<(Ticket, Option<f64>)>,
    first_answer: u64,
}

impl InFlight {
    /// Records that `ticket` (the newest) is sent.
    pub fn send(&mut self, ticket: Ticket) {
        let answers_before = self.first_answer + self.answers.len() as u64;
        self.outstanding.insert(ticket, Sent { answers_before });
    }

    /// Records the reply to `ticket` with its figure (`None`: no figure,
    /// or refused); returns how many of this client's requests other than
    /// `ticket` that figure may not count, given `next` is the next ticket
    /// to be handed out.
    pub fn answer(&mut self, ticket: Ticket, figure: Option<f64>, next: Ticket) -> u64 {
        let later = next.saturating_sub(ticket + 1);
        let earlier_on_way = self.outstanding.range(..ticket).count() as u64;
        let sent = self.outstanding.remove(&ticket);
        let answered_meanwhile = match (sent, figure) {
            (Some(s), Some(fig)) => {
                let skip = s.answers_before.saturating_sub(self.first_answer) as usize;
                self.answers
                    .iter()
                    .skip(skip)
                    .filter(|(t, f)| *t < ticket && f.is_some_and(|f| f <= fig))
                    .count() as u64
            }
            _ => 0,
        };
        self.answers.push_back((ticket, figure));
        self.prune();
        later + earlier_on_way + answered_meanwhile
    }

    /// Records that `ticket` got no reply.
    pub fn abandon(&mut self, ticket: Ticket) {
        self.outstanding.remove(&ticket);
        self.answers.push_back((ticket, None));
        self.prune();
    }

    /// How many are on their way.
    pub fn len(&self) -> usize {
        self.outstanding.len()
    }

    /// Whether nothing is on its way.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.outstanding.is_empty()
    }

    /// Forgets the replies no request on its way can have overlapped.
    fn prune(&mut self) {
        let keep_from = self
            .outstanding
            .values()
            .map(|s| s.answers_before)
            .min()
            .unwrap_or(self.first_answer + self.answers.len() as u64);
        while self.first_answer < keep_from && self.answers.pop_front().is_some() {
            self.first_answer += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
