//! Workflows and runs on the embedded store: `workflows`: (user, number) →
//! the workflow as JSON; `workflow_seq`: user → the last number given;
//! `runs`: (user, workflow, run id) → the run as JSON. The user's trigger
//! map is rewritten in the same transaction as the workflow.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use super::{EmbeddedStore, USERS, corrupt, load_user, save_user, unavailable};
use crate::adapters::records::{WorkflowRecord, replace_triggers};
use crate::domain::{
    TelegramId,
    workflow::{
        NewWorkflow, TooManyWorkflows, Workflow, WorkflowNumber,
        draft::{DRAFT_KEPT_HOURS, Draft},
        hook::StoredHook,
        run::{Run, RunId},
    },
};
use crate::ports::{StoreError, Workflows};

pub(super) const WORKFLOWS: TableDefinition<(i64, u32), &[u8]> = TableDefinition::new("workflows");
pub(super) const WORKFLOW_SEQ: TableDefinition<i64, u32> = TableDefinition::new("workflow_seq");
pub(super) const RUNS: TableDefinition<(i64, u32, &str), &[u8]> = TableDefinition::new("runs");
/// user → the workflow being built and its expiry, as JSON.
pub(super) const DRAFTS: TableDefinition<i64, &[u8]> = TableDefinition::new("workflow_drafts");

#[derive(serde::Serialize, serde::Deserialize)]
struct KeptDraft {
    draft: Draft,
    expires_at: DateTime<Utc>,
}

/// A hook's token hash → the hook as JSON.
pub(super) const HOOKS: TableDefinition<&str, &[u8]> = TableDefinition::new("hooks");

fn decode(bytes: &[u8]) -> Result<Workflow, StoreError> {
    Workflow::try_from(serde_json::from_slice::<WorkflowRecord>(bytes).map_err(corrupt)?)
}

fn load(
    table: &impl ReadableTable<(i64, u32), &'static [u8]>,
    user: TelegramId,
    number: WorkflowNumber,
) -> Result<Option<Workflow>, StoreError> {
    table.get((user.0, number.0)).map_err(unavailable)?.map(|bytes| decode(bytes.value())).transpose()
}

/// Stores `workflow` (or deletes `number`) and rewrites its user's trigger map.
fn store(
    txn: &redb::WriteTransaction,
    user: TelegramId,
    number: WorkflowNumber,
    workflow: Option<&Workflow>,
) -> Result<(), StoreError> {
    let mut table = txn.open_table(WORKFLOWS).map_err(unavailable)?;
    match workflow {
        Some(workflow) => {
            let bytes = serde_json::to_vec(&WorkflowRecord::from(workflow)).map_err(corrupt)?;
            table.insert((user.0, number.0), bytes.as_slice()).map_err(unavailable)?;
        }
        None => {
            table.remove((user.0, number.0)).map_err(unavailable)?;
        }
    }
    let mut users = txn.open_table(USERS).map_err(unavailable)?;
    let mut owner =
        load_user(&users, user)?.ok_or_else(|| StoreError::NotFound(format!("user {}", user.0)))?;
    owner.workflow_triggers = replace_triggers(&owner.workflow_triggers, number, workflow);
    save_user(&mut users, &owner)
}

