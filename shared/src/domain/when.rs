//! Reading a task and when it is due from the words people type, in English
//! and French, in the user's time zone: `call mom tomorrow 9am`,
//! `appeler maman demain 9h`, `in 2h`, `every monday and thursday 19:00`,
//! `tous les jours à 8h jusqu'au 31/12`. Parsed once, at the edge.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike, Utc, Weekday,
};

mod lexicon;

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

/// A day and month without a year that passed fewer days ago than this is
/// read as this year's, so refused as past, not moved to next year.
const RECENTLY_PASSED_DAYS: i64 = 30;

/// The longest title a task may have, in characters: a reminder, the list and
/// a button's toast must all stay within Telegram's limits.
pub const MAX_TITLE_CHARS: usize = 256;

/// The most words a time expression spans (`every first monday of the month
/// at 9am until 20 december` is eleven): longer spans are not tried, which
/// keeps reading a long text linear in its length.
const MAX_SPAN: usize = 16;

/// Reads `text` at `now` for a user in `tz`. The time may come before the
/// title, after it, inside it (`call mom tomorrow about the party`) or in two
/// pieces that read as one (`appeler maman demain pour son anniversaire à 9h`).
pub fn parse_task(text: &str, now: DateTime<Utc>, tz: TimeZone) -> Result<TaskText, WhenError> {
    let text = without_request(text);
    let tokens = tokenize(text);
    // A title of k words has at least 2k - 1 characters: past this many words,
    // no reading leaves a title short enough, so none is tried.
    if tokens.len() > MAX_TITLE_CHARS / 2 + 2 * MAX_SPAN {
        return Err(WhenError::TitleTooLong { max: MAX_TITLE_CHARS });
    }
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let opens: Vec<bool> = tokens.iter().map(|t| opens_time(&text[t.start..t.end], &t.norm)).collect();
    let mut first_error = None;
    for reading in readings(&words, &opens) {
        // `in 3 weeks or 4`, `tomorrow or friday`: a choice of times is not one time.
        let either =
            |i: Option<usize>| i.and_then(|i| words.get(i)).is_some_and(|w| ["or", "ou"].contains(w));
        if reading.spans.iter().any(|&(from, to)| either(from.checked_sub(1)) || either(Some(to))) {
            first_error.get_or_insert(WhenError::Unreadable);
            continue;
        }
        let title = clean_title(&title_around(text, &tokens, &reading.spans));
        if title.is_empty() {
            return Err(WhenError::NoTitle);
        }
        match check_title(&title, true) {
            Ok(()) => {
                let mut spec = reading.spec;
                let title_words: Vec<String> = tokenize(&title).into_iter().map(|t| t.norm).collect();
                let title_words: Vec<&str> = title_words.iter().map(String::as_str).collect();
                spec.evening = lexicon::evening_event(&title_words);
                return Ok(TaskText { title, due: Some(spec.resolve(now, tz)?) });
            }
            Err(e @ WhenError::TitleTooLong { .. }) => return Err(e),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    let title = clean_title(text);
    if title.is_empty() {
        return Err(WhenError::NoTitle);
    }
    check_title(&title, false)?;
    Ok(TaskText { title, due: None })
}

/// `remind me …`, `rappelle-moi …`: the request around a task, not its title.
fn without_request(text: &str) -> &str {
    let trimmed = text.trim_start();
    for lead in ["remind me ", "rappelle-moi ", "rappelle moi ", "rappelle-moi, ", "remind me, "] {
        if let Some((head, rest)) = trimmed.split_at_checked(lead.len())
            && head.eq_ignore_ascii_case(lead)
            && !rest.trim().is_empty()
        {
            return rest;
        }
    }
    text
}

/// Whether a time inside a title may start at this word: a preposition or a
/// word that is only a time (`call mom tomorrow about …`, `… à 9h pour …`),
/// never a bare weekday or date, which are often part of the title (`buy the
/// friday paper`), nor the English article `a`.
fn opens_time(raw: &str, norm: &str) -> bool {
    const OPENERS: &[&str] = &[
        "at", "on", "le", "in", "dans", "vers", "around", "this", "ce", "cet", "cette", "next", "every",
        "each", "chaque", "tous", "toutes", "en", "du", "jusqu'au", "until",
    ];
    OPENERS.contains(&norm) || TIME_WORDS.contains(&norm) || (norm == "a" && raw.eq_ignore_ascii_case("à"))
}

/// A time read from the text: what it says and the word spans it took.
struct Reading {
    spec: Spec,
    spans: Vec<(usize, usize)>,
}

/// How many readings are weighed before a text is refused: the likeliest
/// come first, and the bound keeps an adversarial text cheap to read.
const READINGS_TRIED: usize = 48;

/// The ways `words` may hold a time, the likeliest first: the longest span at
/// the end (joined to a repetition before the title: `daily standup at 9`),
/// then at the start, then inside; each also joined to a second piece left in
/// the title when the two read as one time.
fn readings(words: &[&str], opens: &[bool]) -> Vec<Reading> {
    let n = words.len();
    let longest = n.min(MAX_SPAN);
    let edges = (1..=longest)
        .rev()
        .flat_map(|len| [(n - len, n), (0, len)].into_iter().take(if len == n { 1 } else { 2 }));
    let inside = (1..=longest).rev().flat_map(|len| {
        (1..n.saturating_sub(len)).filter(|&from| opens[from]).map(move |from| (from, from + len))
    });
    // Every span that is a time on its own.
    let times: Vec<(usize, usize, Spec)> = edges
        .chain(inside)
        .filter_map(|(from, to)| Some((from, to, Spec::parse(&words[from..to])?)))
        .collect();
    let mut found = Vec::new();
    for (from, to, _) in &times {
        if found.len() >= READINGS_TRIED {
            break;
        }
        let spec = Spec::parse(&words[*from..*to]).unwrap_or_default();
        let reading = with_lead(words, *from, *to, spec);
        found.extend(paired(words, &times, &reading));
        found.push(reading);
    }
    found
}

/// `daily standup at 9`: a repetition before the title, the time after it.
fn with_lead(words: &[&str], from: usize, to: usize, spec: Spec) -> Reading {
    let lead = (to == words.len() && from > 0)
        .then(|| {
            (1..from.min(MAX_SPAN)).rev().find_map(|k| Some((k, Spec::parse(&words[..k])?.merge(&spec)?)))
        })
        .flatten();
    match lead {
        Some((k, merged)) => Reading { spec: merged, spans: vec![(0, k), (from, to)] },
        None => Reading { spec, spans: vec![(from, to)] },
    }
}

/// A second piece of the same time left in the title (`demain … à 9h`): the
/// first of the other `times` (spans that are a time on their own, so `the`
/// before `tomorrow` stays in the title) that reads as one time with it.
fn paired(words: &[&str], times: &[(usize, usize, Spec)], reading: &Reading) -> Option<Reading> {
    let [(from, to)] = reading.spans[..] else { return None };
    times.iter().filter(|(a, b, _)| *b <= from || *a >= to).find_map(|&(a, b, _)| {
        let (first, second) = if a < from { ((a, b), (from, to)) } else { ((from, to), (a, b)) };
        let joined: Vec<&str> =
            words[first.0..first.1].iter().chain(&words[second.0..second.1]).copied().collect();
        let spec = Spec::parse(&joined)?;
        Some(Reading { spec, spans: vec![first, second] })
    })
}

/// The text with the word spans taken out, its pieces joined by a space.
fn title_around(text: &str, tokens: &[Token], spans: &[(usize, usize)]) -> String {
    let mut pieces = Vec::new();
    let mut at = 0;
    for &(from, to) in spans {
        pieces.push(&text[at..tokens[from].start]);
        at = tokens[to - 1].end;
    }
    pieces.push(&text[at..]);
    let edge = |c: char| c.is_whitespace() || [',', '-', ':', '—'].contains(&c);
    pieces.iter().map(|p| p.trim_matches(edge)).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
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

/// A title that still holds words shaped like a time was not understood:
/// refused with examples rather than saved with the time silently dropped.
/// `timed` when a time was read beside it: then a repetition word left in
/// the title (`every`, `chaque`, `tous les`) is one that was not understood.
fn check_title(title: &str, timed: bool) -> Result<(), WhenError> {
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(WhenError::TitleTooLong { max: MAX_TITLE_CHARS });
    }
    let tokens = tokenize(title);
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let raw = |i: usize| &title[tokens[i].start..tokens[i].end];
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let next_is_amount =
            number(next).is_some() || small_number(next).is_some() || ordinal(next).is_some();
        let timely = looks_like_time(word)
            || TIME_WORDS.contains(word)
            || weekday(word).is_some()
            || (["in", "dans"].contains(word) && (next_is_amount || ["a", "an", "half"].contains(&next)))
            || (["every", "each", "chaque", "tous", "toutes"].contains(word)
                && is_period_word(next, &words, i))
            || ((*word == "at" || raw(i).eq_ignore_ascii_case("à") || *word == "vers") && next_is_amount)
            || (["ce", "cet", "this"].contains(word) && part_word(next).is_some())
            || (["le", "the"].contains(word) && ordinal(next).is_some_and(|_| next.len() <= 4))
            || (ordinal(word).is_some() && month(next).is_some())
            || (month(word).is_some() && ordinal(next).is_some())
            // `meds at 8 and 20`: a second time is not read, so not dropped.
            || (timed && ["and", "et", "&"].contains(word) && (next_is_amount || looks_like_time(next)))
            // `de l'après-midi`, `du soir`, `in the evening` left beside a time read.
            || (timed
                && part_word(word).is_some()
                && i > 0
                && (["du", "de"].contains(&words[i - 1])
                    || (words[i - 1] == "the" && i > 1 && words[i - 2] == "in")))
            || (timed
                && (["every", "chaque"].contains(word)
                    || (["tous", "toutes"].contains(word) && next == "les")));
        if timely {
            return Err(WhenError::Unreadable);
        }
    }
    Ok(())
}

/// Words that only ever mean a time.
const TIME_WORDS: &[&str] = &[
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "aujourd'hui",
    "demain",
    "hier",
    "apres-demain",
    "noon",
    "midnight",
    "midi",
    "minuit",
    "daily",
    "weekly",
    "monthly",
    "hourly",
    "weekdays",
    "end-of-day",
];

fn is_period_word(next: &str, words: &[&str], i: usize) -> bool {
    let next = if next == "les" { words.get(i + 2).copied().unwrap_or("") } else { next };
    [
        "day", "days", "jour", "jours", "week", "weeks", "semaine", "semaines", "month", "months", "mois",
        "year",
    ]
    .contains(&next)
        || ["years", "an", "ans", "hour", "hours", "heure", "weekday", "weekdays", "other", "second"]
            .contains(&next)
        || weekday(next).is_some()
        || part_word(next).is_some()
        || small_number(next).is_some()
        || ordinal(next).is_some()
}

fn clean_title(title: &str) -> String {
    let visible: String = title.chars().filter(|c| !lexicon::is_invisible(*c)).collect();
    let collapsed = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut title = collapsed.trim_matches(|c: char| c == ',' || c == '-' || c == ':' || c == '—').trim();
    for prefix in [
        "remind me to ",
        "reminder to ",
        "rappelle-moi de ",
        "rappelle-moi d'",
        "rappelle moi de ",
        "rappelle moi d'",
        "me to ",
        "to ",
        "moi de ",
        "moi d'",
        "de ",
        "d'",
    ] {
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

/// Words with their place in the text; lower-cased, accents and trailing
/// punctuation dropped, invisible characters ignored, then mapped to the
/// lexicon's canonical words.
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
    let word: String = word.chars().filter(|c| !lexicon::is_invisible(*c)).collect();
    let word = word.trim_end_matches([',', '.', '!', '?', ';']);
    let lowered: String = word
        .chars()
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
        .collect();
    lexicon::canonical(&lowered).to_owned()
}

fn looks_like_time(word: &str) -> bool {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &word[digits..];
    (digits <= 2
        && (rest.starts_with('h')
            || rest.starts_with(':')
            || rest.starts_with("am")
            || rest.starts_with("pm")
            || rest.starts_with("min")
            || (rest.starts_with('.') && (rest.ends_with("am") || rest.ends_with("pm")))))
        || (digits >= 4 && rest.starts_with('-'))
        || (digits <= 2 && rest.starts_with('/'))
}

/// A part of the day, with the hour it means when no time is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Morning,
    Afternoon,
    EndOfDay,
    Evening,
    Tonight,
    Night,
}

impl Part {
    fn default_time(self) -> NaiveTime {
        let hour = match self {
            Part::Morning => 9,
            Part::Afternoon => 15,
            Part::EndOfDay => 18,
            Part::Evening => 19,
            Part::Tonight => 20,
            Part::Night => 22,
        };
        hm(hour, 0).unwrap_or_default()
    }

    /// `this evening at 8` is 20:00: an hour before noon moves to the afternoon.
    fn after_noon(self) -> bool {
        self != Part::Morning
    }
}

/// A clock time as typed. `bare` when nothing fixed its half of the day: no
/// am/pm, no `h`, no leading zero, no part of the day (`at 5`, `half past 3`).
#[derive(Debug, Clone, Copy)]
struct Clock {
    time: NaiveTime,
    bare: bool,
    /// Only an hour, as spoken (`at 8`, `8 o'clock`), not a clock face (`8:00`).
    spoken: bool,
}

/// What a span of words said.
#[derive(Debug, Default)]
struct Spec {
    date: Option<DateSpec>,
    time: Option<Clock>,
    part: Option<Part>,
    relative: Option<Duration>,
    repeat: Option<Recurrence>,
    until: Option<DateSpec>,
    count: Option<Span>,
    /// The title names an evening event: a bare 7 to 11 is in the evening.
    evening: bool,
}

/// `for 5 days`, `3 times`: how long a series lasts.
#[derive(Debug, Clone, Copy)]
enum Span {
    Times(u32),
    For(u32, Frequency),
}

#[derive(Debug, Clone, Copy)]
enum DateSpec {
    Yesterday,
    Today,
    Tomorrow,
    AfterTomorrow,
    /// The coming one (today counts if the time is still ahead), or strictly after today.
    Weekday {
        day: Weekday,
        next: bool,
    },
    Exact(NaiveDate),
    /// Day and month without a year: this year's, or next year's once passed
    /// (a date passed less than [`RECENTLY_PASSED_DAYS`] ago is refused as past).
    DayMonth {
        day: u32,
        month: u32,
    },
    /// `le 15`, `on the 15th`: this month's, or the next month that has it.
    MonthDay(u32),
    /// The month's last day.
    EndOfMonth,
    /// Next week's Monday.
    NextWeek,
    /// The coming Saturday.
    Weekend,
    /// A date that does not exist (`30 février`, `31/04`): refused.
    Invalid,
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

    /// Eats `phrase` word for word, or nothing.
    fn eat_phrase(&mut self, phrase: &[&str]) -> bool {
        if phrase.iter().enumerate().all(|(i, w)| self.peek_at(i) == Some(w)) {
            self.pos += phrase.len();
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
                && spec.relative.is_none()
                && let Some((rule, part, time)) = c.attempt(repeat)
            {
                spec.repeat = Some(rule);
                spec.part = spec.part.or(part);
                spec.time = time.or(spec.time);
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
            // `pills at 8 for 5 days`, `pendant 2 semaines`: every day, that long.
            if spec.repeat.is_none()
                && spec.relative.is_none()
                && spec.count.is_none()
                && let Some(span) = c.attempt(days_long)
            {
                spec.count = Some(span);
                continue;
            }
            if spec.date.is_none()
                && spec.relative.is_none()
                && let Some(date) = c.attempt(date)
            {
                spec.date = Some(date);
                continue;
            }
            if spec.part.is_none() {
                let dated = spec.date.is_some() || spec.relative.is_some() || spec.repeat.is_some();
                if let Some((date, part)) = c.attempt(|c| part_of_day(c, dated)) {
                    if date.is_some() && spec.date.is_some() {
                        return None;
                    }
                    spec.date = spec.date.or(date);
                    spec.part = Some(part);
                    continue;
                }
            }
            if spec.time.is_none()
                && let Some(time) = c.attempt(time_of_day)
            {
                spec.time = Some(time);
                continue;
            }
            // `on the 1st of every month`, `le 1er de chaque mois`.
            if spec.date.is_some() && spec.repeat.is_none() && c.eat(&["of", "de", "du"]) {
                continue;
            }
            return None;
        }
        if spec.repeat.is_none() && spec.count.is_some() {
            if spec.time.is_none() && spec.part.is_none() {
                // `pack for 5 days` is how long something lasts: a repetition
                // needs a time of day (`friday at 8 for 3 days` starts friday).
                return None;
            }
            spec.repeat = Some(Recurrence::new(Frequency::Daily));
        }
        if let Some(delta) = spec.relative {
            // `in 3 days at 10am`: whole days, then a time; nothing else goes with a delay.
            let whole_days = delta.num_seconds() % 86_400 == 0;
            if spec.date.is_some() || spec.repeat.is_some() || (!whole_days && !spec.is_empty()) {
                return None;
            }
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
            part: rest.part.or(self.part),
            relative: None,
            repeat: self.repeat,
            until: rest.until.or(self.until),
            count: rest.count.or(self.count),
            evening: false,
        })
    }

    fn is_empty(&self) -> bool {
        self.date.is_none() && self.time.is_none() && self.repeat.is_none() && self.part.is_none()
    }

    /// The wall-clock time meant, and whether a bare hour may still move to
    /// the afternoon (`at 8` said at 10:00 is 20:00).
    ///
    /// The rule for a bare hour (no am/pm, no `h`, no leading zero, no part
    /// of the day): 1 to 6 are afternoon hours (`at 2` is 14:00: a 2 am
    /// reminder is unlikely); 7 to 11 are morning hours, unless that has
    /// passed today and the afternoon one has not (for a one-off without a
    /// date), or the title names an evening event (`dinner at 8`).
    fn wall_time(&self) -> (NaiveTime, bool, bool) {
        let default = hm(DEFAULT_TIME.0, DEFAULT_TIME.1).unwrap_or_default();
        match (self.time, self.part) {
            (Some(Clock { time, bare: true, spoken: true }), None)
                if self.evening && (7..=11).contains(&time.hour()) =>
            {
                (time + Duration::hours(12), false, true)
            }
            (Some(clock), Some(part)) => {
                let shift = part.after_noon() && clock.time.hour() < 12 && clock.time.hour() > 0;
                (if shift { clock.time + Duration::hours(12) } else { clock.time }, false, true)
            }
            (Some(Clock { time, bare: true, .. }), None) if (1..=6).contains(&time.hour()) => {
                (time + Duration::hours(12), false, true)
            }
            (Some(Clock { time, bare, .. }), None) => (time, bare && (7..=11).contains(&time.hour()), true),
            (None, Some(part)) => (part.default_time(), false, false),
            (None, None) => (default, false, false),
        }
    }

    fn resolve(self, now: DateTime<Utc>, tz: TimeZone) -> Result<Due, WhenError> {
        let local_now = now.with_timezone(&tz.tz()).naive_local();
        let today = local_now.date();
        let latest = now.checked_add_signed(HORIZON).ok_or(WhenError::TooFar)?;
        let within = |at: DateTime<Utc>| if at <= latest { Ok(at) } else { Err(WhenError::TooFar) };
        // A wall-clock time past the horizon is refused before it is converted.
        let last_day = latest.with_timezone(&tz.tz()).date_naive();
        let local_within =
            |local: NaiveDateTime| if local.date() < last_day { Ok(local) } else { Err(WhenError::TooFar) };
        let (time, may_shift, given) = self.wall_time();
        if let Some(delta) = self.relative {
            if self.time.is_some() || self.part.is_some() {
                let days = delta.num_days();
                let date = today.checked_add_signed(Duration::days(days)).ok_or(WhenError::TooFar)?;
                let local = local_within(date.and_time(time))?;
                let at = within(to_utc(tz, local))?;
                return Ok(Due { at, local, recurrence: None });
            }
            let at = within(now.checked_add_signed(delta).ok_or(WhenError::TooFar)?)?;
            return Ok(Due { at, local: at.with_timezone(&tz.tz()).naive_local(), recurrence: None });
        }
        if matches!(self.date, Some(DateSpec::Invalid)) {
            return Err(WhenError::Unreadable);
        }
        if let Some(mut rule) = self.repeat {
            if let Some(until) = self.until {
                if matches!(until, DateSpec::Invalid) {
                    return Err(WhenError::Unreadable);
                }
                let day = until.first_date(today, None);
                let end = local_within(day.and_hms_opt(23, 59, 59).unwrap_or(day.and_time(time)))?;
                rule.until = Some(to_utc(tz, end));
            }
            rule.count = match self.count {
                None => None,
                Some(Span::Times(n)) => Some(n),
                Some(Span::For(n, unit)) => Some(span_count(n, unit, rule.frequency, rule.interval)?),
            };
            // `on the 15th of every month`: the day is the rule's.
            let date = match (self.date, rule.frequency) {
                (Some(DateSpec::MonthDay(day)), Frequency::Monthly) if rule.month_day.is_none() => {
                    rule.month_day = Some(day);
                    None
                }
                (date, _) => date,
            };
            let start_date = match date {
                Some(date) => local_within(date.first_date(today, None).and_time(time))?.date(),
                // From today when its time is still ahead, else from tomorrow:
                // `every other day` said at 10:00 starts tomorrow at 9:00.
                None if to_utc(tz, today.and_time(time)) > now => today,
                None => today + Duration::days(1),
            };
            // Anchor the series on its first occurrence from now on, so a COUNT
            // counts only occurrences still to come.
            let probe = Recurrence { count: None, ..rule.clone() };
            let start = match rule.frequency {
                // Every hour from the next whole hour (or the time given).
                Frequency::Hourly if !given => {
                    let next = local_now.date().and_hms_opt(local_now.hour(), 0, 0).unwrap_or(local_now);
                    next + Duration::hours(1)
                }
                _ => start_date.and_time(time),
            };
            let first = probe.next_after(start, tz, now).ok_or(WhenError::NeverOccurs)?;
            let first = within(first)?;
            let local = first.with_timezone(&tz.tz()).naive_local();
            return Ok(Due { at: first, local, recurrence: Some(rule) });
        }
        let ahead = |local: NaiveDateTime| to_utc(tz, local) > now;
        let local = match self.date {
            None => {
                let at = today.and_time(time);
                let afternoon = at + Duration::hours(12);
                if ahead(at) {
                    at
                } else if may_shift && afternoon.date() == today && ahead(afternoon) {
                    afternoon
                } else {
                    (today + Duration::days(1)).and_time(time)
                }
            }
            Some(DateSpec::Yesterday) => {
                let at = to_utc(tz, (today - Duration::days(1)).and_time(time));
                return Err(WhenError::InPast { at });
            }
            // `today`, `tonight` with no time: still today, at the next whole hour once the usual one has passed.
            Some(DateSpec::Today) if !given && !ahead(today.and_time(time)) => {
                let next =
                    today.and_hms_opt(local_now.hour(), 0, 0).unwrap_or(local_now) + Duration::hours(1);
                if next.date() != today {
                    return Err(WhenError::InPast { at: to_utc(tz, today.and_time(time)) });
                }
                next
            }
            Some(DateSpec::Weekday { day, next }) => {
                let mut date = today + Duration::days(if next { 1 } else { 0 });
                while date.weekday() != day || to_utc(tz, date.and_time(time)) <= now {
                    date += Duration::days(1);
                }
                date.and_time(time)
            }
            Some(date) => local_within(date.first_date(today, Some((time, tz, now))).and_time(time))?,
        };
        let at = within(to_utc(tz, local))?;
        if at <= now {
            return Err(WhenError::InPast { at });
        }
        Ok(Due { at, local, recurrence: None })
    }
}

/// How many occurrences `for n <unit>` holds for a series of `frequency`.
fn span_count(n: u32, unit: Frequency, frequency: Frequency, interval: u32) -> Result<u32, WhenError> {
    let hours = |f: Frequency| match f {
        Frequency::Hourly => Some(1),
        Frequency::Daily => Some(24),
        Frequency::Weekly => Some(24 * 7),
        Frequency::Monthly | Frequency::Yearly => None,
    };
    if unit == frequency {
        return Ok(n.div_ceil(interval.max(1)));
    }
    match (hours(unit), hours(frequency)) {
        (Some(u), Some(f)) if u >= f => Ok((n * (u / f)).div_ceil(interval.max(1)).max(1)),
        _ => Err(WhenError::Unreadable),
    }
}

impl DateSpec {
    /// The calendar date meant, seen from `today`; with `future`, a date
    /// without a year (or a month) moves on once its time has passed.
    fn first_date(self, today: NaiveDate, future: Option<(NaiveTime, TimeZone, DateTime<Utc>)>) -> NaiveDate {
        let passed = |d: NaiveDate| match future {
            Some((time, tz, now)) => to_utc(tz, d.and_time(time)) <= now,
            None => d < today,
        };
        match self {
            DateSpec::Yesterday => today - Duration::days(1),
            DateSpec::Today | DateSpec::Invalid => today,
            DateSpec::Tomorrow => today + Duration::days(1),
            DateSpec::AfterTomorrow => today + Duration::days(2),
            DateSpec::Weekday { day, next } => {
                let mut date = today + Duration::days(if next { 1 } else { 0 });
                while date.weekday() != day {
                    date += Duration::days(1);
                }
                date
            }
            DateSpec::NextWeek => {
                let mut date = today + Duration::days(1);
                while date.weekday() != Weekday::Mon {
                    date += Duration::days(1);
                }
                date
            }
            DateSpec::Weekend => {
                let mut date = today;
                while date.weekday() != Weekday::Sat || passed(date) {
                    date += Duration::days(1);
                }
                date
            }
            DateSpec::Exact(date) => date,
            DateSpec::DayMonth { day, month } => {
                let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
                match this_year {
                    Some(d) if !passed(d) => d,
                    // Passed within the last weeks: a slip, not next year's
                    // (`2 december` on 3 December is refused as past).
                    Some(d)
                        if today
                            .checked_sub_signed(Duration::days(RECENTLY_PASSED_DAYS))
                            .is_some_and(|recently| d >= recently) =>
                    {
                        d
                    }
                    _ => (1..=8)
                        .filter_map(|y| NaiveDate::from_ymd_opt(today.year() + y, month, day))
                        .next()
                        .unwrap_or(today),
                }
            }
            DateSpec::MonthDay(day) => (0..=12)
                .filter_map(|m| {
                    let first = today.with_day(1)?.checked_add_months(chrono::Months::new(m))?;
                    first.with_day(day)
                })
                .find(|d| *d >= today && !passed(*d))
                .unwrap_or(today),
            DateSpec::EndOfMonth => (0..=1)
                .filter_map(|m| {
                    let next = today.with_day(1)?.checked_add_months(chrono::Months::new(m + 1))?;
                    next.pred_opt()
                })
                .find(|d| !passed(*d))
                .unwrap_or(today),
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
        "seven" | "sept" => Some(7),
        "eight" | "huit" => Some(8),
        "nine" | "neuf" => Some(9),
        "ten" | "dix" => Some(10),
        "fifteen" | "quinze" => Some(15),
        "twenty" | "vingt" => Some(20),
        "thirty" | "trente" => Some(30),
        _ => None,
    })
}

fn hm(hour: u32, minute: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// The part of the day a word names.
fn part_word(word: &str) -> Option<Part> {
    // `de l'après-midi`.
    let word = word.strip_prefix("l'").unwrap_or(word);
    let word = word.strip_suffix('s').filter(|w| w.len() >= 4).unwrap_or(word);
    Some(match word {
        "morning" | "matin" | "matinee" => Part::Morning,
        "afternoon" | "apres-midi" | "aprem" => Part::Afternoon,
        "evening" | "soir" | "soiree" => Part::Evening,
        "night" | "nuit" => Part::Night,
        "end-of-day" => Part::EndOfDay,
        _ => return None,
    })
}

/// `tonight`, `ce soir`, `this evening`, `cet aprem`, `in the morning`,
/// `le matin`, `end of day`, `en fin de journée`; a bare `morning`/`soir`
/// only after a date (`demain soir`), so that titles keep their words.
fn part_of_day(c: &mut Cursor<'_>, dated: bool) -> Option<(Option<DateSpec>, Part)> {
    if c.eat(&["tonight"]) {
        return Some((Some(DateSpec::Today), Part::Tonight));
    }
    let end_of_day = [
        &["end", "of", "day"][..],
        &["end", "of", "the", "day"],
        &["at", "the", "end", "of", "the", "day"],
        &["by", "the", "end", "of", "the", "day"],
        &["en", "fin", "de", "journee"],
        &["fin", "de", "journee"],
        &["a", "la", "fin", "de", "la", "journee"],
        &["en", "fin", "de", "soiree"],
    ];
    if end_of_day.iter().any(|phrase| c.eat_phrase(phrase)) {
        return Some((None, Part::EndOfDay));
    }
    if c.eat(&["this", "ce", "cet", "cette"]) {
        let part = part_word(c.peek()?)?;
        c.pos += 1;
        let part = if part == Part::Evening && c.words[c.pos - 2] == "ce" { Part::Tonight } else { part };
        return Some((Some(DateSpec::Today), part));
    }
    let prefixed = c.eat_phrase(&["in", "the"])
        || c.eat(&["le", "du", "de", "au", "dans"])
        || c.eat_phrase(&["en", "fin", "de"]);
    if prefixed && c.words[c.pos - 1] == "dans" {
        c.eat(&["la"]);
    }
    let part = part_word(c.peek()?)?;
    if !prefixed && !dated {
        return None;
    }
    c.pos += 1;
    Some((None, part))
}

/// `9am`, `9:30pm`, `7.30pm`, `18:30`, `18h30`, `18h`, `9 h 30`, `noon`,
/// `midi`, `at 8` (a bare hour after at/à), `half past 3`, `quarter to 5`,
/// `5h et demie`.
fn time_of_day(c: &mut Cursor<'_>) -> Option<Clock> {
    let at = c.eat(&["at", "a", "@", "vers", "around", "by"]);
    let word = c.peek()?;
    let named = match word {
        "noon" | "midi" | "midday" => hm(12, 0),
        "midnight" | "minuit" => hm(0, 0),
        _ => None,
    };
    if let Some(time) = named {
        c.pos += 1;
        return Some(Clock { time, bare: false, spoken: false });
    }
    // `half past 3`, `quarter past 4`, `quarter to 5`.
    let offset = match (word, c.peek_at(1)) {
        ("half", Some("past")) => Some(30),
        ("quarter", Some("past")) => Some(15),
        ("quarter", Some("to")) => Some(-15),
        _ => None,
    };
    if let Some(minutes) = offset {
        c.pos += 2;
        let mut clock = c.attempt(|c| clock_word(c, true))?;
        clock.time = shift_minutes(clock.time, minutes)?;
        return Some(clock);
    }
    let mut clock = clock_word(c, at)?;
    // `5h et demie`, `à 5 heures et quart`, `6h moins le quart`.
    let extra = if c.eat_phrase(&["et", "demie"]) || c.eat_phrase(&["et", "demi"]) {
        30
    } else if c.eat_phrase(&["et", "quart"]) {
        15
    } else if c.eat_phrase(&["moins", "le", "quart"]) || c.eat_phrase(&["moins", "quart"]) {
        -15
    } else {
        0
    };
    if extra != 0 {
        if clock.time.minute() != 0 {
            return None;
        }
        clock.time = shift_minutes(clock.time, extra)?;
    }
    Some(clock)
}

fn shift_minutes(time: NaiveTime, minutes: i64) -> Option<NaiveTime> {
    let total = i64::from(time.hour()) * 60 + i64::from(time.minute()) + minutes;
    if !(0..24 * 60).contains(&total) {
        return None;
    }
    hm(u32::try_from(total / 60).ok()?, u32::try_from(total % 60).ok()?)
}

/// One clock form; `at` when it came after at/à, which lets a bare number be an hour.
fn clock_word(c: &mut Cursor<'_>, at: bool) -> Option<Clock> {
    let word = c.peek()?;
    let (core, meridiem) = match word.strip_suffix("am").or_else(|| word.strip_suffix("pm")) {
        Some(core) => (core, Some(word.ends_with("pm"))),
        None => (word, None),
    };
    let meridiem_next = c.peek_at(1).is_some_and(|w| ["am", "a.m.", "a.m", "pm", "p.m.", "p.m"].contains(&w));
    let separator = if meridiem.is_some() || meridiem_next || at {
        [':', 'h', '.'].as_slice()
    } else {
        [':', 'h'].as_slice()
    };
    let (hour, minute, fixed) = if let Some((h, m)) = core.split_once(separator) {
        let m = m.strip_suffix("min").unwrap_or(m);
        let minute = if m.is_empty() { 0 } else { number(m).filter(|_| m.len() == 2)? };
        (number(h)?, minute, core.contains('h') || h.starts_with('0'))
    } else {
        (number(core)?, 0, core.starts_with('0'))
    };
    c.pos += 1;
    let mut meridiem = meridiem;
    let mut fixed = fixed || meridiem.is_some();
    if meridiem.is_none() && core == word && !word.contains([':', 'h', '.']) {
        // A bare number: `9 am`, `9 h [30]`, `9 heures`, `7 o'clock`, or after at/à.
        if c.eat(&["o'clock", "oclock"]) {
            return Some(Clock { time: hm(hour, 0).filter(|_| hour <= 12)?, bare: true, spoken: true });
        }
        match c.peek() {
            Some("am") => meridiem = Some(false),
            Some("pm") => meridiem = Some(true),
            Some("h" | "heure") => fixed = true,
            _ if at => {}
            _ => return None,
        }
        if c.peek().is_some_and(|w| ["am", "pm", "h", "heure"].contains(&w)) {
            c.pos += 1;
            fixed = true;
        }
        if let Some(m) = c.peek().filter(|m| m.len() == 2).and_then(number)
            && fixed
            && meridiem.is_none()
        {
            c.pos += 1;
            let time = hm(hour, m)?;
            return Some(Clock { time, bare: false, spoken: false });
        }
    }
    // `8:00 am`, `7.30 p.m.`: the meridiem as a word of its own.
    if meridiem.is_none() {
        let next = match c.peek() {
            Some("am" | "a.m." | "a.m") => Some(false),
            Some("pm" | "p.m." | "p.m") => Some(true),
            _ => None,
        };
        if next.is_some() {
            c.pos += 1;
            meridiem = next;
            fixed = true;
        }
    }
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => (hour % 12) + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    let spoken = core == word && !word.contains([':', 'h', '.']);
    Some(Clock { time: hm(hour, minute)?, bare: !fixed && (1..=12).contains(&hour), spoken })
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
    if !["", "st", "nd", "rd", "th", "er", "e", "eme"].contains(&suffix) {
        return None;
    }
    number(&digits).filter(|d| (1..=31).contains(d))
}

/// A day and month as typed; a day the month does not have is `Invalid`.
fn day_month(day: u32, month: u32, year: Option<i32>) -> DateSpec {
    match year {
        Some(year) => NaiveDate::from_ymd_opt(year, month, day).map_or(DateSpec::Invalid, DateSpec::Exact),
        None => NaiveDate::from_ymd_opt(2024, month, day)
            .map_or(DateSpec::Invalid, |_| DateSpec::DayMonth { day, month }),
    }
}

fn date(c: &mut Cursor<'_>) -> Option<DateSpec> {
    for (phrase, spec) in [
        (&["next", "week"][..], DateSpec::NextWeek),
        (&["la", "semaine", "prochaine"], DateSpec::NextWeek),
        (&["semaine", "prochaine"], DateSpec::NextWeek),
        (&["this", "weekend"], DateSpec::Weekend),
        (&["ce", "week-end"], DateSpec::Weekend),
        (&["ce", "weekend"], DateSpec::Weekend),
        (&["le", "week-end"], DateSpec::Weekend),
        (&["on", "the", "last", "day", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["the", "last", "day", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["last", "day", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["le", "dernier", "jour", "du", "mois"], DateSpec::EndOfMonth),
        (&["dernier", "jour", "du", "mois"], DateSpec::EndOfMonth),
        (&["end", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["end", "of", "month"], DateSpec::EndOfMonth),
        (&["by", "the", "end", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["at", "the", "end", "of", "the", "month"], DateSpec::EndOfMonth),
        (&["a", "la", "fin", "du", "mois"], DateSpec::EndOfMonth),
        (&["fin", "du", "mois"], DateSpec::EndOfMonth),
        (&["en", "fin", "de", "mois"], DateSpec::EndOfMonth),
        (&["the", "day", "before", "yesterday"], DateSpec::Yesterday),
        (&["day", "before", "yesterday"], DateSpec::Yesterday),
        (&["apres", "demain"], DateSpec::AfterTomorrow),
        (&["the", "day", "after", "tomorrow"], DateSpec::AfterTomorrow),
        (&["day", "after", "tomorrow"], DateSpec::AfterTomorrow),
    ] {
        if c.eat_phrase(phrase) {
            return Some(spec);
        }
    }
    // `for` / `pour` lead a date (`for tomorrow`, `pour le 15`) but, before a bare
    // number, a duration (`at 3 for 2 hours`): it is no article for `le 15`.
    let for_only = matches!(c.peek(), Some("for" | "pour" | "by"));
    let article = c.eat(&["on", "le", "the", "this", "ce", "for", "pour", "by"]);
    let the = c.eat(&["the", "le"]);
    let (article, for_only) = (the || article, for_only && !the);
    let word = c.peek()?;
    let simple = match word {
        "today" | "aujourd'hui" => Some(DateSpec::Today),
        "tomorrow" | "demain" => Some(DateSpec::Tomorrow),
        "yesterday" | "hier" | "avant-hier" => Some(DateSpec::Yesterday),
        "apres-demain" => Some(DateSpec::AfterTomorrow),
        _ => None,
    };
    if let Some(spec) = simple {
        c.pos += 1;
        return Some(spec);
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
        let (year, month, day) = (number(year)?, number(month)?, number(day)?);
        c.pos += 1;
        return Some(day_month(day, month, Some(i32::try_from(year).ok()?)));
    }
    let parts: Vec<&str> = word.split('/').collect();
    if parts.len() == 2 || parts.len() == 3 {
        let day = number(parts[0])?;
        let month = number(parts[1])?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        c.pos += 1;
        return match parts.get(2) {
            Some(year) => {
                let year = i32::try_from(number(year)?).ok()?;
                Some(day_month(day, month, Some(if year < 100 { 2000 + year } else { year })))
            }
            None => Some(day_month(day, month, None)),
        };
    }
    // `24 december [2026]`, `december 24th [2026]`, `24 décembre`, `the 15th of december`.
    let (day, month) = match (ordinal(word), c.peek_at(1).and_then(month)) {
        (Some(day), Some(month)) => {
            c.pos += 2;
            (day, month)
        }
        (Some(day), None)
            if c.peek_at(1).is_some_and(|w| ["of", "de"].contains(&w))
                && c.peek_at(2).and_then(month).is_some() =>
        {
            let month = c.peek_at(2).and_then(month)?;
            c.pos += 3;
            (day, month)
        }
        (Some(day), None) => {
            // `le 15`, `on the 15th`, `the 1st`: a day of the month.
            let marked = word.len() > word.trim_end_matches(char::is_alphabetic).len();
            if !((article && !for_only) || marked) || !(1..=31).contains(&day) {
                return None;
            }
            c.pos += 1;
            return Some(DateSpec::MonthDay(day));
        }
        _ => {
            let month = month(word)?;
            let day = ordinal(c.peek_at(1)?)?;
            c.pos += 2;
            (day, month)
        }
    };
    match c.peek().and_then(number).filter(|y| *y >= 2000) {
        Some(year) => {
            c.pos += 1;
            Some(day_month(day, month, Some(i32::try_from(year).ok()?)))
        }
        None => Some(day_month(day, month, None)),
    }
}

/// A time unit, as a duration of `amount` and as the frequency it counts in.
fn unit(word: &str) -> Option<(i64, Frequency)> {
    Some(match word {
        "m" | "minute" | "minutes" => (60, Frequency::Hourly),
        "h" | "hour" | "hours" | "heure" => (3600, Frequency::Hourly),
        "d" | "j" | "day" | "days" | "jour" | "jours" => (86_400, Frequency::Daily),
        "w" | "week" | "weeks" | "semaine" | "semaines" => (7 * 86_400, Frequency::Weekly),
        _ => return None,
    })
}

/// One `amount unit` of a delay, in seconds: `2h`, `1h30`, `90 min`,
/// `an hour`, `half an hour`, `une demi-heure`, `un quart d'heure`, `1.5 hours`.
fn delay_part(c: &mut Cursor<'_>) -> Option<i64> {
    let word = c.peek()?;
    if c.eat_phrase(&["half", "an", "hour"])
        || c.eat_phrase(&["a", "half", "hour"])
        || c.eat_phrase(&["half", "hour"])
    {
        return Some(1800);
    }
    if c.eat_phrase(&["une", "demi-heure"]) || c.eat_phrase(&["demi-heure"]) {
        return Some(1800);
    }
    if c.eat_phrase(&["a", "quarter", "of", "an", "hour"]) || c.eat_phrase(&["a", "quarter", "hour"]) {
        return Some(900);
    }
    if c.eat_phrase(&["un", "quart", "d'heure"]) || c.eat_phrase(&["quart", "d'heure"]) {
        return Some(900);
    }
    // `1h30`, `1h30min`, `2h`, `30min`, `3j`, `2d`.
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() < word.len() {
        let rest = &word[digits.len()..];
        let amount = i64::from(number(&digits)?);
        c.pos += 1;
        if let Some((unit_text, minutes)) = rest.split_once('h') {
            let minutes = minutes.strip_suffix("min").unwrap_or(minutes);
            let minutes =
                if minutes.is_empty() { 0 } else { i64::from(number(minutes).filter(|m| *m < 60)?) };
            return (unit_text.is_empty()).then_some(amount * 3600 + minutes * 60);
        }
        return Some(amount * unit(rest)?.0);
    }
    // `1.5 hours`, `1,5 heure`.
    if let Some((whole, tenth)) = word.split_once(['.', ',']) {
        let (whole, tenth) = (number(whole)?, number(tenth).filter(|_| tenth.len() == 1)?);
        let (seconds, _) = unit(c.peek_at(1)?)?;
        c.pos += 2;
        return Some(i64::from(whole) * seconds + i64::from(tenth) * seconds / 10);
    }
    let amount = match word {
        "a" | "an" => 1,
        _ => small_number(word)?,
    };
    let (seconds, _) = unit(c.peek_at(1)?)?;
    c.pos += 2;
    Some(i64::from(amount) * seconds)
}

/// `in 2h`, `in 2 hours`, `dans 30 minutes`, `in 3 days`, `in 1h30`, `in an
/// hour and a half`, `dans une demi-heure`, `2 days from now`.
fn relative(c: &mut Cursor<'_>) -> Option<Duration> {
    let lead = c.eat(&["in", "dans"]);
    let mut seconds = delay_part(c)?;
    loop {
        if c.eat_phrase(&["and", "a", "half"])
            || c.eat_phrase(&["et", "demie"])
            || c.eat_phrase(&["et", "demi"])
        {
            // Half of the last unit: `an hour and a half`, `2 jours et demi`.
            let unit = if seconds % 86_400 == 0 { 86_400 } else { 3600 };
            seconds += unit / 2;
            continue;
        }
        let saved = c.pos;
        c.eat(&["and", "et"]);
        if let Some(more) = c.attempt(delay_part) {
            seconds += more;
            continue;
        }
        // `1 hour 30`: a bare number of minutes after hours.
        if let Some(minutes) = c.peek().filter(|w| w.len() == 2).and_then(number).filter(|m| *m < 60)
            && seconds % 3600 == 0
            && seconds < 86_400
        {
            c.pos += 1;
            seconds += i64::from(minutes) * 60;
            continue;
        }
        c.pos = saved;
        break;
    }
    let trailing = c.eat_phrase(&["from", "now"])
        || c.eat(&["later"])
        || c.eat_phrase(&["a", "partir", "de", "maintenant"]);
    if !(lead || trailing) {
        return None;
    }
    // Past the horizon it is still read as a time, so that it is refused, not kept in the title.
    (seconds > 0).then(|| Duration::seconds(seconds))
}

/// `every day [at 8]`, `daily`, `tous les jours`, `every monday and thursday`,
/// `chaque lundi`, `every weekday`, `weekdays at 8`, `du lundi au vendredi`,
/// `every 2 weeks`, `every other day`, `un jour sur deux`, `every month on the
/// 1st`, `tous les mois le 1er`, `every first monday of the month`, `every
/// morning at 7`, `tous les soirs`, `every hour`, `toutes les heures`, `every year`.
fn repeat(c: &mut Cursor<'_>) -> Option<(Recurrence, Option<Part>, Option<Clock>)> {
    let (rule, part) = rule(c)?;
    let part = part.or_else(|| {
        let word = c.peek()?;
        let part = part_word(word)?;
        c.pos += 1;
        Some(part)
    });
    let time = c.attempt(time_of_day);
    Some((rule, part, time))
}

fn rule(c: &mut Cursor<'_>) -> Option<(Recurrence, Option<Part>)> {
    let single = match c.peek()? {
        "hourly" => Some(Frequency::Hourly),
        "daily" | "quotidien" | "quotidiennement" => Some(Frequency::Daily),
        "weekly" | "hebdomadaire" => Some(Frequency::Weekly),
        "monthly" | "mensuel" => Some(Frequency::Monthly),
        "yearly" | "annually" | "annuel" => Some(Frequency::Yearly),
        _ => None,
    };
    if let Some(frequency) = single {
        c.pos += 1;
        return Some((Recurrence::new(frequency), None));
    }
    for phrase in [
        &["en", "semaine"][..],
        &["on", "weekdays"],
        &["weekdays"],
        &["du", "lundi", "au", "vendredi"],
        &["lundi", "au", "vendredi"],
        &["monday", "to", "friday"],
        &["mon-fri"],
        &["monday", "through", "friday"],
    ] {
        if c.eat_phrase(phrase) {
            return Some((weekdays_rule(), None));
        }
    }
    // `un jour sur deux`, `une semaine sur deux`.
    if let (Some(one), Some(unit_word), Some("sur"), Some(n)) =
        (c.peek(), c.peek_at(1), c.peek_at(2), c.peek_at(3))
        && ["un", "une"].contains(&one)
        && let Some(n) = small_number(n).filter(|n| (2..=31).contains(n))
        && let Some(mut rule) = unit_rule(unit_word)
    {
        c.pos += 4;
        rule.interval = n;
        return Some((rule, None));
    }
    let every = c.eat(&["every", "each", "chaque"]) || (c.eat(&["tous", "toutes"]) && c.eat(&["les"]));
    if !every {
        return None;
    }
    let interval = if c.eat(&["other", "second"]) {
        Some(2)
    } else {
        let n = c.peek().and_then(small_number).filter(|n| (2..=366).contains(n));
        if n.is_some() {
            c.pos += 1;
        }
        n
    };
    // `every first monday of the month`, `chaque premier lundi du mois`.
    let nth = match c.peek()? {
        "first" | "premier" | "1st" | "1er" => Some(1),
        "second" | "deuxieme" | "2nd" | "2e" => Some(2),
        "third" | "troisieme" | "3rd" | "3e" => Some(3),
        "fourth" | "quatrieme" | "4th" | "4e" => Some(4),
        "last" | "dernier" => Some(-1),
        _ => None,
    };
    if let Some(nth) = nth
        && let Some(day) = c.peek_at(1).and_then(weekday)
    {
        c.pos += 2;
        if !(c.eat_phrase(&["of", "the", "month"])
            || c.eat_phrase(&["of", "every", "month"])
            || c.eat_phrase(&["du", "mois"])
            || c.eat_phrase(&["de", "chaque", "mois"]))
        {
            return None;
        }
        let mut rule = Recurrence::new(Frequency::Monthly);
        rule.weekdays = vec![day];
        rule.week_of_month = Some(nth);
        return Some((rule, None));
    }
    // `tous les 1er du mois`, `every 15th of the month`.
    if let Some(day) = c.peek().and_then(ordinal).filter(|_| interval.is_none())
        && (c.peek_at(1) == Some("du") || c.peek_at(1) == Some("of"))
    {
        c.pos += 2;
        c.eat(&["the", "each", "every"]);
        if !c.eat(&["mois", "month"]) {
            return None;
        }
        let mut rule = Recurrence::new(Frequency::Monthly);
        rule.month_day = Some(day);
        return Some((rule, None));
    }
    let word = c.peek()?;
    if let Some(part) = part_word(word) {
        c.pos += 1;
        let mut rule = Recurrence::new(Frequency::Daily);
        rule.interval = interval.unwrap_or(1);
        return Some((rule, Some(part)));
    }
    let mut rule = match word {
        "day" | "days" | "jour" | "jours" => {
            c.pos += 1;
            if c.eat(&["ouvres", "ouvrables"]) { weekdays_rule() } else { Recurrence::new(Frequency::Daily) }
        }
        "weekday" | "weekdays" => {
            c.pos += 1;
            weekdays_rule()
        }
        "hour" | "hours" | "heure" => {
            c.pos += 1;
            Recurrence::new(Frequency::Hourly)
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
    Some((rule, None))
}

fn unit_rule(word: &str) -> Option<Recurrence> {
    Some(Recurrence::new(match word {
        "jour" | "day" => Frequency::Daily,
        "semaine" | "week" => Frequency::Weekly,
        "mois" | "month" => Frequency::Monthly,
        _ => return None,
    }))
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

/// `until 2026-12-31`, `jusqu'au 31/12`, `jusqu'à vendredi`, `until 20 december`.
fn until(c: &mut Cursor<'_>) -> Option<DateSpec> {
    if !(c.eat(&["until", "till", "jusqu'au", "jusqu'a", "jusqu'", "through"])
        || (c.eat(&["jusque"]) && c.eat(&["au"])))
    {
        return None;
    }
    date(c)
}

/// `for 5 days`, `pendant 2 semaines` without a repetition: a span of whole
/// days (hours are how long something lasts: `meeting at 3 for 2 hours`).
fn days_long(c: &mut Cursor<'_>) -> Option<Span> {
    if !matches!(c.peek()?, "for" | "pendant" | "durant") {
        return None;
    }
    match count(c)? {
        span @ Span::For(_, Frequency::Daily | Frequency::Weekly) => Some(span),
        _ => None,
    }
}

/// `3 times`, `for 10 times`, `5 fois`, `for 5 days`, `pendant 5 jours`.
fn count(c: &mut Cursor<'_>) -> Option<Span> {
    let lead = c.eat(&["for", "pendant", "durant"]);
    let n = small_number(c.peek()?).filter(|n| (1..=1000).contains(n))?;
    c.pos += 1;
    if c.eat(&["times", "fois", "occurrences"]) {
        return Some(Span::Times(n));
    }
    let (_, frequency) = unit(c.peek()?).filter(|_| lead)?;
    c.pos += 1;
    Some(Span::For(n, frequency))
}

#[cfg(test)]
mod tests;
