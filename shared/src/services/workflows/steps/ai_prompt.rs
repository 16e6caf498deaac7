//! `ai_prompt`: a prompt (a template) for the assistant's providers, with
//! their fallback, no tools and no memory; counted against the user's AI
//! questions of the day. Output: `text`.

use async_trait::async_trait;
use chrono::Duration;
use serde_json::json;

use super::{StepCx, StepError, StepKind, StepOutcome, check_templates};
use crate::{
    domain::{
        assistant::QuotaUse,
        workflow::{FieldError, StepDef},
    },
    ports::ai::ProviderError,
    services::{assistant::AssistantError, workflows::template::Templates},
};

/// The quota `/ask` counts too.
const QUOTA: &str = "ai";

pub struct AiPrompt;

const FIELDS: &[(&str, bool)] = &[("prompt", true)];

#[async_trait]
impl StepKind for AiPrompt {
    fn kind(&self) -> &'static str {
        "ai_prompt"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        FIELDS
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        check_templates(step, FIELDS, templates)
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let prompt = cx.required(step, "prompt")?;
        let Some(assistant) = cx.tools.assistant.as_ref() else {
            return Err(StepError::Permanent("no AI provider is configured on this Linklet".into()));
        };
        let now = cx.deps.clock.now();
        if cx.first_start {
            let today = now.date_naive().to_string();
            let limit = cx.deps.policy.limits.for_tier(cx.user.tier).ai_questions_per_day;
            let used = cx.deps.store.take_quota(cx.user.id, QUOTA, &today, limit, now + Duration::days(2));
            if used.await.map_err(|e| StepError::transient(e.to_string()))? == QuotaUse::Exhausted {
                return Err(StepError::Permanent(format!("the {limit} AI questions of the day are used up")));
            }
        }
        match assistant.complete(cx.user, &prompt, now).await {
            Ok(text) => Ok(StepOutcome::Done(json!({ "text": text }))),
            Err(e) if e.is_transient() => Err(StepError::Transient {
                why: e.to_string(),
                retry_after: match &e {
                    AssistantError::Providers(ProviderError::RateLimited { retry_after }) => *retry_after,
                    _ => None,
                },
            }),
            Err(AssistantError::Providers(ProviderError::Unauthorized)) => {
                Err(StepError::Permanent("the AI provider refused Linklet's key".into()))
            }
            Err(e) => Err(StepError::Permanent(e.to_string())),
        }
    }
}
