//! Serve mode: the deployed API's routes on 127.0.0.1, for curl and any HTTP tool.

use std::net::SocketAddr;

use linklet::{bot::Dispatcher, http::routes};
use secrecy::SecretString;

/// Serves until Ctrl-C.
pub async fn run(dispatcher: Dispatcher, secret: SecretString, port: u16) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    println!("Linklet listens on http://{addr}/telegram (health: http://{addr}/health)");
    println!(
        "Post an update:\n  curl -i -H 'X-Telegram-Bot-Api-Secret-Token: <TELEGRAM_WEBHOOK_SECRET>' \
         -H 'Content-Type: application/json' -d @events/update-start.json http://{addr}/telegram"
    );
    println!("Press Ctrl-C to stop.");
    axum::serve(listener, routes(dispatcher, secret))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
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
