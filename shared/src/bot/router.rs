//! The one router: what each kind of update does.

use chrono::Duration;
use teloxide_core::types::{
    CallbackQuery, ChatKind, Message, MessageKind, Update, UpdateKind, User as TgUser,
};
use tracing::{debug, info};

use super::ctx::{Answer, Ctx};
use super::outbox::unstamp;
use super::{Command, HandleError, admin, assistant, basic, builder, connect, settings, tasks, workflows};
use crate::domain::{
    Awaiting, Language, SeenUser, TelegramId, User, UserPatch, assistant::QuotaUse,
    workflow::BUILT_IN_COMMANDS,
};
use crate::ports::{ChatId, OutMessage, RateCount, RateCounter};
use crate::presentation::catalog::{COMMANDS, Msg};
use crate::{callback::Callback, services::Deps};

/// The quota behind the rate limit's notices: one per window (the updates
/// themselves are counted on the user, see [`crate::ports::Users::see`]).
const RATE_NOTICE_QUOTA: &str = "rate-notice";

/// Telegram's service account: automatic forwards from a linked channel.
const TELEGRAM_SERVICE_ACCOUNT: u64 = 777_000;
/// GroupAnonymousBot: the `from` of an anonymous group admin's messages.
const ANONYMOUS_ADMIN: u64 = 1_087_968_824;

/// Taps allowed per window, as a multiple of the typed messages allowed:
/// paging through a list takes many.
pub const TAP_ALLOWANCE: u32 = 2;

/// What the rate limit lets through.
enum Admission {
    In(User),
    /// Nothing is sent.
    Banned,
    /// Over `limit` in the window `window`, which ends in `wait` seconds.
    Limited {
        user: User,
        limit: u32,
        window: String,
        ends_at: chrono::DateTime<chrono::Utc>,
        wait: i64,
    },
}

/// Routes one update to its handler.
#[derive(Clone)]
pub struct Router {
    deps: Deps,
}

impl Router {
    pub fn new(deps: Deps) -> Router {
        Router { deps }
    }

    pub async fn route(&self, update: &Update) -> Result<(), HandleError> {
        match &update.kind {
            UpdateKind::Message(message) => self.on_message(message).await,
            UpdateKind::CallbackQuery(query) => self.on_callback(query).await,
            other => {
                info!(kind = kind_name(other), "update kind not handled");
                Ok(())
            }
        }
    }

    /// Registers the sender and counts the update against their rate limit
    /// (both writes at once): typed messages and button taps are counted
    /// apart, taps with [`TAP_ALLOWANCE`] times the allowance.
    async fn admit(&self, from: &TgUser, counter: RateCounter) -> Result<Admission, HandleError> {
        let seen = SeenUser {
            id: TelegramId(from.id.0 as i64),
            username: from.username.clone(),
            first_name: from.first_name.clone(),
            language_code: from.language_code.clone(),
        };
        let (store, now, rate) = (&self.deps.store, self.deps.clock.now(), self.deps.policy.rate_limit);
        let window = rate.window(now);
        let limit = match counter {
            RateCounter::Messages => rate.requests,
            RateCounter::Taps => rate.requests.saturating_mul(TAP_ALLOWANCE),
        };
        let (user, counted) =
            store.see(&seen, now, &RateCount { counter, window: &window.name, limit }).await?;
        if user.banned_at.is_some() {
            debug!("banned user ignored");
            metrics::counter!(crate::emf::names::REJECTED, "reason" => "banned").increment(1);
            return Ok(Admission::Banned);
        }
        if counted == QuotaUse::Exhausted && !self.deps.policy.is_admin(user.id) {
            info!(counter = counter.name(), "rate limit reached; update dropped");
            metrics::counter!(crate::emf::names::REJECTED, "reason" => "rate_limit").increment(1);
            let wait = (window.ends_at - now).num_seconds().max(1);
            return Ok(Admission::Limited {
                user,
                limit,
                window: window.name,
                ends_at: window.ends_at,
                wait,
            });
        }
        Ok(Admission::In(user))
    }

