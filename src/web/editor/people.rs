//! `/editor/people` (admins: add, disable, enable and remove editors,
//! change their role, reset their password) and `/editor/account` (every
//! editor: change their own password). Every action checks the role on the
//! server; no change may leave the site without an active admin (the
//! queries themselves refuse it, see `db::editors`).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{ADMINS_ONLY, CurrentEditor, Me};
use crate::auth::{self, MIN_PASSWORD, PasswordError, Role};
use crate::comments::form::{FieldErrors, valid_email};
use crate::db::{self, editors::Change, editors::Editor};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Date, Meta, html_response};

/// One account as the people page lists it.
pub struct PersonRow {
    pub e: Editor,
    pub since: String,
    /// The admin's own row: no buttons that would lock them out.
    pub me: bool,
}

/// The add-an-editor form, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "editor/people.html")]
struct PeoplePage {
    meta: Meta,
    csrf: String,
    me: Me,
    people: Vec<PersonRow>,
    roles: &'static [Role],
    form: NewPerson,
    errors: FieldErrors,
    notice: Option<String>,
    /// A refusal about one account: its id and why.
    refused: Option<(i64, String)>,
    /// Mail is on: reset links can be sent.
    mail: bool,
}

/// What the desk says when mail is off.
pub const MAIL_OFF: &str =
    "Mail is off: the site has no SMTP server (--smtp-url), so no reset link, reply notification or digest is sent.";

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
    pub id: Option<i64>,
}

crate::text_enum! {
    /// What an action on one account did, for the notice after the redirect.
    enum Done("notice") {
        Added = "added",
        Disabled = "disabled",
        Enabled = "enabled",
        Removed = "removed",
        PasswordReset = "password",
        ResetLinkSent = "reset-link",
        RoleChanged = "role",
    }
}

impl Done {
    fn notice(self, who: &str) -> String {
        match self {
            Done::Added => format!("Added {who}. They can log in with the password you gave."),
            Done::Disabled => format!("Disabled {who}: they are logged out and cannot log in."),
            Done::Enabled => format!("Enabled {who}: they can log in again."),
            Done::Removed => "Removed the account; its revisions keep their name.".to_string(),
            Done::PasswordReset => {
                format!("Set a new password for {who} and logged them out everywhere. Tell them the new password.")
            }
            Done::RoleChanged => format!("Changed the role of {who}."),
            Done::ResetLinkSent => {
                format!("Mailed {who} a link to choose a new password; it works once, within an hour.")
            }
        }
    }
}

/// What the people page says besides the accounts: the add form as typed
/// with its errors, a notice, a refusal about one account.
struct Feedback {
    form: NewPerson,
    errors: FieldErrors,
    notice: Option<String>,
    refused: Option<(i64, String)>,
}

impl Default for Feedback {
    fn default() -> Self {
        let form = NewPerson { role: Role::Editor.as_str().into(), ..NewPerson::default() };
        Feedback { form, errors: FieldErrors::new(), notice: None, refused: None }
    }
}

/// The page with this feedback, answered with `status`.
async fn people_page(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    feedback: Feedback,
    status: StatusCode,
) -> Result<HttpResponse> {
    let Feedback { form, errors, notice, refused } = feedback;
    let (csrf, _) = forms::csrf_for(req, &state.secret)?;
    let people = db::editors::list(&state.db)
        .await?
        .into_iter()
        .map(|e| PersonRow { since: Date::from_unix(e.created_at).human, me: e.id == editor.0.id, e })
        .collect();
    let page = PeoplePage {
        meta: Meta::new("People", "Editor desk"),
        csrf,
        me: editor.me(),
        people,
        roles: Role::ALL,
        form,
        errors,
        notice,
        refused,
        mail: state.db.mail_on(),
    };
    html_response(status, &page, [])
}

