//! The guarded outbound client: the only way a URL a user typed is called.
//! https only (http only to hosts the operator allows, which is how tests
//! reach local fakes); every address the host resolves to checked against
//! loopback, private, link-local, shared, multicast and metadata ranges, and
//! the request pinned to the checked address (no second lookup to rebind);
//! redirects followed by hand, each re-checked; 10 s and 1 MB caps. Nothing
//! a user types makes Linklet call the AWS metadata endpoint or the
//! operator's private network.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use async_trait::async_trait;
use futures::StreamExt as _;
use reqwest::{Method, Url, redirect::Policy};

use crate::ports::outbound::{Outbound, OutboundError, OutboundRequest, OutboundResponse};

/// The whole call's limit, redirects included.
pub const OUTBOUND_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read.
pub const OUTBOUND_MAX_BYTES: usize = 1024 * 1024;
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// How host names become addresses (the system's resolver; a fixed table in tests).
#[async_trait]
pub trait Resolve: Send + Sync {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The system's resolver.
pub struct SystemResolver;

#[async_trait]
impl Resolve for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

pub struct GuardedClient {
    /// `host` or `host:port` the operator allows over http and at any address.
    allowed: Vec<String>,
    resolver: Arc<dyn Resolve>,
    timeout: Duration,
    max_bytes: usize,
}

impl GuardedClient {
    /// `allowed`: hosts (`name` or `name:port`) called even over http or at a private address.
    pub fn new(allowed: Vec<String>) -> GuardedClient {
        GuardedClient::with_resolver(allowed, Arc::new(SystemResolver))
    }

    pub fn with_resolver(allowed: Vec<String>, resolver: Arc<dyn Resolve>) -> GuardedClient {
        let allowed =
            allowed.into_iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
        GuardedClient { allowed, resolver, timeout: OUTBOUND_TIMEOUT, max_bytes: OUTBOUND_MAX_BYTES }
    }

    fn is_allowed(&self, host: &str, port: u16) -> bool {
        let host = host.to_ascii_lowercase();
        self.allowed.iter().any(|a| *a == host || *a == format!("{host}:{port}"))
    }

    /// The address to call `url` at, once the guard has checked it.
    async fn check(&self, url: &Url) -> Result<SocketAddr, OutboundError> {
        let refused = |why: String| Err(OutboundError::Refused(why));
        let host = url.host_str().ok_or_else(|| OutboundError::Refused("the URL has no host".into()))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().ok_or_else(|| OutboundError::Refused("no port".into()))?;
        let allowed = self.is_allowed(host, port);
        match url.scheme() {
            "https" => {}
            "http" if allowed => {}
            "http" => return refused(format!("{host} is not allowed over http: use https")),
            other => return refused(format!("the scheme {other} is not allowed")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refused("credentials in the URL are not allowed: use a header".into());
        }
        let addrs = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => self
                .resolver
                .resolve(host, port)
                .await
                .map_err(|e| OutboundError::Unavailable(format!("{host} could not be resolved: {e}")))?,
        };
        let Some(first) = addrs.first().copied() else {
            return Err(OutboundError::Unavailable(format!("{host} has no address")));
        };
        if !allowed && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return refused(format!("{host} resolves to {}, a private or reserved address", bad.ip()));
        }
        Ok(first)
    }

    async fn call(&self, request: &OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let mut url =
            Url::parse(&request.url).map_err(|e| OutboundError::Refused(format!("not a URL: {e}")))?;
        let mut method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| OutboundError::Refused(format!("not an HTTP method: {}", request.method)))?;
        let mut body = request.body.clone();
        for _ in 0..=MAX_REDIRECTS {
            let addr = self.check(&url).await?;
            let host =
                url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
            // One client per hop, pinned to the address just checked.
            let client = reqwest::Client::builder()
                .redirect(Policy::none())
                .resolve(&host, addr)
                .timeout(self.timeout)
                .build()
                .map_err(|e| OutboundError::Unavailable(e.to_string()))?;
            let mut builder = client.request(method.clone(), url.clone());
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = &body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().await.map_err(|e| OutboundError::Unavailable(transport(&e)))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(reqwest::header::LOCATION)
            {
                let location =
                    location.to_str().map_err(|_| OutboundError::Refused("a bad redirect".into()))?;
                url =
                    url.join(location).map_err(|e| OutboundError::Refused(format!("a bad redirect: {e}")))?;
                // 303, and 301/302 after a POST, become a GET without a body, as browsers do.
                if status == reqwest::StatusCode::SEE_OTHER
                    || (status.as_u16() < 307 && method == Method::POST)
                {
                    method = Method::GET;
                    body = None;
                }
                continue;
            }
            let headers = response
                .headers()
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned())))
                .collect();
            if response.content_length().is_some_and(|n| n as usize > self.max_bytes) {
                return Err(OutboundError::TooLarge(self.max_bytes));
            }
            let mut bytes = Vec::new();
            let mut stream = response.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| OutboundError::Unavailable(transport(&e)))?;
                if bytes.len() + chunk.len() > self.max_bytes {
                    return Err(OutboundError::TooLarge(self.max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(OutboundResponse { status: status.as_u16(), headers, body: bytes });
        }
        Err(OutboundError::Refused(format!("more than {MAX_REDIRECTS} redirects")))
    }
}

#[async_trait]
impl Outbound for GuardedClient {
    async fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        match tokio::time::timeout(self.timeout, self.call(request)).await {
            Ok(result) => result,
            Err(_) => {
                Err(OutboundError::Unavailable(format!("no answer within {} s", self.timeout.as_secs())))
            }
        }
    }
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_owned();
    }
    if e.is_connect() {
        return "could not connect".to_owned();
    }
    // Without the URL: its query may carry a token.
    let text = e.to_string();
    match e.url() {
        Some(url) => text.replace(url.as_str(), "<url>"),
        None => text,
    }
}

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, the metadata endpoint among them
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)) // IPv4-compatible
        || ip.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]) // AWS's IPv6 metadata
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_reserved_and_metadata_addresses_are_not_public() {
        for refused in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(refused.parse().unwrap()), "{refused}");
        }
        for public in ["1.1.1.1", "8.8.8.8", "140.82.112.3", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
