//! The AI assistant: the conversation's memory, one provider and then the
//! other when the first fails with a transient error, and tools that manage
//! the user's tasks through the same store as the commands. A job retried
//! after a tool ran does not run that tool again.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tracing::{error, warn};

use crate::domain::{
    User,
    assistant::{MemoryBound, Role, Turn},
    job::JobId,
    task::{TaskNumber, sort_for_listing},
    tier::TierLimits,
};
use crate::ports::{
    AssistantStore, ClaimKey, Clock, StoreError,
    ai::{AiProvider, ChatReply, ChatRequest, ProviderError, ToolCall, ToolSpec},
};
use crate::presentation::catalog::tasks::when;
use crate::services::{
    once::{ClaimTimes, Once, Settle, once},
    tasks::{Created, Finished, NotCreated, create_from_text},
};

/// The time of the answer the tool calls belong to, as a clock for their claims.
struct At(DateTime<Utc>);

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Rounds of tool calls in one answer before giving up.
const MAX_TOOL_ROUNDS: usize = 4;
/// Attempts per provider on a transient error before the next provider.
const ATTEMPTS_PER_PROVIDER: usize = 2;
/// The longest wait for a provider's Retry-After before moving on.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);
/// How long a conversation is remembered after its last turn.
pub const MEMORY_TTL: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    #[error("every provider failed; the last said: {0}")]
    Providers(ProviderError),
    #[error("the model kept calling tools")]
    TooManyToolRounds,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The same tool call runs in another delivery of the job right now.
    #[error("the same tool call runs elsewhere")]
    ClaimBusy,
}

impl AssistantError {
    /// Worth retrying later (the job is retried); otherwise the user is told.
    pub fn is_transient(&self) -> bool {
        match self {
            AssistantError::Providers(e) => e.is_transient(),
            AssistantError::TooManyToolRounds => false,
            AssistantError::Store(e) => e.is_transient(),
            AssistantError::ClaimBusy => true,
        }
    }
}

/// An answer, and the question and answer to remember once the user has it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub text: String,
    turns: [Turn; 2],
}

pub struct Assistant {
    providers: Vec<Arc<dyn AiProvider>>,
    store: Arc<dyn AssistantStore>,
    limits: TierLimits,
    bound: MemoryBound,
}

impl Assistant {
    /// `providers` in order of preference: the first, then its fallback.
    pub fn new(
        providers: Vec<Arc<dyn AiProvider>>,
        store: Arc<dyn AssistantStore>,
        limits: TierLimits,
    ) -> Assistant {
        Assistant { providers, store, limits, bound: MemoryBound::DEFAULT }
    }

    /// Answers `question` from `user` at `now` for `job`, running the tools the
    /// model asks for (those that change something, once per job).
    pub async fn answer(
        &self,
        user: &User,
        question: &str,
        now: DateTime<Utc>,
        job: &JobId,
    ) -> Result<Answer, AssistantError> {
        let asked = Turn { role: Role::User, text: question.to_owned(), at: now };
        let mut turns = self.store.recent_turns(user.id, now).await?;
        turns.push(asked.clone());
        let mut request =
            ChatRequest { system: system_prompt(user, now), turns, tools: tools(), tool_results: Vec::new() };
        for round in 0..MAX_TOOL_ROUNDS {
            match self.chat(&request).await? {
                ChatReply::Text(text) => {
                    let answered = Turn { role: Role::Assistant, text: text.clone(), at: now };
                    return Ok(Answer { text, turns: [asked, answered] });
                }
                ChatReply::ToolCalls(calls) => {
                    for (index, call) in calls.into_iter().enumerate() {
                        let place = ToolPlace { job, round, index };
                        let result = self.run_tool_once(user, &call, now, place).await?;
                        request.tool_results.push((call, result));
                    }
                }
            }
        }
        Err(AssistantError::TooManyToolRounds)
    }

    /// A workflow's AI prompt: one question, no tools, no memory of the
    /// conversation; through the same providers and fallback.
    pub async fn complete(
        &self,
        user: &User,
        prompt: &str,
        now: DateTime<Utc>,
    ) -> Result<String, AssistantError> {
        let turns = vec![Turn { role: Role::User, text: prompt.to_owned(), at: now }];
        let system = format!(
            "You are Linklet, running a step of the user's automation in Telegram. Answer the prompt \
             directly, without greeting. The user's time zone is {tz}; it is {now} there.",
            tz = user.tz(),
            now = now.with_timezone(&user.tz().tz()).format("%A %Y-%m-%d %H:%M"),
        );
        let request = ChatRequest { system, turns, tools: Vec::new(), tool_results: Vec::new() };
        match self.chat(&request).await? {
            ChatReply::Text(text) => Ok(text),
            // Offered no tools, a model that asks for one has not answered.
            ChatReply::ToolCalls(_) => Err(AssistantError::TooManyToolRounds),
        }
    }

    /// One provider, then the next on a transient error or a refused key.
    async fn chat(&self, request: &ChatRequest) -> Result<ChatReply, AssistantError> {
        let mut last = ProviderError::Unavailable("no provider configured".into());
        for provider in &self.providers {
            for attempt in 1..=ATTEMPTS_PER_PROVIDER {
                match provider.chat(request).await {
                    Ok(reply) => return Ok(reply),
                    Err(ProviderError::Unauthorized) => {
                        error!(
                            provider = provider.name(),
                            "the provider refused the API key: check the configuration"
                        );
                        last = ProviderError::Unauthorized;
                        break;
                    }
                    Err(e) if e.is_transient() => {
                        warn!(provider = provider.name(), attempt, error = %e, "provider failed; retrying");
                        let wait = match &e {
                            ProviderError::RateLimited { retry_after: Some(wait) } => {
                                (*wait).min(MAX_RETRY_WAIT)
                            }
                            _ => Duration::from_millis(250 * attempt as u64),
                        };
                        last = e;
                        if attempt < ATTEMPTS_PER_PROVIDER {
                            tokio::time::sleep(wait).await;
                        }
                    }
                    Err(e) => return Err(AssistantError::Providers(e)),
                }
            }
        }
        Err(AssistantError::Providers(last))
    }

