//! The inline keyboards under Linklet's messages: each button's label from
//! the catalog, in the user's language, and its data a typed [`Callback`].

use chrono::{DateTime, Utc};

use super::catalog::{
    Msg,
    admin::AdminMsg,
    builder::BuilderMsg,
    tasks::{TaskMsg, numbered},
    workflows::WorkflowMsg,
};
use crate::{
    callback::Callback,
    domain::{
        Language, TimeZone,
        task::{Task, TaskNumber},
        workflow::{
            Workflow, WorkflowNumber,
            run::{Run, RunId, RunStatus},
        },
        zone_search,
    },
    ports::{Button, Keyboard},
};

/// The short list of time zones offered as buttons; any other is typed.
pub const TIME_ZONE_CHOICES: [&str; 8] = [
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Toronto",
    "Africa/Casablanca",
    "Asia/Tokyo",
    "UTC",
];

/// Under a new task's confirmation: change (or set) its time, delete it,
/// and, while the user has no zone, set one.
pub fn new_task(task: &Task, ask_zone: bool, lang: Language) -> Keyboard {
    let mut keyboard = vec![vec![
        // A to-do has no time to change yet: its button sets one.
        Button::new(
            if task.due.is_some() { TaskMsg::ButtonEditTime } else { TaskMsg::ButtonSetTime }.render(lang),
            Callback::Edit(task.number).encode(),
        ),
        Button::new(TaskMsg::ButtonDelete.render(lang), Callback::DeleteNew(task.number).encode()),
    ]];
    if ask_zone {
        keyboard.push(vec![Button::new(Msg::ButtonSetTimeZone.render(lang), Callback::AskZone.encode())]);
    }
    keyboard
}

/// Under page `page` of `pages` of the task list (`shown`): done, snooze (a
/// task with a time) and delete per task, then the pages before and after.
pub fn task_list(shown: &[Task], page: usize, pages: usize, lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = shown
        .iter()
        .map(|t| {
            let (number, shown) = (t.number, numbered(t.number, lang));
            // A to-do has no reminder to put off: no 💤.
            let snooze = t
                .due
                .map(|_| Button::new(format!("💤 {shown}"), Callback::ListSnooze { number, page }.encode()));
            let done = Callback::ListDone { number, page, due: t.due };
            [Some(Button::new(format!("✅ {shown}"), done.encode())), snooze]
                .into_iter()
                .flatten()
                .chain([Button::new(format!("🗑 {shown}"), Callback::ListDelete { number, page }.encode())])
                .collect()
        })
        .collect();
    let mut nav = Vec::new();
    if page > 1 {
        nav.push(Button::new(TaskMsg::ButtonPrevious.render(lang), Callback::Page(page - 1).encode()));
    }
    if page < pages {
        nav.push(Button::new(TaskMsg::ButtonNext.render(lang), Callback::Page(page + 1).encode()));
    }
    if !nav.is_empty() {
        keyboard.push(nav);
    }
    keyboard
}

/// Under the reminder of `number`'s occurrence due at `due` (so that a tap
/// acts on that occurrence only): done, snooze 10 min and 1 h, tomorrow.
pub fn reminder(number: TaskNumber, due: Option<DateTime<Utc>>, lang: Language) -> Keyboard {
    let snooze = |minutes: u32| {
        let label = TaskMsg::ButtonSnooze { minutes }.render(lang);
        Button::new(label, Callback::ReminderSnooze { minutes, number, due }.encode())
    };
    vec![
        vec![
            Button::new(TaskMsg::ButtonDone.render(lang), Callback::ReminderDone { number, due }.encode()),
            snooze(10),
        ],
        vec![
            snooze(60),
            Button::new(
                TaskMsg::ButtonTomorrow.render(lang),
                Callback::ReminderTomorrow { number, due }.encode(),
            ),
        ],
    ]
}

/// Under an admin's broadcast preview: send to all, or cancel.
pub fn broadcast_preview(lang: Language) -> Keyboard {
    vec![vec![
        Button::new(AdminMsg::ButtonSendAll.render(lang), Callback::BroadcastSend.encode()),
        Button::new(AdminMsg::ButtonCancel.render(lang), Callback::BroadcastCancel.encode()),
    ]]
}

/// The settings menu: language, time zone.
pub fn settings(lang: Language) -> Keyboard {
    vec![vec![
        Button::new(Msg::ButtonLanguage.render(lang), Callback::LanguageMenu.encode()),
        Button::new(Msg::ButtonTimeZone.render(lang), Callback::ZoneMenu.encode()),
    ]]
}

/// Every language in its own name, then back to the settings.
pub fn languages(lang: Language) -> Keyboard {
    let choices = Language::ALL.iter().map(|l| Button::new(l.native_name(), Callback::Language(*l).encode()));
    vec![choices.collect(), vec![Button::new(Msg::ButtonBack.render(lang), Callback::Settings.encode())]]
}

