//! /settings: language and time zone, by inline keyboard or typed.
//!
//! Its buttons (built in `presentation::keyboards`) are [`Callback`]s: the menus, a language, a zone from the menu
//! or typed; outside the menu, a zone set in place or asked for; after a zone
//! change, repeating tasks on the new zone's clock or at their instants.

use super::HandleError;
use super::ctx::{Answer, Ctx};
use crate::domain::{
    Awaiting, Language, TimeZone, User, UserPatch,
    task::Task,
    zone_search::{self, ZoneSearch},
};
use crate::ports::OutMessage;
use crate::presentation::{
    catalog::{Msg, clock},
    keyboards,
};
use crate::{callback::Callback, services};

pub(super) async fn command(ctx: &mut Ctx<'_>, args: &str) -> Result<(), HandleError> {
    if args.is_empty() {
        return ctx.reply(menu(&ctx.user)).await;
    }
    let (key, value) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let value = value.trim();
    match key.to_lowercase().as_str() {
        "language" | "lang" | "langue" if value.is_empty() => ctx.say(Msg::LanguageUsage).await,
        "timezone" | "tz" | "fuseau" if value.is_empty() => {
            let patch = UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() };
            ctx.patch(patch).await?;
            ctx.say(Msg::AskTimeZone).await
        }
        "language" | "lang" | "langue" => match Language::from_code(value) {
            Some(language) => {
                ctx.patch(UserPatch { language: Some(language), ..UserPatch::default() }).await?;
                ctx.say(Msg::LanguageSet { language }).await
            }
            None => ctx.say(Msg::LanguageInvalid { input: value }).await,
        },
        "timezone" | "tz" | "fuseau" => typed_time_zone(ctx, value).await,
        _ => ctx.say(Msg::SettingsUsage).await,
    }
}

/// Asks for the time zone, reading the next message as a place.
async fn ask_zone(ctx: &mut Ctx<'_>) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    ctx.patch(UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() }).await?;
    ctx.reply(
        OutMessage::text(Msg::AskTimeZoneFirst.render(lang)).with_keyboard(keyboards::suggested_zones(lang)),
    )
    .await
}

/// A user with no time zone yet typed a short text: when it names a place
/// ("Paris", "UTC+2"), it is their answer to the question `/start` asked.
pub(super) fn names_a_zone(user: &User, text: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    user.timezone.is_none()
        && text.split_whitespace().count() <= 3
        && zone_search::search(text, now) != ZoneSearch::NotFound
}

/// Sets the user's zone, ending any wait; returns the sentence that says so
/// and, when repeating tasks run on another zone's clock at other times of
/// day, asks whether they keep their time of day or their instants.
async fn set_zone(ctx: &mut Ctx<'_>, timezone: TimeZone) -> Result<OutMessage, HandleError> {
    ctx.patch(UserPatch { timezone: Some(timezone), awaiting: Some(None), ..UserPatch::default() }).await?;
    let (now, lang, store) = (ctx.deps.clock.now(), ctx.user.lang(), ctx.deps.store.as_ref());
    let set = Msg::TimeZoneSet { timezone, now }.render(lang);
    let others = services::tasks::on_other_clocks(store, ctx.user.id, timezone).await?;
    let hour = |at, tz| clock(at, tz);
    let differs = |task: &Task| {
        let (Some(due), Some(series)) = (task.due, &task.series) else { return false };
        hour(due, series.tz) != hour(due, timezone)
    };
    let Some(first) = others.iter().find(|task| differs(task)) else {
        // Same hours on both clocks today: the usual wish, without a question.
        if !others.is_empty() {
            let limits = ctx.deps.policy.limits.for_tier(ctx.user.tier).tasks;
            services::tasks::follow_zone_with(store, ctx.user.id, &others, timezone, limits, now).await?;
        }
        return Ok(OutMessage::text(set));
    };
    let (Some(due), Some(series)) = (first.due, &first.series) else { return Ok(OutMessage::text(set)) };
    let (kept, moment) = (hour(due, series.tz), hour(due, timezone));
    let question = Msg::FollowZoneQuestion {
        count: others.len(),
        title: &first.title,
        timezone,
        kept: &kept,
        moment: &moment,
    };
    Ok(OutMessage::text(format!("{set}\n\n{}", question.render(lang)))
        .with_keyboard(keyboards::follow_zone(&kept, &moment, lang)))
}

