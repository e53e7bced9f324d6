//! The sessions, vault files and presigned URLs this API keeps, and how they expire.

use super::*;

pub(super) struct Record {
    pub(super) session: types::Session,
    pub(super) created_at: SystemTime,
    pub(super) expires_at: SystemTime,
    pub(super) documents: bool,
    pub(super) input: Vec<types::Datablock>,
    pub(super) output: Vec<types::Datablock>,
    /// Webhook events emitted for the session so far (`eventSequence`).
    pub(super) events: u32,
}

pub(super) fn is_open(status: &types::SessionStatus) -> bool {
    matches!(
        status,
        types::SessionStatus::Created | types::SessionStatus::Running
    )
}

impl Record {
    /// Marks an open session past its expiry `EXPIRED`; true if it did.
    pub(super) fn age(&mut self, now: SystemTime) -> bool {
        if now >= self.expires_at && is_open(&self.session.session_status) {
            let at = rfc3339(self.expires_at);
            self.session.session_status = types::SessionStatus::Expired;
            self.session.completed_at = Some(at.clone());
            self.session.updated_at = Some(at);
            return true;
        }
        false
    }
}

pub(super) struct Store {
    /// Removed [`RETENTION`] after creation; woken at their expiry.
    pub(super) sessions: SessionStore<Record>,
    /// Sessions that expired at the last prune, whose event is still to go out.
    pub(super) just_expired: Vec<String>,
    /// What a token grants: its client's environment.
    /// Vault entry id → (session id, environment), removed with the session.
    pub(super) files: SessionStore<(String, types::Environment)>,
    /// Presigned URL signature → (vault entry id, expiry), removed at the expiry.
    pub(super) presigned: SessionStore<(String, SystemTime)>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            sessions: SessionStore::new(MAX_SESSIONS),
            just_expired: Vec::new(),
            files: SessionStore::new(MAX_SESSIONS),
            presigned: SessionStore::new(MAX_SESSIONS),
        }
    }
}

impl Store {
    /// Keeps a new session (the caller checked there is room).
    pub(super) fn insert(&mut self, id: String, record: Record) {
        let expires_at = record.expires_at;
        let gone = after(record.created_at, RETENTION);
        self.sessions.insert(id.clone(), record, gone);
        self.sessions.wake_at(&id, expires_at);
    }
}

impl Prune for Store {
    /// Drops expired tokens, presigned URLs, sessions past their retention and their
    /// files; ages the others, noting which have just expired.
    fn prune(&mut self, now: SystemTime) {
        self.presigned.remove_due(now);
        self.sessions.remove_due(now);
        self.files.remove_due(now);
        for id in self.sessions.take_wakeups(now) {
            if self
                .sessions
                .get_mut(&id)
                .is_some_and(|record| record.age(now))
            {
                self.just_expired.push(id);
            }
        }
    }
}
