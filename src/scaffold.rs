//! `bimtek init` and `bimtek new`: a ready project, a module or a regency, written from templates.
//! They never overwrite a file: when any file they would write exists, nothing is written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config, is_key};
use crate::diagnostics::Diagnostic;

const CONFIG: &str = r#"# The project: its title, the address it is published at, and the roles and topics its modules use.
title: Bimtek Badan Adhoc Pilkada 2024
# Change this to the address the sites are published at.
base_url: https://bimtek.example.org/
language: id
roles:
  ppk:
    name: PPK
    description: Panitia Pemilihan Kecamatan, lima orang di setiap kecamatan.
  pps:
    name: PPS
    description: Panitia Pemungutan Suara, tiga orang di setiap desa atau kelurahan.
  kpps:
    name: KPPS
    description: Kelompok Penyelenggara Pemungutan Suara, tujuh orang di setiap TPS.
topics:
  pemungutan:
    name: Pemungutan dan Penghitungan Suara
    description: Hari pemungutan suara di TPS dan penghitungan suaranya.
  kode-etik:
    name: Kode Etik
    description: Integritas, netralitas, dan profesionalitas penyelenggara.
"#;

const FIRST_MODULE: &str = r#"---
title: Persiapan TPS
summary: Yang disiapkan KPPS sehari sebelum dan pagi hari pemungutan suara.
roles: [kpps, pps]
topic: pemungutan
order: 1
---
## Sehari sebelum pemungutan suara

KPPS menerima perlengkapan dari PPS, memeriksa jumlahnya, dan menyiapkan TPS agar mudah dijangkau
semua pemilih, termasuk penyandang disabilitas.

- [ ] Terima kotak suara bersegel dan periksa segelnya
- [ ] Cocokkan jumlah surat suara dengan berita acara serah terima
- [ ] Pasang daftar pemilih tetap (DPT) di tempat yang mudah dilihat

## Pagi hari pemungutan suara

> [!IMPORTANT]
> TPS dibuka pukul 07.00 waktu setempat, setelah KPPS mengucapkan sumpah atau janji.

Lihat juga [kode etik penyelenggara](kode-etik.md#netralitas).
"#;

const SECOND_MODULE: &str = r#"---
title: Kode Etik Penyelenggara
summary: Sikap yang dijaga setiap anggota badan adhoc, di TPS dan di media sosial.
roles: [ppk, pps, kpps]
topic: kode-etik
order: 1
---
## Netralitas

Penyelenggara tidak memihak peserta pemilihan mana pun, dalam ucapan, tindakan, dan unggahan.

## Jika ada dugaan pelanggaran

Catat waktu, tempat, dan kejadiannya, lalu laporkan kepada ketua dan pengawas setempat.
"#;

const SCHEDULE: &str = r#"title: Tahapan Pilkada 2024
events:
  - title: Bimtek KPPS
    date: 2024-11-20
    weekday: Rabu
    time: "08:00-16:00"
    roles: [kpps]
    module: persiapan-tps
  - title: Pemungutan dan penghitungan suara
    date: 2024-11-27
    weekday: Rabu
    time: "07:00-13:00"
    roles: [kpps, pps, ppk]
    phase: Pemungutan suara
"#;

/// The site and, beside it, the spare copy and state of incremental builds.
const GITIGNORE: &str = "/output\n/.output.bimtek\n";

/// What a scaffolding command did, for the user.
pub struct Written {
    pub files: Vec<PathBuf>,
}

/// `bimtek init DIR`: a project with one regency, two modules and a schedule that builds at once.
pub fn init(dir: &Path) -> Result<Written, Diagnostic> {
    let regency = "contoh";
    write_all(
        dir,
        &[
            (PathBuf::from(CONFIG_FILE), CONFIG.to_owned()),
            (PathBuf::from(".gitignore"), GITIGNORE.to_owned()),
            (PathBuf::from("content/modules/persiapan-tps.md"), FIRST_MODULE.to_owned()),
            (PathBuf::from("content/modules/kode-etik.md"), SECOND_MODULE.to_owned()),
            (PathBuf::from("content/schedules/tahapan.yaml"), SCHEDULE.to_owned()),
            (regency_file(regency), regency_yaml(regency)),
        ],
    )
}

/// What `bimtek new module` is asked for.
pub struct NewModule<'a> {
    pub slug: &'a str,
    pub regency: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub roles: &'a [String],
}

