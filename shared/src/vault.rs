//! Integration credentials encrypted at rest with AES-256-GCM: a fresh random
//! 96-bit nonce per encryption, the user id and service as associated data
//! (a record copied onto another user or service does not decrypt), and the
//! key id in each ciphertext so that keys can rotate.
//!
//! A sealed credential is text: `v1.<key id>.<nonce, base64>.<ciphertext, base64>`.

use std::{collections::HashMap, fmt};

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD as B64};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::TelegramId;

/// A credential in clear (a pasted token). `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Credential(SecretString);

impl Credential {
    pub fn new(text: impl Into<String>) -> Credential {
        Credential(SecretString::from(text.into()))
    }

    /// The clear text, for the one place that sends it to its service.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential([redacted])")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The key setting is not `id:base64-of-32-bytes[,id:…]`. Says which entry, never the key.
    #[error("ENCRYPTION_KEY entry {0} is not <id>:<base64 of 32 bytes>")]
    BadKey(usize),
    #[error("the sealed credential is not in the v1 format")]
    Malformed,
    #[error("no key {0} in the key ring")]
    UnknownKey(String),
    /// Two entries with one id: one of the two keys could never open its records.
    #[error("ENCRYPTION_KEY has two keys with the id {0}: give each key its own id")]
    DuplicateId(String),
    /// Wrong key, tampered text, or another user's or service's record.
    #[error("the credential does not decrypt for this user and service")]
    Undecryptable,
}

/// The id of the key a sealed credential was sealed under (`v1.<id>.…`).
pub fn sealed_key_id(sealed: &str) -> Option<&str> {
    let mut parts = sealed.split('.');
    (parts.next() == Some("v1")).then(|| parts.next()).flatten()
}

/// The encryption keys: the current one seals, every one opens.
#[derive(Clone)]
pub struct KeyRing {
    current: String,
    keys: HashMap<String, Aes256Gcm>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("KeyRing").field("current", &self.current).field("ids", &ids).finish()
    }
}

impl KeyRing {
    /// `ENCRYPTION_KEY`: `id:base64,id:base64,…`, the first entry the current
    /// key (a bare base64 key is id `k1`).
    pub fn parse(setting: &str) -> Result<KeyRing, VaultError> {
        let mut keys = HashMap::new();
        let mut current = None;
        for (i, entry) in setting.split(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
            let (id, encoded) = entry.split_once(':').unwrap_or(("k1", entry));
            let valid_id =
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .or_else(|_| B64.decode(encoded.trim().trim_end_matches('=')))
                .map_err(|_| VaultError::BadKey(i + 1))?;
            if !valid_id || bytes.len() != 32 {
                return Err(VaultError::BadKey(i + 1));
            }
            current.get_or_insert_with(|| id.to_owned());
            if keys.insert(id.to_owned(), Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes))).is_some() {
                return Err(VaultError::DuplicateId(id.to_owned()));
            }
        }
        let current = current.ok_or(VaultError::BadKey(1))?;
        Ok(KeyRing { current, keys })
    }

    /// An id no other key has: the day it was made and 32 random bits
    /// (`k20261202-9f3a61c0`), so a new key never reuses an old key's id.
    pub fn new_key_id(today: chrono::NaiveDate) -> String {
        let random: [u8; 4] = rand::random();
        format!("k{}-{:08x}", today.format("%Y%m%d"), u32::from_be_bytes(random))
    }

    /// A new random key as the setting writes it (`linklet keygen`, first deploy, local runner).
    pub fn generate_setting(id: &str) -> String {
        let key = Aes256Gcm::generate_key(OsRng);
        format!("{id}:{}", base64::engine::general_purpose::STANDARD.encode(key))
    }

    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// Encrypts `credential` for `user`'s `service` under the current key.
    pub fn seal(
        &self,
        user: TelegramId,
        service: &str,
        credential: &Credential,
    ) -> Result<String, VaultError> {
        let cipher =
            self.keys.get(&self.current).ok_or_else(|| VaultError::UnknownKey(self.current.clone()))?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(user, service);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: credential.expose().as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| VaultError::Undecryptable)?;
        Ok(format!("v1.{}.{}.{}", self.current, B64.encode(nonce), B64.encode(sealed)))
    }

    /// Decrypts a sealed credential of `user`'s `service`; also says whether it
    /// was sealed under an older key (write it again to re-encrypt it).
    pub fn open(
        &self,
        user: TelegramId,
        service: &str,
        sealed: &str,
    ) -> Result<(Credential, bool), VaultError> {
        let mut parts = sealed.split('.');
        let (Some("v1"), Some(id), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VaultError::Malformed);
        };
        let cipher = self.keys.get(id).ok_or_else(|| VaultError::UnknownKey(id.to_owned()))?;
        let nonce = B64.decode(nonce).map_err(|_| VaultError::Malformed)?;
        let body = B64.decode(body).map_err(|_| VaultError::Malformed)?;
        if nonce.len() != 12 {
            return Err(VaultError::Malformed);
        }
        let aad = associated_data(user, service);
        let clear = cipher
            .decrypt(Nonce::from_slice(&nonce), Payload { msg: &body, aad: aad.as_bytes() })
            .map_err(|_| VaultError::Undecryptable)?;
        let text = String::from_utf8(clear).map_err(|_| VaultError::Undecryptable)?;
        Ok((Credential::new(text), id != self.current))
    }
}

