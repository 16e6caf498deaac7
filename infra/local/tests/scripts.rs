//! The operator's webhook script against the fake Bot API, with a stand-in
//! `aws` CLI answering as CloudFormation and Secrets Manager would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::os::unix::fs::PermissionsExt;

use linklet_local::fake_telegram::FakeTelegram;

const STUB_AWS: &str = r#"#!/usr/bin/env bash
case "$*" in
  *describe-stacks*) echo '[{"OutputKey":"WebhookUrl","OutputValue":"https://abc123.execute-api.eu-west-3.amazonaws.com/telegram"},{"OutputKey":"TelegramSecretArn","OutputValue":"arn:aws:secretsmanager:eu-west-3:123456789012:secret:linklet"}]' ;;
  *get-secret-value*) echo '{"TELEGRAM_BOT_TOKEN":"42:script-test","TELEGRAM_WEBHOOK_SECRET":"Gen3ratedSecret"}' ;;
  *) echo "unexpected aws call: $*" >&2; exit 1 ;;
esac
"#;

/// A directory holding `aws` = `script`, and a PATH that finds it first.
fn stub_aws(script: &str) -> (tempfile::TempDir, String) {
    let stubs = tempfile::tempdir().unwrap();
    let aws = stubs.path().join("aws");
    std::fs::write(&aws, script).unwrap();
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", stubs.path().display(), std::env::var("PATH").unwrap_or_default());
    (stubs, path)
}

#[tokio::test]
async fn set_webhook_registers_url_secret_updates_and_both_command_menus() {
    let fake = FakeTelegram::start("42:script-test").await.unwrap();
    let (_stubs, path) = stub_aws(STUB_AWS);

    let output = tokio::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../set-webhook.sh"))
        .env("PATH", path)
        .env("TELEGRAM_API_URL", fake.url())
        .env("LINKLET_BIN", env!("CARGO_BIN_EXE_linklet"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!stdout.contains("Gen3ratedSecret") && !stdout.contains("script-test"), "{stdout}");

    let hooks = fake.successful("setWebhook");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["url"], "https://abc123.execute-api.eu-west-3.amazonaws.com/telegram");
    assert_eq!(hooks[0]["secret_token"], "Gen3ratedSecret");
    assert_eq!(hooks[0]["allowed_updates"], serde_json::json!(["message", "callback_query"]));
    let menus = fake.successful("setMyCommands");
    assert_eq!(menus.len(), 2);
    assert_eq!(menus[0]["commands"][0]["command"], "start");
    assert!(menus[0].get("language_code").is_none());
    assert_eq!(menus[1]["language_code"], "fr");
    assert_eq!(menus[1]["commands"][2]["description"], "votre langue et votre fuseau horaire");
}

#[tokio::test]
async fn redrive_moves_every_dead_lettered_job_back_to_its_queue() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("run with infra/test.sh, which starts moto");
    let sqs = linklet::adapters::aws::sqs(&linklet::adapters::aws::local_sdk_config(&endpoint).await);
    let name = format!("redrive-{}", std::process::id());
    let create = |name: String| {
        let sqs = sqs.clone();
        async move { sqs.create_queue().queue_name(name).send().await.unwrap().queue_url.unwrap() }
    };
    let (queue, dlq) = (create(name.clone()).await, create(format!("{name}-dlq")).await);
    for i in 0..13 {
        sqs.send_message().queue_url(&dlq).message_body(format!("job {i}")).send().await.unwrap();
    }
    let outputs = format!(
        r#"[{{"OutputKey":"AiJobsQueueUrl","OutputValue":"{queue}"}},{{"OutputKey":"AiJobsDeadLetterQueueUrl","OutputValue":"{dlq}"}}]"#
    );
    let (_stubs, path) = stub_aws(&format!("#!/usr/bin/env bash\necho '{outputs}'\n"));

    let output = tokio::process::Command::new("bash")
        .args([concat!(env!("CARGO_MANIFEST_DIR"), "/../redrive.sh"), "ai"])
        .env("PATH", path)
        .env("LINKLET_BIN", env!("CARGO_BIN_EXE_linklet"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Moved 13 message(s)"), "{stdout}");

    let mut bodies = Vec::new();
    loop {
        let received =
            sqs.receive_message().queue_url(&queue).max_number_of_messages(10).send().await.unwrap();
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            break;
        }
        bodies.extend(messages.into_iter().filter_map(|m| m.body));
    }
    bodies.sort();
    let mut expected: Vec<String> = (0..13).map(|i| format!("job {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected);
    let left = sqs.receive_message().queue_url(&dlq).send().await.unwrap().messages.unwrap_or_default();
    assert!(left.is_empty());
}
