//! /start, /help and /profile.

use super::HandleError;
use super::router::Ctx;
use crate::i18n::Msg;

pub(super) async fn start(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.say(Msg::Welcome { first_name: &ctx.user.first_name }).await
}

pub(super) async fn help(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.say(Msg::Help).await
}

pub(super) async fn profile(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.say(Msg::Profile { user: &ctx.user }).await
}
