//! Long-polling mode: the real Telegram app, no public URL needed.

use std::time::Duration;

use linklet::{adapters::telegram::TelegramMessenger, bot::Dispatcher};
use teloxide_core::{payloads::GetUpdatesSetters, prelude::Requester};
use tracing::warn;

/// Seconds Telegram holds a getUpdates call open when there is nothing new.
pub const POLL_TIMEOUT: u32 = 30;

/// Deletes the webhook (Telegram sends updates to one or the other), then polls
/// and dispatches until Ctrl-C. `max_idle_polls` stops it early (tests).
pub async fn run(
    telegram: &TelegramMessenger,
    dispatcher: &Dispatcher,
    max_idle_polls: Option<usize>,
) -> anyhow::Result<()> {
    let bot = telegram.bot();
    bot.delete_webhook().await.map_err(|e| telegram.classify(e))?;
    println!(
        "Deleted the bot's webhook: Telegram now keeps updates for this long-polling session.\n\
         Talk to your bot in the Telegram app. Run infra/set-webhook.sh to give it back to AWS. Ctrl-C stops."
    );
    let mut offset: i32 = 0;
    let mut idle = 0;
    loop {
        let poll = bot.get_updates().offset(offset).timeout(POLL_TIMEOUT);
        let updates = tokio::select! {
            result = poll => result,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let updates = match updates {
            Ok(updates) => updates,
            Err(e) => {
                warn!(error = %telegram.classify(e), "getUpdates failed; retrying in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if updates.is_empty() {
            idle += 1;
            if max_idle_polls.is_some_and(|max| idle >= max) {
                return Ok(());
            }
        }
        for update in updates {
            // A transient failure leaves the offset where it is: the update comes again.
            if let Err(e) = dispatcher.dispatch(&update).await {
                warn!(error = %e, "update failed; it will be fetched again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                break;
            }
            offset = i32::try_from(update.id.0).unwrap_or(i32::MAX).saturating_add(1);
        }
    }
}
