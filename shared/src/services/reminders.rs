//! The reminder sweep: every occurrence due before the next sweep is sent at
//! its own second (the sweep waits for it), leased, sent within Telegram's
//! limits, then recorded, so overlapping or repeated sweeps send it once and a
//! crash before the send leaves it to the next sweep once the lease ends.

use std::{
    collections::{HashMap, HashSet},
    panic::AssertUnwindSafe,
    time::Duration,
};

use chrono::{DateTime, Utc};
use futures::FutureExt as _;
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::domain::{
    TelegramId, TimeZone, User, limits,
    task::{Task, TaskNumber},
    when::to_utc,
};
use crate::ports::{ChatId, MessengerError, OutMessage, StoreError};
use crate::presentation::catalog::tasks::TaskMsg;
use crate::presentation::keyboards;
use crate::services::Deps;
use crate::services::outbox::{Pacer, send_within};
use crate::telemetry::panic_message;

/// How the sweep paces itself.
#[derive(Debug, Clone, Copy)]
pub struct SweepSettings {
    /// How long an occurrence is held by the sweep sending it.
    pub lease: Duration,
    /// A reminder later than this is marked late.
    pub late_after: chrono::Duration,
    /// Messages per second overall (Telegram allows about 30).
    pub per_second: u32,
    /// Due tasks read per sweep.
    pub batch: usize,
    /// How far ahead a sweep reads and waits: the time to the next sweep.
    pub ahead: chrono::Duration,
    /// While it waits, a sweep reads the due list again this often, for the
    /// tasks added or moved since it started.
    pub reread: Duration,
}

impl Default for SweepSettings {
    fn default() -> SweepSettings {
        SweepSettings {
            lease: Duration::from_secs(120),
            late_after: chrono::Duration::minutes(5),
            per_second: limits::MESSAGES_PER_SECOND,
            batch: 2000,
            ahead: chrono::Duration::seconds(60),
            reread: Duration::from_secs(10),
        }
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Occurrences found due before the next sweep.
    pub due: usize,
    pub sent: usize,
    /// Of those sent, the ones sent late (missed while the service was down).
    pub late: usize,
    /// Held by another sweep, or moved by the user meanwhile.
    pub skipped: usize,
    /// Users who blocked the bot.
    pub blocked: usize,
    /// Failed for now; sent by a later sweep once the lease ends.
    pub failed: usize,
    /// Left to the next sweep: the time budget ran out.
    pub left: usize,
    /// Times Telegram asked us to wait (429).
    pub throttled: usize,
    /// Workflow schedules due by the sweep's horizon, and the runs they queued.
    pub schedules: crate::services::workflows::schedules::SchedulesReport,
}

/// What one sweep keeps across occurrences.
struct Sweep {
    /// Each user read once per sweep; `None` once unreachable.
    users: HashMap<TelegramId, Option<User>>,
    last_to_chat: HashMap<TelegramId, Instant>,
    pacer: Pacer,
}

pub struct ReminderSweep {
    deps: Deps,
    settings: SweepSettings,
}

/// The same wall-clock time as `due`, tomorrow in the user's zone.
pub fn tomorrow_same_time(due: DateTime<Utc>, now: DateTime<Utc>, tz: TimeZone) -> DateTime<Utc> {
    let time = due.with_timezone(&tz.tz()).time();
    let tomorrow = now.with_timezone(&tz.tz()).date_naive() + chrono::Duration::days(1);
    to_utc(tz, tomorrow.and_time(time))
}

/// The order a sweep sends in: what is overdue first, then what comes due
/// before the next sweep, by the second it comes due. Within one second (and
/// among all the overdue) each user's first reminder goes, then each one's
/// second, and so on (soonest first within a round), so one chat's 1-a-second
/// limit does not hold up the rest.
fn sending_order(due: Vec<Task>, now: DateTime<Utc>) -> Vec<Task> {
    let mut seen: HashMap<TelegramId, usize> = HashMap::new();
    let mut ranked: Vec<(i64, usize, Task)> = due
        .into_iter()
        .map(|task| {
            let rank = seen.entry(task.user).or_default();
            *rank += 1;
            let second = task.due.unwrap_or(now).max(now).timestamp();
            (second, *rank, task)
        })
        .collect();
    ranked.sort_by_key(|(second, rank, task)| (*second, *rank, task.due));
    ranked.into_iter().map(|(_, _, task)| task).collect()
}

/// One occurrence: a task at one due time.
type Occurrence = (TelegramId, TaskNumber, Option<DateTime<Utc>>);

fn occurrence(task: &Task) -> Occurrence {
    (task.user, task.number, task.due)
}

impl ReminderSweep {
    pub fn new(deps: Deps, settings: SweepSettings) -> ReminderSweep {
        ReminderSweep { deps, settings }
    }

