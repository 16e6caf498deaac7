//! Workflows: a user's automations, what starts them (triggers) and what they
//! do (an ordered list of named steps), with the rules a definition obeys.
//! Step kinds are an open set checked by the engine's registry; here a step
//! is its name, its kind and its fields as JSON.

pub mod document;
pub mod draft;
pub mod hook;
pub mod run;
pub mod schedule;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{TelegramId, text::fold};

/// A workflow's number, shown to its user (`#3`) and used in commands and buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkflowNumber(pub u32);

/// What starts a workflow, besides the Run button and `/run`, which start any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// `/name`: the rest of the message is `trigger.text`.
    Command { name: String },
    /// A word or phrase in a private message (any case, with or without
    /// accents): the whole message is `trigger.text`.
    Keyword { phrase: String },
    /// Only the Run button and `/run`.
    Manual,
    /// `POST /hooks/<token>`: the body, headers and query are `trigger.body`,
    /// `trigger.headers`, `trigger.query`; optionally signed.
    Webhook {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<hook::SignatureScheme>,
    },
    /// `every weekday at 8`, `every 15 minutes`, `cron 0 8 * * 1-5`: read in
    /// the user's zone when the workflow is saved.
    Schedule { every: String },
}

impl Trigger {
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Command { .. } => "command",
            Trigger::Keyword { .. } => "keyword",
            Trigger::Manual => "manual",
            Trigger::Webhook { .. } => "webhook",
            Trigger::Schedule { .. } => "schedule",
        }
    }
}

/// One step as defined: its name (how later steps refer to its output), its
/// kind, and the kind's fields (templates, mostly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepDef {
    pub name: String,
    pub kind: String,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl StepDef {
    /// The field `name` as text, if it is text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// A workflow as its user writes it: what creating, editing and importing take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub triggers: Vec<Trigger>,
    pub steps: Vec<StepDef>,
}

/// What creating a workflow stores: its definition, whether it is on, and
/// its schedule as read in the user's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkflow {
    pub definition: Definition,
    pub active: bool,
    pub schedule: Option<schedule::Schedule>,
}

/// A stored workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub user: TelegramId,
    pub number: WorkflowNumber,
    pub definition: Definition,
    pub active: bool,
    /// Bumped on every edit; a run records the version it ran.
    pub version: u32,
    /// The SHA-256 of its incoming hook's token (never the token), when it has one.
    pub hook: Option<String>,
    /// Its schedule as read when it was saved (in the user's zone then), and its next run.
    pub schedule: Option<schedule::Schedule>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Workflow {
    pub fn name(&self) -> &str {
        &self.definition.name
    }

    /// The command and keyword triggers it adds to its user's map (none while inactive).
    pub fn trigger_refs(&self) -> Vec<TriggerRef> {
        if !self.active {
            return Vec::new();
        }
        self.definition
            .triggers
            .iter()
            .filter_map(|trigger| match trigger {
                Trigger::Command { name } => {
                    Some(TriggerRef { workflow: self.number, word: Word::Command(name.to_lowercase()) })
                }
                Trigger::Keyword { phrase } => {
                    Some(TriggerRef { workflow: self.number, word: Word::Keyword(fold(phrase)) })
                }
                Trigger::Manual | Trigger::Webhook { .. } | Trigger::Schedule { .. } => None,
            })
            .collect()
    }

    /// Its schedule trigger's text, if it has one.
    pub fn schedule_text(&self) -> Option<&str> {
        self.definition.triggers.iter().find_map(|t| match t {
            Trigger::Schedule { every } => Some(every.as_str()),
            _ => None,
        })
    }

    /// Its webhook trigger, if it has one.
    pub fn webhook(&self) -> Option<Option<hook::SignatureScheme>> {
        self.definition.triggers.iter().find_map(|t| match t {
            Trigger::Webhook { signature } => Some(*signature),
            _ => None,
        })
    }
}

/// A command or keyword trigger as the user item carries it, so that an
/// update is matched without reading the user's workflows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TriggerRef {
    pub workflow: WorkflowNumber,
    pub word: Word,
}

/// What a message must hold: a command's name (lower case), or a folded phrase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Word {
    Command(String),
    Keyword(String),
}

impl TriggerRef {
    /// Its stored form: `c:<workflow>:<name>` or `k:<workflow>:<phrase>`.
    pub fn code(&self) -> String {
        match &self.word {
            Word::Command(name) => format!("c:{}:{name}", self.workflow.0),
            Word::Keyword(phrase) => format!("k:{}:{phrase}", self.workflow.0),
        }
    }

    pub fn from_code(code: &str) -> Option<TriggerRef> {
        let (kind, rest) = code.split_once(':')?;
        let (number, word) = rest.split_once(':')?;
        let workflow = WorkflowNumber(number.parse().ok()?);
        let word = match kind {
            "c" => Word::Command(word.to_owned()),
            "k" => Word::Keyword(word.to_owned()),
            _ => return None,
        };
        Some(TriggerRef { workflow, word })
    }
}

