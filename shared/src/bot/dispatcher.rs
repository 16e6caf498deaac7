//! Idempotent handling of Telegram updates: claim, route, complete or release.
//!
//! Once an update has acted (a reply sent or held), it is never run again: a
//! failure after that point parks the replies Telegram did not take on the
//! update's claim, and the redelivery only sends them. A panic while routing
//! one update is caught here, logged and answered, and takes nothing else down.

use std::{panic::AssertUnwindSafe, sync::Arc};

use futures::FutureExt as _;
use teloxide_core::types::{Update, UpdateKind};
use tracing::{error, info, warn};

use super::outbox::{OutCall, Outbox, deliver};
use super::{HandleError, Router};
use crate::services::{
    Deps,
    once::{ClaimTimes, Claimed, Once, Settle, once},
};
use crate::{
    domain::{Language, TelegramId, UpdateId},
    ports::{ChatId, ClaimKey, Messenger as _, MessengerError, OutMessage},
    presentation::catalog::Msg,
    telemetry::panic_message,
};

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

    /// The dependencies it runs on (the hooks' route shares them).
    pub fn deps(&self) -> &Deps {
        &self.deps
    }

    /// Answers, with nothing, a button tap whose update could not be read,
    /// so that its button stops spinning.
    pub async fn answer_unread_tap(&self, id: &str) {
        if let Err(e) = self.deps.messenger.answer_callback(id, None).await {
            warn!(error = %e, "could not answer an unreadable tap");
        }
    }

    /// Handles `update` once. A transient failure before the update acted
    /// releases the claim and is returned, so the caller answers 5xx and
    /// Telegram's redelivery runs it again; after it acted, the replies still
    /// to send are parked and the error returned, so the redelivery sends them.
    #[tracing::instrument(skip_all, fields(update_id = update.id.0))]
    pub async fn dispatch(&self, update: &Update) -> Result<Dispatched, HandleError> {
        let key = ClaimKey::update(UpdateId(update.id.0));
        let (store, clock) = (self.deps.store.as_ref(), self.deps.clock.as_ref());
        let ran = once(store, clock, &key, ClaimTimes::UPDATE, |claimed| async move {
            match claimed {
                Claimed::Fresh => self.handle(update).await,
                Claimed::Resumed(note) => self.resume(&note).await,
            }
        })
        .await?;
        match ran {
            Once::Ran(result) => result,
            Once::Busy => {
                info!("update is being handled by another delivery");
                Ok(Dispatched::InProgress)
            }
            Once::Duplicate(_) => {
                info!("duplicate update ignored");
                Ok(Dispatched::Duplicate)
            }
        }
    }

    /// Routes a claimed update, its replies through an outbox that holds
    /// what Telegram did not take.
    async fn handle(&self, update: &Update) -> Settle<Dispatched, HandleError> {
        let outbox = Arc::new(Outbox::new(self.deps.messenger.clone(), sender(update)));
        let router = Router::new(Deps { messenger: outbox.clone(), ..self.deps.clone() });
        let routed = AssertUnwindSafe(router.route(update)).catch_unwind().await;
        let outcome = match routed {
            Ok(Ok(())) => Dispatched::Handled,
            Ok(Err(e)) if e.is_transient() && !outbox.acted() => {
                warn!(error = %e, "transient failure, releasing the update for a retry");
                return Settle::Release(e);
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
        if held.is_empty() { Settle::done(outcome) } else { park(&held) }
    }

    /// A redelivery of an update that acted: only its held replies are sent.
    async fn resume(&self, note: &str) -> Settle<Dispatched, HandleError> {
        let calls: Vec<OutCall> = match serde_json::from_str(note) {
            Ok(calls) => calls,
            Err(e) => {
                warn!(error = %e, "held replies unreadable; dropped");
                Vec::new()
            }
        };
        info!(calls = calls.len(), "redelivery of an update that acted: sending its held replies");
        match deliver(self.deps.messenger.as_ref(), calls).await {
            Ok(()) => Settle::done(Dispatched::Handled),
            Err((left, _)) => park(&left),
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
            (None, Some(id)) => {
                outbox.answer_callback(id, Some(&crate::presentation::catalog::plain_text(&text))).await
            }
            _ => Ok(()),
        };
        if let Err(e) = sent {
            warn!(error = %e, "could not tell the user their update failed");
        }
    }
}

/// Leaves `held` on the claim for the redelivery, and asks for one.
fn park(held: &[OutCall]) -> Settle<Dispatched, HandleError> {
    match serde_json::to_string(held) {
        Ok(note) => {
            info!(calls = held.len(), "replies held for the redelivery");
            let error =
                HandleError::Messenger(MessengerError::Unavailable("replies held for the redelivery".into()));
            Settle::Park { note, error }
        }
        Err(e) => Settle::Keep {
            result: Err(HandleError::Messenger(MessengerError::Refused(e.to_string()))),
            note: None,
        },
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
