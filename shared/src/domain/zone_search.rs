//! Finding a user's time zone from what they type: a city ("Paris", "New
//! York", "Montréal"), a country with one zone ("France"), an offset ("UTC+2",
//! "GMT-5": the zones that match it now) or an IANA name. Old IANA aliases
//! give their current name (America/Montreal is America/Toronto). A shared
//! location gives its zone from the boundaries bundled in the binary.

use std::sync::OnceLock;

use chrono::{DateTime, Offset as _, Utc};

use super::{Language, TimeZone, text::fold};

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneSearch {
    Found(TimeZone),
    /// Several zones fit (an offset, a country with several): the user picks.
    Choices(Vec<TimeZone>),
    NotFound,
}

/// Old IANA names and their current ones.
const RENAMED: [(&str, &str); 14] = [
    ("America/Montreal", "America/Toronto"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Asia/Katmandu", "Asia/Kathmandu"),
    ("Asia/Rangoon", "Asia/Yangon"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("US/Eastern", "America/New_York"),
    ("US/Central", "America/Chicago"),
    ("US/Mountain", "America/Denver"),
    ("US/Pacific", "America/Los_Angeles"),
    ("Canada/Eastern", "America/Toronto"),
    ("Africa/Asmera", "Africa/Asmara"),
    ("Atlantic/Faeroe", "Atlantic/Faroe"),
    ("GB", "Europe/London"),
];

/// Places people name that are not (or not only) a zone's own city, in
/// English and French, lower case without accents.
const PLACES: [(&str, &str); 51] = [
    ("montreal", "America/Toronto"),
    ("quebec", "America/Toronto"),
    ("ottawa", "America/Toronto"),
    ("bruxelles", "Europe/Brussels"),
    ("belgique", "Europe/Brussels"),
    ("belgium", "Europe/Brussels"),
    ("geneve", "Europe/Zurich"),
    ("geneva", "Europe/Zurich"),
    ("suisse", "Europe/Zurich"),
    ("switzerland", "Europe/Zurich"),
    ("lausanne", "Europe/Zurich"),
    ("france", "Europe/Paris"),
    ("lyon", "Europe/Paris"),
    ("marseille", "Europe/Paris"),
    ("toulouse", "Europe/Paris"),
    ("bordeaux", "Europe/Paris"),
    ("lille", "Europe/Paris"),
    ("nantes", "Europe/Paris"),
    ("strasbourg", "Europe/Paris"),
    ("londres", "Europe/London"),
    ("uk", "Europe/London"),
    ("england", "Europe/London"),
    ("angleterre", "Europe/London"),
    ("manchester", "Europe/London"),
    ("edinburgh", "Europe/London"),
    ("maroc", "Africa/Casablanca"),
    ("morocco", "Africa/Casablanca"),
    ("rabat", "Africa/Casablanca"),
    ("alger", "Africa/Algiers"),
    ("algerie", "Africa/Algiers"),
    ("tunisie", "Africa/Tunis"),
    ("senegal", "Africa/Dakar"),
    ("luxembourg", "Europe/Luxembourg"),
    ("allemagne", "Europe/Berlin"),
    ("germany", "Europe/Berlin"),
    ("espagne", "Europe/Madrid"),
    ("spain", "Europe/Madrid"),
    ("italie", "Europe/Rome"),
    ("italy", "Europe/Rome"),
    ("japan", "Asia/Tokyo"),
    ("japon", "Asia/Tokyo"),
    ("boston", "America/New_York"),
    ("washington", "America/New_York"),
    ("miami", "America/New_York"),
    ("san francisco", "America/Los_Angeles"),
    ("seattle", "America/Los_Angeles"),
    ("dallas", "America/Chicago"),
    ("houston", "America/Chicago"),
    ("india", "Asia/Kolkata"),
    ("delhi", "Asia/Kolkata"),
    ("mumbai", "Asia/Kolkata"),
];

/// Countries with several zones: offered to pick from.
const COUNTRIES: [(&str, &[&str]); 5] = [
    (
        "canada",
        &["America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax"],
    ),
    (
        "usa",
        &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"],
    ),
    (
        "etats unis",
        &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"],
    ),
    (
        "united states",
        &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"],
    ),
    ("australia", &["Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Perth"]),
];

/// The zones an offset is matched against (the ones people live in most),
/// before a fixed `Etc/GMT` zone.
const COMMON: [&str; 40] = [
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Berlin",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Lagos",
    "Africa/Dakar",
    "Europe/Athens",
    "Europe/Kyiv",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Halifax",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
];

/// The zones offered first to a user of `lang`, with their button labels.
pub fn suggested(lang: Language) -> &'static [(&'static str, &'static str)] {
    match lang {
        Language::Fr => &[
            ("Paris", "Europe/Paris"),
            ("Bruxelles", "Europe/Brussels"),
            ("Genève / Zurich", "Europe/Zurich"),
            ("Montréal / Toronto", "America/Toronto"),
            ("Casablanca", "Africa/Casablanca"),
            ("Alger", "Africa/Algiers"),
        ],
        Language::En => &[
            ("London", "Europe/London"),
            ("New York", "America/New_York"),
            ("Chicago", "America/Chicago"),
            ("Los Angeles", "America/Los_Angeles"),
            ("Sydney", "Australia/Sydney"),
            ("India", "Asia/Kolkata"),
        ],
    }
}

/// The current name of a zone typed by its IANA name, old aliases included.
fn current(zone: TimeZone) -> TimeZone {
    RENAMED
        .iter()
        .find(|(old, _)| *old == zone.name())
        .and_then(|(_, new)| TimeZone::parse(new).ok())
        .unwrap_or(zone)
}

fn zones(names: &[&str]) -> Vec<TimeZone> {
    names.iter().filter_map(|name| TimeZone::parse(name).ok()).collect()
}

/// Finds the zone `input` names; offsets are matched as they are at `now`.
pub fn search(input: &str, now: DateTime<Utc>) -> ZoneSearch {
    let input = input.trim();
    if input.is_empty() || input.chars().count() > 64 {
        return ZoneSearch::NotFound;
    }
    if let Some(minutes) = offset_minutes(input) {
        return by_offset(minutes, now);
    }
    if input.contains('/')
        && let Ok(zone) = TimeZone::parse(input)
    {
        return ZoneSearch::Found(current(zone));
    }
    let folded = fold(input);
    if matches!(folded.as_str(), "utc" | "gmt" | "z") {
        return ZoneSearch::Found(TimeZone::UTC);
    }
    if let Some((_, zone)) = PLACES.iter().find(|(place, _)| *place == folded) {
        return TimeZone::parse(zone).map_or(ZoneSearch::NotFound, ZoneSearch::Found);
    }
    if let Some((_, names)) = COUNTRIES.iter().find(|(country, _)| *country == folded) {
        return ZoneSearch::Choices(zones(names));
    }
    // A zone's own city: the last part of its name ("New York" is America/New_York).
    let mut found: Vec<TimeZone> = chrono_tz::TZ_VARIANTS
        .iter()
        // Antarctic stations are named like words ("Troll", "Casey"); nobody lives there.
        .filter(|tz| {
            tz.name().contains('/') && !tz.name().starts_with("Etc/") && !tz.name().starts_with("Antarctica/")
        })
        .filter(|tz| tz.name().rsplit('/').next().is_some_and(|city| fold(city) == folded))
        .filter_map(|tz| TimeZone::parse(tz.name()).ok())
        .map(current)
        .collect();
    found.sort_by_key(|zone| zone.name());
    found.dedup();
    match found.len() {
        0 => TimeZone::parse(input).map_or(ZoneSearch::NotFound, |zone| ZoneSearch::Found(current(zone))),
        1 => ZoneSearch::Found(found[0]),
        _ => ZoneSearch::Choices(found),
    }
}

/// The zone of a point on Earth (a location shared in the chat), read from
/// the time zone boundaries bundled in the binary, offline; `None` for
/// coordinates off the globe. The boundaries are loaded on first use (about
/// 0.1 s and 30 MB, see `linklet-bench zones`), so only a process that is
/// sent a location pays for them.
pub fn at(latitude: f64, longitude: f64) -> Option<TimeZone> {
    static FINDER: OnceLock<tzf_rs::DefaultFinder> = OnceLock::new();
    let on_earth = (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude);
    if !on_earth {
        return None;
    }
    let name = FINDER.get_or_init(tzf_rs::DefaultFinder::new).get_tz_name(longitude, latitude);
    TimeZone::parse(name).ok().map(current)
}

/// "UTC+2", "GMT-5", "+02:00", "utc+5:30", "UTC +1h": minutes east of UTC.
fn offset_minutes(input: &str) -> Option<i32> {
    let folded: String = input.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let rest = folded.strip_prefix("utc").or_else(|| folded.strip_prefix("gmt")).unwrap_or(&folded);
    let (sign, rest) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' | '−' => (-1, &rest[rest.chars().next()?.len_utf8()..]),
        _ => return None,
    };
    let rest = rest.trim_end_matches('h');
    let (hours, minutes) = match rest.split_once([':', 'h']) {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 14 && minutes < 60 && (hours * 60 + minutes) <= 14 * 60)
        .then_some(sign * (hours * 60 + minutes))
}

