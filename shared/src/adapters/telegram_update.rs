//! Reading an update as Telegram sends it, whatever else it carries. The
//! library's message kind is untagged: one nested field it cannot read (a
//! reply to a story in another chat, a legacy forward, an entity type newer
//! than the library) turns a whole text into an empty message. So the fields
//! Linklet never reads are dropped before the library sees the update, unknown
//! entity types are filtered out, and a text that still comes out empty is
//! read again from the fields Linklet needs alone. What cannot be read is
//! said, without its content, for the operator to log.

use serde_json::{Map, Value};
use teloxide_core::types::{Message, MessageCommon, MessageKind, Update, UpdateKind};

/// The update keys whose value is a Message.
const MESSAGE_KEYS: [&str; 6] = [
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
];

/// Message fields Linklet never reads, whose shapes have broken the library
/// (Bot API 7.0 replies and forwards) or may (keyboards, link previews).
const UNREAD_FIELDS: [&str; 14] = [
    "external_reply",
    "quote",
    "reply_to_story",
    "reply_to_message",
    "forward_origin",
    "forward_from",
    "forward_from_chat",
    "forward_from_message_id",
    "forward_signature",
    "forward_sender_name",
    "forward_date",
    "link_preview_options",
    "reply_markup",
    "via_bot",
];

/// The entity types the library knows (teloxide-core 0.13's MessageEntityKind).
const KNOWN_ENTITIES: [&str; 19] = [
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "blockquote",
    "expandable_blockquote",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
];

/// What the bot reads of a message when the whole cannot be read.
const ESSENTIAL_FIELDS: [&str; 9] = [
    "message_id",
    "message_thread_id",
    "is_topic_message",
    "date",
    "chat",
    "from",
    "sender_chat",
    "text",
    "entities",
];

/// Fields that make a message something a person sent (not a service message).
const CONTENT_FIELDS: [&str; 16] = [
    "text",
    "caption",
    "photo",
    "document",
    "video",
    "audio",
    "voice",
    "video_note",
    "animation",
    "sticker",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "story",
];

/// An update, and what of it could not be read.
#[derive(Debug)]
pub struct Read {
    pub update: Update,
    pub lost: Option<Lost>,
    /// The id of a button tap that could not be read: answered all the same,
    /// with nothing, so its button stops spinning.
    pub unread_tap: Option<String>,
}

/// What could not be read, without any content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    /// The update's kind key (`message`, `callback_query`...).
    pub kind: String,
    /// The library's error, quoted values blanked.
    pub error: String,
}

/// Reads `raw` (a JSON update). Fails only when it is not an update at all.
pub fn read_update(mut raw: Value) -> Result<Read, serde_json::Error> {
    normalise(&mut raw);
    let update: Update = parse(&raw)?;
    let kind =
        raw.as_object().and_then(|o| o.keys().find(|k| *k != "update_id").cloned()).unwrap_or_default();
    let Some(message) = MESSAGE_KEYS.contains(&kind.as_str()).then(|| &raw[&kind]) else {
        let unreadable = matches!(update.kind, UpdateKind::Error(_));
        let lost = unreadable.then(|| Lost { error: update_error(&raw, &kind), kind: kind.clone() });
        let unread_tap = (unreadable && kind == "callback_query")
            .then(|| raw["callback_query"]["id"].as_str().map(str::to_owned))
            .flatten();
        return Ok(Read { update, lost, unread_tap });
    };
    let parsed = message_of(&update);
    let text_lost = message["text"].is_string() && parsed.and_then(Message::text).is_none();
    if text_lost && let Some(update) = essentials(&raw, &kind, message) {
        return Ok(Read { update, lost: None, unread_tap: None });
    }
    let content_lost = match parsed {
        None => true,
        Some(m) => matches!(m.kind, MessageKind::Empty {}) && has_content(message),
    };
    let lost = (text_lost || content_lost).then(|| Lost { kind, error: message_error(message) });
    Ok(Read { update, lost, unread_tap: None })
}

/// Parsed from its text, as the library expects: its update visitor reads
/// keys as borrowed strings, which a `serde_json::Value` cannot lend.
fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_str(&value.to_string())
}

/// Whether a message carries something a person sent.
pub fn has_content(message: &Value) -> bool {
    CONTENT_FIELDS.iter().any(|field| message.get(field).is_some())
}

fn message_of(update: &Update) -> Option<&Message> {
    match &update.kind {
        UpdateKind::Message(m)
        | UpdateKind::EditedMessage(m)
        | UpdateKind::ChannelPost(m)
        | UpdateKind::EditedChannelPost(m)
        | UpdateKind::BusinessMessage(m)
        | UpdateKind::EditedBusinessMessage(m) => Some(m),
        _ => None,
    }
}

/// The fields Linklet does not read dropped, unknown entities filtered out,
/// in every message of the update (a callback's message too).
fn normalise(raw: &mut Value) {
    for key in MESSAGE_KEYS {
        if let Some(message) = raw.get_mut(key).and_then(Value::as_object_mut) {
            normalise_message(message);
        }
    }
    if let Some(message) = raw.pointer_mut("/callback_query/message").and_then(Value::as_object_mut) {
        normalise_message(message);
    }
}

fn normalise_message(message: &mut Map<String, Value>) {
    for field in UNREAD_FIELDS {
        message.remove(field);
    }
    for field in ["entities", "caption_entities"] {
        if let Some(entities) = message.get_mut(field).and_then(Value::as_array_mut) {
            entities.retain(|e| e["type"].as_str().is_some_and(|t| KNOWN_ENTITIES.contains(&t)));
        }
    }
}

/// The update again, its message cut to [`ESSENTIAL_FIELDS`]; `None` when its
/// text still does not come through.
fn essentials(raw: &Value, kind: &str, message: &Value) -> Option<Update> {
    let kept: Map<String, Value> = ESSENTIAL_FIELDS
        .iter()
        .filter_map(|field| message.get(field).map(|v| ((*field).to_owned(), v.clone())))
        .collect();
    let minimal = serde_json::json!({ "update_id": raw["update_id"], kind: kept });
    let update: Update = parse(&minimal).ok()?;
    message_of(&update)?.text()?;
    Some(update)
}

/// Why a message came out empty or failed, from the library's own error.
fn message_error(message: &Value) -> String {
    match parse::<Message>(message) {
        Err(e) => redact(&e.to_string()),
        Ok(_) => match parse::<MessageCommon>(message) {
            Err(e) => redact(&e.to_string()),
            Ok(_) => "the message's content was not recognised".into(),
        },
    }
}

/// Why an update other than a message could not be read.
fn update_error(raw: &Value, kind: &str) -> String {
    let error = match kind {
        "callback_query" => parse::<teloxide_core::types::CallbackQuery>(&raw[kind]).err(),
        _ => None,
    };
    error.map_or_else(|| "an update kind the library does not read".into(), |e| redact(&e.to_string()))
}

/// `text` with every quoted value blanked: serde quotes the values it could
/// not read, and those are what a user wrote.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_never_reach_the_error() {
        assert_eq!(
            redact(r#"invalid type: string "my secret", expected u16 at line 1"#),
            r#"invalid type: string "…", expected u16 at line 1"#
        );
    }
}
