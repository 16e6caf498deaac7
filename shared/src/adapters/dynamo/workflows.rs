//! Workflows and runs on DynamoDB: `USER#<id>` / `WORKFLOW#<number>` (the
//! definition as one JSON attribute), `USER#<id>` / `RUN#<workflow>#<run id>`
//! (the run as one JSON attribute, `rev` for conditional saves, `expires_at`
//! the TTL). The profile keeps `workflow_seq`, `workflow_count`,
//! `workflow_rev` and the trigger map, changed in one transaction with the
//! workflow; `workflow_rev` serialises a user's concurrent changes.

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    error::ProvideErrorMetadata,
    types::{AttributeValue, Delete, Put, TransactWriteItem, Update},
};
use chrono::{DateTime, Utc};

use super::tasks::due_sort_key;
use super::{DynamoStore, Item, conditional, n, profile_key, s, stamp, store_error, user_item_key};
use crate::adapters::records::{ScheduleRecord, WorkflowRecord, replace_triggers};
use crate::domain::{
    TelegramId,
    workflow::{
        NewWorkflow, TooManyWorkflows, TriggerRef, Workflow, WorkflowNumber,
        draft::{DRAFT_KEPT_HOURS, Draft},
        hook::StoredHook,
        run::{Run, RunId},
        schedule::Schedule,
    },
};
use crate::ports::{StoreError, Workflows};

/// Attempts at a change that races another one of the same user's.
const ATTEMPTS: usize = 5;

fn workflow_key(user: TelegramId, number: WorkflowNumber) -> Item {
    user_item_key(user, format!("WORKFLOW#{:08}", number.0))
}

fn run_prefix(workflow: WorkflowNumber) -> String {
    format!("RUN#{:08}#", workflow.0)
}

fn run_key(user: TelegramId, workflow: WorkflowNumber, id: &RunId) -> Item {
    user_item_key(user, format!("{}{}", run_prefix(workflow), id.code()))
}

/// `HOOK#<token hash>` / `HOOK`: a hook found by its token's hash alone.
fn hook_key(hash: &str) -> Item {
    std::collections::HashMap::from([
        ("pk".to_owned(), s(format!("HOOK#{hash}"))),
        ("sk".to_owned(), s("HOOK")),
    ])
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn workflow_item(workflow: &Workflow) -> Result<Item, StoreError> {
    let record = WorkflowRecord::from(workflow);
    let mut item = workflow_key(workflow.user, workflow.number);
    item.insert("entity".into(), s("workflow"));
    item.insert("name".into(), s(&workflow.definition.name));
    item.insert("is_active".into(), AttributeValue::Bool(workflow.active));
    item.insert("version".into(), n(i64::from(workflow.version)));
    item.insert("definition".into(), s(serde_json::to_string(&record.definition).map_err(corrupt)?));
    if let Some(schedule) = &record.schedule {
        item.insert("schedule".into(), s(serde_json::to_string(schedule).map_err(corrupt)?));
        item.insert("next_run".into(), s(stamp(schedule.next_run)));
        if workflow.active {
            item.extend(schedule_index(workflow.user, workflow.number, schedule.next_run));
        }
    }
    if let Some(hash) = &workflow.hook {
        item.insert("hook_hash".into(), s(hash));
    }
    item.insert("created_at".into(), s(workflow.created_at.to_rfc3339()));
    item.insert("updated_at".into(), s(workflow.updated_at.to_rfc3339()));
    Ok(item)
}

/// Shards of the schedules' due index, as the tasks' (`DUE_SHARDS`).
const SCHEDULE_SHARDS: i64 = super::tasks::DUE_SHARDS;

/// GSI1 keys of an active schedule: `WDUE#<shard>` (apart from the tasks'
/// `DUE#`, so the reminder sweep never reads a workflow) and its next run.
fn schedule_index(
    user: TelegramId,
    number: WorkflowNumber,
    next: DateTime<Utc>,
) -> [(String, AttributeValue); 2] {
    [
        ("gsi1pk".to_owned(), s(format!("WDUE#{:02}", user.0.rem_euclid(SCHEDULE_SHARDS)))),
        ("gsi1sk".to_owned(), s(format!("{}#{}#{:08}", due_sort_key(next), user.0, number.0))),
    ]
}

fn workflow_from_item(user: TelegramId, item: &Item) -> Result<Workflow, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let missing = |what: &str| StoreError::Corrupt(format!("workflow item without a valid {what}"));
    let time = |name: &str| {
        text(name)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| missing(name))
    };
    let number = text("sk")
        .and_then(|sk| sk.strip_prefix("WORKFLOW#"))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| missing("sk"))?;
    Ok(Workflow {
        user,
        number: WorkflowNumber(number),
        definition: serde_json::from_str(text("definition").ok_or_else(|| missing("definition"))?)
            .map_err(corrupt)?,
        active: item.get("is_active").and_then(|v| v.as_bool().ok()).copied().unwrap_or(true),
        version: item
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| missing("version"))?,
        hook: text("hook_hash").cloned(),
        schedule: match text("schedule") {
            Some(json) => {
                let record: ScheduleRecord = serde_json::from_str(json).map_err(corrupt)?;
                Some(Schedule::try_from(record)?)
            }
            None => None,
        },
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
    })
}