/// The settings' zone menu: [`TIME_ZONE_CHOICES`], "Other…" (typed), back.
pub fn time_zone_menu(lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = TIME_ZONE_CHOICES
        .chunks(2)
        .map(|row| row.iter().map(|tz| Button::new(*tz, zone_from_menu(tz))).collect())
        .collect();
    keyboard.push(vec![
        Button::new(Msg::ButtonOther.render(lang), Callback::TypeZone.encode()),
        Button::new(Msg::ButtonBack.render(lang), Callback::Settings.encode()),
    ]);
    keyboard
}

/// The zones of the user's language, then UTC, for a newcomer's question.
pub fn suggested_zones(lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = zone_search::suggested(lang)
        .chunks(2)
        .map(|row| row.iter().map(|(label, zone)| Button::new(*label, zone_button(zone))).collect())
        .collect();
    keyboard.push(vec![Button::new("UTC", Callback::Zone(TimeZone::UTC).encode())]);
    keyboard
}

/// The zones a typed place may mean, two a row.
pub fn zone_choices(zones: &[TimeZone]) -> Keyboard {
    zones
        .chunks(2)
        .map(|row| row.iter().map(|z| Button::new(z.name(), Callback::Zone(*z).encode())).collect())
        .collect()
}

/// After a zone change, for repeating tasks on another clock: keep their
/// time of day (`kept`) or their moment (`moment`, in the new zone).
pub fn follow_zone(kept: &str, moment: &str, lang: Language) -> Keyboard {
    vec![vec![
        Button::new(Msg::ButtonTimeOfDay { time: kept }.render(lang), Callback::FollowZone.encode()),
        Button::new(Msg::ButtonSameMoment { time: moment }.render(lang), Callback::KeepInstants.encode()),
    ]]
}

/// Under a shared location's offer: use its zone.
pub fn use_zone(timezone: TimeZone, lang: Language) -> Keyboard {
    vec![vec![Button::new(Msg::ButtonUseZone { timezone }.render(lang), Callback::Zone(timezone).encode())]]
}

/// The button data for a zone named in a constant list (checked by a test).
fn zone_button(name: &str) -> String {
    TimeZone::parse(name)
        .map_or_else(|_| Callback::Zone(TimeZone::UTC).encode(), |z| Callback::Zone(z).encode())
}

fn zone_from_menu(name: &str) -> String {
    TimeZone::parse(name).map_or_else(|_| Callback::ZoneMenu.encode(), |z| Callback::ZoneFromMenu(z).encode())
}

/// Under a run card: Cancel while it runs or waits; Retry from the failed
/// step and Run again once it failed; Run again once it ended otherwise.
pub fn run_card_keyboard(run: &Run, lang: Language) -> Keyboard {
    let (workflow, id) = (run.workflow, run.id);
    let again = Button::new(
        WorkflowMsg::ButtonRunAgain.render(lang),
        Callback::RunAgain { workflow, run: id }.encode(),
    );
    match run.status {
        RunStatus::Queued | RunStatus::Running | RunStatus::Waiting => vec![vec![Button::new(
            WorkflowMsg::ButtonCancelRun.render(lang),
            Callback::RunCancel { workflow, run: id }.encode(),
        )]],
        RunStatus::Failed => vec![
            vec![Button::new(
                WorkflowMsg::ButtonRetry.render(lang),
                Callback::RunRetry { workflow, run: id }.encode(),
            )],
            vec![again],
        ],
        RunStatus::Succeeded | RunStatus::Cancelled => vec![vec![again]],
    }
}

/// Workflows a page of `/workflows` shows.
pub const WORKFLOWS_PER_PAGE: usize = 8;

/// Under `/workflows`: one button per workflow shown, then the pages.
pub fn workflow_list(shown: &[Workflow], page: usize, pages: usize) -> Keyboard {
    let mut keyboard: Keyboard = shown
        .iter()
        .map(|w| {
            let mark = if w.active { "⚙️" } else { "💤" };
            vec![Button::new(
                format!("{mark} #{} {}", w.number.0, w.name()),
                Callback::WorkflowOpen(w.number).encode(),
            )]
        })
        .collect();
    let mut paging = Vec::new();
    if page > 1 {
        paging.push(Button::new("‹", Callback::Workflows(page - 1).encode()));
    }
    if page < pages {
        paging.push(Button::new("›", Callback::Workflows(page + 1).encode()));
    }
    if !paging.is_empty() {
        keyboard.push(paging);
    }
    keyboard
}

