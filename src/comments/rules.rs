//! The moderation rules: which status a new comment gets, and why.

use super::Status;
use crate::blocklist::{self, Severity};

/// The facts the rules look at.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub author: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub body: &'a str,
    pub ip: &'a str,
    /// Links in the rendered body.
    pub links: usize,
    /// The hidden field people never see was filled: a bot.
    pub honeypot: bool,
    /// The form came back sooner than a person types, or without a genuine
    /// time stamp: a bot, or a person pasting a prepared text.
    pub too_fast: bool,
    /// Hold everyone whose email has no approved comment yet.
    pub hold_first_comment: bool,
    pub known_commenter: bool,
}

/// A comment holding this many links is held.
pub const HOLD_LINKS: usize = 2;

/// The status a new comment gets, and the reason moderators see.
/// Only certainty sends a comment to spam (the honeypot, a spam token);
/// a heuristic that a person can trip holds it for a moderator instead.
pub fn decide(f: &Facts<'_>) -> (Status, Option<&'static str>) {
    if f.honeypot {
        return (Status::Spam, Some("filled the hidden field"));
    }
    match blocklist::worst([f.author, f.email, f.url, f.body, f.ip]) {
        Some(Severity::Spam) => return (Status::Spam, Some("spam token from the blocklist")),
        Some(Severity::Hold) => return (Status::Pending, Some("phrase from the blocklist")),
        None => {}
    }
    if f.too_fast {
        return (Status::Pending, Some("sent within seconds of loading the page (a bot, or a pasted text)"));
    }
    if f.links >= HOLD_LINKS {
        return (Status::Pending, Some("two or more links"));
    }
    if f.hold_first_comment && !f.known_commenter {
        return (Status::Pending, Some("first comment from this email"));
    }
    (Status::Approved, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spam_beats_hold_beats_approve() {
        let base = Facts { author: "Ana", email: "ana@example.com", body: "Lovely score", ..Default::default() };
        assert_eq!(decide(&base).0, Status::Approved);
        assert_eq!(decide(&Facts { links: 2, ..base.clone() }).0, Status::Pending);
        assert_eq!(decide(&Facts { body: "watch free on LK21", links: 2, ..base.clone() }).0, Status::Spam);
        assert_eq!(decide(&Facts { url: "https://lk21.example", ..base.clone() }).0, Status::Spam);
        assert_eq!(decide(&Facts { hold_first_comment: true, ..base.clone() }).0, Status::Pending);
        assert_eq!(
            decide(&Facts { hold_first_comment: true, known_commenter: true, ..base.clone() }).0,
            Status::Approved
        );
        assert_eq!(decide(&Facts { honeypot: true, ..base.clone() }).0, Status::Spam);
        // Too fast may be a person pasting: held with its reason, not spam.
        let fast = decide(&Facts { too_fast: true, ..base.clone() });
        assert_eq!(fast.0, Status::Pending);
        assert!(fast.1.unwrap_or_default().contains("seconds"));
        assert_eq!(decide(&Facts { too_fast: true, body: "on lk21", ..base }).0, Status::Spam);
    }
}
