//! `ask` jobs: a question for the assistant, answered in the chat it came
//! from; a failure for good, or on the last attempt, is told to the user in
//! their language.

use std::{future::Future, pin::pin, sync::Arc, time::Duration};

use async_trait::async_trait;
use futures::future::{Either, select};
use tracing::{info, warn};

use super::super::{Attempt, JobError, JobHandler};
use crate::{
    domain::{
        Language, TelegramId, User,
        job::{Job, JobFailure, JobId, Work},
    },
    ports::{ChatId, Messenger, MessengerError, OutMessage},
    presentation::catalog::assistant::AssistantMsg,
    presentation::markdown::to_telegram_html,
    services::{Deps, assistant::Assistant},
};

/// The longest an answer may take, tool calls and fallbacks included: inside
/// the jobs function's 120 s timeout, so a slow answer is retried rather than
/// cut off by Lambda.
pub const ANSWER_BUDGET: Duration = Duration::from_secs(100);
/// Telegram shows "typing…" for 5 s; it is renewed while the work lasts.
const TYPING_REFRESH: Duration = Duration::from_secs(4);

/// Where the question was asked: its chat, and its forum topic if any.
#[derive(Clone, Copy)]
struct Where {
    chat: ChatId,
    thread: Option<i32>,
}

pub struct AskJobs {
    deps: Deps,
    /// `None` when no AI provider is configured.
    assistant: Option<Arc<Assistant>>,
}

impl AskJobs {
    pub fn new(deps: Deps, assistant: Option<Arc<Assistant>>) -> AskJobs {
        AskJobs { deps, assistant }
    }
}

#[async_trait]
impl JobHandler for AskJobs {
    fn kind(&self) -> &'static str {
        "ask"
    }

    async fn run(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        let Work::Ask { user, chat, question, thread } = &job.work else { return Err(super::mismatch(job)) };
        self.ask(&job.id, *user, Where { chat: *chat, thread: *thread }, question, attempt).await
    }

    async fn after_panic(&self, job: &Job) {
        if let Work::Ask { user, chat, thread, .. } = &job.work {
            let user = self.deps.store.get_user(*user).await.ok().flatten();
            let to = Where { chat: *chat, thread: *thread };
            self.tell(to, user.map_or(Language::En, |u| u.lang()), JobFailure::NoAnswer).await;
        }
    }
}

impl AskJobs {
    async fn ask(
        &self,
        id: &JobId,
        user: TelegramId,
        to: Where,
        question: &str,
        attempt: Attempt,
    ) -> Result<(), JobError> {
        let user = self.deps.store.get_user(user).await;
        let lang = user.as_ref().ok().and_then(Option::as_ref).map_or(Language::En, User::lang);
        let result = match user {
            Err(e) => Err(e.into()),
            Ok(None) => Err(JobError::Permanent(JobFailure::NoAnswer, "the user is not registered".into())),
            Ok(Some(user)) if user.banned_at.is_some() => {
                info!("the user was banned since asking; not answered");
                return Ok(());
            }
            Ok(Some(user)) => self.answer(id, &user, to, question).await,
        };
        match &result {
            Err(JobError::Permanent(failure, _)) => self.tell(to, lang, *failure).await,
            Err(JobError::Transient(_)) if attempt.last => self.tell(to, lang, JobFailure::GaveUp).await,
            _ => {}
        }
        result
    }

    /// Typing while the assistant works, then the answer, formatted for
    /// Telegram and split at 4096 characters by the messenger, then remembered.
    async fn answer(&self, id: &JobId, user: &User, to: Where, question: &str) -> Result<(), JobError> {
        let Some(assistant) = &self.assistant else {
            return Err(JobError::Permanent(JobFailure::AssistantOff, "no AI provider configured".into()));
        };
        let now = self.deps.clock.now();
        let answering = tokio::time::timeout(ANSWER_BUDGET, assistant.answer(user, question, now, id));
        let answer = match with_typing(self.deps.messenger.as_ref(), to.chat, answering).await {
            Err(_) => return Err(JobError::Transient(format!("no answer within {ANSWER_BUDGET:?}"))),
            Ok(answer) => answer?,
        };
        if answer.text.trim().is_empty() {
            return Err(JobError::Permanent(JobFailure::NoAnswer, "the model answered nothing".into()));
        }
        let message = OutMessage::text(to_telegram_html(&answer.text)).in_thread(to.thread);
        self.deps.messenger.send(to.chat, &message).await.map_err(delivery)?;
        if let Err(e) = assistant.remember(user, &answer, now).await {
            warn!(error = %e, "the answer was sent but not remembered");
        }
        Ok(())
    }

    /// Tells the user a job failed; a failure to tell is logged (the job's own
    /// failure is already logged and, when transient, kept by the queue).
    async fn tell(&self, to: Where, lang: Language, failure: JobFailure) {
        let text = OutMessage::text(AssistantMsg::Failed(failure).render(lang)).in_thread(to.thread);
        if let Err(e) = self.deps.messenger.send(to.chat, &text).await {
            warn!(error = %e, "could not tell the user their job failed");
        }
    }
}

/// A failure to deliver the answer: temporary ones retry the job (its tools
/// do not run twice); a blocked chat or a refused message is final.
fn delivery(e: MessengerError) -> JobError {
    JobError::sorted(e.is_transient(), &e)
}

/// Runs `work` while the chat shows "typing…".
async fn with_typing<T>(messenger: &dyn Messenger, chat: ChatId, work: impl Future<Output = T>) -> T {
    match select(pin!(work), pin!(keep_typing(messenger, chat))).await {
        Either::Left((out, _)) => out,
        Either::Right(((), work)) => work.await,
    }
}

async fn keep_typing(messenger: &dyn Messenger, chat: ChatId) {
    loop {
        if let Err(e) = messenger.typing(chat).await {
            info!(error = %e, "typing indicator not shown");
        }
        tokio::time::sleep(TYPING_REFRESH).await;
    }
}