/// `bimtek new module SLUG`: a module using the project's own roles and topics.
pub fn new_module(root: &Path, new: &NewModule) -> Result<Written, Diagnostic> {
    let config = read_config(root)?;
    check_slug(new.slug, "module")?;
    let topic = match new.topic {
        Some(t) if config.topic(t).is_none() => {
            return Err(Diagnostic::error(CONFIG_FILE, format!("there is no topic `{t}`"))
                .with_hint(format!("the topics are: {}", config.topic_keys())));
        }
        Some(t) => t.to_owned(),
        None => config.topics.first().map(|t| t.key.clone()).ok_or_else(|| {
            Diagnostic::error(CONFIG_FILE, "there are no topics").with_hint("add one under `topics:` first")
        })?,
    };
    let roles: Vec<String> =
        if new.roles.is_empty() { config.roles.iter().map(|r| r.key.clone()).collect() } else { new.roles.to_vec() };
    if let Some(bad) = roles.iter().find(|r| !config.roles.iter().any(|known| &known.key == *r)) {
        return Err(Diagnostic::error(CONFIG_FILE, format!("there is no role `{bad}`"))
            .with_hint(format!("the roles are: {}", config.role_keys())));
    }
    let folder = match new.regency {
        Some(r) => {
            if !root.join(regency_file(r)).is_file() {
                return Err(Diagnostic::error(format!("content/regencies/{r}"), format!("there is no regency `{r}`"))
                    .with_hint(format!("create it first: bimtek new regency {r}")));
            }
            PathBuf::from(format!("content/regencies/{r}/modules"))
        }
        None => PathBuf::from("content/modules"),
    };
    let title = title_case(new.slug);
    let text = format!(
        "---\ntitle: {title}\nsummary: Ringkasan satu kalimat tentang isi modul ini.\nroles: [{}]\ntopic: {topic}\n---\n\
         ## Tujuan\n\nSetelah membaca modul ini, peserta memahami ...\n\n## Langkah\n\n\
         - [ ] Langkah pertama\n- [ ] Langkah kedua\n",
        roles.join(", ")
    );
    write_all(root, &[(folder.join(format!("{}.md", new.slug)), text)])
}

/// `bimtek new regency SLUG`: the regency's `regency.yaml`, ready to fill in.
pub fn new_regency(root: &Path, slug: &str) -> Result<Written, Diagnostic> {
    read_config(root)?;
    check_slug(slug, "regency")?;
    write_all(root, &[(regency_file(slug), regency_yaml(slug))])
}

fn regency_file(slug: &str) -> PathBuf {
    PathBuf::from(format!("content/regencies/{slug}/regency.yaml"))
}

fn regency_yaml(slug: &str) -> String {
    format!(
        "# The regency's own site: its name, province and time zone (WIB, WITA or WIT).\n\
         name: Kabupaten {}\nprovince: Kalimantan Barat\ntimezone: WIB\n\
         office: Kantor KPU Kabupaten {0}\ncontacts:\n  - name: Sekretariat KPU Kabupaten {0}\n    \
         position: Layanan informasi bimtek\n",
        title_case(slug)
    )
}

fn read_config(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    let text = fs::read_to_string(&path).map_err(|_| {
        Diagnostic::error(
            CONFIG_FILE,
            format!("no `{CONFIG_FILE}` in {}: this is not a bimtek project", root.display()),
        )
        .with_hint("run it in the project folder, pass `--root <folder>`, or start one with `bimtek init <folder>`")
    })?;
    Config::parse(Path::new(CONFIG_FILE), &text).map_err(|mut problems| problems.remove(0))
}

fn check_slug(slug: &str, what: &str) -> Result<(), Diagnostic> {
    if is_key(slug) {
        return Ok(());
    }
    Err(Diagnostic::error(slug, format!("`{slug}` cannot name a {what}"))
        .with_hint("use lowercase letters, digits and hyphens, e.g. `pemungutan-suara`"))
}

/// `pemungutan-suara` → `Pemungutan Suara`, a starting point the trainer will edit.
fn title_case(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes every file, or none when any of them already exists.
fn write_all(root: &Path, files: &[(PathBuf, String)]) -> Result<Written, Diagnostic> {
    let taken: Vec<String> =
        files.iter().filter(|(rel, _)| root.join(rel).exists()).map(|(rel, _)| rel.display().to_string()).collect();
    if !taken.is_empty() {
        return Err(Diagnostic::error(root.join(&files[0].0), format!("already exists: {}", taken.join(", ")))
            .with_hint("nothing was written; bimtek never overwrites a file: pick another name or folder"));
    }
    for (rel, text) in files {
        let path = root.join(rel);
        let written = path.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| {
            // `create_new` so a file that appeared meanwhile is still never overwritten.
            fs::OpenOptions::new().write(true).create_new(true).open(&path)
        });
        let result = written.and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        if let Err(e) = result {
            return Err(Diagnostic::error(path, format!("could not write it: {e}")));
        }
    }
    Ok(Written { files: files.iter().map(|(rel, _)| root.join(rel)).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_slugs() {
        assert_eq!(title_case("pemungutan-suara-di-tps"), "Pemungutan Suara Di Tps");
        assert_eq!(title_case("landak"), "Landak");
    }
}
