//! Writes a generated bimtek project, large and realistic enough to benchmark with: the search
//! comparison of `benches/search-vs-pagefind/` and the build-speed comparison with Hugo of
//! `benches/vs-hugo/` (issue 7).
//!
//!     cargo run --release --example corpus -- DIR [--modules N] [--regencies R] [--seed S] [--hugo HUGO_DIR]
//!
//! DIR must be new or empty. It receives `bimtek.yaml` (the sample's roles and topics),
//! N national modules (default 1,000) in `content/modules/`, a national schedule, and R regencies
//! (default 5) in `content/regencies/<slug>/`, each with its `regency.yaml`, one local module that
//! overrides a national one, and a schedule of its own. `bimtek build --root DIR` builds it cleanly.
//!
//! Module bodies are varied Indonesian of 800 to 1,500 words: paragraphs, sentences, list items,
//! tables and callouts sampled from the sample project's own modules (`content/**/*.md` of this
//! repository, read at run time), under h2/h3 headings, with bullet lists, task lists, a table and
//! `.md` links to other generated modules (always to modules that exist, and to their real heading
//! ids). Titles join real headings with real qualifiers, so no two are alike. Everything is drawn
//! from a splitmix64 generator seeded with S (default 1): the same seed and the same sample content
//! give a byte-identical project.
//!
//! With `--hugo HUGO_DIR` (new or empty as well) the same run also writes an equivalent Hugo site of
//! the same pages, for the build-speed comparison of `benches/vs-hugo/`: for every regency, one page
//! per module that regency's bimtek site has (the national ones, its local override in place of the
//! national module of the same slug) at `content/<regency>/modul/<slug>.md`, with the same body
//! (links `other.md#id` become `../other/#id`, headings carry bimtek's ids as `{#id}`), front matter
//! translated (title, description, weight, lastmod, and `topic` and `roles` taxonomies whose terms
//! are scoped to the regency, `<regency>-<key>`, with term pages at bimtek's `<regency>/topik/<key>/`
//! and `<regency>/peran/<key>/`), a small theme in `layouts/` and a `hugo.toml` (no RSS, goldmark
//! with raw HTML, tables, task lists, footnotes and strikethrough, like bimtek). Without `--hugo` the
//! output is exactly what it was before the option existed.

use bimtek::date::Date;
use bimtek::markdown::slugify;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::exit;

