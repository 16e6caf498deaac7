//! The small traits the bot depends on; adapters implement them.

pub mod ai;
mod clock;
pub mod events;
mod messenger;
pub mod outbound;
mod queue;
mod store;

pub use clock::{Clock, SystemClock};
pub use messenger::{Button, ChatId, Keyboard, Messenger, MessengerError, OutMessage};
pub use queue::{JobQueue, MAX_QUEUE_DELAY, QueueDepths, QueueError};
pub use store::{
    AssistantStore, Claim, ClaimKey, Claims, Conversations, Directory, Integrations, Quotas, RateCount,
    RateCounter, Reminders, Store, StoreError, Tasks, UserPage, UserRow, Users, Workflows,
};