fn run_from_item(item: &Item) -> Result<Run, StoreError> {
    let body = item
        .get("body")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| StoreError::Corrupt("run item without a body".into()))?;
    serde_json::from_str(body).map_err(corrupt)
}

fn number_of(item: &Item, name: &str) -> u32 {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// What a workflow change needs of the profile: its counters and trigger map.
struct Profile {
    seq: u32,
    count: u32,
    rev: u32,
    triggers: Vec<TriggerRef>,
}

impl DynamoStore {
    async fn profile(&self, user: TelegramId) -> Result<Profile, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(profile_key(user)))
            .projection_expression("pk, workflow_seq, workflow_count, workflow_rev, workflow_triggers")
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let item = output.item.ok_or_else(|| StoreError::NotFound(format!("user {}", user.0)))?;
        let triggers = match item.get("workflow_triggers") {
            Some(AttributeValue::L(codes)) => codes
                .iter()
                .map(|code| {
                    code.as_s()
                        .ok()
                        .and_then(|c| TriggerRef::from_code(c))
                        .ok_or_else(|| StoreError::Corrupt("bad workflow trigger".into()))
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        Ok(Profile {
            seq: number_of(&item, "workflow_seq"),
            count: number_of(&item, "workflow_count"),
            rev: number_of(&item, "workflow_rev"),
            triggers,
        })
    }

    /// The profile's part of a workflow change: the new trigger map and
    /// counters, only if no other change came in since `profile` was read.
    fn profile_update(
        &self,
        user: TelegramId,
        profile: &Profile,
        triggers: &[TriggerRef],
        seq: u32,
        count: u32,
    ) -> Result<TransactWriteItem, StoreError> {
        let codes = triggers.iter().map(|r| s(r.code())).collect();
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(profile_key(user)))
            .update_expression(
                "SET workflow_triggers = :triggers, workflow_seq = :seq, workflow_count = :count, \
                 workflow_rev = :next_rev",
            )
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(workflow_rev) OR workflow_rev = :rev)",
            )
            .expression_attribute_values(":triggers", AttributeValue::L(codes))
            .expression_attribute_values(":seq", n(i64::from(seq)))
            .expression_attribute_values(":count", n(i64::from(count)))
            .expression_attribute_values(":rev", n(i64::from(profile.rev)))
            .expression_attribute_values(":next_rev", n(i64::from(profile.rev) + 1))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Writes `items` in one transaction; false when a condition failed.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        let result = self.client().transact_write_items().set_transact_items(Some(items)).send().await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("TransactionCanceledException") => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }
}

