//! What the user reads and taps: the message catalog in every language
//! (`catalog`), Telegram's HTML (escaping, splitting at the message limit:
//! `telegram_html`), the assistant's Markdown turned into it (`markdown`)
//! and the inline keyboards (`keyboards`). It renders domain values; the
//! services and the bot's handlers call it.

pub mod catalog;
pub mod keyboards;
pub mod markdown;
pub mod telegram_html;
