//! A workflow as a JSON document, for export and import: its definition and
//! whether it is active, never its number, its runs or a hook's token.
//! Reading one names the field that is wrong (`steps[1].kind: is missing`).

use serde_json::{Map, Value, json};

use super::{Definition, FieldError, Problem, StepDef, Trigger, Workflow, hook::SignatureScheme};

/// The document's format, written as `"linklet_workflow": 1`.
pub const FORMAT: u64 = 1;
const FORMAT_FIELD: &str = "linklet_workflow";

/// The largest document read (a file or a pasted message).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// An imported document: the definition, and whether to start it active.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub definition: Definition,
    pub active: bool,
}

/// The document of `workflow`, pretty-printed.
pub fn export(workflow: &Workflow) -> String {
    let d = &workflow.definition;
    let document = json!({
        FORMAT_FIELD: FORMAT,
        "name": d.name,
        "description": d.description,
        "active": workflow.active,
        "triggers": d.triggers,
        "steps": d.steps,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// Reads a document; what is wrong names its field.
pub fn import(text: &str) -> Result<Imported, FieldError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(FieldError::new("document", Problem::TooLong(MAX_DOCUMENT_BYTES)));
    }
    let value: Value = serde_json::from_str(text.trim())
        .map_err(|e| FieldError::new("document", Problem::Invalid(format!("not JSON ({e})"))))?;
    let Value::Object(top) = value else {
        return Err(FieldError::new("document", Problem::Invalid("not a JSON object".into())));
    };
    match top.get(FORMAT_FIELD) {
        Some(Value::Number(n)) if n.as_u64() == Some(FORMAT) => {}
        Some(other) => {
            return Err(FieldError::new(
                FORMAT_FIELD,
                Problem::Invalid(format!("format {other} is not {FORMAT}")),
            ));
        }
        None => return Err(FieldError::new(FORMAT_FIELD, Problem::Missing)),
    }
    let name = text_field(&top, "name", "name")?.ok_or_else(|| FieldError::new("name", Problem::Missing))?;
    let description = text_field(&top, "description", "description")?.unwrap_or_default();
    let active = match top.get("active") {
        None => true,
        Some(Value::Bool(active)) => *active,
        Some(_) => return Err(FieldError::new("active", Problem::Invalid("not true or false".into()))),
    };
    let triggers = array(&top, "triggers")?
        .iter()
        .enumerate()
        .map(|(i, t)| trigger(i, t))
        .collect::<Result<Vec<_>, _>>()?;
    let steps =
        array(&top, "steps")?.iter().enumerate().map(|(i, s)| step(i, s)).collect::<Result<Vec<_>, _>>()?;
    Ok(Imported { definition: Definition { name, description, triggers, steps }, active })
}

fn text_field(object: &Map<String, Value>, key: &str, field: &str) -> Result<Option<String>, FieldError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(FieldError::new(field, Problem::Invalid("not text".into()))),
    }
}

fn array<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], FieldError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(FieldError::new(key, Problem::Invalid("not a list".into()))),
    }
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Map<String, Value>, FieldError> {
    value.as_object().ok_or_else(|| FieldError::new(field, Problem::Invalid("not a JSON object".into())))
}

fn trigger(i: usize, value: &Value) -> Result<Trigger, FieldError> {
    let at = format!("triggers[{i}]");
    let fields = object(value, &at)?;
    let required = |key: &str| {
        let field = format!("{at}.{key}");
        text_field(fields, key, &field)?.ok_or(FieldError::new(field, Problem::Missing))
    };
    match required("kind")?.as_str() {
        "command" => Ok(Trigger::Command { name: required("name")?.trim_start_matches('/').to_owned() }),
        "keyword" => Ok(Trigger::Keyword { phrase: required("phrase")? }),
        "manual" => Ok(Trigger::Manual),
        "schedule" => Ok(Trigger::Schedule { every: required("every")? }),
        "webhook" => {
            let signature = match text_field(fields, "signature", &format!("{at}.signature"))?.as_deref() {
                None | Some("") | Some("none") => None,
                Some("github") => Some(SignatureScheme::Github),
                Some("standard_webhooks") => Some(SignatureScheme::StandardWebhooks),
                Some(other) => {
                    return Err(FieldError::new(
                        format!("{at}.signature"),
                        Problem::UnknownKind(other.to_owned()),
                    ));
                }
            };
            Ok(Trigger::Webhook { signature })
        }
        other => Err(FieldError::new(format!("{at}.kind"), Problem::UnknownKind(other.to_owned()))),
    }
}

fn step(i: usize, value: &Value) -> Result<StepDef, FieldError> {
    let at = format!("steps[{i}]");
    let mut fields = object(value, &at)?.clone();
    let mut required = |key: &str| match fields.remove(key) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(FieldError::new(format!("{at}.{key}"), Problem::Invalid("not text".into()))),
        None => Err(FieldError::new(format!("{at}.{key}"), Problem::Missing)),
    };
    let name = required("name")?;
    let kind = required("kind")?;
    Ok(StepDef { name, kind, fields })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{TelegramId, workflow::WorkflowNumber};

    #[test]
    fn an_export_reads_back_as_the_same_definition_without_number_or_ids() {
        let text = r#"{"linklet_workflow": 1, "name": "Deploy", "triggers": [{"kind": "command", "name": "/deploy"}],
            "steps": [{"name": "tell", "kind": "send_message", "text": "Deploying {{ trigger.text }}"}]}"#;
        let imported = import(text).unwrap();
        assert!(imported.active);
        assert_eq!(imported.definition.triggers, vec![Trigger::Command { name: "deploy".into() }]);
        assert_eq!(imported.definition.steps[0].text("text"), Some("Deploying {{ trigger.text }}"));
        let workflow = Workflow {
            user: TelegramId(1),
            number: WorkflowNumber(7),
            definition: imported.definition.clone(),
            active: false,
            version: 3,
            hook: Some("ab".repeat(32)),
            schedule: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let exported = export(&workflow);
        assert!(
            !exported.contains("\"number\"") && !exported.contains("version") && !exported.contains("abab")
        );
        let again = import(&exported).unwrap();
        assert_eq!(again, Imported { definition: imported.definition, active: false });
    }

    #[test]
    fn a_bad_document_names_the_field() {
        let field = |text: &str| import(text).unwrap_err().to_string();
        assert_eq!(field("[1]"), "document: is not valid: not a JSON object");
        assert_eq!(field(r#"{"name": "x"}"#), "linklet_workflow: is missing");
        assert_eq!(field(r#"{"linklet_workflow": 1, "steps": []}"#), "name: is missing");
        assert_eq!(
            field(r#"{"linklet_workflow": 1, "name": "x", "steps": [{"name": "a"}]}"#),
            "steps[0].kind: is missing"
        );
        assert_eq!(
            field(r#"{"linklet_workflow": 1, "name": "x", "triggers": [{"kind": "cron"}]}"#),
            "triggers[0].kind: is not a kind Linklet knows (cron)"
        );
        assert!(field("{").starts_with("document: is not valid: not JSON"));
    }
}
