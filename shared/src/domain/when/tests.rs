use chrono::{NaiveDate, TimeZone as _, Timelike, Utc};
use proptest::prelude::*;

use super::*;

fn paris() -> TimeZone {
    TimeZone::parse("Europe/Paris").unwrap()
}

fn new_york() -> TimeZone {
    TimeZone::parse("America/New_York").unwrap()
}

/// Thursday 26 November 2026, 10:00 in Paris.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

fn due(text: &str) -> (String, Due) {
    let task = parse_task(text, now(), paris()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    (task.title, task.due.unwrap_or_else(|| panic!("{text}: no due time")))
}

#[track_caller]
fn assert_once(text: &str, title: &str, expected: NaiveDateTime) {
    let (got_title, due) = due(text);
    assert_eq!(got_title, title, "{text}");
    assert_eq!(due.local, expected, "{text}");
    assert_eq!(due.at, to_utc(paris(), expected), "{text}");
    assert_eq!(due.recurrence, None, "{text}");
}

#[test]
fn single_times_in_english_and_french() {
    assert_once("call mom tomorrow 9am", "call mom", local(2026, 11, 27, 9, 0));
    assert_once("appeler maman demain 9h", "appeler maman", local(2026, 11, 27, 9, 0));
    assert_once("gym at 18:30", "gym", local(2026, 11, 26, 18, 30));
    assert_once("sport à 18h30", "sport", local(2026, 11, 26, 18, 30));
    assert_once("meeting friday 14:00", "meeting", local(2026, 11, 27, 14, 0));
    assert_once("réunion vendredi 14h", "réunion", local(2026, 11, 27, 14, 0));
    assert_once("review next monday", "review", local(2026, 11, 30, 9, 0));
    assert_once("bilan lundi prochain", "bilan", local(2026, 11, 30, 9, 0));
    assert_once("party 2026-12-24 18:00", "party", local(2026, 12, 24, 18, 0));
    assert_once("réveillon 24/12 18h", "réveillon", local(2026, 12, 24, 18, 0));
    assert_once("dentist 3 december 2:30pm", "dentist", local(2026, 12, 3, 14, 30));
    assert_once("dentiste le 3 décembre à 14h30", "dentiste", local(2026, 12, 3, 14, 30));
    assert_once("tomorrow at noon lunch with Ana", "lunch with Ana", local(2026, 11, 27, 12, 0));
}

#[test]
fn relative_times() {
    for text in ["water plants in 2h", "water plants in 2 hours", "arroser dans 2 heures", "arroser dans 2h"]
    {
        let (_, due) = due(text);
        assert_eq!(due.at, now() + Duration::hours(2), "{text}");
    }
    assert_eq!(due("tea in 30 min").1.at, now() + Duration::minutes(30));
    assert_eq!(due("dans 3 jours relancer Paul").0, "relancer Paul");
}

#[test]
fn a_time_already_passed_today_means_tomorrow() {
    assert_once("standup at 9am", "standup", local(2026, 11, 27, 9, 0));
    assert_once("standup à 9h", "standup", local(2026, 11, 27, 9, 0));
}

#[test]
fn a_date_in_the_past_is_refused() {
    let result = parse_task("report 2026-01-01 10:00", now(), paris());
    assert!(matches!(result, Err(WhenError::InPast { .. })), "{result:?}");
    let result = parse_task("report today 8am", now(), paris());
    assert!(matches!(result, Err(WhenError::InPast { .. })), "{result:?}");
}

#[test]
fn a_year_less_date_that_passed_is_next_year() {
    assert_once("anniversary 01/03", "anniversary", local(2027, 3, 1, 9, 0));
}

#[test]
fn a_year_less_date_that_just_passed_is_refused_not_moved_a_year() {
    // Issue 10: "on 2 december" typed on 3 December was saved for next year.
    for text in
        ["call mom on 25 november", "appeler maman le 25 novembre", "report 20/11 10h", "party 26/11 8am"]
    {
        let result = parse_task(text, now(), paris());
        assert!(matches!(result, Err(WhenError::InPast { .. })), "{text}: {result:?}");
    }
    // Passed over a month ago: next year's, as before.
    assert_once("party 20/10 8pm", "party", local(2027, 10, 20, 20, 0));
    // A yearly series on a date just passed starts next year.
    let (_, due) = due("birthday every year on 25 november");
    assert_eq!(due.local.date(), NaiveDate::from_ymd_opt(2027, 11, 25).unwrap());
}

#[test]
fn a_span_of_days_with_a_time_of_day_repeats_daily_that_long() {
    // Issue 10: "pendant 5 jours à 8h pilule" was saved once, "pendant 5 jours" left in the title.
    for (text, title, count) in [
        ("pendant 5 jours à 8h pilule", "pilule", 5),
        ("pilule à 8h pendant 5 jours", "pilule", 5),
        ("pills at 8am for 5 days", "pills", 5),
        ("stretch every morning for 2 weeks", "stretch", 14),
        ("walk tonight for 3 days", "walk", 3),
        ("yoga friday at 7 for 3 days", "yoga", 3),
    ] {
        let (got, due) = due(text);
        assert_eq!(got, title, "{text}");
        let rule = due.recurrence.unwrap_or_else(|| panic!("{text}: no repetition"));
        assert_eq!((rule.frequency, rule.count), (Frequency::Daily, Some(count)), "{text}");
    }
    // A duration after a time is not a day of the month (it was: "meeting hours" on 2 January).
    assert_once("meeting at 3 for 2 hours", "meeting for 2 hours", local(2026, 11, 26, 15, 0));
    assert_once("call at 5 for 10 minutes", "call for 10 minutes", local(2026, 11, 26, 17, 0));
    assert_once("pay for the 15th", "pay", local(2026, 12, 15, 9, 0));
    assert_once("rdv pour le 15", "rdv", local(2026, 12, 15, 9, 0));
    assert_once("submit taxes by april 15", "submit taxes", local(2027, 4, 15, 9, 0));
    assert_once("finish report by 5pm", "finish report", local(2026, 11, 26, 17, 0));
    // "de l'après-midi" ("l'après-midi sieste" at 03:00 was saved).
    assert_once("à 3h de l'après-midi sieste", "sieste", local(2026, 11, 26, 15, 0));
    assert_once("goûter à 4h de l'aprem", "goûter", local(2026, 11, 26, 16, 0));
    assert_once("appeler à 9h du soir", "appeler", local(2026, 11, 26, 21, 0));
    assert_once("pay card on the last day of the month", "pay card", local(2026, 11, 30, 9, 0));
    assert_once("payer la carte le dernier jour du mois", "payer la carte", local(2026, 11, 30, 9, 0));
    // A meridiem as its own word ("am run" at 20:00 was saved).
    assert_once("at 8:00 am run", "run", local(2026, 11, 27, 8, 0));
    assert_once("dinner 7.30 pm", "dinner", local(2026, 11, 26, 19, 30));
    assert_once("call at 10:15 p.m.", "call", local(2026, 11, 26, 22, 15));
    assert_once("pour demain acheter du pain", "acheter du pain", local(2026, 11, 27, 9, 0));
    // Without a time of day, a span is how long something lasts: a to-do.
    for text in ["pack clothes for 5 days", "meeting at 3 for 2 hours"] {
        let task = parse_task(text, now(), paris());
        assert!(
            matches!(&task, Ok(t) if t.due.as_ref().is_none_or(|d| d.recurrence.is_none())),
            "{text}: {task:?}"
        );
    }
}

#[test]
fn leap_day_without_a_year_is_the_next_leap_year() {
    assert_once("leap party 29/02 10h", "leap party", local(2028, 2, 29, 10, 0));
    assert_once("leap party 2028-02-29 10:00", "leap party", local(2028, 2, 29, 10, 0));
}

#[test]
fn no_time_is_a_plain_to_do() {
    let task = parse_task("buy milk", now(), paris()).unwrap();
    assert_eq!((task.title.as_str(), task.due), ("buy milk", None));
    let task = parse_task("read every page of chapter 3", now(), paris()).unwrap();
    assert_eq!(task.due, None);
}

#[test]
fn unreadable_times_and_empty_titles_are_refused() {
    assert_eq!(parse_task("meet at 25h", now(), paris()), Err(WhenError::Unreadable));
    assert_eq!(parse_task("call at 14:75", now(), paris()), Err(WhenError::Unreadable));
    assert_eq!(parse_task("tomorrow 9am", now(), paris()), Err(WhenError::NoTitle));
    assert_eq!(parse_task("   ", now(), paris()), Err(WhenError::NoTitle));
}

fn series(text: &str) -> (String, Due, Recurrence) {
    let (title, due) = due(text);
    let rule = due.recurrence.clone().unwrap_or_else(|| panic!("{text}: not recurring"));
    (title, due, rule)
}

#[test]
fn recurrence_in_english_and_french() {
    let cases = [
        ("stretch every day at 8", "stretch", "FREQ=DAILY", local(2026, 11, 27, 8, 0)),
        ("étirements tous les jours à 8h", "étirements", "FREQ=DAILY", local(2026, 11, 27, 8, 0)),
        ("gym every monday and thursday 19:00", "gym", "FREQ=WEEKLY;BYDAY=MO,TH", local(2026, 11, 26, 19, 0)),
        ("poubelles chaque lundi", "poubelles", "FREQ=WEEKLY;BYDAY=MO", local(2026, 11, 30, 9, 0)),
        ("plants every 2 weeks", "plants", "FREQ=WEEKLY;INTERVAL=2", local(2026, 11, 27, 9, 0)),
        ("rent every month on the 1st", "rent", "FREQ=MONTHLY;BYMONTHDAY=1", local(2026, 12, 1, 9, 0)),
        ("loyer tous les mois le 1er", "loyer", "FREQ=MONTHLY;BYMONTHDAY=1", local(2026, 12, 1, 9, 0)),
        (
            "standup every weekday at 9:30",
            "standup",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            local(2026, 11, 27, 9, 30),
        ),
        ("daily review at 17h", "review", "FREQ=DAILY", local(2026, 11, 26, 17, 0)),
    ];
    for (text, title, rule, first) in cases {
        let (got_title, due, got_rule) = series(text);
        assert_eq!(got_title, title, "{text}");
        assert_eq!(got_rule.to_string(), rule, "{text}");
        assert_eq!(due.local, first, "{text}");
    }
}

#[test]
fn until_and_count_end_a_series() {
    for text in ["pills every day at 8 until 2026-12-31", "médicaments tous les jours à 8h jusqu'au 31/12"]
    {
        let (_, due, rule) = series(text);
        let all: Vec<_> = rule.occurrences_after(due.local, paris(), now()).collect();
        assert_eq!(all.len(), 35, "{text}: 27 Nov to 31 Dec");
        assert_eq!(all.last().unwrap().with_timezone(&paris().tz()).naive_local(), local(2026, 12, 31, 8, 0));
    }
    for text in ["pills every day at 8 for 5 times", "médicaments tous les jours à 8h 5 fois"] {
        let (_, due, rule) = series(text);
        assert_eq!(rule.count, Some(5), "{text}");
        assert_eq!(rule.occurrences_after(due.local, paris(), now()).count(), 5, "{text}");
    }
}

#[test]
fn daily_series_keep_their_wall_clock_time_across_dst() {
    for (tz, change) in
        [(paris(), NaiveDate::from_ymd_opt(2027, 3, 28)), (new_york(), NaiveDate::from_ymd_opt(2027, 3, 14))]
    {
        let change = change.unwrap();
        let start = (change - Duration::days(3)).and_hms_opt(9, 0, 0).unwrap();
        let rule = Recurrence::new(Frequency::Daily);
        let times: Vec<_> = rule
            .occurrences_after(start, tz, to_utc(tz, start) - Duration::seconds(1))
            .take(7)
            .map(|at| at.with_timezone(&tz.tz()))
            .collect();
        assert!(times.iter().all(|t| t.hour() == 9 && t.minute() == 0), "{times:?}");
        let offsets: Vec<_> = times.iter().map(|t| t.offset().to_string()).collect();
        assert_ne!(offsets.first(), offsets.last(), "the UTC offset changes across {change}");
    }
}

#[test]
fn dst_gaps_move_forward_and_overlaps_take_the_first() {
    // Paris springs forward from 02:00 to 03:00 on 28 March 2027.
    let gap = to_utc(paris(), local(2027, 3, 28, 2, 30));
    assert_eq!(gap.with_timezone(&paris().tz()).naive_local(), local(2027, 3, 28, 3, 0));
    // New York too, on 14 March 2027.
    let gap = to_utc(new_york(), local(2027, 3, 14, 2, 30));
    assert_eq!(gap.with_timezone(&new_york().tz()).naive_local(), local(2027, 3, 14, 3, 0));
    // Paris falls back from 03:00 to 02:00 on 31 October 2027: 02:30 happens twice.
    let overlap = to_utc(paris(), local(2027, 10, 31, 2, 30));
    assert_eq!(overlap, Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap());
}

#[test]
fn monthly_on_the_31st_skips_short_months() {
    let mut rule = Recurrence::new(Frequency::Monthly);
    rule.month_day = Some(31);
    let dates: Vec<_> = rule
        .occurrences_after(local(2026, 12, 31, 9, 0), paris(), now())
        .take(3)
        .map(|at| at.with_timezone(&paris().tz()).date_naive())
        .collect();
    let expected: Vec<_> = [(2026, 12, 31), (2027, 1, 31), (2027, 3, 31)]
        .iter()
        .map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d).unwrap())
        .collect();
    assert_eq!(dates, expected);
}

