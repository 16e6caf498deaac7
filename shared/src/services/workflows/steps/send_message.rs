//! `send_message`: a text (a template, shown as plain text) sent to the
//! chat the run reports to, with optional `buttons` that each start another
//! of the user's workflows (`[{"label": "Deploy", "workflow": 2}]`).
//! Output: `message_id`, `text`.

use async_trait::async_trait;
use serde_json::json;

use super::{StepCx, StepError, StepKind, StepOutcome, check_templates};
use crate::{
    callback::Callback,
    domain::workflow::{FieldError, Problem, StepDef, WorkflowNumber},
    ports::{Button, Keyboard, MessengerError, OutMessage},
    presentation::telegram_html::escape,
    services::workflows::template::Templates,
};

pub struct SendMessage;

const FIELDS: &[(&str, bool)] = &[("text", true), ("buttons", false)];

/// Buttons one message may carry.
const MAX_BUTTONS: usize = 6;

/// The buttons' labels and the workflows they start, as the definition gives them.
fn buttons(step: &StepDef) -> Result<Vec<(String, WorkflowNumber)>, FieldError> {
    let Some(value) = step.fields.get("buttons") else { return Ok(Vec::new()) };
    let Some(list) = value.as_array() else {
        return Err(FieldError::new("buttons", Problem::Invalid("a list of {label, workflow}".into())));
    };
    if list.len() > MAX_BUTTONS {
        return Err(FieldError::new("buttons", Problem::TooMany(MAX_BUTTONS)));
    }
    list.iter()
        .enumerate()
        .map(|(i, button)| {
            let field = |name: &str| format!("buttons[{i}].{name}");
            let label = button["label"].as_str().map(str::trim).filter(|l| !l.is_empty());
            let label = label.ok_or_else(|| FieldError::new(field("label"), Problem::Missing))?;
            if label.chars().count() > 40 {
                return Err(FieldError::new(field("label"), Problem::TooLong(40)));
            }
            let number = button["workflow"].as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
            let number = number.ok_or_else(|| {
                FieldError::new(field("workflow"), Problem::Invalid("a workflow's number".into()))
            })?;
            Ok((label.to_owned(), WorkflowNumber(number)))
        })
        .collect()
}

#[async_trait]
impl StepKind for SendMessage {
    fn kind(&self) -> &'static str {
        "send_message"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        FIELDS
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        let mut text_only = step.clone();
        text_only.fields.remove("buttons");
        check_templates(&text_only, &[("text", true)], templates)?;
        buttons(step).map(|_| ())
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let text = cx.required(step, "text")?;
        if text.trim().is_empty() {
            return Err(StepError::Permanent("text: the message came out empty".into()));
        }
        let report = cx.run.report;
        let keyboard: Keyboard = buttons(step)
            .map_err(|e| StepError::Permanent(e.to_string()))?
            .into_iter()
            .map(|(label, workflow)| vec![Button::new(label, Callback::WorkflowRun(workflow).encode())])
            .collect();
        let message = OutMessage::text(escape(&text)).with_keyboard(keyboard).in_thread(report.thread);
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
