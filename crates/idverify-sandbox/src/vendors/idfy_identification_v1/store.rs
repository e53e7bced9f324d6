//! The sessions this API keeps, and how they time out and go.

use super::*;

/// The sandbox's copy of one session.
pub(super) struct Record {
    /// The retrieve answer, without `MetaData` (added on request).
    pub(super) result: types::IdentificationResponse,
    pub(super) return_urls: Option<types::ReturnUrls>,
    pub(super) external_reference: Option<String>,
    pub(super) get_ssn: bool,
    pub(super) addons: Vec<String>,
    pub(super) language: Option<types::Language>,
    pub(super) i_frame: bool,
    pub(super) identity_provider: Option<types::IdentityProvider>,
    /// The test person a BankID on mobile session belongs to.
    pub(super) mobile_person: Option<&'static str>,
    pub(super) created_at: SystemTime,
    pub(super) expires_at: SystemTime,
}

pub(super) fn is_open(status: Option<&types::Status>) -> bool {
    matches!(
        status,
        Some(types::Status::Created | types::Status::Userinitiated)
    )
}

pub(super) fn status_name(status: Option<&types::Status>) -> String {
    status.map_or_else(|| "UNKNOWN".to_string(), |s| s.to_string())
}

pub(super) fn error_details(code: &str, message: &str) -> types::ErrorDetails {
    types::ErrorDetails {
        native_error_code: None,
        error_code: Some(code.to_string()),
        error_message: Some(message.to_string()),
    }
}

impl Record {
    pub(super) fn status(&self) -> Option<&types::Status> {
        self.result.status.as_ref()
    }

    /// Marks an open session whose lifetime is over as timed out; whether it did.
    pub(super) fn expire_if_due(&mut self, now: SystemTime) -> bool {
        if now >= self.expires_at && is_open(self.status()) {
            self.result.status = Some(types::Status::Timeout);
            self.result.error = Some(error_details(
                "TIMEOUT",
                "The end-user did not finish the identification in time.",
            ));
            return true;
        }
        false
    }

    pub(super) fn log_item(&self, id: &str) -> types::IdentificationLogItem {
        let success = self.status() == Some(&types::Status::Success);
        let environment = self.result.environment_info.as_ref();
        types::IdentificationLogItem {
            id: Some(id.to_string()),
            name: success.then(|| log_name(&self.result)).flatten(),
            status: self.result.status.clone(),
            client_ip: environment.and_then(|e| e.ip_address.clone()),
            user_agent: environment.and_then(|e| e.user_agent.clone()),
            identity_provider_type: self
                .result
                .identity_provider
                .clone()
                .or_else(|| self.identity_provider.clone()),
            language: self.language.clone(),
            externalid: self.external_reference.clone(),
            errorcode: self
                .result
                .error
                .as_ref()
                .and_then(|e| e.error_code.clone()),
            timestamp: Some(timestamp(self.created_at)),
            i_frame: Some(self.i_frame),
            social_security_number: Some(self.get_ssn),
            account_id: Some(ACCOUNT_ID.to_string()),
        }
    }
}

pub(super) struct Store {
    /// Removed [`RETENTION`] after they expire; woken at their expiry.
    pub(super) sessions: SessionStore<Record>,
    /// External reference → the sessions created with it (open or not).
    pub(super) references: HashMap<String, Vec<String>>,
    /// One entry per session, kept [`LOG_RETENTION`] after its creation; the oldest
    /// goes first when [`MAX_SESSIONS`] are kept.
    pub(super) logs: SessionStore<LogEntry>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            sessions: SessionStore::new(MAX_SESSIONS),
            references: HashMap::new(),
            logs: SessionStore::new(MAX_SESSIONS),
        }
    }
}

impl Prune for Store {
    /// Marks expired sessions, drops sessions past their retention, old log entries and
    /// expired tokens.
    fn prune(&mut self, now: SystemTime) {
        for id in self.sessions.take_wakeups(now) {
            if self
                .sessions
                .get_mut(&id)
                .is_some_and(|record| record.expire_if_due(now))
            {
                self.sync_log(&id);
            }
        }
        for (id, record) in self.sessions.remove_due(now) {
            if let Some(reference) = &record.external_reference
                && let Some(ids) = self.references.get_mut(reference)
            {
                ids.retain(|other| *other != id);
                if ids.is_empty() {
                    self.references.remove(reference);
                }
            }
        }
        self.logs.remove_due(now);
    }
}

impl Store {
    /// Writes the session's current state to its log entry (bounded: the oldest entry
    /// goes when [`MAX_SESSIONS`] exist).
    pub(super) fn sync_log(&mut self, id: &str) {
        let Some(record) = self.sessions.get(id) else {
            return;
        };
        let entry = LogEntry {
            item: record.log_item(id),
        };
        let gone = after(record.created_at, LOG_RETENTION);
        self.logs.insert_evicting(id.to_string(), entry, gone);
    }

    /// Keeps a new session (the caller checked there is room) and its log entry.
    pub(super) fn insert(&mut self, id: String, record: Record) {
        let (expires_at, gone) = (record.expires_at, after(record.expires_at, RETENTION));
        if let Some(reference) = &record.external_reference {
            self.references
                .entry(reference.clone())
                .or_default()
                .push(id.clone());
        }
        self.sessions.insert(id.clone(), record, gone);
        self.sessions.wake_at(&id, expires_at);
        self.sync_log(&id);
    }

    /// The open session (not BankID on mobile) created with `reference`, if any.
    pub(super) fn open_with_reference(&self, reference: &str) -> Option<String> {
        self.references.get(reference)?.iter().find_map(|id| {
            let record = self.sessions.get(id)?;
            (record.mobile_person.is_none() && is_open(record.status())).then(|| id.clone())
        })
    }
}
