//! What a shared location costs: loading the bundled time zone boundaries on
//! first use (time and resident memory added), then one lookup per location.

use std::time::Instant;

use linklet::domain::zone_search;

use crate::stats;

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).unwrap_or(0)
}

pub fn run(lookups: u32) {
    let before = resident_kib();
    let started = Instant::now();
    let paris = zone_search::at(48.8566, 2.3522);
    let first = started.elapsed().as_secs_f64() * 1000.0;
    let after = resident_kib();
    println!(
        "zones: first lookup (loads the boundaries) {first:.1} ms -> {}, resident memory +{:.1} MiB",
        paris.map_or("none", |zone| zone.name()),
        (after.saturating_sub(before)) as f64 / 1024.0
    );
    // Points spread over the globe, land and sea, in a fixed order (a golden-ratio walk).
    let mut samples = Vec::with_capacity(lookups as usize);
    let mut found = 0;
    for i in 0..lookups {
        let t = f64::from(i) / f64::from(lookups.max(1));
        let latitude = (t * 2.0 - 1.0).asin().to_degrees().clamp(-89.0, 89.0);
        let longitude = ((f64::from(i) * 0.618_033_988_75).fract() * 360.0) - 180.0;
        let started = Instant::now();
        found += usize::from(zone_search::at(latitude, longitude).is_some());
        samples.push(started.elapsed().as_secs_f64() * 1_000_000.0);
    }
    let s = stats(samples);
    println!(
        "zones: {lookups} lookups over the globe ({found} zones): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        s.p50, s.p99, s.max
    );
}