pub async fn index(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<DoneQuery>,
) -> Result<HttpResponse> {
    editor.require(Role::can_manage_people, ADMINS_ONLY)?;
    let mut notice = None;
    if let Some(done) = query.done.as_deref().and_then(|d| d.parse::<Done>().ok()) {
        let who = match query.id {
            Some(id) => db::editors::by_id(&state.db, id).await?.map(|e| e.name),
            None => None,
        };
        notice = Some(done.notice(who.as_deref().unwrap_or("the account")));
    }
    people_page(&req, &state, &editor, Feedback { notice, ..Feedback::default() }, StatusCode::OK).await
}

fn done(what: Done, id: i64) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/editor/people?done={}&id={id}", what.as_str())))
        .finish()
}

/// A new password checked and hashed in its turn, or what is wrong with it.
pub(super) async fn new_password(password: String, again: &str) -> Result<Result<String, String>> {
    if password != again {
        return Ok(Err("The two passwords differ.".into()));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Ok(Err(format!("Use at least {MIN_PASSWORD} characters.")));
    }
    let Some(turn) = auth::turn().await else {
        return Ok(Err("The server is busy checking passwords; please send this again in a few seconds.".into()));
    };
    match auth::hash_in_turn(turn, password).await {
        Ok(hash) => Ok(Ok(hash)),
        Err(PasswordError::TooShort) => Ok(Err(format!("Use at least {MIN_PASSWORD} characters."))),
        Err(PasswordError::Hash(e)) => Err(Error::Internal(e)),
    }
}

/// `POST /editor/people`: adds an account.
pub async fn create(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_manage_people, ADMINS_ONLY)?;
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let form = NewPerson {
        email: posted.take("email").trim().to_owned(),
        name: posted.take("name").trim().to_owned(),
        role: posted.take("role"),
    };
    let (password, again) = (posted.take("password"), posted.take("password_again"));
    let mut errors = FieldErrors::new();
    if !valid_email(&form.email) {
        errors.insert("email", "Write an email address, such as ada@example.com.".into());
    }
    if form.name.is_empty() {
        errors.insert("name", "Write the name their revisions and replies will carry.".into());
    }
    let role = form.role.parse::<Role>();
    if role.is_err() {
        errors.insert("role", "Choose a role.".into());
    }
    let hash = if errors.is_empty() {
        new_password(password, &again).await?.map_err(|e| errors.insert("password", e)).ok()
    } else {
        None
    };
    let (Some(hash), Ok(role)) = (hash, role) else {
        let feedback = Feedback { form, errors, ..Feedback::default() };
        return people_page(&req, &state, &editor, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match db::editors::create(&state.db, &form.email, &form.name, &hash, role, db::now()).await? {
        Some(created) => Ok(done(Done::Added, created.id)),
        None => {
            errors.insert("email", "An account with this email exists already.".into());
            people_page(&req, &state, &editor, Feedback { form, errors, ..Feedback::default() }, StatusCode::CONFLICT)
                .await
        }
    }
}

crate::text_enum! {
    /// What an admin can do to one account, one button each.
    enum PersonAction("action") {
        Disable = "disable",
        Enable = "enable",
        Remove = "remove",
        ResetPassword = "reset-password",
        SendResetLink = "send-reset-link",
        SetRole = "set-role",
    }
}

/// `POST /editor/people/{id}`: one action on one account.
pub async fn act(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_manage_people, ADMINS_ONLY)?;
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let action: PersonAction = posted.take("action").parse().map_err(|e| Error::BadRequest(format!("{e}")))?;
    let id = *id;
    let target = db::editors::by_id(&state.db, id).await?.ok_or(Error::NotFound)?;
    let refuse = |status: StatusCode, why: String| {
        let (req, state) = (req.clone(), state.clone());
        let editor = &editor;
        async move {
            let feedback = Feedback { refused: Some((id, why)), ..Feedback::default() };
            people_page(&req, &state, editor, feedback, status).await
        }
    };
    // An admin keeps their own account: another admin disables, removes or
    // demotes it, and their own password is changed on their account page.
    if id == editor.0.id && action != PersonAction::Enable {
        let why = "Your own account is changed by another admin; your password on Your account.";
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, why.into()).await;
    }
    let (change, what) = match action {
        PersonAction::Disable => (db::editors::set_disabled(&state.db, id, Some(db::now())).await?, Done::Disabled),
        PersonAction::Enable => (db::editors::set_disabled(&state.db, id, None).await?, Done::Enabled),
        PersonAction::Remove => (db::editors::remove(&state.db, id).await?, Done::Removed),
        PersonAction::SetRole => {
            let Ok(role) = posted.take("role").parse::<Role>() else {
                return refuse(StatusCode::UNPROCESSABLE_ENTITY, "Choose a role.".into()).await;
            };
            (db::editors::set_role(&state.db, id, role).await?, Done::RoleChanged)
        }
        PersonAction::SendResetLink => {
            if !state.db.mail_on() {
                return refuse(StatusCode::CONFLICT, MAIL_OFF.into()).await;
            }
            if target.disabled_at.is_some() {
                return refuse(StatusCode::CONFLICT, "A disabled account cannot reset its password.".into()).await;
            }
            if !super::reset::send_link(&state, &target).await? {
                let why = "This account was sent several links in the last hour; try again later.";
                return refuse(StatusCode::TOO_MANY_REQUESTS, why.into()).await;
            }
            (Change::Done, Done::ResetLinkSent)
        }
        PersonAction::ResetPassword => {
            let (password, again) = (posted.take("password"), posted.take("password_again"));
            match new_password(password, &again).await? {
                Ok(hash) => (db::editors::set_password(&state.db, id, &hash, None).await?, Done::PasswordReset),
                Err(why) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, why).await,
            }
        }
    };
    match change {
        Change::Done => Ok(done(what, id)),
        Change::Missing => Err(Error::NotFound),
        Change::LastAdmin => {
            let why = format!("{} is the only active admin: make another account admin first.", target.name);
            refuse(StatusCode::CONFLICT, why).await
        }
    }
}

