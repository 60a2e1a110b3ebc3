//! The editor desk, under `/editor`: sessions, the dashboard, writing lists,
//! keeping records right, and moderating comments. Every page answers an
//! anonymous visitor with `303` to the login page, and none may be cached.

pub mod articles;
pub mod comments;
/// What the desk checks an article against, kept per content version.
pub mod context;
pub mod dashboard;
/// The media library: pictures, uploads.
pub mod media;
/// The editors themselves: accounts, roles, passwords.
pub mod people;
pub mod records;
/// Forgotten passwords: reset links by mail.
pub mod reset;
/// An article's revisions: who and when, a word diff, restore.
pub mod revisions;
pub mod session;
/// Readers' votes on a list, and resetting an entry's.
pub mod votes;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::middleware::DefaultHeaders;
use actix_web::web::{self, Data};
use actix_web::{FromRequest, HttpRequest};

use super::AppState;
use crate::auth::Role;
use crate::comments::sha256_hex;
use crate::db::{self, editors::Editor};
use crate::error::Error;

pub const SESSION_COOKIE: &str = "cuesheet_session";

/// The editor behind this request; anyone else is sent to the login page.
pub struct CurrentEditor(pub Editor);

impl CurrentEditor {
    /// Goes on when the editor's role allows what `allowed` says; a 403
    /// page saying `why` otherwise.
    pub fn require(&self, allowed: fn(Role) -> bool, why: &'static str) -> Result<(), Error> {
        if allowed(self.0.role) { Ok(()) } else { Err(Error::Forbidden(why)) }
    }

    /// What every desk page shows of the editor: their name, and the
    /// navigation their role opens.
    pub fn me(&self) -> Me {
        Me { name: self.0.name.clone(), role: self.0.role }
    }
}

/// The editor as every desk page's layout shows them.
pub struct Me {
    pub name: String,
    pub role: Role,
}

/// Why a contributor is refused, per area.
pub const PUBLISHERS_ONLY: &str =
    "Contributors write drafts and submit them for review; an editor or an admin publishes them.";
pub const RECORDS_EDITORS_ONLY: &str = "Records are kept by editors and admins; ask one to add or change a record.";
pub const MEDIA_EDITORS_ONLY: &str = "Pictures are deleted by editors and admins; ask one to remove a picture.";
pub const MODERATORS_ONLY: &str = "Comments are moderated by editors and admins.";
pub const ADMINS_ONLY: &str = "Only an admin manages the people who use the desk.";

impl FromRequest for CurrentEditor {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req.app_data::<Data<AppState>>().ok_or(Error::Internal("no app state".into()))?;
            let name = crate::web::forms::cookie_name(&req, SESSION_COOKIE);
            let token = req.cookie(&name).ok_or(Error::LoginRequired)?;
            let editor = db::editors::session(&state.db, &sha256_hex(&[token.value()]), db::now()).await?;
            editor.map(CurrentEditor).ok_or(Error::LoginRequired)
        })
    }
}

/// The hash of this request's session token, as the sessions table keeps it.
pub fn session_hash(req: &HttpRequest) -> Option<String> {
    let name = crate::web::forms::cookie_name(req, SESSION_COOKIE);
    req.cookie(&name).map(|token| sha256_hex(&[token.value()]))
}

/// The desk's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/editor")
            .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")).add(("X-Robots-Tag", "noindex")))
            .route("", web::get().to(dashboard::show))
            .route("/login", web::get().to(session::form))
            .route("/login", web::post().to(session::login))
            .route("/logout", web::post().to(session::logout))
            .route("/forgot", web::get().to(reset::form))
            .route("/forgot", web::post().to(reset::forgot))
            .route("/reset", web::get().to(reset::reset_form))
            .route("/reset", web::post().to(reset::reset))
            .route("/articles/new", web::get().to(articles::new))
            .route("/articles", web::post().to(articles::create))
            // Before `/articles/{id}`, which would take "autosave" or "preview" for an id.
            .route("/articles/autosave", web::post().to(articles::autosave::new))
            .route("/articles/{id}/autosave", web::post().to(articles::autosave::existing))
            .route("/articles/preview", web::post().to(articles::live::new))
            .route("/articles/{id}/preview", web::post().to(articles::live::existing))
            .route("/articles/{id}", web::get().to(articles::edit))
            .route("/articles/{id}", web::post().to(articles::save))
            .route("/articles/{id}/revisions/{rev}", web::get().to(revisions::show))
            .route("/articles/{id}/votes", web::get().to(votes::show))
            .route("/articles/{id}/votes", web::post().to(votes::reset))
            .route("/records", web::get().to(records::index))
            .route("/records/new", web::get().to(records::new))
            .route("/records", web::post().to(records::create))
            .route("/records/{slug}", web::get().to(records::edit))
            .route("/records/{slug}", web::post().to(records::save))
            .route("/records/{slug}/delete", web::post().to(records::delete))
            .route("/media", web::get().to(media::index))
            .route("/media", web::post().to(media::upload))
            .route("/media/delete", web::post().to(media::delete))
            .route("/comments", web::get().to(comments::index))
            .route("/comments", web::post().to(comments::act))
            .route("/comments/{id}/reply", web::post().to(comments::reply))
            .route("/people", web::get().to(people::index))
            .route("/people", web::post().to(people::create))
            .route("/people/{id}", web::post().to(people::act))
            .route("/account", web::get().to(people::account))
            .route("/account", web::post().to(people::change_password)),
    );
}
