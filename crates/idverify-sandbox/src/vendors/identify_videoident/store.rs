//! The idents and partner tokens this API keeps, and how long.

use super::*;

/// An ident's state; only `Successful` / `"5"` is documented, the rest are assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentState {
    Created,
    InProgress,
    Aborted,
    Failed,
    Successful,
}

impl IdentState {
    /// (`status_code`, `status`).
    pub fn code_and_text(self) -> (&'static str, &'static str) {
        match self {
            Self::Created => ("1", "Created"),
            Self::InProgress => ("2", "In progress"),
            Self::Aborted => ("3", "Aborted"),
            Self::Failed => ("4", "Failed"),
            Self::Successful => ("5", "Successful"),
        }
    }

    pub(super) fn is_open(self) -> bool {
        matches!(self, Self::Created | Self::InProgress)
    }
}

/// The sandbox's copy of one ident.
pub(super) struct Record {
    pub(super) request: types::CreateIdentRequest,
    pub(super) state: IdentState,
    /// The test person once successful.
    pub(super) person: Option<&'static Person>,
    pub(super) customer_id: String,
    pub(super) appointment: Option<String>,
    pub(super) created_at: SystemTime,
    pub(super) completed_at: Option<SystemTime>,
}

pub(super) struct Store {
    /// Removed [`IDENT_LIFETIME`] after creation.
    pub(super) idents: SessionStore<Record>,
    /// Customer id → ident id, for downloads.
    pub(super) by_customer: HashMap<String, String>,
    /// Token ids (`jti`), removed [`TOKEN_IDLE`] after their last use.
    pub(super) tokens: SessionStore<()>,
    pub(super) next_customer: u64,
    pub(super) next_insert: u64,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            idents: SessionStore::new(MAX_IDENTS),
            by_customer: HashMap::new(),
            tokens: SessionStore::new(MAX_IDENTS),
            next_customer: 29_000,
            next_insert: 1,
        }
    }
}

impl Store {
    /// Keeps a new ident (the caller checked there is room).
    pub(super) fn insert(&mut self, id: String, record: Record) {
        self.by_customer
            .insert(record.customer_id.clone(), id.clone());
        let gone = after(record.created_at, IDENT_LIFETIME);
        self.idents.insert(id, record, gone);
    }
}

impl Prune for Store {
    fn prune(&mut self, now: SystemTime) {
        self.tokens.remove_due(now);
        for (_, record) in self.idents.remove_due(now) {
            self.by_customer.remove(&record.customer_id);
        }
    }
}