    /// The over-limit notice for typed messages: one per window, in private chats.
    async fn slow_down(&self, limited: Admission, chat: Option<ChatId>) -> Result<(), HandleError> {
        let (Admission::Limited { user, limit, window, ends_at, wait }, Some(chat)) = (limited, chat) else {
            return Ok(());
        };
        let forget_at = ends_at + Duration::hours(1);
        if self.deps.store.take_quota(user.id, RATE_NOTICE_QUOTA, &window, 1, forget_at).await?
            != QuotaUse::Exhausted
        {
            let rate = self.deps.policy.rate_limit;
            let notice = Msg::SlowDown { limit, window: rate.window_seconds, wait };
            self.deps.messenger.send(chat, &OutMessage::text(notice.render(user.lang()))).await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(chat_id = message.chat.id.0))]
    async fn on_message(&self, message: &Message) -> Result<(), HandleError> {
        let private = matches!(message.chat.kind, ChatKind::Private(_));
        if message.from.as_ref().is_some_and(|u| u.id.0 == TELEGRAM_SERVICE_ACCOUNT) {
            debug!("message from Telegram's service account (an automatic forward) ignored");
            return Ok(());
        }
        if message.sender_chat.is_some() && message.from.as_ref().is_some_and(|u| u.id.0 == ANONYMOUS_ADMIN) {
            return self.on_anonymous(message).await;
        }
        let Some(from) = message.from.as_ref().filter(|u| !u.is_bot) else {
            debug!("message without a human sender ignored");
            return Ok(());
        };
        let user = match self.admit(from, RateCounter::Messages).await? {
            Admission::In(user) => user,
            Admission::Banned => return Ok(()),
            limited => return self.slow_down(limited, private.then_some(ChatId(message.chat.id.0))).await,
        };
        let mut ctx = Ctx { deps: &self.deps, user, chat: ChatId(message.chat.id.0), thread: topic(message) };
        if let Some(place) = message.location().or(message.venue().map(|venue| &venue.location)) {
            return if private {
                settings::shared_location(&mut ctx, place.latitude, place.longitude).await
            } else {
                Ok(())
            };
        }
        let Some(text) = message.text() else {
            // Something a person sent (a photo, a sticker...) is answered; a
            // service message (a pin, a timer, a background) is not.
            let sent_by_a_person = matches!(message.kind, MessageKind::Common(_) | MessageKind::Dice(_));
            return if private && sent_by_a_person { ctx.say(Msg::NotText).await } else { Ok(()) };
        };
        if let Some(command) = Command::parse(text) {
            if self.for_another_bot(&command).await? {
                debug!("command for another bot");
                // In a group that bot answers it; in a private chat nobody would.
                let (name, bot) = (&command.name, command.addressee.unwrap_or_default());
                return if private {
                    ctx.say(Msg::CommandForAnotherBot { command: name, bot }).await
                } else {
                    Ok(())
                };
            }
            // `/gm` typed when the builder asks for a command is its answer, not a command.
            let builder_waits = private && ctx.user.awaiting == Some(Awaiting::Builder);
            if builder_waits && !BUILT_IN_COMMANDS.contains(&command.name.as_str()) {
                return builder::typed(&mut ctx, text).await;
            }
            let was_waiting = ctx.user.awaiting.is_some();
            if was_waiting && command.name != "settings" {
                ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            }
            if command.name == "cancel" {
                return connect::cancel(&ctx, was_waiting).await;
            }
            return self.on_command(&mut ctx, &command, message.id.0, private).await;
        }
        match ctx.user.awaiting {
            Some(Awaiting::TimeZone) => settings::typed_time_zone(&mut ctx, text).await,
            Some(Awaiting::TaskTime(number)) => tasks::reschedule(&mut ctx, number, text).await,
            Some(Awaiting::Token(service)) if private => {
                connect::pasted(&mut ctx, service, message.id.0, text).await
            }
            Some(Awaiting::Token(_)) => Ok(()),
            Some(Awaiting::Builder) if private => builder::typed(&mut ctx, text).await,
            Some(Awaiting::Builder) => Ok(()),
            None if private && settings::names_a_zone(&ctx.user, text, self.deps.clock.now()) => {
                settings::typed_time_zone(&mut ctx, text).await
            }
            None if private && workflows::looks_like_document(text) => workflows::import(&ctx, text).await,
            None if private && workflows::keyword_trigger(&ctx, text).await? => Ok(()),
            None if private && self.deps.assistant_on => assistant::ask(&ctx, message.id.0, text).await,
            None if private => ctx.say(Msg::PlainTextNotUnderstood).await,
            None => Ok(()),
        }
    }

