//! The background sender: on every node, one task claims the next mail due
//! in the outbox (see `db::mail` for how nodes never take the same one),
//! makes it from what the database holds now, sends it over SMTP (lettre)
//! and marks it sent. A failure puts it back with a growing delay (2 s, 4 s,
//! 8 s ... at most 15 minutes) until [`MAX_ATTEMPTS`]; a permanent refusal
//! (5xx) gives up at once. Rate limits per address and for the whole site
//! only postpone a mail, never drop it.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db;
use crate::db::mail::{Kind, Outgoing};
use crate::web::AppState;

/// Attempts before a mail is given up on (about a day and a half of retries).
pub const MAX_ATTEMPTS: i64 = 20;
/// The longest wait between two attempts.
const MAX_BACKOFF: i64 = 15 * 60;
/// How often an idle sender looks for mail that is due.
const POLL: Duration = Duration::from_millis(500);
/// A send that takes longer than this failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Held comments a digest lists by name.
const DIGEST_LIST: i64 = 20;

/// The SMTP transport for `url`: `smtp://` tries STARTTLS when the server
/// offers it (unless the URL says `tls=...`), `smtps://` is TLS throughout.
pub fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let mut url = url.to_owned();
    if url.starts_with("smtp://") && !url.contains("tls=") {
        url.push_str(if url.contains('?') { "&tls=opportunistic" } else { "?tls=opportunistic" });
    }
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)?.timeout(Some(SEND_TIMEOUT)).build())
}

/// The sender address: the setting, or `noreply@` the base URL's host.
pub fn from_address(state: &AppState) -> Result<Mailbox, String> {
    let text = match &state.config.mail.mail_from {
        Some(from) => from.clone(),
        None => {
            let host = url::Url::parse(state.base()).ok().and_then(|u| u.host_str().map(str::to_owned));
            format!("{} <noreply@{}>", super::SITE_NAME, host.unwrap_or_else(|| "localhost".into()))
        }
    };
    text.parse().map_err(|e| format!("the sender `{text}` is not a mailbox: {e}"))
}

/// Runs for as long as the server does.
pub async fn run(state: AppState) {
    let Some(url) = state.config.mail.smtp_url.clone() else { return };
    let (transport, from) = match (transport(&url), from_address(&state)) {
        (Ok(t), Ok(f)) => (t, f),
        (Err(e), _) => {
            tracing::error!(error = %e, "the SMTP URL cannot be used; no mail is sent");
            return;
        }
        (_, Err(e)) => {
            tracing::error!("{e}; no mail is sent");
            return;
        }
    };
    loop {
        match next(&state, &transport, &from).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::warn!(error = %e, "the mail sender cannot reach the database");
                tokio::time::sleep(POLL * 4).await;
            }
        }
    }
}

/// Handles the next mail due, if any; `false` when none was.
async fn next(state: &AppState, transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox) -> db::Result<bool> {
    let db = &state.db;
    let now = db::now();
    let Some(row) = db::mail::claim(db, now).await? else { return Ok(false) };
    let limits = &state.config.mail;
    if db::mail::sent_since(db, now - 60).await? >= limits.mail_per_minute {
        db::mail::defer(db, row.id, now + 5).await?;
        // Nothing else may go either: wait, rather than claim the next.
        tokio::time::sleep(POLL * 4).await;
        return Ok(true);
    }
    if db::mail::sent_to_since(db, &row.recipient, now - 3600).await? >= limits.mail_per_address_hour {
        tracing::info!(mail = row.id, "mail postponed: its address had its hourly share");
        db::mail::defer(db, row.id, now + 300).await?;
        return Ok(true);
    }
    // The newest held comment a digest names (a digest only).
    let mut listed = 0;
    let Some(message) = make(state, &row, from, &mut listed).await? else {
        db::mail::mark_failed(db, row.id, now, "nothing to send any more").await?;
        return Ok(true);
    };
    let message = match message {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(mail = row.id, error = %e, "a mail could not be made");
            db::mail::mark_failed(db, row.id, now, &e).await?;
            return Ok(true);
        }
    };
    let sent = tokio::time::timeout(SEND_TIMEOUT + Duration::from_secs(5), transport.send(message)).await;
    let now = db::now();
    match sent {
        Ok(Ok(_)) if row.kind == Kind::Digest => {
            let interval = state.config.mail.digest_minutes.max(0) * 60;
            db::mail::digest_sent(db, row.id, &row.recipient, listed, now, interval).await?;
            tracing::info!(mail = row.id, kind = row.kind.as_str(), "mail sent");
        }
        Ok(Ok(_)) => {
            db::mail::mark_sent(db, row.id, now).await?;
            tracing::info!(mail = row.id, kind = row.kind.as_str(), "mail sent");
        }
        Ok(Err(e)) if e.is_permanent() => {
            tracing::warn!(mail = row.id, error = %e, "mail refused for good");
            db::mail::mark_failed(db, row.id, now, &e.to_string()).await?;
        }
        failed => {
            let error = match failed {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".to_owned(),
            };
            if row.attempts + 1 >= MAX_ATTEMPTS {
                tracing::warn!(mail = row.id, error, "mail given up on after {MAX_ATTEMPTS} attempts");
                db::mail::mark_failed(db, row.id, now, &error).await?;
            } else {
                let wait = backoff(row.attempts);
                tracing::warn!(mail = row.id, error, wait, "mail not sent; trying again later");
                db::mail::retry(db, row.id, now + wait, &error).await?;
            }
        }
    }
    Ok(true)
}

