//! Sending many messages within Telegram's limits: about 30 a second per bot
//! (we pace ourselves below that), and a 429's `retry_after` waited out while
//! the caller's time budget allows.

use std::time::Duration;

use tokio::time::Instant;

use crate::ports::{ChatId, Messenger, MessengerError, OutMessage};

/// Spaces sends `1 / per_second` apart.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    next: Instant,
}

impl Pacer {
    pub fn new(per_second: u32) -> Pacer {
        Pacer { gap: Duration::from_secs(1) / per_second.max(1), next: Instant::now() }
    }

    /// Waits until the next send may go, and no earlier than `not_before`.
    pub async fn wait_turn(&mut self, not_before: Option<Instant>) {
        let slot = not_before.map_or(self.next, |at| at.max(self.next));
        tokio::time::sleep_until(slot).await;
    }

    /// Records a send just made.
    pub fn sent(&mut self) -> Instant {
        let now = Instant::now();
        self.next = now + self.gap;
        now
    }
}

/// Sends `message`, waiting out 429s until `deadline`; `throttled` counts them.
/// Past the deadline the 429 is returned.
pub async fn send_within(
    messenger: &dyn Messenger,
    chat: ChatId,
    message: &OutMessage,
    deadline: Instant,
    throttled: &mut usize,
) -> Result<(), MessengerError> {
    loop {
        match messenger.send(chat, message).await {
            Err(MessengerError::Throttled(wait)) => {
                *throttled += 1;
                if Instant::now() + wait >= deadline {
                    return Err(MessengerError::Throttled(wait));
                }
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}
