//! Questions to the assistant through the whole job path: the webhook queues
//! them on SQS (moto), the jobs function answers them from SQS batches as
//! Lambda delivers them, against the fake OpenAI/Gemini and Telegram servers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use linklet::{
    domain::TelegramId,
    ports::{Conversations, Tasks},
    presentation::telegram_html::{MESSAGE_LIMIT, check},
};
use linklet_local::fake_ai::{FakeAi, Scripted};
use linklet_tests::{
    Webhook,
    updates::{Person, group_text, private_text},
};
use serde_json::json;

const KEY: &str = "sk-jobs-test-key";

/// The webhook and jobs function with OpenAI (and Gemini as its fallback) on
/// `fake`, plus any `extra` settings.
async fn start(fake: &FakeAi, extra: &[(&str, &str)]) -> (Webhook, linklet::app::JobsFunction) {
    let url = fake.url();
    let extra: Vec<(String, String)> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let hook = Webhook::start_with(move |name| {
        if let Some((_, v)) = extra.iter().find(|(k, _)| k == name) {
            return Some(v.clone());
        }
        match name {
            "OPENAI_API_KEY" | "GOOGLE_AI_API_KEY" => Some(KEY.into()),
            "OPENAI_BASE_URL" | "GEMINI_BASE_URL" => Some(url.clone()),
            _ => None,
        }
    })
    .await;
    let jobs = hook.jobs_function().await;
    (hook, jobs)
}

#[tokio::test]
async fn a_question_is_queued_with_a_typing_indicator_and_its_answer_reaches_the_user() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    let ada = Person::english(7001);

    let reply = hook.deliver(&private_text(1, &ada, "what is a <linklet> & why?")).await;
    assert_eq!(reply.status, 200);
    assert!(hook.telegram.sent_texts().is_empty(), "the webhook does not wait for the answer");
    let typing = hook.telegram.successful("sendChatAction");
    assert_eq!(typing[0]["action"], "typing");
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 1);

    let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(batch["Records"].as_array().unwrap().len(), 1);
    assert!(failed.is_empty());
    assert_eq!(hook.telegram.sent_texts(), ["You said: what is a &lt;linklet&gt; &amp; why?"]);
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 0);
    let sent = hook.telegram.successful("sendMessage");
    assert_eq!(sent[0]["parse_mode"], "HTML");

    // /ask works in a group too; plain text there is not for the bot.
    hook.deliver(&group_text(2, -100_500, &ada, "just chatting")).await;
    hook.deliver(&group_text(3, -100_500, &ada, "/ask capital of France?")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;
    let sent = hook.telegram.successful("sendMessage");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["chat_id"], -100_500);
    assert_eq!(sent[1]["text"], "You said: capital of France?");
}