    async fn on_command(
        &self,
        ctx: &mut Ctx<'_>,
        command: &Command<'_>,
        message_id: i32,
        private: bool,
    ) -> Result<(), HandleError> {
        info!(command = %command.name, "command");
        match command.name.as_str() {
            "start" => basic::start(ctx).await,
            "help" => basic::help(ctx).await,
            "profile" => basic::profile(ctx).await,
            "settings" => settings::command(ctx, command.args).await,
            "task" | "remind" => tasks::add(ctx, command.args).await,
            "tasks" => tasks::list(ctx).await,
            "done" => tasks::done(ctx, &command.name, command.args).await,
            "delete" => tasks::delete(ctx, &command.name, command.args).await,
            "edit" => tasks::edit(ctx, &command.name, command.args).await,
            "ask" => assistant::ask(ctx, message_id, command.args).await,
            "reset" => assistant::reset(ctx).await,
            "connect" => connect::connect(ctx, command.args, private).await,
            "disconnect" => connect::disconnect(ctx, command.args).await,
            "workflows" => workflows::list(ctx).await,
            "run" => workflows::run_command(ctx, command.args).await,
            "workflow" => workflows::workflow_command(ctx, command.args, message_id, private).await,
            "newworkflow" if private => builder::start(ctx).await,
            // In a private chat only: the answers show other users' data.
            "admin" if private && self.deps.policy.is_admin(ctx.user.id) => {
                admin::command(ctx, message_id, command.args).await
            }
            // In a group, a command nobody addressed to this bot is another bot's.
            _ if !private && command.addressee.is_none() => {
                debug!("unknown command in a group, not addressed to this bot");
                Ok(())
            }
            // A user's own workflow command, in a private chat (the card shows there).
            other if private && workflows::command_trigger(ctx, other, command.args).await? => Ok(()),
            other => ctx.say(Msg::UnknownCommand { command: other }).await,
        }
    }

    /// Whether `command` is addressed (`/cmd@Bot`) to a bot other than this one.
    async fn for_another_bot(&self, command: &Command<'_>) -> Result<bool, HandleError> {
        if command.addressee.is_none() {
            return Ok(false);
        }
        let me = self.deps.messenger.bot_username().await?;
        Ok(!command.is_for(&me))
    }

