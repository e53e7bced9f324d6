//! The sessions and tokens this API keeps, and how they time out and go.

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
    /// The order of creation (log order).
    pub(super) seq: u64,
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

#[derive(Default)]
pub(super) struct Store {
    pub(super) prune_gate: PruneGate,
    pub(super) sessions: HashMap<String, Record>,
    pub(super) logs: HashMap<String, LogEntry>,
    /// Access token → its expiry.
    pub(super) tokens: HashMap<String, SystemTime>,
    pub(super) next_seq: u64,
}

impl Store {
    /// Marks expired sessions, drops sessions past their retention, old log entries and
    /// expired tokens.
    pub(super) fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, expiry| *expiry > now);
        let expired: Vec<String> = self
            .sessions
            .iter_mut()
            .filter_map(|(id, record)| record.expire_if_due(now).then(|| id.clone()))
            .collect();
        for id in expired {
            self.sync_log(&id);
        }
        self.sessions.retain(|_, record| {
            record
                .expires_at
                .checked_add(RETENTION)
                .is_none_or(|gone| gone > now)
        });
        self.logs.retain(|_, entry| {
            entry
                .created_at
                .checked_add(LOG_RETENTION)
                .is_none_or(|gone| gone > now)
        });
    }

    /// Writes the session's current state to its log entry (bounded: the oldest entry
    /// goes when [`MAX_SESSIONS`] exist).
    pub(super) fn sync_log(&mut self, id: &str) {
        let Some(record) = self.sessions.get(id) else {
            return;
        };
        let entry = LogEntry {
            item: record.log_item(id),
            created_at: record.created_at,
            seq: record.seq,
        };
        if !self.logs.contains_key(id)
            && self.logs.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .logs
                .iter()
                .min_by_key(|(_, e)| e.seq)
                .map(|(k, _)| k.clone())
        {
            self.logs.remove(&oldest);
        }
        self.logs.insert(id.to_string(), entry);
    }

    pub(super) fn insert(&mut self, id: String, mut record: Record) {
        record.seq = self.next_seq;
        self.next_seq += 1;
        self.sessions.insert(id.clone(), record);
        self.sync_log(&id);
    }
}