proptest! {
    #[test]
    fn any_text_gets_an_answer_without_panicking(text in "\\PC{0,80}") {
        let _ = parse_task(&text, now(), paris());
    }

    #[test]
    fn in_n_minutes_is_exactly_n_minutes_later(n in 1u32..100_000, french in any::<bool>()) {
        let text = if french { format!("tâche dans {n} minutes") } else { format!("task in {n} minutes") };
        let task = parse_task(&text, now(), paris()).unwrap();
        prop_assert_eq!(task.due.unwrap().at, now() + Duration::minutes(i64::from(n)));
    }

    #[test]
    fn a_typed_time_tomorrow_lands_on_that_wall_clock_time(h in 0u32..24, m in 0u32..60, minutes in 0i64..(5 * 365 * 24 * 60)) {
        let now = now() + Duration::minutes(minutes);
        for tz in [paris(), new_york()] {
            let text = format!("ping tomorrow {h:02}:{m:02}");
            let due = parse_task(&text, now, tz).unwrap().due.unwrap();
            prop_assert!(due.at > now);
            let shown = due.at.with_timezone(&tz.tz());
            let tomorrow = now.with_timezone(&tz.tz()).date_naive() + Duration::days(1);
            prop_assert_eq!(shown.date_naive(), tomorrow);
            // Only a DST gap may move it, forward, by the gap.
            let asked = tomorrow.and_hms_opt(h, m, 0).unwrap();
            let moved = shown.naive_local() - asked;
            prop_assert!(moved >= Duration::zero() && moved <= Duration::hours(1), "{} -> {}", asked, shown);
        }
    }
}

