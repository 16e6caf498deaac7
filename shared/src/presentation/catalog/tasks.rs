//! The texts of tasks and reminders, in English and French.

use chrono::{DateTime, Datelike, Utc, Weekday};

use super::escape;
use crate::domain::{
    Language, TimeZone,
    recurrence::{Frequency, Recurrence},
    task::{LimitReached, Task, TaskNumber},
};

/// A task text, with the values it shows.
#[derive(Debug, Clone)]
pub enum TaskMsg<'a> {
    Created {
        task: &'a Task,
        recurrence: Option<&'a Recurrence>,
        tz: TimeZone,
    },
    Usage,
    Unreadable,
    InPast {
        at: DateTime<Utc>,
        tz: TimeZone,
    },
    NeverOccurs,
    TooFar,
    TitleTooLong {
        max: usize,
    },
    Limit(LimitReached),
    List {
        tasks: &'a [Task],
        page: usize,
        pages: usize,
        tz: TimeZone,
        /// What is due before this is marked overdue.
        now: DateTime<Utc>,
    },
    Empty,
    Done {
        task: &'a Task,
        next: Option<DateTime<Utc>>,
        tz: TimeZone,
    },
    /// Done before: a second tap, or an old reminder's.
    AlreadyDone {
        task: &'a Task,
    },
    Deleted {
        task: &'a Task,
    },
    Snoozed {
        task: &'a Task,
        tz: TimeZone,
    },
    Rescheduled {
        task: &'a Task,
        tz: TimeZone,
    },
    /// `/edit` gave a task a new repetition.
    Repeats {
        task: &'a Task,
        rule: &'a Recurrence,
        tz: TimeZone,
    },
    /// `/edit` on a task already finished.
    EditFinished {
        task: &'a Task,
    },
    NotFound {
        number: TaskNumber,
    },
    NumberUsage {
        command: &'a str,
    },
    AskTime {
        number: TaskNumber,
    },
    /// After a new time that could not be read.
    TimeKept {
        number: TaskNumber,
    },
    Reminder {
        task: &'a Task,
        late: bool,
        tz: TimeZone,
    },
    ButtonDone,
    ButtonSnooze {
        minutes: u32,
    },
    ButtonTomorrow,
    ButtonEditTime,
    /// A to-do's ✏️: it has no time yet.
    ButtonSetTime,
    ButtonDelete,
    ButtonPrevious,
    ButtonNext,
}