const USAGE: &str =
    "usage: cargo run --release --example corpus -- DIR [--modules N] [--regencies R] [--seed S] [--hugo HUGO_DIR]";

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// `k` distinct indices of `0..n`, in the order drawn.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all
    }
    /// A generator of its own for one item, so that changing one part leaves the others alone.
    fn fork(&mut self, salt: u64) -> Rng {
        Rng(self.next() ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
}

/// What the sample modules are made of, cleaned of links, footnotes and images.
#[derive(Default)]
struct Pool {
    headings: Vec<String>,
    paragraphs: Vec<String>,
    sentences: Vec<String>,
    bullets: Vec<String>,
    tasks: Vec<String>,
    steps: Vec<String>,
    tables: Vec<String>,
    callouts: Vec<String>,
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

/// The body of a module, without its front matter.
fn strip_front_matter(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n") else { return text };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}

/// `[text](target)` becomes `text`; footnote references `[^1]` disappear.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if after.starts_with('^') {
            match after.find(']') {
                Some(end) => rest = &after[end + 1..],
                None => {
                    rest = after;
                }
            }
            continue;
        }
        match after.find("](") {
            Some(mid) if !after[..mid].contains('[') => match after[mid + 2..].find(')') {
                Some(end) => {
                    out.push_str(&after[..mid]);
                    rest = &after[mid + 2 + end + 1..];
                }
                None => {
                    out.push('[');
                    rest = after;
                }
            },
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Sentences of a paragraph: split after `.`, `!` or `?` followed by a space and a capital.
fn sentences(paragraph: &str) -> Vec<String> {
    let chars: Vec<char> = paragraph.chars().collect();
    let mut found = Vec::new();
    let mut current = String::new();
    for i in 0..chars.len() {
        current.push(chars[i]);
        let end = matches!(chars[i], '.' | '!' | '?')
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|c| c.is_uppercase() || *c == '*');
        if end {
            found.push(current.trim().to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        found.push(current.trim().to_owned());
    }
    found
        .into_iter()
        .filter(|s| s.split_whitespace().count() >= 5 && !s.ends_with(':') && s.matches("**").count() % 2 == 0)
        .collect()
}

fn heading_text(line: &str) -> String {
    let text = line.trim_start_matches('#').trim();
    let text = match text.find(" {#") {
        Some(at) => &text[..at],
        None => text,
    };
    text.to_owned()
}

fn read_pool(content: &Path) -> Pool {
    let mut files = Vec::new();
    markdown_files(content, &mut files);
    if files.is_empty() {
        eprintln!("error: no markdown files under {}", content.display());
        exit(1);
    }
    let mut pool = Pool::default();
    let mut seen_headings = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_else(|e| {
            eprintln!("error: {}: {e}", file.display());
            exit(1);
        });
        let text = text.replace("\r\n", "\n");
        // Drafts are unfinished ("Modul ini belum selesai"): not what a real module reads like.
        if text.split("\n---\n").next().is_some_and(|front| front.lines().any(|l| l.trim() == "draft: true")) {
            continue;
        }
        let mut block: Vec<&str> = Vec::new();
        let mut blocks: Vec<Vec<&str>> = Vec::new();
        for line in strip_front_matter(&text).lines() {
            if line.trim().is_empty() {
                if !block.is_empty() {
                    blocks.push(std::mem::take(&mut block));
                }
            } else if line.starts_with('#') {
                if !block.is_empty() {
                    blocks.push(std::mem::take(&mut block));
                }
                blocks.push(vec![line]);
            } else {
                block.push(line);
            }
        }
        if !block.is_empty() {
            blocks.push(block);
        }
        for lines in blocks {
            let first = lines[0];
            let joined = lines.join("\n");
            if joined.contains("![") || first.starts_with("[^") || joined.contains("```") || joined.contains('<') {
                continue;
            }
            if first.starts_with("## ") || first.starts_with("### ") {
                let h = heading_text(first);
                if h.split_whitespace().count() >= 1 && seen_headings.insert(h.to_lowercase()) {
                    pool.headings.push(h);
                }
            } else if first.starts_with('|') {
                pool.tables.push(clean(&joined));
            } else if first.starts_with("> [!") {
                pool.callouts.push(clean(&joined));
            } else if lines.iter().all(|l| l.starts_with("- [ ] ") || l.starts_with("- [x] ")) {
                pool.tasks.extend(lines.iter().map(|l| clean(&l[6..])));
            } else if lines.iter().all(|l| l.starts_with("- ") || l.starts_with("  ")) {
                pool.bullets.extend(lines.iter().filter(|l| l.starts_with("- ")).map(|l| clean(&l[2..])));
            } else if first.chars().next().is_some_and(|c| c.is_ascii_digit()) && first.contains(". ") {
                for l in &lines {
                    if let Some((n, rest)) = l.split_once(". ") {
                        if n.chars().all(|c| c.is_ascii_digit()) {
                            pool.steps.push(clean(rest));
                        }
                    }
                }
            } else if !first.starts_with('>') && !first.starts_with('-') && !first.starts_with('*') {
                let p = clean(&joined.replace('\n', " "));
                pool.sentences.extend(sentences(&p));
                if !p.trim_end().ends_with(':') {
                    pool.paragraphs.push(p);
                }
            }
        }
    }
    let empty = [
        ("headings", pool.headings.len()),
        ("paragraphs", pool.paragraphs.len()),
        ("sentences", pool.sentences.len()),
        ("bullets", pool.bullets.len()),
        ("tasks", pool.tasks.len()),
        ("steps", pool.steps.len()),
        ("tables", pool.tables.len()),
        ("callouts", pool.callouts.len()),
    ];
    for (what, n) in empty {
        if n < 3 {
            eprintln!("error: the sample content has too few {what} ({n}) to sample from");
            exit(1);
        }
    }
    pool
}

fn heading_ids(headings: &[&str]) -> Vec<String> {
    let mut used: BTreeSet<String> = ["isi", "toc-title", "jadwal-terkait"].iter().map(|s| s.to_string()).collect();
    headings
        .iter()
        .map(|h| {
            let base = match slugify(h) {
                s if s.is_empty() => "bagian".to_owned(),
                s => s,
            };
            let mut unique = base.clone();
            let mut n = 1;
            while used.contains(&unique) {
                unique = format!("{base}-{n}");
                n += 1;
            }
            used.insert(unique.clone());
            unique
        })
        .collect()
}

fn words(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// A double-quoted YAML scalar.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

const ROLES: [&str; 3] = ["ppk", "pps", "kpps"];
const TOPICS: [&str; 5] = ["pemungutan", "logistik", "kode-etik", "daftar-pemilih", "kelembagaan"];

const CONFIG: &str = "\
title: Bimtek Pilkada 2024 (korpus uji)
base_url: https://bimtek.example.id
language: id
theme: default
roles:
  ppk:
    name: PPK
    description: Panitia Pemilihan Kecamatan, penyelenggara pemilihan di tingkat kecamatan yang dibentuk KPU Kabupaten/Kota dan memimpin rekapitulasi hasil di kecamatan.
  pps:
    name: PPS
    description: Panitia Pemungutan Suara, penyelenggara di tingkat desa atau kelurahan yang membentuk KPPS, mengurus daftar pemilih, dan menyalurkan logistik ke TPS.
  kpps:
    name: KPPS
    description: Kelompok Penyelenggara Pemungutan Suara, tujuh orang yang melaksanakan pemungutan dan penghitungan suara di satu TPS.
topics:
  pemungutan:
    name: Pemungutan dan Penghitungan Suara
    description: Hari pemungutan suara di TPS, penghitungan suara, dan rekapitulasi berjenjang sampai kecamatan.
  logistik:
    name: Logistik Pemilihan
    description: Surat suara, kotak suara, segel, formulir, dan perlengkapan lain, dari gudang sampai kembali ke gudang.
  kode-etik:
    name: Kode Etik dan Netralitas
    description: Prinsip perilaku penyelenggara, konflik kepentingan, media sosial, dan penolakan gratifikasi.
  daftar-pemilih:
    name: Daftar Pemilih
    description: DPT, DPTb, dan DPK, cara memeriksa pendaftaran, dan pelayanan pemilih yang belum terdaftar.
  kelembagaan:
    name: Tugas dan Kelembagaan Badan Ad Hoc
    description: Susunan, tugas, wewenang, dan kewajiban PPK, PPS, dan KPPS serta hubungan kerjanya.
";

const AUDIENCES: [&str; 8] = [
    "bagi KPPS",
    "bagi PPS",
    "bagi PPK",
    "bagi Anggota Baru",
    "bagi Ketua KPPS",
    "bagi Sekretariat PPK",
    "bagi Petugas Ketertiban TPS",
    "bagi Operator Sirekap",
];

const SETTINGS: [&str; 16] = [
    "di Daerah Terpencil",
    "di Wilayah Kepulauan",
    "di Daerah Perbatasan",
    "di Daerah Rawan Banjir",
    "di TPS Lokasi Khusus",
    "di Rumah Sakit",
    "di Lembaga Pemasyarakatan",
    "di Desa Pedalaman",
    "di Kawasan Perkotaan",
    "di Daerah Aliran Sungai",
    "di Kawasan Perkebunan",
    "di Wilayah Pegunungan",
    "pada Musim Hujan",
    "saat Listrik Padam",
    "dengan Calon Tunggal",
    "Menjelang Hari Pemungutan",
];

const LINK_LINES: [&str; 6] = [
    "Bahan terkait ada di modul [{}]({}).",
    "Lihat juga [{}]({}).",
    "Langkah berikutnya dijelaskan dalam [{}]({}).",
    "Bandingkan dengan ketentuan di modul [{}]({}).",
    "Untuk rinciannya, baca [{}]({}).",
    "Pelajari pula [{}]({}) sebelum bimtek.",
];

/// What other modules need to know of a module before it is written: its address and anchors.
struct Plan {
    slug: String,
    title: String,
    headings: Vec<String>,
    ids: Vec<String>,
    topic: &'static str,
    roles: Vec<&'static str>,
}

fn plan_modules(pool: &Pool, rng: &mut Rng, n: usize) -> Vec<Plan> {
    let mut titles = BTreeSet::new();
    let mut slugs = BTreeSet::new();
    let mut plans = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = rng.fork(i as u64);
        let mut title = String::new();
        for attempt in 0.. {
            let mut t = r.pick(&pool.headings).clone();
            match r.below(4) {
                0 => t = format!("{t} {}", r.pick(&AUDIENCES)),
                1 => t = format!("{t} {}", r.pick(&SETTINGS)),
                2 => t = format!("{t} {} {}", r.pick(&AUDIENCES), r.pick(&SETTINGS)),
                _ => {}
            }
            if attempt >= 50 {
                t = format!("{t} (Seri {})", i + 1);
            }
            if !titles.contains(&t) && !slugs.contains(&slugify(&t)) {
                title = t;
                break;
            }
        }
        titles.insert(title.clone());
        let slug = slugify(&title);
        slugs.insert(slug.clone());
        let sections = r.range(4, 7);
        let headings: Vec<String> =
            r.distinct(pool.headings.len(), sections).into_iter().map(|h| pool.headings[h].clone()).collect();
        let ids = heading_ids(&headings.iter().map(String::as_str).collect::<Vec<_>>());
        let topic = *r.pick(&TOPICS);
        let mut roles: Vec<&'static str> = ROLES.iter().copied().filter(|_| r.chance(60)).collect();
        if roles.is_empty() {
            roles.push(*r.pick(&ROLES));
        }
        plans.push(Plan { slug, title, headings, ids, topic, roles });
    }
    plans
}

fn paragraph(pool: &Pool, r: &mut Rng) -> String {
    if r.chance(45) {
        r.pick(&pool.paragraphs).clone()
    } else {
        let k = r.range(3, 6);
        (0..k).map(|_| r.pick(&pool.sentences).as_str()).collect::<Vec<_>>().join(" ")
    }
}

fn items(list: &[String], r: &mut Rng, lo: usize, hi: usize) -> Vec<String> {
    let k = r.range(lo, hi);
    r.distinct(list.len(), k).into_iter().map(|i| list[i].clone()).collect()
}

/// Plain bullets use `*`, so that a list drawn next to a task list (`- [ ]`) stays a list of its own.
fn bullet_list(pool: &Pool, r: &mut Rng) -> String {
    items(&pool.bullets, r, 3, 6).iter().map(|i| format!("* {i}")).collect::<Vec<_>>().join("\n")
}

fn task_list(pool: &Pool, r: &mut Rng) -> String {
    items(&pool.tasks, r, 3, 6)
        .iter()
        .map(|i| format!("- [{}] {i}", if r.chance(15) { "x" } else { " " }))
        .collect::<Vec<_>>()
        .join("\n")
}

fn steps(pool: &Pool, r: &mut Rng) -> String {
    items(&pool.steps, r, 3, 5)
        .iter()
        .enumerate()
        .map(|(n, i)| format!("{}. {i}", n + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn link_line(plans: &[Plan], me: usize, r: &mut Rng) -> String {
    let mut target = r.below(plans.len());
    if target == me && plans.len() > 1 {
        target = (target + 1) % plans.len();
    }
    let t = &plans[target];
    let href = if r.chance(70) {
        let h = r.below(t.ids.len());
        format!("{}.md#{}", t.slug, t.ids[h])
    } else {
        format!("{}.md", t.slug)
    };
    let label = &t.title;
    let template = r.pick(&LINK_LINES);
    let mut parts = template.split("{}");
    let mut line = String::new();
    line.push_str(parts.next().unwrap_or(""));
    line.push_str(label);
    line.push_str(parts.next().unwrap_or(""));
    line.push_str(&href);
    line.push_str(parts.next().unwrap_or(""));
    line
}

/// A module body of 800 to 1,500 words, from the plan's headings.
fn body(pool: &Pool, plans: &[Plan], me: usize, headings: &[String], r: &mut Rng) -> String {
    let n = headings.len();
    // Blocks of each section; the first of each is always a paragraph.
    let mut sections: Vec<Vec<String>> = (0..n).map(|_| vec![paragraph(pool, r)]).collect();
    // Required once per module: a table, a bullet list, a task list, an h3, links.
    let table_at = r.below(n);
    sections[table_at].push(r.pick(&pool.tables).clone());
    sections[r.below(n)].push(bullet_list(pool, r));
    sections[r.below(n)].push(task_list(pool, r));
    let h3_at = r.below(n);
    let mut sub = r.pick(&pool.headings).clone();
    while headings.contains(&sub) {
        sub = r.pick(&pool.headings).clone();
    }
    let links = r.range(1, 3);
    for _ in 0..links {
        let at = r.below(n);
        let line = link_line(plans, me, r);
        let p = paragraph(pool, r);
        sections[at].push(format!("{p} {line}"));
    }
    for s in sections.iter_mut() {
        match r.below(6) {
            0 => s.push(r.pick(&pool.callouts).clone()),
            1 => s.push(steps(pool, r)),
            2 => s.push(bullet_list(pool, r)),
            _ => {}
        }
    }
    let render = |sections: &[Vec<String>], sub_blocks: &[String]| -> String {
        let mut out = String::new();
        for (i, blocks) in sections.iter().enumerate() {
            let _ = write!(out, "## {}\n\n", headings[i]);
            for b in blocks {
                let _ = write!(out, "{b}\n\n");
            }
            if i == h3_at {
                let _ = write!(out, "### {sub}\n\n");
                for b in sub_blocks {
                    let _ = write!(out, "{b}\n\n");
                }
            }
        }
        out
    };
    let mut sub_blocks = vec![paragraph(pool, r)];
    if r.chance(50) {
        sub_blocks.push(task_list(pool, r));
    }
    // Grow to a target length with paragraphs spread over the sections.
    let target = r.range(820, 1350);
    let mut text = render(&sections, &sub_blocks);
    let mut grown = 0;
    while words(&text) < target && grown < 200 {
        let at = r.below(n);
        let p = paragraph(pool, r);
        let len = sections[at].len();
        let pos = 1 + r.below(len);
        sections[at].insert(pos.min(len), p);
        text = render(&sections, &sub_blocks);
        grown += 1;
    }
    // Too long (a large table or callout drawn late): drop the latest extras until it fits.
    while words(&text) > 1500 {
        let longest = (0..n).max_by_key(|&i| sections[i].len()).unwrap_or(0);
        if sections[longest].len() <= 1 {
            break;
        }
        let last = sections[longest].len() - 1;
        if sections[longest][last].contains(".md") {
            sections[longest].swap(last - 1, last);
        }
        sections[longest].remove(last);
        text = render(&sections, &sub_blocks);
    }
    text
}

fn module_file(plan: &Plan, title: &str, order: usize, summary: &str, updated: &str, body: &str) -> String {
    format!(
        "---\ntitle: {}\nsummary: {}\nroles: [{}]\ntopic: {}\norder: {order}\nupdated: {updated}\n---\n{body}",
        quoted(title),
        quoted(summary),
        plan.roles.join(", "),
        plan.topic
    )
}

fn summary(pool: &Pool, r: &mut Rng) -> String {
    loop {
        let s = r.pick(&pool.sentences);
        if words(s) <= 30 && !s.contains('|') {
            return s.replace("**", "").replace('*', "");
        }
    }
}

fn updated(r: &mut Rng) -> String {
    let month = r.range(6, 11);
    format!("2024-{month:02}-{:02}", r.range(1, 28))
}

fn date(day: i64) -> String {
    Date::from_days_since_epoch(day).to_string()
}

fn weekday(day: i64) -> &'static str {
    Date::from_days_since_epoch(day).weekday_id()
}

fn days(y: i64, m: i64, d: i64) -> i64 {
    Date::parse(&format!("{y:04}-{m:02}-{d:02}")).map_or(0, Date::days_since_epoch)
}

const PHASES: [&str; 6] =
    ["Persiapan", "Daftar pemilih", "Bimtek", "Logistik", "Pemungutan dan penghitungan", "Rekapitulasi"];

const EVENT_KINDS: [&str; 8] = [
    "Bimtek",
    "Rapat koordinasi tentang",
    "Simulasi",
    "Sosialisasi",
    "Pembekalan",
    "Uji pemahaman",
    "Supervisi",
    "Evaluasi",
];

fn schedule(title: &str, plans: &[Plan], count: usize, first_day: i64, span: i64, place: &str, r: &mut Rng) -> String {
    let mut out = format!("title: {}\nevents:\n", quoted(title));
    let mut used = BTreeSet::new();
    for _ in 0..count {
        let m = r.below(plans.len());
        let kind = r.pick(&EVENT_KINDS);
        let mut event = format!("{kind} {}", plans[m].title);
        if !used.insert(event.clone()) {
            event = format!("{event} (lanjutan {})", used.len());
            used.insert(event.clone());
        }
        let start = first_day + r.below(span as usize) as i64;
        let _ = writeln!(out, "  - title: {}", quoted(&event));
        if r.chance(25) {
            let end = start + r.range(1, 10) as i64;
            let _ = writeln!(out, "    start: {}\n    end: {}", date(start), date(end));
        } else {
            let _ = writeln!(out, "    date: {}\n    weekday: {}", date(start), weekday(start));
            if r.chance(50) {
                let h = r.range(7, 14);
                let _ = writeln!(out, "    time: \"{h:02}:00-{:02}:00\"", h + r.range(1, 4));
            }
        }
        if r.chance(80) {
            let _ = writeln!(out, "    roles: [{}]", plans[m].roles.join(", "));
        }
        let _ = writeln!(out, "    phase: {}", r.pick(&PHASES));
        let _ = writeln!(out, "    module: {}", plans[m].slug);
        let _ = writeln!(out, "    location: {}", quoted(place));
        if r.chance(50) {
            let other = r.below(plans.len());
            let note = format!("{} Bawa catatan [{}]({}.md).", summary_like(r), plans[other].title, plans[other].slug);
            let _ = writeln!(out, "    note: {}", quoted(&note));
        }
        out.push('\n');
    }
    out
}

const NOTES: [&str; 5] = [
    "Tanggal indikatif; jam pasti diumumkan KPU Kabupaten/Kota.",
    "Peserta membawa alat tulis dan KTP-el.",
    "Diikuti perwakilan setiap desa atau kelurahan.",
    "Materi dibagikan dalam bentuk cetak dan digital.",
    "Kehadiran dicatat untuk penilaian kinerja.",
];

fn summary_like(r: &mut Rng) -> &'static str {
    NOTES[r.below(NOTES.len())]
}

/// Regencies to name the sites after: (name, province, zone, town).
const REGENCIES: [(&str, &str, &str, &str); 12] = [
    ("Bengkayang", "Kalimantan Barat", "WIB", "Bengkayang"),
    ("Ketapang", "Kalimantan Barat", "WIB", "Ketapang"),
    ("Sintang", "Kalimantan Barat", "WIB", "Sintang"),
    ("Kapuas Hulu", "Kalimantan Barat", "WIB", "Putussibau"),
    ("Gowa", "Sulawesi Selatan", "WITA", "Sungguminasa"),
    ("Jayapura", "Papua", "WIT", "Sentani"),
    ("Sleman", "Daerah Istimewa Yogyakarta", "WIB", "Sleman"),
    ("Badung", "Bali", "WITA", "Mangupura"),
    ("Halmahera Utara", "Maluku Utara", "WIT", "Tobelo"),
    ("Ogan Komering Ilir", "Sumatera Selatan", "WIB", "Kayuagung"),
    ("Tabalong", "Kalimantan Selatan", "WITA", "Tanjung"),
    ("Merauke", "Papua Selatan", "WIT", "Merauke"),
];

/// The `k`th regency: (name, slug, province, zone, town); past the twelve, names repeat with a number.
fn regency(k: usize) -> (String, String, &'static str, &'static str, &'static str) {
    let (name, province, zone, town) = REGENCIES[k % REGENCIES.len()];
    let round = k / REGENCIES.len();
    if round == 0 {
        (name.to_owned(), slugify(name), province, zone, town)
    } else {
        (format!("{name} {}", round + 1), format!("{}-{}", slugify(name), round + 1), province, zone, town)
    }
}

/// The national module that regency `k` overrides with a local one.
fn override_target(k: usize, n: usize) -> usize {
    (k * 7 + 3) % n
}

struct Args {
    dir: PathBuf,
    modules: usize,
    regencies: usize,
    seed: u64,
    hugo: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut hugo = None;
    let (mut modules, mut regencies, mut seed) = (1000usize, 5usize, 1u64);
    let bad = |msg: &str| -> ! {
        eprintln!("error: {msg}\n{USAGE}");
        exit(2)
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| bad(&format!("{name} needs a value")));
        match arg.as_str() {
            "--modules" => modules = value("--modules").parse().unwrap_or_else(|_| bad("--modules takes a number")),
            "--regencies" => {
                regencies = value("--regencies").parse().unwrap_or_else(|_| bad("--regencies takes a number"))
            }
            "--seed" => seed = value("--seed").parse().unwrap_or_else(|_| bad("--seed takes a number")),
            "--hugo" => hugo = Some(PathBuf::from(value("--hugo"))),
            "-h" | "--help" => {
                println!("{USAGE}");
                exit(0)
            }
            a if a.starts_with('-') => bad(&format!("unknown option {a}")),
            a if dir.is_none() => dir = Some(PathBuf::from(a)),
            a => bad(&format!("unexpected argument {a}")),
        }
    }
    let Some(dir) = dir else { bad("DIR is required") };
    if modules < 2 {
        bad("--modules must be at least 2");
    }
    if regencies < 1 {
        bad("--regencies must be at least 1");
    }
    if hugo.as_ref().is_some_and(|h| *h == dir) {
        bad("--hugo needs a folder other than DIR");
    }
    Args { dir, modules, regencies, seed, hugo }
}

/// DIR and HUGO_DIR must be new or empty.
fn check_empty(dir: &Path) {
    if dir.exists() {
        let empty = fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !dir.is_dir() || !empty {
            eprintln!("error: {} exists and is not an empty folder; give a new or empty one", dir.display());
            exit(1);
        }
    }
}

fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| {
            eprintln!("error: {}: {e}", parent.display());
            exit(1)
        });
    }
    fs::write(&path, text).unwrap_or_else(|e| {
        eprintln!("error: {}: {e}", path.display());
        exit(1)
    });
}

