//! Files for the static host rather than for readers: `robots.txt` and `_headers`, the header
//! rules that Netlify, Cloudflare Pages and similar hosts read.

use crate::site::{Regency, Site};

/// The policy every page of the default theme works under: scripts and styles only from files of
/// the site, no eval of any kind, no inline code, and HTML sinks closed by Trusted Types (the one
/// policy allowed, `bimtek-offline`, passes the service worker's address only).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; \
require-trusted-types-for 'script'; trusted-types bimtek-offline";

/// `(path, text)` of each file for the host root.
pub fn host_files(site: &Site, regencies: &[&Regency]) -> Vec<(&'static str, String)> {
    vec![("robots.txt", robots(site, regencies)), ("_headers", headers())]
}

/// `robots.txt` for the host root: everything may be crawled, and here are the sitemaps.
fn robots(site: &Site, regencies: &[&Regency]) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n\n");
    for r in regencies {
        text.push_str(&format!("Sitemap: {}{}/sitemap.xml\n", site.config.base_url, r.slug));
    }
    text
}

/// Pages and the search index are revalidated, so a new build shows at once online; the service
/// worker must never be cached, or phones would keep an old build for a day.
fn headers() -> String {
    format!(
        "/*\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n  X-Content-Type-Options: nosniff\n  \
         Referrer-Policy: strict-origin-when-cross-origin\n  Cache-Control: public, max-age=0, must-revalidate\n\n\
         /:regency/assets/*\n  Cache-Control: public, max-age=86400\n\n\
         /:regency/sw.js\n  Cache-Control: no-cache\n\n\
         /:regency/manifest.webmanifest\n  Content-Type: application/manifest+json\n"
    )
}