/// The workflow a command `/name` starts, among a user's triggers.
pub fn command_match(refs: &[TriggerRef], name: &str) -> Option<WorkflowNumber> {
    let name = name.to_lowercase();
    refs.iter().find(|r| r.word == Word::Command(name.clone())).map(|r| r.workflow)
}

/// The workflows a private message starts by holding their keyword (as
/// whole words, any case, with or without accents), each once.
pub fn keyword_matches(refs: &[TriggerRef], text: &str) -> Vec<WorkflowNumber> {
    let text = format!(" {} ", fold(text));
    let mut found: Vec<WorkflowNumber> = refs
        .iter()
        .filter(|r| matches!(&r.word, Word::Keyword(phrase) if !phrase.is_empty() && text.contains(&format!(" {phrase} "))))
        .map(|r| r.workflow)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// How many workflows, steps and runs a tier allows (from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowLimits {
    pub workflows: u32,
    pub steps: u32,
    pub runs_per_day: u32,
    /// The shortest gap between two runs of a schedule, in minutes.
    pub schedule_floor_minutes: u32,
    /// Calls one hook accepts a minute (429 beyond).
    pub hook_requests_per_minute: u32,
}

impl WorkflowLimits {
    pub const FREE: WorkflowLimits = WorkflowLimits {
        workflows: 5,
        steps: 20,
        runs_per_day: 200,
        schedule_floor_minutes: 5,
        hook_requests_per_minute: hook::HOOK_REQUESTS_PER_MINUTE,
    };
    pub const PRO: WorkflowLimits = WorkflowLimits {
        workflows: 100,
        steps: 20,
        runs_per_day: 10_000,
        schedule_floor_minutes: 1,
        hook_requests_per_minute: hook::HOOK_REQUESTS_PER_MINUTE,
    };
}

/// The user has as many workflows as their tier allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyWorkflows(pub u32);

/// Commands Linklet answers itself: a workflow's command may not be one.
pub const BUILT_IN_COMMANDS: [&str; 21] = [
    "start",
    "help",
    "settings",
    "profile",
    "task",
    "remind",
    "tasks",
    "done",
    "edit",
    "delete",
    "ask",
    "reset",
    "connect",
    "disconnect",
    "cancel",
    "admin",
    "workflows",
    "workflow",
    "newworkflow",
    "run",
    "runs",
];

/// The longest name of a workflow, a step, a command; the longest keyword.
pub const NAME_CHARS: usize = 40;
pub const DESCRIPTION_CHARS: usize = 500;
pub const KEYWORD_CHARS: usize = 60;
/// Triggers one workflow may have.
pub const MAX_TRIGGERS: usize = 5;

/// What is wrong with a definition, naming the field (`steps[2].name`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> FieldError {
        FieldError { field: field.into(), problem }
    }
}

/// Why a field is refused; the catalog says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("is missing")]
    Missing,
    #[error("is empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("has more than {0} entries")]
    TooMany(usize),
    #[error("may hold only letters, digits and _")]
    BadCommandName,
    #[error("is one of Linklet's own commands")]
    BuiltInCommand,
    #[error("is used twice")]
    Duplicate,
    #[error("is not a kind Linklet knows ({0})")]
    UnknownKind(String),
    #[error("is not valid: {0}")]
    Invalid(String),
}

/// Checks what a definition's steps do not decide: its name, description,
/// triggers, and the steps' count and names. Each step's own fields are
/// checked by its kind.
pub fn check(definition: &Definition, limits: WorkflowLimits) -> Result<(), FieldError> {
    let name = definition.name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", Problem::Empty));
    }
    if name.chars().count() > NAME_CHARS {
        return Err(FieldError::new("name", Problem::TooLong(NAME_CHARS)));
    }
    if definition.description.chars().count() > DESCRIPTION_CHARS {
        return Err(FieldError::new("description", Problem::TooLong(DESCRIPTION_CHARS)));
    }
    if definition.triggers.len() > MAX_TRIGGERS {
        return Err(FieldError::new("triggers", Problem::TooMany(MAX_TRIGGERS)));
    }
    let mut words = Vec::new();
    for (i, trigger) in definition.triggers.iter().enumerate() {
        let field = |f: &str| format!("triggers[{i}].{f}");
        match trigger {
            Trigger::Command { name } => {
                check_command_name(name).map_err(|p| FieldError::new(field("name"), p))?;
                words.push(Word::Command(name.to_lowercase()));
            }
            Trigger::Keyword { phrase } => {
                let folded = fold(phrase);
                if folded.is_empty() {
                    return Err(FieldError::new(field("phrase"), Problem::Empty));
                }
                if phrase.chars().count() > KEYWORD_CHARS {
                    return Err(FieldError::new(field("phrase"), Problem::TooLong(KEYWORD_CHARS)));
                }
                words.push(Word::Keyword(folded));
            }
            Trigger::Manual => {}
            Trigger::Webhook { .. } => {}
            Trigger::Schedule { every } => {
                if every.trim().is_empty() {
                    return Err(FieldError::new(field("every"), Problem::Empty));
                }
                if every.chars().count() > KEYWORD_CHARS {
                    return Err(FieldError::new(field("every"), Problem::TooLong(KEYWORD_CHARS)));
                }
            }
        }
        // One webhook and one schedule at most; commands and keywords once each.
        let one_of_its_kind = matches!(trigger, Trigger::Webhook { .. } | Trigger::Schedule { .. })
            && definition.triggers[..i].iter().any(|t| t.kind() == trigger.kind());
        let repeated = words.len() > 1 && words[..words.len() - 1].contains(&words[words.len() - 1]);
        if one_of_its_kind || repeated {
            return Err(FieldError::new(format!("triggers[{i}]"), Problem::Duplicate));
        }
    }
    if definition.steps.is_empty() {
        return Err(FieldError::new("steps", Problem::Empty));
    }
    if definition.steps.len() > limits.steps as usize {
        return Err(FieldError::new("steps", Problem::TooMany(limits.steps as usize)));
    }
    for (i, step) in definition.steps.iter().enumerate() {
        check_step_name(&step.name).map_err(|p| FieldError::new(format!("steps[{i}].name"), p))?;
        if definition.steps[..i].iter().any(|s| s.name == step.name) {
            return Err(FieldError::new(format!("steps[{i}].name"), Problem::Duplicate));
        }
    }
    Ok(())
}

