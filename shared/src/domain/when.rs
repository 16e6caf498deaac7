//! Reading a task and when it is due from the words people type, in English
//! and French, in the user's time zone: `call mom tomorrow 9am`,
//! `appeler maman demain 9h`, `in 2h`, `every monday and thursday 19:00`,
//! `tous les jours à 8h jusqu'au 31/12`. Parsed once, at the edge.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc, Weekday,
};

use super::{
    TimeZone,
    recurrence::{Frequency, Recurrence},
    task::NewTask,
};

/// The time a date without one gets.
pub const DEFAULT_TIME: (u32, u32) = (9, 0);

/// How far ahead a time may be: about ten years. Anything later is refused
/// before any date arithmetic, so no text can overflow a computation (and every
/// stored year has four digits, which keeps the due index's sort keys in order).
pub const HORIZON: Duration = Duration::days(3660);

/// A task as typed: its title and, if any, when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskText {
    pub title: String,
    pub due: Option<Due>,
}

impl TaskText {
    /// The task to store: its next reminder and, for a series, the RRULE anchored
    /// on the first occurrence's wall-clock time in `tz`.
    pub fn to_new_task(&self, tz: TimeZone) -> NewTask {
        NewTask {
            title: self.title.clone(),
            due: self.due.as_ref().map(|d| d.at),
            series: self.due.as_ref().and_then(|d| Some(d.recurrence.as_ref()?.series(d.local, tz))),
        }
    }
}

/// When a task is due: its first occurrence and, for a series, how it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    /// The first occurrence on the user's wall clock (the series' DTSTART).
    pub local: NaiveDateTime,
    pub recurrence: Option<Recurrence>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("nothing to do: the text is only a time")]
    NoTitle,
    #[error("the time could not be read")]
    Unreadable,
    #[error("that time has passed")]
    InPast { at: DateTime<Utc> },
    #[error("the repetition never happens")]
    NeverOccurs,
    #[error("that time is more than ten years away")]
    TooFar,
    #[error("the title is longer than {max} characters")]
    TitleTooLong { max: usize },
}

/// The longest title a task may have, in characters: a reminder, the list and
/// a button's toast must all stay within Telegram's limits.
pub const MAX_TITLE_CHARS: usize = 256;

/// Reads `text` at `now` for a user in `tz`.
pub fn parse_task(text: &str, now: DateTime<Utc>, tz: TimeZone) -> Result<TaskText, WhenError> {
    let tokens = tokenize(text);
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let n = words.len();
    for len in (1..=n).rev() {
        for (from, to) in [(n - len, n), (0, len)] {
            let Some(mut spec) = Spec::parse(&words[from..to]) else { continue };
            // `daily standup at 9`: a repetition before the title, the time after it.
            let mut title_from = 0;
            if to == n && from > 0 {
                let lead = (1..from).rev().find_map(|k| Some((k, Spec::parse(&words[..k])?.merge(&spec)?)));
                if let Some((k, merged)) = lead {
                    (title_from, spec) = (k, merged);
                }
            }
            let title = if from == 0 && to == n {
                ""
            } else if from == 0 {
                &text[tokens[to].start..]
            } else {
                &text[tokens[title_from].start..tokens[from - 1].end]
            };
            let title = clean_title(title);
            if title.is_empty() {
                return Err(WhenError::NoTitle);
            }
            check_title(&title)?;
            return Ok(TaskText { title, due: Some(spec.resolve(now, tz)?) });
        }
    }
    let title = clean_title(text);
    if title.is_empty() {
        return Err(WhenError::NoTitle);
    }
    check_title(&title)?;
    Ok(TaskText { title, due: None })
}

/// Reads a due time alone (`tomorrow 9am`, `in 2h`), as when a task's time is changed.
pub fn parse_due(text: &str, now: DateTime<Utc>, tz: TimeZone) -> Result<Due, WhenError> {
    let tokens = tokenize(text);
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    match Spec::parse(&words) {
        Some(spec) if !words.is_empty() => spec.resolve(now, tz),
        _ => Err(WhenError::Unreadable),
    }
}

/// A title that still holds something shaped like a time was not understood.
fn check_title(title: &str) -> Result<(), WhenError> {
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(WhenError::TitleTooLong { max: MAX_TITLE_CHARS });
    }
    if tokenize(title).iter().any(|t| looks_like_time(&t.norm)) {
        return Err(WhenError::Unreadable);
    }
    Ok(())
}

