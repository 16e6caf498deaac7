//! The assistant's memory and quotas: conversation turns and daily question counts.

use chrono::{DateTime, Utc};

/// Who said a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One message of a conversation with the assistant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Turn {
    pub role: Role,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// How much of a conversation is kept: at most `turns` turns and `chars`
/// characters, the oldest dropped first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBound {
    pub turns: usize,
    pub chars: usize,
}

impl MemoryBound {
    pub const DEFAULT: MemoryBound = MemoryBound { turns: 20, chars: 12_000 };

    /// Drops the oldest turns until both bounds hold (the newest turn is kept).
    pub fn apply(self, turns: &mut Vec<Turn>) {
        while turns.len() > self.turns.max(1)
            || (turns.len() > 1 && turns.iter().map(|t| t.text.chars().count()).sum::<usize>() > self.chars)
        {
            turns.remove(0);
        }
    }
}

/// The answer to "may this user ask one more question in this window?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaUse {
    /// Counted: this is use number `used`.
    Granted { used: u32 },
    /// The limit was reached; nothing counted.
    Exhausted,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn turn(text: &str) -> Turn {
        Turn { role: Role::User, text: text.into(), at: Utc::now() }
    }

    proptest! {
        #[test]
        fn the_bound_keeps_the_newest_turns_within_both_limits(
            texts in prop::collection::vec("[a-z ]{0,300}", 1..60),
            turns in 1usize..30,
            chars in 1usize..3000,
        ) {
            let mut kept: Vec<Turn> = texts.iter().map(|t| turn(t)).collect();
            let bound = MemoryBound { turns, chars };
            bound.apply(&mut kept);
            prop_assert!(!kept.is_empty() && kept.len() <= turns);
            prop_assert_eq!(&kept.last().unwrap().text, texts.last().unwrap());
            let size: usize = kept.iter().map(|t| t.text.chars().count()).sum();
            prop_assert!(kept.len() == 1 || size <= chars);
            // What is kept is a suffix of the conversation.
            let start = texts.len() - kept.len();
            prop_assert!(kept.iter().zip(&texts[start..]).all(|(k, t)| &k.text == t));
        }
    }
}
