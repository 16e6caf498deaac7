//! The per-user rate limit: at most `requests` updates per fixed window.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    /// The window's length in seconds (at least 1).
    pub window_seconds: u32,
}

impl Default for RateLimit {
    /// The plan's `RATE_LIMIT_REQUESTS=30`, `RATE_LIMIT_WINDOW=60`.
    fn default() -> RateLimit {
        RateLimit { requests: 30, window_seconds: 60 }
    }
}

/// One window of the limit: its name (the quota's key) and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub name: String,
    pub ends_at: DateTime<Utc>,
}

impl RateLimit {
    /// The window `now` falls in; windows are aligned on the Unix epoch.
    pub fn window(&self, now: DateTime<Utc>) -> Window {
        let length = i64::from(self.window_seconds.max(1));
        let index = now.timestamp().div_euclid(length);
        let ends_at = DateTime::from_timestamp((index + 1) * length, 0).unwrap_or(now);
        Window { name: format!("{length}s-{index}"), ends_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_in_one_window_share_its_name_and_end() {
        let limit = RateLimit { requests: 30, window_seconds: 60 };
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        assert_eq!(limit.window(at(120)), limit.window(at(179)));
        assert_ne!(limit.window(at(179)), limit.window(at(180)));
        assert_eq!(limit.window(at(150)).ends_at, at(180));
    }
}
