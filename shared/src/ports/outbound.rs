//! The outbound port: HTTP calls to URLs a user gave (the HTTP request step,
//! later an n8n instance), always through the guarded client.

use async_trait::async_trait;

/// A request a step makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What came back (the body at most the client's cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundResponse {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl OutboundResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// The guard refused the URL or an address it resolves or redirects to:
    /// retrying will not help.
    #[error("refused: {0}")]
    Refused(String),
    /// The network, a timeout: retrying may work.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The answer is over the size cap.
    #[error("the answer is over {0} bytes")]
    TooLarge(usize),
}

#[async_trait]
pub trait Outbound: Send + Sync {
    async fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, OutboundError>;
}
