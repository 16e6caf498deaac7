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

#[tokio::test]
async fn set_webhook_registers_url_secret_updates_and_both_command_menus() {
    let fake = FakeTelegram::start("42:script-test").await.unwrap();
    let stubs = tempfile::tempdir().unwrap();
    let aws = stubs.path().join("aws");
    std::fs::write(&aws, STUB_AWS).unwrap();
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", stubs.path().display(), std::env::var("PATH").unwrap_or_default());

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