fn clean_title(title: &str) -> String {
    let mut title = title.trim().trim_matches(|c: char| c == ',' || c == '-' || c == ':' || c == '—').trim();
    for prefix in ["me to ", "to ", "moi de ", "moi d'", "de ", "d'"] {
        if let Some((head, rest)) = title.split_at_checked(prefix.len())
            && head.eq_ignore_ascii_case(prefix)
            && !rest.trim().is_empty()
        {
            title = rest;
            break;
        }
    }
    title.trim().to_owned()
}

struct Token {
    norm: String,
    start: usize,
    end: usize,
}

/// Words with their place in the text; lower-cased, accents and trailing punctuation dropped.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let raw = &text[s..i];
                let norm = normalize(raw);
                if !norm.is_empty() {
                    tokens.push(Token { norm, start: s, end: i });
                }
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

fn normalize(word: &str) -> String {
    let word = word.trim_end_matches([',', '.', '!', '?', ';']);
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '’' => '\'',
            other => other,
        })
        .collect()
}

fn looks_like_time(word: &str) -> bool {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &word[digits..];
    (digits <= 2 && (rest.starts_with('h') || rest.starts_with(':') || rest == "am" || rest == "pm"))
        || (digits >= 4 && rest.starts_with('-'))
        || (digits <= 2 && rest.starts_with('/'))
}

