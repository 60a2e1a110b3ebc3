//! `/editor/login` and `/editor/logout`. Failed logins are counted per
//! account and per address in the database: after a few they are slowed,
//! after more they are refused for a while. The counts are checked before
//! any password is hashed, and hashing waits its turn (`auth::turn`), so a
//! burst of logins costs neither memory nor CPU beyond a bound.

use std::time::Duration;

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, LOCATION, RETRY_AFTER};
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
    // A refusal; a 429 says when to try again.
    let refuse = |status: StatusCode, error: String, retry: i64| {
        let csrf = forms::csrf_for(&req, &state.secret).map(|c| c.0);
        let email = email.clone();
        async move {
            let page = LoginPage { meta: Meta::new("Log in", "Editor login"), csrf: csrf?, email, error: Some(error) };
            let mut res = html_response(status, &page, [])?;
            if status == StatusCode::TOO_MANY_REQUESTS
                && let Ok(v) = HeaderValue::from_str(&retry.max(1).to_string())
            {
                res.headers_mut().insert(RETRY_AFTER, v);
            }
            Ok::<_, Error>(res)
        }
    };
    let locked = |until: i64| {
        let minutes = (until - now + 59) / 60;
        format!("Too many failed logins. Logging in is refused for {minutes} more minutes.")
    };

    // The throttles first: a locked account or address costs no hashing.
    let worst = worst_failures(&state, &keys, now).await?;
    if worst.locked_until > now {
        return refuse(StatusCode::TOO_MANY_REQUESTS, locked(worst.locked_until), worst.locked_until - now).await;
    }
    if worst.failures >= SLOW_AFTER {
        let delay = Duration::from_millis(500 * u64::try_from(worst.failures - SLOW_AFTER + 1).unwrap_or(1));
        tokio::time::sleep(delay.min(Duration::from_secs(3))).await;
    }
    // A turn to hash; then the throttles again, since the logins this one
    // waited behind may have locked the account meanwhile.
    let Some(turn) = auth::turn().await else {
        let msg = "Too many logins are being checked right now. Please try again in a few seconds.".to_string();
        return refuse(StatusCode::TOO_MANY_REQUESTS, msg, 5).await;
    };
    let now = db::now();
    let worst = worst_failures(&state, &keys, now).await?;
    if worst.locked_until > now {
        return refuse(StatusCode::TOO_MANY_REQUESTS, locked(worst.locked_until), worst.locked_until - now).await;
    }
    let credentials = db::editors::credentials(db, &email).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = auth::check_password(turn, password, stored).await;
    let Some(editor) = credentials.filter(|_| verified) else {
        let account = db::editors::record_failure(db, &keys[0], now, WINDOW, LOCK_ACCOUNT_AFTER, LOCK_SECONDS).await?;
        db::editors::record_failure(db, &keys[1], now, WINDOW, LOCK_ADDRESS_AFTER, LOCK_SECONDS).await?;
        let msg = if account.locked_until > now {
            "Too many failed logins. Logging in is refused for 15 minutes.".to_string()
        } else {
            "The email or password is not right.".to_string()
        };
        let status = if account.locked_until > now { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNAUTHORIZED };
        return refuse(status, msg, LOCK_SECONDS).await;
    };
    db::editors::clear_failures(db, &keys[0]).await?;
    let token = random_token().map_err(|e| Error::Internal(e.to_string()))?;
    db::editors::start_session(db, &sha256_hex(&[&token]), editor.id, now, now + SESSION_SECONDS).await?;
    let cookie = forms::cookie(&req, SESSION_COOKIE, token, Some(CookieAge::seconds(SESSION_SECONDS)));
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor")).cookie(cookie).finish())
}

/// The worse of the account's and the address's failure counts.
async fn worst_failures(state: &AppState, keys: &[String], now: i64) -> Result<db::editors::Failures> {
    let mut worst = db::editors::Failures::default();
    for key in keys {
        let f = db::editors::failures(&state.db, key, now, WINDOW).await?;
        worst.failures = worst.failures.max(f.failures);
        worst.locked_until = worst.locked_until.max(f.locked_until);
    }
    Ok(worst)
}

pub async fn logout(
    req: HttpRequest,
    state: Data<AppState>,
    _editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    if let Some(token) = req.cookie(&forms::cookie_name(&req, SESSION_COOKIE)) {
        db::editors::end_session(&state.db, &sha256_hex(&[token.value()])).await?;
    }
    let mut gone = forms::cookie(&req, SESSION_COOKIE, String::new(), None);
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor/login")).cookie(gone).finish())
}
