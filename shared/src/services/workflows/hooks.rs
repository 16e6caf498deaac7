//! Incoming webhooks as use cases: giving a workflow a hook (a new token,
//! the old one revoked), setting its signing secret, and receiving a call:
//! found by the token's hash, signature checked, rate limited, deduplicated
//! by the sender's delivery id, and a run queued (never run inline).

use chrono::{DateTime, Duration, Timelike as _, Utc};
use serde_json::{Map, Value, json};
use tracing::{info, warn};

use super::{NotStarted, WorkflowError, start};
use crate::{
    domain::{
        ChatId, User,
        assistant::QuotaUse,
        workflow::{
            Workflow,
            hook::{HookToken, SignatureError, StoredHook, verify},
            run::{Fired, Report, RunId},
        },
    },
    ports::ClaimKey,
    services::{
        Deps,
        once::{ClaimTimes, Once, Settle, once},
    },
    vault::Credential,
};

/// Request headers never passed to a run: credentials and signatures.
const HIDDEN_HEADERS: [&str; 9] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-hub-signature",
    "x-hub-signature-256",
    "webhook-signature",
    "x-api-key",
    "x-amz-security-token",
    "x-telegram-bot-api-secret-token",
];

/// Headers that name a delivery: the same one twice starts one run.
const DELIVERY_HEADERS: [&str; 3] = ["x-github-delivery", "webhook-id", "idempotency-key"];

/// An incoming call, as the HTTP layer read it.
pub struct HookCall<'a> {
    pub token: &'a str,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub query: Map<String, Value>,
    /// The body as it will be shown to the run (JSON, a form's fields, or text).
    pub body: Value,
    /// The body's bytes as received, for the signature.
    pub raw: &'a [u8],
}

impl HookCall<'_> {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// What the caller is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookAnswer {
    /// 202, with the run's id (a duplicate delivery gets the first one's).
    Accepted { run: RunId, duplicate: bool },
    /// 404: no such hook, or its workflow is off or gone (never said which).
    NotFound,
    /// 401: the signature is missing or wrong.
    Unauthorized(SignatureError),
    /// 429, with `Retry-After` in seconds.
    RateLimited { retry_after: i64 },
    /// 409: the same delivery is being handled right now; retry later.
    InProgress,
}

/// The hook's URL path for `token`.
pub fn hook_path(token: &HookToken) -> String {
    format!("/hooks/{}", token.as_str())
}

/// Gives `workflow` a new hook, revoking the one it had; the token is shown
/// once (only its hash is kept). `None` when the workflow changed meanwhile.
pub async fn issue(deps: &Deps, workflow: &Workflow) -> Result<Option<(Workflow, HookToken)>, WorkflowError> {
    let token = HookToken::generate();
    let old = match &workflow.hook {
        Some(hash) => deps.store.get_hook(hash).await?,
        None => None,
    };
    let hook = StoredHook {
        user: workflow.user,
        workflow: workflow.number,
        secret: old.and_then(|h| h.secret),
        created_at: deps.clock.now(),
    };
    deps.store.put_hook(&token.hash(), &hook).await?;
    let changed = Workflow { hook: Some(token.hash()), ..workflow.clone() };
    if !deps.store.update_workflow(&changed, workflow.version).await? {
        deps.store.delete_hook(&token.hash()).await?;
        return Ok(None);
    }
    if let Some(old) = &workflow.hook {
        deps.store.delete_hook(old).await?;
    }
    info!(workflow = workflow.number.0, "hook issued");
    Ok(Some((changed, token)))
}

/// Revokes `workflow`'s hook: its URL answers 404.
pub async fn revoke(deps: &Deps, workflow: &Workflow) -> Result<(), WorkflowError> {
    if let Some(hash) = &workflow.hook {
        deps.store.delete_hook(hash).await?;
    }
    Ok(())
}

/// Why a signing secret was not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretNotSet {
    NoHook,
    VaultOff,
}

/// Sets the secret `workflow`'s hook signatures are checked with, sealed.
pub async fn set_secret(
    deps: &Deps,
    workflow: &Workflow,
    secret: &str,
) -> Result<Result<(), SecretNotSet>, WorkflowError> {
    let Some(hash) = &workflow.hook else { return Ok(Err(SecretNotSet::NoHook)) };
    let Some(vault) = &deps.vault else { return Ok(Err(SecretNotSet::VaultOff)) };
    let Some(mut hook) = deps.store.get_hook(hash).await? else { return Ok(Err(SecretNotSet::NoHook)) };
    let sealed = vault
        .seal(workflow.user, &secret_scope(workflow), &Credential::new(secret.trim()))
        .map_err(|e| crate::ports::StoreError::Corrupt(format!("could not seal the secret: {e}")))?;
    hook.secret = Some(sealed);
    deps.store.put_hook(hash, &hook).await?;
    Ok(Ok(()))
}

/// The vault's associated data for a hook's secret: the user and the workflow.
fn secret_scope(workflow: &Workflow) -> String {
    format!("hook-{}", workflow.number.0)
}

