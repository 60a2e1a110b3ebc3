//! `/editor/login` and `/editor/logout`. Failed logins are counted per
//! account and per address in the database: after a few they are slowed,
//! after more they are refused for a while.

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::{CurrentEditor, SESSION_COOKIE};
use crate::auth::{self, SESSION_SECONDS};
use crate::comments::{random_token, sha256_hex};
use crate::db;
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Meta, html_response};

/// Failures counted within this window.
pub const WINDOW: i64 = 15 * 60;
/// From this many failures on, each attempt waits a little longer.
const SLOW_AFTER: i64 = 3;
/// This many failures lock the account (or address) for `LOCK_SECONDS`.
pub const LOCK_ACCOUNT_AFTER: i64 = 5;
const LOCK_ADDRESS_AFTER: i64 = 20;
pub const LOCK_SECONDS: i64 = 15 * 60;

#[derive(Template)]
#[template(path = "editor/login.html")]
struct LoginPage {
    meta: Meta,
    csrf: String,
    email: String,
    error: Option<String>,
}

pub async fn form(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse> {
    let (csrf, cookie) = forms::csrf_for(&req, &state.secret)?;
    let page = LoginPage { meta: Meta::new("Log in", "Editor login"), csrf, email: String::new(), error: None };
    html_response(StatusCode::OK, &page, cookie)
}

pub async fn login(req: HttpRequest, state: Data<AppState>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let email = posted.take("email").trim().to_lowercase();
    let password = posted.take("password");
    let db = &state.db;
    let now = db::now();
    let keys = [format!("email:{email}"), format!("ip:{}", forms::client_ip(&req, &state.config))];
    let refuse = |status: StatusCode, error: String| {
        let csrf = forms::csrf_for(&req, &state.secret).map(|c| c.0);
        let email = email.clone();
        async move {
            let page = LoginPage { meta: Meta::new("Log in", "Editor login"), csrf: csrf?, email, error: Some(error) };
            html_response(status, &page, [])
        }
    };

    let mut worst = db::editors::Failures::default();
    for key in &keys {
        let f = db::editors::failures(db, key, now, WINDOW).await?;
        worst.failures = worst.failures.max(f.failures);
        worst.locked_until = worst.locked_until.max(f.locked_until);
    }
    if worst.locked_until > now {
        let minutes = (worst.locked_until - now + 59) / 60;
        let msg = format!("Too many failed logins. Logging in is refused for {minutes} more minutes.");
        return refuse(StatusCode::TOO_MANY_REQUESTS, msg).await;
    }
    if worst.failures >= SLOW_AFTER {
        let delay = Duration::from_millis(500 * u64::try_from(worst.failures - SLOW_AFTER + 1).unwrap_or(1));
        tokio::time::sleep(delay.min(Duration::from_secs(3))).await;
    }

    let credentials = db::editors::credentials(db, &email).await?;
    let verified = {
        let password = password.clone();
        let stored = credentials.as_ref().map(|c| c.password_hash.clone());
        // Argon2 is slow on purpose: keep it off the request thread.
        tokio::task::spawn_blocking(move || match stored {
            Some(hash) => auth::verify_password(&password, &hash),
            None => {
                auth::burn_time(&password);
                false
            }
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
    };
    let Some(editor) = credentials.filter(|_| verified) else {
        let account = db::editors::record_failure(db, &keys[0], now, WINDOW, LOCK_ACCOUNT_AFTER, LOCK_SECONDS).await?;
        db::editors::record_failure(db, &keys[1], now, WINDOW, LOCK_ADDRESS_AFTER, LOCK_SECONDS).await?;
        let msg = if account.locked_until > now {
            "Too many failed logins. Logging in is refused for 15 minutes.".to_string()
        } else {
            "The email or password is not right.".to_string()
        };
        let status = if account.locked_until > now { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
        return refuse(status, msg).await;
    };
    db::editors::clear_failures(db, &keys[0]).await?;
    let token = random_token().map_err(|e| Error::Internal(e.to_string()))?;
    db::editors::start_session(db, &sha256_hex(&[&token]), editor.id, now, now + SESSION_SECONDS).await?;
    let cookie = Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .max_age(CookieAge::seconds(SESSION_SECONDS))
        .finish();
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor")).cookie(cookie).finish())
}

pub async fn logout(
    req: HttpRequest,
    state: Data<AppState>,
    _editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    if let Some(token) = req.cookie(SESSION_COOKIE) {
        db::editors::end_session(&state.db, &sha256_hex(&[token.value()])).await?;
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor/login")).cookie(gone).finish())
}
