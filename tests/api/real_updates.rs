//! Issue 13: real Telegram traffic. Each update below has the shape Telegram
//! really sends, with its source named: the Bot API's documentation of the
//! object, or an update pasted from a production log into a bot library's
//! issue tracker. The bot must read what it needs whatever else the message
//! carries, stay quiet in groups, and answer every button.

use linklet::domain::TelegramId;
use linklet_tests::{
    Bot, capture_logs,
    updates::{Person, button_tap, group_text, private_text},
};
use serde_json::{Value, json};

/// `update` with `fields` merged into its message.
fn with(mut update: Value, fields: Value) -> Value {
    let message = update["message"].as_object_mut().unwrap();
    for (key, value) in fields.as_object().unwrap() {
        message.insert(key.clone(), value.clone());
    }
    update
}

#[tokio::test]
async fn a_command_replying_to_a_story_in_another_chat_is_read() {
    // ExternalReplyInfo (Bot API 7.0, "Replies to messages in other chats"):
    // `origin` and `chat` with `story`, here `{}` as teloxide issue #1107's
    // production log shows stories (a Story object with no fields it reads).
    let bot = Bot::start().await;
    let ada = Person::english(13_001);
    let update = with(
        private_text(1, &ada, "/start"),
        json!({
            "external_reply": {
                "origin": { "type": "channel", "date": 1_795_700_000,
                            "chat": { "id": -1_002_149_282_975_i64, "type": "channel", "title": "TON Spin" },
                            "message_id": 2 },
                "chat": { "id": -1_002_149_282_975_i64, "type": "channel", "title": "TON Spin" },
                "story": {}
            }
        }),
    );
    assert_eq!(bot.deliver(&update).await.status, 200);
    assert!(bot.telegram.last_text().contains("Ada"), "{:?}", bot.telegram.sent_texts());
}

#[tokio::test]
async fn a_legacy_forward_from_a_hidden_user_still_creates_the_task() {
    // MessageOriginHiddenUser (Bot API 7.0): `sender_user_name` is required by
    // the docs, but forwards made before 7.0 arrive without it (reported on
    // python-telegram-bot and teloxide for old forwarded messages).
    let bot = Bot::start().await;
    let ada = Person::english(13_002);
    bot.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    let update = with(
        private_text(2, &ada, "/task call the bank tomorrow 9am"),
        json!({ "forward_origin": { "type": "hidden_user", "date": 1_795_600_000 }, "forward_date": 1_795_600_000 }),
    );
    bot.deliver(&update).await;
    assert!(
        bot.telegram.last_text().starts_with("✅ Task #1 saved: <b>call the bank</b>"),
        "{:?}",
        bot.telegram.sent_texts()
    );
    let tasks = bot.store().pending_tasks(TelegramId(13_002)).await.unwrap();
    assert_eq!(tasks.len(), 1);
}

#[tokio::test]
async fn an_entity_type_newer_than_the_library_does_not_hide_the_text() {
    // MessageEntity `type` is an open list: Telegram adds types (custom_emoji in
    // 6.0, blockquote in 7.0, expandable_blockquote in 7.3, date_time here); an
    // unknown one must not drop the message. The bot_command entity is as the
    // Bot API sends it for "/task ...".
    let bot = Bot::start().await;
    let ada = Person::english(13_003);
    bot.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    let text = "/task dentist tomorrow 10am";
    let update = with(
        private_text(2, &ada, text),
        json!({ "entities": [
            { "type": "bot_command", "offset": 0, "length": 5 },
            { "type": "date_time", "offset": 14, "length": 13, "unix_time": 1_795_860_000 }
        ] }),
    );
    bot.deliver(&update).await;
    assert!(
        bot.telegram.last_text().starts_with("✅ Task #1 saved: <b>dentist</b>"),
        "{:?}",
        bot.telegram.sent_texts()
    );
}

#[tokio::test]
async fn in_a_group_an_unaddressed_unknown_command_is_left_to_the_other_bots() {
    // Telegram delivers "/report" to every bot in a group (Bot API, "Privacy
    // mode": commands are sent to all bots); another bot owns it.
    let bot = Bot::start().await;
    let ada = Person::english(13_004);
    bot.deliver(&group_text(1, -100_777, &ada, "/report")).await;
    bot.deliver(&group_text(2, -100_777, &ada, "/join@SomeOtherBot")).await;
    assert!(bot.telegram.sent_texts().is_empty(), "{:?}", bot.telegram.sent_texts());
    // Known commands unaddressed, and unknown ones addressed to this bot, are answered.
    bot.deliver(&group_text(3, -100_777, &ada, "/help")).await;
    assert_eq!(bot.telegram.sent_texts().len(), 1);
    let me = linklet_local::fake_telegram::BOT_USERNAME;
    bot.deliver(&group_text(4, -100_777, &ada, &format!("/report@{me}"))).await;
    assert!(
        bot.telegram.last_text().contains("I don't know the command <code>/report</code>"),
        "{:?}",
        bot.telegram.sent_texts()
    );
}

