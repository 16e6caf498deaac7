//! `/newworkflow`, the guided builder, as a person uses it: buttons for the
//! choices, typed answers checked on the spot, nothing saved until Save,
//! nothing at all on Cancel.

use linklet::domain::{TelegramId, workflow::Trigger};
use linklet_tests::{
    Bot,
    updates::{Person, button_tap, private_text},
};

/// The last message's text and its buttons' data.
fn last(bot: &Bot) -> (String, Vec<String>) {
    let sent = bot.telegram.successful("sendMessage").pop().unwrap();
    let buttons = sent["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect();
    (sent["text"].as_str().unwrap_or_default().to_owned(), buttons)
}

#[tokio::test]
async fn a_workflow_is_built_step_by_step_then_runs() {
    let bot = Bot::start().await;
    let ada = Person::english(9601);
    let mut update = 0;
    let mut say = |text: &str| {
        update += 1;
        private_text(update, &ada, text)
    };
    bot.deliver(&say("/newworkflow")).await;
    assert!(last(&bot).0.starts_with("🛠 <b>New workflow.</b> What is its name?"));
    bot.deliver(&say("Morning")).await;
    let (text, buttons) = last(&bot);
    assert_eq!(text, "What starts <b>Morning</b>?");
    assert_eq!(
        buttons,
        ["nb:t:command", "nb:t:keyword", "nb:t:schedule", "nb:t:webhook", "nb:t:manual", "nb:x"]
    );
    bot.deliver(&button_tap(100, &ada, 1, "nb:t:command")).await;
    assert!(last(&bot).0.starts_with("Type the command"));
    bot.deliver(&say("/gm")).await;
    let (text, buttons) = last(&bot);
    assert!(text.starts_with("🛠 <b>Morning</b>\n• /gm\nAdd its first step:"), "{text}");
    assert!(!buttons.contains(&"nb:save".to_owned()), "no Save before a step");
    bot.deliver(&button_tap(101, &ada, 1, "nb:s:ai_prompt")).await;
    let (text, _) = last(&bot);
    assert!(
        text.starts_with("Type the question for the AI.\nVariables: <code>{{ trigger.text }}</code>"),
        "{text}"
    );
    bot.deliver(&say("One line of motivation for {{ user.name }}")).await;
    bot.deliver(&button_tap(102, &ada, 1, "nb:s:send_message")).await;
    let (text, _) = last(&bot);
    assert!(
        text.contains("<code>{{ steps.ai1.output.text }}</code>"),
        "earlier steps' outputs are offered: {text}"
    );
    bot.deliver(&say("☀️ {{ steps.ai1.output.text | default('…') }} ({{ trigger.text }})")).await;
    let (text, buttons) = last(&bot);
    assert!(
        text.contains("1. ai1 <i>(ai_prompt)</i>\n2. message2 <i>(send_message)</i>\nAdd a step, or save:"),
        "{text}"
    );
    assert!(buttons.contains(&"nb:save".to_owned()));
    assert!(bot.store().workflows(TelegramId(9601)).await.unwrap().is_empty(), "nothing saved before Save");

    bot.deliver(&button_tap(103, &ada, 1, "nb:save")).await;
    let saved = bot.telegram.sent_texts().into_iter().rfind(|t| t.starts_with("✅ Workflow")).unwrap();
    assert!(saved.starts_with("✅ Workflow <b>#1 Morning</b> saved. Started by /gm"), "{saved}");
    let workflow = bot.store().workflows(TelegramId(9601)).await.unwrap().remove(0);
    assert_eq!(workflow.definition.triggers, [Trigger::Command { name: "gm".into() }]);
    assert_eq!(workflow.definition.steps.len(), 2);
    // A second tap on Save: the builder has ended.
    bot.deliver(&button_tap(104, &ada, 1, "nb:save")).await;
    let toast = bot.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "This builder has ended; start again with /newworkflow.");
    assert_eq!(bot.store().workflows(TelegramId(9601)).await.unwrap().len(), 1);

    // It runs: no AI is configured in this harness, so the AI step fails, named, on the card.
    bot.deliver(&say("/gm go")).await;
    bot.eventually("the run's card", |t| {
        t.successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap_or_default().contains("Failed at step <b>ai1</b>"))
    })
    .await;
}

#[tokio::test]
async fn bad_answers_are_refused_on_the_spot_and_cancel_saves_nothing() {
    let bot = Bot::start().await;
    let ada = Person::french(9602);
    bot.deliver(&private_text(1, &ada, "/newworkflow")).await;
    bot.deliver(&private_text(2, &ada, "Rappel")).await;
    bot.deliver(&button_tap(3, &ada, 1, "nb:t:command")).await;
    bot.deliver(&private_text(4, &ada, "tasks")).await;
    assert_eq!(last(&bot).0, "⚠️ Cette réponse est une commande de Linklet. Réessayez :");
    bot.deliver(&private_text(5, &ada, "bad-name")).await;
    assert_eq!(
        last(&bot).0,
        "⚠️ Cette réponse ne peut contenir que des lettres, des chiffres et _. Réessayez :"
    );
    // A tap on a button of an earlier question does nothing.
    bot.deliver(&button_tap(6, &ada, 1, "nb:s:wait")).await;
    let toast = bot.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Touchez un des boutons ci-dessus (ou /cancel).");
    bot.deliver(&private_text(7, &ada, "rappel")).await;
    bot.deliver(&button_tap(8, &ada, 1, "nb:s:send_message")).await;
    bot.deliver(&private_text(9, &ada, "{{ oops")).await;
    assert!(
        last(&bot).0.starts_with("⚠️ Cette réponse n'est pas valide : template syntax"),
        "{}",
        last(&bot).0
    );
    bot.deliver(&button_tap(10, &ada, 1, "nb:x")).await;
    assert_eq!(last(&bot).0, "Création de workflow arrêtée : rien n'a été enregistré.");
    assert!(bot.store().workflows(TelegramId(9602)).await.unwrap().is_empty());
    // The next plain text is not taken for the builder any more.
    bot.deliver(&private_text(11, &ada, "bonjour")).await;
    assert!(!last(&bot).0.starts_with("⚠️"), "{}", last(&bot).0);

    // A schedule too frequent for the free tier is refused with the reason.
    bot.deliver(&private_text(12, &ada, "/newworkflow")).await;
    bot.deliver(&private_text(13, &ada, "Ping")).await;
    bot.deliver(&button_tap(14, &ada, 1, "nb:t:schedule")).await;
    bot.deliver(&private_text(15, &ada, "toutes les 2 minutes")).await;
    let refused = last(&bot).0;
    assert!(refused.contains("votre formule permet au plus une exécution toutes les 5 minutes"), "{refused}");
    bot.deliver(&private_text(16, &ada, "tous les jours à 8h")).await;
    assert!(
        last(&bot).0.starts_with("🛠 <b>Ping</b>\n• l'horaire « tous les jours à 8h »"),
        "{}",
        last(&bot).0
    );
}