fn by_offset(minutes: i32, now: DateTime<Utc>) -> ZoneSearch {
    let matching: Vec<TimeZone> = zones(&COMMON)
        .into_iter()
        .filter(|zone| now.with_timezone(&zone.tz()).offset().fix().local_minus_utc() == minutes * 60)
        .take(6)
        .collect();
    if !matching.is_empty() {
        return ZoneSearch::Choices(matching);
    }
    // A whole hour no common zone has now: the fixed zone (Etc signs are reversed).
    if minutes % 60 == 0 {
        let hours = minutes / 60;
        let name = if hours == 0 { "Etc/UTC".to_owned() } else { format!("Etc/GMT{:+}", -hours) };
        if let Ok(zone) = TimeZone::parse(&name) {
            return ZoneSearch::Choices(vec![zone]);
        }
    }
    ZoneSearch::NotFound
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn found(input: &str) -> Option<&'static str> {
        match search(input, Utc::now()) {
            ZoneSearch::Found(zone) => Some(zone.name()),
            _ => None,
        }
    }

    #[test]
    fn a_shared_location_gives_the_zone_it_is_in() {
        let places = [
            ((48.8566, 2.3522), "Europe/Paris"),
            ((45.5019, -73.5674), "America/Toronto"),
            ((46.2044, 6.1432), "Europe/Zurich"),
            ((50.8503, 4.3517), "Europe/Brussels"),
            ((33.5731, -7.5898), "Africa/Casablanca"),
            ((35.6762, 139.6503), "Asia/Tokyo"),
            ((40.7128, -74.0060), "America/New_York"),
            ((-33.8688, 151.2093), "Australia/Sydney"),
            ((50.4501, 30.5234), "Europe/Kyiv"),
            ((51.5074, -0.1278), "Europe/London"),
        ];
        for ((latitude, longitude), zone) in places {
            assert_eq!(at(latitude, longitude).map(TimeZone::name), Some(zone), "{latitude},{longitude}");
        }
        // Mid-Atlantic: the ocean's nautical zone, still a zone.
        assert!(at(30.0, -40.0).is_some_and(|zone| zone.name().starts_with("Etc/")));
        for (latitude, longitude) in [(91.0, 0.0), (0.0, 181.0), (f64::NAN, 0.0), (0.0, f64::INFINITY)] {
            assert_eq!(at(latitude, longitude), None, "{latitude},{longitude}");
        }
    }

    fn choices(input: &str, now: DateTime<Utc>) -> Vec<&'static str> {
        match search(input, now) {
            ZoneSearch::Choices(zones) => zones.into_iter().map(TimeZone::name).collect(),
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn cities_are_found_as_people_write_them() {
        for (input, zone) in [
            ("Paris", "Europe/Paris"),
            ("paris", "Europe/Paris"),
            ("New York", "America/New_York"),
            ("new-york", "America/New_York"),
            ("Tokyo", "Asia/Tokyo"),
            ("Montréal", "America/Toronto"),
            ("montreal", "America/Toronto"),
            ("Bruxelles", "Europe/Brussels"),
            ("Brussels", "Europe/Brussels"),
            ("Genève", "Europe/Zurich"),
            ("Zürich", "Europe/Zurich"),
            ("Casablanca", "Africa/Casablanca"),
            ("London", "Europe/London"),
            ("Londres", "Europe/London"),
            ("Los Angeles", "America/Los_Angeles"),
            ("Lyon", "Europe/Paris"),
            ("France", "Europe/Paris"),
            ("\u{200B}Paris\u{00A0}", "Europe/Paris"),
            ("Kyiv", "Europe/Kyiv"),
            ("utc", "UTC"),
        ] {
            assert_eq!(found(input), Some(zone), "{input}");
        }
    }

    #[test]
    fn iana_names_give_their_current_name() {
        assert_eq!(found("America/Montreal"), Some("America/Toronto"));
        assert_eq!(found("asia/calcutta"), Some("Asia/Kolkata"));
        assert_eq!(found("Europe/Kiev"), Some("Europe/Kyiv"));
        assert_eq!(found("Europe/Paris"), Some("Europe/Paris"));
        assert_eq!(found("America/New York"), Some("America/New_York"));
    }

    #[test]
    fn an_offset_offers_the_zones_that_have_it_now() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 3, 12, 0, 0).unwrap();
        assert!(choices("UTC+1", winter).contains(&"Europe/Paris"));
        assert!(choices("UTC+2", summer).contains(&"Europe/Paris"));
        assert!(!choices("UTC+2", winter).contains(&"Europe/Paris"));
        assert!(choices("GMT-5", winter).contains(&"America/New_York"));
        assert!(choices("gmt -5", winter).contains(&"America/Toronto"));
        assert_eq!(choices("UTC+5:30", winter), ["Asia/Kolkata"]);
        assert_eq!(choices("+05:30", winter), ["Asia/Kolkata"]);
        assert!(choices("UTC+0", winter).contains(&"Europe/London"));
        assert_eq!(choices("UTC-11", winter), ["Etc/GMT+11"], "a fixed zone when no common one fits");
        assert!(choices("UTC+2", winter).len() <= 6);
    }

    #[test]
    fn a_country_with_several_zones_offers_them() {
        let now = Utc::now();
        assert!(choices("Canada", now).contains(&"America/Toronto"));
        assert!(choices("États-Unis", now).contains(&"America/Chicago"));
    }

    #[test]
    fn what_is_not_a_place_is_not_found() {
        for input in [
            "",
            "buy milk",
            "nice",
            "troll",
            "hello",
            "ok",
            "UTC+99",
            "Mars/Olympus_Mons",
            "+",
            &"x".repeat(200),
            "tomorrow 9am",
        ] {
            assert_eq!(search(input, Utc::now()), ZoneSearch::NotFound, "{input}");
        }
    }

    #[test]
    fn every_suggested_and_listed_zone_exists_under_its_current_name() {
        for lang in Language::ALL {
            for (_, zone) in suggested(lang) {
                assert_eq!(TimeZone::parse(zone).map(|z| current(z).name()), Ok(*zone));
            }
        }
        for zone in COMMON.iter().chain(PLACES.iter().map(|(_, z)| z)).chain(RENAMED.iter().map(|(_, z)| z)) {
            assert!(TimeZone::parse(zone).is_ok(), "{zone}");
        }
    }
}