#[tokio::test]
async fn the_conversation_is_remembered_and_reset_forgets_it() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    let ada = Person::english(7002);

    hook.deliver(&private_text(1, &ada, "my name is Ada")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;
    hook.deliver(&private_text(2, &ada, "what is my name?")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;
    let said = |request: &serde_json::Value| -> Vec<String> {
        request["messages"].as_array().unwrap()[1..]
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(said(&fake.requests()[1]), ["my name is Ada", "You said: my name is Ada", "what is my name?"]);

    hook.deliver(&private_text(3, &ada, "/reset")).await;
    assert!(hook.telegram.sent_texts().last().unwrap().contains("I forgot our conversation"));
    assert!(hook.store().recent_turns(TelegramId(7002), chrono::Utc::now()).await.unwrap().is_empty());
    hook.deliver(&private_text(4, &ada, "who am I?")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(said(&fake.requests()[2]), ["who am I?"]);
}

#[tokio::test]
async fn a_long_answer_is_split_into_valid_messages_without_breaking_words() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let paragraph = "**Step** one: take the `linklet` and check every detail carefully. ".repeat(40);
    let long = format!("# Plan\n{paragraph}\n{paragraph}\n{paragraph}");
    fake.script(Scripted::Text(long.clone()));
    let (hook, jobs) = start(&fake, &[]).await;

    hook.deliver(&private_text(1, &Person::english(7003), "plan my week")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;

    let parts = hook.telegram.sent_texts();
    assert!(parts.len() >= 3, "{} parts", parts.len());
    for part in &parts {
        assert!(part.chars().count() <= MESSAGE_LIMIT);
        check(part).unwrap();
    }
    let words = |text: &str| -> Vec<String> {
        linklet::presentation::catalog::plain_text(text).split_whitespace().map(str::to_owned).collect()
    };
    let received: Vec<String> = parts.iter().flat_map(|p| words(p)).collect();
    assert_eq!(received, words(&linklet::presentation::markdown::to_telegram_html(&long)));
    assert!(parts[0].starts_with("<b>Plan</b>\n<b>Step</b> one: take the <code>linklet</code>"));
}

#[tokio::test]
async fn a_retryable_failure_falls_back_then_retries_the_job_until_answered() {
    let fake = FakeAi::start(KEY).await.unwrap();
    // OpenAI fails twice; Gemini (the fallback) answers.
    fake.script(Scripted::ServerError);
    fake.script(Scripted::RateLimited { retry_after: 1 });
    fake.script(Scripted::Text("Gemini here".into()));
    let (hook, jobs) = start(&fake, &[]).await;
    let ada = Person::english(7004);
    hook.deliver(&private_text(1, &ada, "hello")).await;
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty());
    assert_eq!(hook.telegram.sent_texts(), ["Gemini here"]);
    let paths: Vec<bool> = fake.requests().iter().map(|r| r.get("contents").is_some()).collect();
    assert_eq!(paths, [false, false, true], "OpenAI twice, then Gemini");

    // Both providers down: the job is reported for a retry, the user is not told yet.
    for _ in 0..4 {
        fake.script(Scripted::ServerError);
    }
    hook.deliver(&private_text(2, &ada, "still there?")).await;
    let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(failed, [batch["Records"][0]["messageId"].as_str().unwrap()]);
    assert_eq!(hook.telegram.sent_texts().len(), 1);

    // The providers are back: the redelivery (receive count 2) answers.
    let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(batch["Records"][0]["attributes"]["ApproximateReceiveCount"], "2");
    assert!(failed.is_empty());
    assert_eq!(hook.telegram.sent_texts().last().unwrap(), "You said: still there?");
}

#[tokio::test]
async fn a_permanent_failure_tells_the_user_and_is_not_retried() {
    let fake = FakeAi::start("sk-another-key").await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    hook.deliver(&private_text(1, &Person::french(7005), "bonjour")).await;

    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty(), "a refused key is not retried");
    let texts = hook.telegram.sent_texts();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("a refusé la clé d'accès de Linklet"), "{texts:?}");
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 0);
    assert_eq!(hook.queue_depth(&hook.ai_queue.dlq_url).await, 0);
}

#[tokio::test]
async fn a_batch_with_one_poison_message_reports_exactly_that_one() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    hook.deliver(&private_text(1, &Person::english(7006), "first")).await;
    hook.sqs.send_message().queue_url(&hook.ai_queue.url).message_body("{not a job").send().await.unwrap();
    hook.deliver(&private_text(2, &Person::english(7007), "second")).await;

    let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    let records = batch["Records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    let poison = records.iter().find(|r| r["body"] == "{not a job").unwrap();
    assert_eq!(failed, [poison["messageId"].as_str().unwrap()]);
    let mut texts = hook.telegram.sent_texts();
    texts.sort();
    assert_eq!(texts, ["You said: first", "You said: second"]);
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 1, "only the poison message is left");
}

