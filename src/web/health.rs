//! `/healthz` for load balancers and orchestrators: 200 when this node can
//! read its database, 503 when it cannot. One trivial query under a short
//! time limit, never cached, and a failure is a warning (the node heals by
//! itself when the database is back), not an error page.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::Data;

use super::AppState;

pub async fn healthz(state: Data<AppState>) -> HttpResponse {
    let (mut res, body) = match crate::db::ping(&state.db).await {
        Ok(()) => (HttpResponse::Ok(), "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (HttpResponse::ServiceUnavailable(), "database unavailable\n")
        }
    };
    res.insert_header((CONTENT_TYPE, "text/plain; charset=utf-8")).insert_header((CACHE_CONTROL, "no-store")).body(body)
}
