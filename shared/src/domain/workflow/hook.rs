//! Incoming webhooks (F9): a hook's token (32 random bytes, base64url) of
//! which only the SHA-256 is kept, and the signatures a sender may add
//! (GitHub's `X-Hub-Signature-256`, Standard Webhooks' `webhook-signature`),
//! checked in constant time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The largest body a hook accepts (413 beyond).
pub const MAX_HOOK_BODY_BYTES: usize = 256 * 1024;
/// Requests one hook accepts per minute by default (429 beyond).
pub const HOOK_REQUESTS_PER_MINUTE: u32 = 60;
/// How far a signed timestamp may be from now (Standard Webhooks).
pub const SIGNATURE_WINDOW_SECONDS: i64 = 5 * 60;

/// A hook's secret token, as it appears in its URL (`/hooks/<token>`).
/// Never stored; never in logs (its `Debug` is redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct HookToken(String);

impl std::fmt::Debug for HookToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookToken([redacted])")
    }
}

impl HookToken {
    /// A new token: 32 random bytes, base64url without padding (43 characters).
    pub fn generate() -> HookToken {
        let bytes: [u8; 32] = rand::random();
        HookToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as read from a URL; `None` unless it has a token's shape.
    pub fn parse(text: &str) -> Option<HookToken> {
        let shaped =
            text.len() == 43 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| HookToken(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: the token's SHA-256, in hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a hook's token hash leads to: its workflow, and the signing secret
/// (sealed by the vault) its signature is checked with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredHook {
    pub user: crate::domain::TelegramId,
    pub workflow: super::WorkflowNumber,
    /// The signing secret, sealed (`v1.<key>.<nonce>.<ciphertext>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl std::fmt::Debug for StoredHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredHook")
            .field("user", &self.user)
            .field("workflow", &self.workflow)
            .field("secret", &self.secret.as_ref().map(|_| "[sealed]"))
            .finish()
    }
}

/// A signature scheme a hook requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureScheme {
    /// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
    Github,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
    /// `<id>.<timestamp>.<body>`, the secret `whsec_<base64>` (or raw text).
    StandardWebhooks,
}

impl SignatureScheme {
    pub fn code(self) -> &'static str {
        match self {
            SignatureScheme::Github => "github",
            SignatureScheme::StandardWebhooks => "standard_webhooks",
        }
    }
}

/// Why a signature was refused (the sender gets 401, the log says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing")]
    Missing,
    #[error("the signature does not match")]
    Mismatch,
    #[error("the signed timestamp is missing, unreadable or more than 5 minutes away")]
    Stale,
    #[error("no signing secret is set for this hook")]
    NoSecret,
}

/// Checks `body`'s signature under `scheme` with `secret`; `header` gives a
/// request header's value by its lower-case name.
pub fn verify(
    scheme: SignatureScheme,
    secret: &[u8],
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    match scheme {
        SignatureScheme::Github => {
            let given = header("x-hub-signature-256").ok_or(SignatureError::Missing)?;
            let given = given.trim().strip_prefix("sha256=").ok_or(SignatureError::Mismatch)?;
            let expected = hex(&hmac(secret, &[body]));
            equal(given.to_ascii_lowercase().as_bytes(), expected.as_bytes())
        }
        SignatureScheme::StandardWebhooks => {
            let id = header("webhook-id").ok_or(SignatureError::Missing)?;
            let timestamp = header("webhook-timestamp").ok_or(SignatureError::Stale)?;
            let signatures = header("webhook-signature").ok_or(SignatureError::Missing)?;
            let at: i64 = timestamp.trim().parse().map_err(|_| SignatureError::Stale)?;
            if (now - at).abs() > SIGNATURE_WINDOW_SECONDS {
                return Err(SignatureError::Stale);
            }
            let key = standard_key(secret);
            let expected = hmac(&key, &[id.as_bytes(), b".", timestamp.trim().as_bytes(), b".", body]);
            let expected = base64::engine::general_purpose::STANDARD.encode(expected);
            let matched = signatures
                .split_whitespace()
                .filter_map(|entry| entry.strip_prefix("v1,"))
                .any(|given| equal(given.as_bytes(), expected.as_bytes()).is_ok());
            if matched { Ok(()) } else { Err(SignatureError::Mismatch) }
        }
    }
}

