//! What a handler is given: who is talking, where, and the dependencies;
//! and how a button press was answered. The router builds it, the handlers
//! use it, so neither imports the other.

use super::HandleError;
use crate::{
    domain::{User, UserPatch},
    ports::{ChatId, OutMessage},
    presentation::catalog::Msg,
    services::Deps,
};

/// How a button press was answered.
pub(super) enum Answer {
    /// Done; show this toast (or nothing).
    Toast(Option<String>),
    /// The button's data means nothing (any more).
    Expired,
}

/// Who is talking, where, and in which language to answer.
pub(super) struct Ctx<'a> {
    pub deps: &'a Deps,
    pub user: User,
    pub chat: ChatId,
    /// The forum topic the update came from: replies go back to it.
    pub thread: Option<i32>,
}

impl Ctx<'_> {
    pub async fn reply(&self, message: OutMessage) -> Result<(), HandleError> {
        Ok(self.deps.messenger.send(self.chat, &message.in_thread(self.thread)).await?)
    }

    pub async fn say(&self, msg: Msg<'_>) -> Result<(), HandleError> {
        self.reply(OutMessage::text(msg.render(self.user.lang()))).await
    }

    pub async fn patch(&mut self, patch: UserPatch) -> Result<(), HandleError> {
        let now = self.deps.clock.now();
        self.user = self.deps.store.patch_user(self.user.id, &patch, now).await?;
        Ok(())
    }
}