impl TaskMsg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (TaskMsg::Created { task, recurrence, tz }, _) => {
                let head = match lang {
                    En => format!("✅ Task #{} saved: <b>{}</b>", task.number.0, escape(&task.title)),
                    Fr => format!("✅ Tâche n°{} enregistrée : <b>{}</b>", task.number.0, escape(&task.title)),
                };
                let when = match (task.due, lang) {
                    (Some(at), _) => format!("⏰ {} ({tz})", when(at, *tz, lang)),
                    (None, En) => "No reminder: it stays in /tasks until you finish it.".to_owned(),
                    (None, Fr) => "Sans rappel : elle reste dans /tasks jusqu'à ce que vous la terminiez.".to_owned(),
                };
                match recurrence {
                    Some(rule) => format!("{head}\n{when}\n🔁 {}", describe(rule, *tz, lang)),
                    None => format!("{head}\n{when}"),
                }
            }
            (TaskMsg::Usage, En) => "Tell me what to do and when, for example:\n\
                 <code>/task call mom tomorrow 9am</code>\n<code>/task pay rent every month on the 1st</code>\n\
                 <code>/task buy milk</code> (no reminder)"
                .to_owned(),
            (TaskMsg::Usage, Fr) => "Dites-moi quoi faire et quand, par exemple :\n\
                 <code>/task appeler maman demain 9h</code>\n<code>/task payer le loyer tous les mois le 1er</code>\n\
                 <code>/task acheter du lait</code> (sans rappel)"
                .to_owned(),
            (TaskMsg::Unreadable, En) => "I couldn't read the time in that, so nothing was saved. Times I understand: \
                 <code>tomorrow 9am</code>, <code>in 2h</code>, <code>at 18:30</code>, <code>friday 14:00</code>, \
                 <code>next monday</code>, <code>24/12 18h</code>, <code>2026-12-24 18:00</code>, \
                 <code>every monday and thursday 19:00</code>."
                .to_owned(),
            (TaskMsg::Unreadable, Fr) => "Je n'ai pas compris l'heure, rien n'a été enregistré. Je comprends par exemple : \
                 <code>demain 9h</code>, <code>dans 2 heures</code>, <code>à 18h30</code>, <code>vendredi 14h</code>, \
                 <code>lundi prochain</code>, <code>24/12 18h</code>, <code>tous les jours à 8h</code>."
                .to_owned(),
            (TaskMsg::InPast { at, tz }, En) => format!(
                "That time has already passed ({}). Nothing was saved: give me a time to come.",
                when(*at, *tz, lang)
            ),
            (TaskMsg::InPast { at, tz }, Fr) => format!(
                "Ce moment est déjà passé ({}). Rien n'a été enregistré : donnez-moi un moment à venir.",
                when(*at, *tz, lang)
            ),
            (TaskMsg::NeverOccurs, En) => "That repetition never happens (its end is before its start).".to_owned(),
            (TaskMsg::NeverOccurs, Fr) => "Cette répétition n'arrive jamais (elle finit avant de commencer).".to_owned(),
            (TaskMsg::TooFar, En) => {
                "That is more than ten years away, so nothing was saved. Give me a time within the next ten years.".to_owned()
            }
            (TaskMsg::TooFar, Fr) => {
                "C'est dans plus de dix ans, rien n'a été enregistré. Donnez-moi un moment dans les dix ans à venir.".to_owned()
            }
            (TaskMsg::TitleTooLong { max }, En) => {
                format!("That task is too long: keep it under {max} characters. Nothing was saved.")
            }
            (TaskMsg::TitleTooLong { max }, Fr) => {
                format!("Cette tâche est trop longue : pas plus de {max} caractères. Rien n'a été enregistré.")
            }
            (TaskMsg::Limit(LimitReached::Pending(n)), En) => format!(
                "You have {n} pending tasks, the most your plan allows. Finish or delete some in /tasks to add more."
            ),
            (TaskMsg::Limit(LimitReached::Pending(n)), Fr) => format!(
                "Vous avez {n} tâches en cours, le maximum de votre formule. Terminez-en ou supprimez-en dans /tasks pour en ajouter."
            ),
            (TaskMsg::Limit(LimitReached::Recurring(n)), En) => format!(
                "You have {n} repeating tasks, the most your plan allows. Delete one in /tasks to add another."
            ),
            (TaskMsg::Limit(LimitReached::Recurring(n)), Fr) => format!(
                "Vous avez {n} tâches répétées, le maximum de votre formule. Supprimez-en une dans /tasks pour en ajouter."
            ),
            (TaskMsg::List { tasks, page, pages, tz, now }, _) => {
                let title = match lang {
                    En => format!("📋 <b>Your tasks</b> (page {page}/{pages})"),
                    Fr => format!("📋 <b>Vos tâches</b> (page {page}/{pages})"),
                };
                let lines: Vec<String> = tasks
                    .iter()
                    .map(|t| {
                        let due = t.due.map(|at| format!(" — {}", when(at, *tz, lang))).unwrap_or_default();
                        let repeat = if t.series.is_some() { " 🔁" } else { "" };
                        let overdue = match (t.due, lang) {
                            (Some(at), En) if at < *now => " ⚠️ overdue",
                            (Some(at), Fr) if at < *now => " ⚠️ en retard",
                            _ => "",
                        };
                        format!("{} {}{due}{repeat}{overdue}", numbered(t.number, lang), listed_title(&t.title))
                    })
                    .collect();
                format!("{title}\n\n{}", lines.join("\n"))
            }
            (TaskMsg::Empty, En) => "No pending tasks. Add one: <code>/task call mom tomorrow 9am</code>".to_owned(),
            (TaskMsg::Empty, Fr) => {
                "Aucune tâche en cours. Ajoutez-en une : <code>/task appeler maman demain 9h</code>".to_owned()
            }
            (TaskMsg::Done { task, next: Some(next), tz }, En) => format!(
                "✅ Done: <b>{}</b>. Next time: {}.",
                escape(&task.title),
                when(*next, *tz, lang)
            ),
            (TaskMsg::Done { task, next: Some(next), tz }, Fr) => format!(
                "✅ Fait : <b>{}</b>. Prochaine fois : le {}.",
                escape(&task.title),
                when(*next, *tz, lang)
            ),
            (TaskMsg::Done { task, next: None, .. }, En) => format!("✅ Done: <b>{}</b>", escape(&task.title)),
            (TaskMsg::Done { task, next: None, .. }, Fr) => format!("✅ Fait : <b>{}</b>", escape(&task.title)),
            (TaskMsg::AlreadyDone { task }, En) => format!("☑️ Already done: <b>{}</b>", escape(&task.title)),
            (TaskMsg::AlreadyDone { task }, Fr) => format!("☑️ Déjà fait : <b>{}</b>", escape(&task.title)),
            (TaskMsg::Deleted { task }, En) => format!("🗑 Deleted: <b>{}</b>", escape(&task.title)),
            (TaskMsg::Deleted { task }, Fr) => format!("🗑 Supprimée : <b>{}</b>", escape(&task.title)),
            (TaskMsg::Snoozed { task, tz }, En) => format!(
                "💤 <b>{}</b> moved to {}.",
                escape(&task.title),
                task.due.map(|at| when(at, *tz, lang)).unwrap_or_default()
            ),
            (TaskMsg::Snoozed { task, tz }, Fr) => format!(
                "💤 <b>{}</b> reportée au {}.",
                escape(&task.title),
                task.due.map(|at| when(at, *tz, lang)).unwrap_or_default()
            ),
            (TaskMsg::Rescheduled { task, tz }, _) => {
                let at = task.due.map(|at| when(at, *tz, lang)).unwrap_or_default();
                let (title, n) = (escape(&task.title), task.number.0);
                match (lang, task.series.is_some()) {
                    (En, false) => format!("⏰ <b>{title}</b> is now due {at}."),
                    (Fr, false) => format!("⏰ <b>{title}</b> est maintenant prévue le {at}."),
                    (En, true) => format!(
                        "⏰ The next time of <b>{title}</b> is now {at}; it repeats as before after that. \
                         To change how it repeats: <code>/edit {n} every day at 8</code>."
                    ),
                    (Fr, true) => format!(
                        "⏰ La prochaine fois de <b>{title}</b> est maintenant le {at} ; elle se répète comme avant ensuite. \
                         Pour changer sa répétition : <code>/edit {n} tous les jours à 8h</code>."
                    ),
                }
            }
            (TaskMsg::Repeats { task, rule, tz }, _) => {
                let at = task.due.map(|at| when(at, *tz, lang)).unwrap_or_default();
                match lang {
                    En => format!(
                        "🔁 <b>{}</b> now repeats {}.\n⏰ Next time: {at} ({tz})",
                        escape(&task.title),
                        describe(rule, *tz, lang)
                    ),
                    Fr => format!(
                        "🔁 <b>{}</b> se répète désormais {}.\n⏰ Prochaine fois : le {at} ({tz})",
                        escape(&task.title),
                        describe(rule, *tz, lang)
                    ),
                }
            }
            (TaskMsg::EditFinished { task }, En) => format!(
                "☑️ Task #{} <b>{}</b> is already finished: there is nothing to change. \
                 To do it again, add it with /task.",
                task.number.0,
                escape(&task.title)
            ),
            (TaskMsg::EditFinished { task }, Fr) => format!(
                "☑️ La tâche n°{} <b>{}</b> est déjà terminée : il n'y a rien à changer. \
                 Pour la refaire, ajoutez-la avec /task.",
                task.number.0,
                escape(&task.title)
            ),
            (TaskMsg::NotFound { number }, En) => {
                format!("I can't find a pending task #{}. /tasks lists them with their numbers.", number.0)
            }
            (TaskMsg::NotFound { number }, Fr) => {
                format!("Je ne trouve pas de tâche en cours n°{}. /tasks les liste avec leur numéro.", number.0)
            }
            (TaskMsg::NumberUsage { command }, En) => format!(
                "Give the task's number from /tasks, for example <code>/{} 3</code>.",
                escape(command)
            ),
            (TaskMsg::NumberUsage { command }, Fr) => format!(
                "Donnez le numéro de la tâche (voir /tasks), par exemple <code>/{} 3</code>.",
                escape(command)
            ),
            (TaskMsg::TimeKept { number }, En) => format!(
                "Task #{n} keeps its time. To change it: <code>/edit {n} tomorrow 9am</code>.",
                n = number.0
            ),
            (TaskMsg::TimeKept { number }, Fr) => format!(
                "La tâche n°{n} garde son heure. Pour la changer : <code>/edit {n} demain 9h</code>.",
                n = number.0
            ),
            (TaskMsg::AskTime { number }, En) => format!(
                "When should #{} be? For example <code>tomorrow 9am</code>, <code>in 2h</code> \
                 or a repetition: <code>every day at 8</code>.",
                number.0
            ),
            (TaskMsg::AskTime { number }, Fr) => format!(
                "Pour quand la tâche n°{} ? Par exemple <code>demain 9h</code>, <code>dans 2h</code> \
                 ou une répétition : <code>tous les jours à 8h</code>.",
                number.0
            ),
            (TaskMsg::Reminder { task, late: false, .. }, En) => {
                format!("⏰ Reminder: <b>{}</b>", escape(&task.title))
            }
            (TaskMsg::Reminder { task, late: false, .. }, Fr) => {
                format!("⏰ Rappel : <b>{}</b>", escape(&task.title))
            }
            (TaskMsg::Reminder { task, late: true, tz }, En) => format!(
                "⏰ Late reminder (it was due {}): <b>{}</b>",
                task.due.map(|at| when(at, *tz, lang)).unwrap_or_default(),
                escape(&task.title)
            ),
            (TaskMsg::Reminder { task, late: true, tz }, Fr) => format!(
                "⏰ Rappel en retard (prévu le {}) : <b>{}</b>",
                task.due.map(|at| when(at, *tz, lang)).unwrap_or_default(),
                escape(&task.title)
            ),
            (TaskMsg::ButtonDone, En) => "✅ Done".to_owned(),
            (TaskMsg::ButtonDone, Fr) => "✅ Fait".to_owned(),
            (TaskMsg::ButtonSnooze { minutes }, _) if *minutes < 60 => format!("💤 {minutes} min"),
            (TaskMsg::ButtonSnooze { minutes }, _) => format!("💤 {} h", minutes / 60),
            (TaskMsg::ButtonTomorrow, En) => "📅 Tomorrow".to_owned(),
            (TaskMsg::ButtonTomorrow, Fr) => "📅 Demain".to_owned(),
            (TaskMsg::ButtonEditTime, En) => "✏️ Change time".to_owned(),
            (TaskMsg::ButtonEditTime, Fr) => "✏️ Changer l'heure".to_owned(),
            (TaskMsg::ButtonSetTime, En) => "✏️ Set a time".to_owned(),
            (TaskMsg::ButtonSetTime, Fr) => "✏️ Fixer une heure".to_owned(),
            (TaskMsg::ButtonDelete, En) => "🗑 Delete".to_owned(),
            (TaskMsg::ButtonDelete, Fr) => "🗑 Supprimer".to_owned(),
            (TaskMsg::ButtonPrevious, En) => "« Previous".to_owned(),
            (TaskMsg::ButtonPrevious, Fr) => "« Précédentes".to_owned(),
            (TaskMsg::ButtonNext, En) => "Next »".to_owned(),
            (TaskMsg::ButtonNext, Fr) => "Suivantes »".to_owned(),
        }
    }
}