/// Seconds before attempt `attempts + 1`.
pub fn backoff(attempts: i64) -> i64 {
    2i64.saturating_pow(u32::try_from(attempts.clamp(0, 20)).unwrap_or(20) + 1).min(MAX_BACKOFF)
}

/// The message for a claimed row, made from what the database holds now:
/// `None` when there is nothing to say any more (the reply was taken down,
/// the address unsubscribed, no comment waits), `Some(Err)` when it cannot
/// be made (a bad address).
async fn make(
    state: &AppState,
    row: &Outgoing,
    from: &Mailbox,
    listed: &mut i64,
) -> db::Result<Option<Result<Message, String>>> {
    let (base, secret) = (state.base(), &state.secret[..]);
    let mail = match row.kind {
        Kind::Confirm => Some(super::confirm(base, secret, &row.recipient)),
        Kind::Reply => match row.comment_id {
            Some(id) => match db::mail::reply_mail(&state.db, id).await? {
                Some(r) if r.status == "approved" && db::mail::subscribed(&state.db, &r.parent_email).await? => {
                    Some(super::reply(base, secret, &r))
                }
                _ => None,
            },
            None => None,
        },
        Kind::Digest => {
            if !db::mail::is_moderator(&state.db, &row.recipient).await? {
                None
            } else {
                let held = db::mail::held(&state.db, DIGEST_LIST).await?;
                let total = db::mail::held_count(&state.db).await?;
                let more = total - held.len() as i64;
                *listed = held.iter().map(|h| h.id).max().unwrap_or_default();
                (!held.is_empty()).then(|| super::digest(base, &held, more))
            }
        }
        Kind::Reset => {
            return Ok(match (&row.subject, &row.body_text, &row.body_html) {
                (Some(s), Some(t), Some(h)) => Some(message(row, from, s, t.clone(), h.clone(), None)),
                _ => None,
            });
        }
    };
    let Some(mail) = mail else { return Ok(None) };
    let html = match mail.html() {
        Ok(h) => h,
        Err(e) => return Ok(Some(Err(e.to_string()))),
    };
    Ok(Some(message(row, from, &mail.subject, mail.text(), html, mail.unsubscribe.as_deref())))
}

/// Puts a mail into MIME: text and HTML alternatives, and for a mail one
/// can unsubscribe from, `List-Unsubscribe` with one-click
/// `List-Unsubscribe-Post` (RFC 8058). The Message-ID is the outbox row's,
/// so a mail sent again after a crash mid-send is recognisably the same.
fn message(
    row: &Outgoing,
    from: &Mailbox,
    subject: &str,
    text: String,
    html: String,
    unsubscribe: Option<&str>,
) -> Result<Message, String> {
    let to: Mailbox = row.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let domain = from.email.domain().to_owned();
    let mut builder = Message::builder().from(from.clone()).to(to).subject(subject).message_id(Some(format!(
        "<outbox-{}-{}@{domain}>",
        row.id,
        row.kind.as_str()
    )));
    if let Some(url) = unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder.multipart(MultiPart::alternative_plain_html(text, html)).map_err(|e| e.to_string())
}
