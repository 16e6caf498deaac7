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

/// A stand-in `aws` with a state folder: the stack's outputs, secrets kept in
/// files (read from standard input when given as `file:///dev/stdin`), and
/// every command line written to `calls`.
const STATEFUL_AWS: &str = r#"#!/usr/bin/env python3
import json, os, sys
state = os.environ["AWS_STUB_STATE"]
args = sys.argv[1:]
with open(os.path.join(state, "calls"), "a") as calls:
    calls.write(" ".join(args) + "\n")
def arg(name):
    return args[args.index(name) + 1]
def path(secret_id):
    return os.path.join(state, "secret-" + secret_id.rsplit(":", 1)[-1])
if "describe-stacks" in args:
    print(open(os.path.join(state, "outputs")).read())
elif "get-secret-value" in args:
    if not os.path.exists(path(arg("--secret-id"))):
        sys.stderr.write("An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT\n")
        sys.exit(254)
    print(open(path(arg("--secret-id"))).read())
elif "put-secret-value" in args:
    value = arg("--secret-string")
    if value == "file:///dev/stdin":
        value = sys.stdin.read()
    open(path(arg("--secret-id")), "w").write(value)
    print("{}")
else:
    sys.exit("unexpected aws call: " + " ".join(args))
"#;

struct Deploy {
    state: tempfile::TempDir,
    _stubs: tempfile::TempDir,
    path: String,
    table: String,
}

impl Deploy {
    /// A stack whose table is a fresh one on moto, with `main` as its main secret.
    async fn new(main: serde_json::Value) -> Deploy {
        let (stubs, path) = stub_aws(STATEFUL_AWS);
        std::fs::write(stubs.path().join("sam"), "#!/usr/bin/env bash\nexit 0\n").unwrap();
        std::fs::set_permissions(stubs.path().join("sam"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let state = tempfile::tempdir().unwrap();
        let table = format!("deploy-{}-{}", std::process::id(), rand_suffix());
        let outputs = serde_json::json!([
            { "OutputKey": "WebhookUrl", "OutputValue": "https://abc123.execute-api.eu-west-3.amazonaws.com/telegram" },
            { "OutputKey": "TelegramSecretArn", "OutputValue": "arn:aws:secretsmanager:eu-west-3:1:secret:main" },
            { "OutputKey": "EncryptionKeySecretArn", "OutputValue": "arn:aws:secretsmanager:eu-west-3:1:secret:key" },
            { "OutputKey": "TableName", "OutputValue": table },
        ]);
        std::fs::write(state.path().join("outputs"), outputs.to_string()).unwrap();
        std::fs::write(state.path().join("secret-main"), main.to_string()).unwrap();
        Deploy { state, _stubs: stubs, path, table }
    }

    async fn run(&self, fake: &FakeTelegram, env: &[(&str, &str)]) -> std::process::Output {
        let mut command = tokio::process::Command::new("bash");
        command
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy.sh"))
            .env("PATH", &self.path)
            .env("AWS_STUB_STATE", self.state.path())
            .env("TELEGRAM_API_URL", fake.url())
            .env("LINKLET_BIN", env!("CARGO_BIN_EXE_linklet"))
            .env_remove("TELEGRAM_BOT_TOKEN")
            .env_remove("ENCRYPTION_KEY");
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().await.unwrap()
    }

    fn secret(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.state.path().join(format!("secret-{name}"))).ok()
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.state.path().join("calls")).unwrap_or_default()
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

fn main_secret() -> serde_json::Value {
    serde_json::json!({ "TELEGRAM_BOT_TOKEN": "set-me-with-infra/deploy.sh", "TELEGRAM_WEBHOOK_SECRET": "Gen3ratedSecret" })
}

#[tokio::test]
async fn the_first_deploy_stores_the_keys_through_stdin_and_writes_a_vault_key_of_its_own() {
    // Issue 9.11: the whole secret document was on put-secret-value's command line.
    let fake = FakeTelegram::start("42:script-test").await.unwrap();
    let deploy = Deploy::new(main_secret()).await;
    let output = deploy
        .run(&fake, &[("TELEGRAM_BOT_TOKEN", "42:script-test"), ("OPENAI_API_KEY", "sk-test-never-logged")])
        .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));