    /// Remembers the question and its answer (sent to the user by then), for
    /// the next question.
    pub async fn remember(&self, user: &User, answer: &Answer, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.store.append_turns(user.id, &answer.turns, self.bound, now + MEMORY_TTL).await
    }

    /// Runs a tool; one that changes something runs under a claim keyed by the
    /// job, the round, the call's place in it and the tool, and its result is
    /// recorded: a retried job gets that result again instead of a second task
    /// (the model seldom repeats its arguments word for word).
    async fn run_tool_once(
        &self,
        user: &User,
        call: &ToolCall,
        now: DateTime<Utc>,
        place: ToolPlace<'_>,
    ) -> Result<Value, AssistantError> {
        if call.name == "list_tasks" {
            return Ok(self.run_tool(user, call, now).await?);
        }
        let key = ClaimKey::tool_call(&place.job.0, place.round, place.index, &call.name);
        let ran = once(self.store.as_ref(), &At(now), &key, ClaimTimes::TOOL_CALL, |_| async {
            match self.run_tool(user, call, now).await {
                Ok(result) => {
                    let note = Some(result.to_string());
                    Settle::Keep { result: Ok(result), note }
                }
                Err(e) => Settle::Release(e),
            }
        })
        .await?;
        match ran {
            Once::Ran(result) => Ok(result?),
            Once::Duplicate(recorded) => {
                let replayed = recorded.as_deref().and_then(|r| serde_json::from_str(r).ok());
                Ok(replayed.unwrap_or_else(
                    || json!({ "note": "already done for this question in an earlier attempt" }),
                ))
            }
            Once::Busy => Err(AssistantError::ClaimBusy),
        }
    }

    async fn run_tool(&self, user: &User, call: &ToolCall, now: DateTime<Utc>) -> Result<Value, StoreError> {
        let tz = user.tz();
        let lang = user.lang();
        let store = &self.store;
        Ok(match call.name.as_str() {
            "create_task" => {
                let text = call.arguments["text"].as_str().unwrap_or_default();
                let limits = self.limits.for_tier(user.tier).tasks;
                match create_from_text(store.as_ref(), user.id, tz, limits, text, now).await? {
                    Ok(Created { task, .. }) => json!({
                        "number": task.number.0,
                        "title": task.title,
                        "due": task.due.map(|at| when(at, tz, lang)),
                        "repeats": task.series.is_some(),
                    }),
                    Err(NotCreated::Unread(e)) => json!({ "error": e.to_string() }),
                    Err(NotCreated::Limit(limit)) => json!({ "error": format!("limit reached: {limit:?}") }),
                }
            }
            "list_tasks" => {
                let mut tasks = store.pending_tasks(user.id).await?;
                sort_for_listing(&mut tasks);
                let listed: Vec<Value> = tasks
                    .iter()
                    .map(|t| json!({ "number": t.number.0, "title": t.title, "due": t.due.map(|at| when(at, tz, lang)) }))
                    .collect();
                json!({ "tasks": listed })
            }
            "complete_task" => {
                let number =
                    call.arguments["number"].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
                match super::tasks::finish(store.as_ref(), user.id, TaskNumber(number), now).await? {
                    Finished::Done { task, next } => {
                        json!({ "done": task.title, "next": next.map(|at| when(at, tz, lang)) })
                    }
                    Finished::AlreadyDone(task) => json!({ "already_done": task.title }),
                    Finished::NotFound => json!({ "error": format!("no pending task #{number}") }),
                }
            }
            other => json!({ "error": format!("unknown tool {other}") }),
        })
    }
}

/// Where a tool call stands in a job's answer: the same place in a retried
/// job is the same call.
#[derive(Debug, Clone, Copy)]
struct ToolPlace<'a> {
    job: &'a JobId,
    round: usize,
    index: usize,
}

fn system_prompt(user: &User, now: DateTime<Utc>) -> String {
    let language = match user.lang() {
        crate::domain::Language::En => "English",
        crate::domain::Language::Fr => "French",
    };
    format!(
        "You are Linklet, a helpful assistant in Telegram. Answer in {language}, briefly. \
         The user's time zone is {tz}; it is {now} there. Use the tools to create, list and \
         complete the user's tasks and reminders; pass create_task the task and its time in \
         words, as the user said them.",
        tz = user.tz(),
        now = now.with_timezone(&user.tz().tz()).format("%A %Y-%m-%d %H:%M"),
    )
}

fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "create_task".into(),
            description:
                "Create a task or reminder, e.g. 'call mom tomorrow at 6pm' or 'water plants every monday'"
                    .into(),
            parameters: json!({
                "type": "object",
                "properties": { "text": { "type": "string", "description": "what to do and when, in words" } },
                "required": ["text"],
            }),
        },
        ToolSpec {
            name: "list_tasks".into(),
            description: "List the user's pending tasks, soonest first".into(),
            parameters: json!({ "type": "object", "properties": {} }),
        },
        ToolSpec {
            name: "complete_task".into(),
            description: "Mark a pending task done by its number".into(),
            parameters: json!({
                "type": "object",
                "properties": { "number": { "type": "integer" } },
                "required": ["number"],
            }),
        },
    ]
}