#[tokio::test]
async fn service_messages_in_a_private_chat_get_no_answer() {
    // Service fields as the Bot API documents them on Message: a pinned
    // message, the auto-delete timer, a chat background (7.3), and "allowed
    // the bot to write" (write_access_allowed, 6.4) after a Web App or menu.
    let bot = Bot::start().await;
    let ada = Person::english(13_005);
    let mut services = vec![
        json!({ "pinned_message": { "message_id": 9, "date": 1_795_723_000,
                "chat": { "id": 13_005, "type": "private", "first_name": "Ada" }, "text": "pinned" } }),
        json!({ "message_auto_delete_timer_changed": { "message_auto_delete_time": 86_400 } }),
        json!({ "chat_background_set": { "type": { "type": "fill", "fill": { "type": "solid", "color": 0 }, "dark_theme_dimming": 0 } } }),
        json!({ "write_access_allowed": { "from_request": true } }),
    ];
    for (i, fields) in services.drain(..).enumerate() {
        let mut update = with(private_text(i as u32 + 1, &ada, ""), fields);
        update["message"].as_object_mut().unwrap().remove("text");
        assert_eq!(bot.deliver(&update).await.status, 200);
    }
    assert!(bot.telegram.sent_texts().is_empty(), "{:?}", bot.telegram.sent_texts());
    // A photo is something a person sent: it is answered.
    let mut photo = with(
        private_text(10, &ada, ""),
        json!({ "photo": [{ "file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90 }] }),
    );
    photo["message"].as_object_mut().unwrap().remove("text");
    bot.deliver(&photo).await;
    assert!(bot.telegram.last_text().contains("I can only read text"), "{:?}", bot.telegram.sent_texts());
}

#[tokio::test]
async fn a_banned_users_tap_is_answered_so_the_button_stops_spinning() {
    use linklet::domain::UserPatch;
    let bot = Bot::start().await;
    let ada = Person::english(13_006);
    bot.deliver(&private_text(1, &ada, "/start")).await;
    let ban = UserPatch { banned: Some(true), ..UserPatch::default() };
    bot.store().patch_user(TelegramId(13_006), &ban, chrono::Utc::now()).await.unwrap();
    let sent_before = bot.telegram.sent_texts().len();
    bot.deliver(&button_tap(2, &ada, 1, "s:m")).await;
    let answers = bot.telegram.successful("answerCallbackQuery");
    assert_eq!(answers.len(), 1, "the tap is answered");
    assert!(answers[0].get("text").is_none_or(Value::is_null), "with nothing said: {}", answers[0]);
    assert_eq!(bot.telegram.sent_texts().len(), sent_before, "and nothing else");
}

#[tokio::test]
async fn an_anonymous_group_admins_command_is_answered_without_registering_anyone() {
    // teloxide issue #475's production log: `from` is GroupAnonymousBot
    // (1087968824, is_bot) and `sender_chat` the group itself.
    let bot = Bot::start().await;
    let group = json!({ "id": -1_001_331_354_980_i64, "title": "C++ Together 2.0", "username": "cpptogether", "type": "supergroup" });
    let update = json!({
        "update_id": 243_099_778,
        "message": {
            "message_id": 198_295,
            "from": { "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" },
            "sender_chat": group, "chat": group, "date": 1_638_236_631,
            "text": "/help", "entities": [{ "type": "bot_command", "offset": 0, "length": 5 }]
        }
    });
    bot.deliver(&update).await;
    assert!(bot.telegram.last_text().contains("What I can do"), "{:?}", bot.telegram.sent_texts());
    assert!(bot.store().get_user(TelegramId(1_087_968_824)).await.unwrap().is_none());
    assert!(bot.store().get_user(TelegramId(-1_001_331_354_980)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_channel_post_forwarded_into_its_discussion_group_registers_nobody() {
    // An automatic forward (`is_automatic_forward`, Bot API 5.5) comes from the
    // Telegram service account 777000 with `sender_chat` the channel.
    let bot = Bot::start().await;
    let channel = json!({ "id": -1_002_000_000_001_i64, "type": "channel", "title": "News" });
    let update = json!({
        "update_id": 5,
        "message": {
            "message_id": 77,
            "from": { "id": 777_000, "is_bot": false, "first_name": "Telegram" },
            "sender_chat": channel,
            "chat": { "id": -1_002_000_000_002_i64, "type": "supergroup", "title": "News chat" },
            "date": 1_795_723_200, "is_automatic_forward": true,
            "forward_origin": { "type": "channel", "chat": channel, "message_id": 12, "date": 1_795_723_190 },
            "text": "/start the new season"
        }
    });
    bot.deliver(&update).await;
    assert!(bot.store().get_user(TelegramId(777_000)).await.unwrap().is_none());
    assert!(bot.telegram.sent_texts().is_empty(), "{:?}", bot.telegram.sent_texts());
}

#[tokio::test]
async fn an_update_the_library_cannot_read_is_logged_as_a_warning_without_its_content() {
    // teloxide issue #1252's production log: `boost_added` (Bot API 7.1), here
    // with a text the user typed so that a leak would show.
    let logs = capture_logs("INFO");
    let bot = Bot::start().await;
    let update = json!({
        "update_id": 596_733_165,
        "message": {
            "boost_added": { "boost_count": "three" },
            "chat": { "id": -1_001_445_415_338_i64, "title": "SPAM", "type": "supergroup" },
            "date": 1_737_906_231,
            "from": { "first_name": "jit.jxl", "id": 415_280_808, "is_bot": false, "username": "jit_rs" },
            "message_id": 2_239_112,
            "caption": "secret words 4242"
        }
    });
    assert_eq!(bot.deliver(&update).await.status, 200);
    let text = logs.text();
    let warned = text.lines().find(|l| l.contains("WARN") && l.contains("596733165")).unwrap_or_default();
    assert!(warned.contains("kind=message") || warned.contains("kind=\"message\""), "{text}");
    assert!(!text.contains("secret words"), "{text}");
}

/// A message in forum topic 4 of a forum supergroup, as teloxide-core 0.13's
/// own fixture has it (`types/message.rs`, "topic_message"): `is_topic_message`
/// with `message_thread_id`, replying to the topic's creation message.
fn topic_text(update_id: u32, from: &Person, text: &str) -> Value {
    let chat =
        json!({ "id": -1_001_847_508_954_i64, "is_forum": true, "title": "twest", "type": "supergroup" });
    let mut update = group_text(update_id, -1_001_847_508_954, from, text);
    let message = update["message"].as_object_mut().unwrap();
    message.insert("chat".into(), chat.clone());
    message.insert("is_topic_message".into(), true.into());
    message.insert("message_thread_id".into(), 4.into());
    message.insert(
        "reply_to_message".into(),
        json!({ "chat": chat, "date": 1_675_229_139, "message_id": 4, "message_thread_id": 4, "is_topic_message": true,
                "forum_topic_created": { "icon_color": 9_367_192, "name": "???" },
                "from": { "first_name": "Ada", "id": from.id, "is_bot": false } }),
    );
    update
}

#[tokio::test]
async fn replies_to_a_command_in_a_forum_topic_go_to_that_topic() {
    let bot = Bot::start().await;
    let ada = Person::english(13_010);
    bot.deliver(&topic_text(1, &ada, "/help")).await;
    bot.deliver(&topic_text(2, &ada, "/task water the plants in 2 hours")).await;
    let sent = bot.telegram.successful("sendMessage");
    assert_eq!(sent.len(), 2, "{sent:?}");
    for message in &sent {
        assert_eq!(message["message_thread_id"], 4, "{message}");
    }
    assert!(sent[1]["text"].as_str().unwrap().starts_with("✅ Task #1 saved"), "{}", sent[1]);
    // A reply thread in a group that is not a forum is not a topic: no thread id.
    let mut reply = group_text(3, -100_555, &ada, "/help");
    reply["message"]["message_thread_id"] = 77.into();
    bot.deliver(&reply).await;
    let last = bot.telegram.successful("sendMessage").pop().unwrap();
    assert!(last.get("message_thread_id").is_none_or(Value::is_null), "{last}");
}

#[tokio::test]
async fn a_question_asked_in_a_forum_topic_is_answered_in_that_topic() {
    use linklet_local::fake_ai::FakeAi;
    const KEY: &str = "sk-topic-key";
    let fake = FakeAi::start(KEY).await.unwrap();
    let url = fake.url();
    let bot = Bot::start_with(move |name| match name {
        "OPENAI_API_KEY" => Some(KEY.into()),
        "OPENAI_BASE_URL" => Some(url.clone()),
        _ => None,
    })
    .await;
    let ada = Person::english(13_011);
    bot.deliver(&topic_text(1, &ada, "/ask what is a haiku?")).await;
    let mut answers = Vec::new();
    for _ in 0..100 {
        answers = bot.telegram.successful("sendMessage");
        if !answers.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(answers.len(), 1, "one answer: {answers:?}");
    assert_eq!(answers[0]["message_thread_id"], 4, "{}", answers[0]);
    assert_eq!(answers[0]["chat_id"], -1_001_847_508_954_i64);
}

#[tokio::test]
async fn a_tap_the_library_cannot_read_is_answered_all_the_same() {
    // Malformed input: a callback query whose sender cannot be read (its id a
    // string). Nothing is known of the tap but its id: it is answered with
    // nothing so the button stops spinning, and logged.
    let bot = Bot::start().await;
    let update = json!({
        "update_id": 9,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": { "id": "not a number", "is_bot": false, "first_name": "Ada" },
            "chat_instance": "-3762349473594986056",
            "data": "t:p:1"
        }
    });
    assert_eq!(bot.deliver(&update).await.status, 200);
    let answers = bot.telegram.successful("answerCallbackQuery");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["callback_query_id"], "4382bfdwdsb323b2d9");
    assert!(bot.telegram.sent_texts().is_empty());
}