const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYS_FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const MONTHS_EN: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_FR: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// "Fri 27 Nov 2026, 09:00" / "ven. 27 nov. 2026, 09:00" in the user's zone.
/// The most a title takes in a list line, as sent (escaped): five lines and
/// the header stay under Telegram's 4,096, so a page is never split.
pub const LISTED_TITLE: usize = 600;

/// `title` escaped, cut with "…" once it would pass [`LISTED_TITLE`].
fn listed_title(title: &str) -> String {
    let escaped = escape(title);
    if escaped.len() <= LISTED_TITLE {
        return escaped;
    }
    let mut out = String::new();
    for c in title.chars() {
        let one = escape(c.encode_utf8(&mut [0; 4]));
        if out.len() + one.len() + '…'.len_utf8() > LISTED_TITLE {
            break;
        }
        out.push_str(&one);
    }
    out.push('…');
    out
}

pub fn when(at: DateTime<Utc>, tz: TimeZone, lang: Language) -> String {
    let local = at.with_timezone(&tz.tz());
    let day = local.weekday().num_days_from_monday() as usize;
    let month = local.month0() as usize;
    let (days, months) = match lang {
        Language::En => (DAYS_EN, MONTHS_EN),
        Language::Fr => (DAYS_FR, MONTHS_FR),
    };
    let date = day_of_month(local.day(), lang);
    format!("{} {date} {} {}, {}", days[day], months[month], local.year(), local.format("%H:%M"))
}

