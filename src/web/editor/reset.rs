//! Forgotten passwords: `/editor/forgot` mails a reset link to an account's
//! address, `/editor/reset?token=...` sets a new password with it. A link
//! works once, for an hour; only its token's hash is stored. The answer to
//! "forgot" is the same whether or not the address has an account. Admins
//! can send an account its link from the people page.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::comments::{random_token, sha256_hex};
use crate::db::{self, editors::Editor};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Meta, html_response};

#[derive(Template)]
#[template(path = "editor/forgot.html")]
struct ForgotPage {
    meta: Meta,
    csrf: String,
    email: String,
    /// Mail is on: the form is offered.
    mail: bool,
    /// The form was sent.
    sent: bool,
}

pub async fn form(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse> {
    let (csrf, cookie) = forms::csrf_for(&req, &state.secret)?;
    let page = ForgotPage {
        meta: Meta::new("Forgot your password", "Editor desk"),
        csrf,
        email: String::new(),
        mail: state.db.mail_on(),
        sent: false,
    };
    html_response(StatusCode::OK, &page, cookie)
}

/// Writes a reset link for `editor` and its mail, in one transaction;
/// `false` when the account had its hourly share of links already.
pub async fn send_link(state: &AppState, editor: &Editor) -> Result<bool> {
    let token = random_token().map_err(|e| Error::Internal(e.to_string()))?;
    let mail = crate::mail::reset(state.base(), &editor.name, &token);
    let html = mail.html()?;
    let text = mail.text();
    let now = db::now();
    let made = (mail.subject.as_str(), text.as_str(), html.as_str());
    let hash = sha256_hex(&[&token]);
    Ok(db::mail::new_reset(&state.db, editor.id, &editor.email, &hash, made, now, crate::mail::RESET_SECONDS).await?)
}

pub async fn forgot(req: HttpRequest, state: Data<AppState>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let email = posted.take("email").trim().to_lowercase();
    let mail = state.db.mail_on();
    if mail && let Some(editor) = db::editors::by_email(&state.db, &email).await?.filter(|e| e.disabled_at.is_none()) {
        // The same answer either way: whether an address has an account is
        // not for anyone who asks to know.
        send_link(&state, &editor).await?;
    }
    let (csrf, _) = forms::csrf_for(&req, &state.secret)?;
    let page = ForgotPage { meta: Meta::new("Forgot your password", "Editor desk"), csrf, email, mail, sent: true };
    html_response(StatusCode::OK, &page, [])
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

#[derive(Template)]
#[template(path = "editor/reset.html")]
struct ResetPage {
    meta: Meta,
    csrf: String,
    token: String,
    /// The link is fresh and unused.
    valid: bool,
    error: Option<String>,
    done: bool,
}

fn reset_page(
    req: &HttpRequest,
    state: &AppState,
    token: String,
    valid: bool,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Result<HttpResponse> {
    let (csrf, cookie) = forms::csrf_for(req, &state.secret)?;
    let page = ResetPage { meta: Meta::new("Choose a new password", "Editor desk"), csrf, token, valid, error, done };
    html_response(status, &page, cookie)
}

pub async fn reset_form(req: HttpRequest, state: Data<AppState>, q: Query<TokenQuery>) -> Result<HttpResponse> {
    let valid = db::mail::reset_account(&state.db, &sha256_hex(&[&q.token]), db::now()).await?.is_some();
    let status = if valid { StatusCode::OK } else { StatusCode::NOT_FOUND };
    reset_page(&req, &state, q.token.clone(), valid, None, false, status)
}

pub async fn reset(req: HttpRequest, state: Data<AppState>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let token = posted.take("token");
    let (password, again) = (posted.take("password"), posted.take("password_again"));
    let hash = sha256_hex(&[&token]);
    if db::mail::reset_account(&state.db, &hash, db::now()).await?.is_none() {
        return reset_page(&req, &state, token, false, None, false, StatusCode::NOT_FOUND);
    }
    let password_hash = match super::people::new_password(password, &again).await? {
        Ok(h) => h,
        Err(why) => return reset_page(&req, &state, token, true, Some(why), false, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match db::mail::use_reset(&state.db, &hash, &password_hash, db::now()).await? {
        Some(_) => reset_page(&req, &state, String::new(), false, None, true, StatusCode::OK),
        None => reset_page(&req, &state, token, false, None, false, StatusCode::NOT_FOUND),
    }
}
