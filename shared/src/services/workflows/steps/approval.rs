//! `approval`: a question (`text`, a template) with Approve and Reject
//! buttons, sent to the chat the run reports to; the run parks until its
//! owner taps one. An optional `timeout` (`2 hours`, at most 7 days) takes
//! the `default` (`reject` unless `approve`). Approve goes on; Reject ends
//! the run, succeeded, the rest skipped. Output: `approved`, `by`, `timed_out`.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{StepCx, StepError, StepKind, StepOutcome, check_templates, send_message::messenger_error};
use crate::{
    domain::{
        TimeZone,
        workflow::{FieldError, Problem, StepDef},
    },
    ports::OutMessage,
    presentation::{keyboards::approval_keyboard, telegram_html::escape},
    services::workflows::template::Templates,
};

pub struct Approval;

#[async_trait]
impl StepKind for Approval {
    fn kind(&self) -> &'static str {
        "approval"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        &[("text", true), ("timeout", false), ("default", false)]
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        let mut fields = step.clone();
        let timeout = fields.fields.remove("timeout");
        let default = fields.fields.remove("default");
        check_templates(&fields, &[("text", true)], templates)?;
        match default.as_ref().map(Value::as_str) {
            None | Some(Some("approve" | "reject")) => {}
            Some(_) => return Err(FieldError::new("default", Problem::Invalid("approve or reject".into()))),
        }
        if let Some(timeout) = timeout {
            let Value::String(text) = timeout else {
                return Err(FieldError::new("timeout", Problem::Invalid("not text".into())));
            };
            let probe = StepDef {
                fields: [("for".to_owned(), Value::String(text))].into_iter().collect(),
                ..step.clone()
            };
            super::wait::wake_time(&probe, chrono::Utc::now(), TimeZone::UTC)
                .map_err(|(_, p)| FieldError::new("timeout", p))?;
        }
        Ok(())
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let text = cx.required(step, "text")?;
        let now = cx.deps.clock.now();
        let wake = match step.text("timeout") {
            Some(timeout) => {
                let probe = StepDef {
                    fields: [("for".to_owned(), Value::String(timeout.to_owned()))].into_iter().collect(),
                    ..step.clone()
                };
                let at = super::wait::wake_time(&probe, now, cx.user.tz())
                    .map_err(|(_, p)| StepError::Permanent(format!("timeout: {p}")))?;
                Some(at)
            }
            None => None,
        };
        let (run, index) =
            (cx.run, cx.run.steps.iter().position(|s| s.name == step.name).unwrap_or_default());
        let keyboard = approval_keyboard(run.workflow, run.id, index, cx.user.lang());
        let message = OutMessage::text(format!("❓ {}", escape(&text)))
            .with_keyboard(keyboard)
            .in_thread(run.report.thread);
        let id = cx.deps.messenger.post(run.report.chat, &message).await.map_err(messenger_error)?;
        Ok(StepOutcome::Park { output: json!({ "message_id": id, "text": text }), wake })
    }

    fn wake(&self, step: &StepDef, parked: Value) -> StepOutcome {
        let approve = step.text("default") == Some("approve");
        // Nobody answered: `by` is empty, so templates that name who answered still render.
        let output =
            json!({ "approved": approve, "by": "", "timed_out": true, "message_id": parked["message_id"] });
        if approve { StepOutcome::Done(output) } else { StepOutcome::Stop(output) }
    }
}
