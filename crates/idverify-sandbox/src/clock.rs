//! The sandbox's clock: real time plus an offset that tests move forward.
//!
//! Every expiry in the sandbox (tokens, sessions) is checked against [`Clock::now`], so
//! `POST /_sandbox/clock/advance` (or [`Clock::advance`]) makes them expire at once.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest single step the clock takes (100 years): keeps every sum far from overflow.
pub const MAX_ADVANCE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Sandbox time: real time plus an offset that only grows.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    pub fn new() -> Self {
        Self::default()
    }

    /// The current sandbox time.
    pub fn now(&self) -> SystemTime {
        let offset = self.offset();
        let real = SystemTime::now();
        real.checked_add(offset).unwrap_or(real)
    }

    /// How far the sandbox is ahead of real time.
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward by `by` (at most [`MAX_ADVANCE`] per call and in total);
    /// returns the new offset.
    pub fn advance(&self, by: Duration) -> Duration {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset = offset.saturating_add(by.min(MAX_ADVANCE)).min(MAX_ADVANCE);
        *offset
    }
}

/// Seconds since the Unix epoch (0 for times before it).
pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC) for `time`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = unix_seconds(time);
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_by_the_offset() {
        let clock = Clock::new();
        let before = clock.now();
        assert_eq!(
            clock.advance(Duration::from_secs(600)),
            Duration::from_secs(600)
        );
        let after = clock.now();
        let moved = after.duration_since(before).unwrap();
        assert!(moved >= Duration::from_secs(600), "{moved:?}");
        assert!(moved < Duration::from_secs(605), "{moved:?}");
        clock.advance(Duration::from_secs(60));
        assert_eq!(clock.offset(), Duration::from_secs(660));
    }

    #[test]
    fn huge_steps_are_capped_and_never_overflow() {
        let clock = Clock::new();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert_eq!(clock.offset(), MAX_ADVANCE);
        assert!(clock.now() > SystemTime::now());
    }

    #[test]
    fn formats_utc_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2024-02-29T13:45:30Z, a leap day.
        let t = UNIX_EPOCH + Duration::from_secs(1_709_214_330);
        assert_eq!(rfc3339(t), "2024-02-29T13:45:30Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
    }
}