fn main() {
    let Args { dir, modules: n, regencies: regency_count, seed, hugo } = parse_args();
    check_empty(&dir);
    if let Some(h) = &hugo {
        check_empty(h);
    }
    let pool = read_pool(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let write = |rel: &str, text: &str| write_file(&dir, rel, text);
    let mut rng = Rng(seed);
    write("bimtek.yaml", CONFIG);
    if let Some(h) = &hugo {
        write_hugo_site(h, regency_count);
    }

    let plans = plan_modules(&pool, &mut rng.fork(1), n);
    let mut modules_rng = rng.fork(2);
    let (mut total, mut least, mut most) = (0usize, usize::MAX, 0usize);
    for (i, plan) in plans.iter().enumerate() {
        let mut r = modules_rng.fork(i as u64);
        let text = body(&pool, &plans, i, &plan.headings, &mut r);
        let count = words(&text);
        total += count;
        least = least.min(count);
        most = most.max(count);
        let order = i / TOPICS.len() + 1;
        let (summary, updated) = (summary(&pool, &mut r), updated(&mut r));
        let file = module_file(plan, &plan.title, order, &summary, &updated, &text);
        write(&format!("content/modules/{}.md", plan.slug), &file);
        if let Some(h) = &hugo {
            // Every regency that does not override this module has it as it is.
            let page = hugo_module(&plan.title, &summary, &updated, order, &text);
            for k in (0..regency_count).filter(|&k| override_target(k, n) != i) {
                write_hugo_module(h, &regency(k).1, plan, &page);
            }
        }
    }

    let mut schedules_rng = rng.fork(3);
    let start = days(2024, 5, 1);
    let national = schedule(
        "Tahapan dan Bimtek Pilkada Serentak 2024",
        &plans,
        (n / 10).clamp(10, 60),
        start,
        days(2024, 12, 15) - start,
        "KPU Kabupaten/Kota masing-masing",
        &mut schedules_rng,
    );
    write("content/schedules/tahapan-pilkada-2024.yaml", &national);

    let mut regency_rng = rng.fork(4);
    for k in 0..regency_count {
        let (name, slug, province, zone, town) = regency(k);
        let mut r = regency_rng.fork(k as u64);
        let base = format!("content/regencies/{slug}");
        write(
            &format!("{base}/regency.yaml"),
            &format!(
                "name: {}\nprovince: {}\ntimezone: {zone}\noffice: {}\ncontacts:\n  - name: {}\n    position: Layanan informasi dan pendaftaran bimtek\n    phone: \"0812-{:04}-{:04}\"\n    email: sekretariat@{slug}.kpu.example.id\n  - name: {}\n    position: Koordinator bimtek KPPS\n",
                quoted(&format!("Kabupaten {name}")),
                quoted(province),
                quoted(&format!("Kantor KPU Kabupaten {name}, {town}")),
                quoted(&format!("Sekretariat KPU Kabupaten {name}")),
                r.below(10_000),
                r.below(10_000),
                quoted(&format!("Divisi Teknis KPU Kabupaten {name}")),
            ),
        );
        // One national module, rewritten for the regency (same slug, so it overrides).
        let target = override_target(k, n);
        let plan = &plans[target];
        let text = body(&pool, &plans, target, &plan.headings, &mut r);
        let title = format!("{} di Kabupaten {name}", plan.title);
        let (summary, updated) = (summary(&pool, &mut r), updated(&mut r));
        let file = module_file(plan, &title, 1, &summary, &updated, &text);
        write(&format!("{base}/modules/{}.md", plan.slug), &file);
        if let Some(h) = &hugo {
            write_hugo_module(h, &slug, plan, &hugo_module(&title, &summary, &updated, 1, &text));
        }
        let local = schedule(
            &format!("Bimtek Penyelenggara Kabupaten {name}"),
            &plans,
            8,
            days(2024, 10, 1),
            60,
            &format!("Aula KPU Kabupaten {name}, {town}"),
            &mut r,
        );
        write(&format!("{base}/schedules/bimtek.yaml"), &local);
    }
    eprintln!(
        "wrote {} national modules ({least}-{most} words, {} on average) and {regency_count} regencies into {}",
        n,
        total / n,
        dir.display()
    );
    if let Some(h) = &hugo {
        eprintln!("wrote the same modules as a Hugo site into {}", h.display());
    }
}

// ---------------------------------------------------------------------------------------------
// The equivalent Hugo site (--hugo), for benches/vs-hugo/.

/// (key, name, description) of the roles or the topics in `CONFIG`, in its order.
fn config_entries(list: &str) -> Vec<(String, String, String)> {
    let mut entries: Vec<(String, String, String)> = Vec::new();
    let mut inside = false;
    for line in CONFIG.lines() {
        if !line.starts_with(' ') {
            inside = line.strip_suffix(':') == Some(list);
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')).filter(|k| !k.starts_with(' ')) {
            entries.push((key.to_owned(), String::new(), String::new()));
        } else if let (Some(entry), Some(name)) = (entries.last_mut(), line.strip_prefix("    name: ")) {
            entry.1 = name.to_owned();
        } else if let (Some(entry), Some(text)) = (entries.last_mut(), line.strip_prefix("    description: ")) {
            entry.2 = text.to_owned();
        }
    }
    entries
}

/// Module links `other.md#id` become Hugo page links `../other/#id` (pages are `modul/<slug>/`).
fn hugo_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = &rest[..end];
        let (file, anchor) = match target.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (target, None),
        };
        match file.strip_suffix(".md") {
            Some(slug) if !slug.is_empty() && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                let _ = write!(out, "../{slug}/");
                if let Some(anchor) = anchor {
                    let _ = write!(out, "#{anchor}");
                }
            }
            _ => out.push_str(target),
        }
        out.push(')');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The body for Hugo: links rewritten, and every h2/h3 given the id bimtek gives it (`{#id}`), so
