//! Workflows as a user meets them: imported from a JSON document, started by
//! their command, their keyword or the Run button, each step shown on the
//! run card, failures told once with Retry and Run again, history kept; and
//! the engine's promise that a redelivered step runs nothing twice.

use linklet::{
    domain::{
        TelegramId,
        workflow::{WorkflowNumber, run::RunStatus},
    },
    ports::Workflows as _,
};
use linklet_tests::{
    Bot, Webhook,
    updates::{Person, button_tap, private_text},
};
use serde_json::{Value, json};

fn document(name: &str, triggers: Value, steps: Value) -> String {
    json!({ "linklet_workflow": 1, "name": name, "triggers": triggers, "steps": steps }).to_string()
}

fn hello() -> String {
    document(
        "Hello",
        json!([{ "kind": "command", "name": "hello" }, { "kind": "keyword", "phrase": "bonjour" }]),
        json!([
            { "name": "greet", "kind": "send_message", "text": "Hi {{ user.name }}, you said: {{ trigger.text }} <ok>" },
            { "name": "again", "kind": "send_message", "text": "Step 1 sent message {{ steps.greet.output.message_id }}" },
        ]),
    )
}

/// The edits of message `id` (a run card), in order.
fn edits_of(bot: &Bot, id: i64) -> Vec<String> {
    bot.telegram
        .successful("editMessageText")
        .iter()
        .filter(|p| p["message_id"].as_i64() == Some(id))
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn an_imported_workflow_runs_on_its_command_with_its_card() {
    let bot = Bot::start().await;
    let ada = Person::english(9101);
    bot.deliver(&private_text(1, &ada, &hello())).await;
    let saved = bot.telegram.last_text();
    assert!(saved.starts_with("✅ Workflow <b>#1 Hello</b> saved."), "{saved}");
    assert!(saved.contains("Started by /hello, the keyword “bonjour”, or <code>/run 1</code>."), "{saved}");

    bot.deliver(&private_text(2, &ada, "/hello big <world>")).await;
    bot.eventually("the run's card says done", |t| {
        t.successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap_or_default().contains("Done in"))
    })
    .await;
    let texts = bot.telegram.sent_texts();
    // The template's text and values reach the chat as plain text, escaped.
    assert!(texts.contains(&"Hi Ada, you said: big &lt;world&gt; &lt;ok&gt;".to_owned()), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("Step 1 sent message 10")),
        "the second step saw the first's output: {texts:?}"
    );
    let card = bot.telegram.successful("editMessageText").pop().unwrap();
    let text = card["text"].as_str().unwrap();
    assert!(text.starts_with("✅ <b>Hello</b>\n✓ greet — ") && text.contains("\n✓ again — "), "{text}");
    assert_eq!(card["reply_markup"]["inline_keyboard"][0][0]["text"], "▶️ Run again");

    let runs = bot.store().recent_runs(TelegramId(9101), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(runs[0].trigger.kind, "command");
    assert_eq!(runs[0].trigger.payload["text"], "big <world>");
    assert_eq!(runs[0].steps[0].output.as_ref().unwrap()["text"], "Hi Ada, you said: big <world> <ok>");
}

#[tokio::test]
async fn a_keyword_in_a_private_message_starts_its_workflow_in_any_case_and_accents() {
    let bot = Bot::start().await;
    let ada = Person::french(9102);
    bot.deliver(&private_text(1, &ada, &hello())).await;
    assert!(bot.telegram.last_text().starts_with("✅ Workflow <b>#1 Hello</b> enregistré."));

    bot.deliver(&private_text(2, &ada, "BONJOUR à tous")).await;
    bot.eventually("the greeting", |t| {
        t.sent_texts().iter().any(|s| s.starts_with("Hi Camille, you said: BONJOUR à tous"))
    })
    .await;
    // A message without the keyword starts nothing.
    bot.deliver(&private_text(3, &ada, "bonjournée")).await;
    let runs = bot.store().recent_runs(TelegramId(9102), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs.len(), 1, "only the message with the keyword started a run");
}