#[test]
fn dates_beyond_the_horizon_are_refused_not_computed() {
    // Issue 9.1: this overflowed chrono in `to_utc` and aborted the process.
    for text in [
        "pay the bill 31/12/262142 11pm",
        "pay the bill 262142-12-31 23:00",
        "pay the bill 31/12/9999",
        "pay the bill 1 january 10000",
        "pay the bill 2040-01-01",
        "sauvegarde tous les jours à 8h jusqu'au 31/12/262142",
    ] {
        for tz in [new_york(), paris(), TimeZone::UTC] {
            assert_eq!(parse_task(text, now(), tz), Err(WhenError::TooFar), "{text} in {tz}");
        }
    }
    assert!(parse_due("31/12/262142 11pm", now(), new_york()).is_err());
    // Ten years ahead is still fine.
    assert_once("renew passport 2036-11-01 10:00", "renew passport", local(2036, 11, 1, 10, 0));
}

#[test]
fn a_relative_time_beyond_the_horizon_is_refused_not_kept_in_the_title() {
    // Issue 9.14: `x in 3661 days` was saved as a to-do titled "x in 3661 days".
    for text in ["x in 3661 days", "x dans 3661 jours", "x in 999999 weeks", "in 600 weeks x"] {
        assert_eq!(parse_task(text, now(), paris()), Err(WhenError::TooFar), "{text}");
    }
}