#[tokio::test]
async fn a_redelivered_job_does_nothing_twice_even_after_a_tool_ran() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    let ada = Person::english(7008);
    hook.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    hook.deliver(&private_text(2, &ada, "remind me to call mom tomorrow at 6pm")).await;

    // First attempt: the task is created, then every provider fails.
    fake.script(Scripted::ToolCall {
        name: "create_task".into(),
        arguments: json!({ "text": "call mom tomorrow at 6pm" }),
    });
    for _ in 0..4 {
        fake.script(Scripted::ServerError);
    }
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(failed.len(), 1);
    // Second attempt: the model asks for the same call again, then answers.
    fake.script(Scripted::ToolCall {
        name: "create_task".into(),
        arguments: json!({ "text": "call mom tomorrow at 6pm" }),
    });
    fake.script(Scripted::Text("Done: I'll remind you tomorrow at 18:00.".into()));
    let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty());

    let tasks = hook.store().pending_tasks(TelegramId(7008)).await.unwrap();
    assert_eq!(tasks.len(), 1, "the tool did not run twice");
    assert_eq!(tasks[0].title, "call mom");
    let note =
        fake.requests().last().unwrap()["messages"].as_array().unwrap().last().unwrap()["content"].clone();
    // The model gets the first attempt's result again (issue 9.3), not a second task.
    assert!(note.as_str().unwrap().contains(r#""number":1"#), "{note}");

    // SQS delivers the same message again after it was done: nothing happens.
    let event = serde_json::from_value(batch).unwrap();
    let response = linklet::app::on_sqs_batch(&jobs, event).await;
    assert!(response.batch_item_failures.is_empty());
    let answers: Vec<String> =
        hook.telegram.sent_texts().into_iter().filter(|t| t.starts_with("Done: I'll remind")).collect();
    assert_eq!(answers.len(), 1);
    assert_eq!(fake.requests().len(), 7, "no provider call for the duplicate");
}

#[tokio::test]
async fn a_tool_call_creates_a_real_task_that_the_user_sees_in_tasks() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[("AI_PROVIDER", "gemini")]).await;
    let ada = Person::english(7009);
    hook.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    fake.script(Scripted::ToolCall {
        name: "create_task".into(),
        arguments: json!({ "text": "call mom tomorrow at 6pm" }),
    });
    fake.script(Scripted::Text("Done! I'll remind you **tomorrow at 18:00**.".into()));
    hook.deliver(&private_text(2, &ada, "/ask remind me to call mom tomorrow at 6pm")).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;

    assert!(fake.requests()[0].get("contents").is_some(), "Gemini was asked first");
    assert_eq!(hook.telegram.sent_texts().last().unwrap(), "Done! I'll remind you <b>tomorrow at 18:00</b>.");
    hook.deliver(&private_text(3, &ada, "/tasks")).await;
    let list = hook.telegram.last_text();
    assert!(list.contains("call mom") && list.contains("18:00"), "{list}");
}

#[tokio::test]
async fn the_daily_quota_is_counted_and_explained_when_reached() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, _jobs) = start(&fake, &[("FREE_AI_QUESTIONS_PER_DAY", "2")]).await;
    let ada = Person::english(7010);
    for (i, question) in ["one?", "two?", "three?"].into_iter().enumerate() {
        hook.deliver(&private_text(i as u32 + 1, &ada, question)).await;
    }
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 2);
    let texts = hook.telegram.sent_texts();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("You have asked your 2 questions for today"), "{texts:?}");
    // Commands still work.
    hook.deliver(&private_text(4, &ada, "/help")).await;
    assert_eq!(hook.telegram.sent_texts().len(), 2);
}

#[tokio::test]
async fn the_last_failed_attempt_tells_the_user_and_a_redrive_answers_after_the_fix() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[("GOOGLE_AI_API_KEY", "")]).await;
    hook.deliver(&private_text(1, &Person::english(7011), "are you up?")).await;

    for attempt in 1..=5 {
        fake.script(Scripted::ServerError);
        fake.script(Scripted::ServerError);
        let (batch, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
        assert_eq!(batch["Records"][0]["attributes"]["ApproximateReceiveCount"], attempt.to_string());
        assert_eq!(failed.len(), 1, "attempt {attempt}");
        let told = hook.telegram.sent_texts();
        assert_eq!(told.len(), usize::from(attempt == 5), "told only after the last attempt");
    }
    assert!(
        hook.telegram.sent_texts()[0].contains("could not answer your last question after several tries")
    );
    // SQS moves it to the dead-letter queue instead of a sixth delivery.
    let (batch, _) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(batch["Records"].as_array().unwrap().is_empty());
    assert_eq!(hook.queue_depth(&hook.ai_queue.dlq_url).await, 1);

    let moved = linklet::adapters::sqs::redrive(&hook.sqs, &hook.ai_queue.dlq_url, &hook.ai_queue.url).await;
    assert_eq!(moved.unwrap(), 1);
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty());
    assert_eq!(hook.telegram.sent_texts().last().unwrap(), "You said: are you up?");
    assert_eq!(hook.queue_depth(&hook.ai_queue.dlq_url).await, 0);
}

