//! What each subscription tier may do, in one place: task, assistant and workflow limits.

use super::{Tier, task::TaskLimits, workflow::WorkflowLimits};

/// One tier's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub tasks: TaskLimits,
    /// Questions to the assistant per day (the user's own calendar day).
    pub ai_questions_per_day: u32,
    pub workflows: WorkflowLimits,
}

/// The limits of every tier, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierLimits {
    pub free: Limits,
    pub pro: Limits,
}

impl Default for TierLimits {
    fn default() -> TierLimits {
        TierLimits {
            free: Limits {
                tasks: TaskLimits::FREE,
                ai_questions_per_day: 20,
                workflows: WorkflowLimits::FREE,
            },
            pro: Limits {
                tasks: TaskLimits { pending: 1000, recurring: 100 },
                ai_questions_per_day: 500,
                workflows: WorkflowLimits::PRO,
            },
        }
    }
}

impl TierLimits {
    pub fn for_tier(&self, tier: Tier) -> Limits {
        match tier {
            Tier::Free => self.free,
            Tier::Pro => self.pro,
        }
    }
}
