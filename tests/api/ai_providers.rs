//! OpenAI and Gemini adapters against local fakes that speak their wire formats.

use std::time::Duration;

use chrono::Utc;
use linklet::{
    adapters::ai::{gemini::Gemini, openai::OpenAi},
    domain::assistant::{Role, Turn},
    ports::ai::{AiProvider, ChatReply, ChatRequest, ProviderError, ToolSpec},
};
use linklet_local::fake_ai::{FakeAi, Scripted};
use serde_json::json;

const KEY: &str = "sk-test-never-logged";

fn providers(fake: &FakeAi, key: &str) -> Vec<Box<dyn AiProvider>> {
    vec![
        Box::new(OpenAi::new(key.to_owned().into(), &fake.url(), "gpt-4o-mini").unwrap()),
        Box::new(Gemini::new(key.to_owned().into(), &fake.url(), "gemini-2.0-flash").unwrap()),
    ]
}

fn request() -> ChatRequest {
    ChatRequest {
        system: "You are Linklet.".into(),
        turns: vec![
            Turn { role: Role::User, text: "hi".into(), at: Utc::now() },
            Turn { role: Role::Assistant, text: "hello!".into(), at: Utc::now() },
            Turn { role: Role::User, text: "remind me to call mom at 6pm".into(), at: Utc::now() },
        ],
        tools: vec![ToolSpec {
            name: "create_task".into(),
            description: "Create a task or reminder".into(),
            parameters: json!({ "type": "object", "properties": { "text": { "type": "string" } }, "required": ["text"] }),
        }],
        tool_results: Vec::new(),
    }
}

#[tokio::test]
async fn a_text_answer_comes_back_and_the_request_has_each_providers_shape() {
    let fake = FakeAi::start(KEY).await.unwrap();
    for provider in providers(&fake, KEY) {
        let reply = provider.chat(&request()).await.unwrap();
        assert_eq!(
            reply,
            ChatReply::Text("You said: remind me to call mom at 6pm".into()),
            "{}",
            provider.name()
        );
    }
    let sent = fake.requests();
    let openai = &sent[0];
    assert_eq!(openai["model"], "gpt-4o-mini");
    let roles: Vec<&str> =
        openai["messages"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(openai["tools"][0]["function"]["name"], "create_task");
    let gemini = &sent[1];
    assert_eq!(gemini["systemInstruction"]["parts"][0]["text"], "You are Linklet.");
    let roles: Vec<&str> =
        gemini["contents"].as_array().unwrap().iter().map(|c| c["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "model", "user"]);
    assert_eq!(gemini["tools"][0]["functionDeclarations"][0]["name"], "create_task");
}

#[tokio::test]
async fn tool_calls_are_read_and_their_results_sent_back() {
    let fake = FakeAi::start(KEY).await.unwrap();
    for provider in providers(&fake, KEY) {
        let args = json!({ "text": "call mom today 18:00" });
        fake.script(Scripted::ToolCall { name: "create_task".into(), arguments: args.clone() });
        let ChatReply::ToolCalls(calls) = provider.chat(&request()).await.unwrap() else {
            panic!("{}: expected a tool call", provider.name());
        };
        assert_eq!((calls[0].name.as_str(), &calls[0].arguments), ("create_task", &args));

        fake.script(Scripted::Text("Done: I'll remind you at 18:00.".into()));
        let mut second = request();
        second.tool_results = vec![(calls[0].clone(), json!({ "task": 1, "due": "18:00" }))];
        let reply = provider.chat(&second).await.unwrap();
        assert_eq!(reply, ChatReply::Text("Done: I'll remind you at 18:00.".into()));
    }
    let sent = fake.requests();
    let openai_second = sent[1]["messages"].as_array().unwrap();
    let tool_message = openai_second.last().unwrap();
    assert_eq!(tool_message["role"], "tool");
    assert_eq!(tool_message["tool_call_id"], openai_second[openai_second.len() - 2]["tool_calls"][0]["id"]);
    let gemini_second = sent[3]["contents"].as_array().unwrap();
    assert_eq!(gemini_second.last().unwrap()["parts"][0]["functionResponse"]["name"], "create_task");
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_for_both() {
    let fake = FakeAi::start(KEY).await.unwrap();
    for provider in providers(&fake, "sk-wrong") {
        assert_eq!(provider.chat(&request()).await, Err(ProviderError::Unauthorized), "{}", provider.name());
    }
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable_with_retry_after() {
    let fake = FakeAi::start(KEY).await.unwrap();
    for provider in providers(&fake, KEY) {
        fake.script(Scripted::RateLimited { retry_after: 7 });
        let limited = provider.chat(&request()).await.unwrap_err();
        assert_eq!(limited, ProviderError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
        fake.script(Scripted::ServerError);
        let down = provider.chat(&request()).await.unwrap_err();
        assert!(matches!(down, ProviderError::Unavailable(_)) && down.is_transient(), "{down:?}");
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_unavailable_and_keys_never_show() {
    let openai = OpenAi::new(KEY.to_owned().into(), "http://127.0.0.1:9", "gpt-4o-mini").unwrap();
    let error = openai.chat(&request()).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    for shown in [format!("{error:?}"), error.to_string(), format!("{openai:?}")] {
        assert!(!shown.contains(KEY), "{shown}");
    }
}
