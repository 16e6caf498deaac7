//! `condition`: a minijinja expression (`trigger.body.status == "failed"`);
//! false ends the run, succeeded, the steps after it skipped. Output: `value`.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{StepCx, StepError, StepKind, StepOutcome};
use crate::{
    domain::workflow::{FieldError, Problem, StepDef},
    services::workflows::template::Templates,
};

pub struct Condition;

const FIELDS: &[(&str, bool)] = &[("if", true)];

#[async_trait]
impl StepKind for Condition {
    fn kind(&self) -> &'static str {
        "condition"
    }

    fn fields(&self) -> &'static [(&'static str, bool)] {
        FIELDS
    }

    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError> {
        match step.fields.get("if") {
            None => Err(FieldError::new("if", Problem::Missing)),
            Some(Value::String(source)) if source.trim().is_empty() => {
                Err(FieldError::new("if", Problem::Empty))
            }
            Some(Value::String(source)) => templates
                .check_expression(source)
                .map_err(|e| FieldError::new("if", Problem::Invalid(e.to_string()))),
            Some(_) => Err(FieldError::new("if", Problem::Invalid("not text".into()))),
        }?;
        match step.fields.keys().find(|k| *k != "if") {
            Some(other) => Err(FieldError::new(
                other.clone(),
                Problem::Invalid("not a field of this kind of step".into()),
            )),
            None => Ok(()),
        }
    }

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError> {
        let held = cx.holds(step, "if")?;
        let output = json!({ "value": held });
        Ok(if held { StepOutcome::Done(output) } else { StepOutcome::Stop(output) })
    }
}