#[tokio::test]
async fn a_false_condition_ends_the_run_succeeded_with_the_rest_skipped() {
    let bot = Bot::start().await;
    let ada = Person::english(9103);
    let doc = document(
        "Deploy",
        json!([{ "kind": "command", "name": "deploy" }]),
        json!([
            { "name": "only_prod", "kind": "condition", "if": "trigger.text == 'prod'" },
            { "name": "tell", "kind": "send_message", "text": "Deploying {{ trigger.text }}" },
        ]),
    );
    bot.deliver(&private_text(1, &ada, &doc)).await;
    bot.deliver(&private_text(2, &ada, "/deploy staging")).await;
    bot.eventually("done", |t| {
        t.successful("editMessageText").iter().any(|p| p["text"].as_str().unwrap().contains("Done in"))
    })
    .await;
    let text = bot.telegram.successful("editMessageText").pop().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(text.contains("✓ only_prod") && text.contains("\n– tell"), "{text}");
    assert!(!bot.telegram.sent_texts().iter().any(|t| t.starts_with("Deploying")));

    bot.deliver(&private_text(3, &ada, "/deploy prod")).await;
    bot.eventually("the deploy message", |t| t.sent_texts().contains(&"Deploying prod".to_owned())).await;
}

#[tokio::test]
async fn a_template_error_fails_the_run_naming_the_variable_and_retry_starts_from_the_failed_step() {
    let bot = Bot::start().await;
    let ada = Person::english(9104);
    let doc = document(
        "Report",
        json!([]),
        json!([
            { "name": "first", "kind": "send_message", "text": "first step" },
            { "name": "broken", "kind": "send_message", "text": "{{ steps.first.output.nope }}" },
        ]),
    );
    bot.deliver(&private_text(1, &ada, &doc)).await;
    bot.deliver(&private_text(2, &ada, "/run report")).await;
    bot.eventually("the failure", |t| {
        t.successful("editMessageText").iter().any(|p| p["text"].as_str().unwrap().contains("Failed at step"))
    })
    .await;
    let card = bot.telegram.successful("editMessageText").pop().unwrap();
    let text = card["text"].as_str().unwrap();
    assert!(text.starts_with("❌ <b>Report</b>\n✓ first"), "{text}");
    assert!(
        text.contains("✗ broken — ")
            && text.contains("\n   <i>text: no variable steps.first.output.nope</i>"),
        "{text}"
    );
    assert!(text.ends_with("Failed at step <b>broken</b>."), "{text}");
    let retry = card["reply_markup"]["inline_keyboard"][0][0].clone();
    assert_eq!(retry["text"], "🔁 Retry from the failed step");

    let firsts = || bot.telegram.sent_texts().iter().filter(|t| *t == "first step").count();
    assert_eq!(firsts(), 1);
    let card_id = card["message_id"].as_i64().unwrap();
    let edits_before = edits_of(&bot, card_id).len();
    bot.deliver(&button_tap(3, &ada, card_id, retry["callback_data"].as_str().unwrap())).await;
    let toast = bot.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Retrying from the failed step.");
    bot.eventually("the retry fails again", |_| edits_of(&bot, card_id).len() > edits_before).await;
    assert_eq!(firsts(), 1, "the step that succeeded is not run again");
    let run = &bot.store().recent_runs(TelegramId(9104), WorkflowNumber(1), 1).await.unwrap()[0];
    assert_eq!((run.status, run.attempt), (RunStatus::Failed, 1));

    // A second tap on Retry while it is not failed... here it failed again, so it retries; a
    // tap on a finished run's Cancel says it has nothing to do.
    let cancel = format!("w:c:1:{}", run.id);
    bot.deliver(&button_tap(4, &ada, card_id, &cancel)).await;
    let toast = bot.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Nothing to do: this run is failed.");
}

