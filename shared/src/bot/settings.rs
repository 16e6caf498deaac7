//! /settings: language and time zone, by inline keyboard or typed.
//!
//! Callback data (at most 64 bytes): `s:menu`, `s:lang`, `s:lang:<code>`,
//! `s:tz`, `s:tz:<IANA name>`, `s:tz:?` (type a name); outside the menu,
//! `s:z:<IANA name>` sets the zone and says so in place, `s:zask` asks for it.

use super::HandleError;
use super::router::{Answer, Ctx};
use crate::domain::{
    Awaiting, Language, TimeZone, User, UserPatch,
    zone_search::{self, ZoneSearch},
};
use crate::i18n::Msg;
use crate::ports::{Button, Keyboard, OutMessage};

/// The short list of time zones offered as buttons; any other is typed.
pub const TIME_ZONE_CHOICES: [&str; 8] = [
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Toronto",
    "Africa/Casablanca",
    "Asia/Tokyo",
    "UTC",
];

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

/// The zones of the user's language as buttons, for a newcomer's question.
pub(super) fn suggested_zones(lang: Language) -> Keyboard {
    let mut keyboard: Keyboard = zone_search::suggested(lang)
        .chunks(2)
        .map(|row| row.iter().map(|(label, zone)| Button::new(*label, format!("s:z:{zone}"))).collect())
        .collect();
    keyboard.push(vec![Button::new("UTC", "s:z:UTC")]);
    keyboard
}

/// Asks for the time zone, reading the next message as a place.
async fn ask_zone(ctx: &mut Ctx<'_>) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    ctx.patch(UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() }).await?;
    ctx.reply(OutMessage::text(Msg::AskTimeZoneFirst.render(lang)).with_keyboard(suggested_zones(lang))).await
}

/// A user with no time zone yet typed a short text: when it names a place
/// ("Paris", "UTC+2"), it is their answer to the question `/start` asked.
pub(super) fn names_a_zone(user: &User, text: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    user.timezone.is_none()
        && text.split_whitespace().count() <= 3
        && zone_search::search(text, now) != ZoneSearch::NotFound
}

/// Sets the user's zone, ending any wait; returns the sentence that says so.
async fn set_zone(ctx: &mut Ctx<'_>, timezone: TimeZone) -> Result<String, HandleError> {
    ctx.patch(UserPatch { timezone: Some(timezone), awaiting: Some(None), ..UserPatch::default() }).await?;
    let now = ctx.deps.clock.now();
    Ok(Msg::TimeZoneSet { timezone, now }.render(ctx.user.lang()))
}

/// A time zone typed by the user, after `/settings timezone`, the "Other…"
/// button or the newcomer's question: a city, an offset or a zone name.
pub(super) async fn typed_time_zone(ctx: &mut Ctx<'_>, input: &str) -> Result<(), HandleError> {
    let now = ctx.deps.clock.now();
    match zone_search::search(input, now) {
        ZoneSearch::Found(timezone) => {
            let set = set_zone(ctx, timezone).await?;
            ctx.reply(OutMessage::text(set)).await
        }
        ZoneSearch::Choices(zones) => {
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            let keyboard: Keyboard = zones
                .chunks(2)
                .map(|row| row.iter().map(|z| Button::new(z.name(), format!("s:z:{}", z.name()))).collect())
                .collect();
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

pub(super) async fn button(ctx: &mut Ctx<'_>, message_id: i32, data: &str) -> Result<Answer, HandleError> {
    let Some(rest) = data.strip_prefix("s:") else {
        return Ok(Answer::Expired);
    };
    let messenger = &ctx.deps.messenger;
    match rest.split_once(':') {
        None if rest == "menu" => {
            messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            Ok(Answer::Toast(None))
        }
        None if rest == "lang" => {
            messenger.edit(ctx.chat, message_id, &language_menu(ctx.user.lang())).await?;
            Ok(Answer::Toast(None))
        }
        None if rest == "tz" => {
            messenger.edit(ctx.chat, message_id, &time_zone_menu(&ctx.user)).await?;
            Ok(Answer::Toast(None))
        }
        Some(("lang", code)) => {
            let Some(language) = Language::from_code(code) else {
                return Ok(Answer::Expired);
            };
            ctx.patch(UserPatch { language: Some(language), ..UserPatch::default() }).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            Ok(Answer::Toast(Some(Msg::LanguageSet { language }.render(language))))
        }
        None if rest == "zask" => {
            ask_zone(ctx).await?;
            Ok(Answer::Toast(None))
        }
        Some(("z", name)) => {
            let Ok(timezone) = TimeZone::parse(name) else {
                return Ok(Answer::Expired);
            };
            let set = set_zone(ctx, timezone).await?;
            messenger.edit(ctx.chat, message_id, &OutMessage::text(set)).await?;
            Ok(Answer::Toast(None))
        }
        Some(("tz", "?")) => {
            let patch = UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() };
            ctx.patch(patch).await?;
            ctx.say(Msg::AskTimeZone).await?;
            Ok(Answer::Toast(None))
        }
        Some(("tz", name)) => {
            let Ok(timezone) = TimeZone::parse(name) else {
                return Ok(Answer::Expired);
            };
            let set = set_zone(ctx, timezone).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &menu(&ctx.user)).await?;
            Ok(Answer::Toast(Some(set)))
        }
        _ => Ok(Answer::Expired),
    }
}

fn menu(user: &User) -> OutMessage {
    let lang = user.lang();
    let text = Msg::SettingsMenu { language: lang, timezone: user.tz() }.render(lang);
    OutMessage::text(text).with_keyboard(vec![vec![
        Button::new(Msg::ButtonLanguage.render(lang), "s:lang"),
        Button::new(Msg::ButtonTimeZone.render(lang), "s:tz"),
    ]])
}

fn language_menu(lang: Language) -> OutMessage {
    let choices = Language::ALL.iter().map(|l| Button::new(l.native_name(), format!("s:lang:{}", l.code())));
    OutMessage::text(Msg::ChooseLanguage.render(lang))
        .with_keyboard(vec![choices.collect(), vec![Button::new(Msg::ButtonBack.render(lang), "s:menu")]])
}

fn time_zone_menu(user: &User) -> OutMessage {
    let lang = user.lang();
    let mut keyboard: Keyboard = TIME_ZONE_CHOICES
        .chunks(2)
        .map(|row| row.iter().map(|tz| Button::new(*tz, format!("s:tz:{tz}"))).collect())
        .collect();
    keyboard.push(vec![
        Button::new(Msg::ButtonOther.render(lang), "s:tz:?"),
        Button::new(Msg::ButtonBack.render(lang), "s:menu"),
    ]);
    OutMessage::text(Msg::ChooseTimeZone { current: user.tz() }.render(lang)).with_keyboard(keyboard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_time_zone_parses_and_fits_in_callback_data() {
        for tz in TIME_ZONE_CHOICES {
            assert!(TimeZone::parse(tz).is_ok(), "{tz}");
            assert!(format!("s:tz:{tz}").len() <= 64);
        }
        for tz in chrono_tz::TZ_VARIANTS {
            assert!(format!("s:z:{}~{}", tz.name(), i64::MAX).len() <= 64, "{}", tz.name());
        }
    }
}
