//! Mail: what the site sends, made as plain text and HTML in the site's
//! voice, and the signed links in it. Mails are written to the outbox by the
//! events that cause them (`db::mail`) and delivered by [`sender`].

pub mod sender;

use askama::Template;

use crate::web::forms::{sign, verify};

/// The site's name, as mails sign off.
pub const SITE_NAME: &str = "Cuesheet";

/// A reset link works this long.
pub const RESET_SECONDS: i64 = 3600;

/// A mail before it is put into MIME: the same words in text and HTML.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub subject: String,
    /// Paragraphs before the quote.
    pub intro: Vec<String>,
    /// A comment quoted: its text and its sanitised HTML.
    pub quote: Option<(String, String)>,
    /// Links offered, `(label, absolute URL)`.
    pub actions: Vec<(String, String)>,
    /// Paragraphs after the links.
    pub outro: Vec<String>,
    /// The one-click unsubscribe address, for the footer and the
    /// `List-Unsubscribe` header.
    pub unsubscribe: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct HtmlMail<'a> {
    mail: &'a Mail,
    site: &'a str,
}

impl Mail {
    /// The plain text part.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.intro {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((text, _)) = &self.quote {
            for line in text.lines() {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        for (label, url) in &self.actions {
            out.push_str(&format!("{label}:\n{url}\n\n"));
        }
        for p in &self.outro {
            out.push_str(p);
            out.push_str("\n\n");
        }
        out.push_str(&format!("-- \n{SITE_NAME}\n"));
        if let Some(url) = &self.unsubscribe {
            out.push_str(&format!("No more mail about replies: {url}\n"));
        }
        out
    }

    /// The HTML part.
    pub fn html(&self) -> Result<String, askama::Error> {
        HtmlMail { mail: self, site: SITE_NAME }.render()
    }
}

/// Purposes of the signed links, so one cannot stand for another.
const CONFIRM: &str = "mail-confirm";
const UNSUBSCRIBE: &str = "mail-unsubscribe";

fn link(base: &str, path: &str, secret: &[u8], purpose: &str, email: &str) -> String {
    let email = email.trim().to_lowercase();
    let sig = sign(secret, purpose, &email);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", &email)
        .append_pair("sig", &sig)
        .finish();
    format!("{base}{path}?{query}")
}

/// The link that confirms an opt-in.
pub fn confirm_link(base: &str, secret: &[u8], email: &str) -> String {
    link(base, "/mail/confirm", secret, CONFIRM, email)
}

/// The one-click unsubscribe link.
pub fn unsubscribe_link(base: &str, secret: &[u8], email: &str) -> String {
    link(base, "/mail/unsubscribe", secret, UNSUBSCRIBE, email)
}

/// Whether a confirm link's signature is the site's.
pub fn confirm_ok(secret: &[u8], email: &str, sig: &str) -> bool {
    verify(secret, CONFIRM, &email.trim().to_lowercase(), sig)
}

/// Whether an unsubscribe link's signature is the site's.
pub fn unsubscribe_ok(secret: &[u8], email: &str, sig: &str) -> bool {
    verify(secret, UNSUBSCRIBE, &email.trim().to_lowercase(), sig)
}

/// The opt-in confirmation.
pub fn confirm(base: &str, secret: &[u8], email: &str) -> Mail {
    Mail {
        subject: format!("Confirm replies by email from {SITE_NAME}"),
        intro: vec![
            "Hello,".into(),
            format!(
                "You asked {SITE_NAME} to email you when someone replies to your comment. Before we send anything, \
                 please confirm that this address is yours."
            ),
        ],
        actions: vec![("Yes, email me about replies".into(), confirm_link(base, secret, email))],
        outro: vec!["If it wasn’t you, ignore this mail: without a click we send nothing more.".into()],
        ..Mail::default()
    }
}

/// A reply notification.
pub fn reply(base: &str, secret: &[u8], r: &crate::db::mail::ReplyMail) -> Mail {
    let url = format!("{base}/articles/{}#comment-{}", r.article_slug, r.id);
    Mail {
        subject: format!("{} replied to you on “{}”", r.author, r.article_title),
        intro: vec![
            format!("Hello {},", r.parent_author),
            format!("{} replied to your comment on “{}”:", r.author, r.article_title),
        ],
        quote: Some((r.body.clone(), r.body_html.clone())),
        actions: vec![("Read it and answer".into(), url)],
        outro: vec!["You get this because you asked to hear about replies.".into()],
        unsubscribe: Some(unsubscribe_link(base, secret, &r.parent_email)),
    }
}

/// Moderators' digest of held comments.
pub fn digest(base: &str, held: &[crate::db::mail::Held], more: i64) -> Mail {
    let n = held.len() as i64 + more;
    let mut intro = vec![
        "Hello,".into(),
        if n == 1 {
            "One comment is waiting for moderation.".to_string()
        } else {
            format!("{n} comments are waiting for moderation.")
        },
    ];
    let mut actions = Vec::new();
    for h in held {
        let why = h.reason.as_deref().map(|r| format!(" (held: {r})")).unwrap_or_default();
        let excerpt: String = h.body.chars().take(200).collect();
        intro.push(format!("{} on “{}”{why}: {excerpt}", h.author, h.article_title));
        let at = format!("{base}/editor/comments?status=pending#mod-{}", h.id);
        actions.push((format!("Approve or mark as spam: {} on “{}”", h.author, h.article_title), at));
    }
    if more > 0 {
        intro.push(format!("And {more} more."));
    }
    Mail {
        subject: format!("{SITE_NAME}: {n} comment{} waiting for you", if n == 1 { "" } else { "s" }),
        intro,
        actions,
        outro: vec!["The links lead to the desk, where you log in as usual.".into()],
        ..Mail::default()
    }
}

/// A password reset link.
pub fn reset(base: &str, name: &str, token: &str) -> Mail {
    Mail {
        subject: format!("Your {SITE_NAME} password reset link"),
        intro: vec![
            format!("Hello {name},"),
            "Someone asked for a new password for your account on the editor desk. The link below works once, \
             within the next hour."
                .into(),
        ],
        actions: vec![("Choose a new password".into(), format!("{base}/editor/reset?token={token}"))],
        outro: vec!["If it wasn’t you, ignore this mail: your password stays as it is.".into()],
        ..Mail::default()
    }
}
