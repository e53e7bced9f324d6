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

#[derive(Default)]
pub(super) struct Store {
    pub(super) prune_gate: PruneGate,
    pub(super) idents: HashMap<String, Record>,
    /// Token id (`jti`) → when it was last used.
    pub(super) tokens: HashMap<String, SystemTime>,
    pub(super) next_customer: u64,
    pub(super) next_insert: u64,
}

impl Store {
    pub(super) fn prune(&mut self, now: SystemTime) {
        self.tokens.retain(|_, used| {
            used.checked_add(TOKEN_IDLE)
                .is_none_or(|idle_out| idle_out > now)
        });
        self.idents.retain(|_, record| {
            record
                .created_at
                .checked_add(IDENT_LIFETIME)
                .is_none_or(|gone| gone > now)
        });
    }
}
