//! /start, /help and /profile.

use super::HandleError;
use super::ctx::Ctx;
use crate::ports::OutMessage;
use crate::presentation::catalog::Msg;

/// The welcome and, until it is set, the time zone question with the zones
/// of the user's language (one message, no write: a place typed next is read
/// as the answer while no zone is set).
pub(super) async fn start(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    let welcome = Msg::Welcome { first_name: &ctx.user.first_name }.render(lang);
    if ctx.user.timezone.is_some() {
        return ctx.reply(OutMessage::text(welcome)).await;
    }
    let text = format!("{welcome}\n\n{}", Msg::AskTimeZoneFirst.render(lang));
    ctx.reply(OutMessage::text(text).with_keyboard(crate::presentation::keyboards::suggested_zones(lang)))
        .await
}

pub(super) async fn help(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.say(Msg::Help).await
}

pub(super) async fn profile(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.say(Msg::Profile { user: &ctx.user }).await
}
