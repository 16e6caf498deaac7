//! The assistant against moto and the fake OpenAI and Gemini servers: answers,
//! memory, fallback, and tool calls that manage real tasks.

use std::sync::Arc;

use chrono::{Datelike, Duration, Timelike, Utc};
use linklet::{
    adapters::ai::{gemini::Gemini, openai::OpenAi},
    domain::{SeenUser, TelegramId, TimeZone, User, UserPatch, job::JobId},
    ports::{Store, ai::ProviderError},
    services::assistant::{Assistant, AssistantError},
};
use linklet_local::fake_ai::{FakeAi, Scripted};
use linklet_tests::Webhook;
use serde_json::json;

const KEY: &str = "sk-assistant-test";

async fn setup(id: i64) -> (Webhook, Arc<dyn Store>, User) {
    let hook = Webhook::start().await;
    let store: Arc<dyn Store> = Arc::new(hook.store());
    let seen = SeenUser {
        id: TelegramId(id),
        username: None,
        first_name: "Ada".into(),
        language_code: Some("en".into()),
    };
    store.upsert_seen(&seen, Utc::now()).await.unwrap();
    let patch =
        UserPatch { timezone: Some(TimeZone::parse("Europe/Paris").unwrap()), ..UserPatch::default() };
    let user = store.patch_user(TelegramId(id), &patch, Utc::now()).await.unwrap();
    (hook, store, user)
}

/// A job id no other test uses (tool calls are claimed per job).
fn job() -> JobId {
    JobId(linklet_tests::unique("job"))
}

fn openai(fake: &FakeAi, key: &str) -> Arc<OpenAi> {
    Arc::new(OpenAi::new(key.to_owned().into(), &fake.url(), "gpt-4o-mini").unwrap())
}

fn gemini(fake: &FakeAi, key: &str) -> Arc<Gemini> {
    Arc::new(Gemini::new(key.to_owned().into(), &fake.url(), "gemini-2.0-flash").unwrap())
}

#[tokio::test]
async fn an_answer_is_remembered_and_sent_with_the_next_question() {
    let (_hook, store, user) = setup(5001).await;
    let fake = FakeAi::start(KEY).await.unwrap();
    let assistant = Assistant::new(vec![openai(&fake, KEY)], store.clone(), Default::default());

    let first = assistant.answer(&user, "what is Linklet?", Utc::now(), &job()).await.unwrap();
    assert_eq!(first.text, "You said: what is Linklet?");
    assistant.remember(&user, &first, Utc::now()).await.unwrap();
    let second = assistant.answer(&user, "and tasks?", Utc::now(), &job()).await.unwrap();
    assistant.remember(&user, &second, Utc::now()).await.unwrap();

    let second = &fake.requests()[1]["messages"];
    let said: Vec<&str> =
        second.as_array().unwrap().iter().skip(1).map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(said, ["what is Linklet?", "You said: what is Linklet?", "and tasks?"]);
    assert_eq!(store.recent_turns(user.id, Utc::now()).await.unwrap().len(), 4);
    store.forget_turns(user.id).await.unwrap();
    assert!(store.recent_turns(user.id, Utc::now()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_retryable_failure_is_retried_then_the_other_provider_answers() {
    let (_hook, store, user) = setup(5002).await;
    let (first, second) = (FakeAi::start(KEY).await.unwrap(), FakeAi::start(KEY).await.unwrap());
    first.script(Scripted::ServerError);
    first.script(Scripted::RateLimited { retry_after: 1 });
    second.script(Scripted::Text("Bonjour from Gemini".into()));
    let assistant =
        Assistant::new(vec![openai(&first, KEY), gemini(&second, KEY)], store, Default::default());

    let answer = assistant.answer(&user, "hello", Utc::now(), &job()).await.unwrap();
    assert_eq!(answer.text, "Bonjour from Gemini");
    assert_eq!(first.requests().len(), 2, "retried once on the first provider");
    assert_eq!(second.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_key_falls_back_and_is_reported_when_both_refuse() {
    let (_hook, store, user) = setup(5003).await;
    let fake = FakeAi::start(KEY).await.unwrap();
    let fallback = Assistant::new(
        vec![openai(&fake, "sk-wrong"), gemini(&fake, KEY)],
        store.clone(),
        Default::default(),
    );
    assert!(fallback.answer(&user, "hi", Utc::now(), &job()).await.is_ok());

    let both_wrong =
        Assistant::new(vec![openai(&fake, "sk-wrong"), gemini(&fake, "bad")], store, Default::default());
    let error = both_wrong.answer(&user, "hi", Utc::now(), &job()).await.unwrap_err();
    assert!(matches!(error, AssistantError::Providers(ProviderError::Unauthorized)), "{error:?}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn remind_me_creates_a_real_task_through_a_tool_call() {
    let (_hook, store, user) = setup(5004).await;
    let fake = FakeAi::start(KEY).await.unwrap();
    fake.script(Scripted::ToolCall {
        name: "create_task".into(),
        arguments: json!({ "text": "call mom tomorrow at 6pm" }),
    });
    fake.script(Scripted::Text("Done! I'll remind you tomorrow at 18:00.".into()));
    let assistant = Assistant::new(vec![gemini(&fake, KEY)], store.clone(), Default::default());

    let answer =
        assistant.answer(&user, "remind me to call mom tomorrow at 6pm", Utc::now(), &job()).await.unwrap();
    assert_eq!(answer.text, "Done! I'll remind you tomorrow at 18:00.");
    let tasks = store.pending_tasks(user.id).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "call mom");
    let due = tasks[0].due.unwrap().with_timezone(&chrono_tz::Europe::Paris);
    let tomorrow = (Utc::now().with_timezone(&chrono_tz::Europe::Paris) + Duration::days(1)).date_naive();
    assert_eq!((due.date_naive().day(), due.hour(), due.minute()), (tomorrow.day(), 18, 0));
    let requests = fake.requests();
    let result = &requests[1]["contents"].as_array().unwrap().last().unwrap()["parts"][0]["functionResponse"];
    assert_eq!(result["response"]["result"]["number"], 1, "{result}");
}

#[tokio::test]
async fn the_assistant_lists_and_completes_tasks() {
    let (_hook, store, user) = setup(5005).await;
    let task = linklet::domain::task::NewTask { title: "buy milk".into(), due: None, series: None };
    store
        .create_task(user.id, &task, linklet::domain::task::TaskLimits::FREE, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let fake = FakeAi::start(KEY).await.unwrap();
    fake.script(Scripted::ToolCall { name: "list_tasks".into(), arguments: json!({}) });
    fake.script(Scripted::ToolCall { name: "complete_task".into(), arguments: json!({ "number": 1 }) });
    fake.script(Scripted::Text("Marked buy milk as done.".into()));
    let assistant = Assistant::new(vec![openai(&fake, KEY)], store.clone(), Default::default());

    assistant.answer(&user, "I bought the milk", Utc::now(), &job()).await.unwrap();
    assert!(store.pending_tasks(user.id).await.unwrap().is_empty());
    let listed = fake.requests()[1]["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(listed.contains("buy milk"), "{listed}");
}
