//! A browser for a site at any address: another node, a spawned
//! `cuesheet serve`, or a reverse proxy in front of them. It keeps cookies
//! and fills in forms the way a browser does, from whatever fields the page
//! holds (hidden tokens included, if the form has any), sending the
//! `Origin` and `Sec-Fetch-Site` a browser would.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use super::Page;

pub struct Remote {
    pub base: String,
    client: awc::Client,
    cookies: RefCell<BTreeMap<String, String>>,
}

impl Remote {
    pub fn new(base: &str) -> Remote {
        Remote::build(base, None)
    }

    /// Connects from `local`, another loopback address (`127.0.0.2`), so a
    /// proxy in between sees a client other than itself.
    pub fn from_address(base: &str, local: IpAddr) -> Remote {
        Remote::build(base, Some(local))
    }

    fn build(base: &str, local: Option<IpAddr>) -> Remote {
        let mut connector = awc::Connector::new();
        if let Some(ip) = local {
            connector = connector.local_address(ip);
        }
        let client =
            awc::Client::builder().connector(connector).timeout(Duration::from_secs(30)).disable_redirects().finish();
        Remote { base: base.trim_end_matches('/').to_owned(), client, cookies: Default::default() }
    }

    /// Another browser (its own cookies) at the same site.
    pub fn fresh(&self) -> Remote {
        Remote::new(&self.base)
    }

    /// The same cookies, sent to another node of the same site.
    pub fn at(&self, base: &str) -> Remote {
        let other = Remote::new(base);
        *other.cookies.borrow_mut() = self.cookies.borrow().clone();
        other
    }

    fn with_cookies(&self, mut req: awc::ClientRequest) -> awc::ClientRequest {
        let jar = self.cookies.borrow();
        if !jar.is_empty() {
            let header: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.insert_header(("cookie", header.join("; ")));
        }
        req
    }

    async fn send(&self, req: awc::ClientRequest, body: Option<String>) -> Page {
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("request to {} failed: {e}", self.base));
        let bytes = res.body().limit(4 << 20).await.unwrap();
        let page = Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        };
        for v in page.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (k, val) = v.split(';').next().unwrap().split_once('=').unwrap();
            let mut jar = self.cookies.borrow_mut();
            if v.contains("Max-Age=0") || val.is_empty() {
                jar.remove(k);
            } else {
                jar.insert(k.to_owned(), val.to_owned());
            }
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = self.with_cookies(self.client.get(format!("{}{path}", self.base)));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        self.send(req, None).await
    }

    /// Posts a form as a browser on this site would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = self
            .with_cookies(self.client.post(format!("{}{path}", self.base)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .insert_header(("origin", self.base.as_str()))
            .insert_header(("sec-fetch-site", "same-origin"));
        self.send(req, Some(body)).await
    }

    /// Sends the first form matching `selector` on `page` with every field
    /// it holds, `fields` replacing or adding values.
    pub async fn submit(&self, page: &Page, selector: &str, fields: &[(&str, &str)]) -> Page {
        let html = page.html();
        let form_sel = scraper::Selector::parse(selector).unwrap();
        let form = html.select(&form_sel).next().unwrap_or_else(|| panic!("no `{selector}` on the page"));
        // A browser never sends the fragment of a form's action.
        let action = form.value().attr("action").unwrap().split('#').next().unwrap_or_default().to_owned();
        let inputs = scraper::Selector::parse("input, textarea, select").unwrap();
        let mut values: Vec<(String, String)> = Vec::new();
        for el in form.select(&inputs) {
            let Some(name) = el.value().attr("name") else { continue };
            let value = match el.value().name() {
                "textarea" => el.text().collect::<String>(),
                "select" => {
                    let opt = scraper::Selector::parse("option[selected]").unwrap();
                    el.select(&opt).next().and_then(|o| o.value().attr("value")).unwrap_or_default().to_owned()
                }
                _ if matches!(el.value().attr("type"), Some("checkbox" | "radio" | "submit")) => continue,
                _ => el.value().attr("value").unwrap_or_default().to_owned(),
            };
            values.push((name.to_owned(), value));
        }
        for (k, v) in fields {
            values.retain(|(name, _)| name != k);
            values.push(((*k).to_owned(), (*v).to_owned()));
        }
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(&action, &pairs).await
    }

    /// Opens `page_path` and sends its comment form.
    pub async fn comment(&self, page_path: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        assert_eq!(page.status, 200, "{page_path}: {}", page.body);
        self.submit(&page, "form.comment-form", fields).await
    }

    /// Polls `path` until `ok` holds, for at most `limit`; the last page.
    pub async fn poll(&self, path: &str, limit: Duration, ok: impl Fn(&Page) -> bool) -> Page {
        let start = std::time::Instant::now();
        loop {
            let page = self.get(path).await;
            if ok(&page) || start.elapsed() >= limit {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