    /// The same sweep, reading the due list again every `reread` while it waits.
    pub fn with_reread(mut self, reread: Duration) -> ReminderSweep {
        self.settings.reread = reread;
        self
    }

    /// Sends what is due now and, each at its own second, what comes due
    /// before the next sweep; stops when `budget` is spent (the rest waits for
    /// the next sweep: nothing is lost).
    pub async fn run(&self, budget: Duration) -> Result<SweepReport, StoreError> {
        self.sweep(budget, self.settings.ahead).await
    }

    /// Sends only what is due now, waiting for nothing (`/sweep` in the console).
    pub async fn run_due_now(&self, budget: Duration) -> Result<SweepReport, StoreError> {
        self.sweep(budget, chrono::Duration::zero()).await
    }

    #[tracing::instrument(skip_all)]
    async fn sweep(&self, budget: Duration, ahead: chrono::Duration) -> Result<SweepReport, StoreError> {
        let started = Instant::now();
        let deadline = started + budget;
        let clock = self.deps.clock.as_ref();
        let until = clock.now() + ahead;
        let mut report = SweepReport {
            schedules: crate::services::workflows::schedules::fire_due(&self.deps, until).await?,
            ..SweepReport::default()
        };
        let mut sweep = Sweep {
            users: HashMap::new(),
            last_to_chat: HashMap::new(),
            pacer: Pacer::new(self.settings.per_second),
        };
        let mut handled: HashSet<Occurrence> = HashSet::new();
        let mut pending;
        'read: loop {
            let next_read = Instant::now() + self.settings.reread;
            let mut due = self.deps.store.due_tasks(until, self.settings.batch).await?;
            due.retain(|task| !handled.contains(&occurrence(task)));
            pending = due.len();
            if due.is_empty() {
                break;
            }
            for task in sending_order(due, clock.now()) {
                let at = task.due.unwrap_or_else(|| clock.now());
                let wait = (at - clock.now()).to_std().unwrap_or_default();
                if Instant::now() + wait >= deadline {
                    break 'read;
                }
                if wait > Duration::ZERO && Instant::now() + wait > next_read {
                    // Tasks may be added or moved while we wait: read again first.
                    tokio::time::sleep_until(next_read).await;
                    continue 'read;
                }
                clock.sleep_until(at).await;
                handled.insert(occurrence(&task));
                pending -= 1;
                let one = self.remind(&task, deadline, &mut sweep, &mut report);
                match AssertUnwindSafe(one).catch_unwind().await {
                    Ok(result) => result?,
                    Err(panic) => {
                        // This occurrence is retried once its lease ends; the others go on.
                        error!(
                            user = task.user.0,
                            task = task.number.0,
                            panic = panic_message(panic.as_ref()),
                            "reminder panicked"
                        );
                        report.failed += 1;
                    }
                }
            }
            // Read once more for what was added while this read was sent.
        }
        report.due = handled.len() + pending;
        report.left = pending;
        info!(?report, "reminder sweep");
        Ok(report)
    }