#[tokio::test]
async fn a_bad_document_is_refused_naming_the_field_and_nothing_is_saved() {
    let bot = Bot::start().await;
    let ada = Person::english(9105);
    let cases = [
        (
            document(
                "X",
                json!([{ "kind": "command", "name": "tasks" }]),
                json!([{ "name": "a", "kind": "send_message", "text": "x" }]),
            ),
            "<code>triggers[0].name</code> is one of Linklet's own commands",
        ),
        (
            document("X", json!([]), json!([{ "name": "a", "kind": "teleport", "text": "x" }])),
            "<code>steps[0].kind</code> is not a kind I know (<code>teleport</code>)",
        ),
        (
            document("X", json!([]), json!([{ "name": "a", "kind": "send_message", "text": "{{ oops" }])),
            "<code>steps[0].text</code> is not valid: template syntax",
        ),
        (
            document("X", json!([]), json!([{ "name": "a", "kind": "send_message" }])),
            "<code>steps[0].text</code> is missing",
        ),
        ("{\"linklet_workflow\": 1, \"name\": 3}".to_owned(), "<code>name</code> is not valid: not text"),
    ];
    for (i, (doc, expected)) in cases.iter().enumerate() {
        bot.deliver(&private_text(i as u32 + 1, &ada, doc)).await;
        let reply = bot.telegram.last_text();
        assert!(reply.starts_with("⚠️ Not saved: ") && reply.contains(expected), "{reply}");
    }
    assert!(bot.store().workflows(TelegramId(9105)).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_tier_limits_on_workflows_and_runs_are_explained() {
    let bot = Bot::start_with(|name| match name {
        "FREE_MAX_WORKFLOWS" => Some("1".into()),
        "FREE_WORKFLOW_RUNS_PER_DAY" => Some("1".into()),
        _ => None,
    })
    .await;
    let ada = Person::english(9106);
    bot.deliver(&private_text(1, &ada, &hello())).await;
    bot.deliver(&private_text(2, &ada, &hello().replace("hello", "hi"))).await;
    assert_eq!(
        bot.telegram.last_text(),
        "You have 1 workflows, the most your plan allows. Delete one in /workflows to make room."
    );
    bot.deliver(&private_text(3, &ada, "/hello")).await;
    bot.eventually("the first run", |t| t.sent_texts().iter().any(|s| s.starts_with("Hi Ada"))).await;
    bot.deliver(&private_text(4, &ada, "/hello")).await;
    let refused = bot.telegram.last_text();
    assert!(refused.starts_with("Your 1 workflow runs of the day are used up; more from "), "{refused}");
}

#[tokio::test]
async fn the_workflow_menu_turns_it_off_shows_its_history_and_deletes_it_after_asking() {
    let bot = Bot::start().await;
    let ada = Person::english(9107);
    bot.deliver(&private_text(1, &ada, &hello())).await;
    bot.deliver(&private_text(2, &ada, "/workflows")).await;
    let list = bot.telegram.successful("sendMessage").pop().unwrap();
    assert_eq!(list["text"], "⚙️ <b>Your workflows</b> (1)");
    assert_eq!(list["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "w:o:1");
    let list_id = list["sent_message_id"].as_i64().unwrap();

    bot.deliver(&button_tap(3, &ada, list_id, "w:off:1")).await;
    let menu = edits_of(&bot, list_id).pop().unwrap();
    assert!(menu.contains("Off: its triggers start nothing."), "{menu}");
    // Off: its command is not Linklet's, so it is unknown; its keyword starts nothing.
    bot.deliver(&private_text(4, &ada, "/hello")).await;
    assert!(bot.telegram.last_text().contains("don't know"), "{}", bot.telegram.last_text());
    let user = bot.store().get_user(TelegramId(9107)).await.unwrap().unwrap();
    assert!(user.workflow_triggers.is_empty());

    // The Run button runs it all the same.
    bot.deliver(&button_tap(5, &ada, list_id, "w:r:1")).await;
    bot.eventually("the manual run", |t| t.sent_texts().iter().any(|s| s.starts_with("Hi Ada"))).await;
    bot.eventually("its end", |_| {
        bot.telegram
            .successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap().contains("Done in"))
    })
    .await;
    bot.deliver(&button_tap(6, &ada, list_id, "w:h:1")).await;
    let history = bot
        .telegram
        .successful("editMessageText")
        .into_iter()
        .rfind(|p| p["message_id"].as_i64() == Some(list_id))
        .unwrap();
    assert!(history["text"].as_str().unwrap().contains("1. ✅ "), "{history}");
    assert!(history["text"].as_str().unwrap().ends_with("— manual"), "{history}");
    let steps =
        history["reply_markup"]["inline_keyboard"][0][0]["callback_data"].as_str().unwrap().to_owned();
    bot.deliver(&button_tap(7, &ada, list_id, &steps)).await;
    let detail = edits_of(&bot, list_id).pop().unwrap();
    assert!(detail.contains("Started ") && detail.contains("by manual, version 1."), "{detail}");
    assert!(detail.contains("<b>greet</b>\n→ <code>"), "{detail}");

    bot.deliver(&button_tap(8, &ada, list_id, "w:x:1")).await;
    assert_eq!(edits_of(&bot, list_id).pop().unwrap(), "Delete the workflow <b>Hello</b> and its history?");
    assert_eq!(
        bot.store().workflows(TelegramId(9107)).await.unwrap().len(),
        1,
        "nothing deleted before the answer"
    );
    bot.deliver(&button_tap(9, &ada, list_id, "w:xx:1")).await;
    assert_eq!(edits_of(&bot, list_id).pop().unwrap(), "🗑 Workflow <b>Hello</b> deleted.");
    // A second tap on the confirmation finds nothing to delete.
    bot.deliver(&button_tap(10, &ada, list_id, "w:xx:1")).await;
    let toast = bot.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert!(toast["text"].as_str().unwrap().contains("no longer"), "{toast}");
    assert!(bot.store().workflows(TelegramId(9107)).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_export_reimports_as_the_same_workflow() {
    let bot = Bot::start().await;
    let ada = Person::english(9108);
    bot.deliver(&private_text(1, &ada, &hello())).await;
    bot.deliver(&private_text(2, &ada, "/workflow export 1")).await;
    let exported = bot.telegram.last_text();
    let start = exported.find("<pre><code class=\"language-json\">").unwrap();
    let json = exported[start..]
        .trim_start_matches("<pre><code class=\"language-json\">")
        .trim_end_matches("</code></pre>");
    let json = json.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    assert!(!json.contains("\"number\"") && !json.contains("version"), "{json}");
    // Its command is taken by the original: refused until the original goes.
    bot.deliver(&private_text(3, &ada, &format!("/workflow import {json}"))).await;
    assert_eq!(bot.telegram.last_text(), "⚠️ Not saved: /hello already starts your workflow #1.");
    bot.store().delete_workflow(TelegramId(9108), WorkflowNumber(1)).await.unwrap();
    bot.deliver(&private_text(4, &ada, &format!("/workflow import {json}"))).await;
    let again = bot.store().get_workflow(TelegramId(9108), WorkflowNumber(2)).await.unwrap().unwrap();
    let original = linklet::domain::workflow::document::import(&hello()).unwrap();
    assert_eq!(again.definition, original.definition);
}

/// On moto and SQS, as the Lambda functions run it: the command's update
/// queues step 0 on the integrations queue; a redelivery of a step message
/// (SQS's at-least-once) sends nothing twice.
#[tokio::test]
async fn a_redelivered_step_message_runs_nothing_twice() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9109);
    hook.deliver(&private_text(1, &ada, &hello())).await;
    hook.deliver(&private_text(2, &ada, "/hello there")).await;
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 1, "the run is queued, not run inline");

    // Take step 0's message, run it, then put the same body back as SQS would redeliver it.
    let received = hook
        .sqs
        .receive_message()
        .queue_url(&hook.integration_queue.url)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let body = received.messages.unwrap()[0].body.clone().unwrap();
    assert!(body.contains("\"kind\":\"step\""), "{body}");
    hook.run_jobs(&jobs, &hook.integration_queue).await;
    hook.sqs.send_message().queue_url(&hook.integration_queue.url).message_body(&body).send().await.unwrap();
    for _ in 0..4 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
    }
    let greetings =
        hook.telegram.sent_texts().iter().filter(|t| t.starts_with("Hi Ada, you said: there")).count();
    assert_eq!(greetings, 1, "{:?}", hook.telegram.sent_texts());
    let runs = hook.store().recent_runs(TelegramId(9109), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 0);
    let cards: Vec<String> =
        hook.telegram.sent_texts().into_iter().filter(|t| t.contains("<b>Hello</b>")).collect();
    assert_eq!(cards.len(), 1, "one card, edited in place: {cards:?}");
}

/// A run cancelled from its card before its next step runs: that step does nothing.
#[tokio::test]
async fn a_cancelled_run_runs_no_more_steps() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9110);
    hook.deliver(&private_text(1, &ada, &hello())).await;
    hook.deliver(&private_text(2, &ada, "/hello")).await;
    hook.run_jobs(&jobs, &hook.integration_queue).await; // step 0: the card and the greeting
    let run = hook.store().recent_runs(TelegramId(9110), WorkflowNumber(1), 1).await.unwrap().remove(0);
    let card = run.report.card.expect("a card was sent") as i64;
    hook.deliver(&button_tap(3, &ada, card, &format!("w:c:1:{}", run.id))).await;
    let toast = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Run cancelled.");
    for _ in 0..3 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
    }
    assert!(
        !hook.telegram.sent_texts().iter().any(|t| t.starts_with("Step 1 sent")),
        "{:?}",
        hook.telegram.sent_texts()
    );
    let run = hook.store().get_run(TelegramId(9110), WorkflowNumber(1), &run.id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    let last = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(last["text"].as_str().unwrap().starts_with("⏹ <b>Hello</b>\n✓ greet"), "{last}");
    // Cancelling again says so.
    hook.deliver(&button_tap(4, &ada, card, &format!("w:c:1:{}", run.id))).await;
    let toast = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Nothing to do: this run is cancelled.");
}

