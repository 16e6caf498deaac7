//! Telegram updates as Telegram sends them, for the tests.

use serde_json::{Value, json};

/// A Telegram user in a test.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub first_name: &'static str,
    pub username: Option<&'static str>,
    pub language_code: Option<&'static str>,
}

impl Person {
    pub fn english(id: i64) -> Person {
        Person { id, first_name: "Ada", username: Some("ada"), language_code: Some("en") }
    }

    pub fn french(id: i64) -> Person {
        Person { id, first_name: "Camille", username: None, language_code: Some("fr-FR") }
    }

    fn json(&self) -> Value {
        let mut user = json!({ "id": self.id, "is_bot": false, "first_name": self.first_name });
        if let Some(u) = self.username {
            user["username"] = u.into();
        }
        if let Some(l) = self.language_code {
            user["language_code"] = l.into();
        }
        user
    }
}

fn private_chat(person: &Person) -> Value {
    json!({ "id": person.id, "type": "private", "first_name": person.first_name })
}

fn group_chat(id: i64) -> Value {
    json!({ "id": id, "type": "supergroup", "title": "Team" })
}

fn message(update_id: u32, chat: Value, from: &Person, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_795_723_200,
            "chat": chat,
            "from": from.json(),
            "text": text,
        }
    })
}

/// A text message in the person's private chat with the bot.
pub fn private_text(update_id: u32, from: &Person, text: &str) -> Value {
    message(update_id, private_chat(from), from, text)
}

/// A location shared in the person's private chat (📎 → Location), as the
/// Bot API's Location object: `horizontal_accuracy` comes with a phone's fix.
pub fn private_location(update_id: u32, from: &Person, latitude: f64, longitude: f64) -> Value {
    let mut update = message(update_id, private_chat(from), from, "");
    let shared = &mut update["message"];
    shared.as_object_mut().unwrap().remove("text");
    shared["location"] = json!({ "latitude": latitude, "longitude": longitude, "horizontal_accuracy": 12.5 });
    update
}

/// A text message in a group.
pub fn group_text(update_id: u32, group_id: i64, from: &Person, text: &str) -> Value {
    message(update_id, group_chat(group_id), from, text)
}

/// A tap on an inline button of bot message `message_id`.
pub fn button_tap(update_id: u32, from: &Person, message_id: i64, data: &str) -> Value {
    button_tap_on(update_id, from, message_id, "Settings", data)
}

/// A tap on a button of bot message `message_id`, whose text (as Telegram
/// shows it, without formatting) is `shown`.
pub fn button_tap_on(update_id: u32, from: &Person, message_id: i64, shown: &str, data: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("cq{update_id}"),
            "chat_instance": "-7425310219402093815",
            "from": from.json(),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_795_723_200,
                "chat": private_chat(from),
                "from": { "id": 7_000_000_001_i64, "is_bot": true, "first_name": "Linklet", "username": "LinkletBot" },
                "text": shown,
            }
        }
    })
}

/// A tap by `from` on a button of bot message `message_id` in group `group_id`.
pub fn group_button_tap(update_id: u32, group_id: i64, from: &Person, message_id: i64, data: &str) -> Value {
    let mut tap = button_tap(update_id, from, message_id, data);
    tap["callback_query"]["message"]["chat"] = group_chat(group_id);
    tap
}
