//! Idempotent handling of Telegram updates: claim, route, complete or release.
//!
//! Once an update has acted (a reply sent or held), it is never run again: a
//! failure after that point parks the replies Telegram did not take on the
//! update's claim, and the redelivery only sends them. A panic while routing
//! one update is caught here, logged and answered, and takes nothing else down.

use std::{panic::AssertUnwindSafe, sync::Arc, time::Duration};

use futures::FutureExt as _;
use teloxide_core::types::{Update, UpdateKind};
use tracing::{error, info, warn};

use super::outbox::{OutCall, Outbox, deliver};
use super::{HandleError, Router};
use crate::services::Deps;
use crate::{
    domain::{Language, TelegramId, UpdateId},
    i18n::Msg,
    ports::{ChatId, Claim, ClaimKey, Messenger as _, MessengerError, OutMessage},
    telemetry::panic_message,
};

/// How long a delivery owns its update before a redelivery may take it over:
/// longer than the webhook function's timeout (30 s).
pub const CLAIM_LEASE: Duration = Duration::from_secs(60);

/// How long a handled update is remembered: Telegram redelivers for up to 24 h.
pub const CLAIM_KEEP: Duration = Duration::from_secs(25 * 3600);

/// What became of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatched {
    Handled,
    /// Handled before: nothing was done.
    Duplicate,
    /// Another delivery of it is being handled now; the caller should ask for a redelivery.
    InProgress,
    /// Failed for a reason a retry cannot fix; logged and acknowledged.
    Failed,
}

/// The single entry point every runner feeds updates to.
#[derive(Clone)]
pub struct Dispatcher {
    deps: Deps,
}

impl Dispatcher {
    pub fn new(deps: Deps) -> Dispatcher {
        Dispatcher { deps }
    }

    /// Handles `update` once. A transient failure before the update acted
    /// releases the claim and is returned, so the caller answers 5xx and
    /// Telegram's redelivery runs it again; after it acted, the replies still
    /// to send are parked and the error returned, so the redelivery sends them.
    #[tracing::instrument(skip_all, fields(update_id = update.id.0))]
    pub async fn dispatch(&self, update: &Update) -> Result<Dispatched, HandleError> {
        let id = &ClaimKey::update(UpdateId(update.id.0));
        let claims = &self.deps.store;
        let now = self.deps.clock.now();
        match claims.claim(id, now, CLAIM_LEASE).await? {
            Claim::Acquired => {}
            Claim::Resumed(note) => return self.resume(id, &note).await,
            Claim::InProgress => {
                info!("update is being handled by another delivery");
                return Ok(Dispatched::InProgress);
            }
            Claim::Completed(_) => {
                info!("duplicate update ignored");
                return Ok(Dispatched::Duplicate);
            }
        }
        let outbox = Arc::new(Outbox::new(self.deps.messenger.clone(), sender(update)));
        let router = Router::new(Deps { messenger: outbox.clone(), ..self.deps.clone() });
        let routed = AssertUnwindSafe(router.route(update)).catch_unwind().await;
        let outcome = match routed {
            Ok(Ok(())) => Dispatched::Handled,
            Ok(Err(e)) if e.is_transient() && !outbox.acted() => {
                warn!(error = %e, "transient failure, releasing the update for a retry");
                if let Err(release) = claims.release_claim(id).await {
                    warn!(error = %release, "could not release the claim; it expires with its lease");
                }
                return Err(e);
            }
            Ok(Err(e)) if e.is_transient() => {
                // Running it again would repeat what it did: what is left is lost, said in the log.
                error!(error = %e, "transient failure after the update acted; not run again");
                Dispatched::Failed
            }
            Ok(Err(e)) => {
                warn!(error = %e, "permanent failure, update acknowledged");
                Dispatched::Failed
            }
            Err(panic) => {
                error!(panic = panic_message(panic.as_ref()), "handling the update panicked; acknowledged");
                self.apologize(update, &outbox).await;
                Dispatched::Failed
            }
        };
        let held = outbox.held();
        if !held.is_empty() {
            return self.park(id, &held).await;
        }
        self.complete(id).await;
        Ok(outcome)
    }

    /// A redelivery of an update that acted: only its held replies are sent.
    async fn resume(&self, id: &ClaimKey, note: &str) -> Result<Dispatched, HandleError> {
        let calls: Vec<OutCall> = match serde_json::from_str(note) {
            Ok(calls) => calls,
            Err(e) => {
                warn!(error = %e, "held replies unreadable; dropped");
                Vec::new()
            }
        };
        info!(calls = calls.len(), "redelivery of an update that acted: sending its held replies");
        if let Err((left, e)) = deliver(self.deps.messenger.as_ref(), calls).await {
            self.park(id, &left).await?;
            return Err(e.into());
        }
        self.complete(id).await;
        Ok(Dispatched::Handled)
    }

    /// Leaves `held` on the claim for the redelivery, and asks for one.
    async fn park(&self, id: &ClaimKey, held: &[OutCall]) -> Result<Dispatched, HandleError> {
        let note = serde_json::to_string(held)
            .map_err(|e| HandleError::Messenger(MessengerError::Refused(e.to_string())))?;
        self.deps.store.park_claim(id, &note, self.deps.clock.now(), CLAIM_KEEP).await?;
        info!(calls = held.len(), "replies held for the redelivery");
        Err(HandleError::Messenger(MessengerError::Unavailable("replies held for the redelivery".into())))
    }

    async fn complete(&self, id: &ClaimKey) {
        if let Err(e) = self.deps.store.complete_claim(id, self.deps.clock.now(), CLAIM_KEEP, None).await {
            // The work is done; a retry would repeat it. The claim stays in progress
            // until its lease ends, which still stops an immediate redelivery.
            warn!(error = %e, "could not mark the update completed");
        }
    }

    /// After a panic: the sender hears that their message was not handled, and
    /// a pressed button stops spinning.
    async fn apologize(&self, update: &Update, outbox: &Outbox) {
        let (chat, callback, code) = match &update.kind {
            UpdateKind::Message(m) => {
                (Some(ChatId(m.chat.id.0)), None, m.from.as_ref().and_then(|u| u.language_code.clone()))
            }
            UpdateKind::CallbackQuery(q) => (None, Some(q.id.0.as_str()), q.from.language_code.clone()),
            _ => (None, None, None),
        };
        let text = Msg::Crashed.render(Language::from_telegram(code.as_deref()));
        let sent = match (chat, callback) {
            (Some(chat), _) => outbox.send(chat, &OutMessage::text(text)).await,
            (None, Some(id)) => outbox.answer_callback(id, Some(&crate::i18n::plain_text(&text))).await,
            _ => Ok(()),
        };
        if let Err(e) = sent {
            warn!(error = %e, "could not tell the user their update failed");
        }
    }
}

/// Who sent the update: the user whose buttons its replies carry.
fn sender(update: &Update) -> Option<TelegramId> {
    let user = match &update.kind {
        UpdateKind::Message(m) => m.from.as_ref(),
        UpdateKind::CallbackQuery(q) => Some(&q.from),
        _ => None,
    };
    user.map(|u| TelegramId(u.id.0 as i64))
}
