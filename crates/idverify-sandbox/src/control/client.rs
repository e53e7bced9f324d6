//! The control API as typed calls on a running sandbox: what a test does to drive its
//! sessions without writing JSON for `/_sandbox/...`.

use std::time::{Duration, SystemTime};

use crate::journal::JournalEntry;
use crate::persons::Person;
use crate::vendor::{Completion, ControlError, Outcome};
use crate::webhooks::Delivery;
use crate::{Api, App, Faults};

/// The control client of a sandbox ([`crate::SandboxHandle::control`]).
#[derive(Clone, Copy)]
pub struct Control<'a> {
    app: &'a App,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("base_url", &self.app.shared.base_url)
            .finish()
    }
}

impl<'a> Control<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Self { app }
    }

    /// Finishes an open session of `api` as `person`, as
    /// `POST /_sandbox/sessions/{api}/{id}/complete` does: 404 for a session that does
    /// not exist (or expired and was removed), 409 for one that is no longer open.
    pub fn complete(
        &self,
        api: Api,
        session_id: &str,
        person: &Person,
        outcome: Outcome,
    ) -> Result<Completion, ControlError> {
        crate::control::complete(
            self.app.vendor(api)?.as_ref(),
            session_id,
            person.id,
            outcome,
        )
    }

    /// Moves the sandbox clock forward by `by`; the new sandbox time.
    pub fn advance(&self, by: Duration) -> SystemTime {
        self.app.shared.clock.advance(by);
        self.app.shared.clock.now()
    }

    /// The sandbox time.
    pub fn now(&self) -> SystemTime {
        self.app.shared.clock.now()
    }

    /// The pending faults: [`Faults::add`] queues one (refusing values out of range).
    pub fn faults(&self) -> &'a Faults {
        &self.app.shared.faults
    }

    /// The webhook deliveries of `api` (every API when `None`), of one session when
    /// `session_id` is given, with their attempts.
    pub fn deliveries(&self, api: Option<Api>, session_id: Option<&str>) -> Vec<Delivery> {
        self.app
            .shared
            .webhooks
            .deliveries(api.map(Api::name), session_id)
    }

    /// The requests `api` received, oldest first (see [`crate::journal`]).
    pub fn journal(&self, api: Api) -> Vec<JournalEntry> {
        self.app.shared.journal.entries(api)
    }
}
