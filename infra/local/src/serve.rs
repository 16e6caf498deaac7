//! Serve mode: the deployed API's routes on 127.0.0.1, for curl and any HTTP
//! tool, and for people who run Linklet on a small server of their own: a
//! client that sends its headers or body a byte at a time is cut off.

use std::{future::Future, net::SocketAddr, time::Duration};

use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use linklet::{bot::Dispatcher, http::routes_with};
use secrecy::SecretString;
use tokio::net::TcpListener;
use tracing::debug;

/// How long a client may take to send each request's headers, and its body.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub headers: Duration,
    pub body: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { headers: Duration::from_secs(10), body: linklet::http::BODY_READ_TIMEOUT }
    }
}

/// Serves until Ctrl-C.
pub async fn run(dispatcher: Dispatcher, secret: SecretString, port: u16) -> anyhow::Result<()> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    println!("Linklet listens on http://{addr}/telegram (health: http://{addr}/health)");
    println!(
        "Post an update:\n  curl -i -H 'X-Telegram-Bot-Api-Secret-Token: <TELEGRAM_WEBHOOK_SECRET>' \
         -H 'Content-Type: application/json' -d @events/update-start.json http://{addr}/telegram"
    );
    println!("Press Ctrl-C to stop.");
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(listener, dispatcher, secret, Timeouts::default(), stop).await
}

/// Serves the routes on `listener` until `stop` completes.
pub async fn serve(
    listener: TcpListener,
    dispatcher: Dispatcher,
    secret: SecretString,
    timeouts: Timeouts,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let app = routes_with(dispatcher, secret, timeouts.body);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut stop => return Ok(()),
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.headers)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                debug!(error = %e, "connection closed");
            }
        });
    }
}

/// Waits until something accepts connections on 127.0.0.1:`port` (a server
/// started in another process); false after `timeout`.
pub async fn wait_for_port(port: u16, timeout: std::time::Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