/// A location shared in a private chat: its zone becomes the user's when
/// they were asked for one (or have none); otherwise it is offered.
pub(super) async fn shared_location(
    ctx: &mut Ctx<'_>,
    latitude: f64,
    longitude: f64,
) -> Result<(), HandleError> {
    let (now, lang) = (ctx.deps.clock.now(), ctx.user.lang());
    let asked = ctx.user.timezone.is_none() || ctx.user.awaiting == Some(Awaiting::TimeZone);
    let Some(timezone) = zone_search::at(latitude, longitude) else {
        ctx.patch(UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() }).await?;
        return ctx.say(Msg::LocationNoZone).await;
    };
    if ctx.user.timezone == Some(timezone) {
        if ctx.user.awaiting == Some(Awaiting::TimeZone) {
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
        }
        return ctx.say(Msg::LocationSameZone { timezone, now }).await;
    }
    if asked {
        let set = set_zone(ctx, timezone).await?;
        return ctx.reply(set).await;
    }
    let offer = Msg::LocationOffer { timezone, now }.render(lang);
    ctx.reply(OutMessage::text(offer).with_keyboard(keyboards::use_zone(timezone, lang))).await
}

/// A time zone typed by the user, after `/settings timezone`, the "Other…"
/// button or the newcomer's question: a city, an offset or a zone name.
pub(super) async fn typed_time_zone(ctx: &mut Ctx<'_>, input: &str) -> Result<(), HandleError> {
    let now = ctx.deps.clock.now();
    match zone_search::search(input, now) {
        ZoneSearch::Found(timezone) => {
            let set = set_zone(ctx, timezone).await?;
            ctx.reply(set).await
        }
        ZoneSearch::Choices(zones) => {
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            let keyboard = keyboards::zone_choices(&zones);
            let text = Msg::PickTimeZone { input }.render(ctx.user.lang());
            ctx.reply(OutMessage::text(text).with_keyboard(keyboard)).await
        }
        ZoneSearch::NotFound => {
            // One try: the next message is read as what it is, not as a zone.
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            ctx.say(Msg::TimeZoneInvalid { input }).await
        }
    }
}

pub(super) async fn button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    callback: Callback,
) -> Result<Answer, HandleError> {
    let messenger = &ctx.deps.messenger;
    match callback {
        Callback::Settings => {
            messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            Ok(Answer::Toast(None))
        }
        Callback::LanguageMenu => {
            messenger.edit(ctx.chat, message_id, &language_menu(ctx.user.lang())).await?;
            Ok(Answer::Toast(None))
        }
        Callback::ZoneMenu => {
            messenger.edit(ctx.chat, message_id, &time_zone_menu(&ctx.user)).await?;
            Ok(Answer::Toast(None))
        }
        Callback::Language(language) => {
            ctx.patch(UserPatch { language: Some(language), ..UserPatch::default() }).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            Ok(Answer::Toast(Some(Msg::LanguageSet { language }.render(language))))
        }
        Callback::AskZone => {
            ask_zone(ctx).await?;
            Ok(Answer::Toast(None))
        }
        Callback::Zone(timezone) => {
            let set = set_zone(ctx, timezone).await?;
            messenger.edit(ctx.chat, message_id, &set).await?;
            Ok(Answer::Toast(None))
        }
        Callback::FollowZone => {
            let (timezone, now) = (ctx.user.tz(), ctx.deps.clock.now());
            let limits = ctx.deps.policy.limits.for_tier(ctx.user.tier).tasks;
            let count =
                services::tasks::follow_zone(ctx.deps.store.as_ref(), ctx.user.id, timezone, limits, now)
                    .await?;
            let done = Msg::ZoneFollowed { count, timezone }.render(ctx.user.lang());
            messenger.edit(ctx.chat, message_id, &OutMessage::text(done)).await?;
            Ok(Answer::Toast(None))
        }
        Callback::KeepInstants => {
            let kept = Msg::ZoneMomentsKept.render(ctx.user.lang());
            messenger.edit(ctx.chat, message_id, &OutMessage::text(kept)).await?;
            Ok(Answer::Toast(None))
        }
        Callback::TypeZone => {
            let patch = UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() };
            ctx.patch(patch).await?;
            ctx.say(Msg::AskTimeZone).await?;
            Ok(Answer::Toast(None))
        }
        Callback::ZoneFromMenu(timezone) => {
            let set = set_zone(ctx, timezone).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            if set.keyboard.is_empty() {
                return Ok(Answer::Toast(Some(set.html)));
            }
            // The question needs its buttons: a message of its own.
            ctx.reply(set).await?;
            Ok(Answer::Toast(None))
        }
        _ => Ok(Answer::Expired),
    }
}

fn menu(user: &User) -> OutMessage {
    let lang = user.lang();
    let text = Msg::SettingsMenu { language: lang, timezone: user.tz() }.render(lang);
    OutMessage::text(text).with_keyboard(keyboards::settings(lang))
}

fn language_menu(lang: Language) -> OutMessage {
    OutMessage::text(Msg::ChooseLanguage.render(lang)).with_keyboard(keyboards::languages(lang))
}

fn time_zone_menu(user: &User) -> OutMessage {
    let lang = user.lang();
    OutMessage::text(Msg::ChooseTimeZone { current: user.tz() }.render(lang))
        .with_keyboard(keyboards::time_zone_menu(lang))
}
