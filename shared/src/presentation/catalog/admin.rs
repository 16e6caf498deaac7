//! The admins' texts, in English and French.

use chrono::{DateTime, Utc};

use super::{Msg, escape};
use crate::domain::{Language, TelegramId, Tier, TimeZone, User, audit::AuditEntry, job::Stats};

#[derive(Debug, Clone)]
pub enum AdminMsg<'a> {
    Help,
    /// `/admin stats` was queued: the figures follow.
    StatsCounting,
    Stats(&'a Stats),
    UserCard {
        user: &'a User,
        pending_tasks: usize,
    },
    NoSuchUser {
        query: &'a str,
    },
    Banned(TelegramId),
    Unbanned(TelegramId),
    TierSet {
        id: TelegramId,
        tier: Tier,
    },
    NotAnAdminTarget,
    Audit(&'a [AuditEntry]),
    /// The preview an admin confirms; `text` is shown after a blank line.
    BroadcastPreview {
        text: &'a str,
    },
    BroadcastStarted,
    BroadcastCancelled,
    BroadcastProgress {
        sent: u64,
        blocked: u64,
        failed: u64,
        done: bool,
    },
    ButtonSendAll,
    ButtonCancel,
}

/// The first line of a broadcast preview; the text follows after a blank line.
pub const PREVIEW_SEPARATOR: &str = "\n\n";

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl AdminMsg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (AdminMsg::Help, En) => "<b>Admin</b>\n/admin stats — users, activity, tasks, jobs\n\
                 /admin user &lt;id|@username&gt; — one user\n/admin ban &lt;id|@username&gt; · /admin unban …\n\
                 /admin tier &lt;id|@username&gt; &lt;free|pro&gt;\n/admin broadcast &lt;text&gt; — to every active user\n\
                 /admin audit — the latest admin actions"
                .to_owned(),
            (AdminMsg::Help, Fr) => "<b>Admin</b>\n/admin stats — utilisateurs, activité, tâches, jobs\n\
                 /admin user &lt;id|@pseudo&gt; — un utilisateur\n/admin ban &lt;id|@pseudo&gt; · /admin unban …\n\
                 /admin tier &lt;id|@pseudo&gt; &lt;free|pro&gt;\n/admin broadcast &lt;texte&gt; — à tous les utilisateurs actifs\n\
                 /admin audit — les dernières actions d'admin"
                .to_owned(),
            (AdminMsg::StatsCounting, En) => "📊 Counting every user; the figures follow here in a moment.".to_owned(),
            (AdminMsg::StatsCounting, Fr) => {
                "📊 Je compte tous les utilisateurs ; les chiffres suivent ici dans un instant.".to_owned()
            }
            (AdminMsg::Stats(s), _) => {
                let u = &s.users;
                let jobs = match (s.jobs, lang) {
                    (Some(j), En) => format!("{} waiting, {} failed", j.waiting, j.failed),
                    (Some(j), Fr) => format!("{} en attente, {} en échec", j.waiting, j.failed),
                    (None, En) => "unknown (queues unreadable)".to_owned(),
                    (None, Fr) => "inconnu (files illisibles)".to_owned(),
                };
                let [users, active, tiers, hidden, tasks, jobs_label] = match lang {
                    En => ["Users", "Active", "Tiers", "Banned / blocked the bot", "Pending tasks", "Jobs"],
                    Fr => ["Utilisateurs", "Actifs", "Formules", "Bannis / ont bloqué le bot", "Tâches en cours", "Jobs"],
                };
                let days = match lang {
                    En => ("24 h", "7 days"),
                    Fr => ("24 h", "7 jours"),
                };
                format!(
                    "📊 <b>{users}</b>: {}\n{active}: {} ({}) · {} ({})\n{tiers}: free {} · pro {}\n{hidden}: {} / {}\n{tasks}: {}\n{jobs_label}: {jobs}",
                    u.total, u.active_24h, days.0, u.active_7d, days.1, u.free, u.pro, u.banned, u.blocked, u.pending_tasks
                )
            }
            (AdminMsg::UserCard { user, pending_tasks }, _) => {
                let name = escape(&user.first_name);
                let handle = user.username.as_deref().map(|u| format!(" @{}", escape(u))).unwrap_or_default();
                let status = match (user.banned_at, user.blocked_at, lang) {
                    (Some(at), _, En) => format!("banned since {}", time(at)),
                    (Some(at), _, Fr) => format!("banni depuis le {}", time(at)),
                    (None, Some(at), En) => format!("blocked the bot on {}", time(at)),
                    (None, Some(at), Fr) => format!("a bloqué le bot le {}", time(at)),
                    (None, None, En) => "active".to_owned(),
                    (None, None, Fr) => "actif".to_owned(),
                };
                let tz = user.timezone.unwrap_or(TimeZone::UTC);
                let (joined, seen, tasks) = match lang {
                    En => ("joined", "last seen", "pending tasks"),
                    Fr => ("inscrit le", "vu le", "tâches en cours"),
                };
                format!(
                    "👤 <b>{name}</b>{handle} (<code>{}</code>)\n{}: {} · {} · {tz}\n{joined} {} · {seen} {}\n{tasks}: {pending_tasks} · {status}",
                    user.id.0,
                    Msg::TierName(user.tier).render(lang),
                    user.tier.code(),
                    user.lang().code(),
                    time(user.created_at),
                    time(user.updated_at),
                )
            }
            (AdminMsg::NoSuchUser { query }, En) => format!("No user {}.", escape(query)),
            (AdminMsg::NoSuchUser { query }, Fr) => format!("Aucun utilisateur {}.", escape(query)),
            (AdminMsg::Banned(id), En) => format!("🚫 User <code>{}</code> is banned: the bot ignores them.", id.0),
            (AdminMsg::Banned(id), Fr) => format!("🚫 L'utilisateur <code>{}</code> est banni : le bot l'ignore.", id.0),
            (AdminMsg::Unbanned(id), En) => format!("✅ User <code>{}</code> is no longer banned.", id.0),
            (AdminMsg::Unbanned(id), Fr) => format!("✅ L'utilisateur <code>{}</code> n'est plus banni.", id.0),
            (AdminMsg::TierSet { id, tier }, En) => format!("User <code>{}</code> is now on {}.", id.0, tier.code()),
            (AdminMsg::TierSet { id, tier }, Fr) => {
                format!("L'utilisateur <code>{}</code> est maintenant en {}.", id.0, tier.code())
            }
            (AdminMsg::BroadcastPreview { text }, En) => {
                format!("📣 Send this to every active user?{PREVIEW_SEPARATOR}{}", escape(text))
            }
            (AdminMsg::BroadcastPreview { text }, Fr) => {
                format!("📣 Envoyer ceci à tous les utilisateurs actifs ?{PREVIEW_SEPARATOR}{}", escape(text))
            }
            (AdminMsg::BroadcastStarted, En) => "📣 Broadcast started; progress follows here.".to_owned(),
            (AdminMsg::BroadcastStarted, Fr) => "📣 Diffusion lancée ; la progression suit ici.".to_owned(),
            (AdminMsg::BroadcastCancelled, En) => "Broadcast cancelled; nothing was sent.".to_owned(),
            (AdminMsg::BroadcastCancelled, Fr) => "Diffusion annulée ; rien n'a été envoyé.".to_owned(),
            (AdminMsg::BroadcastProgress { sent, blocked, failed, done }, En) => format!(
                "📣 Broadcast {}: {sent} sent, {blocked} blocked the bot, {failed} failed.",
                if *done { "finished" } else { "in progress" }
            ),
            (AdminMsg::BroadcastProgress { sent, blocked, failed, done }, Fr) => format!(
                "📣 Diffusion {} : {sent} envoyés, {blocked} ont bloqué le bot, {failed} en échec.",
                if *done { "terminée" } else { "en cours" }
            ),
            (AdminMsg::ButtonSendAll, En) => "✅ Send to everyone".to_owned(),
            (AdminMsg::ButtonSendAll, Fr) => "✅ Envoyer à tous".to_owned(),
            (AdminMsg::ButtonCancel, En) => "✖ Cancel".to_owned(),
            (AdminMsg::ButtonCancel, Fr) => "✖ Annuler".to_owned(),
            (AdminMsg::NotAnAdminTarget, En) => "Admins cannot be banned.".to_owned(),
            (AdminMsg::NotAnAdminTarget, Fr) => "Un admin ne peut pas être banni.".to_owned(),
            (AdminMsg::Audit(entries), _) => {
                let title = match lang {
                    En => "🗒 <b>Latest admin actions</b>",
                    Fr => "🗒 <b>Dernières actions d'admin</b>",
                };
                let lines: Vec<String> = entries
                    .iter()
                    .map(|e| {
                        let target = e.target.map(|t| format!(" → <code>{}</code>", t.0)).unwrap_or_default();
                        let detail = if e.detail.is_empty() { String::new() } else { format!(" ({})", escape(&e.detail)) };
                        format!("{} · <code>{}</code> {}{target}{detail}", time(e.at), e.admin.0, escape(&e.action))
                    })
                    .collect();
                if lines.is_empty() {
                    format!("{title}\n—")
                } else {
                    format!("{title}\n{}", lines.join("\n"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presentation::telegram_html::check;

    #[test]
    fn admin_texts_are_valid_html_in_both_languages() {
        let stats =
            Stats { users: crate::domain::job::UserCounts { total: 3, ..Default::default() }, jobs: None };
        let user = User {
            id: TelegramId(7),
            username: Some("a<b>".into()),
            first_name: "Ada & co".into(),
            language_code: None,
            language: None,
            timezone: None,
            tier: Tier::Pro,
            awaiting: None,
            blocked_at: None,
            banned_at: Some(Utc::now()),
            workflow_triggers: Vec::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let entries = [AuditEntry {
            at: Utc::now(),
            admin: TelegramId(1),
            action: "tier".into(),
            target: Some(TelegramId(7)),
            detail: "pro <x>".into(),
        }];
        for msg in [
            AdminMsg::Help,
            AdminMsg::StatsCounting,
            AdminMsg::Stats(&stats),
            AdminMsg::UserCard { user: &user, pending_tasks: 2 },
            AdminMsg::NoSuchUser { query: "@<x>" },
            AdminMsg::Banned(TelegramId(7)),
            AdminMsg::Audit(&entries),
        ] {
            for lang in Language::ALL {
                let text = msg.render(lang);
                check(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            }
        }
    }
}
