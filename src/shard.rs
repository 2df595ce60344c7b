//! Splitting the regencies across CI runners: `bimtek sites --json` plans the split, and
//! `bimtek build --shard i/K` builds one part. Each regency's site is self-contained and the root
//! files list every regency in every shard, so the shards' folders merge by plain copy into the
//! same tree as a single build.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::content::{Scope, Sources};

/// Part `index` (1-based) of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub of: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: write it as i/K, e.g. 1/4 for the first of four");
        let (i, k) = text.split_once('/').ok_or_else(bad)?;
        let (index, of) =
            (i.trim().parse::<usize>().map_err(|_| bad())?, k.trim().parse::<usize>().map_err(|_| bad())?);
        if of == 0 || index == 0 || index > of {
            return Err(format!("shard `{text}`: i must be between 1 and K, and K at least 1"));
        }
        Ok(Shard { index, of })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.of)
    }
}

/// One regency as the planner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub slug: String,
    /// Module files it draws on: the national ones plus its own that are not overrides (drafts
    /// included: planning reads no front matter).
    pub modules: usize,
}

/// Pages every regency has besides its modules (home, timeline, search, contacts, ...), so a
/// regency with few modules still counts for something.
const FIXED_PAGES: usize = 12;

/// The regencies of the project with their size, in slug order.
pub fn sites(sources: &Sources) -> Vec<Site> {
    let national: std::collections::BTreeSet<&str> =
        sources.modules.iter().filter(|m| m.scope == Scope::National).map(|m| m.slug.as_str()).collect();
    sources
        .regencies
        .iter()
        .map(|r| {
            let scope = Scope::Regency(r.slug.clone());
            let own =
                sources.modules.iter().filter(|m| m.scope == scope && !national.contains(m.slug.as_str())).count();
            Site { slug: r.slug.clone(), modules: national.len() + own }
        })
        .collect()
}

/// Splits the sites into `k` shards of about equal work: largest first, each to the lightest
/// shard so far (ties to the lower shard). Deterministic; each shard's list is in slug order.
pub fn plan(sites: &[Site], k: usize) -> Vec<Vec<String>> {
    let k = k.max(1);
    let mut order: Vec<&Site> = sites.iter().collect();
    order.sort_by(|a, b| b.modules.cmp(&a.modules).then_with(|| a.slug.cmp(&b.slug)));
    let mut shards: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); k];
    for site in order {
        // `shards` has k >= 1 entries, so there is always a lightest one.
        if let Some((load, slugs)) = shards.iter_mut().min_by_key(|(load, _)| *load) {
            *load += site.modules + FIXED_PAGES;
            slugs.push(site.slug.clone());
        }
    }
    shards
        .into_iter()
        .map(|(_, mut slugs)| {
            slugs.sort();
            slugs
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(slug: &str, modules: usize) -> Site {
        Site { slug: slug.into(), modules }
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, of: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_site_lands_in_exactly_one_shard_and_the_load_is_even() {
        let sites: Vec<Site> = (0..40).map(|i| site(&format!("r{i:02}"), 100 + (i * 37) % 90)).collect();
        let shards = plan(&sites, 4);
        let mut all: Vec<&String> = shards.iter().flatten().collect();
        all.sort();
        assert_eq!(all, sites.iter().map(|s| &s.slug).collect::<Vec<_>>());
        let load = |slugs: &Vec<String>| -> usize {
            slugs.iter().map(|s| sites.iter().find(|x| &x.slug == s).unwrap().modules + FIXED_PAGES).sum()
        };
        let loads: Vec<usize> = shards.iter().map(load).collect();
        let (min, max) = (*loads.iter().min().unwrap(), *loads.iter().max().unwrap());
        assert!(max - min <= 190, "uneven: {loads:?}");
        // The same input, in any order, gives the same plan.
        let mut reversed = sites.clone();
        reversed.reverse();
        assert_eq!(plan(&reversed, 4), shards);
    }

    #[test]
    fn more_shards_than_sites_leaves_some_empty() {
        let shards = plan(&[site("a", 5), site("b", 50)], 3);
        assert_eq!(shards, vec![vec!["b".to_owned()], vec!["a".to_owned()], vec![]]);
    }
}