fn associated_data(user: TelegramId, service: &str) -> String {
    format!("linklet:credential:v1:{}:{service}", user.0)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    fn ring(setting: &str) -> KeyRing {
        KeyRing::parse(setting).unwrap()
    }

    fn key(id: &str) -> String {
        KeyRing::generate_setting(id)
    }

    proptest! {
        #[test]
        fn what_is_sealed_opens_to_the_same_text(text in "\\PC{0,300}", user in any::<i64>(), service in "[a-z]{1,12}") {
            let keys = ring(&key("k1"));
            let sealed = keys.seal(TelegramId(user), &service, &Credential::new(text.clone())).unwrap();
            prop_assert!(!sealed.contains(&text) || text.len() < 4);
            let (opened, stale) = keys.open(TelegramId(user), &service, &sealed).unwrap();
            prop_assert_eq!(opened.expose(), text.as_str());
            prop_assert!(!stale);
        }

        #[test]
        fn any_change_to_the_ciphertext_is_refused(flip in 0usize..64) {
            let keys = ring(&key("k1"));
            let sealed = keys.seal(TelegramId(1), "github", &Credential::new("ghp_secret_token_value")).unwrap();
            let (head, body) = sealed.rsplit_once('.').unwrap();
            let mut bytes = B64.decode(body).unwrap();
            let i = flip % bytes.len();
            bytes[i] ^= 0x01;
            let tampered = format!("{head}.{}", B64.encode(bytes));
            prop_assert_eq!(keys.open(TelegramId(1), "github", &tampered).unwrap_err(), VaultError::Undecryptable);
        }
    }

    #[test]
    fn another_user_or_service_cannot_open_a_record() {
        let keys = ring(&key("k1"));
        let sealed = keys.seal(TelegramId(1), "github", &Credential::new("token")).unwrap();
        assert_eq!(keys.open(TelegramId(2), "github", &sealed).unwrap_err(), VaultError::Undecryptable);
        assert_eq!(keys.open(TelegramId(1), "notion", &sealed).unwrap_err(), VaultError::Undecryptable);
        assert_eq!(
            ring(&key("k1")).open(TelegramId(1), "github", &sealed).unwrap_err(),
            VaultError::Undecryptable
        );
    }

    #[test]
    fn after_rotation_old_records_open_and_are_marked_for_re_encryption() {
        let (old, new) = (key("k1"), key("k2"));
        let before = ring(&old).seal(TelegramId(1), "notion", &Credential::new("secret_abc")).unwrap();
        let rotated = ring(&format!("{new},{old}"));
        assert_eq!(rotated.current_id(), "k2");
        let (opened, stale) = rotated.open(TelegramId(1), "notion", &before).unwrap();
        assert_eq!((opened.expose(), stale), ("secret_abc", true));
        let resealed = rotated.seal(TelegramId(1), "notion", &opened).unwrap();
        assert!(resealed.starts_with("v1.k2."));
        assert!(!rotated.open(TelegramId(1), "notion", &resealed).unwrap().1);
        // Without the old key, an old record is reported, not garbage.
        assert_eq!(
            ring(&new).open(TelegramId(1), "notion", &before).unwrap_err(),
            VaultError::UnknownKey("k1".into())
        );
    }

    #[test]
    fn two_keys_with_one_id_are_refused_and_new_ids_never_repeat() {
        // Issue 9.9: the last of two `k1` entries won, so records sealed under the first stopped opening.
        let setting = format!("{},{}", key("k1"), key("k1"));
        assert_eq!(KeyRing::parse(&setting).unwrap_err(), VaultError::DuplicateId("k1".into()));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let ids: HashSet<String> = (0..1000).map(|_| KeyRing::new_key_id(today)).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.starts_with("k20261202-") && ring(&key(id)).current_id() == id));
    }

    #[test]
    fn nonces_never_repeat_over_100k_encryptions() {
        let keys = ring(&key("k1"));
        let credential = Credential::new("same text every time");
        let mut nonces = HashSet::new();
        for _ in 0..100_000 {
            let sealed = keys.seal(TelegramId(1), "github", &credential).unwrap();
            let nonce = sealed.split('.').nth(2).unwrap().to_owned();
            assert!(nonces.insert(nonce), "a nonce was reused");
        }
    }

    #[test]
    fn bad_settings_are_refused_without_echoing_them_and_nothing_leaks_in_debug() {
        assert_eq!(KeyRing::parse("k1:c2hvcnQ=").unwrap_err(), VaultError::BadKey(1));
        assert_eq!(KeyRing::parse("").unwrap_err(), VaultError::BadKey(1));
        let setting = key("k1");
        let error = KeyRing::parse(&format!("{setting},bad id:xyz")).unwrap_err().to_string();
        assert!(!error.contains(setting.split(':').nth(1).unwrap()), "{error}");
        let debug = format!("{:?} {:?}", ring(&setting), Credential::new("ghp_visible?"));
        assert!(
            !debug.contains("ghp_visible") && !debug.contains(setting.split(':').nth(1).unwrap()),
            "{debug}"
        );
    }
}
