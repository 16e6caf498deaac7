//! `/admin …`, for the Telegram ids in `ADMIN_TELEGRAM_IDS` only (the router
//! answers anyone else as for an unknown command). Every action is written to
//! the audit log: who, what, to whom, when.

use super::{
    HandleError,
    ctx::{Answer, Ctx},
};
use crate::{
    callback::Callback,
    domain::{
        TelegramId, Tier, UserPatch,
        audit::AuditEntry,
        job::{BroadcastPage, Job, JobId, Work},
    },
    ports::{OutMessage, StoreError},
    presentation::catalog::admin::{AdminMsg, PREVIEW_SEPARATOR},
    services::admin,
};

/// Entries `/admin audit` shows.
const AUDIT_SHOWN: usize = 20;

async fn say(ctx: &Ctx<'_>, msg: AdminMsg<'_>) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

pub(super) async fn command(ctx: &mut Ctx<'_>, message_id: i32, args: &str) -> Result<(), HandleError> {
    let mut words = args.split_whitespace();
    let action = words.next().unwrap_or("help").to_ascii_lowercase();
    let target = words.next();
    let rest: Vec<&str> = words.collect();
    match (action.as_str(), target) {
        ("stats", _) => {
            // Counted by a queued job, a stretch of users at a time: any number of users.
            ctx.deps.queue.enqueue(&admin::stats_job(ctx.chat, message_id, ctx.deps.clock.now())).await?;
            audit(ctx, "stats", None, "").await?;
            say(ctx, AdminMsg::StatsCounting).await
        }
        ("audit", _) => {
            let entries = ctx.deps.store.recent_audit(AUDIT_SHOWN).await?;
            audit(ctx, "audit", None, "").await?;
            say(ctx, AdminMsg::Audit(&entries)).await
        }
        ("user", Some(query)) => {
            let Some(id) = resolve(ctx, query).await? else {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            };
            let Some(user) = ctx.deps.store.get_user(id).await? else {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            };
            let pending_tasks = ctx.deps.store.pending_tasks(id).await?.len();
            audit(ctx, "user", Some(id), "").await?;
            say(ctx, AdminMsg::UserCard { user: &user, pending_tasks }).await
        }
        ("ban" | "unban", Some(query)) => {
            let ban = action == "ban";
            let Some(id) = resolve(ctx, query).await? else {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            };
            if ban && ctx.deps.policy.is_admin(id) {
                return say(ctx, AdminMsg::NotAnAdminTarget).await;
            }
            if !patch(ctx, id, UserPatch { banned: Some(ban), ..UserPatch::default() }).await? {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            }
            audit(ctx, &action, Some(id), "").await?;
            say(ctx, if ban { AdminMsg::Banned(id) } else { AdminMsg::Unbanned(id) }).await
        }
        ("tier", Some(query)) => {
            let Some(tier) = rest.first().and_then(|t| Tier::from_code(&t.to_ascii_lowercase())) else {
                return say(ctx, AdminMsg::Help).await;
            };
            let Some(id) = resolve(ctx, query).await? else {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            };
            if !patch(ctx, id, UserPatch { tier: Some(tier), ..UserPatch::default() }).await? {
                return say(ctx, AdminMsg::NoSuchUser { query }).await;
            }
            audit(ctx, "tier", Some(id), tier.code()).await?;
            say(ctx, AdminMsg::TierSet { id, tier }).await
        }
        ("broadcast", Some(_)) => {
            let text = args.trim_start()["broadcast".len()..].trim();
            let lang = ctx.user.lang();
            let preview = OutMessage::text(AdminMsg::BroadcastPreview { text }.render(lang))
                .with_keyboard(crate::presentation::keyboards::broadcast_preview(lang));
            ctx.reply(preview).await
        }
        _ => say(ctx, AdminMsg::Help).await,
    }
}

/// The broadcast preview's buttons. `shown` is the preview as Telegram shows
/// it (plain text): the broadcast's text follows its first blank line.
pub(super) async fn button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    callback: Callback,
    shown: Option<&str>,
) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let edit = |msg: AdminMsg<'_>| OutMessage::text(msg.render(lang));
    match callback {
        Callback::BroadcastSend => {
            let Some((_, text)) = shown.and_then(|s| s.split_once(PREVIEW_SEPARATOR)) else {
                return Ok(Answer::Expired);
            };
            ctx.deps.messenger.edit(ctx.chat, message_id, &edit(AdminMsg::BroadcastStarted)).await?;
            let broadcast = format!("bc-{}-{message_id}", ctx.chat.0);
            let first = BroadcastPage {
                broadcast: broadcast.clone(),
                admin_chat: ctx.chat,
                text: text.to_owned(),
                tier: Tier::Free,
                after: None,
                page: 0,
                sent: 0,
                blocked: 0,
                failed: 0,
            };
            let job = Job { id: JobId(format!("{broadcast}-p0")), work: Work::Broadcast(first) };
            ctx.deps.queue.enqueue(&job).await?;
            audit(ctx, "broadcast", None, &format!("{} characters", text.chars().count())).await?;
            Ok(Answer::Toast(None))
        }
        Callback::BroadcastCancel => {
            ctx.deps.messenger.edit(ctx.chat, message_id, &edit(AdminMsg::BroadcastCancelled)).await?;
            Ok(Answer::Toast(None))
        }
        _ => Ok(Answer::Expired),
    }
}

/// A Telegram id as typed, or the id of a known @username.
async fn resolve(ctx: &Ctx<'_>, query: &str) -> Result<Option<TelegramId>, HandleError> {
    if let Ok(id) = query.parse::<i64>() {
        return Ok(Some(TelegramId(id)));
    }
    if query.starts_with('@') {
        return Ok(ctx.deps.store.find_username(query).await?);
    }
    Ok(None)
}

/// Applies an admin's change; false when the user does not exist.
async fn patch(ctx: &Ctx<'_>, id: TelegramId, patch: UserPatch) -> Result<bool, HandleError> {
    match ctx.deps.store.patch_user(id, &patch, ctx.deps.clock.now()).await {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn audit(
    ctx: &Ctx<'_>,
    action: &str,
    target: Option<TelegramId>,
    detail: &str,
) -> Result<(), HandleError> {
    let entry = AuditEntry {
        at: ctx.deps.clock.now(),
        admin: ctx.user.id,
        action: action.to_owned(),
        target,
        detail: detail.to_owned(),
    };
    tracing::info!(action, target = target.map(|t| t.0), "admin action");
    Ok(ctx.deps.store.record_audit(&entry).await?)
}
