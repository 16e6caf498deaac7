//! What a button does, as one type: built where the keyboard is made,
//! encoded into Telegram's callback data (at most 64 bytes, with room for the
//! owner stamp of group buttons), parsed once by the router. The wire forms
//! are the ones earlier versions wrote, so buttons already in chats keep working.

use chrono::{DateTime, Utc};

use crate::domain::{
    Language, TimeZone,
    task::TaskNumber,
    workflow::{WorkflowNumber, run::RunId},
};

/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_CALLBACK_BYTES: usize = crate::domain::limits::CALLBACK_BYTES;

/// A button's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    /// `s:menu`: the settings menu.
    Settings,
    /// `s:lang`: the language menu.
    LanguageMenu,
    /// `s:lang:<code>`.
    Language(Language),
    /// `s:tz`: the time zone menu.
    ZoneMenu,
    /// `s:tz:<IANA name>`: a zone picked in the menu.
    ZoneFromMenu(TimeZone),
    /// `s:tz:?`: type a zone's name.
    TypeZone,
    /// `s:z:<IANA name>`: set the zone and say so in place.
    Zone(TimeZone),
    /// `s:zask`: ask for the zone.
    AskZone,
    /// `s:zw`: repeating tasks keep their time of day in the new zone.
    FollowZone,
    /// `s:zi`: repeating tasks keep their instants.
    KeepInstants,
    /// `t:p:<page>`: a page of `/tasks`.
    Page(usize),
    /// `t:d:<n>:<page>[:<due>]`: done, from the list (for the occurrence shown).
    ListDone { number: TaskNumber, page: usize, due: Option<DateTime<Utc>> },
    /// `t:s:<n>:<page>`: snooze an hour, from the list.
    ListSnooze { number: TaskNumber, page: usize },
    /// `t:x:<n>:<page>`: delete, from the list.
    ListDelete { number: TaskNumber, page: usize },
    /// `t:e:<n>`: ask for a new time.
    Edit(TaskNumber),
    /// `t:r:<n>`: delete, under a new task's confirmation.
    DeleteNew(TaskNumber),
    /// `r:d:<n>[:<due>]`: done, under a reminder.
    ReminderDone { number: TaskNumber, due: Option<DateTime<Utc>> },
    /// `r:z:<minutes>:<n>[:<due>]`: snooze, under a reminder.
    ReminderSnooze { minutes: u32, number: TaskNumber, due: Option<DateTime<Utc>> },
    /// `r:t:<n>[:<due>]`: tomorrow at the same time, under a reminder.
    ReminderTomorrow { number: TaskNumber, due: Option<DateTime<Utc>> },
    /// `adm:bc:go`: send the broadcast previewed.
    BroadcastSend,
    /// `adm:bc:no`: cancel it.
    BroadcastCancel,
    /// `w:l:<page>`: a page of `/workflows`.
    Workflows(usize),
    /// `w:o:<n>`: a workflow's menu.
    WorkflowOpen(WorkflowNumber),
    /// `w:r:<n>`: run it now.
    WorkflowRun(WorkflowNumber),
    /// `w:on:<n>` / `w:off:<n>`: turn it on or off.
    WorkflowActive { workflow: WorkflowNumber, active: bool },
    /// `w:h:<n>`: its last runs.
    WorkflowHistory(WorkflowNumber),
    /// `w:e:<n>`: send its JSON document.
    WorkflowExport(WorkflowNumber),
    /// `w:u:<n>`: a new webhook URL (the old one revoked).
    WorkflowHook(WorkflowNumber),
    /// `w:x:<n>`: ask before deleting it; `w:xx:<n>`: delete it.
    WorkflowDelete { workflow: WorkflowNumber, confirmed: bool },
    /// `w:s:<n>:<run>`: a run's steps, inputs, outputs and errors.
    RunSteps { workflow: WorkflowNumber, run: RunId },
    /// `w:rt:<n>:<run>`: run a failed run again from its failed step.
    RunRetry { workflow: WorkflowNumber, run: RunId },
    /// `w:rr:<n>:<run>`: run the workflow's current version again, on the same trigger.
    RunAgain { workflow: WorkflowNumber, run: RunId },
    /// `w:c:<n>:<run>`: cancel a run that has not finished.
    RunCancel { workflow: WorkflowNumber, run: RunId },
    /// `w:ap:<n>:<run>:<step>:<1|0>`: approve (1) or reject (0) a run's approval step.
    Approve { workflow: WorkflowNumber, run: RunId, step: u8, approved: bool },
    /// `nb:t:<kind>`: the builder's trigger kind.
    BuilderTrigger(&'static str),
    /// `nb:s:<kind>`: the builder's next step kind.
    BuilderStep(&'static str),
    /// `nb:save`: save the workflow being built.
    BuilderSave,
    /// `nb:x`: stop building, nothing saved.
    BuilderCancel,
}

/// The trigger kinds the builder offers, as their buttons carry them.
pub const BUILDER_TRIGGERS: [&str; 5] = ["command", "keyword", "schedule", "webhook", "manual"];
/// The step kinds the builder offers.
pub const BUILDER_STEPS: [&str; 6] =
    ["send_message", "ai_prompt", "http_request", "condition", "wait", "approval"];

/// The longest snooze a reminder button may ask for, in minutes (a day).
const MAX_SNOOZE_MINUTES: u32 = 1440;

impl Callback {
    /// The callback data for this button.
    pub fn encode(&self) -> String {
        let due =
            |due: &Option<DateTime<Utc>>| due.map(|at| format!(":{}", at.timestamp())).unwrap_or_default();
        match self {
            Callback::Settings => "s:menu".to_owned(),
            Callback::LanguageMenu => "s:lang".to_owned(),
            Callback::Language(language) => format!("s:lang:{}", language.code()),
            Callback::ZoneMenu => "s:tz".to_owned(),
            Callback::ZoneFromMenu(zone) => format!("s:tz:{zone}"),
            Callback::TypeZone => "s:tz:?".to_owned(),
            Callback::Zone(zone) => format!("s:z:{zone}"),
            Callback::AskZone => "s:zask".to_owned(),
            Callback::FollowZone => "s:zw".to_owned(),
            Callback::KeepInstants => "s:zi".to_owned(),
            Callback::Page(page) => format!("t:p:{page}"),
            Callback::ListDone { number, page, due: at } => format!("t:d:{}:{page}{}", number.0, due(at)),
            Callback::ListSnooze { number, page } => format!("t:s:{}:{page}", number.0),
            Callback::ListDelete { number, page } => format!("t:x:{}:{page}", number.0),
            Callback::Edit(number) => format!("t:e:{}", number.0),
            Callback::DeleteNew(number) => format!("t:r:{}", number.0),
            Callback::ReminderDone { number, due: at } => format!("r:d:{}{}", number.0, due(at)),
            Callback::ReminderSnooze { minutes, number, due: at } => {
                format!("r:z:{minutes}:{}{}", number.0, due(at))
            }
            Callback::ReminderTomorrow { number, due: at } => format!("r:t:{}{}", number.0, due(at)),
            Callback::BroadcastSend => "adm:bc:go".to_owned(),
            Callback::BroadcastCancel => "adm:bc:no".to_owned(),
            Callback::Workflows(page) => format!("w:l:{page}"),
            Callback::WorkflowOpen(w) => format!("w:o:{}", w.0),
            Callback::WorkflowRun(w) => format!("w:r:{}", w.0),
            Callback::WorkflowActive { workflow, active } => {
                format!("w:{}:{}", if *active { "on" } else { "off" }, workflow.0)
            }
            Callback::WorkflowHistory(w) => format!("w:h:{}", w.0),
            Callback::WorkflowExport(w) => format!("w:e:{}", w.0),
            Callback::WorkflowHook(w) => format!("w:u:{}", w.0),
            Callback::WorkflowDelete { workflow, confirmed } => {
                format!("w:{}:{}", if *confirmed { "xx" } else { "x" }, workflow.0)
            }
            Callback::RunSteps { workflow, run } => format!("w:s:{}:{run}", workflow.0),
            Callback::RunRetry { workflow, run } => format!("w:rt:{}:{run}", workflow.0),
            Callback::RunAgain { workflow, run } => format!("w:rr:{}:{run}", workflow.0),
            Callback::RunCancel { workflow, run } => format!("w:c:{}:{run}", workflow.0),
            Callback::Approve { workflow, run, step, approved } => {
                format!("w:ap:{}:{run}:{step}:{}", workflow.0, u8::from(*approved))
            }
            Callback::BuilderTrigger(kind) => format!("nb:t:{kind}"),
            Callback::BuilderStep(kind) => format!("nb:s:{kind}"),
            Callback::BuilderSave => "nb:save".to_owned(),
            Callback::BuilderCancel => "nb:x".to_owned(),
        }
    }

    /// Reads callback data; `None` for data no version of Linklet wrote (or
    /// that no longer means anything).
    pub fn parse(data: &str) -> Option<Callback> {
        let parts: Vec<&str> = data.split(':').collect();
        let number = |i: usize| parts.get(i)?.parse().ok().map(TaskNumber);
        let page = |i: usize| match parts.get(i) {
            None => Some(1),
            Some(page) => page.parse::<usize>().ok().filter(|p| *p >= 1),
        };
        // An occurrence, in Unix seconds; absent on buttons of tasks without a time.
        let due = |i: usize| match parts.get(i) {
            None => Some(None),
            Some(at) => DateTime::from_timestamp(at.parse().ok()?, 0).map(Some),
        };
        let arity = |n: usize| parts.len() <= n;
        Some(match parts.as_slice() {
            ["s", "menu"] => Callback::Settings,
            ["s", "lang"] => Callback::LanguageMenu,
            ["s", "lang", code] => Callback::Language(Language::from_code(code)?),
            ["s", "tz"] => Callback::ZoneMenu,
            ["s", "tz", "?"] => Callback::TypeZone,
            ["s", "zask"] => Callback::AskZone,
            ["s", "zw"] => Callback::FollowZone,
            ["s", "zi"] => Callback::KeepInstants,
            // Zone names hold no ':'; the split is only checked for it.
            ["s", "tz", name] => Callback::ZoneFromMenu(TimeZone::parse(name).ok()?),
            ["s", "z", name] => Callback::Zone(TimeZone::parse(name).ok()?),
            ["t", "p", _] => Callback::Page(page(2)?),
            ["t", "d", ..] if arity(5) => {
                Callback::ListDone { number: number(2)?, page: page(3)?, due: due(4)? }
            }
            ["t", "s", ..] if arity(4) => Callback::ListSnooze { number: number(2)?, page: page(3)? },
            ["t", "x", ..] if arity(4) => Callback::ListDelete { number: number(2)?, page: page(3)? },
            ["t", "e", _] => Callback::Edit(number(2)?),
            ["t", "r", _] => Callback::DeleteNew(number(2)?),
            ["r", "d", ..] if arity(4) => Callback::ReminderDone { number: number(2)?, due: due(3)? },
            ["r", "z", minutes, ..] if arity(5) => Callback::ReminderSnooze {
                minutes: minutes.parse().ok().filter(|m| (1..=MAX_SNOOZE_MINUTES).contains(m))?,
                number: number(3)?,
                due: due(4)?,
            },
            ["r", "t", ..] if arity(4) => Callback::ReminderTomorrow { number: number(2)?, due: due(3)? },
            ["adm", "bc", "go"] => Callback::BroadcastSend,
            ["adm", "bc", "no"] => Callback::BroadcastCancel,
            ["w", "l", _] => Callback::Workflows(page(2)?),
            ["w", action, n] => {
                let w = WorkflowNumber(n.parse().ok()?);
                match *action {
                    "o" => Callback::WorkflowOpen(w),
                    "r" => Callback::WorkflowRun(w),
                    "on" | "off" => Callback::WorkflowActive { workflow: w, active: *action == "on" },
                    "h" => Callback::WorkflowHistory(w),
                    "e" => Callback::WorkflowExport(w),
                    "u" => Callback::WorkflowHook(w),
                    "x" | "xx" => Callback::WorkflowDelete { workflow: w, confirmed: *action == "xx" },
                    _ => return None,
                }
            }
            ["w", action, n, run] => {
                let (workflow, run) = (WorkflowNumber(n.parse().ok()?), RunId::parse(run)?);
                match *action {
                    "s" => Callback::RunSteps { workflow, run },
                    "rt" => Callback::RunRetry { workflow, run },
                    "rr" => Callback::RunAgain { workflow, run },
                    "c" => Callback::RunCancel { workflow, run },
                    _ => return None,
                }
            }
            ["nb", "t", kind] => Callback::BuilderTrigger(BUILDER_TRIGGERS.iter().find(|k| *k == kind)?),
            ["nb", "s", kind] => Callback::BuilderStep(BUILDER_STEPS.iter().find(|k| *k == kind)?),
            ["nb", "save"] => Callback::BuilderSave,
            ["nb", "x"] => Callback::BuilderCancel,
            ["w", "ap", n, run, step, answer] => Callback::Approve {
                workflow: WorkflowNumber(n.parse().ok()?),
                run: RunId::parse(run)?,
                step: step.parse().ok().filter(|s| *s < 100)?,
                approved: match *answer {
                    "1" => true,
                    "0" => false,
                    _ => return None,
                },
            },
            _ => return None,
        })
    }

    /// The admins' buttons, answered only for admins.
    pub fn is_admin(&self) -> bool {
        matches!(self, Callback::BroadcastSend | Callback::BroadcastCancel)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn any_callback() -> impl Strategy<Value = Callback> {
        let number = (0u32..=u32::MAX).prop_map(TaskNumber);
        let page = 1usize..=1_000_000;
        let due = proptest::option::of(
            (0i64..=253_402_300_799).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        );
        let zone = proptest::sample::select(chrono_tz::TZ_VARIANTS.to_vec())
            .prop_map(|tz| TimeZone::parse(tz.name()).unwrap());
        prop_oneof![
            Just(Callback::Settings),
            Just(Callback::LanguageMenu),
            proptest::sample::select(Language::ALL.to_vec()).prop_map(Callback::Language),
            Just(Callback::ZoneMenu),
            zone.clone().prop_map(Callback::ZoneFromMenu),
            Just(Callback::TypeZone),
            zone.prop_map(Callback::Zone),
            Just(Callback::AskZone),
            Just(Callback::FollowZone),
            Just(Callback::KeepInstants),
            page.clone().prop_map(Callback::Page),
            (number.clone(), page.clone(), due.clone()).prop_map(|(number, page, due)| Callback::ListDone {
                number,
                page,
                due
            }),
            (number.clone(), page.clone()).prop_map(|(number, page)| Callback::ListSnooze { number, page }),
            (number.clone(), page).prop_map(|(number, page)| Callback::ListDelete { number, page }),
            number.clone().prop_map(Callback::Edit),
            number.clone().prop_map(Callback::DeleteNew),
            (number.clone(), due.clone()).prop_map(|(number, due)| Callback::ReminderDone { number, due }),
            (1u32..=MAX_SNOOZE_MINUTES, number.clone(), due.clone())
                .prop_map(|(minutes, number, due)| Callback::ReminderSnooze { minutes, number, due }),
            (number, due).prop_map(|(number, due)| Callback::ReminderTomorrow { number, due }),
            Just(Callback::BroadcastSend),
            Just(Callback::BroadcastCancel),
        ]
    }

    fn any_workflow_callback() -> impl Strategy<Value = Callback> {
        let workflow = (0u32..=u32::MAX).prop_map(WorkflowNumber);
        let run = (0u128..(1 << 72)).prop_map(RunId);
        prop_oneof![
            (1usize..=1_000_000).prop_map(Callback::Workflows),
            workflow.clone().prop_map(Callback::WorkflowOpen),
            workflow.clone().prop_map(Callback::WorkflowRun),
            (workflow.clone(), any::<bool>())
                .prop_map(|(workflow, active)| Callback::WorkflowActive { workflow, active }),
            workflow.clone().prop_map(Callback::WorkflowHistory),
            workflow.clone().prop_map(Callback::WorkflowExport),
            workflow.clone().prop_map(Callback::WorkflowHook),
            (workflow.clone(), any::<bool>())
                .prop_map(|(workflow, confirmed)| Callback::WorkflowDelete { workflow, confirmed }),
            (workflow.clone(), run.clone()).prop_map(|(workflow, run)| Callback::RunSteps { workflow, run }),
            (workflow.clone(), run.clone()).prop_map(|(workflow, run)| Callback::RunRetry { workflow, run }),
            (workflow.clone(), run.clone()).prop_map(|(workflow, run)| Callback::RunAgain { workflow, run }),
            (workflow.clone(), run.clone()).prop_map(|(workflow, run)| Callback::RunCancel { workflow, run }),
            (workflow, run, 0u8..100, any::<bool>()).prop_map(|(workflow, run, step, approved)| {
                Callback::Approve { workflow, run, step, approved }
            }),
            proptest::sample::select(BUILDER_TRIGGERS.to_vec()).prop_map(Callback::BuilderTrigger),
            proptest::sample::select(BUILDER_STEPS.to_vec()).prop_map(Callback::BuilderStep),
            Just(Callback::BuilderSave),
            Just(Callback::BuilderCancel),
        ]
    }

    proptest! {
        #[test]
        fn every_callback_reads_back_as_itself_within_telegrams_limit(
            callback in prop_oneof![any_callback(), any_workflow_callback()]
        ) {
            let data = callback.encode();
            // Group buttons carry their owner's stamp (`~` and up to 20 digits) too.
            prop_assert!(data.len() + 21 <= MAX_CALLBACK_BYTES, "{data}");
            prop_assert_eq!(Callback::parse(&data), Some(callback));
        }

        #[test]
        fn no_data_panics(data in ".{0,80}") {
            let _ = Callback::parse(&data);
        }
    }

    #[test]
    fn the_forms_in_chats_still_read() {
        let at = DateTime::from_timestamp(1_795_723_200, 0);
        assert_eq!(
            Callback::parse("t:d:3:1"),
            Some(Callback::ListDone { number: TaskNumber(3), page: 1, due: None })
        );
        assert_eq!(
            Callback::parse("r:z:10:7:1795723200"),
            Some(Callback::ReminderSnooze { minutes: 10, number: TaskNumber(7), due: at })
        );
        assert_eq!(
            Callback::parse("t:d:3"),
            Some(Callback::ListDone { number: TaskNumber(3), page: 1, due: None })
        );
        for stale in [
            "",
            "x",
            "t:d",
            "t:d:x:1",
            "r:z:0:1",
            "r:z:99999:1",
            "s:lang:klingon",
            "s:z:Mars/Base",
            "t:p:0",
            "adm:bc",
        ] {
            assert_eq!(Callback::parse(stale), None, "{stale}");
        }
    }
}