/// A day of the month as written: French says "1er" for the first.
fn day_of_month(day: u32, lang: Language) -> String {
    match (day, lang) {
        (1, Language::Fr) => "1er".to_owned(),
        _ => day.to_string(),
    }
}

/// A task's number as the texts and buttons show it: `#12`, `n°12`.
pub fn numbered(number: TaskNumber, lang: Language) -> String {
    match lang {
        Language::En => format!("#{}", number.0),
        Language::Fr => format!("n°{}", number.0),
    }
}

fn day_names(days: &[Weekday], lang: Language) -> String {
    const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    const FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    let names: Vec<&str> = days
        .iter()
        .map(|d| match lang {
            Language::En => EN[d.num_days_from_monday() as usize],
            Language::Fr => FR[d.num_days_from_monday() as usize],
        })
        .collect();
    let and = match lang {
        Language::En => " and ",
        Language::Fr => " et ",
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A repetition in words: "every 2 weeks on Monday and Thursday, until …, 5 times".
pub fn describe(rule: &Recurrence, tz: TimeZone, lang: Language) -> String {
    let every_weekday =
        rule.interval == 1 && rule.weekdays.len() == 5 && !rule.weekdays.contains(&Weekday::Sat);
    let n = rule.interval;
    let mut text = match (rule.frequency, lang) {
        (Frequency::Weekly, Language::En) if every_weekday => "every weekday".to_owned(),
        (Frequency::Weekly, Language::Fr) if every_weekday => "du lundi au vendredi".to_owned(),
        (Frequency::Hourly, Language::En) => {
            if n == 1 {
                "every hour".to_owned()
            } else {
                format!("every {n} hours")
            }
        }
        (Frequency::Hourly, Language::Fr) => {
            if n == 1 {
                "toutes les heures".to_owned()
            } else {
                format!("toutes les {n} heures")
            }
        }
        (Frequency::Daily, Language::En) => {
            if n == 1 {
                "every day".to_owned()
            } else {
                format!("every {n} days")
            }
        }
        (Frequency::Daily, Language::Fr) => {
            if n == 1 {
                "tous les jours".to_owned()
            } else {
                format!("tous les {n} jours")
            }
        }
        (Frequency::Weekly, Language::En) => {
            if n == 1 {
                "every week".to_owned()
            } else {
                format!("every {n} weeks")
            }
        }
        (Frequency::Weekly, Language::Fr) => {
            if n == 1 {
                "toutes les semaines".to_owned()
            } else {
                format!("toutes les {n} semaines")
            }
        }
        (Frequency::Monthly, Language::En) => {
            if n == 1 {
                "every month".to_owned()
            } else {
                format!("every {n} months")
            }
        }
        (Frequency::Monthly, Language::Fr) => {
            if n == 1 {
                "tous les mois".to_owned()
            } else {
                format!("tous les {n} mois")
            }
        }
        (Frequency::Yearly, Language::En) => {
            if n == 1 {
                "every year".to_owned()
            } else {
                format!("every {n} years")
            }
        }
        (Frequency::Yearly, Language::Fr) => {
            if n == 1 {
                "tous les ans".to_owned()
            } else {
                format!("tous les {n} ans")
            }
        }
    };
    if !rule.weekdays.is_empty() && !every_weekday {
        let on = match lang {
            Language::En => " on ",
            Language::Fr => " le ",
        };
        text.push_str(on);
        let nth = match (rule.week_of_month, lang) {
            (Some(1), Language::En) => "the first ",
            (Some(2), Language::En) => "the second ",
            (Some(3), Language::En) => "the third ",
            (Some(4), Language::En) => "the fourth ",
            (Some(-1), Language::En) => "the last ",
            (Some(1), Language::Fr) => "premier ",
            (Some(2), Language::Fr) => "deuxième ",
            (Some(3), Language::Fr) => "troisième ",
            (Some(4), Language::Fr) => "quatrième ",
            (Some(-1), Language::Fr) => "dernier ",
            _ => "",
        };
        text.push_str(nth);
        text.push_str(&day_names(&rule.weekdays, lang));
    }
    if let Some(day) = rule.month_day {
        match lang {
            Language::En => text.push_str(&format!(" on day {day}")),
            Language::Fr => text.push_str(&format!(" le {}", day_of_month(day, lang))),
        }
    }
    if let Some(until) = rule.until {
        let word = match lang {
            Language::En => ", until ",
            Language::Fr => ", jusqu'au ",
        };
        text.push_str(word);
        text.push_str(&super::long_date(until, tz, lang));
    }
    if let Some(count) = rule.count {
        match lang {
            Language::En => text.push_str(&format!(", {count} times")),
            Language::Fr => text.push_str(&format!(", {count} fois")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::domain::TelegramId;
    use crate::domain::task::TaskStatus;

    fn task(day: u32) -> Task {
        Task {
            user: TelegramId(1),
            number: TaskNumber(7),
            title: "payer le loyer".into(),
            due: Some(Utc.with_ymd_and_hms(2026, 12, day, 8, 0, 0).unwrap()),
            series: None,
            status: TaskStatus::Pending,
            created_at: Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap(),
            completed_at: None,
            done_through: None,
        }
    }

    /// Issue 10: French texts write "1er", "le" before a date, "reportée au" and "n°".
    #[test]
    fn french_dates_and_numbers_read_as_french() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        let first = task(1);
        assert_eq!(when(first.due.unwrap(), paris, Language::Fr), "mar. 1er déc. 2026, 09:00");
        assert_eq!(when(first.due.unwrap(), paris, Language::En), "Tue 1 Dec 2026, 09:00");
        let seventh = task(7);
        assert_eq!(
            TaskMsg::Rescheduled { task: &seventh, tz: paris }.render(Language::Fr),
            "⏰ <b>payer le loyer</b> est maintenant prévue le lun. 7 déc. 2026, 09:00."
        );
        assert_eq!(
            TaskMsg::Snoozed { task: &seventh, tz: paris }.render(Language::Fr),
            "💤 <b>payer le loyer</b> reportée au lun. 7 déc. 2026, 09:00."
        );
        let list = [seventh.clone()];
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap();
        let shown = TaskMsg::List { tasks: &list, page: 1, pages: 1, tz: paris, now }.render(Language::Fr);
        assert!(shown.contains("\nn°7 payer le loyer — lun. 7 déc."), "{shown}");
        let mut rule = Recurrence::new(Frequency::Monthly);
        rule.month_day = Some(1);
        assert_eq!(describe(&rule, paris, Language::Fr), "tous les mois le 1er");
        assert_eq!(numbered(TaskNumber(7), Language::En), "#7");
    }
}
