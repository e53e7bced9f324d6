//! The sessions this API keeps, and how they age.

use super::*;

pub(super) struct Record {
    pub(super) session: types::Session,
    pub(super) expires_at: SystemTime,
    /// The embedded flow's `returnUrl` (not part of the session document).
    pub(super) return_url: Option<String>,
    /// Who may frame the session's page (CSP `frame-ancestors` sources).
    pub(super) frame_ancestors: Option<String>,
    /// The `encryptionPublicKey` (a public JWK) the session's result is encrypted to.
    pub(super) encryption_key: Option<serde_json::Map<String, serde_json::Value>>,
}

pub(super) fn is_open(status: Option<&types::SessionStatus>) -> bool {
    matches!(
        status,
        Some(types::SessionStatus::Created | types::SessionStatus::WaitingForUser)
    )
}

pub(super) fn status_name(status: Option<&types::SessionStatus>) -> String {
    status.map_or_else(|| "UNKNOWN".to_string(), |s| s.to_string())
}

impl Record {
    /// Marks an open session whose lifetime is over as `EXPIRED`, with the error the
    /// vendor gives.
    pub(super) fn expire_if_due(&mut self, now: SystemTime) {
        if now >= self.expires_at && is_open(self.session.status.as_ref()) {
            self.session.status = Some(types::SessionStatus::Expired);
            self.session.status_detail = Some("The session expired.".into());
            self.session.error = Some(types::SessionError {
                code: Some("session_expired".into()),
                title: Some("Session expired".into()),
                detail: Some(
                    "The end-user did not finish before the session lifetime ended.".into(),
                ),
            });
        }
    }
}

pub(super) struct Store {
    /// Removed [`RETENTION`] after they expire; woken at their expiry.
    pub(super) sessions: SessionStore<Record>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            sessions: SessionStore::new(MAX_SESSIONS),
        }
    }
}

impl Store {
    /// Keeps a new session: until [`RETENTION`] after its expiry, which marks it.
    pub(super) fn insert(&mut self, id: String, record: Record) -> bool {
        let (expires_at, gone) = (record.expires_at, after(record.expires_at, RETENTION));
        let kept = self.sessions.insert(id.clone(), record, gone);
        self.sessions.wake_at(&id, expires_at);
        kept
    }
}

impl Prune for Store {
    /// Drops expired tokens and sessions past their retention; marks expired sessions.
    fn prune(&mut self, now: SystemTime) {
        self.sessions.remove_due(now);
        for id in self.sessions.take_wakeups(now) {
            if let Some(record) = self.sessions.get_mut(&id) {
                record.expire_if_due(now);
            }
        }
    }
}
