//! The services a user connects, and a connection as stored (its credential
//! sealed by the vault).

use chrono::{DateTime, Utc};

/// A service Linklet acts on for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    GitHub,
    Notion,
    N8n,
    Google,
}

impl Service {
    pub const ALL: [Service; 4] = [Service::GitHub, Service::Notion, Service::N8n, Service::Google];

    /// The plan's `service_name`.
    pub fn code(self) -> &'static str {
        match self {
            Service::GitHub => "github",
            Service::Notion => "notion",
            Service::N8n => "n8n",
            Service::Google => "google",
        }
    }

    pub fn from_code(code: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::GitHub => "GitHub",
            Service::Notion => "Notion",
            Service::N8n => "n8n",
            Service::Google => "Google",
        }
    }

    /// Connected by pasting a token (GitHub, Notion, n8n); Google needs OAuth.
    pub fn takes_pasted_token(self) -> bool {
        !matches!(self, Service::Google)
    }
}

/// A connection as stored: the credential is sealed text, never clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIntegration {
    pub service: Service,
    pub sealed: String,
    pub is_active: bool,
    pub connected_at: DateTime<Utc>,
}
