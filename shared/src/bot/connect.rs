//! /connect, /disconnect and the pasted token: read once, deleted from the
//! chat at once, stored sealed by the vault; private chats only.

use super::{HandleError, ctx::Ctx};
use crate::{
    domain::{
        Awaiting, UserPatch,
        integration::{Service, StoredIntegration},
    },
    ports::OutMessage,
    presentation::catalog::connect::ConnectMsg,
    vault::Credential,
};

/// The longest token accepted (Telegram's own message limit).
const MAX_TOKEN_CHARS: usize = 4096;

async fn say(ctx: &Ctx<'_>, msg: ConnectMsg<'_>) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

pub(super) async fn connect(ctx: &mut Ctx<'_>, args: &str, private: bool) -> Result<(), HandleError> {
    if !private {
        return say(ctx, ConnectMsg::PrivateOnly).await;
    }
    if ctx.deps.vault.is_none() {
        return say(ctx, ConnectMsg::VaultOff).await;
    }
    if args.trim().is_empty() {
        let connected: Vec<Service> =
            ctx.deps.store.list_integrations(ctx.user.id).await?.into_iter().map(|i| i.service).collect();
        return say(ctx, ConnectMsg::Services { connected: &connected }).await;
    }
    let Some(service) = Service::from_code(args) else {
        return say(ctx, ConnectMsg::UnknownService { input: args.trim() }).await;
    };
    if !service.takes_pasted_token() {
        return say(ctx, ConnectMsg::OAuthLater(service)).await;
    }
    ctx.patch(UserPatch { awaiting: Some(Some(Awaiting::Token(service))), ..UserPatch::default() }).await?;
    say(ctx, ConnectMsg::PasteToken(service)).await
}

/// The message after `/connect <service>`: deleted first, then sealed and stored.
pub(super) async fn pasted(
    ctx: &mut Ctx<'_>,
    service: Service,
    message_id: i32,
    text: &str,
) -> Result<(), HandleError> {
    let deleted = match ctx.deps.messenger.delete(ctx.chat, message_id).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not delete the message holding a token");
            false
        }
    };
    ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
    let token = text.trim();
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS || token.contains(char::is_whitespace) {
        return say(ctx, ConnectMsg::NotAToken(service)).await;
    }
    let Some(vault) = &ctx.deps.vault else {
        return say(ctx, ConnectMsg::VaultOff).await;
    };
    let sealed = match vault.seal(ctx.user.id, service.code(), &Credential::new(token)) {
        Ok(sealed) => sealed,
        Err(e) => {
            tracing::error!(error = %e, "could not seal a credential");
            return say(ctx, ConnectMsg::VaultOff).await;
        }
    };
    let integration =
        StoredIntegration { service, sealed, is_active: true, connected_at: ctx.deps.clock.now() };
    ctx.deps.store.put_integration(ctx.user.id, &integration).await?;
    tracing::info!(service = service.code(), "service connected");
    say(ctx, ConnectMsg::Connected { service, deleted }).await
}

pub(super) async fn disconnect(ctx: &mut Ctx<'_>, args: &str) -> Result<(), HandleError> {
    if args.trim().is_empty() {
        return say(ctx, ConnectMsg::DisconnectUsage).await;
    }
    let Some(service) = Service::from_code(args) else {
        return say(ctx, ConnectMsg::UnknownService { input: args.trim() }).await;
    };
    if ctx.deps.store.delete_integration(ctx.user.id, service).await? {
        tracing::info!(service = service.code(), "service disconnected");
        say(ctx, ConnectMsg::Disconnected(service)).await
    } else {
        say(ctx, ConnectMsg::NotConnected(service)).await
    }
}

/// `/cancel`: the router already forgot what the bot was waiting for, if anything.
pub(super) async fn cancel(ctx: &Ctx<'_>, was_waiting: bool) -> Result<(), HandleError> {
    say(ctx, if was_waiting { ConnectMsg::Cancelled } else { ConnectMsg::NothingToCancel }).await
}