#[async_trait]
impl Workflows for EmbeddedStore {
    async fn create_workflow(
        &self,
        user: TelegramId,
        new: &NewWorkflow,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<Workflow, TooManyWorkflows>, StoreError> {
        let new = new.clone();
        self.write(move |txn| {
            let count = {
                let table = txn.open_table(WORKFLOWS).map_err(unavailable)?;
                table.range((user.0, 0)..=(user.0, u32::MAX)).map_err(unavailable)?.count()
            };
            if count >= max as usize {
                return Ok(Err(TooManyWorkflows(max)));
            }
            let mut seq = txn.open_table(WORKFLOW_SEQ).map_err(unavailable)?;
            let next = seq.get(user.0).map_err(unavailable)?.map_or(0, |v| v.value()) + 1;
            seq.insert(user.0, next).map_err(unavailable)?;
            let workflow = Workflow {
                user,
                number: WorkflowNumber(next),
                definition: new.definition,
                active: new.active,
                version: 1,
                hook: None,
                schedule: new.schedule,
                created_at: now,
                updated_at: now,
            };
            store(txn, user, workflow.number, Some(&workflow))?;
            Ok(Ok(workflow))
        })
        .await
    }

    async fn workflows(&self, user: TelegramId) -> Result<Vec<Workflow>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(WORKFLOWS).map_err(unavailable)?;
            let mut found = Vec::new();
            for entry in table.range((user.0, 0)..=(user.0, u32::MAX)).map_err(unavailable)? {
                let (_, bytes) = entry.map_err(unavailable)?;
                found.push(decode(bytes.value())?);
            }
            Ok(found)
        })
        .await
        .map_err(unavailable)?
    }

    async fn get_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load(&txn.open_table(WORKFLOWS).map_err(unavailable)?, user, number)
        })
        .await
        .map_err(unavailable)?
    }

    async fn update_workflow(&self, workflow: &Workflow, seen_version: u32) -> Result<bool, StoreError> {
        let workflow = workflow.clone();
        self.write(move |txn| {
            let stored =
                load(&txn.open_table(WORKFLOWS).map_err(unavailable)?, workflow.user, workflow.number)?;
            if stored.is_none_or(|w| w.version != seen_version) {
                return Ok(false);
            }
            store(txn, workflow.user, workflow.number, Some(&workflow))?;
            Ok(true)
        })
        .await
    }

    async fn delete_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError> {
        self.write(move |txn| {
            let stored = load(&txn.open_table(WORKFLOWS).map_err(unavailable)?, user, number)?;
            if stored.is_some() {
                store(txn, user, number, None)?;
            }
            Ok(stored)
        })
        .await
    }

    async fn save_run(&self, run: &Run) -> Result<bool, StoreError> {
        let run = run.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(RUNS).map_err(unavailable)?;
            let code = run.id.code();
            let key = (run.user.0, run.workflow.0, code.as_str());
            let stored = match table.get(key).map_err(unavailable)? {
                Some(bytes) => Some(serde_json::from_slice::<Run>(bytes.value()).map_err(corrupt)?.rev),
                None => None,
            };
            let fits = match stored {
                None => run.rev == 0,
                Some(rev) => run.rev == rev + 1,
            };
            if fits {
                let bytes = serde_json::to_vec(&run).map_err(corrupt)?;
                table.insert(key, bytes.as_slice()).map_err(unavailable)?;
            }
            Ok(fits)
        })
        .await
    }

    async fn get_run(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        id: &RunId,
    ) -> Result<Option<Run>, StoreError> {
        let (db, id) = (self.db.clone(), id.code());
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(RUNS).map_err(unavailable)?;
            let found = table.get((user.0, workflow.0, id.as_str())).map_err(unavailable)?;
            found.map(|bytes| serde_json::from_slice(bytes.value()).map_err(corrupt)).transpose()
        })
        .await
        .map_err(unavailable)?
    }

    async fn due_schedules(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Workflow>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(WORKFLOWS).map_err(unavailable)?;
            let mut due = Vec::new();
            for entry in table.iter().map_err(unavailable)? {
                let (_, bytes) = entry.map_err(unavailable)?;
                let workflow = decode(bytes.value())?;
                if workflow.active && workflow.schedule.as_ref().is_some_and(|s| s.next <= up_to) {
                    due.push(workflow);
                }
            }
            due.sort_by_key(|w| w.schedule.as_ref().map(|s| s.next));
            due.truncate(limit);
            Ok(due)
        })
        .await
        .map_err(unavailable)?
    }

    async fn schedule_fired(
        &self,
        workflow: &Workflow,
        fired: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let (user, number) = (workflow.user, workflow.number);
        self.write(move |txn| {
            let mut table = txn.open_table(WORKFLOWS).map_err(unavailable)?;
            let Some(mut stored) = load(&table, user, number)? else { return Ok(false) };
            let Some(schedule) = stored.schedule.as_mut().filter(|s| s.next == fired) else {
                return Ok(false);
            };
            match next {
                Some(next) => schedule.next = next,
                None => stored.schedule = None,
            }
            let bytes = serde_json::to_vec(&WorkflowRecord::from(&stored)).map_err(corrupt)?;
            table.insert((user.0, number.0), bytes.as_slice()).map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn save_draft(
        &self,
        user: TelegramId,
        draft: &Draft,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let kept =
            KeptDraft { draft: draft.clone(), expires_at: now + chrono::Duration::hours(DRAFT_KEPT_HOURS) };
        let bytes = serde_json::to_vec(&kept).map_err(corrupt)?;
        self.write(move |txn| {
            txn.open_table(DRAFTS)
                .map_err(unavailable)?
                .insert(user.0, bytes.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn draft(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Option<Draft>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(DRAFTS).map_err(unavailable)?;
            let Some(bytes) = table.get(user.0).map_err(unavailable)? else { return Ok(None) };
            let kept: KeptDraft = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
            Ok((kept.expires_at > now).then_some(kept.draft))
        })
        .await
        .map_err(unavailable)?
    }

    async fn drop_draft(&self, user: TelegramId) -> Result<(), StoreError> {
        self.write(move |txn| {
            txn.open_table(DRAFTS).map_err(unavailable)?.remove(user.0).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn put_hook(&self, hash: &str, hook: &StoredHook) -> Result<(), StoreError> {
        let (hash, bytes) = (hash.to_owned(), serde_json::to_vec(hook).map_err(corrupt)?);
        self.write(move |txn| {
            txn.open_table(HOOKS)
                .map_err(unavailable)?
                .insert(hash.as_str(), bytes.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn get_hook(&self, hash: &str) -> Result<Option<StoredHook>, StoreError> {
        let (db, hash) = (self.db.clone(), hash.to_owned());
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(HOOKS).map_err(unavailable)?;
            let found = table.get(hash.as_str()).map_err(unavailable)?;
            found.map(|bytes| serde_json::from_slice(bytes.value()).map_err(corrupt)).transpose()
        })
        .await
        .map_err(unavailable)?
    }

    async fn delete_hook(&self, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_owned();
        self.write(move |txn| {
            txn.open_table(HOOKS).map_err(unavailable)?.remove(hash.as_str()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn recent_runs(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        limit: usize,
    ) -> Result<Vec<Run>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(RUNS).map_err(unavailable)?;
            let now = Utc::now();
            let mut found = Vec::new();
            let range = // Run ids are hex digits: "~" sorts after every one.
            table.range((user.0, workflow.0, "")..(user.0, workflow.0, "~")).map_err(unavailable)?;
            for entry in range.rev() {
                let (_, bytes) = entry.map_err(unavailable)?;
                let run: Run = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
                if run.expires_at() > now {
                    found.push(run);
                }
                if found.len() >= limit {
                    break;
                }
            }
            Ok(found)
        })
        .await
        .map_err(unavailable)?
    }
}
