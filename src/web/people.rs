//! `/people/{slug}`: a composer, director, supervisor or artist, their
//! records and the lists those records appear in.

use actix_web::web::{Data, Path, Query};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use super::paging::{PageQuery, Pager};
use super::soundtracks::AppearanceView;
use super::view::Meta;
use crate::db;
use crate::error::{Error, Result};

/// One record of a person's, with every role they held on it.
pub struct WorkView {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub film_title: String,
    pub film_year: i64,
    pub roles: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people/show.html")]
pub struct PersonPage {
    pub meta: Meta,
    pub name: String,
    pub works: Vec<WorkView>,
    pub appearances: Vec<AppearanceView>,
    pub pager: Pager,
}

pub async fn show(state: Data<AppState>, slug: Path<String>, query: Query<PageQuery>) -> Result<PersonPage> {
    let db = &state.db;
    let window = query.window(db::articles::APPEARANCES_PAGE_SIZE)?;
    let person = db::people::by_slug(db, &slug).await?.ok_or(Error::NotFound)?;
    let (works, appearances) = tokio::join!(
        db::people::works(db, person.id),
        db::articles::appearances_of_person(db, person.id, db::now(), window)
    );
    let appearances = appearances?;
    let path = format!("/people/{}", person.slug);
    let pager = Pager::new(&path, &appearances)?;
    let mut views: Vec<WorkView> = Vec::new();
    for w in works? {
        let role = w.role.label();
        match views.last_mut() {
            Some(v) if v.slug == w.slug => {
                if !v.roles.split(", ").any(|r| r == role) {
                    v.roles = format!("{}, {role}", v.roles);
                }
            }
            _ => views.push(WorkView {
                kind: w.kind.label(),
                slug: w.slug,
                title: w.title,
                film_title: w.film_title,
                film_year: w.film_year,
                roles: role.to_owned(),
            }),
        }
    }
    let description = format!("{}: soundtracks and the Cuesheet lists they appear in.", person.name);
    Ok(PersonPage {
        meta: Meta::new(&person.name, &description).paged(state.base(), &path, &pager),
        name: person.name,
        works: views,
        appearances: appearances.items.into_iter().map(AppearanceView::from).collect(),
        pager,
    })
}