/// A Standard Webhooks secret's key: `whsec_` then base64, else the text itself.
fn standard_key(secret: &[u8]) -> Vec<u8> {
    std::str::from_utf8(secret)
        .ok()
        .and_then(|s| s.strip_prefix("whsec_"))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .unwrap_or_else(|| secret.to_vec())
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return Vec::new() };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn equal(given: &[u8], expected: &[u8]) -> Result<(), SignatureError> {
    if given.len() == expected.len() && bool::from(given.ct_eq(expected)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Sign as a sender would: for tests and the user guide's examples.
pub fn sign(scheme: SignatureScheme, secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    match scheme {
        SignatureScheme::Github => format!("sha256={}", hex(&hmac(secret, &[body]))),
        SignatureScheme::StandardWebhooks => {
            let t = timestamp.to_string();
            let mac = hmac(&standard_key(secret), &[id.as_bytes(), b".", t.as_bytes(), b".", body]);
            format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn headers(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn a_token_is_43_url_safe_characters_and_only_its_hash_is_kept() {
        let token = HookToken::generate();
        assert_eq!(token.as_str().len(), 43);
        assert_eq!(HookToken::parse(token.as_str()), Some(token.clone()));
        assert_eq!(token.hash().len(), 64);
        assert!(!token.hash().contains(token.as_str()));
        assert_ne!(HookToken::generate(), token);
        assert_eq!(format!("{token:?}"), "HookToken([redacted])");
        assert_eq!(HookToken::parse("short"), None);
        assert_eq!(HookToken::parse(&"a/".repeat(22)[..43]), None);
    }

    #[test]
    fn github_signatures_match_the_body_and_nothing_else() {
        // GitHub's documented example: secret "It's a Secret to Everybody", body "Hello, World!".
        let (secret, body) = (b"It's a Secret to Everybody".as_slice(), b"Hello, World!".as_slice());
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(sign(SignatureScheme::Github, secret, "", 0, body), expected);
        let ok = headers(&[("x-hub-signature-256", expected.to_owned())]);
        assert_eq!(verify(SignatureScheme::Github, secret, &ok, body, 0), Ok(()));
        assert_eq!(
            verify(SignatureScheme::Github, secret, &ok, b"Hello, World?", 0),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(SignatureScheme::Github, b"other", &ok, body, 0), Err(SignatureError::Mismatch));
        assert_eq!(
            verify(SignatureScheme::Github, secret, headers(&[]), body, 0),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn standard_webhooks_signatures_check_the_id_the_timestamp_and_the_window() {
        let secret = b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".as_slice();
        let (id, at, body) =
            ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#.as_slice());
        let signature = sign(SignatureScheme::StandardWebhooks, secret, id, at, body);
        // The specification's example signature.
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let given = |sig: &str, t: i64| {
            headers(&[
                ("webhook-id", id.to_owned()),
                ("webhook-timestamp", t.to_string()),
                ("webhook-signature", sig.to_owned()),
            ])
        };
        let v = |sig: &str, t: i64, now: i64| {
            verify(SignatureScheme::StandardWebhooks, secret, given(sig, t), body, now)
        };
        assert_eq!(v(&signature, at, at + 10), Ok(()));
        assert_eq!(v(&format!("v1,bad= {signature}"), at, at), Ok(()), "one of several signatures is enough");
        assert_eq!(v(&signature, at, at + 301), Err(SignatureError::Stale));
        assert_eq!(v("v1,AAAA", at, at), Err(SignatureError::Mismatch));
        assert_eq!(v(&signature, at + 1, at), Err(SignatureError::Mismatch), "the timestamp is signed");
    }
}
