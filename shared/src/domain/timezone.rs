//! A user's time zone: an IANA name checked once, at the edge.

use std::{fmt, str::FromStr};

use chrono_tz::Tz;

/// A valid IANA time zone such as `Europe/Paris`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an IANA time zone name")]
pub struct InvalidTimeZone;

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// Parses an IANA name, forgiving case and spaces typed instead of `_`
    /// (`europe/paris`, `America/New York`).
    pub fn parse(input: &str) -> Result<TimeZone, InvalidTimeZone> {
        let name = input.trim().replace(' ', "_");
        if name.is_empty() || name.len() > 64 {
            return Err(InvalidTimeZone);
        }
        Tz::from_str(&name)
            .or_else(|_| Tz::from_str_insensitive(&name))
            .map(TimeZone)
            .map_err(|_| InvalidTimeZone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn tz(self) -> Tz {
        self.0
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_parse_forgivingly() {
        assert_eq!(TimeZone::parse("Europe/Paris").map(TimeZone::name), Ok("Europe/Paris"));
        assert_eq!(TimeZone::parse(" europe/paris ").map(TimeZone::name), Ok("Europe/Paris"));
        assert_eq!(TimeZone::parse("America/New York").map(TimeZone::name), Ok("America/New_York"));
        assert_eq!(TimeZone::parse("UTC"), Ok(TimeZone::UTC));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "Paris", "Mars/Olympus_Mons", "Europe/Paris; DROP", &"x".repeat(500)] {
            assert_eq!(TimeZone::parse(bad), Err(InvalidTimeZone), "{bad}");
        }
    }
}