#[tokio::test]
async fn without_a_provider_key_the_assistant_says_it_is_off_and_queues_nothing() {
    let hook = Webhook::start().await;
    let ada = Person::english(7012);
    hook.deliver(&private_text(1, &ada, "/ask hello")).await;
    hook.deliver(&private_text(2, &ada, "hello")).await;
    hook.deliver(&private_text(3, &ada, "/ask")).await;
    let texts = hook.telegram.sent_texts();
    assert!(texts[0].contains("not set up on this Linklet"), "{texts:?}");
    assert!(texts[1].contains("I only understand commands"), "{texts:?}");
    assert!(texts[2].contains("Ask me anything after the command"), "{texts:?}");
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 0);
}

#[tokio::test]
async fn no_log_line_shows_a_key_or_a_question_even_when_providers_fail() {
    let logs = linklet_tests::capture_logs("trace");
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    let ada = Person::english(7013);
    let question = "my secret diary entry number 4242";
    fake.script(Scripted::ServerError);
    fake.script(Scripted::RateLimited { retry_after: 0 });
    hook.deliver(&private_text(1, &ada, question)).await;
    hook.run_jobs(&jobs, &hook.ai_queue).await;
    // A refused key too, on a Linklet configured with another one.
    let wrong = FakeAi::start("sk-the-real-one").await.unwrap();
    let (refused, refused_jobs) = start(&wrong, &[]).await;
    refused.deliver(&private_text(2, &ada, question)).await;
    refused.run_jobs(&refused_jobs, &refused.ai_queue).await;

    let text = logs.text();
    assert!(text.contains("job_id=ask-7013-1"), "the capture works: {text}");
    assert!(text.contains("refused the API key"), "{text}");
    for secret in [KEY, linklet_tests::BOT_TOKEN, question] {
        assert!(!text.contains(secret), "{secret:?} was logged");
    }
}

#[tokio::test]
async fn a_provider_timeout_is_retried_and_the_question_is_not_lost() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[("AI_TIMEOUT_SECONDS", "1"), ("GOOGLE_AI_API_KEY", "")]).await;
    hook.deliver(&private_text(1, &Person::english(7014), "slow question")).await;
    fake.script(Scripted::Hang { seconds: 3 });
    fake.script(Scripted::Hang { seconds: 3 });

    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert_eq!(failed.len(), 1, "timed out twice: retried later");
    assert!(hook.telegram.sent_texts().is_empty());
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty());
    assert_eq!(hook.telegram.sent_texts(), ["You said: slow question"]);
}

#[tokio::test]
async fn the_sample_sqs_event_is_answered_as_lambda_would_deliver_it() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let (hook, jobs) = start(&fake, &[]).await;
    // The user of events/apigw-start.json writes first, as in the README's cargo lambda flow.
    let reply = hook.invoke(linklet_tests::load_event("apigw-start.json")).await;
    assert_eq!(reply.status, 200);

    let event = serde_json::from_value(linklet_tests::load_event("sqs-ask.json")).unwrap();
    let response = linklet::app::on_sqs_batch(&jobs, event).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(hook.telegram.sent_texts().last().unwrap(), "You said: What can you do for me?");
}

#[tokio::test]
async fn on_lambda_the_ai_keys_come_from_secrets_manager() {
    let fake = FakeAi::start(KEY).await.unwrap();
    let aws = linklet_tests::aws_config().await;
    let document = json!({
        "TELEGRAM_BOT_TOKEN": linklet_tests::BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": linklet_tests::WEBHOOK_SECRET,
        "OPENAI_API_KEY": KEY,
    });
    let arn = linklet_tests::fresh_secret(&aws, "linklet-secret", &document.to_string()).await;
    let (hook, jobs) = start(
        &fake,
        &[
            ("TELEGRAM_BOT_TOKEN", ""),
            ("TELEGRAM_WEBHOOK_SECRET", ""),
            ("OPENAI_API_KEY", ""),
            ("GOOGLE_AI_API_KEY", ""),
            ("LINKLET_SECRET_ARN", &arn),
        ],
    )
    .await;

    hook.deliver(&private_text(1, &Person::english(7015), "keys from the vault?")).await;
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;
    assert!(failed.is_empty());
    // The fake accepts only KEY: an answer proves the secret's key was used.
    assert_eq!(hook.telegram.sent_texts(), ["You said: keys from the vault?"]);
}
