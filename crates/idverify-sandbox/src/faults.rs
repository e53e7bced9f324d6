//! Injected faults: the next N vendor calls (of one API or of all) answer with an error
//! status, are delayed, or have their connection dropped.
//!
//! Faults are consumed in the order they were added; a call takes at most one fault.
//! Calls under `/_sandbox/` are never faulted.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Api;
use crate::vendor::ControlError;

/// Upper bounds that keep a fault from wedging the sandbox.
pub const MAX_COUNT: u32 = 100_000;
pub const MAX_LATENCY: Duration = Duration::from_secs(60);
pub const MAX_RETRY_AFTER: u64 = 3600;
/// At most this many faults wait at once.
pub const MAX_PENDING: usize = 1000;

/// What a faulted call does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `status` (an error status, 400–599) in the vendor's error shape, with
    /// `Retry-After: retry_after` when given.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Wait `millis` before handling the call normally.
    Latency { millis: u64 },
    /// Close the connection without an answer.
    Drop,
}

/// A fault as added through the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The API it applies to, or `None` for every API.
    #[serde(default)]
    pub api: Option<Api>,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many calls it still applies to.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// Checks the fault's values; the message names the member at fault.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(format!("`count`: must be between 1 and {MAX_COUNT}"));
        }
        match &self.kind {
            FaultKind::Status {
                status,
                retry_after,
            } => {
                if !(400..=599).contains(status) {
                    return Err("`status`: must be an error status (400-599)".into());
                }
                if retry_after.is_some_and(|s| s > MAX_RETRY_AFTER) {
                    return Err(format!("`retry_after`: must be at most {MAX_RETRY_AFTER}"));
                }
            }
            FaultKind::Latency { millis } => {
                if Duration::from_millis(*millis) > MAX_LATENCY {
                    return Err(format!(
                        "`millis`: must be at most {}",
                        MAX_LATENCY.as_millis()
                    ));
                }
            }
            FaultKind::Drop => {}
        }
        Ok(())
    }
}

/// The pending faults.
#[derive(Debug, Default)]
pub struct Faults {
    pending: Mutex<Vec<Fault>>,
}

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `fault`: 400 for a value out of range, 429 when [`MAX_PENDING`] wait.
    pub fn add(&self, fault: Fault) -> Result<(), ControlError> {
        fault.validate().map_err(ControlError::bad_request)?;
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= MAX_PENDING {
            return Err(ControlError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_faults",
                "too many pending faults; DELETE /_sandbox/faults first",
            ));
        }
        pending.push(fault);
        Ok(())
    }

    /// Takes one use of the first pending fault that applies to a call of `api`.
    pub fn take(&self, api: Api) -> Option<FaultKind> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let index = pending
            .iter()
            .position(|f| f.api.is_none_or(|a| a == api))?;
        let fault = &mut pending[index];
        let kind = fault.kind.clone();
        fault.count -= 1;
        if fault.count == 0 {
            pending.remove(index);
        }
        Some(kind)
    }

    /// The pending faults, with their remaining counts.
    pub fn list(&self) -> Vec<Fault> {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Removes every pending fault.
    pub fn clear(&self) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Api = Api::SignicatAuthentication;
    const B: Api = Api::IdnowPlatform;

    fn status(api: Option<Api>, status: u16, count: u32) -> Fault {
        Fault {
            api,
            kind: FaultKind::Status {
                status,
                retry_after: None,
            },
            count,
        }
    }

    #[test]
    fn a_fault_applies_to_exactly_the_next_n_calls_of_its_api() {
        let faults = Faults::new();
        assert!(faults.add(status(Some(A), 503, 2)).is_ok());
        assert_eq!(faults.take(B), None, "another API is not faulted");
        assert!(matches!(
            faults.take(A),
            Some(FaultKind::Status { status: 503, .. })
        ));
        assert!(matches!(
            faults.take(A),
            Some(FaultKind::Status { status: 503, .. })
        ));
        assert_eq!(faults.take(A), None, "used up");
        assert!(faults.list().is_empty());
    }

    #[test]
    fn faults_for_all_apis_and_order() {
        let faults = Faults::new();
        faults.add(status(None, 429, 1)).unwrap();
        faults
            .add(Fault {
                api: Some(B),
                kind: FaultKind::Drop,
                count: 1,
            })
            .unwrap();
        assert!(matches!(
            faults.take(B),
            Some(FaultKind::Status { status: 429, .. })
        ));
        assert_eq!(faults.take(B), Some(FaultKind::Drop));
        assert_eq!(faults.take(B), None);
        faults.add(status(None, 503, 5)).unwrap();
        faults.clear();
        assert_eq!(faults.take(A), None);
    }

    #[test]
    fn the_control_api_shapes_parse_and_bad_values_are_refused() {
        let parsed: Fault = serde_json::from_str(
            r#"{"api":"idnow-platform","kind":"status","status":429,"retry_after":2,"count":3}"#,
        )
        .unwrap();
        assert_eq!(
            parsed.kind,
            FaultKind::Status {
                status: 429,
                retry_after: Some(2)
            }
        );
        assert_eq!(parsed.count, 3);
        assert_eq!(parsed.api, Some(B));
        assert!(parsed.validate().is_ok());
        let misspelled =
            serde_json::from_str::<Fault>(r#"{"api":"idnow","kind":"drop"}"#).unwrap_err();
        assert!(
            misspelled.to_string().contains("no API named `idnow`"),
            "{misspelled}"
        );

        let latency: Fault =
            serde_json::from_str(r#"{"api":null,"kind":"latency","millis":50}"#).unwrap();
        assert_eq!(latency.count, 1, "count defaults to one call");
        assert!(latency.validate().is_ok());
        let drop: Fault = serde_json::from_str(r#"{"kind":"drop","count":2}"#).unwrap();
        assert_eq!(drop.kind, FaultKind::Drop);

        assert!(status(None, 200, 1).validate().is_err());
        let refused = Faults::new().add(status(None, 503, 0)).unwrap_err();
        assert!(refused.message.contains("`count`"), "{}", refused.message);
        assert!(status(None, 503, 0).validate().is_err());
        let slow = Fault {
            api: None,
            kind: FaultKind::Latency { millis: 3_600_000 },
            count: 1,
        };
        assert!(slow.validate().is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
    }

    #[test]
    fn pending_faults_are_bounded() {
        let faults = Faults::new();
        for _ in 0..MAX_PENDING {
            assert!(faults.add(status(None, 503, 1)).is_ok());
        }
        let full = faults.add(status(None, 503, 1)).unwrap_err();
        assert_eq!(full.status, axum::http::StatusCode::TOO_MANY_REQUESTS);
    }
}
