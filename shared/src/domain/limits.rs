//! Telegram's limits, named once (after teloxide's throttle settings and the
//! Bot API's documentation): what one message, toast or button may hold, and
//! how fast a bot may send.

use std::time::Duration;

/// Characters in one message's text.
pub const MESSAGE_CHARS: usize = 4096;

/// Characters in a callback query's toast (plain text).
pub const TOAST_CHARS: usize = 200;

/// Bytes in a button's callback data.
pub const CALLBACK_BYTES: usize = 64;

/// Messages a second across all chats: Telegram allows about 30; Linklet
/// paces itself below that by default (sweeps and broadcasts).
pub const MESSAGES_PER_SECOND: u32 = 25;

/// The gap between two messages to one chat: about one a second.
pub const CHAT_GAP: Duration = Duration::from_secs(1);
