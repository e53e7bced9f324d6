//! The sessions, tokens, vault files and presigned URLs this API keeps, and how they expire.

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

#[derive(Default)]
pub(super) struct Store {
    pub(super) prune_gate: PruneGate,
    pub(super) sessions: HashMap<String, Record>,
    /// Access token → (expiry, the client's environment).
    pub(super) tokens: HashMap<String, (SystemTime, types::Environment)>,
    /// Vault entry id → (session id, environment).
    pub(super) files: HashMap<String, (String, types::Environment)>,
    /// Presigned URL signature → (vault entry id, expiry).
    pub(super) presigned: HashMap<String, (String, SystemTime)>,
}

impl Store {
    /// Drops expired tokens, sessions past their retention and their files; ages the others.
    /// Returns the sessions that have just expired.
    pub(super) fn prune(&mut self, now: SystemTime) -> Vec<String> {
        self.tokens.retain(|_, (expiry, _)| *expiry > now);
        self.sessions.retain(|_, record| {
            record
                .created_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        let sessions = &self.sessions;
        self.files
            .retain(|_, (session, _)| sessions.contains_key(session));
        let files = &self.files;
        // An expired or forgotten presigned URL answers 403 all the same.
        self.presigned
            .retain(|_, (vault, expiry)| files.contains_key(vault) && *expiry > now);
        let mut expired = Vec::new();
        for (id, record) in &mut self.sessions {
            if record.age(now) {
                expired.push(id.clone());
            }
        }
        expired
    }
}
