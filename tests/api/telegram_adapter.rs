//! The Telegram adapter against the fake Bot API: long texts are split the way
//! Telegram accepts them.

use std::time::Duration;

use linklet::{
    adapters::telegram::TelegramMessenger,
    ports::{Button, ChatId, Messenger, OutMessage},
};
use linklet_tests::{BOT_TOKEN, FakeTelegram};

#[tokio::test]
async fn a_long_reply_is_sent_as_several_valid_messages_with_the_buttons_under_the_last() {
    let fake = FakeTelegram::start(BOT_TOKEN).await.unwrap();
    let telegram =
        TelegramMessenger::new(&BOT_TOKEN.to_owned().into(), &fake.url(), None, Duration::from_secs(10))
            .unwrap();
    let paragraph = "<b>Linklet</b> keeps your tasks &amp; reminders, runs <i>your workflows and answers questions</i>.\n";
    let message = OutMessage::text(paragraph.repeat(120)).with_keyboard(vec![vec![Button::new("OK", "ok")]]);

    telegram.send(ChatId(42), &message).await.unwrap();

    let calls = fake.calls();
    assert!(calls.iter().all(|c| c.ok), "Telegram refused a part: {:?}", calls.iter().find(|c| !c.ok));
    let sent = fake.successful("sendMessage");
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|m| m["text"].as_str().unwrap().chars().count() <= 4096));
    let with_buttons: Vec<bool> = sent.iter().map(|m| m["reply_markup"].is_object()).collect();
    assert_eq!(with_buttons, [false, false, true]);
    let words = |t: &str| linklet::presentation::catalog::plain_text(t).split_whitespace().count();
    let total: usize = sent.iter().map(|m| words(m["text"].as_str().unwrap())).sum();
    assert_eq!(total, words(&paragraph.repeat(120)));
}
