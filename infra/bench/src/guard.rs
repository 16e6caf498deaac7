//! What the guard rails cost per update: the rate-limit count (one conditional
//! write, sent together with the user upsert) on moto and on the embedded
//! store, and the vault's sealing and opening of a credential.

use std::{sync::Arc, time::Instant};

use chrono::{Duration, Utc};
use linklet::{
    adapters::{aws, dynamo::DynamoStore, embedded::EmbeddedStore},
    domain::{SeenUser, TelegramId, rate_limit::RateLimit},
    ports::{RateCount, RateCounter, Store},
    vault::{Credential, KeyRing},
};

use crate::{Stats, stats};

pub async fn run(updates: u32) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("linklet-guard-bench-{}", std::process::id()));
    let embedded: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir)?);
    rate_limit("embedded store", &embedded, updates).await?;
    if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
        let sdk = aws::local_sdk_config(&endpoint).await;
        let table = format!("linklet-guard-bench-{}", std::process::id());
        linklet::adapters::dynamo::migrations::apply(&aws::dynamodb(&sdk), &table).await?;
        let dynamo: Arc<dyn Store> = Arc::new(DynamoStore::new(aws::dynamodb(&sdk), table));
        rate_limit("DynamoDB (moto)", &dynamo, updates).await?;
    }
    vault(100_000);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Per update: the upsert alone, the count alone, both sent together (as
/// before issue 9), and `see`, the one conditional write the router makes now.
async fn rate_limit(name: &str, store: &Arc<dyn Store>, updates: u32) -> anyhow::Result<()> {
    let limit = RateLimit::default();
    let (mut upsert, mut count, mut together, mut seen_once) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..updates {
        let seen = SeenUser {
            id: TelegramId(7_000_000 + i64::from(i % 50)),
            username: None,
            first_name: "Bench".into(),
            language_code: None,
        };
        let now = Utc::now();
        let window = limit.window(now);
        let forget = window.ends_at + Duration::hours(1);
        let ms = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;

        let started = Instant::now();
        store.upsert_seen(&seen, now).await?;
        upsert.push(ms(started));
        let started = Instant::now();
        store.take_quota(seen.id, "bench-rate", &window.name, u32::MAX, forget).await?;
        count.push(ms(started));
        let started = Instant::now();
        let (user, counted) = tokio::join!(
            store.upsert_seen(&seen, now),
            store.take_quota(seen.id, "bench-rate-2", &window.name, u32::MAX, forget)
        );
        user?;
        counted?;
        together.push(ms(started));
        let started = Instant::now();
        store
            .see(
                &seen,
                now,
                &RateCount { counter: RateCounter::Messages, window: &window.name, limit: u32::MAX },
            )
            .await?;
        seen_once.push(ms(started));
    }
    let s = stats(seen_once);
    println!(
        "rate limit on the {name}, {updates} updates: see (user and count in one write) p50={:.3} ms p90={:.3} ms",
        s.p50, s.p90
    );
    let (u, c, t): (Stats, Stats, Stats) = (stats(upsert), stats(count), stats(together));
    println!(
        "rate limit on the {name}, {updates} updates: upsert alone p50={:.3} ms p90={:.3} ms; count alone p50={:.3} ms p90={:.3} ms; \
         both together p50={:.3} ms p90={:.3} ms (added by the limit p50={:.3} ms)",
        u.p50,
        u.p90,
        c.p50,
        c.p90,
        t.p50,
        t.p90,
        t.p50 - u.p50
    );
    Ok(())
}

fn vault(operations: u32) {
    let keys = KeyRing::parse(&KeyRing::generate_setting("k1")).unwrap_or_else(|e| panic!("{e}"));
    let credential = Credential::new("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB");
    let started = Instant::now();
    let mut sealed = Vec::with_capacity(operations as usize);
    for i in 0..operations {
        sealed.push(keys.seal(TelegramId(i64::from(i)), "github", &credential).unwrap_or_default());
    }
    let seal = started.elapsed();
    let started = Instant::now();
    let mut opened = 0;
    for (i, text) in sealed.iter().enumerate() {
        opened += usize::from(keys.open(TelegramId(i as i64), "github", text).is_ok());
    }
    let open = started.elapsed();
    println!(
        "vault, {operations} credentials: seal {:.2} µs each, open {:.2} µs each ({opened} opened)",
        seal.as_secs_f64() * 1e6 / f64::from(operations),
        open.as_secs_f64() * 1e6 / f64::from(operations),
    );
}
