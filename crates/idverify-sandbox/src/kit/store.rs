//! Bounded, pruned storage of a vendor's sessions and tokens.

/// Pruning walks a vendor's whole store, so it runs at most once per second of sandbox
/// time instead of on every call: with thousands of sessions held, a call would
/// otherwise cost milliseconds. Expiry is seen up to a second late; a clock jump
/// (`/_sandbox/clock/advance`) is always seen at once, since it moves time by at least a
/// second.
#[derive(Debug, Default)]
pub struct PruneGate {
    last: Option<std::time::SystemTime>,
}

impl PruneGate {
    pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

    /// Whether to prune now; if so, the next time is a second later.
    pub fn due(&mut self, now: std::time::SystemTime) -> bool {
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

/// Inserts into a map bounded to `cap` entries: when full, the entry that expires
/// first is dropped.
pub fn insert_bounded<V>(
    map: &mut std::collections::HashMap<String, V>,
    cap: usize,
    key: String,
    value: V,
    expiry: fn(&V) -> std::time::SystemTime,
) {
    if map.len() >= cap
        && let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expiry(v))
            .map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
    map.insert(key, value);
}