/// that anchors and the table of contents match (Hugo's own ids differ on punctuation).
fn hugo_body(text: &str) -> String {
    let text = hugo_links(text);
    let is_heading = |l: &str| l.starts_with("## ") || l.starts_with("### ");
    let texts: Vec<String> = text.split('\n').filter(|l| is_heading(l)).map(heading_text).collect();
    let ids = heading_ids(&texts.iter().map(String::as_str).collect::<Vec<_>>());
    let mut ids = ids.iter();
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| match is_heading(l).then(|| ids.next()).flatten() {
            Some(id) => format!("{} {{#{id}}}", l.trim_end()),
            None => l.to_owned(),
        })
        .collect();
    lines.join("\n")
}

/// A module as a Hugo page, but for its taxonomy terms, which name the regency.
struct HugoPage {
    front: String,
    body: String,
}

fn hugo_module(title: &str, summary: &str, updated: &str, order: usize, text: &str) -> HugoPage {
    HugoPage {
        front: format!(
            "title: {}\ndescription: {}\nweight: {order}\nlastmod: {updated}\n",
            quoted(title),
            quoted(summary)
        ),
        body: hugo_body(text),
    }
}

fn write_hugo_module(root: &Path, regency: &str, plan: &Plan, page: &HugoPage) {
    let roles: Vec<String> = plan.roles.iter().map(|r| format!("{regency}-{r}")).collect();
    let text = format!(
        "---\n{}topic: [{regency}-{}]\nroles: [{}]\n---\n{}",
        page.front,
        plan.topic,
        roles.join(", "),
        page.body
    );
    write_file(root, &format!("content/{regency}/modul/{}.md", plan.slug), &text);
}

