//! The HTTP server: one route table, the middleware every response passes
//! through, and one module per area of the site.

pub mod articles;
pub mod assets;
pub mod caching;
pub mod cards;
pub mod chart;
pub mod comments;
pub mod editor;
pub mod feeds;
pub mod forms;
pub mod health;
pub mod https;
pub mod mail;
pub mod media;
pub mod origin;
pub mod paging;
pub mod people;
pub mod redirects;
pub mod search;
pub mod soundtracks;
pub mod structured;
pub mod tags;
pub mod view;
pub mod votes;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, Next, NormalizePath, from_fn};
use actix_web::{App, HttpServer, Route, guard, web};

use crate::config::SiteConfig;
use crate::db::Db;
use crate::db::clock::Clock;
use crate::error::Error;
use caching::PageCache;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<SiteConfig>,
    /// Signs form tokens; the same on every node.
    pub secret: Arc<[u8]>,
    /// What this node knows of the content's versions (read a few times a second).
    pub clock: Arc<Clock>,
    /// Finished public pages, per content version.
    pub pages: Arc<PageCache>,
    /// Every record's titles and makers, per content version, for the desk's check.
    pub record_titles: Arc<editor::context::RecordTitles>,
    /// Where pictures live.
    pub media: crate::media::Store,
}

impl AppState {
    /// The state for `config`, with the signing secret from the settings or,
    /// by default, from the database (made on first use).
    pub async fn new(db: Db, config: SiteConfig) -> crate::db::Result<Self> {
        let db = match config.mail.smtp_url {
            Some(_) => db.with_mail(config.mail.digest_minutes.max(0) * 60),
            None => db,
        };
        let secret = match &config.secret {
            Some(s) => s.as_bytes().into(),
            None => crate::db::secrets::get_or_create(&db, "forms").await?.into_bytes().into(),
        };
        let clock = Arc::new(Clock::read(&db).await?);
        let pages = Arc::new(PageCache::new(config.page_cache_mb.saturating_mul(1024 * 1024)));
        let record_titles = Arc::default();
        let media =
            crate::media::Store::open(&config.media_url).map_err(|e| crate::db::Error::Configuration(e.into()))?;
        Ok(AppState { db, config: Arc::new(config), secret, clock, pages, record_titles, media })
    }

    /// The public base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        self.config.base_url.as_deref().unwrap_or("http://127.0.0.1:8080").trim_end_matches('/')
    }
}

/// The route table: a reader finds the module for a URL by its first segment.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", page().to(articles::home))
        .route("/articles/{slug}", page().to(articles::show))
        .route("/articles/{slug}/card.png", page().to(cards::article))
        .route("/articles/{slug}/comments", web::post().to(comments::create))
        .route("/articles/{slug}/votes/{record}", web::post().to(votes::rank))
        .route("/articles/{slug}/ranking", web::post().to(votes::ballot))
        .route("/articles/{slug}/my-votes", page().to(votes::mine))
        .route("/articles/{slug}/comments.xml", page().to(feeds::article_comments))
        .route("/chart", page().to(chart::index))
        .route("/comments.xml", page().to(feeds::site_comments))
        .route("/feed.xml", page().to(feeds::articles))
        .route("/sitemap.xml", page().to(feeds::sitemap))
        .route("/sitemaps/{part}.xml", page().to(feeds::sitemap_part))
        .route("/robots.txt", page().to(feeds::robots))
        .route("/comments/{id}/edit", page().to(comments::edit_form))
        .route("/comments/{id}/edit", web::post().to(comments::update))
        .route("/comments/{id}/delete", web::post().to(comments::delete))
        .route("/comments/{id}/helpful", web::post().to(votes::helpful))
        .route("/soundtracks", page().to(soundtracks::index))
        .route("/soundtracks/{slug}", page().to(soundtracks::show))
        .route("/soundtracks/{slug}/card.png", page().to(cards::record))
        .route("/soundtracks/{slug}/sleeve.svg", page().to(cards::sleeve))
        .route("/people/{slug}", page().to(people::show))
        .route("/tags", page().to(tags::index))
        .route("/tags/{slug}", page().to(tags::show))
        .route("/search", page().to(search::show))
        .route("/static/{file}", page().to(assets::serve))
        .route("/media/{file}", page().to(media::serve))
        .route("/healthz", page().to(health::healthz))
        .route("/mail/confirm", page().to(mail::confirm_page))
        .route("/mail/confirm", web::post().to(mail::confirm))
        .route("/mail/unsubscribe", page().to(mail::unsubscribe_page))
        .route("/mail/unsubscribe", web::post().to(mail::unsubscribe))
        .configure(editor::routes);
}

/// GET, and HEAD answered the same without a body.
fn page() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Headers on every response. No inline script or style anywhere, so the
/// policy can be strict; no picture is inline either (sleeves are served
/// files, covers variants), so `img-src` needs no `data:`.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        // The site uses none of these; no page or embedded frame may ask.
        .add((
            "Permissions-Policy",
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), \
             usb=()",
        ))
}

/// One structured log line per request (written by a background thread,
/// see `main.rs`); nothing at all when the filter leaves requests out.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !tracing::enabled!(target: "cuesheet::request", tracing::Level::INFO) {
        return next.call(req).await;
    }
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let res = next.call(req).await?;
    let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = res.status().as_u16();
    // Health checks come every few seconds from each load balancer: kept
    // out of the default log.
    if path == "/healthz" {
        tracing::debug!(target: "cuesheet::request", %method, %path, status, micros);
    } else {
        tracing::info!(target: "cuesheet::request", %method, %path, status, micros);
    }
    Ok(res)
}

/// Anything no route matched.
async fn not_found() -> Result<actix_web::HttpResponse, Error> {
    Err(Error::NotFound)
}

/// Starts the server on an already bound listener.
pub fn server(state: AppState, listener: TcpListener, workers: Option<usize>) -> std::io::Result<Server> {
    let (clock, db) = (Arc::clone(&state.clock), state.db.clone());
    actix_web::rt::spawn(async move { clock.watch(&db).await });
    // The mail sender, when mail is on; it stops with the runtime.
    actix_web::rt::spawn(crate::mail::sender::run(state.clone()));
    let state = web::Data::new(state);
    let query_errors = web::QueryConfig::default().error_handler(|e, _| Error::BadRequest(e.to_string()).into());
    let path_errors = web::PathConfig::default().error_handler(|_, _| Error::NotFound.into());
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(query_errors.clone())
            .app_data(path_errors.clone())
            .configure(routes)
            .default_service(web::to(not_found))
            .wrap(from_fn(caching::layer))
            // Before any handler reads a body: a cross-site post is refused unread.
            .wrap(from_fn(origin::check))
            .wrap(Compress::default())
            .wrap(NormalizePath::trim())
            .wrap(security_headers())
            .wrap(from_fn(https::strict_transport))
            .wrap(from_fn(log_request))
    })
    // A client must send its request head within this; bodies have their
    // own deadline (`forms::BODY_DEADLINE`).
    .client_request_timeout(std::time::Duration::from_secs(10))
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}
