//! Bounded storage of a vendor's sessions and tokens on the sandbox clock.
//!
//! A [`SessionStore`] keeps records by key, each with the time it is removed at, in a
//! hash map beside ordered indexes (by removal time, by wake-up time, by creation), so
//! that pruning, eviction and listing in creation order touch only the records they
//! concern, never the whole map. A [`VendorState`] holds a vendor's stores behind one
//! lock with its clock, and prunes them (at most once a second) as it is locked.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Deref, DerefMut, Index};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;
use crate::vendor::ControlError;

/// Records by key, each removed at its own time, at most `cap` of them.
#[derive(Debug)]
pub struct SessionStore<R> {
    records: HashMap<Arc<str>, Entry<R>>,
    /// (removal time, creation number): what goes first. The indexes hold creation
    /// numbers; `order` maps them to the key, shared with `records`.
    removals: BTreeSet<(SystemTime, u64)>,
    /// (wake-up time, wake-up number) → creation number: when a record is looked at
    /// again. A wake-up of a record removed before it is dropped when it comes.
    wakeups: BTreeMap<(SystemTime, u64), u64>,
    /// Creation number → key.
    order: BTreeMap<u64, Arc<str>>,
    cap: usize,
    next: u64,
}

#[derive(Debug)]
struct Entry<R> {
    record: R,
    seq: u64,
    remove_at: SystemTime,
}

impl<R> SessionStore<R> {
    /// An empty store holding at most `cap` records.
    pub fn new(cap: usize) -> Self {
        Self {
            records: HashMap::new(),
            removals: BTreeSet::new(),
            wakeups: BTreeMap::new(),
            order: BTreeMap::new(),
            cap,
            next: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether [`insert`](Self::insert) would refuse a new key.
    pub fn is_full(&self) -> bool {
        self.records.len() >= self.cap
    }

    pub fn get(&self, key: &str) -> Option<&R> {
        self.records.get(key).map(|entry| &entry.record)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut R> {
        self.records.get_mut(key).map(|entry| &mut entry.record)
    }

    /// The session a control call or the end user's page names: a 404 when there is
    /// none (it never existed, or was removed).
    pub fn for_control(&mut self, key: &str) -> Result<&mut R, ControlError> {
        self.get_mut(key)
            .ok_or_else(|| ControlError::not_found("no such session (or it was removed)"))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.records.contains_key(key)
    }

    /// Stores `record` under `key` until `remove_at`; a record already under `key` is
    /// replaced and keeps its place in the creation order. False, and nothing stored,
    /// when the store is full and `key` is new.
    pub fn insert(&mut self, key: String, record: R, remove_at: SystemTime) -> bool {
        if let Some(entry) = self.records.get_mut(key.as_str()) {
            entry.record = record;
            let old = std::mem::replace(&mut entry.remove_at, remove_at);
            self.removals.remove(&(old, entry.seq));
            self.removals.insert((remove_at, entry.seq));
            return true;
        }
        if self.is_full() {
            return false;
        }
        let seq = self.next;
        self.next += 1;
        let key: Arc<str> = key.into();
        self.removals.insert((remove_at, seq));
        self.order.insert(seq, key.clone());
        self.records.insert(
            key,
            Entry {
                record,
                seq,
                remove_at,
            },
        );
        true
    }

    /// [`insert`](Self::insert), making room when full by dropping the record that
    /// would be removed first.
    pub fn insert_evicting(&mut self, key: String, record: R, remove_at: SystemTime) {
        if self.is_full()
            && !self.records.contains_key(key.as_str())
            && let Some(first) = self
                .removals
                .first()
                .and_then(|(_, seq)| self.order.get(seq))
        {
            let first = first.clone();
            self.remove(&first);
        }
        self.insert(key, record, remove_at);
    }

    /// Moves the record's removal time (e.g. a token that stays valid while used).
    pub fn set_removal(&mut self, key: &str, remove_at: SystemTime) {
        if let Some(entry) = self.records.get_mut(key) {
            let old = std::mem::replace(&mut entry.remove_at, remove_at);
            self.removals.remove(&(old, entry.seq));
            self.removals.insert((remove_at, entry.seq));
        }
    }

    /// Has [`take_wakeups`](Self::take_wakeups) return `key` once `at` has come.
    pub fn wake_at(&mut self, key: &str, at: SystemTime) {
        if let Some(entry) = self.records.get(key) {
            self.wakeups.insert((at, self.next), entry.seq);
            self.next += 1;
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<R> {
        let entry = self.records.remove(key)?;
        self.removals.remove(&(entry.remove_at, entry.seq));
        self.order.remove(&entry.seq);
        Some(entry.record)
    }

    /// Removes the records whose removal time is `now` or earlier; them, first due first.
    pub fn remove_due(&mut self, now: SystemTime) -> Vec<(String, R)> {
        let mut removed = Vec::new();
        while let Some(&(at, seq)) = self.removals.first() {
            if at > now {
                break;
            }
            self.removals.remove(&(at, seq));
            if let Some(key) = self.order.get(&seq).cloned()
                && let Some(record) = self.remove(&key)
            {
                removed.push((key.to_string(), record));
            }
        }
        removed
    }

    /// The keys whose wake-up time is `now` or earlier, each wake-up once, first due
    /// first; wake-ups of records removed since are dropped.
    pub fn take_wakeups(&mut self, now: SystemTime) -> Vec<String> {
        let mut woken = Vec::new();
        while let Some(entry) = self.wakeups.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let seq = entry.remove();
            if let Some(key) = self.order.get(&seq) {
                woken.push(key.to_string());
            }
        }
        woken
    }

    /// The records created after the one numbered `after` (all when `None`), in
    /// creation order, with their numbers.
    pub fn in_creation_order(
        &self,
        after: Option<u64>,
    ) -> impl Iterator<Item = (u64, &str, &R)> + '_ {
        let from = after.map_or(0, |seq| seq.saturating_add(1));
        self.order.range(from..).filter_map(|(seq, key)| {
            self.records
                .get(key)
                .map(|entry| (*seq, &**key, &entry.record))
        })
    }
}

impl<R> Index<&str> for SessionStore<R> {
    type Output = R;

    fn index(&self, key: &str) -> &R {
        self.get(key).unwrap_or_else(|| panic!("no record `{key}`"))
    }
}

impl<R> Index<&String> for SessionStore<R> {
    type Output = R;

    fn index(&self, key: &String) -> &R {
        &self[key.as_str()]
    }
}

/// `time + by`, or `time` when that is past what `SystemTime` holds.
pub fn after(time: SystemTime, by: Duration) -> SystemTime {
    time.checked_add(by).unwrap_or(time)
}

/// Pruning runs at most once per second of sandbox time instead of on every call.
/// Expiry is seen up to a second late; a clock jump (`/_sandbox/clock/advance`) is
/// always seen at once, since it moves time by at least a second.
#[derive(Debug, Default)]
pub struct PruneGate {
    last: Option<SystemTime>,
}

impl PruneGate {
    pub const INTERVAL: Duration = Duration::from_secs(1);

    /// Whether to prune now; if so, the next time is a second later.
    pub fn due(&mut self, now: SystemTime) -> bool {
        let due = self.last.is_none_or(|last| {
            now.duration_since(last)
                .is_ok_and(|since| since >= Self::INTERVAL)
        });
        if due {
            self.last = Some(now);
        }
        due
    }
}

/// A vendor's stores: what expires, goes or wakes as of a time.
pub trait Prune {
    fn prune(&mut self, now: SystemTime);
}

impl<R> Prune for SessionStore<R> {
    fn prune(&mut self, now: SystemTime) {
        self.remove_due(now);
    }
}

/// A vendor's state behind one lock, on the sandbox clock, pruned as it is locked.
#[derive(Debug)]
pub struct VendorState<S> {
    clock: Arc<Clock>,
    inner: Mutex<Gated<S>>,
}

#[derive(Debug)]
struct Gated<S> {
    gate: PruneGate,
    state: S,
}

impl<S: Prune> VendorState<S> {
    pub fn new(clock: Arc<Clock>, state: S) -> Self {
        Self {
            clock,
            inner: Mutex::new(Gated {
                gate: PruneGate::default(),
                state,
            }),
        }
    }

    /// The sandbox time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Locks the state, pruned as of now. Never held across an `.await`.
    pub fn lock(&self) -> StateGuard<'_, S> {
        let now = self.now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.gate.due(now) {
            inner.state.prune(now);
        }
        StateGuard(inner)
    }
}

/// The locked state of a [`VendorState`].
pub struct StateGuard<'a, S>(MutexGuard<'a, Gated<S>>);

impl<S> Deref for StateGuard<'_, S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.0.state
    }
}

