//! The sessions and tokens this API keeps, and how they age.

use super::*;

pub(super) struct Record {
    pub(super) session: types::Session,
    pub(super) expires_at: SystemTime,
    /// The embedded flow's `returnUrl` (not part of the session document).
    pub(super) return_url: Option<String>,
    /// Who may frame the session's page (CSP `frame-ancestors` sources).
    pub(super) frame_ancestors: Option<String>,
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
    /// Marks an open session whose lifetime is over as failed.
    pub(super) fn expire_if_due(&mut self, now: SystemTime) {
        if now >= self.expires_at && is_open(self.session.status.as_ref()) {
            self.session.status = Some(types::SessionStatus::Error);
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

#[derive(Default)]
pub(super) struct Store {
    pub(super) prune_gate: PruneGate,
    pub(super) sessions: HashMap<String, Record>,
    /// Access token → its expiry.
    pub(super) tokens: HashMap<String, SystemTime>,
}

impl Store {
    /// Drops expired tokens and sessions past their retention; marks expired sessions.
    pub(super) fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        self.sessions.retain(|_, record| {
            record
                .expires_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        for record in self.sessions.values_mut() {
            record.expire_if_due(now);
        }
    }
}