/// `hugo.toml`, the theme, the home page, and each regency's section and term pages.
fn write_hugo_site(root: &Path, regency_count: usize) {
    let roles = config_entries("roles");
    let topics = config_entries("topics");
    let title = CONFIG.lines().next().and_then(|l| l.strip_prefix("title: ")).unwrap_or("Bimtek");
    let keys = |list: &[(String, String, String)]| {
        list.iter().map(|(k, _, _)| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
    };
    let config =
        HUGO_CONFIG.replace("{title}", title).replace("{roles}", &keys(&roles)).replace("{topics}", &keys(&topics));
    write_file(root, "hugo.toml", &config);
    for (path, text) in HUGO_FILES {
        write_file(root, path, text);
    }
    write_file(
        root,
        "content/_index.md",
        &format!(
            "---\ntitle: {}\ndescription: \"Materi bimbingan teknis dan jadwal untuk PPK, PPS, dan KPPS\"\n---\n",
            quoted(title)
        ),
    );
    for k in 0..regency_count {
        let (name, slug, province, _, _) = regency(k);
        write_file(
            root,
            &format!("content/{slug}/_index.md"),
            &format!(
                "---\ntitle: {}\ndescription: {}\nprovince: {}\nweight: {}\n---\n",
                quoted(&format!("Kabupaten {name}")),
                quoted(&format!("Materi bimbingan teknis dan jadwal untuk PPK, PPS, dan KPPS · Provinsi {province}")),
                quoted(province),
                k + 1
            ),
        );
        for (key, role, description) in &roles {
            write_file(
                root,
                &format!("content/roles/{slug}-{key}/_index.md"),
                &format!(
                    "---\ntitle: {}\nshort: {}\ndescription: {}\nregency: {slug}\nurl: /{slug}/peran/{key}/\n---\n",
                    quoted(&format!("Materi untuk {role}")),
                    quoted(role),
                    quoted(description)
                ),
            );
        }
        for (key, topic, description) in &topics {
            write_file(
                root,
                &format!("content/topic/{slug}-{key}/_index.md"),
                &format!(
                    "---\ntitle: {}\ndescription: {}\nregency: {slug}\nurl: /{slug}/topik/{key}/\n---\n",
                    quoted(topic),
                    quoted(description)
                ),
            );
        }
    }
}

/// bimtek writes no RSS, and no page listing every term of a taxonomy across regencies (each
/// regency's home lists its roles and topics), so Hugo makes neither. Goldmark as bimtek renders:
/// raw HTML kept, GFM tables, task lists, strikethrough and footnotes, no smart quotes, no bare-URL
/// links, `{#id}` on headings.
const HUGO_CONFIG: &str = r#"baseURL = "https://bimtek.example.id/"
title = "{title}"
languageCode = "id"
defaultContentLanguage = "id"
disableKinds = ["RSS", "taxonomy"]
# "taxonomy" is the page listing a taxonomy's terms (term pages stay); Hugo asks to confirm it.
ignoreErrors = ["error-disable-taxonomy"]
enableRobotsTXT = true

[taxonomies]
  topic = "topic"
  role = "roles"

[params]
  roles = [{roles}]
  topics = [{topics}]

[markup.goldmark.renderer]
  unsafe = true
[markup.goldmark.extensions]
  table = true
  taskList = true
  strikethrough = true
  footnote = true
  definitionList = false
  linkify = false
  typographer = false
[markup.goldmark.parser]
  autoHeadingID = true
  autoHeadingIDType = "github"
  [markup.goldmark.parser.attribute]
    title = true
[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
  ordered = true
"#;

/// The theme: the same pages, in the same structure, as bimtek's default theme shows.
const HUGO_FILES: [(&str, &str); 7] = [
    (
        "layouts/_default/baseof.html",
        r##"<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- $regency := .Params.regency | default (cond (eq .Kind "home") "" .Section) }}
{{- $home := cond (ne $regency "") (site.GetPage (printf "/%s" $regency)) site.Home }}
<title>{{ .Title }}{{ if ne . $home }} · {{ $home.Title }}{{ else if not .IsHome }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ .Description }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
<meta name="theme-color" content="#7a1212">
</head>
<body>
<a class="skip" href="#isi">Langsung ke isi</a>
<header class="site-header">
  <p class="brand"><a href="{{ $home.RelPermalink }}">{{ $home.Title }}</a>{{ if not $home.IsHome }} <span class="brand-sub">{{ site.Title }}</span>{{ end }}</p>
  {{- if not $home.IsHome }}
  <nav aria-label="Navigasi utama">
    <ul class="nav">
      <li><a href="{{ $home.RelPermalink }}">Beranda</a></li>
      {{- range site.Params.roles }}
      {{- with site.GetPage (printf "/roles/%s-%s" $regency .) }}
      <li><a href="{{ .RelPermalink }}">{{ .Params.short }}</a></li>
      {{- end }}
      {{- end }}
    </ul>
  </nav>
  {{- end }}
</header>
<main id="isi">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
{{- if not $home.IsHome }}
<p><a href="{{ site.Home.RelPermalink }}">Kabupaten dan kota</a> · {{ $home.Title }}, {{ $home.Params.province }}</p>
{{- end }}
<p>{{ site.Title }} · Dibuat dengan Hugo</p>
</footer>
</body>
</html>
"##,
    ),
    (
        "layouts/_default/single.html",
        r##"{{ define "main" }}
<nav class="breadcrumb" aria-label="Jejak navigasi">
  <a href="{{ .CurrentSection.RelPermalink }}">Beranda</a>{{ range .GetTerms "topic" }} › <a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
<article class="module">
  <header>
    <h1>{{ .Title }}</h1>
    {{ with .Description }}<p class="lead">{{ . }}</p>{{ end }}
    <p class="meta">Untuk: {{ range .GetTerms "roles" }}<a class="tag" href="{{ .RelPermalink }}">{{ .Params.short }}</a> {{ end }}
    · Diperbarui <time datetime="{{ .Lastmod.Format "2006-01-02" }}">{{ .Lastmod | time.Format ":date_long" }}</time>
    </p>
  </header>
  {{ with .TableOfContents }}
  <nav class="toc" aria-labelledby="toc-title">
    <h2 id="toc-title">Daftar isi</h2>
    {{ . }}
  </nav>
  {{ end }}
  <div class="prose">
{{ .Content }}
  </div>
</article>
<nav class="pager">
  {{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">← {{ .Title }}</a>{{ end }}
  {{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }} →</a>{{ end }}
</nav>
{{ end }}
"##,
    ),
    (
        "layouts/_default/list.html",
        r##"{{ define "main" }}
{{ if eq .Kind "section" }}
{{ $regency := .Section }}
<h1>{{ .Title }}</h1>
<p class="lead">{{ .Description }}</p>
<section aria-labelledby="peran">
  <h2 id="peran">Peran</h2>
  <ul class="cards">
  {{ range site.Params.roles }}{{ with site.GetPage (printf "/roles/%s-%s" $regency .) }}
    <li class="card"><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Description }}</p></li>
  {{ end }}{{ end }}
  </ul>
</section>
<section aria-labelledby="topik">
  <h2 id="topik">Topik</h2>
  <ul class="cards">
  {{ range site.Params.topics }}{{ with site.GetPage (printf "/topic/%s-%s" $regency .) }}
    <li class="card"><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="count">{{ len .Pages }} materi</span><p>{{ .Description }}</p></li>
  {{ end }}{{ end }}
  </ul>
</section>
{{ else }}
<nav class="breadcrumb" aria-label="Jejak navigasi"><a href="{{ (site.GetPage (printf "/%s" .Params.regency)).RelPermalink }}">Beranda</a> › {{ if eq .Data.Plural "roles" }}Peran{{ else }}Topik{{ end }}</nav>
<h1>{{ .Title }}</h1>
<p class="lead">{{ .Description }}</p>
<ul class="module-list">
{{ range .Pages }}
  <li class="card"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
  <p>{{ .Description }}</p></li>
{{ end }}
</ul>
{{ end }}
{{ end }}
"##,
    ),
    (
        "layouts/index.html",
        r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
<p class="lead">{{ .Description }}</p>
<h2>Kabupaten dan kota</h2>
{{ range (where .Sections "Params.province" "!=" nil).GroupByParam "province" }}
<section class="province">
  <h3>{{ .Key }}</h3>
  <ul class="cards">
  {{ range .Pages.ByTitle }}
    <li class="card"><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
  {{ end }}
  </ul>
</section>
{{ end }}
{{ end }}
"##,
    ),
    (
        "layouts/404.html",
        r##"{{ define "main" }}
<h1>Halaman tidak ditemukan</h1>
<p><a href="{{ site.Home.RelPermalink }}">Kabupaten dan kota</a></p>
{{ end }}
"##,
    ),
    (
        "static/style.css",
        r##":root { --accent: #7a1212; --ink: #1d1d1f; --muted: #5c5c66; --line: #d9d9de; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 0 1rem; font: 1.0625rem/1.6 system-ui, sans-serif; color: var(--ink); }
a { color: var(--accent); }
.skip { position: absolute; left: -100vw; }
.skip:focus { left: 1rem; }
.site-header { border-bottom: 3px solid var(--accent); padding: .5rem 0; }
.brand { font-weight: 700; margin: .25rem 0; }
.brand-sub { font-weight: 400; color: var(--muted); }
.nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: 0; }
.breadcrumb, .meta, .count { color: var(--muted); font-size: .9375rem; }
.lead { font-size: 1.125rem; }
.tag { display: inline-block; padding: 0 .4rem; border: 1px solid var(--line); border-radius: .25rem; text-decoration: none; }
.toc { border: 1px solid var(--line); padding: .5rem 1rem; margin: 1rem 0; }
.toc h2 { font-size: 1rem; margin: 0; }
.cards, .module-list { list-style: none; padding: 0; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: .5rem 0; }
.card p { margin: .25rem 0 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
blockquote { border-left: 4px solid var(--accent); margin: 1rem 0; padding: .25rem 1rem; background: #faf5f5; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin: 2rem 0; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; margin-top: 2rem; }
@media print { .site-header nav, .pager, .skip { display: none; } }
"##,
    ),
    (
        "static/favicon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#7a1212\"/></svg>\n",
    ),
];
