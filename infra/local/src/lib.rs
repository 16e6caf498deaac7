//! The local runner: Linklet on one machine, without AWS or Telegram.
//! Three modes feed the same router as the Lambda: console, serve and poll.

pub mod console;
pub mod console_text;
pub mod event_source;
pub mod fake_ai;
pub mod fake_telegram;
pub mod jobs;
pub mod poll;
pub mod serve;
pub mod store;
pub mod sweeper;
pub mod wiring;
