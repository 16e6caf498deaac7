//! `send_message`: a text (a template, shown as plain text) sent to the
//! chat the run reports to. Output: `message_id`, `text`.

use async_trait::async_trait;
use serde_json::json;

use super::{StepCx, StepError, StepKind, StepOutcome, check_templates};
use crate::{
    domain::workflow::{FieldError, StepDef},
    ports::{MessengerError, OutMessage},
    presentation::telegram_html::escape,
    services::workflows::template::Templates,
};

pub struct SendMessage;

const FIELDS: &[(&str, bool)] = &[("text", true)];

#[async_trait]
impl StepKind for SendMessage {
    fn kind(&self) -> &'static str {
        "send_message"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        FIELDS
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        check_templates(step, FIELDS, templates)
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let text = cx.required(step, "text")?;
        if text.trim().is_empty() {
            return Err(StepError::Permanent("text: the message came out empty".into()));
        }
        let report = cx.run.report;
        let message = OutMessage::text(escape(&text)).in_thread(report.thread);
        let id = cx.deps.messenger.post(report.chat, &message).await.map_err(messenger_error)?;
        Ok(StepOutcome::Done(json!({ "message_id": id, "text": text })))
    }
}

/// Telegram's failures, sorted: wait when throttled, retry when down, stop
/// when the chat is gone or the message refused.
pub(crate) fn messenger_error(e: MessengerError) -> StepError {
    match e {
        MessengerError::Throttled(wait) => {
            StepError::Transient { why: "Telegram asked to slow down".into(), retry_after: Some(wait) }
        }
        MessengerError::Unavailable(why) => StepError::transient(format!("Telegram unavailable: {why}")),
        MessengerError::Unreachable(_) => StepError::Permanent("the chat cannot be reached".into()),
        MessengerError::Refused(why) => StepError::Permanent(format!("Telegram refused the message: {why}")),
    }
}