/// Every zone Linklet knows, for the extreme-date property below.
fn any_zone() -> impl Strategy<Value = TimeZone> {
    (0..chrono_tz::TZ_VARIANTS.len()).prop_map(|i| TimeZone::parse(chrono_tz::TZ_VARIANTS[i].name()).unwrap())
}

proptest! {
    #[test]
    fn extreme_dates_in_every_zone_get_an_answer_without_panicking(
        tz in any_zone(),
        year in prop_oneof![0i64..3000, 9990i64..10010, 262_000i64..262_200, 999_990i64..1_000_000],
        month in 1u32..=13,
        day in 1u32..=32,
        hour in 0u32..=24,
        form in 0usize..4,
    ) {
        let text = match form {
            0 => format!("x {day}/{month}/{year} {hour}:00"),
            1 => format!("x {year}-{month:02}-{day:02} {hour}:00"),
            2 => format!("every day until {day}/{month}/{year}"),
            _ => format!("x le {day} décembre {year} à {hour}h"),
        };
        if let Ok(TaskText { due: Some(due), .. }) = parse_task(&text, now(), tz) {
            prop_assert!(due.at > now() && due.at <= now() + HORIZON, "{text}: {:?}", due.at);
        }
    }
}

/// Issue 10: the phrasings people type, by category, in both languages.
/// `now()` is Thursday 26 November 2026, 10:00 in Paris.
#[test]
fn everyday_phrasings_land_on_the_time_people_mean() {
    let cases: &[(&str, &str, NaiveDateTime)] = &[
        // Parts of the day.
        ("buy milk tonight", "buy milk", local(2026, 11, 26, 20, 0)),
        ("acheter du lait ce soir", "acheter du lait", local(2026, 11, 26, 20, 0)),
        ("call Ana this evening at 8", "call Ana", local(2026, 11, 26, 20, 0)),
        ("appeler Ana ce soir à 8h", "appeler Ana", local(2026, 11, 26, 20, 0)),
        ("gym tomorrow morning", "gym", local(2026, 11, 27, 9, 0)),
        ("sport demain matin", "sport", local(2026, 11, 27, 9, 0)),
        ("dentist tomorrow afternoon", "dentist", local(2026, 11, 27, 15, 0)),
        ("courses cet aprem", "courses", local(2026, 11, 26, 15, 0)),
        ("déjeuner midi", "déjeuner", local(2026, 11, 26, 12, 0)),
        ("lunch at noon", "lunch", local(2026, 11, 26, 12, 0)),
        ("backup at midnight", "backup", local(2026, 11, 27, 0, 0)),
        ("send report end of day", "send report", local(2026, 11, 26, 18, 0)),
        ("envoyer le rapport en fin de journée", "envoyer le rapport", local(2026, 11, 26, 18, 0)),
        ("call mom tomorrow evening", "call mom", local(2026, 11, 27, 19, 0)),
        ("appeler maman demain soir 21h", "appeler maman", local(2026, 11, 27, 21, 0)),
        // Durations and fractions.
        ("tea in half an hour", "tea", local(2026, 11, 26, 10, 30)),
        ("stand up in an hour", "stand up", local(2026, 11, 26, 11, 0)),
        ("leave in 1h30", "leave", local(2026, 11, 26, 11, 30)),
        ("partir dans 1h30", "partir", local(2026, 11, 26, 11, 30)),
        ("thé dans une demi-heure", "thé", local(2026, 11, 26, 10, 30)),
        ("pause dans un quart d'heure", "pause", local(2026, 11, 26, 10, 15)),
        ("nap in an hour and a half", "nap", local(2026, 11, 26, 11, 30)),
        ("follow up 2 days from now", "follow up", local(2026, 11, 28, 10, 0)),
        ("relancer Paul dans 2 jours à 10h", "relancer Paul", local(2026, 11, 28, 10, 0)),
        ("check in 3 days at 9am", "check", local(2026, 11, 29, 9, 0)),
        ("facture après-demain", "facture", local(2026, 11, 28, 9, 0)),
        // Weeks and months.
        ("plan next week", "plan", local(2026, 11, 30, 9, 0)),
        ("planifier la semaine prochaine", "planifier", local(2026, 11, 30, 9, 0)),
        ("invoice on the 15th", "invoice", local(2026, 12, 15, 9, 0)),
        ("rendez-vous le 15 à 10h", "rendez-vous", local(2026, 12, 15, 10, 0)),
        ("rdv le 28 à 10h", "rdv", local(2026, 11, 28, 10, 0)),
        ("pay the card end of the month", "pay the card", local(2026, 11, 30, 9, 0)),
        ("payer la carte fin du mois", "payer la carte", local(2026, 11, 30, 9, 0)),
        ("party the 24th of december at 7pm", "party", local(2026, 12, 24, 19, 0)),
        ("cadeau le 1er décembre", "cadeau", local(2026, 12, 1, 9, 0)),
        // Clock forms and bare hours.
        ("dinner 7.30pm", "dinner", local(2026, 11, 26, 19, 30)),
        ("réunion à 9 h 30", "réunion", local(2026, 11, 27, 9, 30)),
        ("film 21h", "film", local(2026, 11, 26, 21, 0)),
        ("meeting at 2", "meeting", local(2026, 11, 26, 14, 0)),
        ("call at 5", "call", local(2026, 11, 26, 17, 0)),
        ("rappeler Luc à 3", "rappeler Luc", local(2026, 11, 26, 15, 0)),
        ("call the bank at 8", "call the bank", local(2026, 11, 26, 20, 0)),
        ("call the bank tomorrow at 8", "call the bank", local(2026, 11, 27, 8, 0)),
        ("coffee at 11", "coffee", local(2026, 11, 26, 11, 0)),
        ("train at 02:30", "train", local(2026, 11, 27, 2, 30)),
        ("tea half past 3", "tea", local(2026, 11, 26, 15, 30)),
        ("leave at quarter to 5", "leave", local(2026, 11, 26, 16, 45)),
        ("goûter à 4h et demie", "goûter", local(2026, 11, 27, 4, 30)),
        // Typos, abbreviations and invisible characters.
        ("call mom tmrw 9am", "call mom", local(2026, 11, 27, 9, 0)),
        ("call mom tommorow at 9am", "call mom", local(2026, 11, 27, 9, 0)),
        ("appeler maman demin 9h", "appeler maman", local(2026, 11, 27, 9, 0)),
        ("gym wendsday 18:00", "gym", local(2026, 12, 2, 18, 0)),
        ("piscine mecredi 18h", "piscine", local(2026, 12, 2, 18, 0)),
        ("ménage aujourdhui 17h", "ménage", local(2026, 11, 26, 17, 0)),
        ("call\u{200B} mom\u{00A0}\u{00A0}tomorrow\u{200F} 9am", "call mom", local(2026, 11, 27, 9, 0)),
        ("water   the    plants tomorrow 9am", "water the plants", local(2026, 11, 27, 9, 0)),
        ("remind me to call mom at 6pm", "call mom", local(2026, 11, 26, 18, 0)),
        ("rappelle-moi d'appeler maman à 18h", "appeler maman", local(2026, 11, 26, 18, 0)),
        // Today whenever the time is still ahead.
        ("call the plumber today", "call the plumber", local(2026, 11, 26, 11, 0)),
        ("appeler le plombier aujourd'hui", "appeler le plombier", local(2026, 11, 26, 11, 0)),
        // The time inside the sentence, or in two pieces around a word.
        ("remind me in 2h to stretch", "stretch", local(2026, 11, 26, 12, 0)),
        ("rappelle-moi demain à 9h d'appeler le médecin", "appeler le médecin", local(2026, 11, 27, 9, 0)),
        ("call mom tomorrow about the party", "call mom about the party", local(2026, 11, 27, 9, 0)),
        ("call mom tonight maybe", "call mom maybe", local(2026, 11, 26, 20, 0)),
        (
            "appeler maman demain pour son anniversaire à 9h",
            "appeler maman pour son anniversaire",
            local(2026, 11, 27, 9, 0),
        ),
        ("dinner on friday with the team at 8", "dinner with the team", local(2026, 11, 27, 20, 0)),
        ("ping at 7 o'clock in the evening maybe", "ping maybe", local(2026, 11, 26, 19, 0)),
        ("wake up tomorrow at 7 o'clock", "wake up", local(2026, 11, 27, 7, 0)),
        ("dîner chez Léa vendredi à 8", "dîner chez Léa", local(2026, 11, 27, 20, 0)),
        ("envoyer le devis à 15h au client", "envoyer le devis au client", local(2026, 11, 26, 15, 0)),
    ];
    for (text, title, expected) in cases {
        assert_once(text, title, *expected);
    }
}

