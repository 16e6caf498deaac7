//! Schedule triggers: typed as tasks are (`every weekday at 8`, `tous les
//! lundis à 9h`), `every 15 minutes`, or cron (`cron 0 8 * * 1-5`), kept as
//! an RRULE series in the user's zone (DST-correct wall-clock times), with
//! the next occurrence it fires at.

use chrono::{DateTime, Duration, Timelike as _, Utc};

use crate::domain::{
    TimeZone,
    recurrence::Series,
    when::{WhenError, parse_due},
};

/// A schedule as stored: the series and the next time it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub series: Series,
    pub next: DateTime<Utc>,
}

impl Schedule {
    /// The occurrence after `after` (the next one to fire once `next` fired).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.series.next_after(after)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the schedule could not be read")]
    Unreadable,
    #[error("a schedule repeats: say how often (every day at 8, every 15 minutes…)")]
    NotRepeating,
    #[error("it would run more often than every {0} minutes")]
    TooOften(u32),
    #[error("it never occurs")]
    NeverOccurs,
    #[error("cron: {0}")]
    BadCron(String),
}

/// Reads `text` at `now` in `tz`; occurrences closer than `floor_minutes` are refused.
pub fn parse_schedule(
    text: &str,
    now: DateTime<Utc>,
    tz: TimeZone,
    floor_minutes: u32,
) -> Result<Schedule, ScheduleError> {
    let text = text.trim();
    let local_now = now.with_timezone(&tz.tz()).naive_local();
    let next_minute = (local_now + Duration::minutes(1)).with_second(0).and_then(|t| t.with_nanosecond(0));
    let next_minute = next_minute.unwrap_or(local_now);
    let series = if let Some(minutes) = every_minutes(text) {
        Series { rule: format!("FREQ=MINUTELY;INTERVAL={minutes}"), start: next_minute, tz }
    } else if let Some(cron) = text.strip_prefix("cron ").or_else(|| looks_like_cron(text).then_some(text)) {
        Series { rule: cron_rule(cron)?, start: next_minute - Duration::minutes(1), tz }
    } else {
        let due = parse_due(text, now, tz).map_err(|e| match e {
            WhenError::NeverOccurs => ScheduleError::NeverOccurs,
            _ => ScheduleError::Unreadable,
        })?;
        let recurrence = due.recurrence.ok_or(ScheduleError::NotRepeating)?;
        recurrence.series(due.local, tz)
    };
    let mut upcoming = occurrences_from(&series, now);
    let next = upcoming.first().copied().ok_or(ScheduleError::NeverOccurs)?;
    upcoming.retain(|at| *at >= next);
    let too_close =
        upcoming.windows(2).any(|pair| pair[1] - pair[0] < Duration::minutes(i64::from(floor_minutes)));
    if too_close {
        return Err(ScheduleError::TooOften(floor_minutes));
    }
    Ok(Schedule { series, next })
}

/// The first few occurrences from `now` on (the first may be `now` itself).
fn occurrences_from(series: &Series, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut found = Vec::new();
    let mut after = now - Duration::seconds(1);
    while found.len() < 24 {
        match series.next_after(after) {
            Some(at) => {
                found.push(at);
                after = at;
            }
            None => break,
        }
    }
    found
}

/// `every 15 minutes`, `every 5 min`, `toutes les 10 minutes`, `every minute`.
fn every_minutes(text: &str) -> Option<u32> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let rest = match words.as_slice() {
        ["every", rest @ ..] => rest,
        ["toutes", "les", rest @ ..] | ["chaque", rest @ ..] => rest,
        _ => return None,
    };
    match rest {
        ["minute"] => Some(1),
        [n, "minutes" | "min" | "mins" | "minute"] => n.parse().ok().filter(|n| (1..=1440).contains(n)),
        [n] => n
            .strip_suffix("min")
            .or_else(|| n.strip_suffix('m'))?
            .parse()
            .ok()
            .filter(|n| (1..=1440).contains(n)),
        _ => None,
    }
}

fn looks_like_cron(text: &str) -> bool {
    let fields: Vec<&str> = text.split_whitespace().collect();
    fields.len() == 5 && fields.iter().all(|f| f.chars().all(|c| c.is_ascii_digit() || "*/,-".contains(c)))
}

/// A cron line (minute hour day-of-month month day-of-week) as an RRULE.
fn cron_rule(cron: &str) -> Result<String, ScheduleError> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields.as_slice() else {
        return Err(ScheduleError::BadCron("five fields: minute hour day-of-month month day-of-week".into()));
    };
    let minutes = cron_field(minute, 0, 59, "minute")?;
    let hours = cron_field(hour, 0, 23, "hour")?;
    let days = cron_field(day, 1, 31, "day of month")?;
    let months = cron_field(month, 1, 12, "month")?;
    let weekdays = cron_field(weekday, 0, 7, "day of week")?;
    if days.is_some() && weekdays.is_some() {
        return Err(ScheduleError::BadCron("give a day of the month or a day of the week, not both".into()));
    }
    let list = |values: &[u32]| values.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let all = |from: u32, to: u32| (from..=to).collect::<Vec<_>>();
    let mut rule = format!(
        "FREQ=DAILY;BYHOUR={};BYMINUTE={};BYSECOND=0",
        list(&hours.unwrap_or_else(|| all(0, 23))),
        list(&minutes.unwrap_or_else(|| all(0, 59)))
    );
    if let Some(days) = days {
        rule.push_str(&format!(";BYMONTHDAY={}", list(&days)));
    }
    if let Some(months) = months {
        rule.push_str(&format!(";BYMONTH={}", list(&months)));
    }
    if let Some(weekdays) = weekdays {
        const CODES: [&str; 7] = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
        let mut codes: Vec<&str> = weekdays.iter().map(|d| CODES[(*d % 7) as usize]).collect();
        codes.dedup();
        rule.push_str(&format!(";BYDAY={}", codes.join(",")));
    }
    Ok(rule)
}

