//! Recurrence: an RFC 5545 RRULE anchored in the user's time zone, so that
//! occurrences keep their wall-clock time across DST changes.

use std::{fmt, str::FromStr};

use chrono::{DateTime, NaiveDateTime, Utc, Weekday};
use rrule::RRuleSet;

use super::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// How a task repeats. `Display` gives the RRULE line (without `RRULE:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u32,
    pub weekdays: Vec<Weekday>,
    pub month_day: Option<u32>,
    /// With `weekdays`, which of them in the month: 1 the first, -1 the last.
    pub week_of_month: Option<i8>,
    /// No occurrence after this instant.
    pub until: Option<DateTime<Utc>>,
    pub count: Option<u32>,
}

impl Recurrence {
    pub fn new(frequency: Frequency) -> Recurrence {
        Recurrence {
            frequency,
            interval: 1,
            weekdays: Vec::new(),
            month_day: None,
            week_of_month: None,
            until: None,
            count: None,
        }
    }

    /// The occurrences strictly after `after`, for a series whose first
    /// occurrence is `start` (local wall-clock time in `tz`).
    pub fn occurrences_after(
        &self,
        start: NaiveDateTime,
        tz: TimeZone,
        after: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + use<> {
        occurrences(&self.to_string(), start, tz, after)
    }

    /// The stored form of this repetition, anchored on `start`.
    pub fn series(&self, start: NaiveDateTime, tz: TimeZone) -> Series {
        Series { rule: self.to_string(), start, tz }
    }

    /// The next occurrence strictly after `after`, if the series has one.
    pub fn next_after(
        &self,
        start: NaiveDateTime,
        tz: TimeZone,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.occurrences_after(start, tz, after).next()
    }
}

/// A repetition as stored with its task: the RRULE line, the first
/// occurrence's wall-clock time and the zone it is kept in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub rule: String,
    pub start: NaiveDateTime,
    pub tz: TimeZone,
}

impl Series {
    /// The next occurrence strictly after `after`; `None` once the series is over.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        occurrences(&self.rule, self.start, self.tz, after).next()
    }
}

fn occurrences(
    rule: &str,
    start: NaiveDateTime,
    tz: TimeZone,
    after: DateTime<Utc>,
) -> impl Iterator<Item = DateTime<Utc>> + use<> {
    let text = format!("DTSTART;TZID={}:{}\nRRULE:{rule}", tz.name(), start.format("%Y%m%dT%H%M%S"));
    let set = RRuleSet::from_str(&text).ok();
    set.into_iter()
        .flat_map(|set| set.into_iter())
        .map(|d| d.with_timezone(&Utc))
        .skip_while(move |d| *d <= after)
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let freq = match self.frequency {
            Frequency::Hourly => "HOURLY",
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        };
        write!(f, "FREQ={freq}")?;
        if self.interval > 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.weekdays.is_empty() {
            let nth = self.week_of_month.map(|n| n.to_string()).unwrap_or_default();
            let days: Vec<String> =
                self.weekdays.iter().map(|d| format!("{nth}{}", weekday_code(*d))).collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        if let Some(day) = self.month_day {
            write!(f, ";BYMONTHDAY={day}")?;
        }
        if let Some(until) = self.until {
            // RFC 5545: with a TZID start, UNTIL is given in UTC.
            write!(f, ";UNTIL={}", until.format("%Y%m%dT%H%M%SZ"))?;
        }
        if let Some(count) = self.count {
            write!(f, ";COUNT={count}")?;
        }
        Ok(())
    }
}