impl<S> DerefMut for StateGuard<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn records_go_at_their_time_and_only_those_are_touched() {
        let mut store = SessionStore::new(10);
        assert!(store.insert("late".into(), 2, at(20)));
        assert!(store.insert("early".into(), 1, at(10)));
        assert_eq!(store.remove_due(at(9)), vec![]);
        assert_eq!(store.remove_due(at(10)), vec![("early".to_string(), 1)]);
        assert_eq!(store["late"], 2);
        store.set_removal("late", at(30));
        assert!(store.remove_due(at(25)).is_empty());
        assert_eq!(store.remove_due(at(30)).len(), 1);
        assert!(store.is_empty());
    }

    #[test]
    fn a_full_store_refuses_or_evicts_what_goes_first() {
        let mut store = SessionStore::new(2);
        store.insert("a".into(), (), at(30));
        store.insert("b".into(), (), at(10));
        assert!(!store.insert("c".into(), (), at(20)), "full");
        assert!(
            store.insert("a".into(), (), at(40)),
            "a known key is replaced"
        );
        store.insert_evicting("c".into(), (), at(20));
        assert!(!store.contains_key("b"), "the first to go made room");
        assert!(store.contains_key("a") && store.contains_key("c"));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn wakeups_come_once_and_creation_order_pages() {
        let mut store = SessionStore::new(10);
        for key in ["x", "y", "z"] {
            store.insert(key.into(), key, at(100));
        }
        store.wake_at("y", at(5));
        store.wake_at("x", at(7));
        store.wake_at("z", at(50));
        assert_eq!(store.take_wakeups(at(7)), vec!["y", "x"]);
        assert!(store.take_wakeups(at(7)).is_empty(), "each wake-up once");
        store.remove("z");
        assert!(
            store.take_wakeups(at(60)).is_empty(),
            "a removed record sleeps"
        );
        let all: Vec<_> = store.in_creation_order(None).collect();
        assert_eq!(
            all.iter().map(|(_, key, _)| *key).collect::<Vec<_>>(),
            ["x", "y"]
        );
        let after: Vec<_> = store
            .in_creation_order(Some(all[0].0))
            .map(|(_, key, _)| key)
            .collect();
        assert_eq!(after, vec!["y"]);
    }
}
