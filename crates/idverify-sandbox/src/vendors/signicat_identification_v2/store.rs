//! The sessions this API keeps, and how they age: timed out after 10 minutes, personal data
//! purged after an hour.

use super::*;

pub(super) struct Record {
    pub(super) session: types::Session,
    pub(super) created_at: SystemTime,
    pub(super) purged: bool,
}

pub(super) fn is_active(status: &types::SessionStatus) -> bool {
    matches!(
        status,
        types::SessionStatus::Created | types::SessionStatus::UserInitiated
    )
}

/// The session as kept after the 1-hour purge (and as listed): no personal data.
pub fn reduced(session: &types::Session) -> types::Session {
    types::Session {
        id: session.id.clone(),
        created: session.created.clone(),
        expires: session.expires.clone(),
        status: session.status.clone(),
        language: session.language.clone(),
        flow: session.flow.clone(),
        provider: session.provider.clone(),
        environment: session.environment.as_ref().map(|e| types::Environment {
            user_agent: e.user_agent.clone(),
            ip_address: None,
        }),
        external_reference: session.external_reference.clone(),
        error: session.error.clone(),
        allowed_providers: None,
        audit_trail: None,
        department_id: None,
        identity: None,
        iframe_settings: None,
        include: None,
        prefilled_input: None,
        redirect_settings: None,
        resources: None,
        security_reference: None,
        ui: None,
        url: None,
    }
}

impl Record {
    /// Times out an active session past its lifetime; purges personal data after the hour.
    pub(super) fn age(&mut self, now: SystemTime) {
        let at = |d: Duration| self.created_at.checked_add(d).unwrap_or(self.created_at);
        if now >= at(SESSION_LIFETIME) && is_active(&self.session.status) {
            self.session.status = types::SessionStatus::TimedOut;
        }
        if now >= at(PERSONAL_DATA_LIFETIME) && !self.purged {
            self.session = reduced(&self.session);
            self.purged = true;
        }
    }
}

pub(super) struct Store {
    /// Removed [`RETENTION`] after creation; woken when they time out and when their
    /// personal data is purged. In creation order for the list.
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
    /// Keeps a new session; false when [`MAX_SESSIONS`] are kept.
    pub(super) fn insert(&mut self, id: String, record: Record) -> bool {
        let created = record.created_at;
        if !self.sessions.insert(id.clone(), record, after(created, RETENTION)) {
            return false;
        }
        self.sessions.wake_at(&id, after(created, SESSION_LIFETIME));
        self.sessions.wake_at(&id, after(created, PERSONAL_DATA_LIFETIME));
        true
    }
}

impl Prune for Store {
    /// Drops expired tokens and sessions past their retention; ages the others.
    fn prune(&mut self, now: SystemTime) {
        self.sessions.remove_due(now);
        for id in self.sessions.take_wakeups(now) {
            if let Some(record) = self.sessions.get_mut(&id) {
                record.age(now);
            }
        }
    }
}
