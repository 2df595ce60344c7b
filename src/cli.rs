//! The command line: clap definitions of `bimtek build`, `check`, `sites`, `serve`, `init` and `new`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "bimtek",
    version,
    about = "Builds one static training site per regency from markdown modules and YAML schedules"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the sites into the output folder (replaced whole, only when the build succeeds)
    Build(BuildArgs),
    /// Validate everything a build would, and write nothing
    Check(CheckArgs),
    /// List the regencies, and how `build --shard i/K` splits them across K machines
    Sites(SitesArgs),
    /// Build in memory and serve the sites, rebuilding and reloading pages as files change
    Serve(ServeArgs),
    /// Start a project in DIR: one regency, two modules and a schedule, ready to build
    Init(InitArgs),
    /// Add a module or a regency to the project (never overwrites a file)
    #[command(subcommand)]
    New(NewCommand),
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The folder to create the project in (new or empty)
    pub dir: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum NewCommand {
    /// A module: content/modules/SLUG.md, or the regency's own with --regency
    Module {
        /// The module's name in its address, e.g. pemungutan-suara
        slug: String,
        /// Put it under this regency (its own module, or its version of a national one)
        #[arg(long, value_name = "REGENCY")]
        regency: Option<String>,
        /// Its topic [default: the first in bimtek.yaml]
        #[arg(long)]
        topic: Option<String>,
        /// A role it is for; repeat for more [default: all roles]
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// The project folder
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
    /// A regency: content/regencies/SLUG/regency.yaml
    Regency {
        /// The regency's name in its address, e.g. landak
        slug: String,
        /// The project folder
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ProjectArgs {
    /// The project folder, holding bimtek.yaml and content/
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include modules marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where to write the sites [default: <root>/output]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build only this regency (its folder name under content/regencies); repeat for more
    #[arg(long = "site", value_name = "REGENCY")]
    pub sites: Vec<String>,
    /// Build part i of K, as `bimtek sites --shards K` splits them; the parts' output folders
    /// merge by plain copy into the whole site
    #[arg(long, value_name = "i/K", conflicts_with = "sites")]
    pub shard: Option<bimtek::shard::Shard>,
    /// Write HTML as rendered, without minifying it
    #[arg(long)]
    pub no_minify: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// How to print problems: one line each, rustc-style with the source line, or GitHub
    /// Actions annotations
    #[arg(long, value_enum, default_value_t = Format::Short)]
    pub format: Format,
    /// Exit with status 3 when there are warnings but no errors
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Args, Debug)]
pub struct SitesArgs {
    /// The project folder, holding bimtek.yaml and content/
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Split the regencies into this many shards of about equal work
    #[arg(long, default_value_t = 1, value_name = "K", value_parser = clap::value_parser!(u16).range(1..))]
    pub shards: u16,
    /// Print JSON for a CI matrix: `{"regencies": [...], "shards": [{"shard": "1/K", "regencies": [...]}]}`
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Short,
    Full,
    Github,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on; anything but 127.0.0.1 opens the server to the network
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
}