    let main: serde_json::Value = serde_json::from_str(&deploy.secret("main").unwrap()).unwrap();
    assert_eq!(main["TELEGRAM_BOT_TOKEN"], "42:script-test");
    assert_eq!(main["OPENAI_API_KEY"], "sk-test-never-logged");
    let key = deploy.secret("key").expect("the vault's key in its own secret");
    let ring = linklet::vault::KeyRing::parse(key.trim()).unwrap();
    assert!(ring.current_id().starts_with('k') && ring.current_id() != "k1", "{}", ring.current_id());
    let calls = deploy.calls();
    for secret in ["42:script-test", "sk-test-never-logged", "Gen3ratedSecret", key.trim()] {
        assert!(!calls.contains(secret), "a secret on a command line: {calls}");
        assert!(!stdout.contains(secret), "{stdout}");
    }
    assert_eq!(fake.successful("setWebhook").len(), 1);

    // The next deploy keeps that key.
    let again = deploy.run(&fake, &[]).await;
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(deploy.secret("key").unwrap(), key);
}

#[tokio::test]
async fn a_deploy_never_mints_a_key_while_sealed_credentials_exist() {
    // Issue 9.10: a regenerated secret made deploy.sh mint a new key over sealed records.
    let fake = FakeTelegram::start("42:script-test").await.unwrap();
    let deploy = Deploy::new(main_secret()).await;
    let aws = linklet::adapters::aws::sdk_config().await;
    linklet::adapters::dynamo::migrations::apply(&linklet::adapters::aws::dynamodb(&aws), &deploy.table)
        .await
        .unwrap();
    let store =
        linklet::adapters::dynamo::DynamoStore::new(linklet::adapters::aws::dynamodb(&aws), &deploy.table);
    use linklet::ports::{Integrations, Users};
    let seen = linklet::domain::SeenUser {
        id: linklet::domain::TelegramId(5),
        username: None,
        first_name: "Ada".into(),
        language_code: None,
    };
    store.upsert_seen(&seen, chrono::Utc::now()).await.unwrap();
    let ring = linklet::vault::KeyRing::parse(&linklet::vault::KeyRing::generate_setting("lost")).unwrap();
    let sealed = ring
        .seal(seen.id, "github", &linklet::vault::Credential::new("ghp_R3alLooking7okenNeverLogged42"))
        .unwrap();
    let integration = linklet::domain::integration::StoredIntegration {
        service: linklet::domain::integration::Service::GitHub,
        sealed,
        is_active: true,
        connected_at: chrono::Utc::now(),
    };
    store.put_integration(seen.id, &integration).await.unwrap();

    let output = deploy.run(&fake, &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("is empty, but 1 sealed credential(s)"), "{stderr}");
    assert!(stderr.contains("restore the key from its backup"), "{stderr}");
    assert_eq!(deploy.secret("key"), None, "no key was minted");
}