#[async_trait]
impl Workflows for DynamoStore {
    async fn create_workflow(
        &self,
        user: TelegramId,
        new: &NewWorkflow,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<Workflow, TooManyWorkflows>, StoreError> {
        for _ in 0..ATTEMPTS {
            let profile = self.profile(user).await?;
            if profile.count >= max {
                return Ok(Err(TooManyWorkflows(max)));
            }
            let workflow = Workflow {
                user,
                number: WorkflowNumber(profile.seq + 1),
                definition: new.definition.clone(),
                active: new.active,
                version: 1,
                hook: None,
                schedule: new.schedule.clone(),
                created_at: now,
                updated_at: now,
            };
            let triggers = replace_triggers(&profile.triggers, workflow.number, Some(&workflow));
            let put = Put::builder()
                .table_name(self.table())
                .set_item(Some(workflow_item(&workflow)?))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(corrupt)?;
            let items = vec![
                self.profile_update(user, &profile, &triggers, workflow.number.0, profile.count + 1)?,
                TransactWriteItem::builder().put(put).build(),
            ];
            if self.transact(items).await? {
                return Ok(Ok(workflow));
            }
        }
        Err(StoreError::Unavailable("workflow creation kept conflicting".into()))
    }

    async fn workflows(&self, user: TelegramId) -> Result<Vec<Workflow>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(format!("USER#{}", user.0)))
            .expression_attribute_values(":prefix", s("WORKFLOW#"));
        self.query_all(query, None).await?.iter().map(|item| workflow_from_item(user, item)).collect()
    }

    async fn get_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(workflow_key(user, number)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        output.item.as_ref().map(|item| workflow_from_item(user, item)).transpose()
    }

    async fn update_workflow(&self, workflow: &Workflow, seen_version: u32) -> Result<bool, StoreError> {
        let user = workflow.user;
        for _ in 0..ATTEMPTS {
            let profile = self.profile(user).await?;
            let triggers = replace_triggers(&profile.triggers, workflow.number, Some(workflow));
            let put = Put::builder()
                .table_name(self.table())
                .set_item(Some(workflow_item(workflow)?))
                .condition_expression("attribute_exists(pk) AND version = :seen")
                .expression_attribute_values(":seen", n(i64::from(seen_version)))
                .build()
                .map_err(corrupt)?;
            let items = vec![
                self.profile_update(user, &profile, &triggers, profile.seq, profile.count)?,
                TransactWriteItem::builder().put(put).build(),
            ];
            if self.transact(items).await? {
                return Ok(true);
            }
            // The workflow changed or went (not worth retrying), or another change raced the profile.
            match self.get_workflow(user, workflow.number).await? {
                Some(stored) if stored.version == seen_version => continue,
                _ => return Ok(false),
            }
        }
        Err(StoreError::Unavailable("workflow change kept conflicting".into()))
    }

    async fn delete_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError> {
        for _ in 0..ATTEMPTS {
            let Some(stored) = self.get_workflow(user, number).await? else { return Ok(None) };
            let profile = self.profile(user).await?;
            let triggers = replace_triggers(&profile.triggers, number, None);
            let delete = Delete::builder()
                .table_name(self.table())
                .set_key(Some(workflow_key(user, number)))
                .condition_expression("version = :seen")
                .expression_attribute_values(":seen", n(i64::from(stored.version)))
                .build()
                .map_err(corrupt)?;
            let items = vec![
                self.profile_update(user, &profile, &triggers, profile.seq, profile.count.saturating_sub(1))?,
                TransactWriteItem::builder().delete(delete).build(),
            ];
            if self.transact(items).await? {
                return Ok(Some(stored));
            }
        }
        Err(StoreError::Unavailable("workflow deletion kept conflicting".into()))
    }

    async fn save_run(&self, run: &Run) -> Result<bool, StoreError> {
        let mut item = run_key(run.user, run.workflow, &run.id);
        item.insert("entity".into(), s("run"));
        item.insert("status".into(), s(run.status.code()));
        item.insert("rev".into(), n(i64::from(run.rev)));
        item.insert("expires_at".into(), n(run.expires_at().timestamp()));
        item.insert("body".into(), s(serde_json::to_string(run).map_err(corrupt)?));
        let mut put = self.client().put_item().table_name(self.table()).set_item(Some(item));
        put = if run.rev == 0 {
            put.condition_expression("attribute_not_exists(pk)")
        } else {
            put.condition_expression("rev = :before")
                .expression_attribute_values(":before", n(i64::from(run.rev) - 1))
        };
        conditional(put.send().await)
    }

    async fn get_run(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        id: &RunId,
    ) -> Result<Option<Run>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(run_key(user, workflow, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let now = Utc::now();
        // DynamoDB's TTL deletes within days of the expiry: until then, hide it.
        Ok(output.item.as_ref().map(run_from_item).transpose()?.filter(|run| run.expires_at() > now))
    }

    async fn due_schedules(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Workflow>, StoreError> {
        let mut due = Vec::new();
        for shard in 0..SCHEDULE_SHARDS {
            let query = self
                .client()
                .query()
                .table_name(self.table())
                .index_name("GSI1")
                .key_condition_expression("gsi1pk = :shard AND gsi1sk <= :up_to")
                .expression_attribute_values(":shard", s(format!("WDUE#{shard:02}")))
                .expression_attribute_values(":up_to", s(format!("{}~", due_sort_key(up_to))))
                .limit(i32::try_from(limit).unwrap_or(i32::MAX));
            for item in self.query_all(query, Some(limit)).await? {
                let user = item
                    .get("pk")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|pk| pk.strip_prefix("USER#"))
                    .and_then(|id| id.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("scheduled workflow without a user".into()))?;
                due.push(workflow_from_item(TelegramId(user), &item)?);
            }
        }
        due.sort_by_key(|w| w.schedule.as_ref().map(|s| s.next));
        due.truncate(limit);
        Ok(due)
    }

    async fn schedule_fired(
        &self,
        workflow: &Workflow,
        fired: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(workflow_key(workflow.user, workflow.number)))
            .condition_expression("next_run = :fired")
            .expression_attribute_values(":fired", s(stamp(fired)));
        update = match (next, &workflow.schedule) {
            (Some(next), Some(schedule)) => {
                let record = ScheduleRecord { next_run: next, ..ScheduleRecord::from(schedule) };
                let [(_, shard), (_, sort)] = schedule_index(workflow.user, workflow.number, next);
                update
                    .update_expression(
                        "SET #schedule = :schedule, next_run = :next, gsi1pk = :shard, gsi1sk = :sort",
                    )
                    .expression_attribute_names("#schedule", "schedule")
                    .expression_attribute_values(
                        ":schedule",
                        s(serde_json::to_string(&record).map_err(corrupt)?),
                    )
                    .expression_attribute_values(":next", s(stamp(next)))
                    .expression_attribute_values(":shard", shard)
                    .expression_attribute_values(":sort", sort)
            }
            _ => update
                .update_expression("REMOVE #schedule, next_run, gsi1pk, gsi1sk")
                .expression_attribute_names("#schedule", "schedule"),
        };
        conditional(update.send().await)
    }

    async fn save_draft(
        &self,
        user: TelegramId,
        draft: &Draft,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut item = user_item_key(user, "WORKFLOW_DRAFT".into());
        item.insert("entity".into(), s("workflow_draft"));
        item.insert("body".into(), s(serde_json::to_string(draft).map_err(corrupt)?));
        item.insert("expires_at".into(), n((now + chrono::Duration::hours(DRAFT_KEPT_HOURS)).timestamp()));
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn draft(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Option<Draft>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(user_item_key(user, "WORKFLOW_DRAFT".into())))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let Some(item) = output.item else { return Ok(None) };
        let expires = item.get("expires_at").and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
        if expires.is_none_or(|at| at <= now.timestamp()) {
            return Ok(None);
        }
        let body =
            item.get("body").and_then(|v| v.as_s().ok()).ok_or_else(|| corrupt("draft without a body"))?;
        serde_json::from_str(body).map(Some).map_err(corrupt)
    }

    async fn drop_draft(&self, user: TelegramId) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(user_item_key(user, "WORKFLOW_DRAFT".into())))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn put_hook(&self, hash: &str, hook: &StoredHook) -> Result<(), StoreError> {
        let mut item = hook_key(hash);
        item.insert("entity".into(), s("hook"));
        item.insert("user_id".into(), n(hook.user.0));
        item.insert("workflow".into(), n(i64::from(hook.workflow.0)));
        if let Some(secret) = &hook.secret {
            item.insert("secret".into(), s(secret));
        }
        item.insert("created_at".into(), s(hook.created_at.to_rfc3339()));
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get_hook(&self, hash: &str) -> Result<Option<StoredHook>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(hook_key(hash)))
            .send()
            .await
            .map_err(store_error)?;
        let Some(item) = output.item else { return Ok(None) };
        let missing = |what: &str| StoreError::Corrupt(format!("hook item without a valid {what}"));
        let number =
            |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
        Ok(Some(StoredHook {
            user: TelegramId(number("user_id").ok_or_else(|| missing("user_id"))?),
            workflow: WorkflowNumber(
                number("workflow").and_then(|n| u32::try_from(n).ok()).ok_or_else(|| missing("workflow"))?,
            ),
            secret: item.get("secret").and_then(|v| v.as_s().ok()).cloned(),
            created_at: item
                .get("created_at")
                .and_then(|v| v.as_s().ok())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| missing("created_at"))?,
        }))
    }

    async fn delete_hook(&self, hash: &str) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(hook_key(hash)))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn recent_runs(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        limit: usize,
    ) -> Result<Vec<Run>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .filter_expression("expires_at > :now")
            .expression_attribute_values(":pk", s(format!("USER#{}", user.0)))
            .expression_attribute_values(":prefix", s(run_prefix(workflow)))
            .expression_attribute_values(":now", n(Utc::now().timestamp()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        let items = self.query_all(query, Some(limit)).await?;
        items.iter().take(limit).map(run_from_item).collect()
    }
}