    /// One due occurrence: leased, sent if its user can get it, then recorded.
    /// Whatever became of it, a series moves on to its next occurrence.
    async fn remind(
        &self,
        task: &Task,
        deadline: Instant,
        sweep: &mut Sweep,
        report: &mut SweepReport,
    ) -> Result<(), StoreError> {
        let store = &self.deps.store;
        let now = self.deps.clock.now();
        if !store.claim_reminder(task, now, self.settings.lease).await? {
            report.skipped += 1;
            return Ok(());
        }
        let user = match sweep.users.get(&task.user) {
            Some(user) => user.clone(),
            None => {
                let user = store.get_user(task.user).await?;
                sweep.users.insert(task.user, user.clone());
                user
            }
        };
        let Some(user) = user.filter(|u| u.blocked_at.is_none() && u.banned_at.is_none()) else {
            // Nobody to tell (blocked the bot, banned, gone): a one-off leaves the due
            // list, a series keeps going so that it is there when the user is back.
            self.move_on(task, now).await?;
            report.blocked += 1;
            return Ok(());
        };
        // Telegram: about 30 messages a second overall, one a second per chat.
        let chat_free_at = sweep.last_to_chat.get(&task.user).map(|at| *at + limits::CHAT_GAP);
        sweep.pacer.wait_turn(chat_free_at).await;
        let now = self.deps.clock.now();
        let late = task.due.is_some_and(|at| now - at > self.settings.late_after);
        let sent = self.send(task, &user, late, deadline, report).await;
        sweep.last_to_chat.insert(task.user, sweep.pacer.sent());
        match sent {
            Ok(()) => {
                self.move_on(task, now).await?;
                report.sent += 1;
                report.late += usize::from(late);
            }
            Err(MessengerError::Unreachable(reason)) => {
                info!(user = task.user.0, %reason, "user unreachable; reminders wait until they write again");
                store.mark_blocked(task.user, self.deps.clock.now()).await?;
                sweep.users.insert(task.user, None);
                self.move_on(task, now).await?;
                report.blocked += 1;
            }
            Err(MessengerError::Refused(reason)) => {
                warn!(user = task.user.0, task = task.number.0, %reason, "reminder refused; this occurrence is skipped");
                self.move_on(task, now).await?;
                report.failed += 1;
            }
            Err(e) => {
                // Transient: the lease ends and a later sweep sends it.
                warn!(user = task.user.0, task = task.number.0, error = %e, "reminder not sent; retried later");
                report.failed += 1;
            }
        }
        Ok(())
    }

    /// Records the occurrence as over: a series moves to its next occurrence
    /// from now (missed ones are not sent one by one) or ends; a one-off
    /// leaves the due list and stays pending until the user finishes it.
    async fn move_on(&self, task: &Task, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(series) = &task.series else {
            return self.deps.store.reminder_sent(task, None).await;
        };
        match series.next_after(now.max(task.due.unwrap_or(now))) {
            Some(next) => self.deps.store.reminder_sent(task, Some(next)).await,
            None => self.deps.store.complete_task(task.user, task.number, now).await.map(drop),
        }
    }

    /// One reminder; waits out Telegram's 429s while the budget allows.
    async fn send(
        &self,
        task: &Task,
        user: &User,
        late: bool,
        deadline: Instant,
        report: &mut SweepReport,
    ) -> Result<(), MessengerError> {
        let lang = user.lang();
        let text = TaskMsg::Reminder { task, late, tz: user.tz() }.render(lang);
        let message = OutMessage::text(text).with_keyboard(keyboards::reminder(task.number, task.due, lang));
        let messenger = self.deps.messenger.as_ref();
        send_within(messenger, ChatId(task.user.0), &message, deadline, &mut report.throttled).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::domain::task::TaskStatus;

    fn task(user: i64, number: u32, due: DateTime<Utc>) -> Task {
        Task {
            user: TelegramId(user),
            number: TaskNumber(number),
            title: format!("{user}-{number}"),
            due: Some(due),
            series: None,
            status: TaskStatus::Pending,
            created_at: due,
            completed_at: None,
            done_through: None,
        }
    }

    #[test]
    fn one_chats_reminders_at_the_same_second_take_turns_with_the_others() {
        // The lateness bench found it: two reminders of one chat at 9:00 made
        // every chat behind them wait a second each.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 8, 59, 30).unwrap();
        let nine = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
        let later = nine + chrono::Duration::milliseconds(300);
        let due = vec![
            task(3, 1, now - chrono::Duration::minutes(2)),
            task(3, 2, now - chrono::Duration::minutes(1)),
            task(4, 1, now - chrono::Duration::seconds(5)),
            task(1, 1, nine),
            task(1, 2, nine),
            task(2, 1, later),
            task(2, 2, later),
            task(1, 3, nine + chrono::Duration::seconds(1)),
        ];
        let order: Vec<String> = sending_order(due, now).into_iter().map(|t| t.title).collect();
        assert_eq!(order, ["3-1", "4-1", "3-2", "1-1", "2-1", "1-2", "2-2", "1-3"]);
    }
}