#[tokio::test]
async fn a_key_kept_in_the_stack_secret_by_an_earlier_release_moves_to_its_own_secret() {
    let fake = FakeTelegram::start("42:script-test").await.unwrap();
    let legacy = linklet::vault::KeyRing::generate_setting("k1");
    let mut main = main_secret();
    main["TELEGRAM_BOT_TOKEN"] = "42:script-test".into();
    main["ENCRYPTION_KEY"] = legacy.clone().into();
    let deploy = Deploy::new(main).await;
    let output = deploy.run(&fake, &[]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(deploy.secret("key").unwrap(), legacy);
}

/// A table on moto holding one GitHub credential of user 5, sealed under `setting`.
async fn table_with_a_credential(setting: &str) -> (linklet::adapters::dynamo::DynamoStore, String) {
    use linklet::ports::{Integrations, Users};
    let aws = linklet::adapters::aws::sdk_config().await;
    let table = format!("vault-{}-{}", std::process::id(), rand_suffix());
    linklet::adapters::dynamo::migrations::apply(&linklet::adapters::aws::dynamodb(&aws), &table)
        .await
        .unwrap();
    let store = linklet::adapters::dynamo::DynamoStore::new(linklet::adapters::aws::dynamodb(&aws), &table);
    let seen = linklet::domain::SeenUser {
        id: linklet::domain::TelegramId(5),
        username: None,
        first_name: "Ada".into(),
        language_code: None,
    };
    store.upsert_seen(&seen, chrono::Utc::now()).await.unwrap();
    let ring = linklet::vault::KeyRing::parse(setting).unwrap();
    let credential = linklet::vault::Credential::new("ghp_R3alLooking7okenNeverLogged42");
    let integration = linklet::domain::integration::StoredIntegration {
        service: linklet::domain::integration::Service::GitHub,
        sealed: ring.seal(seen.id, "github", &credential).unwrap(),
        is_active: true,
        connected_at: chrono::Utc::now(),
    };
    store.put_integration(seen.id, &integration).await.unwrap();
    (store, table)
}

async fn linklet_cli(args: &[&str], env: &[(&str, &str)], without: &[&str]) -> (bool, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linklet"));
    command.args(args);
    for name in without {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test]
async fn reencrypt_with_aws_works_on_the_deployed_table_and_says_what_is_left() {
    // Issue 9.9: without AWS_ENDPOINT_URL it opened the local store and reported "0 checked".
    let old = linklet::vault::KeyRing::generate_setting("k1");
    let (store, table) = table_with_a_credential(&old).await;
    let new = linklet::vault::KeyRing::generate_setting("k20261202-0000beef");
    let rotated = format!("{new},{old}");
    let (ok, text) = linklet_cli(
        &["reencrypt", "--aws"],
        &[("DYNAMODB_TABLE", &table), ("ENCRYPTION_KEY", &rotated)],
        &[],
    )
    .await;
    assert!(ok, "{text}");
    assert!(text.contains(&format!("DynamoDB table {table}")), "{text}");
    assert!(text.contains("1 credential(s) checked, 1 re-encrypted under key k20261202-0000beef"), "{text}");
    assert!(text.contains("0 still under other keys"), "{text}");
    use linklet::ports::Integrations;
    let stored = store
        .get_integration(linklet::domain::TelegramId(5), linklet::domain::integration::Service::GitHub)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.sealed.starts_with("v1.k20261202-0000beef."), "{}", stored.sealed);

    // Without the old key, what it sealed is reported and the command fails.
    let (_, other) = table_with_a_credential(&old).await;
    let (ok, text) =
        linklet_cli(&["reencrypt", "--aws"], &[("DYNAMODB_TABLE", &other), ("ENCRYPTION_KEY", &new)], &[])
            .await;
    assert!(!ok, "{text}");
    assert!(text.contains("1 still under other keys") && text.contains("keep those keys"), "{text}");
}

#[tokio::test]
async fn reencrypt_on_a_store_without_credentials_fails_and_says_where_it_looked() {
    let data = tempfile::tempdir().unwrap();
    let key = linklet::vault::KeyRing::generate_setting("k1");
    let dir = data.path().to_str().unwrap();
    let (ok, text) =
        linklet_cli(&["--data-dir", dir, "reencrypt"], &[("ENCRYPTION_KEY", &key)], &["AWS_ENDPOINT_URL"])
            .await;
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("embedded store in {dir}")), "{text}");
    assert!(text.contains("no credential found") && text.contains("keep every key"), "{text}");
}

#[tokio::test]
async fn two_keys_with_one_id_are_refused_and_keygen_never_repeats_an_id() {
    let twice = format!(
        "{},{}",
        linklet::vault::KeyRing::generate_setting("k1"),
        linklet::vault::KeyRing::generate_setting("k1")
    );
    let data = tempfile::tempdir().unwrap();
    let (ok, text) = linklet_cli(
        &["--data-dir", data.path().to_str().unwrap(), "reencrypt"],
        &[("ENCRYPTION_KEY", &twice)],
        &["AWS_ENDPOINT_URL"],
    )
    .await;
    assert!(!ok && text.contains("two keys with the id k1"), "{text}");
    let (_, first) = linklet_cli(&["keygen"], &[], &[]).await;
    let (_, second) = linklet_cli(&["keygen"], &[], &[]).await;
    let id = |setting: &str| setting.trim().split_once(':').unwrap().0.to_owned();
    assert_ne!(id(&first), id(&second));
    assert!(id(&first).starts_with('k') && id(&first) != "k1");
}