/// Receives a call on a hook.
pub async fn receive(deps: &Deps, call: &HookCall<'_>) -> Result<HookAnswer, WorkflowError> {
    let Some(token) = HookToken::parse(call.token) else { return Ok(HookAnswer::NotFound) };
    let hash = token.hash();
    let Some(hook) = deps.store.get_hook(&hash).await? else { return Ok(HookAnswer::NotFound) };
    let Some(workflow) = deps.store.get_workflow(hook.user, hook.workflow).await? else {
        return Ok(HookAnswer::NotFound);
    };
    let Some(scheme) =
        workflow.webhook().filter(|_| workflow.active && workflow.hook.as_deref() == Some(&hash))
    else {
        return Ok(HookAnswer::NotFound);
    };
    let now = deps.clock.now();
    if let Some(scheme) = scheme {
        let secret = hook
            .secret
            .as_ref()
            .zip(deps.vault.as_ref())
            .and_then(|(sealed, vault)| vault.open(workflow.user, &secret_scope(&workflow), sealed).ok())
            .map(|(secret, _)| secret);
        let Some(secret) = secret else {
            warn!(
                workflow = workflow.number.0,
                "hook call refused: a signature is required and no secret is set"
            );
            return Ok(HookAnswer::Unauthorized(SignatureError::NoSecret));
        };
        if let Err(e) =
            verify(scheme, secret.expose().as_bytes(), |name| call.header(name), call.raw, now.timestamp())
        {
            warn!(workflow = workflow.number.0, error = %e, "hook call refused: bad signature");
            return Ok(HookAnswer::Unauthorized(e));
        }
    }
    let Some(user) = deps.store.get_user(hook.user).await?.filter(|u| u.banned_at.is_none()) else {
        return Ok(HookAnswer::NotFound);
    };
    if let Some(wait) = over_rate(deps, &user, &workflow, now).await? {
        return Ok(HookAnswer::RateLimited { retry_after: wait });
    }
    let delivery = DELIVERY_HEADERS.iter().find_map(|name| call.header(name)).filter(|id| !id.is_empty());
    let Some(delivery) = delivery else { return accept(deps, &user, &workflow, call).await };
    let key =
        ClaimKey::job(&format!("hook-{}-{}", &hash[..16], delivery.chars().take(128).collect::<String>()));
    let ran = once(deps.store.as_ref(), deps.clock.as_ref(), &key, ClaimTimes::JOB, |_| async {
        match accept(deps, &user, &workflow, call).await {
            Ok(HookAnswer::Accepted { run, duplicate }) => {
                Settle::Keep { result: Ok(HookAnswer::Accepted { run, duplicate }), note: Some(run.code()) }
            }
            // Refused (over the day's runs): a later delivery may be accepted.
            Ok(other) => Settle::Release(Ok(other)),
            Err(e) => Settle::Release(Err(e)),
        }
    })
    .await?;
    match ran {
        Once::Ran(Ok(answer) | Err(Ok(answer))) => Ok(answer),
        Once::Ran(Err(Err(e))) => Err(e),
        Once::Duplicate(note) => match note.as_deref().and_then(RunId::parse) {
            Some(run) => {
                info!(workflow = workflow.number.0, "duplicate delivery: no second run");
                Ok(HookAnswer::Accepted { run, duplicate: true })
            }
            None => Ok(HookAnswer::InProgress),
        },
        Once::Busy => Ok(HookAnswer::InProgress),
    }
}

/// Seconds until the minute's window ends, when the hook is over its rate.
async fn over_rate(
    deps: &Deps,
    user: &User,
    workflow: &Workflow,
    now: DateTime<Utc>,
) -> Result<Option<i64>, WorkflowError> {
    let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    let window = minute.format("%Y-%m-%dT%H:%M").to_string();
    let what = format!("hook-{}", workflow.number.0);
    let limit = super::limits(deps, user).hook_requests_per_minute;
    let used = deps.store.take_quota(user.id, &what, &window, limit, minute + Duration::minutes(2)).await?;
    Ok((used == QuotaUse::Exhausted).then(|| (minute + Duration::minutes(1) - now).num_seconds().max(1)))
}

/// Queues the run: `trigger.body`, `trigger.headers` (without credentials), `trigger.query`.
async fn accept(
    deps: &Deps,
    user: &User,
    workflow: &Workflow,
    call: &HookCall<'_>,
) -> Result<HookAnswer, WorkflowError> {
    let headers: Map<String, Value> = call
        .headers
        .iter()
        .filter(|(name, _)| !HIDDEN_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    let payload = json!({ "body": call.body, "headers": headers, "query": call.query, "text": "" });
    let report = Report { chat: ChatId(user.id.0), thread: None, card: None, live: false };
    match start(deps, user, workflow, Fired::new("webhook", payload), report).await? {
        Ok(run) => Ok(HookAnswer::Accepted { run: run.id, duplicate: false }),
        Err(NotStarted::DailyLimit { resets_at, .. }) => {
            Ok(HookAnswer::RateLimited { retry_after: (resets_at - deps.clock.now()).num_seconds().max(1) })
        }
    }
}
