//! Event ids seen lately, for at-least-once delivery.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

// tokio's clock: tests move it with paused time.
use tokio::time::Instant;

/// The ids of events seen within a TTL, so a webhook delivered twice (vendors retry
/// until they get a 2xx, and may deliver an event more than once) is handled once.
///
/// ```
/// # use idverify_runtime::webhooks::SeenEvents;
/// # use std::time::Duration;
/// let seen = SeenEvents::new(Duration::from_secs(24 * 3600));
/// assert!(seen.first_time("event-1"));
/// assert!(!seen.first_time("event-1"));
/// // Handling failed: let the vendor's retry through.
/// seen.forget("event-1");
/// assert!(seen.first_time("event-1"));
/// ```
///
/// In memory, for one process; bounded ([`SeenEvents::with_capacity`], oldest
/// forgotten first). Several instances behind a load balancer need a shared store.
#[derive(Debug)]
pub struct SeenEvents {
    ttl: Duration,
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// Id → the number of its entry in `order`.
    at: HashMap<String, u64>,
    /// (when first seen, entry number, id), oldest first; entries of forgotten ids
    /// stay until they reach the front.
    order: VecDeque<(Instant, u64, String)>,
    next: u64,
}

impl Seen {
    fn drop_oldest(&mut self) {
        if let Some((_, entry, id)) = self.order.pop_front()
            && self.at.get(&id) == Some(&entry)
        {
            self.at.remove(&id);
        }
    }
}

impl SeenEvents {
    /// The most ids kept unless told otherwise.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// Remembers each id for `ttl` (make it longer than the vendor's retries last).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            capacity: Self::DEFAULT_CAPACITY,
            seen: Mutex::default(),
        }
    }

    /// Keeps at most `capacity` ids (at least 1), forgetting the oldest first.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `id` is new within the TTL; it counts as seen from now on.
    pub fn first_time(&self, id: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen();
        while seen
            .order
            .front()
            .is_some_and(|(at, _, _)| now.duration_since(*at) >= self.ttl)
        {
            seen.drop_oldest();
        }
        if seen.at.contains_key(id) {
            return false;
        }
        // Entries of forgotten ids count too, so `order` stays bounded.
        while seen.at.len() >= self.capacity || seen.order.len() >= 2 * self.capacity {
            seen.drop_oldest();
        }
        let entry = seen.next;
        seen.next += 1;
        seen.at.insert(id.to_string(), entry);
        seen.order.push_back((now, entry, id.to_string()));
        true
    }

    /// Forgets `id`, so its next delivery counts as new (after handling it failed).
    pub fn forget(&self, id: &str) {
        self.seen().at.remove(id);
    }

    /// How many ids are remembered (some may be past the TTL until the next call).
    pub fn len(&self) -> usize {
        self.seen().at.len()
    }

    /// How many event ids are remembered now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ids_are_remembered_for_the_ttl() {
        let seen = SeenEvents::new(Duration::from_secs(60));
        assert!(seen.first_time("a"));
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(!seen.first_time("a"), "a retry within the TTL");
        assert!(seen.first_time("b"));
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(seen.first_time("a"), "past the TTL, counted from the first");
        assert!(!seen.first_time("b"));
        assert_eq!(seen.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_oldest_are_forgotten_at_capacity_and_forget_lets_a_retry_through() {
        let seen = SeenEvents::new(Duration::from_secs(60)).with_capacity(2);
        assert!(seen.first_time("a"));
        assert!(seen.first_time("b"));
        assert!(seen.first_time("c"));
        assert_eq!(seen.len(), 2);
        assert!(seen.first_time("a"), "dropped for `c`");
        seen.forget("a");
        assert!(seen.first_time("a"));
        assert!(!seen.first_time("a"));
    }
}