/// What a span of words said.
#[derive(Debug, Default)]
struct Spec {
    date: Option<DateSpec>,
    time: Option<NaiveTime>,
    relative: Option<Duration>,
    repeat: Option<Recurrence>,
    until: Option<DateSpec>,
    count: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
enum DateSpec {
    Today,
    Tomorrow,
    AfterTomorrow,
    /// The coming one (today counts if the time is still ahead), or strictly after today.
    Weekday {
        day: Weekday,
        next: bool,
    },
    Exact(NaiveDate),
    /// Day and month without a year: this year's, or next year's once passed.
    DayMonth {
        day: u32,
        month: u32,
    },
}

struct Cursor<'a> {
    words: &'a [&'a str],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.words.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<&'a str> {
        self.words.get(self.pos + offset).copied()
    }

    fn eat(&mut self, options: &[&str]) -> bool {
        if self.peek().is_some_and(|w| options.contains(&w)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Runs `parse`; on failure the cursor is left where it was.
    fn attempt<T>(&mut self, parse: impl FnOnce(&mut Cursor<'a>) -> Option<T>) -> Option<T> {
        let saved = self.pos;
        let result = parse(self);
        if result.is_none() {
            self.pos = saved;
        }
        result
    }

    fn done(&self) -> bool {
        self.pos >= self.words.len()
    }
}

impl Spec {
    /// The whole span must be a time expression.
    fn parse(words: &[&str]) -> Option<Spec> {
        let mut c = Cursor { words, pos: 0 };
        let mut spec = Spec::default();
        while !c.done() {
            if spec.relative.is_none()
                && spec.is_empty()
                && let Some(d) = c.attempt(relative)
            {
                spec.relative = Some(d);
                continue;
            }
            if spec.repeat.is_none()
                && let Some((rule, time)) = c.attempt(repeat)
            {
                spec.repeat = Some(rule);
                if time.is_some() {
                    spec.time = time;
                }
                continue;
            }
            if spec.repeat.is_some()
                && spec.until.is_none()
                && let Some(until) = c.attempt(until)
            {
                spec.until = Some(until);
                continue;
            }
            if spec.repeat.is_some()
                && spec.count.is_none()
                && let Some(count) = c.attempt(count)
            {
                spec.count = Some(count);
                continue;
            }
            if spec.date.is_none()
                && let Some(date) = c.attempt(date)
            {
                spec.date = Some(date);
                continue;
            }
            if spec.time.is_none()
                && let Some(time) = c.attempt(time_of_day)
            {
                spec.time = Some(time);
                continue;
            }
            return None;
        }
        if spec.relative.is_some() && !spec.is_empty() {
            return None;
        }
        Some(spec)
    }

    /// A leading repetition joined to what follows the title; `None` when they clash.
    fn merge(self, rest: &Spec) -> Option<Spec> {
        let lead_only = self.repeat.is_some() && self.date.is_none() && self.relative.is_none();
        if !lead_only || rest.repeat.is_some() || rest.relative.is_some() {
            return None;
        }
        Some(Spec {
            date: rest.date,
            time: rest.time.or(self.time),
            relative: None,
            repeat: self.repeat,
            until: rest.until.or(self.until),
            count: rest.count.or(self.count),
        })
    }

    fn is_empty(&self) -> bool {
        self.date.is_none() && self.time.is_none() && self.repeat.is_none()
    }

    fn resolve(self, now: DateTime<Utc>, tz: TimeZone) -> Result<Due, WhenError> {
        let local_now = now.with_timezone(&tz.tz()).naive_local();
        let latest = now.checked_add_signed(HORIZON).ok_or(WhenError::TooFar)?;
        let within = |at: DateTime<Utc>| if at <= latest { Ok(at) } else { Err(WhenError::TooFar) };
        // A wall-clock time past the horizon is refused before it is converted.
        let last_day = latest.with_timezone(&tz.tz()).date_naive();
        let local_within =
            |local: NaiveDateTime| if local.date() < last_day { Ok(local) } else { Err(WhenError::TooFar) };
        if let Some(delta) = self.relative {
            let at = within(now.checked_add_signed(delta).ok_or(WhenError::TooFar)?)?;
            return Ok(Due { at, local: at.with_timezone(&tz.tz()).naive_local(), recurrence: None });
        }
        let default = NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).unwrap_or_default();
        let time = self.time.unwrap_or(default);
        if let Some(mut rule) = self.repeat {
            if let Some(until) = self.until {
                let day = until.first_date(local_now.date(), None);
                let end = local_within(day.and_hms_opt(23, 59, 59).unwrap_or(day.and_time(time)))?;
                rule.until = Some(to_utc(tz, end));
            }
            rule.count = self.count;
            let start_date = match self.date {
                Some(date) => local_within(date.first_date(local_now.date(), None).and_time(time))?.date(),
                None => local_now.date(),
            };
            // Anchor the series on its first occurrence from now on, so a COUNT
            // counts only occurrences still to come.
            let probe = Recurrence { count: None, ..rule.clone() };
            let first = probe.next_after(start_date.and_time(time), tz, now).ok_or(WhenError::NeverOccurs)?;
            let first = within(first)?;
            let local = first.with_timezone(&tz.tz()).naive_local();
            return Ok(Due { at: first, local, recurrence: Some(rule) });
        }
        let local = match self.date {
            None => {
                let today = local_now.date().and_time(time);
                if to_utc(tz, today) > now {
                    today
                } else {
                    (local_now.date() + Duration::days(1)).and_time(time)
                }
            }
            Some(DateSpec::Weekday { day, next }) => {
                let mut date = local_now.date() + Duration::days(if next { 1 } else { 0 });
                while date.weekday() != day || to_utc(tz, date.and_time(time)) <= now {
                    date += Duration::days(1);
                }
                date.and_time(time)
            }
            Some(date) => {
                local_within(date.first_date(local_now.date(), Some((time, tz, now))).and_time(time))?
            }
        };
        let at = within(to_utc(tz, local))?;
        if at <= now {
            return Err(WhenError::InPast { at });
        }
        Ok(Due { at, local, recurrence: None })
    }
}

impl DateSpec {
    /// The calendar date meant, seen from `today`; with `future`, a day and month
    /// without a year moves to next year once its time has passed.
    fn first_date(self, today: NaiveDate, future: Option<(NaiveTime, TimeZone, DateTime<Utc>)>) -> NaiveDate {
        match self {
            DateSpec::Today => today,
            DateSpec::Tomorrow => today + Duration::days(1),
            DateSpec::AfterTomorrow => today + Duration::days(2),
            DateSpec::Weekday { day, next } => {
                let mut date = today + Duration::days(if next { 1 } else { 0 });
                while date.weekday() != day {
                    date += Duration::days(1);
                }
                date
            }
            DateSpec::Exact(date) => date,
            DateSpec::DayMonth { day, month } => {
                let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
                let passed = |d: NaiveDate| match future {
                    Some((time, tz, now)) => to_utc(tz, d.and_time(time)) <= now,
                    None => d < today,
                };
                match this_year {
                    Some(d) if !passed(d) => d,
                    _ => (1..=8)
                        .filter_map(|y| NaiveDate::from_ymd_opt(today.year() + y, month, day))
                        .next()
                        .unwrap_or(today),
                }
            }
        }
    }
}

/// A wall-clock time in `tz` as an instant: in a DST gap, the time the clock
/// shows once it has jumped; in an overlap, the first of the two.
pub fn to_utc(tz: TimeZone, local: NaiveDateTime) -> DateTime<Utc> {
    let zone = tz.tz();
    for shift in 0..=3 {
        let Some(candidate) = local.checked_add_signed(Duration::minutes(30 * shift)) else { break };
        if let Some(at) = zone.from_local_datetime(&candidate).earliest() {
            return at.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&local)
}

fn number(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 6 || !word.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

fn small_number(word: &str) -> Option<u32> {
    number(word).or(match word {
        "one" | "un" | "une" => Some(1),
        "two" | "deux" => Some(2),
        "three" | "trois" => Some(3),
        "four" | "quatre" => Some(4),
        "five" | "cinq" => Some(5),
        "six" => Some(6),
        "ten" | "dix" => Some(10),
        _ => None,
    })
}

fn hm(hour: u32, minute: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// `9am`, `9:30pm`, `18:30`, `18h30`, `18h`, `noon`, `midi`, `at 8` (a bare hour after at/à).
fn time_of_day(c: &mut Cursor<'_>) -> Option<NaiveTime> {
    let at = c.eat(&["at", "a", "@", "vers"]);
    let word = c.peek()?;
    let named = match word {
        "noon" | "midi" => hm(12, 0),
        "midnight" | "minuit" => hm(0, 0),
        _ => None,
    };
    if named.is_some() {
        c.pos += 1;
        return named;
    }
    let (core, meridiem) = match word.strip_suffix("am").or_else(|| word.strip_suffix("pm")) {
        Some(core) => (core, Some(word.ends_with("pm"))),
        None => (word, None),
    };
    let (hour, minute) = if let Some((h, m)) = core.split_once(':').or_else(|| core.split_once('h')) {
        (number(h)?, if m.is_empty() { 0 } else { number(m).filter(|_| m.len() == 2)? })
    } else {
        (number(core)?, 0)
    };
    c.pos += 1;
    let mut meridiem = meridiem;
    if meridiem.is_none() && core == word && !word.contains(':') && !word.contains('h') {
        // A bare number: `9 am`, `9 h`, `9 heures`, or after at/à.
        match c.peek() {
            Some("am") => meridiem = Some(false),
            Some("pm") => meridiem = Some(true),
            Some("h" | "heure" | "heures") => {}
            _ if at => {}
            _ => return None,
        }
        if c.peek().is_some_and(|w| ["am", "pm", "h", "heure", "heures"].contains(&w)) {
            c.pos += 1;
        }
    }
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    hm(hour, minute)
}

fn weekday(word: &str) -> Option<Weekday> {
    let word = word.strip_suffix('s').filter(|w| w.len() >= 5).unwrap_or(word);
    Some(match word {
        "monday" | "mon" | "lundi" => Weekday::Mon,
        "tuesday" | "tue" | "tues" | "mardi" => Weekday::Tue,
        "wednesday" | "wed" | "mercredi" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" | "jeudi" => Weekday::Thu,
        "friday" | "fri" | "vendredi" => Weekday::Fri,
        "saturday" | "sat" | "samedi" => Weekday::Sat,
        "sunday" | "sun" | "dimanche" => Weekday::Sun,
        _ => return None,
    })
}

fn month(word: &str) -> Option<u32> {
    const NAMES: [(&str, &str, &str); 12] = [
        ("january", "jan", "janvier"),
        ("february", "feb", "fevrier"),
        ("march", "mar", "mars"),
        ("april", "apr", "avril"),
        ("may", "may", "mai"),
        ("june", "jun", "juin"),
        ("july", "jul", "juillet"),
        ("august", "aug", "aout"),
        ("september", "sep", "septembre"),
        ("october", "oct", "octobre"),
        ("november", "nov", "novembre"),
        ("december", "dec", "decembre"),
    ];
    NAMES.iter().position(|(en, short, fr)| [*en, *short, *fr].contains(&word)).map(|i| i as u32 + 1)
}

/// `1st`, `2nd`, `23rd`, `15th`, `1er`, `15`.
fn ordinal(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &word[digits.len()..];
    if !["", "st", "nd", "rd", "th", "er", "e"].contains(&suffix) {
        return None;
    }
    number(&digits).filter(|d| (1..=31).contains(d))
}

fn date(c: &mut Cursor<'_>) -> Option<DateSpec> {
    c.eat(&["on", "le", "the", "this", "ce"]);
    let word = c.peek()?;
    let simple = match word {
        "today" | "aujourd'hui" | "auj" | "tonight" | "ce soir" => Some(DateSpec::Today),
        "tomorrow" | "tmrw" | "demain" => Some(DateSpec::Tomorrow),
        "apres-demain" => Some(DateSpec::AfterTomorrow),
        _ => None,
    };
    if let Some(spec) = simple {
        c.pos += 1;
        return Some(spec);
    }
    if word == "apres" && c.peek_at(1) == Some("demain") {
        c.pos += 2;
        return Some(DateSpec::AfterTomorrow);
    }
    if word == "day" && c.peek_at(1) == Some("after") && c.peek_at(2) == Some("tomorrow") {
        c.pos += 3;
        return Some(DateSpec::AfterTomorrow);
    }
    if word == "next" || word == "prochain" {
        let day = weekday(c.peek_at(1)?)?;
        c.pos += 2;
        return Some(DateSpec::Weekday { day, next: true });
    }
    if let Some(day) = weekday(word) {
        c.pos += 1;
        let next = c.eat(&["prochain", "next"]);
        return Some(DateSpec::Weekday { day, next });
    }
    if let [year, month, day] = word.split('-').collect::<Vec<_>>()[..]
        && year.len() >= 4
    {
        let date = NaiveDate::from_ymd_opt(number(year)? as i32, number(month)?, number(day)?)?;
        c.pos += 1;
        return Some(DateSpec::Exact(date));
    }
    let parts: Vec<&str> = word.split('/').collect();
    if parts.len() == 2 || parts.len() == 3 {
        let day = number(parts[0])?;
        let month = number(parts[1])?;
        c.pos += 1;
        return match parts.get(2) {
            Some(year) => {
                let year = number(year)? as i32;
                let year = if year < 100 { 2000 + year } else { year };
                NaiveDate::from_ymd_opt(year, month, day).map(DateSpec::Exact)
            }
            None => NaiveDate::from_ymd_opt(2024, month, day).map(|_| DateSpec::DayMonth { day, month }),
        };
    }
    // `24 december [2026]`, `december 24th [2026]`, `24 décembre`.
    let (day, month) = match (ordinal(word), c.peek_at(1).and_then(month)) {
        (Some(day), Some(month)) => (day, month),
        _ => {
            let month = month(word)?;
            (ordinal(c.peek_at(1)?)?, month)
        }
    };
    c.pos += 2;
    match c.peek().and_then(number).filter(|y| *y >= 2000) {
        Some(year) => {
            c.pos += 1;
            NaiveDate::from_ymd_opt(year as i32, month, day).map(DateSpec::Exact)
        }
        None => NaiveDate::from_ymd_opt(2024, month, day).map(|_| DateSpec::DayMonth { day, month }),
    }
}

/// `in 2h`, `in 2 hours`, `dans 30 minutes`, `in 3 days`.
fn relative(c: &mut Cursor<'_>) -> Option<Duration> {
    if !c.eat(&["in", "dans"]) {
        return None;
    }
    let word = c.peek()?;
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let (amount, unit) = if digits.is_empty() {
        let amount = small_number(word)?;
        c.pos += 1;
        (amount, c.peek()?)
    } else if digits.len() == word.len() {
        c.pos += 1;
        (number(&digits)?, c.peek()?)
    } else {
        (number(&digits)?, &word[digits.len()..])
    };
    c.pos += 1;
    let amount = i64::from(amount);
    let duration = match unit {
        "m" | "min" | "mins" | "minute" | "minutes" | "mn" => Duration::minutes(amount),
        "h" | "hr" | "hrs" | "hour" | "hours" | "heure" | "heures" => Duration::hours(amount),
        "d" | "j" | "day" | "days" | "jour" | "jours" => Duration::days(amount),
        "w" | "week" | "weeks" | "semaine" | "semaines" => Duration::weeks(amount),
        _ => return None,
    };
    // Past the horizon it is still read as a time, so that it is refused, not kept in the title.
    (amount > 0).then_some(duration)
}

/// `every day [at 8]`, `daily`, `tous les jours`, `every monday and thursday`,
/// `chaque lundi`, `every weekday`, `every 2 weeks`, `toutes les 2 semaines`,
/// `every month on the 1st`, `tous les mois le 1er`, `every year`.
fn repeat(c: &mut Cursor<'_>) -> Option<(Recurrence, Option<NaiveTime>)> {
    let single = match c.peek()? {
        "daily" | "quotidien" => Some(Frequency::Daily),
        "weekly" | "hebdomadaire" => Some(Frequency::Weekly),
        "monthly" | "mensuel" => Some(Frequency::Monthly),
        "yearly" | "annually" | "annuel" => Some(Frequency::Yearly),
        _ => None,
    };
    if let Some(frequency) = single {
        c.pos += 1;
        return Some((Recurrence::new(frequency), None));
    }
    if c.peek() == Some("en") && c.peek_at(1) == Some("semaine") {
        c.pos += 2;
        return Some((weekdays_rule(), None));
    }
    let every = c.eat(&["every", "each", "chaque"]) || (c.eat(&["tous", "toutes"]) && c.eat(&["les"]));
    if !every {
        return None;
    }
    let interval = c.peek().and_then(small_number).filter(|n| (2..=366).contains(n));
    if interval.is_some() {
        c.pos += 1;
    }
    let word = c.peek()?;
    let mut rule = match word {
        "day" | "days" | "jour" | "jours" => {
            c.pos += 1;
            if c.eat(&["ouvres", "ouvrables"]) { weekdays_rule() } else { Recurrence::new(Frequency::Daily) }
        }
        "weekday" | "weekdays" => {
            c.pos += 1;
            weekdays_rule()
        }
        "week" | "weeks" | "semaine" | "semaines" => {
            c.pos += 1;
            let mut rule = Recurrence::new(Frequency::Weekly);
            if c.eat(&["on", "le"]) {
                rule.weekdays = weekday_list(c)?;
            }
            rule
        }
        "month" | "months" | "mois" => {
            c.pos += 1;
            let mut rule = Recurrence::new(Frequency::Monthly);
            if c.eat(&["on", "le"]) {
                c.eat(&["the"]);
                rule.month_day = Some(ordinal(c.peek()?)?);
                c.pos += 1;
            }
            rule
        }
        "year" | "years" | "an" | "ans" | "annee" | "annees" => {
            c.pos += 1;
            Recurrence::new(Frequency::Yearly)
        }
        _ => {
            let mut rule = Recurrence::new(Frequency::Weekly);
            rule.weekdays = weekday_list(c)?;
            rule
        }
    };
    rule.interval = interval.unwrap_or(1);
    let time = c.attempt(time_of_day);
    Some((rule, time))
}

fn weekdays_rule() -> Recurrence {
    let mut rule = Recurrence::new(Frequency::Weekly);
    rule.weekdays = vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    rule
}

/// `monday`, `monday and thursday`, `lundi et jeudi`, `mon, wed, fri`.
fn weekday_list(c: &mut Cursor<'_>) -> Option<Vec<Weekday>> {
    let mut days = vec![weekday(c.peek()?)?];
    c.pos += 1;
    loop {
        let saved = c.pos;
        c.eat(&["and", "et", "&", ","]);
        match c.peek().and_then(weekday) {
            Some(day) => {
                c.pos += 1;
                if !days.contains(&day) {
                    days.push(day);
                }
            }
            None => {
                c.pos = saved;
                return Some(days);
            }
        }
    }
}

/// `until 2026-12-31`, `jusqu'au 31/12`, `jusqu'à vendredi`.
fn until(c: &mut Cursor<'_>) -> Option<DateSpec> {
    if !(c.eat(&["until", "till", "jusqu'au", "jusqu'a", "jusqu'"]) || (c.eat(&["jusque"]) && c.eat(&["au"])))
    {
        return None;
    }
    date(c)
}

/// `3 times`, `for 10 times`, `5 fois`.
fn count(c: &mut Cursor<'_>) -> Option<u32> {
    c.eat(&["for", "pendant"]);
    let n = small_number(c.peek()?).filter(|n| (1..=1000).contains(n))?;
    c.pos += 1;
    c.eat(&["times", "fois", "occurrences"]).then_some(n)
}

#[cfg(test)]
mod tests;