#[derive(Template)]
#[template(path = "editor/account.html")]
struct AccountPage {
    meta: Meta,
    csrf: String,
    me: Me,
    email: String,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn account_page(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    errors: FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse> {
    let (csrf, _) = forms::csrf_for(req, &state.secret)?;
    let page = AccountPage {
        meta: Meta::new("Your account", "Editor desk"),
        csrf,
        me: editor.me(),
        email: editor.0.email.clone(),
        errors,
        notice,
    };
    html_response(status, &page, [])
}

/// `GET /editor/account`.
pub async fn account(req: HttpRequest, state: Data<AppState>, editor: CurrentEditor) -> Result<HttpResponse> {
    let notice = req
        .query_string()
        .contains("changed")
        .then(|| "Your password was changed; every other session of yours was logged out.".to_string());
    account_page(&req, &state, &editor, FieldErrors::new(), notice, StatusCode::OK).await
}

/// `POST /editor/account`: the editor's own new password, given the
/// current one. Their other sessions end; this one stays.
pub async fn change_password(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let (current, password, again) = (posted.take("current"), posted.take("password"), posted.take("password_again"));
    let mut errors = FieldErrors::new();
    let Some(turn) = auth::turn().await else {
        errors.insert("current", "The server is busy checking passwords; please send this again shortly.".into());
        return account_page(&req, &state, &editor, errors, None, StatusCode::TOO_MANY_REQUESTS).await;
    };
    let stored = db::editors::credentials_by_id(&state.db, editor.0.id).await?.map(|c| c.password_hash);
    if !auth::check_password(turn, current, stored).await {
        errors.insert("current", "This is not your current password.".into());
        return account_page(&req, &state, &editor, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hash = match new_password(password, &again).await? {
        Ok(hash) => hash,
        Err(why) => {
            errors.insert("password", why);
            return account_page(&req, &state, &editor, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let session = super::session_hash(&req);
    db::editors::set_password(&state.db, editor.0.id, &hash, session.as_deref()).await?;
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor/account?changed=1")).finish())
}