    /// A message from an anonymous group admin: nobody to register, so only
    /// /help is answered, and any other command of this bot says why not.
    async fn on_anonymous(&self, message: &Message) -> Result<(), HandleError> {
        let Some(command) = message.text().and_then(Command::parse) else { return Ok(()) };
        if self.for_another_bot(&command).await? {
            return Ok(());
        }
        let known = COMMANDS.contains(&command.name.as_str()) || command.name == "admin";
        let msg = match command.name.as_str() {
            "help" | "start" => Msg::Help,
            _ if known || command.addressee.is_some() => Msg::AnonymousSender,
            _ => return Ok(()),
        };
        let (chat, reply) = (ChatId(message.chat.id.0), OutMessage::text(msg.render(Language::En)));
        self.deps.messenger.send(chat, &reply.in_thread(topic(message))).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(chat_id))]
    async fn on_callback(&self, query: &CallbackQuery) -> Result<(), HandleError> {
        let user = match self.admit(&query.from, RateCounter::Taps).await? {
            Admission::In(user) => user,
            Admission::Banned => {
                // Answered with nothing, or the button spins.
                return Ok(self.deps.messenger.answer_callback(&query.id.0, None).await?);
            }
            Admission::Limited { user, wait, .. } => {
                // Every tap is answered, or its button spins: this one says it did nothing.
                let toast = Msg::TapsSlowDown { wait }.render(user.lang());
                return Ok(self.deps.messenger.answer_callback(&query.id.0, Some(&toast)).await?);
            }
        };
        let lang = user.lang();
        let target = query.message.as_ref().map(|m| (ChatId(m.chat().id.0), m.id().0));
        let Some((chat, message_id)) = target else {
            let toast = Msg::ButtonExpired.render(lang);
            return Ok(self.deps.messenger.answer_callback(&query.id.0, Some(&toast)).await?);
        };
        tracing::Span::current().record("chat_id", chat.0);
        let (data, owner) = unstamp(query.data.as_deref().unwrap_or_default());
        if owner.is_some_and(|owner| owner != user.id) {
            debug!("button pressed by someone it was not made for; nothing changed");
            let toast = Msg::NotYourButton.render(lang);
            return Ok(self.deps.messenger.answer_callback(&query.id.0, Some(&toast)).await?);
        }
        let thread = query.message.as_ref().and_then(|m| m.regular_message()).and_then(topic);
        let mut ctx = Ctx { deps: &self.deps, user, chat, thread };
        let answer = match Callback::parse(data) {
            None => Ok(Answer::Expired),
            Some(callback) if callback.is_admin() => {
                if self.deps.policy.is_admin(ctx.user.id) {
                    let shown =
                        query.message.as_ref().and_then(|m| m.regular_message()).and_then(|m| m.text());
                    admin::button(&mut ctx, message_id, callback, shown).await
                } else {
                    Ok(Answer::Expired)
                }
            }
            Some(
                callback @ (Callback::Page(_)
                | Callback::ListDone { .. }
                | Callback::ListSnooze { .. }
                | Callback::ListDelete { .. }
                | Callback::Edit(_)
                | Callback::DeleteNew(_)),
            ) => tasks::button(&mut ctx, message_id, callback).await,
            Some(
                callback @ (Callback::ReminderDone { .. }
                | Callback::ReminderSnooze { .. }
                | Callback::ReminderTomorrow { .. }),
            ) => tasks::reminder_button(&mut ctx, message_id, callback).await,
            Some(
                callback @ (Callback::Workflows(_)
                | Callback::WorkflowOpen(_)
                | Callback::WorkflowRun(_)
                | Callback::WorkflowActive { .. }
                | Callback::WorkflowHistory(_)
                | Callback::WorkflowExport(_)
                | Callback::WorkflowHook(_)
                | Callback::WorkflowDelete { .. }
                | Callback::RunSteps { .. }
                | Callback::RunRetry { .. }
                | Callback::RunAgain { .. }
                | Callback::RunCancel { .. }
                | Callback::Approve { .. }),
            ) => workflows::button(&mut ctx, message_id, callback).await,
            Some(
                callback @ (Callback::BuilderTrigger(_)
                | Callback::BuilderStep(_)
                | Callback::BuilderSave
                | Callback::BuilderCancel),
            ) => builder::button(&mut ctx, callback).await,
            Some(callback) => settings::button(&mut ctx, message_id, callback).await,
        };
        let toast = match answer {
            Ok(Answer::Toast(toast)) => toast,
            Ok(Answer::Expired) => Some(Msg::ButtonExpired.render(lang)),
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                // Answer the query anyway so the button stops spinning.
                self.deps.messenger.answer_callback(&query.id.0, None).await?;
                return Err(e);
            }
        };
        Ok(self.deps.messenger.answer_callback(&query.id.0, toast.as_deref()).await?)
    }
}

/// The forum topic a message was sent in (`message_thread_id` of a topic
/// message; a reply thread outside a forum is not a topic).
fn topic(message: &Message) -> Option<i32> {
    message.is_topic_message.then_some(message.thread_id).flatten().map(|thread| thread.0.0)
}

fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::ChatMember(_) => "chat_member",
        UpdateKind::Error(_) => "unknown",
        _ => "other",
    }
}