#[test]
fn everyday_repetitions_in_both_languages() {
    let cases: &[(&str, &str, &str, NaiveDateTime)] = &[
        ("water plants every other day", "water plants", "FREQ=DAILY;INTERVAL=2", local(2026, 11, 27, 9, 0)),
        ("arroser un jour sur deux", "arroser", "FREQ=DAILY;INTERVAL=2", local(2026, 11, 27, 9, 0)),
        ("standup weekdays at 8", "standup", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", local(2026, 11, 27, 8, 0)),
        (
            "réunion du lundi au vendredi à 9h",
            "réunion",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            local(2026, 11, 27, 9, 0),
        ),
        ("run every morning at 7", "run", "FREQ=DAILY", local(2026, 11, 27, 7, 0)),
        ("lire tous les soirs", "lire", "FREQ=DAILY", local(2026, 11, 26, 19, 0)),
        ("drink water every hour", "drink water", "FREQ=HOURLY", local(2026, 11, 26, 11, 0)),
        ("boire de l'eau toutes les heures", "boire de l'eau", "FREQ=HOURLY", local(2026, 11, 26, 11, 0)),
        (
            "review every first monday of the month",
            "review",
            "FREQ=MONTHLY;BYDAY=1MO",
            local(2026, 12, 7, 9, 0),
        ),
        ("bilan chaque premier lundi du mois", "bilan", "FREQ=MONTHLY;BYDAY=1MO", local(2026, 12, 7, 9, 0)),
        (
            "call grandma every sunday evening",
            "call grandma",
            "FREQ=WEEKLY;BYDAY=SU",
            local(2026, 11, 29, 19, 0),
        ),
        (
            "pay rent on the 1st of every month",
            "pay rent",
            "FREQ=MONTHLY;BYMONTHDAY=1",
            local(2026, 12, 1, 9, 0),
        ),
        (
            "payer le loyer le 1er de chaque mois",
            "payer le loyer",
            "FREQ=MONTHLY;BYMONTHDAY=1",
            local(2026, 12, 1, 9, 0),
        ),
        ("loyer tous les 1er du mois", "loyer", "FREQ=MONTHLY;BYMONTHDAY=1", local(2026, 12, 1, 9, 0)),
        ("pills every day at 8 for 5 days", "pills", "FREQ=DAILY;COUNT=5", local(2026, 11, 27, 8, 0)),
        (
            "cachets tous les jours à 8h pendant 5 jours",
            "cachets",
            "FREQ=DAILY;COUNT=5",
            local(2026, 11, 27, 8, 0),
        ),
    ];
    for (text, title, rule, first) in cases {
        let (got_title, due) = due(text);
        let got_rule = due.recurrence.clone().unwrap_or_else(|| panic!("{text}: not recurring"));
        assert_eq!((got_title.as_str(), got_rule.to_string().as_str()), (*title, *rule), "{text}");
        assert_eq!(due.local, *first, "{text}");
    }
    for text in ["vitamins every day until 20 december", "vitamines tous les jours jusqu'au 20 décembre"] {
        let (_, due) = due(text);
        let rule = due.recurrence.clone().unwrap();
        let all: Vec<_> = rule.occurrences_after(due.local, paris(), now()).collect();
        assert_eq!(all.len(), 24, "{text}: 27 Nov to 20 Dec");
    }
}

/// Never a ✅ with a wrong time: what cannot be read right is refused.
#[test]
fn what_is_not_read_right_is_refused_never_saved_wrong() {
    for text in ["report yesterday at 5pm", "rapport hier à 17h"] {
        assert!(matches!(parse_task(text, now(), paris()), Err(WhenError::InPast { .. })), "{text}");
    }
    for text in [
        "party 30 février",
        "party 31/04",
        "buy the friday paper later maybe",
        "call dans 3 semaines ou 4",
        "call mom tomorrow or friday",
        "appeler maman à 5 ou 6",
        "gym every blue moon at 7",
        "sieste de l'après-midi à 3h le matin",
        "meds at 8 and 20",
        "médicaments à 8h et 20h",
    ] {
        let result = parse_task(text, now(), paris());
        assert!(result.is_err(), "{text}: {result:?}");
    }
    // Words that only look like a time in a title that has none stay a to-do.
    for text in [
        "read every page of chapter 3",
        "buy a sundae",
        "watch the morning show",
        "buy a 2 liter bottle of water",
        "read chapter 5 of the book",
    ] {
        let task = parse_task(text, now(), paris()).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(task.due, None, "{text}");
    }
}

/// After 20:00, `today` and `tonight` are still accepted while the day lasts.
#[test]
fn today_and_tonight_are_accepted_while_the_day_lasts() {
    let late = Utc.with_ymd_and_hms(2026, 11, 26, 20, 30, 0).unwrap(); // 21:30 in Paris
    for (text, hour) in [("buy milk tonight", 22), ("call the plumber today", 22), ("lait ce soir", 22)] {
        let due = parse_task(text, late, paris()).unwrap().due.unwrap();
        assert_eq!(due.local, local(2026, 11, 26, hour, 0), "{text}");
    }
    let midnight = Utc.with_ymd_and_hms(2026, 11, 26, 22, 40, 0).unwrap(); // 23:40 in Paris
    assert!(matches!(parse_task("buy milk today", midnight, paris()), Err(WhenError::InPast { .. })));
}