#[tokio::test]
async fn a_messages_button_starts_another_workflow() {
    let bot = Bot::start().await;
    let ada = Person::english(9110);
    let target =
        document("Deploy", json!([]), json!([{ "name": "go", "kind": "send_message", "text": "deploying" }]));
    bot.deliver(&private_text(1, &ada, &target)).await;
    let asking = document(
        "Ask",
        json!([{ "kind": "command", "name": "offer" }]),
        json!([{ "name": "offer", "kind": "send_message", "text": "Deploy now?", "buttons": [{ "label": "🚀 Deploy", "workflow": 1 }] }]),
    );
    bot.deliver(&private_text(2, &ada, &asking)).await;
    bot.deliver(&private_text(3, &ada, "/offer")).await;
    bot.eventually("the offer", |t| t.sent_texts().contains(&"Deploy now?".to_owned())).await;
    let offer =
        bot.telegram.successful("sendMessage").into_iter().find(|p| p["text"] == "Deploy now?").unwrap();
    let button = &offer["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(
        (button["text"].as_str(), button["callback_data"].as_str()),
        (Some("🚀 Deploy"), Some("w:r:1"))
    );
    bot.deliver(&button_tap(4, &ada, offer["sent_message_id"].as_i64().unwrap(), "w:r:1")).await;
    bot.eventually("the deploy", |t| t.sent_texts().contains(&"deploying".to_owned())).await;

    // A button that names no workflow is refused when saved.
    let bad = document(
        "Bad",
        json!([]),
        json!([{ "name": "offer", "kind": "send_message", "text": "x", "buttons": [{ "label": "Go", "workflow": "two" }] }]),
    );
    bot.deliver(&private_text(5, &ada, &bad)).await;
    assert!(
        bot.telegram
            .last_text()
            .contains("<code>steps[0].buttons[0].workflow</code> is not valid: a workflow's number"),
        "{}",
        bot.telegram.last_text()
    );
}