/// Under a workflow's menu: run, on/off, history, export, delete, back.
pub fn workflow_menu(workflow: &Workflow, lang: Language) -> Keyboard {
    let n = workflow.number;
    let toggle = if workflow.active {
        Button::new(
            WorkflowMsg::ButtonDisable.render(lang),
            Callback::WorkflowActive { workflow: n, active: false }.encode(),
        )
    } else {
        Button::new(
            WorkflowMsg::ButtonEnable.render(lang),
            Callback::WorkflowActive { workflow: n, active: true }.encode(),
        )
    };
    let mut keyboard = vec![
        vec![Button::new(WorkflowMsg::ButtonRun.render(lang), Callback::WorkflowRun(n).encode()), toggle],
        vec![
            Button::new(WorkflowMsg::ButtonHistory.render(lang), Callback::WorkflowHistory(n).encode()),
            Button::new(WorkflowMsg::ButtonExport.render(lang), Callback::WorkflowExport(n).encode()),
        ],
        vec![
            Button::new(
                WorkflowMsg::ButtonDelete.render(lang),
                Callback::WorkflowDelete { workflow: n, confirmed: false }.encode(),
            ),
            Button::new(WorkflowMsg::ButtonBack.render(lang), Callback::Workflows(1).encode()),
        ],
    ];
    if workflow.webhook().is_some() {
        let new_url =
            Button::new(WorkflowMsg::ButtonNewHookUrl.render(lang), Callback::WorkflowHook(n).encode());
        keyboard.insert(2, vec![new_url]);
    }
    keyboard
}

/// Under an approval step's question: Approve, Reject.
pub fn approval_keyboard(workflow: WorkflowNumber, run: RunId, step: usize, lang: Language) -> Keyboard {
    let step = u8::try_from(step).unwrap_or(u8::MAX);
    let button = |msg: WorkflowMsg<'_>, approved: bool| {
        Button::new(msg.render(lang), Callback::Approve { workflow, run, step, approved }.encode())
    };
    vec![vec![button(WorkflowMsg::ButtonApprove, true), button(WorkflowMsg::ButtonReject, false)]]
}

/// The builder's trigger kinds, one a row.
pub fn builder_triggers(lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = crate::callback::BUILDER_TRIGGERS
        .iter()
        .map(|kind| {
            vec![Button::new(
                BuilderMsg::ButtonTrigger(kind).render(lang),
                Callback::BuilderTrigger(kind).encode(),
            )]
        })
        .collect();
    keyboard.push(vec![Button::new(BuilderMsg::ButtonCancel.render(lang), Callback::BuilderCancel.encode())]);
    keyboard
}

/// The builder's step kinds, two a row, then Save (once there is a step) and Cancel.
pub fn builder_steps(can_save: bool, lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = crate::callback::BUILDER_STEPS
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|kind| {
                    Button::new(
                        BuilderMsg::ButtonStep(kind).render(lang),
                        Callback::BuilderStep(kind).encode(),
                    )
                })
                .collect()
        })
        .collect();
    let mut last = Vec::new();
    if can_save {
        last.push(Button::new(BuilderMsg::ButtonSave.render(lang), Callback::BuilderSave.encode()));
    }
    last.push(Button::new(BuilderMsg::ButtonCancel.render(lang), Callback::BuilderCancel.encode()));
    keyboard.push(last);
    keyboard
}

/// Under a hook's URL: a button that copies it.
pub fn copy_url(url: &str, lang: Language) -> Keyboard {
    vec![vec![Button::copy(WorkflowMsg::ButtonCopyUrl.render(lang), url)]]
}

/// Under a workflow's history: one button per run (its steps), and back.
pub fn run_history(workflow: WorkflowNumber, runs: &[Run], lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = runs
        .chunks(5)
        .enumerate()
        .map(|(row, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(i, run)| {
                    Button::new(
                        (row * 5 + i + 1).to_string(),
                        Callback::RunSteps { workflow, run: run.id }.encode(),
                    )
                })
                .collect()
        })
        .collect();
    keyboard.push(vec![Button::new(
        WorkflowMsg::ButtonBack.render(lang),
        Callback::WorkflowOpen(workflow).encode(),
    )]);
    keyboard
}

/// Under the question whether to delete a workflow.
pub fn confirm_delete(workflow: WorkflowNumber, lang: Language) -> Keyboard {
    vec![vec![
        Button::new(
            WorkflowMsg::ButtonConfirmDelete.render(lang),
            Callback::WorkflowDelete { workflow, confirmed: true }.encode(),
        ),
        Button::new(WorkflowMsg::ButtonBack.render(lang), Callback::WorkflowOpen(workflow).encode()),
    ]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_time_zone_parses_and_fits_in_callback_data() {
        for tz in TIME_ZONE_CHOICES {
            assert!(TimeZone::parse(tz).is_ok(), "{tz}");
            assert!(format!("s:tz:{tz}").len() <= 64);
        }
        for tz in chrono_tz::TZ_VARIANTS {
            assert!(format!("s:z:{}~{}", tz.name(), i64::MAX).len() <= 64, "{}", tz.name());
        }
    }
}
