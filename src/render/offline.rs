//! Offline copies: each regency site gets a web app manifest, icons drawn at build time, and a
//! service worker that keeps every file of the site. Done last, because the worker lists the
//! site's final files and its version is a hash of all their contents: any change gives a new worker,
//! and each worker serves only from the complete cache of its own version.

use rayon::prelude::*;
use serde::Serialize;

use crate::hash::Hasher;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Body, Output};
use crate::site::{Regency, Site};

const SERVICE_WORKER: &str = include_str!("../../themes/default/service-worker.js");
/// The theme colour of the header, the manifest and the icons.
const ACCENT: [u8; 3] = [0x7a, 0x12, 0x12];
const ICON_SIZES: [u32; 2] = [192, 512];

/// What a phone keeps of one regency for a full offline copy.
#[derive(Debug, Clone)]
pub struct OfflineCopy {
    pub regency: String,
    pub files: usize,
    pub bytes: u64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    name: String,
    short_name: &'a str,
    description: &'a str,
    lang: &'static str,
    start_url: &'static str,
    scope: &'static str,
    display: &'static str,
    background_color: &'static str,
    theme_color: String,
    icons: Vec<Icon>,
}

#[derive(Serialize)]
struct Icon {
    src: String,
    sizes: String,
    #[serde(rename = "type")]
    kind: &'static str,
    purpose: &'static str,
}

/// Adds the manifest, icons and service worker of each regency, and measures its offline copy.
pub fn add(site: &Site, regencies: &[&Regency], output: &mut Output, problems: &mut Diagnostics) -> Vec<OfflineCopy> {
    // Compressed hard, the icons took the main thread a few milliseconds: made side by side.
    let icons: Vec<(u32, Vec<u8>)> = ICON_SIZES.par_iter().map(|&size| (size, icon_png(size))).collect();
    let mut copies = Vec::new();
    for regency in regencies {
        let slug = &regency.slug;
        for (size, png) in &icons {
            put(output, problems, format!("{slug}/assets/icon-{size}.png"), png.clone());
        }
        put(output, problems, format!("{slug}/manifest.webmanifest"), manifest(site, regency));
        let prefix = format!("{slug}/");
        let mut files = Vec::new();
        let mut hash = Hasher::default();
        let mut bytes = 0;
        // Digests of all files at once, in parallel; a reused page is not even read.
        for (path, digest) in output.digests_under(&prefix) {
            let digest = match digest {
                Ok(digest) => digest,
                Err(e) => {
                    problems.push(Diagnostic::error(path, format!("cannot read it for the offline copy: {e}")));
                    continue;
                }
            };
            hash.field(path.as_bytes());
            hash.write(&digest.hash.to_le_bytes());
            bytes += digest.len;
            files.push(cache_url(&path[prefix.len()..]));
        }
        hash.write(SERVICE_WORKER.as_bytes());
        let worker = format!(
            "const VERSION = {};\nconst FILES = {};\n{SERVICE_WORKER}",
            json(&format!("{slug}-{:016x}", hash.finish())),
            json(&files)
        );
        bytes += worker.len() as u64;
        copies.push(OfflineCopy { regency: slug.clone(), files: files.len() + 1, bytes });
        put(output, problems, format!("{slug}/sw.js"), worker.into_bytes());
    }
    copies
}

fn put(output: &mut Output, problems: &mut Diagnostics, path: String, bytes: Vec<u8>) {
    if let Err(crate::output::AddError::Taken { first, .. } | crate::output::AddError::Unsafe(first)) =
        output.add(path.clone(), Body::Bytes(bytes.into()), "the offline copy")
    {
        problems.push(
            Diagnostic::error(first, format!("`{path}` is made by bimtek for the offline copy"))
                .with_hint("rename this file; the site needs that name"),
        );
    }
}

/// The address a page is fetched by: `modul/x/` rather than `modul/x/index.html`.
fn cache_url(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some("") => "./".to_owned(),
        Some(folder) if folder.ends_with('/') => folder.to_owned(),
        _ => path.to_owned(),
    }
}

fn manifest(site: &Site, regency: &Regency) -> Vec<u8> {
    let [r, g, b] = ACCENT;
    json(&Manifest {
        name: format!("{} · {}", site.config.title, regency.info.name),
        short_name: &regency.info.name,
        description: site.catalog.get("site_description"),
        lang: site.config.language.code(),
        start_url: "./",
        scope: "./",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: format!("#{r:02x}{g:02x}{b:02x}"),
        icons: ICON_SIZES
            .iter()
            .map(|s| Icon {
                src: format!("assets/icon-{s}.png"),
                sizes: format!("{s}x{s}"),
                kind: "image/png",
                purpose: "any maskable",
            })
            .collect(),
    })
    .into_bytes()
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Strings, lists and plain structs always serialise.
    serde_json::to_string(value).unwrap_or_default()
}

/// The ballot box of `icon.svg`, drawn on a full-bleed square so it also works as a maskable icon
/// (the symbol stays inside the central safe zone).
fn icon_png(size: u32) -> Vec<u8> {
    let white = [0xff, 0xff, 0xff];
    // Rectangles on the 64-unit grid of icon.svg, painted in order.
    let shapes: [([u32; 4], [u8; 3]); 5] = [
        ([0, 0, 64, 64], ACCENT),
        ([14, 26, 36, 26], white),
        ([22, 8, 20, 26], ACCENT),
        ([25, 11, 14, 20], white),
        ([20, 30, 24, 4], ACCENT),
    ];
    let mut pixels = vec![0u8; (size * size * 3) as usize];
    for ([x, y, w, h], colour) in shapes {
        let scale = |v: u32| v * size / 64;
        for row in scale(y)..scale(y + h) {
            for col in scale(x)..scale(x + w) {
                let at = ((row * size + col) * 3) as usize;
                pixels[at..at + 3].copy_from_slice(&colour);
            }
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, size, size);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    // Encoding into memory with a matching buffer size cannot fail.
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&pixels);
    }
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_cached_by_the_address_they_are_fetched_by() {
        assert_eq!(cache_url("index.html"), "./");
        assert_eq!(cache_url("modul/kode-etik/index.html"), "modul/kode-etik/");
        assert_eq!(cache_url("cari/meta.json"), "cari/meta.json");
        assert_eq!(cache_url("modul/x/contoh-index.html"), "modul/x/contoh-index.html");
    }

    #[test]
    fn icons_are_valid_pngs_of_their_size() {
        for size in ICON_SIZES {
            let png = icon_png(size);
            let decoder = png::Decoder::new(std::io::Cursor::new(&png));
            let reader = decoder.read_info().unwrap();
            assert_eq!((reader.info().width, reader.info().height), (size, size));
            assert!(png.len() < 4096, "{} bytes", png.len());
        }
    }
}