/// One field's values; `None` for `*` (any).
fn cron_field(field: &str, min: u32, max: u32, name: &str) -> Result<Option<Vec<u32>>, ScheduleError> {
    let bad = || ScheduleError::BadCron(format!("the {name} field {field:?} is not valid ({min}-{max})"));
    if field == "*" {
        return Ok(None);
    }
    let mut values = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(bad)?),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (min, max),
            _ => match range.split_once('-') {
                Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
                None => {
                    let v: u32 = range.parse().map_err(|_| bad())?;
                    (v, if part.contains('/') { max } else { v })
                }
            },
        };
        if from < min || to > max || from > to {
            return Err(bad());
        }
        values.extend((from..=to).step_by(step as usize));
    }
    values.sort_unstable();
    values.dedup();
    Ok(Some(values))
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike as _, NaiveDateTime, TimeZone as _, Weekday};

    use super::*;

    /// The wall-clock time of `at` in the schedule's zone.
    fn local(schedule: &Schedule, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&schedule.series.tz.tz()).naive_local()
    }

    fn paris() -> TimeZone {
        TimeZone::parse("Europe/Paris").unwrap()
    }

    #[test]
    fn typed_schedules_keep_their_wall_clock_time_across_a_dst_change() {
        // Friday 2026-10-23 12:00 UTC; Paris leaves summer time on Sunday 25 October.
        let now = Utc.with_ymd_and_hms(2026, 10, 23, 12, 0, 0).unwrap();
        let s = parse_schedule("every day at 8", now, paris(), 5).unwrap();
        assert_eq!(local(&s, s.next).to_string(), "2026-10-24 08:00:00");
        let after = s.next_after(s.next).unwrap();
        let after = s.next_after(after).unwrap();
        assert_eq!(local(&s, after).to_string(), "2026-10-26 08:00:00", "08:00 after the change too");
        assert_eq!(after, Utc.with_ymd_and_hms(2026, 10, 26, 7, 0, 0).unwrap(), "UTC+1 by then");
        let weekdays = parse_schedule("every weekday at 8", now, paris(), 5).unwrap();
        assert_eq!(local(&weekdays, weekdays.next).weekday(), Weekday::Mon);
        let fr = parse_schedule("tous les lundis à 9h", now, paris(), 5).unwrap();
        assert_eq!(local(&fr, fr.next).to_string(), "2026-10-26 09:00:00");
    }

    #[test]
    fn minute_intervals_have_a_floor() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 30).unwrap();
        let s = parse_schedule("every 15 minutes", now, TimeZone::UTC, 5).unwrap();
        assert_eq!(s.next, Utc.with_ymd_and_hms(2026, 12, 4, 10, 1, 0).unwrap());
        assert_eq!(s.next_after(s.next), Some(Utc.with_ymd_and_hms(2026, 12, 4, 10, 16, 0).unwrap()));
        assert_eq!(parse_schedule("every 2 minutes", now, TimeZone::UTC, 5), Err(ScheduleError::TooOften(5)));
        assert!(parse_schedule("toutes les 5 minutes", now, TimeZone::UTC, 5).is_ok());
        assert!(parse_schedule("every minute", now, TimeZone::UTC, 1).is_ok());
    }

    #[test]
    fn cron_lines_become_series() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap(); // a Friday
        let s = parse_schedule("cron 30 8 * * 1-5", now, paris(), 5).unwrap();
        assert_eq!(local(&s, s.next).to_string(), "2026-12-07 08:30:00", "Monday: the weekend is skipped");
        let s = parse_schedule("*/30 9-17 * * *", now, TimeZone::UTC, 5).unwrap();
        assert_eq!(s.next, Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap());
        assert_eq!(s.next_after(s.next), Some(Utc.with_ymd_and_hms(2026, 12, 4, 10, 30, 0).unwrap()));
        assert!(matches!(
            parse_schedule("cron 61 * * * *", now, TimeZone::UTC, 5),
            Err(ScheduleError::BadCron(_))
        ));
        assert_eq!(parse_schedule("cron * * * * *", now, TimeZone::UTC, 5), Err(ScheduleError::TooOften(5)));
        assert_eq!(parse_schedule("tomorrow at 9", now, TimeZone::UTC, 5), Err(ScheduleError::NotRepeating));
        assert_eq!(parse_schedule("whenever", now, TimeZone::UTC, 5), Err(ScheduleError::Unreadable));
    }
}
