//! A workflow being built in the chat (`/newworkflow`): the definition so
//! far and what the builder asks next. Kept apart from the user's
//! workflows until saved, so a cancel leaves nothing half-saved.

use serde::{Deserialize, Serialize};

use super::Definition;

/// How long an abandoned draft is kept.
pub const DRAFT_KEPT_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub definition: Definition,
    pub stage: Stage,
}

/// What the builder waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// The workflow's name, typed.
    Name,
    /// A trigger kind, tapped.
    Trigger,
    /// The trigger's detail, typed: a command, a keyword, a schedule.
    TriggerDetail { kind: String },
    /// A step kind, tapped (or Save).
    Step,
    /// The new step's main field, typed.
    StepField { kind: String },
}

impl Draft {
    pub fn new() -> Draft {
        Draft {
            definition: Definition {
                name: String::new(),
                description: String::new(),
                triggers: Vec::new(),
                steps: Vec::new(),
            },
            stage: Stage::Name,
        }
    }
}

impl Default for Draft {
    fn default() -> Draft {
        Draft::new()
    }
}
