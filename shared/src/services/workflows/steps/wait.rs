//! `wait`: for a duration (`for`: `10 minutes`, `2 days`) or until a time
//! (`until`: `tomorrow 9am`), at most 7 days, read as tasks' times are in the
//! user's zone. The run parks; short waits come back on the queue's delay,
//! long ones in hops. Output: `until`.

use async_trait::async_trait;
use chrono::Duration;
use serde_json::{Value, json};

use super::{StepCx, StepError, StepKind, StepOutcome};
use crate::{
    domain::{
        TimeZone,
        when::parse_due,
        workflow::{FieldError, Problem, StepDef},
    },
    services::workflows::template::Templates,
};

pub struct Wait;

/// The longest wait.
pub const MAX_WAIT: Duration = Duration::days(7);

/// When `step` wakes, read at `now` in `tz`.
pub(crate) fn wake_time(
    step: &StepDef,
    now: chrono::DateTime<chrono::Utc>,
    tz: TimeZone,
) -> Result<chrono::DateTime<chrono::Utc>, (String, Problem)> {
    let (field, text) = match (step.text("for"), step.text("until")) {
        (Some(d), None) => ("for", format!("in {d}")),
        (None, Some(t)) => ("until", t.to_owned()),
        (Some(_), Some(_)) => {
            return Err(("until".into(), Problem::Invalid("give `for` or `until`, not both".into())));
        }
        (None, None) => return Err(("for".into(), Problem::Missing)),
    };
    let at = parse_due(&text, now, tz)
        .map_err(|_| (field.to_owned(), Problem::Invalid("not a duration or time I can read".into())))?
        .at;
    if at > now + MAX_WAIT {
        return Err((field.to_owned(), Problem::Invalid("more than 7 days away".into())));
    }
    Ok(at)
}

#[async_trait]
impl StepKind for Wait {
    fn kind(&self) -> &'static str {
        "wait"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        &[("for", false), ("until", false)]
    }

    fn check(&self, step: &StepDef, _: &Templates) -> Result<(), FieldError> {
        if let Some(other) = step.fields.keys().find(|k| *k != "for" && *k != "until") {
            return Err(FieldError::new(
                other.clone(),
                Problem::Invalid("not a field of this kind of step".into()),
            ));
        }
        if step.fields.values().any(|v| !v.is_string()) {
            return Err(FieldError::new("for", Problem::Invalid("not text".into())));
        }
        wake_time(step, chrono::Utc::now(), TimeZone::UTC).map(|_| ()).map_err(|(f, p)| FieldError::new(f, p))
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let now = cx.deps.clock.now();
        let at =
            wake_time(step, now, cx.user.tz()).map_err(|(f, p)| StepError::Permanent(format!("{f}: {p}")))?;
        cx.inputs.insert("until".into(), Value::String(at.to_rfc3339()));
        Ok(StepOutcome::Park { output: json!({ "until": at.to_rfc3339() }), wake: Some(at) })
    }
}