/// A command's name: letters, digits and `_`, as Telegram allows, not a built-in.
pub fn check_command_name(name: &str) -> Result<(), Problem> {
    let name = name.strip_prefix('/').unwrap_or(name);
    if name.is_empty() {
        return Err(Problem::Empty);
    }
    if name.chars().count() > NAME_CHARS {
        return Err(Problem::TooLong(NAME_CHARS));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Problem::BadCommandName);
    }
    if BUILT_IN_COMMANDS.contains(&name.to_lowercase().as_str()) {
        return Err(Problem::BuiltInCommand);
    }
    Ok(())
}

/// A step's name, which templates use (`steps.<name>.output`): an identifier.
pub fn check_step_name(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(Problem::Empty);
    }
    if name.chars().count() > NAME_CHARS {
        return Err(Problem::TooLong(NAME_CHARS));
    }
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_well || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Problem::Invalid("a step's name is a letter then letters, digits or _".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(triggers: Vec<Trigger>, steps: &[&str]) -> Definition {
        Definition {
            name: "Morning".into(),
            description: String::new(),
            triggers,
            steps: steps
                .iter()
                .map(|name| StepDef { name: (*name).into(), kind: "send_message".into(), fields: Map::new() })
                .collect(),
        }
    }

    #[test]
    fn a_command_trigger_may_not_shadow_a_built_in_command() {
        let d = definition(vec![Trigger::Command { name: "Tasks".into() }], &["say"]);
        let e = check(&d, WorkflowLimits::FREE).unwrap_err();
        assert_eq!(e.field, "triggers[0].name");
        assert_eq!(e.problem, Problem::BuiltInCommand);
        assert_eq!(check_command_name("deploy-now"), Err(Problem::BadCommandName));
        assert_eq!(check_command_name("/deploy_2"), Ok(()));
    }

    #[test]
    fn step_names_are_identifiers_used_once() {
        let e = check(&definition(vec![], &["a", "a"]), WorkflowLimits::FREE).unwrap_err();
        assert_eq!((e.field.as_str(), e.problem), ("steps[1].name", Problem::Duplicate));
        let e = check(&definition(vec![], &["1st"]), WorkflowLimits::FREE).unwrap_err();
        assert_eq!(e.field, "steps[0].name");
        let many: Vec<String> = (0..21).map(|i| format!("s{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = check(&definition(vec![], &many), WorkflowLimits::FREE).unwrap_err();
        assert_eq!((e.field.as_str(), e.problem), ("steps", Problem::TooMany(20)));
    }

    #[test]
    fn keywords_match_whole_words_in_any_case_and_accents() {
        let refs = [
            TriggerRef { workflow: WorkflowNumber(1), word: Word::Keyword(fold("café")) },
            TriggerRef { workflow: WorkflowNumber(2), word: Word::Keyword(fold("server down")) },
            TriggerRef { workflow: WorkflowNumber(3), word: Word::Command("deploy".into()) },
        ];
        assert_eq!(keyword_matches(&refs, "Un CAFE, vite!"), vec![WorkflowNumber(1)]);
        assert_eq!(keyword_matches(&refs, "the Server  Down again"), vec![WorkflowNumber(2)]);
        assert!(keyword_matches(&refs, "cafeteria").is_empty());
        assert_eq!(command_match(&refs, "Deploy"), Some(WorkflowNumber(3)));
        for r in &refs {
            assert_eq!(TriggerRef::from_code(&r.code()).as_ref(), Some(r));
        }
    }
}
