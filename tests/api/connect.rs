//! /connect and /disconnect through the webhook: the pasted token is deleted
//! from the chat, stored sealed (AES-256-GCM) on DynamoDB, never logged.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use linklet::{
    domain::{TelegramId, integration::Service},
    ports::Integrations,
    vault::KeyRing,
};
use linklet_tests::{
    Failure, Webhook,
    updates::{Person, group_text, private_text},
};

const TOKEN: &str = "ghp_R3alLooking7okenNeverLogged42";

async fn start(key: Option<String>) -> Webhook {
    Webhook::start_with(move |name| match name {
        "ENCRYPTION_KEY" => key.clone(),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_pasted_token_is_deleted_from_the_chat_and_stored_sealed() {
    let logs = linklet_tests::capture_logs("trace");
    let setting = KeyRing::generate_setting("k1");
    let hook = start(Some(setting.clone())).await;
    let ada = Person::english(9400);

    hook.deliver(&private_text(1, &ada, "/connect github")).await;
    assert!(hook.telegram.last_text().contains("Paste your GitHub token"), "{}", hook.telegram.last_text());
    hook.deliver(&private_text(2, &ada, TOKEN)).await;

    let deleted = hook.telegram.successful("deleteMessage");
    assert_eq!(deleted.len(), 1);
    assert_eq!((deleted[0]["chat_id"].as_i64(), deleted[0]["message_id"].as_i64()), (Some(9400), Some(2)));
    assert!(
        hook.telegram.last_text().contains("GitHub connected. I deleted your message"),
        "{}",
        hook.telegram.last_text()
    );

    let stored = hook.store().get_integration(TelegramId(9400), Service::GitHub).await.unwrap().unwrap();
    assert!(stored.sealed.starts_with("v1.k1.") && !stored.sealed.contains(TOKEN));
    let keys = KeyRing::parse(&setting).unwrap();
    assert_eq!(keys.open(TelegramId(9400), "github", &stored.sealed).unwrap().0.expose(), TOKEN);
    // The raw item holds no clear text either.
    let item = hook
        .dynamo
        .get_item()
        .table_name(&hook.table)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("USER#9400".into()))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("INTEGRATION#github".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(!format!("{item:?}").contains(TOKEN));
    assert_eq!(item["service_name"].as_s().unwrap(), "github");

    // The next message is an ordinary one again.
    hook.deliver(&private_text(3, &ada, "/connect")).await;
    assert!(hook.telegram.last_text().contains("GitHub — ✅ connected"), "{}", hook.telegram.last_text());
    hook.deliver(&private_text(4, &ada, "/disconnect github")).await;
    assert!(hook.telegram.last_text().contains("GitHub disconnected"));
    assert!(hook.store().list_integrations(TelegramId(9400)).await.unwrap().is_empty());
    hook.deliver(&private_text(5, &ada, "/disconnect github")).await;
    assert_eq!(hook.telegram.last_text(), "GitHub was not connected.");

    let text = logs.text();
    assert!(text.contains("service connected"), "the capture works");
    assert!(
        !text.contains(TOKEN) && !text.contains(setting.split(':').nth(1).unwrap()),
        "a secret was logged"
    );
    for call in hook.telegram.calls() {
        assert!(!call.params.to_string().contains(TOKEN), "the token went back to Telegram: {call:?}");
    }
}

#[tokio::test]
async fn connections_are_refused_in_groups_and_without_a_key_and_bad_tokens_are_not_stored() {
    let hook = start(Some(KeyRing::generate_setting("k1"))).await;
    let ada = Person::english(9401);
    hook.deliver(&group_text(1, -100_077, &ada, "/connect github")).await;
    assert!(hook.telegram.last_text().contains("private chat with me, never in a group"));

    hook.deliver(&private_text(2, &ada, "/connect notion")).await;
    hook.deliver(&private_text(3, &ada, "two words")).await;
    assert!(
        hook.telegram.last_text().contains("does not look like a Notion token"),
        "{}",
        hook.telegram.last_text()
    );
    assert_eq!(hook.telegram.successful("deleteMessage").len(), 1, "deleted anyway");
    hook.deliver(&private_text(4, &ada, "/connect n8n")).await;
    hook.deliver(&private_text(5, &ada, "/cancel")).await;
    assert_eq!(hook.telegram.last_text(), "Cancelled.");
    hook.deliver(&private_text(50, &ada, "/cancel")).await;
    assert_eq!(hook.telegram.last_text(), "There was nothing to cancel.");
    hook.deliver(&private_text(51, &ada, "/disconnect")).await;
    assert!(
        hook.telegram.last_text().starts_with("Which service? For example <code>/disconnect github</code>"),
        "{}",
        hook.telegram.last_text()
    );
    hook.deliver(&private_text(6, &ada, "n8n_api_key_value")).await;
    assert!(hook.store().list_integrations(TelegramId(9401)).await.unwrap().is_empty());
    hook.deliver(&private_text(7, &ada, "/connect google")).await;
    assert!(hook.telegram.last_text().contains("own sign-in page"));
    hook.deliver(&private_text(8, &ada, "/connect myspace")).await;
    assert!(hook.telegram.last_text().contains("I don't know the service <code>myspace</code>"));

    let keyless = start(None).await;
    keyless.deliver(&private_text(1, &ada, "/connect github")).await;
    assert!(keyless.telegram.last_text().contains("no encryption key is configured"));
}

#[tokio::test]
async fn when_the_token_message_cannot_be_deleted_the_user_is_asked_to_delete_it() {
    let hook = start(Some(KeyRing::generate_setting("k1"))).await;
    let ada = Person::english(9402);
    hook.deliver(&private_text(1, &ada, "/connect github")).await;
    hook.telegram
        .fail_next("deleteMessage", Failure::BadRequest("Bad Request: message can't be deleted".into()));
    hook.deliver(&private_text(2, &ada, TOKEN)).await;
    assert!(
        hook.telegram
            .last_text()
            .contains("could not delete your message with the token: please delete it yourself")
    );
    assert!(hook.store().get_integration(TelegramId(9402), Service::GitHub).await.unwrap().is_some());
}

#[tokio::test]
async fn after_a_key_rotation_old_credentials_still_open_and_reencrypt_moves_them_to_the_new_key() {
    let old = KeyRing::generate_setting("k1");
    let hook = start(Some(old.clone())).await;
    let ada = Person::english(9403);
    hook.deliver(&private_text(1, &ada, "/connect github")).await;
    hook.deliver(&private_text(2, &ada, TOKEN)).await;

    let rotated = KeyRing::parse(&format!("{},{old}", KeyRing::generate_setting("k2"))).unwrap();
    let store = hook.store();
    let report = linklet::services::credentials::reencrypt_all(&store, &rotated).await.unwrap();
    assert_eq!((report.checked, report.reencrypted, report.unreadable), (1, 1, 0));
    let stored = store.get_integration(TelegramId(9403), Service::GitHub).await.unwrap().unwrap();
    assert!(stored.sealed.starts_with("v1.k2."));
    let (credential, stale) = rotated.open(TelegramId(9403), "github", &stored.sealed).unwrap();
    assert_eq!((credential.expose(), stale), (TOKEN, false));
    // A second pass has nothing left to do.
    let again = linklet::services::credentials::reencrypt_all(&store, &rotated).await.unwrap();
    assert_eq!((again.checked, again.reencrypted), (1, 0));
}

#[tokio::test]
async fn on_lambda_the_vault_key_comes_from_secrets_manager() {
    let setting = KeyRing::generate_setting("prod1");
    let aws = linklet_tests::aws_config().await;
    let document = serde_json::json!({
        "TELEGRAM_BOT_TOKEN": linklet_tests::BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": linklet_tests::WEBHOOK_SECRET,
        "ENCRYPTION_KEY": setting,
    });
    let arn = linklet_tests::fresh_secret(&aws, "linklet-vault", &document.to_string()).await;
    let hook = Webhook::start_with(move |name| match name {
        "TELEGRAM_BOT_TOKEN" | "TELEGRAM_WEBHOOK_SECRET" | "ENCRYPTION_KEY" => Some(String::new()),
        "LINKLET_SECRET_ARN" => Some(arn.clone()),
        _ => None,
    })
    .await;
    let ada = Person::english(9404);
    hook.deliver(&private_text(1, &ada, "/connect notion")).await;
    hook.deliver(&private_text(2, &ada, "secret_notion_integration_token")).await;

    let stored = hook.store().get_integration(TelegramId(9404), Service::Notion).await.unwrap().unwrap();
    assert!(stored.sealed.starts_with("v1.prod1."), "{}", stored.sealed);
    let keys = KeyRing::parse(&setting).unwrap();
    assert_eq!(
        keys.open(TelegramId(9404), "notion", &stored.sealed).unwrap().0.expose(),
        "secret_notion_integration_token"
    );
}

#[tokio::test]
async fn on_lambda_the_vault_key_comes_from_its_own_secret_before_the_stacks() {
    // Issue 9.10: the key lives in a secret of its own, which no template edit regenerates.
    let own = KeyRing::generate_setting("k20261202-00c0ffee");
    let legacy = KeyRing::generate_setting("k1");
    let aws = linklet_tests::aws_config().await;
    let document = serde_json::json!({
        "TELEGRAM_BOT_TOKEN": linklet_tests::BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": linklet_tests::WEBHOOK_SECRET,
        "ENCRYPTION_KEY": legacy,
    });
    let main = linklet_tests::fresh_secret(&aws, "linklet-main", &document.to_string()).await;
    let key = linklet_tests::fresh_secret(&aws, "linklet-key", &own).await;
    let hook = Webhook::start_with(move |name| match name {
        "TELEGRAM_BOT_TOKEN" | "TELEGRAM_WEBHOOK_SECRET" | "ENCRYPTION_KEY" => Some(String::new()),
        "LINKLET_SECRET_ARN" => Some(main.clone()),
        "LINKLET_KEY_SECRET_ARN" => Some(key.clone()),
        _ => None,
    })
    .await;
    let ada = Person::english(9405);
    hook.deliver(&private_text(1, &ada, "/connect notion")).await;
    hook.deliver(&private_text(2, &ada, "secret_notion_integration_token")).await;

    let stored = hook.store().get_integration(TelegramId(9405), Service::Notion).await.unwrap().unwrap();
    assert!(stored.sealed.starts_with("v1.k20261202-00c0ffee."), "{}", stored.sealed);
}
