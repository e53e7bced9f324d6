//! Facts about an API's operations, generated from its normalised spec into each
//! client crate's hidden `spec_facts` module, for hand-written code (helpers, the
//! sandbox) that would otherwise copy them from the spec by hand.

/// One operation as its spec documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationFacts {
    /// The operation id as the client names it (`get_session`).
    pub id: &'static str,
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path template (`/sessions/{id}`).
    pub path: &'static str,
    /// Documented response statuses: exact (`"200"`) or ranges (`"4XX"`).
    pub statuses: &'static [&'static str],
    /// Members of the request body that the spec marks `nullable`, as dotted paths
    /// (`callbackUrls.success`; `[]` stands for any array index: `items[].name`).
    pub request_nullable: &'static [&'static str],
}

impl OperationFacts {
    /// Whether the spec documents `status` for this operation, exactly or by range.
    pub fn documents(&self, status: u16) -> bool {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        self.statuses.iter().any(|s| *s == exact || *s == range)
    }

    /// Whether `status` is a documented error status (4xx/5xx) of this operation.
    pub fn documents_error(&self, status: u16) -> bool {
        status >= 400 && self.documents(status)
    }
}
